//! xml2js 0.6.2 `new Builder(options).buildObject(obj)` (xmlbuilder 11.0.1 underneath), for the
//! `Builder` of the xml2js bridge (adaptors/xml2js): the object-to-XML half of xml2js, which
//! adaptors use beside its parser, and which the real package builds several times slower.
//!
//! The object is walked like xml2js's `render` into a tree of xmlbuilder 11 nodes (element /
//! text / raw), checked like xmlbuilder's XMLStringifier, and printed like its XMLStringWriter.
//! Whatever is not reproduced is [`super::build_common::BuildErrorKind::Unsupported`]: the bridge
//! then runs the real package.

use super::build_common::{
    given, invalid, is_marker, js_string, opt, parse_json, push_escaped, truthy, u16_len,
    unsupported, valid_name, BuildError,
};
use serde_json::{Map, Value};

/// Which character check `assertLegalChar` applies (it depends on the declaration version).
#[derive(Clone, Copy, PartialEq)]
enum CharCheck {
    V10,
    V11,
    None,
}

struct Render {
    pretty: bool,
    indent: String,
    newline: String,
    offset: i64,
    allow_empty: bool,
    dont_pretty_text: bool,
    space_before_slash: String,
}

enum Kid {
    El(usize),
    /// Escaped text (xmlbuilder XMLText).
    Text(String),
    /// Raw text (the CDATA sections xml2js writes with `raw`).
    Raw(String),
}

struct El {
    name: String,
    attrs: Vec<(String, String)>,
    kids: Vec<Kid>,
}

struct B {
    check: CharCheck,
    attrkey: Option<String>,
    charkey: Option<String>,
    cdata: bool,
    els: Vec<El>,
}

fn primitive_string(v: &Value, what: &str) -> Result<String, BuildError> {
    match v {
        Value::Object(_) | Value::Array(_) => Err(unsupported(what)),
        _ => Ok(js_string(v)?),
    }
}

impl B {
    /// `assertLegalChar`: the index is in UTF-16 units of the (escaped) string.
    fn legal(&self, s: &str) -> Result<(), BuildError> {
        let bad = |c: char| match self.check {
            CharCheck::V10 => matches!(c as u32, 0..=8 | 0xB | 0xC | 0xE..=0x1F | 0xFFFE | 0xFFFF),
            CharCheck::V11 => matches!(c as u32, 0 | 0xFFFE | 0xFFFF),
            CharCheck::None => false,
        };
        if self.check == CharCheck::None {
            return Ok(());
        }
        if let Some((i, _)) = s.char_indices().find(|&(_, c)| bad(c)) {
            return Err(invalid(format!(
                "Invalid character in string: {s} at index {}",
                u16_len(&s[..i])
            )));
        }
        Ok(())
    }

    fn name(&self, s: &str) -> Result<String, BuildError> {
        self.legal(s)?;
        if !valid_name(s) {
            return Err(invalid("Invalid character in name".into()));
        }
        Ok(s.to_string())
    }

