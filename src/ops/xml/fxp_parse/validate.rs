//! `XMLValidator.validate` of fast-xml-parser 4.5.x / 5.12.1 (the two differ only in how an
//! attribute string is split: v4 with a regex using JS `\s`, v5 with a scanner using
//! space/tab/CR/LF).

use super::jsnum::{is_js_ws, u16len};
use super::names::is_name;
use super::{json_str, Unsup};

pub struct ValOpts {
    pub allow_boolean_attributes: bool,
    pub unpaired: Vec<String>,
}

pub struct ValErr {
    code: &'static str,
    msg: String,
    line: usize,
    col: Option<usize>,
}

impl ValErr {
    pub fn to_json(&self) -> Result<String, Unsup> {
        let mut s = String::from("{\"err\":{\"code\":");
        json_str(&mut s, self.code);
        s.push_str(",\"msg\":");
        json_str(&mut s, &self.msg);
        s.push_str(&format!(",\"line\":{}", self.line));
        if let Some(c) = self.col {
            s.push_str(&format!(",\"col\":{c}"));
        }
        s.push_str("}}");
        Ok(s)
    }
    /// The message `XMLParser.parse(xml, true)` throws.
    pub fn parse_message(&self) -> String {
        match self.col {
            Some(c) => format!("{}:{}:{}", self.msg, self.line, c),
            None => format!("{}:{}:undefined", self.msg, self.line),
        }
    }
}

fn ws4(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\n' || c == b'\r'
}

struct V<'a> {
    x: &'a str,
    b: &'a [u8],
}

impl<'a> V<'a> {
    fn pos(&self, index: usize) -> (usize, usize) {
        // lines split by /\r?\n/ over x[..index]; col = UTF-16 length of the last line + 1
        let idx = index.min(self.b.len());
        let pre = &self.x[..idx];
        let line = pre.bytes().filter(|c| *c == b'\n').count() + 1;
        let last_start = pre.rfind('\n').map(|p| p + 1).unwrap_or(0);
        let mut last = &pre[last_start..];
        // a "\r" right before the next "\n" is not part of the line, but here the line ends at idx
        let _ = &mut last;
        (line, u16len(last) + 1)
    }
    fn err(&self, code: &'static str, msg: String, index: usize) -> ValErr {
        let (line, col) = self.pos(index);
        ValErr {
            code,
            msg,
            line,
            col: Some(col),
        }
    }
    fn ch(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }
    /// The JS `xmlData[i]` text for a message (one UTF-16 unit).
    fn char_at(&self, i: usize) -> Result<String, Unsup> {
        let c = self.x[i..].chars().next().ok_or(Unsup)?;
        if c.len_utf16() > 1 {
            return Err(Unsup); // a lone surrogate in the message
        }
        Ok(c.to_string())
    }
}

