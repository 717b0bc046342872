//! rkt 1.30's own grammar: every flag `rkt` and `rkt run` accept, and how
//! its parser (spf13/pflag under cobra) reads the words an admin wrote.
//!
//! The table is rkt's (`rkt/rkt.go`: the persistent flags, `rkt/run.go`
//! and `rkt/stage1hash.go`: `run`'s, `rkt/cli_apps.go`: the per-app
//! flags), so that every admin word is classified the way rkt classifies
//! it before anything is made of it:
//!
//! - `--NAME=VALUE` always; `--NAME VALUE` (the next word, whatever it
//!   looks like) for a flag that takes a value; a boolean flag takes a
//!   value only after `=` (bare, it is `true`), and so does `--net`
//!   (bare, it is `--net=default`);
//! - `--` ends the flags; a word that is not a flag ends them too, and rkt
//!   takes it as an image (`run` does not intersperse flags and images);
//! - a flag rkt does not know, a value flag without its value and a
//!   single-dash word are errors in rkt itself.
//!
//! It also reads the two values that carry an admin's mounts, as rkt does
//! and nowhere else in the project: `--volume NAME,kind=host,source=...`
//! ([`parse_volume`], appc's `types.VolumeFromString`) and `--mount
//! volume=NAME,target=...` ([`parse_mount`], rkt's `appMount.Set`).

use crate::admin::Var;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// How rkt reads a flag's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A boolean: bare it is true; a value only as `--NAME=VALUE`, read as
    /// Go's `strconv.ParseBool` reads it.
    Bool,
    /// A value, from `--NAME=VALUE` or the next word.
    Value,
    /// A value only after `=`; bare it means this default (`--net`).
    Optional(&'static str),
}

/// Where rkt accepts a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// rkt's own flags (persistent, accepted by every subcommand).
    Global,
    /// `rkt run`'s pod flags.
    Pod,
    /// Per-app flags: they apply to the image before them, and rkt refuses
    /// them before the first image ("--memory must follow an image"),
    /// except `--mount`, which there applies to the whole pod.
    App,
}

/// One flag of rkt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Without the leading `--`.
    pub name: &'static str,
    pub kind: Kind,
    pub scope: Scope,
}

const fn spec(name: &'static str, kind: Kind, scope: Scope) -> Spec {
    Spec { name, kind, scope }
}

use Kind::{Bool, Optional, Value};
use Scope::{App, Global, Pod};

/// Every flag of `rkt` and `rkt run` in rkt 1.30.0, hidden and deprecated
/// ones included.
pub const FLAGS: &[Spec] = &[
    // rkt/rkt.go: persistent flags
    spec("debug", Bool, Global),
    spec("dir", Value, Global),
    spec("system-config", Value, Global),
    spec("local-config", Value, Global),
    spec("user-config", Value, Global),
    spec("insecure-options", Value, Global),
    spec("trust-keys-from-https", Bool, Global),
    spec("cpuprofile", Value, Global),
    spec("memprofile", Value, Global),
    spec("help", Bool, Global),
    // rkt/stage1hash.go: the stage1 image
    spec("stage1-url", Value, Pod),
    spec("stage1-path", Value, Pod),
    spec("stage1-name", Value, Pod),
    spec("stage1-hash", Value, Pod),
    spec("stage1-from-dir", Value, Pod),
    // rkt/run.go: the pod
    spec("port", Value, Pod),
    spec("net", Optional("default"), Pod),
    spec("inherit-env", Bool, Pod),
    spec("no-overlay", Bool, Pod),
    spec("private-users", Bool, Pod),
    spec("set-env", Value, Pod),
    spec("set-env-file", Value, Pod),
    spec("interactive", Bool, Pod),
    spec("dns", Value, Pod),
    spec("dns-search", Value, Pod),
    spec("dns-opt", Value, Pod),
    spec("dns-domain", Value, Pod),
    spec("hosts-entry", Value, Pod),
    spec("store-only", Bool, Pod),
    spec("no-store", Bool, Pod),
    spec("pull-policy", Value, Pod),
    spec("pod-manifest", Value, Pod),
    spec("mds-register", Bool, Pod),
    spec("uuid-file-save", Value, Pod),
    spec("hostname", Value, Pod),
    spec("volume", Value, Pod),
    spec("ipc", Value, Pod),
    // rkt/run.go and rkt/cli_apps.go: per app
    spec("signature", Value, App),
    spec("exec", Value, App),
    spec("working-dir", Value, App),
    spec("readonly-rootfs", Value, App),
    spec("mount", Value, App),
    spec("user", Value, App),
    spec("group", Value, App),
    spec("supplementary-gids", Value, App),
    spec("name", Value, App),
    spec("annotation", Value, App),
    spec("user-annotation", Value, App),
    spec("user-label", Value, App),
    spec("environment", Value, App),
    spec("memory", Value, App),
    spec("cpu", Value, App),
    spec("cpu-shares", Value, App),
    spec("caps-retain", Value, App),
    spec("caps-remove", Value, App),
    spec("seccomp", Value, App),
    spec("oom-score-adj", Value, App),
    spec("cap-retain", Value, App),
    spec("cap-remove", Value, App),
];

