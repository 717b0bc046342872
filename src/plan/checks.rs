//! Checks of the admin layer against the release, before anything happens
//! on the host: image references, the admin's engine arguments, admin
//! volumes over system ones, and anything that weakens the release's trust
//! policy.
//!
//! They belong to the plan, not to [`crate::admin`]: they read the engine's
//! command and the admin's words with the engines' own grammars
//! ([`crate::engine::rkt_flags`], [`crate::engine::oci_flags`],
//! [`crate::engine::mounts`]), and the engines render the admin layer, so
//! the admin layer stays below the engines and these checks above them.
//!
//! How to add a check: a function here that returns its notices and its
//! [`AdminError`]s (all of them, not the first), an [`AdminError`] variant
//! whose message says what to change and whose [`AdminError::fix`] says it
//! concretely, and its call in [`crate::plan::plan`]: on the admin layer
//! before the command is rendered, or on the rendered command. `check
//! --unit` shows what it finds without more code (an error as an error
//! finding with its fix, a notice as a warning). Its cases go in
//! tests/hardening.rs (what a strict release refuses) or tests/mistakes.rs
//! (what every release tells); a refusal of the real binary, with its exit
//! status, in tests/faults.rs, which writes docs/security.md's table
//! (docs/development.md).
//!
//! A release's `admin_checks` decides how strict this is. `compatible` (every
//! historical release) accepts all that the CoreOS script accepted, so an
//! admin's unit keeps its meaning, and turns likely mistakes into notices;
//! `strict` (the project's own releases) refuses them. Reusing a system
//! volume's name is refused in both: rkt refuses it too, later and less
//! clearly.

use crate::admin::{AdminConfig, Var};
use crate::engine::command::Arg;
use crate::engine::mounts::{self, Mount, Syntax};
use crate::release::model::{AdminChecks, Defaults, Engine};
use crate::release::overlap::{self, Overlap};
use crate::text::quote::escape;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// An admin layer the release refuses. Values are shown escaped
/// ([`escape`]): a message is one inert line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    #[error("{var}: \"{value}\" is not a valid {what}: {why}")]
    BadValue {
        var: Var,
        value: String,
        what: &'static str,
        why: String,
    },
    #[error(
        "{var}: the admin volume {admin} reuses the name of the system volume {system} (mounted at {target}): give it another name"
    )]
    VolumeName {
        var: String,
        admin: String,
        system: String,
        target: String,
    },
    #[error(
        "{var}: the admin mount {admin} targets {}{target}, where the release mounts the system volume {system}: the release owns that path, mount elsewhere",
        if *.inside { "a path inside " } else { "" }
    )]
    VolumeTarget {
        var: String,
        admin: String,
        system: String,
        target: String,
        /// The admin's target is below the release's, not equal.
        inside: bool,
    },
    #[error("{var}: {arg}: {why}")]
    EngineArg {
        var: Var,
        arg: String,
        why: String,
        fix: String,
    },
    #[error(
        "{var}: the admin mount {admin}: cannot tell where it mounts ({why}), and this release refuses a mount it cannot check against its own: write it plainly, as SOURCE:TARGET with an absolute target"
    )]
    Unreadable {
        var: String,
        admin: String,
        why: String,
    },
}

impl AdminError {
    /// What to change, concretely.
    pub fn fix(&self) -> String {
        match self {
            AdminError::BadValue { var, what, .. } => {
                format!("set {var} to a valid {what}")
            }
            AdminError::VolumeName { var, admin, .. } => {
                format!("rename the volume of {admin} in {var} (and its --mount)")
            }
            AdminError::VolumeTarget {
                var, admin, target, ..
            } => format!(
                "remove {admin} from {var}, or mount it at a target outside {target}: the kubelet gets the release's {target} whatever the unit says"
            ),
            AdminError::Unreadable { var, admin, .. } => {
                format!("write {admin} in {var} as SOURCE:TARGET with an absolute target")
            }
            AdminError::EngineArg { fix, .. } => fix.clone(),
        }
    }
}

