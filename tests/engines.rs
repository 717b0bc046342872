//! The non-rkt renderers, on the project's release 3000.0.0 (podman) and on
//! docker and systemd-nspawn variants of it built in memory (tests/variants).

mod variants;

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::engine::RenderError;
use kubelet_wrapper::plan::{self, Plan, PlanError};
use kubelet_wrapper::release::model::{Defaults, Engine};
use std::ffi::OsString;
use variants::{docker_release, nspawn_engine_only, nspawn_release, podman_release};

/// systemd-nspawn owns /run and /sys/fs/cgroup, and its binds pass no
/// mounts back to the host: the format refuses podman's volumes for those
/// (tests/variants' nspawn_release leaves them out).
#[test]
fn nspawn_refuses_what_it_owns_and_shared_volumes() {
    let d = nspawn_engine_only();
    let problems: Vec<String> = d
        .problems(Some("3000.0.0"))
        .iter()
        .map(|p| p.to_string())
        .collect();
    let at = |pred: &dyn Fn(&kubelet_wrapper::release::model::Volume) -> bool| {
        d.volumes.iter().position(pred).unwrap()
    };
    let shared = at(&|v| v.shared.is_some());
    let run = at(&|v| v.target == "/run");
    let cgroup = at(&|v| v.target == "/sys/fs/cgroup");
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!(
            "volumes[{shared}].shared: systemd-nspawn's binds do not pass mounts"
        )),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with(&format!(
            "volumes[{run}].target: systemd-nspawn mounts /run itself"
        )),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with(&format!(
            "volumes[{cgroup}].target: systemd-nspawn mounts /sys/fs/cgroup itself"
        )),
        "{problems:?}"
    );
}

fn plan_for(d: &Defaults, env: &[(&str, &str)], args: &[&str]) -> Result<Plan, PlanError> {
    let admin = AdminConfig::from_env(|k| {
        env.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| OsString::from(v))
    });
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    plan::plan(d, &admin, &args)
}

fn release(r: &str) -> Defaults {
    use kubelet_wrapper::release::{Version, registry};
    registry::lookup(Version::parse(r).unwrap())
        .unwrap()
        .parse()
}

fn argv(p: &Plan) -> Vec<String> {
    p.argv()
        .into_iter()
        .map(|a| a.into_string().unwrap())
        .collect()
}

#[test]
fn podman_release_command() {
    let p = plan_for(
        &podman_release(),
        &[("KUBELET_IMAGE_TAG", "v1.25.4")],
        &["--kubeconfig=/etc/kubernetes/kubeconfig", "a b"],
    )
    .unwrap();
    assert_eq!(p.engine, "podman");
    assert_eq!(
        argv(&p),
        [
            "/usr/bin/podman",
            "run",
            "--rm",
            "--privileged",
            "--pid=host",
            "--network=host",
            "--cgroupns=host",
            "--cgroups=split",
            "--log-driver=passthrough",
            "--sdnotify=container",
            "--name=kubelet",
            "--replace",
            "--tls-verify=true",
            "--volume=/etc/kubernetes:/etc/kubernetes:rw",
            "--volume=/var/lib/kubelet:/var/lib/kubelet:rw,rshared",
            "--volume=/var/log:/var/log:rw",
            "--volume=/usr/lib/os-release:/etc/os-release:ro",
            "--volume=/run:/run:rw",
            "--volume=/lib/modules:/lib/modules:ro",
            "--volume=/etc/machine-id:/etc/machine-id:ro",
            "--volume=/sys/fs/cgroup:/sys/fs/cgroup:rw",
            "--volume=/var/lib/containerd:/var/lib/containerd:ro",
            "--volume=/etc/cni/net.d:/etc/cni/net.d:ro",
            "--volume=/opt/cni/bin:/opt/cni/bin:ro",
            "--volume=/run/lock:/var/run/lock:rw",
            "--entrypoint=/usr/local/bin/kubelet",
            "quay.io/poseidon/kubelet:v1.25.4",
            "--kubeconfig=/etc/kubernetes/kubeconfig",
            "a b",
        ]
    );
    // podman removes a previous container itself (--replace): nothing runs before
    assert!(p.before.is_empty(), "{:?}", p.before_argv());
    assert!(p.notices.is_empty(), "{:?}", p.notices);
    assert_eq!(
        p.directories
            .iter()
            .map(|d| d.to_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "/etc/kubernetes",
            "/var/lib/kubelet",
            "/run/lock",
            "/etc/cni/net.d",
            "/opt/cni/bin"
        ]
    );
}

