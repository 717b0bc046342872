//! The only code that acts on the host: create the release's directories,
//! print one `+ exec` line, and replace this process with the engine.
//!
//! Order matters for a system component: the engine program is looked up
//! first, so a missing or unusable engine fails before anything is created;
//! existing paths are never changed; after `execve` systemd supervises,
//! signals and reaps the engine directly, because it *is* this process.

use crate::mountinfo::MountTable;
use crate::plan::Plan;
use crate::quote;
use std::ffi::{OsStr, OsString};
use std::fs::{self, DirBuilder};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The mode of every directory the wrapper creates.
pub const DIR_MODE: u32 = 0o755;

/// Used when `PATH` is unset, as execvp(3) does.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Why the launch stopped. [`LaunchError::exit_status`] maps each to the
/// spec's exit status (section 7).
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot create directory {}: {source}", path.display())]
    Directory { path: PathBuf, source: io::Error },
    #[error("engine program {} not found{}: install it or set {var} to its path", program.to_string_lossy(), searched(path))]
    NotFound {
        program: OsString,
        path: Option<OsString>,
        /// The admin variable that chooses the program.
        var: &'static str,
    },
    #[error("engine program {} is not executable: {reason}; set {var} to the engine's program", program.to_string_lossy())]
    NotExecutable {
        program: OsString,
        reason: String,
        var: &'static str,
    },
    #[error("cannot execute engine program {}: {source}", program.to_string_lossy())]
    Exec {
        program: OsString,
        source: io::Error,
    },
    #[error(
        "the engine command is too large for execve: {what}; shorten the kubelet flags or the *_ARGS variables"
    )]
    TooLarge { what: String },
    #[error(transparent)]
    NotShared(#[from] crate::propagation::NotShared),
    #[error("cannot make {} shared (bind it onto itself, then mark it shared): {source}; the kubelet's mounts below it would not reach the host", path.display())]
    MakeShared { path: PathBuf, source: io::Error },
}

fn searched(path: &Option<OsString>) -> String {
    match path {
        Some(p) => format!(" in PATH={}", p.to_string_lossy()),
        None => String::new(),
    }
}

impl LaunchError {
    /// 1 for a directory that cannot be created, 127 for an engine that
    /// does not exist, 126 for one that cannot be executed.
    pub fn exit_status(&self) -> u8 {
        match self {
            LaunchError::Directory { .. }
            | LaunchError::NotShared(_)
            | LaunchError::MakeShared { .. } => 1,
            LaunchError::NotFound { .. } => 127,
            LaunchError::NotExecutable { .. }
            | LaunchError::Exec { .. }
            | LaunchError::TooLarge { .. } => 126,
        }
    }
}

/// Creates every directory of the plan below `root` (`/` in production), then
/// execs the engine. Returns only on failure.
pub fn run(plan: &Plan, root: &Path) -> LaunchError {
    // Borrowed, not copied: with many kubelet flags every copy of the argv
    // shows in the wrapper's run time (docs/performance.md).
    let argv: Vec<&OsStr> = plan.argv.iter().map(|a| a.value.as_os_str()).collect();
    let var = plan.program_var.name();
    let program = match resolve_program(argv[0], std::env::var_os("PATH").as_deref(), var) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if let Err(e) = check_exec_size(&argv, std::env::vars_os(), exec_limit()) {
        return e;
    }
    let missing = match check_directories(root, &plan.directories) {
        Ok(m) => m,
        Err(e) => return e,
    };
    // before anything is created: a release that requires a shared source
    // refuses here; one that makes it shared does so once it exists
    let make_shared = match shared_to_make(root, &plan.shared) {
        Ok(m) => m,
        Err(e) => return e,
    };
    if let Err(e) = make_directories(root, &missing) {
        return e;
    }
    for path in &make_shared {
        if let Err(source) = crate::propagation::make_shared(path) {
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
    let mut line = b"+ exec ".to_vec();
    line.extend_from_slice(&quote::join(argv.iter().copied()));
    line.push(b'\n');
    // The trace is best effort: a closed stderr must not stop the kubelet.
    let _ = io::stderr().lock().write_all(&line);
    exec(&program, &argv, var)
}

/// The sources of `shared` volumes to bind onto themselves (below
/// `root`), or the refusal of one the release requires shared. Reads the
/// mount table only when the release marks a volume.
fn shared_to_make(
    root: &Path,
    shared: &[crate::propagation::SharedSource],
) -> Result<Vec<PathBuf>, LaunchError> {
    if shared.is_empty() {
        return Ok(Vec::new());
    }
    // an unreadable table: nothing is decided, as before this check
    let table = MountTable::read().unwrap_or_default();
    Ok(crate::propagation::check(&table, root, shared)?)
}

/// Writes one `kubelet-wrapper: ` line to stderr, best effort: a closed or
/// broken stderr (journald restarting, a pipe whose reader went away) must
/// never stop the kubelet from starting, and `eprintln!` would panic there.
pub fn say(msg: &str) {
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
/// what decides the outcome.
fn run_before(cmd: &[crate::command::Arg]) {
    let argv: Vec<&OsStr> = cmd.iter().map(|a| a.value.as_os_str()).collect();
    let mut line = b"+ ".to_vec();
    line.extend_from_slice(&quote::join(argv.iter().copied()));
    line.push(b'\n');
    let _ = io::stderr().lock().write_all(&line);
    let status = Command::new(argv[0]).args(&argv[1..]).status();
    let shown = argv[0].to_string_lossy();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => say(&format!("{shown} exited with {s}; continuing")),
        Err(e) => say(&format!("cannot run {shown}: {e}; continuing")),
    }
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
    let stack = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            let line = l.lines().find(|x| x.starts_with("Max stack size"))?;
            let soft = line["Max stack size".len()..].split_whitespace().next()?;
            Some(soft.parse::<usize>().unwrap_or(usize::MAX)) // "unlimited"
        });
    let quarter = stack.unwrap_or(8 << 20) / 4;
    quarter.clamp(128 << 10, 6 << 20)
}

