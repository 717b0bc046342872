//! The OS-image packaging in os-overlay/ and the project's metadata, checked
//! without a Portage tree: the ebuild's CRATES match Cargo.lock and its
//! crate licenses are those of the crates' own Cargo.toml; the ebuild,
//! Cargo.toml and metadata.xml agree; the Manifest is what
//! os-overlay/manifest.sh writes; os-overlay/dist.sh makes the same release
//! tarball from a checkout and from its commit; install.sh refuses unpinned
//! binaries and installs the expected files; systemd accepts the example unit;
//! shellcheck accepts the scripts.
//!
//! tests/portage.rs runs the ebuild through the real eclasses and Gentoo's
//! QA tool, and compares its image with install.sh's. Needs `git`,
//! `systemd-analyze`, `systemd-tmpfiles`, `shellcheck`, and the crates in
//! cargo's cache (`cargo fetch --locked`); tests/run.sh sees to all of them.

mod common;
mod packaging;

use common::{CTL, Sandbox, WRAPPER};
use packaging::*;
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where `cargo test` put the two (debug, unpinned) binaries.
fn bindir() -> PathBuf {
    Path::new(CTL).parent().unwrap().to_path_buf()
}

/// The engines those unpinned binaries may run, as their `--version`
/// names them (`docker|rkt`).
fn unpinned_engines() -> Vec<String> {
    let o = run(Command::new(CTL).arg("--version"));
    let v = text(&o.stdout);
    let e = v
        .split(", engine ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or_else(|| panic!("--version names no engine: {v}"));
    e.split('|').map(str::to_string).collect()
}

// ---------------------------------------------------------------------------
// CRATES

/// Whether an ebuild's CRATES list is exactly Cargo.lock's registry
/// packages; the error says what differs and what to paste.
fn check_crates(ebuild: &Path, lock: &Path) -> Result<(), String> {
    let ebuild_text = fs::read_to_string(ebuild).unwrap();
    let crates = ebuild_var(&ebuild_text, "CRATES")
        .ok_or_else(|| format!("{}: no CRATES=\"...\" list", ebuild.display()))?;
    let listed: Vec<&str> = crates.split_whitespace().collect();
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
        "{} disagrees with {}: {}; the list should read (and os-overlay/manifest.sh \
         rewrites the Manifest):\nCRATES=\"\n{block}\"",
        ebuild.display(),
        lock.display(),
        problems.join("; ")
    ))
}

#[test]
fn ebuild_crates_are_the_registry_packages_of_cargo_lock() {
    if let Err(e) = check_crates(&ebuild_path(), &repo("Cargo.lock")) {
        panic!("{e}");
    }
    let lock = fs::read_to_string(repo("Cargo.lock")).unwrap();
    assert!(
        lock_crates(&lock).contains("schemars@1.2.3"),
        "the Cargo.lock reader finds registry packages"
    );
    // the `name@version` form Gentoo's cargo.eclass reads directly
    for c in ebuild_var(&ebuild_text(), "CRATES")
        .unwrap()
        .split_whitespace()
    {
        assert!(c.contains('@'), "{c}: write CRATES as name@version");
    }
}

#[test]
fn a_drifted_ebuild_or_lock_file_fails_the_crates_check() {
    let dir = scratch("crates");
    let ebuild = dir.join("kubelet-wrapper.ebuild");
    let lock = dir.join("Cargo.lock");
    let good_ebuild = ebuild_text();
    let good_lock = fs::read_to_string(repo("Cargo.lock")).unwrap();

    // (what, ebuild, Cargo.lock, expected in the message)
    let cases = [
        (
            "a crate forgotten in the ebuild",
            good_ebuild.replacen("\tserde_json@1.0.154\n", "", 1),
            good_lock.clone(),
            "missing from CRATES: [\"serde_json@1.0.154\"]",
        ),
        (
            "a crate updated in Cargo.lock only",
            good_ebuild.clone(),
            good_lock.replacen(
                "name = \"itoa\"\nversion = \"1.0.19\"",
                "name = \"itoa\"\nversion = \"1.0.99\"",
                1,
            ),
            "missing from CRATES: [\"itoa@1.0.99\"]; in CRATES but not in Cargo.lock: [\"itoa@1.0.19\"]",
        ),
        (
            "a crate added to Cargo.lock",
            good_ebuild.clone(),
            format!(
                "{good_lock}\n[[package]]\nname = \"newdep\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
            ),
            "missing from CRATES: [\"newdep@0.1.0\"]",
        ),
        (
            "a crate listed twice",
            good_ebuild.replacen("\tzmij@1.0.23\n", "\tzmij@1.0.23\n\tzmij@1.0.23\n", 1),
            good_lock.clone(),
            "a crate is listed twice",
        ),
        (
            "the old name-version form",
            good_ebuild.replacen("\tzmij@1.0.23\n", "\tzmij-1.0.23\n", 1),
            good_lock.clone(),
            "in CRATES but not in Cargo.lock: [\"zmij-1.0.23\"]",
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
                assert!(msg.contains("the list should read"), "{msg}");
                assert!(msg.contains("\nCRATES=\"\n\tanstream@1.0.0\n"), "{msg}");
            }
        }
    }
    // the workspace's own package (no source) is not a crate to fetch
    assert!(
        !lock_crates(&good_lock)
            .iter()
            .any(|c| c.starts_with("kubelet-wrapper@"))
    );
    fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// Crate licenses, as Gentoo's cargo ebuilds declare them: every crate's
// SPDX expression, all of them together (AND), simplified, in Gentoo's
// license syntax.

/// A license expression in disjunctive normal form: any one of these sets,
/// each a set of licenses that all apply.
type Dnf = BTreeSet<BTreeSet<String>>;

