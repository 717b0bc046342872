//! The drop-in promise for the admin's likely mistakes: on every release
//! and engine the wrapper tells (one notice each, also among the plan's
//! `mistakes` and so in `render`'s notices), and never refuses, for a
//! variable named like its own that it does not know, quote characters in
//! engine arguments, a `--volume` without its `--mount` or the reverse.
//! Nothing the admin wrote is dropped without a notice. And `explain`
//! names the release, not the admin, where an admin value is the
//! release's default.

mod variants;

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::engine::command::Origin;
use kubelet_wrapper::plan::{self, Plan, PlanError};
use kubelet_wrapper::release::model::{Defaults, Engine};
use kubelet_wrapper::release::registry;
use std::ffi::OsString;

/// Every embedded release (rkt, podman, docker), and the systemd-nspawn
/// variant of the podman one (tests/variants): each a release the format
/// accepts.
fn releases() -> Vec<Defaults> {
    let mut out: Vec<Defaults> = registry::files().iter().map(|f| f.parse()).collect();
    out.push(variants::nspawn_release());
    for d in &out {
        assert_eq!(d.problems(Some(&d.release)), vec![], "{}", name(d));
    }
    out
}

fn name(d: &Defaults) -> String {
    format!("{} ({})", d.release, d.engine.name())
}

/// The engine's own variable of extra arguments.
fn args_var(d: &Defaults) -> &'static str {
    match d.engine {
        Engine::Rkt(_) => "RKT_RUN_ARGS",
        Engine::Podman(_) => "PODMAN_RUN_ARGS",
        Engine::Docker(_) => "DOCKER_RUN_ARGS",
        Engine::SystemdNspawn(_) => "NSPAWN_ARGS",
    }
}

fn plan_with(d: &Defaults, env: &[(&str, &str)]) -> Result<Plan, PlanError> {
    let mut vars: Vec<(OsString, OsString)> = vec![("KUBELET_IMAGE_TAG".into(), "v1.25.4".into())];
    vars.extend(
        env.iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v))),
    );
    plan::plan(
        d,
        &AdminConfig::from_vars(vars),
        &["--kubeconfig=/k".into()],
    )
}

/// The plan with `env` and without it: the same command, and exactly the
/// one extra notice, which is a mistake.
fn one_notice(d: &Defaults, env: &[(&str, &str)]) -> String {
    let base = plan_with(d, &[]).unwrap_or_else(|e| panic!("{}: {e}", name(d)));
    let p = plan_with(d, env).unwrap_or_else(|e| panic!("{} with {env:?}: {e}", name(d)));
    let extra: Vec<&String> = p
        .notices
        .iter()
        .filter(|n| !base.notices.contains(n))
        .collect();
    assert_eq!(extra.len(), 1, "{} with {env:?}: {:?}", name(d), p.notices);
    assert_eq!(p.mistakes, [extra[0].clone()], "{}", name(d));
    extra[0].clone()
}

#[test]
fn unknown_variables_are_a_notice_everywhere() {
    for d in releases() {
        for (var, closest) in [
            ("KUBELET_IMAGE_TAGS", "KUBELET_IMAGE_TAG"),
            ("KUBLET_IMAGE_URL", "KUBELET_IMAGE_URL"),
            ("RKT_RUN_OPTS", "RKT_RUN_ARGS"),
            ("RKT_RUN_ARG", "RKT_RUN_ARGS"),
        ] {
            let n = one_notice(&d, &[(var, "--net=host")]);
            assert!(n.starts_with(&format!("{var} is not a kubelet-wrapper variable and is ignored: did you mean {closest}?")), "{}: {n}", name(&d));
            // the command is the one without it
            assert_eq!(
                plan_with(&d, &[(var, "x")]).unwrap().argv(),
                plan_with(&d, &[]).unwrap().argv()
            );
        }
    }
}

#[test]
fn quotes_in_engine_arguments_are_a_notice_everywhere() {
    for d in releases() {
        let var = args_var(&d);
        // (a whole quoted word in PODMAN_RUN_ARGS is no option at all, and
        // podman would take it as the image: strict releases refuse it,
        // tests/hardening.rs)
        let value = match d.engine {
            Engine::Rkt(_) => "\"--net=host\"",
            _ => "--env='A=B'",
        };
        let n = one_notice(&d, &[(var, value)]);
        assert!(
            n.starts_with(&format!("{var} holds quote characters ({value})")),
            "{}: {n}",
            name(&d)
        );
        // passed on as written: the notice tells, the wrapper does not rewrite
        let p = plan_with(&d, &[(var, value)]).unwrap();
        assert!(p.argv().contains(&OsString::from(value)), "{}", name(&d));
    }
}

#[test]
fn quoted_rkt_arguments_on_another_engine_say_the_quotes_are_the_problem() {
    let d = registry::select("3000.0.0".parse().unwrap()).parse();
    let admin = AdminConfig::from_vars([
        ("KUBELET_IMAGE_TAG".into(), "v1.25.4".into()),
        ("RKT_RUN_ARGS".into(), "\"--net=host\"".into()),
    ]);
    let e = plan::plan(&d, &admin, &[]).unwrap_err().to_string();
    assert!(e.starts_with("RKT_RUN_ARGS: \"--net=host\" holds quote characters, and the wrapper does not remove quotes"), "{e}");
    assert!(e.contains("write it without the quotes"), "{e}");
    assert!(!e.contains("has no podman equivalent"), "{e}");
    // and the wrapper prints the notice before the error
    assert!(
        admin
            .notices
            .iter()
            .any(|n| n.starts_with("RKT_RUN_ARGS holds quote characters"))
    );
}

