//! JSON as the tool writes it: serde_json, from each subcommand's own
//! `Serialize` structs, with two conventions of the project's.
//!
//! - Bytes that are not UTF-8 survive ([`Bytes`]): each byte that is not
//!   part of valid UTF-8 is written as a lone surrogate `\udcXX` (the
//!   "surrogateescape" convention of PEP 383; Python's `json.loads(...)`
//!   then `.encode('utf-8', 'surrogateescape')` gives back the exact
//!   bytes). Such a string is no Rust `str`, so it goes out as a raw value
//!   that this module writes; valid UTF-8 is an ordinary JSON string.
//!   Control characters other than `\n`, `\t` and `\r`, and DEL, are
//!   written `\u00XX`.
//! - The layout is each output's documented one ([`Layout`]): a container
//!   is written on one line (`["a", "b"]`, `{"k": "v"}`) unless the output
//!   names it to be written one item per line, each level of those
//!   indented by two spaces.

use serde::{Serialize, Serializer};
use serde_json::ser::{CharEscape, Formatter};
use serde_json::value::RawValue;
use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;

/// A JSON string of any bytes (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    /// The bytes of a path, an argument, any `OsStr`.
    pub fn os(s: &'a (impl AsRef<OsStr> + ?Sized)) -> Self {
        Bytes(s.as_ref().as_bytes())
    }
}

/// Each of `items` as a JSON string of its bytes.
pub fn each<'a, T: AsRef<OsStr> + ?Sized + 'a>(
    items: impl IntoIterator<Item = &'a T>,
) -> Vec<Bytes<'a>> {
    items.into_iter().map(Bytes::os).collect()
}

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(self.0) {
            Ok(text) => s.serialize_str(text),
            Err(_) => {
                let raw = RawValue::from_string(literal(self.0))
                    .expect("a string literal of escapes is JSON");
                raw.serialize(s)
            }
        }
    }
}

/// The JSON string literal of `bytes`: the valid parts as serde_json
/// writes them with this module's escapes, each other byte `\udcXX`.
fn literal(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        let valid = to_string(&chunk.valid(), &Layout::INLINE);
        out.push_str(&valid[1..valid.len() - 1]);
        for b in chunk.invalid() {
            out.push_str(&format!("\\udc{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// Which containers of an output are written one item per line, by name:
/// `""` the whole value, `KEY` the value of a field `KEY` (at any depth),
/// `KEY[]` each item of the array that is the value of `KEY`. Every other
/// container is written on one line.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The names, in groups (an output's own, and the unit's).
    pub lines: &'static [&'static [&'static str]],
    /// The indentation of each level of lines.
    pub indent: &'static str,
}

impl Layout {
    /// Everything on one line.
    pub const INLINE: Layout = Layout {
        lines: &[],
        indent: "  ",
    };

    /// The whole value one field per line, its fields on one line each.
    pub const FIELDS: Layout = Layout {
        lines: &[&[""]],
        indent: "  ",
    };
}

/// The names of the containers of a unit (`unit` in render's and
/// explain's output) that are written one item per line.
pub const UNIT_LINES: [&str; 6] = [
    "unit",
    "files",
    "environment",
    "environment[]",
    "findings",
    "findings[]",
];

/// `value` as JSON laid out by `layout`, with a final newline.
pub fn to_string<T: Serialize + ?Sized>(value: &T, layout: &Layout) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Lines::new(layout));
    value
        .serialize(&mut ser)
        .expect("the tool's output serializes");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`to_string`] with the final newline every output ends with.
pub fn document<T: Serialize + ?Sized>(value: &T, layout: &Layout) -> String {
    let mut out = to_string(value, layout);
    out.push('\n');
    out
}

/// An open container.
struct Open {
    name: String,
    lines: bool,
    empty: bool,
    array: bool,
}

/// The formatter behind [`to_string`]: the layout, and the escapes.
struct Lines<'l> {
    layout: &'l Layout,
    open: Vec<Open>,
    /// The last key written, and whether one is being written.
    key: String,
    in_key: bool,
}

impl<'l> Lines<'l> {
    fn new(layout: &'l Layout) -> Self {
        Lines {
            layout,
            open: Vec::new(),
            key: String::new(),
            in_key: false,
        }
    }

    fn begin<W: ?Sized + Write>(&mut self, w: &mut W, array: bool) -> io::Result<()> {
        let name = match self.open.last() {
            None => String::new(),
            Some(o) if o.array => format!("{}[]", o.name),
            Some(_) => self.key.clone(),
        };
        let lines = self.layout.lines.iter().any(|g| g.contains(&name.as_str()));
        self.open.push(Open {
            name,
            lines,
            empty: true,
            array,
        });
        w.write_all(if array { b"[" } else { b"{" })
    }

    fn end<W: ?Sized + Write>(&mut self, w: &mut W, array: bool) -> io::Result<()> {
        let o = self.open.pop().expect("a container is open");
        if o.lines && !o.empty {
            self.newline(w)?;
        }
        w.write_all(if array { b"]" } else { b"}" })
    }

    /// A new line, indented for the items of the open containers.
    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in self.open.iter().filter(|o| o.lines) {
            w.write_all(self.layout.indent.as_bytes())?;
        }
        Ok(())
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        let o = self.open.last_mut().expect("an item is in a container");
        o.empty = false;
        if o.lines {
            self.newline(w)
        } else if !first {
            w.write_all(b" ")
        } else {
            Ok(())
        }
    }
}

