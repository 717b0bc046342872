//! Reproducible pinned builds, and the build an image takes: docs/image-build.md's
//! quickest build, run word for word in two checkouts of the same sources in
//! different directories (each its own clean target directory), gives
//! byte-identical binaries, linked statically and pinned to the release it
//! names; `os-overlay/install.sh` without a BINDIR takes exactly these.
//!
//! The checkouts are the release tarball os-overlay/dist.sh makes from this
//! checkout, unpacked twice. Both builds use this machine's toolchain and
//! cargo's crate cache (docs/release-engineering.md says what else a second
//! builder must share to get the same bytes). Two clean release builds with
//! LTO take a minute or two on two cores; they run side by side.

mod packaging;

use packaging::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The command of docs/image-build.md's "The quickest build" section.
fn readme_build_command() -> String {
    let readme = fs::read_to_string(repo("docs/image-build.md")).unwrap();
    let section = readme
        .split("\n## The quickest build")
        .nth(1)
        .expect("docs/image-build.md has a section \"The quickest build\"");
    let block = section
        .split("\n```sh\n")
        .nth(1)
        .and_then(|b| b.split("\n```\n").next())
        .expect("the section shows the build in a ```sh block");
    block.to_string()
}

/// Runs docs/image-build.md's command with `sh` in `checkout`, with nothing of this
/// process's environment but where the toolchain and crates are.
fn build(checkout: &Path, command: &str) -> Output {
    let cargo = PathBuf::from(std::env::var_os("CARGO").expect("cargo runs the tests"));
    let toolchain = cargo.parent().unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(checkout)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", toolchain.display()),
        )
        // the crates are in the cache: nothing to download
        .env("CARGO_NET_OFFLINE", "true");
    for keep in ["HOME", "CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
        if let Some(v) = std::env::var_os(keep) {
            cmd.env(keep, v);
        }
    }
    run(&mut cmd)
}

#[test]
fn two_checkouts_build_byte_identical_pinned_static_binaries() {
    let command = readme_build_command();
    for part in [
        "KUBELET_WRAPPER_RELEASE=2512.3.0",
        "RUSTFLAGS='-C target-feature=+crt-static'",
        "cargo build --release --locked --target ",
    ] {
        assert!(command.contains(part), "{part:?} not in {command}");
    }
    let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    if !command.contains(&format!("--target {triple}")) {
        skipped(&format!(
            "docs/image-build.md's quickest build names another machine's target than {triple}"
        ));
        return;
    }

    let dir = scratch("reproducible");
    let o = run(clean_env(&mut Command::new("bash"))
        .arg(repo(DIST))
        .arg(&dir));
    assert!(o.status.success(), "dist.sh: {}", text(&o.stderr));
    let tarball = PathBuf::from(text(&o.stdout).trim());
    let unpacked = format!("kubelet-wrapper-{}", env!("CARGO_PKG_VERSION"));
    // two places, at different depths and under different names
    let checkouts = [
        dir.join("one").join(&unpacked),
        dir.join("two/somewhere/else").join("kw"),
    ];
    for c in &checkouts {
        let parent = c.parent().unwrap();
        fs::create_dir_all(parent).unwrap();
        let o = run(Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(parent));
        assert!(o.status.success(), "{}", text(&o.stderr));
        if !c.exists() {
            fs::rename(parent.join(&unpacked), c).unwrap();
        }
        assert!(!c.join("target").exists(), "a clean checkout");
    }

    let outputs: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = checkouts
            .iter()
            .map(|c| s.spawn(|| build(c, &command)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (c, o) in checkouts.iter().zip(&outputs) {
        assert!(
            o.status.success(),
            "{command}\nin {}: {}",
            c.display(),
            text(&o.stderr)
        );
    }

    let bindirs: Vec<PathBuf> = checkouts
        .iter()
        .map(|c| c.join("target").join(&triple).join("release"))
        .collect();
    let mut report = String::new();
    for bin in ["kubelet-wrapper", "kubelet-wrapperctl"] {
        let a = fs::read(bindirs[0].join(bin)).unwrap();
        let b = fs::read(bindirs[1].join(bin)).unwrap();
        report.push_str(&format!(
            "{bin}: {} bytes, sha256 {} / {} bytes, sha256 {}\n",
            a.len(),
            sha256(&a),
            b.len(),
            sha256(&b)
        ));
        assert!(
            a == b,
            "{bin} differs between {} and {}",
            bindirs[0].display(),
            bindirs[1].display()
        );
        assert_eq!(
            elf_interpreter(&bindirs[0].join(bin)),
            None,
            "{bin} is linked dynamically"
        );
    }
    println!("two checkouts, the same binaries:\n{report}");
    assert_eq!(
        pinned_line(&bindirs[0].join("kubelet-wrapperctl")),
        "pinned release: 2512.3.0 (uses 2512.0.0)"
    );

    // install.sh without BINDIR takes this build, and needs no
    // --allow-unpinned for it
    let overlay = checkouts[0].join("os-overlay");
    let files = overlay.join("app-admin/kubelet-wrapper/files");
    fs::create_dir_all(&files).unwrap();
    fs::copy(repo(INSTALL), overlay.join("install.sh")).unwrap();
    for f in FILES {
        fs::copy(repo(&format!("{PKG}/files")).join(f), files.join(f)).unwrap();
    }
    let root = dir.join("image");
    let o = run(clean_env(&mut Command::new("bash"))
        .arg(overlay.join("install.sh"))
        .arg(&root));
    assert!(o.status.success(), "install.sh: {}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("pinned to release 2512.3.0"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(installed_files(&root), expected_files());
    assert!(
        fs::read(root.join("usr/lib/coreos/kubelet-wrapper")).unwrap()
            == fs::read(bindirs[1].join("kubelet-wrapper")).unwrap()
    );
    fs::remove_dir_all(&dir).unwrap();
}
