//! The OS-image packaging in os-overlay/: the ebuild's CRATES match
//! Cargo.lock, `install.sh` and the ebuild's `src_install` put the same files
//! with the same modes into an image root, the binaries installed there run,
//! the ebuild pins the image's release, systemd accepts the example unit,
//! and shellcheck accepts the scripts.
//!
//! The ebuild's phases run outside Portage through tests/overlay/ebuild-phase.sh,
//! which defines the install helpers as Portage documents them. Needs
//! `systemd-analyze`, `systemd-tmpfiles` and `shellcheck` (Debian: `systemd`,
//! `shellcheck`; tests/run.sh installs them).

mod common;

use common::{CTL, Sandbox, WRAPPER};
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EBUILD: &str = "os-overlay/app-admin/kubelet-wrapper/kubelet-wrapper-0.1.0.ebuild";
const INSTALL: &str = "os-overlay/install.sh";
const HARNESS: &str = "tests/overlay/ebuild-phase.sh";

/// What an install puts into the image root: path, mode.
const EXPECTED: [(&str, u32); 4] = [
    ("usr/bin/kubelet-wrapperctl", 0o755),
    ("usr/lib/coreos/kubelet-wrapper", 0o755),
    ("usr/lib/tmpfiles.d/kubelet-wrapper.conf", 0o644),
    ("usr/share/kubelet-wrapper/kubelet.service", 0o644),
];

fn repo(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

/// Where `cargo test` put the two binaries.
fn bindir() -> PathBuf {
    Path::new(CTL).parent().unwrap().to_path_buf()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty directory for one test (left for inspection on failure,
/// replaced on the next run).
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "overlay-{name}-{}",
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {shown}: {e} (is it installed? tests/run.sh installs it)")
    })
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn clean_env(cmd: &mut Command) -> &mut Command {
    cmd.env_clear().env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
}

// ---------------------------------------------------------------------------
// CRATES

/// `NAME-VERSION` of every registry package in a Cargo.lock.
fn lock_crates(lock: &str) -> BTreeSet<String> {
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
            let source = field("source")?;
            source
                .starts_with("registry+")
                .then(|| format!("{}-{}", field("name").unwrap(), field("version").unwrap()))
        })
        .collect()
}

