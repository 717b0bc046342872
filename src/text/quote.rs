//! Showing any bytes safely: in messages, in the `+ exec` trace line and in
//! the shell script `render --format shell` writes.
//!
//! Admin values reach messages (a notice quotes the tag it warns about, an
//! error the engine program it could not find), and so does whatever a
//! hostile or mistaken value holds: a newline that would start a second
//! journal line looking like the wrapper's own, a carriage return or a
//! terminal escape that would overwrite what a person reads, bytes that are
//! not UTF-8. [`escape_into`] is the one way such a value is shown, and
//! [`line`] the guard every message passes on its way out: both write a
//! character that could break or disguise a line the same way ([`is_unsafe`]:
//! `\n`, `\t`, `\r`, else `\xHH` for each byte), so a message is always one
//! inert line.
//!
//! The trace line quotes words for bash ([`join`]: `$'...'` with the same
//! escapes), so that it can be pasted into a terminal. The script is POSIX
//! sh ([`sh_word`], [`printf_format`]): dash has no `$'...'`, so a word with
//! such characters is produced by `printf` from octal escapes instead.

use std::ffi::OsStr;
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;

/// Characters that must not appear raw in a line a person or a program
/// reads: control characters (C0, DEL, C1: newline, carriage return,
/// escape, ...), the Unicode line and paragraph separators, and the
/// bidirectional controls that reorder what is displayed.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Writes one unsafe character (or a backslash) escaped: `\n`, `\t`, `\r`,
/// `\\`, else `\xHH` for each of its UTF-8 bytes.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\\' => out.push_str("\\\\"),
        c => {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
}

/// Appends `bytes` as text that shows every byte and is one inert line:
/// printable UTF-8 as it is, a backslash doubled, unsafe characters
/// ([`is_unsafe`]) and bytes that are not UTF-8 escaped (`\n`, `\x1b`,
/// `\xff`). The escapes are those of bash's `$'...'` and of C.
pub fn escape_into(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' || is_unsafe(c) {
                push_escaped(out, c);
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
}

/// `bytes` shown as [`escape_into`] shows them.
pub fn escape(bytes: impl AsRef<[u8]>) -> String {
    let mut out = String::new();
    escape_into(&mut out, bytes.as_ref());
    out
}

/// The message as one inert line: any unsafe character left in it (a value
/// that reached it without [`escape`]) is escaped as [`escape_into`] does.
/// Backslashes are kept: those in a message are the escapes of its values.
pub fn line(msg: &str) -> String {
    if !msg.chars().any(is_unsafe) {
        return msg.to_string();
    }
    let mut out = String::with_capacity(msg.len() + 8);
    for c in msg.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes that need no quoting in either shell.
fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b','
        )
}

/// Whether single quotes can carry `bytes` as they are and keep the line
/// inert: valid UTF-8 without unsafe characters.
fn printable(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| !s.chars().any(is_unsafe))
}

/// Appends `bytes` in single quotes (a `'` as `'\''`): POSIX, and the same
/// in bash.
fn single_quote_into(out: &mut String, bytes: &[u8]) {
    out.push('\'');
    // printable() held: valid UTF-8
    out.push_str(
        &std::str::from_utf8(bytes)
            .unwrap_or_default()
            .replace('\'', "'\\''"),
    );
    out.push('\'');
}

/// Appends `word` quoted for bash (what the `+ exec` line shows): bare when
/// it can be, else in single quotes, else as `$'...'` with [`escape_into`]'s
/// escapes (and `\'`), so the line stays one line.
pub fn quote_into(out: &mut String, word: &OsStr) {
    let bytes = word.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(|&b| is_bare(b)) {
        // is_bare() is ASCII
        out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
    } else if printable(bytes) {
        single_quote_into(out, bytes);
    } else {
        out.push_str("$'");
        out.push_str(&escape(bytes).replace('\'', "\\'"));
        out.push('\'');
    }
}

/// The words quoted for bash ([`quote_into`]) and joined by single spaces:
/// pasting them into bash gives back the same words, and they are one line.
pub fn join<'a>(words: impl IntoIterator<Item = &'a OsStr>) -> String {
    let mut out = String::new();
    for (i, w) in words.into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        quote_into(&mut out, w);
    }
    out
}

/// `word` as one POSIX sh word, bare or in single quotes, when that keeps
/// the script's lines printable; `None` for a word with unsafe characters or
/// bytes that are not UTF-8, which [`printf_format`] produces instead.
pub fn sh_word(word: &OsStr) -> Option<String> {
    let bytes = word.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(|&b| is_bare(b)) {
        return Some(String::from_utf8_lossy(bytes).into_owned());
    }
    if !printable(bytes) {
        return None;
    }
    let mut out = String::new();
    single_quote_into(&mut out, bytes);
    Some(out)
}

