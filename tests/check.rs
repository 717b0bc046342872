//! `kubelet-wrapperctl check --unit`: the real tool, in a private mount
//! namespace with fresh /etc, /var, /run and /opt (tests/common), on unit
//! files an admin would write.

mod common;

use common::{CTL, Sandbox};
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
fn the_admins_mistakes_with_their_line_and_fix() {
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
            format!("error    {u}:3: Environment=: systemd cuts an unquoted value at blanks, so RKT_RUN_ARGS is only \"--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid\"; \"--volume\", \"dns,kind=host,source=/etc/resolv.conf\" are ignored (not NAME=VALUE)"),
            "fix: quote the whole assignment: Environment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume dns,kind=host,source=/etc/resolv.conf\"".to_string(),
        ),
        (
            format!("error    {u}:4: ExecStart= uses $KUBELET_ARGS, which the unit does not set: it expands to nothing"),
            "fix: set KUBELET_ARGS with Environment= or in an EnvironmentFile=, or remove it from ExecStart=".into(),
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
        out.ends_with(
            "3 errors, 1 warning, 0 notes: fix the errors before rolling the unit out.\n"
        ),
        "{out}"
    );

    // the same as JSON
    let (status, json) = check(&sb, &unit, "1353.0.0", &["--format", "json"]);
    assert_eq!(status, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"], 3);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert_eq!(v["findings"][2]["line"], 2);
    assert!(
        v["findings"][2]["file"]
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
    assert!(out.contains(&format!("error    {u}:3: /opt/cni/bin does not exist on this host (a volume of RKT_RUN_ARGS)\n         fix: create /opt/cni/bin on every node, or correct the volume's source in RKT_RUN_ARGS\n")), "{out}");
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
        out.ends_with("No errors (1 warning, 2 notes): the unit is ready to roll out.\n"),
        "{out}"
    );
    // --strict: the warning fails it
    let (status, out) = check(&sb, &unit, "3000.0.0", &["--no-host", "--strict"]);
    assert_eq!(status, 1, "{out}");
    assert!(out.ends_with("No errors, but 1 warning and 2 notes (--strict): fix the warnings before rolling the unit out.\n"), "{out}");
}

/// The two ``` blocks of the README's example output, as printed.
fn readme_example() -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Checking a unit before rollout")
        .nth(1)
        .expect("the README's section")
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
        "the README's example differs from docs/check-example.sh's output:\n{out}"
    );
}

#[test]
fn the_shipped_example_unit_reads_as_meant() {
    // the image's example: nothing about its own lines, on a release it is
    // written for (the engine and host paths are this machine's business)
    let unit = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("os-overlay/app-admin/kubelet-wrapper/files/kubelet.service");
    let o = common::ctl(
        &[
            "check",
            "--release",
            "2512.3.0",
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
        .filter(|f| !f["file"].is_null())
        .collect();
    assert!(about_the_unit.is_empty(), "{about_the_unit:?}");
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    assert!(
        v["argv"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--config=/etc/kubernetes/kubelet.yaml")
    );
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