/// The flag named `name` (without `--`).
pub fn lookup(name: &[u8]) -> Option<&'static Spec> {
    FLAGS.iter().find(|s| s.name.as_bytes() == name)
}

/// Go's `strconv.ParseBool`, which rkt's boolean flags use.
pub fn parse_bool(v: &[u8]) -> Option<bool> {
    match v {
        b"1" | b"t" | b"T" | b"TRUE" | b"true" | b"True" => Some(true),
        b"0" | b"f" | b"F" | b"FALSE" | b"false" | b"False" => Some(false),
        _ => None,
    }
}

/// One admin word (or flag and value) as rkt reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// A flag rkt knows, with its value (for a boolean, `true` or what
    /// followed `=`).
    Flag {
        spec: &'static Spec,
        value: Vec<u8>,
        /// The value was the next word.
        separate: bool,
    },
    /// A word that is not a flag: rkt takes it as an image (before the
    /// kubelet's image it is another app; `--` makes every word after it
    /// one).
    Positional,
    /// `--NAME` that rkt does not know, or a single-dash word.
    Unknown,
    /// A value flag that is the last word, with no value.
    MissingValue(&'static Spec),
    /// `--` itself: the end of rkt's flags.
    EndOfFlags,
}

/// A read word with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub word: Word,
    pub var: Var,
    /// The words as written (a flag and its separate value), escaped as
    /// messages show bytes.
    pub text: String,
}

impl Read {
    /// The flag's name with `--`, or the text of a word that is not one.
    pub fn name(&self) -> String {
        match &self.word {
            Word::Flag { spec, .. } | Word::MissingValue(spec) => format!("--{}", spec.name),
            _ => self.text.clone(),
        }
    }

    /// The flag's value, empty for anything else.
    pub fn value(&self) -> &[u8] {
        match &self.word {
            Word::Flag { value, .. } => value,
            _ => &[],
        }
    }
}

impl Word {
    /// A `--volume` flag's value read as rkt reads a volume; `None` for any
    /// other word.
    pub fn volume(&self) -> Option<Result<RktVolume, SpecError>> {
        match self {
            Word::Flag { spec, value, .. } if spec.name == "volume" => Some(parse_volume(value)),
            _ => None,
        }
    }

    /// A `--mount` flag's value read as rkt reads a mount; `None` for any
    /// other word.
    pub fn mount(&self) -> Option<Result<RktMount, SpecError>> {
        match self {
            Word::Flag { spec, value, .. } if spec.name == "mount" => Some(parse_mount(value)),
            _ => None,
        }
    }

