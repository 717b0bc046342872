//! A unit file's lines as systemd reads them (systemd.syntax(7)): sections,
//! `Key=Value` assignments, comments, line continuations.
//!
//! - A line ends at `\n`, `\r`, `\r\n` or a NUL byte; a UTF-8 byte order
//!   mark before the first line is skipped.
//! - A line whose first non-blank character is `#` or `;` is a comment,
//!   also in the middle of a continuation (where it is skipped and the
//!   continuation goes on).
//! - A line ending in an odd number of backslashes continues on the next
//!   line: the last backslash becomes a space. An empty line ends it.
//! - Key and value lose the white space around them; the key is what is
//!   before the first `=`.
//! - `[Section]` starts a section; a header that does not end in `]`, or
//!   holds quotes, backslashes or control characters, makes systemd refuse
//!   the whole file. An unknown section is skipped with its assignments.
//! - A line that is not valid UTF-8, has no `=` or no key is skipped.

use super::escape::is_blank;
use std::ops::Range;

/// The longest line systemd reads (`LONG_LINE_MAX`, 1 MiB).
pub const LONG_LINE_MAX: usize = 1 << 20;

/// One `Key=Value` line of a known section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub section: String,
    pub key: String,
    pub value: String,
    /// The line systemd names for it: the last line of a continuation.
    pub line: usize,
}

/// How bad a problem of the file is for systemd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fatal {
    /// systemd warns and skips the line.
    No,
    /// systemd refuses to load the unit at all.
    Yes,
}

/// Something systemd warns about while reading the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub fatal: Fatal,
    pub message: String,
}

/// The file's assignments in order, and what systemd warns about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub assignments: Vec<Assignment>,
    pub problems: Vec<Problem>,
}