/// A unit written for rkt keeps working: its arguments are carried over.
#[test]
fn an_rkt_unit_on_the_podman_release() {
    let env = [
        ("KUBELET_IMAGE_URL", "docker://quay.io/poseidon/kubelet"),
        ("KUBELET_IMAGE_TAG", "v1.25.4"),
        ("KUBELET_IMAGE_ARGS", "--exec=/kubelet"),
        ("RKT_GLOBAL_ARGS", "--insecure-options=image"),
        (
            "RKT_RUN_ARGS",
            "--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume cni-bin,kind=host,source=/opt/cni/bin,readOnly=true --mount volume=cni-bin,target=/opt/cni/bin2 --volume=var-lib-calico,kind=host,source=/var/lib/calico --mount=volume=var-lib-calico,target=/var/lib/calico --hosts-entry=host --dns=host --set-env=HTTP_PROXY=http://proxy:3128",
        ),
        ("RKT_OPTS", "--net=host"),
        ("RKT", "/usr/bin/rkt"),
        ("RKT_STAGE1_ARG", "--stage1-from-dir=stage1-fly.aci"),
    ];
    let p = plan_for(&podman_release(), &env, &["--v=2"]).unwrap();
    let a = argv(&p);
    let pos = |s: &str| {
        a.iter()
            .position(|x| x == s)
            .unwrap_or_else(|| panic!("{s} missing from {a:?}"))
    };
    for s in [
        "--volume=/opt/cni/bin:/opt/cni/bin2:ro",
        "--volume=/var/lib/calico:/var/lib/calico:rw",
        "--volume=/etc/hosts:/etc/hosts:ro",
        "--volume=/etc/resolv.conf:/etc/resolv.conf:ro",
        "--env=HTTP_PROXY=http://proxy:3128",
        "--entrypoint=/kubelet",
        "docker://quay.io/poseidon/kubelet:v1.25.4",
    ] {
        pos(s);
    }
    assert!(pos("--env=HTTP_PROXY=http://proxy:3128") < pos("--entrypoint=/kubelet"));
    assert!(
        !a.iter().any(|x| x.starts_with("--cidfile")),
        "podman's --cidfile stops the next start"
    );
    assert_eq!(a.last().unwrap(), "--v=2");
    assert!(!a.iter().any(|x| x.contains("stage1")
        || x.contains("insecure-options")
        || x.contains("uuid-file-save")));
    // one notice per translated argument, plus one per ignored rkt variable
    let n = &p.notices;
    for needle in [
        "RKT is ignored",
        "RKT_STAGE1_ARG is ignored",
        "RKT_GLOBAL_ARGS: --insecure-options=image is an rkt argument: dropped",
        "RKT_RUN_ARGS: --uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid is an rkt argument: dropped, podman finds the previous kubelet container by its name",
        "RKT_RUN_ARGS: rkt argument --volume cni-bin,kind=host,source=/opt/cni/bin,readOnly=true + --mount volume=cni-bin,target=/opt/cni/bin2 translated for podman as --volume=/opt/cni/bin:/opt/cni/bin2:ro",
        "RKT_OPTS: --net=host is an rkt argument: dropped, the release already runs the kubelet in the host's network",
    ] {
        assert!(
            n.iter().any(|x| x.starts_with(needle)),
            "{needle:?} not in {n:#?}"
        );
    }
    assert_eq!(n.len(), 11, "{n:#?}");
}

#[test]
fn uuid_file_save_needs_a_release_that_removes_the_previous_container() {
    let mut d = podman_release();
    if let Engine::Podman(o) = &mut d.engine {
        o.remove_previous = false;
    }
    let e = plan_for(
        &d,
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_RUN_ARGS", "--uuid-file-save=/var/lib/x.uuid"),
        ],
        &[],
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("--cidfile would stop the next start"),
        "{e}"
    );
}

#[test]
fn untranslatable_rkt_arguments_are_refused_naming_the_engine_variable() {
    let e = plan_for(
        &podman_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_RUN_ARGS", "--net=host --private-users"),
        ],
        &[],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "RKT_RUN_ARGS: --private-users has no podman equivalent (the kubelet would run as an unprivileged user of a user namespace, where it cannot manage the node); this release runs podman: remove it from RKT_RUN_ARGS and give podman arguments in PODMAN_RUN_ARGS instead"
    );
    let e = plan_for(
        &nspawn_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_OPTS", "--uuid-file-save=/x"),
        ],
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().contains("NSPAWN_ARGS"), "{e}");
    let e = plan_for(
        &podman_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("KUBELET_IMAGE_ARGS", "--exec=/hyperkube kubelet"),
        ],
        &[],
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("KUBELET_IMAGE_ARGS: kubelet has no podman equivalent"),
        "{e}"
    );
}

