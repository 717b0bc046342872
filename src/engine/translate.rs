//! Admins' rkt arguments on a release that runs another engine.
//!
//! Kubelet units written for rkt carry rkt arguments in `RKT_RUN_ARGS`,
//! `RKT_OPTS`, `RKT_GLOBAL_ARGS` and `KUBELET_IMAGE_ARGS`. Ignoring them
//! breaks clusters; passing them on breaks the engine. So every word is
//! first read as rkt 1.30 reads it ([`super::rkt_flags`]), then each flag
//! is given what it meant for a kubelet under rkt's fly stage1 ([`Intent`]),
//! and that meaning is rendered in the engine's terms, with a notice per
//! argument. Every flag of rkt has one of three answers:
//!
//! - a translation, where the engine has the same effect;
//! - a drop with a notice, where the flag only concerned rkt's own
//!   bookkeeping (its directories, its stage1, its pod's metadata) or had no
//!   effect on the kubelet under fly (isolators, `--hostname`, `--net`);
//! - a refusal naming the flag, why the kubelet would differ, and the
//!   engine's own variable to use instead; and where rkt itself refuses a
//!   word (an unknown flag, a per-app flag before the image), a refusal
//!   that says so.
//!
//! An admin mount that the release already makes (the same host path at
//! the same target, or a path the release's volume already shows) is not
//! a conflict: it is dropped, and the release's mount, with the release's
//! access, is used ([`crate::release::overlap`]).
//!
//! | rkt | podman | docker | systemd-nspawn |
//! |---|---|---|---|
//! | `--volume N,kind=host,source=S[,readOnly=B][,recursive=B]` + `--mount volume=N,target=T` | `--volume=S:T:ro\|rw[,rshared]` (dropped where the release mounts it) | same | `--bind=S:T` / `--bind-ro=S:T` |
//! | `--volume N,kind=empty` + `--mount` | `--volume=T` (an anonymous volume) | same | refused |
//! | `--set-env=K=V`, `--environment=K=V` | `--env=K=V` | same | `--setenv=K=V` |
//! | `--set-env-file=P` | `--env-file=P` | same | refused |
//! | `--inherit-env` | `--env-host` | refused | refused |
//! | `--net=host` | `--network=host` unless the release has it | same | dropped |
//! | `--net=OTHER`, `--hostname`, `--port`, `--interactive`, `--dns=none`, isolators (`--memory`, `--cpu`, `--caps-*`, `--seccomp`, `--oom-score-adj`, `--readonly-rootfs`) after the image | dropped: fly ignores them | same | same |
//! | `--dns=host` | `--volume=/etc/resolv.conf:/etc/resolv.conf:ro` | same | `--bind-ro=...` |
//! | `--dns=IP`, `--dns-search`, `--dns-opt` | `--dns`, `--dns-search`, `--dns-option` | same | refused |
//! | `--hosts-entry host` | `--volume=/etc/hosts:/etc/hosts:ro` | same | `--bind-ro=...` |
//! | `--hosts-entry IP=HOST` | `--add-host=HOST:IP` | same | refused |
//! | `--ipc=parent` | `--ipc=host` | same | refused |
//! | `--pull-policy`, `--store-only`, `--no-store` | `--pull=missing\|always\|never` | same | dropped |
//! | `--debug` | `--log-level=debug` (before `run`) | `--debug` (before `run`) | dropped |
//! | `--user`, `--working-dir`, `--supplementary-gids` | `--user`, `--workdir`, `--group-add` | same | `--user`, `--chdir`, refused |
//! | `--user-label`, `--annotation`, `--user-annotation` | `--label`, `--annotation` | `--label`, dropped | dropped |
//! | `--uuid-file-save=P` | dropped: the previous container is removed by name (refused where the release does not) | same | refused |
//! | `--insecure-options=image\|pubkey`, `--trust-keys-from-https`, `--signature` | dropped (signatures follow the engine's policy) | same | dropped |
//! | `--insecure-options=http\|tls\|all-fetch\|all` | `--tls-verify=false` | refused | refused |
//! | `--insecure-options=ondisk\|capabilities\|paths\|seccomp\|all-run` | dropped: nothing fly enforced | same | same |
//! | `--dir`, `--*-config`, `--stage1-*`, `--no-overlay`, `--mds-register`, `--cpuprofile`, `--memprofile`, `--name` | dropped: rkt's own | same | same |
//! | `--exec=X` (in `KUBELET_IMAGE_ARGS`) | `--entrypoint=X` | same | the command `X` |
//! | `--pod-manifest`, `--private-users`, `--dns-domain`, `--group`, `--help` | refused | refused | refused |
//! | an image word, `--`, an unknown flag, a per-app flag before the image | refused: rkt would run another app or refuse the unit itself | same | same |

use super::rkt_flags::{self, Kind, Read, RktVolume, Scope, VolumeKind, Word};
use crate::admin::Var;
use crate::release::model::Defaults;
use crate::release::overlap::{self, Overlap};
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

    /// Where this engine takes registry credentials from, for the notice
    /// that drops rkt's configuration directories.
    fn credentials(self) -> &'static str {
        match self {
            Target::Podman => {
                "registry credentials for the kubelet's image go to podman's auth file (/run/containers/0/auth.json, or REGISTRY_AUTH_FILE)"
            }
            Target::Docker => {
                "registry credentials for the kubelet's image go to docker's (/root/.docker/config.json)"
            }
            Target::Nspawn => "nothing is fetched on this release",
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

/// When to pull the kubelet's image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pull {
    /// rkt's `new`: only when it is not in the store.
    Missing,
    /// rkt's `update`: always look for a newer one.
    Always,
    /// rkt's `never`: only the store.
    Never,
}

