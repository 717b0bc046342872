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
use kubelet_wrapper::admin::AdminConfig;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

/// The wrapper a case runs.
#[derive(Clone, Copy, PartialEq)]
enum Build {
    /// Unpinned: the release comes from the os-release the case writes.
    Auto,
    /// Pinned at build time (the project's releases run only so).
    Pinned(&'static str),
}

struct Case {
    input: &'static str,
    build: Build,
    /// What /etc/os-release holds ("" for nothing written).
    os_release: String,
    /// The release column of the table.
    shown_release: String,
    setup: String,
    env: Vec<(&'static str, OsString)>,
    args: Vec<OsString>,
    status: i32,
    /// Must appear in a `kubelet-wrapper: ` line; the table shows that line.
    message: &'static str,
    /// Must appear nowhere on stderr.
    absent: &'static str,
}

/// A case on a CoreOS host of `release` (an auto build reads it), or on the
/// project's release 3000.0.0 (a build pinned to it).
fn case(
    input: &'static str,
    release: &'static str,
    env: &[(&'static str, &str)],
    status: i32,
    message: &'static str,
) -> Case {
    let (build, os_release, shown) = if release == "3000.0.0" {
        (
            Build::Pinned(release),
            String::new(),
            format!("{release}, pinned"),
        )
    } else {
        (
            Build::Auto,
            format!("ID=coreos\nVERSION_ID={release}\n"),
            release.to_string(),
        )
    };
    Case {
        input,
        build,
        os_release,
        shown_release: shown,
        setup: String::new(),
        env: env.iter().map(|(k, v)| (*k, OsString::from(v))).collect(),
        args: vec!["--kubeconfig=/etc/kubernetes/kubeconfig".into()],
        status,
        message,
        absent: "",
    }
}

/// A case on an auto build whose host's os-release is `text`.
fn host(input: &'static str, shown: &str, text: &str, status: i32, message: &'static str) -> Case {
    let mut c = case(
        input,
        "2512.3.0",
        &[("KUBELET_IMAGE_TAG", "v1.18.0")],
        status,
        message,
    );
    c.os_release = text.to_string();
    c.shown_release = shown.to_string();
    c
}

fn bytes(b: &[u8]) -> OsString {
    OsString::from_vec(b.to_vec())
}

/// The kernel's limit for argv and environment together, as the wrapper
/// computes it.
fn exec_limit() -> usize {
    kubelet_wrapper::launch::exec_limit()
}

/// Kubelet flags that bring the command the wrapper builds for `env` on
/// 2512.3.0 (with `PATH`) to `total` bytes, counted as execve counts them
/// but without the file name: every argument and environment string with
/// its NUL byte, and a pointer for each.
fn pad_to(env: &[(&'static str, OsString)], total: usize) -> Vec<OsString> {
    use kubelet_wrapper::{admin::AdminConfig, plan, release::registry};
    let mut env = env.to_vec();
    env.push((
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
    ));
    let admin =
        AdminConfig::from_env(|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()));
    let d = registry::select("2512.3.0".parse().unwrap()).parse();
    let argv = plan::plan(&d, &admin, &[]).unwrap().argv();
    let ptr = std::mem::size_of::<usize>();
    let mut size: usize = argv.iter().map(|a| a.len() + 1 + ptr).sum::<usize>()
        + env
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2 + ptr)
            .sum::<usize>();
    let mut args = Vec::new();
    while size + ptr + 2 < total {
        let n = (total - size - ptr - 1).min(100_000);
        args.push(OsString::from("x".repeat(n)));
        size += n + 1 + ptr;
    }
    args
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
            "is not a valid image tag: it contains ' ', which splits it into several engine arguments",
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
            "it contains the control character \\x07",
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
            "is likely a mistake: it contains ' ', which splits it into several engine arguments",
        ),
    ];
    // white space that is not IFS does not split; a value has every one
    // of its problems named
    for (input, value, message) in [
        (
            "tag with a carriage return, historical release",
            &b"v1.9.0\r"[..],
            "it contains the control character \\r",
        ),
        (
            "tag with a vertical tab, historical release",
            b"v1\x0b9",
            "it contains the control character \\x0b",
        ),
        (
            "tag with a no-break space, historical release",
            "v1\u{a0}9".as_bytes(),
            "it contains U+00A0, white space that does not split words",
        ),
        (
            "tag '-' and a byte that is not UTF-8, historical release",
            b"-\xff",
            "it starts with '-', so the engine would read it as an option; it is not valid UTF-8",
        ),
    ] {
        let mut t = case(input, "1758.3.0", &[], 0, message);
        t.env.push(("KUBELET_IMAGE_TAG", bytes(value)));
        t.absent = "splits it into several";
        c.push(t);
    }
    c.extend([
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
            "the same volume in KUBELET_IMAGE_TAG's words",
            "1758.3.0",
            &[(
                "KUBELET_IMAGE_TAG",
                "v1 --volume coreos-run,kind=host,source=/srv",
            )],
            1,
            "KUBELET_IMAGE_TAG: the admin volume --volume coreos-run,kind=host,source=/srv reuses the name of the system volume coreos-run",
        ),
        case(
            "the same volume in KUBELET_IMAGE_URL's words",
            "1758.3.0",
            &[
                (
                    "KUBELET_IMAGE_URL",
                    "quay.io/x --volume=coreos-run,kind=host,source=/srv",
                ),
                tag,
            ],
            1,
            "reuses the name of the system volume coreos-run",
        ),
        case(
            "--insecure-options in KUBELET_IMAGE_TAG's words",
            "1758.3.0",
            &[("KUBELET_IMAGE_TAG", "v1 --insecure-options=all")],
            0,
            "KUBELET_IMAGE_TAG: --insecure-options=all switches off every check and restriction",
        ),
        case(
            "admin mount over a system target, historical release",
            "1758.3.0",
            &[
                tag,
                (
                    "RKT_RUN_ARGS",
                    "--volume var-log,kind=host,source=/srv/log --mount volume=var-log,target=/var/log",
                ),
            ],
            0,
            "covers the system volume coreos-var-log at /var/log",
        ),
        case(
            "admin mount of what the release mounts itself, strict release",
            "3000.0.0",
            &[
                tag,
                (
                    "RKT_RUN_ARGS",
                    "--volume var-log,kind=host,source=/var/log --mount volume=var-log,target=/var/log",
                ),
            ],
            0,
            "dropped, the release already mounts /var/log at /var/log",
        ),
        case(
            "admin mount over a system target, strict release",
            "3000.0.0",
            &[tag, ("PODMAN_RUN_ARGS", "-v /srv/k:/etc/kubernetes")],
            1,
            "where the release mounts the system volume etc-kubernetes",
        ),
    ]);
    // every spelling of a mount over a system target, strict release
    for (var, value) in [
        ("PODMAN_RUN_ARGS", "-v /srv:/etc//kubernetes"),
        ("PODMAN_RUN_ARGS", "-v /srv:/etc/kubernetes/."),
        ("PODMAN_RUN_ARGS", "--volume /srv:/etc/./kubernetes/"),
        (
            "PODMAN_RUN_ARGS",
            "--volume=/srv:/etc/kubernetes/../kubernetes:rw",
        ),
        ("PODMAN_RUN_ARGS", "-v/srv:/etc/kubernetes"),
        ("PODMAN_RUN_ARGS", "-v=/srv:/etc/kubernetes"),
        ("PODMAN_RUN_ARGS", "-itv/srv:/etc/kubernetes"),
        ("PODMAN_RUN_ARGS", "-v /etc/kubernetes:ro"),
        ("PODMAN_RUN_ARGS", "--tmpfs /etc/kubernetes"),
        ("PODMAN_RUN_ARGS", "--tmpfs=/run:size=1m"),
        (
            "PODMAN_RUN_ARGS",
            "--mount type=bind,src=/srv,dst=/etc//kubernetes",
        ),
        ("PODMAN_RUN_ARGS", "--mount=type=tmpfs,destination=/run/"),
        (
            "PODMAN_RUN_ARGS",
            "--mount type=volume,src=v,target=/var/lib/kubelet",
        ),
        (
            "RKT_RUN_ARGS",
            "--volume k,kind=host,source=/srv --mount volume=k,target=/etc//kubernetes",
        ),
    ] {
        let input: &'static str =
            Box::leak(format!("{var}={value}, strict release").into_boxed_str());
        c.push(case(
            input,
            "3000.0.0",
            &[tag, (var, value)],
            1,
            "where the release mounts the system volume",
        ));
    }
    c.extend([
        case(
            "a mount the check cannot read, strict release",
            "3000.0.0",
            &[
                tag,
                (
                    "PODMAN_RUN_ARGS",
                    "--mount type=bind,src=/srv,\"dst=/etc/kubernetes\"",
                ),
            ],
            1,
            "cannot tell where it mounts",
        ),
        case(
            "--volumes-from, strict release",
            "3000.0.0",
            &[tag, ("PODMAN_RUN_ARGS", "--volumes-from=other")],
            1,
            "cannot tell where it mounts",
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
    ]);
    // a value cannot add a line to the journal
    let mut newline = case(
        "image location with a newline, historical release",
        "2512.3.0",
        &[
            (
                "KUBELET_IMAGE_URL",
                "docker://quay.io/x\nkubelet-wrapper: all is well",
            ),
            tag,
        ],
        0,
        "KUBELET_IMAGE_URL=\"docker://quay.io/x\\nkubelet-wrapper: all is well\" is likely a mistake",
    );
    newline.absent = "\nkubelet-wrapper: all is well";
    c.push(newline);
    let mut ctl = case(
        "kubelet flag and engine with control characters and bytes that are not UTF-8",
        "2512.3.0",
        &[tag, ("RKT", "/opt/bin/rkt\x1b[2J\r")],
        127,
        "engine program /opt/bin/rkt\\x1b[2J\\r not found",
    );
    ctl.args.push(bytes(b"--x=\xff\n\x1b[31m"));
    c.push(ctl);

    let mut file = case(
        "/var/lib/kubelet exists as a file",
        "2512.3.0",
        &[tag],
        1,
        "cannot create directory /var/lib/kubelet: File exists",
    );
    file.setup = "mkdir -p /var/lib && echo keep > /var/lib/kubelet".into();
    c.push(file);
    let mut dangling = case(
        "/var/lib/kubelet a dangling symbolic link",
        "2512.3.0",
        &[tag],
        1,
        "cannot create directory /var/lib/kubelet: it is a symbolic link to /srv/gone, which does not exist",
    );
    dangling.setup = "mkdir -p /var/lib && ln -s /srv/gone /var/lib/kubelet".into();
    c.push(dangling);
    let mut looping = case(
        "/var/lib a symbolic link to itself",
        "2512.3.0",
        &[tag],
        1,
        "cannot create directory /var/lib: Too many levels of symbolic links",
    );
    looping.setup = "mkdir -p /var && ln -s lib /var/lib".into();
    c.push(looping);
    let mut linked = case(
        "/var/lib a symbolic link to a directory",
        "2512.3.0",
        &[tag],
        0,
        "",
    );
    linked.setup = "mkdir -p /opt/lib && ln -s ../opt/lib /var/lib".into();
    c.push(linked);
    let mut ro = case(
        "/var is read-only",
        "2512.3.0",
        &[tag],
        1,
        "cannot create directory /var/lib: Read-only file system",
    );
    ro.setup = "mount -o remount,ro /var".into();
    c.push(ro);
    let mut hidden = case(
        "a read-only /var/lib hidden under a writable /var",
        "2512.3.0",
        &[tag],
        0,
        "",
    );
    hidden.setup =
        "mkdir /var/lib && mount -t tmpfs -o ro kw-test /var/lib && mount -t tmpfs kw-test /var && mkdir /var/lib".into();
    c.push(hidden);
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
    let mut noexec_mount = case(
        "engine program on a noexec mount",
        "2512.3.0",
        &[tag, ("RKT", "/srv/rkt")],
        126,
        "engine program /srv/rkt is not executable: /srv is mounted noexec",
    );
    noexec_mount.setup =
        "mount -t tmpfs -o noexec kw-test /srv && cp \"$SANDBOX/rkt-recorder\" /srv/rkt".into();
    c.push(noexec_mount);
    let mut dir = case(
        "engine program is a directory",
        "2512.3.0",
        &[tag, ("RKT", "/srv")],
        126,
        "engine program /srv is not executable: it is a directory",
    );
    dir.setup = "mount -t tmpfs kw-test /srv".into();
    c.push(dir);
    // bash's statuses for what execve would refuse, found before anything
    // is created
    let mut through_file = case(
        "engine program's path through a regular file",
        "2512.3.0",
        &[tag, ("RKT", "/srv/file/rkt")],
        126,
        "engine program /srv/file/rkt is not executable: a component of its path is not a directory",
    );
    through_file.setup = "mount -t tmpfs kw-test /srv && touch /srv/file".into();
    c.push(through_file);
    let mut no_interpreter = case(
        "engine program a script whose #! interpreter does not exist",
        "2512.3.0",
        &[tag, ("RKT", "/srv/rkt")],
        127,
        "engine program /srv/rkt cannot be executed: its interpreter /nonexistent/sh (its #! line) does not exist",
    );
    no_interpreter.setup = "mount -t tmpfs kw-test /srv && printf '#!/nonexistent/sh\\n' > /srv/rkt && chmod +x /srv/rkt".into();
    c.push(no_interpreter);
    let mut nested = case(
        "engine program a script run by a script whose interpreter does not exist",
        "2512.3.0",
        &[tag, ("RKT", "/srv/rkt")],
        127,
        "its interpreter /srv/sh: its interpreter /nonexistent/sh (its #! line) does not exist",
    );
    nested.setup = "mount -t tmpfs kw-test /srv && printf '#!/nonexistent/sh\\n' > /srv/sh && printf '#! /srv/sh -e\\n' > /srv/rkt && chmod +x /srv/sh /srv/rkt".into();
    c.push(nested);
    let mut dir_interpreter = case(
        "engine program a script whose #! interpreter is a directory",
        "2512.3.0",
        &[tag, ("RKT", "/srv/rkt")],
        126,
        "its interpreter /srv (its #! line) is a directory",
    );
    dir_interpreter.setup =
        "mount -t tmpfs kw-test /srv && printf '#!/srv\\n' > /srv/rkt && chmod +x /srv/rkt".into();
    c.push(dir_interpreter);
    let mut unbindable = case(
        "/var/lib/kubelet on an unbindable mount",
        "2512.3.0",
        &[tag],
        1,
        "is on mount /var, which is unbindable",
    );
    unbindable.setup = "mount --make-unbindable /var".into();
    c.push(unbindable);
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
    // (a flag rkt knows, with its value: nothing for a notice to say)
    let pad = |n: usize| format!("--dir={}", "a".repeat(n));
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

    // over the limit only with the engine's file name, which execve copies
    // too: a 4000-byte path, and a command 2000 bytes under the limit
    // without it (the sandbox's own few variables fit in the difference)
    let mut by_name = case(
        "command over execve's size limit by the engine's file name",
        "2512.3.0",
        &[tag],
        126,
        "the engine command is too large for execve",
    );
    let long_dir = format!("/srv/{}", vec!["d".repeat(200); 19].join("/"));
    let engine = format!("{long_dir}/rkt");
    // (made by a loop: the path written out would make the sandbox's own
    // command line too large)
    by_name.setup = r#"mount -t tmpfs kw-test /srv && d=/srv && c=$(printf '%0200d' 0 | tr 0 d)
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do d="$d/$c"; done
mkdir -p "$d" && cp "$SANDBOX/rkt-recorder" "$d/rkt""#
        .into();
    by_name.env.push(("RKT", engine.clone().into()));
    by_name.args = pad_to(&by_name.env, exec_limit() - 2000);
    c.push(by_name);

    let mut big_env = case(
        "an environment string of 131,070 bytes, as execve takes",
        "2512.3.0",
        &[tag],
        0,
        "",
    );
    big_env
        .env
        .push(("KW_BIG", "v".repeat(131_070 - "KW_BIG=".len()).into()));
    c.push(big_env);

    let mut many = case("5000 environment variables", "2512.3.0", &[tag], 0, "");
    for i in 0..5000 {
        many.env.push((
            Box::leak(format!("KW_TEST_VAR_{i}").into_boxed_str()),
            OsString::from(format!("value {i}")),
        ));
    }
    c.push(many);

    // which release an unpinned build runs as
    let mut missing = host(
        "os-release missing, auto build",
        "auto, none",
        "",
        1,
        "neither /etc/os-release nor /usr/lib/os-release exists",
    );
    // hide the host's /usr/lib/os-release behind an overlay whiteout
    missing.setup =
        r#"o="$SANDBOX/usr-lib"; mkdir -p "$o/up" "$o/work" && mknod "$o/up/os-release" c 0 0
mount -t overlay kw-test -o lowerdir=/usr/lib,upperdir="$o/up",workdir="$o/work" /usr/lib"#
            .into();
    c.push(missing);
    let mut empty = host(
        "os-release empty, auto build",
        "auto, empty",
        "",
        1,
        "/etc/os-release has no ID",
    );
    empty.setup = ": > /etc/os-release".into();
    c.push(empty);
    let mut garbage = host(
        "os-release garbage, auto build",
        "auto, garbage",
        "",
        1,
        "VERSION_ID \"rolling\" in /etc/os-release is not MAJOR.MINOR.PATCH",
    );
    garbage.setup =
        "printf '\\377\\000\\nID=coreos\\nVERSION_ID=rolling\\n' > /etc/os-release".into();
    c.push(garbage);
    let mut zero = host(
        "os-release a link to /dev/zero, auto build",
        "auto, /dev/zero",
        "",
        1,
        "/etc/os-release is not a regular file",
    );
    // a wrapper that reads it to the end runs out of this memory at once
    zero.setup = "ln -sf /dev/zero /etc/os-release && ulimit -v 1048576".into();
    c.push(zero);
    let mut fifo = host(
        "os-release a named pipe, auto build",
        "auto, FIFO",
        "",
        1,
        "/etc/os-release is not a regular file",
    );
    fifo.setup = "mkfifo /etc/os-release".into();
    c.push(fifo);
    let mut huge_os = host(
        "os-release of 1 MiB, auto build",
        "auto, 1 MiB",
        "",
        1,
        "/etc/os-release is larger than",
    );
    huge_os.setup =
        "{ echo ID=coreos; head -c 1048576 /dev/zero | tr '\\0' x; } > /etc/os-release".into();
    c.push(huge_os);
    for (input, shown, text, message) in [
        (
            "Debian host, auto build",
            "auto, Debian 12",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
            "ID=debian",
        ),
        (
            "Ubuntu host, auto build",
            "auto, Ubuntu 22.04",
            "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\n",
            "ID=ubuntu",
        ),
        (
            "Fedora CoreOS host, auto build",
            "auto, Fedora CoreOS 39",
            "NAME=\"Fedora Linux\"\nVERSION_ID=39\nID=fedora\nVARIANT_ID=coreos\n",
            "ID=fedora",
        ),
        (
            "a host with a CoreOS-like VERSION_ID but another ID",
            "auto, ID=mylinux 2512.3.0",
            "ID=mylinux\nVERSION_ID=2512.3.0\n",
            "ID=mylinux",
        ),
        (
            "a CoreOS host numbered after rkt was removed, auto build",
            "auto, CoreOS 3033.2.0",
            "ID=coreos\nVERSION_ID=3033.2.0\n",
            "coreos 3033.2.0",
        ),
    ] {
        let mut h = host(input, shown, text, 1, message);
        h.absent = "using the newest";
        c.push(h);
    }
    for (input, shown, text) in [
        (
            "Flatcar after rkt was removed, auto build",
            "auto, Flatcar 3033.2.0",
            "NAME=\"Flatcar Container Linux by Kinvolk\"\nID=flatcar\nID_LIKE=coreos\nVERSION_ID=3033.2.0\n",
        ),
        (
            "Flatcar, a later release, auto build",
            "auto, Flatcar 4230.2.0",
            "ID=flatcar\nID_LIKE=coreos\nVERSION_ID=4230.2.0\n",
        ),
    ] {
        c.push(host(input, shown, text, 0, ""));
    }
    c.push(host(
        "Flatcar with rkt, auto build",
        "auto, Flatcar 2605.12.0",
        "NAME=\"Flatcar Container Linux by Kinvolk\"\nID=flatcar\nID_LIKE=coreos\nVERSION_ID=2605.12.0\n",
        0,
        "",
    ));
    c.push(host(
        "CoreOS, os-release quoted, auto build",
        "auto, CoreOS 1855.4.0",
        "NAME=\"Container Linux by CoreOS\"\nID='coreos'\nVERSION_ID=\"1855.4.0\"\n",
        0,
        "",
    ));

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

/// The program variable of the engine an auto build runs on a host whose
/// os-release is `text`, as the wrapper chooses its file.
fn host_engine(text: &str) -> Option<&'static str> {
    use kubelet_wrapper::release::version::Lineage;
    let os = kubelet_wrapper::release::os_release::parse(text.as_bytes());
    let version = std::str::from_utf8(os.get("VERSION_ID")?)
        .ok()?
        .parse()
        .ok()?;
    let lineage = if os.get("ID") == Some(b"flatcar") {
        Lineage::Flatcar
    } else {
        Lineage::Coreos
    };
    let file = kubelet_wrapper::release::registry::lookup_for(version, lineage).ok()?;
    Some(kubelet_wrapper::engine::program_var(&file.parse().engine).name())
}

#[test]
fn every_fault_gives_its_status_and_message_and_leaves_the_host() {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (n, c) in cases().into_iter().enumerate() {
        let mut sb = Sandbox::new();
        // the recorder stands in for the engine of the case's release
        let engines: Vec<&str> = match c.build {
            Build::Pinned(_) => vec!["PODMAN"],
            Build::Auto => match host_engine(&c.os_release) {
                Some(var) if c.status == 0 || c.os_release.contains("ID=coreos") => vec![var],
                // a host the wrapper must refuse: whatever it picks, it
                // must not run a real engine
                _ => vec!["RKT", "PODMAN", "DOCKER", "SYSTEMD_NSPAWN"],
            },
        };
        let recorder = sb.recorder.clone();
        for e in engines {
            sb.var(e, recorder.clone());
        }
        for (k, v) in &c.env {
            sb.var(k, v.clone());
        }
        let os_release = if c.os_release.is_empty() {
            String::new()
        } else {
            format!(
                "printf '%s' '{}' > /etc/os-release",
                c.os_release.replace('\'', "'\\''")
            )
        };
        sb.setup = format!("{os_release}\n{}", c.setup);
        let wrapper = match c.build {
            Build::Auto => WRAPPER.into(),
            Build::Pinned(r) => common::pinned_wrapper(r),
        };
        // a wrapper that hangs is a failure, not a hung test
        let mut args: Vec<OsString> = vec!["-s".into(), "KILL".into(), "30".into()];
        args.push(wrapper.into_os_string());
        args.extend(c.args.iter().cloned());
        let run = sb.run("timeout", &args);
        let stderr = run.stderr();
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("kubelet-wrapper: "))
            .collect();
        let line = lines
            .iter()
            .find(|l| !c.message.is_empty() && l.contains(c.message))
            .or(lines.first().filter(|_| c.message.is_empty()))
            .copied()
            .unwrap_or("")
            .to_string();
        let short: String = stderr.chars().take(600).collect();
        let mut fail = |what: String| failures.push(format!("{}: {what}\n{short}", c.input));
        if run.status() != c.status {
            fail(format!("exit {} instead of {}", run.status(), c.status));
        }
        if !c.message.is_empty() && line.is_empty() {
            fail(format!("no line with {:?}", c.message));
        }
        if !c.absent.is_empty() && stderr.contains(c.absent) {
            fail(format!("{:?} on stderr", c.absent));
        }
        // every line is the wrapper's, one per message: no value adds one
        if let Some(l) = stderr
            .lines()
            .find(|l| !l.starts_with("kubelet-wrapper: ") && !l.starts_with("+ "))
        {
            fail(format!("a line that is not the wrapper's: {l:?}"));
        }
        if c.status != 0 {
            if run.argv.is_some() {
                fail("the engine ran".into());
            }
            // one message, after the notices of the admin's likely
            // mistakes that the wrapper prints before it
            let notices: Vec<String> =
                AdminConfig::from_vars(c.env.iter().map(|(k, v)| (OsString::from(k), v.clone())))
                    .notices
                    .iter()
                    .map(|n| format!("kubelet-wrapper: {}", kubelet_wrapper::text::quote::line(n)))
                    .collect();
            let own = lines
                .iter()
                .filter(|l| !notices.iter().any(|n| n == *l))
                .count();
            if own != 1 {
                fail(format!("{own} lines instead of one"));
            }
            // nothing the wrapper would create exists unless the setup made it
            for d in [
                "/etc/kubernetes",
                "/var/lib/docker",
                "/run/kubelet",
                "/var/lib/cni",
            ] {
                if run.after.lines().any(|l| l == d) {
                    fail(format!("{d} was created"));
                }
            }
        } else if !c.setup.contains("exec >&-") {
            match run.argv.as_ref() {
                None => fail("the engine did not run".into()),
                Some(argv) => {
                    let n = c.args.len();
                    let tail: Vec<Vec<u8>> = c.args.iter().map(|a| a.clone().into_vec()).collect();
                    if argv.len() < n || argv[argv.len() - n..] != tail[..] {
                        fail("kubelet flags altered".into());
                    }
                }
            }
            if c.input.starts_with("5000") {
                let env = run.env.as_ref().map_or(0, |env| {
                    env.iter()
                        .filter(|e| e.starts_with(b"KW_TEST_VAR_"))
                        .count()
                });
                if env != 5000 {
                    fail(format!("{env} of the 5000 variables reached the engine"));
                }
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
            c.input.replace('|', "\\|"),
            c.shown_release,
            c.status,
            msg.replace('|', "\\|").replace('`', "'")
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of the cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    let table = format!(
        "| # | input or fault | release | exit | message |\n|---|---|---|---|---|\n{}\n",
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