    /// Why rkt refuses the value of this `--volume` or `--mount`, if it does.
    pub fn refused_value(&self) -> Option<SpecError> {
        match (self.volume(), self.mount()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e),
            _ => None,
        }
    }
}

/// A word (or a flag and its separate value) read at its place in a
/// sequence of words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    /// Index of the word (the flag's, when its value is the next word).
    pub at: usize,
    pub word: Word,
}

impl Scanned {
    /// Index of the value's word when it is not the flag's own.
    pub fn value_at(&self) -> Option<usize> {
        match self.word {
            Word::Flag { separate: true, .. } => Some(self.at + 1),
            _ => None,
        }
    }
}

/// Reads words as rkt's parser reads them, in order, each with its index:
/// the reading of [`read`], for any sequence of words (a whole rkt command
/// as well as an admin's variables).
pub fn scan(words: &[&[u8]]) -> Vec<Scanned> {
    let mut out = Vec::new();
    let mut ended = false;
    let mut i = 0;
    while i < words.len() {
        let (at, w) = (i, words[i]);
        i += 1;
        let mut push = |word| out.push(Scanned { at, word });
        if ended {
            push(Word::Positional);
            continue;
        }
        if w == b"--" {
            ended = true;
            push(Word::EndOfFlags);
            continue;
        }
        let Some(long) = w.strip_prefix(b"--") else {
            // `-` alone is an argument to pflag; `-x` a shorthand rkt has
            // none of (but -h)
            push(if w.len() > 1 && w[0] == b'-' {
                Word::Unknown
            } else {
                Word::Positional
            });
            continue;
        };
        let (name, inline) = match long.iter().position(|&c| c == b'=') {
            Some(eq) => (&long[..eq], Some(&long[eq + 1..])),
            None => (long, None),
        };
        let Some(spec) = lookup(name) else {
            push(Word::Unknown);
            continue;
        };
        let flag = |value: &[u8], separate| Word::Flag {
            spec,
            value: value.to_vec(),
            separate,
        };
        match (inline, spec.kind) {
            (Some(v), _) => push(flag(v, false)),
            (None, Kind::Bool) => push(flag(b"true", false)),
            (None, Kind::Optional(default)) => push(flag(default.as_bytes(), false)),
            (None, Kind::Value) => match words.get(i) {
                Some(v) => {
                    i += 1;
                    push(flag(v, true));
                }
                None => push(Word::MissingValue(spec)),
            },
        }
    }
    out
}

/// Reads admin words (already split, each with its variable) as rkt's
/// parser reads them, in order. The words of several variables are read
/// as one sequence, as rkt sees them in the command.
pub fn read(words: &[(OsString, Var)]) -> Vec<Read> {
    let esc = |b: &[u8]| crate::text::quote::escape(b);
    let bytes: Vec<&[u8]> = words.iter().map(|(w, _)| w.as_bytes()).collect();
    scan(&bytes)
        .into_iter()
        .map(|s| {
            let mut text = esc(bytes[s.at]);
            if let Some(v) = s.value_at() {
                text.push(' ');
                text.push_str(&esc(bytes[v]));
            }
            Read {
                var: words[s.at].1,
                text,
                word: s.word,
            }
        })
        .collect()
}

/// What an rkt volume is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeKind {
    /// `kind=host`: a host path bind-mounted.
    Host,
    /// `kind=empty`: an empty directory of the pod.
    Empty,
}

/// An rkt `--volume` value, as rkt 1.30 reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RktVolume {
    /// An appc name: lower-case letters, digits and `-`, not at either end.
    pub name: String,
    pub kind: VolumeKind,
    /// The host path of a `kind=host` volume (absolute); empty for
    /// `kind=empty`.
    pub source: OsString,
    /// `readOnly=`; without it, fly mounts the volume read-write.
    pub read_only: bool,
    /// `recursive=`; without it, fly binds the source alone (no mounts
    /// below it).
    pub recursive: bool,
}