impl Pull {
    /// podman's and docker's word for it.
    pub fn oci(self) -> &'static str {
        match self {
            Pull::Missing => "missing",
            Pull::Always => "always",
            Pull::Never => "never",
        }
    }
}

/// What an admin's rkt argument meant for the kubelet under rkt fly,
/// whatever the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Mount(Mount),
    /// A mount the release already makes: dropped, the release's is used.
    Redundant(Redundant),
    /// An rkt `kind=empty` volume mounted at this target: an empty
    /// directory of the pod's own.
    EmptyDir(OsString),
    Env(OsString),
    EnvFile(OsString),
    /// `--inherit-env`: the kubelet gets the environment rkt was started with.
    InheritEnv,
    /// `--net=host`: the kubelet in the host's network.
    HostNetwork,
    Dns(OsString),
    DnsSearch(OsString),
    DnsOption(OsString),
    AddHost {
        ip: OsString,
        host: OsString,
    },
    /// `--ipc=parent`.
    IpcHost,
    Pull(Pull),
    /// `--debug`: the engine's own debug output.
    Debug,
    User(OsString),
    GroupAdd(OsString),
    WorkDir(OsString),
    Annotation(OsString),
    Label(OsString),
    /// `--exec=X`: the kubelet's path in the image.
    Exec(OsString),
    SaveId(OsString),
    /// `--insecure-options=image`, `--trust-keys-from-https`, `--signature`:
    /// signature checking is the engine's policy, not a per-run switch.
    SignaturePolicy,
    /// `--insecure-options=http|tls|all-fetch|all`.
    SkipTls,
    /// Only rkt's own bookkeeping, or no effect on the kubelet under fly:
    /// dropped, for the reason given (after "dropped, ").
    Dropped(String),
    /// Dropped too, but what it configured may be missed on this engine
    /// (rkt's configuration directories: registry credentials).
    Lost(String),
    /// A `--volume` that no `--mount` uses, or a `--mount` of a volume no
    /// `--volume` declares: nothing to mount, so it is dropped, with a
    /// notice (a likely mistake).
    Unpaired(Unpaired),
}

/// An admin mount the release already makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redundant {
    pub mount: Mount,
    /// The release volume that makes it, its host path and target.
    pub volume: String,
    pub volume_source: String,
    pub volume_target: String,
    pub volume_read_only: bool,
    /// The admin's target is below the release volume's, not equal.
    pub inside: bool,
}

impl Redundant {
    /// Whether the kubelet gets less than the admin asked for: the admin
    /// asked to write where the release mounts read-only.
    pub fn loses_write(&self) -> bool {
        self.volume_read_only && !self.mount.read_only
    }

    /// What the notice says after the argument.
    pub fn explain(&self) -> String {
        let access = |ro| if ro { "read-only" } else { "read-write" };
        let what = if self.inside {
            format!(
                "the release's volume {} already shows {} there, {}",
                self.volume,
                crate::text::quote::escape(self.mount.source.as_bytes()),
                access(self.volume_read_only)
            )
        } else {
            format!(
                "the release already mounts {} at {} ({}, volume {})",
                self.volume_source,
                self.volume_target,
                access(self.volume_read_only),
                self.volume
            )
        };
        let access_note = if self.mount.read_only == self.volume_read_only || self.inside {
            String::new()
        } else if self.loses_write() {
            format!(
                "; the unit asks for {}, the release mounts it read-only (the release decides the kubelet's access to its paths, and the kubelet does not write there)",
                access(false)
            )
        } else {
            "; the unit asks for read-only, the release's read-write mount is used".to_string()
        };
        format!(": dropped, {what}{access_note}")
    }
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

impl Translation {
    /// Whether the notice is only for the record: the kubelet gets what
    /// the unit meant. Not so for a mistake (a volume without its mount),
    /// a write the release's mount does not allow, a switched-off check,
    /// or configuration the engine does not read.
    pub fn harmless(&self) -> bool {
        match &self.intent {
            // the release's access wins: its choice, made for the kubelet
            Intent::Redundant(_) => true,
            Intent::SkipTls | Intent::Lost(_) | Intent::Unpaired(_) => false,
            _ => true,
        }
    }
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
    #[error("{var}: {arg} needs a value{why}")]
    MissingValue { var: Var, arg: String, why: String },
    #[error("{var}: \"{spec}\" is not an rkt volume: {why}")]
    BadVolume { var: Var, spec: String, why: String },
    /// rkt itself refuses the word: the unit did not start on rkt either.
    #[error(
        "{var}: {arg}: {why}, so rkt itself refuses it and the unit would not start on rkt either"
    )]
    RktRefuses { var: Var, arg: String, why: String },
}