/// Checks the image settings: notices for likely mistakes that a
/// `compatible` release lets through, and what a `strict` one refuses
/// (every such setting, not the first).
pub fn check_image(defaults: &Defaults, admin: &AdminConfig) -> (Vec<String>, Vec<AdminError>) {
    let strict = defaults.admin_checks == AdminChecks::Strict;
    let local = matches!(defaults.engine, Engine::SystemdNspawn(_));
    let mut notices = Vec::new();
    let mut errors = Vec::new();
    let mut values: Vec<(Var, &OsStr, &'static str)> = Vec::new();
    if let Some(i) = &admin.image {
        values.push((
            Var::KubeletImage,
            i,
            if local {
                "machine path"
            } else {
                "image reference"
            },
        ));
    } else {
        if let Some(t) = &admin.tag {
            values.push((t.from, &t.value, "image tag"));
        }
        if let Some(u) = &admin.url {
            values.push((
                u.from,
                &u.value,
                if local {
                    "machine path"
                } else {
                    "image location"
                },
            ));
        }
    }
    for (var, value, what) in values {
        let mut why = problems(value.as_bytes());
        if why.is_empty()
            && strict
            && !local
            && let Some(text) = value.to_str()
        {
            why.extend(match what {
                "image tag" => check_tag(text).err(),
                "image location" => check_reference(text, false).err(),
                _ => check_reference(text, true).err(),
            });
        }
        if why.is_empty() {
            continue;
        }
        let why = why.join("; ");
        if strict {
            errors.push(bad(var, value, what, why));
            continue;
        }
        notices.push(format!(
            "{var}=\"{}\" is likely a mistake: {why}; it is used as the CoreOS script used it",
            escape(value.as_bytes())
        ));
    }
    (notices, errors)
}

/// What is wrong with an image setting's bytes, each problem once, in
/// words: white space that splits it into several engine arguments (only
/// the shell's: space, tab, newline), a leading `-`, control characters,
/// other white space (which does not split, but no tag or reference has),
/// bytes that are not UTF-8.
pub fn problems(value: &[u8]) -> Vec<String> {
    let mut why = Vec::new();
    let chars: Vec<char> = value
        .utf8_chunks()
        .flat_map(|c| c.valid().chars())
        .collect();
    if let Some(c) = chars.iter().find(|c| matches!(c, ' ' | '\t' | '\n')) {
        why.push(format!(
            "it contains '{}', which splits it into several engine arguments",
            escape(c.to_string())
        ));
    }
    if value.first() == Some(&b'-') {
        why.push("it starts with '-', so the engine would read it as an option".into());
    }
    if let Some(c) = chars
        .iter()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n'))
    {
        why.push(format!(
            "it contains the control character {}",
            escape(c.to_string())
        ));
    }
    if let Some(c) = chars
        .iter()
        .find(|c| c.is_whitespace() && !c.is_control() && **c != ' ')
    {
        why.push(format!(
            "it contains U+{:04X}, white space that does not split words",
            *c as u32
        ));
    }
    if value.utf8_chunks().any(|c| !c.invalid().is_empty()) {
        why.push("it is not valid UTF-8".into());
    }
    why
}

fn bad(var: Var, value: &OsStr, what: &'static str, why: String) -> AdminError {
    AdminError::BadValue {
        var,
        value: escape(value.as_bytes()),
        what,
        why,
    }
}

/// A Docker tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn check_tag(t: &str) -> Result<(), String> {
    let ok_first = t
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ok_first
        || t.len() > 128
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(
            "a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
                .into(),
        );
    }
    Ok(())
}

/// An image reference by the OCI/Docker grammar, optionally after the
/// `docker://` transport: `[DOMAIN[:PORT]/]PATH[:TAG][@ALGO:HEX]`. With
/// `full` false (an image location) neither tag nor digest may follow.
pub fn check_reference(r: &str, full: bool) -> Result<(), String> {
    let r = r.strip_prefix("docker://").unwrap_or(r);
    let first = r.split('/').next().unwrap_or("");
    if r.contains("://") || (first.ends_with(':') && !first.contains('.')) {
        return Err("the only transport accepted is docker://".into());
    }
    let (rest, digest) = match r.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (r, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if !full && (tag.is_some() || digest.is_some()) {
        return Err(
            "give the location without :TAG or @DIGEST (the tag comes from KUBELET_IMAGE_TAG)"
                .into(),
        );
    }
    if let Some(t) = tag {
        check_tag(t)?;
    }
    if let Some(d) = digest {
        let (algo, hex) = d.split_once(':').ok_or("a digest is ALGORITHM:HEX")?;
        let algo_ok = !algo.is_empty()
            && algo
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'_' | b'-'));
        if !algo_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "\"{d}\" is not a digest (ALGORITHM:HEX, at least 32 hex digits)"
            ));
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let first = parts[0];
    let has_domain =
        parts.len() > 1 && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_domain {
        let (host, port) = match first.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (first, None),
        };
        let host_ok = host.split('.').all(|c| {
            !c.is_empty()
                && !c.starts_with('-')
                && !c.ends_with('-')
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if !host_ok || port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!("\"{first}\" is not a registry host[:port]"));
        }
        parts.remove(0);
    }
    if parts.is_empty() || parts.iter().any(|p| !is_path_component(p)) {
        return Err("repository path components are lower-case letters and digits, joined by '.', '_', '__' or dashes".into());
    }
    Ok(())
}

