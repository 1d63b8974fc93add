//! JavaScript string/number semantics the parser depends on: `String.prototype.trim`'s white
//! space, `Number(string)`, `parseInt` for the radixes strnum uses, `Number::toString`, and the
//! two strnum versions (1.1.x for fast-xml-parser 4, 2.5.x for 5).

use super::Unsup;
pub use crate::ops::xml::js_number::{js_number_to_string, push_js_number};

/// JS `WhiteSpace` + `LineTerminator` (what `trim()`, `\s` and `Number()` skip).
pub fn is_js_ws(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

pub fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_ws)
}

pub fn js_trim_start(s: &str) -> &str {
    s.trim_start_matches(is_js_ws)
}

/// Number of UTF-16 code units (JS `length`).
pub fn u16len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

/// Value of a digit string in `radix`, exactly rounded like `parseInt` for radix 2/8/16.
fn radix_value(digits: &str, radix: u32) -> Result<f64, Unsup> {
    let mut v: u128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or(Unsup)? as u128;
        v = v
            .checked_mul(radix as u128)
            .and_then(|x| x.checked_add(d))
            .ok_or(Unsup)?;
    }
    Ok(v as f64)
}

/// `Number(s)`: `None` is NaN.
pub fn js_number(s: &str) -> Result<Option<f64>, Unsup> {
    let t = js_trim(s);
    if t.is_empty() {
        return Ok(Some(0.0));
    }
    let b = t.as_bytes();
    if b.len() > 2 && b[0] == b'0' {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            let digits = &t[2..];
            if !digits.chars().all(|c| c.is_digit(radix)) {
                return Ok(None);
            }
            return radix_value(digits, radix).map(Some);
        }
    }
    let (neg, rest) = match b[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if rest == "Infinity" {
        return Ok(Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    if !is_decimal_literal(rest) {
        return Ok(None);
    }
    let v: f64 = rest.parse().map_err(|_| Unsup)?;
    Ok(Some(if neg { -v } else { v }))
}

/// Unsigned StrDecimalLiteral without Infinity: digits [. digits] [exp] | . digits [exp].
fn is_decimal_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let mut int_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        int_digits += 1;
    }
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            frac_digits += 1;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return false;
        }
    }
    i == b.len()
}

/// `parseInt(s, radix)` for a string already known to be `[+-]?(0x)?digits`.
fn parse_int_signed(s: &str, radix: u32) -> Result<f64, Unsup> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if radix == 16 && (rest.starts_with("0x") || rest.starts_with("0X")) {
        rest = &rest[2..];
    }
    let v = radix_value(rest, radix)?;
    Ok(if neg { -v } else { v })
}

/// Result of strnum: the original string, or a number / null.
#[derive(Debug, Clone, PartialEq)]
pub enum NumOut {
    Keep,
    Num(f64),
    Null,
    Str(&'static str),
}

/// strnum options (both versions; v1 ignores the v2-only ones).
#[derive(Debug, Clone)]
pub struct NumOpts {
    pub hex: bool,
    pub leading_zeros: bool,
    pub e_notation: bool,
    pub binary: bool,
    pub octal: bool,
    /// v2 `infinity`, lowercased
    pub infinity: String,
}

impl Default for NumOpts {
    fn default() -> Self {
        NumOpts {
            hex: true,
            leading_zeros: true,
            e_notation: true,
            binary: false,
            octal: false,
            infinity: "original".into(),
        }
    }
}

fn is_hex_form(t: &str) -> bool {
    let r = t.strip_prefix(['-', '+']).unwrap_or(t);
    match r.strip_prefix("0x") {
        Some(d) => !d.is_empty() && d.bytes().all(|c| c.is_ascii_hexdigit()),
        None => false,
    }
}

/// `^([-+])?(0*)([0-9]*(\.[0-9]*)?)$` → (sign, zeros, rest)
fn num_regex(t: &str) -> Option<(&str, &str, &str)> {
    let (sign, r) = match t.as_bytes().first() {
        Some(b'-') | Some(b'+') => (&t[..1], &t[1..]),
        _ => ("", t),
    };
    let z = r.bytes().take_while(|c| *c == b'0').count();
    let rest = &r[z..];
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i != b.len() {
        return None;
    }
    Some((sign, &r[..z], rest))
}

/// `^([-+])?(0*)([0-9]*(\.[0-9]*)?[eE][-+]?[0-9]+)$` → (sign, zeros, rest)
fn enotation_regex(t: &str) -> Option<(&str, &str, &str)> {
    let (sign, r) = match t.as_bytes().first() {
        Some(b'-') | Some(b'+') => (&t[..1], &t[1..]),
        _ => ("", t),
    };
    let z = r.bytes().take_while(|c| *c == b'0').count();
    let rest = &r[z..];
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
    } else {
        return None;
    }
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let st = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == st || i != b.len() {
        return None;
    }
    Some((sign, &r[..z], rest))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        let t = s.trim_end_matches('0');
        if t == "." {
            "0".into()
        } else if let Some(x) = t.strip_prefix('.') {
            format!("0.{x}")
        } else if let Some(x) = t.strip_suffix('.') {
            x.into()
        } else {
            t.into()
        }
    } else {
        s.into()
    }
}