impl TranslateError {
    /// What to change in the unit, concretely.
    pub fn fix(&self) -> String {
        match self {
            TranslateError::NoEquivalent {
                var,
                arg,
                engine_var,
                ..
            } => format!(
                "remove {arg} from {var}; if the kubelet needs what it did, say it with {engine_var}"
            ),
            TranslateError::Quoted {
                var, arg, unquoted, ..
            } => format!("write {unquoted} instead of {arg} in {var}"),
            TranslateError::MissingValue { var, arg, .. } => {
                format!("give {arg} its value in {var}, or remove it")
            }
            TranslateError::BadVolume { var, spec, .. } => format!(
                "correct \"{spec}\" in {var}: NAME,kind=host,source=PATH[,readOnly=true|false][,recursive=true|false]"
            ),
            TranslateError::RktRefuses { var, arg, .. } => format!("remove {arg} from {var}"),
        }
    }
}

/// Bytes as messages show them: one inert line ([`crate::text::quote::escape`]).
fn lossy(b: &[u8]) -> String {
    crate::text::quote::escape(b)
}

fn os(b: &[u8]) -> OsString {
    OsString::from_vec(b.to_vec())
}

fn host_file(path: &str) -> Mount {
    Mount {
        source: path.into(),
        target: path.into(),
        read_only: true,
        recursive: false,
    }
}

/// What rkt's isolators and other per-app settings that fly ignores did
/// to the kubelet: nothing.
fn fly_ignores(what: &str, target: Target) -> String {
    format!(
        "rkt's fly stage1 applies no {what}, so the kubelet ran without it; give {}'s own option in {} to set one",
        target.name(),
        target.args_var()
    )
}

/// The words of the admin layer as rkt sees them: before the kubelet's
/// image (`RKT_GLOBAL_ARGS` before `run`, then `RKT_RUN_ARGS` and
/// `RKT_OPTS`), and after it (`KUBELET_IMAGE_ARGS`).
struct Words {
    global: Vec<(OsString, Var)>,
    run: Vec<(OsString, Var)>,
    image: Vec<(OsString, Var)>,
}

/// The reader's result, with the position of each read word.
struct Sequence {
    reads: Vec<(Read, bool)>,
}

fn read_all(w: &Words, errors: &mut Vec<TranslateError>) -> Sequence {
    let mut reads = Vec::new();
    for (words, after_image, next) in [
        (&w.global, false, "run"),
        (&w.run, false, "the release's first argument"),
        (&w.image, true, "--, before the kubelet's flags"),
    ] {
        for r in rkt_flags::read(words) {
            if let Word::MissingValue(spec) = r.word {
                errors.push(TranslateError::MissingValue {
                    var: r.var,
                    arg: format!("--{}", spec.name),
                    why: format!(", and is the last word: rkt would take {next} as its value"),
                });
                continue;
            }
            reads.push((r, after_image));
        }
    }
    Sequence { reads }
}