/// Whether an ebuild's CRATES list is exactly Cargo.lock's registry
/// packages; the error says what differs and what to paste.
fn check_crates(ebuild: &Path, lock: &Path) -> Result<(), String> {
    let ebuild_text = fs::read_to_string(ebuild).unwrap();
    let start = ebuild_text
        .find("\nCRATES=\"")
        .ok_or_else(|| format!("{}: no CRATES=\"...\" list", ebuild.display()))?
        + "\nCRATES=\"".len();
    let len = ebuild_text[start..]
        .find('"')
        .ok_or_else(|| format!("{}: CRATES is not closed", ebuild.display()))?;
    let listed: Vec<&str> = ebuild_text[start..start + len].split_whitespace().collect();
    let listed_set: BTreeSet<String> = listed.iter().map(|s| s.to_string()).collect();
    let wanted = lock_crates(&fs::read_to_string(lock).unwrap());
    let mut problems = Vec::new();
    if listed_set.len() != listed.len() {
        problems.push("a crate is listed twice".to_string());
    }
    let missing: Vec<&String> = wanted.difference(&listed_set).collect();
    let extra: Vec<&String> = listed_set.difference(&wanted).collect();
    if !missing.is_empty() {
        problems.push(format!("missing from CRATES: {missing:?}"));
    }
    if !extra.is_empty() {
        problems.push(format!("in CRATES but not in Cargo.lock: {extra:?}"));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let block: String = wanted.iter().map(|c| format!("\t{c}\n")).collect();
    Err(format!(
        "{} disagrees with {}: {}; the list should read:\nCRATES=\"\n{block}\"",
        ebuild.display(),
        lock.display(),
        problems.join("; ")
    ))
}

#[test]
fn ebuild_crates_are_the_registry_packages_of_cargo_lock() {
    if let Err(e) = check_crates(&repo(EBUILD), &repo("Cargo.lock")) {
        panic!("{e}");
    }
    assert!(
        lock_crates(&fs::read_to_string(repo("Cargo.lock")).unwrap()).contains("schemars-1.2.3"),
        "the Cargo.lock reader finds registry packages"
    );
}

#[test]
fn a_drifted_ebuild_or_lock_file_fails_the_crates_check() {
    let dir = scratch("crates");
    let ebuild = dir.join("kubelet-wrapper-0.1.0.ebuild");
    let lock = dir.join("Cargo.lock");
    let good_ebuild = fs::read_to_string(repo(EBUILD)).unwrap();
    let good_lock = fs::read_to_string(repo("Cargo.lock")).unwrap();

    // (what, ebuild, Cargo.lock, expected in the message)
    let cases = [
        (
            "a crate forgotten in the ebuild",
            good_ebuild.replacen("\tserde_json-1.0.154\n", "", 1),
            good_lock.clone(),
            "missing from CRATES: [\"serde_json-1.0.154\"]",
        ),
        (
            "a crate updated in Cargo.lock only",
            good_ebuild.clone(),
            good_lock.replacen(
                "name = \"itoa\"\nversion = \"1.0.19\"",
                "name = \"itoa\"\nversion = \"1.0.99\"",
                1,
            ),
            "missing from CRATES: [\"itoa-1.0.99\"]; in CRATES but not in Cargo.lock: [\"itoa-1.0.19\"]",
        ),
        (
            "a crate added to Cargo.lock",
            good_ebuild.clone(),
            format!(
                "{good_lock}\n[[package]]\nname = \"newdep\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
            ),
            "missing from CRATES: [\"newdep-0.1.0\"]",
        ),
        (
            "a crate listed twice",
            good_ebuild.replacen("\tzmij-1.0.23\n", "\tzmij-1.0.23\n\tzmij-1.0.23\n", 1),
            good_lock.clone(),
            "a crate is listed twice",
        ),
    ];
    for (what, e, l, expected) in cases {
        assert!(
            e != good_ebuild || l != good_lock,
            "{what}: the edit did not apply"
        );
        fs::write(&ebuild, e).unwrap();
        fs::write(&lock, l).unwrap();
        match check_crates(&ebuild, &lock) {
            Ok(()) => panic!("{what}: the check passed"),
            Err(msg) => {
                assert!(msg.contains(expected), "{what}: {expected:?} not in {msg}");
                assert!(msg.contains("the list should read:\nCRATES=\"\n\tanstream-1.0.0\n"));
            }
        }
    }
    // the workspace's own package (no source) is not a crate to fetch
    assert!(
        !lock_crates(&good_lock)
            .iter()
            .any(|c| c.starts_with("kubelet-wrapper-"))
    );
    fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// Installing into an image root

/// Runs `install.sh DESTDIR BINDIR` of the overlay at `overlay`.
fn install_sh(overlay: &Path, destdir: &Path) -> Output {
    run(
        clean_env(Command::new("bash").arg(overlay.join("install.sh")))
            .arg(destdir)
            .arg(bindir()),
    )
}

/// Runs one phase of the ebuild at `ebuild` with the harness.
fn ebuild_phase(ebuild: &Path, phase: &str, destdir: &Path, env: &[(&str, &str)]) -> Output {
    run(clean_env(&mut Command::new("bash"))
        .arg(repo(HARNESS))
        .arg(ebuild)
        .arg(phase)
        .arg(destdir)
        .arg(bindir())
        .envs(env.iter().copied()))
}

/// Every path below `root` with its type, mode and content.
fn tree(root: &Path) -> Vec<(String, String, u32, Vec<u8>)> {
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
fn tree_differences(a: &Path, b: &Path) -> Vec<String> {
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

/// The man pages and completions an install puts into the image root,
/// and their sources.
fn docs() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(repo("docs/man"))
        .unwrap()
        .map(|e| e.unwrap().path())
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

#[test]
fn install_sh_and_the_ebuild_install_the_same_files() {
    let dir = scratch("install");
    let (by_script, by_ebuild) = (dir.join("script"), dir.join("ebuild"));
    let o = install_sh(&repo("os-overlay"), &by_script);
    assert!(o.status.success(), "install.sh: {}", text(&o.stderr));
    let o = ebuild_phase(&repo(EBUILD), "src_install", &by_ebuild, &[]);
    assert!(o.status.success(), "src_install: {}", text(&o.stderr));
    assert_eq!(
        tree_differences(&by_script, &by_ebuild),
        Vec::<String>::new()
    );

    let mut files: Vec<(String, u32)> = tree(&by_script)
        .into_iter()
        .filter(|(_, kind, ..)| kind == "file")
        .map(|(p, _, m, _)| (p, m))
        .collect();
    let mut expected: Vec<(String, u32)> =
        EXPECTED.iter().map(|(p, m)| (p.to_string(), *m)).collect();
    // kubelet-wrapperctl's man pages and completions, from the source tree
    for (installed, source) in docs() {
        expected.push((installed.clone(), 0o644));
        assert!(
            fs::read(by_script.join(&installed)).unwrap() == fs::read(&source).unwrap(),
            "{installed} is not {}",
            source.display()
        );
    }
    files.sort();
    expected.sort();
    assert_eq!(files, expected);
    for (p, kind, mode, _) in tree(&by_script) {
        if kind == "dir" {
            assert_eq!(mode, 0o755, "{p}");
        }
    }
    let same = |installed: &str, source: &Path| {
        assert!(
            fs::read(by_script.join(installed)).unwrap() == fs::read(source).unwrap(),
            "{installed} is not {}",
            source.display()
        );
    };
    same("usr/lib/coreos/kubelet-wrapper", Path::new(WRAPPER));
    same("usr/bin/kubelet-wrapperctl", Path::new(CTL));
    let files = repo("os-overlay/app-admin/kubelet-wrapper/files");
    same(
        "usr/share/kubelet-wrapper/kubelet.service",
        &files.join("kubelet.service"),
    );
    same(
        "usr/lib/tmpfiles.d/kubelet-wrapper.conf",
        &files.join("kubelet-wrapper.tmpfiles"),
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_drifted_install_step_is_caught() {
    // a copy of the overlay whose install.sh no longer matches the ebuild
    let dir = scratch("drift");
    let overlay = dir.join("os-overlay");
    let files = overlay.join("app-admin/kubelet-wrapper/files");
    fs::create_dir_all(&files).unwrap();
    for f in ["kubelet.service", "kubelet-wrapper.tmpfiles"] {
        fs::copy(
            repo("os-overlay/app-admin/kubelet-wrapper/files").join(f),
            files.join(f),
        )
        .unwrap();
    }
    // the source tree's man pages and completions, beside the overlay copy
    for d in ["docs/man", "completions"] {
        fs::create_dir_all(dir.join(d)).unwrap();
        for e in fs::read_dir(repo(d)).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), dir.join(d).join(e.file_name())).unwrap();
        }
    }
    let script = fs::read_to_string(repo(INSTALL)).unwrap();
    let ebuild_root = dir.join("ebuild");
    assert!(
        ebuild_phase(&repo(EBUILD), "src_install", &ebuild_root, &[])
            .status
            .success()
    );
    let cases = [
        (
            "mode",
            script.replacen(
                "-m 0755 \"$bindir/kubelet-wrapperctl\"",
                "-m 0700 \"$bindir/kubelet-wrapperctl\"",
                1,
            ),
            "usr/bin/kubelet-wrapperctl: file 700 vs file 755",
        ),
        (
            "path",
            script.replacen(
                "\"$destdir/usr/share/kubelet-wrapper/kubelet.service\"",
                "\"$destdir/usr/lib/systemd/system/kubelet.service\"",
                1,
            ),
            "usr/share/kubelet-wrapper: only in",
        ),
    ];
    for (what, edited, expected) in cases {
        assert_ne!(edited, script, "{what}: the edit did not apply");
        fs::write(overlay.join("install.sh"), edited).unwrap();
        let root = dir.join(format!("script-{what}"));
        let o = install_sh(&overlay, &root);
        assert!(o.status.success(), "{what}: {}", text(&o.stderr));
        let d = tree_differences(&root, &ebuild_root);
        assert!(
            d.iter().any(|l| l.contains(expected)),
            "{what}: {expected:?} not in {d:?}"
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn install_sh_refuses_missing_binaries_and_bad_usage() {
    let dir = scratch("usage");
    let o = run(clean_env(Command::new("bash").arg(repo(INSTALL))));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("usage: "), "{}", text(&o.stderr));
    let o = run(clean_env(Command::new("bash").arg(repo(INSTALL)))
        .arg(dir.join("root"))
        .arg(dir.join("no-binaries-here")));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no-binaries-here/kubelet-wrapper: no such executable"),
        "{}",
        text(&o.stderr)
    );
    assert!(!dir.join("root").exists(), "nothing is installed");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_installed_binaries_run() {
    let dir = scratch("run");
    let root = dir.join("root");
    assert!(install_sh(&repo("os-overlay"), &root).status.success());

    let o =
        run(clean_env(&mut Command::new(root.join("usr/bin/kubelet-wrapperctl"))).arg("--version"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    // the crate's version, the pin (a test build is auto) and the revision
    let version = text(&o.stdout);
    let rest = version
        .strip_prefix(&format!(
            "kubelet-wrapperctl {} (release auto, source ",
            env!("CARGO_PKG_VERSION")
        ))
        .unwrap_or_else(|| panic!("{version}"));
    let rev = rest
        .strip_suffix(")\n")
        .unwrap_or_else(|| panic!("{version}"));
    assert!(
        rev == "unknown" || (rev.len() == 12 && rev.bytes().all(|b| b.is_ascii_hexdigit())),
        "{version}"
    );

    // in a private mount namespace, so that a wrapper that went wrong could
    // not touch the host's /etc, /var or /run
    let sb = Sandbox::new();
    let r = sb.run(
        root.join("usr/lib/coreos/kubelet-wrapper")
            .to_str()
            .unwrap(),
        &[],
    );
    assert_eq!(r.status(), 1, "{}", r.stderr());
    assert!(
        r.stderr()
            .starts_with("kubelet-wrapper: One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        r.after, "/etc/os-release\n",
        "nothing but the sandbox's os-release: the wrapper creates nothing when the tag is unset"
    );
    fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// The ebuild's other phases

#[test]
fn the_ebuild_pins_the_image_release() {
    let dir = scratch("pin");
    let compile = |env: &[(&str, &str)]| ebuild_phase(&repo(EBUILD), "src_compile", &dir, env);

    let o = compile(&[("COREOS_VERSION_ID", "2512.3.0")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "cargo_src_compile --bins KUBELET_WRAPPER_RELEASE=2512.3.0\n"
    );
    // an explicit KUBELET_WRAPPER_RELEASE wins, "auto" included
    let o = compile(&[
        ("COREOS_VERSION_ID", "2512.3.0"),
        ("KUBELET_WRAPPER_RELEASE", "auto"),
    ]);
    assert_eq!(
        text(&o.stdout),
        "cargo_src_compile --bins KUBELET_WRAPPER_RELEASE=auto\n"
    );
    // no release at all is an error, not a silent `auto`
    let o = compile(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("die: Neither COREOS_VERSION_ID (the image's release) nor KUBELET_WRAPPER_RELEASE is set"),
        "{}",
        text(&o.stderr)
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_ebuild_tests_name_existing_test_targets() {
    let dir = scratch("src-test");
    let o = ebuild_phase(&repo(EBUILD), "src_test", &dir, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let args: Vec<&str> = out
        .strip_prefix("cargo_src_test ")
        .unwrap_or_else(|| panic!("{out}"))
        .split_whitespace()
        .collect();
    let targets: Vec<&str> = args
        .windows(2)
        .filter(|w| w[0] == "--test")
        .map(|w| w[1])
        .collect();
    assert!(!targets.is_empty(), "{out}");
    for t in targets {
        assert!(
            repo(&format!("tests/{t}.rs")).is_file(),
            "the ebuild's src_test runs --test {t}, but there is no tests/{t}.rs"
        );
        // namespaces (the Sandbox), a nested cargo build, or this file's
        // tools are not to be had in Portage's sandbox
        let source = fs::read_to_string(repo(&format!("tests/{t}.rs"))).unwrap();
        for marker in ["Sandbox", "unshare", "var_os(\"CARGO\")", "systemd-analyze"] {
            assert!(
                !source.contains(marker),
                "the ebuild's src_test runs --test {t}, which uses {marker}"
            );
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// systemd

/// An image root as systemd would see it: our install, systemd's own units
/// from this machine, a stand-in for the image's rkt, and the example unit
/// copied to /etc/systemd/system as the admin would.
fn image_root(name: &str, unit: &str) -> PathBuf {
    let dir = scratch(name);
    let root = dir.join("root");
    assert!(install_sh(&repo("os-overlay"), &root).status.success());
    fs::create_dir_all(root.join("usr/lib/systemd")).unwrap();
    let o = run(Command::new("cp")
        .arg("-a")
        .arg("/usr/lib/systemd/system")
        .arg(root.join("usr/lib/systemd/")));
    assert!(
        o.status.success(),
        "systemd's units: {} (install systemd)",
        text(&o.stderr)
    );
    let rkt = root.join("usr/bin/rkt");
    fs::write(&rkt, "#!/bin/sh\n").unwrap();
    fs::set_permissions(&rkt, fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir_all(root.join("etc/systemd/system")).unwrap();
    fs::write(root.join("etc/systemd/system/kubelet.service"), unit).unwrap();
    root
}

fn verify(root: &Path) -> Output {
    run(clean_env(&mut Command::new("systemd-analyze"))
        .arg("verify")
        .arg(format!("--root={}", root.display()))
        .arg("kubelet.service"))
}

#[test]
fn systemd_accepts_the_example_unit() {
    let unit = fs::read_to_string(repo(
        "os-overlay/app-admin/kubelet-wrapper/files/kubelet.service",
    ))
    .unwrap();
    // what the issue asks of the example
    for line in [
        "\nEnvironment=KUBELET_IMAGE_TAG=",
        "\nEnvironment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid\"\n",
        "\nExecStartPre=-/usr/bin/rkt rm --uuid-file=/var/lib/coreos/kubelet-wrapper.uuid\n",
        "\nExecStart=/usr/lib/coreos/kubelet-wrapper ",
        "\nExecStop=-/usr/bin/rkt stop --uuid-file=/var/lib/coreos/kubelet-wrapper.uuid\n",
        "\nRestart=always\n",
        "\n[Install]\nWantedBy=multi-user.target\n",
    ] {
        assert!(unit.contains(line), "the example unit lacks {line:?}");
    }

    let root = image_root("unit", &unit);
    let o = verify(&root);
    // problems that systemd only warns about leave the status 0
    assert!(
        o.status.success() && o.stderr.is_empty() && o.stdout.is_empty(),
        "systemd-analyze verify: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );

    // the uuid file's directory, from the installed tmpfiles.d snippet
    let o = run(clean_env(&mut Command::new("systemd-tmpfiles"))
        .arg(format!("--root={}", root.display()))
        .arg("--create")
        .arg("kubelet-wrapper.conf"));
    assert!(o.status.success(), "systemd-tmpfiles: {}", text(&o.stderr));
    let coreos = fs::metadata(root.join("var/lib/coreos")).expect("/var/lib/coreos is created");
    assert!(coreos.is_dir());
    assert_eq!(coreos.permissions().mode() & 0o7777, 0o755);
}

#[test]
fn systemd_analyze_catches_a_broken_unit() {
    let unit = fs::read_to_string(repo(
        "os-overlay/app-admin/kubelet-wrapper/files/kubelet.service",
    ))
    .unwrap();
    let cases = [
        (
            "wrapper path",
            unit.replacen(
                "ExecStart=/usr/lib/coreos/kubelet-wrapper",
                "ExecStart=/usr/lib/coreos/kubelet-wraper",
                1,
            ),
            "kubelet-wraper",
        ),
        (
            "misspelt key",
            unit.replacen("Restart=always", "Restrat=always", 1),
            "Restrat",
        ),
    ];
    for (what, broken, expected) in cases {
        assert_ne!(broken, unit, "{what}: the edit did not apply");
        let o = verify(&image_root("broken-unit", &broken));
        let said = text(&o.stderr);
        assert!(
            !(o.status.success() && o.stderr.is_empty()),
            "{what}: accepted"
        );
        assert!(
            said.contains(expected),
            "{what}: {expected:?} not in {said}"
        );
    }
}

// ---------------------------------------------------------------------------
// shellcheck

#[test]
fn shellcheck_accepts_the_scripts() {
    // the ebuild's metadata variables are read by Portage (SC2034)
    let checks: [(&str, &[&str]); 7] = [
        (INSTALL, &[]),
        (HARNESS, &[]),
        (".ci/run", &[]),
        ("tests/run.sh", &[]),
        ("benches/run.sh", &[]),
        ("fuzz/run.sh", &[]),
        (EBUILD, &["--shell=bash", "--exclude=SC2034"]),
    ];
    for (file, opts) in checks {
        let o = run(Command::new("shellcheck").args(opts).arg(repo(file)));
        assert!(
            o.status.success(),
            "shellcheck {file}:\n{}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
    }
    // and shellcheck does check: a script with an unquoted expansion fails
    let dir = scratch("shellcheck");
    let bad = dir.join("bad.sh");
    fs::write(&bad, "#!/bin/sh\nrm -rf $1/tmp\n").unwrap();
    let o = run(Command::new("shellcheck").arg(&bad));
    assert!(!o.status.success());
    assert!(text(&o.stdout).contains("SC2086"), "{}", text(&o.stdout));
    fs::remove_dir_all(&dir).unwrap();
}
