//! The edge of the unit reader ([`crate::admin::unit`]): the unit file, its
//! drop-ins and environment files read from the host, or from a root
//! directory as `systemd-analyze --root` and `systemctl --root` read them
//! (an image tree, a node's root mounted elsewhere), node-dependent
//! specifiers from that root; and how the tool shows a unit.
//!
//! Under a root, every path is the node's: it is resolved as the kernel
//! would with the root as `/` ([`chase`]), so that a symbolic link in the
//! tree never leads out of it.

use super::json::{self, Bytes};
use super::output::Failure;
use crate::admin::unit::{self, File, Finding, Host, Location, Severity, Unit};
use crate::text::quote::escape;
use serde::Serialize;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

/// The most of a unit file or drop-in read: systemd's own limits are far
/// below (a line is shorter than 1 MiB), and a path that is a link to
/// /dev/zero must not be read forever.
const MAX_BYTES: u64 = 16 << 20;

/// The most symbolic links followed in one path (the kernel's own limit).
const MAX_LINKS: usize = 40;

/// The most paths an `EnvironmentFile=` pattern may match, and the most
/// directory entries its wildcards may look at: a pattern such as
/// `/proc/*/root/proc/*/root/...` grows exponentially, and systemd would
/// follow it at each start.
pub const GLOB_MAX_MATCHES: usize = 4096;
pub const GLOB_MAX_ENTRIES: usize = 100_000;

/// systemd's unit directories for the system manager, highest priority
/// first (`lookup_paths_init()`, src/basic/path-lookup.c).
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system.control",
    "/run/systemd/system.control",
    "/run/systemd/transient",
    "/run/systemd/generator.early",
    "/etc/systemd/system",
    "/etc/systemd/system.attached",
    "/run/systemd/system",
    "/run/systemd/system.attached",
    "/run/systemd/generator",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/run/systemd/generator.late",
];

/// `path` (absolute, as the node sees it) as a path on this host: under
/// `root`, every symbolic link is followed with `root` as `/`, and `..`
/// never leaves it. A link to `/dev/null` is this host's `/dev/null` (an
/// image has no devices). A missing component is `NotFound`.
pub fn chase(root: &Path, path: &Path) -> io::Result<PathBuf> {
    if root == Path::new("/") {
        return Ok(path.to_path_buf());
    }
    let mut done = PathBuf::new();
    let mut todo: Vec<OsString> = path
        .components()
        .rev()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    let mut links = 0;
    while let Some(c) = todo.pop() {
        if c == ".." {
            done.pop();
            continue;
        }
        let here = root.join(&done).join(&c);
        let m = fs::symlink_metadata(&here)?;
        if !m.file_type().is_symlink() {
            done.push(&c);
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(io::Error::other(format!(
                "more than {MAX_LINKS} symbolic links in {}",
                escape(path.as_os_str().as_bytes())
            )));
        }
        let target = fs::read_link(&here)?;
        if target.is_absolute() {
            done.clear();
            if target == Path::new("/dev/null") && todo.is_empty() {
                return Ok(target);
            }
        }
        for part in target.components().rev() {
            match part {
                Component::Normal(n) => todo.push(n.to_owned()),
                Component::ParentDir => todo.push("..".into()),
                _ => {}
            }
        }
    }
    Ok(root.join(done))
}

/// Whether a file is `/dev/null` (the character device 1:3).
fn is_null(m: &fs::Metadata) -> bool {
    m.file_type().is_char_device() && m.rdev() == libc::makedev(1, 3)
}

