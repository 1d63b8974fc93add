//! fast-xml-parser `XMLBuilder` output from Rust.
//!
//! [`fxp_build`] takes the object a job hands to `new XMLBuilder(options).build(obj)` as
//! `JSON.stringify(obj)` text, the options as `JSON.stringify(options)` text, and returns the
//! exact string the npm package returns:
//!
//! * [`FxpVersion::V4`]: fast-xml-parser 4.5.x (checked against 4.5.7, the newest 4.x);
//! * [`FxpVersion::V5`]: fast-xml-parser 5.12.1, whose builder is fast-xml-builder 1.3.x
//!   (checked against 1.3.2).
//!
//! Everything that is not certain to give the same bytes returns
//! [`BuildErrorKind::Unsupported`], and the caller then runs the real package. When the real
//! package throws an `Error` of its own (v5's `Maximum nested tags exceeded`) the result is
//! [`BuildErrorKind::Invalid`] with the same message. JS type errors the real package would hit
//! on odd shapes (e.g. a non-object entry in a `preserveOrder` list) are reported as
//! `Unsupported` so the real package raises its own error.
//!
//! The JSON text must come from `JSON.stringify` of a value the caller has checked to be
//! JSON-faithful (no `undefined`, functions, `Date`, `Map`, non-finite numbers, class instances,
//! `toJSON`, and for v5 no `-0`, which `JSON.stringify` writes as `0` but v5 prints as `"-0"`):
//! see `js/builder.js`. It is read by the small parser in [`node`] (members in text order, no
//! duplicate keys expected, strings borrowed, at most [`node::MAX_DEPTH`] levels; deeper input,
//! lone surrogates or malformed text give `Unsupported`). Numbers print as JS `String(n)`
//! (`super::js_number::push_js_number`).

mod jsfmt;
pub mod node;

use node::Node;

use serde_json::Value;
use std::borrow::Cow;

/// Which major version of fast-xml-parser to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FxpVersion {
    /// fast-xml-parser 4.5.x.
    V4,
    /// fast-xml-parser 5.12.1 (fast-xml-builder 1.3.x).
    V5,
}

/// Why [`fxp_build`] gave no XML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildErrorKind {
    /// The real library throws `new Error(message)` for this input.
    Invalid,
    /// Not reproduced here: run the real npm package instead.
    Unsupported,
}

/// Error of [`fxp_build`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    pub kind: BuildErrorKind,
    pub message: String,
}

type R<T> = Result<T, BuildError>;

fn unsupported(message: impl Into<String>) -> BuildError {
    BuildError {
        kind: BuildErrorKind::Unsupported,
        message: message.into(),
    }
}

fn nested_too_deep() -> BuildError {
    BuildError {
        kind: BuildErrorKind::Invalid,
        message: "Maximum nested tags exceeded".into(),
    }
}

/// Builds XML like `new XMLBuilder(options).build(object)` of fast-xml-parser `version`.
///
/// * `object_json`: `JSON.stringify(object)`; the top level must be an object or an array.
/// * `options_json`: `JSON.stringify(options)` (`"{}"` or `"null"` for none). Options holding
///   functions, regular expressions or custom `entities` cannot be expressed and give
///   `Unsupported`; so does any option value of a type the library is not normally given.
///
/// Returns the XML string, or a [`BuildError`] (see the crate documentation).
pub fn fxp_build(
    object_json: &str,
    options_json: &str,
    version: FxpVersion,
) -> Result<String, BuildError> {
    let opts = Opts::parse(options_json, version)?;
    let obj = node::parse(object_json)
        .map_err(|e| unsupported(format!("object JSON not accepted: {e}")))?;
    if !(obj.is_object() || obj.is_array()) {
        return Err(unsupported("top-level value is not an object or array"));
    }
    let mut b = Builder {
        o: &opts,
        path: Vec::new(),
        depth: 0,
        track_path: !opts.stop_v5.is_empty(),
        pool: Vec::new(),
    };
    let obj = match obj {
        Node::Arr(_)
            if !opts.preserve_order
                && opts
                    .array_node_name
                    .as_deref()
                    .is_some_and(|n| jsfmt::utf16_len(n) > 1) =>
        {
            Node::Obj(vec![(
                Cow::Owned(opts.array_node_name.clone().unwrap()),
                obj,
            )])
        }
        other => other,
    };
    if opts.preserve_order {
        let mut out = String::with_capacity(object_json.len());
        let ind = if opts.format && (opts.v5 || !opts.indent_by.is_empty()) {
            "\n"
        } else {
            ""
        };
        b.ordered(&obj, ind, &mut out, &mut String::new())?;
        Ok(out)
    } else {
        let root = &obj;
        let mut attrs = String::new();
        let mut out = String::with_capacity(object_json.len() + object_json.len() / 4);
        b.j2x(root, 0, &mut attrs, &mut out)?;
        Ok(out)
    }
}

// ------------------------------------------------------------------------------------ options

/// One segment of a fast-xml-builder 1.x stop-node expression we reproduce.
#[derive(Clone, Debug)]
enum Seg {
    /// A tag name, or `*` for any tag.
    Tag(String),
    /// `..`: any number of levels.
    Deep,
}