/// Reads rkt arguments for what they mean under fly, for `target`, against
/// the release's own volumes: the translations and every refusal (all of
/// them, not the first).
pub fn translate(
    words: &[(OsString, Var)],
    image_words: &[(OsString, Var)],
    target: Target,
    defaults: &Defaults,
) -> (Vec<Translation>, Vec<TranslateError>) {
    let (global, run): (Vec<_>, Vec<_>) = words
        .iter()
        .cloned()
        .partition(|(_, v)| *v == Var::RktGlobalArgs);
    let mut errors = Vec::new();
    let seq = read_all(
        &Words {
            global,
            run,
            image: image_words.to_vec(),
        },
        &mut errors,
    );
    let mut out = Vec::new();

    // the volumes, for the mounts that use them
    let mut volumes: Vec<(RktVolume, &Read)> = Vec::new();
    for (r, _) in &seq.reads {
        match r.word.volume() {
            Some(Ok(v)) => volumes.push((v, r)),
            Some(Err(why)) => errors.push(TranslateError::BadVolume {
                var: r.var,
                spec: lossy(r.value()),
                why: why.to_string(),
            }),
            None => {}
        }
    }
    let mounted: Vec<String> = seq
        .reads
        .iter()
        .filter_map(|(r, _)| Some(r.word.mount()?.ok()?.volume))
        .collect();

    let mut user: Option<(OsString, Var, String)> = None;
    let mut group: Option<(Var, String, OsString)> = None;
    for (r, after_image) in &seq.reads {
        let e = target.name();
        let refuse = |why: &str| refusal(r, target, why);
        let push = |out: &mut Vec<Translation>, intent| {
            out.push(Translation {
                var: r.var,
                rkt: r.text.clone(),
                intent,
            })
        };
        let (spec, value) = match &r.word {
            Word::Flag { spec, value, .. } => (*spec, value.as_slice()),
            Word::MissingValue(_) => continue,
            Word::Positional if *after_image => {
                errors.push(refuse(
                    " (rkt takes a word after the image that is not a flag as a second image, and runs it as another app in the kubelet's pod)",
                ));
                continue;
            }
            Word::Positional => {
                errors.push(refuse(
                    " (rkt takes the first word that is not a flag as the image, so it would run that instead of the release's kubelet image)",
                ));
                continue;
            }
            Word::EndOfFlags => {
                errors.push(refuse(
                    " (it ends rkt's flags: every word after it, the release's included, becomes an image)",
                ));
                continue;
            }
            Word::Unknown => {
                errors.push(TranslateError::RktRefuses {
                    var: r.var,
                    arg: r.text.clone(),
                    why: "rkt 1.30 has no such flag".into(),
                });
                continue;
            }
        };
        // a flag of one app, before the first image: rkt refuses it
        if spec.scope == Scope::App && !after_image && spec.name != "mount" {
            errors.push(TranslateError::RktRefuses {
                var: r.var,
                arg: r.text.clone(),
                why: format!(
                    "rkt reads --{} only after an image (\"--{} must follow an image\"); in KUBELET_IMAGE_ARGS it would apply to the kubelet",
                    spec.name, spec.name
                ),
            });
            continue;
        }
        let flag = if spec.kind == Kind::Bool {
            match rkt_flags::parse_bool(value) {
                Some(b) => Some(b),
                None => {
                    errors.push(TranslateError::RktRefuses {
                        var: r.var,
                        arg: r.text.clone(),
                        why: format!("\"{}\" is not a boolean", lossy(value)),
                    });
                    continue;
                }
            }
        } else {
            None
        };
        // a boolean set to false switches nothing on
        if flag == Some(false) {
            push(
                &mut out,
                Intent::Dropped("it is false, which is rkt's default".into()),
            );
            continue;
        }
        let v = os(value);
        match spec.name {
            // carried by its --mount, if one uses it
            "volume" => {
                let Some((volume, _)) = volumes.iter().find(|(_, vr)| std::ptr::eq(*vr, r)) else {
                    continue; // refused above
                };
                if !mounted.contains(&volume.name) {
                    push(
                        &mut out,
                        Intent::Unpaired(Unpaired::Volume {
                            name: volume.name.clone(),
                        }),
                    );
                }
            }
            "mount" => {
                let m = match r.word.mount() {
                    Some(Ok(m)) => m,
                    Some(Err(why)) => {
                        errors.push(TranslateError::BadVolume {
                            var: r.var,
                            spec: lossy(value),
                            why: why.to_string(),
                        });
                        continue;
                    }
                    None => unreachable!("a --mount flag"),
                };
                let Some((volume, vr)) = volumes.iter().find(|(v, _)| v.name == m.volume) else {
                    push(
                        &mut out,
                        Intent::Unpaired(Unpaired::Mount { volume: m.volume }),
                    );
                    continue;
                };
                let rkt = format!("{} + {}", vr.text, r.text);
                let intent = match volume.kind {
                    VolumeKind::Host => mount_intent(
                        defaults,
                        Mount {
                            source: volume.source.clone(),
                            target: m.target,
                            read_only: volume.read_only,
                            recursive: volume.recursive,
                        },
                    ),
                    VolumeKind::Empty => Intent::EmptyDir(m.target),
                };
                out.push(Translation {
                    var: r.var,
                    rkt,
                    intent,
                });
            }
            "set-env" | "environment" => {
                if value.contains(&b'=') {
                    push(&mut out, Intent::Env(v));
                } else {
                    errors.push(TranslateError::RktRefuses {
                        var: r.var,
                        arg: r.text.clone(),
                        why: "it is not KEY=VALUE".into(),
                    });
                }
            }
            "set-env-file" => push(&mut out, Intent::EnvFile(v)),
            "inherit-env" => push(&mut out, Intent::InheritEnv),
            "net" if value == b"host" => push(&mut out, Intent::HostNetwork),
            "net" => push(
                &mut out,
                Intent::Dropped(format!(
                    "rkt's fly stage1 ignores --net, so the kubelet ran in the host's network, as it does on {e}"
                )),
            ),
            "dns" => match value {
                b"host" => push(&mut out, Intent::Mount(host_file("/etc/resolv.conf"))),
                b"none" | b"default" => push(
                    &mut out,
                    Intent::Dropped(
                        "it leaves the image's /etc/resolv.conf as it is, which is what the kubelet gets without it".into(),
                    ),
                ),
                _ => push(&mut out, Intent::Dns(v)),
            },
            "dns-search" => push(&mut out, Intent::DnsSearch(v)),
            "dns-opt" => push(&mut out, Intent::DnsOption(v)),
            "dns-domain" => errors.push(refuse(&format!(
                " ({e} cannot write a domain line into the kubelet's /etc/resolv.conf; --dns-search=DOMAIN gives the same short-name lookups)"
            ))),
            "hosts-entry" if value == b"host" => {
                push(&mut out, Intent::Mount(host_file("/etc/hosts")))
            }
            "hosts-entry" => match value.iter().position(|&c| c == b'=') {
                Some(eq) if eq > 0 && eq + 1 < value.len() => push(
                    &mut out,
                    Intent::AddHost {
                        ip: os(&value[..eq]),
                        host: os(&value[eq + 1..]),
                    },
                ),
                _ => errors.push(refuse(" (expected host or IP=HOSTNAME)")),
            },
            "ipc" if value == b"parent" => push(&mut out, Intent::IpcHost),
            "ipc" => push(
                &mut out,
                Intent::Dropped(
                    "rkt's fly stage1 creates no IPC namespace, so the kubelet ran in the host's whatever --ipc said".into(),
                ),
            ),
            "pull-policy" => match value {
                b"new" => push(&mut out, Intent::Pull(Pull::Missing)),
                b"update" => push(&mut out, Intent::Pull(Pull::Always)),
                b"never" => push(&mut out, Intent::Pull(Pull::Never)),
                _ => errors.push(TranslateError::RktRefuses {
                    var: r.var,
                    arg: r.text.clone(),
                    why: "the pull policy is new, update or never".into(),
                }),
            },
            "store-only" => push(&mut out, Intent::Pull(Pull::Never)),
            "no-store" => push(&mut out, Intent::Pull(Pull::Always)),
            "debug" => push(&mut out, Intent::Debug),
            "uuid-file-save" => push(&mut out, Intent::SaveId(v)),
            "trust-keys-from-https" | "signature" => push(&mut out, Intent::SignaturePolicy),
            "insecure-options" => match insecure(value, target) {
                Ok(intent) => push(&mut out, intent),
                Err(why) => errors.push(TranslateError::RktRefuses {
                    var: r.var,
                    arg: r.text.clone(),
                    why,
                }),
            },
            "exec" => push(&mut out, Intent::Exec(v)),
            "user" => user = Some((v, r.var, r.text.clone())),
            "group" => group = Some((r.var, r.text.clone(), v)),
            "supplementary-gids" => push(&mut out, Intent::GroupAdd(v)),
            "working-dir" => push(&mut out, Intent::WorkDir(v)),
            "annotation" | "user-annotation" => push(&mut out, Intent::Annotation(v)),
            "user-label" => push(&mut out, Intent::Label(v)),
            "dir" => push(
                &mut out,
                Intent::Dropped(format!(
                    "it is rkt's data directory (its pods and images); {e} keeps its own"
                )),
            ),
            "system-config" | "local-config" | "user-config" => push(
                &mut out,
                Intent::Lost(format!(
                    "it is rkt's configuration directory (trust keys, registry credentials, stage1 paths), which {e} does not read; {}",
                    target.credentials()
                )),
            ),
            "cpuprofile" | "memprofile" => push(
                &mut out,
                Intent::Dropped("it profiles rkt itself".into()),
            ),
            "stage1-url" | "stage1-path" | "stage1-name" | "stage1-hash" | "stage1-from-dir" => {
                push(
                    &mut out,
                    Intent::Dropped(format!("it chooses rkt's stage1, and {e} has none")),
                )
            }
            "port" => push(
                &mut out,
                Intent::Dropped(
                    "it maps ports of rkt's own pod networks; the kubelet ran in the host's network under fly, and does here".into(),
                ),
            ),
            "no-overlay" => push(
                &mut out,
                Intent::Dropped("it is how rkt lays the image out on disk".into()),
            ),
            "interactive" => push(
                &mut out,
                Intent::Dropped(
                    "rkt's fly stage1 ignores it (the kubelet always shared rkt's standard streams)"
                        .into(),
                ),
            ),
            "mds-register" => push(
                &mut out,
                Intent::Dropped("it registers the pod with rkt's metadata service".into()),
            ),
            "hostname" => push(
                &mut out,
                Intent::Dropped(
                    "rkt's fly stage1 does not implement --hostname, so the kubelet ran with the host's name, as it does here"
                        .into(),
                ),
            ),
            "name" => push(
                &mut out,
                Intent::Dropped(
                    "it names the app inside rkt's pod; the release names the container".into(),
                ),
            ),
            "readonly-rootfs" => {
                if rkt_flags::parse_bool(value).is_none() {
                    errors.push(TranslateError::RktRefuses {
                        var: r.var,
                        arg: r.text.clone(),
                        why: "--readonly-rootfs must be set with a boolean".into(),
                    });
                } else {
                    push(
                        &mut out,
                        Intent::Dropped(fly_ignores("read-only root file system", target)),
                    );
                }
            }
            "memory" | "cpu" | "cpu-shares" | "oom-score-adj" => push(
                &mut out,
                Intent::Dropped(fly_ignores("memory, CPU or OOM-score isolator", target)),
            ),
            "caps-retain" | "caps-remove" | "cap-retain" | "cap-remove" | "seccomp" => push(
                &mut out,
                Intent::Dropped(fly_ignores("capability bounding or seccomp filter", target)),
            ),
            "pod-manifest" => errors.push(refuse(
                " (the whole pod comes from a manifest file; the release composes the kubelet's container itself)",
            )),
            "private-users" => errors.push(refuse(
                " (the kubelet would run as an unprivileged user of a user namespace, where it cannot manage the node)",
            )),
            "help" => errors.push(TranslateError::RktRefuses {
                var: r.var,
                arg: r.text.clone(),
                why: "rkt prints its help and starts nothing".into(),
            }),
            other => unreachable!("rkt flag --{other} has no meaning in the table"),
        }
    }
    match (user, group) {
        (Some((u, var, text)), Some((_, gtext, g))) => {
            let mut v = u;
            v.push(":");
            v.push(g);
            out.push(Translation {
                var,
                rkt: format!("{text} + {gtext}"),
                intent: Intent::User(v),
            });
        }
        (Some((u, var, text)), None) => out.push(Translation {
            var,
            rkt: text,
            intent: Intent::User(u),
        }),
        (None, Some((var, text, _))) => errors.push(TranslateError::NoEquivalent {
            var,
            arg: text,
            engine: target.name(),
            engine_var: target.args_var(),
            why:
                " without --user (the engine sets the group only with the user: --user=USER:GROUP)"
                    .into(),
        }),
        (None, None) => {}
    }

    // What the engine cannot express.
    for t in &out {
        let why = match (&t.intent, target) {
            (Intent::SkipTls, Target::Docker) => {
                Some(" (docker takes registry TLS settings from the daemon, not per run)")
            }
            (Intent::InheritEnv, Target::Docker) => {
                Some(" (docker run cannot pass its own environment to the container)")
            }
            (
                Intent::EnvFile(_)
                | Intent::InheritEnv
                | Intent::Dns(_)
                | Intent::DnsSearch(_)
                | Intent::DnsOption(_)
                | Intent::AddHost { .. }
                | Intent::IpcHost
                | Intent::GroupAdd(_)
                | Intent::EmptyDir(_)
                | Intent::SaveId(_)
                | Intent::SkipTls,
                Target::Nspawn,
            ) => Some(""),
            _ => None,
        };
        if let Some(why) = why {
            errors.push(TranslateError::NoEquivalent {
                var: t.var,
                arg: t.rkt.clone(),
                engine: target.name(),
                engine_var: target.args_var(),
                why: why.to_string(),
            });
        }
    }
    (out, errors)
}