/// What a file of another type than a regular one is, in words.
fn kind(m: &fs::Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

/// The host the tool runs on, or a root directory on it.
pub struct System {
    pub root: PathBuf,
}

impl System {
    /// The first line of a file of the node, trimmed.
    fn first_line(&self, path: &str) -> Option<String> {
        let p = chase(&self.root, Path::new(path)).ok()?;
        let text = crate::host::bounded::read(&p, 64 << 10).ok()?;
        let line = String::from_utf8_lossy(&text)
            .lines()
            .next()?
            .trim()
            .to_string();
        (!line.is_empty()).then_some(line)
    }

    /// A field of the node's os-release (/etc's, else /usr/lib's).
    fn os_release(&self, key: &str) -> Option<String> {
        for f in ["/etc/os-release", "/usr/lib/os-release"] {
            let Ok(p) = chase(&self.root, Path::new(f)) else {
                continue;
            };
            let Ok(text) = crate::host::bounded::read(&p, 64 << 10) else {
                continue;
            };
            let os = crate::release::os_release::parse(&text);
            return os.get(key).map(|v| String::from_utf8_lossy(v).into_owned());
        }
        None
    }

    /// The node's host name: the kernel's on this host, /etc/hostname's
    /// under a root.
    fn hostname(&self) -> Option<String> {
        if self.root == Path::new("/") {
            self.first_line("/proc/sys/kernel/hostname")
        } else {
            self.first_line("/etc/hostname")
        }
    }

    /// On this host only: what the running kernel says.
    fn here(&self, path: &str) -> Option<String> {
        (self.root == Path::new("/"))
            .then(|| self.first_line(path))
            .flatten()
    }
}

impl Host for System {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let m = fs::metadata(path)?;
        if is_null(&m) {
            return Ok(Vec::new());
        }
        if m.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory, which systemd cannot read (EISDIR)",
            ));
        }
        if !m.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "is {}, not a regular file: systemd would {} at each start; this check does not read it",
                    kind(&m),
                    if m.file_type().is_fifo() {
                        "wait for a writer"
                    } else {
                        "read it until it ends"
                    }
                ),
            ));
        }
        crate::host::bounded::read(path, unit::ENV_FILE_MAX as u64)
    }

    fn glob(&self, pattern: &str) -> io::Result<Vec<PathBuf>> {
        glob_in(&self.root, pattern)
    }

    fn specifier(&self, c: char) -> Option<String> {
        let short = |h: String| h.split('.').next().unwrap_or("").to_string();
        match c {
            'H' => self.hostname(),
            'l' => self.hostname().map(short),
            'q' => {
                let pretty = chase(&self.root, Path::new("/etc/machine-info"))
                    .ok()
                    .and_then(|p| crate::host::bounded::read(&p, 64 << 10).ok())
                    .and_then(|t| {
                        unit::envfile::parse(&t)
                            .pairs
                            .into_iter()
                            .find(|p| p.key == b"PRETTY_HOSTNAME")
                            .map(|p| String::from_utf8_lossy(&p.value).into_owned())
                    });
                pretty.or_else(|| self.hostname().map(short))
            }
            'm' => self.first_line("/etc/machine-id"),
            'b' => self
                .here("/proc/sys/kernel/random/boot_id")
                .map(|b| b.replace('-', "")),
            'v' => self.here("/proc/sys/kernel/osrelease"),
            'a' => Some(
                match std::env::consts::ARCH {
                    "x86_64" => "x86-64",
                    "aarch64" => "arm64",
                    "powerpc64" => "ppc64-le",
                    other => other,
                }
                .to_string(),
            ),
            'o' => self.os_release("ID"),
            'w' => self.os_release("VERSION_ID"),
            'B' => self.os_release("BUILD_ID"),
            'W' => self.os_release("VARIANT_ID"),
            'M' => self.os_release("IMAGE_ID"),
            'A' => self.os_release("IMAGE_VERSION"),
            's' => {
                let p = chase(&self.root, Path::new("/etc/passwd")).ok()?;
                let t = crate::host::bounded::read(&p, 4 << 20).ok()?;
                String::from_utf8_lossy(&t)
                    .lines()
                    .find(|l| l.starts_with("root:"))
                    .and_then(|l| l.rsplit(':').next().map(str::to_string))
            }
            // %c, %r, %R: the manager's cgroup tree, unknown here
            _ => None,
        }
    }
}