struct Opts {
    v5: bool,
    attr_prefix: String,
    attr_group: Option<String>,
    text_name: String,
    /// `ignoreAttributes === true`.
    ignore_all: bool,
    /// Truthiness of `ignoreAttributes` (what `preserveOrder` mode looks at).
    ignore_truthy: bool,
    ignore_list: Vec<String>,
    cdata: Option<String>,
    comment: Option<String>,
    format: bool,
    indent_by: String,
    suppress_empty: bool,
    suppress_unpaired: bool,
    suppress_bool: bool,
    preserve_order: bool,
    unpaired: Vec<String>,
    process_entities: bool,
    /// v4: the raw `stopNodes` strings.
    stop_v4: Vec<String>,
    /// v5: compiled stop-node expressions.
    stop_v5: Vec<Vec<Seg>>,
    one_list_group: bool,
    array_node_name: Option<String>,
    /// v5 `maxNestedTags` when truthy.
    max_nested: Option<f64>,
}

/// Names that `obj[name]` would find on `Object.prototype` or as an array's `length`.
const PROTO_NAMES: &[&str] = &[
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "length",
];

fn want_bool(v: &Value, name: &str) -> R<bool> {
    v.as_bool()
        .ok_or_else(|| unsupported(format!("option {name} is not a boolean")))
}

fn want_string(v: &Value, name: &str) -> R<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| unsupported(format!("option {name} is not a string")))
}

/// `false` → None, string → Some (used with `!== false` / `===` comparisons).
fn false_or_string(v: &Value, name: &str) -> R<Option<String>> {
    match v {
        Value::Bool(false) => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(unsupported(format!(
            "option {name} is neither false nor a string"
        ))),
    }
}

fn string_list(v: &Value, name: &str, strict: bool) -> R<Vec<String>> {
    let Value::Array(a) = v else {
        return Err(unsupported(format!("option {name} is not an array")));
    };
    let mut out = Vec::new();
    for e in a {
        match e {
            Value::String(s) => out.push(s.clone()),
            _ if strict => return Err(unsupported(format!("option {name} holds a non-string"))),
            _ => {}
        }
    }
    Ok(out)
}

/// Parses a stop-node pattern the way path-expression-matcher's `Expression` does, for the
/// subset without attribute conditions, positions or namespaces.
fn parse_stop_pattern(p: &str) -> R<Vec<Seg>> {
    if p.contains(['[', ']', ':', '\u{feff}']) {
        return Err(unsupported(
            "stop-node pattern with attribute, position or namespace",
        ));
    }
    let chars: Vec<char> = p.chars().collect();
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    let flush = |cur: &mut String, segs: &mut Vec<Seg>| {
        let t = cur.trim();
        if !t.is_empty() {
            segs.push(Seg::Tag(t.to_string()));
        }
        cur.clear();
    };
    while i < chars.len() {
        if chars[i] == '.' {
            flush(&mut cur, &mut segs);
            if i + 1 < chars.len() && chars[i + 1] == '.' {
                segs.push(Seg::Deep);
                i += 2;
            } else {
                i += 1;
            }
        } else {
            cur.push(chars[i]);
            i += 1;
        }
    }
    flush(&mut cur, &mut segs);
    Ok(segs)
}

impl Opts {
    fn parse(json: &str, version: FxpVersion) -> R<Opts> {
        let v5 = version == FxpVersion::V5;
        let mut o = Opts {
            v5,
            attr_prefix: "@_".into(),
            attr_group: None,
            text_name: "#text".into(),
            ignore_all: true,
            ignore_truthy: true,
            ignore_list: Vec::new(),
            cdata: None,
            comment: None,
            format: false,
            indent_by: "  ".into(),
            suppress_empty: false,
            suppress_unpaired: true,
            suppress_bool: true,
            preserve_order: false,
            unpaired: Vec::new(),
            process_entities: true,
            stop_v4: Vec::new(),
            stop_v5: Vec::new(),
            one_list_group: false,
            array_node_name: None,
            max_nested: if v5 { Some(100.0) } else { None },
        };
        let parsed: Value = serde_json::from_str(json)
            .map_err(|e| unsupported(format!("options JSON not accepted: {e}")))?;
        let map = match &parsed {
            Value::Null => return Ok(o),
            Value::Object(m) => m,
            _ => return Err(unsupported("options is not an object")),
        };
        for (k, v) in map {
            match k.as_str() {
                "attributeNamePrefix" => o.attr_prefix = want_string(v, k)?,
                "attributesGroupName" => {
                    o.attr_group = match v {
                        Value::Bool(false) | Value::Null => None,
                        Value::String(s) if s.is_empty() => None,
                        Value::String(s) => Some(s.clone()),
                        _ => return Err(unsupported("option attributesGroupName")),
                    }
                }
                "textNodeName" => o.text_name = want_string(v, k)?,
                "ignoreAttributes" => match v {
                    Value::Bool(b) => {
                        o.ignore_all = *b;
                        o.ignore_truthy = *b;
                    }
                    Value::Array(_) => {
                        o.ignore_all = false;
                        o.ignore_truthy = true;
                        o.ignore_list = string_list(v, k, true)?;
                    }
                    _ => return Err(unsupported("option ignoreAttributes")),
                },
                "cdataPropName" => o.cdata = false_or_string(v, k)?,
                "commentPropName" => o.comment = false_or_string(v, k)?,
                "format" => o.format = want_bool(v, k)?,
                "indentBy" => o.indent_by = want_string(v, k)?,
                "suppressEmptyNode" => o.suppress_empty = want_bool(v, k)?,
                "suppressUnpairedNode" => o.suppress_unpaired = want_bool(v, k)?,
                "suppressBooleanAttributes" => o.suppress_bool = want_bool(v, k)?,
                "preserveOrder" => o.preserve_order = want_bool(v, k)?,
                "unpairedTags" => o.unpaired = string_list(v, k, false)?,
                "processEntities" => o.process_entities = want_bool(v, k)?,
                "oneListGroup" => o.one_list_group = want_bool(v, k)?,
                "stopNodes" => {
                    if v5 {
                        // Non-arrays are ignored by fast-xml-builder; non-strings too.
                        if let Value::Array(a) = v {
                            for p in a.iter().filter_map(Value::as_str) {
                                let p = match p.strip_prefix("*.") {
                                    Some(rest) => format!("..{rest}"),
                                    None => p.to_string(),
                                };
                                o.stop_v5.push(parse_stop_pattern(&p)?);
                            }
                        } else if !v.is_null() {
                            return Err(unsupported("option stopNodes is not an array"));
                        }
                    } else if !v.is_null() {
                        o.stop_v4 = string_list(v, k, false)?;
                    }
                }
                "arrayNodeName" => {
                    o.array_node_name = match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Null | Value::Bool(_) | Value::Number(_) => None,
                        _ => return Err(unsupported("option arrayNodeName")),
                    }
                }
                "maxNestedTags" if v5 => {
                    o.max_nested = match v {
                        Value::Null | Value::Bool(false) => None,
                        Value::Number(n) => {
                            let f = n.as_f64().unwrap_or(f64::NAN);
                            if f == 0.0 {
                                None
                            } else {
                                Some(f)
                            }
                        }
                        _ => return Err(unsupported("option maxNestedTags")),
                    }
                }
                "sanitizeName" if v5 && !matches!(v, Value::Bool(false) | Value::Null) => {
                    return Err(unsupported("option sanitizeName"));
                }
                "sanitizeName" if v5 => {}
                "jPath" if v5 => {}
                "entities" | "tagValueProcessor" | "attributeValueProcessor" => {
                    return Err(unsupported(format!("option {k} is not reproduced")));
                }
                _ => {}
            }
        }
        if PROTO_NAMES.contains(&o.text_name.as_str())
            || o.attr_group
                .as_deref()
                .is_some_and(|g| PROTO_NAMES.contains(&g))
        {
            return Err(unsupported(
                "textNodeName/attributesGroupName is an inherited property name",
            ));
        }
        Ok(o)
    }
}

