//! `/usr/lib/coreos/kubelet-wrapper`: runs the kubelet in its container
//! engine. It has no flags of its own: every argument is a kubelet flag. The
//! admin layer comes from the environment (see README), the system layer from
//! the defaults embedded at build time.

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::defaults::registry::{self, ReleaseSource};
use kubelet_wrapper::{PROGRAM, launch, plan};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let kubelet_args: Vec<_> = std::env::args_os().skip(1).collect();
    let root = Path::new("/");
    let (_, source, file) = registry::runtime(root);
    if let ReleaseSource::Newest(reason) = &source {
        eprintln!(
            "{PROGRAM}: {reason}; using the newest system defaults ({})",
            file.version
        );
    }
    let defaults = file.parse();
    let admin = AdminConfig::from_process_env();
    let plan = match plan::plan(&defaults, &admin, &kubelet_args) {
        Ok(p) => p,
        Err(e) => {
            for notice in &admin.notices {
                eprintln!("{PROGRAM}: {notice}");
            }
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::from(1);
        }
    };
    // deprecations, translations, likely mistakes, trust weakenings
    for notice in &plan.notices {
        eprintln!("{PROGRAM}: {notice}");
    }
    let err = launch::run(&plan, root);
    eprintln!("{PROGRAM}: {err}");
    ExitCode::from(err.exit_status())
}
