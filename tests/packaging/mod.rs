//! What the packaging tests (tests/overlay.rs, tests/portage.rs,
//! tests/reproducible.rs) share: the overlay's files, reading the ebuild and
//! Cargo.toml, running install.sh, comparing image roots, and telling a
//! statically linked executable from a dynamic one.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const PKG: &str = "os-overlay/app-admin/kubelet-wrapper";
pub const INSTALL: &str = "os-overlay/install.sh";
pub const DIST: &str = "os-overlay/dist.sh";
pub const MANIFEST_SH: &str = "os-overlay/manifest.sh";
pub const SANDBOX: &str = "tests/packaging/portage-sandbox.sh";

/// What an install puts into the image root: path, mode (and the example
/// unit: [`expected_files`]).
pub const EXPECTED: [(&str, u32); 3] = [
    ("usr/bin/kubelet-wrapperctl", 0o755),
    ("usr/lib/coreos/kubelet-wrapper", 0o755),
    ("usr/lib/tmpfiles.d/kubelet-wrapper.conf", 0o644),
];

/// Where the example units of binaries that run `engines` go: a pinned
/// build's one engine as kubelet.service, an unpinned build's several
/// each as kubelet-ENGINE.service.
pub fn unit_paths(engines: &[&str]) -> Vec<String> {
    match engines {
        [_] => vec!["usr/share/kubelet-wrapper/kubelet.service".to_string()],
        _ => engines
            .iter()
            .map(|e| format!("usr/share/kubelet-wrapper/kubelet-{e}.service"))
            .collect(),
    }
}

/// The files of the package's `files/` directory: the example unit of each
/// engine that has one, and the tmpfiles.d snippet.
pub const FILES: [&str; 4] = [
    "kubelet-rkt.service",
    "kubelet-podman.service",
    "kubelet-docker.service",
    "kubelet-wrapper.tmpfiles",
];

/// The example unit an image of a release that runs `engine` gets.
pub fn unit_of(engine: &str) -> PathBuf {
    repo(&format!("{PKG}/files/kubelet-{engine}.service"))
}

/// kubelet-wrapperctl's man pages and completions in the image root, and
/// their sources in the repository (generated and committed, see the
/// docs/image-build.md's "Man pages and completions").
pub fn generated_docs() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(repo("docs/man"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .map(|p| {
            (
                format!(
                    "usr/share/man/man1/{}",
                    p.file_name().unwrap().to_string_lossy()
                ),
                p,
            )
        })
        .collect();
    for (dir, name) in [
        (
            "usr/share/bash-completion/completions",
            "kubelet-wrapperctl",
        ),
        ("usr/share/zsh/site-functions", "_kubelet-wrapperctl"),
        (
            "usr/share/fish/vendor_completions.d",
            "kubelet-wrapperctl.fish",
        ),
    ] {
        out.push((format!("{dir}/{name}"), repo("completions").join(name)));
    }
    out
}

/// Every file an install of a pinned build puts into the image root, with
/// its mode, sorted as [`installed_files`] lists them: [`EXPECTED`], the
/// unit and [`generated_docs`].
pub fn expected_files() -> Vec<(String, u32)> {
    expected_files_for(&["one engine"])
}

/// [`expected_files`] for binaries that run `engines`.
pub fn expected_files_for(engines: &[&str]) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = EXPECTED.iter().map(|(p, m)| (p.to_string(), *m)).collect();
    out.extend(unit_paths(engines).into_iter().map(|p| (p, 0o644)));
    out.extend(generated_docs().into_iter().map(|(p, _)| (p, 0o644)));
    out.sort();
    out
}

