//! systemd's quoting: how a setting's value is cut into words
//! (systemd.syntax(7), "Quoting"), and its C-style escapes.
//!
//! Works on bytes: an escape such as `\xff` yields a byte that is not
//! UTF-8, and the callers decide whether that is acceptable (an
//! environment value must be UTF-8, a command-line argument need not).

/// What separates words: systemd's `WHITESPACE`.
pub const WHITESPACE: &[u8] = b" \t\n\r";

/// Whether `b` is one of [`WHITESPACE`].
pub fn is_blank(b: u8) -> bool {
    WHITESPACE.contains(&b)
}

/// How words are read. Each setting uses its own combination, as systemd
/// does: `Environment=` and `ExecStart=` both unquote and unescape;
/// `$VAR` expanded as several words unquotes, relaxed, without escapes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// `'...'` and `"..."` group a word and are removed (anywhere in it).
    pub unquote: bool,
    /// Backslash escapes are C-style (`\n`, `\x41`, `\u00e9`, ...); without
    /// it a backslash makes the next byte literal.
    pub cunescape: bool,
    /// An unknown escape is kept as written, backslash included.
    pub cunescape_relax: bool,
    /// An unterminated quote or a trailing backslash ends the word instead
    /// of being an error.
    pub relax: bool,
}

/// Why a value could not be cut into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordError {
    /// A quote that is never closed.
    Unbalanced,
    /// A backslash that is not a known escape (or ends the value).
    BadEscape,
}

/// One escape after a backslash: the bytes it stands for and how many
/// input bytes it took. `None` for an escape systemd does not know,
/// including every form of a NUL byte.
pub fn unescape_one(p: &[u8]) -> Option<(Vec<u8>, usize)> {
    let hex = |b: u8| (b as char).to_digit(16);
    let c = *p.first()?;
    let simple = match c {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' => Some(b'\\'),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        b's' => Some(b' '),
        _ => None,
    };
    if let Some(b) = simple {
        return Some((vec![b], 1));
    }
    match c {
        b'x' => {
            let (a, b) = (hex(*p.get(1)?)?, hex(*p.get(2)?)?);
            let v = (a << 4) | b;
            (v != 0).then(|| (vec![v as u8], 3))
        }
        b'u' | b'U' => {
            let n = if c == b'u' { 4 } else { 8 };
            let mut v: u32 = 0;
            for i in 1..=n {
                v = (v << 4) | hex(*p.get(i)?)?;
            }
            if v == 0 || (c == b'U' && !unichar_is_valid(v)) {
                return None;
            }
            Some((encode_utf8(v), n + 1))
        }
        b'0'..=b'7' => {
            let oct = |i: usize| {
                p.get(i)
                    .filter(|b| (b'0'..=b'7').contains(b))
                    .map(|b| u32::from(b - b'0'))
            };
            let v = (oct(0)? << 6) | (oct(1)? << 3) | oct(2)?;
            (v != 0 && v <= 255).then(|| (vec![v as u8], 3))
        }
        _ => None,
    }
}

/// systemd's rule for a code point given as `\UXXXXXXXX`.
fn unichar_is_valid(c: u32) -> bool {
    c < 0x11_0000
        && (c & 0xFFFF_F800) != 0xD800
        && !(0xFDD0..=0xFDEF).contains(&c)
        && (c & 0xFFFE) != 0xFFFE
}

/// UTF-8 encoding of any code point below 2^31, surrogates included, as
/// systemd writes `\uD800` (Rust's `char` cannot hold those).
fn encode_utf8(c: u32) -> Vec<u8> {
    match c {
        0..=0x7f => vec![c as u8],
        0x80..=0x7ff => vec![0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8],
        0x800..=0xffff => vec![
            0xe0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ],
        _ => vec![
            0xf0 | (c >> 18) as u8,
            0x80 | ((c >> 12) & 0x3f) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ],
    }
}

/// A word read, and the input left after it (and after the white space
/// that follows it).
pub type Word<'a> = (Vec<u8>, &'a [u8]);

/// Words read up to an error, and the error.
pub type Partial = (Vec<Vec<u8>>, WordError);

/// The first word of `input` and the rest after it; `Ok(None)` when only
/// white space is left.
pub fn first_word(input: &[u8], flags: Flags) -> Result<Option<Word<'_>>, WordError> {
    let start = match input.iter().position(|&b| !is_blank(b)) {
        Some(i) => i,
        None => return Ok(None),
    };
    let mut word = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = start;
    loop {
        let Some(&c) = input.get(i) else {
            if quote.is_some() && !flags.relax {
                return Err(WordError::Unbalanced);
            }
            return Ok(Some((word, &input[i..])));
        };
        if c == b'\\' {
            i += 1;
            let Some(&next) = input.get(i) else {
                // a backslash ends the value
                if flags.cunescape_relax && (quote.is_none() || flags.relax) {
                    word.push(b'\\');
                } else if !flags.relax {
                    return Err(WordError::BadEscape);
                }
                return Ok(Some((word, &input[i..])));
            };
            if flags.cunescape {
                match unescape_one(&input[i..]) {
                    Some((bytes, used)) => {
                        word.extend_from_slice(&bytes);
                        i += used;
                    }
                    None if flags.cunescape_relax => {
                        word.push(b'\\');
                        word.push(next);
                        i += 1;
                    }
                    None => return Err(WordError::BadEscape),
                }
            } else {
                word.push(next);
                i += 1;
            }
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if flags.unquote && (c == b'\'' || c == b'"') => quote = Some(c),
            None if is_blank(c) => {
                let rest = input[i..]
                    .iter()
                    .position(|&b| !is_blank(b))
                    .map_or(&input[input.len()..], |j| &input[i + j..]);
                return Ok(Some((word, rest)));
            }
            None => word.push(c),
        }
        i += 1;
    }
}

