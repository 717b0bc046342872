//! What changes for the kubelet between two releases' system layers.
//!
//! A release engineer reviewing a new `defaults/<release>.json` wants to know
//! what the kubelet will see differently, not which JSON lines moved: "the
//! volume var-log is gone", "docker: images are no longer verified". [`diff`]
//! compares two parsed files field by field and returns a typed list of
//! [`Change`]s; `Display` says each in a reviewer's words and `Serialize`
//! gives the same list as JSON (`kubelet-wrapperctl defaults diff A B
//! [--format json]`).
//!
//! What a file says about itself (`release`, `origin`, `until`, `summary`,
//! `$schema`, and the words of a trust rule's `description`) is not a change
//! for the kubelet and is not compared. Every other field is: the
//! model's structs are taken apart exhaustively below, so a field added to
//! the format does not compile until this module says how it differs.
//!
//! Read-only is compared as the engine applies it: a release whose rkt
//! writes no readOnly attribute mounts every volume read-write, so there a
//! volume's `read_only` is reported (and serialized) as `false`.
//!
//! Volumes are matched by name, then (for renames, like the `coreos-` prefix
//! of 1423.0.0) by target, the path the kubelet sees. Trust rules are matched
//! by their condition; their order does not matter, because conditions are
//! distinct image prefixes and an `always` rule can only be the last one.
//!
//! Between releases of different engines (`rkt` to `podman`) the change of
//! engine is reported together with what every engine has (program, run
//! flags, trust rules); the settings only one of the two engines has are
//! `defaults show`'s to print.

use crate::release::model::{
    AdminChecks, Cgroup, Defaults, Engine, Image, Log, Notify, Nspawn, Oci, Rkt, SharedRule,
    TrustCondition, TrustPolicy, TrustRule, Volume,
};
use serde::Serialize;
use std::fmt;

/// One difference between two releases' system layers, as the kubelet (or
/// the engine that runs it) would notice it. Positions are 0-based indexes
/// into the `volumes` (or `trust`) list of the release the item is in;
/// `after` names the volume just before it there (`None`: the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// How strictly the admin layer (the unit's environment) is checked.
    AdminChecksChanged { from: AdminChecks, to: AdminChecks },
    /// The host directories created before the engine starts, or their order.
    DirectoriesChanged { from: Vec<String>, to: Vec<String> },
    /// A volume only the newer release has.
    VolumeAdded {
        position: usize,
        after: Option<String>,
        volume: Volume,
    },
    /// A volume only the older release has.
    VolumeRemoved {
        position: usize,
        after: Option<String>,
        volume: Volume,
    },
    /// The same mount (same target) under another volume name.
    VolumeRenamed {
        from: String,
        to: String,
        target: String,
    },
    /// A volume passed in a different order relative to the others.
    VolumeMoved {
        volume: String,
        from_position: usize,
        to_position: usize,
        after: Option<String>,
    },
    /// The host path of a volume.
    SourceChanged {
        volume: String,
        from: String,
        to: String,
    },
    /// The path a volume appears at inside the container.
    TargetChanged {
        volume: String,
        from: String,
        to: String,
    },
    /// Whether the kubelet may write to a volume.
    ReadOnlyChanged {
        volume: String,
        from: bool,
        to: bool,
    },
    /// Whether mounts below a volume's source are carried along.
    RecursiveChanged {
        volume: String,
        from: bool,
        to: bool,
    },
    /// What the wrapper does when the source's mount does not pass the
    /// kubelet's mounts back to the host.
    SharedChanged {
        volume: String,
        from: Option<SharedRule>,
        to: Option<SharedRule>,
    },
    /// The image location used when the admin sets no URL.
    ImageDefaultChanged { from: String, to: String },
    /// What joins the image URL and the tag (`:` or `/`).
    TagSeparatorChanged { from: String, to: String },
    /// What the trust policy does to the default image (a consequence of
    /// the default image or the trust rules changing).
    DefaultImageTrustChanged {
        from_image: String,
        to_image: String,
        from: Option<TrustOutcome>,
        to: Option<TrustOutcome>,
    },
    /// A different container engine altogether.
    EngineChanged { from: String, to: String },
    /// The engine program used when the admin does not set `variable`
    /// (`RKT`, `PODMAN`, ...).
    EngineProgramChanged {
        variable: String,
        from: String,
        to: String,
    },
    /// The stage1 argument(s).
    Stage1Changed { from: Vec<String>, to: Vec<String> },
    /// Whether `readOnly=` is written on each `--volume`.
    ReadOnlyAttributeChanged { from: bool, to: bool },
    /// A trust rule only the newer release has.
    TrustRuleAdded { position: usize, rule: TrustRule },
    /// A trust rule only the older release has.
    TrustRuleRemoved { position: usize, rule: TrustRule },
    /// A trust rule for the same images with another policy or arguments.
    TrustRuleChanged {
        position: usize,
        from: TrustRule,
        to: TrustRule,
    },
    /// The release-fixed run flags.
    RunFlagsChanged { from: Vec<String>, to: Vec<String> },
    /// The arguments after the image (rkt).
    ImageArgsChanged { from: Vec<String>, to: Vec<String> },
    /// Where rkt records the pod's UUID so that the next start removes the
    /// pod left behind (`None`: no stale pod cleanup).
    UuidFileChanged {
        from: Option<String>,
        to: Option<String>,
    },
    /// The kubelet's path in the image or machine (podman, docker,
    /// systemd-nspawn).
    CommandChanged { from: String, to: String },
    /// The name of the kubelet container (podman, docker).
    ContainerNameChanged { from: String, to: String },
    /// Whether a previous container of that name is removed before the
    /// start (podman, docker).
    RemovePreviousChanged { from: bool, to: bool },
    /// Whether image references must be pinned by digest (podman, docker).
    RequireDigestChanged { from: bool, to: bool },
    /// Where the kubelet's processes live (podman): `None` is the engine's
    /// own place.
    CgroupChanged {
        from: Option<Cgroup>,
        to: Option<Cgroup>,
    },
    /// Where the kubelet's output goes (podman): `None` is the engine's
    /// log driver.
    LogChanged { from: Option<Log>, to: Option<Log> },
    /// Whose readiness a `Type=notify` unit waits for (podman): `None` is
    /// the engine's default.
    NotifyChanged {
        from: Option<Notify>,
        to: Option<Notify>,
    },
}