/// A host mount, or the release's own mount when it already makes it.
fn mount_intent(defaults: &Defaults, m: Mount) -> Intent {
    match overlap::overlap(defaults, Some(m.source.as_bytes()), m.target.as_bytes()) {
        Some(o @ (Overlap::Same(_) | Overlap::Inside(_))) => Intent::Redundant(Redundant {
            volume: o.volume().name.clone(),
            volume_source: o.volume().source.clone(),
            volume_target: o.volume().target.clone(),
            volume_read_only: o.volume().read_only,
            inside: matches!(o, Overlap::Inside(_)),
            mount: m,
        }),
        _ => Intent::Mount(m),
    }
}

/// What `--insecure-options=LIST` switches off, as one intent.
fn insecure(value: &[u8], target: Target) -> Result<Intent, String> {
    let (mut tls, mut signature, mut run) = (false, false, false);
    for opt in value.split(|&c| c == b',') {
        match opt {
            b"none" => {}
            b"image" | b"pubkey" => signature = true,
            b"http" | b"tls" => tls = true,
            b"all-fetch" | b"all" => tls = true,
            b"ondisk" | b"capabilities" | b"paths" | b"seccomp" | b"all-run" => run = true,
            _ => {
                return Err(format!(
                    "\"{}\" is not one of rkt's insecure options (none, image, tls, ondisk, http, pubkey, capabilities, paths, seccomp, all-fetch, all-run, all)",
                    lossy(opt)
                ));
            }
        }
    }
    Ok(if tls {
        Intent::SkipTls
    } else if signature {
        Intent::SignaturePolicy
    } else if run {
        Intent::Dropped(format!(
            "rkt's fly stage1 enforces no on-disk, capability, path or seccomp checks, and the kubelet runs privileged on {}",
            target.name()
        ))
    } else {
        Intent::Dropped("it switches nothing off".into())
    })
}

