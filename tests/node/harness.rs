//! The real-node harness: the kit, the shared images, pinned wrappers, one
//! namespaced host per case ([`Node`]), and the checks every release runs.

use crate::common::{PODMAN, PODMAN_RUN_ARGS, Profile, build_wrapper, copy_crate};
use crate::variants;
use kubelet_wrapper::host::mountinfo::MountTable;
use kubelet_wrapper::release::model::{self, Defaults, SharedRule};
use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const HERE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/node");
/// What systemd gives a service when the unit sets no PATH.
const UNIT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// The tag of the kit's kubelet in the images built for podman and rkt.
pub const PODMAN_TAG: &str = "v1.26.15";
pub const RKT_TAG: &str = "v1.26.15_coreos.0";

/// The kubelet's flags on every case: standalone, static pods from
/// /etc/kubernetes/manifests through containerd, only the read-only port
/// (the kit's kubelet serves no other), and no iptables chains.
pub const KUBELET_FLAGS: [&str; 10] = [
    "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
    "--pod-manifest-path=/etc/kubernetes/manifests",
    "--cgroup-driver=cgroupfs",
    "--cgroups-per-qos=false",
    "--enforce-node-allocatable=",
    "--fail-swap-on=false",
    "--address=127.0.0.1",
    "--read-only-port=10255",
    "--make-iptables-util-chains=false",
    "--v=1",
];

/// How long a kubelet may take to get healthy, or its pods to run.
const DEADLINE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// The kit and the tools.

/// The command line of a suite with its own harness (tests/node.rs,
/// tests/boot.rs): `--bench N` (N rounds of its benchmark instead of the
/// tests), `--list`, and words that select the cases whose name contains
/// one of them (all without any).
pub struct CaseArgs {
    pub bench: Option<usize>,
    pub list: bool,
    filters: Vec<String>,
}

impl CaseArgs {
    /// This process's arguments; `--bench` without a number is
    /// `default_rounds`.
    pub fn parse(default_rounds: usize) -> CaseArgs {
        let args: Vec<String> = std::env::args().skip(1).collect();
        CaseArgs {
            bench: args.iter().position(|a| a == "--bench").map(|i| {
                args.get(i + 1)
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(default_rounds)
            }),
            list: args.iter().any(|a| a == "--list"),
            filters: args
                .iter()
                .filter(|a| !a.starts_with('-') && a.parse::<usize>().is_err())
                .cloned()
                .collect(),
        }
    }

    /// Whether the case `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| name.contains(f.as_str()))
    }
}

/// Reports a case's failure once, as its FAILED line, with where it
/// panicked (instead of the default message and backtrace).
pub fn report_panics_briefly() {
    std::panic::set_hook(Box::new(|info| {
        if let Some(l) = info.location() {
            eprintln!("  (panicked at {}:{})", l.file(), l.line());
        }
    }));
}

/// The node kit's directory, from `KW_NODE_KIT`, if it holds the kit.
pub fn kit() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("KW_NODE_KIT")?);
    ["rkt.xz", "kubelet.xz", "stage1-fly.aci"]
        .iter()
        .all(|f| dir.join(f).is_file())
        .then_some(dir)
}

/// Fails, naming what is missing, when a tool the cases run is not there.
pub fn require_tools() {
    assert!(
        crate::common::is_root(),
        "the real-node tests run as root (they mount, and start containerd)"
    );
    for (tool, package) in [
        ("/usr/bin/containerd", "containerd"),
        ("/usr/bin/ctr", "containerd"),
        ("/usr/bin/podman", "podman"),
        ("/usr/sbin/dockerd", "docker.io"),
        ("/usr/bin/docker", "docker.io"),
        ("/usr/sbin/runc", "runc"),
        ("/bin/busybox", "busybox-static"),
        ("/usr/bin/gcc", "gcc"),
        ("/usr/bin/nsenter", "util-linux"),
        ("/usr/sbin/ip", "iproute2"),
        ("/usr/bin/xz", "xz-utils"),
    ] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: install {package} (tests/run.sh does)"
        );
    }
}

/// The images all cases share, built once per run by tests/node/images.sh.
pub struct Images {
    pub dir: PathBuf,
}

