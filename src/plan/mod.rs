//! The one place where the release's system layer and the admin layer meet.
//!
//! [`plan`] is pure: it takes the defaults, the admin layer and the kubelet's
//! arguments and returns everything the wrapper will do, each argument with
//! where it came from. Nothing here reads the environment or touches the host.
//! [`checks`] holds the release's rules for the admin layer (what a
//! `compatible` release tells and a `strict` one refuses), which the plan
//! applies to the admin layer and to the rendered command.

pub mod checks;

use crate::admin::{AdminConfig, Var};
use crate::engine;
pub use crate::engine::command::{Arg, Origin};
use crate::engine::translate::Target;
use crate::host::propagation::{self, SharedSource};
use crate::release::Version;
use crate::release::model::{Defaults, Engine, TrustPolicy, TrustRule};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// The trust rule that applied to the image, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedTrust {
    /// Index of the rule in the release's trust policy.
    pub rule: usize,
    pub policy: TrustPolicy,
    pub condition: String,
    /// What the rule guarantees on this engine, from the release file.
    pub description: String,
}

/// Everything the wrapper will do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The engine the release runs (`rkt`, `podman`, ...).
    pub engine: &'static str,
    /// The admin variable that chooses that engine's program (named in
    /// errors about it).
    pub program_var: Var,
    /// Commands run to completion before the engine starts, failure ignored
    /// (e.g. removing a previous kubelet container).
    pub before: Vec<Vec<Arg>>,
    /// The release of the defaults file used.
    pub defaults: Version,
    /// Directories to create first, in order.
    pub directories: Vec<PathBuf>,
    /// Volumes whose sources must pass the kubelet's mounts to the host,
    /// checked (and made shared, or refused) before the engine starts.
    pub shared: Vec<SharedSource>,
    /// The engine command; `argv[0]` is the program.
    pub argv: Vec<Arg>,
    /// Things the admin should know; never stop the run.
    pub notices: Vec<String>,
    /// The image reference as one string, before word splitting.
    pub image: OsString,
    /// The trust rule that matched the image, if any.
    pub trust: Option<AppliedTrust>,
    /// How the admin layer weakens that policy (each also a notice).
    pub trust_weakened: Vec<String>,
    /// The admin's likely mistakes (each also a notice): names that are
    /// not the wrapper's, quotes in engine arguments, a volume without a
    /// mount or the reverse, image settings the release lets through.
    pub mistakes: Vec<String>,
    /// The notices that are only for the record: the kubelet gets what the
    /// unit meant (a deprecated name, an rkt argument translated, a mount
    /// the release already makes dropped).
    pub notes: Vec<String>,
}

impl Plan {
    /// The engine command's argv without provenance.
    pub fn argv(&self) -> Vec<OsString> {
        self.argv.iter().map(|a| a.value.clone()).collect()
    }

    /// The commands run before the engine, without provenance.
    pub fn before_argv(&self) -> Vec<Vec<OsString>> {
        self.before
            .iter()
            .map(|c| c.iter().map(|a| a.value.clone()).collect())
            .collect()
    }
}

/// An admin layer the wrapper cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set: add Environment=KUBELET_IMAGE_TAG=<kubelet version> to the kubelet unit"
    )]
    NoImage,
    #[error(transparent)]
    Render(#[from] engine::RenderError),
    #[error(transparent)]
    Admin(#[from] crate::plan::checks::AdminError),
    /// More than one of the others, in the order they were found: every
    /// problem of the admin layer is reported at once, so that one round
    /// of changes fixes the unit.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<PlanError>),
}

impl PlanError {
    /// One error for a list of them (not empty): the error itself when
    /// there is one.
    fn of(mut errors: Vec<PlanError>) -> PlanError {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            PlanError::Several(errors)
        }
    }

    /// Every single problem, in order.
    pub fn each(&self) -> Vec<&PlanError> {
        match self {
            PlanError::Several(v) => v.iter().flat_map(PlanError::each).collect(),
            e => vec![e],
        }
    }

    /// What to change, concretely, for a single problem.
    pub fn fix(&self) -> String {
        match self {
            PlanError::NoImage => {
                "add Environment=KUBELET_IMAGE_TAG=VERSION (the kubelet's image tag) to the unit"
                    .into()
            }
            PlanError::Render(e) => e.fix(),
            PlanError::Admin(e) => e.fix(),
            PlanError::Several(v) => v.iter().map(PlanError::fix).collect::<Vec<_>>().join("; "),
        }
    }
}

/// The image reference (one string, as the original composed it before
/// splitting) and where it came from.
pub fn image_reference(
    defaults: &Defaults,
    admin: &AdminConfig,
) -> Result<(OsString, Origin), PlanError> {
    if let Some(image) = &admin.image {
        return Ok((image.clone(), Origin::Variable(Var::KubeletImage)));
    }
    let tag = admin.tag.as_ref().ok_or(PlanError::NoImage)?;
    // a URL equal to the release's default is the release's choice
    let (url, url_from): (&OsStr, Option<Var>) = match &admin.url {
        Some(u) if u.value != defaults.image.default_url.as_str() => (&u.value, Some(u.from)),
        _ => (OsStr::new(&defaults.image.default_url), None),
    };
    let mut image = url.as_bytes().to_vec();
    image.extend_from_slice(defaults.image.tag_separator.as_bytes());
    image.extend_from_slice(tag.value.as_bytes());
    Ok((
        OsString::from_vec(image),
        Origin::Image {
            url: url_from,
            tag: tag.from,
        },
    ))
}

