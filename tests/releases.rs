//! Every CoreOS release that shipped the wrapper (tests/data/coreos-releases.tsv,
//! 405 rows): the selection rule picks the expected file, and for a range of
//! admin configurations the plan equals what the original script produced.
//!
//! The expected commands come from `reference`, a transcription of the spec's
//! sections 2 to 4 written as straight-line code per historical layer. It does
//! not read defaults/: a mistake in a release file or in the renderer shows up
//! as a difference between the two.

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::plan::{self, PlanError};
use kubelet_wrapper::release::model::ReleaseOrigin;
use kubelet_wrapper::release::registry;
use kubelet_wrapper::release::version::{self, Version};
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

struct Row {
    release: Version,
    behaves_as: String,
    defaults_file: Version,
}

fn rows() -> Vec<Row> {
    let text = include_str!("data/coreos-releases.tsv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("release\tbehaves_as\tdefaults_file"));
    let rows: Vec<Row> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{l}");
            Row {
                release: f[0].parse().unwrap(),
                behaves_as: f[1].to_string(),
                defaults_file: f[2].parse().unwrap(),
            }
        })
        .collect();
    assert_eq!(rows.len(), 405);
    rows
}

// ---------------------------------------------------------------------------
// The reference: spec sections 2-4, layer by layer.

/// One historical layer, from the spec's section 4.
struct Layer {
    volumes: Vec<(String, &'static str, &'static str, bool, bool)>,
    stage1: &'static str,
    read_only_written: bool,
    trust_always: bool,
    docker_insecure: bool,
    hosts_entry: bool,
    default_url: &'static str,
}

fn layer(name: &str) -> Layer {
    let v = |n: &str, s: &'static str, t: &'static str, ro: bool| (n.to_string(), s, t, ro, false);
    let old = matches!(name, "960.0.0" | "1025.0.0" | "1047.0.0");
    let mut vols = if old {
        let mut l = vec![
            v(
                "etc-kubernetes",
                "/etc/kubernetes",
                "/etc/kubernetes",
                false,
            ),
            v(
                "etc-ssl-certs",
                "/usr/share/ca-certificates",
                "/etc/ssl/certs",
                false,
            ),
            v(
                "var-lib-docker",
                "/var/lib/docker",
                "/var/lib/docker",
                false,
            ),
            v(
                "var-lib-kubelet",
                "/var/lib/kubelet",
                "/var/lib/kubelet",
                false,
            ),
        ];
        if name != "960.0.0" {
            l.push(v(
                "os-release",
                "/usr/lib/os-release",
                "/etc/os-release",
                false,
            ));
        }
        l.push(v("run", "/run", "/run", false));
        l
    } else {
        let var_log = matches!(
            name,
            "1353.0.0"
                | "1381.0.0"
                | "1423.0.0"
                | "1451.0.0"
                | "1576.0.0"
                | "1758.0.0"
                | "2512.0.0"
        );
        let recursive = !matches!(name, "1207.0.0" | "1353.0.0" | "1353.6.0");
        let mut l = vec![
            v(
                "etc-kubernetes",
                "/etc/kubernetes",
                "/etc/kubernetes",
                false,
            ),
            v("etc-ssl-certs", "/etc/ssl/certs", "/etc/ssl/certs", true),
            v(
                "usr-share-certs",
                "/usr/share/ca-certificates",
                "/usr/share/ca-certificates",
                true,
            ),
            v(
                "var-lib-docker",
                "/var/lib/docker",
                "/var/lib/docker",
                false,
            ),
            (
                "var-lib-kubelet".to_string(),
                "/var/lib/kubelet",
                "/var/lib/kubelet",
                false,
                recursive,
            ),
        ];
        if var_log {
            l.push(v("var-log", "/var/log", "/var/log", false));
        }
        l.push(v(
            "os-release",
            "/usr/lib/os-release",
            "/etc/os-release",
            true,
        ));
        l.push(v("run", "/run", "/run", false));
        l
    };
    let major: u32 = name.split('.').next().unwrap().parse().unwrap();
    if major >= 1423 {
        for vol in &mut vols {
            vol.0 = format!("coreos-{}", vol.0);
        }
    }
    if major >= 1451 {
        vols.push(v(
            "coreos-lib-modules",
            "/lib/modules",
            "/lib/modules",
            true,
        ));
    }
    if major >= 1758 {
        vols.push(v(
            "coreos-etc-machine-id",
            "/etc/machine-id",
            "/etc/machine-id",
            true,
        ));
    }
    Layer {
        volumes: vols,
        stage1: if matches!(name, "960.0.0" | "1025.0.0") {
            "--stage1-path=/usr/share/rkt/stage1-fly.aci"
        } else {
            "--stage1-from-dir=stage1-fly.aci"
        },
        read_only_written: !old,
        trust_always: old,
        docker_insecure: major >= 2512,
        hosts_entry: major >= 1576,
        default_url: if major >= 2512 {
            "docker://quay.io/coreos/hyperkube"
        } else {
            "quay.io/coreos/hyperkube"
        },
    }
}

