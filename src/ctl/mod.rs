//! `kubelet-wrapperctl`: the companion tool, one module per subcommand.
//! It shows what the wrapper would run ([`render`], [`explain`]), checks a
//! kubelet unit before rollout ([`check`]), inspects the embedded system
//! defaults ([`defaults`]) and writes its own man pages and completions
//! ([`generate`]); it never changes anything on the host. The binary
//! (`src/bin/kubelet-wrapperctl.rs`) only calls [`main`].
//!
//! How to add a subcommand: a variant of [`Command`] with its arguments
//! (every one with help text, and `--format text|json` if it prints), a
//! module here with a function returning `Result<Output, Failure>`, its
//! arm in [`main`], and the README's section on the tool; then regenerate
//! the man pages and completions (`generate`, tests/cli.rs says how).
//!
//! Conventions: messages go to stderr prefixed `kubelet-wrapperctl: `
//! ([`PROGRAM`]), results to stdout; a result that cannot be written is an
//! error (exit 1) too.

pub mod check;
pub mod defaults;
pub mod explain;
pub mod generate;
pub mod layer_diff;
pub mod render;
pub mod unitfile;

use crate::admin::AdminConfig;
use crate::defaults::Version;
use crate::defaults::model::Defaults;
use crate::defaults::registry::{self, ReleaseFile};
use crate::plan::{self, Plan};
use crate::release::{self, ReleaseSource};
use crate::unit::Unit;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The prefix of the tool's messages.
pub const PROGRAM: &str = "kubelet-wrapperctl";

/// `--version`: the crate's version, the release this binary is pinned to
/// (or `auto`), and the source revision it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (release ",
    env!("KUBELET_WRAPPER_PINNED"),
    ", source ",
    env!("KUBELET_WRAPPER_REVISION"),
    ")"
);

/// Inspect what kubelet-wrapper runs, check kubelet units, and show the
/// system defaults it embeds.
///
/// kubelet-wrapper itself takes no options: every argument is a kubelet flag
/// and the admin layer comes from its environment (KUBELET_IMAGE_TAG,
/// RKT_RUN_ARGS, ...), which systemd sets from the kubelet unit. This tool
/// reads the same environment, or a unit file with --unit, and shows the
/// result without changing anything.
#[derive(Parser)]
#[command(name = "kubelet-wrapperctl", version = VERSION, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Print the command and directories the wrapper would use.
    ///
    /// Reads the admin layer exactly as the wrapper does: from this tool's
    /// environment and the kubelet flags after `--`, or with --unit from a
    /// kubelet unit as systemd would start it. On an admin error prints the
    /// wrapper's message and exits 1.
    Render {
        #[command(flatten)]
        release: ReleaseArg,
        /// Output format: json (stable fields, see the README), shell (a
        /// script that does what the wrapper does), or text.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        #[command(flatten)]
        unit: UnitArgs,
        /// The kubelet's flags, after `--`, passed on byte for byte (not
        /// with --unit: there they come from ExecStart=).
        #[arg(last = true, value_name = "KUBELET_FLAGS", allow_hyphen_values = true)]
        kubelet: Vec<OsString>,
    },
    /// Explain each argument of the command and where it comes from.
    ///
    /// The same plan as render, as a table: each argument with the release
    /// field, admin variable (and with --unit the unit line that set it) or
    /// kubelet flag it comes from.
    Explain {
        #[command(flatten)]
        release: ReleaseArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
        #[command(flatten)]
        unit: UnitArgs,
        /// The kubelet's flags, after `--` (not with --unit).
        #[arg(last = true, value_name = "KUBELET_FLAGS", allow_hyphen_values = true)]
        kubelet: Vec<OsString>,
    },
    /// Check a kubelet unit before rolling it out; exit 0 only when nothing
    /// is wrong.
    ///
    /// Reads the unit, its drop-ins and environment files as systemd would,
    /// then checks: that systemd reads every line as meant; that every
    /// variable named like the wrapper's is one it knows; that the plan
    /// renders for the release; that the engine program exists and is
    /// executable; that every volume's host path exists; that every
    /// directory can be created. Each finding names the unit line and what
    /// to change. Exit status: 0 when there is no error (warnings and notes
    /// may remain), 1 otherwise.
    Check {
        #[command(flatten)]
        release: ReleaseArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
        #[command(flatten)]
        unit: RequiredUnitArgs,
    },
    /// Inspect the embedded release defaults.
    #[command(subcommand)]
    Defaults(DefaultsCommand),
    /// Write the tool's man pages or shell completions.
    ///
    /// The packaged ones (docs/man, completions/) are generated so; a test
    /// fails when they differ from what this prints.
    #[command(subcommand)]
    Generate(GenerateCommand),
}

