//! podman's and docker's own grammar for `run`: which options they have,
//! which take a value, and how their parser (spf13/pflag) reads the words an
//! admin wrote in `PODMAN_RUN_ARGS` or `DOCKER_RUN_ARGS`.
//!
//! Those words stand between the release's own arguments, so a word read
//! otherwise than the admin meant reaches around the release: a word that
//! is not an option is the image to podman and docker (`run` does not
//! intersperse options and arguments), the release's arguments after it
//! becoming the kubelet's command; a value option at the end takes the
//! release's next argument as its value; `--` ends the options. Reading
//! every word as the engine does, before the command is assembled, is what
//! lets the release refuse those.
//!
//! The tables are the versions the project supports: podman 4.3 and
//! docker 20.10 (Debian 12's). `tests/engines.rs` compares them with the
//! installed engines' own `run --help` where those are installed.
//!
//! pflag's rules: `--name=VALUE` always; `--name VALUE` (the next word,
//! whatever it is) for an option with a value; a switch takes a value only
//! after `=` (read as Go's `strconv.ParseBool`); `-abc` is a cluster of
//! short options, the first that takes a value taking the rest of the word
//! (after an optional `=`) or the next word.

use std::os::unix::ffi::OsStrExt;

/// One option of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    /// The long name, without `--`.
    pub long: &'static str,
    /// The one-letter name, if any.
    pub short: Option<u8>,
    /// Whether it takes a value (else it is a switch).
    pub value: bool,
}

const fn opt(long: &'static str, short: Option<u8>, value: bool) -> Opt {
    Opt { long, short, value }
}

/// The engine whose grammar to read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Podman,
    Docker,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Podman => "podman 4.3",
            Dialect::Docker => "docker 20.10",
        }
    }

    fn tables(self) -> &'static [&'static [Opt]] {
        match self {
            Dialect::Podman => &[PODMAN_RUN, PODMAN_GLOBAL],
            Dialect::Docker => &[DOCKER_RUN],
        }
    }

    /// The option of this long name, after the engine's aliases.
    pub fn long(self, name: &[u8]) -> Option<&'static Opt> {
        let name = match self {
            Dialect::Podman => PODMAN_ALIASES
                .iter()
                .find(|(a, _)| a.as_bytes() == name)
                .map_or(name, |(_, n)| n.as_bytes()),
            Dialect::Docker => name,
        };
        self.tables()
            .iter()
            .flat_map(|t| t.iter())
            .find(|o| o.long.as_bytes() == name)
    }

    /// The option of this one-letter name.
    pub fn short(self, c: u8) -> Option<&'static Opt> {
        self.tables()
            .iter()
            .flat_map(|t| t.iter())
            .find(|o| o.short == Some(c))
    }
}

/// Go's `strconv.ParseBool`, which pflag's switches use.
pub fn parse_bool(v: &[u8]) -> Option<bool> {
    crate::engine::rkt_flags::parse_bool(v)
}

/// What a word (or an option and its value) is to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// An option with its value (a switch's: `true`, or what followed `=`).
    Opt {
        opt: &'static Opt,
        value: Vec<u8>,
        /// The value was the next word.
        separate: bool,
    },
    /// A word that is not an option: the engine takes it as the image.
    Positional,
    /// `--`: the end of the options; the next word is the image.
    EndOfOptions,
    /// An option this version of the engine does not have; whether its
    /// value was given after `=`.
    Unknown { attached: bool },
    /// An option that takes a value, last among the words.
    MissingValue(&'static Opt),
}

/// A read word with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub word: Word,
    /// Index of the (first) word it was read from.
    pub at: usize,
    /// The words as written, escaped as messages show bytes.
    pub text: String,
}

