//! Running the real `kubelet-wrapper` binary without touching the host.
//!
//! Each run happens in a private mount namespace (`unshare -m`, or
//! `unshare -rm` when not root) with fresh tmpfs mounts over /etc, /var and
//! /run, so the directories the wrapper creates and the os-release it reads
//! exist only for that run. `RKT` points at a recorder script that writes its
//! argv, environment and parent pid, and what the directories look like from
//! inside, then exits with `$RECORDER_EXIT`.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const WRAPPER: &str = env!("CARGO_BIN_EXE_kubelet-wrapper");
pub const CTL: &str = env!("CARGO_BIN_EXE_kubelet-wrapperctl");

/// podman on this kind of machine: runc (the only runtime that works
/// here), for the variable `PODMAN` and for the tests' own podman commands.
pub const PODMAN: &str = "/usr/bin/podman --runtime /usr/sbin/runc";
/// `PODMAN_RUN_ARGS` on this kind of machine: explicit limits, as podman's
/// defaults fail under runc.
pub const PODMAN_RUN_ARGS: &str = "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024";

/// The default setup: a CoreOS release that runs rkt, in /etc/os-release.
pub const DEFAULT_SETUP: &str = "printf 'ID=coreos\\nVERSION_ID=2512.4.0\\n' > /etc/os-release";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A scratch directory (removed on drop) holding the recorder and its output.
pub struct Sandbox {
    pub dir: PathBuf,
    pub recorder: PathBuf,
    /// Shell commands run inside the namespace before the wrapper starts.
    /// By default they write an os-release of a CoreOS release that runs
    /// rkt ([`DEFAULT_SETUP`]), so that an auto build runs the recorder.
    pub setup: String,
    pub env: Vec<(OsString, OsString)>,
    /// The shell commands that isolate the run ([`TMPFS_MOUNTS`] unless an
    /// engine test needs the host's /etc, see [`ENGINE_MOUNTS`]).
    pub mounts: String,
}

/// Fresh tmpfs over /etc, /var, /run and /opt: every directory a release
/// creates is below one of them. A macro, so that [`TMPFS_MOUNTS`] can add
/// to it with `concat!`.
macro_rules! private_tmpfs_mounts {
    () => {
        "for d in /etc /var /run /opt; do mount -n -t tmpfs -o mode=0755 kw-test \"$d\"; done"
    };
}

/// [`TMPFS_MOUNTS`] on a host whose `/` is private (systemd not PID 1).
pub const PRIVATE_TMPFS_MOUNTS: &str = private_tmpfs_mounts!();

/// [`PRIVATE_TMPFS_MOUNTS`], then `/` made shared inside the private
/// namespace, as systemd makes it at boot: the wrapper finds
/// /var/lib/kubelet shared and has nothing to do.
pub const TMPFS_MOUNTS: &str = concat!(private_tmpfs_mounts!(), "\nmount --make-rshared /");

/// The trees the sandboxes cover with tmpfs: every directory of every
/// release must be below one of them (tests/wrapper.rs checks it).
pub const COVERED: [&str; 4] = ["/etc/", "/var/", "/run/", "/opt/"];

/// For real engines: /etc and /usr/lib as overlays whose writes land in the
/// sandbox (the engines read their configuration from /etc; /lib/modules is
/// created in the overlay where the host has none), fresh tmpfs over /var,
/// /run and /opt (container storage included; /var/lib/containerd made as
/// a node's containerd has made it), and shared propagation so
/// rshared volumes work, all inside the private mount namespace. /dev/shm
/// is a fresh tmpfs too: podman keeps its lock table there
/// (`/dev/shm/libpod_lock`), and two sandboxes that start podman on fresh
/// storage at once would both create it ("failed to create 2048 locks in
/// /libpod_lock: file exists").
pub const ENGINE_MOUNTS: &str = r#"o="$SANDBOX/overlay"
mount -n -t tmpfs -o mode=1777 kw-test /dev/shm
mkdir -p "$o/etc-up" "$o/etc-work" "$o/lib-up/modules" "$o/lib-work"
mount -n -t overlay kw-test -o lowerdir=/etc,upperdir="$o/etc-up",workdir="$o/etc-work" /etc
mount -n -t overlay kw-test -o lowerdir=/usr/lib,upperdir="$o/lib-up",workdir="$o/lib-work" /usr/lib
for d in /var /run /opt; do mount -n -t tmpfs -o mode=0755 kw-test "$d"; done
mkdir -p /var/tmp /var/log /var/lib/containerd
rm -f /etc/os-release
mount --make-rshared /"#;

