//! os-release(5) text, parsed without a shell: what a host says of its
//! operating system and version, for [`super::select`]. Pure; the file is
//! read by `crate::host::os_release`, with a size bound.
//!
//! What it holds decides which release's system layer runs as root, so
//! [`parse`] never fails and never interprets: a line it cannot read is
//! skipped.

/// The assignments of an os-release file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsRelease {
    pub fields: Vec<(String, Vec<u8>)>,
}

impl OsRelease {
    /// The value of the last assignment of `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// `ID` and the words of `ID_LIKE`: the operating system and those it
    /// derives from.
    pub fn ids(&self) -> impl Iterator<Item = &[u8]> {
        self.get("ID").into_iter().chain(
            self.get("ID_LIKE")
                .unwrap_or_default()
                .split(|b| b.is_ascii_whitespace())
                .filter(|w| !w.is_empty()),
        )
    }
}

/// Parses os-release text: `KEY=VALUE` lines, `#` comments and blank lines
/// ignored; a value is bare or in double quotes (where `\` escapes `"`,
/// `\`, `$` and a backtick) or in single quotes (taken as is). A line that is
/// none of these (no `=`, a key that is not `[A-Za-z_][A-Za-z0-9_]*`, an
/// unclosed quote, text after the closing quote) is skipped. Never fails.
pub fn parse(text: &[u8]) -> OsRelease {
    let mut fields = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = &line[..eq];
        let key_ok = key
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && key.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if !key_ok {
            continue;
        }
        if let Some(value) = unquote(&line[eq + 1..]) {
            // key_ok: ASCII
            fields.push((String::from_utf8_lossy(key).into_owned(), value));
        }
    }
    OsRelease { fields }
}

/// A value as the shell would read it, or `None` for one it would not.
fn unquote(v: &[u8]) -> Option<Vec<u8>> {
    match v.first() {
        Some(b'"') => {
            let mut out = Vec::new();
            let mut i = 1;
            while i < v.len() {
                match v[i] {
                    b'"' => {
                        return v[i + 1..].trim_ascii().is_empty().then_some(out);
                    }
                    b'\\' if matches!(v.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) => {
                        out.push(v[i + 1]);
                        i += 2;
                    }
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            None
        }
        Some(b'\'') => {
            let end = v[1..].iter().position(|&b| b == b'\'')? + 1;
            v[end + 1..]
                .trim_ascii()
                .is_empty()
                .then(|| v[1..end].to_vec())
        }
        _ => {
            let mut out = Vec::new();
            let mut i = 0;
            while i < v.len() {
                if v[i] == b'\\' && i + 1 < v.len() {
                    i += 1;
                }
                out.push(v[i]);
                i += 1;
            }
            Some(out)
        }
    }
}

/// Whether `id` (an `ID` or `ID_LIKE` word) names the CoreOS family.
pub fn is_coreos_family(id: &[u8]) -> bool {
    matches!(id, b"coreos" | b"flatcar")
}

/// A short name of the host for messages: `ID VERSION_ID`, escaped.
pub fn describe(os: &OsRelease) -> String {
    let id = os.get("ID").unwrap_or(b"linux");
    match os.get("VERSION_ID") {
        Some(v) => format!(
            "{} {}",
            crate::text::quote::escape(id),
            crate::text::quote::escape(v)
        ),
        None => crate::text::quote::escape(id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &[u8], key: &str) -> Option<Vec<u8>> {
        parse(text).get(key).map(<[u8]>::to_vec)
    }

    #[test]
    fn value_forms() {
        let v = |t: &[u8]| get(t, "VERSION_ID");
        assert_eq!(
            v(b"NAME=CoreOS\nVERSION_ID=1688.5.3\n").unwrap(),
            b"1688.5.3"
        );
        assert_eq!(v(b"VERSION_ID=\"2512.3.0\"").unwrap(), b"2512.3.0");
        assert_eq!(v(b"VERSION_ID='2512.3.0'").unwrap(), b"2512.3.0");
        assert_eq!(v(b"  VERSION_ID=1.2.3  \r\n").unwrap(), b"1.2.3");
        assert_eq!(v(b"VERSION=1.2.3\nID=coreos\n"), None);
        assert_eq!(v(b"\xff\xfe\x00garbage"), None);
        assert_eq!(
            v(b"VERSION_ID=1.0.0\nVERSION_ID=2.0.0\n").unwrap(),
            b"2.0.0"
        );
        assert_eq!(v(b"# VERSION_ID=1.0.0\n"), None);
        assert_eq!(v(b"VERSION_ID=\"1.0.0\n"), None, "unclosed quote");
        assert_eq!(v(b"VERSION_ID=\"1\" \"2\"\n"), None, "text after the quote");
        assert_eq!(v(b"VERSION ID=1\n"), None);
        assert_eq!(
            get(
                b"PRETTY_NAME=\"A \\\"quoted\\\" \\$name\\\\ \\n\"",
                "PRETTY_NAME"
            )
            .unwrap(),
            b"A \"quoted\" $name\\ \\n"
        );
        let os = parse(b"ID=flatcar\nID_LIKE=\"coreos  other\"\n");
        let ids: Vec<&[u8]> = os.ids().collect();
        assert_eq!(ids, [&b"flatcar"[..], b"coreos", b"other"]);
        assert!(parse(b"").ids().next().is_none());
    }
}
