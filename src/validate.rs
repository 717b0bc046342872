//! Checks of the admin layer against the release, before anything happens
//! on the host: image references, admin volumes over system ones, and
//! anything that weakens the release's trust policy.
//!
//! A release's `admin_checks` decides how strict this is. `compatible` (every
//! historical release) accepts all that the CoreOS script accepted, so an
//! admin's unit keeps its meaning, and turns likely mistakes into notices;
//! `strict` (the project's own releases) refuses them. Reusing a system
//! volume's name is refused in both: rkt refuses it too, later and less
//! clearly.

pub mod mounts;

use crate::admin::{AdminConfig, Var};
use crate::command::Arg;
use crate::defaults::model::{AdminChecks, Defaults, Engine};
use crate::quote::escape;
use mounts::{Mount, Syntax};
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
        "{var}: the admin mount {admin} targets {target}, where the release mounts the system volume {system}: the release owns that path, mount elsewhere"
    )]
    VolumeTarget {
        var: String,
        admin: String,
        system: String,
        target: String,
    },
    #[error(
        "{var}: the admin mount {admin}: cannot tell where it mounts ({why}), and this release refuses a mount it cannot check against its own: write it plainly, as SOURCE:TARGET with an absolute target"
    )]
    Unreadable {
        var: String,
        admin: String,
        why: &'static str,
    },
}

/// Checks the image settings; returns notices for likely mistakes that a
/// `compatible` release lets through.
pub fn check_image(defaults: &Defaults, admin: &AdminConfig) -> Result<Vec<String>, AdminError> {
    let strict = defaults.admin_checks == AdminChecks::Strict;
    let local = matches!(defaults.engine, Engine::SystemdNspawn(_));
    let mut notices = Vec::new();
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
            return Err(bad(var, value, what, why));
        }
        notices.push(format!(
            "{var}=\"{}\" is likely a mistake: {why}; it is used as the CoreOS script used it",
            escape(value.as_bytes())
        ));
    }
    Ok(notices)
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

/// The syntax an engine reads its arguments with.
pub fn syntax(engine: &Engine) -> Syntax {
    match engine {
        Engine::Rkt(_) => Syntax::Rkt,
        Engine::Podman(_) | Engine::Docker(_) => Syntax::Oci,
        Engine::SystemdNspawn(_) => Syntax::Nspawn,
    }
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

/// Admin volumes against the system's, read as the engine reads its
/// arguments ([`mounts::mounts`]): a reused system volume name is refused;
/// a mount over a system target (after resolving its spelling) is refused
/// by `strict` releases and a notice in `compatible` ones (CoreOS units
/// mounted their own /var/log over the release's, and rkt let the later one
/// win); a mount whose target cannot be told is refused by `strict`
/// releases. Every argument with an admin origin is checked, whichever
/// variable it came from.
pub fn check_volumes(defaults: &Defaults, argv: &[Arg]) -> Result<Vec<String>, AdminError> {
    let strict = defaults.admin_checks == AdminChecks::Strict;
    let words: Vec<&[u8]> = argv.iter().map(|a| a.value.as_bytes()).collect();
    let mut notices = Vec::new();
    for found in mounts::mounts(syntax(&defaults.engine), &words) {
        let Some(var) = [Some(found.at), found.value_at]
            .into_iter()
            .flatten()
            .find_map(|i| argv.get(i).and_then(|a| a.origin.admin()))
        else {
            continue;
        };
        let mut text = escape(words[found.at]);
        if let Some(v) = found.value_at.and_then(|i| words.get(i)) {
            text.push(' ');
            text.push_str(&escape(v));
        }
        match found.mount {
            Mount::RktVolume { name, .. } => {
                if let Some(sys) = defaults.volumes.iter().find(|v| v.name.as_bytes() == name) {
                    return Err(AdminError::VolumeName {
                        var,
                        admin: text,
                        system: sys.name.clone(),
                        target: sys.target.clone(),
                    });
                }
            }
            Mount::At { target, .. } => {
                let Some(sys) = defaults
                    .volumes
                    .iter()
                    .find(|v| v.target.as_bytes() == target)
                else {
                    continue;
                };
                if strict {
                    return Err(AdminError::VolumeTarget {
                        var,
                        admin: text,
                        system: sys.name.clone(),
                        target: sys.target.clone(),
                    });
                }
                notices.push(format!(
                    "{var}: the admin mount {text} covers the system volume {} at {}: the admin's mount is the one the kubelet sees",
                    sys.name, sys.target
                ));
            }
            Mount::Unreadable { why } if strict => {
                return Err(AdminError::Unreadable {
                    var,
                    admin: text,
                    why,
                });
            }
            Mount::Unreadable { .. } => {}
        }
    }
    Ok(notices)
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
                if b == b"--tls-verify=false"
                    || (b == b"--tls-verify" && argv.get(i + 1).is_some_and(|n| n.value == "false"))
                {
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