/// Whether `name` matches the glob(3) pattern `pat` (`*`, `?`, `[...]`,
/// `[!...]`, `\` quoting the next character; a leading `.` only matched
/// by a leading `.`).
fn matches(pat: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pat.first() != Some(&b'.') {
        return false;
    }
    fn m(p: &[u8], n: &[u8], budget: &mut usize) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match p.first() {
            None => n.is_empty(),
            Some(b'*') => (0..=n.len()).any(|i| m(&p[1..], &n[i..], budget)),
            Some(b'?') => !n.is_empty() && m(&p[1..], &n[1..], budget),
            Some(b'\\') if p.len() > 1 => n.first() == Some(&p[1]) && m(&p[2..], &n[1..], budget),
            Some(b'[') => {
                let first = if matches!(p.get(1), Some(b'!' | b'^')) {
                    2
                } else {
                    1
                };
                let Some(close) = p
                    .iter()
                    .skip(first + 1)
                    .position(|&c| c == b']')
                    .map(|i| i + first + 1)
                else {
                    return n.first() == Some(&b'[') && m(&p[1..], &n[1..], budget);
                };
                let Some(&c) = n.first() else { return false };
                let set = &p[first..close];
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
                hit != (first == 2) && m(&p[close + 1..], &n[1..], budget)
            }
            Some(&c) => n.first() == Some(&c) && m(&p[1..], &n[1..], budget),
        }
    }
    // a pattern of many stars backtracks exponentially: bounded
    let mut budget = 1_000_000;
    m(pat, name, &mut budget)
}

/// Whether a pattern component has unquoted glob characters.
fn has_magic(c: &[u8]) -> bool {
    let mut escaped = false;
    for &b in c {
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if matches!(b, b'*' | b'?' | b'[') {
            return true;
        }
    }
    false
}

/// A component without its `\` quoting.
fn unquote(c: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(c.len());
    let mut escaped = false;
    for &b in c {
        if !escaped && b == b'\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(b);
    }
    out
}

fn too_much(what: String) -> io::Error {
    io::Error::other(format!(
        "{what}: this check stops there (systemd would follow the pattern at each start)"
    ))
}

/// The paths of the node matching an absolute glob pattern, as glob(3)
/// finds them (sorted; a pattern without glob characters matches itself
/// if it exists, a dangling link included), each as a path on this host
/// (see [`chase`]). Bounded: see [`GLOB_MAX_MATCHES`].
pub fn glob_in(root: &Path, pattern: &str) -> io::Result<Vec<PathBuf>> {
    let mut found = vec![PathBuf::from("/")];
    let mut entries = 0;
    for part in pattern
        .as_bytes()
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty())
    {
        let mut next = Vec::new();
        if !has_magic(part) {
            let name = unquote(part);
            next.extend(found.iter().map(|d| d.join(OsStr::from_bytes(&name))));
        } else {
            for dir in &found {
                let Ok(host) = chase(root, dir) else { continue };
                let Ok(list) = fs::read_dir(&host) else {
                    continue;
                };
                let mut names = Vec::new();
                for e in list {
                    entries += 1;
                    if entries > GLOB_MAX_ENTRIES {
                        return Err(too_much(format!(
                            "the pattern's wildcards look at more than {GLOB_MAX_ENTRIES} directory entries"
                        )));
                    }
                    let Ok(e) = e else { continue };
                    let n = e.file_name();
                    if matches(part, n.as_bytes()) {
                        names.push(n);
                    }
                }
                next.extend(names.into_iter().map(|n| dir.join(n)));
            }
        }
        if next.len() > GLOB_MAX_MATCHES {
            return Err(too_much(format!(
                "the pattern matches more than {GLOB_MAX_MATCHES} paths"
            )));
        }
        found = next;
    }
    let mut out: Vec<(PathBuf, PathBuf)> = Vec::new();
    for p in found {
        if p == Path::new("/") && !pattern.trim_matches('/').is_empty() {
            continue;
        }
        // it exists (as lstat sees it: a dangling link does)
        let parent = p.parent().unwrap_or(Path::new("/"));
        let Ok(dir) = chase(root, parent) else {
            continue;
        };
        let leaf = dir.join(p.file_name().unwrap_or_default());
        if fs::symlink_metadata(&leaf).is_err() {
            continue;
        }
        let host = chase(root, &p).unwrap_or(leaf);
        out.push((p, host));
    }
    out.sort_by(|a, b| a.0.as_os_str().as_bytes().cmp(b.0.as_os_str().as_bytes()));
    Ok(out.into_iter().map(|(_, h)| h).collect())
}

