//! `render`: what the wrapper would do, as JSON or as a shell script.

use super::{Failure, Format, make_plan, target};
use crate::defaults::model::SharedRule;
use crate::mountinfo::MountTable;
use crate::propagation::{self, State};
use crate::{json, quote};
use std::ffi::OsString;
use std::path::Path;

/// The mount `path` is on in this process's mount table, if readable.
pub(super) fn host_state(path: &Path) -> Option<State> {
    let table = MountTable::read().ok()?;
    propagation::state(&table, &propagation::real_path(path))
}

/// The plan for `release` (or the wrapper's own) in `format`.
pub fn render(
    release: Option<&str>,
    format: Format,
    kubelet: &[OsString],
) -> Result<String, Failure> {
    let t = target(release)?;
    let (_, plan) = make_plan(&t, kubelet)?;
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
                    json::string(&tr.policy.to_string()),
                    json::string(&tr.condition)
                ),
            };
            let mut image = String::new();
            json::string_into(
                &mut image,
                std::os::unix::ffi::OsStrExt::as_bytes(plan.image.as_os_str()),
            );
            let shared = plan
                .shared
                .iter()
                .map(|s| {
                    let (mount, now) = match host_state(&s.path) {
                        Some(st) => (
                            json::string(&st.mount.to_string_lossy()),
                            json::string(st.propagation.name()),
                        ),
                        None => ("null".into(), "null".into()),
                    };
                    format!(
                        "{{\"volume\": {}, \"path\": {}, \"when_not_shared\": {}, \"mount\": {mount}, \"propagation\": {now}}}",
                        json::string(&s.volume),
                        json::string(&s.path.to_string_lossy()),
                        json::string(s.rule.name()),
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "{{\n  \"release\": {},\n  \"release_source\": {},\n  \"defaults\": {},\n  \"engine\": {},\n  \"before\": [{}],\n  \"argv\": {},\n  \"directories\": {},\n  \"shared\": [{}],\n  \"notices\": {},\n  \"origins\": {},\n  \"image\": {},\n  \"trust\": {}\n}}\n",
                json::string(&t.release),
                json::string(t.source),
                json::string(&plan.defaults.to_string()),
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
        Format::Shell => {
            let mut out = format!(
                "#!/bin/sh\n# What kubelet-wrapper runs for release {} (defaults {}).\nset -e\n",
                t.release, plan.defaults
            );
            for n in &plan.notices {
                out.push_str(&format!("# notice: {n}\n"));
            }
            for d in &plan.directories {
                let q = quote::join([d.as_os_str()]);
                out.push_str(&format!("mkdir -p {}\n", String::from_utf8_lossy(&q)));
            }
            for s in &plan.shared {
                let q = String::from_utf8_lossy(&quote::join([s.path.as_os_str()])).into_owned();
                out.push_str(&format!(
                    "# {q} must pass the kubelet's mounts to the host ({}):\n",
                    match s.rule {
                        SharedRule::Make => "made shared when it is not",
                        SharedRule::Require => "the wrapper refuses to start when it is not shared",
                    }
                ));
                if s.rule == SharedRule::Make {
                    out.push_str(&format!(
                        "findmnt -n -o PROPAGATION -T {q} | grep -q shared || {{ mount --rbind {q} {q} && mount --make-rshared {q}; }}\n"
                    ));
                }
            }
            out.push_str("exec ");
            out.push_str(&String::from_utf8_lossy(&quote::join(
                argv.iter().map(|a| a.as_os_str()),
            )));
            out.push('\n');
            out
        }
    })
}
