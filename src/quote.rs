//! Shell quoting for the `+ exec` line and `render --format shell`: every
//! word comes out so that pasting the line into bash runs the same argv.
//!
//! Words made only of safe characters are written bare; other printable
//! text goes in single quotes (a `'` as `'\''`); anything with control
//! characters or bytes that are not UTF-8 uses bash's `$'...'` form.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

fn is_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b','
        )
}

/// Appends `word`, quoted for bash, to `out`.
pub fn quote_into(out: &mut Vec<u8>, word: &OsStr) {
    let bytes = word.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(|&b| is_safe(b)) {
        out.extend_from_slice(bytes);
        return;
    }
    let printable = std::str::from_utf8(bytes).is_ok_and(|s| !s.chars().any(char::is_control));
    if printable {
        out.push(b'\'');
        for &b in bytes {
            if b == b'\'' {
                out.extend_from_slice(b"'\\''");
            } else {
                out.push(b);
            }
        }
        out.push(b'\'');
        return;
    }
    out.extend_from_slice(b"$'");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.extend_from_slice(b"\\n"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\'' => out.extend_from_slice(b"\\'"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
                    }
                }
                c => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        for b in chunk.invalid() {
            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        }
    }
    out.push(b'\'');
}

/// The words quoted and joined by single spaces.
pub fn join<'a>(words: impl IntoIterator<Item = &'a OsStr>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, w) in words.into_iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        quote_into(&mut out, w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(b: &[u8]) -> String {
        String::from_utf8(join([OsStr::from_bytes(b)])).unwrap()
    }

    #[test]
    fn quoting_forms() {
        assert_eq!(
            q(b"--volume=a,kind=host,source=/x"),
            "--volume=a,kind=host,source=/x"
        );
        assert_eq!(q(b""), "''");
        assert_eq!(q(b"a b"), "'a b'");
        assert_eq!(q(b"*"), "'*'");
        assert_eq!(q(b"it's"), "'it'\\''s'");
        assert_eq!(q(b"a\nb"), "$'a\\nb'");
        assert_eq!(q(b"\xffx'"), "$'\\xffx\\''");
        assert_eq!(q("é".as_bytes()), "'é'");
    }

    /// Pasting the quoted words into bash gives back the same bytes.
    #[test]
    fn bash_reads_back_the_same_words() {
        let words: Vec<&[u8]> = vec![
            b"plain",
            b"",
            b"a b",
            b"'",
            b"\"$HOME\"",
            b"`x`",
            b"\xff\xfe",
            b"tab\there",
            b"new\nline",
            b"back\\slash",
            b"!bang",
            b"~",
            b"#c",
            b"\x01",
            b"*?[a]",
            "ü".as_bytes(),
        ];
        let line = join(words.iter().map(|w| OsStr::from_bytes(w)));
        let mut script = b"for w in ".to_vec();
        script.extend_from_slice(&line);
        script.extend_from_slice(b"; do printf '%s\\0' \"$w\"; done");
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(OsStr::from_bytes(&script))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Vec<&[u8]> = out.stdout.split(|&b| b == 0).filter(|_| true).collect();
        assert_eq!(&got[..got.len() - 1], &words[..]);
    }
}