#[test]
fn mounts_the_release_already_makes_are_dropped_on_podman_and_kept_on_rkt() {
    // Typhoon's worker unit of 2019 mounts what 3000.0.0 mounts itself
    let rkt = "--volume var-lib-cni,kind=host,source=/var/lib/cni --mount volume=var-lib-cni,target=/var/lib/cni \
               --volume var-log,kind=host,source=/var/log --mount volume=var-log,target=/var/log \
               --volume opt-cni-bin,kind=host,source=/opt/cni/bin,readOnly=false --mount volume=opt-cni-bin,target=/opt/cni/bin \
               --volume var-lib-calico,kind=host,source=/var/lib/calico --mount volume=var-lib-calico,target=/var/lib/calico";
    let env = [("KUBELET_IMAGE_TAG", "v1.17.0"), ("RKT_RUN_ARGS", rkt)];
    let p = plan_for(&podman_release(), &env, &[]).unwrap();
    let a = argv(&p);
    // each host path once, with the release's access
    for (path, want) in [
        ("/var/lib/cni", "--volume=/var/lib/cni:/var/lib/cni:rw"),
        ("/var/log", "--volume=/var/log:/var/log:rw"),
        ("/opt/cni/bin", "--volume=/opt/cni/bin:/opt/cni/bin:ro"),
        (
            "/var/lib/calico",
            "--volume=/var/lib/calico:/var/lib/calico:rw",
        ),
    ] {
        let at: Vec<&String> = a
            .iter()
            .filter(|x| x.starts_with(&format!("--volume={path}:")))
            .collect();
        assert_eq!(at, [want], "{a:?}");
    }
    let dropped: Vec<&String> = p
        .notices
        .iter()
        .filter(|n| n.contains(": dropped, the release already mounts"))
        .collect();
    // those of the four that the release mounts itself at the same target
    let redundant = [
        "/var/lib/cni",
        "/var/log",
        "/opt/cni/bin",
        "/var/lib/calico",
    ]
    .iter()
    .filter(|p| {
        podman_release()
            .volumes
            .iter()
            .any(|v| v.source == **p && v.target == **p)
    })
    .count();
    assert_eq!(dropped.len(), redundant, "{:#?}", p.notices);
    // whatever the access asked, the release's is used: a note that names
    // both
    assert!(p.notes.iter().any(|n| n.contains("/var/log")));
    let bin = p
        .notices
        .iter()
        .find(|n| n.contains("/opt/cni/bin at"))
        .unwrap();
    assert!(
        bin.contains("the unit asks for read-write, the release mounts it read-only"),
        "{bin}"
    );
    assert!(p.notes.contains(bin));

    // the same mounts in PODMAN_RUN_ARGS, in podman's own words
    let p = plan_for(
        &podman_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1.17.0"),
            (
                "PODMAN_RUN_ARGS",
                "-v /etc/cni/net.d:/etc/cni/net.d --volume=/var/log/:/var/log:ro --privileged",
            ),
        ],
        &[],
    )
    .unwrap();
    let a = argv(&p);
    assert!(
        !a.iter().any(|x| x == "-v"
            || x == "/etc/cni/net.d:/etc/cni/net.d"
            || x == "--volume=/var/log/:/var/log:ro"),
        "{a:?}"
    );
    assert_eq!(
        a.iter().filter(|x| *x == "--privileged").count(),
        2,
        "the rest stays: {a:?}"
    );
    assert_eq!(
        p.notices
            .iter()
            .filter(|n| n.contains("dropped, the release already mounts"))
            .count(),
        2,
        "{:#?}",
        p.notices
    );

    // on rkt the command stays the script's, with a note
    let r = release("2512.3.0");
    let p = plan_for(&r, &env, &[]).unwrap();
    assert!(
        argv(&p)
            .iter()
            .any(|x| x == "var-log,kind=host,source=/var/log")
    );
    assert!(
        p.notices.iter().any(|n| n.starts_with("RKT_RUN_ARGS: the admin mount --mount volume=var-log,target=/var/log repeats what the release mounts")),
        "{:#?}",
        p.notices
    );
}

#[test]
fn another_host_path_at_or_below_a_release_target_is_refused_and_every_problem_at_once() {
    let e = plan_for(
        &podman_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1.17.0"),
            (
                "RKT_RUN_ARGS",
                "--volume k,kind=host,source=/srv/k --mount volume=k,target=/var/lib/kubelet/plugins --private-users --no-such",
            ),
            ("PODMAN_RUN_ARGS", "-v /srv/log:/var/log"),
        ],
        &[],
    )
    .unwrap_err();
    let each: Vec<String> = e.each().iter().map(|e| e.to_string()).collect();
    assert_eq!(each.len(), 4, "{each:#?}");
    assert!(each.iter().any(|m| m.contains("targets a path inside /var/lib/kubelet, where the release mounts the system volume var-lib-kubelet")), "{each:#?}");
    assert!(
        each.iter()
            .any(|m| m.contains("-v /srv/log:/var/log targets /var/log, where")),
        "{each:#?}"
    );
    assert!(
        each.iter().any(|m| m.contains("--private-users")),
        "{each:#?}"
    );
    assert!(each.iter().any(|m| m.contains("--no-such")), "{each:#?}");
    for e in e.each() {
        assert!(!e.fix().is_empty(), "{e}");
    }
}

