//! A kubelet unit as systemd reads it: the environment the wrapper will
//! get and the kubelet flags its `ExecStart=` passes, with what systemd
//! would warn about or refuse (a [`Finding`] each).
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
//! 4. `ExecStart=`'s command ([`exec`]) gets `$NAME` and `${NAME}`
//!    expanded with that environment.
//!
//! The variables systemd itself adds (`PATH`, `INVOCATION_ID`, ...) and
//! those passed from its own environment (`PassEnvironment=`) are not
//! known here; a command line that uses them is reported.

pub mod envfile;
pub mod escape;
pub mod exec;
pub mod specifier;
pub mod syntax;

use escape::Flags;
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// The program the unit must run.
pub const WRAPPER: &str = "kubelet-wrapper";

/// The sections of a service unit.
const SECTIONS: &[&str] = &["Unit", "Service", "Install"];

/// The `[Service]` settings this reader takes into account.
const KEYS: &[&str] = &[
    "Environment",
    "EnvironmentFile",
    "UnsetEnvironment",
    "PassEnvironment",
    "ExecStart",
    "Type",
    "NotifyAccess",
];

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

/// A file of the unit.
#[derive(Debug, Clone)]
pub struct File {
    pub path: PathBuf,
    pub text: Vec<u8>,
}

/// What the reader looks up outside the unit's own files.
pub trait Host {
    /// The contents of a file `EnvironmentFile=` names.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The files matching an `EnvironmentFile=` path, which may hold glob
    /// characters (`*`, `?`, `[...]`), in order; empty when none matches.
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something is wrong: a setting is lost, or the unit will not load,
    /// start or do what it says.
    Error,
    /// Likely wrong, or different from what it looks like.
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
    pub at: Location,
    /// The program, as systemd looks it up.
    pub path: String,
    /// The kubelet's flags: the command's arguments after argv\[0\], with
    /// the variables expanded.
    pub kubelet_args: Vec<OsString>,
    /// Variables its command line uses, set or not.
    pub uses: Vec<String>,
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
    /// `ExecStart=`'s command, when it runs the wrapper.
    pub command: Option<WrapperCommand>,
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
    /// The value of a variable of the unit's environment.
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.environment.iter().find(|v| v.name == name)
    }

    /// The environment as the wrapper reads it: the unit's, and
    /// `NOTIFY_SOCKET` where systemd sets it.
    pub fn vars(&self) -> Vec<(OsString, OsString)> {
        let mut v: Vec<(OsString, OsString)> = self
            .environment
            .iter()
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

    fn find(&mut self, severity: Severity, at: Option<Location>, message: String, fix: String) {
        self.findings.push(Finding {
            severity,
            at,
            message,
            fix,
        });
    }
}

