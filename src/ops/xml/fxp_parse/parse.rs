//! The parse: fast-xml-parser's OrderedObjParser rules (v4 and v5 variants) building an ordered
//! tree, then either that tree (`preserveOrder`) or node2json's compression, written as JSON.

use super::entities_v5;
use super::jsnum::{is_js_ws, js_trim, js_trim_start, strnum_v1, strnum_v2, u16len, NumOut};
use super::names::is_name;
use super::opts::{is_critical, is_dangerous, IgnoreAttrs, Opts, StopPat};
use super::out::{is_index_key, write_json, write_obj, JObj, JV};
use super::E;
use std::borrow::Cow;
use std::collections::HashMap;

type R<T> = Result<T, E>;

fn throw<T>(m: impl Into<String>) -> R<T> {
    Err(E::Throw(m.into()))
}

fn unsup<T>(m: &'static str) -> R<T> {
    Err(E::Unsup(m))
}

enum Item {
    Text(JV),
    Node(usize),
}

struct Node {
    name: String,
    children: Vec<Item>,
    /// the ":@" object (non-empty)
    attrs: Option<JObj>,
}

struct TagExp {
    tag_name: String,
    tag_exp: String,
    close_index: usize,
    attr_exp_present: bool,
    raw_tag_name: String,
}

/// Entity state for one parse.
struct Ents {
    // v4
    doctype: Vec<(String, String)>,
    last: Vec<(Vec<String>, String)>,
    count: f64,
    expanded: f64,
    // v5
    input: HashMap<String, String>,
    base: HashMap<String, String>,
    total: f64,
    exp_len: f64,
    xml11: bool,
}

struct P<'a> {
    o: &'a Opts,
    x: &'a str,
    nodes: Vec<Node>,
    ents: Ents,
    /// v5 matcher path (tag names)
    path: Vec<String>,
    stop_flag: bool,
}

const ROOT: usize = 0;

pub fn parse_to_json(xml: &str, o: &Opts) -> R<String> {
    if o.check_only {
        return Ok(String::new());
    }
    let x: Cow<str> = if xml.contains('\r') {
        Cow::Owned(normalize_newlines(xml))
    } else {
        Cow::Borrowed(xml)
    };
    let mut p = P {
        o,
        x: &x,
        nodes: vec![Node {
            name: "!xml".into(),
            children: vec![],
            attrs: None,
        }],
        ents: init_ents(o)?,
        path: vec![],
        stop_flag: false,
    };
    p.run()?;
    let mut out = String::with_capacity(xml.len() + xml.len() / 2);
    if o.preserve_order {
        p.write_ordered(&mut out, ROOT, 0)?;
    } else {
        p.write_object(&mut out, ROOT, None, 0)?;
    }
    Ok(out)
}

fn normalize_newlines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.char_indices().peekable();
    let mut last = 0;
    let b = s.as_bytes();
    while let Some((i, c)) = it.next() {
        if c == '\r' {
            out.push_str(&s[last..i]);
            out.push('\n');
            last = if b.get(i + 1) == Some(&b'\n') {
                it.next();
                i + 2
            } else {
                i + 1
            };
        }
    }
    out.push_str(&s[last..]);
    out
}

fn init_ents(o: &Opts) -> R<Ents> {
    let mut e = Ents {
        doctype: vec![],
        last: vec![],
        count: 0.0,
        expanded: 0.0,
        input: HashMap::new(),
        base: HashMap::new(),
        total: 0.0,
        exp_len: 0.0,
        xml11: false,
    };
    if !o.v5 {
        let b = |alts: &[&str], v: &str| {
            (
                alts.iter().map(|a| format!("&{a};")).collect::<Vec<_>>(),
                v.to_string(),
            )
        };
        e.last = vec![
            b(&["apos", "#39", "#x27"], "'"),
            b(&["gt", "#62", "#x3E"], ">"),
            b(&["lt", "#60", "#x3C"], "<"),
            b(&["quot", "#34", "#x22"], "\""),
        ];
        for (k, v) in &o.external {
            if is_index_key(k) {
                return unsup("array-index entity name");
            }
            if v.contains('$') {
                return unsup("'$' in an entity value (a replace pattern)");
            }
            // the real regex is "&" + name with [.-+*:] turned into "\." + ";"
            let mut pat = String::from("&");
            for c in k.chars() {
                if matches!(c, '.' | '-' | '+' | '*' | ':') {
                    pat.push('.');
                } else if c.is_alphanumeric() || c == '_' || c == '#' {
                    pat.push(c);
                } else {
                    return unsup("entity name with regex characters");
                }
            }
            pat.push(';');
            let pos = ["apos", "gt", "lt", "quot"].iter().position(|n| n == k);
            match pos {
                Some(p) => e.last[p] = (vec![pat], v.clone()),
                None => {
                    if let Some(p) = e.last.iter().skip(4).position(|_| false) {
                        let _ = p;
                    }
                    e.last.push((vec![pat], v.clone()))
                }
            }
        }
    } else {
        for (k, v) in entities_v5::XML {
            e.base.insert(k.to_string(), v.to_string());
        }
        if o.html_named {
            for (k, v) in entities_v5::COMMON_HTML
                .iter()
                .chain(entities_v5::CURRENCY.iter())
            {
                e.base.insert(k.to_string(), v.to_string());
            }
        }
        for (k, v) in &o.external {
            e.base.insert(k.clone(), v.clone());
        }
    }
    Ok(e)
}

/// Replaces every non-overlapping occurrence (left to right) of any of `pats` by `val`; returns
/// the count.
fn replace_all(s: &str, pats: &[String], val: &str) -> (String, usize) {
    let mut out = String::new();
    let mut count = 0;
    let mut last = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(off) = s[i..].find('&') {
        let at = i + off;
        let mut hit = None;
        for p in pats {
            if b[at..].starts_with(p.as_bytes()) {
                hit = Some(p.len());
                break;
            }
        }
        match hit {
            Some(l) => {
                out.push_str(&s[last..at]);
                out.push_str(val);
                count += 1;
                last = at + l;
                i = last;
            }
            None => i = at + 1,
        }
    }
    if count == 0 {
        return (s.to_string(), 0);
    }
    out.push_str(&s[last..]);
    (out, count)
}

fn js_num_text(x: f64) -> String {
    super::jsnum::js_number_to_string(x)
}

