//! A booted node: the wrapper run as an OS runs it, with systemd as PID 1.
//!
//! Each case boots a Debian bookworm system (systemd 252, journald, dbus,
//! containerd, podman, runc, docker.io 20.10; tests/boot/rootfs.sh builds
//! it once per run of the suite, below the target directory) with
//! `systemd-nspawn --boot` (tests/boot/node.sh), its /usr the OS release's:
//! the project as os-overlay/install.sh installs a build pinned to the
//! release, and for an rkt release the node kit's rkt at /usr/bin/rkt with
//! its stage1; a docker release's node has docker.socket enabled, as
//! Flatcar has it (docker.service starts with the kubelet unit, which
//! requires it). The admin's side is what an
//! admin does: the image's example unit copied to /etc/systemd/system with
//! a drop-in for the cluster, enabled with `systemctl enable`, static pods
//! in /etc/kubernetes/manifests. The tests
//! then drive the node only through `systemctl`, `journalctl` and the
//! kubelet's read-only port; they read its files and processes from the
//! host to see what a stop or a kill left behind.
//!
//! Cases, on each engine a release ships (rkt fly on 2512.3.0, podman on
//! 3000.0.0, docker on Flatcar's 3033.2.0): the node boots with the unit
//! enabled and the kubelet gets healthy and runs its pods; the kubelet is
//! inside kubelet.service's cgroup (`systemctl show` and its
//! /proc/PID/cgroup agree), except on docker, whose containers are its
//! daemon's: there the docker client is the unit's main process, in the
//! unit's cgroup, and the kubelet in the cgroup docker gives its container
//! (docs/engines.md: what docker does differently); each of its lines is
//! in the journal once; `systemctl start` to healthz; `restart` keeps the
//! pods; SIGKILL of the unit's main process, then a start; twenty stops
//! that leave no container, pod, mount or process (and on docker, no "No
//! such container" in the journal); a reboot.
//! And the OS update this design is for: a node on 2512.3.0 with a
//! CoreOS-era admin unit gets 3000.0.0's /usr (no rkt) and reboots, its
//! unit unchanged; then the old /usr comes back.
//!
//! Needs the node kit (`KW_NODE_KIT`, which `.ci/run` sets) and a host
//! that can boot a container (root, systemd-nspawn, mmdebstrap: tests/run.sh
//! installs them); without them each case prints `skipped: ...` and none
//! counts as passed. `cargo test --test boot -- NAME` runs the cases whose
//! name contains NAME; `--list` lists them; `--bench N` measures, instead,
//! N rounds of the wrapper's units against hand-written units of the same
//! engines (docs/performance.md). `KW_BOOT_KEEP_ROOTFS=1` uses the rootfs
//! of an earlier run again; `KW_BOOT_KEEP=1` keeps the nodes' directories.

#[path = "boot/bench.rs"]
mod bench;
#[path = "boot/harness.rs"]
mod boot;
mod common;
#[allow(dead_code)]
#[path = "node/harness.rs"]
mod harness;
mod variants;

use boot::{BootNode, Rootfs, Usr};
use common::Profile;
use harness::{Engine, Images, KUBELET_FLAGS, NodeView, Pod};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The releases a booted node runs: one per engine a release ships.
pub const RELEASES: [(&str, Engine); 3] = [
    ("2512.3.0", Engine::Rkt),
    ("3000.0.0", Engine::Podman),
    ("3033.2.0", Engine::Docker),
];

/// What the unit's drop-in sets beyond the image's example unit: this
/// cluster's kubelet flags and image, the kubelet after containerd. On rkt,
/// what the node tests' 2512.3.0 needs (tests/node/harness.rs: the kit's
/// image is an appc image in rkt's store, and the DNS volume), with the
/// example's own uuid file kept (a drop-in's RKT_RUN_ARGS replaces it).
pub fn dropin(engine: Engine) -> String {
    let flags = KUBELET_FLAGS.join(" ");
    let env = match engine {
        Engine::Rkt => format!(
            "Environment=KUBELET_IMAGE_URL=quay.io/coreos/hyperkube\n\
             Environment=KUBELET_IMAGE_TAG={}\n\
             Environment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid \
             --volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf\"\n",
            harness::RKT_TAG
        ),
        _ => format!("Environment=KUBELET_IMAGE_TAG={}\n", harness::PODMAN_TAG),
    };
    format!(
        "[Unit]\nWants=containerd.service\nAfter=containerd.service\n\n[Service]\n{env}ExecStart=\nExecStart=/usr/lib/coreos/kubelet-wrapper {flags}\n"
    )
}

