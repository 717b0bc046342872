//! Admins' rkt arguments on a release that runs another engine.
//!
//! Kubelet units written for rkt carry rkt arguments in `RKT_RUN_ARGS`,
//! `RKT_OPTS` and `RKT_GLOBAL_ARGS`. Ignoring them breaks clusters; passing
//! them on breaks the engine. So each argument admins actually use is read
//! for what it means ([`Intent`]) and rendered in the engine's terms, with a
//! notice per argument; an argument with no faithful equivalent is refused,
//! naming it and the engine's own variable to use instead.
//!
//! | rkt | podman | docker | systemd-nspawn |
//! |---|---|---|---|
//! | `--volume N,kind=host,source=S[,readOnly=B][,recursive=B]` + `--mount volume=N,target=T` | `--volume=S:T:ro\|rw[,rshared]` | same | `--bind=S:T` / `--bind-ro=S:T` |
//! | `--set-env=K=V` | `--env=K=V` | same | `--setenv=K=V` |
//! | `--set-env-file=P` | `--env-file=P` | same | refused |
//! | `--net=host` | nothing (host network already) | same | nothing |
//! | `--dns=host` | `--volume=/etc/resolv.conf:/etc/resolv.conf:ro` | same | `--bind-ro=/etc/resolv.conf:/etc/resolv.conf` |
//! | `--dns=IP` | `--dns=IP` | same | refused |
//! | `--hosts-entry host` | `--volume=/etc/hosts:/etc/hosts:ro` | same | `--bind-ro=/etc/hosts:/etc/hosts` |
//! | `--hosts-entry IP=HOST` | `--add-host=HOST:IP` | same | refused |
//! | `--uuid-file-save=P` | nothing: the previous container is removed by name (refused where the release does not) | same | refused |
//! | `--insecure-options=image` | nothing (signatures follow the engine's policy) | same | nothing |
//! | `--insecure-options=http\|tls\|all-fetch` | `--tls-verify=false` | refused | refused |
//! | `--trust-keys-from-https` | nothing | same | nothing |
//! | `--exec=X` (in `KUBELET_IMAGE_ARGS`) | `--entrypoint=X` | same | the command `X` |
//!
//! Both `--flag value` and `--flag=value` are read, as rkt reads them
//! (`--net` takes its value only after `=`).

use crate::admin::Var;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// The engine rkt arguments are translated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Podman,
    Docker,
    Nspawn,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Podman => "podman",
            Target::Docker => "docker",
            Target::Nspawn => "systemd-nspawn",
        }
    }

    /// The admin variable for this engine's program.
    pub fn program_var(self) -> Var {
        match self {
            Target::Podman => Var::Podman,
            Target::Docker => Var::Docker,
            Target::Nspawn => Var::SystemdNspawn,
        }
    }

    /// The admin variable for this engine's own extra arguments.
    pub fn args_var(self) -> Var {
        match self {
            Target::Podman => Var::PodmanRunArgs,
            Target::Docker => Var::DockerRunArgs,
            Target::Nspawn => Var::NspawnArgs,
        }
    }
}

/// A host path bind-mounted into the kubelet's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub source: OsString,
    pub target: OsString,
    pub read_only: bool,
    pub recursive: bool,
}

/// What an admin's rkt argument asks for, whatever the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Mount(Mount),
    Env(OsString),
    EnvFile(OsString),
    /// `--net=host`: the kubelet already runs in the host's network.
    HostNetwork,
    Dns(OsString),
    AddHost {
        ip: OsString,
        host: OsString,
    },
    SaveId(OsString),
    /// `--insecure-options=image` and `--trust-keys-from-https`: signature
    /// checking is the engine's policy, not a per-run switch.
    SignaturePolicy,
    /// `--insecure-options=http|tls|all-fetch`.
    SkipTls,
    /// A `--volume` that no `--mount` uses, or a `--mount` of a volume no
    /// `--volume` declares: nothing to mount, so it is dropped, with a
    /// notice (a likely mistake).
    Unpaired(Unpaired),
}

/// The half of a volume/mount pair that is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpaired {
    /// `--volume NAME,...` without `--mount volume=NAME,...`.
    Volume { name: String },
    /// `--mount volume=NAME,...` without `--volume NAME,...`.
    Mount { volume: String },
}

