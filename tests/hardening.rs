//! The admin layer against the release: image references, admin volumes
//! over system ones, the trust policy, stale pod cleanup.

mod variants;

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::plan::checks::{check_reference, check_tag};
use kubelet_wrapper::plan::{self, Plan, PlanError};
use kubelet_wrapper::release::model::{Defaults, Engine};
use kubelet_wrapper::release::registry;
use std::ffi::OsString;

fn release(r: &str) -> Defaults {
    registry::select(r.parse().unwrap()).parse()
}

fn plan_for(d: &Defaults, env: &[(&str, &str)]) -> Result<Plan, PlanError> {
    let admin = AdminConfig::from_env(|k| {
        env.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| OsString::from(v))
    });
    plan::plan(d, &admin, &[OsString::from("--v=2")])
}

#[test]
fn reference_grammar() {
    for ok in [
        "quay.io/coreos/hyperkube:v1.18.0_coreos.0",
        "docker://quay.io/coreos/hyperkube:v1.18.0",
        "localhost:5000/kubelet",
        "registry.k8s.io/kube-proxy@sha256:0123456789abcdef0123456789abcdef",
        "quay.io/poseidon/kubelet:v1.25.4@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "busybox",
        "library/busy_box.x__y",
        "a-b--c/d",
    ] {
        assert_eq!(check_reference(ok, true), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "Quay.io/coreos/HyperKube",
        "quay.io/coreos/hyperkube:",
        "quay.io/coreos/hyperkube:-v1",
        "quay.io/coreos/hyperkube@sha256:xyz",
        "oci-archive:/tmp/x.tar",
        "http://quay.io/x",
        "quay.io//x",
        "quay.io/x_",
        "-quay.io/x",
        "quay.io:port/x",
    ] {
        assert!(check_reference(bad, true).is_err(), "{bad:?} accepted");
    }
    assert!(
        check_reference("quay.io/coreos/hyperkube:v1", false).is_err(),
        "a location carries no tag"
    );
    assert!(check_reference("docker://quay.io/coreos/hyperkube", false).is_ok());
    assert!(check_tag("v1.25.4").is_ok());
    for bad in ["", ".v1", "-v1", "v1 x", "v1/2", &"x".repeat(129)] {
        assert!(check_tag(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn compatible_releases_keep_the_originals_meaning_with_a_notice() {
    let p = plan_for(
        &release("1758.0.0"),
        &[("KUBELET_IMAGE_TAG", "v1.9.0 --insecure")],
    )
    .unwrap();
    let a: Vec<String> = p
        .argv()
        .into_iter()
        .map(|a| a.into_string().unwrap())
        .collect();
    let i = a
        .iter()
        .position(|x| x == "quay.io/coreos/hyperkube:v1.9.0")
        .unwrap();
    assert_eq!(a[i + 1], "--insecure", "split as the original split it");
    assert!(
        p.notices.iter().any(|n| n.starts_with(
            "KUBELET_IMAGE_TAG=\"v1.9.0 --insecure\" is likely a mistake: it contains ' '"
        )),
        "{:?}",
        p.notices
    );
    let p = plan_for(&release("1758.0.0"), &[("KUBELET_IMAGE", "-quay.io/x:v1")]).unwrap();
    assert!(
        p.notices.iter().any(|n| n.contains("starts with '-'")),
        "{:?}",
        p.notices
    );
}

#[test]
fn strict_releases_refuse_broken_image_settings() {
    let d = release("3000.0.0");
    for (env, needle) in [
        (
            vec![("KUBELET_IMAGE_TAG", "v1.25.4 --privileged")],
            "KUBELET_IMAGE_TAG: \"v1.25.4 --privileged\" is not a valid image tag: it contains ' '",
        ),
        (vec![("KUBELET_IMAGE_TAG", "-v1")], "starts with '-'"),
        (
            vec![("KUBELET_IMAGE_TAG", "v1\u{7}")],
            "is not a valid image tag",
        ),
        (
            vec![("KUBELET_IMAGE", "oci-archive:/x.tar")],
            "KUBELET_IMAGE: \"oci-archive:/x.tar\" is not a valid image reference",
        ),
        (
            vec![
                ("KUBELET_IMAGE_URL", "quay.io/x:v1"),
                ("KUBELET_IMAGE_TAG", "v1"),
            ],
            "give the location without :TAG",
        ),
        (
            vec![
                ("KUBELET_ACI", "http://quay.io/x"),
                ("KUBELET_IMAGE_TAG", "v1"),
            ],
            "KUBELET_ACI:",
        ),
    ] {
        let e = plan_for(&d, &env).unwrap_err().to_string();
        assert!(e.contains(needle), "{env:?}: {e}");
    }
    let tag_bytes = AdminConfig::from_env(|k| {
        (k == "KUBELET_IMAGE_TAG").then(|| {
            use std::os::unix::ffi::OsStringExt;
            OsString::from_vec(b"v1\xff".to_vec())
        })
    });
    let e = plan::plan(&d, &tag_bytes, &[]).unwrap_err().to_string();
    assert!(e.contains("is not valid UTF-8"), "{e}");
    assert!(plan_for(&d, &[("KUBELET_IMAGE_TAG", "v1.25.4")]).is_ok());
}

#[test]
fn admin_volumes_never_reuse_a_system_volume_name() {
    // rkt refuses a duplicate volume name too, later and less clearly
    for (r, name) in [
        ("1758.0.0", "coreos-run"),
        ("1353.0.0", "var-log"),
        ("960.0.0", "run"),
    ] {
        let args =
            format!("--volume {name},kind=host,source=/srv --mount volume={name},target=/srv");
        let e = plan_for(
            &release(r),
            &[("KUBELET_IMAGE_TAG", "v1"), ("RKT_RUN_ARGS", &args)],
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with(&format!("RKT_RUN_ARGS: the admin volume --volume {name},kind=host,source=/srv reuses the name of the system volume {name}")), "{r}: {e}");
    }
    let e = plan_for(
        &release("1758.0.0"),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            (
                "RKT_OPTS",
                "--volume=coreos-etc-kubernetes,kind=host,source=/x",
            ),
        ],
    )
    .unwrap_err();
    assert!(e.to_string().contains("RKT_OPTS"), "{e}");
}

/// CoreOS units mounted their own /var/log over the release's coreos-var-log;
/// rkt let the later mount win, and so does the wrapper, with a notice. The
/// project's strict release refuses it.
#[test]
fn admin_mounts_over_system_targets() {
    let var_log =
        "--volume var-log,kind=host,source=/srv/log --mount volume=var-log,target=/var/log/";
    let p = plan_for(
        &release("1758.0.0"),
        &[("KUBELET_IMAGE_TAG", "v1"), ("RKT_RUN_ARGS", var_log)],
    )
    .unwrap();
    assert!(p.notices.iter().any(|n| n.starts_with("RKT_RUN_ARGS: the admin mount --mount volume=var-log,target=/var/log/ covers the system volume coreos-var-log at /var/log")), "{:?}", p.notices);
    let d = release("3000.0.0");
    let e = plan_for(
        &d,
        &[("KUBELET_IMAGE_TAG", "v1"), ("RKT_RUN_ARGS", var_log)],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("targets /var/log, where the release mounts the system volume var-log"),
        "{e}"
    );
    // the release's own host path there is no conflict: dropped, with a note
    let p = plan_for(
        &d,
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            (
                "RKT_RUN_ARGS",
                "--volume var-log,kind=host,source=/var/log/ --mount volume=var-log,target=/var//log",
            ),
        ],
    )
    .unwrap();
    assert!(
        p.notes.iter().any(|n| n.contains(": dropped, the release already mounts /var/log at /var/log (read-write, volume var-log)")),
        "{:?}",
        p.notes
    );
    let e = plan_for(
        &d,
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("PODMAN_RUN_ARGS", "-v /tmp/k:/etc/kubernetes:rw"),
        ],
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "PODMAN_RUN_ARGS: the admin mount -v /tmp/k:/etc/kubernetes:rw targets /etc/kubernetes, where the release mounts the system volume etc-kubernetes: the release owns that path, mount elsewhere"
    );
    let e = plan_for(
        &d,
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("PODMAN_RUN_ARGS", "--mount=type=bind,src=/x,dst=/run"),
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("system volume run"), "{e}");
    assert!(
        plan_for(
            &d,
            &[
                ("KUBELET_IMAGE_TAG", "v1"),
                ("PODMAN_RUN_ARGS", "-v /srv:/srv")
            ]
        )
        .is_ok()
    );
}

#[test]
fn weakening_the_trust_policy_works_but_says_so() {
    let p = plan_for(
        &release("1758.0.0"),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_GLOBAL_ARGS", "--insecure-options=image,tls"),
        ],
    )
    .unwrap();
    assert_eq!(
        p.trust_weakened,
        [
            "RKT_GLOBAL_ARGS: --insecure-options=image,tls switches off image signature verification, registry TLS certificate verification"
        ]
    );
    assert!(p.notices.contains(&p.trust_weakened[0]));
    assert!(
        p.argv().contains(&"--insecure-options=image,tls".into()),
        "it still takes effect"
    );
    let p = plan_for(
        &release("1758.0.0"),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_RUN_ARGS", "--insecure-options all"),
        ],
    )
    .unwrap();
    assert_eq!(
        p.trust_weakened,
        ["RKT_RUN_ARGS: --insecure-options all switches off every check and restriction"]
    );
    // an image the release marks insecure, chosen by the admin
    let p = plan_for(
        &release("2512.0.0"),
        &[
            (
                "KUBELET_IMAGE_URL",
                "docker://gcr.io/google_containers/hyperkube",
            ),
            ("KUBELET_IMAGE_TAG", "v1.9.0"),
        ],
    )
    .unwrap();
    assert_eq!(p.trust_weakened.len(), 1, "{:?}", p.trust_weakened);
    assert!(p.trust_weakened[0].starts_with("$KUBELET_IMAGE_URL:$KUBELET_IMAGE_TAG: the image docker://gcr.io/google_containers/hyperkube:v1.9.0 is one the release runs without verification"));
    // the release's own default is the release's decision: no notice
    let p = plan_for(&release("2512.0.0"), &[("KUBELET_IMAGE_TAG", "v1.9.0")]).unwrap();
    assert!(
        p.trust_weakened.is_empty() && p.notices.is_empty(),
        "{:?}",
        p.notices
    );
    // podman
    let p = plan_for(
        &release("3000.0.0"),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("PODMAN_RUN_ARGS", "--tls-verify=false"),
        ],
    )
    .unwrap();
    assert_eq!(
        p.trust_weakened,
        ["PODMAN_RUN_ARGS: --tls-verify=false switches off registry TLS certificate verification"]
    );
    let p = plan_for(
        &release("3000.0.0"),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_RUN_ARGS", "--insecure-options=tls"),
        ],
    )
    .unwrap();
    assert_eq!(
        p.trust_weakened,
        ["RKT_RUN_ARGS: --tls-verify=false switches off registry TLS certificate verification"]
    );
}

