//! A unit file's lines as systemd reads them (systemd.syntax(7);
//! `config_parse()` and `parse_line()` in src/shared/conf-parser.c,
//! `read_line_full()` in src/basic/fileio.c): sections, `Key=Value`
//! assignments, comments, line continuations, and the limits.
//!
//! - A line ends at `\n`, `\r` or a NUL byte; a run of line-end bytes
//!   counts as one end while no kind repeats and no NUL came before
//!   (`\r\n`, `\n\r`, `\n\0`, `\r\n\0` are one end each; `\n\n` and `\0\n`
//!   are two). A UTF-8 byte order mark at the start of a line is skipped,
//!   up to the first one seen.
//! - A physical line of [`LONG_LINE_MAX`] bytes or more, and a logical
//!   line that continuations make longer than that, make systemd stop
//!   reading the file with an error.
//! - A line whose first non-blank character is `#` or `;` is a comment,
//!   also in the middle of a continuation (where it is skipped and the
//!   continuation goes on).
//! - A line ending in an odd number of backslashes continues on the next
//!   line: the last backslash becomes a space. A line that is empty or
//!   holds only blanks ends it (it is joined, and does not end in a
//!   backslash); a backslash followed by blanks is no continuation.
//! - A logical line that is not UTF-8 (as systemd checks it, [`super::utf8`])
//!   stops the reading with an error, whatever it holds.
//! - Key and value lose the blanks around them; the key is what is before
//!   the first `=`.
//! - `[Section]` starts a section; a header that does not end in `]`, or
//!   holds quotes, backslashes or control characters, stops the reading.
//!   An unknown section is skipped with its assignments (silently when its
//!   name starts with `X-`).
//! - A line with no `=` or no key is skipped with a warning.
//!
//! "Stops the reading": for the unit file, systemd then refuses to load
//! the unit; for a drop-in, it keeps what the drop-in set up to that line
//! and loads the unit (`unit_load_dropin()` ignores the error). The
//! caller decides ([`Fatal`]).

use super::escape::is_blank;
use std::ops::Range;

/// The longest line systemd reads (`LONG_LINE_MAX`, 1 MiB): a physical
/// line must be shorter, a logical one at most this long.
pub const LONG_LINE_MAX: usize = 1 << 20;

/// One `Key=Value` line of a known section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub section: String,
    pub key: String,
    pub value: String,
    /// The line the setting begins on.
    pub line: usize,
    /// Its last physical line (the one systemd's messages name).
    pub end: usize,
    /// The physical lines after the first that continuations joined to
    /// it (comments skipped), each with its text without the blanks
    /// around it.
    pub continued: Vec<(usize, String)>,
    /// When lines below look like more of the setting but are not.
    pub cut: Option<Cut>,
}

/// Why a setting ended before lines that look like its continuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutBy {
    /// An empty or blank line after a trailing backslash (at this line).
    BlankLine(usize),
    /// Blanks after the last backslash: no continuation (at this line).
    BlankAfterBackslash(usize),
}

/// The lines below a setting that look like its continuation and that
/// systemd reads as lines of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub by: CutBy,
    pub dropped: Vec<Dropped>,
}

/// One such line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub line: usize,
    pub text: String,
    /// What systemd says about it.
    pub systemd: String,
}

/// How bad a problem of the file is for systemd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fatal {
    /// systemd warns and skips the line.
    No,
    /// systemd stops reading the file (see the module's doc).
    Yes,
}

/// Something systemd warns about while reading the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line where the logical line begins.
    pub line: usize,
    pub fatal: Fatal,
    pub message: String,
    /// For "unknown section": its name.
    pub unknown_section: Option<String>,
}

/// The file's assignments in order, and what systemd warns about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub assignments: Vec<Assignment>,
    pub problems: Vec<Problem>,
}

const EOL_NEWLINE: u8 = 1;
const EOL_RETURN: u8 = 2;
const EOL_ZERO: u8 = 4;

fn eol(c: u8) -> u8 {
    match c {
        b'\n' => EOL_NEWLINE,
        b'\r' => EOL_RETURN,
        0 => EOL_ZERO,
        _ => 0,
    }
}

