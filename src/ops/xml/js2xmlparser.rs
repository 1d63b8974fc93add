//! js2xmlparser 5.0.0 `parse(root, object, options)` (xmlcreate 2.0.4 underneath), for the
//! js2xmlparser bridge (adaptors/js2xmlparser): OpenFn adaptors build CommCare form submissions
//! with it, often megabytes of XML, which the real package builds several times slower.
//!
//! The object is walked in the library's order into a small element tree (names can still change
//! through the alias key, and error messages name the ancestors as they are at the time of the
//! error), then printed like xmlcreate 2.0.4. Whatever is not reproduced is
//! [`super::build_common::BuildErrorKind::Unsupported`]: the bridge then runs the real package.

use super::build_common::{
    given, invalid, is_marker, js_str, js_string, name_char, name_start, opt, parse_json,
    push_escaped, truthy, unsupported, valid_name, xml_char_ok, BuildError, Kid, KidKind, NONE,
};
use serde_json::{Map, Value};
use std::borrow::Cow;

struct Format {
    double_quotes: bool,
    indent: String,
    newline: String,
    pretty: bool,
}

struct Opts {
    alias: String,
    attr: String,
    value: String,
    cdata_invalid: bool,
    cdata_keys: Vec<String>,
    cdata_star: bool,
    replace: bool,
    self_close: bool,
    validation: bool,
    decl: Option<(Option<String>, Option<String>, Option<String>)>, // encoding, standalone, version
    dtd: Option<(String, Option<String>, Option<String>)>,          // name, sysId, pubId
    fmt: Format,
}

fn str_opt(m: &Map<String, Value>, key: &str, default: &str) -> Result<String, BuildError> {
    match opt(m, key) {
        None => Ok(default.to_string()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(unsupported(&format!("non-string option {key}"))),
    }
}

fn opt_str(m: &Map<String, Value>, key: &str) -> Result<Option<String>, BuildError> {
    match opt(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(unsupported(&format!("non-string option {key}"))),
    }
}

fn bool_opt(m: &Map<String, Value>, key: &str, default: bool) -> bool {
    opt(m, key).map(truthy).unwrap_or(default)
}

/// A sub-options object (`declaration`, `dtd`, `format`): absent/undefined → empty.
fn sub<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    empty: &'a Map<String, Value>,
) -> Result<&'a Map<String, Value>, BuildError> {
    match opt(m, key) {
        None => Ok(empty),
        Some(Value::Object(o)) => Ok(o),
        Some(_) => Err(unsupported(&format!("option {key} is not an object"))),
    }
}

fn read_opts(v: &Value) -> Result<Opts, BuildError> {
    let Value::Object(m) = v else {
        return Err(unsupported("options not an object"));
    };
    for h in ["typeHandlers", "wrapHandlers"] {
        if given(m, h) {
            match &m[h] {
                Value::Object(o) if o.is_empty() => {}
                x if is_marker(x) => {}
                _ => return Err(unsupported(h)),
            }
        }
    }
    let empty = Map::new();
    let validation = bool_opt(m, "validation", true);
    let alias = str_opt(m, "aliasString", "=")?;
    let attr = str_opt(m, "attributeString", "@")?;
    let cdata_invalid = bool_opt(m, "cdataInvalidChars", false);
    let (mut cdata_keys, mut cdata_star) = (Vec::new(), false);
    match opt(m, "cdataKeys") {
        None => {}
        Some(Value::Array(a)) => {
            for k in a {
                if let Value::String(s) = k {
                    cdata_star |= s == "*";
                    cdata_keys.push(s.clone());
                }
            }
        }
        Some(_) => return Err(unsupported("cdataKeys not an array")),
    }
    let d = sub(m, "declaration", &empty)?;
    let decl = if bool_opt(d, "include", true) {
        Some((
            opt_str(d, "encoding")?,
            opt_str(d, "standalone")?,
            opt_str(d, "version")?,
        ))
    } else {
        None
    };
    let t = sub(m, "dtd", &empty)?;
    let dtd_include = bool_opt(t, "include", false);
    if validation && opt(t, "name").is_none() && dtd_include {
        return Err(invalid(
            "options.dtd.name should be defined if options.dtd.include is true".into(),
        ));
    }
    let dtd = if dtd_include {
        let Some(Value::String(name)) = opt(t, "name") else {
            return Err(unsupported("dtd.name"));
        };
        Some((name.clone(), opt_str(t, "sysId")?, opt_str(t, "pubId")?))
    } else {
        None
    };
    let f = sub(m, "format", &empty)?;
    let fmt = Format {
        double_quotes: bool_opt(f, "doubleQuotes", false),
        indent: str_opt(f, "indent", "    ")?,
        newline: str_opt(f, "newline", "\n")?,
        pretty: bool_opt(f, "pretty", true),
    };
    Ok(Opts {
        alias,
        attr,
        value: str_opt(m, "valueString", "#")?,
        cdata_invalid,
        cdata_keys,
        cdata_star,
        replace: bool_opt(m, "replaceInvalidChars", false),
        self_close: bool_opt(m, "useSelfClosingTagIfEmpty", true),
        validation,
        decl,
        dtd,
        fmt,
    })
}

