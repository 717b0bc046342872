//! What an engine command mounts, read the way each engine reads its
//! arguments, and paths compared the way the kernel resolves them.
//!
//! The check "no admin mount over a system target" is only as good as its
//! reading of the command: `-v /srv:/etc//kubernetes`, `-v/srv:...`,
//! `-itv/srv:...`, `--tmpfs=/run`, `--mount type=bind,dst=...` all mount, and
//! `/etc/./kubernetes/` is `/etc/kubernetes`. So [`mounts`] follows the
//! engines' own option syntax (podman's and docker's pflag with its short
//! option clusters, systemd-nspawn's getopt_long with its abbreviations,
//! rkt's volumes and mounts, read by [`rkt_flags`]) for every argument
//! that creates a mount, in every form, and [`normalize`] resolves a target's spelling. What it
//! cannot read with certainty (quoting in a `--mount`, escapes in an nspawn
//! path, a relative target, `--volumes-from`) is [`Mount::Unreadable`]: a
//! strict release refuses it rather than let it pass unchecked.
//!
//! Pure: bytes in, findings out (fuzzed by `fuzz/fuzz_targets/mount_args.rs`).

use super::rkt_flags;
use crate::release::model::Engine;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// The engine families whose syntax differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Rkt,
    /// podman and docker (Go's pflag).
    Oci,
    /// systemd-nspawn (getopt_long).
    Nspawn,
}

impl Syntax {
    /// The syntax `engine` reads its arguments with.
    pub fn of(engine: &Engine) -> Syntax {
        match engine {
            Engine::Rkt(_) => Syntax::Rkt,
            Engine::Podman(_) | Engine::Docker(_) => Syntax::Oci,
            Engine::SystemdNspawn(_) => Syntax::Nspawn,
        }
    }
}

/// One mount an argument asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mount {
    /// A mount at `target` (normalised); `source` is the host path it
    /// binds there, for a bind of an absolute host path.
    At {
        target: Vec<u8>,
        source: Option<Vec<u8>>,
    },
    /// An rkt volume declared under `name` (mounted by a `--mount`), of
    /// the host path `source` for a `kind=host` volume.
    RktVolume {
        name: String,
        source: Option<Vec<u8>>,
        read_only: bool,
    },
    /// An rkt `--mount` of the volume named `volume` at `target`
    /// (normalised): the host path and access are the volume's.
    RktMount { volume: String, target: Vec<u8> },
    /// A mount whose target cannot be told for certain (or that the
    /// engine refuses), and why.
    Unreadable { why: String },
}

/// A mount found in a command: which words ask for it (the option, and its
/// value when that is the next word), and what it mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Index of the word with the option.
    pub at: usize,
    /// Index of the value's word when it is not the option's own.
    pub value_at: Option<usize>,
    pub mount: Mount,
}

/// `path` resolved as the kernel resolves its spelling (see
/// [`crate::release::overlap::normalize`]).
pub use crate::release::overlap::normalize;

fn at(target: &[u8]) -> Mount {
    match normalize(target) {
        Some(t) => Mount::At {
            target: t,
            source: None,
        },
        None => unreadable("the target is not an absolute path"),
    }
}

fn unreadable(why: &str) -> Mount {
    Mount::Unreadable { why: why.into() }
}

/// A mount at `target` that binds `source` when that is an absolute host
/// path (else a named volume or a path in the container: no host source).
fn bind(target: &[u8], source: &[u8]) -> Mount {
    match at(target) {
        Mount::At { target, .. } => Mount::At {
            target,
            source: (source.first() == Some(&b'/')).then(|| source.to_vec()),
        },
        m => m,
    }
}

/// The words of a found mount's option and value: the value is the
/// option's own (`--volume=V`, `-v/a:/b`) or the next word.
pub fn value_of<'a>(words: &[&'a [u8]], f: &Found) -> &'a [u8] {
    if let Some(i) = f.value_at {
        return words.get(i).copied().unwrap_or_default();
    }
    let w = words[f.at];
    if let Some(eq) = w.iter().position(|&b| b == b'=')
        && w.starts_with(b"--")
    {
        return &w[eq + 1..];
    }
    // a short option cluster (`-itv/a:/b`): the value after the first `v`
    match oci_short_volume(w) {
        Some(Short::Attached(v)) => v,
        _ => b"",
    }
}