/// Returns `Ok(None)` for `true`.
pub fn validate(xml: &str, o: &ValOpts, v5: bool) -> Result<Option<ValErr>, Unsup> {
    let x = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let v = V { x, b: x.as_bytes() };
    let b = v.b;
    let n = b.len();
    let mut tags: Vec<(String, usize)> = Vec::new();
    let mut tag_found = false;
    let mut reached_root = false;
    let mut i = 0usize;
    while i < n {
        if b[i] == b'<' && v.ch(i + 1) == Some(b'?') {
            match read_pi(&v, i + 2) {
                Ok(j) => i = j,
                Err(e) => return Ok(Some(e)),
            }
        } else if b[i] == b'<' {
            let tag_start = i;
            i += 1;
            if v.ch(i) == Some(b'!') {
                i = read_comment_cdata(&v, i);
                i += 1;
                continue;
            }
            let mut closing = false;
            if v.ch(i) == Some(b'/') {
                closing = true;
                i += 1;
            }
            let st = i;
            while i < n && !matches!(b[i], b'>' | b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            let mut tag_name = super::jsnum::js_trim(&x[st..i]).to_string();
            if tag_name.ends_with('/') {
                tag_name.pop();
                i -= 1;
            }
            if !is_name(&tag_name) {
                let msg = if super::jsnum::js_trim(&tag_name).is_empty() {
                    "Invalid space after '<'.".to_string()
                } else {
                    format!("Tag '{tag_name}' is an invalid name.")
                };
                return Ok(Some(v.err("InvalidTag", msg, i)));
            }
            // readAttributeStr
            let ast = i;
            let mut start_char = 0u8;
            let mut tag_closed = false;
            while i < n {
                let c = b[i];
                if c == b'"' || c == b'\'' {
                    if start_char == 0 {
                        start_char = c;
                    } else if start_char == c {
                        start_char = 0;
                    }
                } else if c == b'>' && start_char == 0 {
                    tag_closed = true;
                    break;
                }
                i += 1;
            }
            if start_char != 0 {
                return Ok(Some(v.err(
                    "InvalidAttr",
                    format!("Attributes for '{tag_name}' have open quote."),
                    ast,
                )));
            }
            let mut attr = &x[ast..i];
            if attr.ends_with('/') {
                let attr_start = i - attr.len();
                attr = &attr[..attr.len() - 1];
                match validate_attrs(attr, o, v5)? {
                    None => tag_found = true,
                    Some((code, msg, p)) => return Ok(Some(v.err(code, msg, attr_start + p))),
                }
            } else if closing {
                if !tag_closed {
                    return Ok(Some(v.err(
                        "InvalidTag",
                        format!("Closing tag '{tag_name}' doesn't have proper closing."),
                        i,
                    )));
                } else if !super::jsnum::js_trim(attr).is_empty() {
                    return Ok(Some(v.err(
                        "InvalidTag",
                        format!(
                            "Closing tag '{tag_name}' can't have attributes or invalid starting."
                        ),
                        tag_start,
                    )));
                } else if tags.is_empty() {
                    return Ok(Some(v.err(
                        "InvalidTag",
                        format!("Closing tag '{tag_name}' has not been opened."),
                        tag_start,
                    )));
                } else {
                    let (otn, opos) = tags.pop().unwrap();
                    if tag_name != otn {
                        let (l, c) = v.pos(opos);
                        return Ok(Some(v.err(
                            "InvalidTag",
                            format!("Expected closing tag '{otn}' (opened in line {l}, col {c}) instead of closing tag '{tag_name}'."),
                            tag_start,
                        )));
                    }
                    if tags.is_empty() {
                        reached_root = true;
                    }
                }
            } else {
                if let Some((code, msg, p)) = validate_attrs(attr, o, v5)? {
                    return Ok(Some(v.err(code, msg, i - attr.len() + p)));
                }
                if reached_root {
                    return Ok(Some(v.err(
                        "InvalidXml",
                        "Multiple possible root nodes found.".into(),
                        i,
                    )));
                } else if o.unpaired.contains(&tag_name) {
                } else {
                    tags.push((tag_name.clone(), tag_start));
                }
                tag_found = true;
            }
            // skip the text value
            i += 1;
            while i < n {
                if b[i] == b'<' {
                    if v.ch(i + 1) == Some(b'!') {
                        i += 1;
                        i = read_comment_cdata(&v, i);
                        i += 1;
                        continue;
                    } else if v.ch(i + 1) == Some(b'?') {
                        i += 1;
                        match read_pi(&v, i) {
                            Ok(j) => i = j,
                            Err(e) => return Ok(Some(e)),
                        }
                    } else {
                        break;
                    }
                } else if b[i] == b'&' {
                    match validate_amp(&v, i) {
                        None => {
                            return Ok(Some(v.err(
                                "InvalidChar",
                                "char '&' is not expected.".into(),
                                i,
                            )))
                        }
                        Some(j) => i = j,
                    }
                } else if reached_root && !ws4(b[i]) {
                    return Ok(Some(v.err("InvalidXml", "Extra text at the end".into(), i)));
                }
                i += 1;
            }
            if v.ch(i) == Some(b'<') {
                i -= 1;
            }
        } else {
            if ws4(b[i]) {
                i += 1;
                continue;
            }
            let c = v.char_at(i)?;
            return Ok(Some(v.err(
                "InvalidChar",
                format!("char '{c}' is not expected."),
                i,
            )));
        }
        i += 1;
    }
    if !tag_found {
        return Ok(Some(ValErr {
            code: "InvalidXml",
            msg: "Start tag expected.".into(),
            line: 1,
            col: None,
        }));
    } else if tags.len() == 1 {
        return Ok(Some(v.err(
            "InvalidTag",
            format!("Unclosed tag '{}'.", tags[0].0),
            tags[0].1,
        )));
    } else if !tags.is_empty() {
        let mut list = String::from("[");
        for (k, (t, _)) in tags.iter().enumerate() {
            if k > 0 {
                list.push(',');
            }
            list.push_str("    ");
            json_str(&mut list, t);
        }
        list.push(']');
        return Ok(Some(ValErr {
            code: "InvalidXml",
            msg: format!("Invalid '{list}' found."),
            line: 1,
            col: Some(1),
        }));
    }
    Ok(None)
}

/// Index of the last char consumed (the '>' of `?>`), or the length.
fn read_pi(v: &V, mut i: usize) -> Result<usize, ValErr> {
    let start = i;
    let n = v.b.len();
    while i < n {
        let c = v.b[i];
        if c == b'?' || c == b' ' {
            let tagname = &v.x[start..i];
            // `i > 5` compares UTF-16 indices; the name before is ASCII "xml" so bytes differ only
            // when non-ASCII precedes, which only makes the byte index larger: still > 5.
            if u16_index(v.x, i) > 5 && tagname == "xml" {
                return Err(v.err(
                    "InvalidXml",
                    "XML declaration allowed only at the start of the document.".into(),
                    i,
                ));
            } else if c == b'?' && v.ch(i + 1) == Some(b'>') {
                i += 1;
                break;
            }
        }
        i += 1;
    }
    Ok(i)
}

fn u16_index(x: &str, i: usize) -> usize {
    u16len(&x[..i])
}

/// Returns the index the JS loop variable holds afterwards (the `continue` then adds one).
fn read_comment_cdata(v: &V, mut i: usize) -> usize {
    let b = v.b;
    let n = b.len();
    let at = |k: usize| b.get(k).copied();
    // `xmlData.length > i + 5` etc. compare UTF-16 lengths; with non-ASCII content the byte length is
    // larger, so compute on UTF-16 units.
    let ascii = v.x.is_ascii();
    let total16 = if ascii { n } else { u16len(v.x) };
    let len16 = |_: ()| total16;
    let i16 = if ascii { i } else { u16len(&v.x[..i]) };
    if len16(()) > i16 + 5 && at(i + 1) == Some(b'-') && at(i + 2) == Some(b'-') {
        i += 3;
        while i < n {
            if b[i] == b'-' && at(i + 1) == Some(b'-') && at(i + 2) == Some(b'>') {
                i += 2;
                break;
            }
            i += 1;
        }
    } else if len16(()) > i16 + 8 && b.get(i + 1..i + 8) == Some(b"DOCTYPE") {
        let mut count = 1;
        i += 8;
        while i < n {
            if b[i] == b'<' {
                count += 1;
            } else if b[i] == b'>' {
                count -= 1;
                if count == 0 {
                    break;
                }
            }
            i += 1;
        }
    } else if len16(()) > i16 + 9 && b.get(i + 1..i + 8) == Some(b"[CDATA[") {
        i += 8;
        while i < n {
            if b[i] == b']' && at(i + 1) == Some(b']') && at(i + 2) == Some(b'>') {
                i += 2;
                break;
            }
            i += 1;
        }
    }
    i
}

fn validate_amp(v: &V, mut i: usize) -> Option<usize> {
    let b = v.b;
    i += 1;
    match b.get(i) {
        Some(b';') => return None,
        Some(b'#') => {
            i += 1;
            let hex = b.get(i) == Some(&b'x');
            if hex {
                i += 1;
            }
            while i < b.len() {
                if b[i] == b';' {
                    return Some(i);
                }
                let ok = if hex {
                    b[i].is_ascii_hexdigit()
                } else {
                    b[i].is_ascii_digit()
                };
                if !ok {
                    break;
                }
                i += 1;
            }
            return None;
        }
        _ => {}
    }
    let mut count = 0;
    while i < b.len() {
        let c = b[i];
        if (c.is_ascii_alphanumeric() || c == b'_') && count < 20 {
            i += 1;
            count += 1;
            continue;
        }
        if c == b';' {
            break;
        }
        return None;
    }
    Some(i)
}

struct Tok<'a> {
    start: usize,
    ws: &'a str,
    name: &'a str,
    eq: bool,
    val: bool,
}