#[test]
fn a_volume_without_its_mount_or_the_reverse_is_a_notice_everywhere() {
    for d in releases() {
        let lone_volume = one_notice(
            &d,
            &[("RKT_RUN_ARGS", "--volume cni,kind=host,source=/etc/cni")],
        );
        assert!(
            lone_volume.contains("no --mount uses volume cni"),
            "{}: {lone_volume}",
            name(&d)
        );
        assert!(
            lone_volume.contains("add --mount volume=cni,target=PATH"),
            "{}: {lone_volume}",
            name(&d)
        );
        let lone_mount = one_notice(
            &d,
            &[("RKT_RUN_ARGS", "--mount=volume=cni,target=/etc/cni")],
        );
        assert!(
            lone_mount.contains("no --volume declares volume cni"),
            "{}: {lone_mount}",
            name(&d)
        );
        // a mount of a release volume is declared on rkt
        if let Engine::Rkt(_) = d.engine {
            let p = plan_with(
                &d,
                &[(
                    "RKT_RUN_ARGS",
                    &format!("--mount volume={},target=/again", d.volumes[0].name),
                )],
            )
            .unwrap();
            assert!(p.mistakes.is_empty(), "{}: {:?}", name(&d), p.mistakes);
        }
        // a pair is no mistake
        let p = plan_with(
            &d,
            &[(
                "RKT_RUN_ARGS",
                "--volume=cni,kind=host,source=/etc/cni --mount volume=cni,target=/etc/cni",
            )],
        )
        .unwrap();
        assert!(p.mistakes.is_empty(), "{}: {:?}", name(&d), p.mistakes);
    }
}

/// A `--volume` or `--mount` value that rkt itself refuses, read with
/// rkt's grammar on every release: on rkt, a notice that rkt will not
/// start; on the other engines, a refusal that says why.
#[test]
fn a_volume_rkt_refuses_is_told_everywhere() {
    for d in releases() {
        for (value, why) in [
            (
                "--volume Cni,kind=host,source=/etc/cni --mount volume=cni,target=/etc/cni",
                "\"Cni\" is not a volume name",
            ),
            (
                "--volume cni,kind=host,source=/etc/cni,readOnly=yes --mount volume=cni,target=/etc/cni",
                "readOnly=yes is not true or false",
            ),
            (
                "--volume cni,kind=host,source=/etc/cni --mount volume=cni,target=/etc/cni,ro",
                "unknown mount option \"ro\"",
            ),
        ] {
            let got = plan_with(&d, &[("RKT_RUN_ARGS", value)]);
            if let Engine::Rkt(_) = d.engine {
                let p = got.unwrap_or_else(|e| panic!("{}: {e}", name(&d)));
                assert!(
                    p.notices
                        .iter()
                        .any(|n| n.contains(why) && n.contains("rkt refuses it and does not start")),
                    "{}: {:?}",
                    name(&d),
                    p.notices
                );
            } else {
                let e = got.err().unwrap_or_else(|| panic!("{}: {value}", name(&d)));
                assert!(e.to_string().contains(why), "{}: {e}", name(&d));
            }
        }
    }
}

#[test]
fn a_release_default_set_by_the_admin_is_the_releases() {
    // KUBELET_IMAGE_URL set to exactly the default of 2512.0.0, whose
    // default (docker://) image the release runs without verification
    let d = registry::select("2512.3.0".parse().unwrap()).parse();
    let url = d.image.default_url.clone();
    let p = plan_with(&d, &[("KUBELET_IMAGE_URL", &url)]).unwrap();
    assert!(p.trust_weakened.is_empty(), "{:?}", p.trust_weakened);
    let image = p
        .argv
        .iter()
        .find(|a| a.value.to_string_lossy().starts_with(&url))
        .unwrap();
    assert_eq!(
        image.origin.to_string(),
        "release image.default_url:$KUBELET_IMAGE_TAG"
    );
    // so is the full reference at the default location
    let p = plan_with(&d, &[("KUBELET_IMAGE", &format!("{url}:v1.18.0_coreos.0"))]).unwrap();
    assert!(p.trust_weakened.is_empty(), "{:?}", p.trust_weakened);
    // another location is the admin's choice
    let p = plan_with(&d, &[("KUBELET_IMAGE_URL", "docker://example.com/kubelet")]).unwrap();
    assert_eq!(p.trust_weakened.len(), 1);
    assert!(
        p.trust_weakened[0].starts_with("$KUBELET_IMAGE_URL:$KUBELET_IMAGE_TAG"),
        "{:?}",
        p.trust_weakened
    );
    // the program, stage1 and image arguments, set to the release's own
    let base = plan_with(&d, &[]).unwrap();
    let same = plan_with(
        &d,
        &[
            ("RKT", "/usr/bin/rkt"),
            ("RKT_STAGE1_ARG", "--stage1-from-dir=stage1-fly.aci"),
            ("KUBELET_IMAGE_ARGS", "--exec=/kubelet"),
        ],
    )
    .unwrap();
    assert_eq!(same.argv, base.argv, "same arguments, same origins");
    let other = plan_with(&d, &[("RKT", "/opt/bin/rkt")]).unwrap();
    assert_eq!(
        other.argv[0].origin,
        Origin::Variable(kubelet_wrapper::admin::Var::Rkt)
    );
}
