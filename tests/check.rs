//! `kubelet-wrapperctl check --unit`: the real tool, in a private mount
//! namespace with fresh /etc, /var, /run and /opt (tests/common), on unit
//! files an admin would write.

mod common;

use common::{CTL, Sandbox, scratch, write_under};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

/// The sandbox's scratch directory holds the unit (it is not covered by
/// the tmpfs mounts).
fn unit_in(sb: &Sandbox, text: &str, dropins: &[(&str, &str)]) -> PathBuf {
    let path = sb.dir.join("kubelet.service");
    fs::write(&path, text).unwrap();
    if !dropins.is_empty() {
        let d = sb.dir.join("kubelet.service.d");
        fs::create_dir_all(&d).unwrap();
        for (n, t) in dropins {
            fs::write(d.join(n), t).unwrap();
        }
    }
    path
}

/// Runs check; returns status and stdout, and what is below /etc, /var,
/// /run and /opt afterwards.
fn check_run(sb: &Sandbox, unit: &Path, release: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<OsString> = vec![
        "check".into(),
        "--release".into(),
        release.into(),
        "--unit".into(),
        unit.into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    let r = sb.run(CTL, &args);
    assert!(r.stderr().is_empty(), "{}", r.stderr());
    (
        r.status(),
        String::from_utf8_lossy(&r.output.stdout).into_owned(),
        r.after,
    )
}

fn check(sb: &Sandbox, unit: &Path, release: &str, extra: &[&str]) -> (i32, String) {
    let (status, out, _) = check_run(sb, unit, release, extra);
    (status, out)
}

/// What the release's volumes need on a node, in the sandbox's tmpfs.
const NODE: &str = "mkdir -p /etc/ssl/certs /var/log && touch /etc/machine-id";

#[test]
fn a_good_unit_is_ready_to_roll_out() {
    let mut sb = Sandbox::new();
    sb.setup = NODE.into();
    let unit = unit_in(
        &sb,
        &format!(
            "[Unit]\nDescription=kubelet\n\n[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.7.7_coreos.0\nEnvironment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid\"\nEnvironment=RKT={}\nExecStart=/usr/lib/coreos/kubelet-wrapper --kubeconfig=/etc/kubernetes/kubeconfig\nRestart=always\n",
            sb.recorder.display()
        ),
        &[],
    );
    let (status, out, after) = check_run(&sb, &unit, "1353.0.0", &[]);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.ends_with("No errors (0 warnings, 0 notes): the unit is ready to roll out.\n"),
        "{out}"
    );
    // the check created nothing: only what the setup made is there
    assert_eq!(
        after,
        "/etc/machine-id\n/etc/ssl\n/etc/ssl/certs\n/var/log\n"
    );
}