/// A kubelet unit as CoreOS admins wrote them for rkt (the shape of
/// Typhoon's and the CoreOS documentation's): the image and DNS as the
/// node tests need them, Typhoon's CNI state volume, the uuid file, and the
/// `rkt rm`/`rkt stop` lines.
pub fn coreos_unit() -> String {
    format!(
        "[Unit]
Description=Kubernetes kubelet (a CoreOS-era unit)
Wants=containerd.service
After=containerd.service

[Service]
Environment=KUBELET_IMAGE_URL=quay.io/coreos/hyperkube
Environment=KUBELET_IMAGE_TAG={tag}
Environment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid \\
  --volume dns,kind=host,source=/etc/resolv.conf \\
  --mount volume=dns,target=/etc/resolv.conf \\
  --volume var-lib-cni,kind=host,source=/var/lib/cni \\
  --mount volume=var-lib-cni,target=/var/lib/cni\"
ExecStartPre=/bin/mkdir -p /var/lib/cni
ExecStartPre=-/usr/bin/rkt rm --uuid-file=/var/lib/coreos/kubelet-wrapper.uuid
ExecStart=/usr/lib/coreos/kubelet-wrapper {flags}
ExecStop=-/usr/bin/rkt stop --uuid-file=/var/lib/coreos/kubelet-wrapper.uuid
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
",
        tag = harness::RKT_TAG,
        flags = KUBELET_FLAGS.join(" ")
    )
}

enum Kind {
    /// Every lifecycle step on the release of [`RELEASES`] at this index.
    Lifecycle(usize),
    /// 2512.3.0 with a CoreOS-era unit, updated to 3000.0.0, rolled back.
    Update,
}

struct Case {
    name: String,
    kind: Kind,
}

fn cases() -> Vec<Case> {
    let mut v: Vec<Case> = RELEASES
        .iter()
        .enumerate()
        .map(|(i, (release, engine))| Case {
            name: format!("{}-{release}", engine.name()),
            kind: Kind::Lifecycle(i),
        })
        .collect();
    v.push(Case {
        name: "update-2512.3.0-to-3000.0.0".into(),
        kind: Kind::Update,
    });
    v
}

