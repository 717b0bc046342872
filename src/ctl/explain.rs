//! `explain`: each argument of the command with where it came from (and,
//! with --unit, the unit line that set it).

use super::cli::ShowFormat;
use super::describe::{self, SharedJson};
use super::input::{Layer, make_plan, require_command, target_in};
use super::json::{self, Bytes, Layout};
use super::output::Failure;
use super::unitfile::UnitJson;
use crate::admin::unit::Location;
use crate::engine::command::Origin;
use crate::text::quote;
use serde::Serialize;
use std::os::unix::ffi::OsStrExt;

/// Where in the unit an argument's admin variable (or the kubelet flags)
/// was set.
fn unit_location(layer: &Layer, origin: &Origin) -> Option<Location> {
    let u = layer.unit.as_ref()?;
    let var = match origin {
        Origin::Variable(v) | Origin::Translated(v) => *v,
        Origin::Image { url: Some(v), .. } => *v,
        Origin::Image { url: None, tag } => *tag,
        Origin::Kubelet => return u.command.as_ref().map(|c| c.at.clone()),
        _ => return None,
    };
    u.get(var.name()).map(|v| v.at.clone())
}

/// `explain --format json`.
#[derive(Serialize)]
struct ExplainJson<'a> {
    release: &'a str,
    release_source: &'static str,
    defaults: String,
    summary: &'a str,
    engine: &'static str,
    image: Bytes<'a>,
    trust: &'a str,
    trust_weakened: &'a [String],
    directories: Vec<Bytes<'a>>,
    before: Vec<Vec<Bytes<'a>>>,
    shared: Vec<SharedJson<'a>>,
    notices: &'a [String],
    arguments: Vec<ArgumentJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<UnitJson<'a>>,
}

/// An argument of the command with where it came from, and where the unit
/// sets it (`FILE:LINE`, or `null`).
#[derive(Serialize)]
struct ArgumentJson<'a> {
    value: Bytes<'a>,
    origin: String,
    set_at: Option<String>,
}

/// The plan for `release` (or the wrapper's own) as a readable table.
pub fn explain(
    release: Option<&str>,
    format: ShowFormat,
    layer: &Layer,
) -> Result<String, Failure> {
    require_command(layer)?;
    let t = target_in(release, &layer.root)?;
    let (defaults, plan) = make_plan(&t, layer)?;
    let source = t.source_text();
    let trust_text = describe::trust_text(&plan);
    if format == ShowFormat::Json {
        let states = describe::shared_states(&plan);
        let out = ExplainJson {
            release: &t.release,
            release_source: t.source,
            defaults: plan.defaults.to_string(),
            summary: &defaults.summary,
            engine: plan.engine,
            image: Bytes::os(&plan.image),
            trust: &trust_text,
            trust_weakened: &plan.trust_weakened,
            directories: json::each(&plan.directories),
            before: plan
                .before
                .iter()
                .map(|c| json::each(c.iter().map(|a| &a.value)))
                .collect(),
            shared: describe::shared_json(&plan, &states),
            notices: &plan.notices,
            arguments: plan
                .argv
                .iter()
                .map(|a| ArgumentJson {
                    value: Bytes::os(&a.value),
                    origin: a.origin.to_string(),
                    set_at: unit_location(layer, &a.origin).map(|l| l.to_string()),
                })
                .collect(),
            unit: layer.unit.as_ref().map(UnitJson::from),
        };
        return Ok(json::document(
            &out,
            &Layout {
                lines: &[
                    &[
                        "",
                        "trust_weakened",
                        "before",
                        "notices",
                        "arguments",
                        "arguments[]",
                    ],
                    &json::UNIT_LINES,
                ],
                indent: "  ",
            },
        ));
    }
    let mut out = format!(
        "release   {} ({source})\ndefaults  defaults/{}.json: {}\n",
        t.release, plan.defaults, defaults.summary
    );
    if let Some(u) = &layer.unit {
        out.push_str(&format!(
            "unit      {}\n",
            quote::escape(u.files[0].as_os_str().as_bytes())
        ));
        for f in &u.files[1..] {
            out.push_str(&format!(
                "          + {}\n",
                quote::escape(f.as_os_str().as_bytes())
            ));
        }
    }
    out.push_str(&format!("engine    {}\n", plan.engine));
    out.push_str(&format!(
        "image     {}\n",
        quote::escape(plan.image.as_bytes())
    ));
    out.push_str(&format!("trust     {trust_text}\n"));
    for w in &plan.trust_weakened {
        out.push_str(&format!("          weakened: {w}\n"));
    }
    out.push_str("\ndirectories (mkdir -p, mode 0755, existing ones untouched):\n");
    for d in &plan.directories {
        out.push_str(&format!("  {}\n", quote::escape(d.as_os_str().as_bytes())));
    }
    if !plan.shared.is_empty() {
        out.push_str(
            "\nmount propagation (the kubelet's mounts below these must reach the host):\n",
        );
        for s in &plan.shared {
            out.push_str(&format!("  {}\n", describe::propagation_line(s)));
        }
    }
    if !plan.notices.is_empty() {
        out.push_str("\nnotices:\n");
        for n in &plan.notices {
            out.push_str(&format!("  {}\n", quote::line(n)));
        }
    }
    for c in &plan.before {
        out.push_str(&format!(
            "\nbefore the engine starts (failure ignored, its error output shown only then):\n  {}\n",
            quote::join(c.iter().map(|a| a.value.as_os_str()))
        ));
    }
    out.push_str("\ncommand (exec'd, the wrapper's process becomes the engine):\n");
    let quoted: Vec<String> = plan
        .argv
        .iter()
        .map(|a| quote::join([a.value.as_os_str()]))
        .collect();
    let width = quoted
        .iter()
        .map(|q| q.chars().count())
        .max()
        .unwrap_or(0)
        .min(72);
    for (i, (q, a)) in quoted.iter().zip(&plan.argv).enumerate() {
        let at = match unit_location(layer, &a.origin) {
            Some(l) => format!(
                " ({}:{})",
                quote::escape(l.file.file_name().unwrap_or(l.file.as_os_str()).as_bytes()),
                l.line
            ),
            None => String::new(),
        };
        out.push_str(&format!("  {i:>3}  {q:<width$}  {}{at}\n", a.origin));
    }
    Ok(out)
}
