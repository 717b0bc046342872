//! `defaults list | show | diff | validate`: the embedded release files.

use super::cli::ShowFormat;
use super::json::{self, Layout};
use super::layer_diff::Change;
use super::output::{Failure, Output};
use crate::release::Version;
use crate::release::model::{self, Defaults};
use crate::release::registry::{self, ReleaseFile};
use crate::release::select::ReleaseSource;
use serde::Serialize;
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};

/// `defaults list --format json`.
#[derive(Serialize)]
struct ListJson<'a> {
    pinned: String,
    detected: Option<DetectedJson<'a>>,
    refused: Option<String>,
    uses: Option<String>,
    files: Vec<FileJson>,
}

/// The host's release, as an `auto` build reads it.
#[derive(Serialize)]
struct DetectedJson<'a> {
    release: String,
    from: &'a str,
}

/// One embedded release file.
#[derive(Serialize)]
struct FileJson {
    release: String,
    scope: &'static str,
    origin: &'static str,
    engine: &'static str,
    summary: String,
    used: bool,
}

pub fn list(format: ShowFormat) -> Result<String, Failure> {
    let files = registry::files();
    let runtime = crate::host::os_release::runtime(Path::new("/"));
    if format == ShowFormat::Json {
        let refused = runtime.as_ref().err().map(|e| e.to_string());
        let (pinned, detected, uses) = match &runtime {
            Ok((v, ReleaseSource::Pinned, used)) => (v.to_string(), None, Some(used.version)),
            Ok((v, ReleaseSource::Detected(f), used)) => (
                "auto".to_string(),
                Some(DetectedJson {
                    release: v.to_string(),
                    from: f,
                }),
                Some(used.version),
            ),
            Err(_) => ("auto".to_string(), None, None),
        };
        let out = ListJson {
            pinned,
            detected,
            refused,
            uses: uses.map(|v| v.to_string()),
            files: files
                .iter()
                .map(|f| {
                    let d = f.parse();
                    FileJson {
                        release: f.version.to_string(),
                        scope: scope(f, &d),
                        origin: d.origin.name(),
                        engine: d.engine.name(),
                        summary: d.summary.clone(),
                        used: Some(f.version) == uses,
                    }
                })
                .collect(),
        };
        return Ok(json::document(
            &out,
            &Layout {
                lines: &[&["", "detected", "files", "files[]"]],
                indent: "  ",
            },
        ));
    }
    let mut out = String::new();
    let used = match runtime {
        Ok((v, ReleaseSource::Pinned, used)) => {
            out.push_str(&format!("pinned release: {v} (uses {})\n", used.version));
            Some(used.version)
        }
        Ok((v, ReleaseSource::Detected(f), used)) => {
            out.push_str(&format!(
                "pinned release: auto (this host: {v} from {f}, uses {})\n",
                used.version
            ));
            Some(used.version)
        }
        Err(e) => {
            out.push_str(&format!(
                "pinned release: auto; the wrapper refuses this host: {e}\n"
            ));
            None
        }
    };
    out.push('\n');
    for f in &files {
        let d = f.parse();
        let mark = if Some(f.version) == used { "*" } else { " " };
        out.push_str(&format!(
            "{mark} {:<10} {:<7} {:<9}  {}\n",
            f.version.to_string(),
            d.origin.name(),
            scope(f, &d),
            d.summary
        ));
    }
    Ok(out)
}

/// Which releases a file applies to, in words: its own version only (a
/// project release), every later major of its family until the next
/// main-line file (a main-line file, and the first file of a family, which
/// the rule falls back to for the family's releases no other file covers),
/// or only later releases of its own major (a backport).
fn scope(f: &ReleaseFile, d: &Defaults) -> &'static str {
    let first_of_family = || {
        registry::files()
            .iter()
            .filter(|g| g.parse().origin == d.origin)
            .map(|g| g.version)
            .min()
            == Some(f.version)
    };
    if d.origin == model::ReleaseOrigin::Project {
        "by name"
    } else if f.version.is_mainline() || first_of_family() {
        "main line"
    } else {
        "backport"
    }
}

