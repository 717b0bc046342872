//! `ExecStart=` as systemd reads it when it loads the unit, and the
//! variable expansion it does when it starts the service
//! (systemd.service(5), "Command lines").
//!
//! Loading:
//! - the value is cut into words with systemd's quoting and C escapes
//!   ([`super::escape`]); an unknown escape is kept as written, with a
//!   warning; unbalanced quotes drop the rest of the line;
//! - the first word may start with the prefixes `-` (failure ignored), `@`
//!   (the next word is argv\[0\]), `:` (no variable expansion), `+`, `!` or
//!   `!!` (privileges), each at most once; then the program: an absolute
//!   path, or a plain file name searched in `PATH`;
//! - a lone `;` separates commands, `\;` is a literal `;`;
//! - `%` specifiers are resolved in every word ([`super::specifier`]).
//!
//! Starting: unless `:` was given, a word that is exactly `$NAME` becomes
//! the words of that variable's value (split at blanks, quotes removed; no
//! word when unset), and `${NAME}` anywhere in a word is replaced by the
//! value as is (empty when unset). `$$` is a literal `$`. A `$NAME`
//! without braces inside a longer word is left as written.

use super::escape::{self, Flags, Word, WordError, is_blank};
use super::specifier::{self, Context, SpecifierError};

/// One command of an `Exec*=` setting, after loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The program, as systemd will look it up.
    pub path: Vec<u8>,
    /// The arguments, argv\[0\] included, before variable expansion.
    pub argv: Vec<Vec<u8>>,
    /// `-`: a failure of the command is ignored.
    pub ignore_failure: bool,
    /// `:`: no variable expansion.
    pub no_expand: bool,
    /// `@`: argv\[0\] was given separately.
    pub argv0_given: bool,
    /// `+`, `!` or `!!`: how privileges are applied.
    pub privileged: Privileges,
}

/// The privilege prefixes of a command (systemd.service(5), table 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Privileges {
    /// No prefix: the unit's `User=`, sandboxing and so on apply.
    #[default]
    AsConfigured,
    /// `+`: full privileges, no sandboxing.
    Full,
    /// `!`: sandboxing, but no change of user or group.
    NoSetuid,
    /// `!!`: as `!` where the kernel lacks ambient capabilities.
    AmbientMagic,
}

impl Privileges {
    /// The prefix as written.
    pub fn prefix(self) -> &'static str {
        match self {
            Privileges::AsConfigured => "",
            Privileges::Full => "+",
            Privileges::NoSetuid => "!",
            Privileges::AmbientMagic => "!!",
        }
    }
}

impl Command {
    /// The prefixes of the command, as they are written (`-`, `@`, `:`,
    /// `+`, `!`, `!!`).
    pub fn prefixes(&self) -> String {
        let mut p = String::new();
        if self.ignore_failure {
            p.push('-');
        }
        if self.argv0_given {
            p.push('@');
        }
        if self.no_expand {
            p.push(':');
        }
        p.push_str(self.privileged.prefix());
        p
    }

    /// The program's file name (the last component of its path).
    pub fn program_name(&self) -> &[u8] {
        self.path
            .rsplit(|&b| b == b'/')
            .next()
            .unwrap_or(&self.path)
    }
}

/// Something systemd says while loading the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    /// Whether systemd refuses to load the unit for it (a `-` prefix turns
    /// that into dropping the command).
    pub fatal: bool,
}

/// The commands of one `ExecStart=` value, what systemd says about them,
/// and the node-dependent specifiers used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub commands: Vec<Command>,
    pub problems: Vec<Problem>,
    pub host_specifiers: Vec<char>,
}

const LOAD: Flags = Flags {
    unquote: true,
    cunescape: true,
    cunescape_relax: false,
    relax: false,
};

/// A word, retried with unknown escapes kept when they were the problem,
/// as systemd does for command lines.
fn word<'a>(
    rest: &'a [u8],
    problems: &mut Vec<Problem>,
    value: &str,
) -> Result<Option<Word<'a>>, ()> {
    match escape::first_word(rest, LOAD) {
        Ok(w) => Ok(w),
        Err(WordError::BadEscape) => {
            match escape::first_word(
                rest,
                Flags {
                    cunescape_relax: true,
                    ..LOAD
                },
            ) {
                Ok(w) => {
                    if let Some((word, _)) = &w {
                        problems.push(Problem {
                            message: format!(
                                "unknown escape sequence in \"{}\": systemd keeps the backslash as written",
                                crate::text::quote::escape(word)
                            ),
                            fatal: false,
                        });
                    }
                    Ok(w)
                }
                Err(_) => {
                    problems.push(unbalanced(value));
                    Err(())
                }
            }
        }
        Err(WordError::Unbalanced) => {
            problems.push(unbalanced(value));
            Err(())
        }
    }
}

