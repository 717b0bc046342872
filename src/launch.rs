//! The only code that acts on the host: create the release's directories,
//! print one `+ exec` line, and replace this process with the engine.
//!
//! Order matters for a system component: the engine program is looked up
//! first, so a missing or unusable engine fails before anything is created;
//! existing paths are never changed; after `execve` systemd supervises,
//! signals and reaps the engine directly, because it *is* this process.

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
    #[error("engine program {} not found{}: install it or set RKT to its path", program.to_string_lossy(), searched(path))]
    NotFound {
        program: OsString,
        path: Option<OsString>,
    },
    #[error("engine program {} is not executable: {reason}; set RKT to the engine's program", program.to_string_lossy())]
    NotExecutable { program: OsString, reason: String },
    #[error("cannot execute engine program {}: {source}", program.to_string_lossy())]
    Exec {
        program: OsString,
        source: io::Error,
    },
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
            LaunchError::Directory { .. } => 1,
            LaunchError::NotFound { .. } => 127,
            LaunchError::NotExecutable { .. } | LaunchError::Exec { .. } => 126,
        }
    }
}

/// Creates every directory of the plan below `root` (`/` in production), then
/// execs the engine. Returns only on failure.
pub fn run(plan: &Plan, root: &Path) -> LaunchError {
    // Borrowed, not copied: with many kubelet flags every copy of the argv
    // shows in the wrapper's run time (docs/performance.md).
    let argv: Vec<&OsStr> = plan.argv.iter().map(|a| a.value.as_os_str()).collect();
    let program = match resolve_program(argv[0], std::env::var_os("PATH").as_deref()) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if let Err(e) = make_directories(root, &plan.directories) {
        return e;
    }
    let mut line = b"+ exec ".to_vec();
    line.extend_from_slice(&quote::join(argv.iter().copied()));
    line.push(b'\n');
    // The trace is best effort: a closed stderr must not stop the kubelet.
    let _ = io::stderr().lock().write_all(&line);
    exec(&program, &argv)
}

/// Replaces this process with `program`, argv `argv` (argv[0] as given), and
/// the environment unchanged. Returns only on failure.
pub fn exec(program: &Path, argv: &[&OsStr]) -> LaunchError {
    let err = Command::new(program).arg0(argv[0]).args(&argv[1..]).exec();
    let program = argv[0].to_owned();
    match err.kind() {
        io::ErrorKind::NotFound => LaunchError::NotFound {
            program,
            path: None,
        },
        io::ErrorKind::PermissionDenied => LaunchError::NotExecutable {
            program,
            reason: err.to_string(),
        },
        _ => LaunchError::Exec {
            program,
            source: err,
        },
    }
}

/// Finds the file execve will run, as bash's `exec` does: a name with a `/`
/// is used as is, any other is searched in `path` (`PATH`). Fails with the
/// status the shell would give: 127 when nothing is found, 126 when what is
/// found is a directory or has no execute bit.
pub fn resolve_program(program: &OsStr, path: Option<&OsStr>) -> Result<PathBuf, LaunchError> {
    let not_executable = |reason: &str| LaunchError::NotExecutable {
        program: program.to_owned(),
        reason: reason.to_string(),
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
        }),
    }
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
    fn program_resolution_statuses() {
        let root = tmp("prog");
        let exe = root.join("engine");
        fs::write(&exe, b"#!/bin/sh\n").unwrap();
        fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
        let noexec = root.join("noexec");
        fs::write(&noexec, b"").unwrap();
        let status = |p: &Path| resolve_program(p.as_os_str(), None).map_err(|e| e.exit_status());
        assert_eq!(status(&exe), Ok(exe.clone()));
        assert_eq!(status(&root.join("missing")), Err(127));
        assert_eq!(status(&root.join("engine/below-a-file")), Err(127));
        assert_eq!(status(&noexec), Err(126));
        assert_eq!(status(&root), Err(126));
        // PATH search
        let path = format!("/nonexistent:{}", root.display());
        assert_eq!(
            resolve_program(OsStr::new("engine"), Some(OsStr::new(&path))).unwrap(),
            exe
        );
        assert_eq!(
            resolve_program(OsStr::new("noexec"), Some(OsStr::new(&path)))
                .unwrap_err()
                .exit_status(),
            126
        );
        assert_eq!(
            resolve_program(OsStr::new("nothere"), Some(OsStr::new(&path)))
                .unwrap_err()
                .exit_status(),
            127
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