/// JS `parseInt(s, radix)` (leading white space, sign, "0x" for 16, longest digit prefix).
fn js_parse_int(s: &str, radix: u32) -> Option<f64> {
    let t = js_trim_start(s);
    let (neg, mut r) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if radix == 16 && (r.starts_with("0x") || r.starts_with("0X")) {
        r = &r[2..];
    }
    let n = r.chars().take_while(|c| c.is_digit(radix)).count();
    if n == 0 {
        return None;
    }
    let mut v: f64 = 0.0;
    for c in r[..n].chars() {
        v = v * radix as f64 + c.to_digit(radix).unwrap() as f64;
        if v > 1e300 {
            break;
        }
    }
    Some(if neg { -v } else { v })
}

impl<'a> P<'a> {
    fn new_node(&mut self, name: String) -> usize {
        self.nodes.push(Node {
            name,
            children: vec![],
            attrs: None,
        });
        self.nodes.len() - 1
    }

    fn add_child(&mut self, parent: Option<usize>, child: usize) -> R<()> {
        let Some(p) = parent else {
            return unsup("TypeError: node added to undefined (v4)");
        };
        if self.nodes[child].name == "__proto__" {
            self.nodes[child].name = "#__proto__".into();
        }
        self.nodes[p].children.push(Item::Node(child));
        Ok(())
    }

    // ---------------------------------------------------------------- entities

    fn replace_entities(&mut self, val: &str, tag: Option<&str>) -> R<String> {
        let o = self.o;
        if !o.v5 && !val.contains('&') {
            return Ok(val.to_string());
        }
        if !o.ent.enabled {
            return Ok(val.to_string());
        }
        if let Some(allowed) = &o.ent.allowed_tags {
            if !tag.map(|t| allowed.iter().any(|a| a == t)).unwrap_or(false) {
                return Ok(val.to_string());
            }
        }
        if o.v5 {
            self.decode_v5(val)
        } else {
            self.replace_v4(val)
        }
    }

    fn replace_v4(&mut self, val: &str) -> R<String> {
        let cfg = &self.o.ent;
        let mut val = val.to_string();
        for k in 0..self.ents.doctype.len() {
            let (name, v) = &self.ents.doctype[k];
            let pat = format!("&{name};");
            let (nv, c) = replace_all(&val, std::slice::from_ref(&pat), v);
            if c > 0 {
                self.ents.count += c as f64;
                if cfg.max_total_expansions != 0.0 && self.ents.count > cfg.max_total_expansions {
                    return throw(format!(
                        "Entity expansion limit exceeded: {} > {}",
                        js_num_text(self.ents.count),
                        js_num_text(cfg.max_total_expansions)
                    ));
                }
                let before = u16len(&val) as f64;
                val = nv;
                if cfg.max_expanded_length != 0.0 {
                    self.ents.expanded += u16len(&val) as f64 - before;
                    if self.ents.expanded > cfg.max_expanded_length {
                        return throw(format!(
                            "Total expanded content size exceeded: {} > {}",
                            js_num_text(self.ents.expanded),
                            js_num_text(cfg.max_expanded_length)
                        ));
                    }
                }
            }
        }
        if !val.contains('&') {
            return Ok(val);
        }
        for k in 0..self.ents.last.len() {
            let (pats, v) = &self.ents.last[k];
            let (nv, c) = replace_all(&val, pats, v);
            if c > 0 {
                self.ents.count += c as f64;
                if cfg.max_total_expansions != 0.0 && self.ents.count > cfg.max_total_expansions {
                    return throw(format!(
                        "Entity expansion limit exceeded: {} > {}",
                        js_num_text(self.ents.count),
                        js_num_text(cfg.max_total_expansions)
                    ));
                }
                val = nv;
            }
        }
        if !val.contains('&') {
            return Ok(val);
        }
        if self.o.html_named {
            let table: [(&[&str], &str); 8] = [
                (&["nbsp", "#160"], " "),
                (&["cent", "#162"], "¢"),
                (&["pound", "#163"], "£"),
                (&["yen", "#165"], "¥"),
                (&["euro", "#8364"], "€"),
                (&["copy", "#169"], "©"),
                (&["reg", "#174"], "®"),
                (&["inr", "#8377"], "₹"),
            ];
            for (alts, v) in table {
                let pats: Vec<String> = alts.iter().map(|a| format!("&{a};")).collect();
                let (nv, c) = replace_all(&val, &pats, v);
                if c > 0 {
                    self.count_v4(c)?;
                    val = nv;
                }
            }
            for hex in [false, true] {
                let (nv, c) = replace_numeric_v4(&val, hex)?;
                if c > 0 {
                    self.count_v4(c)?;
                    val = nv;
                }
            }
        }
        let (nv, _) = replace_all(
            &val,
            &[
                "&amp;".to_string(),
                "&#38;".to_string(),
                "&#x26;".to_string(),
            ],
            "&",
        );
        Ok(nv)
    }

    fn count_v4(&mut self, c: usize) -> R<()> {
        let cfg = &self.o.ent;
        self.ents.count += c as f64;
        if cfg.max_total_expansions != 0.0 && self.ents.count > cfg.max_total_expansions {
            return throw(format!(
                "Entity expansion limit exceeded: {} > {}",
                js_num_text(self.ents.count),
                js_num_text(cfg.max_total_expansions)
            ));
        }
        Ok(())
    }