struct El<'a> {
    name: Cow<'a, str>,
    parent: Option<usize>,
    /// (name, escaped value) in creation order.
    attrs: Vec<(Cow<'a, str>, String)>,
    /// Attribute names as given (before replacement), for the duplicate check.
    given_attr_names: Vec<&'a str>,
    first: u32,
    last: u32,
}

struct B<'a, 'o> {
    o: &'o Opts,
    els: Vec<El<'a>>,
    /// Children (elements, character data, CDATA) as linked lists; texts live in `buf`.
    kids: Vec<Kid>,
    buf: String,
}

/// xmlcreate `fixName`: each character not allowed (at its position) becomes U+FFFD, per UTF-16
/// unit for astral characters.
fn fix_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        let ok = if i == 0 { name_start(c) } else { name_char(c) };
        if ok {
            out.push(c);
        } else if c.len_utf16() == 2 {
            out.push_str("\u{FFFD}\u{FFFD}");
        } else {
            out.push('\u{FFFD}');
        }
    }
    out
}

fn fix_char(s: &str) -> String {
    s.chars()
        .map(|c| if xml_char_ok(c) { c } else { '\u{FFFD}' })
        .collect()
}

fn chars_ok(s: &str) -> bool {
    s.chars().all(xml_char_ok)
}

