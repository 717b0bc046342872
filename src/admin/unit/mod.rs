//! A kubelet unit as systemd reads it: the environment the wrapper will
//! get, the kubelet flags its `ExecStart=` passes, every other `Exec*=`
//! command, and what systemd would warn about or refuse (a [`Finding`]
//! each). docs/systemd-rules.md lists systemd's rules, with the source
//! line each comes from, and where this reader is stricter.
//!
//! Pure: the caller hands over the unit file and its drop-ins, and a
//! [`Host`] for what the reader must look up (the files `EnvironmentFile=`
//! names, node-dependent specifiers). `kubelet-wrapperctl` provides the
//! real one (`src/ctl/unitfile.rs`); the tests an in-memory one.
//!
//! What systemd does, in the order it does it:
//!
//! 1. the unit file, then each drop-in (`NAME.service.d/*.conf`, sorted by
//!    file name across directories, a name in an earlier directory hiding
//!    the same name in a later one: [`order_dropins`]) is read line by line
//!    ([`syntax`]); later assignments add to or replace earlier ones, and an
//!    empty assignment (`Environment=`, `ExecStart=`) empties the list;
//! 2. `Environment=` is cut into `NAME=VALUE` words ([`escape`]), each with
//!    its `%` specifiers resolved ([`specifier`]); a later value of a name
//!    replaces the earlier one;
//! 3. when the service starts, the `EnvironmentFile=` files are read in
//!    order ([`envfile`]), and their values override `Environment=`'s,
//!    wherever they stand in the unit; `UnsetEnvironment=` then removes;
//! 4. each `Exec*=` command ([`exec`]) gets `$NAME` and `${NAME}` expanded
//!    with that environment; a command that is a shell script
//!    (`/bin/sh -c "..."`) is read with the shell's rules ([`shell`]).
//!
//! How much a finding matters follows what happens ([`Severity`]): what
//! systemd refuses (the unit, the service's start, a setting it logs as
//! an error) or what this reader cannot read is an error; what loses or
//! changes a setting against what the unit visibly meant is a warning;
//! the rest is a note.
//!
//! The variables systemd itself adds (`PATH`, `INVOCATION_ID`, ...) and
//! those passed from its own environment (`PassEnvironment=`) are not
//! known here; a command line that uses them is reported.

pub mod envfile;
pub mod escape;
pub mod exec;
pub mod keys;
pub mod shell;
pub mod specifier;
pub mod syntax;
pub mod utf8;

use crate::text::quote::escape as shown;
use escape::Flags;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The program the unit must run.
pub const WRAPPER: &str = "kubelet-wrapper";

/// The sections of a service unit.
const SECTIONS: &[&str] = &["Unit", "Service", "Install"];

/// Variables the service manager sets for a service itself; a command
/// line that uses one gets a value this reader cannot know.
pub const MANAGER_VARIABLES: &[&str] = &[
    "PATH",
    "LANG",
    "INVOCATION_ID",
    "JOURNAL_STREAM",
    "NOTIFY_SOCKET",
    "SYSTEMD_EXEC_PID",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "MAINPID",
    "MANAGERPID",
    "RUNTIME_DIRECTORY",
    "STATE_DIRECTORY",
    "CACHE_DIRECTORY",
    "LOGS_DIRECTORY",
    "CONFIGURATION_DIRECTORY",
    "CREDENTIALS_DIRECTORY",
    "WATCHDOG_PID",
    "WATCHDOG_USEC",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
];

/// systemd's own `PATH` for services on a merged-/usr system (it adds
/// `/sbin:/bin` where /usr is not merged).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";

/// The most systemd reads of one environment file
/// (`READ_FULL_BYTES_MAX`, 64 MiB - 1): a larger one is refused (`E2BIG`).
pub const ENV_FILE_MAX: usize = (64 << 20) - 1;

/// The most this reader reads of all environment files together: past
/// it the environment could never reach the service (execve takes
/// [`exec::ARG_MAX`] for arguments and environment), and reading stops.
pub const ENV_FILES_TOTAL_MAX: usize = 64 << 20;

/// A file of the unit.
#[derive(Debug, Clone)]
pub struct File {
    pub path: PathBuf,
    pub text: Vec<u8>,
}

/// What the reader looks up outside the unit's own files.
pub trait Host {
    /// The contents of a file `EnvironmentFile=` names (a path [`glob`]
    /// returned), as systemd reads it: a missing file, a directory or a
    /// file systemd cannot read is an error, whose message says why.
    ///
    /// [`glob`]: Host::glob
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The files matching an `EnvironmentFile=` path, which may hold glob
    /// characters (`*`, `?`, `[...]`, `\` quoting the next one), in order;
    /// empty when none matches. An error when the pattern cannot be
    /// followed to its end within the host's bounds.
    fn glob(&self, pattern: &str) -> io::Result<Vec<PathBuf>>;
    /// A node-dependent specifier's value ([`specifier::HOST`]).
    fn specifier(&self, c: char) -> Option<String>;
}

/// Where something was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Location {
    /// `FILE:LINE`, the file name escaped as messages escape values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}",
            shown(self.file.as_os_str().as_bytes()),
            self.line
        )
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// systemd refuses the unit, its start or a setting, or the unit
    /// cannot be read: it will not do what it says.
    Error,
    /// A setting is lost or changed against what the unit visibly means.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing to tell the admin about the unit, and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Where the setting it is about begins.
    pub at: Option<Location>,
    pub message: String,
    /// What to change in the unit (empty when nothing needs to change).
    pub fix: String,
}

/// A variable of the service's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub value: String,
    /// The `Environment=` line, or the environment file and its line.
    pub at: Location,
}

/// The unit's command that runs the wrapper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapperCommand {
    /// Where the `ExecStart=` setting begins.
    pub at: Location,
    /// The program, as systemd looks it up.
    pub path: String,
    /// The kubelet's flags: the command's arguments after argv\[0\], with
    /// the variables expanded.
    pub kubelet_args: Vec<OsString>,
    /// Variables its command line uses, set or not.
    pub uses: Vec<String>,
    /// What runs the wrapper when it is not `ExecStart=`'s program itself
    /// (`/bin/sh -c`, `/usr/bin/env`).
    pub through: Option<String>,
    /// Variables set for the wrapper alone on its command line
    /// (`env NAME=VALUE ...`, `NAME=VALUE exec ...` in a script): the
    /// wrapper sees them over the service's environment.
    pub environment: Vec<Variable>,
}

/// The `Exec*=` settings of a service, in the order systemd runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Directive {
    ExecCondition,
    ExecStartPre,
    ExecStart,
    ExecStartPost,
    ExecReload,
    ExecStop,
    ExecStopPost,
}

impl Directive {
    pub const ALL: [Directive; 7] = [
        Directive::ExecCondition,
        Directive::ExecStartPre,
        Directive::ExecStart,
        Directive::ExecStartPost,
        Directive::ExecReload,
        Directive::ExecStop,
        Directive::ExecStopPost,
    ];