impl Images {
    pub fn build(kit: &Path) -> Images {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("node-images");
        let out = Command::new("sh")
            .arg(Path::new(HERE).join("images.sh"))
            .arg(kit)
            .arg(&dir)
            .arg(RKT_TAG)
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "tests/node/images.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Images { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Builds the wrapper pinned to each release (as an OS image does) in a
/// copy of the crate; returns release -> binary.
pub fn pinned_wrappers(releases: &[&Release], profile: Profile) -> HashMap<&'static str, PathBuf> {
    let derived: Vec<(String, String)> = releases
        .iter()
        .filter_map(|r| {
            Some((
                format!("defaults/{}.json", r.version),
                variants::release_file(&r.derived?()),
            ))
        })
        .collect();
    let dir = copy_crate("node-wrappers", &derived);
    let mut out = HashMap::new();
    for r in releases {
        if !out.contains_key(r.version) {
            out.insert(r.version, build_wrapper(&dir, r.version, profile));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The releases under test.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Podman,
    Docker,
    Rkt,
    Nspawn,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Podman => "podman",
            Engine::Docker => "docker",
            Engine::Rkt => "rkt",
            Engine::Nspawn => "systemd-nspawn",
        }
    }

    /// podman and docker: a container that outlives its client, removed by
    /// name; the release's volumes are binds in its own mount namespace.
    pub fn oci(self) -> bool {
        matches!(self, Engine::Podman | Engine::Docker)
    }

    /// The command that lists the engine's containers, one name a line.
    fn ps(self) -> Option<String> {
        match self {
            Engine::Podman => Some(format!("{PODMAN} ps -a --format '{{{{.Names}}}}'")),
            Engine::Docker => Some(format!("{DOCKER} ps -a --format '{{{{.Names}}}}'")),
            _ => None,
        }
    }
}

/// The docker client of the docker.io package (the daemon's own version;
/// the release names it too). The case's dockerd listens on docker's
/// default socket there, so the unit needs no DOCKER_HOST.
pub const DOCKER: &str = "/usr/bin/docker";

/// A release and what its unit needs on this node.
pub struct Release {
    pub version: &'static str,
    pub engine: Engine,
    /// The unit's Environment= lines the kubelet needed on this release
    /// beyond the image tag, with why (docs/real-node.md lists them).
    pub admin: &'static [(&'static str, &'static str)],
    /// Whether the lifecycle checks run on this release.
    pub lifecycle: bool,
    /// A release the test adds to the crate before building (a variant
    /// of a real one), if the release is not in defaults/.
    pub derived: Option<fn() -> Defaults>,
    /// Whether the volumes the kubelet mounts reach the pods; `false`
    /// pins a measured limitation (systemd-nspawn).
    pub volumes_reach: bool,
}

/// Release 3100.0.0, the test's systemd-nspawn variant of 3000.0.0 (no
/// release ships nspawn yet, see tests/variants) running the kubelet: the
/// containerd socket's directory is bound as /run is nspawn's own; /dev/kmsg
/// (the kubelet's OOM watcher) and every capability, as podman's
/// --privileged gives. Without the capabilities the kubelet stops at "open
/// /dev/kmsg: operation not permitted".
fn release_3100() -> Defaults {
    let mut d = variants::nspawn_3100("/usr/local/bin/kubelet");
    d.volumes
        .push(variants::bind("run-containerd", "/run/containerd"));
    d.volumes.push(variants::bind("dev-kmsg", "/dev/kmsg"));
    let model::Engine::SystemdNspawn(n) = &mut d.engine else {
        unreachable!()
    };
    n.run_flags.push("--capability=all".into());
    d
}

/// Release 3001.0.0, the test's variant of 3000.0.0 whose
/// /var/lib/kubelet must already be shared (`"shared": "require"`): on a
/// private `/` the wrapper refuses to start.
fn release_3001() -> Defaults {
    let mut d = variants::podman_release();
    d.release = "3001.0.0".into();
    d.summary = "Test release: 3000.0.0 refusing a /var/lib/kubelet that is not shared.".into();
    for v in &mut d.volumes {
        if v.name == "var-lib-kubelet" {
            v.shared = Some(SharedRule::Require);
        }
    }
    d
}

/// rkt's documented way to give the kubelet the host's DNS configuration:
/// without it the kubelet cannot create any pod sandbox ("open
/// /etc/resolv.conf: no such file or directory").
const RKT_DNS: &str =
    "--volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf";

/// Before 1353.0.0 the release gave the kubelet no /var/log: it cannot
/// read its pods' logs (kubectl logs) without the volume CoreOS documented.
const RKT_DNS_LOG: &str = "--volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf \
     --volume var-log,kind=host,source=/var/log --mount volume=var-log,target=/var/log";

pub const RELEASES: &[Release] = &[
    Release {
        version: "3000.0.0",
        engine: Engine::Podman,
        admin: &[],
        lifecycle: true,
        derived: None,
        volumes_reach: true,
    },
    // today's Flatcar: a build pinned to 4230.2.0 uses Flatcar's own file
    Release {
        version: "4230.2.0",
        engine: Engine::Docker,
        admin: &[],
        lifecycle: true,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "3001.0.0",
        engine: Engine::Podman,
        admin: &[],
        lifecycle: false,
        derived: Some(release_3001),
        volumes_reach: true,
    },
    Release {
        version: "3100.0.0",
        engine: Engine::Nspawn,
        // nspawn names the machine after its directory: the node's name
        // is the admin's to give
        admin: &[("NSPAWN_ARGS", "--hostname=kw-node")],
        lifecycle: false,
        derived: Some(release_3100),
        volumes_reach: false,
    },
    Release {
        version: "2512.3.0",
        engine: Engine::Rkt,
        admin: &[
            // the kit's image is an appc image in rkt's store, not a docker one
            ("KUBELET_IMAGE_URL", "quay.io/coreos/hyperkube"),
            ("RKT_RUN_ARGS", RKT_DNS),
        ],
        lifecycle: true,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "2430.0.0",
        engine: Engine::Rkt,
        admin: &[("RKT_RUN_ARGS", RKT_DNS)],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "1576.5.0",
        engine: Engine::Rkt,
        admin: &[("RKT_RUN_ARGS", RKT_DNS)],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "1492.6.0",
        engine: Engine::Rkt,
        admin: &[("RKT_RUN_ARGS", RKT_DNS)],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "1409.3.0",
        engine: Engine::Rkt,
        admin: &[("RKT_RUN_ARGS", RKT_DNS)],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "1367.5.0",
        engine: Engine::Rkt,
        admin: &[("RKT_RUN_ARGS", RKT_DNS)],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "1298.7.0",
        engine: Engine::Rkt,
        admin: &[("RKT_RUN_ARGS", RKT_DNS_LOG)],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "1097.0.0",
        engine: Engine::Rkt,
        admin: &[("RKT_RUN_ARGS", RKT_DNS_LOG)],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
    Release {
        version: "1024.0.0",
        engine: Engine::Rkt,
        admin: &[
            ("RKT_RUN_ARGS", RKT_DNS_LOG),
            // rkt 1.30 verifies a stage1 given by path (--stage1-path, the
            // 960.0.0 layer's) and refuses the kit's unsigned one ("open
            // /usr/share/rkt/stage1-fly.aci.asc: no such file"); the same
            // stage1 from rkt's own stage1 directory is trusted
            ("RKT_STAGE1_ARG", "--stage1-from-dir=stage1-fly.aci"),
        ],
        lifecycle: false,
        derived: None,
        volumes_reach: true,
    },
];

impl Release {
    /// The release's system layer, as the wrapper pinned to it has it.
    pub fn defaults(&self) -> Defaults {
        match self.derived {
            Some(d) => d(),
            None => {
                kubelet_wrapper::release::registry::select(self.version.parse().unwrap()).parse()
            }
        }
    }

    /// The unit's environment: what systemd gives every service, the image
    /// tag, the kit's engine program, and the release's admin additions.
    pub fn unit_env(&self, images: &Images) -> Vec<(String, String)> {
        let mut env = vec![
            ("PATH".to_string(), UNIT_PATH.to_string()),
            (
                "INVOCATION_ID".to_string(),
                format!("{:032x}", std::process::id() as u128 * 7919),
            ),
        ];
        match self.engine {
            Engine::Podman => {
                env.push(("KUBELET_IMAGE_TAG".into(), PODMAN_TAG.into()));
                env.push(("PODMAN".into(), PODMAN.into()));
                env.push(("PODMAN_RUN_ARGS".into(), PODMAN_RUN_ARGS.into()));
            }
            Engine::Docker | Engine::Nspawn => {
                env.push(("KUBELET_IMAGE_TAG".into(), PODMAN_TAG.into()))
            }
            Engine::Rkt => {
                env.push(("KUBELET_IMAGE_TAG".into(), RKT_TAG.into()));
                env.push((
                    "RKT".into(),
                    images.path("kit/rkt").to_string_lossy().into_owned(),
                ));
            }
        }
        for (k, v) in self.admin {
            env.push((k.to_string(), v.to_string()));
        }
        env
    }

    /// What an admin has done before the first start: the kubelet's image
    /// in the engine's store, the static pods' manifests; for rkt, the
    /// stage1 where CoreOS shipped it (/usr/lib/rkt/stage1-images, whose
    /// images rkt trusts without a signature).
    pub fn prepare(&self, node: &Node, images: &Images) {
        let img = images.dir.display();
        let script = match self.engine {
            Engine::Podman => format!(
                "{PODMAN} import -q {img}/kubelet-rootfs.tar quay.io/poseidon/kubelet:{PODMAN_TAG} >/dev/null"
            ),
            Engine::Docker => format!(
                "{DOCKER} import {img}/kubelet-rootfs.tar quay.io/poseidon/kubelet:{PODMAN_TAG} >/dev/null"
            ),
            Engine::Nspawn => format!(
                "mkdir -p /var/lib/machines/kubelet/{PODMAN_TAG}\n\
                 tar -C /var/lib/machines/kubelet/{PODMAN_TAG} -xf {img}/kubelet-rootfs.tar"
            ),
            Engine::Rkt => format!(
                "mkdir -p /usr/lib/rkt/stage1-images\n\
                 cp {img}/kit/stage1-fly.aci /usr/lib/rkt/stage1-images/\n\
                 {img}/kit/rkt fetch --insecure-options=image {img}/kubelet.aci >/dev/null"
            ),
        };
        node.sh(&format!(
            "{script}\nmkdir -p /etc/kubernetes/manifests\ncp {HERE}/steady.yaml {HERE}/volumes.yaml /etc/kubernetes/manifests/"
        ));
    }
}

// ---------------------------------------------------------------------------
// One namespaced host per case.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `/` rshared, as systemd makes it at boot.
    Shared,
    /// `/` private, as on a host where systemd is not PID 1.
    Private,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::Private => "private",
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A case's host: see tests/node/case.sh.
pub struct Node {
    pub dir: PathBuf,
    child: Child,
    /// The host pid of the namespaces' init.
    pub init: u32,
    cgroups: Vec<PathBuf>,
}

impl Node {
    /// A case's host for a release on `engine`: with a dockerd of its own
    /// for docker.
    pub fn start(images: &Images, mode: Mode, engine: Engine) -> Node {
        let dir = std::env::temp_dir().join(format!(
            "kw-node-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let log = fs::File::create(dir.join("case.log")).unwrap();
        let mut child = Command::new("sh")
            .arg(Path::new(HERE).join("case.sh"))
            .arg(&dir)
            .arg(&images.dir)
            .arg(mode.name())
            .args((engine == Engine::Docker).then_some("docker"))
            .env_clear()
            .env("PATH", UNIT_PATH)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("sh runs");
        let t = Instant::now();
        while !dir.join("ready").exists() {
            if let Some(st) = child.try_wait().unwrap() {
                panic!(
                    "the case's host did not start ({st}): {}",
                    fs::read_to_string(dir.join("case.log")).unwrap_or_default()
                );
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "the case's host did not start within 60 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let cgroups = fs::read_to_string(dir.join("cgroups"))
            .unwrap()
            .lines()
            .map(PathBuf::from)
            .collect();
        let init = children(child.id())
            .first()
            .copied()
            .expect("unshare has forked the namespaces' init");
        Node {
            dir,
            child,
            init,
            cgroups,
        }
    }

    /// `nsenter` into every namespace of the case, into its root cgroups
    /// too (setns leaves the process in the test's cgroup, which
    /// systemd-nspawn refuses), then the program and arguments the caller
    /// adds.
    fn nsenter(&self) -> Command {
        self.nsenter_in("")
    }

    /// [`Node::nsenter`] into the cgroup `unit` below the case's root in
    /// every hierarchy (created as needed), as systemd starts a service in
    /// its unit's own cgroup; `""` for the root.
    fn nsenter_in(&self, unit: &str) -> Command {
        let mut c = Command::new("nsenter");
        c.arg("--target")
            .arg(self.init.to_string())
            .args(["-m", "-u", "-i", "-n", "-p", "-C", "--wd=/"])
            .args([
                "/bin/sh",
                "-c",
                // a new cpuset cgroup takes no task before it has cpus and mems
                r#"for d in /sys/fs/cgroup/*/; do
  u="$d$0"
  mkdir -p "$u"
  if [ -n "$0" ] && [ -e "${d}cpuset.cpus" ]; then
    cat "${d}cpuset.cpus" > "$u/cpuset.cpus"
    cat "${d}cpuset.mems" > "$u/cpuset.mems"
  fi
  echo $$ > "$u/cgroup.procs"
done
exec "$@""#,
                unit,
            ])
            .env_clear()
            .stdin(Stdio::null());
        c
    }

    /// Runs a shell script inside the case's host; fails on a non-zero exit.
    pub fn sh(&self, script: &str) -> String {
        let out = self.sh_status(script);
        assert!(
            out.status.success(),
            "in the case's host: {script}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn sh_status(&self, script: &str) -> Output {
        self.nsenter()
            .env("PATH", UNIT_PATH)
            .args(["sh", "-c", script])
            .output()
            .expect("nsenter runs")
    }

    /// GET from the kubelet's read-only port, inside the case's network.
    pub fn http(&self, path: &str) -> Option<String> {
        http_in(self.init, path)
    }

    /// A file of the case's host.
    pub fn read(&self, path: &str) -> Option<String> {
        read_in(self.init, path)
    }

    /// The live processes of the case whose command name is `comm` (see
    /// [`processes_in`]).
    pub fn processes(&self, comm: &str) -> Vec<u32> {
        processes_in(self.init, comm)
    }

    /// Starts the wrapper as a unit would: only `env`, cwd `/`, stdin
    /// closed, output to `log` in the case's directory.
    pub fn start_wrapper(
        &self,
        wrapper: &Path,
        env: &[(String, String)],
        args: &[&str],
        log: &str,
    ) -> Wrapper {
        let mut argv = vec![wrapper.as_os_str().to_owned()];
        argv.extend(args.iter().map(std::ffi::OsString::from));
        self.start_command(&argv, env, log)
    }

    /// Starts `argv` as a unit's ExecStart= would (see [`Node::start_wrapper`]),
    /// in a cgroup of its own below the case's root: podman's
    /// `--cgroups=split` (3000.0.0) refuses a root cgroup.
    pub fn start_command(
        &self,
        argv: &[std::ffi::OsString],
        env: &[(String, String)],
        log: &str,
    ) -> Wrapper {
        let log_path = self.dir.join(log);
        let f = fs::File::create(&log_path).unwrap();
        let mut cmd = self.nsenter_in("kubelet.service");
        cmd.envs(env.iter().map(|(k, v)| (k, v)))
            .args(argv)
            .stdout(f.try_clone().unwrap())
            .stderr(f);
        let start = Instant::now();
        let child = cmd.spawn().expect("nsenter runs");
        let t = Instant::now();
        let mut child = child;
        let pid = loop {
            if let Some(p) = children(child.id()).first() {
                break *p;
            }
            // a wrapper that refuses to start may be gone already
            if child.try_wait().unwrap().is_some() {
                break 0;
            }
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "nsenter did not fork"
            );
            std::thread::sleep(Duration::from_millis(1));
        };
        Wrapper {
            child,
            pid,
            start,
            log: log_path,
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // SIGKILL to the namespace's init ends every process in it
        let _ = Command::new("kill")
            .args(["-KILL", &self.init.to_string()])
            .status();
        let _ = self.child.wait();
        let mut left = Vec::new();
        for cg in &self.cgroups {
            if !remove_cgroup(cg) {
                left.push(cg.display().to_string());
            }
        }
        let keep = std::env::var_os("KW_NODE_KEEP").is_some();
        if !keep {
            let _ = fs::remove_dir_all(&self.dir);
        }
        if !left.is_empty() && !std::thread::panicking() {
            panic!("cgroups left behind: {left:?}");
        }
    }
}

/// What the checks read of a node: the kubelet's read-only port and the
/// node's files. [`Node`] here; the booted node of tests/boot.rs too.
pub trait NodeView {
    /// GET from the kubelet's read-only port, inside the node's network.
    fn http(&self, path: &str) -> Option<String>;
    /// A file of the node.
    fn read(&self, path: &str) -> Option<String>;
}

impl NodeView for Node {
    fn http(&self, path: &str) -> Option<String> {
        Node::http(self, path)
    }
    fn read(&self, path: &str) -> Option<String> {
        Node::read(self, path)
    }
}

/// The live processes (host pids) in the PID namespace of `init`, or in one
/// below it such as systemd-nspawn's, whose command name is `comm`, not
/// counting a child one of them forked and has not yet exec'd.
pub fn processes_in(init: u32, comm: &str) -> Vec<u32> {
    let ns = fs::read_link(format!("/proc/{}/ns/pid", init)).ok();
    let ppid = |pid: u32| -> Option<u32> {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(") ")?.1.split(' ').nth(1)?.parse().ok()
    };
    // the process or an ancestor is in the case's namespace
    let in_case = |mut pid: u32| {
        while pid > 1 {
            if fs::read_link(format!("/proc/{pid}/ns/pid")).ok() == ns {
                return true;
            }
            match ppid(pid) {
                Some(p) => pid = p,
                None => return false,
            }
        }
        false
    };
    let mut v = Vec::new();
    for e in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // the state is the field after the parenthesised command
        let zombie = fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, r)| r.starts_with('Z')))
            .unwrap_or(true);
        if !zombie
            && fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim_end() == comm)
            && in_case(pid)
        {
            v.push(pid);
        }
    }
    // a child forked by one of them and not yet exec'd (the kubelet
    // runs mount, du, ...) has its name for a moment: not another one
    let forks: Vec<u32> = v
        .iter()
        .copied()
        .filter(|&pid| ppid(pid).is_some_and(|p| v.contains(&p)))
        .collect();
    v.retain(|pid| !forks.contains(pid));
    v
}

/// GET from the kubelet's read-only port in the network namespace of
/// `pid`.
pub fn http_in(pid: u32, path: &str) -> Option<String> {
    // busybox's own -T timeout crashes it (Debian 12's busybox-static)
    let out = Command::new("timeout")
        .args(["5", "nsenter", "--target"])
        .arg(pid.to_string())
        .arg("-n")
        .args(["/bin/busybox", "wget", "-q", "-O", "-"])
        .arg(format!("http://127.0.0.1:10255{path}"))
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A file as process `pid` sees it.
pub fn read_in(pid: u32, path: &str) -> Option<String> {
    fs::read_to_string(format!("/proc/{pid}/root{path}")).ok()
}

/// Removes a cgroup directory and everything below it, deepest first,
/// waiting for the killed processes to leave it (up to 10 s).
pub fn remove_cgroup(dir: &Path) -> bool {
    let t = Instant::now();
    loop {
        let mut dirs = Vec::new();
        collect_dirs(dir, &mut dirs);
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in &dirs {
            let _ = fs::remove_dir(d);
        }
        if !dir.exists() {
            return true;
        }
        if t.elapsed() > Duration::from_secs(10) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn collect_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                collect_dirs(&e.path(), out);
            }
        }
        out.push(dir.to_path_buf());
    }
}

/// The children of a process.
pub fn children(pid: u32) -> Vec<u32> {
    fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// A running wrapper (which became its engine).
pub struct Wrapper {
    /// nsenter, whose exit status is the wrapper's.
    child: Child,
    /// The wrapper's host pid: the engine's after exec (0 when it ended
    /// before it was seen).
    pub pid: u32,
    pub start: Instant,
    pub log: PathBuf,
}

impl Wrapper {
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn signal(&self, sig: &str) {
        assert_ne!(
            self.pid, 0,
            "the wrapper ended before it could be signalled"
        );
        let st = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid.to_string())
            .status()
            .unwrap();
        assert!(st.success(), "kill -{sig} {}", self.pid);
    }

    /// Waits for the wrapper to end (at most `secs`).
    #[track_caller]
    pub fn wait(mut self, secs: u64) -> (ExitStatus, String) {
        let t = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return (st, self.log());
            }
            if t.elapsed() > Duration::from_secs(secs) {
                let _ = self.child.kill();
                panic!(
                    "the wrapper did not end within {secs} s: {}",
                    tail(&self.log())
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }
}

pub fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.starts_with("Flag --")).collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

// ---------------------------------------------------------------------------
// The checks.

/// What a case measured.
pub struct Outcome {
    pub healthz: f64,
    pub running: f64,
    pub volumes: Volumes,
    pub notes: Vec<String>,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.healthz.is_nan() {
            write!(f, "{}", self.volumes)?;
        } else {
            write!(
                f,
                "healthz {:.1} s, first pod Running {:.1} s, volumes {}",
                self.healthz, self.running, self.volumes
            )?;
        }
        for n in &self.notes {
            write!(f, "; {n}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Volumes {
    /// The downward-API and memory-backed emptyDir volumes the kubelet
    /// mounted are what the pod's container sees.
    Reach,
    /// The wrapper refused to start: the release requires a shared
    /// /var/lib/kubelet and it was not.
    Refused,
    /// The pod runs, but the kubelet's mounts never reached it: its
    /// downward-API and emptyDir volumes are empty directories.
    Empty,
}

impl fmt::Display for Volumes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Volumes::Reach => "reach the pod",
            Volumes::Refused => "not started: the wrapper refused the private /var/lib/kubelet",
            Volumes::Empty => "DO NOT reach the pod (empty directories)",
        })
    }
}

