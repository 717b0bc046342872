//! The files `EnvironmentFile=` names, read as systemd reads them
//! (systemd.exec(5)): one `KEY=VALUE` per line, shell-like quoting.
//!
//! - Blank space before a key, around `=` and after an unquoted value is
//!   dropped; a line ends at `\n` or `\r`.
//! - A line starting (after blanks) with `#` or `;` is a comment.
//! - Unquoted, a backslash makes the next character literal and a
//!   backslash-newline joins lines; quotes in the middle of an unquoted
//!   value are literal.
//! - In `'...'` nothing is special. In `"..."` a backslash before `"`, `\`,
//!   `` ` `` or `$` is dropped, before a newline both vanish, before
//!   anything else it stays. Quoted parts and unquoted text right after a
//!   closing quote join into one value; blanks between two quoted parts
//!   are dropped.
//! - A line without `=` is skipped.
//! - Keys or values that are not UTF-8 make the whole file unreadable for
//!   systemd; a key that is not a valid variable name (`export FOO`) is
//!   dropped when the service starts.
//!
//! One place where systemd versions differ: a comment line ending in a
//! backslash. Before systemd 254 it also made the next line a comment;
//! from 254 on the next line is read normally. This reader follows 254,
//! and reports such lines ([`Parsed::comment_continuations`]) so that a
//! check can warn about them.

use super::escape::is_blank;

/// One `KEY=VALUE` of the file, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    /// The line the assignment ends on.
    pub line: usize,
}

/// What a file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub pairs: Vec<Pair>,
    /// Lines of comments that end in a backslash (see the module's doc).
    pub comment_continuations: Vec<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    PreKey,
    Key,
    PreValue,
    Value,
    ValueEscape,
    Single,
    Double,
    DoubleEscape,
    Comment,
    CommentEscape,
}

fn is_newline(c: u8) -> bool {
    matches!(c, b'\n' | b'\r')
}

/// Reads a file's contents.
pub fn parse(text: &[u8]) -> Parsed {
    use State::*;
    let mut out = Parsed::default();
    let mut state = PreKey;
    let mut line = 1;
    let mut key: Vec<u8> = Vec::new();
    let mut value: Vec<u8> = Vec::new();
    // where trailing blanks of the key / of an unquoted value start
    let mut key_blank: Option<usize> = None;
    let mut value_blank: Option<usize> = None;
    let mut comment_start = 0;

    fn push(
        out: &mut Parsed,
        key: &mut Vec<u8>,
        key_blank: Option<usize>,
        value: &mut Vec<u8>,
        line: usize,
    ) {
        if let Some(k) = key_blank {
            key.truncate(k);
        }
        out.pairs.push(Pair {
            key: std::mem::take(key),
            value: std::mem::take(value),
            line,
        });
    }

    for &c in text {
        match state {
            PreKey => {
                if c == b'#' || c == b';' {
                    state = Comment;
                    comment_start = line;
                } else if is_newline(c) {
                    line += 1;
                } else if !is_blank(c) {
                    state = Key;
                    key_blank = None;
                    key.push(c);
                }
            }
            Key => {
                if is_newline(c) {
                    state = PreKey;
                    line += 1;
                    key.clear();
                } else if c == b'=' {
                    state = PreValue;
                    value_blank = None;
                } else {
                    if !is_blank(c) {
                        key_blank = None;
                    } else if key_blank.is_none() {
                        key_blank = Some(key.len());
                    }
                    key.push(c);
                }
            }
            PreValue => {
                if is_newline(c) {
                    push(&mut out, &mut key, key_blank, &mut value, line);
                    state = PreKey;
                    line += 1;
                } else if c == b'\'' {
                    state = Single;
                } else if c == b'"' {
                    state = Double;
                } else if c == b'\\' {
                    state = ValueEscape;
                } else if !is_blank(c) {
                    state = Value;
                    value.push(c);
                }
            }
            Value => {
                if is_newline(c) {
                    if let Some(v) = value_blank {
                        value.truncate(v);
                    }
                    push(&mut out, &mut key, key_blank, &mut value, line);
                    state = PreKey;
                    line += 1;
                } else if c == b'\\' {
                    state = ValueEscape;
                    value_blank = None;
                } else {
                    if !is_blank(c) {
                        value_blank = None;
                    } else if value_blank.is_none() {
                        value_blank = Some(value.len());
                    }
                    value.push(c);
                }
            }
            ValueEscape => {
                state = Value;
                if is_newline(c) {
                    line += 1;
                } else {
                    value.push(c);
                }
            }
            Single => {
                if c == b'\'' {
                    state = PreValue;
                } else {
                    if is_newline(c) {
                        line += 1;
                    }
                    value.push(c);
                }
            }
            Double => {
                if c == b'"' {
                    state = PreValue;
                } else if c == b'\\' {
                    state = DoubleEscape;
                } else {
                    if is_newline(c) {
                        line += 1;
                    }
                    value.push(c);
                }
            }
            DoubleEscape => {
                state = Double;
                if matches!(c, b'"' | b'\\' | b'`' | b'$') {
                    value.push(c);
                } else if c == b'\n' {
                    line += 1;
                } else {
                    if c == b'\r' {
                        line += 1;
                    }
                    value.push(b'\\');
                    value.push(c);
                }
            }
            Comment => {
                if c == b'\\' {
                    state = CommentEscape;
                } else if is_newline(c) {
                    state = PreKey;
                    line += 1;
                }
            }
            CommentEscape => {
                if is_newline(c) {
                    out.comment_continuations.push(comment_start);
                    state = PreKey;
                    line += 1;
                } else {
                    state = Comment;
                }
            }
        }
    }
    match state {
        PreValue | Value | ValueEscape | Single | Double | DoubleEscape => {
            if state == Value
                && let Some(v) = value_blank
            {
                value.truncate(v);
            }
            push(&mut out, &mut key, key_blank, &mut value, line);
        }
        _ => {}
    }
    out
}