#[test]
fn stale_pod_cleanup_is_a_release_option() {
    // off in every historical release
    for f in registry::files() {
        if let Engine::Rkt(r) = f.parse().engine {
            assert_eq!(r.uuid_file, None, "{}", f.version);
        }
    }
    let mut d = release("2512.0.0");
    if let Engine::Rkt(r) = &mut d.engine {
        r.uuid_file = Some("/var/lib/coreos/kubelet-wrapper.uuid".into());
    }
    assert_eq!(d.problems(Some("2512.0.0")), vec![]);
    let p = plan_for(
        &d,
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT", "/opt/bin/rkt"),
            ("RKT_GLOBAL_ARGS", "--dir=/var/lib/rkt"),
        ],
    )
    .unwrap();
    let before = p.before_argv();
    assert_eq!(
        before,
        [[
            "/opt/bin/rkt",
            "--dir=/var/lib/rkt",
            "rm",
            "--uuid-file=/var/lib/coreos/kubelet-wrapper.uuid"
        ]]
    );
    assert!(
        p.argv()
            .contains(&"--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid".into())
    );
    if let Engine::Rkt(r) = &mut d.engine {
        r.uuid_file = Some("/run/kubelet.uuid".into());
    }
    assert!(
        d.problems(Some("2512.0.0"))[0]
            .to_string()
            .contains("does not survive a reboot")
    );
}

