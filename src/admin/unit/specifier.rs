//! `%` specifiers in unit settings (systemd.unit(5), "Specifiers"), as the
//! system manager resolves them when it loads the unit.
//!
//! Three kinds: those that follow from the unit's name and file (`%n`,
//! `%p`, `%i`, `%f`, `%y`, ...), those that are fixed for the system
//! manager (`%t` is `/run`, `%u` is `root`, ...), and those that depend on
//! the node (`%H`, `%m`, `%b`, `%v`, ...), which the caller supplies
//! (see [`Context::host`]): the reader itself never looks at the host.

/// What a specifier is resolved against.
pub struct Context<'a> {
    /// The unit's name, e.g. `kubelet.service`.
    pub name: &'a str,
    /// The unit file's path (`%y`).
    pub fragment: &'a str,
    /// A node-dependent specifier's value, if known.
    pub host: &'a dyn Fn(char) -> Option<String>,
}

/// A specifier that cannot be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecifierError {
    /// A letter or digit systemd does not know as a specifier: systemd
    /// ignores the whole setting.
    Unknown(char),
    /// A node-dependent specifier whose value is not known here (`%c`,
    /// `%r`, `%R`: the service manager's cgroup tree).
    Unavailable(char),
    /// The result would be longer than the setting allows (systemd's
    /// `ENAMETOOLONG`: `PATH_MAX - 1` for a path, `LONG_LINE_MAX` for a
    /// command-line word, `ARG_MAX` for an environment assignment).
    TooLong(usize),
}

/// The longest path systemd resolves specifiers into (`PATH_MAX - 1`).
pub const PATH_MAX_LEN: usize = 4095;

/// The longest `Environment=` word systemd resolves specifiers into
/// (`sysconf(_SC_ARG_MAX)` with the default 8 MiB stack limit).
pub const ARG_MAX: usize = 2 << 20;

/// The specifiers whose value depends on the node (or, for `%c`, `%r`,
/// `%R`, on the manager's cgroup tree).
pub const HOST: &str = "abcHlmoqrRsvwABMW";

/// What systemd 252 knows, as measured with `systemd --test` (every other
/// letter or digit is an error).
pub const KNOWN: &str = "abcdfghijlmnopqrstuvwyABCEGHIJLMNPRSTUVWY";

/// `prefix`, `instance` and type of a unit name (`foo@bar.service`).
fn parts(name: &str) -> (&str, Option<&str>) {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    match stem.split_once('@') {
        Some((p, i)) => (p, Some(i)),
        None => (stem, None),
    }
}

/// systemd's unit-name unescaping: `-` becomes `/` and `\xNN` the byte.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && b.get(i + 1) == Some(&b'x')
            && let Some(v) = b
                .get(i + 2..i + 4)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(if b[i] == b'-' { b'/' } else { b[i] });
        i += 1;
    }
    out
}

/// A unit-name part read as a path (`-` is `/`), as `%f` does.
fn path_unescape(s: &str) -> Vec<u8> {
    if s == "-" {
        return b"/".to_vec();
    }
    let mut out = vec![b'/'];
    out.extend(unescape(s));
    out
}

/// The value of specifier `c`, or why it has none.
fn value(c: char, cx: &Context) -> Result<Vec<u8>, SpecifierError> {
    let (prefix, instance) = parts(cx.name);
    let last = |p: &str| p.rsplit('-').next().unwrap_or(p).to_string();
    let s = |x: &str| Ok(x.as_bytes().to_vec());
    match c {
        'n' => s(cx.name),
        'N' => s(cx.name.rsplit_once('.').map_or(cx.name, |(s, _)| s)),
        'p' => s(prefix),
        'P' => Ok(unescape(prefix)),
        'i' => s(instance.unwrap_or("")),
        'I' => Ok(unescape(instance.unwrap_or(""))),
        'j' => s(&last(prefix)),
        'J' => Ok(unescape(&last(prefix))),
        'f' => Ok(match instance {
            Some(i) => path_unescape(i),
            None => path_unescape(prefix),
        }),
        'y' => s(cx.fragment),
        'Y' => s(cx
            .fragment
            .rsplit_once('/')
            .map_or(".", |(d, _)| if d.is_empty() { "/" } else { d })),
        'd' => s(&format!("/run/credentials/{}", cx.name)),
        't' => s("/run"),
        'S' => s("/var/lib"),
        'C' => s("/var/cache"),
        'L' => s("/var/log"),
        'E' => s("/etc"),
        'T' => s("/tmp"),
        'V' => s("/var/tmp"),
        'u' | 'g' => s("root"),
        'U' | 'G' => s("0"),
        'h' => s("/root"),
        c if HOST.contains(c) => (cx.host)(c)
            .map(String::into_bytes)
            .ok_or(SpecifierError::Unavailable(c)),
        c => Err(SpecifierError::Unknown(c)),
    }
}

