//! The booted node's figures (docs/performance.md): for each engine a
//! release ships, the wrapper's unit (the image's example unit and the
//! cluster's drop-in, as the tests run it) beside a hand-written unit of
//! the same engine: the same unit with `ExecStart=` the very command the
//! wrapper execs (what the pinned `kubelet-wrapperctl render --unit`
//! prints) and the release's directories made by `ExecStartPre=mkdir -p`,
//! its preparatory commands (docker's `rm --force` of the previous
//! container) by `ExecStartPre=-`.
//! Each round is a fresh node: boot to healthz and to the first pod
//! Running, `systemctl start` to healthz, `systemctl stop`, `systemctl
//! reboot` to both pods Running.
//! Then, with the CoreOS-era unit, the update from 2512.3.0 to 3000.0.0
//! and the rollback, reboot to both pods Running. Medians of N rounds.

use crate::boot::{BootNode, Rootfs, Usr};
use crate::harness::Engine;
use std::collections::HashMap;
use std::process::Command;
use std::time::Instant;

/// The hand-written unit's drop-in: the cluster's, with the wrapper's
/// command written out.
fn handwritten(node: &BootNode, usr: &Usr) -> String {
    let unit_dir = node.dir.join("handwritten");
    let _ = std::fs::remove_dir_all(&unit_dir);
    std::fs::create_dir_all(unit_dir.join("kubelet.service.d")).unwrap();
    std::fs::write(unit_dir.join("kubelet.service"), usr.example_unit()).unwrap();
    std::fs::write(
        unit_dir.join("kubelet.service.d/10-cluster.conf"),
        crate::dropin(usr.engine),
    )
    .unwrap();
    let o = Command::new(usr.dir.join("usr/bin/kubelet-wrapperctl"))
        .args(["render", "--format", "json", "--unit"])
        .arg(unit_dir.join("kubelet.service"))
        .arg("--drop-in")
        .arg(unit_dir.join("kubelet.service.d"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "render: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let words = |a: &serde_json::Value| -> String {
        a.as_array()
            .unwrap()
            .iter()
            .map(|w| {
                let w = w.as_str().unwrap();
                assert!(
                    !w.contains([' ', '"', '\\', '%', '$']),
                    "{w}: quote it for systemd"
                );
                w.to_string()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut dropin =
        String::from("[Unit]\nWants=containerd.service\nAfter=containerd.service\n\n[Service]\n");
    dropin.push_str(&format!(
        "ExecStartPre=/bin/mkdir -p {}\n",
        words(&v["directories"])
    ));
    for before in v["before"].as_array().unwrap() {
        dropin.push_str(&format!("ExecStartPre=-{}\n", words(before)));
    }
    dropin.push_str(&format!("ExecStart=\nExecStart={}\n", words(&v["argv"])));
    dropin
}

/// One round's figures, in seconds.
#[derive(Default)]
struct Round {
    boot_healthz: f64,
    boot_first_pod: f64,
    start_healthz: f64,
    stop: f64,
    reboot_running: f64,
}

fn round(rootfs: &Rootfs, usr: &Usr, hand: bool) -> Round {
    let name = format!(
        "bench-{}-{}",
        usr.engine.name(),
        if hand { "hand" } else { "wrapper" }
    );
    let mut node = crate::node_with_example_unit(rootfs, usr, &name);
    if hand {
        let dropin = handwritten(&node, usr);
        node.write(
            "/etc/systemd/system/kubelet.service.d/10-cluster.conf",
            &dropin,
        );
    }
    let healthy = |n: &BootNode| n.healthy().then_some(());
    let t = Instant::now();
    node.boot(usr);
    node.wait_for("healthz after boot", healthy);
    let boot_healthz = t.elapsed();
    let boot_first_pod = crate::first_running(&node, t);
    node.both_running();
    node.systemctl(&["stop", "kubelet.service"]);
    let t = Instant::now();
    node.systemctl(&["start", "kubelet.service"]);
    node.wait_for("healthz after start", healthy);
    let start_healthz = t.elapsed();
    node.both_running();
    let t = Instant::now();
    node.systemctl(&["stop", "kubelet.service"]);
    let stop = t.elapsed();
    node.systemctl(&["start", "kubelet.service"]);
    node.wait_for("healthz", healthy);
    let before = node.both_running();
    let t = Instant::now();
    node.reboot(usr);
    crate::running_anew(&node, &before);
    let reboot_running = t.elapsed();
    Round {
        boot_healthz: boot_healthz.as_secs_f64(),
        boot_first_pod: boot_first_pod.as_secs_f64(),
        start_healthz: start_healthz.as_secs_f64(),
        stop: stop.as_secs_f64(),
        reboot_running: reboot_running.as_secs_f64(),
    }
}

/// `median [min–max]` of some seconds.
fn spread(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    format!(
        "{:.2} s [{:.2}–{:.2}]",
        v[v.len() / 2],
        v[0],
        v[v.len() - 1]
    )
}

/// The update and the rollback, reboot to both pods Running.
fn update_round(rootfs: &Rootfs, old: &Usr, new: &Usr) -> (f64, f64) {
    let mut node = BootNode::new(rootfs, "bench-update");
    node.write("/etc/systemd/system/kubelet.service", &crate::coreos_unit());
    node.systemctl_offline(&["enable", "kubelet.service"]);
    node.boot(old);
    let before = node.both_running();
    let t = Instant::now();
    node.reboot(new);
    let before = crate::running_anew(&node, &before);
    let update = t.elapsed().as_secs_f64();
    let t = Instant::now();
    node.reboot(old);
    crate::running_anew(&node, &before);
    (update, t.elapsed().as_secs_f64())
}

/// Runs `rounds` rounds of each and returns the Markdown table.
pub fn run(rootfs: &Rootfs, usr: &HashMap<&str, Usr>, rounds: usize) -> String {
    let mut table = String::from(
        "| engine (release) | unit | boot to healthz | boot to first pod Running | start to healthz | stop | reboot to both pods Running |\n|---|---|---|---|---|---|---|\n",
    );
    for (release, engine) in crate::RELEASES {
        let u = &usr[release];
        for hand in [false, true] {
            let rs: Vec<Round> = (0..rounds).map(|_| round(rootfs, u, hand)).collect();
            let m = |f: fn(&Round) -> f64| spread(rs.iter().map(f).collect());
            let row = format!(
                "| {} ({release}) | {} | {} | {} | {} | {} | {} |\n",
                match engine {
                    Engine::Rkt => "rkt fly",
                    e => e.name(),
                },
                if hand {
                    "hand-written"
                } else {
                    "kubelet-wrapper"
                },
                m(|r| r.boot_healthz),
                m(|r| r.boot_first_pod),
                m(|r| r.start_healthz),
                m(|r| r.stop),
                m(|r| r.reboot_running),
            );
            print!("{row}");
            table.push_str(&row);
        }
    }
    let ups: Vec<(f64, f64)> = (0..rounds)
        .map(|_| update_round(rootfs, &usr["2512.3.0"], &usr["3000.0.0"]))
        .collect();
    let line = format!(
        "\nUpdate 2512.3.0 (rkt fly) to 3000.0.0 (podman), the CoreOS-era unit unchanged, reboot to both pods Running: {}; the rollback: {} ({rounds} rounds).\n",
        spread(ups.iter().map(|u| u.0).collect()),
        spread(ups.iter().map(|u| u.1).collect())
    );
    print!("{line}");
    table.push_str(&line);
    table
}
