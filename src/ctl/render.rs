//! `render`: what the wrapper would do, as text for a person (the default),
//! as JSON for programs, or as a shell script.

use super::cli::Format;
use super::describe::{self, SharedJson, propagation_line, shared_json, shared_states};
use super::input::{Layer, make_plan, require_command, target_in};
use super::json::{self, Bytes, Layout};
use super::output::Failure;
use super::unitfile::UnitJson;
use crate::release::Version;
use crate::release::model::{ReleaseOrigin, SharedRule};
use crate::text::quote;
use serde::Serialize;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// `render --format json`.
#[derive(Serialize)]
struct RenderJson<'a> {
    release: &'a str,
    release_source: &'static str,
    defaults: String,
    engine: &'static str,
    before: Vec<Vec<Bytes<'a>>>,
    argv: Vec<Bytes<'a>>,
    directories: Vec<Bytes<'a>>,
    shared: Vec<SharedJson<'a>>,
    notices: &'a [String],
    origins: Vec<String>,
    image: Bytes<'a>,
    trust: Option<TrustJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<UnitJson<'a>>,
}

/// The trust rule that applies to the image.
#[derive(Serialize)]
struct TrustJson<'a> {
    rule: usize,
    policy: String,
    condition: &'a str,
}

/// The plan for `release` (or the wrapper's own) in `format`.
pub fn render(release: Option<&str>, format: Format, layer: &Layer) -> Result<String, Failure> {
    require_command(layer)?;
    let t = target_in(release, &layer.root)?;
    let (defaults, plan) = make_plan(&t, layer)?;
    Ok(match format {
        Format::Json => {
            let states = shared_states(&plan);
            let out = RenderJson {
                release: &t.release,
                release_source: t.source,
                defaults: plan.defaults.to_string(),
                engine: plan.engine,
                before: plan
                    .before
                    .iter()
                    .map(|c| json::each(c.iter().map(|a| &a.value)))
                    .collect(),
                argv: json::each(plan.argv.iter().map(|a| &a.value)),
                directories: json::each(&plan.directories),
                shared: shared_json(&plan, &states),
                notices: &plan.notices,
                origins: plan.argv.iter().map(|a| a.origin.to_string()).collect(),
                image: Bytes::os(&plan.image),
                trust: plan.trust.as_ref().map(|tr| TrustJson {
                    rule: tr.rule,
                    policy: tr.policy.to_string(),
                    condition: &tr.condition,
                }),
                unit: layer.unit.as_ref().map(UnitJson::from),
            };
            json::document(
                &out,
                // one field per line, and the unit's lists
                &Layout {
                    lines: &[&[""], &json::UNIT_LINES],
                    indent: "  ",
                },
            )
        }
        Format::Shell => shell_script(&t.release, &plan),
        Format::Text => text(&t, &defaults, &plan, layer),
    })
}

/// Why the selection rule gave `release` the file `file`, in words read
/// off the outcome (the rule itself is `release::registry::lookup`'s): the
/// release's own file, the newest file of its major up to it, the newest
/// main-line file of an earlier major, or the oldest file for a release
/// older than all.
fn why_file(release: &str, file: Version, origin: ReleaseOrigin) -> String {
    let family = match origin {
        ReleaseOrigin::Coreos => "CoreOS",
        ReleaseOrigin::Flatcar => "Flatcar",
        ReleaseOrigin::Project => {
            return "the project's release of exactly this version".into();
        }
    };
    let Ok(r) = Version::parse(release) else {
        return String::new();
    };
    if file == r {
        format!("the release's own {family} file")
    } else if file.major == r.major && file < r {
        format!("the newest {family} file of major {} up to {r}", r.major)
    } else if file < r {
        format!(
            "no {family} file of major {} up to {r}: the newest {family} main-line file before it",
            r.major
        )
    } else {
        format!("older than every {family} file: the oldest")
    }
}

/// Words as bash reads them back, one per line, each but the last ending
/// in ` \`, the first indented by two spaces and the others by six: a
/// command a person can read argument by argument and paste into a shell.
fn command_lines(out: &mut String, words: &[&OsStr]) {
    for (i, w) in words.iter().enumerate() {
        out.push_str(if i == 0 { "  " } else { "      " });
        out.push_str(&quote::join([*w]));
        out.push_str(if i + 1 < words.len() { " \\\n" } else { "\n" });
    }
}