/// The glob of the host itself (`/` as root).
pub fn glob(pattern: &str) -> Vec<PathBuf> {
    glob_in(Path::new("/"), pattern).unwrap_or_default()
}

/// The drop-in directories of unit `name`, as systemd's
/// `unit_file_find_dropin_paths()` lists them for one unit directory:
/// `NAME.d`, the template's for an instance (`foo@.service.d`), then the
/// prefixes of a dashed name (`foo-bar-.service.d`, `foo-.service.d`).
pub fn dropin_dir_names(name: &str) -> Vec<String> {
    let mut out = vec![format!("{name}.d")];
    let Some((stem, suffix)) = name.rsplit_once('.') else {
        return out;
    };
    let (prefix, instance) = match stem.split_once('@') {
        Some((p, i)) => (p, Some(i)),
        None => (stem, None),
    };
    if instance.is_some() {
        out.push(format!("{prefix}@.{suffix}.d"));
    }
    let mut p = prefix.to_string();
    loop {
        let mut chopped = false;
        let cut = loop {
            let Some(dash) = p.rfind('-') else { return out };
            if dash == 0 {
                return out;
            }
            if dash + 1 < p.len() || chopped {
                break dash + 1;
            }
            p.truncate(dash);
            chopped = true;
        };
        p.truncate(cut);
        match instance {
            Some(i) => {
                out.push(format!("{p}@{i}.{suffix}.d"));
                out.push(format!("{p}@.{suffix}.d"));
            }
            None => out.push(format!("{p}.{suffix}.d")),
        }
    }
}

/// The unit's own directory (`PATH.d`), then, under a root, the drop-in
/// directories systemd reads for its name in every unit directory, then
/// the type-wide `service.d`; each as a node path, in systemd's order of
/// precedence, then `extra`.
fn dropin_dirs(unit: &Path, name: &str, root: Option<&Path>, extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut own = unit.as_os_str().to_owned();
    own.push(".d");
    let mut dirs = vec![PathBuf::from(own)];
    if root.is_some() {
        let names = dropin_dir_names(name);
        for d in UNIT_DIRS {
            dirs.extend(names.iter().map(|n| Path::new(d).join(n)));
        }
        let ty = name.rsplit_once('.').map_or("service", |(_, t)| t);
        dirs.extend(
            UNIT_DIRS
                .iter()
                .map(|d| Path::new(d).join(format!("{ty}.d"))),
        );
    }
    dirs.extend(extra.iter().cloned());
    dirs
}

/// A note about a drop-in that is not read as a file.
fn dropin_note(path: &Path, severity: Severity, message: String) -> Finding {
    Finding {
        severity,
        at: Some(Location {
            file: path.to_path_buf(),
            line: 0,
        }),
        message,
        fix: String::new(),
    }
}

