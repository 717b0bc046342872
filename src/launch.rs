//! The only code that acts on the host: create the release's directories,
//! print one `+ exec` line, and replace this process with the engine.
//!
//! Order matters for a system component: the engine program is looked up
//! first, so a missing or unusable engine fails before anything is created;
//! existing paths are never changed; after `execve` systemd supervises,
//! signals and reaps the engine directly, because it *is* this process.

use crate::host::mountinfo::MountTable;
use crate::plan::Plan;
use crate::text::quote;
use std::ffi::{OsStr, OsString};
use std::fs::{self, DirBuilder};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The mode of every directory the wrapper creates.
pub const DIR_MODE: u32 = 0o755;

/// Used when `PATH` is unset, as execvp(3) does.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Every exit status of the wrapper's own, and why (kubelet-wrapper(8)'s
/// EXIT STATUS). Any other status is the engine's: the wrapper becomes the
/// engine by execve(2).
pub const EXIT_STATUSES: &[(u8, &str)] = &[
    (
        1,
        "The wrapper refuses to start, and has changed nothing: the admin layer is refused (no image tag, a value or argument the release refuses, an rkt argument with no equivalent on the release's engine; every problem is printed, one line each), a directory cannot be created, a volume's source cannot be made shared or is required shared and is not, or a build that is not pinned runs on a host whose release it cannot tell.",
    ),
    (
        126,
        "The engine program is found but cannot be executed (a directory, no execute permission, on a noexec mount, a path through a file that is not a directory, a #! interpreter that cannot be run), or the command is too large for execve(2). The status bash gives, as the CoreOS script's exec did.",
    ),
    (
        127,
        "The engine program is not found, or the interpreter of its #! line does not exist.",
    ),
];

/// Why the launch stopped. [`LaunchError::exit_status`] maps each to the
/// spec's exit status (section 7), one of [`EXIT_STATUSES`].
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot create directory {}: {source}", quote::escape(path.as_os_str().as_bytes()))]
    Directory { path: PathBuf, source: io::Error },
    #[error("cannot create directory {}: it is a symbolic link to {}, which {why}", quote::escape(path.as_os_str().as_bytes()), quote::escape(target.as_os_str().as_bytes()))]
    Link {
        path: PathBuf,
        target: PathBuf,
        why: &'static str,
    },
    #[error("engine program {} not found{}: install it or set {var} to its path", quote::escape(program.as_bytes()), searched(path))]
    NotFound {
        program: OsString,
        path: Option<OsString>,
        /// The admin variable that chooses the program.
        var: &'static str,
    },
    #[error("engine program {} is not executable: {reason}; set {var} to the engine's program", quote::escape(program.as_bytes()))]
    NotExecutable {
        program: OsString,
        reason: String,
        var: &'static str,
    },
    #[error("engine program {} cannot be executed: {why}; install it, or set {var} to the engine's program", quote::escape(program.as_bytes()))]
    BadInterpreter {
        program: OsString,
        why: String,
        /// bash's status for the same exec: 127 when a file the kernel
        /// looks for is missing, 126 otherwise.
        status: u8,
        var: &'static str,
    },
    #[error("cannot execute engine program {}: {source}", quote::escape(program.as_bytes()))]
    Exec {
        program: OsString,
        source: io::Error,
    },
    #[error(
        "the engine command is too large for execve: {what}; shorten the kubelet flags or the *_ARGS variables"
    )]
    TooLarge { what: String },
    #[error(transparent)]
    NotShared(#[from] crate::host::propagation::Refused),
    #[error("cannot make {} shared (bind it onto itself, then mark it shared): {source}; the kubelet's mounts below it would not reach the host", path.display())]
    MakeShared { path: PathBuf, source: io::Error },
}

fn searched(path: &Option<OsString>) -> String {
    match path {
        Some(p) => format!(" in PATH={}", quote::escape(p.as_bytes())),
        None => String::new(),
    }
}

impl LaunchError {
    /// 1 for a directory that cannot be created, 127 for an engine that
    /// does not exist, 126 for one that cannot be executed.
    pub fn exit_status(&self) -> u8 {
        match self {
            LaunchError::Directory { .. }
            | LaunchError::Link { .. }
            | LaunchError::NotShared(_)
            | LaunchError::MakeShared { .. } => 1,
            LaunchError::NotFound { .. } => 127,
            LaunchError::NotExecutable { .. }
            | LaunchError::Exec { .. }
            | LaunchError::TooLarge { .. } => 126,
            LaunchError::BadInterpreter { status, .. } => *status,
        }
    }
}

