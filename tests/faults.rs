//! Every bad input and host fault the wrapper is expected to meet, run
//! through the real binary (in a private mount namespace, see tests/common):
//! each gives its documented exit status and one line that says what to fix,
//! and a failure leaves the host as it was.
//!
//! The table in docs/security.md is generated from these cases; the test
//! fails when it is out of date. Regenerate it with
//! `KW_UPDATE_DOCS=1 cargo test --test faults`.

mod common;

use common::{Sandbox, WRAPPER};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

struct Case {
    input: &'static str,
    /// VERSION_ID written to /etc/os-release ("" for none).
    release: &'static str,
    setup: String,
    env: Vec<(&'static str, OsString)>,
    args: Vec<OsString>,
    status: i32,
    /// Must appear in the first `kubelet-wrapper: ` line.
    message: &'static str,
}

fn case(
    input: &'static str,
    release: &'static str,
    env: &[(&'static str, &str)],
    status: i32,
    message: &'static str,
) -> Case {
    Case {
        input,
        release,
        setup: String::new(),
        env: env.iter().map(|(k, v)| (*k, OsString::from(v))).collect(),
        args: vec!["--kubeconfig=/etc/kubernetes/kubeconfig".into()],
        status,
        message,
    }
}

/// The kernel's limit for argv and environment together, as the wrapper
/// computes it.
fn exec_limit() -> usize {
    kubelet_wrapper::launch::exec_limit()
}

fn cases() -> Vec<Case> {
    let tag: (&str, &str) = ("KUBELET_IMAGE_TAG", "v1.18.0");
    let mut c = vec![
        case(
            "neither KUBELET_IMAGE nor a tag",
            "2512.3.0",
            &[],
            1,
            "One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set",
        ),
        case(
            "tag with white space, strict release",
            "3000.0.0",
            &[("KUBELET_IMAGE_TAG", "v1.25.4 --privileged")],
            1,
            "is not a valid image tag: it contains ' '",
        ),
        case(
            "tag starting with '-', strict release",
            "3000.0.0",
            &[("KUBELET_IMAGE_TAG", "-v1.25.4")],
            1,
            "starts with '-'",
        ),
        case(
            "tag with a control character, strict release",
            "3000.0.0",
            &[("KUBELET_IMAGE_TAG", "v1\u{7}")],
            1,
            "it contains the control character '\\u{7}'",
        ),
        case(
            "image with an unknown transport, strict release",
            "3000.0.0",
            &[("KUBELET_IMAGE", "oci-archive:/srv/kubelet.tar")],
            1,
            "is not a valid image reference",
        ),
        case(
            "image location carrying a tag, strict release",
            "3000.0.0",
            &[
                ("KUBELET_IMAGE_URL", "quay.io/poseidon/kubelet:v1"),
                ("KUBELET_IMAGE_TAG", "v1.25.4"),
            ],
            1,
            "give the location without :TAG",
        ),
        case(
            "tag with white space, historical release",
            "1758.3.0",
            &[("KUBELET_IMAGE_TAG", "v1.9.0 --insecure")],
            0,
            "is likely a mistake: it contains ' '",
        ),
        case(
            "admin volume reusing a system volume's name",
            "1758.3.0",
            &[
                tag,
                (
                    "RKT_RUN_ARGS",
                    "--volume coreos-run,kind=host,source=/srv --mount volume=coreos-run,target=/srv",
                ),
            ],
            1,
            "reuses the name of the system volume coreos-run",
        ),
        case(
            "admin mount over a system target, historical release",
            "1758.3.0",
            &[
                tag,
                (
                    "RKT_RUN_ARGS",
                    "--volume var-log,kind=host,source=/var/log --mount volume=var-log,target=/var/log",
                ),
            ],
            0,
            "covers the system volume coreos-var-log at /var/log",
        ),
        case(
            "admin mount over a system target, strict release",
            "3000.0.0",
            &[tag, ("PODMAN_RUN_ARGS", "-v /srv/k:/etc/kubernetes")],
            1,
            "where the release mounts the system volume etc-kubernetes",
        ),
        case(
            "rkt argument with no podman equivalent",
            "3000.0.0",
            &[tag, ("RKT_RUN_ARGS", "--private-users")],
            1,
            "--private-users has no podman equivalent",
        ),
        case(
            "admin switches off signature verification",
            "1758.3.0",
            &[tag, ("RKT_GLOBAL_ARGS", "--insecure-options=image")],
            0,
            "switches off image signature verification",
        ),
        case(
            "deprecated variables",
            "1758.3.0",
            &[("KUBELET_VERSION", "v1.9.0"), ("RKT_OPTS", "--net=host")],
            0,
            "KUBELET_VERSION environment variable is deprecated",
        ),
    ];

    let mut file = case(
        "/var/lib/kubelet exists as a file",
        "2512.3.0",
        &[tag],
        1,
        "cannot create directory /var/lib/kubelet: File exists",
    );
    file.setup = "mkdir -p /var/lib && echo keep > /var/lib/kubelet".into();
    c.push(file);
    let mut ro = case(
        "/var is read-only",
        "2512.3.0",
        &[tag],
        1,
        "cannot create directory /var/lib: Read-only file system",
    );
    ro.setup = "mount -o remount,ro /var".into();
    c.push(ro);
    c.push(case(
        "engine program missing",
        "2512.3.0",
        &[tag, ("RKT", "/opt/bin/rkt")],
        127,
        "engine program /opt/bin/rkt not found",
    ));
    c.push(case(
        "engine program not on PATH",
        "2512.3.0",
        &[tag, ("RKT", "rkt-nowhere")],
        127,
        "engine program rkt-nowhere not found in PATH=",
    ));
    let mut noexec = case(
        "engine program not executable",
        "2512.3.0",
        &[tag, ("RKT", "/srv/rkt")],
        126,
        "engine program /srv/rkt is not executable: it has no execute permission",
    );
    noexec.setup = "mount -t tmpfs kw-test /srv && printf '#!/bin/sh\\n' > /srv/rkt".into();
    c.push(noexec);
    let mut dir = case(
        "engine program is a directory",
        "2512.3.0",
        &[tag, ("RKT", "/srv")],
        126,
        "engine program /srv is not executable: it is a directory",
    );
    dir.setup = "mount -t tmpfs kw-test /srv".into();
    c.push(dir);
    c.push(case(
        "podman release, PODMAN missing",
        "3000.0.0",
        &[tag, ("PODMAN", "/opt/bin/podman")],
        127,
        "set PODMAN to its path",
    ));

    // argv + environment over the kernel's limit: the wrapper is started
    // just under it, and the rkt command it builds (which repeats the *_ARGS
    // words next to the environment) is over it.
    let pad = |n: usize| format!("--pad={}", "a".repeat(n));
    let big = 120_000;
    let mut huge = case(
        "command over execve's size limit",
        "2512.3.0",
        &[tag],
        126,
        "the engine command is too large for execve",
    );
    for var in [
        "RKT_RUN_ARGS",
        "KUBELET_IMAGE_ARGS",
        "RKT_GLOBAL_ARGS",
        "RKT_STAGE1_ARG",
    ] {
        huge.env.push((var, pad(big).into()));
    }
    let room = exec_limit() - 4 * big - 16 * 1024;
    huge.args = (0..room / 100_000)
        .map(|_| pad(100_000 - 7).into())
        .collect();
    c.push(huge);

    let mut many = case("5000 environment variables", "2512.3.0", &[tag], 0, "");
    for i in 0..5000 {
        many.env.push((
            Box::leak(format!("KW_TEST_VAR_{i}").into_boxed_str()),
            OsString::from(format!("value {i}")),
        ));
    }
    c.push(many);
    let mut missing = case(
        "os-release missing, auto build",
        "",
        &[tag],
        0,
        "neither /etc/os-release nor /usr/lib/os-release exists; using the newest system defaults",
    );
    // hide the host's /usr/lib/os-release behind an overlay whiteout
    missing.setup =
        r#"o="$SANDBOX/usr-lib"; mkdir -p "$o/up" "$o/work" && mknod "$o/up/os-release" c 0 0
mount -t overlay kw-test -o lowerdir=/usr/lib,upperdir="$o/up",workdir="$o/work" /usr/lib"#
            .into();
    c.push(missing);
    let mut empty = case(
        "os-release empty, auto build",
        "",
        &[tag],
        0,
        "/etc/os-release has no VERSION_ID; using the newest system defaults",
    );
    empty.setup = ": > /etc/os-release".into();
    c.push(empty);
    let mut garbage = case(
        "os-release garbage, auto build",
        "",
        &[tag],
        0,
        "is not MAJOR.MINOR.PATCH; using the newest system defaults",
    );
    garbage.setup = "printf '\\377\\000\\nVERSION_ID=rolling\\n' > /etc/os-release".into();
    c.push(garbage);
    let mut closed = case("stdout and stderr closed", "2512.3.0", &[tag], 0, "");
    closed.setup = "exec >&- 2>&-".into();
    c.push(closed);
    // a reader that has gone away: every write to stderr fails with EPIPE
    let mut broken = case(
        "stderr a pipe whose reader is gone",
        "2512.3.0",
        &[("KUBELET_VERSION", "v1.9.0")],
        0,
        "",
    );
    broken.setup = r#"mkfifo "$SANDBOX/stderr"; sh -c 'exec 3<"$SANDBOX/stderr"' & exec 2>"$SANDBOX/stderr"; wait"#.into();
    c.push(broken);
    let mut odd = case(
        "kubelet flags: empty, spaces, '*', '--', newline, not UTF-8",
        "2512.3.0",
        &[tag],
        0,
        "",
    );
    odd.args = vec![
        "".into(),
        "a b".into(),
        "*".into(),
        "--".into(),
        "x\ny".into(),
        OsString::from_vec(vec![0xff, 0xfe]),
    ];
    c.push(odd);
    c
}

/// The message as the table shows it: sandbox paths and the sizes that
/// depend on the machine replaced.
fn shown(line: &str, sandbox: &str) -> String {
    let line = line.replace(sandbox, "$SANDBOX");
    if !line.contains("too large for execve") {
        return line;
    }
    let mut out = String::new();
    let mut digits = false;
    for ch in line.chars() {
        if ch.is_ascii_digit() {
            if !digits {
                out.push('N');
            }
            digits = true;
        } else {
            digits = false;
            out.push(ch);
        }
    }
    out
}

#[test]
fn every_fault_gives_its_status_and_message_and_leaves_the_host() {
    let mut rows = Vec::new();
    for (n, c) in cases().into_iter().enumerate() {
        let mut sb = Sandbox::new();
        // the recorder stands in for the engine of the case's release
        let engine_var = if c.release.is_empty() || c.release.starts_with("3000") {
            "PODMAN"
        } else {
            "RKT"
        };
        let recorder = sb.recorder.clone();
        sb.var(engine_var, recorder);
        for (k, v) in &c.env {
            sb.var(k, v.clone());
        }
        let os_release = if c.release.is_empty() {
            String::new()
        } else {
            format!("echo VERSION_ID={} > /etc/os-release", c.release)
        };
        sb.setup = format!("{os_release}\n{}", c.setup);
        let run = sb.run(WRAPPER, &c.args);
        let stderr = run.stderr();
        let line = stderr
            .lines()
            .find(|l| l.starts_with("kubelet-wrapper: "))
            .unwrap_or("")
            .to_string();
        assert_eq!(run.status(), c.status, "{}: {stderr}", c.input);
        assert!(
            line.contains(c.message),
            "{}: expected {:?} in the first message, got: {stderr}",
            c.input,
            c.message
        );
        if c.status != 0 {
            assert!(run.argv.is_none(), "{}: the engine ran", c.input);
            assert_eq!(
                stderr
                    .lines()
                    .filter(|l| l.starts_with("kubelet-wrapper: "))
                    .count(),
                1,
                "{}: one line: {stderr}",
                c.input
            );
            // nothing the wrapper would create exists unless the setup made it
            for d in [
                "/etc/kubernetes",
                "/var/lib/docker",
                "/run/kubelet",
                "/var/lib/cni",
            ] {
                assert!(
                    !run.after.lines().any(|l| l == d),
                    "{}: {d} was created",
                    c.input
                );
            }
        } else if !c.setup.contains("exec >&-") {
            let argv = run
                .argv
                .as_ref()
                .unwrap_or_else(|| panic!("{}: the engine did not run: {stderr}", c.input));
            let n = c.args.len();
            let tail: Vec<Vec<u8>> = c.args.iter().map(|a| a.clone().into_vec()).collect();
            assert_eq!(
                &argv[argv.len() - n..],
                &tail[..],
                "{}: kubelet flags altered",
                c.input
            );
            if c.input.starts_with("5000") {
                let env = run.env.as_ref().unwrap();
                assert!(
                    env.iter()
                        .filter(|e| e.starts_with(b"KW_TEST_VAR_"))
                        .count()
                        == 5000,
                    "{}",
                    c.input
                );
            }
        }
        let msg = if line.is_empty() {
            "(runs; no message)".to_string()
        } else {
            shown(&line, &sb.dir.display().to_string())
        };
        rows.push(format!(
            "| {} | {} | {} | {} | `{}` |",
            n + 1,
            c.input,
            if c.release.is_empty() {
                "auto, none".to_string()
            } else {
                c.release.to_string()
            },
            c.status,
            msg.replace('|', "\\|").replace('`', "'")
        ));
    }
    let table = format!(
        "| # | input or fault | release | exit | first message line |\n|---|---|---|---|---|\n{}\n",
        rows.join("\n")
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/security.md");
    let doc = std::fs::read_to_string(&path).expect("docs/security.md");
    let (begin, end) = ("<!-- faults:begin -->\n", "<!-- faults:end -->");
    let a = doc.find(begin).expect("begin marker") + begin.len();
    let b = doc.find(end).expect("end marker");
    if std::env::var_os("KW_UPDATE_DOCS").is_some() {
        std::fs::write(&path, format!("{}{table}{}", &doc[..a], &doc[b..])).unwrap();
    } else {
        assert_eq!(
            &doc[a..b],
            table,
            "docs/security.md's table is out of date: run KW_UPDATE_DOCS=1 cargo test --test faults"
        );
    }
}