/// Reads a unit file and its drop-ins from the host, as systemd would:
/// `UNIT.d/*.conf`, then those of each of `drop_ins`. Under a root (not
/// `/`), every path is the node's, the standard drop-in directories are
/// read too, and a unit given by name alone is looked up in the unit
/// directories.
pub fn load(path: &Path, drop_ins: &[PathBuf], root: &Path) -> Result<Unit, Failure> {
    let rooted = root != Path::new("/");
    let node_path = if rooted && !path.as_os_str().as_bytes().contains(&b'/') {
        UNIT_DIRS
            .iter()
            .map(|d| Path::new(d).join(path))
            .find(|p| chase(root, p).is_ok())
            .ok_or_else(|| {
                Failure(
                    1,
                    format!(
                        "no unit {} in the unit directories under {}",
                        escape(path.as_os_str().as_bytes()),
                        escape(root.as_os_str().as_bytes())
                    ),
                )
            })?
    } else if rooted {
        Path::new("/").join(path)
    } else {
        path.to_path_buf()
    };
    let shown_unit = if rooted {
        root.join(node_path.strip_prefix("/").unwrap_or(&node_path))
    } else {
        node_path.clone()
    };
    let cannot = |e: io::Error| {
        Failure(
            1,
            format!(
                "cannot read the unit {}: {e}",
                escape(shown_unit.as_os_str().as_bytes())
            ),
        )
    };
    let real = chase(root, &node_path).map_err(cannot)?;
    if fs::metadata(&real).is_ok_and(|m| is_null(&m) || (m.is_file() && m.len() == 0)) {
        return Err(Failure(
            1,
            format!(
                "the unit {} is masked (empty, or a link to /dev/null): systemd does not start it",
                escape(shown_unit.as_os_str().as_bytes())
            ),
        ));
    }
    let text = crate::host::bounded::read(&real, MAX_BYTES).map_err(cannot)?;
    let name = node_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut dirs: Vec<(PathBuf, Vec<OsString>)> = Vec::new();
    // the node's path of each directory read, by its host path
    let mut node_dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for d in dropin_dirs(&node_path, &name, rooted.then_some(root), drop_ins) {
        let given = drop_ins.contains(&d);
        let host = match chase(root, &d) {
            Ok(h) => h,
            Err(e) if e.kind() == io::ErrorKind::NotFound && !given => continue,
            Err(e) => {
                return Err(Failure(
                    1,
                    format!(
                        "cannot read the drop-in directory {}: {e}",
                        escape(d.as_os_str().as_bytes())
                    ),
                ));
            }
        };
        if seen.contains(&host) {
            continue;
        }
        seen.push(host.clone());
        let names = match fs::read_dir(&host) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name())
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound && !given => continue,
            Err(e) if e.kind() == io::ErrorKind::NotADirectory && !given => continue,
            Err(e) => {
                return Err(Failure(
                    1,
                    format!(
                        "cannot read the drop-in directory {}: {e}",
                        escape(host.as_os_str().as_bytes())
                    ),
                ));
            }
        };
        node_dirs.push((host.clone(), d));
        dirs.push((host, names));
    }
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for p in unit::order_dropins(&dirs) {
        let shown_p = escape(p.as_os_str().as_bytes());
        // links in the drop-in directory resolve in the root too
        let node = node_dirs
            .iter()
            .find(|(h, _)| Some(h.as_path()) == p.parent())
            .map(|(_, n)| n.join(p.file_name().unwrap_or_default()));
        let real = match node.map(|n| chase(root, &n)) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                notes.push(dropin_note(
                    &p,
                    Severity::Warning,
                    format!("the drop-in {shown_p} cannot be read ({e}): systemd skips it"),
                ));
                continue;
            }
            None => p.clone(),
        };
        let m = match fs::metadata(&real) {
            Ok(m) => m,
            Err(e) => {
                notes.push(dropin_note(
                    &p,
                    Severity::Warning,
                    format!("the drop-in {shown_p} cannot be read ({e}): systemd skips it"),
                ));
                continue;
            }
        };
        if is_null(&m) {
            notes.push(dropin_note(
                &p,
                Severity::Info,
                format!("the drop-in {shown_p} is a link to /dev/null: it sets nothing, and hides a drop-in of the same name in the directories after it"),
            ));
            files.push(File {
                path: p,
                text: Vec::new(),
            });
            continue;
        }
        if m.is_dir() {
            notes.push(dropin_note(
                &p,
                Severity::Info,
                format!("{shown_p} is a directory: systemd lists it among the drop-ins, reads nothing from it, and it hides a drop-in of the same name in the directories after it"),
            ));
            continue;
        }
        if !m.is_file() {
            notes.push(dropin_note(
                &p,
                Severity::Error,
                format!("the drop-in {shown_p} is {}: systemd would try to read it when it loads the unit (a named pipe blocks it); this check does not", kind(&m)),
            ));
            continue;
        }
        let text = crate::host::bounded::read(&real, MAX_BYTES)
            .map_err(|e| Failure(1, format!("cannot read the drop-in {shown_p}: {e}")))?;
        files.push(File { path: p, text });
    }
    let file = File {
        path: if rooted { shown_unit } else { node_path },
        text,
    };
    let mut u = unit::read(
        &file,
        &files,
        &System {
            root: root.to_path_buf(),
        },
    );
    u.findings.extend(notes);
    Ok(u)
}