/// Creates every directory of the plan below `root` (`/` in production), then
/// execs the engine. Returns only on failure.
///
/// Everything that can be checked is checked before the first directory is
/// created, the way the kernel will decide it: the engine program (found,
/// executable, not on a `noexec` mount), the size of the command for
/// execve, and each directory (symbolic links followed, a read-only mount).
pub fn run(plan: &Plan, root: &Path) -> LaunchError {
    // Borrowed, not copied: with many kubelet flags every copy of the argv
    // shows in the wrapper's run time (docs/performance.md).
    let argv: Vec<&OsStr> = plan.argv.iter().map(|a| a.value.as_os_str()).collect();
    let var = plan.program_var.name();
    // read once, and only when a check needs it
    let table = std::cell::OnceCell::new();
    let mounts = || table.get_or_init(|| MountTable::read().unwrap_or_default());
    let program =
        match resolve_program_on(argv[0], std::env::var_os("PATH").as_deref(), var, &mounts) {
            Ok(p) => p,
            Err(e) => return e,
        };
    if let Err(e) = check_exec_size(program.as_os_str(), &argv, environment(), exec_limit()) {
        return e;
    }
    let missing = match check_directories_on(root, &plan.directories, &mounts) {
        Ok(m) => m,
        Err(e) => return e,
    };
    // before anything is created: a release that requires a shared source
    // refuses here; one that makes it shared does so once it exists
    let make_shared = match shared_to_make(root, &plan.shared, &mounts) {
        Ok(m) => m,
        Err(e) => return e,
    };
    if let Err(e) = make_directories(root, &missing) {
        return e;
    }
    for path in &make_shared {
        if let Err(source) = crate::host::propagation::make_shared(path) {
            return LaunchError::MakeShared {
                path: shown_path(root, path),
                source,
            };
        }
        say(&format!(
            "{} was not on a shared mount: bound it onto itself and marked it shared, so that the kubelet's mounts below it reach the host",
            shown_path(root, path).display()
        ));
    }
    for cmd in &plan.before {
        run_before(cmd);
    }
    let mut line = String::from("+ exec ");
    line.push_str(&quote::join(argv.iter().copied()));
    line.push('\n');
    // The trace is best effort: a closed stderr must not stop the kubelet.
    let _ = io::stderr().lock().write_all(line.as_bytes());
    exec(&program, &argv, var)
}

/// The sources of `shared` volumes to bind onto themselves (below
/// `root`), or the refusal of one the release requires shared. Needs the
/// mount table only when the release marks a volume.
fn shared_to_make<'t>(
    root: &Path,
    shared: &[crate::host::propagation::SharedSource],
    mounts: &impl Fn() -> &'t MountTable,
) -> Result<Vec<PathBuf>, LaunchError> {
    // what the kernel says is shared needs nothing (statmount(2): no
    // mount table read on a node as systemd leaves it)
    let unsure: Vec<crate::host::propagation::SharedSource> = shared
        .iter()
        .filter(|s| {
            let full = root.join(s.path.strip_prefix("/").unwrap_or(&s.path));
            crate::host::mountinfo::shared_here(&full) != Some(true)
        })
        .cloned()
        .collect();
    if unsure.is_empty() {
        return Ok(Vec::new());
    }
    // the rest from the kernel's mount ID and the table's first lines, the
    // whole table where it cannot (an unreadable table decides nothing)
    let lookup = |p: &Path| crate::host::propagation::state_here(p, mounts);
    Ok(crate::host::propagation::check(&lookup, root, &unsure)?)
}

/// Writes one `kubelet-wrapper: ` line to stderr, best effort: a closed or
/// broken stderr (journald restarting, a pipe whose reader went away) must
/// never stop the kubelet from starting, and `eprintln!` would panic there.
/// The message is one inert line whatever values it carries
/// ([`quote::line`]): no value can add a line to the journal.
pub fn say(msg: &str) {
    let msg = quote::line(msg);
    let mut line = Vec::with_capacity(crate::PROGRAM.len() + msg.len() + 3);
    line.extend_from_slice(crate::PROGRAM.as_bytes());
    line.extend_from_slice(b": ");
    line.extend_from_slice(msg.as_bytes());
    line.push(b'\n');
    let _ = io::stderr().lock().write_all(&line);
}

/// Runs a preparatory command (such as removing a previous kubelet
/// container) to completion. Its failure is reported and otherwise ignored,
/// as with systemd's `ExecStartPre=-`: the engine start that follows is
/// what decides the outcome. Its output goes to the wrapper's; its error
/// output only when it fails: `docker rm --force NAME` of a container that
/// is not there succeeds but prints "Error: No such container", which
/// would otherwise reach the journal on every clean start.
fn run_before(cmd: &[crate::engine::command::Arg]) {
    let argv: Vec<&OsStr> = cmd.iter().map(|a| a.value.as_os_str()).collect();
    let mut line = String::from("+ ");
    line.push_str(&quote::join(argv.iter().copied()));
    line.push('\n');
    let _ = io::stderr().lock().write_all(line.as_bytes());
    let shown = quote::escape(argv[0].as_bytes());
    let child = Command::new(argv[0])
        .args(&argv[1..])
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return say(&format!("cannot run {shown}: {e}; continuing")),
    };
    let errors = child.stderr.take().map(read_bounded).unwrap_or_default();
    match child.wait() {
        Ok(s) if s.success() => {}
        Ok(s) => {
            let _ = io::stderr().lock().write_all(&errors);
            say(&format!("{shown} exited with {s}; continuing"));
        }
        Err(e) => say(&format!("cannot run {shown}: {e}; continuing")),
    }
}

/// The error output a preparatory command may leave for the journal.
const BEFORE_OUTPUT_MAX: usize = 64 << 10;

/// Everything `r` gives until its end, keeping the first
/// [`BEFORE_OUTPUT_MAX`] bytes (reading the rest, so that the writer never
/// blocks on a full pipe).
fn read_bounded(mut r: impl io::Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = BEFORE_OUTPUT_MAX.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    kept
}

