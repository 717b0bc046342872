//! The real node's start-up times (`benches/node.sh`, not CI): per engine,
//! from starting the wrapper to the kubelet's healthz and to its first pod
//! Running, next to the same engine started as a hand-written unit starts
//! it. Each run is a fresh case (no pod, no container yet), so both counts
//! include creating the pods' sandboxes.

use crate::common::PODMAN;
use crate::harness::{
    self, DOCKER, Engine, Images, KUBELET_FLAGS, Mode, Node, Release, first_running,
    wait_healthy_since,
};
use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::plan;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How a run starts the engine.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Start {
    /// The pinned wrapper, as the OS ships it.
    Wrapper,
    /// The command a hand-written unit runs: `ExecStartPre=mkdir -p` of
    /// the release's directories, on podman the separate
    /// `ExecStartPre=-podman rm --force --ignore kubelet` such units had
    /// (they wrote no `--replace`), on docker `ExecStartPre=-docker rm
    /// --force kubelet`, then the same engine command without the
    /// wrapper's process.
    Unit,
}

/// The command the wrapper execs for `r` with the unit's environment, and
/// the directories it creates first.
fn engine_command(r: &Release, env: &[(String, String)]) -> (Vec<OsString>, Vec<PathBuf>) {
    let admin = AdminConfig::from_env(|k| {
        env.iter()
            .find(|(n, _)| k == n.as_str())
            .map(|(_, v)| OsString::from(v))
    });
    let args: Vec<OsString> = KUBELET_FLAGS.iter().map(OsString::from).collect();
    let p = plan::plan(&r.defaults(), &admin, &args).unwrap();
    let mut argv = p.argv();
    argv.retain(|a| a != "--replace");
    (argv, p.directories)
}

/// The releases the benchmark runs: one per engine.
pub fn releases() -> Vec<&'static Release> {
    harness::RELEASES
        .iter()
        .filter(|r| matches!(r.version, "3000.0.0" | "4230.2.0" | "2512.3.0" | "3100.0.0"))
        .collect()
}

/// Runs the benchmark: `rounds` fresh cases per engine ([`releases`]) and
/// way of starting, alternating; prints and returns the markdown table.
pub fn run(images: &Images, wrappers: &HashMap<&'static str, PathBuf>, rounds: usize) -> String {
    let engines = releases();
    // (release, start) -> [(healthz, running)]
    let mut samples: HashMap<(&str, bool), Vec<(f64, f64)>> = HashMap::new();
    for round in 0..rounds {
        for r in &engines {
            for start in [Start::Wrapper, Start::Unit] {
                let (h, p) = once(r, images, &wrappers[r.version], start);
                println!(
                    "bench round {round} {} {}: healthz {h:.2} s, first pod Running {p:.2} s",
                    r.version,
                    if start == Start::Wrapper {
                        "wrapper"
                    } else {
                        "unit"
                    }
                );
                samples
                    .entry((r.version, start == Start::Wrapper))
                    .or_default()
                    .push((h, p));
            }
        }
    }
    let mut out = String::from(
        "| engine (release) | started by | healthz, median [min–max] | first pod Running, median [min–max] |\n|---|---|---|---|\n",
    );
    for r in &engines {
        for (wrapper, how) in [(true, "the wrapper"), (false, "a hand-written unit")] {
            let s = &samples[&(r.version, wrapper)];
            let col = |f: fn(&(f64, f64)) -> f64| {
                let mut v: Vec<f64> = s.iter().map(f).collect();
                v.sort_by(f64::total_cmp);
                format!(
                    "{:.2} s [{:.2}–{:.2}]",
                    v[v.len() / 2],
                    v[0],
                    v[v.len() - 1]
                )
            };
            let _ = writeln!(
                out,
                "| {} ({}) | {how} | {} | {} |",
                r.engine.name(),
                r.version,
                col(|x| x.0),
                col(|x| x.1)
            );
        }
    }
    println!("\n{out}");
    out
}

/// One fresh case: start, wait for healthz and the first pod Running.
fn once(r: &Release, images: &Images, wrapper: &Path, start: Start) -> (f64, f64) {
    let node = Node::start(images, Mode::Shared, r.engine);
    r.prepare(&node, images);
    let env = r.unit_env(images);
    let t0 = Instant::now();
    let mut w = match start {
        Start::Wrapper => node.start_wrapper(wrapper, &env, &KUBELET_FLAGS, "kubelet.log"),
        Start::Unit => {
            let (argv, dirs) = engine_command(r, &env);
            // ExecStartPre=/bin/mkdir -p ..., and on podman
            // ExecStartPre=-/usr/bin/podman rm ...: to completion
            let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            let _ = node.sh_status(&format!("mkdir -p {}", dirs.join(" ")));
            match r.engine {
                Engine::Podman => {
                    let _ = node.sh_status(&format!("{PODMAN} rm --force --ignore kubelet"));
                }
                Engine::Docker => {
                    let _ = node.sh_status(&format!("{DOCKER} rm --force kubelet"));
                }
                _ => {}
            }
            node.start_command(&argv, &env, "kubelet.log")
        }
    };
    let h = wait_healthy_since(&node, &mut w, t0);
    let p = first_running(&node, &mut w, t0);
    w.signal("TERM");
    let _ = w.wait(60);
    (h, p)
}