    fn decode_v5(&mut self, s: &str) -> R<String> {
        if s.is_empty() || !s.contains('&') {
            return Ok(s.to_string());
        }
        let cfg = &self.o.ent;
        let max_total = if cfg.max_total_expansions.is_nan() {
            0.0
        } else {
            cfg.max_total_expansions
        };
        let max_len = cfg.max_expanded_length;
        let b = s.as_bytes();
        let len = b.len();
        let mut out = String::new();
        let mut last = 0;
        let mut i = 0;
        let mut changed = false;
        while i < len {
            if b[i] != b'&' {
                i += 1;
                continue;
            }
            // ';' within 33 UTF-16 units after '&'
            let mut j = i + 1;
            let mut units = 1usize;
            let mut found = false;
            while j < len && units <= 32 {
                if b[j] == b';' {
                    found = true;
                    break;
                }
                let c = s[j..].chars().next().unwrap();
                j += c.len_utf8();
                units += c.len_utf16();
            }
            if !found {
                // the JS loop also stops at j - i == 33 with no ';' there
                i += 1;
                continue;
            }
            let token = &s[i + 1..j];
            if token.is_empty() {
                i += 1;
                continue;
            }
            let (rep, tier_base): (Option<String>, bool) =
                if let Some(num) = token.strip_prefix('#') {
                    let second = num.as_bytes().first().copied();
                    let cp = if second == Some(b'x') || second == Some(b'X') {
                        js_parse_int(&num[1..], 16)
                    } else {
                        js_parse_int(num, 10)
                    };
                    match cp {
                        None => (None, true),
                        Some(cp) if !(0.0..=1114111.0).contains(&cp) => (None, true),
                        Some(cp) => {
                            let cp = cp as u32;
                            let minimum: i32 = if cp == 0
                                || (0xD800..=0xDFFF).contains(&cp)
                                || (!self.ents.xml11
                                    && (1..=0x1f).contains(&cp)
                                    && ![9, 10, 13].contains(&cp))
                            {
                                2
                            } else {
                                -1
                            };
                            if !self.o.numeric_allowed && minimum < 2 {
                                (None, true)
                            } else if minimum == 2 {
                                (Some(String::new()), true)
                            } else {
                                (
                                    Some(
                                        char::from_u32(cp)
                                            .ok_or(E::Unsup("code point"))?
                                            .to_string(),
                                    ),
                                    true,
                                )
                            }
                        }
                    }
                } else if let Some(v) = self.ents.input.get(token) {
                    (Some(v.clone()), false)
                } else if let Some(v) = self.ents.base.get(token) {
                    (Some(v.clone()), true)
                } else {
                    (None, true)
                };
            let Some(rep) = rep else {
                i += 1;
                continue;
            };
            out.push_str(&s[last..i]);
            out.push_str(&rep);
            changed = true;
            last = j + 1;
            i = last;
            let counts = match cfg.applies_to.as_str() {
                "all" => true,
                "base" => tier_base,
                _ => !tier_base,
            };
            let check = max_total > 0.0 || max_len > 0.0;
            if check && counts {
                if max_total > 0.0 {
                    self.ents.total += 1.0;
                    if self.ents.total > max_total {
                        return throw(format!(
                            "[EntityReplacer] Entity expansion count limit exceeded: {} > {}",
                            js_num_text(self.ents.total),
                            js_num_text(max_total)
                        ));
                    }
                }
                if max_len > 0.0 {
                    let delta = u16len(&rep) as f64 - (u16len(token) as f64 + 2.0);
                    if delta > 0.0 {
                        self.ents.exp_len += delta;
                        if self.ents.exp_len > max_len {
                            return throw(format!(
                                "[EntityReplacer] Expanded content length limit exceeded: {} > {}",
                                js_num_text(self.ents.exp_len),
                                js_num_text(max_len)
                            ));
                        }
                    }
                }
            }
        }
        if !changed {
            return Ok(s.to_string());
        }
        out.push_str(&s[last..]);
        Ok(out)
    }

    // ---------------------------------------------------------------- values

    fn to_number(&self, s: &str) -> R<JV> {
        let r = if self.o.v5 {
            strnum_v2(s, &self.o.num)?
        } else {
            strnum_v1(s, &self.o.num)?
        };
        Ok(match r {
            NumOut::Keep => JV::Str(s.to_string()),
            // the bridge carries the result as JSON, which turns these into 0 and null: the real
            // package must make such an object
            NumOut::Num(n) if !n.is_finite() || (n == 0.0 && n.is_sign_negative()) => {
                return Err(E::Unsup("a number JSON cannot carry (-0, NaN, Infinity)"))
            }
            NumOut::Num(n) => JV::Num(n),
            NumOut::Null => JV::Null,
            NumOut::Str(t) => JV::Str(t.to_string()),
        })
    }

    fn parse_value(&self, val: String, should: bool) -> R<JV> {
        if should {
            let t = js_trim(&val);
            if t == "true" {
                return Ok(JV::Bool(true));
            }
            if t == "false" {
                return Ok(JV::Bool(false));
            }
            if val.is_empty() {
                return Ok(JV::Str(val));
            }
            return self.to_number(&val);
        }
        Ok(JV::Str(val))
    }

    /// parseTextData; `None` is undefined.
    fn parse_text(
        &mut self,
        val: &str,
        tag: Option<&str>,
        dont_trim: bool,
        escape: bool,
    ) -> R<Option<JV>> {
        let o = self.o;
        let v = if o.trim_values && !dont_trim {
            js_trim(val)
        } else {
            val
        };
        if v.is_empty() {
            return Ok(None);
        }
        let v = if escape {
            v.to_string()
        } else {
            self.replace_entities(v, tag)?
        };
        if o.trim_values {
            return Ok(Some(self.parse_value(v, o.parse_tag_value)?));
        }
        if js_trim(&v).len() == v.len() {
            Ok(Some(self.parse_value(v, o.parse_tag_value)?))
        } else {
            Ok(Some(JV::Str(v)))
        }
    }