/// Replaces this process with `program`, argv `argv` (argv[0] as given), and
/// the environment unchanged. Returns only on failure.
pub fn exec(program: &Path, argv: &[&OsStr], var: &'static str) -> LaunchError {
    let err = Command::new(program).arg0(argv[0]).args(&argv[1..]).exec();
    let program = argv[0].to_owned();
    match err.kind() {
        io::ErrorKind::NotFound => LaunchError::NotFound {
            program,
            path: None,
            var,
        },
        io::ErrorKind::PermissionDenied => LaunchError::NotExecutable {
            program,
            reason: err.to_string(),
            var,
        },
        _ => LaunchError::Exec {
            program,
            source: err,
        },
    }
}

/// Linux's limit on one argument or environment string (`MAX_ARG_STRLEN`,
/// 32 pages).
pub const MAX_ARG_STRLEN: usize = 32 * 4096;

/// The room execve(2) gives argv and environment together: a quarter of the
/// stack size limit, at most 6 MiB (three quarters of the kernel's 8 MiB
/// `_STK_LIM`), at least 128 KiB (`ARG_MAX`).
pub fn exec_limit() -> usize {
    // SAFETY: an all-zero rlimit is a valid value of the plain C struct.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: getrlimit(2) writes the struct it is given.
    let stack = (unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut lim) } == 0).then(|| {
        if lim.rlim_cur == libc::RLIM_INFINITY {
            usize::MAX
        } else {
            usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
        }
    });
    let quarter = stack.unwrap_or(8 << 20) / 4;
    quarter.clamp(128 << 10, 6 << 20)
}

/// This process's environment as execve passes it on (the exec leaves it
/// unchanged): each `KEY=VALUE` string, borrowed, without the copies
/// [`std::env::vars_os`] makes.
pub fn environment() -> impl Iterator<Item = &'static [u8]> {
    // SAFETY: `environ` is the C library's NULL-terminated array of
    // NUL-terminated strings; nothing in this single-threaded program
    // changes the environment between here and the exec.
    let mut p = unsafe { libc::environ };
    std::iter::from_fn(move || {
        if p.is_null() {
            return None;
        }
        // SAFETY: as above; `p` points into the array until its NULL.
        let s = unsafe { *p };
        if s.is_null() {
            return None;
        }
        // SAFETY: as above.
        p = unsafe { p.add(1) };
        // SAFETY: a NUL-terminated string that lives as long as the process.
        Some(unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes())
    })
}

/// Checks, before anything is created on the host, that execve will accept
/// the command with this environment under `limit` (see [`exec_limit`]),
/// counting as the kernel counts (fs/exec.c): each string (argument,
/// `KEY=VALUE`) with its NUL at most [`MAX_ARG_STRLEN`] bytes; all of them
/// with their NULs, and the file name execve copies too (`filename`, as
/// passed to it), at most `limit` less a pointer for each argument and
/// environment string.
pub fn check_exec_size<E: AsRef<[u8]>>(
    filename: &OsStr,
    argv: &[&OsStr],
    env: impl IntoIterator<Item = E>,
    limit: usize,
) -> Result<(), LaunchError> {
    let ptr = std::mem::size_of::<usize>();
    let mut strings = filename.len() + 1;
    let mut count = argv.len().max(1);
    for (i, a) in argv.iter().enumerate() {
        let n = a.len() + 1;
        if n > MAX_ARG_STRLEN {
            return Err(LaunchError::TooLarge {
                what: format!(
                    "argument {i} is {} bytes, over the kernel's limit of {} for one argument",
                    a.len(),
                    MAX_ARG_STRLEN - 1
                ),
            });
        }
        strings += n;
    }
    for entry in env {
        // "KEY=VALUE" and its NUL
        let entry = entry.as_ref();
        let n = entry.len() + 1;
        if n > MAX_ARG_STRLEN {
            let key = entry.split(|&b| b == b'=').next().unwrap_or_default();
            return Err(LaunchError::TooLarge {
                what: format!(
                    "the environment variable {} is {} bytes, over the kernel's limit of {} for one string",
                    quote::escape(key),
                    n - 1,
                    MAX_ARG_STRLEN - 1
                ),
            });
        }
        strings += n;
        count += 1;
    }
    let pointers = count * ptr;
    if strings + pointers > limit {
        return Err(LaunchError::TooLarge {
            what: format!(
                "{} bytes of arguments, environment and the engine's file name, and {pointers} bytes of pointers to them, over this host's limit of {limit} (a quarter of the stack size limit)",
                strings
            ),
        });
    }
    Ok(())
}

/// Finds the file execve will run, as bash's `exec` does: a name with a `/`
/// is used as is, any other is searched in `path` (`PATH`). Fails with the
/// status the shell would give: 127 when nothing is found, 126 when what is
/// found is a directory, has no execute bit or is on a `noexec` mount
/// (which execve refuses whatever the file's mode).
pub fn resolve_program(
    program: &OsStr,
    path: Option<&OsStr>,
    var: &'static str,
) -> Result<PathBuf, LaunchError> {
    let table = std::cell::OnceCell::new();
    resolve_program_on(program, path, var, &|| {
        table.get_or_init(|| MountTable::read().unwrap_or_default())
    })
}