/// `--release`.
#[derive(Args)]
pub struct ReleaseArg {
    /// Release to use (MAJOR.MINOR.PATCH). Default: the release this binary
    /// is pinned to, or the host's os-release VERSION_ID.
    #[arg(long, value_name = "R")]
    pub release: Option<String>,
}

/// `--unit` and `--drop-in`, optional.
#[derive(Args)]
pub struct UnitArgs {
    /// Read the admin layer from this kubelet unit (its Environment=,
    /// EnvironmentFile= and ExecStart=, as systemd would start it, with the
    /// drop-ins of UNIT.d/) instead of this tool's environment.
    #[arg(long, value_name = "UNIT", conflicts_with = "kubelet")]
    pub unit: Option<PathBuf>,
    /// Another drop-in directory for the unit (e.g.
    /// /run/systemd/system/kubelet.service.d), after UNIT.d/; may be
    /// repeated. A file name found twice is read from the first directory.
    #[arg(long = "drop-in", value_name = "DIR", requires = "unit")]
    pub drop_in: Vec<PathBuf>,
}

/// `--unit` (required) and `--drop-in`.
#[derive(Args)]
pub struct RequiredUnitArgs {
    /// The kubelet unit to check, with the drop-ins of UNIT.d/.
    #[arg(long, value_name = "UNIT")]
    pub unit: PathBuf,
    /// Another drop-in directory for the unit, after UNIT.d/; may be
    /// repeated. A file name found twice is read from the first directory.
    #[arg(long = "drop-in", value_name = "DIR")]
    pub drop_in: Vec<PathBuf>,
}

#[derive(Subcommand)]
pub enum DefaultsCommand {
    /// List every embedded release file and which one this binary uses.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Show the system layer that release R uses.
    Show {
        /// A release version (MAJOR.MINOR.PATCH); the file the selection
        /// rule picks for it is shown.
        #[arg(value_name = "R")]
        release: String,
        /// Output format.
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
        /// The release to compare from.
        #[arg(value_name = "A")]
        from: String,
        /// The release to compare to.
        #[arg(value_name = "B")]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check defaults files as the build does; exit 1 on any problem.
    Validate {
        /// Release files (named MAJOR.MINOR.PATCH.json).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
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

#[derive(Subcommand)]
pub enum GenerateCommand {
    /// Write a man page for the tool and each subcommand into DIR.
    Man {
        /// The directory to write kubelet-wrapperctl*.1 into (created if
        /// missing).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print the completion script for a shell.
    Completion {
        /// The shell.
        #[arg(value_enum)]
        shell: generate::Shell,
    },
}

/// `render`'s formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Shell,
    Text,
}

/// The formats of every other subcommand that prints.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

/// A failure with its exit status and message (printed with the prefix).
pub struct Failure(pub u8, pub String);

/// What a subcommand prints, and its exit status.
pub struct Output {
    pub stdout: String,
    /// Messages for stderr, each printed with the prefix.
    pub stderr: Vec<String>,
    pub status: u8,
}

impl From<String> for Output {
    fn from(stdout: String) -> Output {
        Output {
            stdout,
            stderr: Vec::new(),
            status: 0,
        }
    }
}

/// Writes one `kubelet-wrapperctl: ` line on stderr.
pub fn say(msg: &str) {
    let _ = writeln!(io::stderr().lock(), "{PROGRAM}: {msg}");
}

/// Writes the result; a result that cannot be written is a failure. A
/// reader that went away (`| head`) ends the tool quietly, as the default
/// SIGPIPE would.
fn write_stdout(bytes: &[u8]) -> Result<(), ExitCode> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ExitCode::from(1)),
        Err(e) => {
            say(&format!("cannot write to standard output: {e}"));
            Err(ExitCode::from(1))
        }
    }
}

/// clap's own errors with the tool's prefix; help and version on stdout.
fn usage_error(e: clap::Error) -> ExitCode {
    let code = ExitCode::from(e.exit_code() as u8);
    if !e.use_stderr() {
        return match write_stdout(e.to_string().as_bytes()) {
            Ok(()) => code,
            Err(c) => c,
        };
    }
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let _ = write!(io::stderr().lock(), "{PROGRAM}: {text}");
    code
}