fn is_path_component(p: &str) -> bool {
    let b = p.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-'))
    {
        return false;
    }
    // separators: '.', '_', '__' or runs of '-'; never mixed
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let sep = &p[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-')) {
            return false;
        }
    }
    true
}

/// The value of a flag at `argv[i]` (`--flag=v` or `--flag v`), if it is
/// one of `names`, and the flag as written (escaped).
fn flag_value<'a>(argv: &'a [Arg], i: usize, names: &[&str]) -> Option<(&'a OsStr, String)> {
    let b = argv[i].value.as_bytes();
    for n in names {
        if b == n.as_bytes() {
            let v = argv.get(i + 1)?;
            return Some((
                v.value.as_os_str(),
                format!("{n} {}", escape(v.value.as_bytes())),
            ));
        }
        let mut eq = n.as_bytes().to_vec();
        eq.push(b'=');
        if b.starts_with(&eq) {
            return Some((OsStr::from_bytes(&b[eq.len()..]), escape(b)));
        }
    }
    None
}

/// What the admin's mounts do to the release's: [`check_volumes`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Volumes {
    /// What the admin should know, one line each.
    pub notices: Vec<String>,
    /// Those of the notices that are only for the record.
    pub notes: Vec<String>,
    /// What the release refuses, all of it.
    pub errors: Vec<AdminError>,
    /// Indices into the command of the words of admin mounts that the
    /// release already makes: dropped (on every engine but rkt, whose
    /// command stays the CoreOS script's).
    pub redundant: Vec<usize>,
}