#[test]
fn the_admins_mistakes_with_their_line_fix_and_consequence() {
    let mut sb = Sandbox::new();
    sb.setup = NODE.into();
    let unit = unit_in(
        &sb,
        "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.7.7_coreos.0\nEnvironment=RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume dns,kind=host,source=/etc/resolv.conf\nExecStart=/usr/lib/coreos/kubelet-wrapper $KUBELET_ARGS\n",
        &[(
            "10-tag.conf",
            "[Service]\nEnvironment=KUBELET_IMAGE_TAGS=v1.8.0_coreos.0 RKT=/nonexistent/rkt\n",
        )],
    );
    let (status, out) = check(&sb, &unit, "1353.0.0", &[]);
    assert_eq!(status, 1, "{out}");
    let u = unit.display();
    for (line, fix) in [
        (
            format!("warning  {u}:3: Environment=: systemd cuts an unquoted value at blanks, so RKT_RUN_ARGS is only \"--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid\"; \"--volume\", \"dns,kind=host,source=/etc/resolv.conf\" are ignored (not NAME=VALUE)"),
            "fix: quote the whole assignment: Environment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume dns,kind=host,source=/etc/resolv.conf\"".to_string(),
        ),
        (
            // systemd expands it to nothing: a note
            format!("info     {u}:4: ExecStart= uses $KUBELET_ARGS, which the unit does not set: systemd expands it to nothing"),
            "fix: set KUBELET_ARGS with Environment= or in an EnvironmentFile= if the kubelet needs it".into(),
        ),
        (
            format!("warning  {u}.d/10-tag.conf:2: KUBELET_IMAGE_TAGS is not a kubelet-wrapper variable and is ignored: did you mean KUBELET_IMAGE_TAG?"),
            "fix: rename KUBELET_IMAGE_TAGS to KUBELET_IMAGE_TAG (or remove it)".into(),
        ),
        (
            format!("error    {u}.d/10-tag.conf:2: engine program /nonexistent/rkt not found: install it or set RKT to its path"),
            "fix: install rkt in the node's image, or set RKT= in the unit to its path".into(),
        ),
    ] {
        let i = out.find(&line).unwrap_or_else(|| panic!("{line}\nnot in:\n{out}"));
        let next = out[i..].lines().nth(1).unwrap().trim();
        assert_eq!(next, fix, "{out}");
    }
    assert!(
        out.ends_with("1 error, 2 warnings, 1 note: fix the errors before rolling the unit out.\n"),
        "{out}"
    );

    // the same as JSON
    let (status, json) = check(&sb, &unit, "1353.0.0", &["--format", "json"]);
    assert_eq!(status, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"], 1);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert_eq!(v["findings"][0]["line"], 2);
    assert!(
        v["findings"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("kubelet.service.d/10-tag.conf")
    );
}

#[test]
fn host_paths_and_directories() {
    let mut sb = Sandbox::new();
    // a file where the wrapper creates /var/lib/kubelet
    sb.setup = format!("{NODE} && mkdir -p /var/lib && touch /var/lib/kubelet");
    let unit = unit_in(
        &sb,
        &format!(
            "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.7.7_coreos.0 RKT={}\nEnvironment=\"RKT_RUN_ARGS=--volume cni,kind=host,source=/opt/cni/bin --mount volume=cni,target=/opt/cni/bin\"\nExecStart=/usr/lib/coreos/kubelet-wrapper\n",
            sb.recorder.display()
        ),
        &[],
    );
    let (status, out) = check(&sb, &unit, "1353.0.0", &[]);
    assert_eq!(status, 1, "{out}");
    let u = unit.display();
    assert!(out.contains(&format!("error    {u}:3: /opt/cni/bin does not exist on this host (a volume of RKT_RUN_ARGS)\n         fix: create /opt/cni/bin on every node (ExecStartPre=/bin/mkdir -p /opt/cni/bin for a directory), or correct the volume's source in RKT_RUN_ARGS\n")), "{out}");
    assert!(out.contains("error    the wrapper would fail: cannot create directory /var/lib/kubelet: File exists (os error 17)\n"), "{out}");
    // a release volume's source the wrapper creates is no problem (/var/lib/docker)
    assert!(!out.contains("/var/lib/docker does not exist"), "{out}");
}

#[test]
fn a_lone_volume_on_another_engine_and_what_the_release_ignores() {
    let mut sb = Sandbox::new();
    sb.setup = NODE.into();
    let unit = unit_in(
        &sb,
        &format!(
            "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.25.4 PODMAN={}\nEnvironment=\"RKT_RUN_ARGS=--net=host --volume cni,kind=host,source=/etc/cni\" RKT_STAGE1_ARG=--stage1-path=/x\nExecStart=/usr/lib/coreos/kubelet-wrapper\n",
            sb.recorder.display()
        ),
        &[],
    );
    // off the node: only the unit and the release, no error but the
    // warnings, and the output says what was not checked
    let (status, out) = check(&sb, &unit, "3000.0.0", &["--no-host"]);
    assert_eq!(status, 0, "{out}");
    let u = unit.display();
    assert!(out.contains("  not checked (--no-host): the engine program, the volumes' host paths, the directories the wrapper creates, mount propagation\n"), "{out}");
    assert!(out.contains(&format!("warning  {u}:3: RKT_RUN_ARGS: --volume cni,kind=host,source=/etc/cni is an rkt argument: dropped, no --mount uses volume cni; add --mount volume=cni,target=PATH\n         fix: add --mount volume=cni,target=PATH\n")), "{out}");
    assert!(out.contains(&format!("info     {u}:3: RKT_STAGE1_ARG is ignored: this release runs podman, which has no stage1\n")), "{out}");
    assert!(out.contains(&format!("info     {u}:3: RKT_RUN_ARGS: --net=host is an rkt argument: dropped, the release already runs the kubelet in the host's network\n")), "{out}");
    assert!(
        out.ends_with("No errors (1 warning, 3 notes): the unit is ready to roll out.\n"),
        "{out}"
    );
    // --strict: the warning fails it
    let (status, out) = check(&sb, &unit, "3000.0.0", &["--no-host", "--strict"]);
    assert_eq!(status, 1, "{out}");
    assert!(out.ends_with("No errors, but 1 warning and 3 notes (--strict): fix the warnings before rolling the unit out.\n"), "{out}");
}

/// The two ``` blocks of docs/admin.md's example output, as printed.
fn readme_example() -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/admin.md")).unwrap();
    let section = readme
        .split("## Checking a unit before rollout")
        .nth(1)
        .expect("docs/admin.md's section")
        .split("\n## ")
        .next()
        .unwrap();
    let blocks: Vec<&str> = section
        .split("```")
        .skip(1)
        .step_by(2)
        .filter(|b| b.starts_with("\n$ kubelet-wrapperctl check"))
        .map(|b| b.strip_prefix('\n').unwrap())
        .collect();
    assert_eq!(blocks.len(), 2, "{section}");
    format!("{}\n{}", blocks[0], blocks[1])
}

#[test]
fn the_readme_example_is_what_check_prints() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check-example.sh");
    // (shellcheck checks it with the other scripts: tests/overlay.rs)
    let bin = Path::new(CTL).parent().unwrap();
    let unshare: &[&str] = if common::is_root() {
        &["-m"]
    } else {
        &["-r", "-m"]
    };
    let o = std::process::Command::new("unshare")
        .args(unshare)
        .arg(&script)
        .arg("--inside")
        .env(
            "PATH",
            format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", bin.display()),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out,
        readme_example(),
        "docs/admin.md's example differs from docs/check-example.sh's output:\n{out}"
    );
}

