//! `kubelet-wrapperctl`: the companion tool, one module per subcommand.
//! It shows what the wrapper would run ([`render`], [`explain`]) and
//! inspects the embedded system defaults ([`defaults`]); it never changes
//! anything on the host. The binary (`src/bin/kubelet-wrapperctl.rs`) only
//! calls [`main`].
//!
//! How to add a subcommand: a variant of [`Command`] with its arguments
//! (every one with help text), a module here with a function returning
//! `Result<String, Failure>`, and its arm in [`main`].

pub mod defaults;
pub mod explain;
pub mod layer_diff;
pub mod render;

use crate::PROGRAM;
use crate::admin::AdminConfig;
use crate::defaults::Version;
use crate::defaults::model::Defaults;
use crate::defaults::registry::{self, ReleaseFile};
use crate::plan::{self, Plan};
use crate::release::{self, ReleaseSource};
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Inspect what kubelet-wrapper runs and the system defaults it embeds.
///
/// kubelet-wrapper itself takes no options: every argument is a kubelet flag
/// and the admin layer comes from the environment (KUBELET_IMAGE_TAG,
/// RKT_RUN_ARGS, ...). This tool reads the same environment and shows the
/// result without changing anything.
#[derive(Parser)]
#[command(name = "kubelet-wrapperctl", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Print the command and directories the wrapper would use.
    ///
    /// Reads the admin environment exactly as the wrapper does. On an admin
    /// error prints the wrapper's message and exits 1.
    Render {
        /// Release to render for (MAJOR.MINOR.PATCH). Default: the release
        /// this binary is pinned to, or the host's os-release VERSION_ID.
        #[arg(long, value_name = "R")]
        release: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// The kubelet's flags, after `--`, passed on byte for byte.
        #[arg(last = true, value_name = "KUBELET_FLAGS", allow_hyphen_values = true)]
        kubelet: Vec<OsString>,
    },
    /// Explain each argument of the command and where it comes from.
    Explain {
        /// Release to explain for. Default: pinned or detected release.
        #[arg(long, value_name = "R")]
        release: Option<String>,
        #[arg(last = true, value_name = "KUBELET_FLAGS", allow_hyphen_values = true)]
        kubelet: Vec<OsString>,
    },
    /// Inspect the embedded release defaults.
    #[command(subcommand)]
    Defaults(DefaultsCommand),
}

#[derive(Subcommand)]
pub enum DefaultsCommand {
    /// List every embedded release file and which one this binary uses.
    List,
    /// Show the system layer that release R uses.
    Show {
        #[arg(value_name = "R")]
        release: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Show what changes for the kubelet from release A to release B.
    ///
    /// A and B are release versions (MAJOR.MINOR.PATCH); each uses the
    /// defaults file the selection rule picks for it, as `show` does. The
    /// changes are those the kubelet would notice: volumes added, removed,
    /// renamed or moved, read-only and recursive flags, host and container
    /// paths, stage1, trust rules and what they do to the default image, the
    /// default image, run flags, image arguments, the directories created.
    /// Review a new release file with `diff <previous release> <new release>`.
    Diff {
        #[arg(value_name = "A")]
        from: String,
        #[arg(value_name = "B")]
        to: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check defaults files as the build does; exit 1 on any problem.
    Validate {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the defaults format.
    ///
    /// It is derived from the format's definition and committed as
    /// defaults/schema.json, which every release file names in "$schema" so
    /// that editors can check and complete it. After changing the format,
    /// regenerate the committed file with
    /// `kubelet-wrapperctl defaults schema > defaults/schema.json`.
    Schema,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Shell,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

/// A failure with its exit status and message.
pub struct Failure(pub u8, pub String);

/// Runs the tool on the process's arguments and environment.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Render {
            release,
            format,
            kubelet,
        } => render::render(release.as_deref(), format, &kubelet),
        Command::Explain { release, kubelet } => explain::explain(release.as_deref(), &kubelet),
        Command::Defaults(DefaultsCommand::List) => defaults::list(),
        Command::Defaults(DefaultsCommand::Show { release, format }) => {
            defaults::show(&release, format)
        }
        Command::Defaults(DefaultsCommand::Diff { from, to, format }) => {
            defaults::diff(&from, &to, format)
        }
        Command::Defaults(DefaultsCommand::Validate { files }) => defaults::validate(&files),
        Command::Defaults(DefaultsCommand::Schema) => Ok(crate::defaults::schema::to_json()),
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(Failure(code, msg)) => {
            // one inert line, as the wrapper's
            eprintln!("{PROGRAM}: {}", crate::quote::line(&msg));
            ExitCode::from(code)
        }
    }
}

/// The release asked for, or the one the wrapper would run as.
pub struct Target {
    /// What to report as `release`.
    pub release: String,
    pub source: &'static str,
    pub file: ReleaseFile,
}

pub fn target(release: Option<&str>) -> Result<Target, Failure> {
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
    let (version, source, file) =
        release::runtime(Path::new("/")).map_err(|e| Failure(1, e.to_string()))?;
    Ok(Target {
        release: version.to_string(),
        source: match source {
            ReleaseSource::Pinned => "pinned",
            ReleaseSource::Detected(_) => "os-release",
        },
        file,
    })
}

pub fn make_plan(t: &Target, kubelet: &[OsString]) -> Result<(Defaults, Plan), Failure> {
    let defaults = t.file.parse();
    let admin = AdminConfig::from_process_env();
    let plan = plan::plan(&defaults, &admin, kubelet).map_err(|e| Failure(1, e.to_string()))?;
    Ok((defaults, plan))
}
