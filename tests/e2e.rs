//! End to end in real engines: podman (with runc) and systemd-nspawn.
//!
//! A tiny rootfs (busybox-static and `tests/e2e/probe.c`, built static with
//! gcc) stands in for the kubelet's image. The wrapper runs it through the
//! engine in a private mount namespace (see `ENGINE_MOUNTS` in
//! tests/common), and the probe reports from inside: its argv, its mounts,
//! which are read-only, its environment, and whether SIGTERM reached it.
//!
//! podman runs the project's release 3000.0.0, with the wrapper pinned to
//! it (a project release runs only when pinned by name). systemd-nspawn
//! runs a release file added to a copy of the crate (3100.0.0, the same
//! layer on systemd-nspawn) and built pinned to it.
//!
//! Needs, as tests/run.sh installs them: podman, runc, systemd-container,
//! busybox-static, gcc. A missing one fails the test with its name.

mod common;
mod variants;

use common::{ENGINE_MOUNTS, PODMAN, PODMAN_RUN_ARGS, Sandbox, copy_crate, os};
use kubelet_wrapper::release::model::Defaults;
use kubelet_wrapper::release::registry;
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn require(tool: &str) {
    assert!(
        Path::new(tool).exists(),
        "{tool} is missing: install podman, runc, systemd-container and busybox-static (tests/run.sh does)"
    );
}

/// The probe image: `DIR/rootfs` (a directory) and `DIR/rootfs.tar`.
fn build_rootfs(dir: &Path) -> PathBuf {
    require("/bin/busybox");
    let root = dir.join("rootfs");
    for d in ["bin", "usr", "etc", "proc", "sys", "dev", "out", "tmp"] {
        fs::create_dir_all(root.join(d)).unwrap();
    }
    fs::copy("/bin/busybox", root.join("bin/busybox")).unwrap();
    std::os::unix::fs::symlink("busybox", root.join("bin/sh")).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/probe.c");
    let cc = Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(root.join("probe"))
        .arg(&src)
        .output()
        .expect("gcc runs");
    assert!(
        cc.status.success(),
        "gcc -static failed: {}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let tar = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .args(["-cf"])
        .arg(dir.join("rootfs.tar"))
        .arg(".")
        .status()
        .unwrap();
    assert!(tar.success());
    root
}

/// What the probe reported.
struct Report {
    argv: Vec<Vec<u8>>,
    env: Vec<String>,
    /// mount point -> (per-mount options, optional fields)
    mounts: Vec<(String, String, String)>,
    access: Vec<(String, String)>,
}

fn read_report(out: &Path) -> Report {
    let split0 = |b: Vec<u8>| {
        let mut v: Vec<Vec<u8>> = b.split(|&c| c == 0).map(<[u8]>::to_vec).collect();
        v.pop();
        v
    };
    let argv = split0(fs::read(out.join("argv")).expect("the probe ran and wrote /out/argv"));
    let env = split0(fs::read(out.join("env")).unwrap())
        .into_iter()
        .map(|e| String::from_utf8_lossy(&e).into_owned())
        .collect();
    let mounts = fs::read_to_string(out.join("mountinfo"))
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let sep = f.iter().position(|x| *x == "-").unwrap();
            (unescape(f[4]), f[5].to_string(), f[6..sep].join(" "))
        })
        .collect();
    let access = fs::read_to_string(out.join("access"))
        .unwrap()
        .lines()
        .map(|l| {
            let (p, s) = l.rsplit_once(' ').unwrap();
            (p.to_string(), s.to_string())
        })
        .collect();
    Report {
        argv,
        env,
        mounts,
        access,
    }
}

/// mountinfo escapes space, tab, newline and backslash as octal.
fn unescape(s: &str) -> String {
    s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
}

/// Every system volume is mounted at its target, read-only exactly where
/// the release says, and shared where it asks for recursive propagation.
fn check_volumes(d: &Defaults, r: &Report, propagation: bool) {
    for v in &d.volumes {
        // the last mount at a path is the one in effect
        let m = r.mounts.iter().rev().find(|(p, ..)| *p == v.target);
        let (_, opts, optional) =
            m.unwrap_or_else(|| panic!("volume {} is not mounted at {}", v.name, v.target));
        let ro = opts.split(',').any(|o| o == "ro");
        assert_eq!(
            ro, v.read_only,
            "volume {} at {}: mount options {opts}",
            v.name, v.target
        );
        let access = r
            .access
            .iter()
            .find(|(p, _)| *p == v.target)
            .map(|(_, a)| a.as_str());
        let all: Vec<_> = r.mounts.iter().filter(|(p, ..)| *p == v.target).collect();
        assert_eq!(
            access,
            Some(if v.read_only { "ro" } else { "rw" }),
            "volume {} at {}: {all:?}",
            v.name,
            v.target
        );
        if propagation && v.recursive {
            assert!(
                optional.contains("shared:"),
                "volume {} at {} is not shared: {optional:?}",
                v.name,
                v.target
            );
        }
    }
}