/// A valid environment variable name for systemd: letters, digits and
/// `_`, not starting with a digit.
pub fn name_is_valid(name: &[u8]) -> bool {
    !name.is_empty()
        && !name[0].is_ascii_digit()
        && name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Vec<(String, String)> {
        parse(text.as_bytes())
            .pairs
            .into_iter()
            .map(|p| {
                (
                    String::from_utf8(p.key).unwrap(),
                    String::from_utf8(p.value).unwrap(),
                )
            })
            .collect()
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.into(), v.into())
    }

    #[test]
    fn lines_blanks_and_comments() {
        assert_eq!(
            p("# comment\n ; also\nA=1\n  B = two words  \n\nC=\nD\nE=x # not a comment\r\nF=last"),
            [
                kv("A", "1"),
                kv("B", "two words"),
                kv("C", ""),
                kv("E", "x # not a comment"),
                kv("F", "last")
            ]
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(
            p(r#"A="x y"
B='a\nb' "c"
C="esc \" \\ \a \$ \`"
D=x "y"
E="x"y
F='one
two'
G="a\
b"
H=back\
slash
I=\ lead
J=trail\ "#),
            [
                kv("A", "x y"),
                kv("B", "a\\nbc"),
                kv("C", "esc \" \\ \\a $ `"),
                kv("D", "x \"y\""),
                kv("E", "xy"),
                kv("F", "one\ntwo"),
                kv("G", "ab"),
                kv("H", "backslash"),
                kv("I", " lead"),
                kv("J", "trail "),
            ]
        );
        // an unterminated quote runs to the end of the file
        assert_eq!(p("A=\"open\nB=1"), [kv("A", "open\nB=1")]);
    }

    #[test]
    fn comments_ending_in_a_backslash() {
        let parsed = parse(b"# note \\\nA=1\n");
        assert_eq!(
            parsed.pairs.len(),
            1,
            "systemd 254 and later read the next line"
        );
        assert_eq!(parsed.comment_continuations, [1]);
    }

    #[test]
    fn names() {
        for ok in ["A", "_a", "KUBELET_IMAGE_TAG", "a1"] {
            assert!(name_is_valid(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "1A", "export A", "A-B", "A.B", "É"] {
            assert!(!name_is_valid(bad.as_bytes()), "{bad}");
        }
    }
}