#[test]
fn engine_escape_hatches_and_program() {
    let env = [
        ("KUBELET_IMAGE", "localhost/kubelet:test"),
        ("PODMAN", "/usr/bin/podman --runtime /usr/sbin/runc"),
        ("PODMAN_RUN_ARGS", "--ulimit nofile=1024:1024"),
        ("NSPAWN_ARGS", "--capability=all"),
    ];
    let p = plan_for(&podman_release(), &env, &[]).unwrap();
    let a = argv(&p);
    assert_eq!(
        &a[..4],
        ["/usr/bin/podman", "--runtime", "/usr/sbin/runc", "run"]
    );
    let i = a.iter().position(|x| x == "--ulimit").unwrap();
    assert_eq!(a[i + 1], "nofile=1024:1024");
    assert!(
        i < a
            .iter()
            .position(|x| x.starts_with("--volume=/etc/kubernetes"))
            .unwrap()
    );
    assert!(a.iter().any(|x| x == "--replace"), "{a:?}");
    assert!(p.before.is_empty());
    assert_eq!(
        p.notices,
        ["NSPAWN_ARGS is ignored: this release runs podman"]
    );
}

/// The docker release: `docker run` with the release's flags, each volume
/// a `--mount` bind (which docker refuses for a missing host path, where
/// `--volume` would make an empty directory), read-only and rshared
/// exactly where the release says; the previous container removed by a
/// `docker rm --force` first; no trust arguments (docker has none per run).
#[test]
fn docker_release_command() {
    let d = docker_release();
    let Engine::Docker(o) = &d.engine else {
        unreachable!()
    };
    let p = plan_for(
        &d,
        &[("KUBELET_IMAGE_TAG", "v1.36.1")],
        &["--kubeconfig=/var/lib/kubelet/kubeconfig", "a b"],
    )
    .unwrap();
    assert_eq!(p.engine, "docker");
    let mut want: Vec<String> = vec![o.program.clone(), "run".into()];
    want.extend(o.run_flags.iter().cloned());
    want.push(format!("--name={}", o.container_name));
    for v in &d.volumes {
        let mut m = format!("--mount=type=bind,source={},target={}", v.source, v.target);
        if v.read_only {
            m.push_str(",readonly");
        }
        if v.recursive {
            m.push_str(",bind-propagation=rshared");
        }
        want.push(m);
    }
    want.push(format!("--entrypoint={}", o.command));
    want.push(format!("{}:v1.36.1", d.image.default_url));
    want.extend([
        "--kubeconfig=/var/lib/kubelet/kubeconfig".into(),
        "a b".into(),
    ]);
    assert_eq!(argv(&p), want);
    assert!(!argv(&p).iter().any(|a| a.starts_with("--volume")));
    let before: Vec<Vec<String>> = p
        .before_argv()
        .into_iter()
        .map(|c| c.into_iter().map(|a| a.into_string().unwrap()).collect())
        .collect();
    assert_eq!(
        before,
        [[
            o.program.as_str(),
            "rm",
            "--force",
            o.container_name.as_str()
        ]]
    );
    assert!(p.notices.is_empty(), "{:?}", p.notices);
    // the trust rule adds nothing and says where verification is decided
    let t = p.trust.as_ref().expect("a trust rule applies");
    assert_eq!(
        t.policy,
        kubelet_wrapper::release::model::TrustPolicy::Engine
    );
    assert!(
        t.description.contains("/etc/docker/daemon.json")
            && t.description.contains("DOCKER_CONTENT_TRUST"),
        "{}",
        t.description
    );
}

/// docker splits each field of a --mount value at its first '=': a path
/// with one goes as it is (quoting as CSV is for quotes, commas and line
/// breaks, which no release or rkt path can hold: src/engine/oci.rs).
#[test]
fn docker_mount_values_keep_their_equals_signs() {
    let d = docker_release();
    let p = plan_for(
        &d,
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            (
                "RKT_RUN_ARGS",
                "--volume x,kind=host,source=/srv/a=b --mount volume=x,target=/srv/c",
            ),
        ],
        &[],
    )
    .unwrap();
    assert!(
        argv(&p).contains(&"--mount=type=bind,source=/srv/a=b,target=/srv/c".to_string()),
        "{:?}",
        argv(&p)
    );
}