/// Appends a case's figures to CARGO_TARGET_TMPDIR/node-results.tsv (for
/// docs/performance.md and docs/real-node.md's table).
pub fn record(name: &str, o: &Outcome) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("node-results.tsv");
    if let Ok(mut f) = fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(
            f,
            "{name}\t{:.2}\t{:.2}\t{}",
            o.healthz, o.running, o.volumes
        );
    }
}

/// Waits for the kubelet's healthz; returns seconds since the wrapper started.
fn wait_healthy(node: &Node, w: &mut Wrapper) -> f64 {
    let t0 = w.start;
    wait_healthy_since(node, w, t0)
}

/// Waits for the kubelet's healthz; returns seconds since `t0`.
pub fn wait_healthy_since(node: &Node, w: &mut Wrapper, t0: Instant) -> f64 {
    let since = w.start;
    poll(w, since, 10, "the kubelet to be healthy", |_| {
        healthy(node)
            .then(|| t0.elapsed().as_secs_f64())
            .ok_or_else(String::new)
    })
}

fn healthy(node: &Node) -> bool {
    node.http("/healthz").as_deref() == Some("ok")
}

/// Calls `check` every `every_ms` until it gives a value. Fails, with the
/// end of the wrapper's log, when the wrapper exits first, or when `since`
/// is [`DEADLINE`] old: `what` is what was awaited, and what `check` last
/// gave instead of a value ends the message.
#[track_caller]
fn poll<T>(
    w: &mut Wrapper,
    since: Instant,
    every_ms: u64,
    what: &str,
    mut check: impl FnMut(&Wrapper) -> Result<T, String>,
) -> T {
    loop {
        let last = match check(w) {
            Ok(v) => return v,
            Err(last) => last,
        };
        if let Some(st) = w.exited() {
            panic!(
                "the wrapper exited ({st}) while waiting for {what}:\n{}",
                tail(&w.log())
            );
        }
        assert!(
            since.elapsed() < DEADLINE,
            "waited {DEADLINE:?} for {what}{last}:\n{}",
            tail(&w.log())
        );
        std::thread::sleep(Duration::from_millis(every_ms));
    }
}