// ------------------------------------------------------------------------------------ helpers

/// The own enumerable string keys of an object or array, in `for...in` order.
fn own_entries<'v, 'a>(
    v: &'v Node<'a>,
) -> Box<dyn Iterator<Item = (Cow<'v, str>, &'v Node<'a>)> + 'v> {
    match v {
        Node::Obj(m) => Box::new(m.iter().map(|(k, v)| (Cow::Borrowed(k.as_ref()), v))),
        Node::Arr(a) => Box::new(
            a.iter()
                .enumerate()
                .map(|(i, v)| (Cow::Owned(i.to_string()), v)),
        ),
        _ => Box::new(std::iter::empty()),
    }
}

fn own_len(v: &Node) -> usize {
    match v {
        Node::Obj(m) => m.len(),
        Node::Arr(a) => a.len(),
        _ => 0,
    }
}

/// `v[key]` for an own property of an object or array.
fn get_own<'v, 'a>(v: &'v Node<'a>, key: &str) -> Option<&'v Node<'a>> {
    match v {
        Node::Obj(_) => v.get(key),
        Node::Arr(a) => {
            if key == "0" || (!key.starts_with('0') && key.bytes().all(|b| b.is_ascii_digit())) {
                key.parse::<usize>().ok().and_then(|i| a.get(i))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn obj_has(v: &Node, key: &str) -> bool {
    v.get(key).is_some()
}

/// JS truthiness of a JSON value.
fn truthy(v: &Node) -> bool {
    match v {
        Node::Null => false,
        Node::Bool(b) => *b,
        Node::Num(f) => *f != 0.0 && !f.is_nan(),
        Node::Str(s) => !s.is_empty(),
        _ => true,
    }
}

/// Text of a value after the library's `replaceEntitiesValue` (which only touches strings, and
/// throws on non-empty arrays), then `String`/`valToStr`. The flag says whether the value after
/// `replaceEntitiesValue` was the empty string itself (v4 compares with `=== ''`).
struct Text {
    s: String,
    empty_string: bool,
}

/// `buildRawContent` result: built text, or the node's own text value as is.
enum Raw<'v> {
    Text(String),
    Value(&'v Node<'v>),
}

struct Builder<'o> {
    o: &'o Opts,
    /// Current tag path (v5 matcher); only kept when stop nodes need it.
    path: Vec<String>,
    /// Number of tags entered (v5 matcher depth).
    depth: usize,
    track_path: bool,
    /// Reusable string buffers.
    pool: Vec<String>,
}

impl Builder<'_> {
    fn entity_text(&self, v: &Node) -> R<Text> {
        let o = self.o;
        match v {
            Node::Str(s) => {
                let mut out = String::with_capacity(s.len());
                if o.process_entities {
                    jsfmt::push_escaped(&mut out, s);
                } else {
                    out.push_str(s);
                }
                Ok(Text {
                    empty_string: out.is_empty(),
                    s: out,
                })
            }
            Node::Arr(a) if o.process_entities && !a.is_empty() => Err(unsupported(
                "array text value (the library throws a TypeError)",
            )),
            Node::Obj(_) if obj_has(v, "length") => {
                Err(unsupported("object text value with a length key"))
            }
            _ => Ok(Text {
                s: jsfmt::js_string(v, o.v5).into_owned(),
                empty_string: false,
            }),
        }
    }

    fn indent(&self, out: &mut String, level: usize) {
        if self.o.format {
            for _ in 0..level {
                out.push_str(&self.o.indent_by);
            }
        }
    }

    fn tag_end(&self, out: &mut String) {
        out.push_str(if self.o.format { ">\n" } else { ">" });
    }

    fn newline(&self, out: &mut String) {
        if self.o.format {
            out.push('\n');
        }
    }

    /// `isAttribute(key)`: the attribute name when the key is a (non-empty) attribute key.
    fn attr_name<'k>(&self, key: &'k str) -> Option<&'k str> {
        let o = self.o;
        if o.ignore_all || o.attr_group.is_some() {
            return None;
        }
        if key.starts_with(o.attr_prefix.as_str()) && key != o.text_name {
            let name = &key[o.attr_prefix.len()..];
            if name.is_empty() {
                None
            } else {
                Some(name)
            }
        } else {
            None
        }
    }

    fn is_unpaired(&self, key: &str) -> bool {
        self.o.unpaired.iter().any(|u| u == key)
    }

    /// `closeTag(key)`.
    fn close_tag(&self, out: &mut String, key: &str) {
        if self.is_unpaired(key) {
            if !self.o.suppress_unpaired {
                out.push('/');
            }
        } else if self.o.suppress_empty {
            out.push('/');
        } else {
            out.push_str("></");
            out.push_str(key);
        }
    }

    fn enter(&mut self, key: &str) {
        self.depth += 1;
        if self.track_path {
            self.path.push(key.to_string());
        }
    }

    fn leave(&mut self) {
        self.depth -= 1;
        if self.track_path {
            self.path.pop();
        }
    }

    fn buf(&mut self) -> String {
        self.pool.pop().unwrap_or_default()
    }

    fn give(&mut self, mut s: String) {
        s.clear();
        self.pool.push(s);
    }

    fn stop_v5(&self) -> bool {
        self.o
            .stop_v5
            .iter()
            .any(|segs| match_segments(segs, &self.path))
    }

    fn check_depth(&self, depth: usize, strict: bool) -> R<()> {
        if let Some(max) = self.o.max_nested {
            let d = depth as f64;
            if (strict && d > max) || (!strict && d >= max) {
                return Err(nested_too_deep());
            }
        }
        Ok(())
    }

    // ----------------------------------------------------------------------- object mode

    /// `j2x`: appends the node content of `obj` to `val` and its attributes to `attrs`.
    fn j2x(&mut self, obj: &Node, level: usize, attrs: &mut String, val: &mut String) -> R<()> {
        let o = self.o;
        let v5 = o.v5;
        if v5 {
            self.check_depth(self.depth, false)?;
        }
        let cur_stop = v5 && !o.stop_v5.is_empty() && self.stop_v5();
        for (key, value) in own_entries(obj) {
            let key: &str = &key;
            match value {
                Node::Null => {
                    if self.attr_name(key).is_some()
                        || o.cdata.as_deref() == Some(key)
                        || (v5 && o.comment.as_deref() == Some(key))
                    {
                        continue;
                    }
                    self.indent(val, level);
                    val.push('<');
                    val.push_str(key);
                    val.push(if key.starts_with('?') { '?' } else { '/' });
                    self.tag_end(val);
                }
                Node::Arr(items) => self.j2x_list(key, items, level, val)?,
                Node::Obj(group) if o.attr_group.as_deref() == Some(key) => {
                    for (name, av) in group {
                        let s = jsfmt::js_string(av, v5);
                        self.attr_pair(attrs, name, &s, cur_stop);
                    }
                }
                Node::Obj(_) => self.text_or_obj_node(value, key, level, val)?,
                _ => {
                    // string, number or boolean
                    let attr = self.attr_name(key);
                    if let Some(name) = attr {
                        if !o.ignore_list.iter().any(|p| p == name) {
                            let s = jsfmt::js_string(value, v5);
                            self.attr_pair(attrs, name, &s, cur_stop);
                        }
                    } else if key == o.text_name {
                        let s = jsfmt::js_string(value, v5);
                        if o.process_entities {
                            jsfmt::push_escaped(val, &s);
                        } else {
                            val.push_str(&s);
                        }
                    } else if v5 && self.child_is_stop(key) {
                        self.raw_prim_node(key, value, level, val);
                    } else {
                        self.text_val_node(value, key, "", level, val)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn child_is_stop(&mut self, key: &str) -> bool {
        if self.o.stop_v5.is_empty() {
            return false;
        }
        self.enter(key);
        let s = self.stop_v5();
        self.leave();
        s
    }

    /// v5 primitive under a stop node path: raw text, no entity encoding.
    fn raw_prim_node(&self, key: &str, value: &Node, level: usize, out: &mut String) {
        let s = jsfmt::js_string(value, true);
        self.indent(out, level);
        out.push('<');
        out.push_str(key);
        if s.is_empty() {
            self.close_tag(out, key);
        } else {
            out.push('>');
            out.push_str(&s);
            out.push_str("</");
            out.push_str(key);
        }
        self.tag_end(out);
    }

    fn j2x_list(&mut self, key: &str, items: &[Node], level: usize, val: &mut String) -> R<()> {
        let o = self.o;
        let v5 = o.v5;
        // `null` items go to `val` at once, the others are collected and appended afterwards.
        let mut list = String::new();
        let mut list_attrs = String::new();
        for item in items {
            match item {
                Node::Null => {
                    self.indent(val, level);
                    val.push('<');
                    val.push_str(key);
                    val.push(if key.starts_with('?') { '?' } else { '/' });
                    self.tag_end(val);
                }
                Node::Obj(_) | Node::Arr(_) => {
                    if o.one_list_group {
                        self.enter(key);
                        let mut a = self.buf();
                        let r = self.j2x(item, level + 1, &mut a, &mut list);
                        self.leave();
                        r?;
                        if let Some(g) = &o.attr_group {
                            if item.get("hasOwnProperty").is_some() {
                                return Err(unsupported("hasOwnProperty shadowed"));
                            }
                            if get_own(item, g).is_some() {
                                list_attrs.push_str(&a);
                            }
                        }
                        self.give(a);
                    } else {
                        self.text_or_obj_node(item, key, level, &mut list)?;
                    }
                }
                _ => {
                    if o.one_list_group {
                        let t = self.entity_text(item)?;
                        list.push_str(&t.s);
                    } else if v5 && self.child_is_stop(key) {
                        self.raw_prim_node(key, item, level, &mut list);
                    } else {
                        self.text_val_node(item, key, "", level, &mut list)?;
                    }
                }
            }
        }
        if o.one_list_group {
            self.object_node(&list, key, &list_attrs, level, val);
        } else {
            val.push_str(&list);
        }
        Ok(())
    }

    /// `buildAttrPairStr`. Escaping never turns a value into or out of `"true"`, so the
    /// boolean check can look at the unescaped text.
    fn attr_pair(&self, attrs: &mut String, name: &str, s: &str, stop: bool) {
        let o = self.o;
        attrs.push(' ');
        attrs.push_str(name);
        if o.suppress_bool && s == "true" {
            return;
        }
        attrs.push_str("=\"");
        if o.process_entities && !stop {
            // entity-escaped text holds no quotes, so v5's escapeAttribute has nothing left to do
            jsfmt::push_escaped(attrs, s);
        } else if o.v5 {
            jsfmt::push_quote_escaped(attrs, s);
        } else {
            attrs.push_str(s);
        }
        attrs.push('"');
    }

    /// `processTextOrObjNode`.
    fn text_or_obj_node(&mut self, obj: &Node, key: &str, level: usize, out: &mut String) -> R<()> {
        let o = self.o;
        self.enter(key);
        if o.v5 && !o.stop_v5.is_empty() && self.stop_v5() {
            let depth = self.depth;
            let r = self.raw_content(obj, depth);
            self.leave();
            let raw = match r? {
                Raw::Text(s) => s,
                Raw::Value(Node::Str(s)) => s.to_string(),
                Raw::Value(_) => return Err(unsupported("stop node text is not a string")),
            };
            let attrs = self.stop_node_attrs(obj)?;
            self.object_node(&raw, key, &attrs, level, out);
            return Ok(());
        }
        let mut attrs = self.buf();
        let mut val = self.buf();
        let r = self.j2x(obj, level + 1, &mut attrs, &mut val);
        self.leave();
        r?;
        let r = if o.v5 && key.starts_with('?') {
            self.text_val_node(&Node::Str(Cow::Borrowed("")), key, &attrs, level, out)
        } else {
            match get_own(obj, &o.text_name) {
                Some(t) if own_len(obj) == 1 => self.text_val_node(t, key, &attrs, level, out),
                _ => {
                    self.object_node(&val, key, &attrs, level, out);
                    Ok(())
                }
            }
        };
        self.give(attrs);
        self.give(val);
        r
    }

    /// `buildObjectNode`.
    fn object_node(&self, val: &str, key: &str, attrs: &str, level: usize, out: &mut String) {
        let o = self.o;
        let pi = key.starts_with('?');
        self.indent(out, level);
        if val.is_empty() || (o.v5 && pi) {
            out.push('<');
            out.push_str(key);
            out.push_str(attrs);
            if pi {
                out.push('?');
            } else {
                self.close_tag(out, key);
            }
            self.tag_end(out);
            return;
        }
        if !val.contains('<') {
            out.push('<');
            out.push_str(key);
            out.push_str(attrs);
            if pi {
                out.push('?');
            }
            out.push('>');
            out.push_str(val);
            if !pi {
                out.push_str("</");
                out.push_str(key);
                self.tag_end(out);
            }
        } else if !pi && o.comment.as_deref() == Some(key) {
            out.push_str("<!--");
            out.push_str(&self.safe_comment(val));
            out.push_str("-->");
            self.newline(out);
        } else {
            out.push('<');
            out.push_str(key);
            out.push_str(attrs);
            if pi {
                out.push('?');
            }
            self.tag_end(out);
            out.push_str(val);
            self.indent(out, level);
            if !pi {
                out.push_str("</");
                out.push_str(key);
                self.tag_end(out);
            }
        }
    }

    fn safe_comment(&self, s: &str) -> String {
        let mut t = jsfmt::replace_double_dash(s);
        if self.o.v5 {
            t = jsfmt::replace_double_dash(&t);
        }
        if t.ends_with('-') {
            t.push(' ');
        }
        t
    }

    /// `buildTextValNode`.
    fn text_val_node(
        &self,
        v: &Node,
        key: &str,
        attrs: &str,
        level: usize,
        out: &mut String,
    ) -> R<()> {
        let o = self.o;
        if o.cdata.as_deref() == Some(key) {
            let s = jsfmt::js_string(v, o.v5);
            self.indent(out, level);
            out.push_str("<![CDATA[");
            out.push_str(&s.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]>");
            self.newline(out);
        } else if o.comment.as_deref() == Some(key) {
            let s = jsfmt::js_string(v, o.v5);
            self.indent(out, level);
            out.push_str("<!--");
            out.push_str(&self.safe_comment(&s));
            out.push_str("-->");
            self.newline(out);
        } else if key.starts_with('?') {
            self.indent(out, level);
            out.push('<');
            out.push_str(key);
            out.push_str(attrs);
            out.push('?');
            self.tag_end(out);
        } else if let Node::Str(text) = v {
            self.indent(out, level);
            out.push('<');
            out.push_str(key);
            out.push_str(attrs);
            if text.is_empty() {
                self.close_tag(out, key);
            } else {
                out.push('>');
                if o.process_entities {
                    jsfmt::push_escaped(out, text);
                } else {
                    out.push_str(text);
                }
                out.push_str("</");
                out.push_str(key);
            }
            self.tag_end(out);
        } else {
            let t = self.entity_text(v)?;
            let empty = if o.v5 { t.s.is_empty() } else { t.empty_string };
            self.indent(out, level);
            out.push('<');
            out.push_str(key);
            out.push_str(attrs);
            if empty {
                self.close_tag(out, key);
            } else {
                out.push('>');
                out.push_str(&t.s);
                out.push_str("</");
                out.push_str(key);
            }
            self.tag_end(out);
        }
        Ok(())
    }

    /// v5 `buildRawContent`: the raw (unescaped) content of a stop node. Returns a JS value:
    /// a string, or the node's text value as is.
    fn raw_content<'v>(&self, obj: &'v Node<'v>, depth: usize) -> R<Raw<'v>> {
        let o = self.o;
        self.check_depth(depth, false)?;
        match obj {
            Node::Str(_) => return Ok(Raw::Value(obj)),
            Node::Obj(_) | Node::Arr(_) => {}
            _ => return Ok(Raw::Text(jsfmt::js_string(obj, false).into_owned())),
        }
        if let Some(t) = get_own(obj, &o.text_name) {
            return Ok(Raw::Value(t));
        }
        let mut content = String::new();
        for (key, value) in own_entries(obj) {
            let key: &str = &key;
            if self.attr_name(key).is_some() || o.attr_group.as_deref() == Some(key) {
                continue;
            }
            match value {
                Node::Arr(items) => {
                    for item in items {
                        match item {
                            Node::Str(_) | Node::Num(_) => {
                                content.push('<');
                                content.push_str(key);
                                content.push('>');
                                jsfmt::push_js_string(&mut content, item, false);
                                content.push_str("</");
                                content.push_str(key);
                                content.push('>');
                            }
                            Node::Obj(_) | Node::Arr(_) => {
                                self.raw_nested(key, item, depth, &mut content)?
                            }
                            _ => {}
                        }
                    }
                }
                Node::Obj(_) => self.raw_nested(key, value, depth, &mut content)?,
                _ => {
                    content.push('<');
                    content.push_str(key);
                    content.push('>');
                    jsfmt::push_js_string(&mut content, value, false);
                    content.push_str("</");
                    content.push_str(key);
                    content.push('>');
                }
            }
        }
        Ok(Raw::Text(content))
    }

    fn raw_nested(&self, key: &str, item: &Node, depth: usize, content: &mut String) -> R<()> {
        let nested = self.raw_content(item, depth + 1)?;
        let attrs = self.stop_node_attrs(item)?;
        let nested_empty = match &nested {
            Raw::Text(s) => s.is_empty(),
            Raw::Value(Node::Str(s)) => s.is_empty(),
            Raw::Value(_) => false,
        };
        content.push('<');
        content.push_str(key);
        content.push_str(&attrs);
        if nested_empty {
            content.push_str("/>");
        } else {
            content.push('>');
            match &nested {
                Raw::Text(s) => content.push_str(s),
                Raw::Value(v) => jsfmt::push_js_string(content, v, false),
            }
            content.push_str("</");
            content.push_str(key);
            content.push('>');
        }
        Ok(())
    }

    /// v5 `buildAttributesForStopNode`.
    fn stop_node_attrs(&self, obj: &Node) -> R<String> {
        let o = self.o;
        let mut out = String::new();
        let one = |out: &mut String, name: &str, v: &Node| {
            out.push(' ');
            out.push_str(name);
            if !(o.suppress_bool && matches!(v, Node::Bool(true))) {
                out.push_str("=\"");
                jsfmt::push_quote_escaped(out, &jsfmt::js_string(v, true));
                out.push('"');
            }
        };
        if let Some(group) = o
            .attr_group
            .as_deref()
            .and_then(|g| get_own(obj, g))
            .filter(|g| truthy(g))
        {
            match group {
                Node::Obj(_) | Node::Arr(_) => {
                    for (k, v) in own_entries(group) {
                        let clean = k.strip_prefix(o.attr_prefix.as_str()).unwrap_or(&k);
                        one(&mut out, clean, v);
                    }
                }
                Node::Str(_) => return Err(unsupported("string attribute group")),
                _ => {}
            }
        } else {
            for (k, v) in own_entries(obj) {
                if let Some(name) = self.attr_name(&k) {
                    one(&mut out, name, v);
                }
            }
        }
        Ok(out)
    }

    // ----------------------------------------------------------------------- preserveOrder

    /// `arrToStr`: appends the XML of an ordered list (or a bare text value) to `out`.
    fn ordered(&mut self, arr: &Node, ind: &str, out: &mut String, jpath: &mut String) -> R<()> {
        let o = self.o;
        let v5 = o.v5;
        if v5 {
            self.check_depth(self.depth, true)?;
        }
        let items = match arr {
            Node::Arr(a) => a,
            Node::Null => return Ok(()),
            _ => {
                let t = self.entity_text(arr)?;
                out.push_str(&t.s);
                return Ok(());
            }
        };
        let mut prev_tag = false;
        for tag_obj in items {
            let tag: &str = match tag_obj {
                Node::Num(_) | Node::Bool(_) => continue,
                Node::Str(s) if s.is_empty() => continue,
                Node::Arr(a) if a.is_empty() => continue,
                Node::Obj(m) => match m.iter().map(|(k, _)| k.as_ref()).find(|k| *k != ":@") {
                    Some(k) => k,
                    None => continue,
                },
                _ => return Err(unsupported("ordered entry is not an object")),
            };
            let body = tag_obj.get(tag).expect("key");
            let attr_map = tag_obj.get(":@");
            let jlen = jpath.len();
            if !v5 && !o.stop_v4.is_empty() {
                if !jpath.is_empty() {
                    jpath.push('.');
                }
                jpath.push_str(tag);
            }
            self.enter(tag);
            let stop = v5 && !o.stop_v5.is_empty() && self.stop_v5();
            let r = self.ordered_entry(tag, body, attr_map, stop, ind, out, jpath, &mut prev_tag);
            self.leave();
            jpath.truncate(jlen);
            r?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn ordered_entry(
        &mut self,
        tag: &str,
        body: &Node,
        attr_map: Option<&Node>,
        stop: bool,
        ind: &str,
        out: &mut String,
        jpath: &mut String,
        prev_tag: &mut bool,
    ) -> R<()> {
        let o = self.o;
        let v5 = o.v5;
        if tag == o.text_name {
            let is_stop = if v5 { stop } else { self.v4_text_stop(jpath) };
            let s = if is_stop {
                jsfmt::js_string(body, v5).into_owned()
            } else {
                self.entity_text(body)?.s
            };
            if *prev_tag {
                out.push_str(ind);
            }
            out.push_str(&s);
            *prev_tag = false;
            return Ok(());
        }
        if o.cdata.as_deref() == Some(tag) {
            let v = self.first_text(body)?;
            if *prev_tag {
                out.push_str(ind);
            }
            out.push_str("<![CDATA[");
            out.push_str(&v.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]>");
            *prev_tag = false;
            return Ok(());
        }
        if o.comment.as_deref() == Some(tag) {
            let v = self.first_text(body)?;
            out.push_str(ind);
            out.push_str("<!--");
            out.push_str(&self.safe_comment(&v));
            out.push_str("-->");
            *prev_tag = true;
            return Ok(());
        }
        if tag.starts_with('?') {
            let attrs = self.ordered_attrs(attr_map, stop)?;
            if tag != "?xml" {
                out.push_str(ind);
            }
            out.push('<');
            out.push_str(tag);
            if !v5 {
                let first = match body {
                    Node::Arr(a) if a.first().is_some_and(|f| f.is_object()) => &a[0],
                    _ => return Err(unsupported("processing instruction without a text entry")),
                };
                match get_own(first, &o.text_name) {
                    Some(Node::Str(s)) => {
                        if !s.is_empty() {
                            out.push(' ');
                            out.push_str(s);
                        }
                    }
                    Some(v @ (Node::Num(_) | Node::Bool(_))) => {
                        out.push(' ');
                        jsfmt::push_js_string(out, v, false);
                    }
                    _ => return Err(unsupported("processing instruction text is not a string")),
                }
            }
            out.push_str(&attrs);
            out.push_str("?>");
            *prev_tag = true;
            return Ok(());
        }
        let attrs = self.ordered_attrs(attr_map, stop)?;
        let new_ind = if ind.is_empty() {
            String::new()
        } else {
            format!("{ind}{}", o.indent_by)
        };
        let mut value = self.buf();
        if stop {
            self.raw_ordered(body, self.depth, &mut value)?;
        } else {
            self.ordered(body, &new_ind, &mut value, jpath)?;
        }
        out.push_str(ind);
        out.push('<');
        out.push_str(tag);
        out.push_str(&attrs);
        if self.is_unpaired(tag) {
            out.push_str(if o.suppress_unpaired { ">" } else { "/>" });
        } else if value.is_empty() && o.suppress_empty {
            out.push_str("/>");
        } else if value.ends_with('>') {
            out.push('>');
            out.push_str(&value);
            out.push_str(ind);
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        } else {
            out.push('>');
            if !value.is_empty()
                && !ind.is_empty()
                && (value.contains("/>") || value.contains("</"))
            {
                out.push_str(ind);
                out.push_str(&o.indent_by);
                out.push_str(&value);
                out.push_str(ind);
            } else {
                out.push_str(&value);
            }
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
        self.give(value);
        *prev_tag = true;
        Ok(())
    }

    /// v4 `isStopNode(jPath)` for a text entry; `jpath` is the entry's own path
    /// (`<parent>.#text`, or `#text` at the top), which the library cuts back to the parent.
    fn v4_text_stop(&self, jpath: &str) -> bool {
        let cut = jpath.len() as isize - self.o.text_name.len() as isize - 1;
        let parent = if cut <= 0 { "" } else { &jpath[..cut as usize] };
        let tag = match parent.rfind('.') {
            Some(i) => &parent[i + 1..],
            None => parent,
        };
        self.o
            .stop_v4
            .iter()
            .any(|s| s == parent || s.strip_prefix("*.") == Some(tag))
    }

    /// `tagObj[name][0][textNodeName]` as text (cdata/comment entries).
    fn first_text(&self, body: &Node) -> R<String> {
        let first = match body {
            Node::Arr(a) if a.first().is_some_and(|f| f.is_object() || f.is_array()) => &a[0],
            _ => return Err(unsupported("cdata/comment entry is not a list of objects")),
        };
        Ok(match get_own(first, &self.o.text_name) {
            Some(v) => jsfmt::js_string(v, self.o.v5).into_owned(),
            None => "undefined".to_string(),
        })
    }

    /// `attr_to_str(tagObj[":@"])` of both versions.
    fn ordered_attrs(&self, attr_map: Option<&Node>, stop: bool) -> R<String> {
        let o = self.o;
        let mut out = String::new();
        let Some(map) = attr_map.filter(|m| truthy(m)) else {
            return Ok(out);
        };
        if o.ignore_truthy {
            return Ok(out);
        }
        match map {
            Node::Obj(_) | Node::Arr(_) => {}
            Node::Str(_) => return Err(unsupported("string attribute map")),
            _ => return Ok(out),
        }
        let plen = jsfmt::utf16_len(&o.attr_prefix);
        for (k, v) in own_entries(map) {
            let name = jsfmt::substr_utf16(&k, plen)
                .ok_or_else(|| unsupported("attribute name cut in a pair"))?;
            out.push(' ');
            out.push_str(name);
            if o.suppress_bool && matches!(v, Node::Bool(true)) {
                continue;
            }
            let text = if stop {
                jsfmt::js_string(v, true).into_owned()
            } else {
                self.entity_text(v)?.s
            };
            out.push_str("=\"");
            if o.v5 {
                jsfmt::push_quote_escaped(&mut out, &text);
            } else {
                out.push_str(&text);
            }
            out.push('"');
        }
        Ok(out)
    }

    /// v5 `getRawContent` (stop node in preserveOrder mode).
    fn raw_ordered(&self, arr: &Node, depth: usize, out: &mut String) -> R<()> {
        let o = self.o;
        self.check_depth(depth, true)?;
        let items = match arr {
            Node::Arr(a) => a,
            Node::Null => return Ok(()),
            _ => {
                jsfmt::push_js_string(out, arr, true);
                return Ok(());
            }
        };
        for item in items {
            let tag: &str = match item {
                Node::Num(_) | Node::Bool(_) => continue,
                Node::Str(s) if s.is_empty() => continue,
                Node::Arr(a) if a.is_empty() => continue,
                Node::Obj(m) => match m.iter().map(|(k, _)| k.as_ref()).find(|k| *k != ":@") {
                    Some(k) => k,
                    None => continue,
                },
                _ => return Err(unsupported("ordered entry is not an object")),
            };
            let body = item.get(tag).expect("key");
            if tag == o.text_name {
                jsfmt::push_js_string(out, body, true);
            } else if o.cdata.as_deref() == Some(tag) || o.comment.as_deref() == Some(tag) {
                let first = match body {
                    Node::Arr(a) if a.first().is_some_and(|f| f.is_object() || f.is_array()) => {
                        &a[0]
                    }
                    _ => return Err(unsupported("cdata/comment entry is not a list of objects")),
                };
                match get_own(first, &o.text_name) {
                    Some(v) => jsfmt::push_js_string(out, v, false),
                    None => out.push_str("undefined"),
                }
            } else if tag.starts_with('?') || tag.is_empty() {
                continue;
            } else {
                let mut attrs = String::new();
                if let Some(map) = item.get(":@").filter(|m| truthy(m)) {
                    if !o.ignore_truthy {
                        match map {
                            Node::Obj(_) | Node::Arr(_) => {}
                            Node::Str(_) => return Err(unsupported("string attribute map")),
                            _ => {}
                        }
                        let plen = jsfmt::utf16_len(&o.attr_prefix);
                        for (k, v) in own_entries(map) {
                            let name = jsfmt::substr_utf16(&k, plen)
                                .ok_or_else(|| unsupported("attribute name cut in a pair"))?;
                            attrs.push(' ');
                            attrs.push_str(name);
                            if !(o.suppress_bool && matches!(v, Node::Bool(true))) {
                                attrs.push_str("=\"");
                                jsfmt::push_quote_escaped(&mut attrs, &jsfmt::js_string(v, true));
                                attrs.push('"');
                            }
                        }
                    }
                }
                let mut nested = String::new();
                self.raw_ordered(body, depth + 1, &mut nested)?;
                out.push('<');
                out.push_str(tag);
                out.push_str(&attrs);
                if nested.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    out.push_str(&nested);
                    out.push_str("</");
                    out.push_str(tag);
                    out.push('>');
                }
            }
        }
        Ok(())
    }
}

/// path-expression-matcher's `matches` for tag-only segments.
fn match_segments(segs: &[Seg], path: &[String]) -> bool {
    if segs.is_empty() {
        return false;
    }
    let seg_ok = |s: &Seg, node: &str| match s {
        Seg::Tag(t) => t == "*" || t == node,
        Seg::Deep => false,
    };
    if !segs.iter().any(|s| matches!(s, Seg::Deep)) {
        return path.len() == segs.len() && segs.iter().zip(path).all(|(s, p)| seg_ok(s, p));
    }
    let mut pi = path.len() as isize - 1;
    let mut si = segs.len() as isize - 1;
    while si >= 0 && pi >= 0 {
        match &segs[si as usize] {
            Seg::Deep => {
                si -= 1;
                if si < 0 {
                    return true;
                }
                let next = &segs[si as usize];
                let mut found = false;
                let mut i = pi;
                while i >= 0 {
                    if seg_ok(next, &path[i as usize]) {
                        pi = i - 1;
                        si -= 1;
                        found = true;
                        break;
                    }
                    i -= 1;
                }
                if !found {
                    return false;
                }
            }
            s => {
                if !seg_ok(s, &path[pi as usize]) {
                    return false;
                }
                pi -= 1;
                si -= 1;
            }
        }
    }
    si < 0
}