    /// The key, e.g. `ExecStartPre`.
    pub fn name(self) -> &'static str {
        match self {
            Directive::ExecCondition => "ExecCondition",
            Directive::ExecStartPre => "ExecStartPre",
            Directive::ExecStart => "ExecStart",
            Directive::ExecStartPost => "ExecStartPost",
            Directive::ExecReload => "ExecReload",
            Directive::ExecStop => "ExecStop",
            Directive::ExecStopPost => "ExecStopPost",
        }
    }

    fn from_key(key: &str) -> Option<Directive> {
        Directive::ALL.into_iter().find(|d| d.name() == key)
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One command of an `Exec*=` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecLine {
    pub directive: Directive,
    /// Where the setting begins.
    pub at: Location,
    /// As systemd loads it: prefixes, program, argv (argv\[0\] included).
    pub command: exec::Command,
    /// The argv systemd passes at start, variables expanded (unless the
    /// `:` prefix switches that off).
    pub expanded: Vec<Vec<u8>>,
}

/// A directory an `ExecStartPre=` command creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedDirectory {
    pub path: PathBuf,
    /// The mode given with `-m`/`--mode`, as written (it applies to the
    /// last component; parents get the default).
    pub mode: Option<String>,
    /// Where the `ExecStartPre=` setting begins.
    pub at: Location,
    /// `mkdir` or `install`.
    pub by: &'static str,
}

/// An `rkt` command the unit runs (other than through the wrapper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RktCommand {
    pub directive: Directive,
    /// The command as it runs: the program, then its arguments.
    pub argv: Vec<OsString>,
    /// Where the setting begins.
    pub at: Location,
    /// The `-` prefix: a failure is ignored.
    pub ignore_failure: bool,
}

/// The unit as the wrapper will see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unit {
    /// The unit's name (`kubelet.service`).
    pub name: String,
    /// The files read, in order: the unit file, then its drop-ins.
    pub files: Vec<PathBuf>,
    /// The service's environment from the unit, in systemd's order.
    pub environment: Vec<Variable>,
    /// `ExecStart=`'s command, when it runs the wrapper and its flags can
    /// be read.
    pub command: Option<WrapperCommand>,
    /// Why [`Unit::command`] is absent: what `render` and `explain` refuse
    /// with.
    pub no_command: Option<String>,
    /// Every `Exec*=` command, in the order systemd runs them.
    pub exec: Vec<ExecLine>,
    /// `Type=` (`None`: systemd's default, `simple`).
    pub service_type: Option<String>,
    /// Whether systemd gives the service a `NOTIFY_SOCKET` for its
    /// readiness: a `Type=notify` unit, or one whose `NotifyAccess=` is
    /// not `none`.
    pub notify: bool,
    /// The line that makes it so (`Type=` or `NotifyAccess=`).
    pub notify_at: Option<Location>,
    pub findings: Vec<Finding>,
}

impl Unit {
    /// A variable as the wrapper sees it: set on its command line, else
    /// in the service's environment.
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.command
            .iter()
            .flat_map(|c| &c.environment)
            .find(|v| v.name == name)
            .or_else(|| self.environment.iter().find(|v| v.name == name))
    }

    /// The environment as the wrapper reads it, and `NOTIFY_SOCKET` where
    /// systemd sets it.
    pub fn vars(&self) -> Vec<(OsString, OsString)> {
        let own: &[Variable] = self.command.as_ref().map_or(&[], |c| &c.environment);
        let mut v: Vec<(OsString, OsString)> = self
            .environment
            .iter()
            .filter(|v| !own.iter().any(|o| o.name == v.name))
            .chain(own)
            .map(|v| (OsString::from(&v.name), OsString::from(&v.value)))
            .collect();
        if self.notify {
            v.push((
                crate::admin::NOTIFY_SOCKET.into(),
                "/run/systemd/notify".into(),
            ));
        }
        v
    }

    /// The directories the unit's `ExecStartPre=` commands create
    /// (`mkdir -p`/`--parents`, `install -d`, directly, through
    /// `/usr/bin/env` or in the simple forms of a `sh -c` script), in
    /// order. Relative paths are taken from `/`, a system service's
    /// working directory.
    pub fn created_directories(&self) -> Vec<CreatedDirectory> {
        let mut out = Vec::new();
        for e in self
            .exec
            .iter()
            .filter(|e| e.directive == Directive::ExecStartPre)
        {
            for words in self.simple_commands(e) {
                out.extend(created_by(&words, &e.at));
            }
        }
        out
    }

    /// The `rkt` commands the unit runs in its `Exec*=` settings
    /// (`ExecStartPre=-/usr/bin/rkt rm ...`, `ExecStop=-/usr/bin/rkt stop
    /// ...`, also through `env` or a `sh -c` script), in order.
    pub fn rkt_commands(&self) -> Vec<RktCommand> {
        let mut out = Vec::new();
        for e in &self.exec {
            for words in self.simple_commands(e) {
                if program_is(&words[0], b"rkt") {
                    out.push(RktCommand {
                        directive: e.directive,
                        argv: words.into_iter().map(OsString::from_vec).collect(),
                        at: e.at.clone(),
                        ignore_failure: e.command.ignore_failure,
                    });
                }
            }
        }
        out
    }

    /// The simple commands an `Exec*=` line runs for sure: itself, the
    /// program behind `env`, or those of a `sh -c` script up to the first
    /// one that may not run (after `||`) or cannot be read.
    fn simple_commands(&self, e: &ExecLine) -> Vec<Vec<Vec<u8>>> {
        let env = self.lookup();
        let mut out = Vec::new();
        let mut todo = vec![(e.command.path.clone(), e.expanded.clone(), 0)];
        while let Some((program, argv, depth)) = todo.pop() {
            if argv.is_empty() || depth > 4 {
                continue;
            }
            let mut words = argv.clone();
            words[0] = program.clone();
            if program_is(&program, b"env") {
                if let Ok((_, rest)) = env_command(&argv[1..])
                    && let Some((p, _)) = rest.split_first()
                {
                    todo.push((p.clone(), rest.to_vec(), depth + 1));
                }
                continue;
            }
            if shell::is_shell(&program) {
                if let Ok(Some(inv)) = shell::invocation(&program, &argv[1..]) {
                    let r = shell::read(&inv.script, &env, &inv.args, inv.bash);
                    let mut found = Vec::new();
                    for (cmd, sep) in r.commands {
                        let mut w = cmd.words;
                        if w.first().is_some_and(|x| x == b"exec") {
                            w.remove(0);
                        }
                        if let Some(p) = w.first().cloned() {
                            found.push((p, w, depth + 1));
                        }
                        if sep == shell::Sep::Or {
                            break;
                        }
                    }
                    todo.extend(found.into_iter().rev());
                }
                continue;
            }
            out.push(words);
        }
        out
    }

    /// The service's environment as a lookup for expansions.
    fn lookup(&self) -> impl Fn(&[u8]) -> Option<Vec<u8>> + '_ {
        |name: &[u8]| {
            self.environment
                .iter()
                .find(|v| v.name.as_bytes() == name)
                .map(|v| v.value.clone().into_bytes())
        }
    }

    fn find(&mut self, severity: Severity, at: Option<Location>, message: String, fix: String) {
        self.findings.push(Finding {
            severity,
            at,
            message,
            fix,
        });
    }
}

