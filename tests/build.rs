//! The build itself: a broken defaults file fails `cargo build` with a
//! message naming the file and the problem, and a pinned build
//! (`KUBELET_WRAPPER_RELEASE`) execs exactly what `render` prints for that
//! release.
//!
//! These tests build a copy of the crate (sources, defaults, lock file) in
//! cargo's test scratch directory with a target directory of its own, so the
//! developer's build is never disturbed. The first build compiles the
//! dependencies once (about a minute on two cores); later ones reuse them.

mod common;

use common::{Sandbox, cargo_build, copy_crate, ctl, os};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn broken_defaults_fail_the_build_naming_file_and_problem() {
    let dir = copy_crate("broken-defaults", &[]);
    let file = dir.join("defaults/1758.0.0.json");
    let good = fs::read_to_string(&file).unwrap();
    let ok = cargo_build(&dir, None, &["--lib"]);
    assert!(
        ok.status.success(),
        "the unmodified copy must build: {}",
        stderr(&ok)
    );

    // (what is broken, how, what the message must say)
    type Edit = Box<dyn Fn(&str) -> String>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "syntax",
            Box::new(|s: &str| s.replacen("\"summary\":", "\"summary\"", 1)),
            "defaults/1758.0.0.json:4:",
        ),
        (
            "unknown field",
            Box::new(|s: &str| s.replacen("\"read_only\": true", "\"readOnly\": true", 1)),
            "unknown field `readOnly`",
        ),
        (
            "duplicate volume name",
            Box::new(|s: &str| {
                s.replacen(
                    "\"name\": \"coreos-etc-ssl-certs\"",
                    "\"name\": \"coreos-etc-kubernetes\"",
                    1,
                )
            }),
            "defaults/1758.0.0.json: volumes[1].name: duplicate volume name coreos-etc-kubernetes",
        ),
        (
            "duplicate target",
            Box::new(|s: &str| {
                s.replacen(
                    "\"target\": \"/etc/ssl/certs\"",
                    "\"target\": \"/etc/kubernetes\"",
                    1,
                )
            }),
            "volumes[1].target: duplicate target /etc/kubernetes",
        ),
        (
            "relative path",
            Box::new(|s: &str| {
                s.replacen(
                    "\"source\": \"/lib/modules\"",
                    "\"source\": \"lib/modules\"",
                    1,
                )
            }),
            "volumes[8].source: \"lib/modules\" is not an absolute path",
        ),
        (
            "release does not match the file name",
            Box::new(|s: &str| {
                s.replacen("\"release\": \"1758.0.0\"", "\"release\": \"1759.0.0\"", 1)
            }),
            "declares release 1759.0.0 but the file is named 1758.0.0.json",
        ),
        (
            "two words in one argument",
            Box::new(|s: &str| {
                s.replacen(
                    "\"--hosts-entry\",\n        \"host\"",
                    "\"--hosts-entry host\"",
                    1,
                )
            }),
            "engine.rkt.run_flags[0]: \"--hosts-entry host\" contains ' '",
        ),
    ];
    for (what, edit, message) in &cases {
        let broken = edit(&good);
        assert_ne!(broken, good, "{what}: the edit did not apply");
        fs::write(&file, &broken).unwrap();
        let out = cargo_build(&dir, None, &["--lib"]);
        assert!(!out.status.success(), "{what}: the build succeeded");
        assert!(
            stderr(&out).contains(message),
            "{what}: expected {message:?} in:\n{}",
            stderr(&out)
        );
    }
    fs::write(&file, &good).unwrap();

    // a release file under a name that is not a version
    fs::write(dir.join("defaults/2600.json"), &good).unwrap();
    let out = cargo_build(&dir, None, &["--lib"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("defaults/2600.json: not a release file name"),
        "{}",
        stderr(&out)
    );
    fs::remove_file(dir.join("defaults/2600.json")).unwrap();

    // a bad pin
    let out = cargo_build(&dir, Some("2512.3"), &["--lib"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("KUBELET_WRAPPER_RELEASE: \"2512.3\" is not a release version"),
        "{}",
        stderr(&out)
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// A pin no release file covers fails the build: the binary would
/// otherwise guess (a newer release's defaults are not known to be right),
/// and every host would refuse it at run time. Here the file the rule picks
/// for the major after the newest Flatcar file's is given an end
/// (`until`) at that major, as a release whose engine is gone would be: a
/// pin at or past it is covered by nothing.
#[test]
fn a_pin_no_file_covers_fails_the_build() {
    use kubelet_wrapper::release::model::{ReleaseOrigin, Until};
    use kubelet_wrapper::release::{Version, registry};
    let last = registry::files()
        .iter()
        .map(|f| f.parse())
        .rfind(|d| d.origin == ReleaseOrigin::Flatcar)
        .expect("a Flatcar release file")
        .version()
        .unwrap();
    let end = Version::new(last.major + 1, 0, 0);
    let mut picked = registry::lookup(end).unwrap().parse();
    assert_eq!(picked.origin, ReleaseOrigin::Flatcar);
    let end = end.to_string();
    picked.until = Some(Until {
        release: end.clone(),
        reason: "test: the engine is gone".into(),
    });
    let dir = copy_crate(
        "uncovered-pin",
        &[(
            format!("defaults/{}.json", picked.release),
            serde_json::to_string_pretty(&picked).unwrap(),
        )],
    );
    for pin in [end.as_str(), "99999.0.0"] {
        let out = cargo_build(&dir, Some(pin), &["--lib"]);
        assert!(!out.status.success(), "{pin}: the build succeeded");
        let message = format!(
            "KUBELET_WRAPPER_RELEASE={pin}: no release file covers it: the selection rule picks defaults/{}.json, which applies only until {end}",
            picked.release
        );
        assert!(stderr(&out).contains(&message), "{pin}: {}", stderr(&out));
    }
    // (the pins the files cover build: 2512.3.0 below, 3000.0.0 in the
    // tests of that release, a Flatcar one in tests/node.rs; the rule
    // itself is tested in tests/defaults.rs)
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pinned_build_execs_what_render_prints() {
    let dir = copy_crate("pinned", &[]);
    let out = cargo_build(&dir, Some("2512.3.0"), &["--bins"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-target/debug");
    let wrapper = bin.join("kubelet-wrapper");
    let ctl_bin = bin.join("kubelet-wrapperctl");

    let mut sb = Sandbox::new();
    sb.with_recorder().var("KUBELET_IMAGE_TAG", "v1.18.0").var(
        "RKT_RUN_ARGS",
        "--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid",
    );
    // a pinned binary ignores the host's os-release, even a host it would
    // refuse without a pin
    sb.setup = "printf 'ID=debian\\nVERSION_ID=12\\n' > /etc/os-release".into();
    let args = os(&[b"--kubeconfig=/etc/kubernetes/kubeconfig", b"with space"]);
    let run = sb.run(wrapper.to_str().unwrap(), &args);
    assert_eq!(run.status(), 0, "{}", run.stderr());

    let render = |extra: &[&str]| -> serde_json::Value {
        let mut a = vec!["render", "--format", "json"];
        a.extend_from_slice(extra);
        a.extend([
            "--",
            "--kubeconfig=/etc/kubernetes/kubeconfig",
            "with space",
        ]);
        let o = Command::new(&ctl_bin)
            .args(&a)
            .env_clear()
            .envs(sb.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    for v in [render(&["--release", "2512.3.0"]), render(&[])] {
        assert_eq!(v["release"], "2512.3.0");
        assert_eq!(v["defaults"], "2512.0.0");
        assert_eq!(run.argv.as_ref().unwrap(), &common::json_argv(&v));
    }
    assert_eq!(render(&[])["release_source"], "pinned");
    // and the unpinned tool agrees for that release
    let o = ctl(
        &[
            "render",
            "--release",
            "2512.3.0",
            "--format",
            "json",
            "--",
            "--kubeconfig=/etc/kubernetes/kubeconfig",
            "with space",
        ],
        &sb.env,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["argv"], render(&[])["argv"]);
    fs::remove_dir_all(&dir).unwrap();
}