/// A finding as JSON: `file` and `line` are `null` where it has none, and
/// `line` is `null` for a whole file.
#[derive(Serialize)]
pub struct FindingJson<'a> {
    severity: &'static str,
    file: Option<Bytes<'a>>,
    line: Option<usize>,
    message: &'a str,
    fix: &'a str,
}

impl<'a> From<&'a Finding> for FindingJson<'a> {
    fn from(f: &'a Finding) -> Self {
        FindingJson {
            severity: f.severity.name(),
            file: f.at.as_ref().map(|at| Bytes::os(&at.file)),
            line: f.at.as_ref().map(|at| at.line).filter(|&l| l != 0),
            message: &f.message,
            fix: &f.fix,
        }
    }
}

/// Where a finding is, for text: `FILE:LINE: `, `FILE: ` for a whole
/// file, or nothing; escaped as messages are.
pub fn finding_at(f: &Finding) -> String {
    match &f.at {
        Some(at) if at.line == 0 => format!("{}: ", escape(at.file.as_os_str().as_bytes())),
        Some(at) => format!("{at}: "),
        None => String::new(),
    }
}

/// The unit as JSON: its files, the environment it gives the wrapper, the
/// kubelet flags of its command (`null` without one), and the reader's
/// findings. Laid out with [`json::UNIT_LINES`].
#[derive(Serialize)]
pub struct UnitJson<'a> {
    name: &'a str,
    files: Vec<Bytes<'a>>,
    environment: Vec<VariableJson<'a>>,
    kubelet_flags: Option<Vec<Bytes<'a>>>,
    findings: Vec<FindingJson<'a>>,
}

/// A variable of the unit's environment, with where it is set.
#[derive(Serialize)]
struct VariableJson<'a> {
    name: &'a str,
    value: &'a str,
    file: Bytes<'a>,
    line: usize,
}

