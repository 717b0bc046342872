//! UTF-8 as systemd checks it (`utf8_is_valid()`, src/basic/utf8.c): the
//! encoding rules every validator has (no stray continuation bytes, no
//! overlong forms, no surrogates, nothing past U+10FFFF), and two more of
//! its own: the noncharacters U+FDD0 to U+FDEF, and U+xFFFE and U+xFFFF of
//! every plane, are refused too. A unit line, an `Environment=` value or
//! an environment file that holds one is "not UTF-8 clean" for systemd,
//! although Rust's `str` accepts it.

/// Whether systemd takes `b` as valid UTF-8.
pub fn is_valid(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(s) => s.chars().all(char_is_valid),
        Err(_) => false,
    }
}

/// systemd's `unichar_is_valid()`, past what a Rust `char` already rules
/// out (surrogates, values past U+10FFFF).
pub fn char_is_valid(c: char) -> bool {
    let c = u32::from(c);
    !(0xFDD0..=0xFDEF).contains(&c) && (c & 0xFFFE) != 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemds_rules() {
        for ok in [
            &b""[..],
            b"ascii",
            "é€😀".as_bytes(),
            "\u{FDCF}\u{FDF0}".as_bytes(),
        ] {
            assert!(is_valid(ok), "{ok:?}");
        }
        for bad in [
            &b"\xff"[..],
            b"\xc0\x80",         // overlong NUL
            b"\xed\xa0\x80",     // a surrogate
            b"\xf4\x90\x80\x80", // past U+10FFFF
            b"\xe0\x80",         // truncated
            "\u{FDD0}".as_bytes(),
            "\u{FDEF}".as_bytes(),
            "\u{FFFE}".as_bytes(),
            "\u{FFFF}".as_bytes(),
            "\u{1FFFE}".as_bytes(),
            "\u{10FFFF}".as_bytes(),
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }
}