fn unbalanced(value: &str) -> Problem {
    Problem {
        message: format!(
            "unbalanced quoting in \"{}\": systemd ignores the rest of the line",
            crate::text::quote::escape(value)
        ),
        fatal: false,
    }
}

/// `w` with its specifiers resolved; one the manager cannot know here is
/// kept as written, with a problem that says so. `Err`: the message of a
/// specifier systemd refuses.
fn resolve_word(
    w: &[u8],
    cx: &specifier::Context,
    max: usize,
    out: &mut Parsed,
) -> Result<Vec<u8>, String> {
    match specifier::resolve_max(w, cx, max) {
        Ok((v, host)) => {
            out.host_specifiers.extend(host);
            Ok(v)
        }
        Err(e @ SpecifierError::Unavailable(_)) => {
            out.problems.push(Problem {
                message: specifier_problem(e, w),
                fatal: false,
            });
            Ok(w.to_vec())
        }
        Err(e) => Err(specifier_problem(e, w)),
    }
}

/// `b` without its leading blanks.
fn skip_blanks(b: &[u8]) -> &[u8] {
    &b[b.iter().position(|&c| !is_blank(c)).unwrap_or(b.len())..]
}

/// systemd's `string_is_safe()`: no control characters, quotes or backslashes.
fn is_safe(s: &[u8]) -> bool {
    !s.iter()
        .any(|&c| c < b' ' || c == 0x7f || matches!(c, b'"' | b'\'' | b'\\'))
}

fn specifier_problem(e: SpecifierError, word: &[u8]) -> String {
    let w = format!("\"{}\"", crate::text::quote::escape(word));
    match e {
        SpecifierError::Unknown(c) => {
            format!("%{c} in {w} is not a specifier systemd knows (write %% for a literal %)")
        }
        SpecifierError::Unavailable(c) => format!(
            "%{c} in {w} depends on the manager's cgroup tree or the node, which is not known here: the word is kept as written"
        ),
        SpecifierError::TooLong(max) => {
            format!("{w} is longer than {max} bytes with its specifiers resolved")
        }
    }
}

/// Reads one `ExecStart=` value (not empty: an empty one resets the list).
pub fn parse(value: &str, cx: &Context) -> Parsed {
    let mut out = Parsed::default();
    let mut rest = value.as_bytes();
    loop {
        let Ok(Some((first, after))) = word(rest, &mut out.problems, value) else {
            return out;
        };
        rest = after;
        if first == b";" {
            continue;
        }
        let (mut ignore, mut argv0, mut no_expand) = (false, false, false);
        let mut privileged = Privileges::AsConfigured;
        let mut f = &first[..];
        while let Some(&c) = f.first() {
            match (c, privileged) {
                (b'-', _) if !ignore => ignore = true,
                (b'@', _) if !argv0 => argv0 = true,
                (b':', _) if !no_expand => no_expand = true,
                (b'+', Privileges::AsConfigured) => privileged = Privileges::Full,
                (b'!', Privileges::AsConfigured) => privileged = Privileges::NoSetuid,
                (b'!', Privileges::NoSetuid) => privileged = Privileges::AmbientMagic,
                _ => break,
            }
            f = &f[1..];
        }
        let fail = |out: &mut Parsed, message: String| {
            out.problems.push(Problem {
                message: if ignore {
                    format!("{message}; with '-' systemd drops the command")
                } else {
                    format!("{message}; systemd refuses to load the unit")
                },
                fatal: !ignore,
            });
        };
        let path = match resolve_word(f, cx, specifier::PATH_MAX_LEN, &mut out) {
            Ok(p) => p,
            Err(m) => {
                fail(&mut out, m);
                return out;
            }
        };
        let shown = format!("\"{}\"", crate::text::quote::escape(&path));
        let value_shown = format!("\"{}\"", crate::text::quote::escape(value));
        let bad = if path.is_empty() {
            Some(format!("empty program in {value_shown}"))
        } else if !is_safe(&path) {
            Some(format!("the program {shown} contains special characters"))
        } else if path.ends_with(b"/") {
            Some(format!("the program {shown} is a directory"))
        } else if !(if path.starts_with(b"/") {
            path_is_valid(&path)
        } else {
            filename_is_valid(&path)
        }) {
            Some(format!(
                "the program {shown} is neither a valid file name nor an absolute path"
            ))
        } else {
            None
        };
        if let Some(m) = bad {
            fail(&mut out, m);
            return out;
        }
        let mut argv = Vec::new();
        if !argv0 {
            argv.push(path.clone());
        }
        let mut semicolon = false;
        while !rest.is_empty() {
            if rest[0] == b';' && rest.get(1).is_none_or(|&b| is_blank(b)) {
                rest = skip_blanks(&rest[1..]);
                semicolon = true;
                break;
            }
            if rest.starts_with(b"\\;") && rest.get(2).is_none_or(|&b| is_blank(b)) {
                rest = skip_blanks(&rest[2..]);
                argv.push(b";".to_vec());
                continue;
            }
            let (w, after) = match word(rest, &mut out.problems, value) {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(()) => {
                    if !ignore && let Some(last) = out.problems.last_mut() {
                        last.fatal = true;
                        last.message = format!(
                            "unbalanced quoting in {value_shown}; systemd refuses to load the unit"
                        );
                    }
                    return out;
                }
            };
            rest = after;
            match resolve_word(&w, cx, super::syntax::LONG_LINE_MAX, &mut out) {
                Ok(v) => argv.push(v),
                Err(m) => {
                    fail(&mut out, m);
                    return out;
                }
            }
        }
        if argv.is_empty() {
            fail(&mut out, format!("no argv[0] after '@' in {value_shown}"));
            return out;
        }
        out.commands.push(Command {
            path: simplify(&path),
            argv,
            ignore_failure: ignore,
            no_expand,
            argv0_given: argv0,
            privileged,
        });
        if !semicolon {
            return out;
        }
    }
}