/// What the first matching trust rule contributes to the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustOutcome {
    pub policy: TrustPolicy,
    pub args: Vec<String>,
}

/// Everything that differs for the kubelet between release files `a` (the
/// older, usually) and `b`, in file order: directories, volumes (removed
/// ones first, then in `b`'s order), image, engine. Empty when the two
/// layers are the same as the engine applies them.
pub fn diff(a: &Defaults, b: &Defaults) -> Vec<Change> {
    let Defaults {
        schema: _,
        release: _,
        origin: _,
        until: _,
        admin_checks: checks_a,
        summary: _,
        directories: dirs_a,
        volumes: vols_a,
        image: Image {
            default_url: url_a,
            tag_separator: sep_a,
        },
        engine: engine_a,
    } = a;
    let Defaults {
        schema: _,
        release: _,
        origin: _,
        until: _,
        admin_checks: checks_b,
        summary: _,
        directories: dirs_b,
        volumes: vols_b,
        image: Image {
            default_url: url_b,
            tag_separator: sep_b,
        },
        engine: engine_b,
    } = b;

    let mut changes = Vec::new();
    if checks_a != checks_b {
        changes.push(Change::AdminChecksChanged {
            from: *checks_a,
            to: *checks_b,
        });
    }
    if dirs_a != dirs_b {
        changes.push(Change::DirectoriesChanged {
            from: dirs_a.clone(),
            to: dirs_b.clone(),
        });
    }
    diff_volumes(
        &effective(vols_a, engine_a),
        &effective(vols_b, engine_b),
        &mut changes,
    );
    if url_a != url_b {
        changes.push(Change::ImageDefaultChanged {
            from: url_a.clone(),
            to: url_b.clone(),
        });
    }
    if sep_a != sep_b {
        changes.push(Change::TagSeparatorChanged {
            from: sep_a.clone(),
            to: sep_b.clone(),
        });
    }
    diff_engines(engine_a, engine_b, &mut changes);

    let (from, to) = (default_trust(a), default_trust(b));
    if from != to {
        changes.push(Change::DefaultImageTrustChanged {
            from_image: url_a.clone(),
            to_image: url_b.clone(),
            from,
            to,
        });
    }
    changes
}

/// The volumes as the engine applies them: rkt without the readOnly
/// attribute (releases before 1207.0.0) mounts every volume read-write,
/// whatever `read_only` says.
fn effective(volumes: &[Volume], engine: &Engine) -> Vec<Volume> {
    let honoured = match engine {
        Engine::Rkt(r) => r.read_only_attribute,
        Engine::Podman(_) | Engine::Docker(_) | Engine::SystemdNspawn(_) => true,
    };
    volumes
        .iter()
        .map(|v| Volume {
            read_only: v.read_only && honoured,
            ..v.clone()
        })
        .collect()
}

/// The trust outcome for a release's default image.
fn default_trust(d: &Defaults) -> Option<TrustOutcome> {
    d.engine
        .trust()
        .iter()
        .find(|r| r.when.matches(d.image.default_url.as_bytes()))
        .map(|r| TrustOutcome {
            policy: r.policy,
            args: r.args.clone(),
        })
}

fn diff_volumes(a: &[Volume], b: &[Volume], changes: &mut Vec<Change>) {
    // pair[i] = index in b of a[i]'s counterpart: same name, else same target
    let mut pair: Vec<Option<usize>> = a
        .iter()
        .map(|va| b.iter().position(|vb| vb.name == va.name))
        .collect();
    let mut taken = vec![false; b.len()];
    for j in pair.iter().flatten() {
        taken[*j] = true;
    }
    for (i, va) in a.iter().enumerate() {
        if pair[i].is_none()
            && let Some(j) = (0..b.len()).find(|&j| !taken[j] && b[j].target == va.target)
        {
            pair[i] = Some(j);
            taken[j] = true;
        }
    }
    let mut from_a = vec![None; b.len()];
    for (i, j) in pair.iter().enumerate() {
        if let Some(j) = j {
            from_a[*j] = Some(i);
        }
    }
    let in_order = kept_in_order(&pair);
    let after = |vols: &[Volume], pos: usize| pos.checked_sub(1).map(|p| vols[p].name.clone());

    for (i, va) in a.iter().enumerate() {
        if pair[i].is_none() {
            changes.push(Change::VolumeRemoved {
                position: i,
                after: after(a, i),
                volume: va.clone(),
            });
        }
    }
    for (j, vb) in b.iter().enumerate() {
        let Some(i) = from_a[j] else {
            changes.push(Change::VolumeAdded {
                position: j,
                after: after(b, j),
                volume: vb.clone(),
            });
            continue;
        };
        let Volume {
            name: name_a,
            source: source_a,
            target: target_a,
            read_only: ro_a,
            recursive: rec_a,
            shared: shared_a,
        } = &a[i];
        let Volume {
            name,
            source,
            target,
            read_only,
            recursive,
            shared,
        } = vb;
        if name_a != name {
            changes.push(Change::VolumeRenamed {
                from: name_a.clone(),
                to: name.clone(),
                target: target.clone(),
            });
        }
        if !in_order[i] {
            changes.push(Change::VolumeMoved {
                volume: name.clone(),
                from_position: i,
                to_position: j,
                after: after(b, j),
            });
        }
        if source_a != source {
            changes.push(Change::SourceChanged {
                volume: name.clone(),
                from: source_a.clone(),
                to: source.clone(),
            });
        }
        if target_a != target {
            changes.push(Change::TargetChanged {
                volume: name.clone(),
                from: target_a.clone(),
                to: target.clone(),
            });
        }
        if ro_a != read_only {
            changes.push(Change::ReadOnlyChanged {
                volume: name.clone(),
                from: *ro_a,
                to: *read_only,
            });
        }
        if rec_a != recursive {
            changes.push(Change::RecursiveChanged {
                volume: name.clone(),
                from: *rec_a,
                to: *recursive,
            });
        }
        if shared_a != shared {
            changes.push(Change::SharedChanged {
                volume: name.clone(),
                from: *shared_a,
                to: *shared,
            });
        }
    }
}