/// Whether `program` (a path or a name) is `name` run from a directory of
/// systemd's default `PATH` (or `/bin`, `/sbin`), or looked up in `PATH`.
fn program_is(program: &[u8], name: &[u8]) -> bool {
    let (dir, file) = match program.iter().rposition(|&b| b == b'/') {
        Some(i) => (&program[..i], &program[i + 1..]),
        None => (&b""[..], program),
    };
    file == name
        && matches!(
            dir,
            b"" | b"/bin"
                | b"/sbin"
                | b"/usr/bin"
                | b"/usr/sbin"
                | b"/usr/local/bin"
                | b"/usr/local/sbin"
        )
}

/// The directories `mkdir -p` or `install -d` creates, from a command's
/// words (the program first).
fn created_by(words: &[Vec<u8>], at: &Location) -> Vec<CreatedDirectory> {
    let (by, with_arg, flag): (&str, &[u8], &[&[u8]]) = if program_is(&words[0], b"mkdir") {
        ("mkdir", b"m", &[b"-p", b"--parents"])
    } else if program_is(&words[0], b"install") {
        ("install", b"mogSt", &[b"-d", b"--directory"])
    } else {
        return Vec::new();
    };
    let mut creates = false;
    let mut mode = None;
    let mut paths = Vec::new();
    let mut i = 1;
    let mut options = true;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if !options || w.first() != Some(&b'-') || w.len() == 1 {
            paths.push(w.clone());
            continue;
        }
        if w == b"--" {
            options = false;
            continue;
        }
        if let Some(long) = w.strip_prefix(b"--") {
            let (name, value) = match long.iter().position(|&b| b == b'=') {
                Some(e) => (&long[..e], Some(long[e + 1..].to_vec())),
                None => (long, None),
            };
            if flag.contains(&w.as_slice()) {
                creates = true;
            }
            let takes = matches!(
                name,
                b"mode" | b"owner" | b"group" | b"suffix" | b"target-directory"
            );
            let value = match value {
                Some(v) => Some(v),
                None if takes => {
                    i += 1;
                    words.get(i - 1).cloned()
                }
                None => None,
            };
            if name == b"mode" {
                mode = value;
            }
            continue;
        }
        // short options, clustered; one that takes a value ends the cluster
        for (k, &c) in w.iter().enumerate().skip(1) {
            if flag.contains(&[b'-', c].as_slice()) {
                creates = true;
            }
            if with_arg.contains(&c) {
                let value = if k + 1 < w.len() {
                    Some(w[k + 1..].to_vec())
                } else {
                    i += 1;
                    words.get(i - 1).cloned()
                };
                if c == b'm' {
                    mode = value;
                }
                break;
            }
        }
    }
    if !creates {
        return Vec::new();
    }
    paths
        .into_iter()
        .map(|p| CreatedDirectory {
            // as the kernel reads it: no "." components, no trailing "/"
            path: Path::new("/")
                .join(OsStr::from_bytes(&p))
                .components()
                .collect(),
            mode: mode
                .as_ref()
                .map(|m| String::from_utf8_lossy(m).into_owned()),
            at: at.clone(),
            by,
        })
        .collect()
}

/// `env [NAME=VALUE]... COMMAND...`: the assignments and the command;
/// `Err` for an option of `env`.
#[allow(clippy::type_complexity)]
fn env_command(args: &[Vec<u8>]) -> Result<(Vec<(String, Vec<u8>)>, &[Vec<u8>]), String> {
    let mut set = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if a.first() == Some(&b'-') {
            return Err(format!(
                "the env option {} is not one this check reads",
                shown(a)
            ));
        }
        match a.iter().position(|&b| b == b'=') {
            Some(e) if e > 0 => set.push((
                String::from_utf8_lossy(&a[..e]).into_owned(),
                a[e + 1..].to_vec(),
            )),
            _ => return Ok((set, &args[i..])),
        }
    }
    Ok((set, &[]))
}

/// Which drop-in files apply, in systemd's order: the files of the
/// directories whose name ends in `.conf` and does not start with `.`,
/// sorted by file name (byte order); a name found in several directories
/// is read from the first one only (so that a link to `/dev/null` masks
/// the same name further down). Each directory comes with the names of
/// the entries it holds.
pub fn order_dropins(dirs: &[(PathBuf, Vec<OsString>)]) -> Vec<PathBuf> {
    let mut chosen: Vec<(&[u8], PathBuf)> = Vec::new();
    for (dir, names) in dirs {
        for n in names {
            let b = n.as_bytes();
            if b.ends_with(b".conf") && !b.starts_with(b".") && !chosen.iter().any(|(c, _)| *c == b)
            {
                chosen.push((b, dir.join(n)));
            }
        }
    }
    chosen.sort_by(|a, b| a.0.cmp(b.0));
    chosen.into_iter().map(|(_, p)| p).collect()
}

/// The flags of `Environment=` and `UnsetEnvironment=`.
const ENV_WORDS: Flags = Flags {
    unquote: true,
    cunescape: true,
    cunescape_relax: false,
    relax: false,
};

/// An `EnvironmentFile=` entry.
struct EnvFile {
    pattern: String,
    optional: bool,
    at: Location,
}

