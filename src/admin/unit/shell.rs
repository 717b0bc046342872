//! `ExecStart=/bin/sh -c "exec kubelet-wrapper FLAGS $KUBELET_OPTS"`: the
//! simple forms of a shell script, read with the shell's own rules
//! (POSIX.1-2017, Shell Command Language, 2.2 to 2.6), so that the
//! kubelet's flags behind it are known.
//!
//! Read: commands of words and `NAME=VALUE` assignments, separated by
//! `;`, `&&`, `||` or newlines; quoting (`\`, `'...'`, `"..."`, line
//! continuations); parameters (`$NAME`, `${NAME}`, `${NAME:-word}`,
//! `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`, `$1`..., `$@`, `$*`,
//! `$#`, `$0`) from the service's environment, the script's own
//! assignments and the arguments after the script; field splitting of
//! unquoted expansions with the default `IFS`; comments. A word with
//! unquoted `*`, `?` or `[` is kept as written and reported
//! ([`Command::globbed`]): the shell matches it against the node's files,
//! which are not known here, and keeps it as written when nothing
//! matches.
//!
//! Not read (the reading stops there, and says why): pipes, `&`,
//! redirections, command substitution (`$(...)`, backquotes), arithmetic,
//! subshells, groups, functions, control structures (`if`, `for`,
//! `while`, `case`, ...), the other parameter forms (`${#x}`, `${x%y}`,
//! `${x:=y}`, ...), special parameters whose value is the shell's own
//! (`$$`, `$?`, `$!`, `$-`), tilde expansion, an assignment to `IFS`; for
//! bash also `$'...'`, `$"..."` and brace expansion.

use super::exec::ARG_MAX;

/// How a command ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sep {
    /// `;` or a newline (or the end of the script).
    Then,
    /// `&&`.
    And,
    /// `||`.
    Or,
}

/// A command of the script with its words expanded as the shell does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    /// `NAME=VALUE` words before the command's name.
    pub assignments: Vec<(String, Vec<u8>)>,
    /// The command's fields: its name, then its arguments.
    pub words: Vec<Vec<u8>>,
    /// The fields with unquoted pattern characters (`*`, `?`, `[`).
    pub globbed: Vec<Vec<u8>>,
}

/// What the reading of a script found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// The commands read, each with how it ends.
    pub commands: Vec<(Command, Sep)>,
    /// Why the reading stopped before the end of the script.
    pub unreadable: Option<String>,
    /// Variables the script expands, in order.
    pub used: Vec<String>,
    /// Those of them that were unset (they expand to nothing).
    pub unset: Vec<String>,
}

/// A shell run with `-c`: its script and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub script: Vec<u8>,
    /// `$0`, then `$1`...
    pub args: Vec<Vec<u8>>,
    /// bash, whose rules differ in places.
    pub bash: bool,
}

/// The shells whose script this module reads.
const SHELLS: &[&[u8]] = &[b"sh", b"bash", b"dash", b"ash"];

/// Whether `program` (a path or a name) is a POSIX shell read here.
pub fn is_shell(program: &[u8]) -> bool {
    let name = program.rsplit(|&b| b == b'/').next().unwrap_or(program);
    SHELLS.contains(&name)
}

