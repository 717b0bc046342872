//! The booted node's harness: the Debian rootfs (tests/boot/rootfs.sh), the
//! OS release's /usr as an image build installs it (os-overlay/install.sh),
//! one node per case booted with systemd as PID 1 (tests/boot/node.sh), and
//! the ways the tests drive it: `systemctl`, `journalctl` and the kubelet's
//! read-only port. Everything else the tests do is read the node's files
//! and processes from the host, to see what a stop or a kill left behind.

use crate::common::{Profile, build_pinned, copy_crate};
use crate::harness::{self, Engine, Images, NodeView, Pod};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const HERE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boot");
const REPO: &str = env!("CARGO_MANIFEST_DIR");
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// How long a node may take to boot, a kubelet to get healthy, pods to run.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// Why this host cannot boot a node, if it cannot: the only reason the
/// cases may be skipped when the node kit is there.
pub fn cannot_boot() -> Option<String> {
    if !crate::common::is_root() {
        return Some("the booted node runs as root (it mounts and boots a container)".into());
    }
    for (tool, package) in [
        ("/usr/bin/systemd-nspawn", "systemd-container"),
        ("/usr/bin/mmdebstrap", "mmdebstrap"),
    ] {
        if !Path::new(tool).exists() {
            return Some(format!(
                "{tool} is missing: install {package} (tests/run.sh does)"
            ));
        }
    }
    let cgroups = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    if !cgroups.contains(" /sys/fs/cgroup") {
        return Some("no cgroup file system at /sys/fs/cgroup".into());
    }
    None
}

// ---------------------------------------------------------------------------
// What the nodes are made of.

/// The Debian system every node starts from, built once per run of the
/// suite below the target directory (tests/boot/rootfs.sh). With
/// `KW_BOOT_KEEP_ROOTFS` set, a complete one from an earlier run is used
/// again, if it was made by the same scripts (rootfs.sh, prepare.sh) with
/// the same tags: `ready` holds what made it, and a rootfs made otherwise
/// is built anew.
pub struct Rootfs {
    pub dir: PathBuf,
}

impl Rootfs {
    pub fn build(images: &Images) -> Rootfs {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("boot-rootfs");
        let dir = out.join("rootfs");
        let recipe = format!(
            "{}\n{}\n{}\n{}\n",
            fs::read_to_string(Path::new(HERE).join("rootfs.sh")).unwrap(),
            fs::read_to_string(Path::new(HERE).join("prepare.sh")).unwrap(),
            harness::RKT_TAG,
            harness::PODMAN_TAG
        );
        let ready = out.join("ready");
        if std::env::var_os("KW_BOOT_KEEP_ROOTFS").is_some()
            && fs::read_to_string(&ready).is_ok_and(|r| r == recipe)
        {
            return Rootfs { dir };
        }
        let o = Command::new("sh")
            .arg(Path::new(HERE).join("rootfs.sh"))
            .arg(&out)
            .arg(&images.dir)
            .args([harness::RKT_TAG, harness::PODMAN_TAG])
            .env_clear()
            .env("PATH", PATH)
            .output()
            .expect("sh runs");
        assert!(
            o.status.success(),
            "tests/boot/rootfs.sh failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        fs::write(&ready, recipe).unwrap();
        Rootfs { dir }
    }
}

/// An OS release's /usr: the project installed by os-overlay/install.sh
/// from a build pinned to the release, and for an rkt release the kit's
/// rkt at /usr/bin/rkt and its stage1 where CoreOS had it. A tree whose
/// `usr/` is laid over the rootfs's /usr (tests/boot/node.sh).
pub struct Usr {
    pub release: &'static str,
    pub engine: Engine,
    pub dir: PathBuf,
}

impl Usr {
    pub fn install(
        release: &'static str,
        engine: Engine,
        images: &Images,
        profile: Profile,
    ) -> Usr {
        let crate_dir = copy_crate("boot-builds", &[]);
        let bins = build_pinned(
            &crate_dir,
            release,
            profile,
            &["kubelet-wrapper", "kubelet-wrapperctl"],
        );
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "boot-usr-{release}-{}",
            match profile {
                Profile::Debug => "debug",
                Profile::Release => "release",
            }
        ));
        let _ = fs::remove_dir_all(&dir);
        let o = Command::new("bash")
            .arg(Path::new(REPO).join("os-overlay/install.sh"))
            .arg(&dir)
            .arg(&bins)
            .env_clear()
            .env("PATH", PATH)
            .output()
            .expect("bash runs");
        assert!(
            o.status.success(),
            "os-overlay/install.sh: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // the unit install.sh chose is the one for the release's engine
        let installed = fs::read(dir.join("usr/share/kubelet-wrapper/kubelet.service")).unwrap();
        let shipped = fs::read(Path::new(REPO).join(format!(
            "os-overlay/app-admin/kubelet-wrapper/files/kubelet-{}.service",
            engine.name()
        )))
        .unwrap();
        assert!(
            installed == shipped,
            "install.sh installed another engine's unit for {release}"
        );
        if engine == Engine::Rkt {
            let copy = |from: &str, to: &str, mode: u32| {
                let to = dir.join(to);
                fs::create_dir_all(to.parent().unwrap()).unwrap();
                fs::copy(images.dir.join(from), &to).unwrap();
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&to, fs::Permissions::from_mode(mode)).unwrap();
            };
            copy("kit/rkt", "usr/bin/rkt", 0o755);
            copy(
                "kit/stage1-fly.aci",
                "usr/lib/rkt/stage1-images/stage1-fly.aci",
                0o644,
            );
        }
        Usr {
            release,
            engine,
            dir,
        }
    }

    /// The example unit the image ships (/usr/share/kubelet-wrapper).
    pub fn example_unit(&self) -> String {
        fs::read_to_string(self.dir.join("usr/share/kubelet-wrapper/kubelet.service")).unwrap()
    }
}