impl Formatter for Lines<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, true)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, true)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, false)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, false)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.key.clear();
        self.in_key = true;
        self.item(w, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.in_key = false;
        Ok(())
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        if self.in_key {
            self.key.push_str(s);
        }
        // DEL is no JSON escape, but no less a control character
        let mut parts = s.split('\x7f');
        w.write_all(parts.next().unwrap_or_default().as_bytes())?;
        for p in parts {
            w.write_all(b"\\u007f")?;
            w.write_all(p.as_bytes())?;
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + Write>(&mut self, w: &mut W, e: CharEscape) -> io::Result<()> {
        match e {
            // short forms only for the three that messages show so too
            CharEscape::Backspace => w.write_all(b"\\u0008"),
            CharEscape::FormFeed => w.write_all(b"\\u000c"),
            e => serde_json::ser::CompactFormatter.write_char_escape(w, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &[u8]) -> String {
        to_string(&Bytes(b), &Layout::INLINE)
    }

    #[test]
    fn escapes() {
        assert_eq!(s(b"a\"b\\c\n\x01"), r#""a\"b\\c\n\u0001""#);
        assert_eq!(s(b"\x08\x0c\x7f\t\r/"), r#""\u0008\u000c\u007f\t\r/""#);
        assert_eq!(s(b"x\xffy"), r#""x\udcffy""#);
        assert_eq!(s(b"\xff\"\x7f\xc3"), r#""\udcff\"\u007f\udcc3""#);
        assert_eq!(s("é".as_bytes()), "\"é\"");
        assert_eq!(
            to_string(&each([OsStr::new("a"), OsStr::new("")]), &Layout::INLINE),
            r#"["a", ""]"#
        );
    }

    #[derive(Serialize)]
    struct Outer {
        a: &'static str,
        b: Vec<Inner>,
        c: Vec<String>,
        d: Vec<Vec<u8>>,
        e: Option<Inner>,
        f: Vec<Inner>,
    }

    #[derive(Serialize)]
    struct Inner {
        n: usize,
        m: Vec<&'static str>,
    }

    #[test]
    fn lines_where_the_layout_says() {
        let v = Outer {
            a: "x",
            b: vec![
                Inner { n: 1, m: vec![] },
                Inner {
                    n: 2,
                    m: vec!["p", "q"],
                },
            ],
            c: vec![],
            d: vec![vec![1, 2], vec![]],
            e: Some(Inner { n: 3, m: vec![] }),
            f: vec![],
        };
        let layout = Layout {
            lines: &[&["", "b", "b[]"], &["m", "c", "f"]],
            indent: "  ",
        };
        assert_eq!(
            to_string(&v, &layout),
            r#"{
  "a": "x",
  "b": [
    {
      "n": 1,
      "m": []
    },
    {
      "n": 2,
      "m": [
        "p",
        "q"
      ]
    }
  ],
  "c": [],
  "d": [[1, 2], []],
  "e": {"n": 3, "m": []},
  "f": []
}"#
        );
        let back: serde_json::Value = serde_json::from_str(&to_string(&v, &layout)).unwrap();
        assert_eq!(back["b"][1]["m"][1], "q");
    }

    #[test]
    fn valid_utf8_output_parses_back() {
        let v: Vec<String> = serde_json::from_str(&to_string(
            &each([OsStr::new("é \" \\ \t\x08"), OsStr::new("\u{7f}")]),
            &Layout::INLINE,
        ))
        .unwrap();
        assert_eq!(v, ["é \" \\ \t\x08", "\u{7f}"]);
    }
}