/// Whether a found mount is read-only, as the engine reads its option and
/// value: podman's and docker's `ro` volume option and `readonly` of
/// `--mount`, nspawn's `--bind-ro` (or an abbreviation of it), rkt's
/// `readOnly=` on a volume ([`rkt_flags::parse_volume`]).
pub fn read_only(syntax: Syntax, option: &[u8], value: &[u8]) -> bool {
    match syntax {
        Syntax::Rkt => rkt_flags::parse_volume(value).is_ok_and(|v| v.read_only),
        Syntax::Nspawn => option.starts_with(b"--bind-r") || option.starts_with(b"--overlay-r"),
        Syntax::Oci if option.starts_with(b"--mount") => csv_items(value).is_some_and(|items| {
            items.iter().any(|(k, v)| {
                matches!(&k[..], b"readonly" | b"ro") && matches!(*v, b"" | b"true" | b"1")
            })
        }),
        Syntax::Oci => {
            let parts: Vec<&[u8]> = value.split(|&b| b == b':').collect();
            let options = match parts.len() {
                3 => parts[2],
                2 if parts[1].first() != Some(&b'/') => parts[1],
                _ => b"",
            };
            options.split(|&b| b == b',').any(|o| o == b"ro")
        }
    }
}

/// Every mount `words` (a whole engine command) asks for, as `syntax`
/// reads them.
pub fn mounts(syntax: Syntax, words: &[&[u8]]) -> Vec<Found> {
    if syntax == Syntax::Rkt {
        return rkt(words);
    }
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied();
        let mut push = |value: Option<&[u8]>, own: bool, parse: &dyn Fn(&[u8]) -> Vec<Mount>| {
            let (value, value_at) = match value {
                Some(v) => (Some(v), None),
                None if !own => (next, Some(i + 1)),
                None => (None, None),
            };
            let found = match value {
                Some(v) => parse(v),
                None => vec![unreadable("the option has no value")],
            };
            out.extend(found.into_iter().map(|mount| Found {
                at: i,
                value_at: value_at.filter(|_| value.is_some()),
                mount,
            }));
        };
        match syntax {
            Syntax::Rkt => unreachable!("read below"),
            Syntax::Oci => {
                for (name, parse) in OCI {
                    if let Some(v) = long(w, name) {
                        push(v, false, &parse);
                    }
                }
                if let Some(v) = oci_short_volume(w) {
                    match v {
                        Short::Attached(v) => push(Some(v), true, &|v| vec![oci_volume(v)]),
                        Short::Next => push(None, false, &|v| vec![oci_volume(v)]),
                        Short::Unknown => push(Some(b""), true, &|_| {
                            vec![unreadable(
                                "an option cluster with an option the check does not know",
                            )]
                        }),
                    }
                }
            }
            Syntax::Nspawn => {
                if let Some((parsers, v)) = nspawn_option(w) {
                    push(v, false, &|v| parsers.iter().flat_map(|p| p(v)).collect());
                }
            }
        }
    }
    out
}

/// The value of `--NAME=VALUE` (`Some(Some(VALUE))`) or `--NAME` (the next
/// word: `Some(None)`).
fn long<'a>(w: &'a [u8], name: &[u8]) -> Option<Option<&'a [u8]>> {
    let rest = w.strip_prefix(b"--")?.strip_prefix(name)?;
    match rest.first() {
        None => Some(None),
        Some(b'=') => Some(Some(&rest[1..])),
        Some(_) => None,
    }
}

/// rkt's `--volume`s and `--mount`s, with the words read as rkt reads them
/// ([`rkt_flags::scan`]: a flag's value is never taken for a flag, and
/// nothing after `--` is rkt's) and the values with rkt's own grammar.
fn rkt(words: &[&[u8]]) -> Vec<Found> {
    rkt_flags::scan(words)
        .into_iter()
        .filter_map(|s| {
            let mount = match &s.word {
                rkt_flags::Word::MissingValue(spec) if matches!(spec.name, "volume" | "mount") => {
                    unreadable("the option has no value")
                }
                w => match (w.volume(), w.mount()) {
                    (Some(Ok(v)), _) => Mount::RktVolume {
                        name: v.name,
                        source: (v.kind == rkt_flags::VolumeKind::Host)
                            .then(|| v.source.into_vec()),
                        read_only: v.read_only,
                    },
                    (_, Some(Ok(m))) => match normalize(m.target.as_bytes()) {
                        Some(target) => Mount::RktMount {
                            volume: m.volume,
                            target,
                        },
                        None => unreadable("the target is not an absolute path"),
                    },
                    (Some(Err(e)), _) | (_, Some(Err(e))) => Mount::Unreadable {
                        why: format!("rkt refuses it: {e}"),
                    },
                    (None, None) => return None,
                },
            };
            Some(Found {
                at: s.at,
                value_at: s.value_at(),
                mount,
            })
        })
        .collect()
}