/// The script of `SHELL [OPTIONS] -c SCRIPT [NAME [ARGS...]]`, given the
/// command's program and its arguments after argv\[0\]; `Ok(None)` when the
/// shell is not given a script with `-c` (it reads a file or stdin);
/// `Err` for options this reader does not know.
pub fn invocation(program: &[u8], args: &[Vec<u8>]) -> Result<Option<Invocation>, String> {
    let name = program.rsplit(|&b| b == b'/').next().unwrap_or(program);
    let bash = name == b"bash";
    let mut c = false;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == b"--" || a == b"-" {
            i += 1;
            break;
        }
        let long_ok: &[&[u8]] = &[
            b"--norc",
            b"--noprofile",
            b"--posix",
            b"--login",
            b"--noediting",
        ];
        if bash && long_ok.contains(&a.as_slice()) {
            i += 1;
            continue;
        }
        if a.len() > 1
            && (a[0] == b'-' || a[0] == b'+')
            && a[1..].iter().all(u8::is_ascii_alphabetic)
        {
            if a[0] == b'-' && a[1..].contains(&b'c') {
                c = true;
            }
            if a[1..].contains(&b'o') {
                // -o NAME
                i += 1;
            }
            i += 1;
            continue;
        }
        if a.first() == Some(&b'-') {
            return Err(format!(
                "the shell option {} is not one this check reads",
                crate::text::quote::escape(a)
            ));
        }
        break;
    }
    if !c {
        return Ok(None);
    }
    let Some(script) = args.get(i) else {
        return Err("-c without a script".into());
    };
    Ok(Some(Invocation {
        script: script.clone(),
        args: args[i + 1..].to_vec(),
        bash,
    }))
}

/// A piece of a word as written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text; `quoted` when inside quotes or escaped.
    Text { bytes: Vec<u8>, quoted: bool },
    /// A parameter, with its operator and word if any.
    Param {
        name: Param,
        op: Option<(Op, Vec<Part>)>,
        quoted: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Param {
    Name(Vec<u8>),
    Positional(usize),
    /// `$@` (false) or `$*` (true).
    All(bool),
    /// `$#`.
    Count,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `-` (colon: also when empty).
    Default { colon: bool },
    /// `+`.
    Alternative { colon: bool },
}

/// Nesting of `${...}` inside the word of another.
const MAX_DEPTH: usize = 32;

/// A lexer over the script.
struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    bash: bool,
}