/// Everything the unit's files say, before the service starts.
#[derive(Default)]
struct Settings {
    env: Vec<Variable>,
    env_files: Vec<EnvFile>,
    unset: Vec<(String, Location)>,
    pass: Vec<(String, Location)>,
    exec: Vec<(Directive, exec::Command, Location)>,
    service_type: Option<String>,
    type_at: Option<Location>,
    notify_access: Option<(String, Location)>,
    host_specifiers: Vec<(char, Location)>,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The shell-free way to write `words` as one quoted `Environment=` value.
fn quoted_assignment(words: &[&str]) -> String {
    format!(
        "Environment=\"{}\"",
        words.join(" ").replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// Whether systemd goes on after a file's problem.
#[derive(PartialEq, Eq)]
enum Go {
    On,
    /// The unit is not loaded.
    Stop,
}

/// Reads the unit: `unit` is the unit file, `dropins` its drop-ins in the
/// order of [`order_dropins`].
pub fn read(unit: &File, dropins: &[File], host: &dyn Host) -> Unit {
    let name = unit
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Unit {
        name: name.clone(),
        ..Unit::default()
    };
    if !name.ends_with(".service") {
        out.find(
            Severity::Error,
            None,
            format!(
                "{} is not a service unit: its name does not end in .service",
                shown(unit.path.as_os_str().as_bytes())
            ),
            "name the unit file NAME.service, e.g. kubelet.service".into(),
        );
    }
    let fragment = unit.path.to_string_lossy().into_owned();
    let host_spec = |c| host.specifier(c);
    let cx = specifier::Context {
        name: &name,
        fragment: &fragment,
        host: &host_spec,
    };
    let mut s = Settings::default();
    for (i, file) in std::iter::once(unit).chain(dropins).enumerate() {
        out.files.push(file.path.clone());
        if read_file(file, i == 0, &cx, &mut s, &mut out) == Go::Stop {
            out.no_command =
                Some("systemd refuses to load the unit (check --unit says why)".into());
            return out;
        }
    }
    for (c, at) in &s.host_specifiers {
        out.find(
            Severity::Info,
            Some(at.clone()),
            format!(
                "%{c} depends on the node: it is resolved here as {}",
                shown(host.specifier(*c).unwrap_or_default())
            ),
            "make sure the value is right on every node, or write the value itself".into(),
        );
    }

    // When the service starts: the files, then UnsetEnvironment=.
    let mut env = std::mem::take(&mut s.env);
    let mut total = 0;
    for f in &s.env_files {
        if !load_env_file(f, host, &mut env, &mut total, &mut out) {
            break;
        }
    }
    env.retain(|v| {
        !s.unset.iter().any(|(u, _)| match u.split_once('=') {
            Some((n, val)) => *n == v.name && *val == v.value,
            None => *u == v.name,
        })
    });
    out.environment = env;
    for (p, at) in &s.pass {
        out.find(
            Severity::Info,
            Some(at.clone()),
            format!("PassEnvironment={p}: the value comes from systemd's own environment, which this check cannot see"),
            format!("set {p} with Environment= in the unit if the wrapper needs it"),
        );
    }
    expand_all(&s, &mut out);
    command(&s, &mut out);
    // systemd 252 (service_add_extras): Type=notify gets NotifyAccess=main
    // when none is set, even over an explicit none; the socket is given
    // to every service whose NotifyAccess= is not none
    let notify_type = matches!(s.service_type.as_deref(), Some("notify" | "notify-reload"));
    let access = s
        .notify_access
        .as_ref()
        .filter(|(a, _)| matches!(a.trim(), "main" | "exec" | "all"));
    out.notify = notify_type || access.is_some();
    out.notify_at = if notify_type {
        s.type_at.clone()
    } else {
        access.map(|(_, at)| at.clone())
    };
    out.service_type = s.service_type.filter(|t| !t.is_empty());
    out
}

/// Applies one file's settings (`first`: the unit file itself).
fn read_file(
    file: &File,
    first: bool,
    cx: &specifier::Context,
    s: &mut Settings,
    out: &mut Unit,
) -> Go {
    let parsed = syntax::parse(&file.text, SECTIONS);
    let at = |line| Location {
        file: file.path.clone(),
        line,
    };
    let mut stop = None;
    for p in &parsed.problems {
        if p.fatal == syntax::Fatal::Yes {
            stop = Some(p);
            continue;
        }
        let fix = match p.unknown_section.as_deref().and_then(|n| keys::closest(n, SECTIONS.iter().copied())) {
            Some(meant) => format!("did you mean [{meant}]? A service unit has the sections [Unit], [Service] and [Install]"),
            None if p.unknown_section.is_some() => "a service unit has the sections [Unit], [Service] and [Install]; name your own ones X-NAME".into(),
            None => "fix or remove the line".into(),
        };
        out.find(Severity::Warning, Some(at(p.line)), p.message.clone(), fix);
    }
    for a in &parsed.assignments {
        if assignment(a, file, cx, s, out) == Go::Stop {
            if first {
                return Go::Stop;
            }
            // a drop-in: systemd keeps what came before and goes on
            break;
        }
    }
    if let Some(p) = stop {
        out.find(
            Severity::Error,
            Some(at(p.line)),
            if first {
                format!("{}; systemd refuses to load the unit", p.message)
            } else {
                format!(
                    "{}; systemd ignores the rest of this drop-in and loads the unit without it",
                    p.message
                )
            },
            "fix the line".into(),
        );
        if first {
            return Go::Stop;
        }
    }
    Go::On
}

/// The line before `line` among a setting's lines.
fn line_before(a: &syntax::Assignment, line: usize) -> usize {
    a.continued
        .iter()
        .map(|(l, _)| *l)
        .take_while(|&l| l < line)
        .last()
        .unwrap_or(a.line)
}

/// What the lines of a setting say beyond its value: lines folded into
/// it by a backslash, and lines cut off from it.
fn layout(a: &syntax::Assignment, file: &File, out: &mut Unit) {
    let at = |line| Location {
        file: file.path.clone(),
        line,
    };
    let key = shown(&a.key);
    for (line, text) in &a.continued {
        let folded = match text.split_once('=') {
            Some((k, _)) => keys::known_anywhere(k.trim()),
            None => {
                text.starts_with('[')
                    && text.ends_with(']')
                    && SECTIONS.contains(&&text[1..text.len() - 1])
            }
        };
        if !folded {
            continue;
        }
        let before = line_before(a, *line);
        out.find(
            Severity::Warning,
            Some(at(a.line)),
            format!(
                "the backslash at the end of line {before} continues {}= onto line {line}, so systemd reads \"{}\" as part of {}= and not as a setting of its own",
                key,
                shown(text),
                key
            ),
            format!("remove the backslash at the end of line {before}"),
        );
    }
    let Some(cut) = &a.cut else { return };
    let why = match cut.by {
        syntax::CutBy::BlankLine(b) => format!(
            "the blank line {b} ends {key}= (line {}), as systemd ends a continued setting at an empty or blank line",
            a.line
        ),
        syntax::CutBy::BlankAfterBackslash(b) => format!(
            "the backslash at the end of line {b} is followed by blanks, so it does not continue {key}= (line {})",
            a.line
        ),
    };
    let fix = match cut.by {
        syntax::CutBy::BlankLine(b) => {
            format!("remove line {b}, or the backslash before it if {key}= ends there")
        }
        syntax::CutBy::BlankAfterBackslash(b) => {
            format!("remove the blanks after the backslash at the end of line {b}")
        }
    };
    for d in &cut.dropped {
        out.find(
            Severity::Warning,
            Some(at(d.line)),
            format!(
                "\"{}\" is not part of {}=: {why}, and systemd reads this line on its own ({})",
                shown(&d.text),
                key,
                d.systemd
            ),
            fix.clone(),
        );
    }
}

/// One assignment.
fn assignment(
    a: &syntax::Assignment,
    file: &File,
    cx: &specifier::Context,
    s: &mut Settings,
    out: &mut Unit,
) -> Go {
    let loc = Location {
        file: file.path.clone(),
        line: a.line,
    };
    layout(a, file, out);
    if !keys::known(&a.section, &a.key) {
        if !a.key.starts_with("X-") {
            unknown_key(a, loc, out);
        }
        return Go::On;
    }
    if a.section != "Service" {
        return Go::On;
    }
    match a.key.as_str() {
        "Environment" => environment(&a.value, &loc, cx, s, out),
        "EnvironmentFile" => environment_file(&a.value, &loc, cx, s, out),
        "UnsetEnvironment" => name_list(NameList::Unset, &a.value, &loc, cx, s, out),
        "PassEnvironment" => name_list(NameList::Pass, &a.value, &loc, cx, s, out),
        "Type" => {
            s.service_type = Some(a.value.clone());
            s.type_at = Some(loc);
        }
        "NotifyAccess" => s.notify_access = Some((a.value.clone(), loc)),
        key => {
            if let Some(d) = Directive::from_key(key) {
                return exec_setting(d, &a.value, &loc, cx, s, out);
            }
        }
    }
    Go::On
}

/// systemd's warning for a key it does not know, with the key meant.
fn unknown_key(a: &syntax::Assignment, loc: Location, out: &mut Unit) {
    let key = shown(&a.key);
    let message = format!(
        "Unknown key '{key}' in section [{}], ignoring. (systemd ignores the line)",
        a.section
    );
    let elsewhere = SECTIONS
        .iter()
        .find(|sec| **sec != a.section && keys::known(sec, &a.key));
    let fix = if let Some(meant) = keys::did_you_mean(&a.section, &a.key) {
        if meant.eq_ignore_ascii_case(&a.key) {
            format!("did you mean {meant}=? systemd's keys are case-sensitive")
        } else {
            format!("did you mean {meant}=?")
        }
    } else if let Some(sec) = elsewhere {
        format!("{key}= belongs in the [{sec}] section: move it there")
    } else {
        format!("remove the line, or name a setting of your own X-{key}")
    };
    out.find(Severity::Warning, Some(loc), message, fix);
}

/// A word with its specifiers resolved; else how severe that is, what
/// happens to it and the fix.
fn resolve(
    word: &[u8],
    loc: &Location,
    cx: &specifier::Context,
    max: usize,
    s: &mut Settings,
) -> Result<Vec<u8>, (Severity, String, String)> {
    match specifier::resolve_max(word, cx, max) {
        Ok((v, host)) => {
            for c in host {
                s.host_specifiers.push((c, loc.clone()));
            }
            Ok(v)
        }
        Err(specifier::SpecifierError::Unknown(c)) => Err((
            Severity::Warning,
            format!("%{c} is not a specifier systemd knows, so systemd ignores"),
            "write %% for a literal %".into(),
        )),
        Err(specifier::SpecifierError::Unavailable(c)) if "crR".contains(c) => Err((
            Severity::Info,
            format!(
                "%{c} depends on the manager's cgroup tree, unknown here, so this check leaves out"
            ),
            "write the value itself if the wrapper needs it".into(),
        )),
        Err(specifier::SpecifierError::Unavailable(c)) => Err((
            Severity::Info,
            format!("%{c} depends on the node and is not known here, so this check leaves out"),
            "write the value itself if the wrapper needs it".into(),
        )),
        Err(specifier::SpecifierError::TooLong(max)) => Err((
            Severity::Warning,
            format!(
                "with its specifiers resolved, the text is longer than the {max} bytes systemd allows, so systemd ignores"
            ),
            "shorten it".into(),
        )),
    }
}

/// An `Environment=` assignment is valid when the name is and the value is
/// UTF-8 (as systemd checks it) and short enough.
fn split_assignment(word: &[u8]) -> Option<(String, String)> {
    let eq = word.iter().position(|&b| b == b'=')?;
    let (n, v) = (&word[..eq], &word[eq + 1..]);
    if !envfile::name_is_valid(n) || !utf8::is_valid(v) || word.len() >= specifier::ARG_MAX {
        return None;
    }
    Some((lossy(n), String::from_utf8(v.to_vec()).ok()?))
}

fn set(env: &mut Vec<Variable>, name: String, value: String, at: Location) {
    match env.iter_mut().find(|v| v.name == name) {
        Some(v) => {
            v.value = value;
            v.at = at;
        }
        None => env.push(Variable { name, value, at }),
    }
}

fn environment(
    value: &str,
    loc: &Location,
    cx: &specifier::Context,
    s: &mut Settings,
    out: &mut Unit,
) {
    if value.is_empty() {
        s.env.clear();
        return;
    }
    let (words, error) = match escape::words(value.as_bytes(), ENV_WORDS) {
        Ok(w) => (w, None),
        Err((w, e)) => (w, Some(e)),
    };
    let shown_words: Vec<String> = words.iter().map(shown).collect();
    // the last valid assignment, and the words after it that are not
    // assignments: the classic unquoted value with blanks
    let mut last_valid: Option<(usize, String)> = None;
    let mut run: Vec<usize> = Vec::new();
    // the words of a run that systemd still takes as assignments, because
    // they look like one (volume=dns,target=/x): lower-case names, which
    // no variable of a kubelet unit has
    let mut lower: Vec<usize> = Vec::new();
    let flush = |last: &Option<(usize, String)>,
                 run: &mut Vec<usize>,
                 lower: &mut Vec<usize>,
                 out: &mut Unit| {
        if run.is_empty() {
            lower.clear();
            return;
        }
        let ignored: Vec<String> = run
            .iter()
            .filter(|i| !lower.contains(i))
            .map(|&i| format!("\"{}\"", shown_words[i]))
            .collect();
        let also: Vec<String> = lower
            .iter()
            .map(|&i| format!("\"{}\"", shown_words[i]))
            .collect();
        let also = if also.is_empty() {
            String::new()
        } else {
            format!(
                ", and {} set{} a variable of {} own",
                also.join(", "),
                if also.len() == 1 { "s" } else { "" },
                if also.len() == 1 { "its" } else { "their" }
            )
        };
        match last {
            Some((j, name)) if run[0] == j + 1 => {
                let words: Vec<&str> = (*j..=run[run.len() - 1]).map(|k| shown_words[k].as_str()).collect();
                let value = shown_words[*j].split_once('=').map_or("", |(_, v)| v);
                out.find(
                    Severity::Warning,
                    Some(loc.clone()),
                    format!(
                        "Environment=: systemd cuts an unquoted value at blanks, so {name} is only \"{value}\"; {} {} ignored (not NAME=VALUE){also}",
                        ignored.join(", "),
                        if ignored.len() == 1 { "is" } else { "are" }
                    ),
                    format!("quote the whole assignment: {}", quoted_assignment(&words)),
                );
            }
            _ => out.find(
                Severity::Warning,
                Some(loc.clone()),
                format!("Environment=: {} not NAME=VALUE: systemd ignores {}", ignored.join(", "), if ignored.len() == 1 { "it" } else { "them" }),
                "write NAME=VALUE: names are letters, digits and _, not starting with a digit; values are UTF-8".into(),
            ),
        }
        run.clear();
        lower.clear();
    };
    for (i, w) in words.iter().enumerate() {
        let resolved = match resolve(w, loc, cx, specifier::ARG_MAX, s) {
            Ok(r) => r,
            Err((severity, why, fix)) => {
                flush(&last_valid, &mut run, &mut lower, out);
                out.find(
                    severity,
                    Some(loc.clone()),
                    format!("Environment=: {why} the assignment \"{}\"", shown_words[i]),
                    fix,
                );
                continue;
            }
        };
        match split_assignment(&resolved) {
            Some((n, v)) if !run.is_empty() && n.bytes().any(|b| b.is_ascii_lowercase()) => {
                set(&mut s.env, n, v, loc.clone());
                run.push(i);
                lower.push(i);
            }
            Some((n, v)) => {
                flush(&last_valid, &mut run, &mut lower, out);
                set(&mut s.env, n.clone(), v, loc.clone());
                last_valid = Some((i, n));
            }
            None => run.push(i),
        }
    }
    flush(&last_valid, &mut run, &mut lower, out);
    if let Some(e) = error {
        out.find(
            Severity::Warning,
            Some(loc.clone()),
            format!(
                "Environment=: {} in \"{}\": systemd ignores the line from there on",
                match e {
                    escape::WordError::Unbalanced => "a quote is not closed",
                    escape::WordError::BadEscape =>
                        "an unknown backslash escape (or a backslash at the end)",
                },
                shown(value)
            ),
            "close the quote; write a backslash as \\\\ (systemd.syntax(7) lists the escapes)"
                .into(),
        );
    }
}

/// `EnvironmentFile=`, checked as systemd's `config_parse_unit_env_file()`
/// and `path_simplify_and_warn()` check it when the unit is loaded.
fn environment_file(
    value: &str,
    loc: &Location,
    cx: &specifier::Context,
    s: &mut Settings,
    out: &mut Unit,
) {
    if value.is_empty() {
        s.env_files.clear();
        return;
    }
    let refused = |out: &mut Unit, why: String, fix: &str| {
        out.find(
            Severity::Error,
            Some(loc.clone()),
            format!(
                "EnvironmentFile={}: {why}, so systemd ignores the line",
                shown(value)
            ),
            fix.to_string(),
        );
    };
    let resolved = match resolve(value.as_bytes(), loc, cx, specifier::PATH_MAX_LEN, s) {
        Ok(r) => r,
        Err((severity, why, fix)) => {
            out.find(
                severity.min(Severity::Warning),
                Some(loc.clone()),
                format!("EnvironmentFile=: {why} the line"),
                fix,
            );
            return;
        }
    };
    let (optional, path) = match resolved.strip_prefix(b"-") {
        Some(p) => (true, p),
        None => (false, &resolved[..]),
    };
    if !utf8::is_valid(path) {
        return refused(
            out,
            "the path is not valid UTF-8".into(),
            "give the file's path in UTF-8",
        );
    }
    if !path.starts_with(b"/") {
        return refused(
            out,
            "the path is not absolute".into(),
            "give the file's absolute path",
        );
    }
    let simple = exec::simplify(path);
    if !exec::path_is_valid(&simple) {
        return refused(
            out,
            "the path is too long (4096 bytes or more, or a name longer than 255)".into(),
            "shorten the path",
        );
    }
    if simple.split(|&b| b == b'/').any(|c| c == b"..") {
        return refused(
            out,
            "the path is not normalized (it has a \"..\" component)".into(),
            "give the path without \"..\"",
        );
    }
    s.env_files.push(EnvFile {
        pattern: lossy(&simple),
        optional,
        at: loc.clone(),
    });
}

/// The two settings that are lists of variable names.
#[derive(Clone, Copy)]
enum NameList {
    /// `UnsetEnvironment=`: names, or NAME=VALUE assignments to remove.
    Unset,
    /// `PassEnvironment=`: names of the manager's variables to pass on.
    Pass,
}

impl NameList {
    fn list(self, s: &mut Settings) -> &mut Vec<(String, Location)> {
        match self {
            NameList::Unset => &mut s.unset,
            NameList::Pass => &mut s.pass,
        }
    }

    fn accepts(self, word: &[u8]) -> bool {
        envfile::name_is_valid(word)
            || (matches!(self, NameList::Unset) && split_assignment(word).is_some())
    }

    /// Why systemd ignores a word it does not accept, and the fix.
    fn refusal(self, shown: &str) -> (String, &'static str) {
        match self {
            NameList::Unset => (
                format!(
                    "UnsetEnvironment=: \"{shown}\" is neither a name nor NAME=VALUE: systemd ignores it"
                ),
                "give variable names",
            ),
            NameList::Pass => (
                format!("PassEnvironment=: \"{shown}\" is not a variable name: systemd ignores it"),
                "names are letters, digits and _, not starting with a digit",
            ),
        }
    }
}

/// `UnsetEnvironment=` or `PassEnvironment=`: an empty value clears the
/// list, words are added to it, each after its specifiers.
fn name_list(
    which: NameList,
    value: &str,
    loc: &Location,
    cx: &specifier::Context,
    s: &mut Settings,
    out: &mut Unit,
) {
    if value.is_empty() {
        which.list(s).clear();
        return;
    }
    let words = escape::words(value.as_bytes(), ENV_WORDS).unwrap_or_else(|(w, _)| w);
    for w in words {
        let Ok(r) = resolve(&w, loc, cx, specifier::ARG_MAX, s) else {
            continue;
        };
        if which.accepts(&r) {
            which.list(s).push((lossy(&r), loc.clone()));
        } else {
            let (message, fix) = which.refusal(&shown(&r));
            out.find(Severity::Warning, Some(loc.clone()), message, fix.into());
        }
    }
}

/// Reads the files of one `EnvironmentFile=` into `env`; false when this
/// reader stops reading environment files (see [`ENV_FILES_TOTAL_MAX`]).
fn load_env_file(
    f: &EnvFile,
    host: &dyn Host,
    env: &mut Vec<Variable>,
    total: &mut usize,
    out: &mut Unit,
) -> bool {
    let pattern = shown(&f.pattern);
    let missing = |out: &mut Unit, why: String| {
        if f.optional {
            out.find(
                Severity::Info,
                Some(f.at.clone()),
                format!("EnvironmentFile=-{pattern}: {why}; it is optional ('-'), so systemd goes on without it"),
                String::new(),
            );
        } else {
            out.find(
                Severity::Error,
                Some(f.at.clone()),
                format!("EnvironmentFile={pattern}: {why}: systemd will not start the service"),
                format!(
                    "create the file on every node, or write EnvironmentFile=-{pattern} if it is optional"
                ),
            );
        }
    };
    let paths = match host.glob(&f.pattern) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => {
            missing(out, "no such file".into());
            return true;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            missing(out, e.to_string());
            return true;
        }
        Err(e) => {
            out.find(
                Severity::Error,
                Some(f.at.clone()),
                format!("EnvironmentFile={pattern}: {e}"),
                "name the files without wildcards, or with fewer".into(),
            );
            return true;
        }
    };
    for path in paths {
        let p = shown(path.as_os_str().as_bytes());
        let text = match host.read(&path) {
            Ok(t) => t,
            Err(e) => {
                missing(out, format!("{p}: {e}"));
                continue;
            }
        };
        *total += text.len();
        if *total > ENV_FILES_TOTAL_MAX {
            out.find(
                Severity::Error,
                Some(f.at.clone()),
                format!("the environment files hold more than {ENV_FILES_TOTAL_MAX} bytes together, far more than a service's environment can take (ARG_MAX): this check stops reading them at {p}"),
                "keep the environment files to the variables the service needs".into(),
            );
            return false;
        }
        if text.len() > ENV_FILE_MAX {
            missing(
                out,
                format!("{p} is larger than {ENV_FILE_MAX} bytes, more than systemd reads (E2BIG)"),
            );
            continue;
        }
        if let Some(i) = text.iter().position(|&b| b == 0) {
            missing(
                out,
                format!("{p} holds a NUL byte (at byte {i}), which systemd refuses (EBADMSG)"),
            );
            continue;
        }
        let parsed = envfile::parse(&text);
        let at = |line| Location {
            file: path.clone(),
            line,
        };
        if let Some(p) = parsed
            .pairs
            .iter()
            .find(|p| !utf8::is_valid(&p.key) || !utf8::is_valid(&p.value))
        {
            missing(
                out,
                format!(
                    "line {} of {} is not valid UTF-8",
                    p.line,
                    shown(path.as_os_str().as_bytes())
                ),
            );
            continue;
        }
        for line in &parsed.comment_continuations {
            out.find(
                Severity::Warning,
                Some(at(*line)),
                "a comment ending in a backslash: systemd before 254 also takes the next line as a comment, later versions read it".into(),
                "remove the backslash at the end of the comment".into(),
            );
        }
        for p in parsed.pairs {
            let (key, value) = (lossy(&p.key), lossy(&p.value));
            if !envfile::name_is_valid(&p.key) {
                let bare = key.strip_prefix("export ").map(str::trim_start);
                let fix = match bare {
                    Some(b) if envfile::name_is_valid(b.as_bytes()) => format!(
                        "write {b}=... without export: an environment file is not a shell script"
                    ),
                    _ => "names are letters, digits and _, not starting with a digit".into(),
                };
                out.find(
                    Severity::Warning,
                    Some(at(p.line)),
                    format!(
                        "\"{}\" is not a variable name: systemd ignores the assignment",
                        shown(&key)
                    ),
                    fix,
                );
                continue;
            }
            set(env, key, value, at(p.line));
        }
    }
    true
}

/// One `Exec*=` setting: its commands, or an empty list on an empty
/// value.
fn exec_setting(
    d: Directive,
    value: &str,
    loc: &Location,
    cx: &specifier::Context,
    s: &mut Settings,
    out: &mut Unit,
) -> Go {
    if value.is_empty() {
        s.exec.retain(|(x, _, _)| *x != d);
        return Go::On;
    }
    let p = exec::parse(value, cx);
    for h in p.host_specifiers {
        s.host_specifiers.push((h, loc.clone()));
    }
    for pr in &p.problems {
        out.find(
            if pr.fatal {
                Severity::Error
            } else {
                Severity::Warning
            },
            Some(loc.clone()),
            format!("{d}=: {}", pr.message),
            "fix the command line (systemd.syntax(7) has the quoting rules)".into(),
        );
        if pr.fatal {
            return Go::Stop;
        }
    }
    s.exec
        .extend(p.commands.into_iter().map(|c| (d, c, loc.clone())));
    Go::On
}

/// Every `Exec*=` command with its variables expanded as at start.
fn expand_all(s: &Settings, out: &mut Unit) {
    let mut lines = Vec::new();
    for d in Directive::ALL {
        for (x, c, at) in &s.exec {
            if *x != d {
                continue;
            }
            let expanded = if c.no_expand {
                c.argv.clone()
            } else {
                exec::expand(&c.argv, &out.lookup()).argv
            };
            lines.push(ExecLine {
                directive: d,
                at: at.clone(),
                command: c.clone(),
                expanded,
            });
        }
    }
    out.exec = lines;
}

/// Why the wrapper's command cannot be had, and the finding that says so.
struct NoCommand {
    severity: Severity,
    message: String,
    fix: String,
}

/// Finds the wrapper's command and expands it.
fn command(s: &Settings, out: &mut Unit) {
    let refuse = |out: &mut Unit, at: Option<Location>, n: NoCommand| {
        out.no_command = Some(match &at {
            Some(a) => format!("{a}: {}", n.message),
            None => n.message.clone(),
        });
        out.find(n.severity, at, n.message, n.fix);
    };
    let oneshot = s.service_type.as_deref() == Some("oneshot");
    let starts: Vec<&ExecLine> = out
        .exec
        .iter()
        .filter(|e| e.directive == Directive::ExecStart)
        .collect();
    if starts.is_empty() {
        return refuse(
            out,
            None,
            NoCommand {
                severity: Severity::Error,
                message: "the unit has no ExecStart=: systemd refuses to load it".into(),
                fix: format!("add ExecStart=/usr/lib/coreos/{WRAPPER} KUBELET_FLAGS..."),
            },
        );
    }
    if starts.len() > 1 && !oneshot {
        let at = starts[1].at.clone();
        return refuse(out, Some(at), NoCommand {
            severity: Severity::Error,
            message: "more than one ExecStart= command: systemd refuses this for a service that is not Type=oneshot".into(),
            fix: "keep one ExecStart= (a drop-in that replaces it starts with an empty ExecStart=)".into(),
        });
    }
    let starts: Vec<ExecLine> = starts.into_iter().cloned().collect();
    let mut first_failure = None;
    for e in &starts {
        match wrapper_of(e, out) {
            Ok(found) => {
                out.command = Some(found);
                return;
            }
            Err(n) => {
                if first_failure.is_none() {
                    first_failure = Some((e.at.clone(), n));
                }
            }
        }
    }
    let (at, n) = first_failure.expect("at least one ExecStart=");
    refuse(out, Some(at), n);
}

/// The wrapper's command in one `ExecStart=` line, with the findings its
/// expansion gives; or why there is none.
fn wrapper_of(e: &ExecLine, out: &mut Unit) -> Result<WrapperCommand, NoCommand> {
    let c = &e.command;
    let at = &e.at;
    let env_lookup = out.lookup();
    let expansion = (!c.no_expand).then(|| exec::expand(&c.argv, &env_lookup));
    drop(env_lookup);
    let argv = match &expansion {
        Some(x) => x.argv.clone(),
        None => c.argv.clone(),
    };
    if let Some(why) = expansion.as_ref().and_then(|x| x.too_large.clone()) {
        return Err(NoCommand {
            severity: Severity::Error,
            message: format!("ExecStart=: {why}: systemd cannot start the service (E2BIG)"),
            fix: "pass fewer or shorter values".into(),
        });
    }
    let mut via: Vec<String> = Vec::new();
    let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
    let mut shell_used: Vec<String> = Vec::new();
    let mut notes: Vec<(Severity, String, String)> = Vec::new();
    let mut program = c.path.clone();
    let mut args: Vec<Vec<u8>> = argv.get(1..).unwrap_or_default().to_vec();
    let not_wrapper = |program: &[u8], via: &[String]| NoCommand {
        severity: Severity::Error,
        message: format!(
            "ExecStart= runs {}{}, not {WRAPPER}: the kubelet's flags cannot be read from it",
            shown(program),
            if via.is_empty() {
                String::new()
            } else {
                format!(" (through {})", via.join(", "))
            }
        ),
        fix: format!(
            "run the wrapper directly: ExecStart=/usr/lib/coreos/{WRAPPER} KUBELET_FLAGS..."
        ),
    };
    let unreadable = |what: &str, why: String| NoCommand {
        severity: Severity::Error,
        message: format!(
            "ExecStart= runs {what}, and this check cannot read {why} in it: the kubelet's flags are not known"
        ),
        fix: format!(
            "run the wrapper directly, with optional flags from a variable: ExecStart=/usr/lib/coreos/{WRAPPER} FLAGS... $KUBELET_OPTS"
        ),
    };
    for _ in 0..8 {
        if program.rsplit(|&b| b == b'/').next() == Some(WRAPPER.as_bytes()) {
            break;
        }
        if program_is(&program, b"env") {
            let (set, rest) = env_command(&args).map_err(|why| unreadable("env", why))?;
            let Some((p, tail)) = rest.split_first() else {
                return Err(not_wrapper(b"env", &via));
            };
            via.push(shown(&program));
            extra.extend(set);
            program = p.clone();
            args = tail.to_vec();
            continue;
        }
        if shell::is_shell(&program) {
            let what = format!("{} -c", shown(&program));
            let Some(inv) =
                shell::invocation(&program, &args).map_err(|why| unreadable(&what, why))?
            else {
                return Err(not_wrapper(&program, &via));
            };
            let env = |name: &[u8]| {
                extra
                    .iter()
                    .rev()
                    .find(|(n, _)| n.as_bytes() == name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| {
                        out.environment
                            .iter()
                            .find(|v| v.name.as_bytes() == name)
                            .map(|v| v.value.clone().into_bytes())
                    })
            };
            let r = shell::read(&inv.script, &env, &inv.args, inv.bash);
            if let Some(why) = r.unreadable {
                return Err(unreadable(&what, why));
            }
            if r.commands.len() != 1 {
                return Err(unreadable(&what, "a list of several commands".into()));
            }
            let (cmd, _) = r.commands.into_iter().next().expect("one");
            let mut words = cmd.words;
            if words.first().is_some_and(|w| w == b"exec") {
                words.remove(0);
                if words.first().is_some_and(|w| w.first() == Some(&b'-')) {
                    return Err(unreadable(&what, "exec with options".into()));
                }
            }
            let Some((p, tail)) = words.split_first() else {
                return Err(not_wrapper(&program, &via));
            };
            for n in &r.unset {
                notes.push((
                    Severity::Info,
                    format!("the script of ExecStart= ({what}) uses ${n}, which is not set: the shell expands it to nothing"),
                    format!("set {n} with Environment= or in an EnvironmentFile= if the kubelet needs it"),
                ));
            }
            for g in &cmd.globbed {
                notes.push((
                    Severity::Info,
                    format!(
                        "the script of ExecStart= ({what}) passes \"{}\" unquoted: the shell replaces it with the node's matching files, if any (kept as written here)",
                        shown(g)
                    ),
                    "quote it if it is meant as written".into(),
                ));
            }
            shell_used.extend(r.used);
            via.push(what);
            extra.extend(cmd.assignments);
            program = p.clone();
            args = tail.to_vec();
            continue;
        }
        return Err(not_wrapper(&program, &via));
    }
    if program.rsplit(|&b| b == b'/').next() != Some(WRAPPER.as_bytes()) {
        return Err(not_wrapper(&program, &via));
    }
    let mut uses = Vec::new();
    if let Some(x) = &expansion {
        if via.is_empty() {
            for w in &x.braceless {
                out.find(
                    Severity::Warning,
                    Some(at.clone()),
                    format!("ExecStart=: systemd expands $NAME only as a whole word, so \"{}\" is passed as written", shown(w)),
                    "write ${NAME} inside a word".into(),
                );
            }
        }
        for n in &x.unset {
            let (severity, message, fix) = if MANAGER_VARIABLES.contains(&n.as_str()) {
                (
                    Severity::Info,
                    format!(
                        "ExecStart= uses ${n}, which systemd sets when it starts the service; this check cannot know its value and leaves it empty"
                    ),
                    format!("set {n} with Environment= if the kubelet's flags depend on it"),
                )
            } else if !envfile::name_is_valid(n.as_bytes()) {
                (
                    Severity::Warning,
                    format!(
                        "ExecStart=: the word ${n} names no variable (systemd takes all of \"{n}\" as the name), so it expands to nothing"
                    ),
                    "write ${NAME} when text follows the name".to_string(),
                )
            } else {
                (
                    Severity::Info,
                    format!(
                        "ExecStart= uses ${n}, which the unit does not set: systemd expands it to nothing"
                    ),
                    format!(
                        "set {n} with Environment= or in an EnvironmentFile= if the kubelet needs it"
                    ),
                )
            };
            out.find(severity, Some(at.clone()), message, fix);
        }
        uses = x.used.clone();
    }
    for n in shell_used {
        if !uses.contains(&n) {
            uses.push(n);
        }
    }
    for (severity, message, fix) in notes {
        out.find(severity, Some(at.clone()), message, fix);
    }
    let mut environment = Vec::new();
    for (name, value) in extra {
        if !envfile::name_is_valid(name.as_bytes()) || !utf8::is_valid(&value) {
            continue;
        }
        set(
            &mut environment,
            name,
            String::from_utf8(value).expect("checked"),
            at.clone(),
        );
    }
    if !via.is_empty() {
        out.find(
            Severity::Info,
            Some(at.clone()),
            format!(
                "ExecStart= runs the wrapper through {}: its arguments are read with {} rules",
                via.join(", "),
                if via.iter().any(|v| v.ends_with(" -c")) {
                    "the shell's"
                } else {
                    "env's"
                }
            ),
            String::new(),
        );
    }
    Ok(WrapperCommand {
        at: at.clone(),
        path: lossy(&program),
        kubelet_args: args.into_iter().map(OsString::from_vec).collect(),
        uses,
        through: (!via.is_empty()).then(|| via.join(", ")),
        environment,
    })
}

#[cfg(test)]
mod tests;