/// Reads `words` as the engine's `run` reads the words before its image.
/// After a word that is not an option nothing more is read: the engine
/// takes everything from there as the image and its arguments.
pub fn read(dialect: Dialect, words: &[&[u8]]) -> Vec<Read> {
    let esc = |b: &[u8]| crate::text::quote::escape(b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (w, at) = (words[i], i);
        i += 1;
        let push = |out: &mut Vec<Read>, word| {
            out.push(Read {
                word,
                at,
                text: esc(w),
            })
        };
        if w == b"--" {
            push(&mut out, Word::EndOfOptions);
            break;
        }
        if let Some(long) = w.strip_prefix(b"--") {
            let (name, inline) = match long.iter().position(|&c| c == b'=') {
                Some(eq) => (&long[..eq], Some(&long[eq + 1..])),
                None => (long, None),
            };
            let Some(opt) = dialect.long(name) else {
                push(
                    &mut out,
                    Word::Unknown {
                        attached: inline.is_some(),
                    },
                );
                continue;
            };
            match (inline, opt.value) {
                (Some(v), _) => push(
                    &mut out,
                    Word::Opt {
                        opt,
                        value: v.to_vec(),
                        separate: false,
                    },
                ),
                (None, false) => push(
                    &mut out,
                    Word::Opt {
                        opt,
                        value: b"true".to_vec(),
                        separate: false,
                    },
                ),
                (None, true) => match words.get(i) {
                    Some(v) => {
                        i += 1;
                        out.push(Read {
                            word: Word::Opt {
                                opt,
                                value: v.to_vec(),
                                separate: true,
                            },
                            at,
                            text: format!("{} {}", esc(w), esc(v)),
                        });
                    }
                    None => push(&mut out, Word::MissingValue(opt)),
                },
            }
            continue;
        }
        let Some(letters) = w.strip_prefix(b"-").filter(|l| !l.is_empty()) else {
            // a word that is not an option (`-` alone included)
            push(&mut out, Word::Positional);
            break;
        };
        let mut j = 0;
        while j < letters.len() {
            let Some(opt) = dialect.short(letters[j]) else {
                push(&mut out, Word::Unknown { attached: false });
                break;
            };
            let rest = &letters[j + 1..];
            if rest.first() == Some(&b'=') {
                push(
                    &mut out,
                    Word::Opt {
                        opt,
                        value: rest[1..].to_vec(),
                        separate: false,
                    },
                );
                break;
            }
            if !opt.value {
                push(
                    &mut out,
                    Word::Opt {
                        opt,
                        value: b"true".to_vec(),
                        separate: false,
                    },
                );
                j += 1;
                continue;
            }
            if !rest.is_empty() {
                push(
                    &mut out,
                    Word::Opt {
                        opt,
                        value: rest.to_vec(),
                        separate: false,
                    },
                );
            } else if let Some(v) = words.get(i) {
                i += 1;
                out.push(Read {
                    word: Word::Opt {
                        opt,
                        value: v.to_vec(),
                        separate: true,
                    },
                    at,
                    text: format!("{} {}", esc(w), esc(v)),
                });
            } else {
                push(&mut out, Word::MissingValue(opt));
            }
            break;
        }
    }
    out
}

/// [`read`] on words given as `OsString`s.
pub fn read_os(dialect: Dialect, words: &[std::ffi::OsString]) -> Vec<Read> {
    let w: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    read(dialect, &w)
}

/// podman's aliases of `run` options (`cmd/podman/utils/alias.go`).
pub const PODMAN_ALIASES: &[(&str, &str)] = &[
    ("dns-opt", "dns-option"),
    ("healthcheck-command", "health-cmd"),
    ("healthcheck-interval", "health-interval"),
    ("healthcheck-retries", "health-retries"),
    ("healthcheck-start-period", "health-start-period"),
    ("healthcheck-timeout", "health-timeout"),
    ("net", "network"),
    ("purge", "rm"),
    ("override-arch", "arch"),
    ("override-os", "os"),
    ("override-variant", "variant"),
];