/// Which drop-in files apply, in systemd's order: all `*.conf` files of
/// the directories, sorted by file name; a name found in several
/// directories is read from the first one only. Each directory comes with
/// the file names it holds.
pub fn order_dropins(dirs: &[(PathBuf, Vec<String>)]) -> Vec<PathBuf> {
    let mut chosen: Vec<(&str, PathBuf)> = Vec::new();
    for (dir, names) in dirs {
        for n in names {
            if n.ends_with(".conf") && !chosen.iter().any(|(c, _)| c == n) {
                chosen.push((n, dir.join(n)));
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
    exec: Vec<(exec::Command, Location)>,
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
                unit.path.display()
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
    for file in std::iter::once(unit).chain(dropins) {
        out.files.push(file.path.clone());
        if !read_file(file, &cx, &mut s, &mut out) {
            return out;
        }
    }
    for (c, at) in &s.host_specifiers {
        out.find(
            Severity::Warning,
            Some(at.clone()),
            format!(
                "%{c} depends on the node: it is resolved here with this machine's value ({})",
                host.specifier(*c).unwrap_or_default()
            ),
            "make sure the value is right on every node, or write the value itself".into(),
        );
    }

    // When the service starts: the files, then UnsetEnvironment=.
    let mut env = std::mem::take(&mut s.env);
    for f in &s.env_files {
        load_env_file(f, host, &mut env, &mut out);
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
            Severity::Warning,
            Some(at.clone()),
            format!("PassEnvironment={p}: the value comes from systemd's own environment, which this check cannot see"),
            format!("set {p} with Environment= in the unit if the wrapper needs it"),
        );
    }
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

/// Applies one file's settings; false when systemd would refuse the unit.
fn read_file(file: &File, cx: &specifier::Context, s: &mut Settings, out: &mut Unit) -> bool {
    let parsed = syntax::parse(&file.text, SECTIONS);
    let at = |line| Location {
        file: file.path.clone(),
        line,
    };
    for p in &parsed.problems {
        let fatal = p.fatal == syntax::Fatal::Yes;
        out.find(
            if fatal {
                Severity::Error
            } else {
                Severity::Warning
            },
            Some(at(p.line)),
            p.message.clone(),
            if fatal {
                "fix the line; systemd loads nothing of the unit until then".into()
            } else {
                "fix or remove the line".into()
            },
        );
        if fatal {
            return false;
        }
    }
    for a in parsed.assignments {
        let loc = at(a.line);
        let ours = KEYS.iter().find(|k| k.eq_ignore_ascii_case(&a.key));
        let Some(key) = ours else { continue };
        if *key != a.key {
            out.find(
                Severity::Error,
                Some(loc),
                format!(
                    "{}= is not {key}=: systemd's keys are case-sensitive, so it ignores the line",
                    a.key
                ),
                format!("write {key}="),
            );
            continue;
        }
        if a.section != "Service" {
            out.find(
                Severity::Error,
                Some(loc),
                format!("{key}= in [{}]: systemd ignores it there", a.section),
                "move it to the [Service] section".to_string(),
            );
            continue;
        }
        match *key {
            "Environment" => environment(&a.value, &loc, cx, s, out),
            "EnvironmentFile" => environment_file(&a.value, &loc, cx, s, out),
            "UnsetEnvironment" => unset_environment(&a.value, &loc, cx, s, out),
            "PassEnvironment" => {
                if a.value.is_empty() {
                    s.pass.clear();
                }
                if let Ok(words) = escape::words(a.value.as_bytes(), ENV_WORDS) {
                    s.pass
                        .extend(words.into_iter().map(|w| (lossy(&w), loc.clone())));
                }
            }
            "ExecStart" => {
                if a.value.is_empty() {
                    s.exec.clear();
                    continue;
                }
                let p = exec::parse(&a.value, cx);
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
                        format!("ExecStart=: {}", pr.message),
                        "fix the command line (systemd.syntax(7) has the quoting rules)".into(),
                    );
                    if pr.fatal {
                        return false;
                    }
                }
                s.exec
                    .extend(p.commands.into_iter().map(|c| (c, loc.clone())));
            }
            "NotifyAccess" => s.notify_access = Some((a.value.clone(), loc)),
            _ => {
                s.service_type = Some(a.value.clone());
                s.type_at = Some(loc);
            }
        }
    }
    true
}

/// A word with its specifiers resolved; else what happens to it and the
/// fix.
fn resolve(
    word: &[u8],
    loc: &Location,
    cx: &specifier::Context,
    s: &mut Settings,
) -> Result<Vec<u8>, (String, String)> {
    match specifier::resolve(word, cx) {
        Ok((v, host)) => {
            for c in host {
                s.host_specifiers.push((c, loc.clone()));
            }
            Ok(v)
        }
        Err(specifier::SpecifierError::Unknown(c)) => Err((
            format!("%{c} is not a specifier systemd knows, so systemd ignores"),
            "write %% for a literal %".into(),
        )),
        Err(specifier::SpecifierError::Unavailable(c)) => Err((
            format!(
                "%{c} depends on the manager's cgroup tree, unknown here, so this check leaves out"
            ),
            "write the value itself if the wrapper needs it".into(),
        )),
    }
}

/// An `Environment=` assignment is valid when the name is and the value is
/// UTF-8.
fn split_assignment(word: &[u8]) -> Option<(String, String)> {
    let eq = word.iter().position(|&b| b == b'=')?;
    let (n, v) = (&word[..eq], &word[eq + 1..]);
    if !envfile::name_is_valid(n) {
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
    let shown: Vec<String> = words.iter().map(|w| lossy(w)).collect();
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
            .map(|&i| format!("{:?}", shown[i]))
            .collect();
        let also: Vec<String> = lower.iter().map(|&i| format!("{:?}", shown[i])).collect();
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
                let words: Vec<&str> = (*j..=run[run.len() - 1]).map(|k| shown[k].as_str()).collect();
                let value = shown[*j].split_once('=').map_or("", |(_, v)| v);
                out.find(
                    Severity::Error,
                    Some(loc.clone()),
                    format!(
                        "Environment=: systemd cuts an unquoted value at blanks, so {name} is only {value:?}; {} {} ignored (not NAME=VALUE){also}",
                        ignored.join(", "),
                        if ignored.len() == 1 { "is" } else { "are" }
                    ),
                    format!("quote the whole assignment: {}", quoted_assignment(&words)),
                );
            }
            _ => out.find(
                Severity::Error,
                Some(loc.clone()),
                format!("Environment=: {} not NAME=VALUE: systemd ignores {}", ignored.join(", "), if ignored.len() == 1 { "it" } else { "them" }),
                "write NAME=VALUE: names are letters, digits and _, not starting with a digit; values are UTF-8".into(),
            ),
        }
        run.clear();
        lower.clear();
    };
    for (i, w) in words.iter().enumerate() {
        let resolved = match resolve(w, loc, cx, s) {
            Ok(r) => r,
            Err((why, fix)) => {
                flush(&last_valid, &mut run, &mut lower, out);
                out.find(
                    Severity::Error,
                    Some(loc.clone()),
                    format!("Environment=: {why} the assignment {:?}", shown[i]),
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
            Severity::Error,
            Some(loc.clone()),
            format!(
                "Environment=: {} in {value:?}: systemd ignores the line from there on",
                match e {
                    escape::WordError::Unbalanced => "a quote is not closed",
                    escape::WordError::BadEscape =>
                        "an unknown backslash escape (or a backslash at the end)",
                }
            ),
            "close the quote; write a backslash as \\\\ (systemd.syntax(7) lists the escapes)"
                .into(),
        );
    }
}

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
    let resolved = match resolve(value.as_bytes(), loc, cx, s) {
        Ok(r) => lossy(&r),
        Err((why, fix)) => {
            out.find(
                Severity::Error,
                Some(loc.clone()),
                format!("EnvironmentFile=: {why} the line"),
                fix,
            );
            return;
        }
    };
    let (optional, path) = match resolved.strip_prefix('-') {
        Some(p) => (true, p.to_string()),
        None => (false, resolved.clone()),
    };
    if !path.starts_with('/') {
        out.find(
            Severity::Error,
            Some(loc.clone()),
            format!(
                "EnvironmentFile={resolved}: the path is not absolute, so systemd ignores the line"
            ),
            "give the file's absolute path".into(),
        );
        return;
    }
    s.env_files.push(EnvFile {
        pattern: path,
        optional,
        at: loc.clone(),
    });
}

