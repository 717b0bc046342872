//! The ebuild in a real Portage tree, with the real tools: Gentoo's QA tool
//! (`pkgcheck scan`) finds nothing but what the tree's missing packages
//! cause, and pkgcore's `pebuild` runs its phases from setup to install
//! with the tree's own eclasses (cargo, rust, rust-toolchain, tmpfiles):
//! the image it installs is the one os-overlay/install.sh makes from the
//! same binaries, pinned to the image's release and statically linked.
//!
//! The tree is Flatcar's portage-stable (eclasses, profiles, licenses; no
//! packages), read from `KW_PORTAGE_TREE` (`.ci/run` sets it to
//! `../shared/portage-stable`); without it every test here prints
//! `skipped: ...` and checks nothing. Everything runs in a private mount
//! namespace (tests/packaging/portage-sandbox.sh): the tree and /etc are
//! overlays whose writes stay in the test's scratch directory, /var and
//! /opt are fresh tmpfs, so the host's /etc/portage, /var/db and /opt are
//! never touched. The crates come from cargo's cache as distfiles, the
//! release tarball from os-overlay/dist.sh, the Manifest from
//! os-overlay/manifest.sh, and the host's Rust toolchain stands in for
//! dev-lang/rust-bin. tests/run.sh installs pkgcore and pkgcheck (pip, into
//! target/portage-tools) and fetches the crates when the variable is set.

mod packaging;

use packaging::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The Portage tree, or None (having said so) when `KW_PORTAGE_TREE` is unset.
fn portage_tree() -> Option<PathBuf> {
    match std::env::var_os("KW_PORTAGE_TREE") {
        None => {
            skipped("no portage tree (set KW_PORTAGE_TREE)");
            None
        }
        Some(t) => {
            let t = PathBuf::from(t);
            assert!(
                t.join("eclass/cargo.eclass").is_file(),
                "KW_PORTAGE_TREE={}: not a Portage tree with cargo.eclass",
                t.display()
            );
            Some(t)
        }
    }
}

/// pkgcore's or pkgcheck's program: from the virtual environment
/// tests/run.sh installs them into, else from PATH.
fn tool(name: &str) -> PathBuf {
    let venv = repo("target/portage-tools/bin").join(name);
    if venv.is_file() {
        return venv;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed: tests/run.sh installs pkgcore and pkgcheck into target/portage-tools when KW_PORTAGE_TREE is set"
            )
        })
}

/// The Rust toolchain building these tests, to stand in for rust-bin.
fn rust_sysroot() -> String {
    let cargo = PathBuf::from(std::env::var_os("CARGO").expect("cargo runs the tests"));
    let rustc = cargo.with_file_name("rustc");
    let o = run(Command::new(if rustc.is_file() {
        rustc
    } else {
        PathBuf::from("rustc")
    })
    .args(["--print", "sysroot"]));
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout).trim().to_string()
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn tarball_name() -> String {
    format!("kubelet-wrapper-{VERSION}.tar.gz")
}

/// The distfiles for this checkout: every crate of Cargo.lock (copied from
/// cargo's cache) and the release tarball dist.sh makes from the checkout.
fn distfiles(dir: &Path) -> PathBuf {
    let distdir = dir.join("distfiles");
    fs::create_dir_all(&distdir).unwrap();
    let lock = fs::read_to_string(repo("Cargo.lock")).unwrap();
    for (name, version, _) in lock_packages(&lock) {
        fs::copy(
            crate_file(&name, &version),
            distdir.join(format!("{name}-{version}.crate")),
        )
        .unwrap();
    }
    let o = run(clean_env(&mut Command::new("bash"))
        .arg(repo(DIST))
        .arg(&distdir));
    assert!(o.status.success(), "dist.sh: {}", text(&o.stderr));
    distdir
}