type Unreadable = String;

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Reserved words that start a compound command or otherwise change what
/// follows (POSIX 2.4, and bash's own).
const RESERVED: &[&[u8]] = &[
    b"if",
    b"then",
    b"else",
    b"elif",
    b"fi",
    b"do",
    b"done",
    b"case",
    b"esac",
    b"while",
    b"until",
    b"for",
    b"{",
    b"}",
    b"!",
    b"in",
    b"[[",
    b"]]",
    b"function",
    b"select",
    b"time",
    b"coproc",
];

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    /// Skips blanks, line continuations and a comment.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.i += 1,
                Some(b'\\') if self.at(1) == Some(b'\n') => self.i += 2,
                Some(b'#') => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.i += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// One word, or `None` at an operator, a newline or the end.
    fn word(&mut self) -> Result<Option<Vec<Part>>, Unreadable> {
        let start = self.i;
        let mut parts = Vec::new();
        let mut text = Vec::new();
        let flush = |text: &mut Vec<u8>, parts: &mut Vec<Part>| {
            if !text.is_empty() {
                parts.push(Part::Text {
                    bytes: std::mem::take(text),
                    quoted: false,
                });
            }
        };
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' => break,
                b'<' | b'>' => return Err("a redirection (< or >)".into()),
                b'(' | b')' => return Err("a subshell or a function ( ( or ) )".into()),
                b'`' => return Err("a command substitution (`...`)".into()),
                b'~' if self.i == start => return Err("a tilde expansion (~)".into()),
                b'{' if self.bash && brace_expansion(&self.s[self.i..]) => {
                    return Err("a brace expansion ({a,b}), which bash does".into());
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek() {
                        Some(b'\n') => self.i += 1,
                        Some(n) => {
                            flush(&mut text, &mut parts);
                            parts.push(Part::Text {
                                bytes: vec![n],
                                quoted: true,
                            });
                            self.i += 1;
                        }
                        None => text.push(b'\\'),
                    }
                }
                b'\'' => {
                    flush(&mut text, &mut parts);
                    parts.push(self.single_quoted()?);
                }
                b'"' => {
                    flush(&mut text, &mut parts);
                    self.i += 1;
                    self.double_quoted(&mut parts, 0)?;
                }
                b'$' => {
                    flush(&mut text, &mut parts);
                    match self.dollar(false, 0)? {
                        Some(p) => parts.push(p),
                        None => text.push(b'$'),
                    }
                }
                _ => {
                    text.push(c);
                    self.i += 1;
                }
            }
        }
        flush(&mut text, &mut parts);
        Ok((self.i > start).then_some(parts))
    }

    /// The inside of `"..."`, up to its closing quote.
    /// `'...'` from its opening quote: every byte up to the closing one,
    /// as it is.
    fn single_quoted(&mut self) -> Result<Part, Unreadable> {
        self.i += 1;
        let Some(end) = self.s[self.i..].iter().position(|&b| b == b'\'') else {
            return Err("a quote (') that is not closed".into());
        };
        let bytes = self.s[self.i..self.i + end].to_vec();
        self.i += end + 1;
        Ok(Part::Text {
            bytes,
            quoted: true,
        })
    }

    fn double_quoted(&mut self, parts: &mut Vec<Part>, depth: usize) -> Result<(), Unreadable> {
        let mut text = Vec::new();
        // "" is an empty quoted text: a field even when nothing else is
        parts.push(Part::Text {
            bytes: Vec::new(),
            quoted: true,
        });
        loop {
            let Some(c) = self.peek() else {
                return Err("a quote (\") that is not closed".into());
            };
            self.i += 1;
            match c {
                b'"' => break,
                b'`' => return Err("a command substitution (`...`)".into()),
                b'\\' => match self.peek() {
                    Some(b'\n') => self.i += 1,
                    Some(n @ (b'$' | b'`' | b'"' | b'\\')) => {
                        text.push(n);
                        self.i += 1;
                    }
                    _ => text.push(b'\\'),
                },
                b'$' => {
                    self.i -= 1;
                    match self.dollar(true, depth)? {
                        Some(p) => {
                            parts.push(Part::Text {
                                bytes: std::mem::take(&mut text),
                                quoted: true,
                            });
                            parts.push(p);
                        }
                        None => text.push(b'$'),
                    }
                }
                _ => text.push(c),
            }
        }
        parts.push(Part::Text {
            bytes: text,
            quoted: true,
        });
        Ok(())
    }

    /// A `$` form at `self.i`; `None` for a `$` that stays as written.
    fn dollar(&mut self, quoted: bool, depth: usize) -> Result<Option<Part>, Unreadable> {
        self.i += 1;
        let param = |name, op| Part::Param { name, op, quoted };
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        match c {
            b'(' => Err(if self.at(1) == Some(b'(') {
                "an arithmetic expansion ($((...)))".into()
            } else {
                "a command substitution ($(...))".into()
            }),
            b'{' => {
                self.i += 1;
                self.braced(quoted, depth).map(Some)
            }
            b'\'' | b'"' if self.bash && !quoted => Err("bash's $'...' or $\"...\" quoting".into()),
            b'@' | b'*' => {
                self.i += 1;
                Ok(Some(param(Param::All(c == b'*'), None)))
            }
            b'#' => {
                self.i += 1;
                Ok(Some(param(Param::Count, None)))
            }
            b'0'..=b'9' => {
                self.i += 1;
                Ok(Some(param(Param::Positional(usize::from(c - b'0')), None)))
            }
            b'$' | b'?' | b'!' | b'-' => Err(format!(
                "the special parameter ${} (the shell's own)",
                c as char
            )),
            c if is_name_start(c) => {
                let start = self.i;
                while self.peek().is_some_and(is_name) {
                    self.i += 1;
                }
                Ok(Some(param(
                    Param::Name(self.s[start..self.i].to_vec()),
                    None,
                )))
            }
            _ => Ok(None),
        }
    }

    /// `${...}` after its `{`.
    fn braced(&mut self, quoted: bool, depth: usize) -> Result<Part, Unreadable> {
        if depth >= MAX_DEPTH {
            return Err(format!("${{...}} nested more than {MAX_DEPTH} deep"));
        }
        let unsupported = || -> Unreadable {
            "a parameter expansion other than ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word} and ${NAME+word}".into()
        };
        let start = self.i;
        let name = match self.peek() {
            Some(c) if is_name_start(c) => {
                while self.peek().is_some_and(is_name) {
                    self.i += 1;
                }
                Param::Name(self.s[start..self.i].to_vec())
            }
            Some(c) if c.is_ascii_digit() => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                let n = std::str::from_utf8(&self.s[start..self.i])
                    .expect("digits")
                    .parse()
                    .map_err(|_| unsupported())?;
                Param::Positional(n)
            }
            Some(b'@' | b'*') if self.at(1) == Some(b'}') => {
                self.i += 1;
                Param::All(self.s[start] == b'*')
            }
            Some(b'#') if self.at(1) == Some(b'}') => {
                self.i += 1;
                Param::Count
            }
            Some(b'$' | b'?' | b'!' | b'-') if self.at(1) == Some(b'}') => {
                return Err(format!(
                    "the special parameter ${} (the shell's own)",
                    self.s[start] as char
                ));
            }
            _ => return Err(unsupported()),
        };
        let colon = self.peek() == Some(b':');
        if colon {
            self.i += 1;
        }
        let op = match self.peek() {
            Some(b'}') if !colon => {
                self.i += 1;
                return Ok(Part::Param {
                    name,
                    op: None,
                    quoted,
                });
            }
            Some(b'-') => Op::Default { colon },
            Some(b'+') => Op::Alternative { colon },
            _ => return Err(unsupported()),
        };
        self.i += 1;
        let word = self.operand(quoted, depth + 1)?;
        Ok(Part::Param {
            name,
            op: Some((op, word)),
            quoted,
        })
    }

    /// The word of `${NAME-word}`, up to its `}`.
    fn operand(&mut self, quoted: bool, depth: usize) -> Result<Vec<Part>, Unreadable> {
        let mut parts = Vec::new();
        let mut text = Vec::new();
        let flush = |text: &mut Vec<u8>, parts: &mut Vec<Part>| {
            parts.push(Part::Text {
                bytes: std::mem::take(text),
                quoted,
            });
        };
        loop {
            let Some(c) = self.peek() else {
                return Err("a ${ that is not closed".into());
            };
            match c {
                b'}' => {
                    self.i += 1;
                    flush(&mut text, &mut parts);
                    return Ok(parts);
                }
                b'`' => return Err("a command substitution (`...`)".into()),
                b'\\' => {
                    self.i += 1;
                    match self.peek() {
                        Some(b'\n') => self.i += 1,
                        Some(n) if !quoted || matches!(n, b'$' | b'`' | b'"' | b'\\' | b'}') => {
                            flush(&mut text, &mut parts);
                            parts.push(Part::Text {
                                bytes: vec![n],
                                quoted: true,
                            });
                            self.i += 1;
                        }
                        _ => text.push(b'\\'),
                    }
                }
                b'\'' if !quoted => {
                    flush(&mut text, &mut parts);
                    parts.push(self.single_quoted()?);
                }
                b'"' => {
                    flush(&mut text, &mut parts);
                    self.i += 1;
                    self.double_quoted(&mut parts, depth)?;
                }
                b'$' => {
                    flush(&mut text, &mut parts);
                    match self.dollar(quoted, depth)? {
                        Some(p) => parts.push(p),
                        None => text.push(b'$'),
                    }
                }
                _ => {
                    text.push(c);
                    self.i += 1;
                }
            }
        }
    }
}