/// Every word of `input`. On an error, the words read before it and the
/// error: systemd keeps what it read up to the bad word in some settings
/// (`Environment=`) and drops the whole line in others.
pub fn words(input: &[u8], flags: Flags) -> Result<Vec<Vec<u8>>, Partial> {
    let mut out = Vec::new();
    let mut rest = input;
    loop {
        match first_word(rest, flags) {
            Ok(Some((w, r))) => {
                out.push(w);
                rest = r;
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err((out, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: Flags = Flags {
        unquote: true,
        cunescape: true,
        cunescape_relax: false,
        relax: false,
    };

    fn w(s: &str, f: Flags) -> Result<Vec<String>, WordError> {
        words(s.as_bytes(), f)
            .map(|v| {
                v.into_iter()
                    .map(|x| String::from_utf8(x).unwrap())
                    .collect()
            })
            .map_err(|(_, e)| e)
    }

    #[test]
    fn quotes_group_and_vanish_anywhere_in_a_word() {
        // systemd.syntax(7): quoting with "..." and '...', escapes inside both
        assert_eq!(
            w(r#""A=one two" B=three 'C=fo\x41ur'"#, ENV).unwrap(),
            ["A=one two", "B=three", "C=foAur"]
        );
        assert_eq!(w(r#"E="x y"z"#, ENV).unwrap(), ["E=x yz"]);
        assert_eq!(w(r#"a"b"'c'd"#, ENV).unwrap(), ["abcd"]);
        assert_eq!(w(r#""" '' x"#, ENV).unwrap(), ["", "", "x"]);
        assert_eq!(w("  \t a \n\r b  ", ENV).unwrap(), ["a", "b"]);
        assert_eq!(w("", ENV).unwrap(), Vec::<String>::new());
        assert_eq!(
            w(r#""it's" 'say "hi"'"#, ENV).unwrap(),
            ["it's", "say \"hi\""]
        );
    }

    #[test]
    fn c_escapes() {
        assert_eq!(
            w(r#"\a\b\f\n\r\t\v\\\"\'\s"#, ENV).unwrap(),
            ["\x07\x08\x0c\n\r\t\x0b\\\"' "]
        );
        assert_eq!(w(r"\x41\101\u00e9\U0001F600", ENV).unwrap(), ["AAé😀"]);
        // an escaped blank does not separate
        assert_eq!(w(r"a\sb a\x20b", ENV).unwrap(), ["a b", "a b"]);
        // NUL in every form, unknown escapes, short forms: errors
        for bad in [
            r"\x00",
            r"\000",
            r"\u0000",
            r"\U00000000",
            r"\q",
            r"\ ",
            r"\x4",
            r"\08",
            r"\UD800DC00",
            r"\U0000FFFF",
            r"\400",
        ] {
            assert_eq!(w(bad, ENV), Err(WordError::BadEscape), "{bad}");
        }
        // \u takes surrogates as systemd does (the result is not UTF-8)
        assert_eq!(words(br"\uD800", ENV).unwrap(), [vec![0xed, 0xa0, 0x80]]);
        // \x gives a raw byte
        assert_eq!(words(br"\xff", ENV).unwrap(), [vec![0xff]]);
    }

    #[test]
    fn errors_and_the_relaxed_forms() {
        assert_eq!(w(r#""open"#, ENV), Err(WordError::Unbalanced));
        assert_eq!(w(r"end\", ENV), Err(WordError::BadEscape));
        let relax = Flags {
            cunescape_relax: true,
            ..ENV
        };
        assert_eq!(w(r"a\qb end\", relax).unwrap(), [r"a\qb", r"end\"]);
        assert_eq!(w(r#""open"#, relax), Err(WordError::Unbalanced));
        // the split of a $VAR's value: quotes removed, unbalanced ones and a
        // trailing backslash forgiven, a backslash takes the next byte as is
        let var = Flags {
            unquote: true,
            relax: true,
            ..Flags::default()
        };
        assert_eq!(w(r#"a "b c" 'd\ e\n"#, var).unwrap(), ["a", "b c", "d en"]);
        assert_eq!(w(r"x\ y z\", var).unwrap(), ["x y", "z"]);
        // words kept up to an error
        assert_eq!(
            words(br"A=1 B=\q C=3", ENV),
            Err((vec![b"A=1".to_vec()], WordError::BadEscape))
        );
    }
}