    fn text_value(&self, s: &str) -> Result<String, BuildError> {
        let mut e = String::with_capacity(s.len() + 8);
        push_escaped(&mut e, s, |c| match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '\r' => Some("&#xD;"),
            _ => None,
        });
        self.legal(&e)?;
        Ok(e)
    }

    fn att_value(&self, s: &str) -> Result<String, BuildError> {
        let mut e = String::with_capacity(s.len() + 8);
        push_escaped(&mut e, s, |c| match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '"' => Some("&quot;"),
            '\t' => Some("&#x9;"),
            '\n' => Some("&#xA;"),
            '\r' => Some("&#xD;"),
            _ => None,
        });
        self.legal(&e)?;
        Ok(e)
    }

    /// `element.ele(key)` / `element.ele(key, text)`.
    fn ele(&mut self, parent: usize, key: &str) -> Result<usize, BuildError> {
        if ["#text", "#cdata", "#comment", "#raw", "?"]
            .iter()
            .any(|p| key.starts_with(p))
        {
            return Err(unsupported("xmlbuilder decorator key"));
        }
        let name = self.name(key)?;
        let id = self.els.len();
        self.els.push(El {
            name,
            attrs: Vec::new(),
            kids: Vec::new(),
        });
        self.els[parent].kids.push(Kid::El(id));
        Ok(id)
    }

    fn txt(&mut self, el: usize, v: &Value) -> Result<(), BuildError> {
        match v {
            Value::Null => Err(invalid(format!(
                "Missing element text. parent: <{}>",
                self.els[el].name
            ))),
            Value::Object(_) | Value::Array(_) => Err(unsupported("object text")),
            _ => {
                let t = self.text_value(&js_string(v)?)?;
                self.els[el].kids.push(Kid::Text(t));
                Ok(())
            }
        }
    }

    fn needs_cdata(&self, v: &Value) -> Option<String> {
        match v {
            Value::String(s)
                if self.cdata && (s.contains('&') || s.contains('>') || s.contains('<')) =>
            {
                Some(format!(
                    "<![CDATA[{}]]>",
                    s.replacen("]]>", "]]]]><![CDATA[>", 1)
                ))
            }
            _ => None,
        }
    }

    fn att(&mut self, el: usize, name: &str, v: &Value) -> Result<(), BuildError> {
        if v.is_null() {
            return Ok(());
        }
        if name == "__proto__" {
            return Err(unsupported("__proto__ attribute"));
        }
        let n = self.name(name)?;
        let val = self.att_value(&js_string(v)?)?;
        let attrs = &mut self.els[el].attrs;
        match attrs.iter_mut().find(|(k, _)| *k == n) {
            Some(slot) => slot.1 = val,
            None => attrs.push((n, val)),
        }
        Ok(())
    }

    fn render(&mut self, el: usize, obj: &Value) -> Result<(), BuildError> {
        match obj {
            Value::Null => Ok(()),
            Value::Array(items) => {
                for child in items {
                    match child {
                        Value::Object(m) => {
                            for (k, entry) in m {
                                let c = self.ele(el, k)?;
                                self.render(c, entry)?;
                            }
                        }
                        Value::Array(a) if !a.is_empty() => {
                            self.ele(el, "0")?;
                        }
                        Value::String(s) if !s.is_empty() => {
                            self.ele(el, "0")?;
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
            Value::Object(m) => {
                for (key, child) in m {
                    if self.attrkey.as_deref() == Some(key.as_str()) {
                        match child {
                            Value::Object(a) => {
                                for (an, av) in a {
                                    self.att(el, an, av)?;
                                }
                            }
                            Value::Array(a) => {
                                for (i, av) in a.iter().enumerate() {
                                    self.att(el, &i.to_string(), av)?;
                                }
                            }
                            _ => {}
                        }
                    } else if self.charkey.as_deref() == Some(key.as_str()) {
                        if let Some(raw) = self.needs_cdata(child) {
                            self.els[el].kids.push(Kid::Raw(raw));
                        } else {
                            self.txt(el, child)?;
                        }
                    } else if let Value::Array(entries) = child {
                        for entry in entries {
                            if let Value::String(s) = entry {
                                let c = self.ele(el, key)?;
                                if let Some(raw) = self.needs_cdata(entry) {
                                    self.els[c].kids.push(Kid::Raw(raw));
                                } else {
                                    let t = self.text_value(s)?;
                                    self.els[c].kids.push(Kid::Text(t));
                                }
                            } else {
                                let c = self.ele(el, key)?;
                                self.render(c, entry)?;
                            }
                        }
                    } else if matches!(child, Value::Object(_) | Value::Null) {
                        let c = self.ele(el, key)?;
                        self.render(c, child)?;
                    } else {
                        let c = self.ele(el, key)?;
                        if let Some(raw) = self.needs_cdata(child) {
                            self.els[c].kids.push(Kid::Raw(raw));
                        } else {
                            let t = self.text_value(&js_string(child)?)?;
                            self.els[c].kids.push(Kid::Text(t));
                        }
                    }
                }
                Ok(())
            }
            _ => {
                if let Some(raw) = self.needs_cdata(obj) {
                    self.els[el].kids.push(Kid::Raw(raw));
                    Ok(())
                } else {
                    self.txt(el, obj)
                }
            }
        }
    }
}

impl Render {
    fn indent(&self, out: &mut String, level: i64, suppress: u32) {
        if !self.pretty || suppress > 0 {
            return;
        }
        for _ in 0..(level + self.offset).max(0) {
            out.push_str(&self.indent);
        }
    }
    fn endline(&self, out: &mut String, suppress: u32) {
        if self.pretty && suppress == 0 {
            out.push_str(&self.newline);
        }
    }
}

fn write_el(b: &B, r: &Render, id: usize, level: i64, sup: &mut u32, out: &mut String) {
    let e = &b.els[id];
    r.indent(out, level, *sup);
    out.push('<');
    out.push_str(&e.name);
    for (n, v) in &e.attrs {
        out.push(' ');
        out.push_str(n);
        out.push_str("=\"");
        out.push_str(v);
        out.push('"');
    }
    let is_text = |k: &Kid| matches!(k, Kid::Text(_) | Kid::Raw(_));
    if e.kids
        .iter()
        .all(|k| matches!(k, Kid::Text(t) | Kid::Raw(t) if t.is_empty()))
    {
        if r.allow_empty {
            out.push_str("></");
            out.push_str(&e.name);
            out.push('>');
        } else {
            out.push_str(&r.space_before_slash);
            out.push_str("/>");
        }
        r.endline(out, *sup);
    } else if r.pretty && e.kids.len() == 1 && is_text(&e.kids[0]) {
        out.push('>');
        if let Kid::Text(t) | Kid::Raw(t) = &e.kids[0] {
            out.push_str(t);
        }
        out.push_str("</");
        out.push_str(&e.name);
        out.push('>');
        r.endline(out, *sup);
    } else {
        let suppressed = r.dont_pretty_text && e.kids.iter().any(is_text);
        if suppressed {
            *sup += 1;
        }
        out.push('>');
        r.endline(out, *sup);
        for k in &e.kids {
            match k {
                Kid::El(c) => write_el(b, r, *c, level + 1, sup, out),
                Kid::Text(t) | Kid::Raw(t) => {
                    r.indent(out, level + 1, *sup);
                    out.push_str(t);
                    r.endline(out, *sup);
                }
            }
        }
        r.indent(out, level, *sup);
        out.push_str("</");
        out.push_str(&e.name);
        out.push('>');
        if suppressed {
            *sup -= 1;
        }
        r.endline(out, *sup);
    }
}

/// Builder option: absent → default; given as `undefined` → `None`.
fn builder_opt<'a>(m: &'a Map<String, Value>, key: &str, default: &'a Value) -> Option<&'a Value> {
    if given(m, key) {
        opt(m, key)
    } else {
        Some(default)
    }
}

fn render_opts(v: Option<&Value>) -> Result<Render, BuildError> {
    let empty = Map::new();
    let m = match v {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err(unsupported("renderOpts not a plain object")),
    };
    let s = |key: &str, d: &str| -> Result<String, BuildError> {
        match opt(m, key) {
            None | Some(Value::Null) => Ok(d.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(unsupported("renderOpts string")),
        }
    };
    let nn = |a: &str, b: &str| -> Option<&Value> {
        opt(m, a)
            .filter(|v| !v.is_null())
            .or_else(|| opt(m, b).filter(|v| !v.is_null()))
    };
    let offset = match opt(m, "offset") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) if (-10_000..=10_000).contains(&i) => i,
            _ => return Err(unsupported("renderOpts.offset")),
        },
        Some(_) => return Err(unsupported("renderOpts.offset")),
    };
    let space_before_slash = match nn("spaceBeforeSlash", "spacebeforeslash") {
        None => String::new(),
        Some(Value::Bool(true)) => " ".into(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(unsupported("renderOpts.spaceBeforeSlash")),
    };
    Ok(Render {
        pretty: opt(m, "pretty").is_some_and(truthy),
        indent: s("indent", "  ")?,
        newline: s("newline", "\n")?,
        offset,
        allow_empty: opt(m, "allowEmpty").is_some_and(truthy),
        dont_pretty_text: nn("dontPrettyTextNodes", "dontprettytextnodes").is_some_and(truthy),
        space_before_slash,
    })
}

/// xml2js 0.6.2 `new Builder(options).buildObject(obj)`.
///
/// `object_json` = `JSON.stringify(obj)` (the bridge turns `undefined` object properties into
/// `null` where xml2js treats them alike, `NaN`/`Infinity` into their strings), `options_json` =
/// the Builder options the bridge sends (`attrkey`, `charkey`, `rootName`, `xmldec`, `doctype`,
/// `renderOpts`, `headless`, `cdata`; `undefined` values as `{"$fnhost":"undefined"}`).
pub fn xml2js_build(object_json: &str, options_json: &str) -> Result<String, BuildError> {
    let obj = parse_json(object_json, "object")?;
    let opts = parse_json(options_json, "options")?;
    build(&obj, &opts)
}

fn build(obj: &Value, opts: &Value) -> Result<String, BuildError> {
    let Value::Object(m) = opts else {
        return Err(unsupported("options not an object"));
    };
    let str_key = |key: &str, d: &str| -> Option<String> {
        if !given(m, key) {
            return Some(d.to_string());
        }
        match opt(m, key) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None, // never equal to a key
        }
    };
    let attrkey = str_key("attrkey", "$");
    let charkey = str_key("charkey", "_");
    let default_root = Value::String("root".into());
    let root_opt = builder_opt(m, "rootName", &default_root);
    let default_dec: Value =
        serde_json::json!({"version": "1.0", "encoding": "UTF-8", "standalone": true});
    let xmldec = builder_opt(m, "xmldec", &default_dec);
    let null = Value::Null;
    let doctype = builder_opt(m, "doctype", &null);
    let default_render: Value =
        serde_json::json!({"pretty": true, "indent": "  ", "newline": "\n"});
    let render = render_opts(builder_opt(m, "renderOpts", &default_render))?;
    let headless = opt(m, "headless").is_some_and(truthy);
    let cdata = opt(m, "cdata").is_some_and(truthy);

    // assign({}, xmldec, doctype, {headless, allowSurrogateChars})
    let mut merged: Map<String, Value> = Map::new();
    for src in [xmldec, doctype].into_iter().flatten() {
        match src {
            Value::Null => {}
            Value::Object(s) => {
                for (k, v) in s {
                    if !matches!(
                        k.as_str(),
                        "version" | "encoding" | "standalone" | "pubID" | "sysID"
                    ) {
                        return Err(unsupported("xmldec/doctype key"));
                    }
                    if is_marker(v) {
                        merged.remove(k);
                        merged.insert(k.clone(), Value::Null);
                    } else {
                        merged.insert(k.clone(), v.clone());
                    }
                }
            }
            _ => return Err(unsupported("xmldec/doctype not an object")),
        }
    }
    let get = |k: &str| merged.get(k).filter(|v| !v.is_null());
    let version = get("version").filter(|v| truthy(v));
    let check = match version {
        None => CharCheck::V10,
        Some(Value::String(s)) if s == "1.0" => CharCheck::V10,
        Some(Value::String(s)) if s == "1.1" => CharCheck::V11,
        Some(_) => CharCheck::None,
    };

    // Root name.
    let (root_name, root_obj): (Option<String>, &Value) = {
        let single = match obj {
            Value::Object(o) if o.len() == 1 => o.iter().next().map(|(k, v)| (k.clone(), v)),
            Value::Array(a) if a.len() == 1 => Some(("0".to_string(), &a[0])),
            Value::Object(_) | Value::Array(_) => None,
            _ => return Err(unsupported("top-level value not an object")),
        };
        match (single, root_opt) {
            (Some((k, v)), Some(Value::String(r))) if r == "root" => (Some(k), v),
            (_, None) | (_, Some(Value::Null)) => (None, obj),
            (_, Some(r)) => (Some(primitive_string(r, "rootName")?), obj),
        }
    };
    let Some(root_name) = root_name else {
        return Err(invalid("Root element needs a name.".into()));
    };
    let mut b = B {
        check,
        attrkey,
        charkey,
        cdata,
        els: Vec::new(),
    };
    if ["#text", "#cdata", "#comment", "#raw", "?"]
        .iter()
        .any(|p| root_name.starts_with(p))
    {
        return Err(unsupported("decorator root name"));
    }
    let name = b.name(&root_name)?;
    b.els.push(El {
        name,
        attrs: Vec::new(),
        kids: Vec::new(),
    });

    let mut out = String::new();
    let mut sup = 0u32;
    if !headless {
        // XMLDeclaration
        let ver = match version {
            None => "1.0".to_string(),
            Some(v) => primitive_string(v, "version")?,
        };
        if !has_1_dot_digit(&ver) {
            return Err(invalid(format!("Invalid version number: {ver}")));
        }
        let enc = match get("encoding") {
            None => None,
            Some(v) => {
                let e = primitive_string(v, "encoding")?;
                let ok = e
                    .as_bytes()
                    .first()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                    && e.bytes()
                        .skip(1)
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
                if !ok {
                    return Err(invalid(format!("Invalid encoding: {e}")));
                }
                Some(e)
            }
        };
        let standalone = get("standalone").map(|v| if truthy(v) { "yes" } else { "no" });
        render.indent(&mut out, 0, sup);
        out.push_str("<?xml version=\"");
        out.push_str(&ver);
        out.push('"');
        if let Some(e) = enc {
            out.push_str(" encoding=\"");
            out.push_str(&e);
            out.push('"');
        }
        if let Some(s) = standalone {
            out.push_str(" standalone=\"");
            out.push_str(s);
            out.push('"');
        }
        out.push_str(&render.space_before_slash);
        out.push_str("?>");
        render.endline(&mut out, sup);
        // XMLDocType
        let (mut p, mut s) = (get("pubID"), get("sysID"));
        if p.is_some() || s.is_some() {
            if s.is_none() {
                (s, p) = (p, None);
            }
            let p = p.map(|v| primitive_string(v, "pubID")).transpose()?;
            let s = s.map(|v| primitive_string(v, "sysID")).transpose()?;
            if let Some(p) = &p {
                b.legal(p)?;
            }
            if let Some(s) = &s {
                b.legal(s)?;
            }
            render.indent(&mut out, 0, sup);
            out.push_str("<!DOCTYPE ");
            out.push_str(&b.els[0].name);
            match (p.as_deref(), s.as_deref()) {
                (Some(p), Some(s)) if !p.is_empty() && !s.is_empty() => {
                    out.push_str(" PUBLIC \"");
                    out.push_str(p);
                    out.push_str("\" \"");
                    out.push_str(s);
                    out.push('"');
                }
                (_, Some(s)) if !s.is_empty() => {
                    out.push_str(" SYSTEM \"");
                    out.push_str(s);
                    out.push('"');
                }
                _ => {}
            }
            out.push_str(&render.space_before_slash);
            out.push('>');
            render.endline(&mut out, sup);
        }
    }
    b.render(0, root_obj)?;
    write_el(&b, &render, 0, 0, &mut sup, &mut out);
    if render.pretty && !render.newline.is_empty() && out.ends_with(render.newline.as_str()) {
        out.truncate(out.len() - render.newline.len());
    }
    Ok(out)
}

/// `/1\.[0-9]+/` anywhere in the string.
fn has_1_dot_digit(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3)
        .any(|w| w[0] == b'1' && w[1] == b'.' && w[2].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::xml2js_build;

    #[test]
    fn builds_as_xml2js_0_6_does() {
        let xml = xml2js_build(
            r#"{"r":{"$":{"a":"1"},"b":["x",123456789012345680000],"_":"t&"}}"#,
            r#"{"headless":true,"renderOpts":{"pretty":false}}"#,
        )
        .unwrap();
        assert_eq!(
            xml,
            r#"<r a="1"><b>x</b><b>123456789012345680000</b>t&amp;</r>"#
        );
    }
}