/// Admin volumes against the system's, read as the engine reads its
/// arguments ([`mounts::mounts`]), each compared with the release's volumes
/// ([`overlap`]):
///
/// - a mount of the host path the release already mounts there (or shows
///   there, below one of its targets) is redundant: dropped with a note on
///   podman, docker and systemd-nspawn, where the release's mount (with its
///   access) is the one used; left in the command on rkt, with a note;
/// - a mount that puts another host path (or none) at a release target or
///   below it shadows the release's: refused by `strict` releases, a
///   notice in `compatible` ones (CoreOS units mounted their own /var/log
///   over the release's, and rkt let the later one win);
/// - a reused system volume name is refused (rkt refuses it too);
/// - a mount whose target cannot be told is refused by `strict` releases.
///
/// Every argument with an admin origin is checked, whichever variable it
/// came from, and every problem is reported, not the first.
pub fn check_volumes(defaults: &Defaults, argv: &[Arg]) -> Volumes {
    let strict = defaults.admin_checks == AdminChecks::Strict;
    let syntax = Syntax::of(&defaults.engine);
    let words: Vec<&[u8]> = argv.iter().map(|a| a.value.as_bytes()).collect();
    let found = mounts::mounts(syntax, &words);
    let mut out = Volumes::default();
    // rkt: the volumes (name, host path, read-only), for the mounts that
    // use them
    type RktVolume<'a> = (&'a str, Option<&'a [u8]>, bool);
    let rkt_volumes: Vec<RktVolume> = found
        .iter()
        .filter_map(|f| match &f.mount {
            Mount::RktVolume {
                name,
                source,
                read_only,
            } => Some((name.as_str(), source.as_deref(), *read_only)),
            _ => None,
        })
        .collect();
    for f in &found {
        let Some(var) = [Some(f.at), f.value_at]
            .into_iter()
            .flatten()
            .find_map(|i| argv.get(i).and_then(|a| a.origin.admin()))
        else {
            continue;
        };
        let mut text = escape(words[f.at]);
        if let Some(v) = f.value_at.and_then(|i| words.get(i)) {
            text.push(' ');
            text.push_str(&escape(v));
        }
        let value = mounts::value_of(&words, f);
        // where it mounts, which host path, and whether read-only
        let (target, source, read_only) = match &f.mount {
            Mount::RktVolume { name, .. } => {
                if let Some(sys) = defaults.volumes.iter().find(|v| v.name == *name) {
                    out.errors.push(AdminError::VolumeName {
                        var,
                        admin: text,
                        system: sys.name.clone(),
                        target: sys.target.clone(),
                    });
                }
                continue;
            }
            Mount::At { target, source } => (
                target,
                source.clone(),
                mounts::read_only(syntax, words[f.at], value),
            ),
            // on rkt, the host path and access are the volume's
            Mount::RktMount { volume, target } => {
                match rkt_volumes.iter().find(|(v, ..)| v == volume) {
                    Some((_, s, ro)) => (target, s.map(<[u8]>::to_vec), *ro),
                    // a release volume mounted again, or none
                    None => (target, None, false),
                }
            }
            Mount::Unreadable { why } => {
                if strict {
                    out.errors.push(AdminError::Unreadable {
                        var,
                        admin: text,
                        why: why.clone(),
                    });
                }
                continue;
            }
        };
        let Some(o) = overlap::overlap(defaults, source.as_deref(), target) else {
            continue;
        };
        let sys = o.volume();
        let access = |ro| if ro { "read-only" } else { "read-write" };
        if o.redundant() {
            let loses_write = sys.read_only && !read_only;
            let what = match o {
                Overlap::Same(_) => format!(
                    "the release already mounts {} at {} ({}, volume {})",
                    sys.source,
                    sys.target,
                    access(sys.read_only),
                    sys.name
                ),
                _ => format!(
                    "the release's volume {} ({} at {}, {}) already shows that host path there",
                    sys.name,
                    sys.source,
                    sys.target,
                    access(sys.read_only)
                ),
            };
            let n = if syntax == Syntax::Rkt {
                let differs = matches!(o, Overlap::Same(_)) && read_only != sys.read_only;
                format!(
                    "{var}: the admin mount {text} repeats what the release mounts: {what}; rkt mounts the same host path twice{}, so it can be removed",
                    if differs {
                        format!(
                            " (the admin's {}, the release's {})",
                            access(read_only),
                            access(sys.read_only)
                        )
                    } else {
                        String::new()
                    }
                )
            } else {
                out.redundant.push(f.at);
                out.redundant.extend(f.value_at);
                format!(
                    "{var}: the admin mount {text}: dropped, {what}{}",
                    if loses_write {
                        "; the unit asks for read-write, the release mounts it read-only (the release decides the kubelet's access to its paths, and the kubelet does not write there)"
                    } else {
                        ""
                    }
                )
            };
            // the release's access wins: its choice, made for the
            // kubelet
            out.notes.push(n.clone());
            out.notices.push(n);
            continue;
        }
        if strict {
            out.errors.push(AdminError::VolumeTarget {
                var,
                admin: text,
                system: sys.name.clone(),
                target: sys.target.clone(),
                inside: !normalize_eq(target, &sys.target),
            });
            continue;
        }
        out.notices.push(format!(
            "{var}: the admin mount {text} covers the system volume {} at {}: the admin's mount is the one the kubelet sees",
            sys.name, sys.target
        ));
    }
    out
}

/// Whether two paths are the same once normalised.
fn normalize_eq(a: &[u8], b: &str) -> bool {
    mounts::normalize(a) == mounts::normalize(b.as_bytes())
}