    fn save_text(
        &mut self,
        text: &mut String,
        parent: Option<usize>,
        is_leaf: Option<bool>,
    ) -> R<()> {
        if text.is_empty() {
            return Ok(());
        }
        let Some(p) = parent else {
            return unsup("TypeError: text of undefined node (v4)");
        };
        let _ = is_leaf;
        let tag = if self.o.ent.allowed_tags.is_some() {
            Some(self.nodes[p].name.clone())
        } else {
            None
        };
        let r = self.parse_text(text, tag.as_deref(), false, false);
        text.clear();
        if let Some(v) = r? {
            if !matches!(&v, JV::Str(s) if s.is_empty()) {
                self.nodes[p].children.push(Item::Text(v));
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- attributes

    fn resolve_ns(&self, name: &str) -> String {
        if self.o.remove_ns {
            let parts: Vec<&str> = name.split(':').collect();
            let prefix = if name.starts_with('/') { "/" } else { "" };
            if parts[0] == "xmlns" {
                return String::new();
            }
            if parts.len() == 2 {
                return format!("{prefix}{}", parts[1]);
            }
        }
        name.to_string()
    }

    fn sanitize(&self, name: String) -> R<String> {
        if is_critical(&name) {
            return throw(format!(
                "[SECURITY] Invalid name: \"{name}\" is a reserved JavaScript keyword that could cause prototype pollution"
            ));
        }
        if is_dangerous(&name) {
            return Ok(format!("__{name}"));
        }
        Ok(name)
    }

    fn ignored_attr(&self, name: &str) -> bool {
        match &self.o.ignore_attrs {
            IgnoreAttrs::List(l) => l.iter().any(|x| x == name),
            _ => false,
        }
    }

    /// buildAttributesMap; `force` is v5's PI call.
    fn build_attrs(&mut self, attr_str: &str, tag: Option<&str>, force: bool) -> R<Option<JObj>> {
        let o = self.o;
        if !force && matches!(o.ignore_attrs, IgnoreAttrs::All) {
            return Ok(None);
        }
        let matches = attr_matches(attr_str);
        let mut attrs = JObj::new();
        let mut has = false;
        if o.v5 {
            let mut processed: Vec<Option<String>> = Vec::with_capacity(matches.len());
            for (name, val) in &matches {
                let an = self.resolve_ns(name);
                if !an.is_empty() {
                    if let Some(v) = val {
                        let v = if o.trim_values { js_trim(v) } else { v };
                        processed.push(Some(self.replace_entities(v, tag)?));
                        continue;
                    }
                }
                processed.push(None);
            }
            for (k, (name, val)) in matches.iter().enumerate() {
                let an = self.resolve_ns(name);
                if self.ignored_attr(&an) {
                    continue;
                }
                if an.is_empty() {
                    continue;
                }
                let aname = self.sanitize(format!("{}{}", o.attr_prefix, an))?;
                if val.is_some() {
                    let v = processed[k].take().unwrap();
                    let pv = self.parse_value(v, o.parse_attr_value)?;
                    attrs.set(&aname, pv);
                    has = true;
                } else if o.allow_bool_attrs {
                    attrs.set(&aname, JV::Bool(true));
                    has = true;
                }
            }
            if !has {
                return Ok(None);
            }
            if let Some(g) = &o.attrs_group {
                if !o.preserve_order {
                    let mut c = JObj::new();
                    c.set(g, JV::Obj(attrs));
                    return Ok(Some(c));
                }
            }
            return Ok(Some(attrs));
        }
        for (name, val) in &matches {
            let an = self.resolve_ns(name);
            if self.ignored_attr(&an) {
                continue;
            }
            if an.is_empty() {
                continue;
            }
            let aname = self.sanitize(format!("{}{}", o.attr_prefix, an))?;
            if let Some(v) = val {
                let v = if o.trim_values { js_trim(v) } else { v };
                let v = self.replace_entities(v, tag)?;
                let pv = self.parse_value(v, o.parse_attr_value)?;
                attrs.set(&aname, pv);
            } else if o.allow_bool_attrs {
                attrs.set(&aname, JV::Bool(true));
            }
        }
        if attrs.is_empty() {
            return Ok(None);
        }
        if let Some(g) = &o.attrs_group {
            let mut c = JObj::new();
            c.set(g, JV::Obj(attrs));
            return Ok(Some(c));
        }
        Ok(Some(attrs))
    }

    // ---------------------------------------------------------------- the scan

    fn is_unpaired(&self, name: &str) -> bool {
        self.o.unpaired.iter().any(|u| u == name)
    }

    fn stop_v5(&self) -> bool {
        for p in &self.o.stop_pats {
            match p {
                StopPat::Deep(n) => {
                    // `..n`: the leading deep wildcard must match at least one ancestor, so a
                    // top-level `n` is not a stop node in 5.x
                    if self.path.len() >= 2 && self.path.last().map(|t| t == n).unwrap_or(false) {
                        return true;
                    }
                }
                StopPat::Exact(segs) => {
                    if segs.len() == self.path.len()
                        && segs.iter().zip(&self.path).all(|(a, b)| a == b)
                    {
                        return true;
                    }
                }
            }
        }
        false
    }

    fn run(&mut self) -> R<()> {
        let o = self.o;
        let x = self.x;
        let b = x.as_bytes();
        let n = b.len();
        let mut cur: Option<usize> = Some(ROOT);
        let mut stack: Vec<Option<usize>> = Vec::new();
        let mut text = String::new();
        let mut jpath = String::new();
        let mut doctype_found = false;
        let mut i = 0usize;
        while i < n {
            // text up to the next '<'
            let Some(off) = x[i..].find('<') else {
                text.push_str(&x[i..]);
                break;
            };
            if off > 0 {
                text.push_str(&x[i..i + off]);
                i += off;
            }
            let c1 = b.get(i + 1).copied();
            if c1 == Some(b'/') {
                let Some(ci) = x[i..].find('>').map(|p| p + i) else {
                    return throw("Closing Tag is not closed.");
                };
                let mut tag_name = js_trim(&x[i + 2..ci]).to_string();
                if o.remove_ns {
                    if let Some(c) = tag_name.find(':') {
                        tag_name = tag_name[c + 1..].to_string();
                    }
                }
                if o.v5 {
                    tag_name = self.sanitize(tag_name)?;
                }
                if cur.is_some() {
                    self.save_text(&mut text, cur, None)?;
                }
                if o.v5 {
                    let last = self.path.last().cloned();
                    if !tag_name.is_empty() && self.is_unpaired(&tag_name) {
                        return throw(format!(
                            "Unpaired tag can not be used as closing tag: </{tag_name}>"
                        ));
                    }
                    if let Some(l) = last {
                        if !l.is_empty() && self.is_unpaired(&l) {
                            self.path.pop();
                            stack.pop();
                        }
                    }
                    self.path.pop();
                    self.stop_flag = false;
                    cur = Some(stack.pop().flatten().unwrap_or(ROOT));
                } else {
                    let last_tag = &jpath[jpath.rfind('.').map(|p| p + 1).unwrap_or(0)..];
                    if !tag_name.is_empty() && self.is_unpaired(&tag_name) {
                        return throw(format!(
                            "Unpaired tag can not be used as closing tag: </{tag_name}>"
                        ));
                    }
                    let prop_index: i64 = if !last_tag.is_empty() && self.is_unpaired(last_tag) {
                        stack.pop();
                        let a = jpath.rfind('.').map(|p| p as i64).unwrap_or(-1);
                        js_last_index_of_dot(&jpath, a - 1)
                    } else {
                        jpath.rfind('.').map(|p| p as i64).unwrap_or(-1)
                    };
                    jpath.truncate(prop_index.max(0) as usize);
                    cur = stack.pop().flatten();
                }
                text.clear();
                i = ci + 1;
            } else if c1 == Some(b'?') {
                let Some(td) = read_tag_exp(x, i, false, b"?>") else {
                    return throw("Pi Tag is not closed.");
                };
                self.save_text(&mut text, cur, None)?;
                let mut atts = None;
                if o.v5 {
                    atts = self.build_attrs(&td.tag_exp, Some(&td.tag_name), true)?;
                    if let Some(a) = &atts {
                        let ver = a.get(&format!("{}version", o.attr_prefix));
                        let num = match ver {
                            None => None,
                            Some(JV::Num(v)) => Some(*v),
                            Some(JV::Bool(b)) => Some(if *b { 1.0 } else { 0.0 }),
                            Some(JV::Str(s)) => super::jsnum::js_number(s)?,
                            Some(JV::Null) => Some(0.0),
                            Some(_) => None,
                        };
                        self.ents.xml11 = num == Some(1.1);
                    }
                }
                if (o.ignore_decl && td.tag_name == "?xml") || o.ignore_pi {
                } else {
                    let child = self.new_node(td.tag_name.clone());
                    self.nodes[child]
                        .children
                        .push(Item::Text(JV::Str(String::new())));
                    if td.tag_name != td.tag_exp && td.attr_exp_present {
                        if o.v5 {
                            if !matches!(o.ignore_attrs, IgnoreAttrs::All) {
                                self.nodes[child].attrs = atts;
                            }
                        } else {
                            self.nodes[child].attrs =
                                self.build_attrs(&td.tag_exp, Some(&td.tag_name), false)?;
                        }
                    }
                    self.add_child(cur, child)?;
                }
                i = td.close_index + 2;
            } else if c1 == Some(b'!') && b.get(i + 2) == Some(&b'-') && b.get(i + 3) == Some(&b'-')
            {
                let Some(e) = find_from(x, "-->", i + 4) else {
                    return throw("Comment is not closed.");
                };
                let end = e + 2;
                if let Some(cp) = &o.comment_prop {
                    let comment = x[i + 4..end - 2].to_string();
                    self.save_text(&mut text, cur, None)?;
                    let Some(c) = cur else {
                        return unsup("TypeError (v4)");
                    };
                    let node = self.new_node(cp.clone());
                    self.nodes[node].children.push(Item::Text(JV::Str(comment)));
                    self.nodes[c].children.push(Item::Node(node));
                }
                i = end + 1;
            } else if c1 == Some(b'!') && b.get(i + 2) == Some(&b'D') {
                if o.v5 {
                    if doctype_found {
                        return throw("Multiple DOCTYPE declarations found.");
                    }
                    doctype_found = true;
                }
                let (ents, ni) = super::doctype::read_doctype(x, i, o)?;
                if o.v5 {
                    self.ents.input.clear();
                    for (k, v) in ents {
                        if !safe_entity_value(&v) {
                            return unsup("DOCTYPE entity value is-unsafe would need to judge");
                        }
                        self.ents.input.insert(k, v);
                    }
                    self.ents.total = 0.0;
                    self.ents.exp_len = 0.0;
                } else {
                    for (_, v) in &ents {
                        if v.contains('$') {
                            return unsup("'$' in an entity value (a replace pattern)");
                        }
                    }
                    self.ents.doctype = ents;
                }
                i = ni + 1;
            } else if c1 == Some(b'!') && b.get(i + 2) == Some(&b'[') {
                let Some(e) = find_from(x, "]]>", i) else {
                    return throw("CDATA is not closed.");
                };
                // substring(i + 9, e): JS swaps reversed bounds
                let (a, z) = if i + 9 <= e {
                    (i + 9, e)
                } else {
                    (e, (i + 9).min(n))
                };
                if !b[i..(i + 9).min(n)].is_ascii() {
                    return unsup("non-ASCII right after <![");
                }
                let tag_exp = x[a..z].to_string();
                self.save_text(&mut text, cur, None)?;
                let Some(c) = cur else {
                    return unsup("TypeError (v4)");
                };
                let tn = self.nodes[c].name.clone();
                // `if (val == undefined) val = ""`: null (numberParseOptions.infinity "null") too
                let val = match self.parse_text(&tag_exp, Some(&tn), true, true)? {
                    None | Some(JV::Null) => JV::Str(String::new()),
                    Some(v) => v,
                };
                if let Some(cp) = &o.cdata_prop {
                    let node = self.new_node(cp.clone());
                    self.nodes[node].children.push(Item::Text(JV::Str(tag_exp)));
                    self.nodes[c].children.push(Item::Node(node));
                } else {
                    self.nodes[c].children.push(Item::Text(val));
                }
                i = e + 3;
            } else {
                // opening tag
                let Some(r) = read_tag_exp(x, i, o.remove_ns, b">") else {
                    if !o.v5 {
                        return unsup("TypeError: readTagExp undefined (v4)");
                    }
                    let p16 = u16len(&x[..i]);
                    let total = u16len(x);
                    let a = p16.saturating_sub(50);
                    let z = (p16 + 50).min(total);
                    let ctx = substring16(x, a, z)?;
                    return throw(format!(
                        "readTagExp returned undefined at position {p16}. Context: \"{ctx}\""
                    ));
                };
                let mut tag_name = r.tag_name;
                let raw = r.raw_tag_name;
                let mut tag_exp = r.tag_exp;
                let mut attr_present = r.attr_exp_present;
                let close = r.close_index;
                if o.v5 {
                    tag_name = self.sanitize(tag_name)?;
                }
                if o.strict_reserved
                    && (Some(&tag_name) == o.comment_prop.as_ref()
                        || Some(&tag_name) == o.cdata_prop.as_ref()
                        || tag_name == o.text_name
                        || Some(&tag_name) == o.attrs_group.as_ref())
                {
                    return throw(format!("Invalid tag name: {tag_name}"));
                }
                if cur.is_some() && !text.is_empty() && self.nodes[cur.unwrap()].name != "!xml" {
                    self.save_text(&mut text, cur, Some(false))?;
                }
                if let Some(c) = cur {
                    if !o.unpaired.is_empty() && self.is_unpaired(&self.nodes[c].name) {
                        cur = stack.pop().flatten();
                        if o.v5 {
                            self.path.pop();
                        } else {
                            jpath.truncate(jpath.rfind('.').unwrap_or(0));
                        }
                    }
                }
                if o.v5 {
                    let self_closing = tag_exp.ends_with('/');
                    if self_closing {
                        if tag_name.ends_with('/') {
                            tag_name.pop();
                            tag_exp = tag_name.clone();
                        } else {
                            tag_exp.pop();
                        }
                        attr_present = tag_name != tag_exp;
                    }
                    if tag_name != "!xml" {
                        self.path.push(tag_name.clone());
                    }
                    let mut attrs = None;
                    if tag_name != tag_exp && attr_present {
                        attrs = self.build_attrs(&tag_exp, Some(&tag_name), false)?;
                    }
                    if tag_name != "!xml" {
                        self.stop_flag = !o.stop_pats.is_empty() && self.stop_v5();
                    }
                    if self.stop_flag {
                        let mut content = String::new();
                        if self_closing || self.is_unpaired(&tag_name) {
                            i = close;
                        } else {
                            let Some((c, ni)) = read_stop_node(x, &raw, close + 1, true)? else {
                                return throw(format!("Unexpected end of {raw}"));
                            };
                            content = c;
                            i = ni;
                        }
                        let child = self.new_node(tag_name.clone());
                        self.nodes[child].attrs = attrs;
                        self.nodes[child]
                            .children
                            .push(Item::Text(JV::Str(content)));
                        self.path.pop();
                        self.stop_flag = false;
                        self.add_child(cur, child)?;
                        i += 1;
                        continue;
                    }
                    if self_closing {
                        tag_name = self.sanitize(tag_name)?;
                        let child = self.new_node(tag_name.clone());
                        self.nodes[child].attrs = attrs;
                        self.add_child(cur, child)?;
                        self.path.pop();
                        self.stop_flag = false;
                    } else if self.is_unpaired(&tag_name) {
                        let child = self.new_node(tag_name.clone());
                        self.nodes[child].attrs = attrs;
                        self.add_child(cur, child)?;
                        self.path.pop();
                        self.stop_flag = false;
                        i = close + 1;
                        continue;
                    } else {
                        let child = self.new_node(tag_name.clone());
                        if stack.len() as f64 > o.max_nested {
                            return throw("Maximum nested tags exceeded");
                        }
                        stack.push(cur);
                        self.nodes[child].attrs = attrs;
                        self.add_child(cur, child)?;
                        cur = Some(child);
                    }
                    text.clear();
                    i = close + 1;
                    continue;
                }
                // v4
                if o.v5 || tag_name != "!xml" {
                    if jpath.is_empty() {
                        jpath.push_str(&tag_name);
                    } else {
                        jpath.push('.');
                        jpath.push_str(&tag_name);
                    }
                }
                let is_stop = o.stop_wild.contains(&tag_name) || o.stop_exact.contains(&jpath);
                if is_stop {
                    let mut content = String::new();
                    if tag_exp.ends_with('/') {
                        if tag_name.ends_with('/') {
                            tag_name.pop();
                            jpath.pop();
                            tag_exp = tag_name.clone();
                        } else {
                            tag_exp.pop();
                        }
                        i = close;
                    } else if self.is_unpaired(&tag_name) {
                        i = close;
                    } else {
                        let Some((c, ni)) = read_stop_node(x, &raw, close + 1, false)? else {
                            return throw(format!("Unexpected end of {raw}"));
                        };
                        content = c;
                        i = ni;
                    }
                    let child = self.new_node(tag_name.clone());
                    if tag_name != tag_exp && attr_present {
                        self.nodes[child].attrs =
                            self.build_attrs(&tag_exp, Some(&tag_name), false)?;
                    }
                    let val = if !content.is_empty() {
                        self.parse_text(&content, Some(&tag_name), true, true)?
                            .unwrap_or(JV::Str(String::new()))
                    } else {
                        JV::Str(content)
                    };
                    jpath.truncate(jpath.rfind('.').unwrap_or(0));
                    self.nodes[child].children.push(Item::Text(val));
                    self.add_child(cur, child)?;
                    i += 1;
                    continue;
                }
                if tag_exp.ends_with('/') {
                    if tag_name.ends_with('/') {
                        tag_name.pop();
                        jpath.pop();
                        tag_exp = tag_name.clone();
                    } else {
                        tag_exp.pop();
                    }
                    let child = self.new_node(tag_name.clone());
                    if tag_name != tag_exp && attr_present {
                        self.nodes[child].attrs =
                            self.build_attrs(&tag_exp, Some(&tag_name), false)?;
                    }
                    self.add_child(cur, child)?;
                    jpath.truncate(jpath.rfind('.').unwrap_or(0));
                } else if self.is_unpaired(&tag_name) {
                    let child = self.new_node(tag_name.clone());
                    if tag_name != tag_exp && attr_present {
                        self.nodes[child].attrs = self.build_attrs(&tag_exp, None, false)?;
                    }
                    self.add_child(cur, child)?;
                    jpath.truncate(jpath.rfind('.').unwrap_or(0));
                    i = close + 1;
                    continue;
                } else {
                    let child = self.new_node(tag_name.clone());
                    if stack.len() as f64 > o.max_nested {
                        return throw("Maximum nested tags exceeded");
                    }
                    stack.push(cur);
                    if tag_name != tag_exp && attr_present {
                        self.nodes[child].attrs =
                            self.build_attrs(&tag_exp, Some(&tag_name), false)?;
                    }
                    self.add_child(cur, child)?;
                    cur = Some(child);
                }
                text.clear();
                i = close + 1;
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- output

    fn write_ordered(&self, out: &mut String, node: usize, depth: usize) -> R<()> {
        if depth > 1000 {
            return unsup("very deep output");
        }
        let tn = &self.o.text_name;
        out.push('[');
        for (k, it) in self.nodes[node].children.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push('{');
            match it {
                Item::Text(v) => {
                    super::json_str(out, tn);
                    out.push(':');
                    write_json(out, v);
                }
                Item::Node(c) => {
                    let nd = &self.nodes[*c];
                    if nd.name == ":@" {
                        return unsup("tag named :@");
                    }
                    super::json_str(out, &nd.name);
                    out.push(':');
                    self.write_ordered(out, *c, depth + 1)?;
                    if let Some(a) = &nd.attrs {
                        out.push_str(",\":@\":");
                        write_obj(out, a);
                    }
                }
            }
            out.push('}');
        }
        out.push(']');
        Ok(())
    }
}

enum Slot {
    Group(Vec<usize>),
    Val(JV),
}

impl<'a> P<'a> {
    /// The slots of `compress(node)` before attributes: child groups by name (first-seen
    /// order) and the text, if any.
    fn slots(&mut self, node: usize) -> R<Vec<(String, Slot)>> {
        let o = self.o;
        let tn = &o.text_name;
        let children = std::mem::take(&mut self.nodes[node].children);
        let mut slots: Vec<(String, Slot)> = Vec::new();
        let mut index: Option<HashMap<String, usize>> = None;
        let mut text: Option<JV> = None;
        for it in children {
            match it {
                Item::Text(v) => {
                    text = Some(match text.take() {
                        None => v,
                        Some(t) => JV::Str(t.to_js_string() + v.to_js_string().as_str()),
                    });
                }
                Item::Node(c) => {
                    let name = std::mem::take(&mut self.nodes[c].name);
                    if &name == tn || name == ":@" {
                        return unsup("tag named like the text node / :@");
                    }
                    if !o.v5 && name == "hasOwnProperty" {
                        return unsup("hasOwnProperty tag (v4)");
                    }
                    let pos = match &index {
                        Some(m) => m.get(&name).copied(),
                        None => slots.iter().position(|(k, _)| *k == name),
                    };
                    match pos {
                        Some(p) => {
                            if let Slot::Group(g) = &mut slots[p].1 {
                                g.push(c)
                            }
                        }
                        None => {
                            if let Some(m) = &mut index {
                                m.insert(name.clone(), slots.len());
                            }
                            slots.push((name, Slot::Group(vec![c])));
                            if index.is_none() && slots.len() > 16 {
                                index = Some(
                                    slots
                                        .iter()
                                        .enumerate()
                                        .map(|(i, (k, _))| (k.clone(), i))
                                        .collect(),
                                );
                            }
                        }
                    }
                }
            }
        }
        match text {
            Some(JV::Str(s)) if s.is_empty() => {}
            Some(v) => slots.push((tn.clone(), Slot::Val(v))),
            None => {}
        }
        Ok(slots)
    }

    /// Writes compress(node) as an object, with `attrs` assigned onto it.
    fn write_object(
        &mut self,
        out: &mut String,
        node: usize,
        attrs: Option<JObj>,
        depth: usize,
    ) -> R<()> {
        let slots = self.slots(node)?;
        self.write_slots(out, slots, attrs, depth)
    }

    fn write_slots(
        &mut self,
        out: &mut String,
        mut slots: Vec<(String, Slot)>,
        attrs: Option<JObj>,
        depth: usize,
    ) -> R<()> {
        if depth > 1000 {
            return unsup("very deep output");
        }
        if let Some(a) = attrs {
            for (k, v) in a.items {
                match slots.iter().position(|(kk, _)| *kk == k) {
                    Some(p) => slots[p].1 = Slot::Val(v),
                    None => slots.push((k, Slot::Val(v))),
                }
            }
        }
        if slots.iter().any(|(k, _)| is_index_key(k)) {
            let mut idx: Vec<(String, Slot)> = Vec::new();
            let mut rest = Vec::new();
            for s in slots {
                if is_index_key(&s.0) {
                    idx.push(s)
                } else {
                    rest.push(s)
                }
            }
            idx.sort_by_key(|(k, _)| k.parse::<u64>().unwrap());
            idx.extend(rest);
            slots = idx;
        }
        out.push('{');
        for (i, (k, slot)) in slots.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            super::json_str(out, &k);
            out.push(':');
            match slot {
                Slot::Val(v) => write_json(out, &v),
                Slot::Group(g) => {
                    if g.len() == 1 {
                        self.write_val(out, g[0], depth + 1)?;
                    } else {
                        out.push('[');
                        for (j, c) in g.into_iter().enumerate() {
                            if j > 0 {
                                out.push(',');
                            }
                            self.write_val(out, c, depth + 1)?;
                        }
                        out.push(']');
                    }
                }
            }
        }
        out.push('}');
        Ok(())
    }

    /// Writes the value node2json gives child node `c`.
    fn write_val(&mut self, out: &mut String, c: usize, depth: usize) -> R<()> {
        let o = self.o;
        let tn = &o.text_name;
        let mut slots = self.slots(c)?;
        if o.v5 && slots.is_empty() && o.always_text {
            slots.push((tn.clone(), Slot::Val(JV::Str(String::new()))));
        }
        if let Some(a) = self.nodes[c].attrs.take() {
            return self.write_slots(out, slots, Some(a), depth);
        }
        if slots.len() == 1 && slots[0].0 == *tn && !o.always_text {
            if let Slot::Val(v) = &slots[0].1 {
                write_json(out, v);
                return Ok(());
            }
        }
        if slots.is_empty() {
            if o.always_text {
                slots.push((tn.clone(), Slot::Val(JV::Str(String::new()))));
            } else {
                out.push_str("\"\"");
                return Ok(());
            }
        }
        self.write_slots(out, slots, None, depth)
    }
}

/// `s.lastIndexOf('.', from)` (from clamped at 0).
fn js_last_index_of_dot(s: &str, from: i64) -> i64 {
    if s.is_empty() {
        return -1;
    }
    let start = from.max(0).min(s.len() as i64 - 1) as usize;
    s[..=start].rfind('.').map(|p| p as i64).unwrap_or(-1)
}

fn find_from(x: &str, pat: &str, from: usize) -> Option<usize> {
    if from > x.len() {
        return None;
    }
    x.get(from..)?.find(pat).map(|p| p + from)
}

/// `x.substring(a, z)` in UTF-16 units.
fn substring16(x: &str, a: usize, z: usize) -> R<String> {
    let mut u = 0usize;
    let mut out = String::new();
    for c in x.chars() {
        let l = c.len_utf16();
        if u >= a && u + l <= z {
            out.push(c);
        } else if (u < a && u + l > a) || (u < z && u + l > z) {
            return unsup("context splits a surrogate pair");
        }
        u += l;
        if u >= z {
            break;
        }
    }
    Ok(out)
}

/// The real regex `([^\s=]+)\s*(=\s*(['"])([\s\S]*?)\3)?` run globally: (name, value).
fn attr_matches(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut p = 0;
    let n = s.len();
    while p < n {
        let rest = &s[p..];
        let c = rest.chars().next().unwrap();
        if is_js_ws(c) || c == '=' {
            p += c.len_utf8();
            continue;
        }
        let nl = rest.len()
            - rest
                .trim_start_matches(|c: char| !is_js_ws(c) && c != '=')
                .len();
        let name = &rest[..nl];
        let mut e = p + nl;
        let r2 = &s[e..];
        e += r2.len() - js_trim_start(r2).len();
        let mut value = None;
        if s[e..].starts_with('=') {
            let mut f = e + 1;
            let r3 = &s[f..];
            f += r3.len() - js_trim_start(r3).len();
            if let Some(q @ ('"' | '\'')) = s[f..].chars().next() {
                if let Some(close) = s[f + 1..].find(q) {
                    value = Some(s[f + 1..f + 1 + close].to_string());
                    e = f + 1 + close + 1;
                }
            }
        }
        out.push((name.to_string(), value));
        p = e;
    }
    out
}

/// readTagExp: from `i` (at '<').
fn read_tag_exp(x: &str, i: usize, remove_ns: bool, closing: &[u8]) -> Option<TagExp> {
    let b = x.as_bytes();
    let mut data = String::new();
    let mut tabs = false;
    let mut seg = i + 1;
    let mut k = i + 1;
    let close;
    loop {
        if k >= b.len() {
            return None;
        }
        let c = b[k];
        if c == b'"' || c == b'\'' {
            let q = x[k + 1..].find(c as char)?;
            k = k + 1 + q + 1;
            continue;
        } else if c == closing[0] {
            if closing.len() == 1 || b.get(k + 1) == Some(&closing[1]) {
                if tabs {
                    data.push_str(&x[seg..k]);
                }
                close = k;
                break;
            }
        } else if c == b'\t' {
            tabs = true;
            data.push_str(&x[seg..k]);
            data.push(' ');
            seg = k + 1;
        }
        k += 1;
    }
    let data: &str = if tabs { &data } else { &x[i + 1..close] };
    let sep = data.find(is_js_ws);
    let (mut tag_name, tag_exp) = match sep {
        Some(s) => {
            let wl = data[s..].chars().next().unwrap().len_utf8();
            (
                data[..s].to_string(),
                js_trim_start(&data[s + wl..]).to_string(),
            )
        }
        None => (data.to_string(), data.to_string()),
    };
    let raw = tag_name.clone();
    let mut attr_exp_present = true;
    if remove_ns {
        if let Some(c) = tag_name.find(':') {
            tag_name = tag_name[c + 1..].to_string();
            attr_exp_present = tag_name != data[c + 1..];
        }
    }
    Some(TagExp {
        tag_name,
        tag_exp,
        close_index: close,
        attr_exp_present,
        raw_tag_name: raw,
    })
}

/// readStopNodeData from `i`: (content, index of the closing '>').
fn read_stop_node(x: &str, tag: &str, mut i: usize, v5: bool) -> R<Option<(String, usize)>> {
    let b = x.as_bytes();
    let start = i;
    let mut open = 1;
    let mut lenient = false;
    let mut next_gt: Option<usize> = None;
    while i < b.len() {
        if b[i] == b'<' {
            let c1 = b.get(i + 1).copied();
            if c1 == Some(b'/') {
                let Some(ci) = find_from(x, ">", i) else {
                    return throw(format!("{tag} is not closed"));
                };
                let name = js_trim(&x[i + 2..ci]);
                if name == tag {
                    open -= 1;
                    if open == 0 {
                        return Ok(Some((x[start..i].to_string(), ci)));
                    }
                }
                i = ci;
            } else if c1 == Some(b'?') {
                let Some(ci) = find_from(x, "?>", i + 1) else {
                    return throw("StopNode is not closed.");
                };
                i = ci + 1;
            } else if c1 == Some(b'!') && b.get(i + 2) == Some(&b'-') && b.get(i + 3) == Some(&b'-')
            {
                let Some(ci) = find_from(x, "-->", i + 3) else {
                    return throw("StopNode is not closed.");
                };
                i = ci + 2;
            } else if c1 == Some(b'!') && b.get(i + 2) == Some(&b'[') {
                let Some(ci) = find_from(x, "]]>", i) else {
                    return throw("StopNode is not closed.");
                };
                i = ci;
            } else {
                let td = if lenient {
                    None
                } else {
                    read_tag_exp(x, i, !v5, b">")
                };
                if let Some(td) = td {
                    if td.tag_name == tag && !td.tag_exp.ends_with('/') {
                        open += 1;
                    }
                    i = td.close_index;
                } else if v5 {
                    lenient = true;
                    if next_gt.map(|g| g < i).unwrap_or(true) {
                        match find_from(x, ">", i) {
                            Some(g) => next_gt = Some(g),
                            None => return Ok(None),
                        }
                    }
                    let g = next_gt.unwrap();
                    let next_lt = find_from(x, "<", i + 1);
                    if next_lt.map(|l| l > g).unwrap_or(true) {
                        let exp = &x[i + 1..g];
                        let name = match exp.find(is_js_ws) {
                            Some(s) => &exp[..s],
                            None => exp,
                        };
                        if name == tag && !exp.ends_with('/') {
                            open += 1;
                        }
                        i = g;
                    }
                }
            }
        }
        i += 1;
    }
    Ok(None)
}

/// Values is-unsafe (HTML + XML contexts) certainly accepts; others are left to the real package.
fn safe_entity_value(v: &str) -> bool {
    if v.contains(['<', '>', ':', '=', ']', '?', '&']) || v.contains("-->") {
        return false;
    }
    // the one '(' rule: /style[\s\S]{0,20}expression\s*\(/i
    if v.contains('(') {
        if !v.is_ascii() {
            return false;
        }
        let low = v.to_ascii_lowercase();
        for (e, _) in low.match_indices("expression") {
            let after = low[e + 10..].trim_start_matches(is_js_ws);
            if after.starts_with('(') {
                let from = e.saturating_sub(25);
                if low
                    .get(from..e)
                    .map(|w| w.contains("style"))
                    .unwrap_or(true)
                {
                    return false;
                }
            }
        }
    }
    let up = v.to_ascii_uppercase();
    !(up.contains("SYSTEM") || up.contains("PUBLIC"))
}

#[allow(dead_code)]
fn is_name_v5_plain(s: &str) -> bool {
    is_name(s)
}

/// v4 htmlEntities `num_dec` (`&#([0-9]{1,7});`) / `num_hex` (`&#x([0-9a-fA-F]{1,6});`).
fn replace_numeric_v4(s: &str, hex: bool) -> R<(String, usize)> {
    let prefix = if hex { "&#x" } else { "&#" };
    let maxd = if hex { 6 } else { 7 };
    let b = s.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    let mut count = 0;
    let mut i = 0;
    while let Some(off) = s[i..].find(prefix) {
        let at = i + off;
        let ds = at + prefix.len();
        let mut k = ds;
        while k < b.len()
            && k - ds < maxd
            && (if hex {
                b[k].is_ascii_hexdigit()
            } else {
                b[k].is_ascii_digit()
            })
        {
            k += 1;
        }
        if k > ds && b.get(k) == Some(&b';') {
            let digits = &s[ds..k];
            let cp = u32::from_str_radix(digits, if hex { 16 } else { 10 }).unwrap();
            out.push_str(&s[last..at]);
            if cp <= 0x10FFFF {
                match char::from_u32(cp) {
                    Some(c) => out.push(c),
                    None => return unsup("lone surrogate from a numeric entity"),
                }
            } else {
                out.push_str(&s[at..=k]);
            }
            count += 1;
            last = k + 1;
            i = last;
        } else {
            i = at + 1;
        }
    }
    if count == 0 {
        return Ok((s.to_string(), 0));
    }
    out.push_str(&s[last..]);
    Ok((out, count))
}