/// The file release `r` (MAJOR.MINOR.PATCH) uses.
fn release_file(r: &str) -> Result<ReleaseFile, Failure> {
    let v = Version::parse(r).map_err(|e| Failure(1, e.to_string()))?;
    registry::lookup(v).map_err(|e| Failure(1, e.to_string()))
}

pub fn show(release: &str, format: ShowFormat) -> Result<String, Failure> {
    let file = release_file(release)?;
    let d = file.parse();
    Ok(match format {
        ShowFormat::Json => {
            // the file's content as serde_json writes it, its fields at
            // the first level of indentation: the whole at none
            #[derive(Serialize)]
            struct Show<'a> {
                release: &'a str,
                defaults: String,
                layer: Box<RawValue>,
            }
            let layer = serde_json::to_string_pretty(&d).expect("defaults serialize");
            let out = Show {
                release,
                defaults: file.version.to_string(),
                layer: RawValue::from_string(layer).expect("serde_json writes JSON"),
            };
            json::document(
                &out,
                &Layout {
                    lines: &[&[""]],
                    indent: "",
                },
            )
        }
        ShowFormat::Text => {
            let mut out = format!(
                "release {release} uses defaults/{}.json{}\n  {}\n\n",
                file.version,
                if d.origin == model::ReleaseOrigin::Project {
                    " (a kubelet-wrapper release, not a CoreOS one)"
                } else {
                    ""
                },
                d.summary
            );
            out.push_str(&format!(
                "engine       {} ({})\nimage        {}{}$KUBELET_IMAGE_TAG\n",
                d.engine.name(),
                d.engine.program(),
                d.image.default_url,
                d.image.tag_separator
            ));
            match &d.engine {
                model::Engine::Rkt(rkt) => {
                    out.push_str(&format!(
                        "stage1       {}\nimage args   {}\nreadOnly     {}\n",
                        rkt.stage1.join(" "),
                        rkt.image_args.join(" "),
                        if rkt.read_only_attribute {
                            "written on every volume"
                        } else {
                            "not written (rkt default: read-write)"
                        }
                    ));
                    if !rkt.run_flags.is_empty() {
                        out.push_str(&format!("run flags    {}\n", rkt.run_flags.join(" ")));
                    }
                }
                model::Engine::Podman(o) | model::Engine::Docker(o) => {
                    out.push_str(&format!(
                        "container    --name={}{}\ncommand      {}\nrun flags    {}\ndigest       {}\n",
                        o.container_name,
                        if o.remove_previous {
                            " (a previous one is removed before start)"
                        } else {
                            ""
                        },
                        o.command,
                        o.run_flags.join(" "),
                        if o.require_digest {
                            "required (image@sha256:...)"
                        } else {
                            "not required"
                        }
                    ));
                }
                model::Engine::SystemdNspawn(n) => {
                    out.push_str(&format!(
                        "command      {}\nrun flags    {}\n",
                        n.command,
                        n.run_flags.join(" ")
                    ));
                }
            }
            let trust = d.engine.trust();
            out.push_str("trust\n");
            for r in trust {
                out.push_str(&format!(
                    "  {:<44} {:<8} {}\n",
                    r.when.to_string(),
                    r.policy.to_string(),
                    r.args.join(" ")
                ));
            }
            if trust.is_empty() {
                out.push_str("  (no rule: the engine's default applies)\n");
            }
            out.push_str("directories\n");
            for dir in &d.directories {
                out.push_str(&format!("  {dir}\n"));
            }
            out.push_str("volumes\n");
            for vol in &d.volumes {
                out.push_str(&format!(
                    "  {:<24} {:<28} -> {:<28} {}{}\n",
                    vol.name,
                    vol.source,
                    vol.target,
                    if vol.read_only { "ro" } else { "rw" },
                    if vol.recursive { ", recursive" } else { "" }
                ));
            }
            out
        }
    })
}