fn unset_environment(
    value: &str,
    loc: &Location,
    cx: &specifier::Context,
    s: &mut Settings,
    out: &mut Unit,
) {
    if value.is_empty() {
        s.unset.clear();
        return;
    }
    let words = escape::words(value.as_bytes(), ENV_WORDS).unwrap_or_else(|(w, _)| w);
    for w in words {
        let Ok(r) = resolve(&w, loc, cx, s) else {
            continue;
        };
        if envfile::name_is_valid(&r) || split_assignment(&r).is_some() {
            s.unset.push((lossy(&r), loc.clone()));
        } else {
            out.find(
                Severity::Warning,
                Some(loc.clone()),
                format!(
                    "UnsetEnvironment=: {:?} is neither a name nor NAME=VALUE: systemd ignores it",
                    lossy(&r)
                ),
                "give variable names".into(),
            );
        }
    }
}

/// Reads the files of one `EnvironmentFile=` into `env`.
fn load_env_file(f: &EnvFile, host: &dyn Host, env: &mut Vec<Variable>, out: &mut Unit) {
    let missing = |out: &mut Unit, why: String| {
        if f.optional {
            out.find(
                Severity::Info,
                Some(f.at.clone()),
                format!("EnvironmentFile=-{}: {why}; it is optional ('-'), so systemd goes on without it", f.pattern),
                String::new(),
            );
        } else {
            out.find(
                Severity::Error,
                Some(f.at.clone()),
                format!(
                    "EnvironmentFile={}: {why}: systemd will not start the service",
                    f.pattern
                ),
                format!(
                    "create the file on every node, or write EnvironmentFile=-{} if it is optional",
                    f.pattern
                ),
            );
        }
    };
    let paths = match host.glob(&f.pattern) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => return missing(out, "no such file".into()),
        Err(e) => return missing(out, e.to_string()),
    };
    for path in paths {
        let text = match host.read(&path) {
            Ok(t) => t,
            Err(e) => {
                missing(out, format!("{}: {e}", path.display()));
                continue;
            }
        };
        let parsed = envfile::parse(&text);
        let at = |line| Location {
            file: path.clone(),
            line,
        };
        if let Some(p) = parsed.pairs.iter().find(|p| {
            std::str::from_utf8(&p.key).is_err() || std::str::from_utf8(&p.value).is_err()
        }) {
            missing(
                out,
                format!("line {} of {} is not valid UTF-8", p.line, path.display()),
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
                let (severity, fix) = match bare {
                    Some(b) if envfile::name_is_valid(b.as_bytes()) => (
                        Severity::Error,
                        format!(
                            "write {b}=... without export: an environment file is not a shell script"
                        ),
                    ),
                    _ => (
                        Severity::Warning,
                        "names are letters, digits and _, not starting with a digit".into(),
                    ),
                };
                out.find(
                    severity,
                    Some(at(p.line)),
                    format!("{key:?} is not a variable name: systemd ignores the assignment"),
                    fix,
                );
                continue;
            }
            set(env, key, value, at(p.line));
        }
    }
}