/// The refusal of a word that has no equivalent, or whose quotes are the
/// problem.
fn refusal(r: &Read, target: Target, why: &str) -> TranslateError {
    if r.text.contains(['"', '\'']) {
        // the quotes are the problem, not the argument (admins write
        // RKT_RUN_ARGS="--net=host" for a shell; systemd and the
        // wrapper keep those quotes)
        return TranslateError::Quoted {
            var: r.var,
            arg: r.text.clone(),
            unquoted: r.text.replace(['"', '\''], ""),
            engine: target.name(),
        };
    }
    TranslateError::NoEquivalent {
        var: r.var,
        arg: r.text.clone(),
        engine: target.name(),
        engine_var: target.args_var(),
        why: why.to_string(),
    }
}

/// What an admin layer written for rkt carries to another engine.
pub struct CarriedOver {
    /// Every rkt variable's words, read for what they mean.
    pub translations: Vec<Translation>,
    /// The kubelet's path from `KUBELET_IMAGE_ARGS` (`--exec=X`), if set.
    pub command: Option<(OsString, crate::engine::command::Origin)>,
    /// One per rkt-only or other engine's variable that is ignored.
    pub notices: Vec<String>,
    /// Those of the notices that are only for the record (the rkt-only
    /// variables: `RKT`, `RKT_STAGE1_ARG`).
    pub notes: Vec<String>,
    /// What cannot be carried over: every refusal.
    pub errors: Vec<TranslateError>,
}

/// Reads the rkt parts of the admin layer for `target`: every renderer of
/// an engine other than rkt starts here.
pub fn carry_over(
    admin: &crate::admin::AdminConfig,
    target: Target,
    defaults: &Defaults,
) -> CarriedOver {
    let mut rkt_words = tagged(admin.global_args.as_deref(), Var::RktGlobalArgs);
    rkt_words.extend(tagged(admin.run_args.as_deref(), Var::RktRunArgs));
    rkt_words.extend(tagged(admin.opts.as_deref(), Var::RktOpts));
    let image_words = tagged(admin.image_args.as_deref(), Var::KubeletImageArgs);
    let (mut translations, errors) = translate(&rkt_words, &image_words, target, defaults);
    // the last --exec is the kubelet's path
    let command = translations.iter().rev().find_map(|t| match &t.intent {
        Intent::Exec(c) => Some((
            c.clone(),
            crate::engine::command::Origin::Translated(Var::KubeletImageArgs),
        )),
        _ => None,
    });
    translations.retain(|t| !matches!(t.intent, Intent::Exec(_)));
    let notes = admin.ignored_rkt_vars(target.name(), target.program_var());
    let mut notices = notes.clone();
    notices.extend(
        admin.ignored_engine_vars(target.name(), &[target.program_var(), target.args_var()]),
    );
    CarriedOver {
        translations,
        command,
        notices,
        notes,
        errors,
    }
}