pub fn diff(from: &str, to: &str, format: ShowFormat) -> Result<String, Failure> {
    let pick = |r: &str| -> Result<(ReleaseFile, Defaults), Failure> {
        let file = release_file(r)?;
        Ok((file, file.parse()))
    };
    let (file_a, a) = pick(from)?;
    let (file_b, b) = pick(to)?;
    let changes: Vec<Change> = super::layer_diff::diff(&a, &b);
    Ok(match format {
        ShowFormat::Json => {
            // structs rather than a JSON value, to keep the fields in order
            #[derive(serde::Serialize)]
            struct Side {
                release: String,
                defaults: String,
                summary: String,
            }
            #[derive(serde::Serialize)]
            struct Report<'a> {
                from: Side,
                to: Side,
                changes: &'a [Change],
            }
            let side = |r: &str, f: &ReleaseFile, d: &Defaults| Side {
                release: r.to_string(),
                defaults: f.version.to_string(),
                summary: d.summary.clone(),
            };
            let report = Report {
                from: side(from, &file_a, &a),
                to: side(to, &file_b, &b),
                changes: &changes,
            };
            let mut out = serde_json::to_string_pretty(&report).expect("the report serializes");
            out.push('\n');
            out
        }
        ShowFormat::Text => {
            let width = from.len().max(to.len());
            let mut out = format!(
                "from {from:<width$}  defaults/{}.json: {}\nto   {to:<width$}  defaults/{}.json: {}\n\n",
                file_a.version, a.summary, file_b.version, b.summary
            );
            if changes.is_empty() {
                out.push_str(if file_a.version == file_b.version {
                    "No change for the kubelet: both releases use the same defaults file.\n"
                } else {
                    "No change for the kubelet: the two files give the same system layer.\n"
                });
            } else {
                out.push_str(&format!(
                    "{} change{} for the kubelet:\n",
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                ));
                for c in &changes {
                    out.push_str(&format!("  - {c}\n"));
                }
            }
            out
        }
    })
}

/// The most of a release file `defaults validate` reads (the largest of
/// the project's is under 6 KiB).
const MAX_RELEASE_FILE: u64 = 1 << 20;

/// `defaults validate --format json`.
#[derive(Serialize)]
struct ValidateJson {
    ok: bool,
    files: Vec<ValidatedJson>,
}

/// One file checked, named as messages show it.
#[derive(Serialize)]
struct ValidatedJson {
    file: String,
    ok: bool,
    problems: Vec<String>,
}

/// Checks each file; text: `FILE: ok` lines on stdout and the problems on
/// stderr; JSON: one entry per file with its problems. Exit 1 on any.
pub fn validate(files: &[PathBuf], format: ShowFormat) -> Output {
    let mut errors = Vec::new();
    let mut out = String::new();
    let mut items = Vec::new();
    for path in files {
        // the name as messages show any bytes: one inert line
        let shown =
            crate::text::quote::escape(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // a release file is a few KiB: a FIFO, a device or a huge file is
        // refused at once, never waited on or read forever
        let problems = match crate::host::bounded::read(path, MAX_RELEASE_FILE) {
            Err(e) => vec![format!("{shown}: cannot read: {e}")],
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(_) => vec![format!("{shown}: not UTF-8 text")],
                Ok(text) => match model::check_file(&shown, &name, &text) {
                    Ok(_) => Vec::new(),
                    Err(e) => e,
                },
            },
        };
        if problems.is_empty() {
            out.push_str(&format!("{shown}: ok\n"));
        }
        items.push(ValidatedJson {
            ok: problems.is_empty(),
            problems: problems.clone(),
            file: shown,
        });
        errors.extend(problems);
    }
    let status = u8::from(!errors.is_empty());
    if format == ShowFormat::Json {
        let stdout = json::document(
            &ValidateJson {
                ok: status == 0,
                files: items,
            },
            &Layout {
                lines: &[&["", "files", "files[]", "problems"]],
                indent: "  ",
            },
        );
        return Output {
            stdout,
            stderr: Vec::new(),
            status,
        };
    }
    Output {
        stdout: out,
        stderr: errors,
        status,
    }
}