/// Whether bash would brace-expand the text at the start of `s` (an
/// unquoted `{` with a `,` or `..` before its `}`).
fn brace_expansion(s: &[u8]) -> bool {
    let Some(end) = s.iter().position(|&c| c == b'}') else {
        return false;
    };
    let inner = &s[1..end];
    inner.contains(&b',') || inner.windows(2).any(|w| w == b"..")
}

/// The fields a word expands to, in the making.
#[derive(Default)]
struct Fields {
    done: Vec<(Vec<u8>, bool)>,
    cur: Vec<u8>,
    started: bool,
    glob: bool,
}

impl Fields {
    fn end_field(&mut self) {
        if self.started {
            self.done.push((std::mem::take(&mut self.cur), self.glob));
        }
        self.started = false;
        self.glob = false;
    }

    fn add(&mut self, bytes: &[u8], quoted: bool) {
        self.cur.extend_from_slice(bytes);
        self.started = true;
        if !quoted && bytes.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
            self.glob = true;
        }
    }

    /// An unquoted expansion's value, split at blanks (the default IFS).
    fn split(&mut self, value: &[u8]) {
        let ifs = |c: &u8| matches!(c, b' ' | b'\t' | b'\n');
        let mut rest = value;
        if rest.first().is_some_and(ifs) {
            self.end_field();
        }
        loop {
            let s = rest.iter().position(|c| !ifs(c)).unwrap_or(rest.len());
            rest = &rest[s..];
            if rest.is_empty() {
                break;
            }
            let e = rest.iter().position(ifs).unwrap_or(rest.len());
            self.add(&rest[..e], false);
            rest = &rest[e..];
            if !rest.is_empty() {
                self.end_field();
            }
        }
    }
}