type Parse = fn(&[u8]) -> Vec<Mount>;

/// The podman and docker options that mount, and how to read each value.
const OCI: [(&[u8], Parse); 6] = [
    (b"volume", |v| vec![oci_volume(v)]),
    (b"mount", oci_mount),
    (b"tmpfs", |v| vec![at(first_part(v))]),
    (b"device", |v| vec![oci_device(v)]),
    (b"secret", oci_secret),
    (b"volumes-from", |_| {
        vec![unreadable(
            "it mounts another container's volumes, wherever those are",
        )]
    }),
];

fn first_part(v: &[u8]) -> &[u8] {
    v.split(|&b| b == b':').next().unwrap_or_default()
}

/// `[SRC:]DST[:OPTIONS]`: with two parts, the second is the target when it
/// is a path, else options (`/etc/kubernetes:ro` is an anonymous volume at
/// /etc/kubernetes).
fn oci_volume(v: &[u8]) -> Mount {
    let parts: Vec<&[u8]> = v.split(|&b| b == b':').collect();
    match parts.len() {
        1 => at(parts[0]),
        2 if parts[1].first() == Some(&b'/') => bind(parts[1], parts[0]),
        2 => at(parts[0]),
        3 => bind(parts[1], parts[0]),
        _ => unreadable("more than three ':'-separated parts"),
    }
}

/// `HOST[:CONTAINER[:PERMISSIONS]]`: the device node is made at CONTAINER
/// (by default the host's path).
fn oci_device(v: &[u8]) -> Mount {
    let parts: Vec<&[u8]> = v.split(|&b| b == b':').collect();
    match parts.get(1) {
        Some(c) if c.first() == Some(&b'/') => at(c),
        _ => at(parts[0]),
    }
}

/// The `key=value` items of a `--mount` value. The engines read it as CSV,
/// so quotes change its meaning: `None` when it has any.
fn csv_items(v: &[u8]) -> Option<Vec<(Vec<u8>, &[u8])>> {
    if v.contains(&b'"') {
        return None;
    }
    Some(
        v.split(|&b| b == b',')
            .map(|kv| match kv.iter().position(|&b| b == b'=') {
                // docker reads keys in any case
                Some(eq) => (kv[..eq].to_ascii_lowercase(), &kv[eq + 1..]),
                None => (kv.to_ascii_lowercase(), &b""[..]),
            })
            .collect(),
    )
}

/// `type=...,src=...,dst=...` of any type: every `target`, `dst` or
/// `destination`.
fn oci_mount(v: &[u8]) -> Vec<Mount> {
    let Some(items) = csv_items(v) else {
        return vec![unreadable("quotes in a --mount value")];
    };
    // a bind's host path
    let source = items
        .iter()
        .any(|(k, t)| &k[..] == b"type" && *t == b"bind")
        .then(|| {
            items
                .iter()
                .rev()
                .find(|(k, _)| matches!(&k[..], b"source" | b"src"))
                .map(|(_, s)| *s)
        })
        .flatten();
    let targets: Vec<Mount> = items
        .iter()
        .filter(|(k, _)| matches!(&k[..], b"target" | b"dst" | b"destination"))
        .map(|(_, t)| match source {
            Some(s) => bind(t, s),
            None => at(t),
        })
        .collect();
    if targets.is_empty() {
        return vec![unreadable("it has no target")];
    }
    targets
}

/// podman's `NAME[,target=PATH,...]`: a mounted secret is at PATH when that
/// is absolute (else below /run/secrets).
fn oci_secret(v: &[u8]) -> Vec<Mount> {
    let Some(items) = csv_items(v) else {
        return vec![unreadable("quotes in a --secret value")];
    };
    items
        .iter()
        .filter(|(k, t)| &k[..] == b"target" && t.first() == Some(&b'/'))
        .map(|(_, t)| at(t))
        .collect()
}