/// The admin's own engine arguments, read with the engine's grammar
/// before the command is assembled ([`crate::engine::oci_flags`],
/// [`crate::engine::rkt_flags`]): a word the engine would take as the image,
/// `--`, an option whose value would be the release's next argument, an
/// option the engine does not have (without `=`, its value cannot be told),
/// a switch given a value the engine refuses. A strict release refuses each
/// (all of them); a compatible one, whose command is the CoreOS script's,
/// says what rkt will make of it.
pub fn check_engine_args(
    defaults: &Defaults,
    admin: &AdminConfig,
) -> (Vec<String>, Vec<AdminError>) {
    use crate::engine::{oci_flags, rkt_flags};
    let strict = defaults.admin_checks == AdminChecks::Strict;
    let mut notices = Vec::new();
    let mut passed = Vec::new();
    let mut errors = Vec::new();
    let mut refuse = |var: Var, arg: String, why: String, fix: String| {
        if strict {
            errors.push(AdminError::EngineArg { var, arg, why, fix });
        } else {
            notices.push(format!("{var}: {arg}: {why}"));
        }
    };
    let dialect = match &defaults.engine {
        Engine::Podman(_) => Some((oci_flags::Dialect::Podman, Var::PodmanRunArgs, "podman")),
        Engine::Docker(_) => Some((oci_flags::Dialect::Docker, Var::DockerRunArgs, "docker")),
        _ => None,
    };
    if let Some((dialect, var, engine)) = dialect
        && let Some(value) = admin.engine_var(var)
    {
        let words = crate::text::words::split(value);
        let reads = oci_flags::read_os(dialect, &words);
        for (k, r) in reads.iter().enumerate() {
            let after_switch = k.checked_sub(1).and_then(|p| match &reads[p].word {
                oci_flags::Word::Opt {
                    opt,
                    separate: false,
                    ..
                } if !opt.value && !reads[p].text.contains('=') => Some(opt.long),
                _ => None,
            });
            match &r.word {
                oci_flags::Word::Positional => {
                    let (why, fix) = match after_switch {
                        Some(switch) if oci_flags::parse_bool(r.text.as_bytes()).is_some() => (
                            format!(
                                "--{switch} takes its value only as --{switch}={}, so {engine} would take \"{}\" as the image and run it instead of the release's kubelet image",
                                r.text, r.text
                            ),
                            format!("write --{switch}={} in {var}", r.text),
                        ),
                        _ if r.text.contains(['"', '\'']) => (
                            format!(
                                "it holds quote characters, which the wrapper does not remove, so it is not an option: {engine} would take it as the image and run it instead of the release's kubelet image"
                            ),
                            format!(
                                "write {} without the quote characters in {var}",
                                r.text.replace(['"', '\''], "")
                            ),
                        ),
                        _ => (
                            format!(
                                "it is not an option, so {engine} would take it as the image and run it instead of the release's kubelet image (the release's arguments after it becoming its command)"
                            ),
                            format!(
                                "remove {} from {var}: the release chooses the image (KUBELET_IMAGE, KUBELET_IMAGE_TAG), and the kubelet's flags are the wrapper's arguments",
                                r.text
                            ),
                        ),
                    };
                    refuse(var, r.text.clone(), why, fix);
                }
                oci_flags::Word::EndOfOptions => refuse(
                    var,
                    r.text.clone(),
                    format!(
                        "it ends {engine}'s options, so the release's next argument would be the image"
                    ),
                    format!("remove -- from {var}"),
                ),
                oci_flags::Word::MissingValue(opt) => refuse(
                    var,
                    r.text.clone(),
                    format!(
                        "--{} takes a value and is the last word, so {engine} would take the release's next argument as its value (and lose what it says)",
                        opt.long
                    ),
                    format!(
                        "give --{} its value in {var}, as --{}=VALUE",
                        opt.long, opt.long
                    ),
                ),
                oci_flags::Word::Unknown { attached: false } => refuse(
                    var,
                    r.text.clone(),
                    format!(
                        "{} has no such option, so whether the next word is its value cannot be told",
                        dialect.name()
                    ),
                    format!(
                        "write it as {}=VALUE (or =true for a switch) in {var}, or remove it",
                        r.text
                    ),
                ),
                oci_flags::Word::Unknown { attached: true } => passed.push(format!(
                    "{var}: {}: {} has no such option; it is passed on as written",
                    r.text,
                    dialect.name()
                )),
                oci_flags::Word::Opt { opt, value, .. }
                    if !opt.value && oci_flags::parse_bool(value).is_none() =>
                {
                    refuse(
                        var,
                        r.text.clone(),
                        format!(
                            "--{} is a switch, and \"{}\" is not a value {engine} reads as true or false",
                            opt.long,
                            escape(value)
                        ),
                        format!("write --{}=true or --{}=false in {var}", opt.long, opt.long),
                    );
                }
                oci_flags::Word::Opt { .. } => {}
            }
        }
    }
    if let Engine::Rkt(_) = &defaults.engine {
        // rkt reads RKT_GLOBAL_ARGS before `run`, RKT_RUN_ARGS and RKT_OPTS
        // together after it; the release's own arguments follow each
        for (vars, next) in [
            (&[Var::RktGlobalArgs][..], "run"),
            (
                &[Var::RktRunArgs, Var::RktOpts][..],
                "the release's next argument",
            ),
        ] {
            let mut words = Vec::new();
            for v in vars {
                words.extend(crate::engine::translate::tagged(
                    admin.args_var(*v).map(|x| x.as_os_str()),
                    *v,
                ));
            }
            for r in rkt_flags::read(&words) {
                // quotes are the mistake there, and have their own notice
                if !strict && r.text.contains(['"', '\'']) {
                    continue;
                }
                let (why, fix) = match r.word {
                    rkt_flags::Word::MissingValue(spec) => (
                        format!(
                            "--{} takes a value and is the last word, so rkt takes {next} as its value",
                            spec.name
                        ),
                        format!("give --{} its value, as --{}=VALUE", spec.name, spec.name),
                    ),
                    rkt_flags::Word::Positional => (
                        "it is not a flag, so rkt takes it as an image and runs it as another app of the kubelet's pod".to_string(),
                        format!("remove {} from {}", r.text, r.var),
                    ),
                    rkt_flags::Word::EndOfFlags => (
                        "it ends rkt's flags, so rkt takes every argument after it, the release's included, as images".to_string(),
                        format!("remove -- from {}", r.var),
                    ),
                    rkt_flags::Word::Unknown => (
                        "rkt 1.30 has no such flag and refuses to start".to_string(),
                        format!("remove {} from {}", r.text, r.var),
                    ),
                    rkt_flags::Word::Flag { .. } => {
                        match r.word.refused_value() {
                            Some(e) => (
                                format!("{e}, so rkt refuses it and does not start"),
                                format!(
                                    "correct {} in {}: --volume NAME,kind=host,source=PATH[,readOnly=true|false][,recursive=true|false], --mount volume=NAME,target=PATH",
                                    r.text, r.var
                                ),
                            ),
                            _ => continue,
                        }
                    }
                };
                refuse(r.var, r.text.clone(), why, fix);
            }
        }
    }
    notices.extend(passed);
    (notices, errors)
}

