//! What the js2xmlparser and xml2js `Builder` converters ([`super::js2xmlparser`],
//! [`super::xml2js_build`]) share: their error type (fast-xml-parser's builder's, same meaning),
//! reading the bridge's JSON, JS `String(value)` for JSON values, UTF-16 lengths, XML name and
//! character classes, and option readers. Both read `serde_json::Value`s (members in text order:
//! `preserve_order`; numbers exact: `float_roundtrip`, so `123456789012345680000` prints as JS
//! prints it).

pub use super::fxp_build::{BuildError, BuildErrorKind};
use super::js_number::js_number_to_string;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// [`js_string`] without copying strings.
pub fn js_str(v: &Value) -> Result<Cow<'_, str>, Unsup> {
    match v {
        Value::String(s) => Ok(Cow::Borrowed(s.as_str())),
        _ => js_string(v).map(Cow::Owned),
    }
}

/// Children of a tree node as a linked list in one vector (fewer allocations than a Vec each).
pub const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq)]
pub enum KidKind {
    El,
    Text,
    Other, // CDATA (js2xmlparser) / raw (xml2js)
}

#[derive(Clone, Copy)]
pub struct Kid {
    pub kind: KidKind,
    /// Element index, or start of the text in the shared buffer.
    pub a: u32,
    /// End of the text in the shared buffer.
    pub b: u32,
    pub next: u32,
}

/// `String(v)` / `'' + v` for a value that came through JSON. Objects with an own `toString`
/// key (not callable after JSON) would throw a TypeError in JS: Unsupported.
pub fn js_string(v: &Value) -> Result<String, Unsup> {
    Ok(match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => js_number_to_string(n.as_f64().ok_or(Unsup)?),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        Value::Null => "null".into(),
        Value::Array(a) => {
            // Array.prototype.join(",") with null → "".
            let mut s = String::new();
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                if !x.is_null() {
                    s.push_str(&js_string(x)?);
                }
            }
            s
        }
        Value::Object(m) => {
            if m.contains_key("toString") || is_marker(v) {
                return Err(Unsup);
            }
            "[object Object]".into()
        }
    })
}

/// JS truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0 && !x.is_nan()),
        Value::String(s) => !s.is_empty(),
        _ => !is_marker(v),
    }
}

/// The bridge encodes an option whose value is `undefined` as `{"$fnhost":"undefined"}`.
pub fn is_marker(v: &Value) -> bool {
    matches!(v, Value::Object(m) if m.len() == 1 && m.get("$fnhost").is_some())
}

/// An option value: `None` when absent or `undefined`.
pub fn opt<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !is_marker(v))
}

/// Was the key given at all (even as `undefined`)?
pub fn given(m: &Map<String, Value>, key: &str) -> bool {
    m.contains_key(key)
}

pub fn u16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// XML 1.0 Char (what xmlcreate's `validateChar` accepts; strings here have no lone surrogates).
pub fn xml_char_ok(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// NameStartChar, with the astral range limited to U+10000..U+EFFFF (both libraries accept only
/// high surrogates D800-DB7F).
pub fn name_start(c: char) -> bool {
    matches!(c as u32,
        0x3A | 0x5F | 0x41..=0x5A | 0x61..=0x7A | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF
        | 0x370..=0x37D | 0x37F..=0x1FFF | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF
        | 0x3001..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

pub fn name_char(c: char) -> bool {
    name_start(c)
        || matches!(c as u32, 0x2D | 0x2E | 0x30..=0x39 | 0xB7 | 0x300..=0x36F | 0x203F..=0x2040)
}

pub fn valid_name(s: &str) -> bool {
    let mut it = s.chars();
    match it.next() {
        None => false,
        Some(c) => name_start(c) && it.all(name_char),
    }
}

/// Appends `'` or `"`-quoted-safe text: shared escaping loop for simple replacements.
pub fn push_escaped(out: &mut String, s: &str, map: impl Fn(char) -> Option<&'static str>) {
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if let Some(r) = map(c) {
            out.push_str(&s[last..i]);
            out.push_str(r);
            last = i + c.len_utf8();
        }
    }
    out.push_str(&s[last..]);
}

pub fn invalid(msg: String) -> BuildError {
    BuildError {
        kind: BuildErrorKind::Invalid,
        message: msg,
    }
}

/// Internal "not reproduced" marker, turned into `Unsupported`.
#[derive(Debug, Clone, Copy)]
pub struct Unsup;

impl From<Unsup> for BuildError {
    fn from(_: Unsup) -> Self {
        unsupported("not reproduced")
    }
}

pub fn unsupported(why: &str) -> BuildError {
    BuildError {
        kind: BuildErrorKind::Unsupported,
        message: why.into(),
    }
}

/// A JSON text from the bridge; lone surrogates (escaped by `JSON.stringify`) are rejected by
/// serde_json: Unsupported, and the bridge runs the real package.
pub fn parse_json(text: &str, what: &str) -> Result<Value, BuildError> {
    serde_json::from_str(text).map_err(|e| unsupported(&format!("{what} JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::{js_string, parse_json};

    /// `String(n)` for numbers read from the bridge's JSON: exact only because serde_json
    /// parses floats with `float_roundtrip` (without it, numbers beyond 2^64 may come out one
    /// unit in the last place off, e.g. 123456789012345680000 as 123456789012345660000).
    #[test]
    fn numbers_read_exactly_print_as_javascript_does() {
        for (json, js) in [
            ("123456789012345680000", "123456789012345680000"),
            ("999999999999999900000", "999999999999999900000"),
            ("1e21", "1e+21"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("1e-7", "1e-7"),
            ("-0", "0"),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("[1,null,[2,3],\"x\"]", "1,,2,3,x"),
            ("{\"a\":1}", "[object Object]"),
        ] {
            let v = parse_json(json, "test").unwrap();
            assert_eq!(js_string(&v).unwrap(), js, "{json}");
        }
    }

    /// JSON.stringify escapes lone surrogates; serde_json refuses them: the real package runs.
    #[test]
    fn lone_surrogates_are_left_to_the_real_package() {
        let e = parse_json("\"\\ud800\"", "object").unwrap_err();
        assert_eq!(e.kind, super::BuildErrorKind::Unsupported);
    }
}
