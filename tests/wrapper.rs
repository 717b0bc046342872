//! The real `kubelet-wrapper` binary, end to end, with `RKT` pointing at a
//! recorder (see tests/common). Every run is in a private mount namespace
//! with tmpfs over /etc, /var and /run: nothing is created on the host.

mod common;

use common::{CTL, Sandbox, WRAPPER, ctl, os};
use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::plan;
use kubelet_wrapper::release::registry;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

const DIRS: &str = "/etc/kubernetes 755 directory\n/var/lib/docker 755 directory\n/var/lib/kubelet 755 directory\n/run/kubelet 755 directory\n";

fn require_auto_build() {
    assert_eq!(
        registry::PINNED,
        "auto",
        "these tests expect an auto build: run them without KUBELET_WRAPPER_RELEASE set"
    );
}

/// What the library plans for a sandbox's environment and a release.
fn planned(sb: &Sandbox, release: &str, args: &[OsString]) -> Vec<Vec<u8>> {
    let env = sb.env.clone();
    let admin = AdminConfig::from_env(|k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
    let defaults = registry::select(release.parse().unwrap()).parse();
    let p = plan::plan(&defaults, &admin, args).unwrap();
    p.argv().into_iter().map(OsString::into_vec).collect()
}

#[test]
fn execs_what_render_prints_for_the_detected_release() {
    require_auto_build();
    let mut sb = Sandbox::new();
    sb.with_recorder()
        .var("KUBELET_IMAGE_TAG", "v1.8.4_coreos.0");
    sb.setup =
        "printf 'NAME=\"Container Linux by CoreOS\"\\nID=coreos\\nVERSION_ID=1855.4.0\\n' > /etc/os-release"
            .into();
    let args = os(&[
        b"--kubeconfig=/etc/kubernetes/kubeconfig",
        b"--node-labels=a=b,c=d",
        b"--v=2",
    ]);
    let run = sb.run(WRAPPER, &args);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    assert!(
        run.execd,
        "the engine must replace the wrapper's process, not be its child"
    );

    let out = ctl(
        &[
            "render",
            "--release",
            "1855.4.0",
            "--format",
            "json",
            "--",
            "--kubeconfig=/etc/kubernetes/kubeconfig",
            "--node-labels=a=b,c=d",
            "--v=2",
        ],
        &sb.env,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["release"], "1855.4.0");
    assert_eq!(v["defaults"], "1758.0.0");
    let rendered = common::json_argv(&v);
    assert_eq!(run.argv.as_ref().unwrap(), &rendered);
    assert_eq!(run.dirs.as_deref(), Some(DIRS));
    let dirs: Vec<&str> = v["directories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        dirs,
        [
            "/etc/kubernetes",
            "/var/lib/docker",
            "/var/lib/kubelet",
            "/run/kubelet"
        ]
    );
    // one trace line, quoted so a shell gives back the same words
    let stderr = run.stderr();
    let trace: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("+ exec "))
        .collect();
    assert_eq!(trace.len(), 1, "{}", run.stderr());
    let reparsed = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -- {}; printf '%s\\0' \"$@\"",
            &trace[0]["+ exec ".len()..]
        ))
        .output()
        .unwrap();
    let words: Vec<Vec<u8>> = reparsed
        .stdout
        .split(|&b| b == 0)
        .map(<[u8]>::to_vec)
        .filter(|w| !w.is_empty())
        .collect();
    assert_eq!(&words, &rendered);
}

#[test]
fn odd_kubelet_flags_arrive_byte_for_byte() {
    require_auto_build();
    let mut sb = Sandbox::new();
    sb.with_recorder().var("KUBELET_IMAGE_TAG", "v1.18.0");
    sb.setup = "printf 'ID=coreos\\nVERSION_ID=2512.3.0\\n' > /etc/os-release".into();
    let args = os(&[
        b"kubelet",
        b"",
        b"with space",
        b"*",
        b"new\nline",
        b"--",
        b"\xff\xfe",
        b"'q'",
        b"$HOME",
        b"-",
    ]);
    let run = sb.run(WRAPPER, &args);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    let argv = run.argv.unwrap();
    let expected = planned(&sb, "2512.3.0", &args);
    assert_eq!(argv, expected);
    let n = argv.len();
    assert_eq!(
        &argv[n - args.len()..],
        &args
            .iter()
            .map(|a| a.clone().into_vec())
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(argv[n - args.len() - 1], b"--");
}

#[test]
fn environment_is_passed_unchanged_and_exit_status_is_the_engines() {
    require_auto_build();
    let mut sb = Sandbox::new();
    sb.with_recorder()
        .var("KUBELET_IMAGE_TAG", "v1")
        .var("RECORDER_EXIT", "7")
        .var("SOME_OTHER", OsString::from_vec(b"x\xffy z".to_vec()));
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 7);
    let env = run.env.unwrap();
    for (k, v) in &sb.env {
        let mut kv = k.clone().into_vec();
        kv.push(b'=');
        kv.extend(v.clone().into_vec());
        assert!(
            env.contains(&kv),
            "{:?} missing from the engine's environment",
            String::from_utf8_lossy(&kv)
        );
    }
    assert!(env.iter().any(|e| e.starts_with(b"PATH=")));
}

