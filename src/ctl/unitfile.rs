//! The edge of the unit reader ([`crate::unit`]): the unit file, its
//! drop-ins and environment files read from the host, node-dependent
//! specifiers from this machine; and how the tool shows a unit.

use super::output::Failure;
use crate::json;
use crate::unit::{self, File, Finding, Host, Unit};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The most of a unit file, drop-in or environment file read: systemd's own
/// limits are far below (a line is at most 1 MiB), and a path that is a
/// link to /dev/zero must not be read forever.
const MAX_BYTES: u64 = 16 << 20;

/// The host the tool runs on.
pub struct System;

impl Host for System {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        crate::bounded::read(path, MAX_BYTES)
    }

    fn glob(&self, pattern: &str) -> io::Result<Vec<PathBuf>> {
        Ok(glob(pattern))
    }

    fn specifier(&self, c: char) -> Option<String> {
        let first_line = |p: &str| {
            fs::read_to_string(p)
                .ok()
                .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
        };
        // read as the wrapper reads it (bounded; /usr/lib's only when
        // /etc's does not exist)
        let os_release = |key: &str| {
            let (_, os) = crate::osrelease::detect(Path::new("/")).ok()?;
            os.get(key).map(|v| String::from_utf8_lossy(v).into_owned())
        };
        let hostname = || first_line("/proc/sys/kernel/hostname");
        match c {
            'H' => hostname(),
            'l' => hostname().map(|h| h.split('.').next().unwrap_or("").to_string()),
            'q' => fs::read("/etc/machine-info")
                .ok()
                .and_then(|t| {
                    unit::envfile::parse(&t)
                        .pairs
                        .into_iter()
                        .find(|p| p.key == b"PRETTY_HOSTNAME")
                        .map(|p| String::from_utf8_lossy(&p.value).into_owned())
                })
                .or_else(|| hostname().map(|h| h.split('.').next().unwrap_or("").to_string())),
            'm' => first_line("/etc/machine-id"),
            'b' => first_line("/proc/sys/kernel/random/boot_id").map(|b| b.replace('-', "")),
            'v' => first_line("/proc/sys/kernel/osrelease"),
            'a' => Some(
                match std::env::consts::ARCH {
                    "x86_64" => "x86-64",
                    "aarch64" => "arm64",
                    "powerpc64" => "ppc64-le",
                    other => other,
                }
                .to_string(),
            ),
            'o' => os_release("ID"),
            'w' => os_release("VERSION_ID"),
            'B' => os_release("BUILD_ID"),
            'W' => os_release("VARIANT_ID"),
            'M' => os_release("IMAGE_ID"),
            'A' => os_release("IMAGE_VERSION"),
            's' => fs::read_to_string("/etc/passwd").ok().and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("root:"))
                    .and_then(|l| l.rsplit(':').next().map(str::to_string))
            }),
            // %c, %r, %R: the manager's cgroup tree, unknown here
            _ => None,
        }
    }
}

/// Whether `name` matches the glob(3) pattern `pat` (`*`, `?`, `[...]`,
/// `[!...]`; a leading `.` only matched by a leading `.`).
fn matches(pat: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pat.first() != Some(&b'.') {
        return false;
    }
    fn m(p: &[u8], n: &[u8]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some(b'*') => (0..=n.len()).any(|i| m(&p[1..], &n[i..])),
            Some(b'?') => !n.is_empty() && m(&p[1..], &n[1..]),
            Some(b'[') => {
                let Some(close) = p.iter().skip(2).position(|&c| c == b']').map(|i| i + 2) else {
                    return n.first() == Some(&b'[') && m(&p[1..], &n[1..]);
                };
                let Some(&c) = n.first() else { return false };
                let (negate, set) = match p[1] {
                    b'!' | b'^' => (true, &p[2..close]),
                    _ => (false, &p[1..close]),
                };
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == b'-' {
                        hit |= (set[i]..=set[i + 2]).contains(&c);
                        i += 3;
                    } else {
                        hit |= set[i] == c;
                        i += 1;
                    }
                }
                hit != negate && m(&p[close + 1..], &n[1..])
            }
            Some(&c) => n.first() == Some(&c) && m(&p[1..], &n[1..]),
        }
    }
    m(pat, name)
}

/// The paths matching an absolute glob pattern, sorted as glob(3) does;
/// a pattern without glob characters matches itself if it exists.
pub fn glob(pattern: &str) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let mut found = vec![PathBuf::from("/")];
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        let mut next = Vec::new();
        for dir in &found {
            if !part.contains(['*', '?', '[']) {
                let p = dir.join(part);
                if fs::symlink_metadata(&p).is_ok() {
                    next.push(p);
                }
                continue;
            }
            let Ok(entries) = fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<_> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name())
                .filter(|n| matches(part.as_bytes(), n.as_bytes()))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        found = next;
    }
    found.retain(|p| p.as_os_str() != "/" || pattern == "/");
    found
}