enum Short<'a> {
    /// `-v` with its value in the same word.
    Attached(&'a [u8]),
    /// `-v` last in its word: the value is the next word.
    Next,
    /// A cluster with a letter the check does not know, before a `v`.
    Unknown,
}

/// A word of single-letter options, as pflag reads it (`-itv/a:/b`): each
/// letter a switch, until one that takes a value, which takes the rest of
/// the word (after an optional `=`) or the next word. The volume's value,
/// if that letter is `v`.
fn oci_short_volume(w: &[u8]) -> Option<Short<'_>> {
    let letters = w.strip_prefix(b"-")?;
    if letters.is_empty() || letters[0] == b'-' {
        return None;
    }
    for (i, &c) in letters.iter().enumerate() {
        match c {
            // switches of podman run and docker run
            b'd' | b'i' | b't' | b'P' | b'q' => {}
            // options with a value: the rest is that value
            b'a' | b'c' | b'e' | b'h' | b'l' | b'm' | b'p' | b'u' | b'w' => return None,
            b'v' => {
                let rest = &letters[i + 1..];
                let rest = rest.strip_prefix(b"=").unwrap_or(rest);
                return Some(if i + 1 == letters.len() {
                    Short::Next
                } else {
                    Short::Attached(rest)
                });
            }
            _ => {
                return letters[i..].contains(&b'v').then_some(Short::Unknown);
            }
        }
    }
    None
}

/// systemd-nspawn's options that mount, and how to read each value.
const NSPAWN: [(&[u8], Parse); 6] = [
    (b"bind", |v| vec![nspawn_bind(v)]),
    (b"bind-ro", |v| vec![nspawn_bind(v)]),
    (b"tmpfs", |v| vec![nspawn_plain(first_part(v), v)]),
    (b"overlay", nspawn_overlay),
    (b"overlay-ro", nspawn_overlay),
    (b"inaccessible", |v| vec![nspawn_plain(v, v)]),
];

/// A long option of systemd-nspawn that mounts, with getopt_long's
/// abbreviations (`--bind-r` is `--bind-ro`, `--tmp` is `--tmpfs`): an
/// exact name, else every mount option the word is a prefix of (nspawn
/// refuses an ambiguous one; reading it as each is on the safe side).
fn nspawn_option(w: &[u8]) -> Option<(Vec<Parse>, Option<&[u8]>)> {
    let rest = w.strip_prefix(b"--")?;
    let (name, value) = match rest.iter().position(|&b| b == b'=') {
        Some(eq) => (&rest[..eq], Some(&rest[eq + 1..])),
        None => (rest, None),
    };
    if name.is_empty() {
        return None;
    }
    let parsers: Vec<Parse> = match NSPAWN.iter().find(|(n, _)| *n == name) {
        Some((_, p)) => vec![*p],
        None => NSPAWN
            .iter()
            .filter(|(n, _)| n.starts_with(name))
            .map(|(_, p)| *p)
            .collect(),
    };
    (!parsers.is_empty()).then_some((parsers, value))
}

/// nspawn reads backslash escapes in these paths: a value with one is not
/// read here.
fn escaped(v: &[u8]) -> Option<Mount> {
    v.contains(&b'\\')
        .then_some(unreadable("backslash escapes in a systemd-nspawn path"))
}

fn nspawn_plain(target: &[u8], whole: &[u8]) -> Mount {
    escaped(whole).unwrap_or_else(|| at(target))
}

/// `SRC[:DST[:OPTIONS]]`; without DST the target is SRC (a leading `+` or
/// `-` is a marker, not part of the path).
fn nspawn_bind(v: &[u8]) -> Mount {
    if let Some(m) = escaped(v) {
        return m;
    }
    let parts: Vec<&[u8]> = v.split(|&b| b == b':').collect();
    if parts.len() > 3 {
        return unreadable("more than three ':'-separated parts");
    }
    // a leading `-`: ignored when missing; `+`: a path in the container
    let src = parts[0];
    let host = match src.strip_prefix(b"+") {
        Some(_) => &b""[..],
        None => src.strip_prefix(b"-").unwrap_or(src),
    };
    match parts.get(1) {
        Some(d) if !d.is_empty() => bind(d, host),
        _ => bind(
            src.strip_prefix(b"+")
                .or(src.strip_prefix(b"-"))
                .unwrap_or(src),
            host,
        ),
    }
}