/// Checks, before anything is created on the host, that execve will accept
/// the command with this environment under `limit` (see [`exec_limit`]):
/// each string at most [`MAX_ARG_STRLEN`] bytes, all strings with their NUL
/// bytes and pointers within the limit.
pub fn check_exec_size(
    argv: &[&OsStr],
    env: impl IntoIterator<Item = (OsString, OsString)>,
    limit: usize,
) -> Result<(), LaunchError> {
    let ptr = std::mem::size_of::<usize>();
    let mut total = (argv.len() + 2) * ptr;
    for (i, a) in argv.iter().enumerate() {
        let n = a.len() + 1;
        if n > MAX_ARG_STRLEN {
            return Err(LaunchError::TooLarge {
                what: format!(
                    "argument {i} is {} bytes, over the kernel's {MAX_ARG_STRLEN}-byte limit for one argument",
                    a.len()
                ),
            });
        }
        total += n;
    }
    for (k, v) in env {
        let n = k.len() + 1 + v.len() + 1 + ptr;
        if n > MAX_ARG_STRLEN {
            return Err(LaunchError::TooLarge {
                what: format!(
                    "the environment variable {} is {} bytes, over the kernel's {MAX_ARG_STRLEN}-byte limit for one string",
                    k.to_string_lossy(),
                    n - 1
                ),
            });
        }
        total += n;
    }
    if total > limit {
        return Err(LaunchError::TooLarge {
            what: format!(
                "{total} bytes of arguments and environment, over this host's limit of {limit} (a quarter of the stack size limit)"
            ),
        });
    }
    Ok(())
}

/// Finds the file execve will run, as bash's `exec` does: a name with a `/`
/// is used as is, any other is searched in `path` (`PATH`). Fails with the
/// status the shell would give: 127 when nothing is found, 126 when what is
/// found is a directory or has no execute bit.
pub fn resolve_program(
    program: &OsStr,
    path: Option<&OsStr>,
    var: &'static str,
) -> Result<PathBuf, LaunchError> {
    let not_executable = |reason: &str| LaunchError::NotExecutable {
        program: program.to_owned(),
        reason: reason.to_string(),
        var,
    };
    if program.as_bytes().contains(&b'/') {
        return match fs::metadata(program) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                Err(LaunchError::NotFound {
                    program: program.to_owned(),
                    path: None,
                    var,
                })
            }
            Err(e) => Err(not_executable(&e.to_string())),
            Ok(m) if m.is_dir() => Err(not_executable("it is a directory")),
            Ok(m) if m.permissions().mode() & 0o111 == 0 => {
                Err(not_executable("it has no execute permission"))
            }
            Ok(_) => Ok(PathBuf::from(program)),
        };
    }
    let path = path.unwrap_or(OsStr::new(DEFAULT_PATH));
    let mut first_unusable = None;
    for dir in path.as_bytes().split(|&b| b == b':') {
        let dir = if dir.is_empty() {
            Path::new(".")
        } else {
            Path::new(OsStr::from_bytes(dir))
        };
        let candidate = dir.join(program);
        match fs::metadata(&candidate) {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => return Ok(candidate),
            Ok(_) => {
                first_unusable.get_or_insert(candidate);
            }
            Err(_) => {}
        }
    }
    match first_unusable {
        Some(c) => Err(not_executable(&format!(
            "{} is a directory or has no execute permission",
            c.display()
        ))),
        None => Err(LaunchError::NotFound {
            program: program.to_owned(),
            path: Some(path.to_owned()),
            var,
        }),
    }
}

