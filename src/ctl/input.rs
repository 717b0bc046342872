//! What a subcommand works from: the release (asked for or the wrapper's
//! own), and the admin layer (this process's environment and kubelet
//! flags, or a unit read as systemd would start it).

use super::output::Failure;
use super::unitfile;
use crate::admin::AdminConfig;
use crate::admin::unit::Unit;
use crate::plan::{self, Plan};
use crate::release::Version;
use crate::release::model::Defaults;
use crate::release::registry::{self, ReleaseFile};
use crate::release::select::ReleaseSource;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The release asked for, or the one the wrapper would run as.
pub struct Target {
    /// What to report as `release`.
    pub release: String,
    pub source: &'static str,
    pub file: ReleaseFile,
}

pub fn target(release: Option<&str>) -> Result<Target, Failure> {
    target_in(release, Path::new("/"))
}

/// [`target`] for the node whose root is `root` (its os-release decides
/// when no release is asked for).
pub fn target_in(release: Option<&str>, root: &Path) -> Result<Target, Failure> {
    if let Some(r) = release {
        let v = Version::parse(r).map_err(|e| Failure(1, format!("--release: {e}")))?;
        let file = registry::lookup(v).map_err(|e| Failure(1, format!("--release: {e}")))?;
        return Ok(Target {
            release: r.to_string(),
            source: "option",
            file,
        });
    }
    // as the wrapper: an auto build refuses a host it cannot tell
    let (version, source, file) = crate::host::os_release::runtime(root).map_err(|e| {
        Failure(
            1,
            format!(
                "{e}; to look at a release from here, give it: --release R (kubelet-wrapperctl defaults list names them)"
            ),
        )
    })?;
    Ok(Target {
        release: version.to_string(),
        source: match source {
            ReleaseSource::Pinned => "pinned",
            ReleaseSource::Detected(_) => "os-release",
        },
        file,
    })
}

impl Target {
    /// How the release was chosen, in words.
    pub fn source_text(&self) -> &'static str {
        match self.source {
            "option" => "given with --release",
            "pinned" => "pinned at build time",
            _ => "read from os-release",
        }
    }
}

/// The admin layer and the kubelet's flags, and the unit they come from.
pub struct Layer {
    pub admin: AdminConfig,
    pub kubelet: Vec<OsString>,
    /// With --unit: the unit as systemd would start it.
    pub unit: Option<Unit>,
    /// The node's root: `/`, or the directory of `--root`, under which
    /// the unit and every host fact are read.
    pub root: PathBuf,
}

/// The admin layer: from the unit when one is given, else from this
/// process's environment and the kubelet flags of the command line.
pub fn admin_layer(
    unit: Option<&Path>,
    drop_ins: &[PathBuf],
    root: &Path,
    kubelet: Vec<OsString>,
) -> Result<Layer, Failure> {
    let Some(path) = unit else {
        return Ok(Layer {
            admin: AdminConfig::from_process_env(),
            kubelet,
            unit: None,
            root: root.to_path_buf(),
        });
    };
    let unit = unitfile::load(path, drop_ins, root)?;
    Ok(Layer {
        admin: AdminConfig::from_vars(unit.vars()),
        kubelet: unit
            .command
            .as_ref()
            .map(|c| c.kubelet_args.clone())
            .unwrap_or_default(),
        unit: Some(unit),
        root: root.to_path_buf(),
    })
}

/// For render and explain: a unit whose kubelet flags cannot be known is
/// refused (exit 1, with the reason), never shown with no flags at all.
pub fn require_command(layer: &Layer) -> Result<(), Failure> {
    let Some(u) = &layer.unit else {
        return Ok(());
    };
    match (&u.command, &u.no_command) {
        (Some(_), _) => Ok(()),
        (None, why) => Err(Failure(
            1,
            format!(
                "the unit's kubelet flags cannot be known: {}; kubelet-wrapperctl check --unit {} says what to change",
                why.as_deref()
                    .unwrap_or("it has no command that runs the wrapper"),
                crate::text::quote::escape(u.files[0].as_os_str().as_encoded_bytes())
            ),
        )),
    }
}

pub fn make_plan(t: &Target, layer: &Layer) -> Result<(Defaults, Plan), Failure> {
    let defaults = t.file.parse();
    let plan = plan::plan(&defaults, &layer.admin, &layer.kubelet).map_err(|e| {
        // as the wrapper: the admin layer's notices (a misspelt variable
        // behind a missing tag, say) before the error
        for n in &layer.admin.notices {
            super::output::say(n);
        }
        Failure(1, e.to_string())
    })?;
    Ok((defaults, plan))
}

/// The unit's errors (systemd would run it otherwise than it says), for
/// render and explain; check reports everything.
pub fn unit_errors(layer: &Layer) -> Vec<String> {
    layer
        .unit
        .iter()
        .flat_map(|u| &u.findings)
        .filter(|f| f.severity == crate::admin::unit::Severity::Error)
        .map(|f| match &f.at {
            Some(at) => format!("{at}: {}", f.message),
            None => f.message.clone(),
        })
        .collect()
}
