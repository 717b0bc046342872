//! Word splitting as an unquoted shell expansion does it with the default
//! IFS: on runs of space, tab and newline; empty words vanish; quotes and
//! backslashes are ordinary characters and nothing is globbed.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// The default IFS characters.
fn is_ifs(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

/// Splits `s` into words. Works on bytes, so non-UTF-8 values survive.
pub fn split(s: &OsStr) -> Vec<OsString> {
    s.as_bytes()
        .split(|&b| is_ifs(b))
        .filter(|w| !w.is_empty())
        .map(|w| OsString::from_vec(w.to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Vec<String> {
        split(OsStr::new(x))
            .into_iter()
            .map(|w| w.into_string().unwrap())
            .collect()
    }

    #[test]
    fn splits_like_an_unquoted_expansion() {
        assert_eq!(s(""), Vec::<String>::new());
        assert_eq!(s(" \t\n "), Vec::<String>::new());
        assert_eq!(s("a"), ["a"]);
        assert_eq!(s("  a  b\t\tc\nd "), ["a", "b", "c", "d"]);
        // quotes, backslashes and globs are not special
        assert_eq!(
            s("'a b' \"c d\" e\\ f *"),
            ["'a", "b'", "\"c", "d\"", "e\\", "f", "*"]
        );
        // other white space is not IFS
        assert_eq!(s("a\rb\x0bc\x0cd"), ["a\rb\x0bc\x0cd"]);
        assert_eq!(
            s("--volume=x,kind=host,source=/a --mount volume=x,target=/a"),
            [
                "--volume=x,kind=host,source=/a",
                "--mount",
                "volume=x,target=/a"
            ]
        );
    }

    #[test]
    fn keeps_non_utf8_bytes() {
        let w = split(OsStr::from_bytes(b"\xff a\xfe"));
        assert_eq!(
            w,
            [
                OsString::from_vec(vec![0xff]),
                OsString::from_vec(vec![b'a', 0xfe])
            ]
        );
    }
}