impl<'a> From<&'a Unit> for UnitJson<'a> {
    fn from(u: &'a Unit) -> Self {
        UnitJson {
            name: &u.name,
            files: json::each(&u.files),
            environment: u
                .environment
                .iter()
                .map(|v| VariableJson {
                    name: &v.name,
                    value: &v.value,
                    file: Bytes::os(&v.at.file),
                    line: v.at.line,
                })
                .collect(),
            kubelet_flags: u.command.as_ref().map(|c| json::each(&c.kubelet_args)),
            findings: u.findings.iter().map(FindingJson::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kw-unitfile-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

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
            ("[^ab]x", "cx", true),
            ("[a-c]x", "cx", true),
            ("[a-c]x", "dx", false),
            ("[]]x", "]x", true),
            ("[x", "[x", true),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("*", "", true),
            ("k*", "kubelet", true),
        ] {
            assert_eq!(matches(p.as_bytes(), n.as_bytes()), want, "{p} {n}");
        }
        // many stars against a long name: bounded, not exponential
        let t = std::time::Instant::now();
        assert!(!matches(
            &b"*a".repeat(30),
            &b"a".repeat(60)[..]
                .iter()
                .chain(b"b")
                .copied()
                .collect::<Vec<_>>()
        ));
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn glob_on_the_file_system() {
        let d = scratch("glob");
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
    fn an_exponential_pattern_is_stopped() {
        // every level has 20 entries, each a link back up: /d/*/*/*/...
        // grows as 20^k; /proc/*/root/... on a real node does the same
        let d = scratch("glob-exp");
        for i in 0..20 {
            std::os::unix::fs::symlink(".", d.join(format!("l{i}"))).unwrap();
        }
        let pattern = format!("{}/{}", d.display(), ["*"; 12].join("/"));
        let t = std::time::Instant::now();
        let e = glob_in(Path::new("/"), &pattern).unwrap_err();
        assert!(e.to_string().contains("this check stops there"), "{e}");
        assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn links_under_a_root_stay_in_it() {
        let r = scratch("chase");
        fs::create_dir_all(r.join("etc/kubernetes")).unwrap();
        fs::create_dir_all(r.join("usr/lib")).unwrap();
        fs::write(
            r.join("usr/lib/os-release"),
            "ID=flatcar\nVERSION_ID=3000.0.0\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("/usr/lib/os-release", r.join("etc/os-release")).unwrap();
        std::os::unix::fs::symlink("../../../../../../etc/shadow", r.join("etc/kubernetes/up"))
            .unwrap();
        std::os::unix::fs::symlink("/dev/null", r.join("etc/kubernetes/null.env")).unwrap();
        assert_eq!(
            chase(&r, Path::new("/etc/os-release")).unwrap(),
            r.join("usr/lib/os-release")
        );
        // ".." stops at the root: the host's /etc/shadow is never reached
        assert_eq!(
            chase(&r, Path::new("/etc/kubernetes/up"))
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(
            chase(&r, Path::new("/etc/kubernetes/null.env")).unwrap(),
            Path::new("/dev/null")
        );
        let sys = System { root: r.clone() };
        assert_eq!(sys.specifier('o').as_deref(), Some("flatcar"));
        assert_eq!(sys.specifier('w').as_deref(), Some("3000.0.0"));
        assert_eq!(sys.specifier('H'), None);
        fs::write(r.join("etc/hostname"), "node-1.example\n").unwrap();
        assert_eq!(sys.specifier('H').as_deref(), Some("node-1.example"));
        assert_eq!(sys.specifier('l').as_deref(), Some("node-1"));
        // a loop is an error, not a hang
        std::os::unix::fs::symlink("loop", r.join("loop")).unwrap();
        assert!(chase(&r, Path::new("/loop")).is_err());
        fs::remove_dir_all(&r).unwrap();
    }

    #[test]
    fn dropin_directory_names() {
        assert_eq!(dropin_dir_names("kubelet.service"), ["kubelet.service.d"]);
        assert_eq!(
            dropin_dir_names("foo-bar-baz.service"),
            [
                "foo-bar-baz.service.d",
                "foo-bar-.service.d",
                "foo-.service.d"
            ]
        );
        assert_eq!(dropin_dir_names("foo-.service"), ["foo-.service.d"]);
        assert_eq!(
            dropin_dir_names("a-b@i.service"),
            [
                "a-b@i.service.d",
                "a-b@.service.d",
                "a-@i.service.d",
                "a-@.service.d"
            ]
        );
    }

    #[test]
    fn environment_files_of_another_type() {
        let d = scratch("envtypes");
        let sys = System { root: "/".into() };
        assert_eq!(sys.read(Path::new("/dev/null")).unwrap(), b"");
        assert_eq!(
            sys.read(&d).unwrap_err().kind(),
            io::ErrorKind::IsADirectory
        );
        let fifo = d.join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = sys.read(&fifo).unwrap_err();
        assert!(e.to_string().contains("a named pipe"), "{e}");
        assert!(
            sys.read(Path::new("/dev/zero"))
                .unwrap_err()
                .to_string()
                .contains("character device")
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_named_pipe_is_refused_not_waited_on() {
        let d = scratch("fifo");
        let fifo = d.join("kubelet.service");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let Err(Failure(status, msg)) = load(&fifo, &[], Path::new("/")) else {
            panic!("a named pipe read as a unit");
        };
        assert_eq!(status, 1);
        assert!(msg.ends_with(": not a regular file"), "{msg}");
        fs::remove_dir_all(&d).unwrap();
    }
}