/// A copy of the package whose Manifest records `distdir`'s files (the
/// committed one may record an older checkout's tarball before the release
/// is tagged).
fn package_for(dir: &Path, distdir: &Path) -> PathBuf {
    let pkg = dir.join("kubelet-wrapper");
    copy_dir(&repo(PKG), &pkg);
    let o = run(Command::new("bash")
        .arg(repo(MANIFEST_SH))
        .arg("-o")
        .arg(pkg.join("Manifest"))
        .arg("-t")
        .arg(distdir.join(tarball_name())));
    assert!(o.status.success(), "manifest.sh: {}", text(&o.stderr));
    pkg
}

/// Runs `command` in the sandbox: the tree with `pkg` in it, `distdir`,
/// `make_conf` added to make.conf; in a fresh private mount namespace.
fn in_tree(
    tree: &Path,
    scratch: &Path,
    pkg: &Path,
    distdir: &Path,
    make_conf: &str,
    command: &[&str],
) -> Output {
    run(clean_env(&mut Command::new("unshare"))
        .args(["-m", "bash"])
        .arg(repo(SANDBOX))
        .arg(tree)
        .arg(scratch)
        .arg(pkg)
        .arg(distdir)
        .args(command)
        .env("KW_RUST_SYSROOT", rust_sysroot())
        .env("KW_MAKE_CONF", make_conf))
}

fn pebuild(phases: &[&str]) -> Vec<String> {
    let mut c = vec![
        tool("pebuild").display().to_string(),
        "--color".into(),
        "n".into(),
        format!("=app-admin/kubelet-wrapper-{VERSION}"),
    ];
    c.extend(phases.iter().map(|p| p.to_string()));
    c
}