#[test]
fn the_shipped_example_units_read_as_meant() {
    // each engine's example, on every release of that engine: nothing
    // about its own lines (the engine and host paths are this machine's
    // business), and the container its cleanup line names is the release's
    let o = common::ctl(&["defaults", "list", "--format", "json"], &[]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut checked = Vec::new();
    for file in list["files"].as_array().unwrap() {
        let release = file["release"].as_str().unwrap();
        let engine = file["engine"].as_str().unwrap();
        let unit = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
            "os-overlay/app-admin/kubelet-wrapper/files/kubelet-{engine}.service"
        ));
        assert!(
            unit.is_file(),
            "release {release} runs {engine}, which has no example unit"
        );
        let o = common::ctl(
            &[
                "check",
                "--release",
                release,
                "--format",
                "json",
                "--unit",
                unit.to_str().unwrap(),
            ],
            &[],
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let about_the_unit: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                !f["file"].is_null() || f["message"].as_str().unwrap().contains("Type=notify")
            })
            .collect();
        assert!(
            about_the_unit.is_empty(),
            "{engine} on {release}: {about_the_unit:?}"
        );
        assert_eq!(v["files"].as_array().unwrap().len(), 1);
        let argv = v["argv"].as_array().unwrap();
        assert!(
            argv.iter()
                .any(|a| a == "--config=/etc/kubernetes/kubelet.yaml"),
            "{engine} on {release}: {argv:?}"
        );
        if engine != "rkt" {
            assert!(
                argv.iter().any(|a| a == "--name=kubelet"),
                "the {engine} unit removes the container kubelet, which {release} does not name: {argv:?}"
            );
        }
        checked.push(engine.to_string());
    }
    // every engine a release runs, and at least the two the releases ship
    checked.dedup();
    for engine in ["rkt", "podman"] {
        assert!(checked.iter().any(|e| e == engine), "{checked:?}");
    }
}

