//! JavaScript value-to-text conversions used by the builder.

use super::node::Node;
use crate::ops::xml::js_number::push_js_number;
use std::borrow::Cow;

/// Appends JS `String(v)` for a JSON value. With `keep_neg_zero` a top-level `-0` prints
/// `"-0"` (fast-xml-builder's `valToStr`). Arrays join their elements with "," as
/// `Array.prototype.toString` does (null elements print nothing), objects print
/// `[object Object]`.
pub fn push_js_string(out: &mut String, v: &Node, keep_neg_zero: bool) {
    match v {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Num(f) => {
            if keep_neg_zero && *f == 0.0 && f.is_sign_negative() {
                out.push_str("-0");
            } else {
                push_js_number(out, *f);
            }
        }
        Node::Str(s) => out.push_str(s),
        Node::Arr(a) => {
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !e.is_null() {
                    push_js_string(out, e, false);
                }
            }
        }
        Node::Obj(_) => out.push_str("[object Object]"),
    }
}

/// JS `String(v)` (see [`push_js_string`]); borrows strings.
pub fn js_string<'v>(v: &'v Node, keep_neg_zero: bool) -> Cow<'v, str> {
    if let Node::Str(s) = v {
        return Cow::Borrowed(s);
    }
    let mut s = String::new();
    push_js_string(&mut s, v, keep_neg_zero);
    Cow::Owned(s)
}

/// Appends `s` with fast-xml-parser's default entity table applied
/// (`&`→`&amp;`, `>`→`&gt;`, `<`→`&lt;`, `'`→`&apos;`, `"`→`&quot;`; one pass is the
/// same as the library's sequential global replaces because `&` goes first).
pub fn push_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'>' => "&gt;",
            b'<' => "&lt;",
            b'\'' => "&apos;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Appends `s` with only the quotes escaped (fast-xml-builder's `escapeAttribute`).
pub fn push_quote_escaped(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'"' => "&quot;",
            b'\'' => "&apos;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// JS `s.replace(/--/g, '- -')`: non-overlapping, left to right.
pub fn replace_double_dash(s: &str) -> String {
    s.replace("--", "- -")
}

/// JS `s.substr(n)` with `n` counted in UTF-16 code units. `None` when the cut would split
/// a surrogate pair (the JS result would hold a lone surrogate a Rust string cannot).
pub fn substr_utf16(s: &str, n: usize) -> Option<&str> {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units == n {
            return Some(&s[i..]);
        }
        units += c.len_utf16();
        if units > n {
            return None;
        }
    }
    Some("")
}

pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}