/// Which paired volumes keep their relative order: the longest run of pairs
/// whose positions in `b` increase with their positions in `a`. The others
/// are reported as moved. (Insertions and removals shift positions without
/// moving anything, so comparing positions alone would not do.)
fn kept_in_order(pair: &[Option<usize>]) -> Vec<bool> {
    let idx: Vec<usize> = (0..pair.len()).filter(|&i| pair[i].is_some()).collect();
    let pos = |k: usize| pair[idx[k]].expect("paired");
    // longest increasing subsequence, quadratic: releases have a dozen volumes
    let mut len = vec![1usize; idx.len()];
    let mut prev: Vec<Option<usize>> = vec![None; idx.len()];
    for k in 0..idx.len() {
        for l in 0..k {
            if pos(l) < pos(k) && len[l] + 1 > len[k] {
                len[k] = len[l] + 1;
                prev[k] = Some(l);
            }
        }
    }
    let mut kept = vec![true; pair.len()];
    if let Some(mut k) = (0..idx.len()).max_by_key(|&k| (len[k], std::cmp::Reverse(k))) {
        for &i in &idx {
            kept[i] = false;
        }
        loop {
            kept[idx[k]] = true;
            match prev[k] {
                Some(l) => k = l,
                None => break,
            }
        }
    }
    kept
}

/// The release-fixed flags every engine has.
fn run_flags(e: &Engine) -> &[String] {
    match e {
        Engine::Rkt(r) => &r.run_flags,
        Engine::Podman(o) | Engine::Docker(o) => &o.run_flags,
        Engine::SystemdNspawn(n) => &n.run_flags,
    }
}

fn diff_engines(a: &Engine, b: &Engine, changes: &mut Vec<Change>) {
    if a.name() != b.name() {
        changes.push(Change::EngineChanged {
            from: a.name().into(),
            to: b.name().into(),
        });
    }
    // what every engine has
    if a.program() != b.program() {
        changes.push(Change::EngineProgramChanged {
            variable: crate::engine::program_var(b).to_string(),
            from: a.program().into(),
            to: b.program().into(),
        });
    }
    // what only some engines have, when both releases run the same one
    match (a, b) {
        (Engine::Rkt(ra), Engine::Rkt(rb)) => diff_rkt(ra, rb, changes),
        (Engine::Podman(oa), Engine::Podman(ob)) | (Engine::Docker(oa), Engine::Docker(ob)) => {
            diff_oci(oa, ob, changes)
        }
        (Engine::SystemdNspawn(na), Engine::SystemdNspawn(nb)) => diff_nspawn(na, nb, changes),
        _ => {}
    }
    diff_trust(a.trust(), b.trust(), changes);
    let (flags_a, flags_b) = (run_flags(a), run_flags(b));
    if flags_a != flags_b {
        changes.push(Change::RunFlagsChanged {
            from: flags_a.to_vec(),
            to: flags_b.to_vec(),
        });
    }
}

// Each engine's settings are taken apart exhaustively: a new setting does not
// compile until it is either compared here or marked as compared above.

fn diff_rkt(a: &Rkt, b: &Rkt, changes: &mut Vec<Change>) {
    let Rkt {
        program: _,
        stage1: stage1_a,
        read_only_attribute: roa_a,
        trust: _,
        run_flags: _,
        image_args: args_a,
        uuid_file: uuid_a,
    } = a;
    let Rkt {
        program: _,
        stage1,
        read_only_attribute,
        trust: _,
        run_flags: _,
        image_args,
        uuid_file,
    } = b;
    if stage1_a != stage1 {
        changes.push(Change::Stage1Changed {
            from: stage1_a.clone(),
            to: stage1.clone(),
        });
    }
    if roa_a != read_only_attribute {
        changes.push(Change::ReadOnlyAttributeChanged {
            from: *roa_a,
            to: *read_only_attribute,
        });
    }
    if args_a != image_args {
        changes.push(Change::ImageArgsChanged {
            from: args_a.clone(),
            to: image_args.clone(),
        });
    }
    if uuid_a != uuid_file {
        changes.push(Change::UuidFileChanged {
            from: uuid_a.clone(),
            to: uuid_file.clone(),
        });
    }
}