#[test]
fn deprecated_variables_print_notices_and_still_run() {
    let mut sb = Sandbox::new();
    sb.with_recorder()
        .var("KUBELET_VERSION", "v1.4.0")
        .var("KUBELET_ACI", "quay.io/me/hyperkube")
        .var("RKT_OPTS", "--net=host");
    sb.setup = "printf 'ID=coreos\\nVERSION_ID=1235.0.0\\n' > /etc/os-release".into();
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    let err = run.stderr();
    for n in [
        "kubelet-wrapper: KUBELET_VERSION environment variable is deprecated, please use KUBELET_IMAGE_TAG instead",
        "kubelet-wrapper: KUBELET_ACI environment variable is deprecated, please use KUBELET_IMAGE_URL instead",
        "kubelet-wrapper: RKT_OPTS environment variable is deprecated, please use RKT_RUN_ARGS instead",
    ] {
        assert!(err.lines().any(|l| l == n), "missing {n:?} in {err}");
    }
    let argv = run.argv.unwrap();
    assert!(argv.contains(&b"quay.io/me/hyperkube:v1.4.0".to_vec()));
    assert!(argv.contains(&b"--net=host".to_vec()));
}

#[test]
fn missing_tag_is_exit_1_with_nothing_created_or_run() {
    let mut sb = Sandbox::new();
    sb.with_recorder()
        .var("KUBELET_IMAGE_URL", "quay.io/coreos/hyperkube")
        .var("KUBELET_IMAGE_TAG", "");
    let run = sb.run(WRAPPER, &os(&[b"--v=2"]));
    assert_eq!(run.status(), 1);
    assert!(
        run.stderr()
            .contains("kubelet-wrapper: One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set"),
        "{}",
        run.stderr()
    );
    assert!(run.argv.is_none(), "the engine ran");
    assert_eq!(run.after, "/etc/os-release\n", "something was created");
}

#[test]
fn engine_missing_not_executable_or_a_directory() {
    let mut cases: Vec<(&str, OsString, i32)> = vec![
        ("missing", "/nonexistent/rkt".into(), 127),
        ("not on PATH", "no-such-rkt-anywhere".into(), 127),
    ];
    let sb0 = Sandbox::new();
    let noexec = sb0.dir.join("noexec");
    std::fs::write(&noexec, "#!/bin/sh\n").unwrap();
    cases.push(("not executable", noexec.into_os_string(), 126));
    cases.push(("a directory", sb0.dir.clone().into_os_string(), 126));
    for (what, rkt, status) in cases {
        let mut sb = Sandbox::new();
        sb.var("KUBELET_IMAGE_TAG", "v1").var("RKT", rkt.clone());
        let run = sb.run(WRAPPER, &[]);
        assert_eq!(run.status(), status, "{what}: {}", run.stderr());
        let err = run.stderr();
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("kubelet-wrapper: "))
                .count(),
            1,
            "{what}: {err}"
        );
        assert!(
            err.contains(&*rkt.to_string_lossy()),
            "{what}: message does not name the program: {err}"
        );
        assert_eq!(
            run.after, "/etc/os-release\n",
            "{what}: the host was changed"
        );
    }
}