/// `podman run`'s own options (podman 4.3, `cmd/podman/common/create.go`,
/// `cmd/podman/containers/run.go`, `DefineNetFlags`), hidden ones included.
pub const PODMAN_RUN: &[Opt] = &[
    opt("add-host", None, true),
    opt("annotation", None, true),
    opt("arch", None, true),
    opt("attach", Some(b'a'), true),
    opt("authfile", None, true),
    opt("blkio-weight", None, true),
    opt("blkio-weight-device", None, true),
    opt("cap-add", None, true),
    opt("cap-drop", None, true),
    opt("cgroup-conf", None, true),
    opt("cgroup-parent", None, true),
    opt("cgroupns", None, true),
    opt("cgroups", None, true),
    opt("chrootdirs", None, true),
    opt("cidfile", None, true),
    opt("conmon-pidfile", None, true),
    opt("cpu-period", None, true),
    opt("cpu-quota", None, true),
    opt("cpu-rt-period", None, true),
    opt("cpu-rt-runtime", None, true),
    opt("cpu-shares", Some(b'c'), true),
    opt("cpus", None, true),
    opt("cpuset-cpus", None, true),
    opt("cpuset-mems", None, true),
    opt("detach", Some(b'd'), false),
    opt("detach-keys", None, true),
    opt("device", None, true),
    opt("device-cgroup-rule", None, true),
    opt("device-read-bps", None, true),
    opt("device-read-iops", None, true),
    opt("device-write-bps", None, true),
    opt("device-write-iops", None, true),
    opt("disable-content-trust", None, false),
    opt("dns", None, true),
    opt("dns-option", None, true),
    opt("dns-search", None, true),
    opt("entrypoint", None, true),
    opt("env", Some(b'e'), true),
    opt("env-file", None, true),
    opt("env-host", None, false),
    opt("env-merge", None, true),
    opt("expose", None, true),
    opt("gidmap", None, true),
    opt("gpus", None, true),
    opt("group-add", None, true),
    opt("health-cmd", None, true),
    opt("health-interval", None, true),
    opt("health-on-failure", None, true),
    opt("health-retries", None, true),
    opt("health-start-period", None, true),
    opt("health-timeout", None, true),
    opt("help", None, false),
    opt("hostname", Some(b'h'), true),
    opt("hostuser", None, true),
    opt("http-proxy", None, false),
    opt("image-volume", None, true),
    opt("init", None, false),
    opt("init-path", None, true),
    opt("interactive", Some(b'i'), false),
    opt("ip", None, true),
    opt("ip6", None, true),
    opt("ipc", None, true),
    opt("kernel-memory", None, true),
    opt("label", Some(b'l'), true),
    opt("label-file", None, true),
    opt("log-driver", None, true),
    opt("log-opt", None, true),
    opt("mac-address", None, true),
    opt("memory", Some(b'm'), true),
    opt("memory-reservation", None, true),
    opt("memory-swap", None, true),
    opt("memory-swappiness", None, true),
    opt("mount", None, true),
    opt("name", None, true),
    opt("network", None, true),
    opt("network-alias", None, true),
    opt("no-healthcheck", None, false),
    opt("no-hosts", None, false),
    opt("oom-kill-disable", None, false),
    opt("oom-score-adj", None, true),
    opt("os", None, true),
    opt("passwd", None, false),
    opt("passwd-entry", None, true),
    opt("personality", None, true),
    opt("pid", None, true),
    opt("pidfile", None, true),
    opt("pids-limit", None, true),
    opt("platform", None, true),
    opt("pod", None, true),
    opt("pod-id-file", None, true),
    opt("preserve-fds", None, true),
    opt("privileged", None, false),
    opt("publish", Some(b'p'), true),
    opt("publish-all", Some(b'P'), false),
    opt("pull", None, true),
    opt("quiet", Some(b'q'), false),
    opt("read-only", None, false),
    opt("read-only-tmpfs", None, false),
    opt("replace", None, false),
    opt("requires", None, true),
    opt("restart", None, true),
    opt("rm", None, false),
    opt("rmi", None, false),
    opt("rootfs", None, false),
    opt("sdnotify", None, true),
    opt("seccomp-policy", None, true),
    opt("secret", None, true),
    opt("security-opt", None, true),
    opt("shm-size", None, true),
    opt("sig-proxy", None, false),
    opt("signature-policy", None, true),
    opt("stop-signal", None, true),
    opt("stop-timeout", None, true),
    opt("subgidname", None, true),
    opt("subuidname", None, true),
    opt("sysctl", None, true),
    opt("systemd", None, true),
    opt("timeout", None, true),
    opt("tls-verify", None, false),
    opt("tmpfs", None, true),
    opt("tty", Some(b't'), false),
    opt("tz", None, true),
    opt("uidmap", None, true),
    opt("ulimit", None, true),
    opt("umask", None, true),
    opt("unsetenv", None, true),
    opt("unsetenv-all", None, false),
    opt("user", Some(b'u'), true),
    opt("userns", None, true),
    opt("uts", None, true),
    opt("variant", None, true),
    opt("volume", Some(b'v'), true),
    opt("volumes-from", None, true),
    opt("workdir", Some(b'w'), true),
];

