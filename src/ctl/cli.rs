//! The tool's command line: its subcommands and their arguments, each with
//! the help text that `--help`, the man pages and the completions show.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

/// The prefix of the tool's messages.
pub const PROGRAM: &str = "kubelet-wrapperctl";

/// `--version`: the crate's version, the release this binary is pinned to
/// (or `auto`), the engine it runs (for `auto`, the engines of every
/// release it may select, joined by `|`), and the source revision it was
/// built from. One literal in the binary: an image build for another machine
/// reads it there without running the binary (the ebuild).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (release ",
    env!("KW_BUILT_PINNED"),
    ", engine ",
    env!("KW_BUILT_ENGINE"),
    ", source ",
    env!("KW_BUILT_REVISION"),
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
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Print the command and directories the wrapper would use.
    ///
    /// Reads the admin layer exactly as the wrapper does: from this tool's
    /// environment and the kubelet flags after `--`, or with --unit from a
    /// kubelet unit as systemd would start it. On an admin error prints the
    /// wrapper's message and exits 1. The text names the release and why
    /// its defaults file applies, the engine, image and trust rule, the
    /// directories created, the mount propagation, the commands run (one
    /// argument per line, quoted for bash: pasted into bash they run with
    /// the same bytes) and the notices the wrapper logs, each a warning or
    /// a note.
    Render {
        #[command(flatten)]
        release: ReleaseArg,
        /// Output format: text (for people: the release and its file,
        /// the directories, the command one argument per line), json (for
        /// programs: stable fields, see docs/admin.md), or shell (a script
        /// that does what the wrapper does).
        #[arg(long, value_enum, default_value_t = Format::Text)]
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
    /// to change. Errors are what systemd or the wrapper would refuse;
    /// warnings, what makes the kubelet run otherwise than the unit
    /// visibly means; notes, the rest. Exit status: 0 when there is no
    /// error (warnings and notes may remain; with --strict, no warning
    /// either), 1 otherwise.
    Check {
        #[command(flatten)]
        release: ReleaseArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
        #[command(flatten)]
        unit: RequiredUnitArgs,
        /// Check the unit and the release only, not this host: for a unit
        /// checked off the node (a laptop, a cluster repository's CI). The
        /// engine program, the volumes' host paths, the directories and the
        /// mount propagation are then not checked, and the output says so.
        #[arg(long)]
        no_host: bool,
        /// Exit 1 on warnings too, not only on errors.
        #[arg(long)]
        strict: bool,
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

/// A release version on the command line: any MAJOR.MINOR.PATCH is taken
/// (the selection rule finds its file, or says none covers it), and the
/// embedded release files' versions are what the shell completions offer.
#[derive(Clone)]
pub struct ReleaseValue;

impl clap::builder::TypedValueParser for ReleaseValue {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::release::registry::files().into_iter().map(
            |f| clap::builder::PossibleValue::new(f.version.to_string()),
        )))
    }
}

/// `--release`.
#[derive(Args)]
pub struct ReleaseArg {
    /// Release to use (MAJOR.MINOR.PATCH). Default: the release this binary
    /// is pinned to, or the host's os-release VERSION_ID.
    #[arg(long, value_name = "R", value_parser = ReleaseValue, hide_possible_values = true)]
    pub release: Option<String>,
}

/// `--unit` and `--drop-in`, optional.
#[derive(Args)]
pub struct UnitArgs {
    /// Read the admin layer from this kubelet unit (its Environment=,
    /// EnvironmentFile= and ExecStart=, as systemd would start it, with the
    /// drop-ins of UNIT.d/) instead of this tool's environment.
    #[arg(long, value_name = "UNIT", conflicts_with = "kubelet", value_hint = clap::ValueHint::FilePath)]
    pub unit: Option<PathBuf>,
    /// Another drop-in directory for the unit (e.g.
    /// /run/systemd/system/kubelet.service.d), after UNIT.d/; may be
    /// repeated. A file name found twice is read from the first directory.
    #[arg(long = "drop-in", value_name = "DIR", requires = "unit", value_hint = clap::ValueHint::DirPath)]
    pub drop_in: Vec<PathBuf>,
    /// Read everything under DIR, as on the node whose root it is (an
    /// image tree, a node's root mounted elsewhere), as systemd-analyze
    /// --root does: the unit (a path in DIR, or a name looked up in its
    /// unit directories), its drop-ins (also those of /etc, /run and
    /// /usr/lib/systemd/system and the service.d ones), its
    /// EnvironmentFile=s, the node's specifiers (%H, %m, %o, ...) and,
    /// without --release, the release in its os-release. Symbolic links
    /// resolve inside DIR; the paths of --unit and --drop-in are DIR's.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
}

/// `--unit` (required) and `--drop-in`.
#[derive(Args)]
pub struct RequiredUnitArgs {
    /// The kubelet unit to check, with the drop-ins of UNIT.d/.
    #[arg(long, value_name = "UNIT", value_hint = clap::ValueHint::FilePath)]
    pub unit: PathBuf,
    /// Another drop-in directory for the unit, after UNIT.d/; may be
    /// repeated. A file name found twice is read from the first directory.
    #[arg(long = "drop-in", value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub drop_in: Vec<PathBuf>,
    /// Read everything under DIR, as on the node whose root it is (an
    /// image tree, a node's root mounted elsewhere), as systemd-analyze
    /// --root does: the unit (a path in DIR, or a name looked up in its
    /// unit directories), its drop-ins (also those of /etc, /run and
    /// /usr/lib/systemd/system and the service.d ones), its
    /// EnvironmentFile=s, the node's specifiers (%H, %m, %o, ...) and,
    /// without --release, the release in its os-release. Symbolic links
    /// resolve inside DIR; the paths of --unit and --drop-in are DIR's.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
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
        #[arg(value_name = "R", value_parser = ReleaseValue, hide_possible_values = true)]
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
        #[arg(value_name = "A", value_parser = ReleaseValue, hide_possible_values = true)]
        from: String,
        /// The release to compare to.
        #[arg(value_name = "B", value_parser = ReleaseValue, hide_possible_values = true)]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check defaults files as the build does; exit 1 on any problem.
    Validate {
        /// Release files (named MAJOR.MINOR.PATCH.json).
        #[arg(required = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
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
        #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
        dir: PathBuf,
    },
    /// Print the completion script for a shell.
    Completion {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// `render`'s formats: [`ShowFormat`]'s, and a shell script. Text is the
/// default here as everywhere.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Shell,
}

/// The formats of every other subcommand that prints: text for people
/// (the default), JSON for programs.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

/// The shells completions are written for.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    /// The file name the shell looks the completion up by.
    pub fn file_name(self) -> &'static str {
        match self {
            Shell::Bash => "kubelet-wrapperctl",
            Shell::Zsh => "_kubelet-wrapperctl",
            Shell::Fish => "kubelet-wrapperctl.fish",
        }
    }
}