impl Unpaired {
    /// What the notice says after the argument: dropped, and what to add.
    pub fn explain(&self) -> String {
        match self {
            Unpaired::Volume { name } => format!(
                ": dropped, no --mount uses volume {name}; add --mount volume={name},target=PATH"
            ),
            Unpaired::Mount { volume } => format!(
                ": dropped, no --volume declares volume {volume}; add --volume {volume},kind=host,source=PATH"
            ),
        }
    }
}

/// One translated argument (or volume/mount pair), for the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub var: Var,
    /// The rkt argument(s) as the admin wrote them.
    pub rkt: String,
    pub intent: Intent,
}

/// An rkt argument that cannot be carried to the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    #[error(
        "{var}: {arg} has no {engine} equivalent{why}; this release runs {engine}: remove it from {var} and give {engine} arguments in {engine_var} instead"
    )]
    NoEquivalent {
        var: Var,
        arg: String,
        engine: &'static str,
        engine_var: Var,
        why: String,
    },
    #[error(
        "{var}: {arg} holds quote characters, and the wrapper does not remove quotes, so it is not an rkt argument that {engine} could be given: write it without the quotes (in the unit: Environment=\"{var}=... {unquoted} ...\")"
    )]
    Quoted {
        var: Var,
        arg: String,
        unquoted: String,
        engine: &'static str,
    },
    #[error("{var}: {arg} needs a value")]
    MissingValue { var: Var, arg: String },
    #[error("{var}: \"{spec}\" is not an rkt volume: {why}")]
    BadVolume { var: Var, spec: String, why: String },
}

/// Bytes as messages show them: one inert line ([`crate::quote::escape`]).
fn lossy(b: &[u8]) -> String {
    crate::quote::escape(b)
}

/// rkt flags whose value may be the next word.
const TAKES_VALUE: [&str; 8] = [
    "--volume",
    "--mount",
    "--set-env",
    "--set-env-file",
    "--dns",
    "--hosts-entry",
    "--uuid-file-save",
    "--insecure-options",
];

/// One rkt flag as the admin wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RktFlag {
    /// `--volume`, ..., or the word itself when it is not `--NAME=VALUE`
    /// or a flag of [`TAKES_VALUE`] (shown as messages show bytes).
    pub name: String,
    /// Its value, from `--NAME=VALUE` or the next word; empty for none.
    pub value: Vec<u8>,
    pub var: Var,
    /// The flag as written, its value included (for messages).
    pub text: String,
}

/// Reads rkt words (already split, each with its variable) into flags as
/// rkt's own parser does: `--NAME=VALUE`, or `--NAME VALUE` for the flags
/// of [`TAKES_VALUE`], whatever the next word looks like. A flag of
/// [`TAKES_VALUE`] that is the last word has no value: it is returned apart
/// (its variable and name), for each caller to refuse or tell.
pub fn rkt_flags(words: &[(OsString, Var)]) -> (Vec<RktFlag>, Option<(Var, String)>) {
    let mut flags = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (w, var) = (&words[i].0, words[i].1);
        let b = w.as_bytes();
        i += 1;
        let (name, value, text) = match b.iter().position(|&c| c == b'=') {
            Some(eq) if b.starts_with(b"--") => {
                (lossy(&b[..eq]), Some(b[eq + 1..].to_vec()), lossy(b))
            }
            _ => (lossy(b), None, lossy(b)),
        };
        let (value, text) = match value {
            Some(v) => (v, text),
            None if TAKES_VALUE.contains(&name.as_str()) => {
                let Some((v, _)) = words.get(i) else {
                    return (flags, Some((var, name)));
                };
                i += 1;
                (
                    v.as_bytes().to_vec(),
                    format!("{name} {}", lossy(v.as_bytes())),
                )
            }
            None => (Vec::new(), text),
        };
        flags.push(RktFlag {
            name,
            value,
            var,
            text,
        });
    }
    (flags, None)
}