#[test]
fn a_far_unknown_name_that_nothing_reads() {
    let mut sb = Sandbox::new();
    sb.setup = NODE.into();
    let unit = unit_in(
        &sb,
        &format!(
            "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.7.7_coreos.0 RKT={} KUBELET_NODE_FLAGS=--v=2\nExecStart=/usr/lib/coreos/kubelet-wrapper\n",
            sb.recorder.display()
        ),
        &[],
    );
    let (status, out) = check(&sb, &unit, "1353.0.0", &[]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains(&format!("info     {}:2: KUBELET_NODE_FLAGS is not a kubelet-wrapper variable, and ExecStart= does not use it: the wrapper ignores it (the engine and the kubelet get the environment, but neither reads it unless told to)\n         fix: remove KUBELET_NODE_FLAGS: nothing reads it (or pass it to the kubelet with ${{KUBELET_NODE_FLAGS}} in ExecStart=)\n", unit.display())), "{out}");
}

/// What makes the wrapper stop before it creates anything is an error in
/// check too: a command execve will not take, an engine script whose
/// interpreter is missing, a kubelet directory on an unbindable mount.
#[test]
fn what_the_wrapper_refuses_before_creating_anything() {
    let mut sb = Sandbox::new();
    sb.setup = format!(
        "{NODE} && mount -t tmpfs kw /srv && printf '#!/nonexistent/sh\\n' > /srv/rkt && chmod +x /srv/rkt && mount --make-unbindable /var"
    );
    // 24 variables of 100,000 bytes (each line under systemd's 1 MiB):
    // over the 2 MiB of arguments and environment that systemd's stack
    // limit gives a service
    let pad: String = (0..24)
        .map(|i| format!("Environment=PAD{i}={}\n", "a".repeat(100_000)))
        .collect();
    let unit = unit_in(
        &sb,
        &format!(
            "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.7.7_coreos.0 RKT=/srv/rkt\n{pad}ExecStart=/usr/lib/coreos/kubelet-wrapper --v=2\n"
        ),
        &[],
    );
    let (status, out) = check(&sb, &unit, "1353.0.0", &[]);
    assert_eq!(status, 1, "{out}");
    for needle in [
        "error    {u}:27: the wrapper would refuse to start (exit 126): the engine command is too large for execve",
        "error    {u}:2: engine program /srv/rkt cannot be executed: its interpreter /nonexistent/sh (its #! line) does not exist",
        "error    the wrapper would refuse to start: /var/lib/kubelet (volume var-lib-kubelet) is on mount /var, which is unbindable",
    ] {
        let needle = needle.replace("{u}", &unit.display().to_string());
        assert!(
            out.contains(&needle),
            "{needle}\nnot in\n{}",
            &out[..out.len().min(4000)]
        );
    }
}