fn main() {
    let args = harness::CaseArgs::parse(3);
    let bench_rounds = args.bench;
    let all = cases();
    let selected: Vec<&Case> = all.iter().filter(|c| args.selects(&c.name)).collect();
    if args.list {
        for c in &selected {
            println!("{}: test", c.name);
        }
        return;
    }
    let skip = match (harness::kit(), boot::cannot_boot()) {
        (None, _) => Some("no node kit (set KW_NODE_KIT)".to_string()),
        (Some(_), Some(why)) => Some(format!("this host cannot boot a container: {why}")),
        (Some(_), None) => None,
    };
    if let Some(why) = skip {
        if bench_rounds.is_some() {
            panic!("the benchmark needs the node kit and a host that boots a container: {why}");
        }
        for c in &selected {
            println!("case {} ... skipped: {why}", c.name);
        }
        println!(
            "boot: 0 passed, 0 failed, {} skipped ({why})",
            selected.len()
        );
        return;
    }
    let kit = harness::kit().unwrap();
    harness::require_tools();
    let start = Instant::now();
    let images = Images::build(&kit);
    let profile = if bench_rounds.is_some() {
        Profile::Release
    } else {
        Profile::Debug
    };
    // the rootfs (mostly downloads and dpkg) while the pinned builds compile
    let ((rootfs, rootfs_ready), (usr, usr_ready)) = std::thread::scope(|s| {
        let rootfs = s.spawn(|| {
            let r = Rootfs::build(&images);
            (r, start.elapsed())
        });
        let usr: HashMap<&str, Usr> = RELEASES
            .iter()
            .map(|(r, e)| (*r, Usr::install(r, *e, &images, profile)))
            .collect();
        let usr_ready = start.elapsed();
        let rootfs = rootfs
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (rootfs, (usr, usr_ready))
    });
    println!(
        "boot: rootfs ready in {:.1} s, the releases' /usr (pinned builds, install.sh) in {:.1} s",
        secs(rootfs_ready),
        secs(usr_ready)
    );
    if let Some(rounds) = bench_rounds {
        let table = bench::run(&rootfs, &usr, rounds);
        if let Some(out) = std::env::var_os("KW_BOOT_BENCH_OUT") {
            std::fs::write(out, table).unwrap();
        }
        return;
    }

    harness::report_panics_briefly();
    let (mut passed, mut failed) = (0, 0);
    for c in &selected {
        let t = Instant::now();
        let outcome = std::panic::catch_unwind(|| match c.kind {
            Kind::Lifecycle(i) => lifecycle(&rootfs, &usr[RELEASES[i].0], &c.name),
            Kind::Update => update(&rootfs, &usr["2512.3.0"], &usr["3000.0.0"]),
        });
        match outcome {
            Ok(notes) => {
                passed += 1;
                println!(
                    "case {} ... ok ({:.1} s): {}",
                    c.name,
                    t.elapsed().as_secs_f64(),
                    notes.join("; ")
                );
            }
            Err(e) => {
                failed += 1;
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                println!("case {} ... FAILED: {msg}", c.name);
            }
        }
    }
    println!(
        "boot: {passed} passed, {failed} failed, 0 skipped in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    if failed > 0 {
        std::process::exit(101);
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// A node with the image's example unit, the cluster's drop-in, enabled.
/// On a docker release, docker.socket enabled too, as on Flatcar, whose
/// docker.service is not enabled: the kubelet unit's `Requires=` starts
/// it at boot (the rootfs has both disabled, for the other releases'
/// nodes). The link is the one `systemctl enable` makes (`systemctl
/// --root` of the writable layer does not see the rootfs's units).
pub fn node_with_example_unit(rootfs: &Rootfs, usr: &Usr, name: &str) -> BootNode {
    let node = BootNode::new(rootfs, name);
    node.write("/etc/systemd/system/kubelet.service", &usr.example_unit());
    node.write(
        "/etc/systemd/system/kubelet.service.d/10-cluster.conf",
        &dropin(usr.engine),
    );
    node.systemctl_offline(&["enable", "kubelet.service"]);
    if usr.engine == Engine::Docker {
        node.link(
            "/etc/systemd/system/sockets.target.wants/docker.socket",
            "/lib/systemd/system/docker.socket",
        );
    }
    node
}

/// Every lifecycle step, on one node.
fn lifecycle(rootfs: &Rootfs, usr: &Usr, name: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let mut node = node_with_example_unit(rootfs, usr, name);

    // boot with the unit enabled
    let t = Instant::now();
    node.boot(usr);
    let up = t.elapsed();
    node.wait_for("the kubelet to be healthy after boot", |n| {
        n.healthy().then_some(())
    });
    let boot_healthz = t.elapsed();
    let first = first_running(&node, t);
    node.both_running();
    harness::check_volumes(&node).unwrap_or_else(|e| panic!("{e}"));
    notes.push(format!(
        "boot: systemd up {:.1} s, healthz {:.1} s, first pod Running {:.1} s",
        secs(up),
        secs(boot_healthz),
        secs(first)
    ));
    notes.push(in_unit(&node, usr.engine));
    notes.push(once(&node));

    // start to healthz
    node.systemctl(&["stop", "kubelet.service"]);
    let t = Instant::now();
    node.systemctl(&["start", "kubelet.service"]);
    let start_returned = t.elapsed();
    node.wait_for("the kubelet to be healthy after start", |n| {
        n.healthy().then_some(())
    });
    let start_healthz = t.elapsed();
    let start_first = first_running(&node, t);
    notes.push(format!(
        "start: systemctl returned {:.2} s, healthz {:.2} s, first pod Running {:.2} s",
        secs(start_returned),
        secs(start_healthz),
        secs(start_first)
    ));

    // restart keeps the pods
    let before = node.both_running();
    node.systemctl(&["restart", "kubelet.service"]);
    node.wait_for("the kubelet to be healthy after restart", |n| {
        n.healthy().then_some(())
    });
    harness::same_containers(&before, &node.both_running());
    notes.push("restart: pods kept, restartCount 0".into());

    // SIGKILL of the unit's main process: the engine's (rkt fly's is the
    // kubelet itself; podman's, under this Type=notify unit, conmon;
    // docker's, the attached client)
    notes.push(kill_main(&node, &before, usr.engine));

    // twenty stops
    notes.push(stops(&node, 20));
    if usr.engine == Engine::Docker {
        notes.push(docker_removal_quiet(&node));
    }

    // a reboot, of the node running its kubelet
    node.systemctl(&["start", "kubelet.service"]);
    let before = node.both_running();
    forget_report(&node);
    let t = Instant::now();
    node.reboot(usr);
    node.wait_for("the kubelet to be healthy after reboot", |n| {
        n.healthy().then_some(())
    });
    let reboot_healthz = t.elapsed();
    running_anew(&node, &before);
    let reboot_running = t.elapsed();
    let volumes = volumes_after_reboot(&node);
    in_unit(&node, usr.engine);
    once(&node);
    notes.push(format!(
        "reboot: healthz {:.1} s, both pods Running anew {:.1} s, {volumes}",
        secs(reboot_healthz),
        secs(reboot_running)
    ));
    boot::record(&format!(
        "{name}\twrapper\tboot-healthz {:.2}\tstart-healthz {:.2}\treboot-running {:.2}",
        secs(boot_healthz),
        secs(start_healthz),
        secs(reboot_running)
    ));
    notes
}

/// After a reboot: waits until both pods run in containers of this boot
/// (the kubelet reports the pods of the previous boot Running until it has
/// synced them: their restart policy keeps the phase).
fn running_anew(node: &BootNode, before: &[Pod]) -> Vec<Pod> {
    let old: Vec<&String> = before
        .iter()
        .flat_map(|p| p.containers.iter().map(|c| &c.1))
        .collect();
    node.wait_for("both pods to run in new containers", |n| {
        let p = harness::pods(n);
        let fresh = p
            .iter()
            .filter(|p| p.running() && p.containers.iter().all(|c| !old.contains(&&c.1)))
            .count();
        (fresh == 2).then_some(p)
    })
}

/// After a reboot, the volumes pod's report of this boot: its downward-API
/// volume and its memory-backed emptyDir are the kubelet's tmpfs mounts,
/// and a tmpfs the pod sees was mounted by the kubelet in this boot (none
/// survives a reboot) and reached the pod (the kubelet's mounts reach the
/// pods on the new boot too). But the static pods keep their UIDs across
/// a reboot, and the kubelet (v1.26) finds their volume directories of the
/// boot before on disk and counts them as mounted (its volume
/// reconstruction): after some reboots, under every engine, it gave the
/// new container one of the two as its bare directory (an emptyDir stays
/// so; a downward-API volume is mounted again by the kubelet's periodic
/// remount, which it logs only at -v=4, so the journal cannot tell the two
/// apart). That is the kubelet's doing, and is reported; a pod that sees
/// neither as a tmpfs fails the case, as does a tmpfs without the
/// contents the pod put or the kubelet wrote there.
fn volumes_after_reboot(node: &BootNode) -> String {
    let report = node.wait_for("the volumes pod's report of this boot", |n| {
        n.read("/var/lib/kw-report/volumes")
    });
    let has = |want: &str| report.lines().any(|l| l.trim_end() == want);
    let mut reached = Vec::new();
    let mut reconstructed = Vec::new();
    for (volume, mount, contents) in [
        (
            "podinfo",
            "mount: tmpfs /podinfo tmpfs",
            &["labels: kw-test=\"downward-api\"", "name: volumes-kw-node"][..],
        ),
        (
            "scratch",
            "mount: tmpfs /scratch tmpfs",
            &["scratch: written"][..],
        ),
    ] {
        if has(mount) {
            for want in contents {
                assert!(
                    has(want),
                    "after reboot, {want:?} not in the volumes pod's report:\n{report}"
                );
            }
            reached.push(volume);
        } else {
            reconstructed.push(volume);
        }
    }
    assert!(
        !reached.is_empty(),
        "after reboot, neither of the kubelet's tmpfs volumes reached the pod:\n{report}"
    );
    if reconstructed.is_empty() {
        "volumes reach the pods".into()
    } else {
        format!(
            "{} reach the pods; {} its bare directory (the kubelet's reconstruction)",
            reached.join(", "),
            reconstructed.join(", ")
        )
    }
}

/// Waits for a pod Running; returns the time since `t0`.
fn first_running(node: &BootNode, t0: Instant) -> Duration {
    node.wait_for("a pod to run", |n| {
        harness::pods(n)
            .iter()
            .any(Pod::running)
            .then(|| t0.elapsed())
    })
}

/// The volumes pod's report is rewritten by each run of the pod: the old
/// one goes, so that the next check reads the new run's.
fn forget_report(node: &BootNode) {
    let _ = std::fs::remove_file(format!(
        "/proc/{}/root/var/lib/kw-report/volumes",
        node.pid1()
    ));
}

/// `systemctl show -p MainPID,ControlGroup` and the kubelet's cgroups
/// agree: the kubelet, and the unit's main process, are in
/// kubelet.service's cgroup (in the hierarchies systemd tracks services
/// by: its own named one and cgroup v2's). On docker, what is true
/// instead (docs/engines.md: what docker does differently): the main
/// process, the attached client, is in the unit's cgroup, the kubelet in
/// the one docker made for its container (named by the container's id:
/// `/docker/ID` with docker's cgroupfs driver, `docker-ID.scope` with its
/// systemd driver), outside the unit.
fn in_unit(node: &BootNode, engine: Engine) -> String {
    let group = node.show("ControlGroup");
    assert_eq!(group, "/system.slice/kubelet.service");
    let main: u32 = node.show("MainPID").parse().unwrap();
    assert_ne!(main, 0, "no main process:\n{}", node.journal_tail());
    let kubelets = node.processes("kubelet");
    assert_eq!(kubelets.len(), 1, "kubelets: {kubelets:?}");
    let kubelet = node.node_pid(kubelets[0]);
    let inside = |path: &str| path == group || path.starts_with(&format!("{group}/"));
    for (what, pid) in [("the main process", main), ("the kubelet", kubelet)] {
        let cgroups = node.cgroup_of(pid);
        let tracked: Vec<&str> = cgroups
            .lines()
            .filter_map(|l| {
                let mut f = l.splitn(3, ':');
                let (_, hierarchy, path) = (f.next()?, f.next()?, f.next()?);
                matches!(hierarchy, "" | "name=systemd").then_some(path)
            })
            .collect();
        assert!(!tracked.is_empty(), "{what} ({pid}): {cgroups}");
        if engine == Engine::Docker && pid == kubelet {
            let ids: Vec<String> = node
                .docker_containers()
                .into_iter()
                .filter(|(name, _)| name == "kubelet")
                .map(|(_, id)| id)
                .collect();
            assert_eq!(ids.len(), 1, "docker's kubelet containers: {ids:?}");
            let id = &ids[0];
            for path in &tracked {
                assert!(
                    *path == format!("/docker/{id}")
                        || *path == format!("/system.slice/docker-{id}.scope"),
                    "the kubelet ({pid}) is not in its container's cgroup ({id}): {cgroups}"
                );
            }
            continue;
        }
        for path in &tracked {
            assert!(inside(path), "{what} ({pid}) is outside {group}: {cgroups}");
        }
    }
    // the node's /proc, whose pids are the node's
    let main_comm = node
        .read(&format!("/proc/{main}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string();
    match engine {
        // fly execs the kubelet in the wrapper's own process
        Engine::Rkt => assert_eq!(main, kubelet, "rkt fly's kubelet is the main process"),
        // the attached client, which docker's containers outlive
        Engine::Docker => assert_eq!(main_comm, "docker", "the main process of the docker unit"),
        // the client left once the container ran: conmon is the main process
        _ => assert_eq!(
            main_comm, "conmon",
            "the main process of a Type=notify podman unit"
        ),
    }
    let kubelet_cgroup = node
        .cgroup_of(kubelet)
        .lines()
        .find(|l| l.starts_with("0::"))
        .unwrap_or_default()
        .to_string();
    let kubelet_cgroup = kubelet_cgroup.trim_start_matches("0::");
    if engine == Engine::Docker {
        format!(
            "main process {main_comm} in {group}, kubelet outside it, in docker's {kubelet_cgroup}"
        )
    } else {
        format!("in {group}: main process {main_comm}, kubelet {kubelet_cgroup}")
    }
}

/// A klog line: `Lmmdd hh:mm:ss.uuuuuu`.
fn is_klog(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 22
        && b"IWEF".contains(&b[0])
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b' '
        && b[8] == b':'
        && b[14] == b'.'
}

/// Each line the kubelet wrote since the unit's last start is in the
/// journal once.
fn once(node: &BootNode) -> String {
    let id = node.show("InvocationID");
    // the kubelet logs on, and the journal's view may lag: enough lines
    let lines = node.wait_for("the kubelet's lines in the journal", |n| {
        let j = n.journal(&[&format!("_SYSTEMD_INVOCATION_ID={id}")]);
        (j.lines().filter(|l| is_klog(l)).count() >= 50).then_some(j)
    });
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for l in lines.lines().filter(|l| is_klog(l)) {
        *seen.entry(l).or_default() += 1;
    }
    let twice: Vec<&&str> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(l, _)| l)
        .collect();
    assert!(
        twice.is_empty(),
        "{} of {} kubelet lines are in the journal more than once, e.g. {:?}",
        twice.len(),
        seen.len(),
        twice.iter().take(3).collect::<Vec<_>>()
    );
    format!("journal: {} kubelet lines, each once", seen.len())
}

/// SIGKILL of the unit's main process, then `systemctl start`: a new
/// kubelet gets healthy, there are never two, the pods are kept.
fn kill_main(node: &BootNode, before: &[Pod], engine: Engine) -> String {
    let main = node.show("MainPID");
    let old = node.processes("kubelet");
    node.systemctl(&[
        "kill",
        "--kill-whom=main",
        "--signal=SIGKILL",
        "kubelet.service",
    ]);
    let t = Instant::now();
    let noticed = node.wait_for("systemd to see the main process die", |n| {
        (n.show("MainPID") != main).then(|| n.show("ActiveState"))
    });
    // docker's container outlives its killed client: the unit's
    // ExecStopPost= removes it (the kubelet with it) before the restart
    let mut removed = String::new();
    if engine == Engine::Docker {
        node.wait_for("the unit to leave its stop", |n| {
            let sub = n.show("SubState");
            matches!(sub.as_str(), "auto-restart" | "failed" | "dead").then_some(())
        });
        let left = node.processes("kubelet");
        assert!(
            left.is_empty() && node.docker_containers().is_empty(),
            "after the client's SIGKILL and the unit's stop, kubelet {left:?} and containers {:?} are left:\n{}",
            node.docker_containers(),
            node.journal_tail()
        );
        removed = format!(
            ", the container removed by the unit's stop in {:.1} s",
            secs(t.elapsed())
        );
    }
    // the boot's start, the start, the restart and now this: systemd's
    // start limit (5 in 10 s) counts them all
    node.systemctl(&["reset-failed", "kubelet.service"]);
    node.systemctl(&["start", "kubelet.service"]);
    node.wait_for("a new kubelet to be healthy after SIGKILL", |n| {
        let k = n.processes("kubelet");
        assert!(k.len() <= 1, "{k:?}: two kubelets at once");
        (k.len() == 1 && !old.contains(&k[0]) && n.healthy()).then_some(())
    });
    let healthy = t.elapsed();
    harness::same_containers(before, &node.both_running());
    format!(
        "SIGKILL of the main process: unit {noticed}{removed}, after start healthy in {:.1} s, never two kubelets, pods kept",
        secs(healthy)
    )
}

/// `count` rounds of start, healthz, stop: each stop leaves no kubelet,
/// engine process, container, pod or mount of one.
fn stops(node: &BootNode, count: usize) -> String {
    let mut times = Vec::new();
    for i in 0..count {
        // rapid cycles would meet the start limit
        node.systemctl(&["reset-failed", "kubelet.service"]);
        node.systemctl(&["start", "kubelet.service"]);
        node.wait_for("the kubelet to be healthy", |n| n.healthy().then_some(()));
        let t = Instant::now();
        node.systemctl(&["stop", "kubelet.service"]);
        times.push(t.elapsed());
        let left: Vec<String> = ["kubelet", "conmon", "podman", "rkt", "docker"]
            .iter()
            .flat_map(|c| {
                node.processes(c)
                    .into_iter()
                    .map(move |p| format!("{c} {p}"))
            })
            .chain(
                node.docker_shims()
                    .into_iter()
                    .map(|p| format!("docker's containerd-shim {p}")),
            )
            .chain(
                node.podman_containers()
                    .into_iter()
                    .map(|c| format!("container {c}")),
            )
            .chain(
                node.docker_containers()
                    .into_iter()
                    .map(|(name, id)| format!("docker container {name} ({id})")),
            )
            .chain(node.rkt_pods().into_iter().map(|p| format!("rkt pod {p}")))
            .chain(
                node.engine_mounts()
                    .into_iter()
                    .map(|m| format!("mount {m}")),
            )
            .collect();
        assert!(
            left.is_empty(),
            "stop {} of {count} left {left:?}\n{}",
            i + 1,
            node.journal_tail()
        );
        assert_eq!(node.show("ActiveState"), "inactive");
    }
    times.sort();
    format!(
        "{count} stops, nothing left: {:.2} s median, {:.2} s at most",
        secs(times[count / 2]),
        secs(times[count - 1])
    )
}

/// On docker, the boot's journal of the unit after every start and stop
/// above: the wrapper removed the previous container before each start
/// (`docker rm --force kubelet`), the unit's `ExecStopPost=` removed the
/// one the killed client left, and none of it said "No such container"
/// (docker's `rm --force` of a container that is not there succeeds, and
/// says so on its error output).
fn docker_removal_quiet(node: &BootNode) -> String {
    let journal = node.unit_journal();
    let removals = journal
        .lines()
        .filter(|l| *l == format!("+ {} rm --force kubelet", harness::DOCKER))
        .count();
    let starts = journal
        .lines()
        .filter(|l| l.starts_with("Started kubelet.service"))
        .count();
    assert!(
        removals == starts && starts > 20,
        "{removals} removals in {starts} starts:\n{}",
        harness::tail(&journal)
    );
    let noise: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains("No such container"))
        .collect();
    assert!(
        noise.is_empty(),
        "{} lines of docker's noise, e.g. {:?}",
        noise.len(),
        noise.first()
    );
    format!(
        "journal: {starts} starts, each with its removal of the previous container, no \"No such container\""
    )
}

/// The wrapper's notices of the unit's current start (its lines that
/// start with `kubelet-wrapper: `).
fn notices(node: &BootNode) -> Vec<String> {
    let id = node.show("InvocationID");
    node.journal(&[&format!("_SYSTEMD_INVOCATION_ID={id}")])
        .lines()
        .filter_map(|l| l.strip_prefix("kubelet-wrapper: "))
        .map(str::to_string)
        .collect()
}

/// The OS update: 2512.3.0 (rkt fly) with a CoreOS-era unit gets 3000.0.0's
/// /usr, without rkt, and reboots, the unit unchanged: the kubelet runs
/// under podman, the admin's rkt arguments translated, its pods Running
/// again. Then the rollback: the old /usr, a reboot, rkt again.
fn update(rootfs: &Rootfs, old: &Usr, new: &Usr) -> Vec<String> {
    let mut notes = Vec::new();
    let mut node = BootNode::new(rootfs, "update");
    node.write("/etc/systemd/system/kubelet.service", &coreos_unit());
    node.systemctl_offline(&["enable", "kubelet.service"]);
    node.boot(old);
    node.wait_for("the kubelet to be healthy on 2512.3.0", |n| {
        n.healthy().then_some(())
    });
    let before = node.both_running();
    let exec = |n: &BootNode| {
        n.unit_journal()
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("+ exec "))
            .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(exec(&node), "/usr/bin/rkt run");

    // the update: the new /usr, a reboot
    forget_report(&node);
    let t = Instant::now();
    node.reboot(new);
    node.wait_for("the kubelet to be healthy on 3000.0.0", |n| {
        n.healthy().then_some(())
    });
    let before = running_anew(&node, &before);
    let update_running = t.elapsed();
    let volumes = volumes_after_reboot(&node);
    assert_eq!(
        exec(&node),
        "/usr/bin/podman run",
        "{}",
        node.journal_tail()
    );
    // each admin setting 3000.0.0 treats otherwise, named once
    let said = notices(&node);
    let expected = [
        "RKT_RUN_ARGS: --uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid is an rkt argument: dropped, podman finds the previous kubelet container by its name and removes it before each start; no uuid file is written",
        "RKT_RUN_ARGS: rkt argument --volume dns,kind=host,source=/etc/resolv.conf + --mount volume=dns,target=/etc/resolv.conf translated for podman as --volume=/etc/resolv.conf:/etc/resolv.conf:rw",
    ];
    for e in expected {
        assert_eq!(
            said.iter().filter(|n| *n == e).count(),
            1,
            "{e:?} not said once in {said:#?}"
        );
    }
    // Typhoon's CNI state volume: what 3000.0.0 does with it (translated,
    // or dropped where the release mounts /var/lib/cni itself), said once
    let cni: Vec<&String> = said.iter().filter(|n| n.contains("var-lib-cni")).collect();
    assert_eq!(cni.len(), 1, "the admin's /var/lib/cni volume: {said:#?}");
    // systemd skips the unit's rkt lines: `-` and a missing executable
    let skipped =
        "kubelet.service: Executable /usr/bin/rkt missing, skipping: No such file or directory";
    let journal = node.journal(&["-b", "-u", "kubelet.service"]);
    assert!(journal.contains(skipped), "{}", node.journal_tail());
    in_unit_attached(&node);
    once(&node);
    notes.push(format!(
        "update: reboot to both pods Running {:.1} s, under podman, {volumes}; notices: {}",
        secs(update_running),
        said.join(" | ")
    ));
    notes.push(format!("systemd: {skipped:?}"));

    // the rollback: the old /usr, a reboot
    forget_report(&node);
    let t = Instant::now();
    node.reboot(old);
    node.wait_for("the kubelet to be healthy after the rollback", |n| {
        n.healthy().then_some(())
    });
    running_anew(&node, &before);
    let rollback_running = t.elapsed();
    let volumes = volumes_after_reboot(&node);
    assert_eq!(exec(&node), "/usr/bin/rkt run", "{}", node.journal_tail());
    assert!(notices(&node).is_empty(), "{:?}", notices(&node));
    notes.push(format!(
        "rollback: reboot to both pods Running {:.1} s, under rkt, {volumes}",
        secs(rollback_running)
    ));
    boot::record(&format!(
        "update\tcoreos-unit\tupdate-running {:.2}\trollback-running {:.2}",
        secs(update_running),
        secs(rollback_running)
    ));
    notes
}

/// Under the CoreOS-era unit (Type=simple) on 3000.0.0: the podman client
/// stays attached as the main process, and the kubelet is in the unit's
/// cgroup all the same.
fn in_unit_attached(node: &BootNode) {
    let group = node.show("ControlGroup");
    let kubelets = node.processes("kubelet");
    assert_eq!(kubelets.len(), 1, "kubelets: {kubelets:?}");
    let cgroups = node.cgroup_of(node.node_pid(kubelets[0]));
    let v2 = cgroups
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .unwrap_or_default();
    assert!(
        v2.starts_with(&format!("{group}/")),
        "the kubelet is outside {group}: {cgroups}"
    );
}