#[test]
fn rkt_is_split_into_words_and_searched_on_path() {
    let mut sb = Sandbox::new();
    let dir = sb.dir.clone();
    sb.var("KUBELET_IMAGE_TAG", "v1")
        .var("RKT", "rkt-recorder  --debug")
        .var("RKT_GLOBAL_ARGS", "--dir=/var/lib/rkt");
    // the recorder is found through PATH
    sb.setup = format!(
        "{}; export PATH='{}':$PATH",
        common::DEFAULT_SETUP,
        dir.display()
    );
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    let argv = run.argv.unwrap();
    assert_eq!(
        &argv[1..4],
        &[
            b"--debug".to_vec(),
            b"--dir=/var/lib/rkt".to_vec(),
            b"run".to_vec()
        ]
    );
}

#[test]
fn a_file_where_a_directory_goes_is_exit_1_and_kept() {
    let mut sb = Sandbox::new();
    sb.with_recorder().var("KUBELET_IMAGE_TAG", "v1");
    sb.setup = format!(
        "{}; mkdir -p /var/lib && echo keep > /var/lib/kubelet",
        common::DEFAULT_SETUP
    );
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 1);
    let err = run.stderr();
    assert!(
        err.contains("cannot create directory /var/lib/kubelet: File exists"),
        "{err}"
    );
    assert!(run.argv.is_none(), "the engine ran");
    assert!(run.after.lines().any(|l| l == "/var/lib/kubelet"));
}

#[test]
fn existing_directories_are_left_untouched() {
    let mut sb = Sandbox::new();
    sb.with_recorder().var("KUBELET_IMAGE_TAG", "v1");
    sb.setup = format!(
        "{}; mkdir -p -m 0700 /etc/kubernetes && umask 077",
        common::DEFAULT_SETUP
    );
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    let dirs = run.dirs.unwrap();
    assert!(dirs.contains("/etc/kubernetes 700 directory"), "{dirs}");
    // new ones are 0755 even under umask 077
    assert!(dirs.contains("/var/lib/kubelet 755 directory"), "{dirs}");
    assert!(run.after.contains("/var/lib\n"));
}

/// An unpinned wrapper never guesses: without an os-release it can use (a
/// CoreOS-family host with a MAJOR.MINOR.PATCH VERSION_ID that a file
/// covers) it refuses before anything happens, naming the build setting
/// that fixes it; so does render on that host.
#[test]
fn auto_without_usable_os_release_refuses() {
    require_auto_build();
    for (what, setup) in [
        ("empty", ": > /etc/os-release"),
        (
            "garbage",
            "printf '\\377\\000ID=coreos\\nVERSION_ID=rolling\\n' > /etc/os-release",
        ),
        (
            "Debian",
            "printf 'ID=debian\\nVERSION_ID=\"12\"\\n' > /etc/os-release",
        ),
        (
            "a CoreOS numbering past rkt",
            "printf 'ID=coreos\\nVERSION_ID=3139.2.0\\n' > /etc/os-release",
        ),
    ] {
        let mut sb = Sandbox::new();
        sb.with_recorder_for_any_engine()
            .var("KUBELET_IMAGE_TAG", "v1");
        sb.setup = setup.into();
        let run = sb.run(WRAPPER, &[]);
        assert_eq!(run.status(), 1, "{what}: {}", run.stderr());
        let err = run.stderr();
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert!(
            err.starts_with("kubelet-wrapper: cannot choose this host's system defaults: ")
                && err.contains("KUBELET_WRAPPER_RELEASE"),
            "{what}: {err}"
        );
        assert!(run.argv.is_none(), "{what}: the engine ran");
        assert_eq!(
            run.after, "/etc/os-release\n",
            "{what}: the host was changed"
        );
    }
}

/// Today's Flatcar: an `auto` wrapper on an `ID=flatcar` host of 4230.2.0
/// runs what `render --release 4230.2.0` prints, from a file of Flatcar
/// origin (whichever the files present make it), on docker.
#[test]
fn auto_on_todays_flatcar_runs_its_release() {
    require_auto_build();
    let mut sb = Sandbox::new();
    sb.with_recorder_for_any_engine()
        .var("KUBELET_IMAGE_TAG", "v1.36.1");
    sb.setup = "printf 'NAME=\"Flatcar Container Linux by Kinvolk\"\\nID=flatcar\\nID_LIKE=coreos\\nVERSION_ID=4230.2.0\\n' > /etc/os-release".into();
    let args = os(&[b"--kubeconfig=/var/lib/kubelet/kubeconfig"]);
    let run = sb.run(WRAPPER, &args);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    let out = ctl(
        &[
            "render",
            "--release",
            "4230.2.0",
            "--format",
            "json",
            "--",
            "--kubeconfig=/var/lib/kubelet/kubeconfig",
        ],
        &sb.env,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["engine"], "docker");
    let file = registry::select(v["defaults"].as_str().unwrap().parse().unwrap()).parse();
    assert_eq!(
        file.origin,
        kubelet_wrapper::release::model::ReleaseOrigin::Flatcar
    );
    assert_eq!(run.argv.as_ref(), Some(&common::json_argv(&v)));
    // the previous container's removal ran first, and a clean start says
    // nothing but the two trace lines
    let err = run.stderr();
    assert!(err.contains("+ "), "{err}");
    assert!(!err.contains("exited with"), "{err}");
}