/// Uncompresses the man pages of an image root that Portage compressed
/// after `src_install` (`.1.bz2`; install.sh installs them as they are),
/// so that the two images compare file by file.
pub fn uncompress_man_pages(root: &Path) {
    let man = root.join("usr/share/man/man1");
    let Ok(entries) = fs::read_dir(&man) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "bz2") {
            let o = Command::new("bunzip2")
                .arg(&p)
                .output()
                .expect("bunzip2 runs (tests/run.sh installs bzip2)");
            assert!(
                o.status.success(),
                "bunzip2 {}: {}",
                p.display(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}

/// Says that a check did not run, where `cargo test` shows it: libtest
/// captures what `println!` prints in a passing test, not what is written to
/// the stderr handle itself.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

pub fn repo(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

/// The ebuild of the version in Cargo.toml.
pub fn ebuild_path() -> PathBuf {
    repo(&format!(
        "{PKG}/kubelet-wrapper-{}.ebuild",
        env!("CARGO_PKG_VERSION")
    ))
}

pub fn ebuild_text() -> String {
    fs::read_to_string(ebuild_path()).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the ebuild is named after Cargo.toml's version)",
            ebuild_path().display()
        )
    })
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty directory for one test (left for inspection on failure,
/// replaced on the next run).
pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "packaging-{name}-{}",
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Copies the tree `src` to `dst` (created if missing).
pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst.join(e.file_name()));
        } else {
            fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
}

pub fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {shown}: {e} (is it installed? tests/run.sh installs it)")
    })
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn clean_env(cmd: &mut Command) -> &mut Command {
    cmd.env_clear().env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
}

/// `[package]` key = "value" of the crate's Cargo.toml.
pub fn cargo_toml(key: &str) -> String {
    package_key(&fs::read_to_string(repo("Cargo.toml")).unwrap(), key)
        .unwrap_or_else(|| panic!("Cargo.toml's [package] has no {key} = \"...\""))
}

/// The string value of `key` in the `[package]` table of a Cargo.toml's
/// text (`key = "value"` on one line), if it has one.
pub fn package_key(toml: &str, key: &str) -> Option<String> {
    let toml = format!("\n{toml}");
    let package = toml.split("\n[").find(|s| s.starts_with("package]"))?;
    package.lines().find_map(|l| {
        l.strip_prefix(key)?
            .trim_start()
            .strip_prefix('=')?
            .trim()
            .strip_prefix('"')?
            .strip_suffix('"')
            .map(str::to_string)
    })
}

/// The value of a global `NAME="..."` assignment in an ebuild (the first
/// one, which may span lines).
pub fn ebuild_var(ebuild: &str, name: &str) -> Option<String> {
    let start = format!("\n{name}=\"");
    let at = ebuild.find(&start)? + start.len();
    let len = ebuild[at..].find('"')?;
    Some(ebuild[at..at + len].to_string())
}

/// The words of the `LICENSE+="..."` after the `# Dependent crate licenses`
/// marker, as Gentoo's cargo ebuilds write it.
pub fn ebuild_crate_licenses(ebuild: &str) -> Option<String> {
    let start = "\n# Dependent crate licenses\nLICENSE+=\"";
    let at = ebuild.find(start)? + start.len();
    let len = ebuild[at..].find('"')?;
    Some(
        ebuild[at..at + len]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// `name`, `version` and `checksum` of every registry package of a
/// Cargo.lock.
pub fn lock_packages(lock: &str) -> Vec<(String, String, String)> {
    lock.split("[[package]]")
        .skip(1)
        .filter_map(|block| {
            let field = |key: &str| {
                block.lines().find_map(|l| {
                    l.strip_prefix(key)
                        .and_then(|v| v.strip_prefix(" = \""))
                        .and_then(|v| v.strip_suffix('"'))
                        .map(str::to_string)
                })
            };
            field("source")?.starts_with("registry+").then(|| {
                (
                    field("name").unwrap(),
                    field("version").unwrap(),
                    field("checksum").unwrap_or_default(),
                )
            })
        })
        .collect()
}

/// `NAME@VERSION` of every registry package in a Cargo.lock.
pub fn lock_crates(lock: &str) -> BTreeSet<String> {
    lock_packages(lock)
        .into_iter()
        .map(|(n, v, _)| format!("{n}@{v}"))
        .collect()
}

/// cargo's download cache of crates.io (`cargo fetch --locked` fills it).
pub fn crate_cache() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(&std::env::var_os("HOME").unwrap()).join(".cargo"));
    home.join("registry/cache")
}

/// The downloaded `NAME-VERSION.crate` file, from cargo's cache.
pub fn crate_file(name: &str, version: &str) -> PathBuf {
    let file = format!("{name}-{version}.crate");
    let cache = crate_cache();
    fs::read_dir(&cache)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().path().join(&file))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{file} is not in {}: run `cargo fetch --locked` (tests/run.sh does)",
                cache.display()
            )
        })
}