/// Gentoo's name (in the tree's licenses/) of an SPDX license identifier.
fn gentoo_license(spdx: &str) -> Result<&'static str, String> {
    Ok(match spdx {
        "MIT" => "MIT",
        "Apache-2.0" => "Apache-2.0",
        "Apache-2.0 WITH LLVM-exception" => "Apache-2.0-with-LLVM-exceptions",
        "Unicode-3.0" => "Unicode-3.0",
        "Unicode-DFS-2016" => "Unicode-DFS-2016",
        "Unlicense" => "Unlicense",
        "BSD-2-Clause" => "BSD-2",
        "BSD-3-Clause" => "BSD",
        "0BSD" => "0BSD",
        "ISC" => "ISC",
        "Zlib" => "ZLIB",
        "BSL-1.0" => "Boost-1.0",
        "CC0-1.0" => "CC0-1.0",
        "MPL-2.0" => "MPL-2.0",
        "LGPL-2.1-or-later" => "LGPL-2.1+",
        "MIT-0" => "MIT-0",
        other => {
            return Err(format!(
                "no Gentoo name for the SPDX license {other:?}: add it to gentoo_license in tests/overlay.rs"
            ));
        }
    })
}

/// Parses an SPDX license expression (`OR`, `AND`, `WITH`, parentheses, and
/// the old `MIT/Apache-2.0` form) into Gentoo license names.
fn parse_license(expr: &str) -> Result<Dnf, String> {
    let spaced = expr
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('/', " OR ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let dnf = parse_or(&tokens, &mut at)?;
    if at != tokens.len() {
        return Err(format!("{expr:?}: unexpected {:?}", tokens[at]));
    }
    Ok(dnf)
}

fn parse_or(t: &[&str], at: &mut usize) -> Result<Dnf, String> {
    let mut dnf = parse_and(t, at)?;
    while t.get(*at).is_some_and(|w| w.eq_ignore_ascii_case("OR")) {
        *at += 1;
        dnf.extend(parse_and(t, at)?);
    }
    Ok(minimal(dnf))
}

fn parse_and(t: &[&str], at: &mut usize) -> Result<Dnf, String> {
    let mut dnf = parse_atom(t, at)?;
    while t.get(*at).is_some_and(|w| w.eq_ignore_ascii_case("AND")) {
        *at += 1;
        dnf = and(&dnf, &parse_atom(t, at)?);
    }
    Ok(dnf)
}

fn parse_atom(t: &[&str], at: &mut usize) -> Result<Dnf, String> {
    match t.get(*at) {
        None => Err("expression ends early".into()),
        Some(&"(") => {
            *at += 1;
            let dnf = parse_or(t, at)?;
            if t.get(*at) != Some(&")") {
                return Err("missing )".into());
            }
            *at += 1;
            Ok(dnf)
        }
        Some(id) => {
            *at += 1;
            let mut spdx = id.to_string();
            if t.get(*at).is_some_and(|w| w.eq_ignore_ascii_case("WITH")) {
                let exception = t.get(*at + 1).ok_or("WITH without an exception")?;
                spdx = format!("{id} WITH {exception}");
                *at += 2;
            }
            let name = gentoo_license(&spdx)?.to_string();
            Ok(BTreeSet::from([BTreeSet::from([name])]))
        }
    }
}

/// Both expressions hold.
fn and(a: &Dnf, b: &Dnf) -> Dnf {
    let mut out = Dnf::new();
    for x in a {
        for y in b {
            out.insert(x.union(y).cloned().collect());
        }
    }
    minimal(out)
}

/// Drops every alternative that asks for more than another one does.
fn minimal(dnf: Dnf) -> Dnf {
    dnf.iter()
        .filter(|x| !dnf.iter().any(|y| y != *x && y.is_subset(x)))
        .cloned()
        .collect()
}

/// Gentoo's LICENSE syntax: what every alternative needs, then `|| ( ... )`
/// of the rest.
fn gentoo_syntax(dnf: &Dnf) -> String {
    let mut all = dnf.iter();
    let first = all.next().cloned().unwrap_or_default();
    let common: BTreeSet<String> = all.fold(first, |c, x| c.intersection(x).cloned().collect());
    let mut words: Vec<String> = common.iter().cloned().collect();
    if dnf.len() > 1 {
        words.push("|| (".into());
        for x in dnf {
            let rest: Vec<&String> = x.difference(&common).collect();
            match rest.as_slice() {
                [one] => words.push(one.to_string()),
                many => words.push(format!(
                    "( {} )",
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
            }
        }
        words.push(")".into());
    }
    words.join(" ")
}

/// The `license` of a crate's own Cargo.toml, read from the .crate file.
fn crate_license(name: &str, version: &str) -> String {
    let file = crate_file(name, version);
    let o = run(Command::new("tar")
        .arg("-xzOf")
        .arg(&file)
        .arg(format!("{name}-{version}/Cargo.toml")));
    assert!(
        o.status.success(),
        "{}: {}",
        file.display(),
        text(&o.stderr)
    );
    package_key(&text(&o.stdout), "license").unwrap_or_else(|| {
        panic!(
            "{}: no license expression (license-file?): read its license and declare it in the ebuild by hand",
            file.display()
        )
    })
}

#[test]
fn license_expressions_combine_as_gentoo_declares_them() {
    let combine = |exprs: &[&str]| -> String {
        let dnf = exprs
            .iter()
            .map(|e| parse_license(e).unwrap())
            .fold(BTreeSet::from([BTreeSet::new()]), |a, b| and(&a, &b));
        gentoo_syntax(&dnf)
    };
    assert_eq!(combine(&["MIT OR Apache-2.0"]), "|| ( Apache-2.0 MIT )");
    assert_eq!(combine(&["MIT OR Apache-2.0", "MIT"]), "MIT");
    assert_eq!(combine(&["MIT/Apache-2.0", "Apache-2.0"]), "Apache-2.0");
    assert_eq!(
        combine(&[
            "(MIT OR Apache-2.0) AND Unicode-3.0",
            "Unlicense OR MIT",
            "MIT"
        ]),
        "MIT Unicode-3.0"
    );
    assert_eq!(
        combine(&["Apache-2.0", "Unlicense OR MIT"]),
        "Apache-2.0 || ( MIT Unlicense )"
    );
    assert_eq!(
        combine(&["Apache-2.0 WITH LLVM-exception OR MIT", "Zlib"]),
        "ZLIB || ( Apache-2.0-with-LLVM-exceptions MIT )"
    );
    assert_eq!(
        combine(&["(MIT AND Zlib) OR Apache-2.0"]),
        "|| ( Apache-2.0 ( MIT ZLIB ) )"
    );
    assert!(parse_license("MIT OR").is_err());
    assert!(parse_license("(MIT").is_err());
    assert!(
        parse_license("GPL-3.0-only")
            .unwrap_err()
            .contains("add it to gentoo_license")
    );
}

#[test]
fn ebuild_declares_the_licenses_of_its_crates() {
    let lock = fs::read_to_string(repo("Cargo.lock")).unwrap();
    let mut all = BTreeSet::from([BTreeSet::new()]);
    for (name, version, _) in lock_packages(&lock) {
        let expr = crate_license(&name, &version);
        let dnf = parse_license(&expr).unwrap_or_else(|e| panic!("{name}@{version}: {e}"));
        all = and(&all, &dnf);
    }
    let wanted = gentoo_syntax(&all);
    let ebuild = ebuild_text();
    let declared = ebuild_crate_licenses(&ebuild)
        .expect("the ebuild has `# Dependent crate licenses` and LICENSE+=\"...\"");
    assert_eq!(
        declared, wanted,
        "the ebuild's crate licenses; it should read:\n# Dependent crate licenses\nLICENSE+=\" {wanted}\""
    );
    // the project's own license comes first
    assert_eq!(
        ebuild_var(&ebuild, "LICENSE").as_deref(),
        Some(cargo_toml("license").as_str())
    );
}

// ---------------------------------------------------------------------------
// One project, one description: Cargo.toml, the ebuild, metadata.xml, LICENSE

#[test]
fn ebuild_cargo_toml_and_metadata_agree() {
    let ebuild = ebuild_text();
    let var = |name: &str| {
        ebuild_var(&ebuild, name).unwrap_or_else(|| panic!("the ebuild sets no {name}"))
    };
    let repository = cargo_toml("repository");
    assert!(
        repository.starts_with("https://github.com/"),
        "{repository}"
    );

    let description = cargo_toml("description");
    assert_eq!(var("DESCRIPTION"), description);
    assert!(
        description.len() <= 80,
        "Gentoo wants DESCRIPTION within 80 characters: {description:?}"
    );
    assert_eq!(var("HOMEPAGE"), repository);
    let src_uri: Vec<String> = var("SRC_URI")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(
        src_uri,
        [
            format!("{repository}/releases/download/v${{PV}}/${{P}}.tar.gz"),
            "${CARGO_CRATE_URIS}".to_string()
        ],
        "the release tarball that os-overlay/dist.sh makes, attached to the release, then the crates"
    );
    let rust_version = cargo_toml("rust-version");
    let min = var("RUST_MIN_VER");
    assert!(
        min == rust_version || min == format!("{rust_version}.0"),
        "RUST_MIN_VER {min} and Cargo.toml's rust-version {rust_version}"
    );
    assert_eq!(cargo_toml("license"), "Apache-2.0");

    // the package directory holds the ebuild of this version and no other
    let ebuilds: Vec<String> = fs::read_dir(repo(PKG))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ebuild"))
        .collect();
    assert_eq!(
        ebuilds,
        [format!(
            "kubelet-wrapper-{}.ebuild",
            env!("CARGO_PKG_VERSION")
        )],
        "rename the ebuild with Cargo.toml's version"
    );

    let metadata = fs::read_to_string(repo(&format!("{PKG}/metadata.xml"))).unwrap();
    let github = repository.strip_prefix("https://github.com/").unwrap();
    assert!(
        metadata.contains(&format!("<remote-id type=\"github\">{github}</remote-id>")),
        "{metadata}"
    );
    assert!(
        metadata.contains(&format!("<bugs-to>{repository}/issues</bugs-to>")),
        "{metadata}"
    );
    let maintainer = metadata
        .split("<maintainer")
        .nth(1)
        .and_then(|m| m.split("</maintainer>").next())
        .expect("metadata.xml names a maintainer");
    assert!(
        maintainer.contains("<email>") && maintainer.contains("<name>"),
        "{maintainer}"
    );

    let license = fs::read_to_string(repo("LICENSE")).unwrap();
    assert!(
        license.trim_start().starts_with("Apache License")
            && license.contains("Version 2.0, January 2004")
            && license.contains("END OF TERMS AND CONDITIONS"),
        "LICENSE is the Apache License 2.0"
    );
}

// ---------------------------------------------------------------------------
// The release tarball and the Manifest

fn git(dir: &Path, args: &[&str]) -> Output {
    let o = run(Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=kubelet-wrapper tests"])
        .args(["-c", "user.email=tests@kubelet-wrapper.invalid"])
        .args(args));
    assert!(
        o.status.success(),
        "git {args:?}: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    o
}

fn dist(checkout: &Path, args: &[&str], out: &Path) -> Vec<u8> {
    let o = run(clean_env(&mut Command::new("bash"))
        .arg(checkout.join(DIST))
        .args(args)
        .arg(out));
    assert!(o.status.success(), "dist.sh {args:?}: {}", text(&o.stderr));
    let file = out.join(format!(
        "kubelet-wrapper-{}.tar.gz",
        env!("CARGO_PKG_VERSION")
    ));
    assert_eq!(text(&o.stdout).trim(), file.display().to_string());
    fs::read(file).unwrap()
}

#[test]
fn dist_sh_makes_the_same_tarball_from_a_checkout_and_from_its_commit() {
    let dir = scratch("dist");
    let clone = dir.join("clone");
    let o = run(Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(ROOT)
        .arg(&clone));
    assert!(o.status.success(), "git clone: {}", text(&o.stderr));
    // this checkout's dist.sh (os-overlay/ is not in the tarball)
    fs::copy(repo(DIST), clone.join(DIST)).unwrap();

    let checkout = dist(&clone, &[], &dir.join("checkout"));
    let commit = dist(&clone, &["--ref", "HEAD"], &dir.join("commit"));
    assert!(
        checkout == commit,
        "the tarball of a clean checkout and of its commit differ"
    );
    // time stamps and the checkout's place do not matter
    let o = run(Command::new("touch")
        .arg("-d")
        .arg("2011-11-11")
        .arg(clone.join("Cargo.toml")));
    assert!(o.status.success());
    assert!(dist(&clone, &[], &dir.join("touched")) == checkout);

    let listing = run(Command::new("tar")
        .args(["--utc", "-tvzf"])
        .arg(dir.join("commit").join(format!(
            "kubelet-wrapper-{}.tar.gz",
            env!("CARGO_PKG_VERSION")
        ))));
    let listing = text(&listing.stdout);
    let prefix = format!("kubelet-wrapper-{}/", env!("CARGO_PKG_VERSION"));
    let mut names = BTreeSet::new();
    for line in listing.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (mode, owner, date, name) = (f[0], f[1], f[3], f[5]);
        assert!(
            ["-rw-r--r--", "-rwxr-xr-x", "drwxr-xr-x"].contains(&mode),
            "{line}"
        );
        assert_eq!(owner, "0/0", "{line}");
        assert_eq!(date, "2000-01-01", "{line}");
        let rel = name
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{line}"));
        assert!(!rel.starts_with("os-overlay"), "{line}");
        names.insert(rel.to_string());
    }
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "LICENSE",
        "src/lib.rs",
        "defaults/schema.json",
        "tests/defaults.rs",
        ".ci/run",
    ] {
        assert!(names.contains(needed), "{needed} is not in the tarball");
    }

    // a new file in the checkout is in its tarball, not in the commit's
    // until it is committed
    fs::copy(
        clone.join("defaults/3000.0.0.json"),
        clone.join("defaults/2600.0.0.json"),
    )
    .unwrap();
    let added = dist(&clone, &[], &dir.join("added"));
    assert!(added != commit);
    git(&clone, &["add", "defaults/2600.0.0.json"]);
    git(&clone, &["commit", "--quiet", "-m", "2600.0.0"]);
    assert!(dist(&clone, &["--ref", "HEAD"], &dir.join("committed")) == added);

    let o = run(clean_env(&mut Command::new("bash"))
        .arg(clone.join(DIST))
        .args(["--ref", "v99.0.0"])
        .arg(dir.join("none")));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("v99.0.0: no such commit or tag"),
        "{}",
        text(&o.stderr)
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// The Manifest's lines by file name.
fn manifest_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert!(
                f.len() == 7
                    && f[0] == "DIST"
                    && f[2].parse::<u64>().is_ok()
                    && f[3] == "BLAKE2B"
                    && f[4].len() == 128
                    && f[5] == "SHA512"
                    && f[6].len() == 128,
                "not a Manifest line: {l}"
            );
            (f[1].to_string(), l.to_string())
        })
        .collect()
}