/// A `printf` format, printable ASCII only, that prints exactly `bytes`:
/// each byte other than printable ASCII, `'`, and a leading `-` (which
/// bash's printf would read as an option) as a three-digit octal escape
/// `\ooo`, `\` as `\\`, `%` as `%%`. POSIX printf and dash's and bash's
/// builtins read the same escapes. To be put in single quotes.
pub fn printf_format(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'%' => out.push_str("%%"),
            b'-' if i == 0 => out.push_str("\\055"),
            b'\'' => out.push_str("\\047"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(b: &[u8]) -> String {
        join([OsStr::from_bytes(b)])
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
        assert_eq!(q("\u{202e}x".as_bytes()), "$'\\xe2\\x80\\xaex'");
        assert_eq!(q(b"\\\x1b"), "$'\\\\\\x1b'");
    }

    #[test]
    fn escapes_are_one_inert_line() {
        assert_eq!(escape(b"v1.25.4"), "v1.25.4");
        assert_eq!(escape(b"a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
        assert_eq!(escape(b"\x1b[2J\x7f"), "\\x1b[2J\\x7f");
        assert_eq!(escape(b"-\xff"), "-\\xff");
        assert_eq!(
            escape("\u{85}\u{2028}é".as_bytes()),
            "\\xc2\\x85\\xe2\\x80\\xa8é"
        );
        // a message keeps the escapes of its values and loses raw breaks
        let msg = format!(
            "KUBELET_IMAGE_TAG={} is odd\nkubelet-wrapper: ok",
            escape("a\\b")
        );
        assert_eq!(
            line(&msg),
            "KUBELET_IMAGE_TAG=a\\\\b is odd\\nkubelet-wrapper: ok"
        );
        assert_eq!(line("plain"), "plain");
    }

    #[test]
    fn sh_words_and_printf_formats() {
        assert_eq!(sh_word(OsStr::new("--v=2")).as_deref(), Some("--v=2"));
        assert_eq!(sh_word(OsStr::new("")).as_deref(), Some("''"));
        assert_eq!(
            sh_word(OsStr::new("it's $x")).as_deref(),
            Some("'it'\\''s $x'")
        );
        assert_eq!(sh_word(OsStr::new("a\nb")), None);
        assert_eq!(sh_word(OsStr::from_bytes(b"\xff")), None);
        assert_eq!(
            printf_format(b"-a\n%'\\\xff"),
            "\\055a\\012%%\\047\\\\\\377"
        );
        assert!(
            printf_format(&(0..=255).collect::<Vec<u8>>())
                .bytes()
                .all(|b| (0x20..0x7f).contains(&b))
        );
    }

    /// The same words, read back by each shell.
    fn read_back(shell: &str, script: &[u8]) -> Vec<Vec<u8>> {
        let out = std::process::Command::new(shell)
            .arg("-c")
            .arg(OsStr::from_bytes(script))
            .output()
            .unwrap_or_else(|e| panic!("{shell} runs: {e}"));
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<Vec<u8>> = out.stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        got.pop();
        got
    }

    fn hostile() -> Vec<&'static [u8]> {
        vec![
            b"plain",
            b"",
            b"a b",
            b"'",
            b"\"$HOME\"",
            b"`x`",
            b"\xff\xfe",
            b"tab\there",
            b"new\nline",
            b"trailing\n\n",
            b"back\\slash",
            b"!bang",
            b"~",
            b"#c",
            b"\x01",
            b"*?[a]",
            b"-n",
            b"-v",
            b"%s%%",
            b"\\101",
            "ü\u{202e}".as_bytes(),
        ]
    }

    /// Pasting the trace line's words into bash gives back the same bytes.
    #[test]
    fn bash_reads_back_the_same_words() {
        let words = hostile();
        let mut script = b"for w in ".to_vec();
        script.extend_from_slice(join(words.iter().map(|w| OsStr::from_bytes(w))).as_bytes());
        script.extend_from_slice(b"; do printf '%s\\0' \"$w\"; done");
        assert_eq!(read_back("bash", &script), words);
    }

    /// The POSIX forms give back the same bytes under dash and bash.
    #[test]
    fn posix_shells_read_back_the_same_words() {
        let words = hostile();
        let mut script = String::from("set --\n");
        for w in &words {
            match sh_word(OsStr::from_bytes(w)) {
                Some(q) => script.push_str(&format!("set -- \"$@\" {q}\n")),
                None => script.push_str(&format!(
                    "w=$(printf '{}_'); set -- \"$@\" \"${{w%_}}\"\n",
                    printf_format(w)
                )),
            }
        }
        script.push_str("printf '%s\\0' \"$@\"\n");
        assert!(
            script
                .bytes()
                .all(|b| b == b'\n' || (0x20..0x7f).contains(&b) || b >= 0x80)
        );
        for shell in ["dash", "bash"] {
            assert_eq!(read_back(shell, script.as_bytes()), words, "{shell}");
        }
    }
}