/// The plan for a person: what was chosen and why, what is created and
/// checked first, the exact command, and what the admin should know.
fn text(
    t: &super::input::Target,
    defaults: &crate::release::model::Defaults,
    plan: &crate::plan::Plan,
    layer: &Layer,
) -> String {
    let mut out = format!(
        "release   {} ({})\ndefaults  defaults/{}.json ({})\n",
        quote::line(&t.release),
        t.source_text(),
        plan.defaults,
        why_file(&t.release, plan.defaults, defaults.origin)
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
    out.push_str(&format!(
        "engine    {} ({})\n",
        plan.engine,
        quote::join([plan.argv[0].value.as_os_str()])
    ));
    out.push_str(&format!(
        "image     {}\n",
        quote::escape(plan.image.as_bytes())
    ));
    out.push_str(&format!("trust     {}\n", describe::trust_text(plan)));
    if !plan.directories.is_empty() {
        out.push_str(
            "\ndirectories created first (mkdir -p, mode 0755, existing ones left alone):\n",
        );
        for d in &plan.directories {
            out.push_str(&format!("  {}\n", quote::join([d.as_os_str()])));
        }
    }
    if !plan.shared.is_empty() {
        out.push_str(
            "\nmount propagation (the kubelet's mounts below these must reach the host):\n",
        );
        for s in &plan.shared {
            out.push_str(&format!("  {}\n", propagation_line(s)));
        }
    }
    for c in &plan.before {
        out.push_str("\nrun first (failure ignored, its error output shown only then):\n");
        let words: Vec<&OsStr> = c.iter().map(|a| a.value.as_os_str()).collect();
        command_lines(&mut out, &words);
    }
    out.push_str("\nexec (the wrapper's process becomes the engine):\n");
    let words: Vec<&OsStr> = plan.argv.iter().map(|a| a.value.as_os_str()).collect();
    command_lines(&mut out, &words);
    if !plan.notices.is_empty() {
        out.push_str("\nnotices (the wrapper logs each before it starts the engine):\n");
        for n in &plan.notices {
            // a likely mistake or a weakened trust policy, or a note for
            // the record
            let kind = if plan.mistakes.contains(n) || plan.trust_weakened.contains(n) {
                "warning"
            } else {
                "note   "
            };
            out.push_str(&format!("  {kind}  {}\n", quote::line(n)));
        }
    }
    out
}

/// The plan as a POSIX sh script: the directories, the commands run before
/// the engine (their failure ignored and their error output shown only
/// when they fail, as the wrapper does), then
/// `exec` of the engine, each with exactly the arguments of the JSON form
/// under any POSIX shell (dash, bash). Every line is printable text: a
/// notice is one comment line, and a word with control characters or bytes
/// that are not UTF-8 is made by `printf` from octal escapes
/// ([`quote::printf_format`]) instead of being written raw.
fn shell_script(release: &str, plan: &crate::plan::Plan) -> String {
    let mut out = format!(
        "#!/bin/sh\n# What kubelet-wrapper runs for release {} (defaults {}).\n",
        quote::line(release),
        plan.defaults
    );
    for n in &plan.notices {
        out.push_str(&format!("# notice: {}\n", quote::line(n)));
    }
    out.push_str("set -e\n");
    // the propagation checks, as the wrapper makes them: a refusal before
    // anything is created, a bind once the directory exists
    let propagation = |s: &crate::host::propagation::SharedSource| {
        let q = quote::sh_word(s.path.as_os_str()).expect("a release path is plain text");
        format!(
            "[ \"$(findmnt -n -o PROPAGATION -T {q})\" = shared ] || [ \"$(findmnt -n -o PROPAGATION -T {q})\" = shared,slave ]"
        )
    };
    for s in plan.shared.iter().filter(|s| s.rule == SharedRule::Require) {
        let q = quote::sh_word(s.path.as_os_str()).expect("a release path is plain text");
        out.push_str(&format!(
            "{} || {{ printf 'kubelet-wrapper: %s is not on a shared mount: pods would get empty volumes\\n' {q} >&2; exit 1; }}\n",
            propagation(s)
        ));
    }
    for d in &plan.directories {
        command(&mut out, &[d.as_os_str()], "mkdir -p ", "");
    }
    for s in plan.shared.iter().filter(|s| s.rule == SharedRule::Make) {
        let q = quote::sh_word(s.path.as_os_str()).expect("a release path is plain text");
        out.push_str(&format!(
            "{} || {{ mount --rbind {q} {q} && mount --make-rshared {q}; }}\n",
            propagation(s)
        ));
    }
    for cmd in &plan.before {
        let words: Vec<&OsStr> = cmd.iter().map(|a| a.value.as_os_str()).collect();
        // error output into a variable, printed only on failure; standard
        // output where it was (fd 3)
        command(
            &mut out,
            &words,
            &format!("{{ {BEFORE_ERR}=$("),
            &format!(" 2>&1 >&3 3>&-) || printf '%s\\n' \"${BEFORE_ERR}\" >&2; }} 3>&1"),
        );
    }
    let argv: Vec<&OsStr> = plan.argv.iter().map(|a| a.value.as_os_str()).collect();
    command(&mut out, &argv, "exec ", "");
    out
}

/// The shell variable a preparatory command's error output passes through.
const BEFORE_ERR: &str = "kubelet_wrapper_err";

/// The shell variable a word made by `printf` passes through. It is not
/// exported, so the engine's environment is the wrapper's.
const WORD_VAR: &str = "kubelet_wrapper_word";

/// Appends one command: `PREFIX WORDS...SUFFIX` when every word can be
/// written quoted, else the words collected in `"$@"` first.
fn command(out: &mut String, words: &[&OsStr], prefix: &str, suffix: &str) {
    let quoted: Vec<Option<String>> = words.iter().map(|w| quote::sh_word(w)).collect();
    if quoted.iter().all(Option::is_some) {
        out.push_str(prefix);
        let words: Vec<String> = quoted.into_iter().flatten().collect();
        out.push_str(&words.join(" "));
        out.push_str(suffix);
        out.push('\n');
        return;
    }
    out.push_str("set --\n");
    let mut plain: Vec<String> = Vec::new();
    let flush = |out: &mut String, plain: &mut Vec<String>| {
        if !plain.is_empty() {
            out.push_str(&format!("set -- \"$@\" {}\n", plain.join(" ")));
            plain.clear();
        }
    };
    for (w, q) in words.iter().zip(quoted) {
        match q {
            Some(q) => plain.push(q),
            None => {
                flush(out, &mut plain);
                // a command substitution drops trailing newlines: the `_`
                // keeps them, and is removed after
                out.push_str(&format!(
                    "{WORD_VAR}=$(printf '{}_'); set -- \"$@\" \"${{{WORD_VAR}%_}}\"\n",
                    quote::printf_format(w.as_bytes())
                ));
            }
        }
    }
    flush(out, &mut plain);
    out.push_str(prefix.trim_end_matches(' '));
    if !prefix.is_empty() {
        out.push(' ');
    }
    out.push_str("\"$@\"");
    out.push_str(suffix);
    out.push('\n');
}