/// Splits at the line ends systemd's `read_line()` knows.
pub fn physical_lines(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < text.len() {
        let e = eol(text[i]);
        if e == 0 {
            i += 1;
            continue;
        }
        out.push(start..i);
        let mut seen = e;
        i += 1;
        while i < text.len() && seen & EOL_ZERO == 0 {
            let e = eol(text[i]);
            if e == 0 || seen & e != 0 {
                break;
            }
            seen |= e;
            i += 1;
        }
        start = i;
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

pub fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| !is_blank(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| !is_blank(c))
        .map_or(start, |e| e + 1);
    &b[start..end]
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// systemd's `string_is_safe()`: no control characters (bytes 1 to 31),
/// quotes, backslashes or DEL.
pub fn string_is_safe(s: &[u8]) -> bool {
    !s.iter()
        .any(|&c| (1..b' ').contains(&c) || matches!(c, b'"' | b'\'' | b'\\' | 0x7f))
}

/// Whether `key` could be a setting's name (a letter, then letters,
/// digits, `-` or `_`): what a line cut off from a setting is not.
pub fn looks_like_key(key: &[u8]) -> bool {
    key.first().is_some_and(u8::is_ascii_alphabetic)
        && key
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Where a logical line being read began, and what it is made of.
struct Pending {
    text: Vec<u8>,
    line: usize,
    continued: Vec<(usize, String)>,
}

/// The state between logical lines.
struct State<'a> {
    sections: &'a [&'a str],
    section: Option<String>,
    ignored: bool,
    parsed: Parsed,
    /// The assignment whose cut is being filled, while lines look dropped.
    cutting: Option<usize>,
}

/// Reads a unit file. `sections` are the section names the unit type knows
/// (`Unit`, `Service`, `Install` for a service).
pub fn parse(text: &[u8], sections: &[&str]) -> Parsed {
    let mut st = State {
        sections,
        section: None,
        ignored: false,
        parsed: Parsed::default(),
        cutting: None,
    };
    let lines = physical_lines(text);
    let count = lines.len();
    let mut pending: Option<Pending> = None;
    let mut bom_seen = false;
    for (i, range) in lines.into_iter().enumerate() {
        let line_no = i + 1;
        let buf = &text[range];
        let start = pending.as_ref().map_or(line_no, |p| p.line);
        if buf.len() >= LONG_LINE_MAX {
            st.parsed.problems.push(Problem {
                line: start,
                fatal: Fatal::Yes,
                message: format!(
                    "line {line_no} is {} bytes long: systemd reads lines of less than {LONG_LINE_MAX} bytes (\"Line too long\")",
                    buf.len()
                ),
                unknown_section: None,
            });
            return st.parsed;
        }
        let lead = buf.iter().position(|&c| !is_blank(c));
        if lead.is_some_and(|i| matches!(buf[i], b'#' | b';')) {
            continue;
        }
        let mut l = buf;
        if !bom_seen && let Some(rest) = buf.strip_prefix(b"\xef\xbb\xbf") {
            l = rest;
            bom_seen = true;
        }
        let mut p = match pending.take() {
            Some(mut p) => {
                if p.text.len() + l.len() > LONG_LINE_MAX {
                    st.parsed.problems.push(Problem {
                        line: p.line,
                        fatal: Fatal::Yes,
                        message: format!(
                            "the setting continued on lines {}-{line_no} is longer than {LONG_LINE_MAX} bytes: systemd stops reading the file there (\"Continuation line too long\")",
                            p.line
                        ),
                        unknown_section: None,
                    });
                    return st.parsed;
                }
                p.text.extend_from_slice(l);
                p.continued.push((line_no, lossy(trim(l))));
                p
            }
            None => Pending {
                text: l.to_vec(),
                line: line_no,
                continued: Vec::new(),
            },
        };
        let mut escaped = false;
        for &c in &p.text {
            escaped = !escaped && c == b'\\';
        }
        if escaped {
            *p.text.last_mut().expect("ends in a backslash") = b' ';
            pending = Some(p);
            continue;
        }
        // a continuation that this line ended, being blank
        let blank_end = (!p.continued.is_empty() && trim(l).is_empty()).then_some(line_no);
        if !logical_line(&mut st, p, line_no, blank_end) {
            return st.parsed;
        }
    }
    if let Some(p) = pending {
        logical_line(&mut st, p, count + 1, None);
    }
    st.parsed
}

/// Whether `b` ends in an odd number of backslashes followed by blanks.
fn backslash_then_blanks(b: &[u8]) -> bool {
    let t = &b[..b.iter().rposition(|&c| !is_blank(c)).map_or(0, |e| e + 1)];
    if t.len() == b.len() {
        return false;
    }
    t.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

/// One logical line; false when systemd stops reading the file.
fn logical_line(st: &mut State, p: Pending, end: usize, blank_end: Option<usize>) -> bool {
    let l = trim(&p.text);
    let was_cutting = st.cutting.take();
    if l.is_empty() {
        return true;
    }
    // a line cut off from the setting above it
    let dropped = was_cutting.is_some() && !l.starts_with(b"[") && {
        let key = l.iter().position(|&c| c == b'=').map(|e| trim(&l[..e]));
        !key.is_some_and(looks_like_key)
    };
    let cut_from = was_cutting.filter(|_| dropped);
    match (line(st, &p, end), cut_from) {
        (Ok(Some(i)), Some(from)) => {
            // key-like it is not, so unknown to systemd
            let a = st.parsed.assignments.pop().expect("just added");
            debug_assert_eq!(i, st.parsed.assignments.len());
            drop_line(
                st,
                from,
                &p,
                l,
                format!(
                    "Unknown key '{}' in section [{}], ignoring.",
                    crate::text::quote::escape(&a.key),
                    a.section
                ),
            );
        }
        (Err(problem), Some(from)) if problem.fatal == Fatal::No => {
            drop_line(st, from, &p, l, problem.message);
        }
        (Ok(None), _) => {}
        (Ok(Some(i)), None) => {
            let a = &mut st.parsed.assignments[i];
            let by = match blank_end {
                Some(b) => Some(CutBy::BlankLine(b)),
                None if backslash_then_blanks(&p.text) => Some(CutBy::BlankAfterBackslash(end)),
                None => None,
            };
            if let Some(by) = by {
                a.cut = Some(Cut {
                    by,
                    dropped: Vec::new(),
                });
                st.cutting = Some(i);
            }
        }
        (Err(problem), _) => {
            let fatal = problem.fatal == Fatal::Yes;
            st.parsed.problems.push(problem);
            if fatal {
                return false;
            }
        }
    }
    true
}

/// Records a line cut off from the setting `from`, and goes on looking.
fn drop_line(st: &mut State, from: usize, p: &Pending, l: &[u8], systemd: String) {
    let cut = st.parsed.assignments[from].cut.as_mut().expect("a cut");
    cut.dropped.push(Dropped {
        line: p.line,
        text: lossy(l),
        systemd,
    });
    st.cutting = Some(from);
}

/// What `parse_line()` does with one logical line: the index of the
/// assignment it adds, or the problem.
fn line(st: &mut State, p: &Pending, end: usize) -> Result<Option<usize>, Problem> {
    let at = p.line;
    let warn = |message: String| Problem {
        line: at,
        fatal: Fatal::No,
        message,
        unknown_section: None,
    };
    let stop = |message: String| Problem {
        line: at,
        fatal: Fatal::Yes,
        message,
        unknown_section: None,
    };
    let l = trim(&p.text);
    if !super::utf8::is_valid(l) {
        return Err(stop(format!(
            "\"{}\" is not valid UTF-8: systemd stops reading the file there (\"String is not UTF-8 clean\")",
            crate::text::quote::escape(l)
        )));
    }
    let shown = format!("\"{}\"", crate::text::quote::escape(l));
    let l = std::str::from_utf8(l).expect("checked");
    if let Some(header) = l.strip_prefix('[') {
        let Some(name) = header.strip_suffix(']') else {
            return Err(stop(format!(
                "invalid section header {shown}: systemd stops reading the file there"
            )));
        };
        if !string_is_safe(name.as_bytes()) {
            return Err(stop(format!(
                "bad characters in section header {shown}: systemd stops reading the file there"
            )));
        }
        if st.sections.contains(&name) {
            st.section = Some(name.to_string());
            st.ignored = false;
            return Ok(None);
        }
        st.section = None;
        st.ignored = true;
        if name.starts_with("X-") {
            return Ok(None);
        }
        return Err(Problem {
            unknown_section: Some(name.to_string()),
            ..warn(format!(
                "Unknown section '{}'. Ignoring. (systemd skips it and its settings)",
                crate::text::quote::escape(name)
            ))
        });
    }
    let Some(current) = st.section.as_ref() else {
        if st.ignored {
            return Ok(None);
        }
        return Err(warn(
            "Assignment outside of section. Ignoring. (systemd skips it)".into(),
        ));
    };
    let Some((key, value)) = l.split_once('=') else {
        return Err(warn(format!("{shown}: Missing '=', ignoring line.")));
    };
    if key.is_empty() {
        return Err(warn(format!(
            "{shown}: Missing key name before '=', ignoring line."
        )));
    }
    st.parsed.assignments.push(Assignment {
        section: current.clone(),
        key: key
            .trim_matches(|c: char| c.is_ascii() && is_blank(c as u8))
            .to_string(),
        value: value
            .trim_matches(|c: char| c.is_ascii() && is_blank(c as u8))
            .to_string(),
        line: at,
        end,
        continued: p.continued.clone(),
        cut: None,
    });
    Ok(Some(st.parsed.assignments.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &[&str] = &["Unit", "Service", "Install"];

    fn a(text: &str) -> Vec<(String, String, String, usize)> {
        let p = parse(text.as_bytes(), SERVICE);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        p.assignments
            .into_iter()
            .map(|a| (a.section, a.key, a.value, a.line))
            .collect()
    }

    fn one(s: &str, k: &str, v: &str, line: usize) -> (String, String, String, usize) {
        (s.into(), k.into(), v.into(), line)
    }

    #[test]
    fn sections_keys_values_and_comments() {
        assert_eq!(
            a(
                "# c\n[Unit]\nDescription = a b  \n\n; c\n  [Service]  \n  Environment=A=1\t\nExecStart=/x\n"
            ),
            [
                one("Unit", "Description", "a b", 3),
                one("Service", "Environment", "A=1", 7),
                one("Service", "ExecStart", "/x", 8)
            ]
        );
        // the first '=' splits; values keep their inner '='
        assert_eq!(
            a("[Service]\nEnvironment=A=B=C\n"),
            [one("Service", "Environment", "A=B=C", 2)]
        );
        // a value may be empty (a reset)
        assert_eq!(
            a("[Service]\nEnvironment=\n"),
            [one("Service", "Environment", "", 2)]
        );
        // keys are not case-folded
        assert_eq!(a("[Service]\nenvironment=x\n")[0].1, "environment");
    }

    #[test]
    fn continuations() {
        // systemd.syntax(7): a backslash at the end joins the next line, as
        // a space; the setting is where it begins
        let p = parse(
            b"[Service]\nExecStart=/bin/echo a \\\n  b \\\n# a comment inside\n  c\n",
            SERVICE,
        );
        let x = &p.assignments[0];
        assert_eq!(x.value, "/bin/echo a    b    c");
        assert_eq!((x.line, x.end), (2, 5));
        assert_eq!(x.continued, [(3, "b \\".into()), (5, "c".into())]);
        assert_eq!(x.cut, None);
        // an even number of backslashes does not continue
        assert_eq!(
            a("[Service]\nEnvironment=A=x\\\\\nEnvironment=B=y\n"),
            [
                one("Service", "Environment", "A=x\\\\", 2),
                one("Service", "Environment", "B=y", 3)
            ]
        );
        // an empty line ends a continuation
        assert_eq!(
            a("[Service]\nExecStart=/x \\\n\nEnvironment=B=y\n"),
            [
                one("Service", "ExecStart", "/x", 2),
                one("Service", "Environment", "B=y", 4)
            ]
        );
        // at the end of the file
        assert_eq!(
            a("[Service]\nExecStart=/x \\"),
            [one("Service", "ExecStart", "/x", 2)]
        );
    }

    #[test]
    fn a_blank_line_cuts_a_setting_and_the_lines_below_are_dropped() {
        // measured with systemd-analyze verify (252): "Missing '='" for
        // line 5 and "Unknown key '--b'" for line 6
        let p = parse(
            b"[Service]\nExecStart=/k \\\n  --a \\\n   \n  --c\n  --b=2 \\\n  --d\nRestart=always\n",
            SERVICE,
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let x = &p.assignments[0];
        assert_eq!(
            x.value.split_whitespace().collect::<Vec<_>>(),
            ["/k", "--a"]
        );
        let cut = x.cut.as_ref().unwrap();
        assert_eq!(cut.by, CutBy::BlankLine(4));
        let dropped: Vec<(usize, &str)> = cut
            .dropped
            .iter()
            .map(|d| (d.line, d.text.as_str()))
            .collect();
        assert_eq!(dropped, [(5, "--c"), (6, "--b=2    --d")]);
        // "--b=2 ..." is an assignment to systemd, of an unknown key "--b"
        assert_eq!(
            cut.dropped[1].systemd,
            "Unknown key '--b' in section [Service], ignoring."
        );
        assert_eq!(p.assignments.len(), 2);
        assert_eq!(p.assignments[1].key, "Restart");
        // blanks after the backslash: no continuation at all
        let p = parse(b"[Service]\nExecStart=/k \\  \n  --c\n", SERVICE);
        let cut = p.assignments[0].cut.as_ref().unwrap();
        assert_eq!(cut.by, CutBy::BlankAfterBackslash(2));
        assert_eq!(cut.dropped[0].line, 3);
        // nothing looks dropped: no cut to report
        let p = parse(b"[Service]\nExecStart=/k \\\n\nRestart=always\n", SERVICE);
        assert!(p.assignments[0].cut.as_ref().unwrap().dropped.is_empty());
    }

    #[test]
    fn line_ends_and_the_byte_order_mark() {
        assert_eq!(
            a("\u{feff}[Service]\r\nEnvironment=A=1\rEnvironment=B=2\0Environment=C=3"),
            [
                one("Service", "Environment", "A=1", 2),
                one("Service", "Environment", "B=2", 3),
                one("Service", "Environment", "C=3", 4)
            ]
        );
        // measured with systemd-analyze verify (252): "\n\r" and "\r\n\0"
        // are one line end, so the continuation goes on; "\n\0\n" is two,
        // the second an empty line that ends it
        for (text, joined) in [
            (&b"[Service]\nEnvironment=A=1 \\\n\rB=2\n"[..], true),
            (b"[Service]\nEnvironment=A=1 \\\r\n\0B=2\n", true),
            (b"[Service]\nEnvironment=A=1 \\\n\0\nB=2\n", false),
        ] {
            let p = parse(text, SERVICE);
            assert_eq!(p.assignments[0].value.ends_with("B=2"), joined, "{text:?}");
        }
        assert_eq!(
            physical_lines(b"a\n\r\0b\0\nc\r\rd"),
            [0..1, 4..5, 6..6, 7..8, 9..9, 10..11]
        );
    }

    #[test]
    fn what_systemd_skips_or_refuses() {
        let p = parse(b"Environment=A=1\n[Service]\nEnvironment\n=x\n[X-Mine]\nK=v\n[Bogus]\nK=v\n[Service]\nEnvironment=B=2\n", SERVICE);
        assert_eq!(p.assignments.len(), 1);
        assert_eq!(p.assignments[0].value, "B=2");
        let lines: Vec<(usize, Fatal)> = p.problems.iter().map(|p| (p.line, p.fatal)).collect();
        assert_eq!(
            lines,
            [
                (1, Fatal::No),
                (3, Fatal::No),
                (4, Fatal::No),
                (7, Fatal::No)
            ]
        );
        assert_eq!(p.problems[3].unknown_section.as_deref(), Some("Bogus"));
        for bad in [
            &b"[Service\n"[..],
            b"[Ser\"vice]\n",
            b"[Ser\\vice]\n",
            b"[Ser\x01vice]\n",
            b"[Service]\nEnvironment=\xff\n",
            // systemd's UTF-8: noncharacters are refused too
            "[Service]\nEnvironment=A=\u{FFFE}\n".as_bytes(),
        ] {
            let p = parse(&[bad, b"Environment=A=1\n"].concat(), SERVICE);
            assert_eq!(p.problems.len(), 1, "{bad:?}");
            assert_eq!(p.problems[0].fatal, Fatal::Yes, "{bad:?}");
            assert!(p.assignments.is_empty(), "{bad:?}");
        }
        // C1 controls are not control characters for systemd's header check
        assert!(parse("[Ser\u{85}vice]\n".as_bytes(), SERVICE).problems[0].fatal == Fatal::No);
    }

    #[test]
    fn the_line_limits() {
        // measured with systemd-analyze verify (252): a line of
        // LONG_LINE_MAX - 1 bytes loads, one of LONG_LINE_MAX does not
        let line = |n: usize| format!("[Service]\nEnvironment=A={}\n", "x".repeat(n - 14));
        assert!(
            parse(line(LONG_LINE_MAX - 1).as_bytes(), SERVICE)
                .problems
                .is_empty()
        );
        assert_eq!(
            parse(line(LONG_LINE_MAX).as_bytes(), SERVICE).problems[0].fatal,
            Fatal::Yes
        );
        // continued: LONG_LINE_MAX in all loads, one more byte does not
        let half = LONG_LINE_MAX / 2;
        let continued = |extra: usize| {
            format!(
                "[Service]\nEnvironment=A={}\\\n{}\n",
                "x".repeat(half - 15),
                "y".repeat(LONG_LINE_MAX - half + extra)
            )
        };
        let p = parse(continued(0).as_bytes(), SERVICE);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.assignments[0].value.len() + 12, LONG_LINE_MAX);
        let p = parse(continued(1).as_bytes(), SERVICE);
        assert_eq!(p.problems[0].fatal, Fatal::Yes);
        assert!(p.problems[0].message.contains("Continuation line too long"));
        // a comment is a line too
        let p = parse(
            format!("#{}\n", "x".repeat(LONG_LINE_MAX)).as_bytes(),
            SERVICE,
        );
        assert_eq!(p.problems[0].fatal, Fatal::Yes);
    }
}