/// The first rule of a trust policy that applies to `image`.
pub fn trust_rule<'a>(rules: &'a [TrustRule], image: &OsStr) -> Option<(usize, &'a TrustRule)> {
    rules
        .iter()
        .enumerate()
        .find(|(_, r)| r.when.matches(image.as_bytes()))
}

/// Combines the layers. `kubelet_args` are passed on unchanged. An admin
/// layer the release cannot run with gives every problem it has, not the
/// first ([`PlanError::Several`]).
pub fn plan(
    defaults: &Defaults,
    admin: &AdminConfig,
    kubelet_args: &[OsString],
) -> Result<Plan, PlanError> {
    let mut errors: Vec<PlanError> = Vec::new();
    // without an image, the rest is still checked (on the release's
    // default location), so that every problem is reported at once
    let (image, image_origin) = match image_reference(defaults, admin) {
        Ok(i) => i,
        Err(e) => {
            errors.push(e);
            let mut i = defaults.image.default_url.clone();
            i.push_str(&defaults.image.tag_separator);
            i.push_str("TAG");
            (
                OsString::from(i),
                Origin::Image {
                    url: None,
                    tag: Var::KubeletImageTag,
                },
            )
        }
    };
    let has_image = errors.is_empty();
    let (mut image_notices, image_errors) = checks::check_image(defaults, admin);
    errors.extend(image_errors.into_iter().map(PlanError::from));
    let (arg_notices, arg_errors) = checks::check_engine_args(defaults, admin);
    errors.extend(arg_errors.into_iter().map(PlanError::from));
    image_notices.extend(arg_notices);
    let trust = trust_rule(defaults.engine.trust(), &image);
    let img = (image.as_os_str(), image_origin);
    let rule = trust.map(|t| t.1);
    let mut rendered = match &defaults.engine {
        Engine::Rkt(rkt) => engine::rkt::render(defaults, rkt, admin, img, rule, kubelet_args),
        Engine::Podman(o) => {
            engine::oci::render(defaults, o, Target::Podman, admin, img, rule, kubelet_args)
        }
        Engine::Docker(o) => {
            engine::oci::render(defaults, o, Target::Docker, admin, img, rule, kubelet_args)
        }
        Engine::SystemdNspawn(n) => engine::nspawn::render(defaults, n, admin, img, kubelet_args),
    };
    errors.extend(
        std::mem::take(&mut rendered.errors)
            .into_iter()
            // the image's own problems only for a real image
            .filter(|e| has_image || matches!(e, engine::RenderError::Translate(_)))
            .map(PlanError::from),
    );
    let trust = trust.map(|(i, r)| AppliedTrust {
        rule: i,
        policy: r.policy,
        condition: r.when.to_string(),
        description: r.description.clone(),
    });
    let volumes = checks::check_volumes(defaults, &rendered.argv);
    errors.extend(volumes.errors.into_iter().map(PlanError::from));
    if !errors.is_empty() {
        return Err(PlanError::of(errors));
    }
    // the admin's mounts that the release already makes
    let mut argv = rendered.argv;
    if !volumes.redundant.is_empty() {
        argv = argv
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !volumes.redundant.contains(i))
            .map(|(_, a)| a)
            .collect();
    }
    let mut trust_weakened = checks::trust_weakenings(&defaults.engine, &argv);
    if let Some(t) = &trust
        && t.policy == TrustPolicy::Insecure
        && !release_location(defaults, &image, image_origin)
    {
        trust_weakened.push(format!(
            "{image_origin}: the image {} is one the release runs without verification ({}): {}",
            crate::text::quote::escape(image.as_bytes()),
            t.condition,
            if t.description.is_empty() {
                "image signature verification is off".to_string()
            } else {
                t.description.clone()
            }
        ));
    }
    // each one inert line, whatever value reached it (the mistakes and
    // notes as the notices they also are)
    let line =
        |v: &[String]| -> Vec<String> { v.iter().map(|n| crate::text::quote::line(n)).collect() };
    let mut mistakes = admin.mistakes.clone();
    mistakes.extend(image_notices.iter().cloned());
    mistakes.extend(rendered.mistakes);
    let mut notes: Vec<String> = admin
        .notices
        .iter()
        .filter(|n| !admin.mistakes.contains(n))
        .cloned()
        .collect();
    notes.extend(rendered.notes);
    notes.extend(volumes.notes);
    let mut notices = admin.notices.clone();
    notices.extend(image_notices);
    notices.extend(rendered.notices);
    notices.extend(volumes.notices);
    notices.extend(trust_weakened.iter().cloned());
    Ok(Plan {
        engine: defaults.engine.name(),
        program_var: engine::program_var(&defaults.engine),
        before: rendered.before,
        defaults: defaults
            .version()
            .expect("validated defaults have a version"),
        directories: defaults.directories.iter().map(PathBuf::from).collect(),
        shared: propagation::shared_sources(defaults),
        argv,
        notices: line(&notices),
        image,
        trust,
        trust_weakened: line(&trust_weakened),
        mistakes: line(&mistakes),
        notes: line(&notes),
    })
}

/// Whether the image is at the release's default location: built from
/// `image.default_url`, or a `KUBELET_IMAGE` that starts with it and adds
/// only a tag. Then what the trust policy does to it is the release's
/// doing, not the admin's.
fn release_location(defaults: &Defaults, image: &OsStr, origin: Origin) -> bool {
    match origin {
        Origin::Image { url: None, .. } => true,
        Origin::Variable(Var::KubeletImage) => {
            let mut prefix = defaults.image.default_url.clone();
            prefix.push_str(&defaults.image.tag_separator);
            image
                .as_bytes()
                .strip_prefix(prefix.as_bytes())
                .is_some_and(|tag| !tag.is_empty() && !tag.contains(&b'/'))
        }
        _ => false,
    }
}