/// `LOWER...:UPPER:DST` (or `LOWER:DST`): the last part.
fn nspawn_overlay(v: &[u8]) -> Vec<Mount> {
    if let Some(m) = escaped(v) {
        return vec![m];
    }
    let parts: Vec<&[u8]> = v.split(|&b| b == b':').collect();
    if parts.len() < 2 {
        return vec![unreadable("an overlay needs at least two paths")];
    }
    let dst = parts[parts.len() - 1];
    vec![at(dst.strip_prefix(b"+").unwrap_or(dst))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(syntax: Syntax, args: &str) -> Vec<String> {
        let words: Vec<&[u8]> = args.split(' ').map(str::as_bytes).collect();
        mounts(syntax, &words)
            .into_iter()
            .map(|f| match f.mount {
                Mount::At { target, .. } => String::from_utf8(target).unwrap(),
                Mount::RktVolume {
                    name, read_only, ..
                } => format!("volume {name}{}", if read_only { " ro" } else { "" }),
                Mount::RktMount { volume, target } => {
                    format!("{} (volume {volume})", String::from_utf8(target).unwrap())
                }
                Mount::Unreadable { why } => format!("? {why}"),
            })
            .collect()
    }

    /// The host sources of the binds in `args`.
    fn sources(syntax: Syntax, args: &str) -> Vec<String> {
        let words: Vec<&[u8]> = args.split(' ').map(str::as_bytes).collect();
        mounts(syntax, &words)
            .into_iter()
            .filter_map(|f| match f.mount {
                Mount::At { source, .. } | Mount::RktVolume { source, .. } => source,
                Mount::RktMount { .. } | Mount::Unreadable { .. } => None,
            })
            .map(|s| String::from_utf8(s).unwrap())
            .collect()
    }

    #[test]
    fn binds_name_their_host_source() {
        assert_eq!(
            sources(
                Syntax::Oci,
                "-v /a:/x --volume=/b:/y:ro -itv/c:/z -v /etc/kubernetes:ro -v named:/n -v /d --mount type=bind,src=/e,dst=/w --mount type=volume,src=v,dst=/u --tmpfs /t"
            ),
            ["/a", "/b", "/c", "/e"]
        );
        assert_eq!(
            sources(
                Syntax::Nspawn,
                "--bind=/a:/x --bind-ro -/b:/y --bind +/in:/z --bind /c --tmpfs /t"
            ),
            ["/a", "/b", "/c"]
        );
        assert_eq!(
            sources(
                Syntax::Rkt,
                "--volume a,kind=host,source=/a --volume=b,kind=empty --mount volume=a,target=/x"
            ),
            ["/a"]
        );
    }

    #[test]
    fn normalises_like_the_kernel() {
        for (p, n) in [
            ("/etc/kubernetes", "/etc/kubernetes"),
            ("/etc//kubernetes", "/etc/kubernetes"),
            ("/etc/kubernetes/", "/etc/kubernetes"),
            ("/etc/kubernetes/.", "/etc/kubernetes"),
            ("/etc/./kubernetes", "/etc/kubernetes"),
            ("/etc/kubernetes/../kubernetes", "/etc/kubernetes"),
            ("/../../run", "/run"),
            ("//", "/"),
            ("/.", "/"),
            ("/a/..", "/"),
            ("/...", "/..."),
        ] {
            assert_eq!(normalize(p.as_bytes()).unwrap(), n.as_bytes(), "{p}");
        }
        assert_eq!(normalize(b"etc"), None);
        assert_eq!(normalize(b""), None);
    }

    #[test]
    fn podman_and_docker_in_every_form() {
        let t = |a| targets(Syntax::Oci, a);
        assert_eq!(t("-v /srv:/etc//kubernetes"), ["/etc/kubernetes"]);
        assert_eq!(t("--volume=/srv:/x/.:ro,rshared"), ["/x"]);
        assert_eq!(t("-v/srv:/x"), ["/x"]);
        assert_eq!(t("-v=/srv:/x"), ["/x"]);
        assert_eq!(t("-itv /srv:/x"), ["/x"]);
        assert_eq!(t("-dv/srv:/x"), ["/x"]);
        assert_eq!(t("-v /x:ro"), ["/x"], "an anonymous volume with options");
        assert_eq!(t("-v /x"), ["/x"]);
        assert_eq!(t("-v name:/x:ro"), ["/x"]);
        assert_eq!(t("-ev/srv:/x"), Vec::<String>::new(), "-e takes the rest");
        assert_eq!(t("-hvm1"), Vec::<String>::new());
        assert_eq!(
            t("-Zv/srv:/x"),
            ["? an option cluster with an option the check does not know"]
        );
        assert_eq!(t("--tmpfs /run"), ["/run"]);
        assert_eq!(t("--tmpfs=/run/:size=1m"), ["/run"]);
        assert_eq!(t("--mount type=bind,src=/s,dst=/x//y"), ["/x/y"]);
        assert_eq!(t("--mount=type=tmpfs,destination=/x"), ["/x"]);
        assert_eq!(t("--mount type=volume,source=v,TARGET=/x"), ["/x"]);
        assert_eq!(
            t("--mount type=bind,src=/s,\"dst=/x\""),
            ["? quotes in a --mount value"]
        );
        assert_eq!(t("--mount type=bind,src=/s"), ["? it has no target"]);
        assert_eq!(
            t("--volumes-from=c"),
            ["? it mounts another container's volumes, wherever those are"]
        );
        assert_eq!(t("--device /dev/fuse:/x"), ["/x"]);
        assert_eq!(t("--secret s,type=mount,target=/x/"), ["/x"]);
        assert_eq!(t("--secret s,target=rel"), Vec::<String>::new());
        assert_eq!(
            t("-v /srv:rel:ro"),
            ["? the target is not an absolute path"]
        );
        assert_eq!(t("-v"), ["? the option has no value"]);
        assert_eq!(t("--volumex=/a:/b --env=-v/a:/b"), Vec::<String>::new());
        assert_eq!(t("-v /a:/b:c:d"), ["? more than three ':'-separated parts"]);
    }

    #[test]
    fn nspawn_with_abbreviations() {
        let t = |a| targets(Syntax::Nspawn, a);
        assert_eq!(t("--bind=/srv:/etc//kubernetes"), ["/etc/kubernetes"]);
        assert_eq!(t("--bind-ro /srv"), ["/srv"]);
        assert_eq!(t("--bind=+/srv::norbind"), ["/srv"]);
        assert_eq!(t("--bind-r=/a:/b"), ["/b"]);
        assert_eq!(t("--tmp=/run"), ["/run"]);
        assert_eq!(t("--tmpfs=/run:mode=755"), ["/run"]);
        assert_eq!(t("--overlay=/a:/b:/x/"), ["/x"]);
        assert_eq!(t("--overlay-ro=/a:+/x"), ["/x"]);
        assert_eq!(t("--inaccessible=/x"), ["/x"]);
        assert_eq!(t("--bin=/a:/b"), ["/b", "/b"], "ambiguous: read as each");
        assert_eq!(
            t("--bind=/a:/b\\:c"),
            ["? backslash escapes in a systemd-nspawn path"]
        );
        assert_eq!(t("--boot --quiet"), Vec::<String>::new());
    }

    #[test]
    fn rkt_volumes_and_mounts() {
        let t = |a| targets(Syntax::Rkt, a);
        assert_eq!(
            t("--volume x,kind=host,source=/s,readOnly=True --mount=volume=x,target=/a//b/"),
            ["volume x ro", "/a/b (volume x)"]
        );
        assert_eq!(
            t("--mount volume=x"),
            ["? rkt refuses it: a mount needs volume= and target="]
        );
        assert_eq!(
            t("--volume=coreos-run,kind=host,source=/srv"),
            ["volume coreos-run"]
        );
        // read as rkt reads its words: a flag's value is not a flag, and
        // nothing after `--` is rkt's
        assert_eq!(
            t("--dns --volume run --mount volume=a,target=/x -- --volume=b,kind=host,source=/b"),
            ["/x (volume a)"]
        );
        // what rkt refuses is not a mount that can be checked
        assert_eq!(
            t("--volume X,kind=host,source=/s --mount volume=x,target=rel --volume"),
            [
                "? rkt refuses it: \"X\" is not a volume name (lower-case letters, digits and -, not at either end)",
                "? the target is not an absolute path",
                "? the option has no value",
            ]
        );
    }
}