/// The longest path (`PATH_MAX`, with its NUL) and file name (`NAME_MAX`).
const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;

/// systemd's `filename_is_valid()`: a name, not `.` or `..`, without `/`,
/// at most `NAME_MAX` bytes.
pub fn filename_is_valid(p: &[u8]) -> bool {
    !p.is_empty() && p != b"." && p != b".." && !p.contains(&b'/') && p.len() <= NAME_MAX
}

/// systemd's `path_is_valid()`: not empty, shorter than `PATH_MAX`, no
/// component longer than `NAME_MAX`.
pub fn path_is_valid(p: &[u8]) -> bool {
    !p.is_empty() && p.len() < PATH_MAX && p.split(|&b| b == b'/').all(|c| c.len() <= NAME_MAX)
}

/// systemd's `path_simplify()`: no repeated `/`, no `.` components, no
/// trailing `/`.
pub fn simplify(p: &[u8]) -> Vec<u8> {
    if !p.starts_with(b"/") {
        return p.to_vec();
    }
    let mut out = Vec::with_capacity(p.len());
    for part in p
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
    {
        out.push(b'/');
        out.extend_from_slice(part);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// What the expansion of a command line met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    pub argv: Vec<Vec<u8>>,
    /// Variables referenced (`$NAME` or `${NAME}`), set or not, in order;
    /// a name that is not a valid one is escaped as messages escape
    /// values.
    pub used: Vec<String>,
    /// Those of them that are not set.
    pub unset: Vec<String>,
    /// Words with a `$NAME` without braces after their start: systemd
    /// leaves them as written.
    pub braceless: Vec<String>,
    /// The command line got larger than the kernel runs (see
    /// [`MAX_ARG_STRLEN`], [`ARG_MAX`]): the expansion stopped there, and
    /// this says how.
    pub too_large: Option<String>,
}

/// The longest argument the kernel passes to a program (`MAX_ARG_STRLEN`,
/// 32 pages of 4 KiB, its NUL byte included): execve fails with `E2BIG`
/// past it, and systemd cannot start the service.
pub const MAX_ARG_STRLEN: usize = 32 * 4096;

/// What execve takes for the arguments and the environment together
/// (`ARG_MAX`, a quarter of the default 8 MiB stack limit): the expansion
/// stops past it, however the command line was written.
pub const ARG_MAX: usize = 2 << 20;

/// Checks the argument just added; false when the expansion must stop.
fn within_limits(out: &mut Expansion, total: &mut usize, from: usize) -> bool {
    for w in &out.argv[from..] {
        *total += w.len() + 1;
        if w.len() >= MAX_ARG_STRLEN {
            out.too_large = Some(format!(
                "an argument expands to {} bytes or more, and the kernel takes at most {} (MAX_ARG_STRLEN)",
                w.len(),
                MAX_ARG_STRLEN - 1
            ));
            return false;
        }
    }
    if *total > ARG_MAX {
        out.too_large = Some(format!(
            "the arguments expand to more than {ARG_MAX} bytes, more than the kernel takes with the environment (ARG_MAX)"
        ));
        return false;
    }
    true
}

/// The command line as systemd passes it to the program: `argv` with the
/// variables of `env` expanded (see the module's doc).
pub fn expand(argv: &[Vec<u8>], env: &dyn Fn(&[u8]) -> Option<Vec<u8>>) -> Expansion {
    let mut out = Expansion::default();
    let note = |name: &[u8], set: bool, out: &mut Expansion| {
        let n = crate::text::quote::escape(name);
        if !set && !out.unset.contains(&n) {
            out.unset.push(n.clone());
        }
        if !out.used.contains(&n) {
            out.used.push(n);
        }
    };
    let mut total = 0;
    for w in argv {
        let from = out.argv.len();
        if w.first() == Some(&b'$') && !matches!(w.get(1), Some(b'{') | Some(b'$')) {
            let name = &w[1..];
            let value = env(name);
            note(name, value.is_some(), &mut out);
            if let Some(v) = value {
                let split = Flags {
                    unquote: true,
                    relax: true,
                    ..Flags::default()
                };
                out.argv
                    .extend(escape::words(&v, split).unwrap_or_else(|(words, _)| words));
            }
            if !within_limits(&mut out, &mut total, from) {
                return out;
            }
            continue;
        }
        let (word, names, braceless) = replace(w, env, MAX_ARG_STRLEN);
        for (n, set) in names {
            note(&n, set, &mut out);
        }
        if braceless {
            out.braceless.push(String::from_utf8_lossy(w).into_owned());
        }
        out.argv.push(word);
        if !within_limits(&mut out, &mut total, from) {
            return out;
        }
    }
    out
}

/// `${NAME}` replaced in one word; the names looked up and whether each
/// is set; whether a braceless `$NAME` was left as written. The word stops
/// growing once it is `max` bytes long (the caller refuses it then).
#[allow(clippy::type_complexity)]
fn replace(
    w: &[u8],
    env: &dyn Fn(&[u8]) -> Option<Vec<u8>>,
    max: usize,
) -> (Vec<u8>, Vec<(Vec<u8>, bool)>, bool) {
    #[derive(PartialEq)]
    enum S {
        Word,
        Curly,
        Variable,
    }
    let mut s = S::Word;
    let mut out = Vec::new();
    let mut names = Vec::new();
    let mut braceless = false;
    let mut start = 0; // the text not yet copied starts here
    for (i, &c) in w.iter().enumerate() {
        match s {
            S::Word => {
                if c == b'$' {
                    s = S::Curly;
                }
            }
            S::Curly => {
                if c == b'{' {
                    out.extend_from_slice(&w[start..i - 1]);
                    start = i - 1;
                    s = S::Variable;
                } else if c == b'$' {
                    out.extend_from_slice(&w[start..i]);
                    start = i + 1;
                    s = S::Word;
                } else {
                    if c.is_ascii_alphabetic() || c == b'_' {
                        braceless = true;
                    }
                    s = S::Word;
                }
            }
            S::Variable => {
                if c == b'}' {
                    let name = &w[start + 2..i];
                    let value = env(name);
                    names.push((name.to_vec(), value.is_some()));
                    if let Some(v) = value {
                        out.extend_from_slice(&v[..v.len().min(max + 1 - out.len().min(max))]);
                    }
                    start = i + 1;
                    s = S::Word;
                    if out.len() > max {
                        return (out, names, braceless);
                    }
                } else if c == b':' {
                    // ${NAME:-default} is not supported there: left as written
                    s = S::Word;
                }
            }
        }
    }
    out.extend_from_slice(&w[start..]);
    (out, names, braceless)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> (String, String) {
        (
            "kubelet.service".into(),
            "/etc/systemd/system/kubelet.service".into(),
        )
    }

    fn parse_str(v: &str) -> Parsed {
        let (name, fragment) = cx();
        let host = |_| None;
        parse(
            v,
            &Context {
                name: &name,
                fragment: &fragment,
                host: &host,
            },
        )
    }

    fn argv(p: &Parsed, i: usize) -> Vec<String> {
        p.commands[i]
            .argv
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn words_quotes_escapes_specifiers() {
        // systemd 252 (`systemd --test`) shows this command line as
        // /usr/lib/coreos/kubelet-wrapper "--a=\$A" "\${A}" "--b=\${B}" "x\ty" %n kubelet.service --c=last
        let p = parse_str(
            r#"/usr/lib/coreos/kubelet-wrapper --a=$A ${A} "--b=${B}" 'x\ty' %%n %n    --c=last"#,
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(
            argv(&p, 0),
            [
                "/usr/lib/coreos/kubelet-wrapper",
                "--a=$A",
                "${A}",
                "--b=${B}",
                "x\ty",
                "%n",
                "kubelet.service",
                "--c=last"
            ]
        );
        assert_eq!(p.commands[0].path, b"/usr/lib/coreos/kubelet-wrapper");
    }

    #[test]
    fn prefixes() {
        let p = parse_str("-@:/usr/lib//coreos/./kubelet-wrapper kw --x");
        let c = &p.commands[0];
        assert!(c.ignore_failure && c.argv0_given && c.no_expand);
        assert_eq!(c.path, b"/usr/lib/coreos/kubelet-wrapper");
        assert_eq!(argv(&p, 0), ["kw", "--x"]);
        // argv[0] keeps the path as written
        assert_eq!(argv(&parse_str("/usr//bin/x"), 0)[0], "/usr//bin/x");
        for v in ["+/x", "!/x", "!!/x", "+-/x"] {
            let p = parse_str(v);
            assert_eq!(p.commands[0].path, b"/x", "{v}");
        }
        // each prefix once: "--" leaves "-/x" as the program, a relative path
        let p = parse_str("--/x");
        assert!(p.commands.is_empty() && !p.problems[0].fatal, "{p:?}");
        // a plain file name is searched in PATH
        assert_eq!(
            parse_str("kubelet-wrapper --a").commands[0].path,
            b"kubelet-wrapper"
        );
    }

    #[test]
    fn semicolons() {
        let p = parse_str(r"/bin/a 1 ; /bin/b \; 2;x");
        assert_eq!(p.commands.len(), 2);
        assert_eq!(argv(&p, 0), ["/bin/a", "1"]);
        assert_eq!(argv(&p, 1), ["/bin/b", ";", "2;x"]);
        assert_eq!(parse_str("; /bin/a").commands.len(), 1);
    }

    #[test]
    fn what_systemd_refuses_or_drops() {
        let fatal = |v: &str| {
            let p = parse_str(v);
            assert!(
                p.commands.is_empty() && p.problems.iter().any(|x| x.fatal),
                "{v}: {p:?}"
            );
        };
        fatal("/bin/x \"open");
        fatal("/usr/bin/");
        fatal("bin/x");
        fatal("@/bin/x");
        fatal("/bin/%e");
        fatal("/bin/x %z");
        // the cgroup specifiers are systemd's to resolve, not an error
        let p = parse_str("/bin/x --cgroup=%c");
        assert_eq!(argv(&p, 0), ["/bin/x", "--cgroup=%c"]);
        assert!(!p.problems[0].fatal && p.problems[0].message.contains("cgroup tree"));
        fatal(r"/bin/\x22x");
        let p = parse_str("-/bin/x %z");
        assert!(p.commands.is_empty() && !p.problems[0].fatal);
        let p = parse_str(r"/bin/x a\qb");
        assert_eq!(argv(&p, 0), ["/bin/x", r"a\qb"]);
        assert!(!p.problems[0].fatal);
    }

    fn env(k: &[u8]) -> Option<Vec<u8>> {
        match k {
            b"A" => Some(b"one  \"two three\" 'four'".to_vec()),
            b"E" => Some(Vec::new()),
            b"P" => Some(b"/x".to_vec()),
            _ => None,
        }
    }

    fn ex(words: &[&str]) -> Expansion {
        let w: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        expand(&w, &env)
    }

    fn strs(e: &Expansion) -> Vec<String> {
        e.argv
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn expansion() {
        // systemd.service(5): $A as a word is split (quotes removed), ${A} is one word
        let e = ex(&["/k", "$A", "${A}", "x${P}y", "$E", "${E}", "$U", "${U}"]);
        assert_eq!(
            strs(&e),
            [
                "/k",
                "one",
                "two three",
                "four",
                "one  \"two three\" 'four'",
                "x/xy",
                "",
                ""
            ]
        );
        assert_eq!(e.unset, ["U"]);
        assert_eq!(e.used, ["A", "P", "E", "U"]);
        // $$ is a literal $, a braceless $NAME inside a word stays
        let e = ex(&["$$A", "a$$b", "--a=$A", "${A:-d}", "${open", "$", "$P/bin"]);
        assert_eq!(strs(&e), ["$A", "a$b", "--a=$A", "${A:-d}", "${open"]);
        assert_eq!(e.braceless, ["--a=$A"]);
        // "$" and "$P/bin" name variables "" and "P/bin", which are unset
        assert_eq!(e.unset, ["", "P/bin"]);
    }
}