impl<'a> B<'a, '_> {
    fn ctx(&self, id: Option<usize>) -> String {
        match id {
            None => "in XML document".into(),
            Some(i) => format!(
                "{} > element \"{}\"",
                self.ctx(self.els[i].parent),
                self.els[i].name
            ),
        }
    }

    /// Name setter of XmlElement / XmlAttribute; `ctx` is the context of the node's parent.
    fn check_name(
        &self,
        name: Cow<'a, str>,
        what: &str,
        ctx: impl Fn() -> String,
    ) -> Result<Cow<'a, str>, BuildError> {
        if self.o.replace {
            let f = fix_name(&name);
            if f.is_empty() {
                return Err(invalid(format!(
                    "{}: {what} name should not be empty",
                    ctx()
                )));
            }
            Ok(if f == *name { name } else { Cow::Owned(f) })
        } else if self.o.validation && !valid_name(&name) {
            if name.is_empty() {
                Err(invalid(format!(
                    "{}: {what} name should not be empty",
                    ctx()
                )))
            } else {
                Err(invalid(format!(
                    "{}: {what} name \"{name}\" should not contain characters not allowed in XML names",
                    ctx()
                )))
            }
        } else {
            Ok(name)
        }
    }

    fn push_kid(&mut self, el: usize, kind: KidKind, a: u32, b: u32) {
        let id = self.kids.len() as u32;
        self.kids.push(Kid {
            kind,
            a,
            b,
            next: NONE,
        });
        let e = &mut self.els[el];
        if e.last == NONE {
            e.first = id;
        } else {
            self.kids[e.last as usize].next = id;
        }
        e.last = id;
    }

    fn new_el(&mut self, parent: Option<usize>, name: &'a str) -> Result<usize, BuildError> {
        let name = self.check_name(Cow::Borrowed(name), "element", || self.ctx(parent))?;
        let id = self.els.len();
        self.els.push(El {
            name,
            parent,
            attrs: Vec::new(),
            given_attr_names: Vec::new(),
            first: NONE,
            last: NONE,
        });
        if let Some(p) = parent {
            self.push_kid(p, KidKind::El, id as u32, 0);
        }
        Ok(id)
    }

    fn value(&mut self, key: &'a str, v: &'a Value, el: usize) -> Result<(), BuildError> {
        match v {
            Value::Object(m) => self.object(m, el),
            Value::Array(a) => self.array(key, a, el),
            _ => {
                let s = js_str(v)?;
                self.string(&s, el)
            }
        }
    }

    fn object(&mut self, m: &'a Map<String, Value>, el: usize) -> Result<(), BuildError> {
        let o = self.o;
        for (k, v) in m {
            if *k == o.alias {
                let s = js_string(v)?;
                let parent = self.els[el].parent;
                let name = self.check_name(Cow::Owned(s), "element", || self.ctx(parent))?;
                self.els[el].name = name;
            } else if k.starts_with(o.attr.as_str()) && v.is_object() {
                for (ak, av) in v.as_object().unwrap() {
                    self.attribute(el, ak, av)?;
                }
            } else if k.starts_with(o.value.as_str()) {
                self.value(k, v, el)?;
            } else if let Value::Array(a) = v {
                self.array(k, a, el)?;
            } else {
                let c = self.new_el(Some(el), k)?;
                self.value(k, v, c)?;
            }
        }
        Ok(())
    }

    fn array(&mut self, key: &'a str, a: &'a [Value], el: usize) -> Result<(), BuildError> {
        for item in a {
            if let Value::Array(inner) = item {
                self.array(key, inner, el)?;
            } else {
                let c = self.new_el(Some(el), key)?;
                self.value(key, item, c)?;
            }
        }
        Ok(())
    }

    fn attribute(&mut self, el: usize, name: &'a str, v: &Value) -> Result<(), BuildError> {
        let o = self.o;
        if o.validation && self.els[el].given_attr_names.contains(&name) {
            return Err(invalid(format!(
                "{}: element \"{}\" already contains an attribute with the name \"{name}\"",
                self.ctx(self.els[el].parent),
                self.els[el].name
            )));
        }
        let fixed = self.check_name(Cow::Borrowed(name), "attribute", || self.ctx(Some(el)))?;
        let text = js_string(v)?;
        let text = if o.replace {
            fix_char(&text)
        } else if o.validation && !chars_ok(&text) {
            return Err(invalid(format!(
                "{} > attribute \"{fixed}\": attribute text \"{text}\" should not contain characters not allowed in XML",
                self.ctx(Some(el))
            )));
        } else {
            text
        };
        let mut esc = String::with_capacity(text.len() + 8);
        let dq = o.fmt.double_quotes;
        push_escaped(&mut esc, &text, |c| match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '"' if dq => Some("&quot;"),
            '\'' if !dq => Some("&apos;"),
            _ => None,
        });
        let e = &mut self.els[el];
        e.attrs.push((fixed, esc));
        e.given_attr_names.push(name);
        Ok(())
    }

    fn needs_cdata(&self, s: &str, el: usize) -> bool {
        let o = self.o;
        (o.cdata_invalid && (s.contains('<') || s.contains('&')))
            || o.cdata_star
            || o.cdata_keys.iter().any(|k| *k == self.els[el].name)
    }

    fn string(&mut self, s: &str, el: usize) -> Result<(), BuildError> {
        if self.needs_cdata(s, el) {
            let mut parts = s.split("]]>").peekable();
            while let Some(p) = parts.next() {
                if self.needs_cdata(p, el) {
                    self.cdata(p, el)?;
                } else {
                    self.chardata(p, el)?;
                }
                if parts.peek().is_some() {
                    self.chardata("]]>", el)?;
                }
            }
            Ok(())
        } else {
            self.chardata(s, el)
        }
    }

    fn chardata(&mut self, s: &str, el: usize) -> Result<(), BuildError> {
        let fixed;
        let s = if self.o.replace {
            fixed = fix_char(s);
            fixed.as_str()
        } else if self.o.validation && !chars_ok(s) {
            return Err(invalid(format!(
                "{}: character data\"{s}\" should not contain characters not allowed in XML",
                self.ctx(Some(el))
            )));
        } else {
            s
        };
        let start = self.buf.len();
        // & → &amp;  < → &lt;  then "]]>" → "]]&gt;" (left to right, like /]]>/g).
        let mut last = 0;
        let b = s.as_bytes();
        for i in 0..b.len() {
            let r = match b[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' if i >= 2 && b[i - 1] == b']' && b[i - 2] == b']' => "&gt;",
                _ => continue,
            };
            self.buf.push_str(&s[last..i]);
            self.buf.push_str(r);
            last = i + 1;
        }
        self.buf.push_str(&s[last..]);
        let end = self.buf.len();
        self.push_kid(el, KidKind::Text, start as u32, end as u32);
        Ok(())
    }

    fn cdata(&mut self, s: &str, el: usize) -> Result<(), BuildError> {
        let start = self.buf.len();
        if self.o.replace {
            let f = fix_char(s);
            self.buf.push_str(&f);
        } else if self.o.validation && !chars_ok(s) {
            return Err(invalid(format!(
                "{}: CDATA section \"{s}\" should not contain characters not allowed in XML",
                self.ctx(Some(el))
            )));
        } else {
            self.buf.push_str(s);
        }
        let end = self.buf.len();
        self.push_kid(el, KidKind::Other, start as u32, end as u32);
        Ok(())
    }

    fn text(&self, k: &Kid) -> &str {
        &self.buf[k.a as usize..k.b as usize]
    }

    fn write(&self, id: usize, indent: &mut String, out: &mut String) {
        let o = self.o;
        let f = &o.fmt;
        let e = &self.els[id];
        let q = if f.double_quotes { '"' } else { '\'' };
        out.push('<');
        out.push_str(&e.name);
        for (n, v) in &e.attrs {
            out.push(' ');
            out.push_str(n);
            out.push('=');
            out.push(q);
            out.push_str(v);
            out.push(q);
        }
        let (mut all_text, mut all_empty) = (true, true);
        let mut k = e.first;
        while k != NONE {
            let kid = &self.kids[k as usize];
            if kid.kind != KidKind::Text {
                all_text = false;
                all_empty = false;
                break;
            }
            all_empty &= kid.a == kid.b;
            k = kid.next;
        }
        if all_empty {
            if o.self_close {
                out.push_str("/>");
            } else {
                out.push_str("></");
                out.push_str(&e.name);
                out.push('>');
            }
            return;
        }
        out.push('>');
        let base = indent.len();
        indent.push_str(&f.indent);
        let breaks = f.pretty && !all_text;
        let mut prev_text = false;
        let mut first = true;
        let mut k = e.first;
        while k != NONE {
            let kid = &self.kids[k as usize];
            k = kid.next;
            let is_text = kid.kind == KidKind::Text;
            let after_text = !first && prev_text;
            first = false;
            prev_text = is_text;
            if is_text && kid.a == kid.b {
                continue;
            }
            if breaks && !(is_text && after_text) {
                out.push_str(&f.newline);
                out.push_str(indent);
            }
            match kid.kind {
                KidKind::El => self.write(kid.a as usize, indent, out),
                KidKind::Text => out.push_str(self.text(kid)),
                KidKind::Other => {
                    out.push_str("<![CDATA[");
                    out.push_str(self.text(kid));
                    out.push_str("]]>");
                }
            }
        }
        indent.truncate(base);
        if breaks {
            out.push_str(&f.newline);
            out.push_str(indent);
        }
        out.push_str("</");
        out.push_str(&e.name);
        out.push('>');
    }
}