/// Asks the kernel whether this process may execute `path`: access(2) with
/// `X_OK` applies the checks execve's permission check applies, a `noexec`
/// mount included, in one system call.
fn may_execute(path: &Path) -> io::Result<()> {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `c` is a NUL-terminated string that outlives the call, which
    // only reads it.
    if unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Why execve would refuse to run the file at `path` (`meta`: its
/// metadata, links followed), or `None`. The kernel decides
/// ([`may_execute`]); the mount table only says why, when a `noexec` mount
/// is the reason (reading it costs milliseconds on a node with thousands of
/// mounts, so only on this path).
fn unusable<'m>(
    path: &Path,
    meta: &fs::Metadata,
    mounts: &dyn Fn() -> &'m MountTable,
) -> Option<String> {
    if meta.is_dir() {
        return Some("it is a directory".into());
    }
    if meta.permissions().mode() & 0o111 == 0 {
        return Some("it has no execute permission".into());
    }
    let refused = may_execute(path).err()?;
    let noexec = fs::canonicalize(path)
        .ok()
        .and_then(|real| mounts().resolve(&real).filter(|m| m.no_exec()).cloned());
    Some(match noexec {
        Some(m) => format!(
            "{} is mounted noexec",
            quote::escape(m.point.as_os_str().as_bytes())
        ),
        None => format!("execve would refuse it: {refused}"),
    })
}

/// Linux's limit on interpreters of interpreters (`#!` scripts run by
/// `#!` scripts) in one execve.
const MAX_INTERPRETERS: usize = 4;

/// Why execve would fail on the `#!` line of the file at `path`, with the
/// status bash gives for it (127 for an interpreter that does not exist,
/// 126 for one that cannot be run), or `None` (not a script, or one whose
/// interpreter the kernel can run). Read before anything is created:
/// otherwise the directories are made and the exec fails.
fn interpreter(path: &Path, depth: usize) -> Option<(u8, String)> {
    use std::io::Read;
    // the kernel reads the first 256 bytes (BINPRM_BUF_SIZE)
    let mut head = [0u8; 256];
    let n = fs::File::open(path).ok()?.read(&mut head).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = line.split(|&b| b == b'\n').next().unwrap_or_default();
    let start = line.iter().position(|&b| b != b' ' && b != b'\t')?;
    let name = line[start..]
        .split(|&b| matches!(b, b' ' | b'\t' | 0))
        .next()
        .unwrap_or_default();
    let shown = quote::escape(name);
    if depth >= MAX_INTERPRETERS {
        return Some((
            126,
            format!("its #! interpreters go deeper than the kernel's {MAX_INTERPRETERS}"),
        ));
    }
    let interp = Path::new(OsStr::from_bytes(name));
    match fs::metadata(interp) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Some((
            127,
            format!("its interpreter {shown} (its #! line) does not exist"),
        )),
        Err(e) => Some((126, format!("its interpreter {shown} (its #! line): {e}"))),
        Ok(m) if m.is_dir() => Some((
            126,
            format!("its interpreter {shown} (its #! line) is a directory"),
        )),
        Ok(_) if may_execute(interp).is_err() => Some((
            126,
            format!("its interpreter {shown} (its #! line) is not executable"),
        )),
        Ok(_) => interpreter(interp, depth + 1)
            .map(|(status, why)| (status, format!("its interpreter {shown}: {why}"))),
    }
}