/// What each rkt `--insecure-options` value switches off.
fn insecure_meaning(opt: &str) -> String {
    match opt {
        "image" => "image signature verification".into(),
        "tls" => "registry TLS certificate verification".into(),
        "http" => "the refusal of plain-HTTP fetches".into(),
        "pubkey" => "the refusal of unverified public keys".into(),
        "ondisk" => "on-disk integrity checks of the image store".into(),
        "capabilities" | "paths" | "seccomp" => format!("the pod's {opt} restrictions"),
        "run-all" => "every run-time restriction (capabilities, paths, seccomp)".into(),
        "all-fetch" => "every fetch-time check (image, tls, http)".into(),
        "all" => "every check and restriction".into(),
        other => format!("the \"{other}\" checks"),
    }
}

/// Lines describing how the admin layer weakens the release's trust
/// policy; each is also a notice. The weakening still takes effect.
pub fn trust_weakenings(engine: &Engine, argv: &[Arg]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in argv.iter().enumerate() {
        let Some(var) = a.origin.admin() else {
            continue;
        };
        match engine {
            Engine::Rkt(_) => {
                if let Some((v, text)) = flag_value(argv, i, &["--insecure-options"]) {
                    let off: Vec<String> = v
                        .as_bytes()
                        .split(|&b| b == b',')
                        .map(|o| insecure_meaning(&escape(o)))
                        .collect();
                    out.push(format!("{var}: {text} switches off {}", off.join(", ")));
                }
            }
            Engine::Podman(_) | Engine::Docker(_) => {
                let b = a.value.as_bytes();
                let off = b
                    .strip_prefix(b"--tls-verify=")
                    .is_some_and(|v| crate::engine::oci_flags::parse_bool(v) == Some(false));
                if off {
                    out.push(format!(
                        "{var}: {} switches off registry TLS certificate verification",
                        escape(b)
                    ));
                }
                if b.starts_with(b"--signature-policy") {
                    out.push(format!(
                        "{var}: {} replaces the host's image signature policy",
                        escape(b)
                    ));
                }
                // docker: true is the flag's own default unless the unit
                // sets DOCKER_CONTENT_TRUST=1, which it overrides
                if matches!(engine, Engine::Docker(_))
                    && (b == b"--disable-content-trust" || b == b"--disable-content-trust=true")
                {
                    out.push(format!(
                        "{var}: {} switches off Docker Content Trust (tag signature verification) even where the unit sets DOCKER_CONTENT_TRUST=1",
                        escape(b)
                    ));
                }
            }
            Engine::SystemdNspawn(_) => {}
        }
    }
    out
}