#[test]
fn root_reads_the_node_tree_as_systemd_would() {
    // a node's root mounted elsewhere: its release, unit, drop-ins in /run
    // and in service.d, an environment file behind an absolute link and
    // its host name, all read under DIR, never from this machine
    let root = scratch("root");
    let mk = |p: &str, text: &str| write_under(&root, p, text);
    mk(
        "etc/os-release",
        "ID=flatcar\nID_LIKE=coreos\nVERSION_ID=2512.3.0\n",
    );
    mk("etc/hostname", "node-7\n");
    mk(
        "etc/systemd/system/kubelet.service",
        "[Service]\nEnvironmentFile=/etc/kubernetes/kubelet.env\nExecStart=/usr/lib/coreos/kubelet-wrapper --hostname-override=%H $KUBELET_OPTS\n",
    );
    mk(
        "run/systemd/system/kubelet.service.d/10-tag.conf",
        "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.17.0\n",
    );
    mk(
        "usr/lib/systemd/system/service.d/50-all.conf",
        "[Service]\nEnvironment=ALL=1\n",
    );
    mk("opt/kubelet.env", "KUBELET_OPTS=--v=2\n");
    fs::create_dir_all(root.join("etc/kubernetes")).unwrap();
    std::os::unix::fs::symlink("/opt/kubelet.env", root.join("etc/kubernetes/kubelet.env"))
        .unwrap();
    let o = common::ctl(
        &[
            "render".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--root".as_ref(),
            root.as_os_str(),
            "--unit".as_ref(),
            "kubelet.service".as_ref(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // the tree's release, from its os-release
    assert_eq!(v["release"], "2512.3.0");
    assert_eq!(v["release_source"], "os-release");
    let files: Vec<&str> = v["unit"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let r = root.display().to_string();
    assert_eq!(
        files,
        [
            format!("{r}/etc/systemd/system/kubelet.service"),
            format!("{r}/run/systemd/system/kubelet.service.d/10-tag.conf"),
            format!("{r}/usr/lib/systemd/system/service.d/50-all.conf"),
        ]
    );
    assert_eq!(
        v["unit"]["kubelet_flags"],
        serde_json::json!(["--hostname-override=node-7", "--v=2"])
    );
    let env: Vec<&str> = v["unit"]["environment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(env, ["KUBELET_IMAGE_TAG", "ALL", "KUBELET_OPTS"]);
    let argv = common::json_argv(&v);
    assert!(argv.iter().any(|a| a.ends_with(b":v1.17.0")), "{v}");
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_script_that_cannot_be_read_is_refused_never_rendered_without_flags() {
    let dir = scratch("script");
    let unit = dir.join("kubelet.service");
    fs::write(
        &unit,
        "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.25.4\nExecStart=/bin/sh -c \"/usr/lib/coreos/kubelet-wrapper --v=2 | logger\"\n",
    )
    .unwrap();
    for sub in ["render", "explain"] {
        let o = common::ctl(
            &[
                sub.as_ref(),
                "--release".as_ref(),
                "2512.3.0".as_ref(),
                "--unit".as_ref(),
                unit.as_os_str(),
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(1), "{sub}");
        assert!(o.stdout.is_empty(), "{sub}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.starts_with("kubelet-wrapperctl: the unit's kubelet flags cannot be known: ")
                && err.contains("this check cannot read a pipe (|)"),
            "{sub}: {err}"
        );
    }
    let o = common::ctl(
        &[
            "check".as_ref(),
            "--release".as_ref(),
            "2512.3.0".as_ref(),
            "--unit".as_ref(),
            unit.as_os_str(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("error    {}:3: ExecStart= runs /bin/sh -c, and this check cannot read a pipe (|) in it", unit.display())), "{out}");
    // the simple form is read, and rendered with the kubelet's flags
    fs::write(
        &unit,
        "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.25.4 \"KUBELET_OPTS=--node-labels=a=b --v=2\"\nExecStart=/bin/sh -c \"exec /usr/lib/coreos/kubelet-wrapper --kubeconfig=/etc/kubernetes/kubeconfig $KUBELET_OPTS\"\n",
    )
    .unwrap();
    let o = common::ctl(
        &[
            "render".as_ref(),
            "--release".as_ref(),
            "2512.3.0".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--unit".as_ref(),
            unit.as_os_str(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let argv = common::json_argv(&v);
    assert!(
        argv.ends_with(&[
            b"--".to_vec(),
            b"--kubeconfig=/etc/kubernetes/kubeconfig".to_vec(),
            b"--node-labels=a=b".to_vec(),
            b"--v=2".to_vec()
        ]),
        "{v}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn names_and_values_reach_the_terminal_escaped() {
    use std::os::unix::ffi::OsStrExt;
    // a unit directory and a drop-in whose names hold an escape sequence
    let dir = scratch("escape");
    let sub = dir.join(std::ffi::OsStr::from_bytes(b"evil\x1b[31m\xff"));
    fs::create_dir_all(sub.join("kubelet.service.d")).unwrap();
    let unit = sub.join("kubelet.service");
    fs::write(
        &unit,
        "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.25.4\nEnviroment\u{1b}[2J=x\nExecStart=/usr/lib/coreos/kubelet-wrapper\n",
    )
    .unwrap();
    fs::write(
        sub.join("kubelet.service.d")
            .join(std::ffi::OsStr::from_bytes(b"10-\x1b]0;x\x07.conf")),
        "[Service]\n",
    )
    .unwrap();
    for args in [
        vec!["check", "--release", "2512.3.0"],
        vec!["explain", "--release", "2512.3.0"],
        vec!["render", "--release", "2512.3.0", "--format", "text"],
    ] {
        let mut a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_ref()).collect();
        a.push("--unit".as_ref());
        a.push(unit.as_os_str());
        let o = common::ctl(&a, &[]);
        for (what, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            assert!(
                !bytes.iter().any(|&b| b == 0x1b || b == 0x07 || b == 0xff),
                "{args:?} {what}: {}",
                String::from_utf8_lossy(bytes)
            );
        }
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("evil\\x1b[31m\\xff"), "{args:?}: {out}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// A unit's rkt commands on a release that runs another engine: one
/// finding each, as severe as what systemd does with it on a node without
/// rkt, with what to write instead; and a file the OS writes at boot is
/// no defect of a unit checked off the node.
#[test]
fn rkt_lines_and_boot_files_off_the_node() {
    let mut sb = Sandbox::new();
    sb.setup = NODE.into();
    let unit = unit_in(
        &sb,
        "[Service]\nEnvironmentFile=/etc/environment\nEnvironmentFile=/run/metadata/coreos\nEnvironment=KUBELET_IMAGE_TAG=v1.25.4\nExecStartPre=-/usr/bin/rkt rm --uuid-file=/var/cache/kubelet-pod.uuid\nExecStartPre=/usr/bin/rkt fetch quay.io/poseidon/kubelet:v1.25.4\nExecStart=/usr/lib/coreos/kubelet-wrapper --node-ip=${COREOS_PRIVATE_IPV4}\nExecStop=/usr/bin/rkt stop --uuid-file=/var/cache/kubelet-pod.uuid\n",
        &[],
    );
    let (status, out) = check(&sb, &unit, "3000.0.0", &["--no-host"]);
    assert_eq!(status, 1, "{out}");
    let u = unit.display();
    for needle in [
        format!(
            "info     {u}:5: ExecStartPre=-/usr/bin/rkt rm --uuid-file=/var/cache/kubelet-pod.uuid: this release runs podman, and a node of it has no rkt: its failure is ignored ('-'), so it only adds a line to the journal\n         fix: remove the line: the release removes the previous kubelet container itself before each start\n"
        ),
        format!(
            "error    {u}:6: ExecStartPre=/usr/bin/rkt fetch quay.io/poseidon/kubelet:v1.25.4: this release runs podman, and a node of it has no rkt: it fails, and systemd does not start the service\n         fix: remove the line, or fetch the image with podman"
        ),
        format!(
            "warning  {u}:8: ExecStop=/usr/bin/rkt stop --uuid-file=/var/cache/kubelet-pod.uuid: this release runs podman, and a node of it has no rkt: it fails on every stop, and systemd marks the stop failed\n         fix: remove the line: stopping the unit stops the kubelet"
        ),
        format!(
            "info     {u}:2: EnvironmentFile=/etc/environment: not in the tree checked; the OS provides it at run time: coreos-setup-environment.service writes it at boot"
        ),
        format!(
            "info     {u}:3: EnvironmentFile=/run/metadata/coreos: not in the tree checked; the OS provides it at run time: the metadata agent"
        ),
    ] {
        assert!(out.contains(&needle), "{needle}\nnot in\n{out}");
    }
    // on the node (the host checked), a missing file the unit needs is
    // what systemd refuses: an error
    let (_, out) = check(&sb, &unit, "3000.0.0", &[]);
    assert!(out.contains(&format!("error    {u}:2: EnvironmentFile=/etc/environment: no such file: systemd will not start the service")), "{out}");
}

/// A unit that waits for readiness the release's engine never passes on
/// never starts (measured on the booted node: rkt fly gives the kubelet no
/// NOTIFY_SOCKET, and the start timed out); where the release passes the
/// kubelet's own readiness, a unit that does not wait is told what it
/// misses.
#[test]
fn the_units_readiness_and_the_release() {
    let mut sb = Sandbox::new();
    sb.setup = NODE.into();
    let unit = |sb: &Sandbox, service: &str| {
        unit_in(
            sb,
            &format!(
                "[Service]\n{service}Environment=KUBELET_IMAGE_TAG=v1.25.4\nExecStart=/usr/lib/coreos/kubelet-wrapper\n"
            ),
            &[],
        )
    };
    let waits = "systemd waits for the service's readiness (Type=notify, or NotifyAccess=), which never comes on this release: rkt fly gives the kubelet no NOTIFY_SOCKET";
    for (service, line) in [
        ("Type=notify\n", 2),
        ("NotifyAccess=all\n", 2),
        // systemd 252 gives a Type=notify unit NotifyAccess=main over an
        // explicit none
        ("Type=notify\nNotifyAccess=none\n", 2),
    ] {
        let u = unit(&sb, service);
        let (status, out) = check(&sb, &u, "2512.3.0", &[]);
        assert_eq!(status, 1, "{service}: {out}");
        assert!(
            out.contains(&format!("error    {}:{line}: {waits}", u.display())),
            "{service}: {out}"
        );
        assert!(
            out.contains("fix: remove Type=notify and NotifyAccess="),
            "{out}"
        );
    }
    for service in [
        "",
        "Type=simple\n",
        "Type=notify\nType=simple\n",
        "NotifyAccess=none\n",
    ] {
        let (_, out) = check(&sb, &unit(&sb, service), "2512.3.0", &[]);
        assert!(!out.contains("readiness"), "{service:?}: {out}");
    }
    // on the podman release: a note where the unit does not wait, nothing
    // where it does
    let note = "the release passes the kubelet's own readiness to a Type=notify unit";
    let (_, out) = check(&sb, &unit(&sb, ""), "3000.0.0", &[]);
    assert!(out.contains(&format!("info     {note}")), "{out}");
    let (_, out) = check(&sb, &unit(&sb, "Type=notify\n"), "3000.0.0", &[]);
    assert!(!out.contains(note) && !out.contains("never comes"), "{out}");
    // and render shows the command a Type=notify unit starts: detached
    let detached = |service: &str| {
        let r = sb.run(
            CTL,
            &[
                "render".into(),
                "--release".into(),
                "3000.0.0".into(),
                "--format".into(),
                "json".into(),
                "--unit".into(),
                unit(&sb, service).into(),
            ],
        );
        let v: serde_json::Value = serde_json::from_slice(&r.output.stdout).unwrap();
        let argv = v["argv"].as_array().unwrap().clone();
        (argv.iter().any(|a| a == "--detach"), v)
    };
    let (yes, v) = detached("Type=notify\n");
    assert!(yes, "{v}");
    let (yes, v) = detached("");
    assert!(!yes, "{v}");
}