/// Runs the tool on the process's arguments and environment.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let result = match cli.command {
        Command::Render {
            release,
            format,
            unit,
            kubelet,
        } => admin_layer(unit.unit.as_deref(), &unit.drop_in, kubelet).and_then(|l| {
            render::render(release.release.as_deref(), format, &l).map(|s| with_unit_errors(s, &l))
        }),
        Command::Explain {
            release,
            format,
            unit,
            kubelet,
        } => admin_layer(unit.unit.as_deref(), &unit.drop_in, kubelet).and_then(|l| {
            explain::explain(release.release.as_deref(), format, &l)
                .map(|s| with_unit_errors(s, &l))
        }),
        Command::Check {
            release,
            format,
            unit,
        } => check::check(
            &unit.unit,
            &unit.drop_in,
            release.release.as_deref(),
            format,
        ),
        Command::Defaults(DefaultsCommand::List { format }) => {
            defaults::list(format).map(Output::from)
        }
        Command::Defaults(DefaultsCommand::Show { release, format }) => {
            defaults::show(&release, format).map(Output::from)
        }
        Command::Defaults(DefaultsCommand::Diff { from, to, format }) => {
            defaults::diff(&from, &to, format).map(Output::from)
        }
        Command::Defaults(DefaultsCommand::Validate { files, format }) => {
            Ok(defaults::validate(&files, format))
        }
        Command::Defaults(DefaultsCommand::Schema) => {
            Ok(Output::from(crate::defaults::schema::to_json()))
        }
        Command::Generate(GenerateCommand::Man { dir }) => generate::man(&dir).map(Output::from),
        Command::Generate(GenerateCommand::Completion { shell }) => {
            Ok(Output::from(generate::completion(shell)))
        }
    };
    match result {
        Ok(out) => {
            if let Err(code) = write_stdout(out.stdout.as_bytes()) {
                return code;
            }
            for m in &out.stderr {
                say(m);
            }
            ExitCode::from(out.status)
        }
        Err(Failure(code, msg)) => {
            say(&msg);
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
        return Ok(Target {
            release: r.to_string(),
            source: "option",
            file: registry::select(v),
        });
    }
    let (version, source, file) = release::runtime(Path::new("/"));
    let (release, source) = match (&version, source) {
        (Some(v), ReleaseSource::Pinned) => (v.to_string(), "pinned"),
        (Some(v), ReleaseSource::Detected(_)) => (v.to_string(), "os-release"),
        _ => ("auto".to_string(), "newest"),
    };
    Ok(Target {
        release,
        source,
        file,
    })
}

impl Target {
    /// How the release was chosen, in words.
    pub fn source_text(&self) -> &'static str {
        match self.source {
            "option" => "given with --release",
            "pinned" => "pinned at build time",
            "os-release" => "read from os-release",
            _ => "no usable os-release VERSION_ID: newest defaults",
        }
    }
}

/// The admin layer and the kubelet's flags, and the unit they come from.
pub struct Layer {
    pub admin: AdminConfig,
    pub kubelet: Vec<OsString>,
    /// With --unit: the unit as systemd would start it.
    pub unit: Option<Unit>,
}

/// The admin layer: from the unit when one is given, else from this
/// process's environment and the kubelet flags of the command line.
pub fn admin_layer(
    unit: Option<&Path>,
    drop_ins: &[PathBuf],
    kubelet: Vec<OsString>,
) -> Result<Layer, Failure> {
    let Some(path) = unit else {
        return Ok(Layer {
            admin: AdminConfig::from_process_env(),
            kubelet,
            unit: None,
        });
    };
    let unit = unitfile::load(path, drop_ins)?;
    Ok(Layer {
        admin: AdminConfig::from_vars(unit.vars()),
        kubelet: unit
            .command
            .as_ref()
            .map(|c| c.kubelet_args.clone())
            .unwrap_or_default(),
        unit: Some(unit),
    })
}

pub fn make_plan(t: &Target, layer: &Layer) -> Result<(Defaults, Plan), Failure> {
    let defaults = t.file.parse();
    let plan = plan::plan(&defaults, &layer.admin, &layer.kubelet)
        .map_err(|e| Failure(1, e.to_string()))?;
    Ok((defaults, plan))
}

/// The unit's errors (systemd would run it otherwise than it says), for
/// render and explain; check reports everything.
pub fn unit_errors(layer: &Layer) -> Vec<String> {
    layer
        .unit
        .iter()
        .flat_map(|u| &u.findings)
        .filter(|f| f.severity == crate::unit::Severity::Error)
        .map(|f| match &f.at {
            Some(at) => format!("{at}: {}", f.message),
            None => f.message.clone(),
        })
        .collect()
}

/// A result, with the unit's errors on stderr (what is printed is what
/// systemd would do with the unit as it is).
fn with_unit_errors(stdout: String, layer: &Layer) -> Output {
    let mut stderr = unit_errors(layer);
    if let (false, Some(u)) = (stderr.is_empty(), &layer.unit) {
        stderr.push(format!(
            "the unit has errors: kubelet-wrapperctl check --unit {} says what to change",
            u.files[0].display()
        ));
    }
    Output {
        stdout,
        stderr,
        status: 0,
    }
}
