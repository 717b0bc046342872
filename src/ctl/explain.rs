//! `explain`: each argument of the command with where it came from.

use super::{Failure, make_plan, target};
use crate::defaults::model;
use crate::quote;
use std::ffi::OsString;

/// The plan for `release` (or the wrapper's own) as a readable table.
pub fn explain(release: Option<&str>, kubelet: &[OsString]) -> Result<String, Failure> {
    let t = target(release)?;
    let (defaults, plan) = make_plan(&t, kubelet)?;
    let source = match t.source {
        "option" => "given with --release",
        "pinned" => "pinned at build time",
        _ => "read from os-release",
    };
    let mut out = format!(
        "release   {} ({source})\ndefaults  defaults/{}.json: {}\n",
        t.release, plan.defaults, defaults.summary
    );
    out.push_str(&format!("engine    {}\n", plan.engine));
    out.push_str(&format!(
        "image     {}\n",
        quote::escape(std::os::unix::ffi::OsStrExt::as_bytes(
            plan.image.as_os_str()
        ))
    ));
    match &plan.trust {
        Some(tr) => {
            let what = if !tr.description.is_empty() {
                tr.description.as_str()
            } else {
                match tr.policy {
                    model::TrustPolicy::Verify => "the image signature is verified",
                    model::TrustPolicy::Insecure => "image verification is switched off",
                }
            };
            out.push_str(&format!("trust     {} (rule {} for {}): {what}\n", tr.policy, tr.rule, tr.condition));
        }
        None if plan.engine == "systemd-nspawn" => out.push_str(
            "trust     none: systemd-nspawn runs a local machine directory, nothing is fetched or verified\n",
        ),
        None => out.push_str("trust     no rule of the release matches this image: the engine's own default applies\n"),
    }
    for w in &plan.trust_weakened {
        out.push_str(&format!("          weakened: {w}\n"));
    }
    out.push_str("\ndirectories (mkdir -p, mode 0755, existing ones untouched):\n");
    for d in &plan.directories {
        out.push_str(&format!("  {}\n", d.display()));
    }
    if !plan.shared.is_empty() {
        out.push_str(
            "\nmount propagation (the kubelet's mounts below these must reach the host):\n",
        );
        for s in &plan.shared {
            let now = match super::render::host_state(&s.path) {
                Some(st) if st.passes_on() => format!(
                    "on mount {} ({}): nothing to do",
                    st.mount.display(),
                    st.propagation
                ),
                Some(st) => format!(
                    "on mount {} ({}): {}",
                    st.mount.display(),
                    st.propagation,
                    match s.rule {
                        model::SharedRule::Make =>
                            "the wrapper binds it onto itself and marks it shared",
                        model::SharedRule::Require => "the wrapper refuses to start",
                    }
                ),
                None => "its mount cannot be read here".into(),
            };
            out.push_str(&format!(
                "  {} (volume {}, when not shared: {}): {now}\n",
                s.path.display(),
                s.volume,
                s.rule.name()
            ));
        }
    }
    if !plan.notices.is_empty() {
        out.push_str("\nnotices:\n");
        for n in &plan.notices {
            out.push_str(&format!("  {n}\n"));
        }
    }
    for c in &plan.before {
        out.push_str(&format!(
            "\nbefore the engine starts (failure ignored):\n  {}\n",
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
        out.push_str(&format!("  {i:>3}  {q:<width$}  {}\n", a.origin));
    }
    Ok(out)
}
