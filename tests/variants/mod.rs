//! The tests' variants of the project's release 3000.0.0 (podman), for the
//! engine no release ships yet: systemd-nspawn in memory (tests/engines.rs,
//! tests/mistakes.rs), and 3100.0.0, the systemd-nspawn one as a release
//! file of its own for a build pinned to it (tests/e2e.rs, the real-node
//! harness). Each is a release the format accepts. Also the embedded
//! release that runs docker (Flatcar's), found by its engine.

#![allow(dead_code)]

use kubelet_wrapper::release::model::{Defaults, Engine, Nspawn, Volume};
use kubelet_wrapper::release::registry;

/// The release the variants start from.
pub const BASE: &str = "3000.0.0";

/// 3000.0.0 itself.
pub fn podman_release() -> Defaults {
    let d = registry::select(BASE.parse().unwrap()).parse();
    assert!(matches!(d.engine, Engine::Podman(_)));
    d
}

/// The embedded release that runs docker: Flatcar's own from 3033.2.0 on
/// (the first such file, whichever the files present make it).
pub fn docker_release() -> Defaults {
    registry::files()
        .iter()
        .map(|f| f.parse())
        .find(|d| matches!(d.engine, Engine::Docker(_)))
        .expect("a release file runs docker")
}

/// 3000.0.0 with only the image and the engine changed to systemd-nspawn:
/// its volumes are podman's, some of which the format refuses for
/// systemd-nspawn (tests/engines.rs checks that it does).
pub fn nspawn_engine_only() -> Defaults {
    let mut d = podman_release();
    d.image.default_url = "/var/lib/machines/kubelet".into();
    d.image.tag_separator = "/".into();
    d.engine = Engine::SystemdNspawn(Nspawn {
        program: "/usr/bin/systemd-nspawn".into(),
        run_flags: vec![
            "--quiet".into(),
            "--register=no".into(),
            "--keep-unit".into(),
        ],
        command: "/usr/local/bin/kubelet".into(),
    });
    d
}

/// 3000.0.0 on systemd-nspawn: [`nspawn_engine_only`] without the volumes
/// the format refuses there. systemd-nspawn keeps /run (for /run/host) and
/// /sys/fs/cgroup for itself, and its binds pass no mounts back to the
/// host, so no volume asks to be shared.
pub fn nspawn_release() -> Defaults {
    let mut d = nspawn_engine_only();
    d.volumes
        .retain(|v| v.target != "/run" && v.target != "/sys/fs/cgroup");
    for v in &mut d.volumes {
        v.shared = None;
    }
    assert_eq!(d.problems(Some(BASE)), vec![]);
    d
}

/// Release 3100.0.0: [`nspawn_release`] as a release of its own, running
/// `command` in the machine, stopped by the SIGTERM the wrapper gets
/// (`--kill-signal=SIGTERM`), with a /run/kubelet made and bound since
/// /run is systemd-nspawn's own.
pub fn nspawn_3100(command: &str) -> Defaults {
    let mut d = nspawn_release();
    d.release = "3100.0.0".into();
    d.summary = "Test release: the 3000.0.0 layer on systemd-nspawn.".into();
    d.directories.push("/run/kubelet".into());
    d.volumes.push(bind("run-kubelet", "/run/kubelet"));
    let Engine::SystemdNspawn(n) = &mut d.engine else {
        unreachable!()
    };
    n.run_flags.push("--kill-signal=SIGTERM".into());
    n.command = command.into();
    assert_eq!(d.problems(Some("3100.0.0")), vec![]);
    d
}

/// A writable volume of `path` at the same path in the container.
pub fn bind(name: &str, path: &str) -> Volume {
    Volume {
        name: name.into(),
        source: path.into(),
        target: path.into(),
        read_only: false,
        recursive: false,
        shared: None,
    }
}

/// The text of a release file for `d`, as defaults/ holds them.
pub fn release_file(d: &Defaults) -> String {
    serde_json::to_string_pretty(d).unwrap()
}