/// The output without terminal colours and the crates' unpack lines.
fn log(o: &Output) -> String {
    let mut all = text(&o.stdout);
    all.push_str(&text(&o.stderr));
    let mut out = String::new();
    let mut chars = all.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI ... letter
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out.lines()
        .filter(|l| !l.starts_with("tar -x -C "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Whether every phase pebuild ran succeeded: pebuild exits 0 when a phase
/// dies (pkgcore 0.12.29 builds with `failed=True`), so the output tells.
fn pebuild_ok(o: &Output, out: &str) -> bool {
    o.status.success() && !out.contains(" * ERROR: app-admin/kubelet-wrapper-")
}

/// The results `pkgcheck scan` gives that are about the tree's missing
/// packages, not the ebuild: this snapshot holds no packages at all.
const SNAPSHOT_ONLY: [&str; 4] = [
    "NonexistentDeps",
    "NonsolvableDepsInStable",
    "NonsolvableDepsInDev",
    "NonsolvableDepsInExp",
];

/// `pkgcheck scan` of a package directory: its output and the results'
/// keywords.
fn scan(tree: &Path, dir: &Path, pkg: &Path) -> (String, Vec<String>) {
    let empty = dir.join("no-distfiles");
    fs::create_dir_all(&empty).unwrap();
    let pkgcheck = tool("pkgcheck").display().to_string();
    let o = in_tree(
        tree,
        &dir.join("scan"),
        pkg,
        &empty,
        "",
        &[&pkgcheck, "scan", "--color", "n"],
    );
    let out = log(&o);
    let keywords: Vec<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect();
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "pkgcheck did not run: {out}"
    );
    (out, keywords)
}

#[test]
fn pkgcheck_finds_nothing_but_the_snapshots_missing_packages() {
    let Some(tree) = portage_tree() else { return };
    let dir = scratch("pkgcheck");
    // the package as committed, its Manifest included
    let (out, keywords) = scan(&tree, &dir, &repo(PKG));
    println!("pkgcheck scan:\n{out}");
    assert!(
        !keywords.is_empty(),
        "pkgcheck reported nothing at all: {out}"
    );
    for k in &keywords {
        assert!(
            SNAPSHOT_ONLY.contains(&k.as_str()),
            "pkgcheck scan reports {k}:\n{out}"
        );
    }
    // the dependencies it cannot find are exactly those the eclasses add
    for dep in [">=dev-lang/rust-bin-1.88.0", "virtual/tmpfiles"] {
        assert!(out.contains(dep), "{dep} not in {out}");
    }

    // and it does find what the issue found in the first ebuild
    let broken = dir.join("broken");
    copy_dir(&repo(PKG), &broken);
    let ebuild = broken.join(format!("kubelet-wrapper-{VERSION}.ebuild"));
    let good = fs::read_to_string(&ebuild).unwrap();
    let bad = good
        .replacen(
            "\nDESCRIPTION=\"",
            "\nDESCRIPTION=\"A description much longer than Gentoo allows, which is eighty characters: ",
            1,
        )
        .replacen("\nLICENSE=\"Apache-2.0\"", "\nLICENSE=\"all-rights-reserved\"", 1)
        .replacen("\tzmij@1.0.23\n", "\tzmij-1.0.23\n", 1);
    fs::write(&ebuild, bad).unwrap();
    fs::remove_file(broken.join("Manifest")).unwrap();
    let (out, keywords) = scan(&tree, &dir, &broken);
    for k in [
        "BadDescription",
        "UnknownLicense",
        "SuboptimalCratesSeparator",
        "MissingManifest",
    ] {
        assert!(keywords.iter().any(|x| x == k), "{k} not in {out}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_ebuild_builds_tests_and_installs_through_the_real_eclasses() {
    let Some(tree) = portage_tree() else { return };
    let dir = scratch("pebuild");
    let distdir = distfiles(&dir);
    let pkg = package_for(&dir, &distdir);
    let scratch = dir.join("run");
    let work = scratch.join(format!("tmp/portage/app-admin/kubelet-wrapper-{VERSION}"));
    let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let built = work.join(format!(
        "work/kubelet-wrapper-{VERSION}/target/{triple}/release"
    ));

    // setup to compile, the binaries' digests, then test and install: the
    // test phase must not rebuild what src_install takes
    let phases = format!(
        "{} && sha256sum {}/kubelet-wrapper {}/kubelet-wrapperctl && {} --no-auto test install",
        pebuild(&["setup", "unpack", "prepare", "configure", "compile"]).join(" "),
        built.display(),
        built.display(),
        pebuild(&[]).join(" "),
    );
    let o = in_tree(
        &tree,
        &scratch,
        &pkg,
        &distdir,
        "COREOS_VERSION_ID=\"2512.3.0\"",
        &["bash", "-c", &phases],
    );
    let out = log(&o);
    assert!(pebuild_ok(&o, &out), "pebuild:\n{out}");
    for phase in [
        "setup",
        "unpack",
        "prepare",
        "configure",
        "compile",
        "test",
        "install",
    ] {
        assert!(
            out.contains(&format!("executing phase {phase}\n")),
            "no {phase} phase in:\n{out}"
        );
    }
    assert!(out.contains("Using Rust "), "{out}");
    assert!(
        out.contains("kubelet-wrapper pinned to release 2512.3.0"),
        "{out}"
    );
    assert!(
        out.contains("-C target-feature=-crt-static")
            && out.contains("-C target-feature=+crt-static"),
        "cargo.eclass's flags and then the ebuild's:\n{out}"
    );
    // every test target of src_test ran (cargo.eclass makes cargo verbose:
    // it names each test executable) and passed
    let targets = [
        "kubelet_wrapper",
        "defaults",
        "defaults_cli",
        "releases",
        "engines",
        "hardening",
    ];
    for target in targets {
        assert!(
            out.contains(&format!("/release/deps/{target}-")),
            "src_test did not run {target}:\n{out}"
        );
    }
    assert_eq!(
        out.matches("\ntest result: ok.").count(),
        targets.len(),
        "{out}"
    );
    assert!(!out.contains("test result: FAILED"), "{out}");

    let image = work.join("image");
    println!(
        "pebuild's image ({}):\n{}",
        image.display(),
        listing(&image)
    );
    // the binaries src_install took are those src_compile built
    for (bin, installed) in [
        ("kubelet-wrapper", "usr/lib/coreos/kubelet-wrapper"),
        ("kubelet-wrapperctl", "usr/bin/kubelet-wrapperctl"),
    ] {
        let digest = sha256(&fs::read(image.join(installed)).unwrap());
        assert!(
            out.contains(&format!("{digest}  {}/{bin}\n", built.display())),
            "{installed} is not what src_compile built:\n{out}"
        );
    }
    // Portage compressed the man pages; install.sh does not
    assert!(
        image
            .join("usr/share/man/man1/kubelet-wrapperctl.1.bz2")
            .is_file(),
        "{}",
        listing(&image)
    );
    uncompress_man_pages(&image);
    assert_eq!(installed_files(&image), expected_files());

    // pinned to the image's release, and statically linked
    let ctl = image.join("usr/bin/kubelet-wrapperctl");
    assert_eq!(
        pinned_line(&ctl),
        "pinned release: 2512.3.0 (uses 2512.0.0)"
    );
    // its source is the release's tag (the tarball has no git history)
    let version = Command::new(&ctl).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("kubelet-wrapperctl {VERSION} (release 2512.3.0, engine rkt, source v{VERSION})\n")
    );
    for bin in [
        "usr/lib/coreos/kubelet-wrapper",
        "usr/bin/kubelet-wrapperctl",
    ] {
        assert_eq!(
            elf_interpreter(&image.join(bin)),
            None,
            "{bin} is linked dynamically"
        );
    }

    // install.sh makes the same image from the same binaries (and takes
    // them without --allow-unpinned: they are pinned)
    let by_script = dir.join("install-sh");
    let o = install_sh(&repo("os-overlay"), &by_script, &built, false);
    assert!(o.status.success(), "install.sh: {}", text(&o.stderr));
    assert_eq!(
        tree_differences(&by_script, &image),
        Vec::<String>::new(),
        "install.sh and the ebuild's src_install"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_ebuild_builds_only_for_a_release() {
    let Some(tree) = portage_tree() else { return };
    let dir = scratch("pebuild-pin");
    let distdir = distfiles(&dir);
    let pkg = package_for(&dir, &distdir);
    let configure = |n: &str, make_conf: &str| {
        let o = in_tree(
            &tree,
            &dir.join(n),
            &pkg,
            &distdir,
            make_conf,
            &pebuild(&["setup", "unpack", "prepare", "configure"])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        let out = log(&o);
        (pebuild_ok(&o, &out), out)
    };
    // neither the image's release nor a pin: no build
    let (ok, out) = configure("none", "");
    assert!(!ok, "{out}");
    assert!(
        out.contains("no release to pin kubelet-wrapper to")
            && out.contains("Neither COREOS_VERSION_ID (the image's release) nor"),
        "{out}"
    );
    // KUBELET_WRAPPER_RELEASE wins over the image's release
    let (ok, out) = configure(
        "override",
        "COREOS_VERSION_ID=\"2512.3.0\"\nKUBELET_WRAPPER_RELEASE=\"2600.0.0\"",
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("kubelet-wrapper pinned to release 2600.0.0"),
        "{out}"
    );
    // and an explicit auto is taken, with a warning
    let (ok, out) = configure("auto", "KUBELET_WRAPPER_RELEASE=\"auto\"");
    assert!(ok, "{out}");
    assert!(
        out.contains("KUBELET_WRAPPER_RELEASE=auto: kubelet-wrapper is not pinned"),
        "{out}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_distfile_that_is_not_the_manifests_stops_the_build() {
    let Some(tree) = portage_tree() else { return };
    let dir = scratch("pebuild-digest");
    let distdir = distfiles(&dir);
    let pkg = package_for(&dir, &distdir);
    // the same size, one byte changed: not a partial download, a wrong file
    let crate_path = distdir.join("zmij-1.0.23.crate");
    let mut bytes = fs::read(&crate_path).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    fs::write(&crate_path, bytes).unwrap();
    let o = in_tree(
        &tree,
        &dir.join("run"),
        &pkg,
        &distdir,
        "COREOS_VERSION_ID=\"2512.3.0\"",
        &pebuild(&["setup", "unpack"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let out = log(&o);
    assert!(!pebuild_ok(&o, &out), "{out}");
    assert!(
        out.contains("zmij-1.0.23.crate': checksum verification failed"),
        "{out}"
    );
    assert!(
        !out.contains("executing phase unpack\n>>> Unpacking"),
        "{out}"
    );
    fs::remove_dir_all(&dir).unwrap();
}