/// An rkt `--mount` value: the volume named `volume` at `target` in the
/// kubelet's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RktMount {
    pub volume: String,
    pub target: OsString,
}

/// Why rkt refuses a `--volume` or `--mount` value (rkt names the first
/// problem it meets, in an order of its own; this names the first in the
/// order written). Values are shown escaped: a message is one inert line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("\"{0}\" is not key=value")]
    NotKeyValue(String),
    #[error("\"{0}\" holds a % that is not followed by two hexadecimal digits")]
    Escape(String),
    #[error("{0}= is given more than once")]
    Twice(String),
    #[error("unknown option \"{0}\"")]
    UnknownVolumeOption(String),
    #[error("unknown mount option \"{0}\"")]
    UnknownMountOption(String),
    #[error("\"{0}\" is not a volume name (lower-case letters, digits and -, not at either end)")]
    Name(String),
    #[error("{key}={value} is not true or false")]
    NotBool { key: &'static str, value: String },
    #[error("{key}={value} is not a whole number")]
    NotNumber { key: &'static str, value: String },
    #[error("kind= is missing")]
    NoKind,
    #[error("kind={0} is not host or empty")]
    Kind(String),
    #[error("a kind=host volume needs source=")]
    NoSource,
    #[error("source={0} is not an absolute path")]
    RelativeSource(String),
    #[error("{0}= is for kind=empty volumes, not kind=host ones")]
    EmptyOnly(&'static str),
    #[error("source= is for kind=host volumes, not kind=empty ones")]
    HostOnly,
    #[error("a mount needs volume= and target=")]
    MountIncomplete,
}

fn esc(b: &[u8]) -> String {
    crate::text::quote::escape(b)
}

/// Go's `url.QueryUnescape`: `%XX` is the byte, `+` a space.
fn query_unescape(s: &[u8]) -> Result<Vec<u8>, SpecError> {
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                let (Some(h), Some(l)) = (
                    s.get(i + 1).and_then(|&c| hex(c)),
                    s.get(i + 2).and_then(|&c| hex(c)),
                ) else {
                    return Err(SpecError::Escape(esc(s)));
                };
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// A key and its value, unescaped.
type Pair = (Vec<u8>, Vec<u8>);

/// Go's `url.ParseQuery` as rkt 1.30 was built with it (Go before 1.17):
/// `&` and `;` separate pairs, a pair without `=` is a key with an empty
/// value, keys and values are unescaped; then each key once, as rkt asks.
fn query_pairs(query: &[u8]) -> Result<Vec<Pair>, SpecError> {
    let mut out: Vec<Pair> = Vec::new();
    for pair in query.split(|&c| c == b'&' || c == b';') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = match pair.iter().position(|&c| c == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &b""[..]),
        };
        let (k, v) = (query_unescape(k)?, query_unescape(v)?);
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(SpecError::Twice(esc(&k)));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// An appc name (`types.ACName`): not empty, only `a-z`, `0-9` and `-`,
/// and not `-` at either end.
fn ac_name(n: &[u8]) -> Result<String, SpecError> {
    let valid = !n.is_empty()
        && n.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && n[0] != b'-'
        && n[n.len() - 1] != b'-';
    if valid {
        Ok(String::from_utf8_lossy(n).into_owned())
    } else {
        Err(SpecError::Name(esc(n)))
    }
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, in range.
fn go_atoi(v: &[u8]) -> bool {
    let digits = v.strip_prefix(b"+").or(v.strip_prefix(b"-")).unwrap_or(v);
    !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(v).is_ok_and(|s| s.parse::<i64>().is_ok())
}

/// `NAME,kind=host,source=PATH[,readOnly=BOOL][,recursive=BOOL]` or
/// `NAME,kind=empty[,mode=M][,uid=N][,gid=N][,readOnly=BOOL]`, read as
/// rkt 1.30 reads `--volume` (appc's `types.VolumeFromString`):
///
/// - the value is `name=` followed by it, split at `,` into `KEY=VALUE`
///   parts (a part without `=` is refused), each value taken as written;
/// - each key once; the keys are `name`, `kind`, `source`, `readOnly`,
///   `recursive`, `mode`, `uid`, `gid`, and no other;
/// - the name is an appc name; `readOnly` and `recursive` are Go booleans
///   ([`parse_bool`]), `uid` and `gid` numbers;
/// - `kind=host` needs an absolute `source` and refuses `mode`, `uid` and
///   `gid`; `kind=empty` refuses a `source`; no other kind exists.
pub fn parse_volume(value: &[u8]) -> Result<RktVolume, SpecError> {
    let whole = [&b"name="[..], value].concat();
    let mut query = Vec::with_capacity(whole.len());
    for (i, part) in whole.split(|&c| c == b',').enumerate() {
        let Some(eq) = part.iter().position(|&c| c == b'=') else {
            return Err(SpecError::NotKeyValue(esc(part)));
        };
        if i > 0 {
            query.push(b'&');
        }
        // the key as written, the value escaped (appc's MakeQueryString),
        // so that only the keys are read as a query's
        query.extend_from_slice(&part[..=eq]);
        for &c in &part[eq + 1..] {
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
                query.push(c);
            } else {
                query.extend_from_slice(format!("%{c:02X}").as_bytes());
            }
        }
    }
    let (mut name, mut kind, mut source) = (None, None, None);
    let (mut read_only, mut recursive) = (false, false);
    let mut empty_only = None;
    for (k, v) in query_pairs(&query)? {
        let boolean = |key| {
            parse_bool(&v).ok_or_else(|| SpecError::NotBool {
                key,
                value: esc(&v),
            })
        };
        let number = |key| {
            go_atoi(&v)
                .then_some(())
                .ok_or_else(|| SpecError::NotNumber {
                    key,
                    value: esc(&v),
                })
        };
        match &k[..] {
            b"name" => name = Some(ac_name(&v)?),
            b"kind" => kind = Some(v),
            b"source" => source = Some(v),
            b"readOnly" => read_only = boolean("readOnly")?,
            b"recursive" => recursive = boolean("recursive")?,
            b"mode" => empty_only = empty_only.or(Some("mode")),
            b"uid" => {
                number("uid")?;
                empty_only = empty_only.or(Some("uid"));
            }
            b"gid" => {
                number("gid")?;
                empty_only = empty_only.or(Some("gid"));
            }
            _ => return Err(SpecError::UnknownVolumeOption(esc(&k))),
        }
    }
    let name = name.expect("the name is the first part");
    let source = source.unwrap_or_default();
    match kind.as_deref() {
        Some(b"host") => {
            if source.is_empty() {
                return Err(SpecError::NoSource);
            }
            if let Some(key) = empty_only {
                return Err(SpecError::EmptyOnly(key));
            }
            if source[0] != b'/' {
                return Err(SpecError::RelativeSource(esc(&source)));
            }
            Ok(RktVolume {
                name,
                kind: VolumeKind::Host,
                source: OsString::from_vec(source),
                read_only,
                recursive,
            })
        }
        Some(b"empty") if !source.is_empty() => Err(SpecError::HostOnly),
        Some(b"empty") => Ok(RktVolume {
            name,
            kind: VolumeKind::Empty,
            source: OsString::new(),
            read_only,
            recursive,
        }),
        Some(k) => Err(SpecError::Kind(esc(k))),
        None => Err(SpecError::NoKind),
    }
}

/// `volume=NAME,target=PATH`, read as rkt 1.30 reads `--mount` (its
/// `appMount.Set`): `,` made `&` and the whole read as a URL query (so `%XX`
/// and `+` in a value are unescaped), each key once, only `volume` (an appc
/// name) and `target`; and both, or the pod rkt writes is refused.
pub fn parse_mount(value: &[u8]) -> Result<RktMount, SpecError> {
    let query: Vec<u8> = value
        .iter()
        .map(|&c| if c == b',' { b'&' } else { c })
        .collect();
    let (mut volume, mut target) = (None, None);
    for (k, v) in query_pairs(&query)? {
        match &k[..] {
            b"volume" => volume = Some(ac_name(&v)?),
            b"target" => target = Some(v),
            _ => return Err(SpecError::UnknownMountOption(esc(&k))),
        }
    }
    match (volume, target) {
        (Some(volume), Some(target)) if !target.is_empty() => Ok(RktMount {
            volume,
            target: OsString::from_vec(target),
        }),
        _ => Err(SpecError::MountIncomplete),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<(OsString, Var)> {
        s.split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| (OsString::from(w), Var::RktRunArgs))
            .collect()
    }

    fn shown(s: &str) -> Vec<(String, String)> {
        read(&words(s))
            .into_iter()
            .map(|r| {
                let kind = match &r.word {
                    Word::Flag { spec, value, .. } => {
                        format!("--{}={}", spec.name, String::from_utf8_lossy(value))
                    }
                    Word::Positional => "positional".into(),
                    Word::Unknown => "unknown".into(),
                    Word::MissingValue(s) => format!("missing --{}", s.name),
                    Word::EndOfFlags => "end".into(),
                };
                (kind, r.text)
            })
            .collect()
    }

    #[test]
    fn values_booleans_and_optional_values_as_pflag_reads_them() {
        let got =
            shown("--dns --volume --net host --debug --debug=f --hostname=x --net=host --mount");
        let want: Vec<(&str, &str)> = vec![
            ("--dns=--volume", "--dns --volume"),
            ("--net=default", "--net"),
            ("positional", "host"),
            ("--debug=true", "--debug"),
            ("--debug=f", "--debug=f"),
            ("--hostname=x", "--hostname=x"),
            ("--net=host", "--net=host"),
            ("missing --mount", "--mount"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn unknown_flags_shorthands_and_the_end_of_flags() {
        let got = shown("--private-users --no-such -x - -- --net=host");
        let kinds: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "--private-users=true",
                "unknown",
                "unknown",
                "positional",
                "end",
                "positional"
            ]
        );
    }

    #[test]
    fn go_booleans() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_bool(t.as_bytes()), Some(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_bool(f.as_bytes()), Some(false));
        }
        for x in ["yes", "no", "tRUE", "", "2"] {
            assert_eq!(parse_bool(x.as_bytes()), None);
        }
    }

    fn volume(s: &str) -> Result<RktVolume, String> {
        parse_volume(s.as_bytes()).map_err(|e| e.to_string())
    }

    fn host(name: &str, source: &str, read_only: bool, recursive: bool) -> RktVolume {
        RktVolume {
            name: name.into(),
            kind: VolumeKind::Host,
            source: source.into(),
            read_only,
            recursive,
        }
    }

    #[test]
    fn volumes_as_appc_reads_them() {
        assert_eq!(
            volume("cni,kind=host,source=/srv/cni"),
            Ok(host("cni", "/srv/cni", false, false))
        );
        assert_eq!(
            volume("a-1,recursive=T,source=/a,b,kind=host,readOnly=1"),
            Err("\"b\" is not key=value".into())
        );
        assert_eq!(
            volume("a-1,recursive=T,source=/a%2Cb+c,kind=host,readOnly=1"),
            Ok(host("a-1", "/a%2Cb+c", true, true)),
            "a value is taken as written"
        );
        assert_eq!(
            volume("e,kind=empty,mode=0700,uid=-1,gid=+2"),
            Ok(RktVolume {
                name: "e".into(),
                kind: VolumeKind::Empty,
                source: "".into(),
                read_only: false,
                recursive: false,
            })
        );
        for (v, why) in [
            ("", "\"\" is not a volume name"),
            (
                "Var-log,kind=host,source=/a",
                "\"Var-log\" is not a volume name",
            ),
            ("-a,kind=host,source=/a", "\"-a\" is not a volume name"),
            ("kind=host,source=/a", "\"kind=host\" is not a volume name"),
            (
                "a,name=b,kind=host,source=/a",
                "name= is given more than once",
            ),
            (
                "a,kind=host,source=/a,source=/b",
                "source= is given more than once",
            ),
            ("a,kind=host,source=/a,,", "\"\" is not key=value"),
            ("a,kind=host,source=/a,ro=true", "unknown option \"ro\""),
            (
                "a,kind=host,source=/a,readOnly=yes",
                "readOnly=yes is not true or false",
            ),
            (
                "a,kind=host,source=/a,recursive=",
                "recursive= is not true or false",
            ),
            (
                "a,kind=host,source=/a,uid=0",
                "uid= is for kind=empty volumes",
            ),
            ("a,kind=empty,gid=x", "gid=x is not a whole number"),
            (
                "a,kind=empty,uid=99999999999999999999",
                "is not a whole number",
            ),
            ("a,kind=empty,source=/a", "source= is for kind=host volumes"),
            ("a,kind=host", "a kind=host volume needs source="),
            ("a,kind=host,source=", "a kind=host volume needs source="),
            (
                "a,kind=host,source=srv",
                "source=srv is not an absolute path",
            ),
            ("a,kind=other", "kind=other is not host or empty"),
            ("a,source=/a", "kind= is missing"),
            ("a,kin%zz=host", "\"kin%zz\" holds a %"),
        ] {
            let got = volume(v).unwrap_err();
            assert!(got.contains(why), "{v}: {got}");
        }
        // keys are read as a query's keys (values are not): Go's unescaping
        // and its `&` and `;` separators
        assert_eq!(
            volume("a,kin%64=host,&source=/a"),
            Ok(host("a", "/a", false, false))
        );
    }

    #[test]
    fn mounts_as_rkt_reads_them() {
        let m = |s: &str| parse_mount(s.as_bytes()).map_err(|e| e.to_string());
        assert_eq!(
            m("target=/a/b,volume=x"),
            Ok(RktMount {
                volume: "x".into(),
                target: "/a/b".into()
            })
        );
        // the whole value is a URL query: unescaped, `;` separates too
        assert_eq!(
            m("volume=x,,target=/a%2Cb+c;"),
            Ok(RktMount {
                volume: "x".into(),
                target: "/a,b c".into()
            })
        );
        for (v, why) in [
            ("volume=x", "a mount needs volume= and target="),
            ("volume=x,target=", "a mount needs volume= and target="),
            ("target=/a", "a mount needs volume= and target="),
            (
                "volume=x,target=/a,target=/b",
                "target= is given more than once",
            ),
            ("volume=x,target=/a,ro", "unknown mount option \"ro\""),
            ("volume=X,target=/a", "\"X\" is not a volume name"),
            ("volume=x,target=/a%", "\"/a%\" holds a %"),
        ] {
            let got = m(v).unwrap_err();
            assert!(got.contains(why), "{v}: {got}");
        }
    }

    #[test]
    fn scanned_words_keep_their_places() {
        let got: Vec<(usize, Option<usize>)> = scan(&[
            &b"--dns"[..],
            b"--volume",
            b"--mount",
            b"v",
            b"img",
            b"--",
            b"--volume",
        ])
        .iter()
        .map(|s| (s.at, s.value_at()))
        .collect();
        assert_eq!(
            got,
            [(0, Some(1)), (2, Some(3)), (4, None), (5, None), (6, None)]
        );
    }

    #[test]
    fn the_table_has_each_flag_once() {
        for (i, a) in FLAGS.iter().enumerate() {
            assert!(
                FLAGS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
        }
    }
}
