//! Today's Flatcar: the units that Flatcar could not carry in 2021 (its
//! docker port of the wrapper lost the rkt arguments they pass) run on its
//! release of the wrapper. Typhoon's last rkt worker unit (2019, the
//! corpus's tests/data/units/typhoon/bare-metal-worker-2019-12) against the release a
//! Flatcar 4230.2.0 host selects: checked as an admin checks it before
//! rollout, and rendered to the docker command the wrapper runs.

mod common;

use common::{CTL, ctl};
use kubelet_wrapper::release::model::{Defaults, ReleaseOrigin};
use kubelet_wrapper::release::{registry, version::Lineage};
use serde_json::Value;

use std::path::Path;

const TODAY: &str = "4230.2.0";

fn todays_release() -> Defaults {
    let d = registry::lookup_for(TODAY.parse().unwrap(), Lineage::Flatcar)
        .unwrap()
        .parse();
    assert_eq!(d.origin, ReleaseOrigin::Flatcar);
    d
}

/// The node tree of the unit (tests/data/units, the corpus): the unit and
/// its environment file at their node paths, read with `--root`.
const TYPHOON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/units/typhoon/bare-metal-worker-2019-12"
);
const UNIT: &str = "/etc/systemd/system/kubelet.service";

/// `check --no-host`, as on a workstation: no error and no warning, exit
/// 0 (the "passes with notices only"). What remains is for the
/// record: translations, rkt lines that do nothing here, mounts the
/// release already makes (with its own access: /opt/cni/bin read-only,
/// where the unit asks to write; the kubelet does not, CNI installers
/// write through their own hostPath mounts).
#[test]
fn check_passes_typhoons_2019_unit() {
    let o = ctl(
        &[
            "check",
            "--no-host",
            "--root",
            TYPHOON,
            "--release",
            TODAY,
            "--format",
            "json",
            "--unit",
            UNIT,
        ],
        &[],
    );
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(v["defaults"], todays_release().release.as_str());
    assert_eq!(v["engine"], "docker");
    assert_eq!(v["errors"], 0, "{v:#}");
    let warnings: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "warning")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    // notes only: what was translated, dropped, or the release mounts
    // itself (with the release's access, /opt/cni/bin read-only where the
    // unit asked to write: the kubelet does not)
    assert!(warnings.is_empty(), "{warnings:#?}");
    let notes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "info")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("/opt/cni/bin") && n.contains("the release mounts it read-only")),
        "{notes:#?}"
    );
}

/// The docker command: every kubelet flag of the unit, every mount it asks
/// for once (the release's own where it already makes it, with the
/// release's access), the image without rkt's docker:// scheme, the
/// hyperkube's kubelet as the entrypoint, nothing of rkt's.
#[test]
fn render_runs_typhoons_2019_unit_on_docker() {
    let o = ctl(
        &[
            "render",
            "--root",
            TYPHOON,
            "--release",
            TODAY,
            "--format",
            "json",
            "--unit",
            UNIT,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let argv: Vec<String> = common::json_argv(&v)
        .into_iter()
        .map(|a| String::from_utf8(a).unwrap())
        .collect();
    let d = todays_release();
    assert_eq!(argv[0], "/usr/bin/docker");
    for (source, target) in [
        ("/etc/resolv.conf", "/etc/resolv.conf"),
        ("/var/lib/cni", "/var/lib/cni"),
        ("/var/lib/calico", "/var/lib/calico"),
        ("/opt/cni/bin", "/opt/cni/bin"),
        ("/var/log", "/var/log"),
        ("/etc/iscsi/", "/etc/iscsi/"),
        ("/usr/sbin/iscsiadm", "/sbin/iscsiadm"),
    ] {
        let at: Vec<&String> = argv
            .iter()
            .filter(|a| {
                a.starts_with("--mount=type=bind,source=")
                    && a.contains(&format!("source={source},target={target}"))
            })
            .collect();
        assert_eq!(at.len(), 1, "{source} -> {target}: {argv:#?}");
        // the release's access where the release mounts it
        if let Some(sys) = d.volumes.iter().find(|s| s.target == target) {
            assert_eq!(at[0].contains(",readonly"), sys.read_only, "{}", at[0]);
        }
    }
    assert!(argv.contains(&"k8s.gcr.io/hyperkube:v1.17.0".to_string()));
    assert!(argv.contains(&"--entrypoint=/usr/local/bin/kubelet".to_string()));
    // the kubelet's flags, as ExecStart= gives them, end the command
    let flags = &v["unit"]["kubelet_flags"];
    let flags: Vec<&str> = flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(flags.contains(&"--cgroup-driver=cgroupfs"), "{flags:?}");
    assert!(flags.contains(&"--lock-file=/var/run/lock/kubelet.lock"));
    let (engine, kubelet) = argv.split_at(argv.len() - flags.len());
    assert_eq!(kubelet, flags);
    assert!(
        !engine.iter().any(|a| a.contains("docker://")
            || a.contains("rkt")
            || a.contains("uuid")
            || a.contains("insecure-options")
            || a.starts_with("--volume")),
        "{engine:#?}"
    );
    // the lock file's directory is the host's: the release binds it there
    assert!(
        d.volumes
            .iter()
            .any(|v| v.target == "/var/run/lock" && !v.read_only),
        "--lock-file=/var/run/lock/kubelet.lock needs the host's lock directory"
    );
    assert!(Path::new(CTL).exists());
}