/// Units written for rkt on the docker release: their arguments carried
/// over as for podman, in docker's terms; `docker://` images (rkt's
/// scheme, which docker refuses) given without it; what docker cannot do
/// per run refused naming DOCKER_RUN_ARGS.
#[test]
fn an_rkt_unit_on_the_docker_release() {
    let env = [
        ("KUBELET_IMAGE_URL", "docker://k8s.gcr.io/hyperkube"),
        ("KUBELET_IMAGE_TAG", "v1.17.0"),
        ("KUBELET_IMAGE_ARGS", "--exec=/usr/local/bin/kubelet"),
        (
            "RKT_RUN_ARGS",
            "--uuid-file-save=/var/cache/kubelet-pod.uuid --volume=resolv,kind=host,source=/etc/resolv.conf --mount volume=resolv,target=/etc/resolv.conf --volume var-lib-calico,kind=host,source=/var/lib/calico --mount volume=var-lib-calico,target=/var/lib/calico --volume iscsiadm,kind=host,source=/usr/sbin/iscsiadm --mount volume=iscsiadm,target=/sbin/iscsiadm --hosts-entry=host --set-env=HTTP_PROXY=http://proxy:3128 --insecure-options=image",
        ),
        ("RKT_OPTS", "--net=host"),
    ];
    let p = plan_for(&docker_release(), &env, &["--v=2"]).unwrap();
    let a = argv(&p);
    let pos = |s: &str| {
        a.iter()
            .position(|x| x == s)
            .unwrap_or_else(|| panic!("{s} missing from {a:?}"))
    };
    for s in [
        "--mount=type=bind,source=/etc/resolv.conf,target=/etc/resolv.conf",
        "--mount=type=bind,source=/var/lib/calico,target=/var/lib/calico",
        "--mount=type=bind,source=/usr/sbin/iscsiadm,target=/sbin/iscsiadm",
        "--mount=type=bind,source=/etc/hosts,target=/etc/hosts,readonly",
        "--env=HTTP_PROXY=http://proxy:3128",
        "--network=host",
        "--entrypoint=/usr/local/bin/kubelet",
        "k8s.gcr.io/hyperkube:v1.17.0",
    ] {
        pos(s);
    }
    assert!(!a.iter().any(|x| x.contains("docker://")
        || x.contains("--volume")
        || x.contains("insecure-options")
        || x.contains("uuid-file")
        || x.contains("cidfile")));
    assert_eq!(a.last().unwrap(), "--v=2");
    let n = &p.notices;
    for needle in [
        "RKT_RUN_ARGS: --uuid-file-save=/var/cache/kubelet-pod.uuid is an rkt argument: dropped, docker finds the previous kubelet container by its name",
        "RKT_RUN_ARGS: --insecure-options=image is an rkt argument: dropped, docker has no per-run verification switch",
        "RKT_RUN_ARGS: rkt argument --volume=resolv,kind=host,source=/etc/resolv.conf + --mount volume=resolv,target=/etc/resolv.conf translated for docker as --mount=type=bind,source=/etc/resolv.conf,target=/etc/resolv.conf",
        "KUBELET_IMAGE_URL:KUBELET_IMAGE_TAG: docker takes image references without rkt's docker:// scheme: docker://k8s.gcr.io/hyperkube:v1.17.0 is given to docker as k8s.gcr.io/hyperkube:v1.17.0",
    ] {
        assert!(
            n.iter().any(|x| x.starts_with(needle)),
            "{needle:?} not in {n:#?}"
        );
    }
    // what docker decides in its daemon, not per run
    let e = plan_for(
        &docker_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("RKT_RUN_ARGS", "--insecure-options=http"),
        ],
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().contains("DOCKER_RUN_ARGS"), "{e}");
    // a unit that switches off content trust is told so
    let p = plan_for(
        &docker_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("DOCKER_RUN_ARGS", "--disable-content-trust"),
        ],
        &[],
    )
    .unwrap();
    assert!(
        p.trust_weakened.iter().any(|w| w.starts_with(
            "DOCKER_RUN_ARGS: --disable-content-trust switches off Docker Content Trust"
        )),
        "{:?}",
        p.trust_weakened
    );
}