/// Reads a unit file and its drop-ins (`UNIT.d/*.conf`, then those of each
/// of `drop_ins`) from the host, as systemd would.
pub fn load(path: &Path, drop_ins: &[PathBuf]) -> Result<Unit, Failure> {
    let text = crate::bounded::read(path, MAX_BYTES)
        .map_err(|e| Failure(1, format!("cannot read the unit {}: {e}", path.display())))?;
    let mut own = path.as_os_str().to_owned();
    own.push(".d");
    let mut dirs = Vec::new();
    for d in std::iter::once(PathBuf::from(own)).chain(drop_ins.iter().cloned()) {
        let names = match fs::read_dir(&d) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound && !drop_ins.contains(&d) => Vec::new(),
            Err(e) => {
                return Err(Failure(
                    1,
                    format!("cannot read the drop-in directory {}: {e}", d.display()),
                ));
            }
        };
        dirs.push((d, names));
    }
    let mut files = Vec::new();
    for p in unit::order_dropins(&dirs) {
        let text = crate::bounded::read(&p, MAX_BYTES)
            .map_err(|e| Failure(1, format!("cannot read the drop-in {}: {e}", p.display())))?;
        files.push(File { path: p, text });
    }
    let file = File {
        path: path.to_path_buf(),
        text,
    };
    Ok(unit::read(&file, &files, &System))
}

/// A finding as JSON.
pub fn finding_json(f: &Finding, indent: &str) -> String {
    let (file, line) = match &f.at {
        Some(at) => (
            json::string(at.file.as_os_str().as_bytes()),
            at.line.to_string(),
        ),
        None => ("null".into(), "null".into()),
    };
    json::object(
        &[
            ("severity", json::string(f.severity.name())),
            ("file", file),
            ("line", line),
            ("message", json::string(&f.message)),
            ("fix", json::string(&f.fix)),
        ],
        indent,
    )
}

/// The unit as JSON: its files, the environment it gives the wrapper, the
/// kubelet flags of its command, and the reader's findings.
pub fn unit_json(u: &Unit, indent: &str) -> String {
    let inner = format!("{indent}  ");
    let item = format!("{inner}  ");
    let files: Vec<String> = u
        .files
        .iter()
        .map(|f| json::string(f.as_os_str().as_bytes()))
        .collect();
    let env: Vec<String> = u
        .environment
        .iter()
        .map(|v| {
            json::object(
                &[
                    ("name", json::string(&v.name)),
                    ("value", json::string(&v.value)),
                    ("file", json::string(v.at.file.as_os_str().as_bytes())),
                    ("line", v.at.line.to_string()),
                ],
                &item,
            )
        })
        .collect();
    let flags = match &u.command {
        Some(c) => json::array(c.kubelet_args.iter().map(|a| a.as_os_str())),
        None => "null".into(),
    };
    let findings: Vec<String> = u.findings.iter().map(|f| finding_json(f, &item)).collect();
    json::object(
        &[
            ("name", json::string(&u.name)),
            ("files", json::list(&files, &inner)),
            ("environment", json::list(&env, &inner)),
            ("kubelet_flags", flags),
            ("findings", json::list(&findings, &inner)),
        ],
        indent,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_patterns() {
        for (p, n, want) in [
            ("*.env", "a.env", true),
            ("*.env", ".a.env", false),
            (".*", ".a", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("[ab]x", "bx", true),
            ("[!ab]x", "bx", false),
            ("[a-c]x", "cx", true),
            ("[a-c]x", "dx", false),
            ("[x", "[x", true),
            ("*", "", true),
            ("k*", "kubelet", true),
        ] {
            assert_eq!(matches(p.as_bytes(), n.as_bytes()), want, "{p} {n}");
        }
    }

    #[test]
    fn glob_on_the_file_system() {
        let d = std::env::temp_dir().join(format!("kw-glob-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join("b")).unwrap();
        for f in ["b/2.env", "b/1.env", "b/.hidden.env", "b/x.txt"] {
            fs::write(d.join(f), "").unwrap();
        }
        let got = glob(&format!("{}/b/*.env", d.display()));
        assert_eq!(got, [d.join("b/1.env"), d.join("b/2.env")]);
        assert_eq!(
            glob(&format!("{}/b/1.env", d.display())),
            [d.join("b/1.env")]
        );
        assert!(glob(&format!("{}/b/none", d.display())).is_empty());
        assert!(glob(&format!("{}/*/x.txt", d.display())) == [d.join("b/x.txt")]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_named_pipe_is_refused_not_waited_on() {
        let d = std::env::temp_dir().join(format!("kw-unitfile-fifo-{}", std::process::id()));
        fs::create_dir_all(&d).unwrap();
        let fifo = d.join("kubelet.service");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let Err(Failure(status, msg)) = load(&fifo, &[]) else {
            panic!("a named pipe read as a unit");
        };
        assert_eq!(status, 1);
        assert!(msg.ends_with(": not a regular file"), "{msg}");
        fs::remove_dir_all(&d).unwrap();
    }
}
