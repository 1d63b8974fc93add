//! fast-xml-parser's DocTypeReader: reads `<!DOCTYPE ...>` and its internal entity declarations
//! (v4 and v5 variants), with the same errors.

use super::jsnum::{is_js_ws, u16len};
use super::names::is_name;
use super::opts::Opts;
use super::E;

type R<T> = Result<T, E>;

fn throw<T>(m: impl Into<String>) -> R<T> {
    Err(E::Throw(m.into()))
}

fn has_seq(b: &[u8], seq: &str, i: usize) -> bool {
    b.get(i + 1..i + 1 + seq.len()) == Some(seq.as_bytes())
}

fn skip_ws(x: &str, mut i: usize) -> usize {
    while i < x.len() {
        let c = x[i..].chars().next().unwrap();
        if !is_js_ws(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// One JS string unit at `i` for a message (`undefined` past the end).
fn unit_at(x: &str, i: usize) -> R<String> {
    match x.get(i..).and_then(|s| s.chars().next()) {
        None => Ok("undefined".into()),
        Some(c) if c.len_utf16() == 1 => Ok(c.to_string()),
        Some(_) => Err(E::Unsup("astral char in a message")),
    }
}

/// `substring(i, i + 6).toUpperCase()`
fn upper6(x: &str, i: usize) -> R<String> {
    let mut s = String::new();
    let mut u = 0;
    for c in x.get(i..).unwrap_or("").chars() {
        if u + c.len_utf16() > 6 {
            if u < 6 {
                return Err(E::Unsup("surrogate split"));
            }
            break;
        }
        u += c.len_utf16();
        s.push(c);
    }
    Ok(s.to_uppercase())
}

fn name_ok(name: &str, v5: bool) -> R<bool> {
    if !v5 {
        return Ok(is_name(name));
    }
    // xml-naming's qName: reproduced only for ASCII names without a colon
    if name.is_ascii() && !name.contains(':') {
        return Ok(is_name(name));
    }
    if !is_name(name) {
        // qName is stricter than isName, so an invalid name stays invalid
        return Ok(false);
    }
    Err(E::Unsup("qName check for a non-ASCII or prefixed name"))
}

fn validate_entity_name(name: &str, v5: bool) -> R<()> {
    if name_ok(name, v5)? {
        Ok(())
    } else {
        throw(format!("Invalid entity name {name}"))
    }
}

fn read_identifier_val(x: &str, i: usize, ty: &str) -> R<(usize, String)> {
    let b = x.as_bytes();
    let start = b.get(i).copied();
    if start != Some(b'"') && start != Some(b'\'') {
        return throw(format!(
            "Expected quoted string, found \"{}\"",
            unit_at(x, i)?
        ));
    }
    let q = start.unwrap() as char;
    match x[i + 1..].find(q) {
        None => throw(format!("Unterminated {ty} value")),
        Some(p) => Ok((i + 1 + p + 1, x[i + 1..i + 1 + p].to_string())),
    }
}

/// Returns (entities in declaration order, index of the closing '>').
pub fn read_doctype(x: &str, mut i: usize, o: &Opts) -> R<(Vec<(String, String)>, usize)> {
    let v5 = o.v5;
    let cfg = &o.ent;
    let b = x.as_bytes();
    let mut ents: Vec<(String, String)> = Vec::new();
    let mut count: f64 = 0.0;
    if b.get(i + 3..i + 9) != Some(b"OCTYPE") {
        return throw("Invalid Tag instead of DOCTYPE");
    }
    i += 9;
    let mut angle = 1i64;
    let mut has_body = false;
    let mut comment = false;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if v5 {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            if !has_body && !comment && (c == b'"' || c == b'\'') {
                quote = Some(c);
                i += 1;
                continue;
            }
        }
        if c == b'<' && !comment {
            if has_body && has_seq(b, "!ENTITY", i) {
                i += 7;
                // readEntityExp(i + 1)
                let mut k = skip_ws(x, i + 1);
                let st = k;
                while k < b.len() {
                    let ch = x[k..].chars().next().unwrap();
                    if is_js_ws(ch) || ch == '"' || ch == '\'' {
                        break;
                    }
                    k += ch.len_utf8();
                }
                let name = x[st..k].to_string();
                validate_entity_name(&name, v5)?;
                k = skip_ws(x, k);
                if upper6(x, k)? == "SYSTEM" {
                    return throw("External entities are not supported");
                } else if b.get(k) == Some(&b'%') {
                    return throw("Parameter entities are not supported");
                }
                let (nk, val) = read_identifier_val(x, k, "entity")?;
                if cfg.enabled {
                    if let Some(max) = cfg.max_entity_size {
                        let l = u16len(&val) as f64;
                        if l > max {
                            return throw(format!(
                                "Entity \"{name}\" size ({}) exceeds maximum allowed size ({})",
                                l,
                                super::jsnum::js_number_to_string(max)
                            ));
                        }
                    }
                }
                i = nk - 1;
                if !val.contains('&') {
                    if cfg.enabled {
                        if let Some(max) = cfg.max_entity_count {
                            if count >= max {
                                return throw(format!(
                                    "Entity count ({}) exceeds maximum allowed ({})",
                                    count + 1.0,
                                    super::jsnum::js_number_to_string(max)
                                ));
                            }
                        }
                    }
                    if let Some(p) = ents.iter().position(|(k, _)| *k == name) {
                        ents[p].1 = val;
                    } else {
                        ents.push((name, val));
                    }
                    count += 1.0;
                }
            } else if has_body && has_seq(b, "!ELEMENT", i) {
                i += 8;
                let mut k = skip_ws(x, i + 1);
                let st = k;
                while k < b.len() {
                    let ch = x[k..].chars().next().unwrap();
                    if is_js_ws(ch) {
                        break;
                    }
                    k += ch.len_utf8();
                }
                let name = &x[st..k];
                if !name_ok(name, v5)? {
                    return throw(format!("Invalid element name: \"{name}\""));
                }
                k = skip_ws(x, k);
                if b.get(k) == Some(&b'E') && has_seq(b, "MPTY", k) {
                    k += 4;
                } else if b.get(k) == Some(&b'A') && has_seq(b, "NY", k) {
                    k += 2;
                } else if b.get(k) == Some(&b'(') {
                    k += 1;
                    match x[k..].find(')') {
                        Some(p) => k += p,
                        None => return throw("Unterminated content model"),
                    }
                } else {
                    return throw(format!(
                        "Invalid Element Expression, found \"{}\"",
                        unit_at(x, k)?
                    ));
                }
                i = k;
            } else if has_body && has_seq(b, "!ATTLIST", i) {
                i += 8;
            } else if has_body && has_seq(b, "!NOTATION", i) {
                i += 9;
                let mut k = skip_ws(x, i + 1);
                let st = k;
                while k < b.len() {
                    let ch = x[k..].chars().next().unwrap();
                    if is_js_ws(ch) {
                        break;
                    }
                    k += ch.len_utf8();
                }
                validate_entity_name(&x[st..k], v5)?;
                k = skip_ws(x, k);
                let ty = upper6(x, k)?;
                if ty != "SYSTEM" && ty != "PUBLIC" {
                    return throw(format!("Expected SYSTEM or PUBLIC, found \"{ty}\""));
                }
                k += 6;
                k = skip_ws(x, k);
                if ty == "PUBLIC" {
                    let (nk, _) = read_identifier_val(x, k, "publicIdentifier")?;
                    k = skip_ws(x, nk);
                    if b.get(k) == Some(&b'"') || b.get(k) == Some(&b'\'') {
                        let (nk, _) = read_identifier_val(x, k, "systemIdentifier")?;
                        k = nk;
                    }
                } else {
                    let (nk, sys) = read_identifier_val(x, k, "systemIdentifier")?;
                    if sys.is_empty() {
                        return throw("Missing mandatory system identifier for SYSTEM notation");
                    }
                    k = nk;
                }
                i = k - 1;
            } else if has_seq(b, "!--", i) {
                comment = true;
            } else {
                return throw("Invalid DOCTYPE");
            }
            angle += 1;
        } else if c == b'>' {
            if comment {
                if i >= 2 && b[i - 1] == b'-' && b[i - 2] == b'-' {
                    comment = false;
                    angle -= 1;
                }
            } else {
                angle -= 1;
            }
            if angle == 0 {
                break;
            }
        } else if c == b'[' {
            has_body = true;
        }
        i += 1;
    }
    if quote.is_some() || angle != 0 {
        return throw("Unclosed DOCTYPE");
    }
    Ok((ents, i))
}
