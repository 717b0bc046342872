//! A plan described for people and programs, as render and explain both
//! show it: what the trust rule does to the image, and each volume source
//! that must be shared with the mount it is on here.

use super::json::Bytes;
use crate::host::mountinfo::MountTable;
use crate::host::propagation::{self, State};
use crate::plan::Plan;
use crate::release::model::{self, SharedRule};
use crate::text::quote;
use serde::Serialize;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// What the trust rule that matched the image does, in words.
pub(super) fn trust_text(plan: &Plan) -> String {
    match &plan.trust {
        Some(tr) => {
            let what = if !tr.description.is_empty() {
                tr.description.as_str()
            } else {
                match tr.policy {
                    model::TrustPolicy::Verify => "the image signature is verified",
                    model::TrustPolicy::Insecure => "image verification is switched off",
                    model::TrustPolicy::Engine => {
                        "image verification follows the engine's own configuration"
                    }
                }
            };
            format!(
                "{} (rule {} for {}): {what}",
                tr.policy, tr.rule, tr.condition
            )
        }
        None if plan.engine == "systemd-nspawn" => {
            "none: systemd-nspawn runs a local machine directory, nothing is fetched or verified"
                .into()
        }
        None => {
            "no rule of the release matches this image: the engine's own default applies".into()
        }
    }
}

/// The mount `path` is on here and its propagation, as the wrapper finds
/// them; `None` where the mount table cannot be read.
pub(super) fn host_state(path: &Path) -> Option<State> {
    let table = std::cell::OnceCell::new();
    propagation::state_here(path, &|| {
        table.get_or_init(|| MountTable::read().unwrap_or_default())
    })
}

/// One volume whose source must be shared: its path, the rule, and what
/// the wrapper would do about it on this host (render's and explain's
/// text).
pub(super) fn propagation_line(s: &propagation::SharedSource) -> String {
    let now = match host_state(&s.path) {
        Some(st) if st.passes_on() => format!(
            "on mount {} ({}): nothing to do",
            quote::escape(st.mount.as_os_str().as_bytes()),
            st.propagation
        ),
        Some(st) => format!(
            "on mount {} ({}): {}",
            quote::escape(st.mount.as_os_str().as_bytes()),
            st.propagation,
            match s.rule {
                SharedRule::Make => "the wrapper binds it onto itself and marks it shared",
                SharedRule::Require => "the wrapper refuses to start",
            }
        ),
        None => "its mount cannot be read here".into(),
    };
    format!(
        "{} (volume {}, when not shared: {}): {now}",
        quote::escape(s.path.as_os_str().as_bytes()),
        quote::line(&s.volume),
        s.rule.name()
    )
}

/// A release volume whose source must be shared, with the mount it is on
/// here and that mount's propagation (`null` where the mount table cannot
/// be read).
#[derive(Serialize)]
pub(super) struct SharedJson<'a> {
    volume: &'a str,
    path: Bytes<'a>,
    when_not_shared: &'static str,
    mount: Option<Bytes<'a>>,
    propagation: Option<&'static str>,
}

/// The release's volumes whose source must be shared, as this host has
/// them.
pub(super) fn shared_json<'a>(plan: &'a Plan, states: &'a [Option<State>]) -> Vec<SharedJson<'a>> {
    plan.shared
        .iter()
        .zip(states)
        .map(|(s, st)| SharedJson {
            volume: &s.volume,
            path: Bytes::os(&s.path),
            when_not_shared: s.rule.name(),
            mount: st.as_ref().map(|st| Bytes::os(&st.mount)),
            propagation: st.as_ref().map(|st| st.propagation.name()),
        })
        .collect()
}

/// The state here of each of the plan's shared sources ([`host_state`]).
pub(super) fn shared_states(plan: &Plan) -> Vec<Option<State>> {
    plan.shared.iter().map(|s| host_state(&s.path)).collect()
}
