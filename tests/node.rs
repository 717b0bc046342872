//! A real node: the kit's kubelet runs pods through containerd under the
//! wrapper, on podman, on docker (a real dockerd of the case's own) and on
//! a real rkt fly, for the releases in [`harness::RELEASES`].
//!
//! Needs the node kit (real rkt, stage1-fly and kubelet builds that no
//! package registry offers): its directory comes from `KW_NODE_KIT`, which
//! `.ci/run` sets. Without it every case prints `skipped: no node kit (set
//! KW_NODE_KIT)` and none counts as passed. Also needs, as tests/run.sh
//! installs them: containerd, podman, docker.io, runc, busybox-static, gcc,
//! iproute2.
//!
//! Each case is a host of its own (tests/node/case.sh): new mount, PID,
//! network, UTS, IPC and cgroup namespaces, tmpfs over /var, /run and /opt,
//! overlays over /etc and /usr/lib, its own containerd, `/` shared as
//! systemd makes it or private as on a host where systemd is not PID 1. The
//! wrapper is a build pinned to the case's release, started with only what
//! a systemd unit gives a service (PATH, INVOCATION_ID and the unit's
//! Environment=), its arguments the kubelet's flags. Ending the case kills
//! the namespace's init, which ends every process in it; its cgroups are
//! removed, and nothing is left on the host (checked after each case).
//!
//! The harness is this file's own (`harness = false`) so that a case without
//! the kit is reported as skipped, not passed, and so that the shared
//! images and pinned builds are made once. `cargo test --test node -- NAME`
//! runs the cases whose name contains NAME; `--list` lists them.

#[path = "node/bench.rs"]
mod bench;
mod common;
#[path = "node/harness.rs"]
mod harness;
mod variants;

use common::Profile;
use harness::{Images, Mode, Node, Outcome, Release};
use std::time::Instant;

/// One case: a release on its engine, on a shared or a private `/`, and
/// whether it also runs the lifecycle checks (restart, SIGKILL of the
/// client, exit status), which take longer and are not release-specific.
struct Case {
    release: &'static Release,
    mode: Mode,
    lifecycle: bool,
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for r in harness::RELEASES {
        // systemd-nspawn's limitation is the same on both
        let modes: &[Mode] = match r.engine {
            harness::Engine::Nspawn => &[Mode::Shared],
            _ => &[Mode::Shared, Mode::Private],
        };
        for &mode in modes {
            v.push(Case {
                release: r,
                mode,
                lifecycle: mode == Mode::Shared && r.lifecycle,
            });
        }
    }
    v
}

impl Case {
    fn name(&self) -> String {
        format!(
            "{}-{}-{}",
            self.release.engine.name(),
            self.release.version,
            self.mode.name()
        )
    }
}

fn main() {
    // `--bench N`: the start-up benchmark (benches/node.sh), not the tests
    let args = harness::CaseArgs::parse(5);
    if let Some(rounds) = args.bench {
        let kit = harness::kit().expect("the benchmark needs the node kit: set KW_NODE_KIT");
        harness::require_tools();
        let images = Images::build(&kit);
        let wrappers = harness::pinned_wrappers(&bench::releases(), Profile::Release);
        let table = bench::run(&images, &wrappers, rounds);
        if let Some(out) = std::env::var_os("KW_NODE_BENCH_OUT") {
            std::fs::write(out, table).unwrap();
        }
        return;
    }
    let all = cases();
    let selected: Vec<&Case> = all.iter().filter(|c| args.selects(&c.name())).collect();
    if args.list {
        for c in &selected {
            println!("{}: test", c.name());
        }
        return;
    }
    let Some(kit) = harness::kit() else {
        for c in &selected {
            println!(
                "case {} ... skipped: no node kit (set KW_NODE_KIT)",
                c.name()
            );
        }
        println!(
            "node: 0 passed, 0 failed, {} skipped (no node kit: set KW_NODE_KIT to the kit's directory; .ci/run does)",
            selected.len()
        );
        return;
    };
    harness::report_panics_briefly();
    harness::require_tools();
    let start = Instant::now();
    let images = Images::build(&kit);
    let mut releases: Vec<&Release> = selected.iter().map(|c| c.release).collect();
    releases.dedup_by_key(|r| r.version);
    let wrappers = harness::pinned_wrappers(&releases, Profile::Debug);
    println!(
        "node: images and {} pinned wrappers ready in {:.1} s",
        wrappers.len(),
        start.elapsed().as_secs_f64()
    );

    let (mut passed, mut failed) = (0, 0);
    for c in &selected {
        let name = c.name();
        let wrapper = &wrappers[c.release.version];
        let t = Instant::now();
        let outcome = std::panic::catch_unwind(|| run_case(c, &images, wrapper));
        match outcome {
            Ok(o) => {
                passed += 1;
                println!(
                    "case {name} ... ok ({:.1} s): {o}",
                    t.elapsed().as_secs_f64()
                );
                harness::record(&name, &o);
            }
            Err(e) => {
                failed += 1;
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                println!("case {name} ... FAILED: {msg}");
            }
        }
    }
    println!(
        "node: {passed} passed, {failed} failed, 0 skipped in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    if failed > 0 {
        std::process::exit(101);
    }
}

fn run_case(c: &Case, images: &Images, wrapper: &std::path::Path) -> Outcome {
    let host = harness::HostState::now();
    let outcome = {
        let node = Node::start(images, c.mode, c.release.engine);
        c.release.prepare(&node, images);
        harness::check_release(&node, c.release, images, wrapper, c.mode, c.lifecycle)
    };
    host.unchanged();
    outcome
}