/// Error (code, msg, byte offset in attr).
fn validate_attrs(
    attr: &str,
    o: &ValOpts,
    v5: bool,
) -> Result<Option<(&'static str, String, usize)>, Unsup> {
    let toks = if v5 { scan_v5(attr) } else { scan_v4(attr) };
    let mut seen: Vec<&str> = Vec::new();
    for t in &toks {
        let p = t.start + t.ws.len();
        if t.ws.is_empty() {
            return Ok(Some((
                "InvalidAttr",
                format!("Attribute '{}' has no space in starting.", t.name),
                p,
            )));
        } else if t.eq && !t.val {
            return Ok(Some((
                "InvalidAttr",
                format!("Attribute '{}' is without value.", t.name),
                p,
            )));
        } else if !t.eq && !o.allow_boolean_attributes {
            return Ok(Some((
                "InvalidAttr",
                format!("boolean attribute '{}' is not allowed.", t.name),
                p,
            )));
        }
        if !is_name(t.name) {
            return Ok(Some((
                "InvalidAttr",
                format!("Attribute '{}' is an invalid name.", t.name),
                p,
            )));
        }
        if !v5 && t.name == "hasOwnProperty" {
            return Err(Unsup); // v4 calls attrNames.hasOwnProperty(...) afterwards: a TypeError
        }
        if t.name == "__proto__" {
            continue; // assigning attrNames.__proto__ = 1 creates no own property
        }
        if seen.contains(&t.name) {
            return Ok(Some((
                "InvalidAttr",
                format!("Attribute '{}' is repeated.", t.name),
                p,
            )));
        }
        seen.push(t.name);
    }
    Ok(None)
}