#[test]
fn nspawn_variant() {
    let p = plan_for(
        &nspawn_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1.25.4"),
            (
                "RKT_RUN_ARGS",
                "--set-env=A=B --volume x,kind=host,source=/srv --mount volume=x,target=/srv",
            ),
        ],
        &["--", "x"],
    )
    .unwrap();
    let a = argv(&p);
    assert_eq!(
        a,
        [
            "/usr/bin/systemd-nspawn",
            "--quiet",
            "--register=no",
            "--keep-unit",
            "--setenv=A=B",
            "--bind=/srv:/srv",
            "--bind=/etc/kubernetes:/etc/kubernetes",
            "--bind=/var/lib/kubelet:/var/lib/kubelet",
            "--bind=/var/log:/var/log",
            "--bind-ro=/usr/lib/os-release:/etc/os-release",
            "--bind-ro=/lib/modules:/lib/modules",
            "--bind-ro=/etc/machine-id:/etc/machine-id",
            "--bind-ro=/var/lib/containerd:/var/lib/containerd",
            "--bind-ro=/etc/cni/net.d:/etc/cni/net.d",
            "--bind-ro=/opt/cni/bin:/opt/cni/bin",
            "--bind=/run/lock:/var/run/lock",
            "--directory=/var/lib/machines/kubelet/v1.25.4",
            "--",
            "/usr/local/bin/kubelet",
            "--",
            "x",
        ]
    );
    assert!(p.trust.is_none() && p.before.is_empty());
    let p = plan_for(
        &nspawn_release(),
        &[("KUBELET_IMAGE", "/var/lib/machines/kubelet.raw")],
        &[],
    )
    .unwrap();
    assert!(argv(&p).contains(&"--image=/var/lib/machines/kubelet.raw".to_string()));
    let e = plan_for(
        &nspawn_release(),
        &[("KUBELET_IMAGE", "quay.io/poseidon/kubelet:v1")],
        &[],
    )
    .unwrap_err();
    assert!(
        matches!(e, PlanError::Render(RenderError::LocalImage { .. })),
        "{e}"
    );
    let e = plan_for(&nspawn_release(), &[("KUBELET_IMAGE", "/a b")], &[]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("KUBELET_IMAGE: \"/a b\" is not a valid machine path"),
        "{e}"
    );
}

#[test]
fn a_release_can_demand_digests() {
    let mut d = podman_release();
    if let Engine::Podman(o) = &mut d.engine {
        o.require_digest = true;
    }
    let e = plan_for(&d, &[("KUBELET_IMAGE_TAG", "v1.25.4")], &[]).unwrap_err();
    assert!(e.to_string().contains("is not pinned by digest"), "{e}");
    let digest = format!("quay.io/poseidon/kubelet@sha256:{}", "a".repeat(64));
    assert!(plan_for(&d, &[("KUBELET_IMAGE", digest.as_str())], &[]).is_ok());
}

/// Whatever the engine and the admin's settings: every system volume is in
/// the command exactly once, and the kubelet's flags end it unchanged.
#[test]
fn system_volumes_and_kubelet_flags_survive_every_engine() {
    let args = ["--a", "", "b c", "--"];
    for d in [podman_release(), docker_release(), nspawn_release()] {
        let image = if matches!(d.engine, Engine::SystemdNspawn(_)) {
            "/var/lib/machines/k"
        } else {
            "localhost/k@sha256:0123456789abcdef0123456789abcdef"
        };
        let configs: [&[(&str, &str)]; 3] = [
            &[("KUBELET_IMAGE_TAG", "v1")],
            &[
                ("KUBELET_IMAGE", image),
                ("PODMAN_RUN_ARGS", "--volume=/x:/y"),
                ("NSPAWN_ARGS", "--bind=/x:/y"),
                ("RKT_RUN_ARGS", "--set-env=A=B"),
            ],
            &[
                ("KUBELET_IMAGE_TAG", "v2"),
                ("RKT_OPTS", "--net=host --dns=host"),
            ],
        ];
        for env in configs {
            let p = plan_for(&d, env, &args)
                .unwrap_or_else(|e| panic!("{} {env:?}: {e}", d.engine.name()));
            let a = argv(&p);
            assert_eq!(&a[a.len() - 4..], args, "{} {env:?}", d.engine.name());
            for v in &d.volumes {
                // podman's and nspawn's SOURCE:TARGET, docker's --mount fields
                let n = a
                    .iter()
                    .filter(|x| {
                        x.contains(&format!("{}:{}", v.source, v.target))
                            || x.contains(&format!("source={},target={}", v.source, v.target))
                    })
                    .count();
                assert_eq!(n, 1, "{} {env:?}: {}", d.engine.name(), v.name);
            }
        }
    }
}