/// Runs `install.sh [--allow-unpinned] DESTDIR BINDIR` of the overlay at
/// `overlay`.
pub fn install_sh(overlay: &Path, destdir: &Path, bindir: &Path, allow_unpinned: bool) -> Output {
    let mut cmd = Command::new("bash");
    clean_env(&mut cmd).arg(overlay.join("install.sh"));
    if allow_unpinned {
        cmd.arg("--allow-unpinned");
    }
    run(cmd.arg(destdir).arg(bindir))
}

/// Every path below `root` with its type, mode and content.
pub fn tree(root: &Path) -> Vec<(String, String, u32, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String, u32, Vec<u8>)>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let meta = fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                out.push((rel, "dir".into(), mode, Vec::new()));
                walk(root, &path, out);
            } else if meta.is_file() {
                out.push((rel, "file".into(), mode, fs::read(&path).unwrap()));
            } else {
                out.push((rel, "other".into(), mode, Vec::new()));
            }
        }
    }
    walk(root, root, &mut out);
    out
}

/// The differences between two image roots, in words.
pub fn tree_differences(a: &Path, b: &Path) -> Vec<String> {
    let (ta, tb) = (tree(a), tree(b));
    let mut d = Vec::new();
    for (path, kind, mode, content) in &ta {
        match tb.iter().find(|(p, ..)| p == path) {
            None => d.push(format!("{path}: only in {}", a.display())),
            Some((_, k, m, c)) => {
                if k != kind || m != mode {
                    d.push(format!("{path}: {kind} {mode:o} vs {k} {m:o}"));
                } else if c != content {
                    d.push(format!("{path}: contents differ"));
                }
            }
        }
    }
    for (path, ..) in &tb {
        if !ta.iter().any(|(p, ..)| p == path) {
            d.push(format!("{path}: only in {}", b.display()));
        }
    }
    d
}

/// The files of an image root with their modes, sorted: what
/// [`expected_files`] lists.
pub fn installed_files(root: &Path) -> Vec<(String, u32)> {
    let mut files: Vec<(String, u32)> = tree(root)
        .into_iter()
        .filter(|(_, kind, ..)| kind == "file")
        .map(|(p, _, m, _)| (p, m))
        .collect();
    files.sort();
    files
}

/// `ls -lR`-like listing of an image root, with sizes and SHA-256 of files.
pub fn listing(root: &Path) -> String {
    let mut out = String::new();
    for (path, kind, mode, content) in tree(root) {
        if kind == "file" {
            out.push_str(&format!(
                "{mode:04o} {:>9} {}  /{path}\n",
                content.len(),
                sha256(&content)
            ));
        } else {
            out.push_str(&format!("{mode:04o} {kind:>9} {:64}  /{path}/\n", ""));
        }
    }
    out
}

/// SHA-256 in hex, by coreutils' sha256sum.
pub fn sha256(data: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum runs");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let o = child.wait_with_output().unwrap();
    text(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Whether an ELF executable asks for a program interpreter (the dynamic
/// loader): a statically linked one, static-pie included, does not.
pub fn elf_interpreter(path: &Path) -> Option<String> {
    let b = fs::read(path).unwrap();
    assert!(
        b.len() > 64 && &b[..4] == b"\x7fELF" && b[4] == 2 && b[5] == 1,
        "{}: not a 64-bit little-endian ELF file",
        path.display()
    );
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as usize;
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    (0..phnum).find_map(|i| {
        let ph = phoff + i * phentsize;
        // PT_INTERP
        (u32::from_le_bytes(b[ph..ph + 4].try_into().unwrap()) == 3).then(|| {
            let (off, size) = (u64_at(ph + 8), u64_at(ph + 32));
            text(&b[off..off + size]).trim_end_matches('\0').to_string()
        })
    })
}

/// The first line of `kubelet-wrapperctl defaults list`: the release the
/// binary is pinned to.
pub fn pinned_line(ctl: &Path) -> String {
    let o = run(clean_env(&mut Command::new(ctl)).args(["defaults", "list"]));
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout).lines().next().unwrap_or("").to_string()
}