/// The host's mount flags that an engine run must leave as they were (a
/// bind remounted read-only without MS_BIND changes the superblock, i.e.
/// the host's own mount).
fn host_mount_flags() -> Vec<String> {
    fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let sep = f.iter().position(|x| *x == "-")?;
            ["/", "/sys", "/sys/fs/cgroup", "/etc", "/usr", "/tmp"]
                .contains(&f[4])
                .then(|| format!("{} {} {}", f[4], f[5], f.get(sep + 3).unwrap_or(&"")))
        })
        .collect()
}

fn probe_paths(d: &Defaults) -> String {
    d.volumes
        .iter()
        .map(|v| v.target.as_str())
        .collect::<Vec<_>>()
        .join(":")
}

fn wait_for(path: &Path, child: &mut std::process::Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(st) = child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            panic!("exited with {st} before {}: {err}", path.display());
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs the wrapper to its end, checks that the kubelet's exit status
/// (PROBE_EXIT) became the wrapper's and that the kubelet got its flags byte
/// for byte, and returns what the probe reported.
fn run_probe(
    sb: &Sandbox,
    out: &Path,
    wrapper: &str,
    args: &[OsString],
    status: i32,
) -> (common::Run, Report) {
    let run = sb.run(wrapper, args);
    assert_eq!(
        run.status(),
        status,
        "the kubelet's exit status must be the wrapper's: {}",
        run.stderr()
    );
    let r = read_report(out);
    let mut want = vec![b"/probe".to_vec()];
    want.extend(args.iter().map(|a| a.clone().into_vec()));
    assert_eq!(r.argv, want, "kubelet flags altered");
    (run, r)
}

/// Starts the wrapper as the process itself, waits until the kubelet (the
/// probe, with PROBE_WAIT) is up, sends SIGTERM to the wrapper's pid, and
/// checks that the kubelet got it and its exit status (42) is the wrapper's.
fn sigterm_reaches_the_kubelet(sb: &Sandbox, out: &Path, wrapper: &str) {
    let mut child = sb.spawn(wrapper, &[]);
    wait_for(&out.join("ready"), &mut child);
    let kill = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        fs::read_to_string(out.join("term")).ok().as_deref(),
        Some("15\n"),
        "SIGTERM did not reach the kubelet: {stderr}"
    );
    assert_eq!(output.status.code(), Some(42), "{stderr}");
}

fn podman_sandbox(extra_rkt_args: &str) -> (Sandbox, PathBuf) {
    require("/usr/bin/podman");
    require("/usr/sbin/runc");
    let mut sb = Sandbox::new();
    build_rootfs(&sb.dir);
    let out = sb.dir.join("out");
    fs::create_dir_all(&out).unwrap();
    let d = registry::select("3000.0.0".parse().unwrap()).parse();
    sb.mounts = ENGINE_MOUNTS.to_string();
    sb.setup =
        format!("{PODMAN} import -q \"$SANDBOX/rootfs.tar\" localhost/kw-probe:e2e >/dev/null");
    sb.var("KUBELET_IMAGE", "localhost/kw-probe:e2e")
        .var("KUBELET_IMAGE_ARGS", "--exec=/probe")
        .var("PODMAN", PODMAN)
        // the sandbox runs in the test's own cgroups, which the release's
        // --cgroups=split would reorganise (podman moves every process of
        // its cgroup into a subtree of it): the kubelet in its unit's
        // cgroup is the booted node's to test (tests/boot.rs)
        .var("PODMAN_RUN_ARGS", format!("{PODMAN_RUN_ARGS} --cgroups=enabled"))
        .var(
            "RKT_RUN_ARGS",
            format!(
                "--volume out,kind=host,source={} --mount volume=out,target=/out --set-env=PROBE_PATHS={} {extra_rkt_args}",
                out.display(),
                probe_paths(&d)
            ),
        );
    (sb, out)
}