/// Checks, before any directory is created, that each one can be: nothing
/// but directories along its existing part, and the part to create not on a
/// read-only mount. So a fault on the last directory does not leave the
/// first ones behind. (What only creating can tell, such as a full disk, is
/// still reported by [`make_directories`].) Returns the directories that do
/// not exist yet, in order: on a restart none, and nothing more is done.
pub fn check_directories(root: &Path, dirs: &[PathBuf]) -> Result<Vec<PathBuf>, LaunchError> {
    let mut mounts: Option<MountTable> = None;
    let mut to_create = Vec::new();
    for d in dirs {
        let full = root.join(d.strip_prefix("/").unwrap_or(d));
        let fail = |path: &Path, errno: i32| LaunchError::Directory {
            path: shown_path(root, path),
            source: io::Error::from_raw_os_error(errno),
        };
        // the nearest existing path, and the first component below it
        let mut missing: Option<&Path> = None;
        let mut cur: &Path = &full;
        loop {
            match fs::metadata(cur) {
                Ok(m) if m.is_dir() => break,
                // mkdir(2): EEXIST for the path itself, ENOTDIR below a file
                Ok(_) => {
                    return Err(fail(
                        missing.map_or(cur, |_| &full),
                        if missing.is_some() { 20 } else { 17 },
                    ));
                }
                Err(_) => {
                    missing = Some(cur);
                    match cur.parent() {
                        Some(p) => cur = p,
                        None => break,
                    }
                }
            }
        }
        let Some(first) = missing else { continue };
        to_create.push(d.clone());
        // an unreadable table: creating will tell
        let mounts = mounts.get_or_insert_with(|| MountTable::read().unwrap_or_default());
        let real = fs::canonicalize(cur).unwrap_or_else(|_| cur.to_path_buf());
        if mounts.resolve(&real).is_some_and(|m| m.read_only()) {
            return Err(fail(first, 30));
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

    #[test]
    fn exec_size_limits() {
        let owned = |n: usize, len: usize| vec![OsString::from("x".repeat(len)); n];
        let check = |argv: &[OsString], env: Vec<(OsString, OsString)>, limit: usize| {
            let argv: Vec<&OsStr> = argv.iter().map(|a| a.as_os_str()).collect();
            check_exec_size(&argv, env, limit)
        };
        assert!(check(&owned(10, 100), vec![], 4096).is_ok());
        let e = check(&owned(10, 400), vec![], 4096).unwrap_err();
        assert_eq!(e.exit_status(), 126);
        assert!(
            e.to_string().contains("over this host's limit of 4096"),
            "{e}"
        );
        let e = check(&owned(1, MAX_ARG_STRLEN), vec![], usize::MAX).unwrap_err();
        assert!(e.to_string().contains("argument 0 is 131072 bytes"), "{e}");
        let env = vec![(
            OsString::from("K"),
            OsString::from("v".repeat(MAX_ARG_STRLEN)),
        )];
        let e = check(&owned(1, 1), env, usize::MAX).unwrap_err();
        assert!(e.to_string().contains("variable K"), "{e}");
        // exactly at the limit is fine: 2 args of 9 bytes + NULs + 4 pointers
        // (two for argv, its NULL, the environment's NULL), plus 1 variable
        // "A=b" + NUL and its pointer
        let ptr = std::mem::size_of::<usize>();
        let env = || vec![(OsString::from("A"), OsString::from("b"))];
        assert!(check(&owned(2, 9), env(), 24 + 5 * ptr).is_ok());
        assert!(check(&owned(2, 9), env(), 23 + 5 * ptr).is_err());
        let l = exec_limit();
        assert!((128 << 10..=6 << 20).contains(&l), "{l}");
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
        assert_eq!(status(&root.join("engine/below-a-file")), Err(127));
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