/// Reads rkt arguments (already split, each with its variable) for what
/// they mean on `target`.
pub fn translate(
    words: &[(OsString, Var)],
    target: Target,
) -> Result<Vec<Translation>, TranslateError> {
    let refuse = |var: Var, arg: &str, why: &str| {
        if arg.contains(['"', '\'']) {
            // the quotes are the problem, not the argument (admins write
            // RKT_RUN_ARGS="--net=host" for a shell; systemd and the
            // wrapper keep those quotes)
            return TranslateError::Quoted {
                var,
                arg: arg.to_string(),
                unquoted: arg.replace(['"', '\''], ""),
                engine: target.name(),
            };
        }
        TranslateError::NoEquivalent {
            var,
            arg: arg.to_string(),
            engine: target.name(),
            engine_var: target.args_var(),
            why: why.to_string(),
        }
    };
    let (flags, missing) = rkt_flags(words);
    if let Some((var, arg)) = missing {
        return Err(TranslateError::MissingValue { var, arg });
    }
    let flags: Vec<(String, Vec<u8>, Var, String)> = flags
        .into_iter()
        .map(|f| (f.name, f.value, f.var, f.text))
        .collect();

    let mut volumes: Vec<(String, Mount, Var, String)> = Vec::new();
    for (name, value, var, text) in &flags {
        if name == "--volume" {
            let (vname, mount) = parse_volume(value).map_err(|why| TranslateError::BadVolume {
                var: *var,
                spec: lossy(value),
                why,
            })?;
            if mount.is_none() {
                return Err(refuse(
                    *var,
                    text,
                    " (only kind=host volumes can be carried over)",
                ));
            }
            volumes.push((vname, mount.unwrap(), *var, text.clone()));
        }
    }

    let mut out = Vec::new();
    let mounted: Vec<String> = flags
        .iter()
        .filter(|(name, ..)| name == "--mount")
        .filter_map(|(_, value, ..)| parse_mount(value).ok().map(|(v, _)| v))
        .collect();
    for (name, value, var, text) in flags {
        let var_ = var;
        let push = |out: &mut Vec<Translation>, intent| {
            out.push(Translation {
                var: var_,
                rkt: text.clone(),
                intent,
            })
        };
        let v = OsString::from_vec(value.clone());
        match name.as_str() {
            // carried by its --mount, if one uses it
            "--volume" => {
                let vname = volumes
                    .iter()
                    .find(|(_, _, v, t)| *v == var && *t == text)
                    .map(|(n, ..)| n.clone())
                    .unwrap_or_default();
                if !mounted.contains(&vname) {
                    push(&mut out, Intent::Unpaired(Unpaired::Volume { name: vname }));
                }
            }
            "--mount" => {
                let (vol, target_path) =
                    parse_mount(&value).map_err(|why| TranslateError::BadVolume {
                        var,
                        spec: lossy(&value),
                        why,
                    })?;
                let Some((_, m, _, vtext)) = volumes.iter().find(|(n, ..)| *n == vol) else {
                    push(&mut out, Intent::Unpaired(Unpaired::Mount { volume: vol }));
                    continue;
                };
                out.push(Translation {
                    var,
                    rkt: format!("{vtext} + {text}"),
                    intent: Intent::Mount(Mount {
                        target: target_path,
                        ..m.clone()
                    }),
                });
            }
            "--set-env" => push(&mut out, Intent::Env(v)),
            "--set-env-file" => push(&mut out, Intent::EnvFile(v)),
            "--net" if value == b"host" => push(&mut out, Intent::HostNetwork),
            "--net" => {
                return Err(refuse(
                    var,
                    &text,
                    " (the kubelet runs in the host's network)",
                ));
            }
            "--dns" if value == b"host" => {
                push(&mut out, Intent::Mount(host_file("/etc/resolv.conf")))
            }
            "--dns" => push(&mut out, Intent::Dns(v)),
            "--hosts-entry" if value == b"host" => {
                push(&mut out, Intent::Mount(host_file("/etc/hosts")))
            }
            "--hosts-entry" => match value.iter().position(|&c| c == b'=') {
                Some(eq) => push(
                    &mut out,
                    Intent::AddHost {
                        ip: OsString::from_vec(value[..eq].to_vec()),
                        host: OsString::from_vec(value[eq + 1..].to_vec()),
                    },
                ),
                None => return Err(refuse(var, &text, " (expected host or IP=HOSTNAME)")),
            },
            "--uuid-file-save" => push(&mut out, Intent::SaveId(v)),
            "--trust-keys-from-https" => push(&mut out, Intent::SignaturePolicy),
            "--insecure-options" => {
                let mut tls = false;
                for opt in value.split(|&c| c == b',') {
                    match opt {
                        b"image" => {}
                        b"http" | b"tls" | b"all-fetch" => tls = true,
                        _ => {
                            return Err(refuse(
                                var,
                                &text,
                                &format!(
                                    " for \"{}\" (only image, http, tls and all-fetch can be carried over)",
                                    lossy(opt)
                                ),
                            ));
                        }
                    }
                }
                push(
                    &mut out,
                    if tls {
                        Intent::SkipTls
                    } else {
                        Intent::SignaturePolicy
                    },
                );
            }
            _ => return Err(refuse(var, &text, "")),
        }
    }

    // Engine-specific refusals.
    for t in &out {
        let why = match (&t.intent, target) {
            (Intent::SkipTls, Target::Docker) => {
                Some(" (docker takes registry TLS settings from the daemon, not per run)")
            }
            (
                Intent::EnvFile(_)
                | Intent::Dns(_)
                | Intent::AddHost { .. }
                | Intent::SaveId(_)
                | Intent::SkipTls,
                Target::Nspawn,
            ) => Some(""),
            _ => None,
        };
        if let Some(why) = why {
            return Err(refuse(t.var, &t.rkt, why));
        }
    }
    Ok(out)
}