/// The admin's engine arguments are read with the engine's own grammar
/// before the command is assembled: nothing in PODMAN_RUN_ARGS or
/// DOCKER_RUN_ARGS can become the image, swallow the release's next
/// argument or end its options; every spelling of "false" that podman
/// reads switches TLS verification off, with the notice.
#[test]
fn engine_arguments_cannot_reach_around_the_release() {
    use variants::docker_release;
    let podman = release("3000.0.0");
    let docker = docker_release();
    for (d, var, value, needle) in [
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "oci-archive:/srv/evil.tar",
            "PODMAN_RUN_ARGS: oci-archive:/srv/evil.tar: it is not an option, so podman would take it as the image",
        ),
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "--privileged --label",
            "PODMAN_RUN_ARGS: --label: --label takes a value and is the last word, so podman would take the release's next argument as its value",
        ),
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "--tls-verify false",
            "PODMAN_RUN_ARGS: false: --tls-verify takes its value only as --tls-verify=false, so podman would take \"false\" as the image",
        ),
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "-- x",
            "PODMAN_RUN_ARGS: --: it ends podman's options",
        ),
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "--no-such-option",
            "podman 4.3 has no such option, so whether the next word is its value cannot be told",
        ),
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "--tls-verify=maybe",
            "--tls-verify is a switch, and \"maybe\" is not a value podman reads as true or false",
        ),
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "-itl",
            "PODMAN_RUN_ARGS: -itl: --label takes a value and is the last word",
        ),
        (
            &podman,
            "PODMAN_RUN_ARGS",
            "'--privileged'",
            "PODMAN_RUN_ARGS: '--privileged': it holds quote characters, which the wrapper does not remove, so it is not an option",
        ),
        (
            &docker,
            "DOCKER_RUN_ARGS",
            "docker-archive:/x.tar",
            "DOCKER_RUN_ARGS: docker-archive:/x.tar: it is not an option, so docker would take it as the image",
        ),
        (
            &docker,
            "DOCKER_RUN_ARGS",
            "--log-level=debug -e",
            "DOCKER_RUN_ARGS: -e: --env takes a value and is the last word",
        ),
    ] {
        let e = plan_for(d, &[("KUBELET_IMAGE_TAG", "v1"), (var, value)])
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "{value}: {e}");
    }
    // every spelling podman's parser reads as false
    for f in ["false", "0", "f", "F", "FALSE", "False"] {
        let p = plan_for(
            &podman,
            &[
                ("KUBELET_IMAGE_TAG", "v1"),
                ("PODMAN_RUN_ARGS", &format!("--tls-verify={f}")),
            ],
        )
        .unwrap();
        assert_eq!(p.trust_weakened.len(), 1, "{f}: {:?}", p.notices);
    }
    for t in ["true", "1", "T"] {
        let p = plan_for(
            &podman,
            &[
                ("KUBELET_IMAGE_TAG", "v1"),
                ("PODMAN_RUN_ARGS", &format!("--tls-verify={t}")),
            ],
        )
        .unwrap();
        assert!(p.trust_weakened.is_empty(), "{t}");
    }
    // what podman reads as intended passes: values, clusters, its
    // persistent options, an option it lacks given with =
    let p = plan_for(
        &podman,
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            (
                "PODMAN_RUN_ARGS",
                "--runtime /usr/sbin/runc --ulimit nofile=1024:1024 -e A=1 --label=a=b --future-option=1",
            ),
        ],
    )
    .unwrap();
    assert!(
        p.notices
            .iter()
            .any(|n| n == "PODMAN_RUN_ARGS: --future-option=1: podman 4.3 has no such option; it is passed on as written"),
        "{:?}",
        p.notices
    );
    // rkt, whose command is the script's: what rkt makes of it, as notices
    let p = plan_for(
        &release("2512.3.0"),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_RUN_ARGS", "--net=host --uuid-file-save"),
        ],
    )
    .unwrap();
    assert!(
        p.mistakes.iter().any(|n| n == "RKT_RUN_ARGS: --uuid-file-save: --uuid-file-save takes a value and is the last word, so rkt takes the release's next argument as its value"),
        "{:?}",
        p.mistakes
    );
}