fn diff_oci(a: &Oci, b: &Oci, changes: &mut Vec<Change>) {
    let Oci {
        program: _,
        container_name: name_a,
        remove_previous: remove_a,
        run_flags: _,
        command: command_a,
        trust: _,
        require_digest: digest_a,
        cgroup: cgroup_a,
        log: log_a,
        notify: notify_a,
    } = a;
    let Oci {
        program: _,
        container_name,
        remove_previous,
        run_flags: _,
        command,
        trust: _,
        require_digest,
        cgroup,
        log,
        notify,
    } = b;
    if name_a != container_name {
        changes.push(Change::ContainerNameChanged {
            from: name_a.clone(),
            to: container_name.clone(),
        });
    }
    if remove_a != remove_previous {
        changes.push(Change::RemovePreviousChanged {
            from: *remove_a,
            to: *remove_previous,
        });
    }
    if command_a != command {
        changes.push(Change::CommandChanged {
            from: command_a.clone(),
            to: command.clone(),
        });
    }
    if digest_a != require_digest {
        changes.push(Change::RequireDigestChanged {
            from: *digest_a,
            to: *require_digest,
        });
    }
    if cgroup_a != cgroup {
        changes.push(Change::CgroupChanged {
            from: *cgroup_a,
            to: *cgroup,
        });
    }
    if log_a != log {
        changes.push(Change::LogChanged {
            from: *log_a,
            to: *log,
        });
    }
    if notify_a != notify {
        changes.push(Change::NotifyChanged {
            from: *notify_a,
            to: *notify,
        });
    }
}

fn diff_nspawn(a: &Nspawn, b: &Nspawn, changes: &mut Vec<Change>) {
    let Nspawn {
        program: _,
        run_flags: _,
        command: command_a,
    } = a;
    let Nspawn {
        program: _,
        run_flags: _,
        command,
    } = b;
    if command_a != command {
        changes.push(Change::CommandChanged {
            from: command_a.clone(),
            to: command.clone(),
        });
    }
}