/// [`resolve_program`] with the mount table given.
fn resolve_program_on<'m>(
    program: &OsStr,
    path: Option<&OsStr>,
    var: &'static str,
    mounts: &dyn Fn() -> &'m MountTable,
) -> Result<PathBuf, LaunchError> {
    let not_executable = |reason: String| LaunchError::NotExecutable {
        program: program.to_owned(),
        reason,
        var,
    };
    if program.as_bytes().contains(&b'/') {
        return match fs::metadata(program) {
            // bash: 127 for a file that is not there; a path through a
            // file that is not a directory (RKT=/etc/hostname/rkt) is
            // "Not a directory", 126
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(LaunchError::NotFound {
                program: program.to_owned(),
                path: None,
                var,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => Err(not_executable(
                "a component of its path is not a directory".into(),
            )),
            Err(e) => Err(not_executable(e.to_string())),
            Ok(m) => match unusable(Path::new(program), &m, mounts) {
                Some(why) => Err(not_executable(why)),
                None => interpreter(Path::new(program), 0).map_or(
                    Ok(PathBuf::from(program)),
                    |(status, why)| {
                        Err(LaunchError::BadInterpreter {
                            program: program.to_owned(),
                            why,
                            status,
                            var,
                        })
                    },
                ),
            },
        };
    }
    let path = path.unwrap_or(OsStr::new(DEFAULT_PATH));
    // as bash: the first usable candidate, else report the first unusable one
    let mut first_unusable = None;
    for dir in path.as_bytes().split(|&b| b == b':') {
        let dir = if dir.is_empty() {
            Path::new(".")
        } else {
            Path::new(OsStr::from_bytes(dir))
        };
        let candidate = dir.join(program);
        if let Ok(m) = fs::metadata(&candidate) {
            match unusable(&candidate, &m, mounts) {
                None => {
                    // bash runs what it found: its interpreter decides
                    return match interpreter(&candidate, 0) {
                        None => Ok(candidate),
                        Some((status, why)) => Err(LaunchError::BadInterpreter {
                            program: program.to_owned(),
                            why,
                            status,
                            var,
                        }),
                    };
                }
                Some(why) => {
                    first_unusable.get_or_insert((candidate, why));
                }
            }
        }
    }
    match first_unusable {
        Some((c, why)) => Err(not_executable(format!(
            "{}: {why}",
            quote::escape(c.as_os_str().as_bytes())
        ))),
        None => Err(LaunchError::NotFound {
            program: program.to_owned(),
            path: Some(path.to_owned()),
            var,
        }),
    }
}

/// Linux's limit on symbolic links followed in one lookup (`MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// Where a directory of the release stands before anything is created.
enum Resolved {
    /// It exists (through links or not).
    Exists,
    /// It must be created: `first` is the first missing component (the
    /// path as on the host), below the existing directory `parent` (real:
    /// every link followed).
    Missing { first: PathBuf, parent: PathBuf },
}

/// Follows `dir` below `root` as path lookup does, one component at a
/// time: a symbolic link is read and followed in place (an absolute target
/// from `root`, a relative one from the link's directory), `..` never goes
/// above `root`. A link that leads nowhere (dangling) or in circles, or a
/// file where a directory must be, is an error here, before anything is
/// created: `mkdir -p` would fail on it after creating the directories
/// before it.
fn resolve_dir(root: &Path, dir: &Path) -> Result<Resolved, LaunchError> {
    let shown = |p: &Path| shown_path(root, p);
    let io_err = |p: &Path, errno: i32| LaunchError::Directory {
        path: shown(p),
        source: io::Error::from_raw_os_error(errno),
    };
    // the components still to walk, last first; each with the link it came
    // from (for messages)
    let mut todo: Vec<(std::ffi::OsString, Option<(PathBuf, PathBuf)>)> = dir
        .components()
        .rev()
        .filter_map(|c| match c {
            Component::Normal(n) => Some((n.to_owned(), None)),
            Component::ParentDir => Some(("..".into(), None)),
            _ => None,
        })
        .collect();
    // `real`: the directory reached so far, every link followed;
    // `written`: the same place as the release wrote it (for messages)
    let mut real = root.to_path_buf();
    let mut written = root.to_path_buf();
    let mut links = 0;
    while let Some((c, via)) = todo.pop() {
        if c == ".." {
            if real != root {
                real.pop();
            }
            continue;
        }
        let next = real.join(&c);
        if via.is_none() {
            written.push(&c);
        }
        match fs::symlink_metadata(&next) {
            Ok(m) if m.file_type().is_symlink() => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(io_err(&written, 40)); // ELOOP
                }
                let target = fs::read_link(&next).map_err(|e| LaunchError::Directory {
                    path: shown(&written),
                    source: e,
                })?;
                let link = via.clone().unwrap_or((shown(&written), target.clone()));
                if target.is_absolute() {
                    real = root.to_path_buf();
                }
                for t in target.components().rev() {
                    match t {
                        Component::Normal(n) => todo.push((n.to_owned(), Some(link.clone()))),
                        Component::ParentDir => todo.push(("..".into(), Some(link.clone()))),
                        _ => {}
                    }
                }
            }
            Ok(m) if m.is_dir() => real = next,
            // mkdir(2): EEXIST for the path itself, ENOTDIR below a file
            Ok(_) if todo.is_empty() => return Err(io_err(&written, 17)),
            Ok(_) => return Err(io_err(&shown_join(root, dir), 20)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some((link, target)) = via {
                    return Err(LaunchError::Link {
                        path: link,
                        target,
                        why: "does not exist",
                    });
                }
                return Ok(Resolved::Missing {
                    first: shown(&written),
                    parent: real,
                });
            }
            Err(e) => {
                return Err(LaunchError::Directory {
                    path: shown(&written),
                    source: e,
                });
            }
        }
    }
    Ok(Resolved::Exists)
}

/// `dir` (absolute, as the release writes it) below `root`, as shown.
fn shown_join(root: &Path, dir: &Path) -> PathBuf {
    shown_path(root, &root.join(dir.strip_prefix("/").unwrap_or(dir)))
}

/// Checks, before any directory is created, that each one can be: links
/// resolved as lookup resolves them ([`resolve_dir`]), nothing but
/// directories along the existing part, and the part to create not on a
/// read-only mount (the mount the real parent directory is on, as lookup
/// finds it: a writable mount over a read-only one hides it). So a fault
/// on the last directory does not leave the first ones behind. (What only
/// creating can tell, such as a full disk, is still reported by
/// [`make_directories`].) Returns the directories that do not exist yet, in
/// order: on a restart none, and nothing more is done.
pub fn check_directories(root: &Path, dirs: &[PathBuf]) -> Result<Vec<PathBuf>, LaunchError> {
    let table = std::cell::OnceCell::new();
    check_directories_on(root, dirs, &|| {
        table.get_or_init(|| MountTable::read().unwrap_or_default())
    })
}

/// [`check_directories`] with the mount table given.
fn check_directories_on<'m>(
    root: &Path,
    dirs: &[PathBuf],
    mounts: &dyn Fn() -> &'m MountTable,
) -> Result<Vec<PathBuf>, LaunchError> {
    let mut to_create = Vec::new();
    for d in dirs {
        let Resolved::Missing { first, parent } = resolve_dir(root, d)? else {
            continue;
        };
        to_create.push(d.clone());
        // an unreadable table: creating will tell
        if mounts().resolve(&parent).is_some_and(|m| m.read_only()) {
            return Err(LaunchError::Directory {
                path: first,
                source: io::Error::from_raw_os_error(30), // EROFS
            });
        }
    }
    Ok(to_create)
}