#[test]
fn the_manifest_is_what_manifest_sh_writes() {
    let dir = scratch("manifest");
    let out = dir.join("Manifest");
    let o = run(Command::new("bash")
        .arg(repo(MANIFEST_SH))
        .arg("-o")
        .arg(&out));
    assert!(o.status.success(), "manifest.sh: {}", text(&o.stderr));
    let fresh = manifest_lines(&fs::read_to_string(&out).unwrap());
    let committed = manifest_lines(&fs::read_to_string(repo(&format!("{PKG}/Manifest"))).unwrap());

    let tarball = format!("kubelet-wrapper-{}.tar.gz", env!("CARGO_PKG_VERSION"));
    let (fresh_tar, fresh_crates): (Vec<_>, Vec<_>) =
        fresh.iter().partition(|(n, _)| *n == tarball);
    let (committed_tar, committed_crates): (Vec<_>, Vec<_>) =
        committed.iter().partition(|(n, _)| *n == tarball);
    assert_eq!(
        committed_crates, fresh_crates,
        "{PKG}/Manifest is stale: run os-overlay/manifest.sh"
    );
    assert_eq!(fresh_tar.len(), 1);
    assert_eq!(committed_tar.len(), 1, "the Manifest records {tarball}");
    let names: Vec<&String> = committed.iter().map(|(n, _)| n).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "Manifest lines are sorted by file name");

    // The release tarball exists once the release is tagged; before, the
    // line describes the checkout it was last written from.
    let tag = format!("refs/tags/v{}", env!("CARGO_PKG_VERSION"));
    let tagged = run(Command::new("git").arg("-C").arg(ROOT).args([
        "rev-parse",
        "--verify",
        "--quiet",
        &tag,
    ]))
    .status
    .success();
    if tagged {
        assert_eq!(
            committed_tar, fresh_tar,
            "{PKG}/Manifest does not record the tarball of {tag}: run os-overlay/manifest.sh"
        );
    } else {
        skipped(&format!(
            "the Manifest's {tarball} line: no tag v{} in this checkout, so no release tarball to compare it with (docs/release-engineering.md, \"Before the first tagged release\")",
            env!("CARGO_PKG_VERSION")
        ));
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn manifest_sh_refuses_a_crate_that_is_missing_or_not_cargo_lock_s() {
    let dir = scratch("manifest-cache");
    let lock = fs::read_to_string(repo("Cargo.lock")).unwrap();
    let cache = dir.join("cargo-home/registry/cache/index.example");
    fs::create_dir_all(&cache).unwrap();
    for (name, version, _) in lock_packages(&lock) {
        std::os::unix::fs::symlink(
            crate_file(&name, &version),
            cache.join(format!("{name}-{version}.crate")),
        )
        .unwrap();
    }
    let manifest = |what: &str| {
        run(Command::new("bash")
            .arg(repo(MANIFEST_SH))
            .arg("-o")
            .arg(dir.join(what))
            .env("CARGO_HOME", dir.join("cargo-home")))
    };
    let o = manifest("complete");
    assert!(o.status.success(), "{}", text(&o.stderr));

    fs::remove_file(cache.join("zmij-1.0.23.crate")).unwrap();
    fs::write(cache.join("zmij-1.0.23.crate"), b"not the crate").unwrap();
    let o = manifest("corrupt");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("zmij-1.0.23.crate does not have the checksum Cargo.lock records"),
        "{}",
        text(&o.stderr)
    );
    fs::remove_file(cache.join("zmij-1.0.23.crate")).unwrap();
    let o = manifest("missing");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("zmij-1.0.23.crate; run cargo fetch --locked"),
        "{}",
        text(&o.stderr)
    );
    assert!(!dir.join("corrupt").exists() && !dir.join("missing").exists());
    fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// install.sh