fn valid_encoding(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

fn valid_pub_id(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c as u32, 0xA | 0xD | 0x20 | 0x21 | 0x23..=0x25 | 0x27..=0x3B | 0x3D | 0x3F..=0x5A | 0x5F | 0x61..=0x7A)
    })
}

/// js2xmlparser 5.0.0 `parse(root, object, options)`.
///
/// `object_json` = `JSON.stringify(object)` after the bridge's conversions (`undefined` ->
/// `"undefined"`, `NaN`/`Infinity` -> their strings, `Date` -> `date.toString()`), `options_json`
/// = the options (`{}` when omitted; an own property whose value is `undefined` is
/// `{"$fnhost":"undefined"}`). Returns the document text (declaration, optional DOCTYPE, root
/// element) exactly as js2xmlparser does, or its error message (`Invalid`).
pub fn js2xml_parse(
    root: &str,
    object_json: &str,
    options_json: &str,
) -> Result<String, BuildError> {
    let obj = parse_json(object_json, "object")?;
    let opts = parse_json(options_json, "options")?;
    parse(root, &obj, &opts)
}

fn parse(root: &str, obj: &Value, opts: &Value) -> Result<String, BuildError> {
    let o = read_opts(opts)?;
    let val = o.validation;
    // XmlDecl (encoding, standalone, version are checked in this order).
    if let Some((enc, sa, ver)) = &o.decl {
        if let Some(e) = enc {
            if val && !valid_encoding(e) {
                return Err(invalid(format!(
                    "in XML document: declaration encoding attribute {e} should be a valid encoding"
                )));
            }
        }
        if let Some(s) = sa {
            if val && s != "yes" && s != "no" {
                return Err(invalid(format!(
                    "in XML document: declaration standalone attribute {s} should be the string 'yes' or the string 'no'"
                )));
            }
        }
        if let Some(v) = ver {
            let ok = v.len() == 3 && v.starts_with("1.") && v.as_bytes()[2].is_ascii_digit();
            if val && !ok {
                return Err(invalid(format!(
                    "in XML document: declaration version attribute {v} should be a valid XML version"
                )));
            }
        }
    }
    if let Some((name, sys, publ)) = &o.dtd {
        if val && !valid_name(name) {
            return Err(invalid(format!(
                "in XML document: DTD name \"{name}\" should not contain characters not allowed in XML names"
            )));
        }
        if let Some(s) = sys {
            if val && !chars_ok(s) {
                return Err(invalid(format!(
                    "in XML document: DTD system identifier \"{s}\" should not contain characters not allowed in XML"
                )));
            } else if val && s.contains('\'') && s.contains('"') {
                return Err(invalid(format!(
                    "in XML document: DTD system identifier \"{s}\" should not contain both single quotes and double quotes"
                )));
            }
        }
        if let Some(p) = publ {
            if val && !valid_pub_id(p) {
                return Err(invalid(format!(
                    "in XML document: DTD public identifier \"{p}\" should not contain characters not allowed in public identifiers"
                )));
            }
            if val && sys.is_none() {
                return Err(invalid(format!(
                    "in XML document: DTD public identifier \"{p}\" should not be defined if system identifier is undefined"
                )));
            }
        }
    }
    let root_owned: String;
    let mut b = B {
        o: &o,
        els: Vec::new(),
        kids: Vec::new(),
        buf: String::new(),
    };
    let r = b.new_el(None, root)?;
    let rn: &str = match &b.els[r].name {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => {
            root_owned = s.clone();
            &root_owned
        }
    };
    b.value(rn, obj, r)?;
    if b.buf.len() >= u32::MAX as usize {
        return Err(unsupported("text over 4 GB"));
    }

    let f = &o.fmt;
    let q = if f.double_quotes { '"' } else { '\'' };
    let mut out = String::with_capacity(b.buf.len() * 2 + 1024);
    if let Some((enc, sa, ver)) = &o.decl {
        out.push_str("<?xml version=");
        out.push(q);
        out.push_str(ver.as_deref().unwrap_or("1.0"));
        out.push(q);
        if let Some(e) = enc {
            out.push_str(" encoding=");
            out.push(q);
            out.push_str(e);
            out.push(q);
        }
        if let Some(s) = sa {
            out.push_str(" standalone=");
            out.push(q);
            out.push_str(s);
            out.push(q);
        }
        out.push_str("?>");
        if f.pretty {
            out.push_str(&f.newline);
        }
    }
    if let Some((name, sys, publ)) = &o.dtd {
        let quoted = |v: &str, out: &mut String, single_ctx: &str| -> Result<(), BuildError> {
            if val && v.contains(q) {
                return Err(invalid(format!(
                    "{single_ctx}: doubleQuotes option inconsistent with DTD system identifier or public identifier"
                )));
            }
            out.push(q);
            out.push_str(v);
            out.push(q);
            Ok(())
        };
        let ctx = if f.double_quotes {
            "in XML document"
        } else {
            "in XML document > DTD"
        };
        out.push_str("<!DOCTYPE ");
        out.push_str(name);
        match (publ, sys) {
            (None, None) => {}
            (None, Some(s)) => {
                out.push_str(" SYSTEM ");
                quoted(s, &mut out, ctx)?;
            }
            (Some(_), None) => {
                return Err(invalid(
                    "in XML document: DTD system identifier is not undefined".into(),
                ));
            }
            (Some(p), Some(s)) => {
                out.push_str(" PUBLIC ");
                quoted(p, &mut out, ctx)?;
                out.push(' ');
                quoted(s, &mut out, ctx)?;
            }
        }
        out.push('>');
        if f.pretty {
            out.push_str(&f.newline);
        }
    }
    let mut indent = String::new();
    b.write(r, &mut indent, &mut out);
    if f.pretty {
        out.push_str(&f.newline);
    }
    if !f.newline.is_empty() && out.ends_with(f.newline.as_str()) {
        out.truncate(out.len() - f.newline.len());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::js2xml_parse;

    #[test]
    fn builds_as_js2xmlparser_5_does() {
        let xml = js2xml_parse(
            "person",
            r#"{"@":{"id":1},"name":"Ann & Bo","n":123456789012345680000,"tags":["a","b"]}"#,
            r#"{"format":{"pretty":false}}"#,
        )
        .unwrap();
        assert_eq!(
            xml,
            "<?xml version='1.0'?><person id='1'><name>Ann &amp; Bo</name>\
             <n>123456789012345680000</n><tags>a</tags><tags>b</tags></person>"
        );
        let err = js2xml_parse("a b", "{}", "{}").unwrap_err();
        assert_eq!(
            err.kind,
            super::super::build_common::BuildErrorKind::Invalid
        );
    }
}