/// Splits at the line ends systemd's `read_line()` knows.
fn physical_lines(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\n' | b'\0' => {
                out.push(start..i);
                i += 1;
                start = i;
            }
            b'\r' => {
                out.push(start..i);
                i += if text.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| !is_blank(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| !is_blank(c))
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// Reads a unit file. `sections` are the section names the unit type knows
/// (`Unit`, `Service`, `Install` for a service); `X-` sections are skipped
/// silently, as systemd does.
pub fn parse(text: &[u8], sections: &[&str]) -> Parsed {
    let mut parsed = Parsed::default();
    let mut section: Option<String> = None;
    let mut skipping = false;
    let mut continuation: Option<Vec<u8>> = None;
    let mut line_no = 0;
    let mut lines = physical_lines(text);
    if let Some(first) = lines.first_mut()
        && text[first.clone()].starts_with(b"\xef\xbb\xbf")
    {
        first.start += 3;
    }
    // an empty line after the last ends a continuation the file ends in
    lines.push(text.len()..text.len());
    for range in lines {
        line_no += 1;
        let raw = &text[range];
        if raw.len() > LONG_LINE_MAX {
            parsed.problems.push(Problem {
                line: line_no,
                fatal: Fatal::Yes,
                message: format!("the line is longer than {LONG_LINE_MAX} bytes"),
            });
            return parsed;
        }
        let lead = raw.iter().position(|&c| !is_blank(c));
        if lead.is_some_and(|i| matches!(raw[i], b'#' | b';')) {
            continue;
        }
        let mut logical = match continuation.take() {
            Some(mut c) => {
                c.extend_from_slice(raw);
                c
            }
            None => raw.to_vec(),
        };
        let mut escaped = false;
        for &c in &logical {
            escaped = !escaped && c == b'\\';
        }
        if escaped {
            *logical.last_mut().expect("ends in a backslash") = b' ';
            continuation = Some(logical);
            continue;
        }
        if let Err(p) = parse_line(
            &logical,
            line_no,
            sections,
            &mut section,
            &mut skipping,
            &mut parsed.assignments,
        ) {
            let fatal = p.fatal;
            parsed.problems.push(p);
            if fatal == Fatal::Yes {
                return parsed;
            }
        }
    }
    parsed
}

fn parse_line(
    logical: &[u8],
    line: usize,
    sections: &[&str],
    section: &mut Option<String>,
    skipping: &mut bool,
    out: &mut Vec<Assignment>,
) -> Result<(), Problem> {
    let warn = |message: String| Problem {
        line,
        fatal: Fatal::No,
        message,
    };
    let l = trim(logical);
    if l.is_empty() {
        return Ok(());
    }
    let Ok(l) = std::str::from_utf8(l) else {
        return Err(warn("the line is not valid UTF-8: systemd skips it".into()));
    };
    if let Some(header) = l.strip_prefix('[') {
        let Some(name) = header.strip_suffix(']') else {
            return Err(Problem {
                line,
                fatal: Fatal::Yes,
                message: format!("invalid section header {l:?}: systemd refuses the unit"),
            });
        };
        if name
            .chars()
            .any(|c| c.is_control() || matches!(c, '\\' | '"' | '\''))
        {
            return Err(Problem {
                line,
                fatal: Fatal::Yes,
                message: format!(
                    "bad characters in section header {l:?}: systemd refuses the unit"
                ),
            });
        }
        if sections.contains(&name) {
            *section = Some(name.to_string());
            *skipping = false;
            return Ok(());
        }
        *section = None;
        *skipping = true;
        if name.starts_with("X-") {
            return Ok(());
        }
        return Err(warn(format!(
            "unknown section [{name}]: systemd skips it and its settings"
        )));
    }
    let Some(current) = section.as_ref() else {
        if *skipping {
            return Ok(());
        }
        return Err(warn(
            "assignment outside of a section: systemd skips it".into(),
        ));
    };
    let Some((key, value)) = l.split_once('=') else {
        return Err(warn(format!("{l:?} has no '=': systemd skips the line")));
    };
    if key.is_empty() {
        return Err(warn(format!(
            "{l:?} has no key before '=': systemd skips the line"
        )));
    }
    out.push(Assignment {
        section: current.clone(),
        key: String::from_utf8(trim(key.as_bytes()).to_vec()).expect("a part of UTF-8"),
        value: String::from_utf8(trim(value.as_bytes()).to_vec()).expect("a part of UTF-8"),
        line,
    });
    Ok(())
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
        // systemd.syntax(7): a backslash at the end joins the next line, as a space
        assert_eq!(
            a("[Service]\nExecStart=/bin/echo a \\\n  b \\\n# a comment inside\n  c\n"),
            [one("Service", "ExecStart", "/bin/echo a    b    c", 5)]
        );
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
                one("Service", "ExecStart", "/x", 3),
                one("Service", "Environment", "B=y", 4)
            ]
        );
        // at the end of the file
        assert_eq!(
            a("[Service]\nExecStart=/x \\"),
            [one("Service", "ExecStart", "/x", 3)]
        );
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
    }

    #[test]
    fn what_systemd_skips_or_refuses() {
        let p = parse(b"Environment=A=1\n[Service]\nEnvironment\n=x\n[X-Mine]\nK=v\n[Bogus]\nK=v\n[Service]\nEnvironment=\xff\nEnvironment=B=2\n", SERVICE);
        assert_eq!(p.assignments.len(), 1);
        assert_eq!(p.assignments[0].value, "B=2");
        let lines: Vec<(usize, Fatal)> = p.problems.iter().map(|p| (p.line, p.fatal)).collect();
        assert_eq!(
            lines,
            [
                (1, Fatal::No),
                (3, Fatal::No),
                (4, Fatal::No),
                (7, Fatal::No),
                (10, Fatal::No)
            ]
        );
        for bad in ["[Service\n", "[Ser\"vice]\n", "[Ser\\vice]\n"] {
            let p = parse(format!("{bad}Environment=A=1\n").as_bytes(), SERVICE);
            assert_eq!(p.problems[0].fatal, Fatal::Yes, "{bad}");
            assert!(p.assignments.is_empty());
        }
        let long = format!("[Service]\nEnvironment=A={}\n", "x".repeat(LONG_LINE_MAX));
        assert_eq!(
            parse(long.as_bytes(), SERVICE).problems[0].fatal,
            Fatal::Yes
        );
    }
}
