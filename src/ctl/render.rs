//! `render`: what the wrapper would do, as JSON or as a shell script.

use super::{Failure, Format, make_plan, target};
use crate::{json, quote};
use std::ffi::OsString;

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
            format!(
                "{{\n  \"release\": {},\n  \"release_source\": {},\n  \"defaults\": {},\n  \"engine\": {},\n  \"before\": [{}],\n  \"argv\": {},\n  \"directories\": {},\n  \"notices\": {},\n  \"origins\": {},\n  \"image\": {},\n  \"trust\": {}\n}}\n",
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
            out.push_str("exec ");
            out.push_str(&String::from_utf8_lossy(&quote::join(
                argv.iter().map(|a| a.as_os_str()),
            )));
            out.push('\n');
            out
        }
    })
}