/// Finds the wrapper's command and expands it.
fn command(s: &Settings, out: &mut Unit) {
    let oneshot = s.service_type.as_deref() == Some("oneshot");
    if s.exec.is_empty() {
        out.find(
            Severity::Error,
            None,
            "the unit has no ExecStart=: systemd refuses to load it".into(),
            format!("add ExecStart=/usr/lib/coreos/{WRAPPER} KUBELET_FLAGS..."),
        );
        return;
    }
    if s.exec.len() > 1 && !oneshot {
        out.find(
            Severity::Error,
            Some(s.exec[1].1.clone()),
            "more than one ExecStart= command: systemd refuses this for a service that is not Type=oneshot".into(),
            "keep one ExecStart= (a drop-in that replaces it starts with an empty ExecStart=)".into(),
        );
        return;
    }
    let Some((c, at)) = s
        .exec
        .iter()
        .find(|(c, _)| c.path.rsplit(|&b| b == b'/').next() == Some(WRAPPER.as_bytes()))
    else {
        let (c, at) = &s.exec[0];
        out.find(
            Severity::Error,
            Some(at.clone()),
            format!(
                "ExecStart= runs {}, not {WRAPPER}: the kubelet's flags cannot be read from it",
                lossy(&c.path)
            ),
            format!(
                "run the wrapper directly: ExecStart=/usr/lib/coreos/{WRAPPER} KUBELET_FLAGS..."
            ),
        );
        return;
    };
    let env = &out.environment;
    let lookup = |name: &[u8]| -> Option<Vec<u8>> {
        env.iter()
            .find(|v| v.name.as_bytes() == name)
            .map(|v| v.value.clone().into_bytes())
    };
    let mut uses = Vec::new();
    let argv = if c.no_expand {
        c.argv.clone()
    } else {
        let e = exec::expand(&c.argv, &lookup);
        for w in &e.braceless {
            out.find(
                Severity::Warning,
                Some(at.clone()),
                format!("ExecStart=: systemd expands $NAME only as a whole word, so {w:?} is passed as written"),
                "write ${NAME} inside a word".into(),
            );
        }
        for n in &e.unset {
            let (severity, message, fix) = if MANAGER_VARIABLES.contains(&n.as_str()) {
                (
                    Severity::Warning,
                    format!(
                        "ExecStart= uses ${n}, which systemd sets when it starts the service; this check cannot know its value and leaves it empty"
                    ),
                    format!("set {n} with Environment= if the kubelet's flags depend on it"),
                )
            } else if !envfile::name_is_valid(n.as_bytes()) {
                (
                    Severity::Error,
                    format!(
                        "ExecStart=: the word ${n} names no variable (systemd takes all of {n:?} as the name), so it expands to nothing"
                    ),
                    "write ${NAME} when text follows the name".to_string(),
                )
            } else {
                (
                    Severity::Error,
                    format!(
                        "ExecStart= uses ${n}, which the unit does not set: it expands to nothing"
                    ),
                    format!(
                        "set {n} with Environment= or in an EnvironmentFile=, or remove it from ExecStart="
                    ),
                )
            };
            out.find(severity, Some(at.clone()), message, fix);
        }
        uses = e.used;
        e.argv
    };
    let kubelet_args = argv.into_iter().skip(1).map(OsString::from_vec).collect();
    out.command = Some(WrapperCommand {
        at: at.clone(),
        path: lossy(&c.path),
        kubelet_args,
        uses,
    });
}

#[cfg(test)]
mod tests;