/// The variables a script sees.
struct Vars<'a> {
    env: &'a dyn Fn(&[u8]) -> Option<Vec<u8>>,
    /// The script's own assignments, latest last.
    own: Vec<(Vec<u8>, Vec<u8>)>,
    args: &'a [Vec<u8>],
    used: Vec<String>,
    unset: Vec<String>,
    /// Bytes produced so far, to stop a script that grows past ARG_MAX.
    produced: usize,
}

impl Vars<'_> {
    fn get(&mut self, p: &Param) -> Option<Vec<u8>> {
        match p {
            Param::Name(n) => {
                let name = String::from_utf8_lossy(n).into_owned();
                let v = self
                    .own
                    .iter()
                    .rev()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
                    .or_else(|| (self.env)(n));
                if !self.used.contains(&name) {
                    self.used.push(name.clone());
                }
                if v.is_none() && !self.unset.contains(&name) {
                    self.unset.push(name);
                }
                v
            }
            Param::Positional(i) => self.args.get(*i).cloned(),
            Param::Count => Some(self.args.len().saturating_sub(1).to_string().into_bytes()),
            Param::All(_) => unreachable!("expanded on its own"),
        }
    }
}

/// Expands a word's parts into `f`; without `split` (an assignment's
/// value), expansions are neither split nor matched as patterns.
fn expand_parts(
    parts: &[Part],
    vars: &mut Vars,
    f: &mut Fields,
    split: bool,
) -> Result<(), Unreadable> {
    for p in parts {
        match p {
            Part::Text { bytes, quoted } => {
                if *quoted || !bytes.is_empty() {
                    f.add(bytes, *quoted);
                }
            }
            Part::Param {
                name: Param::All(star),
                quoted,
                ..
            } => {
                let params = vars.args.get(1..).unwrap_or_default();
                if (*quoted && *star) || !split {
                    f.add(&params.join(&b' '), true);
                } else if *quoted {
                    for (i, a) in params.iter().enumerate() {
                        if i > 0 {
                            f.end_field();
                        }
                        f.add(a, true);
                    }
                } else {
                    for a in params {
                        f.split(a);
                        f.end_field();
                    }
                }
            }
            Part::Param { name, op, quoted } => {
                let value = vars.get(name);
                let chosen = match op {
                    None => Some(value.unwrap_or_default()),
                    Some((Op::Default { colon }, word)) => {
                        if value.as_ref().is_none_or(|v| *colon && v.is_empty()) {
                            expand_parts(word, vars, f, split)?;
                            None
                        } else {
                            value
                        }
                    }
                    Some((Op::Alternative { colon }, word)) => {
                        if value.as_ref().is_some_and(|v| !(*colon && v.is_empty())) {
                            expand_parts(word, vars, f, split)?;
                        }
                        None
                    }
                };
                if let Some(v) = chosen {
                    vars.produced += v.len();
                    if vars.produced > ARG_MAX {
                        return Err(format!(
                            "the script's expansions grow past {ARG_MAX} bytes (ARG_MAX)"
                        ));
                    }
                    if *quoted || !split {
                        f.add(&v, true);
                    } else {
                        f.split(&v);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Expands one word into its fields.
fn expand_word(parts: &[Part], vars: &mut Vars) -> Result<Vec<(Vec<u8>, bool)>, Unreadable> {
    let mut f = Fields::default();
    expand_parts(parts, vars, &mut f, true)?;
    f.end_field();
    Ok(f.done)
}

/// The name of an assignment word (`NAME=...` unquoted up to the `=`).
fn assignment(parts: &[Part]) -> Option<(Vec<u8>, Vec<Part>)> {
    let Some(Part::Text {
        bytes,
        quoted: false,
    }) = parts.first()
    else {
        return None;
    };
    let eq = bytes.iter().position(|&b| b == b'=')?;
    let name = &bytes[..eq];
    if name.is_empty() || !is_name_start(name[0]) || !name.iter().all(|&c| is_name(c)) {
        return None;
    }
    let mut value = vec![Part::Text {
        bytes: bytes[eq + 1..].to_vec(),
        quoted: false,
    }];
    value.extend_from_slice(&parts[1..]);
    Some((name.to_vec(), value))
}

/// Reads `script` as the shell runs it, with `env` the service's
/// environment and `args` `$0`, `$1`... (see the module's doc).
pub fn read(
    script: &[u8],
    env: &dyn Fn(&[u8]) -> Option<Vec<u8>>,
    args: &[Vec<u8>],
    bash: bool,
) -> Reading {
    let mut out = Reading::default();
    let mut lx = Lexer {
        s: script,
        i: 0,
        bash,
    };
    let mut vars = Vars {
        env,
        own: Vec::new(),
        args,
        used: Vec::new(),
        unset: Vec::new(),
        produced: 0,
    };
    let result = (|| -> Result<(), Unreadable> {
        loop {
            // one command: words up to an operator
            let mut words: Vec<Vec<Part>> = Vec::new();
            loop {
                lx.skip_blanks();
                match lx.word()? {
                    Some(w) => {
                        if words.iter().all(|w| assignment(w).is_some())
                            && let [
                                Part::Text {
                                    bytes,
                                    quoted: false,
                                },
                            ] = w.as_slice()
                            && RESERVED.contains(&bytes.as_slice())
                        {
                            return Err(format!(
                                "a compound command or keyword ({})",
                                String::from_utf8_lossy(bytes)
                            ));
                        }
                        words.push(w);
                    }
                    None => break,
                }
            }
            let sep = match (lx.peek(), lx.at(1)) {
                (None, _) => None,
                (Some(b'\n'), _) => {
                    lx.i += 1;
                    Some(Sep::Then)
                }
                (Some(b';'), Some(b';')) => return Err("a case clause (;;)".into()),
                (Some(b';'), _) => {
                    lx.i += 1;
                    Some(Sep::Then)
                }
                (Some(b'&'), Some(b'&')) => {
                    lx.i += 2;
                    Some(Sep::And)
                }
                (Some(b'|'), Some(b'|')) => {
                    lx.i += 2;
                    Some(Sep::Or)
                }
                (Some(b'|'), _) => return Err("a pipe (|)".into()),
                (Some(b'&'), _) => return Err("a background command (&)".into()),
                (Some(c), _) => unreachable!("the lexer stops only at operators: {c}"),
            };
            if words.is_empty() {
                if matches!(sep, Some(Sep::And | Sep::Or)) {
                    return Err("&& or || without a command before it".into());
                }
                match sep {
                    None => return Ok(()),
                    Some(_) => continue,
                }
            }
            let mut cmd = Command::default();
            let mut rest = words.as_slice();
            while let Some((first, tail)) = rest.split_first() {
                let Some((name, value)) = assignment(first) else {
                    break;
                };
                if name == b"IFS" {
                    return Err("an assignment to IFS".into());
                }
                // no field splitting in an assignment
                let mut f = Fields::default();
                expand_parts(&value, &mut vars, &mut f, false)?;
                f.end_field();
                let v = f
                    .done
                    .into_iter()
                    .next()
                    .map(|(v, _)| v)
                    .unwrap_or_default();
                cmd.assignments
                    .push((String::from_utf8_lossy(&name).into_owned(), v));
                rest = tail;
            }
            for w in rest {
                for (field, glob) in expand_word(w, &mut vars)? {
                    if glob {
                        cmd.globbed.push(field.clone());
                    }
                    cmd.words.push(field);
                }
            }
            if cmd.words.is_empty() {
                // assignments alone set the shell's variables
                for (n, v) in &cmd.assignments {
                    vars.own.push((n.clone().into_bytes(), v.clone()));
                }
            }
            out.commands.push((cmd, sep.unwrap_or(Sep::Then)));
            if sep.is_none() {
                return Ok(());
            }
        }
    })();
    if let Err(why) = result {
        out.unreadable = Some(why);
    }
    out.used = vars.used;
    out.unset = vars.unset;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &[u8]) -> Option<Vec<u8>> {
        match k {
            b"OPTS" => Some(b"--a=1  --b='x y'".to_vec()),
            b"EMPTY" => Some(Vec::new()),
            b"GLOB" => Some(b"/etc/*.conf".to_vec()),
            _ => None,
        }
    }

    fn words(script: &str) -> Vec<String> {
        let r = read(script.as_bytes(), &env, &[b"sh".to_vec()], false);
        assert_eq!(r.unreadable, None, "{script}");
        assert_eq!(r.commands.len(), 1, "{script}");
        r.commands[0]
            .0
            .words
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect()
    }

    fn unreadable(script: &str) -> String {
        read(script.as_bytes(), &env, &[b"sh".to_vec()], true)
            .unreadable
            .unwrap_or_else(|| panic!("{script} read"))
    }

    #[test]
    fn quoting_and_field_splitting() {
        // each case as dash and bash give it (printf '[%s]' ...)
        assert_eq!(
            words("exec /k --x $OPTS \"$OPTS\" ${OPTS} '$OPTS'"),
            [
                "exec",
                "/k",
                "--x",
                "--a=1",
                "--b='x",
                "y'",
                "--a=1  --b='x y'",
                "--a=1",
                "--b='x",
                "y'",
                "$OPTS"
            ]
        );
        assert_eq!(
            words("a\\ b \"c\\\"d\" 'e\\f' \"\" ''"),
            ["a b", "c\"d", "e\\f", "", ""]
        );
        assert_eq!(words("x$EMPTY \"$EMPTY\" $EMPTY $UNSET y"), ["x", "", "y"]);
        assert_eq!(
            words("--v=${UNSET:-2} ${EMPTY:-d} ${EMPTY-d} ${OPTS:+set} ${UNSET+set}"),
            ["--v=2", "d", "set"]
        );
        assert_eq!(words("a\\\nb # comment"), ["ab"]);
        assert_eq!(words("echo $1x"), ["echo", "x"]);
        assert_eq!(words("p$ q\"$\""), ["p$", "q$"]);
    }

    #[test]
    fn positional_parameters() {
        let args = [b"name".to_vec(), b"one two".to_vec(), b"three".to_vec()];
        let r = read(b"exec k \"$@\" $@ \"$*\" $# $0 ${2}", &env, &args, false);
        let w: Vec<String> = r.commands[0]
            .0
            .words
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect();
        assert_eq!(
            w,
            [
                "exec",
                "k",
                "one two",
                "three",
                "one",
                "two",
                "three",
                "one two three",
                "2",
                "name",
                "three"
            ]
        );
    }

    #[test]
    fn lists_assignments_and_globs() {
        let r = read(
            b"A=1 B=\"$OPTS\"; mkdir -p /x/$A && exec k $GLOB /y/*\n",
            &env,
            &[],
            false,
        );
        assert_eq!(r.unreadable, None);
        assert_eq!(r.commands.len(), 3);
        assert_eq!(
            r.commands[0].0.assignments,
            [
                ("A".into(), b"1".to_vec()),
                ("B".into(), b"--a=1  --b='x y'".to_vec())
            ]
        );
        assert_eq!(
            r.commands[1].0.words,
            [b"mkdir".to_vec(), b"-p".to_vec(), b"/x/1".to_vec()]
        );
        assert_eq!(r.commands[1].1, Sep::And);
        assert_eq!(
            r.commands[2].0.globbed,
            [b"/etc/*.conf".to_vec(), b"/y/*".to_vec()]
        );
        assert_eq!(r.used, ["OPTS", "A", "GLOB"]);
    }

    #[test]
    fn what_is_not_read() {
        for (script, why) in [
            ("a | b", "pipe"),
            ("a & b", "background"),
            ("a > /x", "redirection"),
            ("a 2>&1", "redirection"),
            ("exec k $(cat /f)", "command substitution"),
            ("exec k `cat /f`", "command substitution"),
            ("exec k \"`cat /f`\"", "command substitution"),
            ("echo $((1+2))", "arithmetic"),
            ("(a)", "subshell"),
            ("f() { a; }", "subshell or a function"),
            ("if true; then a; fi", "keyword (if)"),
            ("for x in a; do b; done", "keyword (for)"),
            ("{ a; }", "keyword ({)"),
            ("! a", "keyword (!)"),
            ("echo $$", "special parameter $$"),
            ("echo ${#A}", "parameter expansion"),
            ("echo ${A%x}", "parameter expansion"),
            ("echo ${A:=x}", "parameter expansion"),
            ("echo ~/x", "tilde"),
            ("IFS=: ; a", "IFS"),
            ("a 'open", "not closed"),
            ("a \"open", "not closed"),
            ("a ${A:-open", "not closed"),
            ("case x in x) a;; esac", "keyword (case)"),
            ("echo {a,b}", "brace expansion"),
            ("echo $'a'", "$'...'"),
        ] {
            let u = unreadable(script);
            assert!(u.contains(why), "{script}: {u}");
        }
        // deep nesting is refused, not a stack overflow
        let deep = format!("echo {}x{}", "${A:-".repeat(1000), "}".repeat(1000));
        assert!(unreadable(&deep).contains("nested"));
    }

    #[test]
    fn growth_is_bounded() {
        let big = |k: &[u8]| (k == b"B").then(|| vec![b'x'; 1 << 20]);
        let r = read(b"exec k $B$B$B", &big, &[], false);
        assert!(r.unreadable.unwrap().contains("ARG_MAX"));
    }

    #[test]
    fn invocations() {
        let a = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        let i = invocation(b"/bin/sh", &a(&["-c", "exec k", "n", "1"]))
            .unwrap()
            .unwrap();
        assert_eq!(i.script, b"exec k");
        assert_eq!(i.args, a(&["n", "1"]));
        assert!(
            invocation(b"/bin/bash", &a(&["-ec", "x"]))
                .unwrap()
                .unwrap()
                .bash
        );
        assert!(
            invocation(b"/bin/sh", &a(&["-e", "-o", "pipefail", "-c", "x"]))
                .unwrap()
                .is_some()
        );
        assert_eq!(invocation(b"/bin/sh", &a(&["/script.sh"])).unwrap(), None);
        assert!(invocation(b"/bin/sh", &a(&["--weird", "-c", "x"])).is_err());
        assert!(is_shell(b"/usr/bin/bash") && is_shell(b"sh") && !is_shell(b"/bin/zsh"));
    }
}
