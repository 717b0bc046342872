//! A minimal JSON writer for the tool's output, so arguments that are not
//! UTF-8 survive: each byte that is not part of valid UTF-8 is written as a
//! lone surrogate `\udcXX` (the "surrogateescape" convention of PEP 383;
//! Python's `json.loads(...)` then `.encode('utf-8', 'surrogateescape')`
//! gives back the exact bytes). Valid UTF-8 is ordinary JSON.

use std::ffi::OsStr;
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;

/// Appends `bytes` as a JSON string literal.
pub fn string_into(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\udc{b:02x}");
        }
    }
    out.push('"');
}

/// A JSON string literal of any bytes (see [`string_into`]).
pub fn string(s: impl AsRef<[u8]>) -> String {
    let mut out = String::new();
    string_into(&mut out, s.as_ref());
    out
}

/// A JSON array of strings, on one line.
pub fn array<'a>(items: impl IntoIterator<Item = &'a OsStr>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        string_into(&mut out, item.as_bytes());
    }
    out.push(']');
    out
}

/// A JSON object of already encoded values, one field per line, its
/// closing brace at `indent`.
pub fn object(fields: &[(&str, String)], indent: &str) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(indent);
        out.push_str("  ");
        out.push_str(&string(k));
        out.push_str(": ");
        out.push_str(v);
    }
    if !fields.is_empty() {
        out.push('\n');
        out.push_str(indent);
    }
    out.push('}');
    out
}

/// A JSON array of already encoded values, one per line.
pub fn list(items: &[String], indent: &str) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let mut out = String::from("[");
    for (i, v) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(indent);
        out.push_str("  ");
        out.push_str(v);
    }
    out.push('\n');
    out.push_str(indent);
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(string("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\u0001""#);
        let mut s = String::new();
        string_into(&mut s, b"x\xffy");
        assert_eq!(s, r#""x\udcffy""#);
        assert_eq!(array([OsStr::new("a"), OsStr::new("")]), r#"["a", ""]"#);
    }

    #[test]
    fn objects_and_lists_parse_back() {
        let o = object(
            &[
                ("a", string("x")),
                ("b", list(&[string("1"), object(&[], "    ")], "  ")),
                ("c", list(&[], "  ")),
            ],
            "",
        );
        let v: serde_json::Value = serde_json::from_str(&o).unwrap();
        assert_eq!(v, serde_json::json!({"a": "x", "b": ["1", {}], "c": []}));
    }

    #[test]
    fn valid_utf8_output_parses_back() {
        let v: Vec<String> =
            serde_json::from_str(&array([OsStr::new("é \" \\ \t"), OsStr::new("\u{7f}")])).unwrap();
        assert_eq!(v, ["é \" \\ \t", "\u{7f}"]);
    }
}
