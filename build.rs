//! Validates every `defaults/*.json` with the same model the binary uses and
//! records the pinned release.
//!
//! The files themselves are embedded by `include_dir!` in `src/defaults/registry.rs`;
//! this script makes sure nothing broken gets that far. A broken file fails
//! the build with `defaults/FILE:LINE:COLUMN: problem` (syntax or shape) or
//! `defaults/FILE: field: problem` (a rule of the format).

use std::fs;
use std::path::Path;

#[path = "src/defaults/version.rs"]
#[allow(dead_code)]
pub mod version;

#[allow(dead_code)]
mod defaults {
    pub use super::version;
    #[path = "../src/defaults/model.rs"]
    pub mod model;
}

use defaults::model::{self, SCHEMA_FILE};
use version::{Scope, Uncovered, Version};

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

    let pinned = std::env::var("KUBELET_WRAPPER_RELEASE").unwrap_or_default();
    let pinned = pinned.trim();
    let pinned = if pinned.is_empty() { "auto" } else { pinned };
    if pinned != "auto" {
        match Version::parse(pinned) {
            Err(e) => errors.push(format!("KUBELET_WRAPPER_RELEASE: {e}, or auto")),
            // a pin no file covers would make a binary that guesses, or
            // refuses on every host
            Ok(v) if errors.is_empty() => {
                if let Err(why) = version::choose(&releases, v) {
                    errors.push(format!(
                        "KUBELET_WRAPPER_RELEASE={pinned}: no release file covers it: {}; add defaults/{pinned}.json for it, or pin a release the files cover",
                        uncovered(why)
                    ));
                }
            }
            Ok(_) => {}
        }
    }
    println!("cargo::rustc-env=KUBELET_WRAPPER_PINNED={pinned}");
    // which releases each file may apply to, for the selection rule at run
    // time without parsing every file
    println!(
        "cargo::rustc-env=KUBELET_WRAPPER_SCOPES={}",
        version::format_scopes(&releases)
    );

    // `cargo::error` fails the build once this script returns, showing each
    // message as an `error:` line without the script's other output.
    for e in &errors {
        println!("cargo::error={e}");
    }
}

/// Parses and validates one release file; returns which releases it may
/// apply to.
fn check_file(path: &Path, name: &str) -> Result<Scope, Vec<String>> {
    let shown = format!("defaults/{name}");
    let text = fs::read_to_string(path).map_err(|e| vec![format!("{shown}: cannot read: {e}")])?;
    let defaults = model::check_file(&shown, name, &text)?;
    Ok(defaults.scope().expect("validated"))
}

/// Why no file covers a pin, in words.
fn uncovered(why: Uncovered) -> String {
    match why {
        Uncovered::Past { file, until } => format!(
            "the selection rule picks defaults/{file}.json, which applies only until {until}"
        ),
        Uncovered::NoFile => {
            "it is no project release's own version, and there is no CoreOS release file for the version rule".into()
        }
    }
}