fn scan_v5(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let st = i;
        while i < n && ws4(b[i]) {
            i += 1;
        }
        if i >= n {
            break;
        }
        if b[i] == b'=' {
            i += 1;
            continue;
        }
        let ws = &s[st..i];
        let ns = i;
        while i < n && !ws4(b[i]) && b[i] != b'=' {
            i += 1;
        }
        let name = &s[ns..i];
        let mut eq = false;
        let mut j = i;
        while j < n && ws4(b[j]) {
            j += 1;
        }
        if j < n && b[j] == b'=' {
            eq = true;
            i = j + 1;
        }
        let mut val = false;
        let mut k = i;
        while k < n && ws4(b[k]) {
            k += 1;
        }
        if k < n && (b[k] == b'"' || b[k] == b'\'') {
            if let Some(c) = s[k + 1..].find(b[k] as char) {
                val = true;
                i = k + 1 + c + 1;
            }
        }
        out.push(Tok {
            start: st,
            ws,
            name,
            eq,
            val,
        });
    }
    out
}

/// The regex `(\s*)([^\s=]+)(\s*=)?(\s*(['"])(([\s\S])*?)\5)?` with global exec.
fn scan_v4(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let n = s.len();
    while pos < n {
        // find the first position >= pos where the regex matches
        let mut found = None;
        let mut p = pos;
        while p < n {
            let rest = &s[p..];
            let wsl = rest.len() - rest.trim_start_matches(is_js_ws).len();
            let after = &rest[wsl..];
            let nl = after.len()
                - after
                    .trim_start_matches(|c: char| !is_js_ws(c) && c != '=')
                    .len();
            if nl > 0 {
                found = Some((p, wsl, nl));
                break;
            }
            p += rest.chars().next().unwrap().len_utf8();
        }
        let Some((p, wsl, nl)) = found else { break };
        let name_end = p + wsl + nl;
        let mut e = name_end;
        let rest = &s[e..];
        let w1 = rest.len() - rest.trim_start_matches(is_js_ws).len();
        let mut eq = false;
        if s[e + w1..].starts_with('=') {
            eq = true;
            e += w1 + 1;
        }
        let rest = &s[e..];
        let w2 = rest.len() - rest.trim_start_matches(is_js_ws).len();
        let mut val = false;
        let q = s[e + w2..].chars().next();
        if let Some(q @ ('"' | '\'')) = q {
            if let Some(c) = s[e + w2 + 1..].find(q) {
                val = true;
                e = e + w2 + 1 + c + 1;
            }
        }
        out.push(Tok {
            start: p,
            ws: &s[p..p + wsl],
            name: &s[p + wsl..name_end],
            eq,
            val,
        });
        pos = e;
    }
    out
}