fn diff_trust(a: &[TrustRule], b: &[TrustRule], changes: &mut Vec<Change>) {
    for (i, ra) in a.iter().enumerate() {
        if !b.iter().any(|rb| rb.when == ra.when) {
            changes.push(Change::TrustRuleRemoved {
                position: i,
                rule: ra.clone(),
            });
        }
    }
    for (j, rb) in b.iter().enumerate() {
        match a.iter().find(|ra| ra.when == rb.when) {
            None => changes.push(Change::TrustRuleAdded {
                position: j,
                rule: rb.clone(),
            }),
            Some(ra) => {
                let TrustRule {
                    when: _,
                    policy,
                    args,
                    description: _,
                } = ra;
                if *policy != rb.policy || *args != rb.args {
                    changes.push(Change::TrustRuleChanged {
                        position: j,
                        from: ra.clone(),
                        to: rb.clone(),
                    });
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// In words.

fn args(a: &[String]) -> String {
    if a.is_empty() {
        "(none)".into()
    } else {
        a.join(" ")
    }
}

fn access(read_only: bool) -> &'static str {
    if read_only { "read-only" } else { "read-write" }
}

fn place(after: &Option<String>) -> String {
    match after {
        None => "first".into(),
        Some(v) => format!("after {v}"),
    }
}

fn volume_words(v: &Volume) -> String {
    format!(
        "{} -> {}, {}{}{}",
        v.source,
        v.target,
        access(v.read_only),
        if v.recursive { ", recursive" } else { "" },
        match v.shared {
            Some(r) => format!(", shared: {}", r.name()),
            None => String::new(),
        }
    )
}

fn policy_words(p: TrustPolicy) -> &'static str {
    match p {
        TrustPolicy::Verify => "image verified",
        TrustPolicy::Insecure => "image not verified",
        TrustPolicy::Engine => "verified as the engine is configured",
    }
}

/// A trust rule's arguments in words (a rule of policy `engine` has none).
fn rule_args(a: &[String]) -> String {
    if a.is_empty() {
        "no arguments".to_string()
    } else {
        a.join(" ")
    }
}

fn rule_words(r: &TrustRule) -> String {
    let args = rule_args(&r.args);
    let mut words = format!("{args} for {} ({}", r.when, policy_words(r.policy));
    if !r.description.is_empty() {
        words.push_str(": ");
        words.push_str(&r.description);
    }
    words.push(')');
    words
}

fn outcome_words(o: &Option<TrustOutcome>) -> String {
    match o {
        None => "no trust flag (the engine's default applies)".into(),
        Some(o) if o.args.is_empty() => {
            format!("no trust flag ({})", policy_words(o.policy))
        }
        Some(o) => format!("{} ({})", o.args.join(" "), policy_words(o.policy)),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn list_change(from: &[String], to: &[String]) -> String {
    let added: Vec<&str> = to
        .iter()
        .filter(|d| !from.contains(d))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = from
        .iter()
        .filter(|d| !to.contains(d))
        .map(String::as_str)
        .collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("now also {}", added.join(" ")));
    }
    if !removed.is_empty() {
        parts.push(format!("no longer {}", removed.join(" ")));
    }
    if parts.is_empty() {
        parts.push("same directories, another order".into());
    }
    format!("{} ({} -> {})", parts.join("; "), args(from), args(to))
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::AdminChecksChanged { to, .. } => f.write_str(match to {
                AdminChecks::Strict => {
                    "admin checks compatible -> strict: image references and tags outside the reference grammar, and admin volumes over system ones, are refused"
                }
                AdminChecks::Compatible => {
                    "admin checks strict -> compatible: what the CoreOS script accepted is accepted again, with notices"
                }
            }),
            Change::DirectoriesChanged { from, to } => {
                write!(f, "directories created: {}", list_change(from, to))
            }
            Change::VolumeAdded {
                after, volume: v, ..
            } => write!(
                f,
                "volume {} added ({}): {}",
                v.name,
                place(after),
                volume_words(v)
            ),
            Change::VolumeRemoved {
                after, volume: v, ..
            } => write!(
                f,
                "volume {} removed (was {}): {}",
                v.name,
                place(after),
                volume_words(v)
            ),
            Change::VolumeRenamed { from, to, target } => {
                write!(f, "volume {from} renamed {to} (target {target})")
            }
            Change::VolumeMoved { volume, after, .. } => {
                write!(f, "volume {volume} moved: now {}", place(after))
            }
            Change::SourceChanged { volume, from, to } => {
                write!(f, "volume {volume}: host path {from} -> {to}")
            }
            Change::TargetChanged { volume, from, to } => {
                write!(f, "volume {volume}: path in the container {from} -> {to}")
            }
            Change::ReadOnlyChanged { volume, from, to } => {
                write!(f, "volume {volume}: {} -> {}", access(*from), access(*to))
            }
            Change::RecursiveChanged { volume, to, .. } => write!(
                f,
                "volume {volume}: {}",
                if *to {
                    "now recursive (mounts below the source are carried along)"
                } else {
                    "no longer recursive (mounts below the source are not carried along)"
                }
            ),
            Change::SharedChanged { volume, to, .. } => write!(
                f,
                "volume {volume}: {}",
                match to {
                    Some(SharedRule::Make) => "made shared when the source's mount does not pass the kubelet's mounts to the host",
                    Some(SharedRule::Require) => "refused when the source's mount does not pass the kubelet's mounts to the host",
                    None => "no longer checked for propagation to the host",
                }
            ),
            Change::ImageDefaultChanged { from, to } => write!(
                f,
                "default image {from} -> {to} (used when neither KUBELET_IMAGE_URL nor KUBELET_ACI is set)"
            ),
            Change::DefaultImageTrustChanged {
                to_image, from, to, ..
            } => write!(
                f,
                "the default image ({to_image}:TAG) gets {} instead of {}",
                outcome_words(to),
                outcome_words(from)
            ),
            Change::TagSeparatorChanged { from, to } => write!(
                f,
                "image reference URL{from}TAG -> URL{to}TAG (when KUBELET_IMAGE is unset)"
            ),
            Change::EngineChanged { from, to } => write!(
                f,
                "engine {from} -> {to} (settings only one of them has: see `defaults show`)"
            ),
            Change::EngineProgramChanged { variable, from, to } => {
                write!(
                    f,
                    "engine program {from} -> {to} (used when {variable} is unset)"
                )
            }
            Change::Stage1Changed { from, to } => {
                write!(f, "stage1 {} -> {}", args(from), args(to))
            }
            Change::ReadOnlyAttributeChanged { to, .. } => f.write_str(if *to {
                "readOnly=true|false is now written on every --volume"
            } else {
                "readOnly= is no longer written on --volume (rkt's default: read-write)"
            }),
            Change::TrustRuleAdded { rule, .. } => {
                write!(f, "new trust rule: {}", rule_words(rule))
            }
            Change::TrustRuleRemoved { rule, .. } => {
                write!(f, "trust rule removed: {}", rule_words(rule))
            }
            Change::TrustRuleChanged { from, to, .. } => write!(
                f,
                "trust rule changed: {} {} {} ({}) instead of {} ({})",
                to.when,
                if to.when == TrustCondition::Always {
                    "now gets"
                } else {
                    "now get"
                },
                rule_args(&to.args),
                policy_words(to.policy),
                rule_args(&from.args),
                policy_words(from.policy)
            ),
            Change::RunFlagsChanged { from, to } => {
                write!(f, "run flags {} -> {}", args(from), args(to))
            }
            Change::ImageArgsChanged { from, to } => write!(
                f,
                "image arguments {} -> {} (used when KUBELET_IMAGE_ARGS is unset)",
                args(from),
                args(to)
            ),
            Change::UuidFileChanged { from, to } => match (from, to) {
                (None, Some(t)) => write!(
                    f,
                    "stale pod cleanup on: rkt rm --uuid-file={t} before the start, --uuid-file-save={t}"
                ),
                (Some(_), None) => f.write_str("stale pod cleanup off (no uuid file)"),
                (from, to) => write!(
                    f,
                    "uuid file of the stale pod cleanup {} -> {}",
                    from.as_deref().unwrap_or("(none)"),
                    to.as_deref().unwrap_or("(none)")
                ),
            },
            Change::CommandChanged { from, to } => {
                write!(f, "kubelet command in the image {from} -> {to}")
            }
            Change::ContainerNameChanged { from, to } => {
                write!(f, "container name {from} -> {to}")
            }
            Change::RemovePreviousChanged { from, to } => write!(
                f,
                "remove a previous container of that name before the start: {} -> {}",
                yes_no(*from),
                yes_no(*to)
            ),
            Change::RequireDigestChanged { from, to } => write!(
                f,
                "image references must be pinned by digest: {} -> {}",
                yes_no(*from),
                yes_no(*to)
            ),
            Change::CgroupChanged { from, to } => {
                let place = |c: &Option<Cgroup>| match c {
                    None => "where the engine puts containers",
                    Some(Cgroup::Unit) => "below the unit's cgroup (cgroup unit)",
                };
                write!(f, "the kubelet's cgroup: {} -> {}", place(from), place(to))
            }
            Change::LogChanged { from, to } => {
                let path = |l: &Option<Log>| match l {
                    None => "the engine's log driver",
                    Some(Log::Unit) => "the unit's own output (log unit)",
                };
                write!(f, "the kubelet's output: {} -> {}", path(from), path(to))
            }
            Change::NotifyChanged { from, to } => {
                let whose = |n: &Option<Notify>| match n {
                    None => "the engine's default",
                    Some(Notify::Kubelet) => "the kubelet's own (notify kubelet)",
                };
                write!(
                    f,
                    "readiness a Type=notify unit waits for: {} -> {}",
                    whose(from),
                    whose(to)
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::registry;
    use crate::release::version::Version;

    fn layer(release: &str) -> Defaults {
        registry::select(Version::parse(release).unwrap()).parse()
    }

    fn rkt(d: &mut Defaults) -> &mut Rkt {
        match &mut d.engine {
            Engine::Rkt(r) => r,
            _ => unreachable!("the historical releases run rkt"),
        }
    }

    fn words(a: &str, b: &str) -> Vec<String> {
        diff(&layer(a), &layer(b))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn docker_images_become_the_default_and_go_unverified_in_2512() {
        let changes = diff(&layer("1758.0.0"), &layer("2512.0.0"));
        assert_eq!(
            changes,
            vec![
                Change::ImageDefaultChanged {
                    from: "quay.io/coreos/hyperkube".into(),
                    to: "docker://quay.io/coreos/hyperkube".into(),
                },
                Change::TrustRuleAdded {
                    position: 1,
                    rule: TrustRule {
                        when: TrustCondition::ImagePrefix("docker:".into()),
                        policy: TrustPolicy::Insecure,
                        args: vec!["--insecure-options=image".into()],
                        description: String::new(),
                    },
                },
                Change::DefaultImageTrustChanged {
                    from_image: "quay.io/coreos/hyperkube".into(),
                    to_image: "docker://quay.io/coreos/hyperkube".into(),
                    from: Some(TrustOutcome {
                        policy: TrustPolicy::Verify,
                        args: vec!["--trust-keys-from-https".into()],
                    }),
                    to: Some(TrustOutcome {
                        policy: TrustPolicy::Insecure,
                        args: vec!["--insecure-options=image".into()],
                    }),
                },
            ]
        );
        let w = words("1758.0.0", "2512.0.0");
        assert_eq!(
            w[0],
            "default image quay.io/coreos/hyperkube -> docker://quay.io/coreos/hyperkube (used when neither KUBELET_IMAGE_URL nor KUBELET_ACI is set)"
        );
        assert_eq!(
            w[1],
            "new trust rule: --insecure-options=image for images whose reference starts with docker:/ (image not verified)"
        );
        assert_eq!(
            w[2],
            "the default image (docker://quay.io/coreos/hyperkube:TAG) gets --insecure-options=image (image not verified) instead of --trust-keys-from-https (image verified)"
        );
    }

    #[test]
    fn the_1353_6_maintenance_release_drops_var_log() {
        assert_eq!(
            diff(&layer("1353.0.0"), &layer("1353.6.0")),
            vec![Change::VolumeRemoved {
                position: 5,
                after: Some("var-lib-kubelet".into()),
                volume: Volume {
                    name: "var-log".into(),
                    source: "/var/log".into(),
                    target: "/var/log".into(),
                    read_only: false,
                    recursive: false,
                    shared: None,
                },
            }]
        );
        assert_eq!(
            words("1353.0.0", "1353.6.0"),
            [
                "volume var-log removed (was after var-lib-kubelet): /var/log -> /var/log, read-write"
            ]
        );
        // and back, as 1381.0.0 did (with var-lib-kubelet made recursive)
        assert_eq!(
            words("1353.8.0", "1381.0.0"),
            ["volume var-log added (after var-lib-kubelet): /var/log -> /var/log, read-write"]
        );
    }

    #[test]
    fn the_1409_maintenance_branch_equals_1353_8() {
        assert_eq!(diff(&layer("1409.4.0"), &layer("1353.8.0")), vec![]);
        assert_eq!(diff(&layer("1353.6.0"), &layer("1207.0.0")), vec![]);
    }

    #[test]
    fn each_historical_step_in_words() {
        assert_eq!(
            words("960.0.0", "1025.0.0"),
            [
                "volume os-release added (after var-lib-kubelet): /usr/lib/os-release -> /etc/os-release, read-write"
            ]
        );
        assert_eq!(
            words("1025.0.0", "1047.0.0"),
            [
                "stage1 --stage1-path=/usr/share/rkt/stage1-fly.aci -> --stage1-from-dir=stage1-fly.aci"
            ]
        );
        assert_eq!(
            words("1353.6.0", "1353.8.0"),
            ["volume var-lib-kubelet: now recursive (mounts below the source are carried along)"]
        );
        assert_eq!(
            words("1451.0.0", "1576.0.0"),
            ["run flags (none) -> --hosts-entry host"]
        );
        // 1207.0.0: the modern interface
        let w = words("1047.0.0", "1207.0.0");
        for expected in [
            "volume etc-ssl-certs: host path /usr/share/ca-certificates -> /etc/ssl/certs",
            "volume etc-ssl-certs: read-write -> read-only",
            "volume usr-share-certs added (after etc-ssl-certs): /usr/share/ca-certificates -> /usr/share/ca-certificates, read-only",
            "volume os-release: read-write -> read-only",
            "readOnly=true|false is now written on every --volume",
            "trust rule removed: --trust-keys-from-https for every image (image verified)",
            "new trust rule: --trust-keys-from-https for images whose reference starts with quay.io/ (image verified)",
        ] {
            assert!(
                w.iter().any(|l| l == expected),
                "{expected:?} not in {w:#?}"
            );
        }
        assert_eq!(w.len(), 7, "{w:#?}");
    }

    #[test]
    fn the_coreos_prefix_is_a_rename_not_ten_new_volumes() {
        let changes = diff(&layer("1381.0.0"), &layer("1423.0.0"));
        assert_eq!(changes.len(), 8, "{changes:#?}");
        assert!(
            changes
                .iter()
                .all(|c| matches!(c, Change::VolumeRenamed { .. }))
        );
        assert_eq!(
            changes[0].to_string(),
            "volume etc-kubernetes renamed coreos-etc-kubernetes (target /etc/kubernetes)"
        );
    }

    fn edited(edit: impl Fn(&mut Defaults)) -> (Defaults, Defaults) {
        let a = layer("2512.0.0");
        let mut b = a.clone();
        edit(&mut b);
        (a, b)
    }

    #[test]
    fn moves_are_told_apart_from_shifts() {
        // moving the last volume to the front moves one volume, not ten
        let (a, b) = edited(|d| {
            let v = d.volumes.pop().unwrap();
            d.volumes.insert(0, v);
        });
        assert_eq!(
            diff(&a, &b),
            vec![Change::VolumeMoved {
                volume: "coreos-etc-machine-id".into(),
                from_position: 9,
                to_position: 0,
                after: None,
            }]
        );
        // an insertion shifts the others without moving them
        let (a, b) = edited(|d| {
            let mut v = d.volumes[0].clone();
            v.name = "new".into();
            v.target = "/new".into();
            d.volumes.insert(2, v);
        });
        assert_eq!(
            words_of(&a, &b),
            ["volume new added (after coreos-etc-ssl-certs): /etc/kubernetes -> /new, read-write"]
        );
    }

    #[test]
    fn read_only_is_compared_as_the_engine_applies_it() {
        // without the readOnly attribute rkt mounts read-write: marking a
        // volume read-only there changes nothing for the kubelet...
        let a = layer("1047.0.0");
        let mut b = a.clone();
        b.volumes[1].read_only = true;
        assert_eq!(diff(&a, &b), vec![]);
        // ...until the attribute is written
        rkt(&mut b).read_only_attribute = true;
        assert_eq!(
            words_of(&a, &b),
            [
                "volume etc-ssl-certs: read-write -> read-only",
                "readOnly=true|false is now written on every --volume"
            ]
        );
    }

    fn words_of(a: &Defaults, b: &Defaults) -> Vec<String> {
        diff(a, b).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_field_of_the_format_is_compared() {
        type Edit = Box<dyn Fn(&mut Defaults)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|d: &mut Defaults| d.directories.reverse()),
                "directories created: same directories, another order",
            ),
            (
                Box::new(|d: &mut Defaults| d.directories.push("/var/lib/x".into())),
                "directories created: now also /var/lib/x",
            ),
            (
                Box::new(|d: &mut Defaults| d.volumes[1].target = "/etc/certs".into()),
                "volume coreos-etc-ssl-certs: path in the container /etc/ssl/certs -> /etc/certs",
            ),
            (
                Box::new(|d: &mut Defaults| d.volumes[0].read_only = true),
                "volume coreos-etc-kubernetes: read-write -> read-only",
            ),
            (
                Box::new(|d: &mut Defaults| d.volumes[4].recursive = false),
                "volume coreos-var-lib-kubelet: no longer recursive",
            ),
            (
                Box::new(|d: &mut Defaults| d.volumes[4].shared = Some(SharedRule::Require)),
                "volume coreos-var-lib-kubelet: refused when the source's mount does not pass the kubelet's mounts to the host",
            ),
            (
                Box::new(|d: &mut Defaults| d.volumes[4].shared = None),
                "volume coreos-var-lib-kubelet: no longer checked for propagation to the host",
            ),
            (
                Box::new(|d: &mut Defaults| rkt(d).program = "/opt/bin/rkt".into()),
                "engine program /usr/bin/rkt -> /opt/bin/rkt (used when RKT is unset)",
            ),
            (
                Box::new(|d: &mut Defaults| rkt(d).read_only_attribute = false),
                "readOnly= is no longer written",
            ),
            (
                Box::new(|d: &mut Defaults| rkt(d).trust[1].policy = TrustPolicy::Verify),
                "trust rule changed: images whose reference starts with docker:/ now get --insecure-options=image (image verified) instead of --insecure-options=image (image not verified)",
            ),
            (
                Box::new(|d: &mut Defaults| {
                    rkt(d).uuid_file = Some("/var/lib/coreos/kubelet.uuid".into())
                }),
                "stale pod cleanup on: rkt rm --uuid-file=/var/lib/coreos/kubelet.uuid before the start",
            ),
            (
                Box::new(|d: &mut Defaults| d.admin_checks = AdminChecks::Strict),
                "admin checks compatible -> strict",
            ),
            (
                Box::new(|d: &mut Defaults| rkt(d).image_args = vec!["--exec=/hyperkube".into()]),
                "image arguments --exec=/kubelet -> --exec=/hyperkube",
            ),
        ];
        for (edit, expected) in cases {
            let (a, b) = edited(edit);
            let w = words_of(&a, &b);
            assert!(
                w.iter().any(|l| l.starts_with(expected)),
                "{expected:?} not in {w:#?}"
            );
        }
    }

    #[test]
    fn podman_settings_are_compared_too() {
        fn oci(d: &mut Defaults) -> &mut Oci {
            match &mut d.engine {
                Engine::Podman(o) => o,
                _ => unreachable!("3000.0.0 runs podman"),
            }
        }
        type Edit = Box<dyn Fn(&mut Defaults)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|d: &mut Defaults| oci(d).container_name = "kubelet2".into()),
                "container name kubelet -> kubelet2",
            ),
            (
                Box::new(|d: &mut Defaults| oci(d).remove_previous = false),
                "remove a previous container of that name before the start: yes -> no",
            ),
            (
                Box::new(|d: &mut Defaults| oci(d).command = "/kubelet".into()),
                "kubelet command in the image /usr/local/bin/kubelet -> /kubelet",
            ),
            (
                Box::new(|d: &mut Defaults| oci(d).require_digest = true),
                "image references must be pinned by digest: no -> yes",
            ),
            (
                Box::new(|d: &mut Defaults| oci(d).program = "/opt/bin/podman".into()),
                "engine program /usr/bin/podman -> /opt/bin/podman (used when PODMAN is unset)",
            ),
            (
                Box::new(|d: &mut Defaults| {
                    oci(d).run_flags.pop();
                }),
                "run flags --rm --privileged --pid=host --network=host --cgroupns=host -> --rm --privileged --pid=host --network=host",
            ),
            (
                Box::new(|d: &mut Defaults| d.image.tag_separator = "/".into()),
                "image reference URL:TAG -> URL/TAG",
            ),
            (
                Box::new(|d: &mut Defaults| oci(d).cgroup = None),
                "the kubelet's cgroup: below the unit's cgroup (cgroup unit) -> where the engine puts containers",
            ),
            (
                Box::new(|d: &mut Defaults| oci(d).log = None),
                "the kubelet's output: the unit's own output (log unit) -> the engine's log driver",
            ),
            (
                Box::new(|d: &mut Defaults| oci(d).notify = None),
                "readiness a Type=notify unit waits for: the kubelet's own (notify kubelet) -> the engine's default",
            ),
        ];
        let a = layer("3000.0.0");
        for (edit, expected) in cases {
            let mut b = a.clone();
            edit(&mut b);
            let w = words_of(&a, &b);
            assert!(
                w.len() == 1 && w[0].starts_with(expected),
                "{expected:?} is not the one change in {w:#?}"
            );
        }
        // the words of a trust rule are not a change for the kubelet
        let mut b = a.clone();
        oci(&mut b).trust[0].description = "other words".into();
        assert_eq!(diff(&a, &b), vec![]);
    }

    #[test]
    fn a_change_of_engine_compares_what_every_engine_has() {
        let w = words("2512.0.0", "3000.0.0");
        for expected in [
            "engine rkt -> podman (settings only one of them has: see `defaults show`)",
            "engine program /usr/bin/rkt -> /usr/bin/podman (used when PODMAN is unset)",
            "run flags --hosts-entry host -> --rm --privileged --pid=host --network=host --cgroupns=host",
            "the default image (quay.io/poseidon/kubelet:TAG) gets --tls-verify=true (image verified) instead of --insecure-options=image (image not verified)",
        ] {
            assert!(
                w.iter().any(|l| l == expected),
                "{expected:?} not in {w:#?}"
            );
        }
        assert!(
            !w.iter().any(|l| l.starts_with("stage1")),
            "podman has no stage1: {w:#?}"
        );
    }

    #[test]
    fn empty_exactly_when_the_layers_are_equal() {
        let files = registry::files();
        let strip = |d: &Defaults| {
            let mut d = d.clone();
            d.release.clear();
            d.summary.clear();
            d.schema = None;
            d.origin = Default::default();
            d.until = None;
            d.volumes = effective(&d.volumes, &d.engine);
            let rules = match &mut d.engine {
                Engine::Rkt(r) => &mut r.trust,
                Engine::Podman(o) | Engine::Docker(o) => &mut o.trust,
                Engine::SystemdNspawn(_) => return d,
            };
            for r in rules {
                r.description.clear();
            }
            d
        };
        for fa in &files {
            for fb in &files {
                let (a, b) = (fa.parse(), fb.parse());
                let changes = diff(&a, &b);
                assert_eq!(
                    changes.is_empty(),
                    strip(&a) == strip(&b),
                    "{} -> {}: {changes:#?}",
                    fa.version,
                    fb.version
                );
                // every change has its counterpart in the other direction
                assert_eq!(
                    changes.len(),
                    diff(&b, &a).len(),
                    "{} <-> {}",
                    fa.version,
                    fb.version
                );
            }
        }
    }

    #[test]
    fn json_names_the_kind_of_change() {
        let changes = diff(&layer("1353.0.0"), &layer("1353.6.0"));
        let v = serde_json::to_value(&changes).unwrap();
        assert_eq!(
            v,
            serde_json::json!([{
                "change": "volume_removed",
                "position": 5,
                "after": "var-lib-kubelet",
                "volume": {
                    "name": "var-log",
                    "source": "/var/log",
                    "target": "/var/log",
                    "read_only": false
                }
            }])
        );
    }
}