type Env = HashMap<&'static str, Vec<u8>>;

/// Split like an unquoted shell expansion with the default IFS.
fn words(s: &[u8]) -> Vec<Vec<u8>> {
    s.split(|b| b" \t\n".contains(b))
        .filter(|w| !w.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The original's `${VAR:-default}`: empty counts as unset.
fn get(env: &Env, k: &str) -> Option<Vec<u8>> {
    env.get(k).filter(|v| !v.is_empty()).cloned()
}

/// What the original ran for `layer`, or None where it stopped with
/// "One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set".
fn reference(layer: &Layer, env: &Env, args: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let tag = get(env, "KUBELET_IMAGE_TAG").or_else(|| get(env, "KUBELET_VERSION"));
    let image = match get(env, "KUBELET_IMAGE") {
        Some(i) => i,
        None => {
            let url = get(env, "KUBELET_IMAGE_URL")
                .or_else(|| get(env, "KUBELET_ACI"))
                .unwrap_or_else(|| layer.default_url.as_bytes().to_vec());
            [url, b":".to_vec(), tag?].concat()
        }
    };
    let before_slash = image.split(|&b| b == b'/').next().unwrap().to_vec();
    let mut trust: Vec<Vec<u8>> = vec![];
    if layer.trust_always || before_slash == b"quay.io" {
        trust.push(b"--trust-keys-from-https".to_vec());
    } else if layer.docker_insecure && before_slash == b"docker:" {
        trust.push(b"--insecure-options=image".to_vec());
    }
    let var_or = |k: &str, d: &str| words(&get(env, k).unwrap_or_else(|| d.as_bytes().to_vec()));
    let var = |k: &str| words(&get(env, k).unwrap_or_default());
    let mut argv = var_or("RKT", "/usr/bin/rkt");
    argv.extend(var("RKT_GLOBAL_ARGS"));
    argv.push(b"run".to_vec());
    argv.extend(var("RKT_RUN_ARGS"));
    argv.extend(var("RKT_OPTS"));
    argv.extend(trust);
    for (name, src, _, ro, rec) in &layer.volumes {
        argv.push(b"--volume".to_vec());
        let mut s = format!("{name},kind=host,source={src}");
        if layer.read_only_written {
            s += &format!(",readOnly={ro}");
        }
        if *rec {
            s += ",recursive=true";
        }
        argv.push(s.into_bytes());
    }
    for (name, _, dst, _, _) in &layer.volumes {
        argv.push(b"--mount".to_vec());
        argv.push(format!("volume={name},target={dst}").into_bytes());
    }
    if layer.hosts_entry {
        argv.push(b"--hosts-entry".to_vec());
        argv.push(b"host".to_vec());
    }
    argv.extend(var_or("RKT_STAGE1_ARG", layer.stage1));
    argv.extend(words(&image));
    argv.extend(var_or("KUBELET_IMAGE_ARGS", "--exec=/kubelet"));
    argv.push(b"--".to_vec());
    argv.extend(args.iter().cloned());
    Some(argv)
}

const DIRECTORIES: [&str; 4] = [
    "/etc/kubernetes",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/run/kubelet",
];

// ---------------------------------------------------------------------------
// Admin configurations

struct Case {
    name: &'static str,
    env: Env,
    args: Vec<Vec<u8>>,
}

fn env(pairs: &[(&'static str, &[u8])]) -> Env {
    pairs.iter().map(|(k, v)| (*k, v.to_vec())).collect()
}

fn cases() -> Vec<Case> {
    let typical: Vec<Vec<u8>> = [
        "--api-servers=https://10.0.0.1",
        "--register-schedulable=false",
        "--cni-conf-dir=/etc/kubernetes/cni/net.d",
        "--network-plugin=cni",
        "--container-runtime=docker",
        "--allow-privileged=true",
        "--pod-manifest-path=/etc/kubernetes/manifests",
        "--hostname-override=10.0.0.2",
        "--cluster_dns=10.3.0.10",
        "--cluster_domain=cluster.local",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let odd: Vec<Vec<u8>> = vec![
        b"kubelet".to_vec(),
        b"--flag=with space".to_vec(),
        b"".to_vec(),
        b"*".to_vec(),
        b"multi\nline".to_vec(),
        b"--".to_vec(),
        b"\xff\xfenot-utf8".to_vec(),
        b"'quoted'".to_vec(),
        b"$HOME".to_vec(),
        b"  ".to_vec(),
    ];
    vec![
        Case { name: "plain tag", env: env(&[("KUBELET_IMAGE_TAG", b"v1.18.0_coreos.0")]), args: typical.clone() },
        Case { name: "no kubelet flags", env: env(&[("KUBELET_IMAGE_TAG", b"v1.5.4_coreos.0")]), args: vec![] },
        Case { name: "odd kubelet flags", env: env(&[("KUBELET_IMAGE_TAG", b"v1.18.0")]), args: odd.clone() },
        Case {
            name: "deprecated variables",
            env: env(&[
                ("KUBELET_VERSION", b"v1.2.4_coreos.1"),
                ("KUBELET_ACI", b"quay.io/me/hyperkube"),
                ("RKT_OPTS", b"--volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf"),
            ]),
            args: typical.clone(),
        },
        Case {
            name: "new names win over deprecated ones",
            env: env(&[
                ("KUBELET_IMAGE_TAG", b"v1.9.0"),
                ("KUBELET_VERSION", b"v1.2.4"),
                ("KUBELET_IMAGE_URL", b"docker://gcr.io/google_containers/hyperkube"),
                ("KUBELET_ACI", b"quay.io/old/hyperkube"),
            ]),
            args: typical.clone(),
        },
        Case {
            name: "every variable set",
            env: env(&[
                ("KUBELET_IMAGE_TAG", b"v1.10.0"),
                ("KUBELET_VERSION", b"v1.2.0"),
                ("KUBELET_IMAGE_URL", b"quay.io/coreos/hyperkube"),
                ("KUBELET_ACI", b"quay.io/old/hyperkube"),
                ("KUBELET_IMAGE", b"quay.io/me/kubelet:v9 --extra"),
                ("KUBELET_IMAGE_ARGS", b"--exec=/hyperkube\tkubelet"),
                ("RKT_RUN_ARGS", b"--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --net=host\n--dns=host"),
                ("RKT_OPTS", b"--set-env=A=B"),
                ("RKT_GLOBAL_ARGS", b"--insecure-options=image --debug"),
                ("RKT_STAGE1_ARG", b"--stage1-name=coreos.com/rkt/stage1-fly:1.30.0"),
                ("RKT", b"/opt/bin/rkt --dir=/var/lib/rkt"),
            ]),
            args: odd.clone(),
        },
        Case {
            name: "empty values count as unset",
            env: env(&[
                ("KUBELET_IMAGE_TAG", b""),
                ("KUBELET_VERSION", b"v1.6.0"),
                ("KUBELET_IMAGE_URL", b""),
                ("KUBELET_ACI", b""),
                ("KUBELET_IMAGE", b""),
                ("KUBELET_IMAGE_ARGS", b""),
                ("RKT_RUN_ARGS", b""),
                ("RKT_OPTS", b""),
                ("RKT_GLOBAL_ARGS", b""),
                ("RKT_STAGE1_ARG", b""),
                ("RKT", b""),
            ]),
            args: typical.clone(),
        },
        Case {
            name: "docker image with its own insecure option",
            env: env(&[("KUBELET_IMAGE", b"docker://quay.io/coreos/hyperkube:v1.18.0"), ("RKT_RUN_ARGS", b"--insecure-options=image")]),
            args: typical.clone(),
        },
        Case {
            name: "white space splits the image reference",
            env: env(&[("KUBELET_IMAGE_URL", b" quay.io/x  y"), ("KUBELET_IMAGE_TAG", b"v1 --flag")]),
            args: vec![b"a b".to_vec()],
        },
        Case { name: "white-space-only image", env: env(&[("KUBELET_IMAGE", b" \t ")]), args: vec![] },
        Case { name: "tag missing", env: env(&[("KUBELET_IMAGE_URL", b"quay.io/coreos/hyperkube")]), args: typical.clone() },
        Case { name: "nothing set", env: env(&[]), args: vec![] },
        Case { name: "deprecated only, tag empty", env: env(&[("KUBELET_ACI", b"quay.io/x"), ("RKT_OPTS", b"--a"), ("KUBELET_VERSION", b"")]), args: vec![] },
    ]
}

fn admin(e: &Env) -> AdminConfig {
    AdminConfig::from_env(|k| e.get(k).map(|v| OsString::from_vec(v.clone())))
}

fn os(args: &[Vec<u8>]) -> Vec<OsString> {
    args.iter().map(|a| OsString::from_vec(a.clone())).collect()
}

/// The file a row's release uses: the table's releases are CoreOS's, so
/// they are asked for as a CoreOS host asks (a Flatcar or project file
/// added anywhere does not apply to them).
fn coreos_file(r: Version) -> registry::ReleaseFile {
    registry::lookup_for(r, version::Lineage::Coreos).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_release_selects_its_file() {
    // the version rule among the CoreOS files alone, and the registry
    let files: Vec<Version> = registry::files()
        .iter()
        .filter(|f| f.parse().origin == ReleaseOrigin::Coreos)
        .map(|f| f.version)
        .collect();
    for row in rows() {
        assert_eq!(
            version::select(&files, row.release),
            Some(row.defaults_file),
            "release {}",
            row.release
        );
        assert_eq!(
            coreos_file(row.release).version,
            row.defaults_file,
            "release {}",
            row.release
        );
    }
}

#[test]
fn every_release_renders_what_the_original_ran() {
    let cases = cases();
    let mut compared = 0;
    for row in rows() {
        let layer = layer(&row.behaves_as);
        let defaults = coreos_file(row.release).parse();
        for case in &cases {
            let expected = reference(&layer, &case.env, &case.args);
            let got = plan::plan(&defaults, &admin(&case.env), &os(&case.args));
            match (expected, got) {
                (Some(exp), Ok(p)) => {
                    let got: Vec<Vec<u8>> = p.argv().into_iter().map(OsString::into_vec).collect();
                    assert_eq!(got, exp, "release {} case {:?}", row.release, case.name);
                    let dirs: Vec<&str> =
                        p.directories.iter().map(|d| d.to_str().unwrap()).collect();
                    assert_eq!(dirs, DIRECTORIES, "release {}", row.release);
                    assert_eq!(p.defaults, row.defaults_file);
                }
                (None, Err(e)) => {
                    assert_eq!(e, PlanError::NoImage);
                    assert!(
                        e.to_string()
                            .starts_with("One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set")
                    );
                }
                (exp, got) => panic!(
                    "release {} case {:?}: expected {exp:?}, got {got:?}",
                    row.release, case.name
                ),
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 405 * cases.len());
}

#[test]
fn deprecated_variables_give_one_notice_each() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "every variable set")
        .unwrap();
    let a = admin(&case.env);
    assert_eq!(a.notices.len(), 3);
    for (old, new) in [
        ("KUBELET_VERSION", "KUBELET_IMAGE_TAG"),
        ("KUBELET_ACI", "KUBELET_IMAGE_URL"),
        ("RKT_OPTS", "RKT_RUN_ARGS"),
    ] {
        assert!(
            a.notices
                .iter()
                .any(|n| n.starts_with(old) && n.contains(new)),
            "{old}: {:?}",
            a.notices
        );
    }
    let plain = cases().into_iter().find(|c| c.name == "plain tag").unwrap();
    assert!(admin(&plain.env).notices.is_empty());
}

/// Kubelet flags come after the last `--` the wrapper writes, unchanged,
/// whatever they are.
#[test]
fn kubelet_flags_are_passed_byte_for_byte() {
    let defaults = coreos_file("2514.1.0".parse().unwrap()).parse();
    let e = env(&[("KUBELET_IMAGE_TAG", b"v1")]);
    let args: Vec<OsString> = vec![
        OsStr::from_bytes(b"--").into(),
        OsStr::from_bytes(b"\x00\x01").into(),
        "".into(),
    ];
    let p = plan::plan(&defaults, &admin(&e), &args).unwrap();
    let argv = p.argv();
    let n = argv.len();
    assert_eq!(&argv[n - 3..], &args[..]);
    assert_eq!(argv[n - 4], "--");
}