// ---------------------------------------------------------------------------
// A node.

/// One node: its writable layer and /var on disk, booted as often as a
/// case asks, each boot a run of tests/boot/node.sh.
pub struct BootNode {
    pub dir: PathBuf,
    base: PathBuf,
    usr: PathBuf,
    run: Option<Running>,
    boots: usize,
}

/// A boot in progress.
struct Running {
    /// node.sh, which became systemd-nspawn.
    child: Child,
    /// The host pid of the node's PID 1 (systemd).
    pid1: u32,
    cgroups: Vec<PathBuf>,
}

impl BootNode {
    /// A node of `rootfs`, not booted: its /var a copy of the rootfs's,
    /// the kubelet's static pods in /etc/kubernetes/manifests.
    pub fn new(rootfs: &Rootfs, name: &str) -> BootNode {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("boot-nodes")
            .join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("root-up")).unwrap();
        let o = Command::new("cp")
            .arg("-a")
            .arg(rootfs.dir.join("var"))
            .arg(dir.join("var"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "cp: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let node = BootNode {
            dir,
            base: rootfs.dir.clone(),
            usr: PathBuf::new(),
            run: None,
            boots: 0,
        };
        let manifests = Path::new(REPO).join("tests/node");
        for m in ["steady.yaml", "volumes.yaml"] {
            node.write(
                &format!("/etc/kubernetes/manifests/{m}"),
                &fs::read_to_string(manifests.join(m)).unwrap(),
            );
        }
        node
    }

    /// Writes a file into the node's writable layer (its /etc) or /var,
    /// as an image build or an admin would before boot.
    pub fn write(&self, path: &str, text: &str) {
        assert!(self.run.is_none(), "{path}: the node is running");
        let full = match path.strip_prefix("/var/") {
            Some(rest) => self.dir.join("var").join(rest),
            None => self.dir.join("root-up").join(path.trim_start_matches('/')),
        };
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }

    /// Makes a symbolic link in the node's writable layer, before boot.
    pub fn link(&self, path: &str, target: &str) {
        assert!(self.run.is_none(), "{path}: the node is running");
        let full = self.dir.join("root-up").join(path.trim_start_matches('/'));
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, full).unwrap();
    }

    /// Removes a file of the node's /var (the test's own traces, such as
    /// the volumes pod's report), before boot.
    pub fn remove_var(&self, path: &str) {
        assert!(self.run.is_none(), "{path}: the node is running");
        let _ = fs::remove_file(self.dir.join("var").join(path.trim_start_matches("/var/")));
    }

    /// `systemctl --root` on the node's writable layer, as an image build
    /// enables units.
    pub fn systemctl_offline(&self, args: &[&str]) {
        let o = Command::new("systemctl")
            .arg(format!("--root={}", self.dir.join("root-up").display()))
            .args(args)
            .env_clear()
            .env("PATH", PATH)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "systemctl --root {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// Boots the node with `usr` as its /usr; returns once systemd says
    /// the system is up (running, or degraded with the failed units named
    /// in the log).
    pub fn boot(&mut self, usr: &Usr) {
        assert!(self.run.is_none(), "the node is running");
        self.usr = usr.dir.clone();
        self.boots += 1;
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("node.log"))
            .unwrap();
        let child = Command::new("sh")
            .arg(Path::new(HERE).join("node.sh"))
            .arg(&self.base)
            .arg(&self.dir)
            .arg(&self.usr)
            .env_clear()
            .env("PATH", PATH)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("sh runs");
        let t = Instant::now();
        let mut child = child;
        let pid1 = loop {
            if let Some(p) = node_pid1(child.id()) {
                break p;
            }
            if let Some(st) = child.try_wait().unwrap() {
                panic!(
                    "the node did not boot ({st}): {}{}",
                    fs::read_to_string(self.dir.join("node.log")).unwrap_or_default(),
                    fs::read_to_string(self.dir.join("console.log")).unwrap_or_default()
                );
            }
            assert!(t.elapsed() < DEADLINE, "no PID 1 after {DEADLINE:?}");
            std::thread::sleep(Duration::from_millis(10));
        };
        let cgroups = fs::read_to_string(self.dir.join("cgroups"))
            .unwrap()
            .lines()
            .map(PathBuf::from)
            .collect();
        self.run = Some(Running {
            child,
            pid1,
            cgroups,
        });
        // systemd answers once its private socket is there
        let state = self.wait_for("systemd to be up", |n| {
            let o = n.systemctl_status(&["is-system-running", "--wait"]);
            let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
            matches!(s.as_str(), "running" | "degraded").then_some(s)
        });
        if state == "degraded" {
            let failed = self.systemctl(&["--failed", "--plain", "--no-legend"]);
            eprintln!("  (node degraded: {failed})");
        }
    }

    /// The node's PID 1 (host pid).
    pub fn pid1(&self) -> u32 {
        self.run.as_ref().expect("the node is running").pid1
    }

    /// A command in every namespace of the node, as root with a unit's
    /// PATH and nothing else.
    fn nsenter(&self) -> Command {
        let mut c = Command::new("nsenter");
        c.arg("--target")
            .arg(self.pid1().to_string())
            .args(["-m", "-u", "-i", "-n", "-p", "-C", "--wd=/"])
            .env_clear()
            .env("PATH", PATH)
            .stdin(Stdio::null());
        c
    }

    /// `systemctl ARGS` in the node.
    pub fn systemctl_status(&self, args: &[&str]) -> Output {
        self.nsenter()
            .args(["systemctl", "--no-ask-password", "--no-pager"])
            .args(args)
            .output()
            .expect("nsenter runs")
    }

    /// `systemctl ARGS` in the node; fails the case unless it succeeds.
    #[track_caller]
    pub fn systemctl(&self, args: &[&str]) -> String {
        let o = self.systemctl_status(args);
        assert!(
            o.status.success(),
            "systemctl {args:?}: {}{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            self.journal_tail()
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// One property of the kubelet unit (`systemctl show -p NAME --value`).
    pub fn show(&self, name: &str) -> String {
        self.systemctl(&["show", "-p", name, "--value", "kubelet.service"])
            .trim()
            .to_string()
    }

    /// `journalctl -o cat ARGS` in the node.
    pub fn journal(&self, args: &[&str]) -> String {
        let o = self
            .nsenter()
            .args(["journalctl", "--no-pager", "-q", "-o", "cat"])
            .args(args)
            .output()
            .expect("nsenter runs");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The kubelet unit's messages of this boot (the wrapper's, the
    /// engine's and the kubelet's, and systemd's about the unit).
    pub fn unit_journal(&self) -> String {
        self.journal(&["-b", "-u", "kubelet.service"])
    }

    /// The last lines of the unit's journal, for failure messages.
    pub fn journal_tail(&self) -> String {
        match &self.run {
            Some(_) => harness::tail(&self.unit_journal()),
            None => String::new(),
        }
    }

    /// Waits for `check` to give a value; fails with the unit's journal
    /// after [`DEADLINE`].
    #[track_caller]
    pub fn wait_for<T>(&self, what: &str, mut check: impl FnMut(&Self) -> Option<T>) -> T {
        let t = Instant::now();
        loop {
            if let Some(v) = check(self) {
                return v;
            }
            assert!(
                t.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {what}:\n{}",
                self.journal_tail()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn healthy(&self) -> bool {
        self.http("/healthz").as_deref() == Some("ok")
    }

    /// Waits until both static pods run; returns them.
    pub fn both_running(&self) -> Vec<Pod> {
        self.wait_for("both pods to run", |n| {
            let p = harness::pods(n);
            (p.iter().filter(|p| p.running()).count() == 2).then_some(p)
        })
    }

    /// The node's processes (host pids) named `comm`.
    pub fn processes(&self, comm: &str) -> Vec<u32> {
        harness::processes_in(self.pid1(), comm)
    }

    /// A host pid's pid in the node's PID namespace.
    pub fn node_pid(&self, host_pid: u32) -> u32 {
        let status = fs::read_to_string(format!("/proc/{host_pid}/status")).unwrap();
        let ns = status
            .lines()
            .find_map(|l| l.strip_prefix("NSpid:"))
            .expect("NSpid");
        ns.split_whitespace().last().unwrap().parse().unwrap()
    }

    /// A process's cgroups as the node sees them (its /proc/PID/cgroup
    /// read in the node's cgroup namespace), `pid` in the node's PID
    /// namespace.
    pub fn cgroup_of(&self, pid: u32) -> String {
        let o = self
            .nsenter()
            .args(["cat", &format!("/proc/{pid}/cgroup")])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Powers the node off (`systemctl poweroff`) or reboots it, and waits
    /// for systemd-nspawn to end: 0 for a power-off, 133 for a reboot.
    pub fn halt(&mut self, how: &str) -> Duration {
        let t = Instant::now();
        // systemctl may be cut off by the shutdown it started
        let _ = self.systemctl_status(&[how]);
        let mut run = self.run.take().expect("the node is running");
        let status = loop {
            if let Some(st) = run.child.try_wait().unwrap() {
                break st;
            }
            if t.elapsed() > DEADLINE {
                self.run = Some(run);
                panic!("the node did not {how} within {DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let want = if how == "reboot" { 133 } else { 0 };
        assert_eq!(
            status.code(),
            Some(want),
            "systemd-nspawn after {how}: {status}; {}",
            fs::read_to_string(self.dir.join("node.log")).unwrap_or_default()
        );
        let elapsed = t.elapsed();
        remove_cgroups(&run.cgroups);
        elapsed
    }

    /// `systemctl reboot`, then a boot with `usr`: as an update (or a
    /// rollback) swaps /usr and reboots. Returns the time the reboot took
    /// until PID 1 of the new boot.
    pub fn reboot(&mut self, usr: &Usr) -> Duration {
        let t = Instant::now();
        self.halt("reboot");
        self.boot(usr);
        t.elapsed()
    }

    /// The containers podman's store holds.
    pub fn podman_containers(&self) -> Vec<String> {
        let Some(text) =
            self.read("/var/lib/containers/storage/overlay-containers/containers.json")
        else {
            return Vec::new();
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        format!(
                            "{} ({})",
                            c["names"][0].as_str().unwrap_or("?"),
                            c["id"].as_str().unwrap_or("?")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The pods rkt's store holds, in any state.
    pub fn rkt_pods(&self) -> Vec<String> {
        let mut out = Vec::new();
        let root = format!("/proc/{}/root/var/lib/rkt/pods", self.pid1());
        for state in fs::read_dir(root).into_iter().flatten().flatten() {
            for pod in fs::read_dir(state.path()).into_iter().flatten().flatten() {
                out.push(format!(
                    "{}/{}",
                    state.file_name().to_string_lossy(),
                    pod.file_name().to_string_lossy()
                ));
            }
        }
        out
    }

    /// The containers docker's store holds: name (without docker's `/`)
    /// and id.
    pub fn docker_containers(&self) -> Vec<(String, String)> {
        let root = format!("/proc/{}/root/var/lib/docker/containers", self.pid1());
        let mut out = Vec::new();
        for c in fs::read_dir(root).into_iter().flatten().flatten() {
            let id = c.file_name().to_string_lossy().into_owned();
            let name = fs::read_to_string(c.path().join("config.v2.json"))
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| {
                    v["Name"]
                        .as_str()
                        .map(|n| n.trim_start_matches('/').to_string())
                })
                .unwrap_or_else(|| "?".into());
            out.push((name, id));
        }
        out
    }

    /// The containerd shims of docker's containers (containerd's `moby`
    /// namespace; the CRI's pods have theirs in `k8s.io`), host pids.
    pub fn docker_shims(&self) -> Vec<u32> {
        self.processes("containerd-shim")
            .into_iter()
            .filter(|p| {
                fs::read(format!("/proc/{p}/cmdline"))
                    .map(|c| c.split(|b| *b == 0).any(|w| w == b"moby"))
                    .unwrap_or(false)
            })
            .collect()
    }

    /// The node's mounts of the engines' containers and pods: podman's
    /// and docker's container roots (and docker's per-container files),
    /// rkt's pod trees.
    pub fn engine_mounts(&self) -> Vec<String> {
        fs::read_to_string(format!("/proc/{}/mountinfo", self.pid1()))
            .unwrap_or_default()
            .lines()
            .filter(|l| {
                l.contains("/var/lib/containers/storage/overlay/")
                    || l.contains("/var/lib/docker/overlay2/")
                    || l.contains("/var/lib/docker/containers/")
                    || l.contains("/var/lib/rkt/pods/")
            })
            .map(str::to_string)
            .collect()
    }
}

impl NodeView for BootNode {
    fn http(&self, path: &str) -> Option<String> {
        harness::http_in(self.pid1(), path)
    }
    fn read(&self, path: &str) -> Option<String> {
        harness::read_in(self.pid1(), path)
    }
}

impl Drop for BootNode {
    fn drop(&mut self) {
        if let Some(mut run) = self.run.take() {
            // the node's PID 1 first: systemd-nspawn then ends with it, and
            // every process of the node with its PID namespace
            let _ = Command::new("kill")
                .args(["-KILL", &run.pid1.to_string()])
                .status();
            let _ = run.child.wait();
            remove_cgroups(&run.cgroups);
        }
        if std::env::var_os("KW_BOOT_KEEP").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
        // nothing of the node may stay mounted on the host
        let mounts = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let ours: Vec<&str> = mounts.lines().filter(|l| l.contains("kw-boot")).collect();
        if !ours.is_empty() && !std::thread::panicking() {
            panic!("mounts left on the host: {ours:?}");
        }
    }
}

/// Removes a boot's cgroup directories (every hierarchy), failing the
/// case when one cannot be removed.
fn remove_cgroups(cgroups: &[PathBuf]) {
    let left: Vec<String> = cgroups
        .iter()
        .filter(|cg| !harness::remove_cgroup(cg))
        .map(|cg| cg.display().to_string())
        .collect();
    if !left.is_empty() && !std::thread::panicking() {
        panic!("cgroups left behind: {left:?}");
    }
}

/// The node's PID 1 below systemd-nspawn `nspawn`: the descendant that is
/// PID 1 of a PID namespace of its own.
fn node_pid1(nspawn: u32) -> Option<u32> {
    let mut todo = vec![nspawn];
    while let Some(p) = todo.pop() {
        for c in harness::children(p) {
            let status = fs::read_to_string(format!("/proc/{c}/status")).unwrap_or_default();
            let ns: Vec<&str> = status
                .lines()
                .find_map(|l| l.strip_prefix("NSpid:"))
                .map(|l| l.split_whitespace().collect())
                .unwrap_or_default();
            if ns.len() >= 2 && ns.last() == Some(&"1") {
                // until it has exec'd systemd it is nspawn's own child
                let comm = fs::read_to_string(format!("/proc/{c}/comm")).unwrap_or_default();
                return (comm.trim() == "systemd").then_some(c);
            }
            todo.push(c);
        }
    }
    None
}

/// Appends a line to CARGO_TARGET_TMPDIR/boot-results.tsv (the figures of
/// docs/performance.md).
pub fn record(line: &str) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("boot-results.tsv");
    if let Ok(mut f) = fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(f, "{line}");
    }
}