/// podman's persistent options (`cmd/podman/root.go`), which `podman run`
/// accepts after `run` too.
pub const PODMAN_GLOBAL: &[Opt] = &[
    opt("cgroup-manager", None, true),
    opt("conmon", None, true),
    opt("cpu-profile", None, true),
    opt("default-mounts-file", None, true),
    opt("events-backend", None, true),
    opt("hooks-dir", None, true),
    opt("log-level", None, true),
    opt("max-workers", None, true),
    opt("memory-profile", None, true),
    opt("namespace", None, true),
    opt("network-backend", None, true),
    opt("network-cmd-path", None, true),
    opt("network-config-dir", None, true),
    opt("registries-conf", None, true),
    opt("root", None, true),
    opt("runroot", None, true),
    opt("runtime", None, true),
    opt("runtime-flag", None, true),
    opt("storage-driver", None, true),
    opt("storage-opt", None, true),
    opt("syslog", None, false),
    opt("tmpdir", None, true),
    opt("trace", None, false),
    opt("volumepath", None, true),
];

/// `docker run`'s options (docker 20.10, `cli/command/container/opts.go`,
/// `run.go`), hidden ones included. docker's own global options (`-H`,
/// `--debug`, ...) are not accepted after `run`.
pub const DOCKER_RUN: &[Opt] = &[
    opt("add-host", None, true),
    opt("attach", Some(b'a'), true),
    opt("blkio-weight", None, true),
    opt("blkio-weight-device", None, true),
    opt("cap-add", None, true),
    opt("cap-drop", None, true),
    opt("cgroup-parent", None, true),
    opt("cgroupns", None, true),
    opt("cidfile", None, true),
    opt("cpu-count", None, true),
    opt("cpu-percent", None, true),
    opt("cpu-period", None, true),
    opt("cpu-quota", None, true),
    opt("cpu-rt-period", None, true),
    opt("cpu-rt-runtime", None, true),
    opt("cpu-shares", Some(b'c'), true),
    opt("cpus", None, true),
    opt("cpuset-cpus", None, true),
    opt("cpuset-mems", None, true),
    opt("detach", Some(b'd'), false),
    opt("detach-keys", None, true),
    opt("device", None, true),
    opt("device-cgroup-rule", None, true),
    opt("device-read-bps", None, true),
    opt("device-read-iops", None, true),
    opt("device-write-bps", None, true),
    opt("device-write-iops", None, true),
    opt("disable-content-trust", None, false),
    opt("dns", None, true),
    opt("dns-opt", None, true),
    opt("dns-option", None, true),
    opt("dns-search", None, true),
    opt("domainname", None, true),
    opt("entrypoint", None, true),
    opt("env", Some(b'e'), true),
    opt("env-file", None, true),
    opt("expose", None, true),
    opt("gpus", None, true),
    opt("group-add", None, true),
    opt("health-cmd", None, true),
    opt("health-interval", None, true),
    opt("health-retries", None, true),
    opt("health-start-period", None, true),
    opt("health-timeout", None, true),
    opt("help", None, false),
    opt("hostname", Some(b'h'), true),
    opt("init", None, false),
    opt("interactive", Some(b'i'), false),
    opt("io-maxbandwidth", None, true),
    opt("io-maxiops", None, true),
    opt("ip", None, true),
    opt("ip6", None, true),
    opt("ipc", None, true),
    opt("isolation", None, true),
    opt("kernel-memory", None, true),
    opt("label", Some(b'l'), true),
    opt("label-file", None, true),
    opt("link", None, true),
    opt("link-local-ip", None, true),
    opt("log-driver", None, true),
    opt("log-opt", None, true),
    opt("mac-address", None, true),
    opt("memory", Some(b'm'), true),
    opt("memory-reservation", None, true),
    opt("memory-swap", None, true),
    opt("memory-swappiness", None, true),
    opt("mount", None, true),
    opt("name", None, true),
    opt("net", None, true),
    opt("net-alias", None, true),
    opt("network", None, true),
    opt("network-alias", None, true),
    opt("no-healthcheck", None, false),
    opt("oom-kill-disable", None, false),
    opt("oom-score-adj", None, true),
    opt("pid", None, true),
    opt("pids-limit", None, true),
    opt("platform", None, true),
    opt("privileged", None, false),
    opt("publish", Some(b'p'), true),
    opt("publish-all", Some(b'P'), false),
    opt("pull", None, true),
    opt("read-only", None, false),
    opt("restart", None, true),
    opt("rm", None, false),
    opt("runtime", None, true),
    opt("security-opt", None, true),
    opt("shm-size", None, true),
    opt("sig-proxy", None, false),
    opt("stop-signal", None, true),
    opt("stop-timeout", None, true),
    opt("storage-opt", None, true),
    opt("sysctl", None, true),
    opt("tmpfs", None, true),
    opt("tty", Some(b't'), false),
    opt("ulimit", None, true),
    opt("user", Some(b'u'), true),
    opt("userns", None, true),
    opt("uts", None, true),
    opt("volume", Some(b'v'), true),
    opt("volume-driver", None, true),
    opt("volumes-from", None, true),
    opt("workdir", Some(b'w'), true),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(d: Dialect, s: &str) -> Vec<String> {
        let words: Vec<&[u8]> = s.split(' ').map(str::as_bytes).collect();
        read(d, &words)
            .into_iter()
            .map(|r| match r.word {
                Word::Opt { opt, value, .. } => {
                    format!("{}={}", opt.long, String::from_utf8_lossy(&value))
                }
                Word::Positional => format!("positional {}", r.text),
                Word::EndOfOptions => "--".into(),
                Word::Unknown { attached } => format!("unknown {} {attached}", r.text),
                Word::MissingValue(o) => format!("missing {}", o.long),
            })
            .collect()
    }

    #[test]
    fn long_options_switches_and_values() {
        assert_eq!(
            shown(
                Dialect::Podman,
                "--label --volume=/a:/b --tls-verify false --privileged"
            ),
            [
                "label=--volume=/a:/b",
                "tls-verify=true",
                "positional false"
            ]
        );
        assert_eq!(
            shown(
                Dialect::Podman,
                "--net=host --dns-opt ndots:2 --tls-verify=0"
            ),
            ["network=host", "dns-option=ndots:2", "tls-verify=0"]
        );
        assert_eq!(shown(Dialect::Podman, "--label"), ["missing label"]);
        assert_eq!(
            shown(Dialect::Docker, "--no-such --no-such=1 -- x"),
            ["unknown --no-such false", "unknown --no-such=1 true", "--"]
        );
    }

    #[test]
    fn short_clusters_as_pflag_reads_them() {
        assert_eq!(
            shown(Dialect::Podman, "-itv/a:/b -e X=1 -d=false -l"),
            [
                "interactive=true",
                "tty=true",
                "volume=/a:/b",
                "env=X=1",
                "detach=false",
                "missing label"
            ]
        );
        assert_eq!(
            shown(Dialect::Docker, "-iZ"),
            ["interactive=true", "unknown -iZ false"]
        );
        assert_eq!(shown(Dialect::Podman, "- x"), ["positional -"]);
    }

    #[test]
    fn podman_accepts_its_persistent_options_after_run_and_docker_not() {
        assert_eq!(
            shown(
                Dialect::Podman,
                "--runtime /usr/sbin/runc --log-level=debug"
            ),
            ["runtime=/usr/sbin/runc", "log-level=debug"]
        );
        assert_eq!(
            shown(Dialect::Docker, "--log-level=debug"),
            ["unknown --log-level=debug true"]
        );
    }

    #[test]
    fn the_tables_have_each_option_once() {
        for d in [Dialect::Podman, Dialect::Docker] {
            let all: Vec<&Opt> = d.tables().iter().flat_map(|t| t.iter()).collect();
            for (i, a) in all.iter().enumerate() {
                assert!(
                    all[i + 1..]
                        .iter()
                        .all(|b| b.long != a.long && (a.short.is_none() || b.short != a.short)),
                    "{} twice in {}",
                    a.long,
                    d.name()
                );
            }
        }
    }
}