/// docker 20.10 exits 0 from `rm --force` of a container that is not there
/// but prints "Error: No such container": a clean start must not put that
/// in the journal, a failing removal must show its error. The same for the
/// wrapper and for `render --format shell`'s script.
#[test]
fn the_removal_before_docker_speaks_only_when_it_fails() {
    require_auto_build();
    for rm_exit in [0, 1] {
        let mut sb = Sandbox::new();
        let docker = sb.dir.join("docker");
        std::fs::write(
            &docker,
            format!(
                "#!/bin/sh\nif [ \"$1\" = rm ]; then echo removed-if-any; echo \"Error: No such container: $3\" >&2; exit {rm_exit}; fi\nexec {} \"$@\"\n",
                sb.recorder.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&docker, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        sb.var("DOCKER", docker.as_os_str())
            .var("KUBELET_IMAGE_TAG", "v1.36.1");
        sb.setup = "printf 'ID=flatcar\\nVERSION_ID=4230.2.0\\n' > /etc/os-release".into();
        let script = ctl(
            &["render", "--release", "4230.2.0", "--format", "shell"],
            &sb.env,
        );
        assert!(script.status.success());
        let path = sb.dir.join("script.sh");
        std::fs::write(&path, &script.stdout).unwrap();
        let from_script = sb.run("dash", &[path.into_os_string()]);
        let from_wrapper = sb.run(WRAPPER, &[]);
        for (who, run) in [("wrapper", &from_wrapper), ("script", &from_script)] {
            assert_eq!(run.status(), 0, "{who}: {}", run.stderr());
            assert!(run.argv.is_some(), "{who}: docker run did not follow");
            let said = run.stderr().contains("Error: No such container: kubelet");
            assert_eq!(
                said,
                rm_exit != 0,
                "{who}, rm exit {rm_exit}: {}",
                run.stderr()
            );
            // its standard output is left alone
            assert!(
                String::from_utf8_lossy(&run.output.stdout).contains("removed-if-any"),
                "{who}"
            );
        }
        let failed = from_wrapper
            .stderr()
            .contains("exited with exit status: 1; continuing");
        assert_eq!(failed, rm_exit != 0, "{}", from_wrapper.stderr());
    }
}

#[test]
fn auto_falls_back_to_usr_lib_os_release() {
    require_auto_build();
    let mut sb = Sandbox::new();
    sb.with_recorder().var("KUBELET_IMAGE_TAG", "v1");
    // /usr is not a tmpfs here: bind a scratch file over the host's one
    let f = sb.dir.join("os-release");
    std::fs::write(&f, "ID=coreos\nVERSION_ID=1010.5.0\n").unwrap();
    sb.setup = format!("mount --bind '{}' /usr/lib/os-release", f.display());
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    let argv = run.argv.unwrap();
    assert_eq!(argv, planned(&sb, "1010.5.0", &[]));
    assert!(argv.contains(&b"--stage1-path=/usr/share/rkt/stage1-fly.aci".to_vec()));
}

#[test]
fn render_errors_like_the_wrapper() {
    let out = ctl(&["render", "--release", "1758.0.0"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("kubelet-wrapperctl: One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set")
    );
    let out = ctl(&["render", "--release", "17.58"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(std::path::Path::new(CTL).exists());
}

/// A misspelt tag variable and no other: the error says what is missing,
/// the notice before it what was meant, from the wrapper and the tool alike.
#[test]
fn a_misspelt_tag_is_named_before_the_error() {
    require_auto_build();
    let mut sb = Sandbox::new();
    sb.with_recorder()
        .var("KUBELET_IMAGE_TAGS", "v1.8.4_coreos.0");
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 1, "{}", run.stderr());
    assert!(run.argv.is_none(), "nothing may run");
    let notice = "KUBELET_IMAGE_TAGS is not a kubelet-wrapper variable and is ignored: did you mean KUBELET_IMAGE_TAG?";
    let error = "One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set";
    let lines: Vec<String> = run.stderr().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("kubelet-wrapper: {notice}")),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with(&format!("kubelet-wrapper: {error}")),
        "{lines:?}"
    );
    let out = ctl(&["render", "--release", "2512.4.0"], &sb.env);
    assert_eq!(out.status.code(), Some(1));
    let tool: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| l.replacen("kubelet-wrapperctl: ", "kubelet-wrapper: ", 1))
        .collect();
    assert_eq!(tool, lines);
}

/// The sandboxes put tmpfs over these trees; a release creating a directory
/// elsewhere would make the tests create it on the host.
#[test]
fn every_release_directory_is_inside_the_sandboxes_tmpfs() {
    for f in registry::files() {
        for d in f.parse().directories {
            assert!(
                common::COVERED.iter().any(|c| d.starts_with(c)),
                "{}: {d} is outside {:?}",
                f.version,
                common::COVERED
            );
        }
    }
}

/// The mount /var/lib/kubelet is on, as the engine saw it.
fn kubelet_dir_mount(run: &common::Run) -> kubelet_wrapper::host::mountinfo::Mount {
    let t = kubelet_wrapper::host::mountinfo::MountTable::parse(
        run.mountinfo.as_deref().expect("the engine ran").as_bytes(),
    )
    .unwrap();
    t.resolve(std::path::Path::new("/var/lib/kubelet"))
        .unwrap()
        .clone()
}

#[test]
fn a_private_var_lib_kubelet_is_made_shared_before_the_engine_starts() {
    let mut sb = Sandbox::new();
    sb.with_recorder().var("KUBELET_IMAGE_TAG", "v1");
    sb.mounts = common::PRIVATE_TMPFS_MOUNTS.into();
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    let m = kubelet_dir_mount(&run);
    assert_eq!(m.point, std::path::Path::new("/var/lib/kubelet"));
    assert!(m.propagation.sends(), "{m:?}");
    assert!(
        run.stderr().lines().any(|l| l
            == "kubelet-wrapper: /var/lib/kubelet was not on a shared mount: bound it onto itself and marked it shared, so that the kubelet's mounts below it reach the host"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.dirs.as_deref(), Some(DIRS));

    // on a shared / (as systemd makes it) nothing is mounted or said
    let mut sb = Sandbox::new();
    sb.with_recorder().var("KUBELET_IMAGE_TAG", "v1");
    let run = sb.run(WRAPPER, &[]);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    assert_eq!(
        kubelet_dir_mount(&run).point,
        std::path::Path::new("/var"),
        "a mount was made at /var/lib/kubelet"
    );
    assert!(!run.stderr().contains("shared"), "{}", run.stderr());
}

#[test]
fn render_and_explain_show_the_propagation_rule_and_the_hosts_state() {
    let env = [(OsString::from("KUBELET_IMAGE_TAG"), OsString::from("v1"))];
    let out = ctl(
        &["render", "--release", "2512.3.0", "--format", "json"],
        &env,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shared = v["shared"].as_array().expect("render's JSON has shared");
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(shared[0]["volume"], "coreos-var-lib-kubelet");
    assert_eq!(shared[0]["path"], "/var/lib/kubelet");
    assert_eq!(shared[0]["when_not_shared"], "make");
    // the state of the host the tool runs on, as its mount table says
    let table = kubelet_wrapper::host::mountinfo::MountTable::read().unwrap();
    let real =
        kubelet_wrapper::host::propagation::real_path(std::path::Path::new("/var/lib/kubelet"));
    let m = table.resolve(&real).unwrap();
    assert_eq!(shared[0]["mount"], m.point.to_str().unwrap());
    assert_eq!(shared[0]["propagation"], m.propagation.name());

    let out = ctl(&["explain", "--release", "3000.0.0"], &env);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "mount propagation (the kubelet's mounts below these must reach the host):\n  /var/lib/kubelet (volume var-lib-kubelet, when not shared: make): on mount {} ({})",
            m.point.display(),
            m.propagation
        )),
        "{text}"
    );
}
