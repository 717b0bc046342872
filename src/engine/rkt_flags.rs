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

use crate::admin::Var;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

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

/// Reads admin words (already split, each with its variable) as rkt's
/// parser reads them, in order. The words of several variables are read
/// as one sequence, as rkt sees them in the command.
pub fn read(words: &[(OsString, Var)]) -> Vec<Read> {
    let esc = |b: &[u8]| crate::text::quote::escape(b);
    let mut out = Vec::new();
    let mut ended = false;
    let mut i = 0;
    while i < words.len() {
        let (w, var) = (words[i].0.as_bytes(), words[i].1);
        i += 1;
        let read = |word| Read {
            word,
            var,
            text: esc(w),
        };
        if ended {
            out.push(read(Word::Positional));
            continue;
        }
        if w == b"--" {
            ended = true;
            out.push(read(Word::EndOfFlags));
            continue;
        }
        let Some(long) = w.strip_prefix(b"--") else {
            // `-` alone is an argument to pflag; `-x` a shorthand rkt has
            // none of (but -h)
            out.push(read(if w.len() > 1 && w[0] == b'-' {
                Word::Unknown
            } else {
                Word::Positional
            }));
            continue;
        };
        let (name, inline) = match long.iter().position(|&c| c == b'=') {
            Some(eq) => (&long[..eq], Some(&long[eq + 1..])),
            None => (long, None),
        };
        let Some(spec) = lookup(name) else {
            out.push(read(Word::Unknown));
            continue;
        };
        match (inline, spec.kind) {
            (Some(v), _) => out.push(read(Word::Flag {
                spec,
                value: v.to_vec(),
                separate: false,
            })),
            (None, Kind::Bool) => out.push(read(Word::Flag {
                spec,
                value: b"true".to_vec(),
                separate: false,
            })),
            (None, Kind::Optional(default)) => out.push(read(Word::Flag {
                spec,
                value: default.as_bytes().to_vec(),
                separate: false,
            })),
            (None, Kind::Value) => match words.get(i) {
                Some((v, _)) => {
                    i += 1;
                    out.push(Read {
                        word: Word::Flag {
                            spec,
                            value: v.as_bytes().to_vec(),
                            separate: true,
                        },
                        var,
                        text: format!("{} {}", esc(w), esc(v.as_bytes())),
                    });
                }
                None => out.push(read(Word::MissingValue(spec))),
            },
        }
    }
    out
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
