//! Validates every `defaults/*.json` with the same model the binary uses,
//! records the pinned release, its engine and the source revision (for
//! `--version`).
//!
//! The files themselves are embedded by `include_dir!` in `src/release/registry.rs`;
//! this script makes sure nothing broken gets that far. A broken file fails
//! the build with `defaults/FILE:LINE:COLUMN: problem` (syntax or shape) or
//! `defaults/FILE: field: problem` (a rule of the format).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "src/release/version.rs"]
#[allow(dead_code)]
pub mod version;

#[allow(dead_code)]
mod defaults {
    pub use super::version;
    #[path = "../src/release/model.rs"]
    pub mod model;
}

use defaults::model::{self, SCHEMA_FILE};
use version::{Lineage, Scope, Uncovered, Version};

fn main() {
    println!("cargo::rerun-if-changed=defaults");
    println!("cargo::rerun-if-env-changed=KUBELET_WRAPPER_RELEASE");

    let mut errors = Vec::new();
    let dir = Path::new("defaults");
    let mut releases = Vec::new();
    match fs::read_dir(dir) {
        Err(e) => errors.push(format!(
            "defaults/: cannot read the defaults directory: {e}"
        )),
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for name in names {
                println!("cargo::rerun-if-changed=defaults/{name}");
                if !name.ends_with(".json") || name == SCHEMA_FILE {
                    continue;
                }
                match check_file(&dir.join(&name), &name) {
                    Ok(v) => releases.push(v),
                    Err(mut e) => errors.append(&mut e),
                }
            }
        }
    }
    if releases.is_empty() && errors.is_empty() {
        errors.push("defaults/: no release file (defaults/MAJOR.MINOR.PATCH.json); the wrapper needs at least one".into());
    }

    let engines = releases.clone();
    let releases: Vec<Scope> = releases.into_iter().map(|(s, _)| s).collect();
    let pinned = std::env::var("KUBELET_WRAPPER_RELEASE").unwrap_or_default();
    let pinned = pinned.trim();
    let pinned = if pinned.is_empty() { "auto" } else { pinned };
    // the file a pinned binary uses, chosen here once rather than at every
    // start (empty for `auto`)
    let mut pinned_file = String::new();
    if pinned != "auto" {
        match Version::parse(pinned) {
            Err(e) => errors.push(format!("KUBELET_WRAPPER_RELEASE: {e}, or auto")),
            // a pin no file covers would make a binary that guesses, or
            // refuses on every host; a pin is the image's own release,
            // which names a Flatcar one from Flatcar's own files on
            Ok(v) if errors.is_empty() => match version::choose(&releases, v, Lineage::Flatcar) {
                Ok(file) => pinned_file = file.to_string(),
                Err(why) => errors.push(format!(
                    "KUBELET_WRAPPER_RELEASE={pinned}: no release file covers it: {}; add defaults/{pinned}.json for it, or pin a release the files cover",
                    uncovered(why)
                )),
            },
            Ok(_) => {}
        }
    }
    println!("cargo::rustc-env=KW_BUILT_PINNED={pinned}");
    println!("cargo::rustc-env=KW_BUILT_PINNED_FILE={pinned_file}");
    // the engine the binary runs, for --version: what an image build
    // installs the matching unit by (os-overlay/install.sh, the ebuild)
    println!(
        "cargo::rustc-env=KW_BUILT_ENGINE={}",
        engine_of(&engines, &pinned_file)
    );
    println!("cargo::rustc-env=KW_BUILT_REVISION={}", revision());
    // which releases each file may apply to, for the selection rule at run
    // time without parsing every file
    println!(
        "cargo::rustc-env=KW_BUILT_SCOPES={}",
        version::format_scopes(&releases)
    );

    // `cargo::error` fails the build once this script returns, showing each
    // message as an `error:` line without the script's other output.
    for e in &errors {
        println!("cargo::error={e}");
    }
}

/// The source revision: `KUBELET_WRAPPER_REVISION` when a packager sets
/// it (the ebuild: the release's tag); else the commit of this checkout,
/// when this directory is a git work tree's top (not a copy inside another
/// repository); else `unknown` (a release tarball, whose bytes must not
/// depend on how it was made: os-overlay/dist.sh). Only the commit goes
/// in, never a path or a time, so two builds of one commit are the same
/// wherever they are checked out.
fn revision() -> String {
    println!("cargo::rerun-if-env-changed=KUBELET_WRAPPER_REVISION");
    if let Ok(r) = std::env::var("KUBELET_WRAPPER_REVISION") {
        let r = r.trim();
        if !r.is_empty() && r.bytes().all(|b| b.is_ascii_graphic()) {
            return r.to_string();
        }
    }
    git_revision().unwrap_or_else(|| "unknown".to_string())
}

fn is_commit(s: &str) -> bool {
    s.len() >= 12 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
}

fn git_revision() -> Option<String> {
    let here = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if fs::canonicalize(&top).ok()? != fs::canonicalize(&here).ok()? {
        return None;
    }
    let commit = git(&["rev-parse", "--verify", "HEAD"])?;
    if !is_commit(&commit) {
        return None;
    }
    // build again when HEAD moves: HEAD itself, the branch it names, and
    // packed-refs (only files that exist: a missing one would rerun this
    // script on every build)
    let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(branch);
    }
    for w in watch {
        if let Some(p) = git(&["rev-parse", "--git-path", &w]) {
            let p = PathBuf::from(p);
            if p.exists() {
                println!("cargo::rerun-if-changed={}", p.display());
            }
        }
    }
    Some(commit[..12].to_string())
}

/// Parses and validates one release file; returns which releases it may
/// apply to.
/// A valid file's scope, and the engine it runs.
fn check_file(path: &Path, name: &str) -> Result<(Scope, &'static str), Vec<String>> {
    let shown = format!("defaults/{name}");
    let text = fs::read_to_string(path).map_err(|e| vec![format!("{shown}: cannot read: {e}")])?;
    let defaults = model::check_file(&shown, name, &text)?;
    Ok((defaults.scope().expect("validated"), defaults.engine.name()))
}

/// The engine a binary pinned to the file `pinned_file` runs; for an
/// `auto` build (`pinned_file` empty), the engines of every file the
/// selection rule may reach (not the project's, used only when pinned),
/// sorted and joined by `|` (`docker|rkt`).
fn engine_of(files: &[(Scope, &'static str)], pinned_file: &str) -> String {
    let mut engines: Vec<&'static str> = files
        .iter()
        .filter(|(s, _)| {
            if pinned_file.is_empty() {
                s.family != version::Family::Project
            } else {
                s.version.to_string() == pinned_file
            }
        })
        .map(|(_, e)| *e)
        .collect();
    engines.sort();
    engines.dedup();
    engines.join("|")
}

/// Why no file covers a pin, in words.
fn uncovered(why: Uncovered) -> String {
    match why {
        Uncovered::Past { file, until } => format!(
            "the selection rule picks defaults/{file}.json, which applies only until {until}"
        ),
        Uncovered::NoFile => {
            "it is no project release's own version, and there is no CoreOS or Flatcar release file for the version rule".into()
        }
    }
}