/// What a run left behind.
pub struct Run {
    pub output: Output,
    /// The recorder's argv (argv[0] is the path it was executed as), if it ran.
    pub argv: Option<Vec<Vec<u8>>>,
    /// The recorder's environment, if it ran.
    pub env: Option<Vec<Vec<u8>>>,
    /// `stat` of the four directories as the recorder saw them.
    pub dirs: Option<String>,
    /// Everything below /etc, /var and /run after the wrapper finished.
    pub after: String,
    /// The mount table as the recorder saw it.
    pub mountinfo: Option<String>,
    /// Whether the recorder's parent was the namespace shell, i.e. the
    /// wrapper exec'd the engine instead of forking it.
    pub execd: bool,
}

impl Run {
    pub fn status(&self) -> i32 {
        self.output.status.code().expect("exited normally")
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = std::env::temp_dir().join(format!(
            "kw-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let recorder = dir.join("rkt-recorder");
        fs::write(
            &recorder,
            format!(
                r#"#!/bin/sh
out='{out}'
printf '%s\0' "$0" "$@" > "$out/argv"
env -0 > "$out/env"
echo "$PPID" > "$out/ppid"
cat /proc/self/mountinfo > "$out/mountinfo"
for d in /etc/kubernetes /var/lib/docker /var/lib/kubelet /run/kubelet; do
  stat -c '%n %a %F' "$d"
done > "$out/dirs" 2>&1
exit "${{RECORDER_EXIT:-0}}"
"#,
                out = dir.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&recorder, fs::Permissions::from_mode(0o755)).unwrap();
        Sandbox {
            dir,
            recorder,
            setup: DEFAULT_SETUP.to_string(),
            env: Vec::new(),
            mounts: TMPFS_MOUNTS.to_string(),
        }
    }

    /// Adds an environment variable for the wrapper.
    pub fn var(&mut self, k: &str, v: impl Into<OsString>) -> &mut Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Sets RKT to the recorder.
    pub fn with_recorder(&mut self) -> &mut Self {
        let r = self.recorder.clone();
        self.var("RKT", r)
    }

    /// Sets every engine's program variable to the recorder, for runs whose
    /// release (and so engine) is decided at run time.
    pub fn with_recorder_for_any_engine(&mut self) -> &mut Self {
        let r = self.recorder.clone();
        for v in ["RKT", "PODMAN", "DOCKER", "SYSTEMD_NSPAWN"] {
            self.var(v, r.clone());
        }
        self
    }

    /// The `unshare` command that runs `program` with `args` in a fresh
    /// namespace; with `exec`, the program replaces the namespace's shell so
    /// it has the spawned child's pid.
    fn command(&self, program: &str, args: &[OsString], exec: bool) -> Command {
        let tail = if exec {
            "exec \"$@\"".to_string()
        } else {
            format!(
                r#"set +e
"$@"
rc=$?
echo $$ > '{out}/shpid'
find /etc /var /run /opt -mindepth 1 -xdev | sort > '{out}/after'
exit $rc"#,
                out = self.dir.display()
            )
        };
        let script = format!(
            "set -e\nmount --make-rprivate /\n{mounts}\n{setup}\n{tail}\n",
            mounts = self.mounts,
            setup = self.setup,
        );
        let unshare_args: &[&str] = if is_root() { &["-m"] } else { &["-r", "-m"] };
        let mut cmd = Command::new("unshare");
        cmd.args(unshare_args)
            .arg("sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(program)
            .args(args);
        cmd.env_clear();
        cmd.env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        );
        cmd.env("SANDBOX", &self.dir);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Starts `program` in a fresh namespace as the spawned process itself
    /// (for signal tests); its output is piped.
    pub fn spawn(&self, program: &str, args: &[OsString]) -> std::process::Child {
        self.command(program, args, true)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("unshare runs")
    }

    /// Runs `program` (normally [`WRAPPER`]) with `args` in a fresh namespace.
    pub fn run(&self, program: &str, args: &[OsString]) -> Run {
        let mut cmd = self.command(program, args, false);
        let output = cmd.output().expect("unshare runs");
        let read = |name: &str| fs::read(self.dir.join(name)).ok();
        let split0 = |b: Vec<u8>| -> Vec<Vec<u8>> {
            let mut v: Vec<Vec<u8>> = b.split(|&c| c == 0).map(<[u8]>::to_vec).collect();
            v.pop();
            v
        };
        let after = read("after").map(|b| String::from_utf8_lossy(&b).into_owned());
        assert!(
            after.is_some(),
            "the sandbox did not run: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let ppid = read("ppid").map(|b| String::from_utf8_lossy(&b).trim().to_string());
        let shpid = read("shpid").map(|b| String::from_utf8_lossy(&b).trim().to_string());
        let run = Run {
            argv: read("argv").map(split0),
            env: read("env").map(split0),
            dirs: read("dirs").map(|b| String::from_utf8_lossy(&b).into_owned()),
            mountinfo: read("mountinfo").map(|b| String::from_utf8_lossy(&b).into_owned()),
            after: after.unwrap(),
            execd: ppid.is_some() && ppid == shpid,
            output,
        };
        for f in ["argv", "env", "dirs", "after", "ppid", "shpid", "mountinfo"] {
            let _ = fs::remove_file(self.dir.join(f));
        }
        run
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

pub fn os(args: &[&[u8]]) -> Vec<OsString> {
    args.iter()
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect()
}

/// Runs the tool with an environment of exactly `env` (plus PATH).
pub fn ctl<A: AsRef<OsStr>>(args: &[A], env: &[(OsString, OsString)]) -> Output {
    Command::new(CTL)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("kubelet-wrapperctl runs")
}

/// The `argv` array of `kubelet-wrapperctl render`'s JSON, as bytes.
pub fn json_argv(v: &serde_json::Value) -> Vec<Vec<u8>> {
    v["argv"]
        .as_array()
        .expect("render's JSON has argv")
        .iter()
        .map(|a| a.as_str().expect("a string").as_bytes().to_vec())
        .collect()
}

pub fn path_exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

// ---------------------------------------------------------------------------
// Building copies of the crate (tests/build.rs, tests/e2e.rs,
// tests/faults.rs, the real-node harness).

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// A copy of the crate at `CARGO_TARGET_TMPDIR/<name>`, with `extra` files
/// (path in the crate, contents) added, e.g. a release file. Only the files
/// whose contents differ are written (and what the crate no longer has is
/// removed), so that an unchanged copy keeps its modification times and
/// cargo does not rebuild it; a copy a test changed is made whole again.
pub fn copy_crate(name: &str, extra: &[(String, String)]) -> PathBuf {
    let dst = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let keep: Vec<PathBuf> = extra.iter().map(|(p, _)| dst.join(p)).collect();
    for f in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        sync_file(
            &fs::read(Path::new(MANIFEST_DIR).join(f)).unwrap(),
            &dst.join(f),
        );
    }
    for d in ["src", "defaults"] {
        sync_dir(&Path::new(MANIFEST_DIR).join(d), &dst.join(d), &keep);
    }
    for ((_, text), path) in extra.iter().zip(&keep) {
        sync_file(text.as_bytes(), path);
    }
    dst
}

/// Makes `dst` a copy of `src`, writing only the files whose contents
/// differ, and removing what `src` does not have unless it is in `keep`.
fn sync_dir(src: &Path, dst: &Path, keep: &[PathBuf]) {
    fs::create_dir_all(dst).unwrap();
    let mut names = Vec::new();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        names.push(e.file_name());
        if e.file_type().unwrap().is_dir() {
            sync_dir(&e.path(), &to, keep);
        } else {
            sync_file(&fs::read(e.path()).unwrap(), &to);
        }
    }
    for e in fs::read_dir(dst).unwrap() {
        let p = e.unwrap().path();
        if !names.iter().any(|n| p.file_name() == Some(n)) && !keep.contains(&p) {
            let _ = fs::remove_dir_all(&p).or_else(|_| fs::remove_file(&p));
        }
    }
}

/// Writes `contents` to `dst` unless it holds them already.
fn sync_file(contents: &[u8], dst: &Path) {
    fs::create_dir_all(dst.parent().unwrap()).unwrap();
    if fs::read(dst).ok().as_deref() != Some(contents) {
        fs::write(dst, contents).unwrap();
    }
}

/// The wrapper built pinned to `release` (`KUBELET_WRAPPER_RELEASE`), from
/// a copy of the crate kept at `CARGO_TARGET_TMPDIR/pinned-RELEASE`. The
/// wrapper releases of the project's own origin run only when pinned by
/// name, so the tests of those releases run this binary. Built once per
/// test process.
pub fn pinned_wrapper(release: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = built.iter().find(|(r, _)| r == release) {
        return p.clone();
    }
    let dst = copy_crate(&format!("pinned-{release}"), &[]);
    let copy = build_wrapper(&dst, release, Profile::Debug);
    built.push((release.to_string(), copy.clone()));
    copy
}

/// The cargo profile a wrapper is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The tests' build: quick to make.
    Debug,
    /// What an OS image ships (the benchmarks).
    Release,
}

/// Builds the wrapper of the crate copy at `dir` pinned to `release`, and
/// returns a copy of the binary in `dir` (see [`build_pinned`]).
pub fn build_wrapper(dir: &Path, release: &str, profile: Profile) -> PathBuf {
    let bins = build_pinned(dir, release, profile, &["kubelet-wrapper"]);
    let copy = dir.join(format!("kubelet-wrapper-{release}"));
    fs::copy(bins.join("kubelet-wrapper"), &copy).unwrap();
    copy
}

/// Builds `bins` of the crate copy at `dir` pinned to `release`, and
/// returns a directory of `dir` that holds a copy of each (as
/// os-overlay/install.sh takes them: its BINDIR). The builds share a target
/// directory (see [`cargo_build`]) where each overwrites the last one's
/// binaries: one at a time, each copied out before the next.
pub fn build_pinned(dir: &Path, release: &str, profile: Profile, bins: &[&str]) -> PathBuf {
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    let (mut flags, out_dir): (Vec<&str>, &str) = match profile {
        Profile::Debug => (vec![], "debug"),
        Profile::Release => (vec!["--release"], "release"),
    };
    for b in bins {
        flags.extend(["--bin", b]);
    }
    let out = cargo_build(dir, Some(release), &flags);
    assert!(
        out.status.success(),
        "building {bins:?} pinned to {release}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let built = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("build-target")
        .join(out_dir);
    let copies = dir.join(format!("bin-{release}-{out_dir}"));
    fs::create_dir_all(&copies).unwrap();
    for b in bins {
        fs::copy(built.join(b), copies.join(b)).unwrap();
    }
    copies
}

/// `cargo build` in `dir`, with a target directory shared by these tests.
pub fn cargo_build(dir: &Path, release: Option<&str>, what: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir)
        .args(["build", "--offline", "--quiet"])
        .args(what)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-target"),
        )
        .env_remove("KUBELET_WRAPPER_RELEASE")
        .env_remove("RUSTFLAGS");
    if let Some(r) = release {
        cmd.env("KUBELET_WRAPPER_RELEASE", r);
    }
    cmd.output().expect("cargo runs")
}

/// A fresh directory of the test's own below the system's temporary
/// directory (not the sandbox's), everyone may read it (systemd --test
/// refuses to read a unit as root from a directory only root can).
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "kw-{}-{name}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
    d
}

/// Writes `text` to `root/path`, creating the directories on the way.
pub fn write_under(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}