fn host_file(path: &str) -> Mount {
    Mount {
        source: path.into(),
        target: path.into(),
        read_only: true,
        recursive: false,
    }
}

/// `NAME,kind=host,source=S[,readOnly=B][,recursive=B]`; `None` for a
/// volume of another kind.
fn parse_volume(spec: &[u8]) -> Result<(String, Option<Mount>), String> {
    let mut parts = spec.split(|&c| c == b',');
    let name = lossy(parts.next().unwrap_or_default());
    if name.is_empty() || name.contains('=') {
        return Err("it must start with the volume's name".into());
    }
    let (mut kind, mut source, mut ro, mut rec) = (None, None, false, false);
    for p in parts {
        let eq = p
            .iter()
            .position(|&c| c == b'=')
            .ok_or_else(|| format!("\"{}\" is not key=value", lossy(p)))?;
        let (k, v) = (&p[..eq], &p[eq + 1..]);
        let boolean = || match v {
            b"true" => Ok(true),
            b"false" => Ok(false),
            _ => Err(format!("{}={} is not true or false", lossy(k), lossy(v))),
        };
        match k {
            b"kind" => kind = Some(v.to_vec()),
            b"source" => source = Some(OsString::from_vec(v.to_vec())),
            b"readOnly" => ro = boolean()?,
            b"recursive" => rec = boolean()?,
            _ => return Err(format!("unknown option \"{}\"", lossy(k))),
        }
    }
    match kind.as_deref() {
        Some(b"host") => {
            let source = source.ok_or("a kind=host volume needs source=")?;
            Ok((
                name,
                Some(Mount {
                    source,
                    target: OsString::new(),
                    read_only: ro,
                    recursive: rec,
                }),
            ))
        }
        Some(_) => Ok((name, None)),
        None => Err("kind= is missing".into()),
    }
}

/// `volume=NAME,target=T`.
fn parse_mount(spec: &[u8]) -> Result<(String, OsString), String> {
    let (mut vol, mut target) = (None, None);
    for p in spec.split(|&c| c == b',') {
        if let Some(v) = p.strip_prefix(b"volume=") {
            vol = Some(lossy(v));
        } else if let Some(t) = p.strip_prefix(b"target=") {
            target = Some(OsString::from_vec(t.to_vec()));
        } else {
            return Err(format!("unknown mount option \"{}\"", lossy(p)));
        }
    }
    match (vol, target) {
        (Some(v), Some(t)) => Ok((v, t)),
        _ => Err("a mount needs volume= and target=".into()),
    }
}

/// `KUBELET_IMAGE_ARGS` words: only `--exec=X` (or `--exec X`) has a
/// meaning outside rkt. Returns the command.
pub fn image_args(words: &[OsString], target: Target) -> Result<Option<OsString>, TranslateError> {
    let mut command = None;
    let mut i = 0;
    while i < words.len() {
        let b = words[i].as_bytes();
        if let Some(v) = b.strip_prefix(b"--exec=") {
            command = Some(OsString::from_vec(v.to_vec()));
        } else if b == b"--exec" {
            i += 1;
            let v = words.get(i).ok_or(TranslateError::MissingValue {
                var: Var::KubeletImageArgs,
                arg: "--exec".into(),
            })?;
            command = Some(v.clone());
        } else {
            return Err(TranslateError::NoEquivalent {
                var: Var::KubeletImageArgs,
                arg: lossy(b),
                engine: target.name(),
                engine_var: target.args_var(),
                why: " (only --exec=PATH, the kubelet's path in the image, is carried over)".into(),
            });
        }
        i += 1;
    }
    Ok(command)
}

