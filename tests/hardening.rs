//! The admin layer against the release: image references, admin volumes
//! over system ones, the trust policy, stale pod cleanup.

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::defaults::model::{Defaults, Engine};
use kubelet_wrapper::defaults::registry;
use kubelet_wrapper::plan::{self, Plan, PlanError};
use kubelet_wrapper::validate::{check_reference, check_tag};
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