/// On docker too, a mount the release already makes is dropped with a
/// note, in rkt's words and in docker's own (`-v`, `--mount`); the
/// release's `--mount` is the one docker gets.
#[test]
fn mounts_the_release_already_makes_are_dropped_on_docker() {
    let d = docker_release();
    let p = plan_for(
        &d,
        &[
            ("KUBELET_IMAGE_TAG", "v1.17.0"),
            (
                "RKT_RUN_ARGS",
                "--volume var-log,kind=host,source=/var/log --mount volume=var-log,target=/var/log",
            ),
            (
                "DOCKER_RUN_ARGS",
                "-v /etc/cni/net.d:/etc/cni/net.d:ro --mount type=bind,source=/run,target=/run --privileged",
            ),
        ],
        &[],
    )
    .unwrap();
    let a = argv(&p);
    for target in ["/var/log", "/etc/cni/net.d", "/run"] {
        let n = a
            .iter()
            .filter(|x| {
                x.contains(&format!("target={target}")) || x.ends_with(&format!(":{target}:ro"))
            })
            .count();
        assert_eq!(n, 1, "{target}: {a:?}");
    }
    assert!(!a.iter().any(|x| x == "-v" || x == "--mount"), "{a:?}");
    assert_eq!(
        p.notes
            .iter()
            .filter(|n| n.contains("dropped, the release already mounts"))
            .count(),
        3,
        "{:#?}",
        p.notes
    );
}

