//! JavaScript value-to-text conversions used by the builder.

use super::node::Node;
use std::borrow::Cow;

/// Appends `Number::prototype::toString(x)` (what `String(x)` gives in JS) for a finite `x`.
/// `-0` prints as `"0"` like JS; callers that need fast-xml-builder's sign-preserving
/// `valToStr` check for negative zero themselves.
pub fn push_js_number(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push('0');
        return;
    }
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x < 0.0 { "-Infinity" } else { "Infinity" });
        return;
    }
    if x < 0.0 {
        out.push('-');
    }
    let a = x.abs();
    // Integers below 2^53 print their plain digits; this is the common case.
    if a < 9007199254740992.0 && a.fract() == 0.0 {
        itoa_u64(out, a as u64);
        return;
    }
    // Rust's `{:e}` yields the shortest digit string that round-trips, as ECMAScript requires.
    let mut sci = format!("{a:e}");
    // `{:e}` breaks an exact tie between two shortest candidates upwards; ECMAScript picks the
    // even one. Ties need 16+ digits; `{:.N e}` rounds the exact value half-to-even, and the
    // nearest decimal of the shortest length round-trips whenever any does.
    let len = sci.split_once('e').map_or(0, |(m, _)| m.len());
    if len >= 16 {
        let k = sci
            .split_once('e')
            .map_or(0, |(m, _)| m.chars().filter(|c| *c != '.').count());
        sci = format!("{a:.*e}", k - 1);
    }
    let (mant, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp + 1; // value = 0.d1d2.. * 10^n
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let e = n - 1;
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&e.unsigned_abs().to_string());
    }
}

fn itoa_u64(out: &mut String, mut v: u64) {
    let mut b = [0u8; 20];
    let mut i = b.len();
    loop {
        i -= 1;
        b[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&b[i..]).unwrap());
}

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

#[cfg(test)]
mod tests {
    /// An exact tie between two shortest decimals: JavaScript prints the even one.
    #[test]
    fn a_tie_prints_the_even_digit_as_javascript_does() {
        let mut out = String::new();
        // exactly 30.9711456298828125, halfway between ...812 and ...813
        let tie: f64 = "30.9711456298828125".parse().unwrap();
        super::push_js_number(&mut out, tie);
        assert_eq!(out, "30.971145629882812");
        out.clear();
        super::push_js_number(&mut out, 0.1 + 0.2);
        assert_eq!(out, "0.30000000000000004");
    }
}
