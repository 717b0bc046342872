//! `render`: what the wrapper would do, as JSON, as a shell script or as
//! text.

use super::cli::Format;
use super::input::{Layer, make_plan, require_command, target_in};
use super::json;
use super::output::Failure;
use crate::host::mountinfo::MountTable;
use crate::host::propagation::{self, State};
use crate::release::model::SharedRule;
use crate::text::quote;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The mount `path` is on here and its propagation, as the wrapper finds
/// them; `None` where the mount table cannot be read.
pub(super) fn host_state(path: &Path) -> Option<State> {
    let table = std::cell::OnceCell::new();
    propagation::state_here(path, &|| {
        table.get_or_init(|| MountTable::read().unwrap_or_default())
    })
}

/// The release's volumes whose source must be shared, each with the mount
/// it is on here and that mount's propagation (`null` where the mount
/// table cannot be read): a JSON array on one line.
pub(super) fn shared_json(plan: &crate::plan::Plan) -> String {
    let entries: Vec<String> = plan
        .shared
        .iter()
        .map(|s| {
            let (mount, now) = match host_state(&s.path) {
                Some(st) => (
                    json::string(st.mount.as_os_str().as_bytes()),
                    json::string(st.propagation.name()),
                ),
                None => ("null".into(), "null".into()),
            };
            let path = json::string(s.path.as_os_str().as_bytes());
            format!(
                "{{\"volume\": {}, \"path\": {path}, \"when_not_shared\": {}, \"mount\": {mount}, \"propagation\": {now}}}",
                json::string(&s.volume),
                json::string(s.rule.name()),
            )
        })
        .collect();
    format!("[{}]", entries.join(", "))
}

/// The plan for `release` (or the wrapper's own) in `format`.
pub fn render(release: Option<&str>, format: Format, layer: &Layer) -> Result<String, Failure> {
    require_command(layer)?;
    let t = target_in(release, &layer.root)?;
    let (_, plan) = make_plan(&t, layer)?;
    let argv = plan.argv();
    Ok(match format {
        Format::Json => {
            let dirs: Vec<OsString> = plan
                .directories
                .iter()
                .map(|d| d.clone().into_os_string())
                .collect();
            let notices: Vec<OsString> = plan.notices.iter().map(OsString::from).collect();
            let origins: Vec<OsString> = plan
                .argv
                .iter()
                .map(|a| OsString::from(a.origin.to_string()))
                .collect();
            let trust = match &plan.trust {
                None => "null".to_string(),
                Some(tr) => format!(
                    "{{\"rule\": {}, \"policy\": {}, \"condition\": {}}}",
                    tr.rule,
                    json::string(tr.policy.to_string()),
                    json::string(&tr.condition)
                ),
            };
            let image = json::string(plan.image.as_bytes());
            let unit = match &layer.unit {
                None => String::new(),
                Some(u) => format!(",\n  \"unit\": {}", super::unitfile::unit_json(u, "  ")),
            };
            let shared = shared_json(&plan);
            format!(
                "{{\n  \"release\": {},\n  \"release_source\": {},\n  \"defaults\": {},\n  \"engine\": {},\n  \"before\": [{}],\n  \"argv\": {},\n  \"directories\": {},\n  \"shared\": {},\n  \"notices\": {},\n  \"origins\": {},\n  \"image\": {},\n  \"trust\": {}{unit}\n}}\n",
                json::string(&t.release),
                json::string(t.source),
                json::string(plan.defaults.to_string()),
                json::string(plan.engine),
                plan.before
                    .iter()
                    .map(|c| json::array(c.iter().map(|a| a.value.as_os_str())))
                    .collect::<Vec<_>>()
                    .join(", "),
                json::array(argv.iter().map(|a| a.as_os_str())),
                json::array(dirs.iter().map(|a| a.as_os_str())),
                shared,
                json::array(notices.iter().map(|a| a.as_os_str())),
                json::array(origins.iter().map(|a| a.as_os_str())),
                image,
                trust,
            )
        }
        Format::Shell => shell_script(&t.release, &plan),
        Format::Text => {
            let mut out = format!(
                "release      {} ({}; defaults {}, {})\n",
                quote::line(&t.release),
                t.source_text(),
                plan.defaults,
                plan.engine
            );
            if let Some(u) = &layer.unit {
                out.push_str(&format!(
                    "unit         {}\n",
                    quote::escape(u.files[0].as_os_str().as_bytes())
                ));
            }
            for d in &plan.directories {
                out.push_str(&format!("mkdir -p     {}\n", quote::join([d.as_os_str()])));
            }
            for c in &plan.before {
                out.push_str(&format!(
                    "before       {}\n",
                    quote::join(c.iter().map(|a| a.value.as_os_str()))
                ));
            }
            out.push_str(&format!(
                "exec         {}\n",
                quote::join(argv.iter().map(|a| a.as_os_str()))
            ));
            for n in &plan.notices {
                out.push_str(&format!("notice       {}\n", quote::line(n)));
            }
            out
        }
    })
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