/// The option tables that PODMAN_RUN_ARGS and DOCKER_RUN_ARGS are read
/// with are the engines' own: every option `run --help` of the installed
/// podman 4.3 and docker 20.10 lists is in the table with the same short
/// name and the same need of a value (tests/run.sh installs both).
#[test]
fn option_tables_are_the_installed_engines() {
    use kubelet_wrapper::engine::oci_flags::Dialect;
    for (program, dialect, version) in [
        ("/usr/bin/podman", Dialect::Podman, "podman version 4.3."),
        ("/usr/bin/docker", Dialect::Docker, "Docker version 20.10."),
    ] {
        let v = std::process::Command::new(program)
            .arg("--version")
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e} (tests/run.sh installs it)"));
        let v = String::from_utf8_lossy(&v.stdout);
        assert!(
            v.starts_with(version),
            "{program} is {v}, the table is for {version}"
        );
        let help = std::process::Command::new(program)
            .args(["run", "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        let mut seen = 0;
        for line in help.lines() {
            let t = line.trim_start();
            let (short, rest) = match t.strip_prefix('-') {
                Some(r) if !r.starts_with('-') => (r.bytes().next(), &t[4..]),
                Some(_) => (None, t),
                None => continue,
            };
            let Some(rest) = rest.strip_prefix("--") else {
                continue;
            };
            let name = rest.split(' ').next().unwrap();
            // pflag prints a value's type after the name, none for a switch
            let value =
                rest[name.len()..].starts_with(' ') && !rest[name.len()..].starts_with("  ");
            let opt = dialect
                .long(name.as_bytes())
                .unwrap_or_else(|| panic!("{program} run --{name} is not in the table"));
            assert_eq!(opt.long, name, "{program} run --{name}");
            assert_eq!(opt.short, short, "{program} run --{name}");
            assert_eq!(opt.value, value, "{program} run --{name}: {line}");
            seen += 1;
        }
        assert!(seen > 80, "{program} run --help listed only {seen} options");
    }
}

/// The release's unit integration: the arguments podman's own units give a
/// container, `--detach` only where the unit waits for readiness (a unit
/// that does not, Type=simple, would lose its main process with it).
#[test]
fn podman_fits_the_container_into_its_unit() {
    let tag = ("KUBELET_IMAGE_TAG", "v1.25.4");
    let integration = [
        "--cgroups=split",
        "--log-driver=passthrough",
        "--sdnotify=container",
    ];
    let simple = plan_for(&podman_release(), &[tag], &[]).unwrap();
    let notify = plan_for(
        &podman_release(),
        &[tag, ("NOTIFY_SOCKET", "/run/systemd/notify")],
        &[],
    )
    .unwrap();
    for (p, detached) in [(&simple, false), (&notify, true)] {
        let a = argv(p);
        // right after the release's run flags, before the name
        let at = a.iter().position(|x| x == "--cgroupns=host").unwrap() + 1;
        assert_eq!(a[at..at + 3], integration, "{a:?}");
        assert_eq!(a[at + 3] == "--detach", detached, "{a:?}");
        assert_eq!(
            a.iter().filter(|x| *x == "--detach").count(),
            usize::from(detached)
        );
        assert!(p.notices.is_empty(), "{:?}", p.notices);
    }
    // an empty NOTIFY_SOCKET is no socket
    let empty = plan_for(&podman_release(), &[tag, ("NOTIFY_SOCKET", "")], &[]).unwrap();
    assert_eq!(argv(&empty), argv(&simple));
    // without the fields, podman's defaults: none of it
    let mut plain = podman_release();
    let Engine::Podman(o) = &mut plain.engine else {
        unreachable!()
    };
    (o.cgroup, o.log, o.notify) = (None, None, None);
    let p = plan_for(
        &plain,
        &[tag, ("NOTIFY_SOCKET", "/run/systemd/notify")],
        &[],
    )
    .unwrap();
    let a = argv(&p);
    for f in integration.iter().chain(&["--detach"]) {
        assert!(!a.iter().any(|x| x == f), "{f} in {a:?}");
    }
}

/// An admin argument that undoes the release's integration takes effect
/// (the engine takes the last of a repeated flag), with one notice each
/// saying what it costs.
#[test]
fn admin_arguments_that_undo_the_unit_integration_are_named() {
    let p = plan_for(
        &podman_release(),
        &[
            ("KUBELET_IMAGE_TAG", "v1.25.4"),
            (
                "PODMAN_RUN_ARGS",
                "--log-driver=journald --cgroup-parent=/k --sdnotify=conmon --ulimit nofile=1024:1024",
            ),
        ],
        &[],
    )
    .unwrap();
    assert_eq!(
        p.notices,
        [
            "PODMAN_RUN_ARGS: --log-driver=journald replaces the release's --log-driver=passthrough: the engine's log driver and the attached client both write the kubelet's lines to the journal",
            "PODMAN_RUN_ARGS: --cgroup-parent=/k replaces the release's --cgroups=split: the kubelet leaves the unit's cgroup, out of reach of its limits and of its stop",
            "PODMAN_RUN_ARGS: --sdnotify=conmon replaces the release's --sdnotify=container: systemd no longer hears the kubelet's own readiness",
        ]
    );
    let a = argv(&p);
    let last_log = a
        .iter()
        .rposition(|x| x.starts_with("--log-driver"))
        .unwrap();
    assert_eq!(a[last_log], "--log-driver=journald");
}

/// What the format accepts of the unit integration: podman only, and no
/// release-fixed run flag that undoes it or detaches the client.
#[test]
fn the_unit_integration_is_checked() {
    let problems = |d: &Defaults| -> Vec<String> {
        d.problems(Some(&d.release))
            .iter()
            .map(|p| p.to_string())
            .collect()
    };
    // docker cannot: each field named
    let mut docker = docker_release();
    let Engine::Docker(o) = &mut docker.engine else {
        unreachable!()
    };
    o.cgroup = Some(kubelet_wrapper::release::model::Cgroup::Unit);
    o.log = Some(kubelet_wrapper::release::model::Log::Unit);
    o.notify = Some(kubelet_wrapper::release::model::Notify::Kubelet);
    let p = problems(&docker);
    assert_eq!(p.len(), 3, "{p:?}");
    for (field, why) in [
        ("cgroup", "in the daemon's cgroups"),
        ("log", "write through its daemon"),
        ("notify", "no sd_notify"),
    ] {
        assert!(
            p.iter()
                .any(|x| x.starts_with(&format!("engine.docker.{field}: "))
                    && x.contains("is not possible on docker")
                    && x.contains(why)),
            "{field}: {p:?}"
        );
    }
    // run flags against the fields, and a detached client on any release
    for (flag, expected) in [
        ("-d", "makes the client leave once the container runs"),
        (
            "--detach=true",
            "makes the client leave once the container runs",
        ),
        ("--cgroups=enabled", "contradicts cgroup \"unit\""),
        ("--cgroup-parent=/kubelet", "contradicts cgroup \"unit\""),
        ("--log-driver=journald", "contradicts log \"unit\""),
        ("--tty", "cannot have a terminal"),
        ("--sdnotify=conmon", "contradicts notify \"kubelet\""),
    ] {
        let mut d = podman_release();
        let Engine::Podman(o) = &mut d.engine else {
            unreachable!()
        };
        o.run_flags.push(flag.into());
        let i = o.run_flags.len() - 1;
        let p = problems(&d);
        assert_eq!(p.len(), 1, "{flag}: {p:?}");
        assert!(
            p[0].starts_with(&format!("engine.podman.run_flags[{i}]: {flag}"))
                && p[0].contains(expected),
            "{flag}: {p:?}"
        );
    }
    // without the fields, the same flags are the release's own business
    let mut d = podman_release();
    let Engine::Podman(o) = &mut d.engine else {
        unreachable!()
    };
    (o.cgroup, o.log, o.notify) = (None, None, None);
    o.run_flags
        .extend(["--log-driver=journald".into(), "--detach=false".into()]);
    assert_eq!(problems(&d), Vec::<String>::new());
}