#[test]
fn podman_runs_the_kubelet_with_the_release_mounts() {
    let host = host_mount_flags();
    let (mut sb, out) = podman_sandbox(
        "--set-env=PROBE_EXIT=7 --uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid",
    );
    // a container of the same name left by a crash: the release removes it
    sb.setup.push_str(&format!(
        "\n{PODMAN} create -q --name kubelet localhost/kw-probe:e2e /probe >/dev/null"
    ));
    // podman carries arguments through JSON: UTF-8 only
    let args = os(&[
        b"--kubeconfig=/etc/kubernetes/kubeconfig",
        b"",
        b"a b",
        b"*",
        b"--",
        b"new\nline",
        "\u{fc}n\u{ef}".as_bytes(),
        b"kubelet",
    ]);
    let wrapper = common::pinned_wrapper("3000.0.0");
    let (run, r) = run_probe(&sb, &out, wrapper.to_str().unwrap(), &args, 7);
    assert!(
        r.env.iter().any(|e| e == "PROBE_EXIT=7"),
        "--set-env was not carried over: {:?}",
        r.env
    );
    let d = registry::select("3000.0.0".parse().unwrap()).parse();
    check_volumes(&d, &r, true);
    // the translated admin volume is there too, writable
    assert!(
        r.mounts
            .iter()
            .any(|(p, o, _)| p == "/out" && o.starts_with("rw"))
    );
    // the stale container was replaced by the one run, not removed by a
    // separate podman process
    assert!(
        run.stderr().contains(
            "+ exec /usr/bin/podman --runtime /usr/sbin/runc run --rm --privileged --pid=host --network=host --cgroupns=host --cgroups=split --log-driver=passthrough --sdnotify=container --name=kubelet --replace "
        ),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains(" rm --force"), "{}", run.stderr());
    assert_eq!(host_mount_flags(), host, "the host's mounts changed");
}

#[test]
fn podman_sigterm_to_the_wrapper_reaches_the_kubelet() {
    let (sb, out) = podman_sandbox("--set-env=PROBE_WAIT=1 --set-env=PROBE_EXIT=42");
    let wrapper = common::pinned_wrapper("3000.0.0");
    sigterm_reaches_the_kubelet(&sb, &out, wrapper.to_str().unwrap());
}

/// A copy of the crate with release 3100.0.0 (the 3000.0.0 layer on
/// systemd-nspawn, see tests/variants) running the probe. Returns the
/// pinned wrapper and the release.
fn nspawn_wrapper() -> (PathBuf, Defaults) {
    let text = variants::release_file(&variants::nspawn_3100("/probe"));
    let dir = copy_crate(
        "e2e-nspawn",
        &[("defaults/3100.0.0.json".into(), text.clone())],
    );
    let copy = common::build_wrapper(&dir, "3100.0.0", common::Profile::Debug);
    (copy, Defaults::from_json(&text).unwrap())
}

fn nspawn_sandbox(d: &Defaults, extra_rkt_args: &str) -> (Sandbox, PathBuf) {
    require("/usr/bin/systemd-nspawn");
    let mut sb = Sandbox::new();
    let root = build_rootfs(&sb.dir);
    let out = sb.dir.join("out");
    fs::create_dir_all(&out).unwrap();
    sb.mounts = ENGINE_MOUNTS.to_string();
    sb.setup = String::new();
    sb.var("KUBELET_IMAGE", root.into_os_string()).var(
        "RKT_RUN_ARGS",
        format!(
            "--volume out,kind=host,source={} --mount volume=out,target=/out --set-env=PROBE_PATHS={} {extra_rkt_args}",
            out.display(),
            probe_paths(d)
        ),
    );
    (sb, out)
}

#[test]
fn nspawn_runs_the_kubelet_with_the_release_mounts_and_signals() {
    let (wrapper, d) = nspawn_wrapper();
    let wrapper = wrapper.to_str().unwrap();

    let host = host_mount_flags();
    let (sb, out) = nspawn_sandbox(&d, "--set-env=PROBE_EXIT=9");
    let args = os(&[
        b"--v=2",
        b"",
        b"a b",
        b"*",
        b"--",
        b"\xff\xfe",
        b"new\nline",
    ]);
    let (_, r) = run_probe(&sb, &out, wrapper, &args, 9);
    assert!(r.env.iter().any(|e| e == "PROBE_EXIT=9"), "{:?}", r.env);
    check_volumes(&d, &r, false);
    assert_eq!(host_mount_flags(), host, "the host's mounts changed");

    let (sb, out) = nspawn_sandbox(&d, "--set-env=PROBE_WAIT=1 --set-env=PROBE_EXIT=42");
    sigterm_reaches_the_kubelet(&sb, &out, wrapper);
}