/// The words of `value`, each tagged with `var`.
pub fn tagged(value: Option<&OsStr>, var: Var) -> Vec<(OsString, Var)> {
    value
        .map(|v| {
            crate::text::words::split(v)
                .into_iter()
                .map(|w| (w, var))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::registry;

    fn release(r: &str) -> Defaults {
        registry::lookup(crate::release::Version::parse(r).unwrap())
            .unwrap()
            .parse()
    }

    fn tr_in(s: &str, image: &str, t: Target) -> Result<Vec<Intent>, Vec<TranslateError>> {
        let (out, errors) = translate(
            &tagged(Some(OsStr::new(s)), Var::RktRunArgs),
            &tagged(Some(OsStr::new(image)), Var::KubeletImageArgs),
            t,
            &release("3000.0.0"),
        );
        if errors.is_empty() {
            Ok(out.into_iter().map(|x| x.intent).collect())
        } else {
            Err(errors)
        }
    }

    fn tr(s: &str, t: Target) -> Result<Vec<Intent>, Vec<TranslateError>> {
        tr_in(s, "", t)
    }

    fn first_error(s: &str, t: Target) -> String {
        tr(s, t).unwrap_err()[0].to_string()
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
    fn volume_and_mount_pairs_in_both_forms() {
        let want = vec![
            mount("/srv/cni", "/etc/cni/custom", true, false),
            mount("/srv/log", "/logs", false, true),
        ];
        for s in [
            "--volume cni,kind=host,source=/srv/cni,readOnly=true --mount volume=cni,target=/etc/cni/custom --volume=log,kind=host,source=/srv/log,recursive=true --mount=volume=log,target=/logs",
            "--volume=cni,kind=host,source=/srv/cni,readOnly=true --volume log,kind=host,readOnly=false,source=/srv/log,recursive=true --mount target=/etc/cni/custom,volume=cni --mount volume=log,target=/logs",
        ] {
            assert_eq!(tr(s, Target::Podman).unwrap(), want, "{s}");
        }
    }

    #[test]
    fn mounts_the_release_already_makes_are_redundant() {
        let got = tr(
            "--volume var-log,kind=host,source=/var/log --mount volume=var-log,target=/var/log \
             --volume cni-bin,kind=host,source=/opt/cni/bin,readOnly=false --mount volume=cni-bin,target=/opt/cni/bin \
             --volume flannel,kind=host,source=/run/flannel --mount volume=flannel,target=/run/flannel",
            Target::Podman,
        )
        .unwrap();
        let Intent::Redundant(same) = &got[0] else {
            panic!("{got:?}")
        };
        assert_eq!((same.volume.as_str(), same.inside), ("var-log", false));
        assert!(!same.loses_write());
        assert_eq!(
            same.explain(),
            ": dropped, the release already mounts /var/log at /var/log (read-write, volume var-log)"
        );
        let Intent::Redundant(access) = &got[1] else {
            panic!("{got:?}")
        };
        assert!(access.loses_write());
        assert!(
            access.explain().contains("the release mounts it read-only"),
            "{}",
            access.explain()
        );
        let Intent::Redundant(inside) = &got[2] else {
            panic!("{got:?}")
        };
        assert_eq!((inside.volume.as_str(), inside.inside), ("run", true));
        // another host path at a release target stays a mount (the
        // release's check refuses it)
        assert_eq!(
            tr(
                "--volume k,kind=host,source=/srv/k --mount volume=k,target=/var/lib/kubelet",
                Target::Podman
            )
            .unwrap(),
            vec![mount("/srv/k", "/var/lib/kubelet", false, false)]
        );
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
    fn every_flag_of_rkt_has_an_answer_on_every_engine() {
        // each flag with a value that rkt accepts, before and after the image
        for spec in rkt_flags::FLAGS {
            let value = match spec.name {
                "volume" => "v,kind=host,source=/srv/v",
                "mount" => "volume=v,target=/srv/v",
                "set-env" | "environment" | "annotation" | "user-annotation" | "user-label" => {
                    "K=V"
                }
                "hosts-entry" => "192.0.2.1=api",
                "pull-policy" => "never",
                "insecure-options" => "image",
                "readonly-rootfs" => "true",
                "ipc" => "parent",
                _ => "x",
            };
            let word = match spec.kind {
                Kind::Bool => format!("--{}", spec.name),
                _ => format!("--{}={value}", spec.name),
            };
            let (before, after) = if spec.scope == Scope::App {
                (String::new(), word.clone())
            } else {
                (word.clone(), String::new())
            };
            let pair = match spec.name {
                "volume" => " --mount volume=v,target=/srv/v",
                "mount" => " --volume v,kind=host,source=/srv/v",
                _ => "",
            };
            for t in [Target::Podman, Target::Docker, Target::Nspawn] {
                // an answer: a translation, a drop or a refusal that names
                // the flag; never a panic
                match tr_in(&format!("{before}{pair}"), &after, t) {
                    Ok(intents) => assert!(!intents.is_empty(), "{word} on {t:?}"),
                    Err(errors) => assert!(
                        errors
                            .iter()
                            .any(|e| e.to_string().contains(&format!("--{}", spec.name))),
                        "{word} on {t:?}: {errors:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn drops_say_why_and_fly_ignores_what_it_ignored() {
        for (args, image, needle) in [
            ("--debug=false", "", "false"),
            ("--dir=/var/lib/rkt", "", "rkt's data directory"),
            ("--local-config=/etc/rkt", "", "auth file"),
            ("--stage1-from-dir=stage1-fly.aci", "", "stage1"),
            ("--net=default", "", "ignores --net"),
            ("--hostname=node1", "", "does not implement --hostname"),
            ("--port=http:80", "", "host's network"),
            ("", "--memory=1G", "applies no memory"),
            ("", "--caps-retain=CAP_SYS_ADMIN", "capability bounding"),
            ("--insecure-options=paths,seccomp", "", "privileged"),
        ] {
            let got = tr_in(args, image, Target::Podman).unwrap();
            assert!(
                matches!(&got[..], [Intent::Dropped(why) | Intent::Lost(why)] if why.contains(needle)),
                "{args} {image}: {got:?}"
            );
        }
    }

    #[test]
    fn refusals_name_the_argument_why_and_the_engine_variable() {
        for (args, t, needle) in [
            (
                "--private-users",
                Target::Podman,
                "RKT_RUN_ARGS: --private-users has no podman equivalent",
            ),
            (
                "--net host",
                Target::Podman,
                "RKT_RUN_ARGS: host has no podman equivalent (rkt takes the first word",
            ),
            (
                "--insecure-options=nope",
                Target::Podman,
                "\"nope\" is not one of rkt's insecure options",
            ),
            ("--insecure-options=tls", Target::Docker, "from the daemon"),
            ("--inherit-env", Target::Docker, "own environment"),
            (
                "--uuid-file-save=/x",
                Target::Nspawn,
                "--uuid-file-save=/x has no systemd-nspawn equivalent",
            ),
            (
                "--memory=1G",
                Target::Podman,
                "rkt reads --memory only after an image",
            ),
            (
                "--no-such-flag",
                Target::Podman,
                "rkt 1.30 has no such flag",
            ),
            ("--debug=yes", Target::Podman, "\"yes\" is not a boolean"),
            ("-- --net=host", Target::Podman, "it ends rkt's flags"),
        ] {
            let e = first_error(args, t);
            assert!(e.contains(needle), "{args}: {e}");
        }
        // quotes: the message says they are the problem
        assert_eq!(
            first_error("\"--net=host\"", Target::Podman),
            "RKT_RUN_ARGS: \"--net=host\" holds quote characters, and the wrapper does not remove quotes, so it is not an rkt argument that podman could be given: write it without the quotes (in the unit: Environment=\"RKT_RUN_ARGS=... --net=host ...\")"
        );
        let e = first_error(
            "--volume x,kind=host,source=/a,readOnly=yes --mount volume=x,target=/a",
            Target::Podman,
        );
        assert!(e.contains("readOnly=yes is not true or false"), "{e}");
        assert!(
            first_error("--volume", Target::Podman)
                .contains("rkt would take the release's first argument as its value"),
        );
    }

    #[test]
    fn every_refusal_is_reported_at_once() {
        let errors = tr(
            "--private-users --pod-manifest=/p --no-such --volume e,kind=other --mount volume=e,target=/e",
            Target::Podman,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        for e in &errors {
            assert!(!e.fix().is_empty(), "{e}");
        }
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
    fn image_args_after_the_image() {
        assert_eq!(
            tr_in("", "--exec=/kubelet", Target::Podman).unwrap(),
            vec![Intent::Exec("/kubelet".into())]
        );
        assert_eq!(
            tr_in(
                "",
                "--exec /usr/bin/kubelet --user=0 --working-dir=/ --environment=A=1",
                Target::Nspawn
            )
            .unwrap(),
            vec![
                Intent::Exec("/usr/bin/kubelet".into()),
                Intent::WorkDir("/".into()),
                Intent::Env("A=1".into()),
                Intent::User("0".into()),
            ]
        );
        let e = tr_in("", "--group=wheel", Target::Podman).unwrap_err();
        assert!(e[0].to_string().contains("without --user"), "{e:?}");
        assert_eq!(
            tr_in("", "--group=wheel --user=kube", Target::Podman).unwrap(),
            vec![Intent::User("kube:wheel".into())]
        );
        let e = tr_in("", "--exec=/hyperkube kubelet", Target::Podman).unwrap_err();
        assert!(
            e[0].to_string()
                .contains("KUBELET_IMAGE_ARGS: kubelet has no podman equivalent (rkt takes a word after the image"),
            "{e:?}"
        );
        // a pod flag works after the image too, as rkt reads it
        assert_eq!(
            tr_in("", "--net=host", Target::Podman).unwrap(),
            vec![Intent::HostNetwork]
        );
    }
}