/// `text` with its specifiers resolved, and the node-dependent ones it
/// used (so that a caller can say that their values are this machine's).
pub fn resolve(text: &[u8], cx: &Context) -> Result<(Vec<u8>, Vec<char>), SpecifierError> {
    resolve_max(text, cx, usize::MAX)
}

/// [`resolve`], refusing a result longer than `max` bytes as systemd's
/// `specifier_printf()` does (the text itself counts, specifiers or not).
pub fn resolve_max(
    text: &[u8],
    cx: &Context,
    max: usize,
) -> Result<(Vec<u8>, Vec<char>), SpecifierError> {
    let mut out = Vec::with_capacity(text.len().min(max));
    let mut host = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'%' {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let Some(&next) = text.get(i + 1) else {
            // a stray % at the end stays
            out.push(b'%');
            break;
        };
        i += 2;
        let c = next as char;
        if next == b'%' {
            out.push(b'%');
        } else if next.is_ascii_alphanumeric() {
            if !KNOWN.contains(c) {
                return Err(SpecifierError::Unknown(c));
            }
            out.extend(value(c, cx)?);
            if HOST.contains(c) && !host.contains(&c) {
                host.push(c);
            }
        } else {
            // not a specifier character: both bytes stay
            out.push(b'%');
            out.push(next);
        }
        if out.len() > max {
            return Err(SpecifierError::TooLong(max));
        }
    }
    if out.len() > max {
        return Err(SpecifierError::TooLong(max));
    }
    Ok((out, host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx<'a>(name: &'a str, host: &'a dyn Fn(char) -> Option<String>) -> Context<'a> {
        Context {
            name,
            fragment: "/etc/systemd/system/kubelet.service",
            host,
        }
    }

    fn r(text: &str, name: &str) -> Result<String, SpecifierError> {
        let none = |_| None;
        resolve(text.as_bytes(), &cx(name, &none)).map(|(v, _)| String::from_utf8(v).unwrap())
    }

    #[test]
    fn the_units_own_name_and_file() {
        // measured with systemd 252 (`systemd --test`) for kubelet.service
        for (spec, want) in [
            ("%n", "kubelet.service"),
            ("%N", "kubelet"),
            ("%p", "kubelet"),
            ("%P", "kubelet"),
            ("%i", ""),
            ("%I", ""),
            ("%j", "kubelet"),
            ("%J", "kubelet"),
            ("%f", "/kubelet"),
            ("%y", "/etc/systemd/system/kubelet.service"),
            ("%Y", "/etc/systemd/system"),
            ("%d", "/run/credentials/kubelet.service"),
            ("%t", "/run"),
            ("%S", "/var/lib"),
            ("%C", "/var/cache"),
            ("%L", "/var/log"),
            ("%E", "/etc"),
            ("%T", "/tmp"),
            ("%V", "/var/tmp"),
            ("%u", "root"),
            ("%U", "0"),
            ("%g", "root"),
            ("%G", "0"),
            ("%h", "/root"),
        ] {
            assert_eq!(r(spec, "kubelet.service").unwrap(), want, "{spec}");
        }
        // a template instance with escapes, measured the same way
        let n = "kube-let@a\\x2db-c.service";
        assert_eq!(
            r("%p|%P|%i|%I|%j|%f|%N", n).unwrap(),
            "kube-let|kube/let|a\\x2db-c|a-b/c|let|/a-b/c|kube-let@a\\x2db-c"
        );
    }

    #[test]
    fn percent_rules() {
        assert_eq!(r("100%%", "k.service").unwrap(), "100%");
        assert_eq!(r("%%n", "k.service").unwrap(), "%n");
        assert_eq!(r("50%", "k.service").unwrap(), "50%");
        assert_eq!(r("a%-b %/ %.", "k.service").unwrap(), "a%-b %/ %.");
        for bad in [
            "%e", "%k", "%x", "%z", "%D", "%F", "%K", "%O", "%Q", "%X", "%Z", "%0", "%9",
        ] {
            let c = bad.chars().nth(1).unwrap();
            assert_eq!(
                r(bad, "k.service"),
                Err(SpecifierError::Unknown(c)),
                "{bad}"
            );
        }
        assert_eq!(r("%H", "k.service"), Err(SpecifierError::Unavailable('H')));
    }

    #[test]
    fn node_specifiers_come_from_the_caller_and_are_reported() {
        let host = |c| (c == 'H').then(|| "node-1".to_string());
        let (v, used) = resolve(b"--hostname-override=%H %H", &cx("k.service", &host)).unwrap();
        assert_eq!(v, b"--hostname-override=node-1 node-1");
        assert_eq!(used, ['H']);
    }
}