/// What an admin layer written for rkt carries to another engine.
pub struct CarriedOver {
    /// `RKT_GLOBAL_ARGS`, `RKT_RUN_ARGS` and `RKT_OPTS`, read for what they mean.
    pub translations: Vec<Translation>,
    /// The kubelet's path from `KUBELET_IMAGE_ARGS` (`--exec=X`), if set.
    pub command: Option<(OsString, crate::command::Origin)>,
    /// One per rkt-only or other engine's variable that is ignored.
    pub notices: Vec<String>,
}

/// Reads the rkt parts of the admin layer for `target`: every renderer of
/// an engine other than rkt starts here.
pub fn carry_over(
    admin: &crate::admin::AdminConfig,
    target: Target,
) -> Result<CarriedOver, TranslateError> {
    let mut rkt_words = tagged(admin.global_args.as_deref(), Var::RktGlobalArgs);
    rkt_words.extend(tagged(admin.run_args.as_deref(), Var::RktRunArgs));
    rkt_words.extend(tagged(admin.opts.as_deref(), Var::RktOpts));
    let translations = translate(&rkt_words, target)?;
    let command = match &admin.image_args {
        Some(v) => image_args(&crate::words::split(v), target)?
            .map(|c| (c, crate::command::Origin::Translated(Var::KubeletImageArgs))),
        None => None,
    };
    let mut notices = admin.ignored_rkt_vars(target.name(), target.program_var());
    notices.extend(
        admin.ignored_engine_vars(target.name(), &[target.program_var(), target.args_var()]),
    );
    Ok(CarriedOver {
        translations,
        command,
        notices,
    })
}