fn nan_or(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// strnum 1.1.x `toNumber(str, options)` for a non-empty string.
pub fn strnum_v1(s: &str, o: &NumOpts) -> Result<NumOut, Unsup> {
    if s.is_empty() {
        return Ok(NumOut::Keep);
    }
    let trimmed = js_trim(s);
    if s == "0" {
        return Ok(NumOut::Num(0.0));
    }
    if o.hex && is_hex_form(trimmed) {
        return Ok(NumOut::Num(parse_int_signed(trimmed, 16)?));
    }
    if trimmed.contains(['e', 'E']) {
        let Some((sign, zeros, rest)) = enotation_regex(trimmed) else {
            return Ok(NumOut::Keep);
        };
        let t: String;
        if o.leading_zeros {
            t = format!("{sign}{rest}");
        } else if zeros == "0" && rest.starts_with('.') {
            t = trimmed.to_string();
        } else {
            return Ok(NumOut::Keep);
        }
        return Ok(if o.e_notation {
            NumOut::Num(nan_or(js_number(&t)?))
        } else {
            NumOut::Keep
        });
    }
    let Some((sign, zeros, rest)) = num_regex(trimmed) else {
        return Ok(NumOut::Keep);
    };
    let ntz = trim_zeros(rest);
    let tb = trimmed.as_bytes();
    if !o.leading_zeros && !zeros.is_empty() && !sign.is_empty() && tb.get(2) != Some(&b'.') {
        return Ok(NumOut::Keep);
    }
    if !o.leading_zeros && !zeros.is_empty() && sign.is_empty() && tb.get(1) != Some(&b'.') {
        return Ok(NumOut::Keep);
    }
    if o.leading_zeros && zeros == s {
        return Ok(NumOut::Num(0.0));
    }
    let num = nan_or(js_number(trimmed)?);
    let num_str = js_number_to_string(num);
    // `sign` is undefined in JS when absent: "undefined" + x never equals a number string
    let sign_s = if sign.is_empty() { "undefined" } else { sign };
    if num_str.contains(['e', 'E']) {
        return Ok(if o.e_notation {
            NumOut::Num(num)
        } else {
            NumOut::Keep
        });
    }
    if trimmed.contains('.') {
        if (num_str == "0" && ntz.is_empty())
            || num_str == ntz
            || (!sign.is_empty() && num_str == format!("-{ntz}"))
        {
            return Ok(NumOut::Num(num));
        } else {
            return Ok(NumOut::Keep);
        }
    }
    let ok = if !zeros.is_empty() {
        ntz == num_str || format!("{sign_s}{ntz}") == num_str
    } else {
        trimmed == num_str || trimmed == format!("{sign_s}{num_str}")
    };
    Ok(if ok { NumOut::Num(num) } else { NumOut::Keep })
}

/// strnum 2.5.x `toNumber(str, options)`.
pub fn strnum_v2(s: &str, o: &NumOpts) -> Result<NumOut, Unsup> {
    if s.is_empty() {
        return Ok(NumOut::Keep);
    }
    let trimmed = js_trim(s);
    if trimmed.is_empty() {
        return Ok(NumOut::Keep);
    }
    if trimmed == "0" {
        return Ok(NumOut::Num(0.0));
    }
    if o.hex && is_hex_form(trimmed) {
        return Ok(NumOut::Num(parse_int_signed(trimmed, 16)?));
    }
    if o.binary {
        if let Some(d) = trimmed.strip_prefix("0b") {
            if !d.is_empty() && d.bytes().all(|c| c == b'0' || c == b'1') {
                return Ok(NumOut::Num(radix_value(d, 2)?));
            }
        }
    }
    if o.octal {
        if let Some(d) = trimmed.strip_prefix("0o") {
            if !d.is_empty() && d.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                return Ok(NumOut::Num(radix_value(d, 8)?));
            }
        }
    }
    let n = js_number(trimmed)?;
    match n {
        None => return Ok(NumOut::Keep),
        Some(v) if v.is_infinite() => {
            return Ok(match o.infinity.as_str() {
                "null" => NumOut::Null,
                "infinity" => NumOut::Num(v),
                "string" => NumOut::Str(if v > 0.0 { "Infinity" } else { "-Infinity" }),
                _ => NumOut::Keep,
            });
        }
        _ => {}
    }
    if trimmed.contains(['e', 'E']) {
        if !o.e_notation {
            return Ok(NumOut::Keep);
        }
        let Some((sign, zeros, rest)) = enotation_regex(trimmed) else {
            return Ok(NumOut::Keep);
        };
        let e_char = if rest.contains('e') { 'e' } else { 'E' };
        let tb = trimmed.as_bytes();
        let idx = if sign.is_empty() {
            zeros.len()
        } else {
            zeros.len() + 1
        };
        let e_adj = tb.get(idx) == Some(&(e_char as u8));
        let val = NumOut::Num(nan_or(js_number(trimmed)?));
        return Ok(if zeros.len() > 1 && e_adj {
            NumOut::Keep
        } else if zeros.len() == 1
            && (rest.starts_with(&format!(".{e_char}")) || rest.starts_with(e_char))
        {
            val
        } else if !zeros.is_empty() {
            if o.leading_zeros && !e_adj {
                val
            } else {
                NumOut::Keep
            }
        } else {
            val
        });
    }
    let Some((sign, zeros, rest)) = num_regex(trimmed) else {
        return Ok(NumOut::Keep);
    };
    let ntz = trim_zeros(rest);
    let tb = trimmed.as_bytes();
    let idx = if sign.is_empty() {
        zeros.len()
    } else {
        zeros.len() + 1
    };
    let dec_adj = tb.get(idx) == Some(&b'.');
    if !o.leading_zeros && (zeros.len() > 1 || (zeros.len() == 1 && !dec_adj)) {
        return Ok(NumOut::Keep);
    }
    let num = nan_or(js_number(trimmed)?);
    let parsed = js_number_to_string(num);
    if num == 0.0 {
        return Ok(NumOut::Num(num));
    }
    if parsed.contains(['e', 'E']) {
        return Ok(if o.e_notation {
            NumOut::Num(num)
        } else {
            NumOut::Keep
        });
    }
    if trimmed.contains('.') {
        return Ok(
            if parsed == "0" || parsed == ntz || parsed == format!("{sign}{ntz}") {
                NumOut::Num(num)
            } else {
                NumOut::Keep
            },
        );
    }
    let ok = if !zeros.is_empty() {
        ntz == parsed || format!("{sign}{ntz}") == parsed
    } else {
        trimmed == parsed || trimmed == format!("{sign}{parsed}")
    };
    Ok(if ok { NumOut::Num(num) } else { NumOut::Keep })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fmt() {
        for (x, s) in [
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1e20, "100000000000000000000"),
            (5e-324, "5e-324"),
            (1.5e300, "1.5e+300"),
            (0.000001, "0.000001"),
        ] {
            assert_eq!(js_number_to_string(x), s);
        }
    }
}