/// One pod as the kubelet's /pods reports it.
#[derive(Debug, Clone)]
pub struct Pod {
    pub name: String,
    pub phase: String,
    /// (restartCount, containerID, startedAt) of each container
    pub containers: Vec<(u64, String, String)>,
}

impl Pod {
    /// Running, with its containers started.
    pub fn running(&self) -> bool {
        self.phase == "Running" && !self.containers.is_empty()
    }
}

pub fn pods(node: &impl NodeView) -> Vec<Pod> {
    let Some(text) = node.http("/pods") else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    v["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|p| Pod {
                    name: p["metadata"]["name"].as_str().unwrap_or("").to_string(),
                    phase: p["status"]["phase"].as_str().unwrap_or("").to_string(),
                    containers: p["status"]["containerStatuses"]
                        .as_array()
                        .map(|cs| {
                            cs.iter()
                                .map(|c| {
                                    (
                                        c["restartCount"].as_u64().unwrap_or(0),
                                        c["containerID"].as_str().unwrap_or("").to_string(),
                                        c["state"]["running"]["startedAt"]
                                            .as_str()
                                            .unwrap_or("")
                                            .to_string(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until a static pod runs; returns the seconds since `t0`.
pub fn first_running(node: &Node, w: &mut Wrapper, t0: Instant) -> f64 {
    poll(w, t0, 10, "a pod to run", |_| {
        pods(node)
            .iter()
            .any(Pod::running)
            .then(|| t0.elapsed().as_secs_f64())
            .ok_or_else(String::new)
    })
}

/// Waits until both static pods run; returns the seconds since the wrapper
/// started to the first one Running, and the pods.
fn wait_running(node: &Node, w: &mut Wrapper) -> (f64, Vec<Pod>) {
    let mut first = None;
    let since = w.start;
    poll(w, since, 100, "both pods to run", |w| {
        let p = pods(node);
        let running = p.iter().filter(|p| p.running()).count();
        if running > 0 && first.is_none() {
            first = Some(w.start.elapsed().as_secs_f64());
        }
        if running == 2 {
            Ok((first.unwrap(), p))
        } else {
            Err(format!(": {p:?}"))
        }
    })
}

/// Reads the volumes pod's report (tests/node/volumes.yaml): the files of
/// its downward-API volume, what it wrote to and read back from its
/// memory-backed emptyDir, and the mounts it has there (source, point,
/// type). A volume the kubelet mounted reaches the pod as a tmpfs whose
/// source is `tmpfs`; one whose mount stayed inside the kubelet's container
/// is the bare directory below it, on the case's /var (source `kw-node`).
pub fn check_volumes(node: &impl NodeView) -> Result<Volumes, String> {
    let t = Instant::now();
    let report = loop {
        if let Some(r) = node.read("/var/lib/kw-report/volumes") {
            break r;
        }
        if t.elapsed() > Duration::from_secs(30) {
            return Err("the volumes pod wrote no report".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let want = [
        "labels: kw-test=\"downward-api\"",
        "name: volumes-kw-node",
        "scratch: written",
        "mount: tmpfs /podinfo tmpfs",
        "mount: tmpfs /scratch tmpfs",
    ];
    let missing: Vec<&str> = want
        .iter()
        .filter(|w| !report.lines().any(|l| l.trim_end() == **w))
        .copied()
        .collect();
    if missing.is_empty() {
        Ok(Volumes::Reach)
    } else {
        Err(format!(
            "the pod's volumes are not what the kubelet mounted: missing {missing:?} in its report:\n{report}"
        ))
    }
}

/// Everything a release must do on a node: the kubelet gets healthy, both
/// static pods run, their volumes reach them; with `lifecycle`, also the
/// restart, SIGKILL and exit status checks.
pub fn check_release(
    node: &Node,
    r: &Release,
    images: &Images,
    wrapper: &Path,
    mode: Mode,
    lifecycle: bool,
) -> Outcome {
    let env = r.unit_env(images);
    let rule = r
        .defaults()
        .volumes
        .iter()
        .find(|v| v.source == "/var/lib/kubelet")
        .and_then(|v| v.shared);
    let mut notes = Vec::new();
    if lifecycle && r.engine.oci() {
        notes.push(refuses_a_missing_source(node, r, wrapper, &env));
    }
    let mut w = node.start_wrapper(wrapper, &env, &KUBELET_FLAGS, "kubelet.log");
    if mode == Mode::Private && rule == Some(SharedRule::Require) {
        let (status, log) = w.wait(30);
        assert_eq!(status.code(), Some(1), "{}", tail(&log));
        let want = "kubelet-wrapper: /var/lib/kubelet (volume var-lib-kubelet) is on mount /var, whose propagation is private:";
        assert!(log.contains(want), "{want} not in:\n{}", tail(&log));
        assert!(
            fs::symlink_metadata(format!("/proc/{}/root/var/lib/kubelet", node.init)).is_err(),
            "the wrapper created /var/lib/kubelet before refusing"
        );
        let names = node.sh(&format!("{PODMAN} ps -a --format '{{{{.Names}}}}'"));
        assert!(
            names.trim().is_empty(),
            "containers after the refusal: {names}"
        );
        return Outcome {
            healthz: f64::NAN,
            running: f64::NAN,
            volumes: Volumes::Refused,
            notes: vec!["exit status 1, nothing created".into()],
        };
    }
    let healthz = wait_healthy(node, &mut w);
    let (running, before) = wait_running(node, &mut w);
    let volumes = match (check_volumes(node), r.volumes_reach) {
        (Ok(v), true) => v,
        (Err(e), true) => panic!("{e}"),
        (Ok(_), false) => panic!(
            "the volumes reach the pod on {}: docs/real-node.md says they do not",
            r.engine.name()
        ),
        (Err(e), false) => {
            assert!(
                e.contains("mount: kw-node /podinfo tmpfs"),
                "not the known limitation: {e}"
            );
            Volumes::Empty
        }
    };
    // where `/` was private the wrapper made /var/lib/kubelet shared, and
    // said so; where it was shared it did nothing
    let made = w
        .log()
        .contains("bound it onto itself and marked it shared");
    assert_eq!(
        made,
        mode == Mode::Private && rule == Some(SharedRule::Make),
        "{}",
        tail(&w.log())
    );
    let table =
        MountTable::read_from(Path::new(&format!("/proc/{}/mountinfo", node.init))).unwrap();
    let m = table.resolve(Path::new("/var/lib/kubelet")).unwrap();
    assert!(
        m.propagation.sends(),
        "/var/lib/kubelet is {}",
        m.propagation
    );
    if made {
        notes.push("/var/lib/kubelet made shared by the wrapper".into());
    }
    let kubelet = node.processes("kubelet");
    assert_eq!(kubelet.len(), 1, "one kubelet runs");
    if r.engine.oci() {
        check_mounts(&r.defaults(), kubelet[0]);
        notes.push(format!("kubelet in cgroup {}", cgroup(kubelet[0])));
    }
    if r.defaults()
        .volumes
        .iter()
        .any(|v| v.source == "/var/lib/containerd")
    {
        image_fs_capacity(node, &mut w);
    }
    if r.engine == Engine::Docker {
        // a clean start: the removal ran, and said nothing
        let log = w.log();
        assert!(
            log.contains(&format!("+ {DOCKER} rm --force kubelet")),
            "{}",
            tail(&log)
        );
        assert!(!log.contains("No such container"), "{}", tail(&log));
    }
    // the kubelet reads its pods' logs (kubectl logs) from the files the
    // runtime writes on the host: it must see them
    let logs = fs::read_dir(format!("/proc/{}/root/var/log/pods", kubelet[0]))
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .contains("_volumes-kw-node_")
                        && e.path().join("volumes/0.log").is_file()
                })
                .count()
        })
        .unwrap_or(0);
    assert_eq!(
        logs, 1,
        "the kubelet does not see the volumes pod's log in its /var/log/pods"
    );

    // SIGTERM to the wrapper's pid stops the kubelet (and, on podman,
    // removes its container); the pods keep running.
    let stop = Instant::now();
    w.signal("TERM");
    let (status, log) = w.wait(60);
    let stopped = stop.elapsed().as_secs_f64();
    assert!(
        node.processes("kubelet").is_empty(),
        "the kubelet outlived SIGTERM:\n{}",
        tail(&log)
    );
    if let Some(ps) = r.engine.ps() {
        // docker's daemon removes a --rm container once it has ended
        let t = Instant::now();
        loop {
            let names = node.sh(&ps);
            if names.trim().is_empty() {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "containers left after SIGTERM: {names}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // the wrapper's end, and on podman and docker its container's removal
    let mut note = format!("SIGTERM: wrapper exit {} in {stopped:.1} s", show(status));
    if r.engine.oci() {
        let gone = stop.elapsed().as_secs_f64();
        note.push_str(&format!(", container removed in {gone:.1} s"));
    }
    notes.push(note);
    if !lifecycle {
        return Outcome {
            healthz,
            running,
            volumes,
            notes,
        };
    }

    // a restart: the pods survive it, restartCount stays 0
    let mut w = node.start_wrapper(wrapper, &env, &KUBELET_FLAGS, "kubelet-2.log");
    let healthz2 = wait_healthy(node, &mut w);
    let (_, after) = wait_running(node, &mut w);
    same_containers(&before, &after);
    notes.push(format!("restart: healthz {healthz2:.1} s, pods kept"));

    // SIGKILL of the engine client: the next start works, never two kubelets
    w.signal("KILL");
    let (status, _) = w.wait(30);
    assert_eq!(status.code(), None, "SIGKILL ended the wrapper");
    // podman's container outlives its client; rkt fly's kubelet was the client
    let old = node.processes("kubelet");
    let mut w = node.start_wrapper(wrapper, &env, &KUBELET_FLAGS, "kubelet-3.log");
    let since = w.start;
    let mut replaced = 0.0;
    let what = "a new kubelet to be healthy after SIGKILL of the client";
    poll(&mut w, since, 50, what, |w| {
        let k = node.processes("kubelet");
        assert!(
            k.len() <= 1,
            "{k:?}: kubelets run at once:\n{}",
            tail(&w.log())
        );
        let ok = k.len() == 1 && !old.contains(&k[0]) && healthy(node);
        replaced = since.elapsed().as_secs_f64();
        ok.then_some(()).ok_or_else(String::new)
    });
    let (_, after) = wait_running(node, &mut w);
    same_containers(&before, &after);
    assert!(!w.log().contains("already in use"), "{}", tail(&w.log()));
    notes.push(format!(
        "SIGKILL of the client: {} kubelet left running, next start healthy in {replaced:.1} s, never two",
        old.len()
    ));

    // the engine's exit status is the wrapper's: SIGKILL the kubelet itself
    let kubelet = node.processes("kubelet");
    assert_eq!(kubelet.len(), 1);
    let killed = Command::new("kill")
        .args(["-KILL", &kubelet[0].to_string()])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -KILL {}", kubelet[0]);
    let (status, log) = w.wait(60);
    let want = match r.engine {
        // podman and docker report a container killed by a signal as 128
        // + signal
        Engine::Podman | Engine::Docker => Some(137),
        // rkt fly execs the kubelet: the wrapper's pid is the kubelet's
        Engine::Rkt => None,
        // nspawn reports the payload's exit like podman
        Engine::Nspawn => Some(137),
    };
    assert_eq!(status.code(), want, "{status}:\n{}", tail(&log));
    notes.push(format!("kubelet killed: wrapper {}", show(status)));
    Outcome {
        healthz,
        running,
        volumes,
        notes,
    }
}

/// The kubelet knows the capacity of containerd's image file system (its
/// image garbage collection and imagefs eviction act on it): it finds it
/// through the release's /var/lib/containerd. Without that volume its
/// /stats/summary has only usedBytes there, and image garbage collection
/// fails with "invalid capacity 0 on image filesystem" (measured).
fn image_fs_capacity(node: &Node, w: &mut Wrapper) {
    let since = Instant::now();
    poll(
        w,
        since,
        200,
        "the image file system's capacity in /stats/summary",
        |_| {
            let summary = node.http("/stats/summary").unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
            let fs = &v["node"]["runtime"]["imageFs"];
            if fs["capacityBytes"].as_u64().unwrap_or(0) > 0 {
                Ok(())
            } else {
                Err(format!(": imageFs {fs}"))
            }
        },
    );
}

/// With the release's /etc/machine-id gone from the node, the engine
/// refuses to start (exit 125) and creates nothing in its place: the
/// kubelet never gets an empty directory where the release gives it a
/// host file. docker's --volume would have made one; --mount refuses.
fn refuses_a_missing_source(
    node: &Node,
    r: &Release,
    wrapper: &Path,
    env: &[(String, String)],
) -> String {
    let d = r.defaults();
    assert!(
        d.volumes.iter().any(|v| v.source == "/etc/machine-id"),
        "the release gives the kubelet /etc/machine-id"
    );
    node.sh("mv /etc/machine-id /etc/machine-id.kw-hidden");
    let w = node.start_wrapper(wrapper, env, &KUBELET_FLAGS, "kubelet-missing.log");
    let (status, log) = w.wait(60);
    let made = fs::symlink_metadata(format!("/proc/{}/root/etc/machine-id", node.init)).is_ok();
    node.sh("rm -rf /etc/machine-id && mv /etc/machine-id.kw-hidden /etc/machine-id");
    assert_eq!(status.code(), Some(125), "{}", tail(&log));
    assert!(log.contains("/etc/machine-id"), "{}", tail(&log));
    assert!(!made, "the engine made /etc/machine-id:\n{}", tail(&log));
    assert!(node.processes("kubelet").is_empty());
    let names = node.sh(&r.engine.ps().expect("podman or docker"));
    assert!(names.trim().is_empty(), "a container was left: {names}");
    "no /etc/machine-id: exit 125, nothing made".into()
}

/// Each of the release's volumes is mounted at its target in the kubelet's
/// mount namespace, read-only exactly where the release says, and shared
/// where it asks to be.
fn check_mounts(d: &Defaults, kubelet: u32) {
    let info = fs::read_to_string(format!("/proc/{kubelet}/mountinfo")).unwrap();
    for v in &d.volumes {
        let m = info
            .lines()
            .rev()
            .map(|l| l.split(' ').collect::<Vec<&str>>())
            .find(|f| f.get(4) == Some(&v.target.as_str()))
            .unwrap_or_else(|| panic!("{} is not mounted in the kubelet's view", v.target));
        let ro = m[5].split(',').any(|o| o == "ro");
        assert_eq!(
            ro,
            v.read_only,
            "{} in the kubelet's view: {}",
            v.target,
            m.join(" ")
        );
        if v.recursive {
            let sep = m.iter().position(|x| *x == "-").unwrap();
            assert!(
                m[6..sep].iter().any(|o| o.starts_with("shared:")),
                "{} is not shared in the kubelet's view: {}",
                v.target,
                m.join(" ")
            );
        }
    }
}

/// The cgroup a process is in (its memory hierarchy's path, or the
/// unified one's), below the case's own, container IDs cut to 12 digits.
fn cgroup(pid: u32) -> String {
    let path = fs::read_to_string(format!("/proc/{pid}/cgroup"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.contains(":memory:") || l.starts_with("0::"))
        .and_then(|l| l.splitn(3, ':').nth(2).map(str::to_string))
        .unwrap_or_else(|| "?".into());
    path.split('/')
        .filter(|c| !c.starts_with("kw-node-"))
        .map(|c| {
            let hex = c
                .rfind(|ch: char| !ch.is_ascii_hexdigit())
                .map_or(0, |i| i + 1);
            if c.len() - hex == 64 {
                format!("{}…", &c[..hex + 12])
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn show(st: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (st.code(), st.signal()) {
        (Some(c), _) => format!("status {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => st.to_string(),
    }
}

/// Both pods still run the containers they ran before, never restarted.
pub fn same_containers(before: &[Pod], after: &[Pod]) {
    for b in before {
        let a = after
            .iter()
            .find(|a| a.name == b.name)
            .unwrap_or_else(|| panic!("pod {} is gone: {after:?}", b.name));
        assert_eq!(
            a.containers, b.containers,
            "pod {}: its containers changed or restarted",
            b.name
        );
        assert!(a.containers.iter().all(|c| c.0 == 0), "{a:?}");
    }
}

// ---------------------------------------------------------------------------
// The real host, before and after a case.

/// What a case must not change on the real host.
pub struct HostState {
    absent: Vec<&'static str>,
    chains: usize,
}

const NEVER_CREATED: [&str; 10] = [
    "/var/lib/kubelet",
    "/var/lib/containerd",
    "/run/containerd",
    "/var/lib/docker",
    "/run/docker",
    "/run/docker.sock",
    "/var/lib/rkt",
    "/etc/kubernetes",
    "/usr/lib/rkt",
    "/var/lib/kw-report",
];

impl HostState {
    pub fn now() -> HostState {
        HostState {
            absent: NEVER_CREATED
                .iter()
                .filter(|p| fs::symlink_metadata(p).is_err())
                .copied()
                .collect(),
            chains: kube_chains(),
        }
    }

    /// Fails when the case left a path, a mount, or an iptables chain on
    /// the host.
    pub fn unchanged(&self) {
        for p in &self.absent {
            assert!(fs::symlink_metadata(p).is_err(), "{p} appeared on the host");
        }
        let mounts = fs::read_to_string("/proc/self/mountinfo").unwrap();
        let ours: Vec<&str> = mounts.lines().filter(|l| l.contains("kw-node")).collect();
        assert!(ours.is_empty(), "mounts left on the host: {ours:?}");
        assert_eq!(kube_chains(), self.chains, "iptables chains changed");
    }
}

/// KUBE-* chains in the host's iptables (0 when iptables is missing).
fn kube_chains() -> usize {
    Command::new("iptables")
        .args(["-w", "-S"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter(|l| l.contains("KUBE-"))
                .count()
        })
        .unwrap_or(0)
}