/// The words of `value`, each tagged with `var`.
pub fn tagged(value: Option<&OsStr>, var: Var) -> Vec<(OsString, Var)> {
    value
        .map(|v| {
            crate::words::split(v)
                .into_iter()
                .map(|w| (w, var))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(s: &str, t: Target) -> Result<Vec<Intent>, TranslateError> {
        translate(&tagged(Some(OsStr::new(s)), Var::RktRunArgs), t)
            .map(|v| v.into_iter().map(|x| x.intent).collect())
    }

    fn mount(s: &str, t: &str, ro: bool, rec: bool) -> Intent {
        Intent::Mount(Mount {
            source: s.into(),
            target: t.into(),
            read_only: ro,
            recursive: rec,
        })
    }

    #[test]
    fn flags_are_read_as_rkt_reads_them() {
        let words = tagged(
            Some(OsStr::new(
                "--dns --volume --net=host x --volume=a,kind=host --mount",
            )),
            Var::RktRunArgs,
        );
        let (flags, missing) = rkt_flags(&words);
        let shown: Vec<(&str, &[u8], &str)> = flags
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_slice(), f.text.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("--dns", b"--volume".as_slice(), "--dns --volume"),
                ("--net", b"host", "--net=host"),
                ("x", b"", "x"),
                ("--volume", b"a,kind=host", "--volume=a,kind=host"),
            ]
        );
        assert_eq!(missing, Some((Var::RktRunArgs, "--mount".to_string())));
    }

    #[test]
    fn volume_and_mount_pairs_in_both_forms() {
        let want = vec![
            mount("/etc/cni/net.d", "/etc/cni/net.d", true, false),
            mount("/var/log", "/logs", false, true),
        ];
        for s in [
            "--volume cni,kind=host,source=/etc/cni/net.d,readOnly=true --mount volume=cni,target=/etc/cni/net.d --volume=log,kind=host,source=/var/log,recursive=true --mount=volume=log,target=/logs",
            "--volume=cni,kind=host,source=/etc/cni/net.d,readOnly=true --volume log,kind=host,readOnly=false,source=/var/log,recursive=true --mount target=/etc/cni/net.d,volume=cni --mount volume=log,target=/logs",
        ] {
            assert_eq!(tr(s, Target::Podman).unwrap(), want, "{s}");
        }
    }

    #[test]
    fn the_common_arguments() {
        let got = tr(
            "--set-env=A=B --set-env C=D --net=host --dns=host --hosts-entry host --hosts-entry=10.0.0.1=api --uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --insecure-options=image --trust-keys-from-https",
            Target::Podman,
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                Intent::Env("A=B".into()),
                Intent::Env("C=D".into()),
                Intent::HostNetwork,
                mount("/etc/resolv.conf", "/etc/resolv.conf", true, false),
                mount("/etc/hosts", "/etc/hosts", true, false),
                Intent::AddHost {
                    ip: "10.0.0.1".into(),
                    host: "api".into()
                },
                Intent::SaveId("/var/lib/coreos/kubelet-wrapper.uuid".into()),
                Intent::SignaturePolicy,
                Intent::SignaturePolicy,
            ]
        );
        assert_eq!(
            tr("--insecure-options=image,http", Target::Podman).unwrap(),
            vec![Intent::SkipTls]
        );
    }

    #[test]
    fn refusals_name_the_argument_and_the_engine_variable() {
        for (args, t, needle) in [
            (
                "--private-users",
                Target::Podman,
                "RKT_RUN_ARGS: --private-users has no podman equivalent",
            ),
            (
                "--net=default",
                Target::Podman,
                "--net=default has no podman equivalent",
            ),
            (
                "--net host",
                Target::Podman,
                "--net has no podman equivalent",
            ),
            ("--insecure-options=ondisk", Target::Podman, "\"ondisk\""),
            ("--insecure-options=tls", Target::Docker, "from the daemon"),
            (
                "--uuid-file-save=/x",
                Target::Nspawn,
                "--uuid-file-save=/x has no systemd-nspawn equivalent",
            ),
            (
                "--volume e,kind=empty --mount volume=e,target=/e",
                Target::Podman,
                "only kind=host",
            ),
        ] {
            let e = tr(args, t).unwrap_err().to_string();
            assert!(e.contains(needle), "{args}: {e}");
            if let TranslateError::NoEquivalent { .. } = tr(args, t).unwrap_err() {
                assert!(e.contains(t.args_var().name()), "{args}: {e}");
            }
        }
        // quotes: the message says they are the problem
        let e = tr("\"--net=host\"", Target::Podman)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "RKT_RUN_ARGS: \"--net=host\" holds quote characters, and the wrapper does not remove quotes, so it is not an rkt argument that podman could be given: write it without the quotes (in the unit: Environment=\"RKT_RUN_ARGS=... --net=host ...\")"
        );
        let e = tr(
            "--volume x,kind=host,source=/a,readOnly=yes --mount volume=x,target=/a",
            Target::Podman,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("readOnly=yes is not true or false"), "{e}");
        assert!(matches!(
            tr("--volume", Target::Podman),
            Err(TranslateError::MissingValue { .. })
        ));
    }

    #[test]
    fn unpaired_volumes_and_mounts_are_dropped_with_a_notice() {
        assert_eq!(
            tr("--volume a,kind=host,source=/a --mount volume=b,target=/b --volume=c,kind=host,source=/c --mount volume=c,target=/c", Target::Podman).unwrap(),
            vec![
                Intent::Unpaired(Unpaired::Volume { name: "a".into() }),
                Intent::Unpaired(Unpaired::Mount { volume: "b".into() }),
                mount("/c", "/c", false, false),
            ]
        );
        assert_eq!(
            Unpaired::Volume { name: "a".into() }.explain(),
            ": dropped, no --mount uses volume a; add --mount volume=a,target=PATH"
        );
    }

    #[test]
    fn exec_becomes_the_command() {
        let w = |s: &str| crate::words::split(OsStr::new(s));
        assert_eq!(
            image_args(&w("--exec=/kubelet"), Target::Podman).unwrap(),
            Some("/kubelet".into())
        );
        assert_eq!(
            image_args(&w("--exec /usr/bin/kubelet"), Target::Nspawn).unwrap(),
            Some("/usr/bin/kubelet".into())
        );
        assert_eq!(image_args(&[], Target::Podman).unwrap(), None);
        let e = image_args(&w("--exec=/hyperkube kubelet"), Target::Podman)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("KUBELET_IMAGE_ARGS: kubelet has no podman equivalent"),
            "{e}"
        );
    }
}