/// `mkdir -p` for each directory, below `root`: missing parents are made,
/// existing directories (or symlinks to directories) are left untouched, new
/// ones get mode 0755 whatever the umask.
pub fn make_directories(root: &Path, dirs: &[PathBuf]) -> Result<(), LaunchError> {
    for d in dirs {
        let full = root.join(d.strip_prefix("/").unwrap_or(d));
        mkdir_p(&full).map_err(|(path, source)| LaunchError::Directory {
            path: shown_path(root, &path),
            source,
        })?;
    }
    Ok(())
}

/// The path as it is on the host being set up (without the test root).
fn shown_path(root: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rel) => Path::new("/").join(rel),
        Err(_) => path.to_path_buf(),
    }
}

/// Creates `path` and its missing parents; on failure, the path that could
/// not be created and why.
fn mkdir_p(path: &Path) -> Result<(), (PathBuf, io::Error)> {
    match DirBuilder::new().mode(DIR_MODE).create(path) {
        Ok(()) => set_mode(path),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            if path.is_dir() {
                Ok(())
            } else {
                Err((path.to_path_buf(), e))
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            match path.parent() {
                Some(parent) if parent != path => mkdir_p(parent)?,
                _ => return Err((path.to_path_buf(), e)),
            }
            match DirBuilder::new().mode(DIR_MODE).create(path) {
                Ok(()) => set_mode(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
                Err(e) => Err((path.to_path_buf(), e)),
            }
        }
        Err(e) => Err((path.to_path_buf(), e)),
    }
}

/// A directory this process just created gets exactly [`DIR_MODE`], even
/// under a restrictive umask.
fn set_mode(path: &Path) -> Result<(), (PathBuf, io::Error)> {
    let meta = fs::symlink_metadata(path).map_err(|e| (path.to_path_buf(), e))?;
    if meta.permissions().mode() & 0o7777 != DIR_MODE {
        fs::set_permissions(path, fs::Permissions::from_mode(DIR_MODE))
            .map_err(|e| (path.to_path_buf(), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// Every way the launch stops has a status kubelet-wrapper(8)
    /// documents, and the statuses documented are the ones it returns.
    #[test]
    fn every_status_is_documented() {
        let io = || io::Error::from(io::ErrorKind::Other);
        let all = [
            LaunchError::Directory {
                path: "/x".into(),
                source: io(),
            },
            LaunchError::Link {
                path: "/x".into(),
                target: "/y".into(),
                why: "",
            },
            LaunchError::NotFound {
                program: "x".into(),
                path: None,
                var: "RKT",
            },
            LaunchError::NotExecutable {
                program: "x".into(),
                reason: String::new(),
                var: "RKT",
            },
            LaunchError::BadInterpreter {
                program: "x".into(),
                why: String::new(),
                status: 127,
                var: "RKT",
            },
            LaunchError::BadInterpreter {
                program: "x".into(),
                why: String::new(),
                status: 126,
                var: "RKT",
            },
            LaunchError::Exec {
                program: "x".into(),
                source: io(),
            },
            LaunchError::TooLarge {
                what: String::new(),
            },
            LaunchError::NotShared(crate::host::propagation::Refused::Unbindable(
                crate::host::propagation::Unbindable {
                    volume: String::new(),
                    path: "/x".into(),
                    mount: "/".into(),
                },
            )),
            LaunchError::MakeShared {
                path: "/x".into(),
                source: io(),
            },
        ];
        // a new way to stop does not compile here until it is in `all`
        for e in &all {
            match e {
                LaunchError::Directory { .. }
                | LaunchError::Link { .. }
                | LaunchError::NotFound { .. }
                | LaunchError::NotExecutable { .. }
                | LaunchError::BadInterpreter { .. }
                | LaunchError::Exec { .. }
                | LaunchError::TooLarge { .. }
                | LaunchError::NotShared(_)
                | LaunchError::MakeShared { .. } => {}
            }
        }
        let documented: Vec<u8> = EXIT_STATUSES.iter().map(|(s, _)| *s).collect();
        let mut returned: Vec<u8> = all.iter().map(LaunchError::exit_status).collect();
        // refusals of the admin layer and of the host's release are 1 too
        // (src/bin/kubelet-wrapper.rs)
        returned.push(1);
        for s in &returned {
            assert!(documented.contains(s), "status {s} is not in EXIT_STATUSES");
        }
        for s in &documented {
            assert!(
                returned.contains(s),
                "status {s} is documented but never returned"
            );
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kw-launch-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn mkdir_p_creates_parents_with_0755_and_leaves_existing_alone() {
        let root = tmp("mkdir");
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::set_permissions(root.join("etc"), fs::Permissions::from_mode(0o700)).unwrap();
        fs::create_dir_all(root.join("target")).unwrap();
        symlink(root.join("target"), root.join("run")).unwrap();
        let dirs: Vec<PathBuf> = [
            "/etc/kubernetes",
            "/var/lib/docker",
            "/var/lib/kubelet",
            "/run/kubelet",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        make_directories(&root, &dirs).unwrap();
        let mode = |p: &str| fs::metadata(root.join(p)).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode("etc"), 0o700, "existing directory re-permissioned");
        for p in [
            "etc/kubernetes",
            "var",
            "var/lib",
            "var/lib/docker",
            "var/lib/kubelet",
            "target/kubelet",
        ] {
            assert_eq!(mode(p), 0o755, "{p}");
        }
        // idempotent
        make_directories(&root, &dirs).unwrap();
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn check_directories_returns_only_the_missing_ones() {
        let root = tmp("check");
        fs::create_dir_all(root.join("etc/kubernetes")).unwrap();
        fs::create_dir_all(root.join("var/lib")).unwrap();
        let dirs: Vec<PathBuf> = ["/etc/kubernetes", "/var/lib/docker", "/var/lib/kubelet"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let missing = check_directories(&root, &dirs).unwrap();
        assert_eq!(
            missing,
            [
                PathBuf::from("/var/lib/docker"),
                PathBuf::from("/var/lib/kubelet")
            ]
        );
        make_directories(&root, &missing).unwrap();
        assert!(check_directories(&root, &dirs).unwrap().is_empty());
        // a file in the way of the last one: refused before anything is made
        fs::write(root.join("var/lib/kubelet2"), b"").unwrap();
        let more: Vec<PathBuf> = ["/opt/cni/bin", "/var/lib/kubelet2/x"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let e = check_directories(&root, &more).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot create directory /var/lib/kubelet2/x: Not a directory"),
            "{e}"
        );
        assert!(!root.join("opt").exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn mkdir_p_refuses_a_file_in_the_way_and_names_it() {
        let root = tmp("file");
        fs::create_dir_all(root.join("var/lib")).unwrap();
        fs::write(root.join("var/lib/kubelet"), b"keep me").unwrap();
        let err = make_directories(&root, &[PathBuf::from("/var/lib/kubelet")]).unwrap_err();
        assert_eq!(err.exit_status(), 1);
        assert!(
            err.to_string()
                .starts_with("cannot create directory /var/lib/kubelet: "),
            "{err}"
        );
        assert_eq!(fs::read(root.join("var/lib/kubelet")).unwrap(), b"keep me");
        // a file as a parent
        fs::write(root.join("etc"), b"x").unwrap();
        let err = make_directories(&root, &[PathBuf::from("/etc/kubernetes")]).unwrap_err();
        assert!(err.to_string().contains("/etc/kubernetes"), "{err}");
        fs::remove_dir_all(&root).unwrap();
    }

    /// `KEY=VALUE` strings, as execve takes them.
    fn entries(env: &[(OsString, OsString)]) -> Vec<Vec<u8>> {
        env.iter()
            .map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat())
            .collect()
    }

    #[test]
    fn the_environment_is_the_processs() {
        let ours: Vec<Vec<u8>> = environment().map(<[u8]>::to_vec).collect();
        let std: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        assert_eq!(ours, entries(&std));
    }

    #[test]
    fn exec_size_limits() {
        let owned = |n: usize, len: usize| vec![OsString::from("x".repeat(len)); n];
        let check = |argv: &[OsString], env: Vec<(OsString, OsString)>, limit: usize| {
            let argv: Vec<&OsStr> = argv.iter().map(|a| a.as_os_str()).collect();
            check_exec_size(OsStr::new("/e"), &argv, entries(&env), limit)
        };
        assert!(check(&owned(10, 100), vec![], 4096).is_ok());
        let e = check(&owned(10, 410), vec![], 4096).unwrap_err();
        assert_eq!(e.exit_status(), 126);
        assert!(
            e.to_string().contains("over this host's limit of 4096"),
            "{e}"
        );
        let e = check(&owned(1, MAX_ARG_STRLEN), vec![], usize::MAX).unwrap_err();
        assert!(e.to_string().contains("argument 0 is 131072 bytes"), "{e}");
        assert!(check(&owned(1, MAX_ARG_STRLEN - 1), vec![], usize::MAX).is_ok());
        // one string: "K=" and the value, alone (no pointer) with its NUL
        let env = |n: usize| vec![(OsString::from("K"), OsString::from("v".repeat(n - 2)))];
        assert!(check(&owned(1, 1), env(MAX_ARG_STRLEN - 1), usize::MAX).is_ok());
        let e = check(&owned(1, 1), env(MAX_ARG_STRLEN), usize::MAX).unwrap_err();
        assert!(e.to_string().contains("variable K is 131072 bytes"), "{e}");
        // exactly at the limit is fine: the file name "/e" (3 bytes with its
        // NUL), 2 arguments of 9 bytes and their NULs, "A=b" and its NUL,
        // and a pointer to each of the 3 strings
        let ptr = std::mem::size_of::<usize>();
        let env = || vec![(OsString::from("A"), OsString::from("b"))];
        assert!(check(&owned(2, 9), env(), 27 + 3 * ptr).is_ok());
        assert!(check(&owned(2, 9), env(), 26 + 3 * ptr).is_err());
        let l = exec_limit();
        assert!((128 << 10..=6 << 20).contains(&l), "{l}");
    }

    /// The check agrees with the kernel at every edge: a real program is
    /// spawned with commands just within and just over each limit.
    #[test]
    fn exec_size_agrees_with_the_kernel() {
        let prog = "/bin/true";
        let limit = exec_limit();
        let ptr = std::mem::size_of::<usize>();
        let both = |argv: &[OsString], env: &[(OsString, OsString)]| {
            let args: Vec<&OsStr> = argv.iter().map(|a| a.as_os_str()).collect();
            let ours = check_exec_size(OsStr::new(prog), &args, entries(env), limit).is_ok();
            let kernel = match Command::new(prog)
                .arg0(&argv[0])
                .args(&argv[1..])
                .env_clear()
                .envs(env.iter().map(|(k, v)| (k, v)))
                .status()
            {
                Ok(s) => s.success(),
                Err(e) if e.raw_os_error() == Some(7) => false, // E2BIG
                Err(e) => panic!("{prog}: {e}"),
            };
            (ours, kernel)
        };
        // one environment string of the most the kernel takes, and one more
        for n in [MAX_ARG_STRLEN - 1, MAX_ARG_STRLEN] {
            let env = [(OsString::from("K"), OsString::from("v".repeat(n - 2)))];
            let (ours, kernel) = both(&[prog.into()], &env);
            assert_eq!(ours, kernel, "a {n}-byte environment string");
            assert_eq!(ours, n < MAX_ARG_STRLEN);
        }
        // the whole command one byte under, at and over the limit
        for total in [limit - 1, limit, limit + 1] {
            // the file name, argv[0] and their pointer
            let mut size = 2 * (prog.len() + 1) + ptr;
            let mut argv = vec![OsString::from(prog)];
            while size < total {
                let n = (total - size - ptr - 1).min(100_000);
                argv.push("x".repeat(n).into());
                size += n + 1 + ptr;
            }
            assert_eq!(size, total);
            let (ours, kernel) = both(&argv, &[]);
            assert_eq!(ours, kernel, "{total} bytes against a limit of {limit}");
            assert_eq!(ours, total <= limit);
        }
    }

    #[test]
    fn directories_follow_links_in_place_and_refuse_broken_ones() {
        let root = tmp("links");
        fs::create_dir_all(root.join("var")).unwrap();
        fs::create_dir_all(root.join("srv/data")).unwrap();
        // an absolute link resolves from the root, not from the host's /
        symlink("/srv/data", root.join("var/lib")).unwrap();
        symlink("../srv", root.join("opt")).unwrap();
        let dirs = |d: &[&str]| -> Vec<PathBuf> { d.iter().map(PathBuf::from).collect() };
        let missing = check_directories(&root, &dirs(&["/var/lib/kubelet", "/opt/data"])).unwrap();
        assert_eq!(missing, dirs(&["/var/lib/kubelet"]));
        // dangling, directly and on the way
        symlink("/srv/gone", root.join("var/run")).unwrap();
        for d in ["/var/run", "/var/run/kubelet"] {
            let e = check_directories(&root, &dirs(&["/etc/kubernetes", d])).unwrap_err();
            assert_eq!(e.exit_status(), 1);
            assert_eq!(
                e.to_string(),
                "cannot create directory /var/run: it is a symbolic link to /srv/gone, which does not exist",
                "{d}"
            );
        }
        // a loop
        symlink("loop", root.join("srv/loop")).unwrap();
        let e = check_directories(&root, &dirs(&["/srv/loop/x"])).unwrap_err();
        assert!(
            e.to_string()
                .contains("/srv/loop: Too many levels of symbolic links"),
            "{e}"
        );
        // a link to a file
        fs::write(root.join("srv/file"), b"").unwrap();
        symlink("file", root.join("srv/to-file")).unwrap();
        let e = check_directories(&root, &dirs(&["/srv/to-file"])).unwrap_err();
        assert!(e.to_string().contains("/srv/to-file: File exists"), "{e}");
        let e = check_directories(&root, &dirs(&["/srv/to-file/x"])).unwrap_err();
        assert!(
            e.to_string().contains("/srv/to-file/x: Not a directory"),
            "{e}"
        );
        // `..` in a link target stops at the root
        symlink("../../../../srv", root.join("var/up")).unwrap();
        assert!(
            check_directories(&root, &dirs(&["/var/up/data"]))
                .unwrap()
                .is_empty()
        );
        assert!(!root.join("etc").exists(), "nothing was created");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn program_resolution_statuses() {
        let root = tmp("prog");
        let exe = root.join("engine");
        fs::write(&exe, b"#!/bin/sh\n").unwrap();
        fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
        let noexec = root.join("noexec");
        fs::write(&noexec, b"").unwrap();
        let status =
            |p: &Path| resolve_program(p.as_os_str(), None, "RKT").map_err(|e| e.exit_status());
        assert_eq!(status(&exe), Ok(exe.clone()));
        assert_eq!(status(&root.join("missing")), Err(127));
        // bash: "Not a directory", 126
        assert_eq!(status(&root.join("engine/below-a-file")), Err(126));
        assert_eq!(status(&noexec), Err(126));
        assert_eq!(status(&root), Err(126));
        // PATH search
        let path = format!("/nonexistent:{}", root.display());
        assert_eq!(
            resolve_program(OsStr::new("engine"), Some(OsStr::new(&path)), "RKT").unwrap(),
            exe
        );
        assert_eq!(
            resolve_program(OsStr::new("noexec"), Some(OsStr::new(&path)), "RKT")
                .unwrap_err()
                .exit_status(),
            126
        );
        assert_eq!(
            resolve_program(OsStr::new("nothere"), Some(OsStr::new(&path)), "RKT")
                .unwrap_err()
                .exit_status(),
            127
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