#[test]
fn install_sh_installs_the_expected_files() {
    let dir = scratch("install");
    let root = dir.join("root");
    let o = install_sh(&repo("os-overlay"), &root, &bindir(), true);
    assert!(o.status.success(), "install.sh: {}", text(&o.stderr));
    let engines = unpinned_engines();
    let engines: Vec<&str> = engines.iter().map(String::as_str).collect();
    assert_eq!(installed_files(&root), expected_files_for(&engines));
    for (p, kind, mode, _) in tree(&root) {
        if kind == "dir" {
            assert_eq!(mode, 0o755, "{p}");
        }
    }
    let same = |installed: &str, source: &Path| {
        assert!(
            fs::read(root.join(installed)).unwrap() == fs::read(source).unwrap(),
            "{installed} is not {}",
            source.display()
        );
    };
    same("usr/lib/coreos/kubelet-wrapper", Path::new(WRAPPER));
    same("usr/bin/kubelet-wrapperctl", Path::new(CTL));
    let files = repo(&format!("{PKG}/files"));
    // cargo test's binaries are unpinned: the unit of each engine the
    // releases they may select run, under its engine's name
    assert!(engines.len() > 1, "{engines:?}");
    for (path, engine) in unit_paths(&engines).iter().zip(&engines) {
        same(path, &unit_of(engine));
    }
    assert!(
        text(&o.stderr).contains("installing each one's example unit as"),
        "{}",
        text(&o.stderr)
    );
    same(
        "usr/lib/tmpfiles.d/kubelet-wrapper.conf",
        &files.join("kubelet-wrapper.tmpfiles"),
    );
    for (installed, source) in generated_docs() {
        same(&installed, &source);
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_changed_install_step_shows_in_the_comparison() {
    // the comparison tests/portage.rs makes between install.sh's and the
    // ebuild's image roots: a copy of the overlay whose install.sh changed
    let dir = scratch("drift");
    let reference = dir.join("reference");
    assert!(
        install_sh(&repo("os-overlay"), &reference, &bindir(), true)
            .status
            .success()
    );
    let overlay = dir.join("os-overlay");
    let files = overlay.join("app-admin/kubelet-wrapper/files");
    fs::create_dir_all(&files).unwrap();
    for f in FILES {
        fs::copy(repo(&format!("{PKG}/files")).join(f), files.join(f)).unwrap();
    }
    // the source tree's man pages and completions, beside the overlay copy
    for d in ["docs/man", "completions"] {
        copy_dir(&repo(d), &dir.join(d));
    }
    let script = fs::read_to_string(repo(INSTALL)).unwrap();
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
                "\"$destdir/usr/share/kubelet-wrapper/kubelet-$e.service\"",
                "\"$destdir/usr/lib/systemd/system/kubelet-$e.service\"",
                1,
            ),
            "usr/share/kubelet-wrapper: only in",
        ),
        (
            "contents",
            script.replacen(
                "\"$files/kubelet-wrapper.tmpfiles\"",
                "\"$files/kubelet-rkt.service\"",
                1,
            ),
            "usr/lib/tmpfiles.d/kubelet-wrapper.conf: contents differ",
        ),
    ];
    for (what, edited, expected) in cases {
        assert_ne!(edited, script, "{what}: the edit did not apply");
        fs::write(overlay.join("install.sh"), edited).unwrap();
        let root = dir.join(format!("script-{what}"));
        let o = install_sh(&overlay, &root, &bindir(), true);
        assert!(o.status.success(), "{what}: {}", text(&o.stderr));
        let d = tree_differences(&root, &reference);
        assert!(
            d.iter().any(|l| l.contains(expected)),
            "{what}: {expected:?} not in {d:?}"
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// A directory with stand-ins: the real unpinned wrapper, and a tool that
/// prints `first_line` for `defaults list` and names `engine` in its
/// `--version`.
fn stand_ins(dir: &Path, first_line: &str, engine: &str, wrapper: &[u8]) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let ctl = bin.join("kubelet-wrapperctl");
    fs::write(
        &ctl,
        format!(
            "#!/bin/sh\n[ \"$*\" = --version ] && exec echo 'kubelet-wrapperctl 0.1.0 (release 2601.1.0, engine {engine}, source stand-in)'\n[ \"$*\" = 'defaults list' ] || exit 64\nprintf '%s\\n\\n  960.0.0 ...\\n' '{first_line}'\n"
        ),
    )
    .unwrap();
    fs::write(bin.join("kubelet-wrapper"), wrapper).unwrap();
    for f in ["kubelet-wrapperctl", "kubelet-wrapper"] {
        fs::set_permissions(bin.join(f), fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

#[test]
fn install_sh_refuses_unpinned_binaries_unless_told() {
    let dir = scratch("unpinned");
    let refused = |o: &Output, root: &Path, needle: &str| {
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(needle),
            "{needle:?} not in {}",
            text(&o.stderr)
        );
        assert!(!root.exists(), "nothing is installed");
    };

    // cargo test's own binaries are built without KUBELET_WRAPPER_RELEASE
    assert!(pinned_line(Path::new(CTL)).starts_with("pinned release: auto"));
    let root = dir.join("refused");
    let o = install_sh(&repo("os-overlay"), &root, &bindir(), false);
    refused(&o, &root, "not pinned to a release (pinned release: auto");
    for needle in [
        "KUBELET_WRAPPER_RELEASE",
        "--allow-unpinned",
        "RUSTFLAGS='-C target-feature=+crt-static'",
    ] {
        assert!(text(&o.stderr).contains(needle), "{}", text(&o.stderr));
    }
    // told explicitly, it installs them, and says so
    let root = dir.join("allowed");
    let o = install_sh(&repo("os-overlay"), &root, &bindir(), true);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("warning: installing binaries that are not pinned"),
        "{}",
        text(&o.stderr)
    );
    let engines = unpinned_engines();
    let engines: Vec<&str> = engines.iter().map(String::as_str).collect();
    assert_eq!(installed_files(&root), expected_files_for(&engines));

    // a tool pinned to a release whose name the wrapper does not hold: the
    // two come from different builds
    let wrapper = fs::read(WRAPPER).unwrap();
    let pinned = "pinned release: 2601.1.0 (uses 2512.0.0)";
    let bin = stand_ins(&dir.join("mixed"), pinned, "rkt", &wrapper);
    let root = dir.join("mixed-root");
    refused(
        &install_sh(&repo("os-overlay"), &root, &bin, false),
        &root,
        "is pinned to 2601.1.0 but",
    );
    // a wrapper that holds it is taken, the release named
    let mut marked = wrapper.clone();
    marked.extend_from_slice(b"2601.1.0");
    let bin = stand_ins(&dir.join("matching"), pinned, "rkt", &marked);
    let root = dir.join("matching-root");
    let o = install_sh(&repo("os-overlay"), &root, &bin, false);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("pinned to release 2601.1.0"),
        "{}",
        text(&o.stdout)
    );
    // a tool that cannot run here (another machine's binary) is no proof
    let bin = dir.join("foreign");
    fs::create_dir_all(&bin).unwrap();
    fs::write(
        bin.join("kubelet-wrapperctl"),
        b"\x7fELF\x02\x01\x01garbage",
    )
    .unwrap();
    fs::write(bin.join("kubelet-wrapper"), &marked).unwrap();
    for f in ["kubelet-wrapperctl", "kubelet-wrapper"] {
        fs::set_permissions(bin.join(f), fs::Permissions::from_mode(0o755)).unwrap();
    }
    let root = dir.join("foreign-root");
    refused(
        &install_sh(&repo("os-overlay"), &root, &bin, false),
        &root,
        "(cannot run",
    );
    // an almost-version is not a pin
    let bin = stand_ins(
        &dir.join("odd"),
        "pinned release: 2601.1 (uses 2512.0.0)",
        "rkt",
        &marked,
    );
    let root = dir.join("odd-root");
    refused(
        &install_sh(&repo("os-overlay"), &root, &bin, false),
        &root,
        "not pinned to a release (pinned release: 2601.1 ",
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// The example unit an image gets is the one for the engine the binaries
/// run: install.sh asks `kubelet-wrapperctl --version`, the ebuild reads
/// the same literal from the binary; an engine without a unit is refused.
#[test]
fn install_sh_and_the_ebuild_install_the_unit_of_the_engine() {
    let dir = scratch("engine-unit");
    let mut marked = fs::read(WRAPPER).unwrap();
    marked.extend_from_slice(b"2601.1.0");
    let pinned = "pinned release: 2601.1.0 (uses 2512.0.0)";
    for engine in ["rkt", "podman", "docker"] {
        let bin = stand_ins(&dir.join(engine), pinned, engine, &marked);
        let root = dir.join(format!("{engine}-root"));
        let o = install_sh(&repo("os-overlay"), &root, &bin, false);
        assert!(o.status.success(), "{engine}: {}", text(&o.stderr));
        assert!(
            fs::read(root.join("usr/share/kubelet-wrapper/kubelet.service")).unwrap()
                == fs::read(unit_of(engine)).unwrap(),
            "{engine}: another engine's unit"
        );
        assert!(
            text(&o.stdout).contains(&format!("release 2601.1.0 ({engine})")),
            "{}",
            text(&o.stdout)
        );
    }
    for (engine, why) in [
        (
            "systemd-nspawn",
            "runs systemd-nspawn, for which there is no example unit",
        ),
        (
            "docker|systemd-nspawn",
            "runs systemd-nspawn, for which there is no example unit",
        ),
    ] {
        let bin = stand_ins(&dir.join(engine), pinned, engine, &marked);
        let root = dir.join(format!("{engine}-root"));
        let o = install_sh(&repo("os-overlay"), &root, &bin, false);
        assert_eq!(o.status.code(), Some(1), "{engine}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(why),
            "{engine}: {}",
            text(&o.stderr)
        );
        assert!(!root.exists(), "{engine}: nothing is installed");
    }

    // the ebuild's lines, from `local engine` to the unit's install, run by
    // bash with Portage's helpers standing in
    let ebuild = ebuild_text();
    let start = ebuild
        .find("\tlocal engine")
        .expect("the ebuild reads the engine");
    let end = start
        + ebuild[start..]
            .find("\tinsinto /usr/share/kubelet-wrapper\n")
            .unwrap();
    let snippet = &ebuild[start..end];
    let ebuild_engine = |ctl: &Path| -> Output {
        let script = format!(
            "die() {{ echo \"die: $*\" >&2; exit 1; }}\nf() {{\n{snippet}\techo \"$engine\"\n}}\nf\n"
        );
        run(clean_env(&mut Command::new("bash"))
            .args(["-c", &script])
            .env("bindir", ctl.parent().unwrap())
            .env("FILESDIR", repo(&format!("{PKG}/files"))))
    };
    // the real (unpinned) tool: the engines of the releases it may select
    let real = dir.join("real");
    fs::create_dir_all(&real).unwrap();
    fs::copy(CTL, real.join("kubelet-wrapperctl")).unwrap();
    let o = ebuild_engine(&real.join("kubelet-wrapperctl"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        format!("{}\n", unpinned_engines().join("|"))
    );
    // a build for another machine: the literal among bytes it cannot run
    for (engine, ok) in [
        ("podman", true),
        ("docker", true),
        ("systemd-nspawn", false),
    ] {
        let bin = dir.join(format!("foreign-{engine}"));
        fs::create_dir_all(&bin).unwrap();
        let mut bytes = b"\x7fELF\x02\x01\x01\0garbage\0".to_vec();
        bytes.extend_from_slice(
            format!("0.1.0 (release 3000.0.0, engine {engine}, source v0.1.0)\0more").as_bytes(),
        );
        fs::write(bin.join("kubelet-wrapperctl"), bytes).unwrap();
        let o = ebuild_engine(&bin.join("kubelet-wrapperctl"));
        if ok {
            assert!(o.status.success(), "{engine}: {}", text(&o.stderr));
            assert_eq!(text(&o.stdout), format!("{engine}\n"));
        } else {
            assert_eq!(o.status.code(), Some(1), "{engine}");
            assert!(
                text(&o.stderr).contains("die: no example unit for the engine systemd-nspawn"),
                "{}",
                text(&o.stderr)
            );
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn install_sh_refuses_missing_binaries_and_bad_usage() {
    let dir = scratch("usage");
    for args in [&[][..], &["--allow-unpinned"][..], &["a", "b", "c"][..]] {
        let o = run(clean_env(Command::new("bash").arg(repo(INSTALL))).args(args));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(text(&o.stderr).contains("usage: "), "{}", text(&o.stderr));
    }
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

    // without BINDIR it takes docs/image-build.md's quickest build, the statically
    // linked one built with --target (tests/reproducible.rs builds it)
    let overlay = dir.join("repo/os-overlay");
    fs::create_dir_all(&overlay).unwrap();
    fs::copy(repo(INSTALL), overlay.join("install.sh")).unwrap();
    let o =
        run(clean_env(Command::new("bash").arg(overlay.join("install.sh"))).arg(dir.join("root")));
    assert_eq!(o.status.code(), Some(1));
    let machine = text(&run(Command::new("uname").arg("-m")).stdout);
    let fast = format!(
        "os-overlay/../target/{}-unknown-linux-gnu/release/kubelet-wrapper: no such executable",
        machine.trim()
    );
    assert!(text(&o.stderr).contains(&fast), "{}", text(&o.stderr));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_installed_binaries_run() {
    let dir = scratch("run");
    let root = dir.join("root");
    assert!(
        install_sh(&repo("os-overlay"), &root, &bindir(), true)
            .status
            .success()
    );

    let o =
        run(clean_env(&mut Command::new(root.join("usr/bin/kubelet-wrapperctl"))).arg("--version"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).starts_with(&format!("kubelet-wrapperctl {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        text(&o.stdout)
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
// The ebuild's test phase

#[test]
fn the_ebuild_tests_name_existing_test_targets() {
    let ebuild = ebuild_text();
    let body = ebuild
        .split("\nsrc_test() {\n")
        .nth(1)
        .and_then(|b| b.split("\n}\n").next())
        .expect("the ebuild has src_test");
    let call = body
        .split("\n\tcargo_src_test ")
        .nth(1)
        .expect("src_test calls cargo_src_test");
    let args: Vec<&str> = call.split_whitespace().filter(|w| *w != "\\").collect();
    let targets: Vec<&str> = args
        .iter()
        .filter_map(|a| a.strip_prefix("--test="))
        .collect();
    assert!(!targets.is_empty(), "{body}");
    assert!(args.contains(&"--lib"), "{body}");
    for t in targets {
        assert!(
            repo(&format!("tests/{t}.rs")).is_file(),
            "the ebuild's src_test runs --test {t}, but there is no tests/{t}.rs"
        );
        // namespaces (the Sandbox), a nested cargo build, this file's tools
        // or the cargo cache are not to be had in Portage's sandbox
        let source = fs::read_to_string(repo(&format!("tests/{t}.rs"))).unwrap();
        for marker in [
            "Sandbox",
            "unshare",
            "var_os(\"CARGO\")",
            "systemd-analyze",
            "mod packaging",
        ] {
            assert!(
                !source.contains(marker),
                "the ebuild's src_test runs --test {t}, which uses {marker}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// systemd

/// An image root as systemd would see it: our install, systemd's own units
/// from this machine, a stand-in for the image's rkt, and the example unit
/// copied to /etc/systemd/system as the admin would.
fn image_root(name: &str, unit: &str) -> PathBuf {
    let dir = scratch(name);
    let root = dir.join("root");
    assert!(
        install_sh(&repo("os-overlay"), &root, &bindir(), true)
            .status
            .success()
    );
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
    // the engines' programs, which verify looks for in the image, and
    // docker's daemon, which the docker unit requires
    for engine in ["rkt", "podman", "docker"] {
        let program = root.join("usr/bin").join(engine);
        fs::write(&program, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::write(
        root.join("usr/lib/systemd/system/docker.service"),
        "[Service]\nExecStart=/usr/bin/docker\n",
    )
    .unwrap();
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
fn systemd_accepts_the_example_units() {
    // what each engine's unit needs (measured on a booted node, tests/boot.rs)
    let engine_lines: [(&str, &[&str]); 3] = [
        (
            "rkt",
            &[
                "\nEnvironment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid\"\n",
                "\nExecStartPre=-/usr/bin/rkt rm --uuid-file=/var/lib/coreos/kubelet-wrapper.uuid\n",
                "\nExecStop=-/usr/bin/rkt stop --uuid-file=/var/lib/coreos/kubelet-wrapper.uuid\n",
                // an exited fly pod keeps its mounts until it is removed
                "\nExecStopPost=-/usr/bin/rkt rm --uuid-file=/var/lib/coreos/kubelet-wrapper.uuid\n",
            ],
        ),
        (
            "podman",
            &[
                "\nType=notify\n",
                "\nKillMode=mixed\n",
                "\nDelegate=yes\n",
                "\nExecStopPost=-/usr/bin/podman rm --force --ignore kubelet\n",
            ],
        ),
        (
            "docker",
            &[
                "\nRequires=docker.service\nAfter=docker.service\n",
                // only after a client that did not exit by itself: docker's
                // rm --force of a container that is not there prints an
                // error (tests/boot.rs)
                "\nExecStopPost=-/bin/sh -c '[ \"$$EXIT_CODE\" = exited ] || exec /usr/bin/docker rm --force kubelet'\n",
            ],
        ),
    ];
    for (engine, lines) in engine_lines {
        let unit = fs::read_to_string(unit_of(engine)).unwrap();
        for line in [
            "\nEnvironment=KUBELET_IMAGE_TAG=",
            "\nExecStart=/usr/lib/coreos/kubelet-wrapper ",
            "\nRestart=always\n",
            "\n[Install]\nWantedBy=multi-user.target\n",
        ]
        .iter()
        .chain(lines)
        {
            assert!(unit.contains(line), "the {engine} unit lacks {line:?}");
        }
        let root = image_root(&format!("unit-{engine}"), &unit);
        let o = verify(&root);
        // problems that systemd only warns about leave the status 0
        assert!(
            o.status.success() && o.stderr.is_empty() && o.stdout.is_empty(),
            "systemd-analyze verify of the {engine} unit: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
    }

    let root = image_root("unit", &fs::read_to_string(unit_of("rkt")).unwrap());

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
    let unit = fs::read_to_string(unit_of("rkt")).unwrap();
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

/// Every shell script git knows: each file whose name ends in .sh or
/// whose `#!` line runs sh, bash or dash (.ci/run has no extension).
fn shell_scripts() -> Vec<String> {
    let o = run(Command::new("git")
        .arg("-C")
        .arg(ROOT)
        .args(["ls-files", "-z"]));
    assert!(o.status.success(), "git ls-files: {}", text(&o.stderr));
    let shebang_shell = |f: &str| {
        let mut first = String::new();
        let Ok(file) = fs::File::open(repo(f)) else {
            return false;
        };
        let _ = std::io::BufRead::read_line(
            &mut std::io::BufReader::new(std::io::Read::take(file, 256)),
            &mut first,
        );
        let Some(line) = first.strip_prefix("#!") else {
            return false;
        };
        let mut words = line.split_whitespace();
        let mut program = words.next().unwrap_or("");
        if program.ends_with("/env") {
            program = words.next().unwrap_or("");
        }
        matches!(program.rsplit('/').next(), Some("sh" | "bash" | "dash"))
    };
    text(&o.stdout)
        .split('\0')
        .filter(|f| repo(f).is_file() && (f.ends_with(".sh") || shebang_shell(f)))
        .map(str::to_string)
        .collect()
}

#[test]
fn shellcheck_accepts_the_scripts() {
    let scripts = shell_scripts();
    // the listing works: scripts of every kind are among what it found
    for file in [
        ".ci/run",
        INSTALL,
        "benches/node.sh",
        "docs/check-example.sh",
    ] {
        assert!(
            scripts.iter().any(|s| s == file),
            "{file} is not among the scripts found: {scripts:?}"
        );
    }
    let ebuild = ebuild_path()
        .strip_prefix(ROOT)
        .unwrap()
        .display()
        .to_string();
    // the ebuild's metadata variables are read by Portage (SC2034)
    let checks: [(&[String], &[&str]); 2] = [
        (&scripts, &[]),
        (&[ebuild], &["--shell=bash", "--exclude=SC2034"]),
    ];
    for (files, opts) in checks {
        let o = run(Command::new("shellcheck")
            .current_dir(ROOT)
            .args(opts)
            .args(files));
        assert!(
            o.status.success(),
            "shellcheck {files:?}:\n{}{}",
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
