//! XML → JSON text, byte-for-byte identical to what
//! `JSON.stringify(result)` gives for the npm package **xml2js 0.6.2**
//! `parseString(xml, options, cb)` (which parses with **sax 1.6.1**), including
//! xml2js's error messages for malformed input.
//!
//! The engine calls [`xml2js_json`] and `JSON.parse`s the text instead of running
//! xml2js in JavaScript.
//!
//! # How it works
//!
//! * **Fast path** (strict mode, the default): [`quick_xml`] tokenizes the
//!   document. Every token's raw bytes are re-checked against sax's strict
//!   grammar (names, attribute syntax, entities, comment/PI/DOCTYPE endings,
//!   text outside the root...). The fast path never reports errors itself: as
//!   soon as anything is unusual it gives up and the scanner takes over.
//! * **Scanner** (`Scanner`): a small state machine with sax's exact
//!   acceptance rules, error messages and error positions, used for everything
//!   the fast path declines and for `strict: false`.
//! * **Builder** (`Builder`): reproduces xml2js's object building on top of
//!   either tokenizer, including its JavaScript quirks (own/inherited keys,
//!   `cdata` flag key, `_` key collisions, integer-like key order).
//! * **Serializer**: `JSON.stringify` formatting. Trees are built, serialized
//!   and dropped without recursion, so 10 000+ levels of nesting are fine.
//!
//! xml2js calls back at the first of "root element closed" (result) and
//! "first error" (error); anything after the root element is never looked at.
//!
//! # Not reproduced
//!
//! Functions in options (processors, validator, function `emptyTag`), `xmlns`,
//! `explicitChildren` / `preserveChildrenOrder` / `charsAsChildren`, `async`,
//! and a few exotic option values are rejected with
//! [`XmlErrorKind::Unsupported`] (so the caller can fall back to xml2js in
//! JavaScript). When sax's error position points at half of an astral
//! character (a lone UTF-16 surrogate, which a Rust `String` cannot hold),
//! the message's `Char:` field holds the whole character instead.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use super::entities;

// ============================================================================
// Public API
// ============================================================================

/// Options of xml2js `parseString` that can be reproduced exactly.
///
/// Field names are the snake_case forms of the xml2js option names and the
/// defaults are xml2js 0.6.2's defaults ([`Default`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Xml2jsOptions {
    /// `explicitArray` (default `true`): always put child elements in arrays.
    pub explicit_array: bool,
    /// `explicitRoot` (default `true`): wrap the result in `{rootName: ...}`.
    pub explicit_root: bool,
    /// `mergeAttrs` (default `false`): attributes become keys of the element.
    pub merge_attrs: bool,
    /// `attrkey` (default `"$"`): key holding the attributes object.
    pub attrkey: String,
    /// `charkey` (default `"_"`): key holding the text content.
    pub charkey: String,
    /// `explicitCharkey` (default `false`): never collapse `{_: text}` to `text`.
    pub explicit_charkey: bool,
    /// `trim` (default `false`): trim text (JavaScript `String.prototype.trim`).
    pub trim: bool,
    /// `normalize` (default `false`): collapse runs of 2+ whitespace, then trim.
    pub normalize: bool,
    /// `normalizeTags` (default `false`): lower-case element names.
    pub normalize_tags: bool,
    /// `ignoreAttrs` (default `false`): drop all attributes.
    pub ignore_attrs: bool,
    /// `emptyTag` (default `''`): value used for empty elements.
    pub empty_tag: EmptyTag,
    /// `strict` (default `true`): sax strict mode. With `false`, names are
    /// upper-cased and malformed markup is tolerated exactly as sax does.
    pub strict: bool,
    /// `includeWhiteChars` (default `false`). Accepted for completeness: in
    /// xml2js it only has an effect together with `explicitChildren` +
    /// `preserveChildrenOrder` + `charsAsChildren`, which are not supported,
    /// so it never changes the output here (nor in xml2js).
    pub include_white_chars: bool,
}

impl Default for Xml2jsOptions {
    fn default() -> Self {
        Xml2jsOptions {
            explicit_array: true,
            explicit_root: true,
            merge_attrs: false,
            attrkey: "$".to_string(),
            charkey: "_".to_string(),
            explicit_charkey: false,
            trim: false,
            normalize: false,
            normalize_tags: false,
            ignore_attrs: false,
            empty_tag: EmptyTag::EmptyString,
            strict: true,
            include_white_chars: false,
        }
    }
}

/// The xml2js `emptyTag` option: what an element without attributes, children
/// and (non-whitespace) text becomes.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum EmptyTag {
    /// xml2js's default `''`. Note xml2js then returns the element's
    /// whitespace-only text as is (`<a>  </a>` → `"  "`), not always `""`.
    #[default]
    EmptyString,
    /// Any other JSON value, given as the exact text `JSON.stringify(value)`
    /// produces for it (e.g. `null`, `{}`, `"EMPTY"`, `0`). It is copied
    /// verbatim into the output. `""` means the same as [`EmptyTag::EmptyString`].
    /// Arrays are rejected as unsupported (xml2js shares one array instance
    /// between all empty elements and may even build a cyclic result).
    Json(String),
}

impl EmptyTag {
    /// `emptyTag: null`.
    pub fn null() -> Self {
        EmptyTag::Json("null".to_string())
    }
}

/// What kind of failure an [`XmlError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlErrorKind {
    /// xml2js would call back with an `Error` whose `message` is
    /// [`XmlError::message`] (sax syntax errors, e.g.
    /// `"Unclosed root tag\nLine: 0\nColumn: 10\nChar: "`, and the rare
    /// exceptions xml2js itself throws).
    Parse,
    /// This input/option combination is not reproduced; run real xml2js instead.
    Unsupported,
}

/// Error returned by [`xml2js_json`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    /// For [`XmlErrorKind::Parse`] exactly xml2js's `err.message`.
    pub message: String,
    /// Whether xml2js would fail too, or the case is just not supported here.
    pub kind: XmlErrorKind,
}

impl XmlError {
    /// The JavaScript class of the error xml2js hands over: sax reports `Error`s; the two
    /// exceptions xml2js's own code runs into are V8 `TypeError`s.
    pub fn js_name(&self) -> &'static str {
        if self.message == NOT_PRIMITIVE || self.message == NOT_A_STRING {
            "TypeError"
        } else {
            "Error"
        }
    }

    fn parse(message: String) -> Self {
        XmlError {
            message,
            kind: XmlErrorKind::Parse,
        }
    }
    fn unsupported(what: &str) -> Self {
        XmlError {
            message: format!("xml2js emulation does not support {what}"),
            kind: XmlErrorKind::Unsupported,
        }
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for XmlError {}

/// Parses `xml` like xml2js 0.6.2 `parseString(xml, options, cb)` and returns
/// `JSON.stringify(result)` (e.g. `{"root":{"a":["1"]}}`, or `null` for an
/// empty document), or the error xml2js would report.
pub fn xml2js_json(xml: &str, options: &Xml2jsOptions) -> Result<String, XmlError> {
    convert(xml, options, Route::Auto).map(|out| out.expect("only Route::FastOnly declines"))
}

/// Same as [`xml2js_json`] but never uses the quick-xml fast path (for
/// differential tests of the two tokenizers).
#[doc(hidden)]
pub fn xml2js_json_scanner_only(xml: &str, options: &Xml2jsOptions) -> Result<String, XmlError> {
    convert(xml, options, Route::ScannerOnly).map(|out| out.expect("only Route::FastOnly declines"))
}

/// Same as [`xml2js_json`] but reports `None` where the fast path declines
/// (for tests and benchmarks that check the fast path is really taken).
#[doc(hidden)]
pub fn xml2js_json_fast_only(
    xml: &str,
    options: &Xml2jsOptions,
) -> Option<Result<String, XmlError>> {
    convert(xml, options, Route::FastOnly).transpose()
}

// ============================================================================
// Driver
// ============================================================================

/// Which tokenizer(s) [`convert`] may use.
#[derive(Clone, Copy, PartialEq)]
enum Route {
    Auto,
    ScannerOnly,
    FastOnly,
}

/// Names JavaScript objects inherit from `Object.prototype`: xml2js's
/// `key in obj` test is true for them even on a fresh object.
const PROTO_NAMES: &[&str] = &[
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

/// `Ok(None)` only for [`Route::FastOnly`] when the fast path declines.
fn convert(xml: &str, options: &Xml2jsOptions, route: Route) -> Result<Option<String>, XmlError> {
    convert_checked(xml, options, route, false).map(|out| out.map(|(json, _)| json))
}

/// Like [`xml2js_json`], for a caller that turns the text back into objects: a result xml2js
/// would build with `Object.prototype`'s own members in it (`<toString>` twice gives
/// `[Function, ...]`), which JSON text cannot carry, is [`XmlErrorKind::Unsupported`].
///
/// With the JSON, whether nothing but whitespace and comments follows the root element: xml2js
/// goes on parsing after it calls back, and what it finds there (an error, another element) can
/// surface as an exception from `parseString` itself, which only the real package reproduces.
pub fn xml2js_object_json(xml: &str, options: &Xml2jsOptions) -> Result<(String, bool), XmlError> {
    convert_checked(xml, options, Route::Auto, true)
        .map(|out| out.expect("only Route::FastOnly declines"))
}

/// Whether `tail` (what follows the root element) is only sax whitespace and well-formed
/// comments, which neither sax nor xml2js reacts to.
fn quiet_tail(mut tail: &str) -> bool {
    loop {
        tail = tail.trim_start_matches(is_sax_ws);
        if tail.is_empty() {
            return true;
        }
        let Some(rest) = tail.strip_prefix("<!--") else {
            return false;
        };
        let Some(end) = rest.find("--") else {
            return false;
        };
        let Some(after) = rest[end..].strip_prefix("-->") else {
            return false;
        };
        tail = after;
    }
}

fn convert_checked(
    xml: &str,
    options: &Xml2jsOptions,
    route: Route,
    objects: bool,
) -> Result<Option<(String, bool)>, XmlError> {
    check_options(options)?;
    // xml2js: `if (str.trim() === '') emit("end", null)`, then strips one BOM.
    if xml.chars().all(is_js_space) {
        return Ok(Some(("null".to_string(), true)));
    }
    let xml = xml.strip_prefix('\u{FEFF}').unwrap_or(xml);

    let fast = if options.strict && route != Route::ScannerOnly {
        fast::parse(xml, options)
    } else {
        None
    };
    let root = match fast {
        Some(root) => Some(root),
        None if route == Route::FastOnly => return Ok(None),
        None => Scanner::run(xml, options)?,
    };
    let quiet = root
        .as_ref()
        .is_none_or(|(_, end)| quiet_tail(&xml[*end..]));
    let mut out = String::with_capacity(xml.len() + xml.len() / 4 + 16);
    match &root {
        None => out.push_str("null"),
        Some((v, _)) => {
            if !write_json(&mut out, v) && objects {
                return Err(XmlError::unsupported(
                    "a result holding Object.prototype's members",
                ));
            }
        }
    }
    Ok(Some((out, quiet)))
}

fn check_options(o: &Xml2jsOptions) -> Result<(), XmlError> {
    for key in [&o.attrkey, &o.charkey] {
        if PROTO_NAMES.contains(&key.as_str()) || key == "#name" || key == "cdata" {
            return Err(XmlError::unsupported(
                "attrkey/charkey equal to an inherited or internal key",
            ));
        }
    }
    if o.attrkey == o.charkey {
        return Err(XmlError::unsupported("attrkey equal to charkey"));
    }
    if let EmptyTag::Json(text) = &o.empty_tag {
        if text.trim_start().starts_with('[') {
            return Err(XmlError::unsupported("an array emptyTag"));
        }
        if serde_json::from_str::<serde_json::Value>(text).is_err() {
            return Err(XmlError::unsupported("emptyTag that is not JSON text"));
        }
    }
    Ok(())
}

// ============================================================================
// Character classes (sax's regular expressions and JavaScript's \s)
// ============================================================================

/// sax's `isWhitespace`: only these four characters.
fn is_sax_ws(c: char) -> bool {
    matches!(c, ' ' | '\n' | '\r' | '\t')
}

/// JavaScript `\s` / `String.prototype.trim` whitespace.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// sax `nameStart` (tested one UTF-16 unit at a time, so astral characters
/// never match).
fn is_name_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == ':' || c == '_';
    }
    matches!(c,
        ':' | '_' | 'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}')
}

/// sax `nameBody`.
fn is_name_body(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-');
    }
    is_name_start(c)
        || matches!(c, '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}' | '.' | '0'..='9' | '-')
}

/// sax `entityStart` / `entityBody`: the name classes plus `#`.
fn is_entity_char(c: char, first: bool) -> bool {
    c == '#'
        || if first {
            is_name_start(c)
        } else {
            is_name_body(c)
        }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_body)
}

/// Resolves the text between `&` and `;` like sax (HTML entity table, then
/// its lower-cased form, then decimal/hex character references of XML
/// characters). `None` is sax's "Invalid character entity".
fn resolve_entity(name: &str) -> Option<char> {
    let lookup = |n: &str| {
        entities::ENTITIES
            .binary_search_by(|(k, _)| (*k).cmp(n))
            .ok()
            .map(|i| entities::ENTITIES[i].1)
    };
    if let Some(v) = lookup(name) {
        return v.chars().next();
    }
    let lower = name.to_lowercase();
    if let Some(v) = lookup(&lower) {
        return v.chars().next();
    }
    // sax: parseInt(digits, radix).toString(radix) must equal the digits with
    // leading zeros removed, i.e. only digits of the radix and not all zeros.
    let (digits, radix) = match lower.strip_prefix('#') {
        Some(rest) => match rest.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (rest, 10),
        },
        None => return None,
    };
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() || digits.len() > 8 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = u32::from_str_radix(digits, radix).ok()?;
    let xml_char =
        matches!(n, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
    if xml_char {
        char::from_u32(n)
    } else {
        None
    }
}

// ============================================================================
// sax's attributes object
// ============================================================================

/// The `tag.attributes` object sax builds: insertion ordered, and a plain JS
/// object, so assigning `__proto__` does nothing. `N` is the name type
/// (`&str` slices of the input in the fast path).
struct Attrs<N>(Vec<(N, String)>);

impl<N> Default for Attrs<N> {
    fn default() -> Self {
        Attrs(Vec::new())
    }
}

impl<N: AsRef<str>> Attrs<N> {
    /// sax `attrib()`: a repeated attribute is silently dropped (first wins).
    fn add_if_new(&mut self, name: N, value: String) {
        let n = name.as_ref();
        if n != "__proto__" && !self.0.iter().any(|(k, _)| k.as_ref() == n) {
            self.0.push((name, value));
        }
    }
    /// sax's direct `tag.attributes[name] = value` (overwrites in place).
    fn assign(&mut self, name: N, value: String) {
        let n = name.as_ref();
        if n == "__proto__" {
            return;
        }
        match self.0.iter_mut().find(|(k, _)| k.as_ref() == n) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }
}

// ============================================================================
// JavaScript-like values
// ============================================================================

/// The values xml2js puts in its result.
enum JsVal {
    Str(String),
    Obj(JsObj),
    Arr(Vec<JsVal>),
    /// `obj.cdata = true`, xml2js's CDATA marker (normally deleted again).
    True,
    /// An inherited `Object.prototype` method (`JSON.stringify` → `null` in arrays).
    ProtoFn,
    /// `Object.prototype` itself, read through `obj.__proto__` (→ `{}`).
    ProtoObj,
    /// The `emptyTag` option value, as `JSON.stringify` text.
    Json(Rc<str>),
}

/// Object keys are interned: the same few names repeat throughout a document.
type Key = Rc<str>;

/// A plain JS object: keys in insertion order (integer-like keys are ordered
/// first when serialized, like JS does), with a lookup index for big objects.
#[derive(Default)]
struct JsObj {
    entries: Vec<(Key, JsVal)>,
    /// Boxed to keep `JsObj` (and so every `JsVal`) small; rarely present.
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<Key, usize>>>,
}

impl JsObj {
    const INDEX_FROM: usize = 16;

    fn find(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| **k == *key),
        }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut JsVal> {
        self.find(key).map(|i| &mut self.entries[i].1)
    }

    /// `Object.defineProperty(obj, key, {value})` / `obj[key] = value`:
    /// replaces in place or appends.
    fn set(&mut self, key: &Key, value: JsVal) {
        if let Some(i) = self.find(key) {
            self.entries[i].1 = value;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key.clone(), value));
        if self.index.is_none() && self.entries.len() > Self::INDEX_FROM {
            let index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
            self.index = Some(Box::new(index));
        }
    }

    /// Puts `key` back in first position (the charkey, which xml2js created
    /// first). Only used when an element is finished.
    fn insert_first(&mut self, key: &Key, value: JsVal) {
        self.index = None;
        self.entries.insert(0, (key.clone(), value));
    }

    /// `delete obj[key]`. Only used when an element is finished, after which
    /// the object is never looked up again, so the index is simply dropped.
    fn remove(&mut self, key: &str) -> Option<JsVal> {
        let i = self.find(key)?;
        self.index = None;
        Some(self.entries.remove(i).1)
    }
}

thread_local! {
    /// How many `JsObj::drop` calls are on the stack of this thread.
    static DROP_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Objects too deep to drop recursively, dropped by the outermost `drop`.
    static DROP_LATER: std::cell::RefCell<Vec<JsObj>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Drop for JsObj {
    /// Drops recursively up to a fixed depth and defers deeper objects to the
    /// outermost call, so very deep documents cannot overflow the stack.
    fn drop(&mut self) {
        const MAX_DEPTH: usize = 64;
        if self.entries.is_empty() {
            return;
        }
        let depth = DROP_DEPTH.get();
        if depth >= MAX_DEPTH {
            let deferred = std::mem::take(self);
            DROP_LATER.with_borrow_mut(|later| later.push(deferred));
            return;
        }
        DROP_DEPTH.set(depth + 1);
        self.entries.clear();
        if depth == 0 {
            // Still at depth 1 here, so deferred objects do not drain the
            // list themselves (which would recurse once per deferred object).
            while let Some(obj) = DROP_LATER.with_borrow_mut(Vec::pop) {
                drop(obj);
            }
        }
        DROP_DEPTH.set(depth);
    }
}

/// The TypeError V8 throws for `String(obj)` when `obj.toString` is an own,
/// non-callable property (xml2js made it an array for a `<toString>` child).
const NOT_PRIMITIVE: &str = "Cannot convert object to primitive value";

/// The TypeError V8 throws when xml2js tests the text of an element whose charkey holds
/// something other than a string.
const NOT_A_STRING: &str = "obj[charkey].match is not a function";

/// JavaScript `String(value)` for the values that can end up under the
/// charkey when an element or a merged attribute is named like the charkey
/// (`s[charkey] += text` then turns the array into a string).
fn js_to_string(v: &JsVal, out: &mut String) -> Result<(), XmlError> {
    match v {
        JsVal::Str(s) => out.push_str(s),
        JsVal::Obj(obj) if obj.find("toString").is_some() => {
            return Err(XmlError::parse(NOT_PRIMITIVE.to_string()))
        }
        JsVal::Obj(_) | JsVal::ProtoObj => out.push_str("[object Object]"),
        JsVal::True => out.push_str("true"),
        JsVal::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                js_to_string(item, out)?;
            }
        }
        JsVal::Json(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Null) => {}
            Ok(serde_json::Value::Object(map)) if map.contains_key("toString") => {
                return Err(XmlError::parse(NOT_PRIMITIVE.to_string()));
            }
            Ok(serde_json::Value::Object(_)) => out.push_str("[object Object]"),
            Ok(serde_json::Value::String(s)) => out.push_str(&s),
            // JSON.stringify writes numbers and booleans like String() does.
            Ok(serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => out.push_str(text),
            _ => return Err(XmlError::unsupported("an array emptyTag")),
        },
        JsVal::ProtoFn => return Err(XmlError::unsupported("text mixed into an inherited method")),
    }
    Ok(())
}

// ============================================================================
// Builder: xml2js's onopentag / ontext / oncdata / onclosetag
// ============================================================================

/// An element being built. xml2js starts every element object with
/// `obj[charkey] = ""`, so the charkey is always its first key; it is kept
/// apart from the other keys so that leaf elements need no key vector.
struct Frame {
    /// `obj["#name"]` (after `normalizeTags`).
    name: Key,
    /// `obj[charkey]`: the text so far (an array after a name collision).
    text: JsVal,
    /// All other keys of `obj`, in order.
    obj: JsObj,
}

/// Builds the xml2js result from sax-level events. `close` returns the final
/// result once the root element closes (xml2js reports it right then).
struct Builder<'o> {
    opts: &'o Xml2jsOptions,
    stack: Vec<Frame>,
    empty_tag: Option<Rc<str>>,
    charkey: Key,
    attrkey: Key,
    cdata_key: Key,
    /// Interned element and attribute names (after `normalizeTags`).
    keys: HashMap<Box<str>, Key>,
}

impl<'o> Builder<'o> {
    fn new(opts: &'o Xml2jsOptions) -> Self {
        let empty_tag = match &opts.empty_tag {
            EmptyTag::Json(text) if text.trim() != "\"\"" => Some(text.trim().into()),
            _ => None,
        };
        Builder {
            opts,
            stack: Vec::new(),
            empty_tag,
            charkey: opts.charkey.as_str().into(),
            attrkey: opts.attrkey.as_str().into(),
            cdata_key: "cdata".into(),
            keys: HashMap::new(),
        }
    }

    fn key(&mut self, name: &str) -> Key {
        if let Some(k) = self.keys.get(name) {
            return k.clone();
        }
        let k: Key = name.into();
        self.keys.insert(name.into(), k.clone());
        k
    }

    /// xml2js `onopentag`.
    fn open<N: AsRef<str>>(&mut self, name: &str, attrs: Vec<(N, String)>) {
        let o = self.opts;
        let mut frame = Frame {
            name: self.key(name),
            text: JsVal::Str(String::new()),
            obj: JsObj::default(),
        };
        if o.normalize_tags {
            frame.name = self.key(&name.to_lowercase());
        }
        if !o.ignore_attrs {
            for (key, value) in attrs {
                let key = self.key(key.as_ref());
                if o.merge_attrs {
                    frame_assign_or_push(
                        &mut frame,
                        &key,
                        JsVal::Str(value),
                        &self.charkey,
                        o.explicit_array,
                    );
                } else {
                    if frame.obj.find(&self.attrkey).is_none() {
                        frame.obj.set(&self.attrkey, JsVal::Obj(JsObj::default()));
                    }
                    if let Some(JsVal::Obj(attr_obj)) = frame.obj.get_mut(&self.attrkey) {
                        attr_obj.set(&key, JsVal::Str(value));
                    }
                }
            }
        }
        self.stack.push(frame);
    }

    /// xml2js `ontext`: `s[charkey] += text` on the innermost open element
    /// (text outside the root is ignored).
    fn text(&mut self, text: &str) -> Result<(), XmlError> {
        let Some(top) = self.stack.last_mut() else {
            return Ok(());
        };
        if let JsVal::Str(s) = &mut top.text {
            s.push_str(text);
        } else {
            let mut s = String::new();
            js_to_string(&top.text, &mut s)?;
            s.push_str(text);
            top.text = JsVal::Str(s);
        }
        Ok(())
    }

    /// xml2js `oncdata`: like text, then `s.cdata = true`.
    fn cdata(&mut self, text: &str) -> Result<(), XmlError> {
        self.text(text)?;
        if let Some(top) = self.stack.last_mut() {
            top.obj.set(&self.cdata_key, JsVal::True);
        }
        Ok(())
    }

    /// xml2js `onclosetag`. Returns the final result when the root closes.
    fn close(&mut self) -> Result<Option<JsVal>, XmlError> {
        let o = self.opts;
        let Frame {
            name,
            text,
            mut obj,
        } = self.stack.pop().expect("close without open");
        // `if (obj.cdata === true) delete obj.cdata`: the CDATA marker.
        let had_cdata = obj
            .find("cdata")
            .is_some_and(|i| matches!(obj.entries[i].1, JsVal::True));
        if had_cdata {
            obj.remove("cdata");
        }
        let JsVal::Str(mut text) = text else {
            // `obj[charkey].match(...)` on an array throws in xml2js.
            return Err(XmlError::parse(NOT_A_STRING.to_string()));
        };
        let value = if text.chars().all(is_js_space) && !had_cdata {
            // `delete obj[charkey]`; the whitespace is kept for `emptyTag: ''`.
            if obj.entries.is_empty() {
                match &self.empty_tag {
                    Some(json) => JsVal::Json(json.clone()),
                    None => JsVal::Str(text),
                }
            } else {
                JsVal::Obj(obj)
            }
        } else {
            if o.trim {
                text = js_trim(&text).to_string();
            }
            if o.normalize {
                text = js_normalize(&text);
            }
            if obj.entries.is_empty() && !o.explicit_charkey {
                JsVal::Str(text)
            } else {
                obj.insert_first(&self.charkey, JsVal::Str(text));
                JsVal::Obj(obj)
            }
        };
        match self.stack.last_mut() {
            Some(parent) => {
                frame_assign_or_push(parent, &name, value, &self.charkey, o.explicit_array);
                Ok(None)
            }
            None if o.explicit_root => {
                let mut wrapper = JsObj::default();
                wrapper.set(&name, value);
                Ok(Some(JsVal::Obj(wrapper)))
            }
            None => Ok(Some(value)),
        }
    }
}

/// [`assign_or_push`] on an element being built, whose charkey lives apart.
fn frame_assign_or_push(
    frame: &mut Frame,
    key: &Key,
    value: JsVal,
    charkey: &Key,
    explicit_array: bool,
) {
    if key == charkey {
        // `charkey in obj` is always true; its value is a string or an array.
        frame.text = match std::mem::replace(&mut frame.text, JsVal::True) {
            JsVal::Arr(mut items) => {
                items.push(value);
                JsVal::Arr(items)
            }
            other => JsVal::Arr(vec![other, value]),
        };
    } else {
        assign_or_push(&mut frame.obj, key, value, explicit_array);
    }
}

/// xml2js `assignOrPush`, including `key in obj` being true for names
/// inherited from `Object.prototype` (`<constructor>` → `[null, ...]`).
fn assign_or_push(obj: &mut JsObj, key: &Key, value: JsVal, explicit_array: bool) {
    let Some(i) = obj.find(key) else {
        if let Some(inherited) = PROTO_NAMES.iter().find(|p| **p == &**key) {
            let first = if *inherited == "__proto__" {
                JsVal::ProtoObj
            } else {
                JsVal::ProtoFn
            };
            obj.set(key, JsVal::Arr(vec![first, value]));
        } else if explicit_array {
            obj.set(key, JsVal::Arr(vec![value]));
        } else {
            obj.set(key, value);
        }
        return;
    };
    let slot = &mut obj.entries[i].1;
    match slot {
        JsVal::Arr(items) => items.push(value),
        other => {
            let old = std::mem::replace(other, JsVal::True);
            *other = JsVal::Arr(vec![old, value]);
        }
    }
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `s.replace(/\s{2,}/g, " ").trim()`: single whitespace characters stay.
fn js_normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars() {
        if is_js_space(c) {
            run.push(c);
            continue;
        }
        flush_ws_run(&mut out, &mut run);
        out.push(c);
    }
    flush_ws_run(&mut out, &mut run);
    js_trim(&out).to_string()
}

fn flush_ws_run(out: &mut String, run: &mut String) {
    if run.chars().nth(1).is_some() {
        out.push(' ');
    } else {
        out.push_str(run);
    }
    run.clear();
}

// ============================================================================
// JSON.stringify
// ============================================================================

/// Writes `JSON.stringify(value)` without recursion; `false` when the value held something JSON
/// only approximates (an inherited method or `Object.prototype`).
fn write_json<'a>(out: &mut String, root: &'a JsVal) -> bool {
    let mut faithful = true;
    enum Todo<'a> {
        Val(&'a JsVal),
        Raw(&'static str),
        Key(&'a str),
    }
    let mut todo = vec![Todo::Val(root)];
    while let Some(item) = todo.pop() {
        let v = match item {
            Todo::Raw(s) => {
                out.push_str(s);
                continue;
            }
            Todo::Key(k) => {
                write_json_string(out, k);
                out.push(':');
                continue;
            }
            Todo::Val(v) => v,
        };
        match v {
            JsVal::Str(s) => write_json_string(out, s),
            JsVal::True => out.push_str("true"),
            JsVal::ProtoFn => {
                faithful = false;
                out.push_str("null")
            }
            JsVal::ProtoObj => {
                faithful = false;
                out.push_str("{}")
            }
            JsVal::Json(text) => out.push_str(text),
            JsVal::Arr(items) => {
                out.push('[');
                todo.push(Todo::Raw("]"));
                for (i, item) in items.iter().enumerate().rev() {
                    todo.push(Todo::Val(item));
                    if i > 0 {
                        todo.push(Todo::Raw(","));
                    }
                }
            }
            JsVal::Obj(obj) => {
                out.push('{');
                todo.push(Todo::Raw("}"));
                // An own function-valued property would be skipped by JSON.stringify,
                // but xml2js only ever puts inherited methods inside arrays.
                let mut push = |n: usize, (k, v): &'a (Key, JsVal)| {
                    todo.push(Todo::Val(v));
                    todo.push(Todo::Key(k));
                    if n > 0 {
                        todo.push(Todo::Raw(","));
                    }
                };
                if obj
                    .entries
                    .iter()
                    .any(|(k, _)| k.as_bytes().first().is_some_and(u8::is_ascii_digit))
                {
                    for (n, &i) in js_key_order(obj).iter().enumerate().rev() {
                        push(n, &obj.entries[i]);
                    }
                } else {
                    for (n, entry) in obj.entries.iter().enumerate().rev() {
                        push(n, entry);
                    }
                }
            }
        }
    }
    faithful
}

/// JS property order: array-index keys ascending, then insertion order.
fn js_key_order(obj: &JsObj) -> Vec<usize> {
    let index_of = |k: &str| -> Option<u32> {
        if k.is_empty()
            || (k.len() > 1 && k.starts_with('0'))
            || !k.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        k.parse::<u32>().ok().filter(|n| *n != u32::MAX)
    };
    let mut numeric: Vec<(u32, usize)> = Vec::new();
    let mut order = Vec::with_capacity(obj.entries.len());
    for (i, (k, _)) in obj.entries.iter().enumerate() {
        match k.as_bytes().first() {
            Some(b'0'..=b'9') => match index_of(k) {
                Some(n) => numeric.push((n, i)),
                None => order.push(i),
            },
            _ => order.push(i),
        }
    }
    if numeric.is_empty() {
        return order;
    }
    numeric.sort();
    numeric.into_iter().map(|(_, i)| i).chain(order).collect()
}

/// `JSON.stringify(string)`: escapes `"` `\` and control characters only
/// (`\u2028`/`\u2029` and DEL stay raw).
fn write_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

// ============================================================================
// Fast path: quick-xml tokens, re-validated against sax's strict grammar
// ============================================================================

mod fast {
    use super::*;
    use quick_xml::events::Event;
    use quick_xml::reader::Reader;

    /// Why the fast path gives up (the scanner then decides what sax does).
    struct Decline;

    /// `Some((root, end))` when the document is accepted (`end`: the offset just after the
    /// root element), `None` to let the scanner
    /// handle it: syntax errors, unusual syntax, and also errors thrown by
    /// the builder (whether sax reports a syntax error first depends on
    /// exactly when sax hands over text, which only the scanner mirrors).
    pub(super) fn parse(xml: &str, opts: &Xml2jsOptions) -> Option<(JsVal, usize)> {
        let mut builder = Builder::new(opts);
        match run(xml, &mut builder) {
            Ok(Ok(root)) => Some(root),
            Ok(Err(Decline)) | Err(_) => None,
        }
    }

    fn run(xml: &str, b: &mut Builder) -> Result<Result<(JsVal, usize), Decline>, XmlError> {
        macro_rules! decline {
            () => {
                return Ok(Err(Decline))
            };
        }
        macro_rules! check {
            ($cond:expr) => {
                if !$cond {
                    decline!();
                }
            };
        }
        let mut reader = Reader::from_str(xml);
        {
            let c = reader.config_mut();
            c.check_end_names = false;
            c.check_comments = false;
            c.allow_dangling_amp = true;
            c.allow_unmatched_ends = true;
            c.trim_markup_names_in_closing_tags = false;
            c.expand_empty_elements = false;
        }
        let mut names: Vec<&str> = Vec::new(); // raw names of open elements
        let mut text_start: Option<usize> = None; // pending raw text run
        let mut seen_doctype = false;
        let mut seen_root = false;
        let mut scratch = String::new();
        loop {
            let start = reader.buffer_position() as usize;
            let Ok(event) = reader.read_event() else {
                decline!()
            };
            let end = reader.buffer_position() as usize;
            let raw = &xml[start..end];
            if let Event::Text(_) | Event::GeneralRef(_) = event {
                text_start.get_or_insert(start);
                continue;
            }
            if let Some(t0) = text_start.take() {
                let run = &xml[t0..start];
                if names.is_empty() {
                    // Outside the root only sax whitespace is allowed (a BOM
                    // right at the start is skipped by sax).
                    let run = if t0 == 0 {
                        run.strip_prefix('\u{FEFF}').unwrap_or(run)
                    } else {
                        run
                    };
                    check!(run.chars().all(is_sax_ws));
                } else {
                    scratch.clear();
                    check!(decode_text(run, &mut scratch).is_some());
                    b.text(&scratch)?;
                }
            }
            match event {
                Event::Start(_) | Event::Empty(_) => {
                    let Some((name, attrs, self_closing)) = parse_start_tag(raw) else {
                        decline!()
                    };
                    b.open(name, attrs.0);
                    seen_root = true;
                    if self_closing {
                        if let Some(root) = b.close()? {
                            return Ok(Ok((root, end)));
                        }
                    } else {
                        names.push(name);
                    }
                }
                Event::End(_) => {
                    // `</` ws* name ws* `>`, matching the innermost open element.
                    let Some(inner) = raw.strip_prefix("</").and_then(|r| r.strip_suffix('>'))
                    else {
                        decline!()
                    };
                    let name = inner.trim_matches(is_sax_ws);
                    check!(is_name(name) && names.last() == Some(&name));
                    names.pop();
                    if let Some(root) = b.close()? {
                        return Ok(Ok((root, end)));
                    }
                }
                Event::CData(_) => {
                    check!(!names.is_empty());
                    let Some(content) = raw
                        .strip_prefix("<![CDATA[")
                        .and_then(|r| r.strip_suffix("]]>"))
                    else {
                        decline!()
                    };
                    check!(!content.contains("]]>"));
                    if !content.is_empty() {
                        b.cdata(content)?;
                    }
                }
                Event::Comment(_) => {
                    let Some(content) =
                        raw.strip_prefix("<!--").and_then(|r| r.strip_suffix("-->"))
                    else {
                        decline!()
                    };
                    // sax ends a comment at the first `--`, which must be followed by `>`.
                    check!(raw.len() >= 7 && !content.contains("--") && !content.ends_with('-'));
                }
                Event::PI(_) | Event::Decl(_) => {
                    check!(raw.starts_with("<?") && pi_end(raw) == Some(raw.len()));
                }
                Event::DocType(_) => {
                    check!(!seen_doctype && !seen_root);
                    seen_doctype = true;
                    check!(raw.len() >= 10 && raw[..9].eq_ignore_ascii_case("<!DOCTYPE"));
                    check!(doctype_end(&raw[9..]) == Some(raw.len() - 9));
                }
                Event::Eof => decline!(), // root not closed: the scanner words the error
                Event::Text(_) | Event::GeneralRef(_) => unreachable!(),
            }
        }
    }

    /// Parses a whole start tag `<name attr="v" ...>` / `<name .../>` with
    /// exactly sax's strict rules; `None` if sax would complain (or might).
    fn parse_start_tag(raw: &str) -> Option<(&str, Attrs<&str>, bool)> {
        let inner = raw.strip_prefix('<')?.strip_suffix('>')?;
        let (inner, self_closing) = match inner.strip_suffix('/') {
            Some(rest) => (rest, true),
            None => (inner, false),
        };
        let s = inner.trim_start_matches(is_sax_ws);
        let name_len = s.find(|c: char| !is_name_body(c)).unwrap_or(s.len());
        let name = &s[..name_len];
        if !is_name(name) {
            return None;
        }
        let mut rest = &s[name_len..];
        let mut attrs = Attrs::default();
        loop {
            let trimmed = rest.trim_start_matches(is_sax_ws);
            if trimmed.is_empty() {
                break;
            }
            if trimmed.len() == rest.len() {
                return None; // attributes must be separated by whitespace
            }
            let len = trimmed
                .find(|c: char| !is_name_body(c))
                .unwrap_or(trimmed.len());
            let attr_name = &trimmed[..len];
            if !is_name(attr_name) {
                return None;
            }
            let after = trimmed[len..]
                .trim_start_matches(is_sax_ws)
                .strip_prefix('=')?;
            let after = after.trim_start_matches(is_sax_ws);
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let body = &after[1..];
            let close = body.find(quote)?;
            let mut value = String::new();
            decode_text(&body[..close], &mut value)?;
            attrs.add_if_new(attr_name, value);
            rest = &body[close + 1..];
        }
        Some((name, attrs, self_closing))
    }

    /// Decodes entity references of a text run or attribute value; `None` if
    /// any reference is malformed or unknown (sax would fail).
    fn decode_text(raw: &str, out: &mut String) -> Option<()> {
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            let semi = after.find(';')?;
            let name = &after[..semi];
            let mut chars = name.chars();
            if !chars.next().is_some_and(|c| is_entity_char(c, true))
                || !chars.all(|c| is_entity_char(c, false))
            {
                return None;
            }
            out.push(resolve_entity(name)?);
            rest = &after[semi + 1..];
        }
        out.push_str(rest);
        Some(())
    }

    /// Byte length of a processing instruction as sax reads it: a `?` always
    /// swallows the next character, and only `?>` ends it.
    fn pi_end(raw: &str) -> Option<usize> {
        let b = raw.as_bytes();
        let mut i = 2;
        while i < b.len() {
            if b[i] == b'?' {
                if b.get(i + 1) == Some(&b'>') {
                    return Some(i + 2);
                }
                i += 2;
            } else {
                i += 1;
            }
        }
        None
    }

    /// Length of a DOCTYPE body (after `<!DOCTYPE`) up to and including the
    /// closing `>`, honouring quotes. Internal subsets (`[`) are left to the scanner.
    fn doctype_end(body: &str) -> Option<usize> {
        let mut quote: Option<u8> = None;
        for (i, &c) in body.as_bytes().iter().enumerate() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    b'"' | b'\'' => quote = Some(c),
                    b'[' => return None,
                    b'>' => return Some(i + 1),
                    _ => {}
                },
            }
        }
        None
    }
}

// ============================================================================
// Scanner: sax 1.6.1's grammar, errors and error positions
// ============================================================================

/// Scanner states (the same states sax distinguishes).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum St {
    Begin,
    BeginWhitespace,
    Text,
    TextEntity,
    OpenWaka,
    SgmlDecl,
    SgmlDeclQuoted,
    Doctype,
    DoctypeQuoted,
    DoctypeDtd,
    DoctypeDtdQuoted,
    Comment,
    CommentEnding,
    CommentEnded,
    Cdata,
    CdataEnding,
    CdataEnding2,
    ProcInst,
    ProcInstBody,
    ProcInstEnding,
    OpenTag,
    OpenTagSlash,
    Attrib,
    AttribName,
    AttribNameSawWhite,
    AttribValue,
    AttribValueQuoted,
    AttribValueClosed,
    AttribValueUnquoted,
    AttribValueEntityQ,
    AttribValueEntityU,
    CloseTag,
    CloseTagSawWhite,
    Script,
    ScriptEnding,
}

/// The DOCTYPE bookkeeping sax keeps in one variable.
#[derive(PartialEq)]
enum Doctype {
    None,
    /// Inside `<!DOCTYPE ...`, with the text read so far.
    Open(String),
    /// A DOCTYPE was completed.
    Seen,
}

/// A sax error before it is given its position.
struct SaxError {
    message: String,
    /// Byte offset of the character being processed; `None` at end of input.
    at: Option<usize>,
}

type Step = Result<Option<JsVal>, SaxError>;

/// Byte-oriented re-implementation of sax's tokenizer feeding a [`Builder`].
struct Scanner<'a, 'o> {
    xml: &'a str,
    strict: bool,
    builder: Builder<'o>,
    state: St,
    /// Byte offset of the character being processed (for error positions).
    at: usize,
    tags: Vec<String>,
    saw_root: bool,
    closed_root: bool,
    /// Where the root element ended (the whole input until it does).
    at_end: usize,
    quote: Option<char>,
    tag_name: String,
    attrs: Attrs<String>,
    attrib_name: String,
    attrib_value: String,
    entity: String,
    sgml_decl: String,
    doctype: Doctype,
    comment_len: usize,
    pi_name: String,
    pi_body: String,
    cdata: String,
    script: String,
    text: String,
    /// Whitespace characters seen between `<` and the current character.
    waka_ws: usize,
    /// Builder failures are reported after the scanner unwinds.
    builder_error: Option<XmlError>,
}

impl<'a, 'o> Scanner<'a, 'o> {
    /// Parses `xml` (BOM already stripped by the caller, like xml2js does).
    /// `Ok(None)` is xml2js's `null` (no root element closed, no error).
    /// With the root, the offset just after the character that closed it.
    fn run(xml: &'a str, opts: &'o Xml2jsOptions) -> Result<Option<(JsVal, usize)>, XmlError> {
        let mut s = Scanner {
            xml,
            strict: opts.strict,
            builder: Builder::new(opts),
            state: St::Begin,
            at: 0,
            tags: Vec::new(),
            saw_root: false,
            closed_root: false,
            quote: None,
            tag_name: String::new(),
            attrs: Attrs::default(),
            attrib_name: String::new(),
            attrib_value: String::new(),
            entity: String::new(),
            sgml_decl: String::new(),
            doctype: Doctype::None,
            comment_len: 0,
            pi_name: String::new(),
            pi_body: String::new(),
            cdata: String::new(),
            script: String::new(),
            text: String::new(),
            waka_ws: 0,
            builder_error: None,
            at_end: xml.len(),
        };
        match s.scan() {
            Ok(root) => Ok(root.map(|root| (root, s.at_end))),
            Err(_) if s.builder_error.is_some() => Err(s.builder_error.take().unwrap()),
            Err(e) => Err(XmlError::parse(format_sax_error(xml, &e))),
        }
    }

    /// sax `error()`. Like sax, it first hands pending text to xml2js, which
    /// can throw (see [`NOT_PRIMITIVE`]); that exception then wins.
    fn error(&mut self, message: &str, at: Option<usize>) -> SaxError {
        if let Err(e) = self.flush_text() {
            return e;
        }
        SaxError {
            message: message.to_string(),
            at,
        }
    }

    /// sax `strictFail`: an error in strict mode, ignored otherwise.
    fn strict_fail(&mut self, message: &str) -> Result<(), SaxError> {
        if self.strict {
            Err(self.error(message, Some(self.at)))
        } else {
            Ok(())
        }
    }

    fn builder_result<T>(&mut self, r: Result<T, XmlError>) -> Result<T, SaxError> {
        r.map_err(|e| {
            self.builder_error = Some(e);
            SaxError {
                message: String::new(),
                at: None,
            }
        })
    }

    /// Hands the pending text to the builder (sax `closeText`).
    fn flush_text(&mut self) -> Result<(), SaxError> {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            let r = self.builder.text(&text);
            self.builder_result(r)?;
        }
        Ok(())
    }

    fn scan(&mut self) -> Step {
        let xml = self.xml;
        let bytes = xml.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Bulk paths for the two states that see most of the input.
            if self.state == St::Text && self.saw_root && !self.closed_root {
                let run = bytes[i..]
                    .iter()
                    .position(|&b| b == b'<' || b == b'&')
                    .unwrap_or(bytes.len() - i);
                self.text.push_str(&xml[i..i + run]);
                i += run;
                if i == bytes.len() {
                    break;
                }
            } else if self.state == St::Cdata {
                let run = bytes[i..]
                    .iter()
                    .position(|&b| b == b']')
                    .unwrap_or(bytes.len() - i);
                self.cdata.push_str(&xml[i..i + run]);
                i += run;
                if i == bytes.len() {
                    break;
                }
            }
            let c = if bytes[i] < 0x80 {
                bytes[i] as char
            } else {
                xml[i..].chars().next().unwrap()
            };
            self.at = i;
            i += c.len_utf8();
            if let Some(root) = self.step(c)? {
                self.at_end = i;
                return Ok(Some(root));
            }
        }
        self.at = xml.len();
        self.end()
    }

    /// End of input: sax's buffer-size check, then `end()`.
    fn end(&mut self) -> Step {
        // sax checks its buffers once per write() when 64 Ki UTF-16 units
        // have been seen; xml2js writes the whole document at once.
        const MAX: usize = 64 * 1024;
        let units = |s: &str| s.encode_utf16().count();
        if self.xml.len() >= MAX && units(self.xml) >= MAX {
            let doctype_len = match &self.doctype {
                Doctype::Open(s) => units(s),
                _ => 0,
            };
            let buffers = [
                ("comment", self.comment_len),
                ("sgmlDecl", units(&self.sgml_decl)),
                ("tagName", units(&self.tag_name)),
                ("doctype", doctype_len),
                ("procInstName", units(&self.pi_name)),
                ("procInstBody", units(&self.pi_body)),
                ("entity", units(&self.entity)),
                ("attribName", units(&self.attrib_name)),
                ("attribValue", units(&self.attrib_value)),
            ];
            if let Some((name, _)) = buffers.iter().find(|(_, len)| *len > MAX) {
                let message = format!("Max buffer length exceeded: {name}");
                return Err(self.error(&message, None));
            }
        }
        if self.saw_root && !self.closed_root && self.strict {
            return Err(self.error("Unclosed root tag", None));
        }
        if !matches!(self.state, St::Begin | St::BeginWhitespace | St::Text) {
            return Err(self.error("Unexpected end", None));
        }
        // sax flushes pending text at the end (xml2js may throw on it).
        self.flush_text()?;
        Ok(None) // xml2js then reports `null`
    }

    fn begin_whitespace(&mut self, c: char) -> Result<(), SaxError> {
        if c == '<' {
            self.state = St::OpenWaka;
            self.waka_ws = 0;
        } else if !is_sax_ws(c) {
            self.strict_fail("Non-whitespace before first tag.")?;
            self.text = c.to_string();
            self.state = St::Text;
        }
        Ok(())
    }

    /// Processes one character.
    fn step(&mut self, c: char) -> Step {
        match self.state {
            St::Begin => {
                self.state = St::BeginWhitespace;
                if c != '\u{FEFF}' {
                    self.begin_whitespace(c)?;
                }
            }
            St::BeginWhitespace => self.begin_whitespace(c)?,
            St::Text => {
                // (text inside the root was consumed in bulk by `scan`)
                if c == '<' && !(self.saw_root && self.closed_root && !self.strict) {
                    self.state = St::OpenWaka;
                    self.waka_ws = 0;
                } else {
                    if !is_sax_ws(c) && (!self.saw_root || self.closed_root) {
                        self.strict_fail("Text data outside of root node.")?;
                    }
                    if c == '&' {
                        self.state = St::TextEntity;
                    } else {
                        self.text.push(c);
                    }
                }
            }
            St::Script => {
                if c == '<' {
                    self.state = St::ScriptEnding;
                } else {
                    self.script.push(c);
                }
            }
            St::ScriptEnding => {
                if c == '/' {
                    self.state = St::CloseTag;
                } else {
                    self.script.push('<');
                    self.script.push(c);
                    self.state = St::Script;
                }
            }
            St::OpenWaka => {
                if c == '!' {
                    self.state = St::SgmlDecl;
                    self.sgml_decl.clear();
                } else if is_sax_ws(c) {
                    self.waka_ws += 1;
                } else if is_name_start(c) {
                    self.state = St::OpenTag;
                    self.tag_name = c.to_string();
                } else if c == '/' {
                    self.state = St::CloseTag;
                    self.tag_name.clear();
                } else if c == '?' {
                    self.state = St::ProcInst;
                    self.pi_name.clear();
                    self.pi_body.clear();
                } else {
                    self.strict_fail("Unencoded <")?;
                    // sax re-inserts the skipped whitespace as spaces.
                    self.text.push('<');
                    self.text.extend(std::iter::repeat_n(' ', self.waka_ws));
                    self.text.push(c);
                    self.state = St::Text;
                }
            }
            St::SgmlDecl => self.sgml_decl_char(c)?,
            St::SgmlDeclQuoted => {
                // sax never sets the quote here, so this state is only left if a
                // stale quote matches (in practice: never).
                if Some(c) == self.quote {
                    self.state = St::SgmlDecl;
                    self.quote = None;
                }
                self.sgml_decl.push(c);
            }
            St::Doctype => {
                if c == '>' {
                    self.state = St::Text;
                    self.flush_text()?;
                    self.doctype = Doctype::Seen;
                } else {
                    self.doctype_push(c);
                    if c == '[' {
                        self.state = St::DoctypeDtd;
                    } else if c == '"' || c == '\'' {
                        self.state = St::DoctypeQuoted;
                        self.quote = Some(c);
                    }
                }
            }
            St::DoctypeQuoted => {
                self.doctype_push(c);
                if Some(c) == self.quote {
                    self.quote = None;
                    self.state = St::Doctype;
                }
            }
            St::DoctypeDtd => {
                if c == ']' {
                    self.doctype_push(c);
                    self.state = St::Doctype;
                } else if c == '<' {
                    self.state = St::OpenWaka;
                    self.waka_ws = 0;
                } else if c == '"' || c == '\'' {
                    self.doctype_push(c);
                    self.state = St::DoctypeDtdQuoted;
                    self.quote = Some(c);
                } else {
                    self.doctype_push(c);
                }
            }
            St::DoctypeDtdQuoted => {
                self.doctype_push(c);
                if Some(c) == self.quote {
                    self.state = St::DoctypeDtd;
                    self.quote = None;
                }
            }
            St::Comment => {
                if c == '-' {
                    self.state = St::CommentEnding;
                } else {
                    self.comment_len += c.len_utf16();
                }
            }
            St::CommentEnding => {
                if c == '-' {
                    self.state = St::CommentEnded;
                    if self.comment_len > 0 {
                        self.flush_text()?; // sax only emits non-empty comments
                    }
                    self.comment_len = 0;
                } else {
                    self.comment_len += 1 + c.len_utf16();
                    self.state = St::Comment;
                }
            }
            St::CommentEnded => {
                if c != '>' {
                    self.strict_fail("Malformed comment")?;
                    self.comment_len += 2 + c.len_utf16();
                    self.state = St::Comment;
                } else if self.in_dtd() {
                    self.state = St::DoctypeDtd;
                } else {
                    self.state = St::Text;
                }
            }
            St::Cdata => {
                // (other characters were consumed in bulk by `scan`)
                debug_assert_eq!(c, ']');
                self.state = St::CdataEnding;
            }
            St::CdataEnding => {
                if c == ']' {
                    self.state = St::CdataEnding2;
                } else {
                    self.cdata.push(']');
                    self.cdata.push(c);
                    self.state = St::Cdata;
                }
            }
            St::CdataEnding2 => {
                if c == '>' {
                    self.flush_text()?;
                    if !self.cdata.is_empty() {
                        let cdata = std::mem::take(&mut self.cdata);
                        let r = self.builder.cdata(&cdata);
                        self.builder_result(r)?;
                    }
                    self.state = St::Text;
                } else if c == ']' {
                    self.cdata.push(']');
                } else {
                    self.cdata.push_str("]]");
                    self.cdata.push(c);
                    self.state = St::Cdata;
                }
            }
            St::ProcInst => {
                if c == '?' {
                    self.state = St::ProcInstEnding;
                } else if is_sax_ws(c) {
                    self.state = St::ProcInstBody;
                } else {
                    self.pi_name.push(c);
                }
            }
            St::ProcInstBody => {
                if self.pi_body.is_empty() && is_sax_ws(c) {
                } else if c == '?' {
                    self.state = St::ProcInstEnding;
                } else {
                    self.pi_body.push(c);
                }
            }
            St::ProcInstEnding => {
                if c == '>' {
                    self.flush_text()?;
                    self.pi_name.clear();
                    self.pi_body.clear();
                    self.state = St::Text;
                } else {
                    self.pi_body.push('?');
                    self.pi_body.push(c);
                    self.state = St::ProcInstBody;
                }
            }
            St::OpenTag => {
                if is_name_body(c) {
                    self.tag_name.push(c);
                } else {
                    self.new_tag()?;
                    if c == '>' {
                        return self.open_tag(false);
                    } else if c == '/' {
                        self.state = St::OpenTagSlash;
                    } else {
                        if !is_sax_ws(c) {
                            self.strict_fail("Invalid character in tag name")?;
                        }
                        self.state = St::Attrib;
                    }
                }
            }
            St::OpenTagSlash => {
                if c == '>' {
                    return self.open_tag(true);
                }
                self.strict_fail("Forward-slash in opening tag not followed by >")?;
                self.state = St::Attrib;
            }
            St::Attrib => {
                if is_sax_ws(c) {
                } else if c == '>' {
                    return self.open_tag(false);
                } else if c == '/' {
                    self.state = St::OpenTagSlash;
                } else if is_name_start(c) {
                    self.attrib_name = c.to_string();
                    self.attrib_value.clear();
                    self.state = St::AttribName;
                } else {
                    self.strict_fail("Invalid attribute name")?;
                }
            }
            St::AttribName => {
                if c == '=' {
                    self.state = St::AttribValue;
                } else if c == '>' {
                    self.strict_fail("Attribute without value")?;
                    self.attrib_value = self.attrib_name.clone();
                    self.attrib();
                    return self.open_tag(false);
                } else if is_sax_ws(c) {
                    self.state = St::AttribNameSawWhite;
                } else if is_name_body(c) {
                    self.attrib_name.push(c);
                } else {
                    self.strict_fail("Invalid attribute name")?;
                }
            }
            St::AttribNameSawWhite => {
                if c == '=' {
                    self.state = St::AttribValue;
                } else if !is_sax_ws(c) {
                    self.strict_fail("Attribute without value")?;
                    // sax assigns directly here: no upper-casing, no duplicate check.
                    let name = std::mem::take(&mut self.attrib_name);
                    self.attrs.assign(name, String::new());
                    self.attrib_value.clear();
                    if c == '>' {
                        return self.open_tag(false);
                    } else if is_name_start(c) {
                        self.attrib_name = c.to_string();
                        self.state = St::AttribName;
                    } else {
                        self.strict_fail("Invalid attribute name")?;
                        self.state = St::Attrib;
                    }
                }
            }
            St::AttribValue => {
                if is_sax_ws(c) {
                } else if c == '"' || c == '\'' {
                    self.quote = Some(c);
                    self.state = St::AttribValueQuoted;
                } else {
                    self.strict_fail("Unquoted attribute value")?;
                    self.state = St::AttribValueUnquoted;
                    self.attrib_value = c.to_string();
                }
            }
            St::AttribValueQuoted => {
                if Some(c) != self.quote {
                    if c == '&' {
                        self.state = St::AttribValueEntityQ;
                    } else {
                        self.attrib_value.push(c);
                    }
                } else {
                    self.attrib();
                    self.quote = None;
                    self.state = St::AttribValueClosed;
                }
            }
            St::AttribValueClosed => {
                if is_sax_ws(c) {
                    self.state = St::Attrib;
                } else if c == '>' {
                    return self.open_tag(false);
                } else if c == '/' {
                    self.state = St::OpenTagSlash;
                } else if is_name_start(c) {
                    self.strict_fail("No whitespace between attributes")?;
                    self.attrib_name = c.to_string();
                    self.attrib_value.clear();
                    self.state = St::AttribName;
                } else {
                    self.strict_fail("Invalid attribute name")?;
                }
            }
            St::AttribValueUnquoted => {
                if c != '>' && !is_sax_ws(c) {
                    if c == '&' {
                        self.state = St::AttribValueEntityU;
                    } else {
                        self.attrib_value.push(c);
                    }
                } else {
                    self.attrib();
                    if c == '>' {
                        return self.open_tag(false);
                    }
                    self.state = St::Attrib;
                }
            }
            St::CloseTag => {
                if self.tag_name.is_empty() {
                    if is_sax_ws(c) {
                    } else if !is_name_start(c) {
                        if !self.script.is_empty() {
                            self.script.push_str("</");
                            self.script.push(c);
                            self.state = St::Script;
                        } else {
                            self.strict_fail("Invalid tagname in closing tag.")?;
                        }
                    } else {
                        self.tag_name = c.to_string();
                    }
                } else if c == '>' {
                    return self.close_tag();
                } else if is_name_body(c) {
                    self.tag_name.push(c);
                } else if !self.script.is_empty() {
                    self.script.push_str("</");
                    self.script.push_str(&self.tag_name);
                    self.script.push(c);
                    self.tag_name.clear();
                    self.state = St::Script;
                } else {
                    if !is_sax_ws(c) {
                        self.strict_fail("Invalid tagname in closing tag")?;
                    }
                    self.state = St::CloseTagSawWhite;
                }
            }
            St::CloseTagSawWhite => {
                if is_sax_ws(c) {
                } else if c == '>' {
                    return self.close_tag();
                } else {
                    self.strict_fail("Invalid characters in closing tag")?;
                }
            }
            St::TextEntity | St::AttribValueEntityQ | St::AttribValueEntityU => {
                self.entity_char(c)?
            }
        }
        Ok(None)
    }

    fn in_dtd(&self) -> bool {
        matches!(&self.doctype, Doctype::Open(s) if !s.is_empty())
    }

    fn doctype_push(&mut self, c: char) {
        if let Doctype::Open(s) = &mut self.doctype {
            s.push(c);
        }
    }

    fn doctype_push_str(&mut self, text: &str) {
        if let Doctype::Open(s) = &mut self.doctype {
            s.push_str(text);
        }
    }

    /// After `<!`: comment, CDATA, DOCTYPE, markup declarations in a DTD, or
    /// an (ignored) SGML declaration.
    fn sgml_decl_char(&mut self, c: char) -> Result<(), SaxError> {
        let mut candidate = self.sgml_decl.clone();
        candidate.push(c);
        if candidate == "--" {
            self.state = St::Comment;
            self.comment_len = 0;
            self.sgml_decl.clear();
        } else if self.in_dtd() && !self.sgml_decl.is_empty() {
            self.state = St::DoctypeDtd;
            self.doctype_push_str("<!");
            self.doctype_push_str(&candidate);
            self.sgml_decl.clear();
        } else if candidate.eq_ignore_ascii_case("[CDATA[") {
            self.flush_text()?;
            self.state = St::Cdata;
            self.sgml_decl.clear();
            self.cdata.clear();
        } else if candidate.eq_ignore_ascii_case("DOCTYPE") {
            self.state = St::Doctype;
            if self.doctype != Doctype::None || self.saw_root {
                self.strict_fail("Inappropriately located doctype declaration")?;
            }
            self.doctype = Doctype::Open(String::new());
            self.sgml_decl.clear();
        } else if c == '>' {
            self.flush_text()?;
            self.sgml_decl.clear();
            self.state = St::Text;
        } else if c == '"' || c == '\'' {
            self.state = St::SgmlDeclQuoted;
            self.sgml_decl.push(c);
        } else {
            self.sgml_decl.push(c);
        }
        Ok(())
    }

    /// A character after `&` (in text or an attribute value).
    fn entity_char(&mut self, c: char) -> Result<(), SaxError> {
        let (back, in_text) = match self.state {
            St::TextEntity => (St::Text, true),
            St::AttribValueEntityQ => (St::AttribValueQuoted, false),
            _ => (St::AttribValueUnquoted, false),
        };
        let mut decoded = String::new();
        if c == ';' {
            match resolve_entity(&self.entity) {
                Some(ch) => decoded.push(ch),
                None => {
                    self.strict_fail("Invalid character entity")?;
                    decoded = format!("&{};", self.entity);
                }
            }
        } else if is_entity_char(c, self.entity.is_empty()) {
            self.entity.push(c);
            return Ok(());
        } else {
            self.strict_fail("Invalid character in entity name")?;
            decoded = format!("&{}{}", self.entity, c);
        }
        if in_text {
            self.text.push_str(&decoded);
        } else {
            self.attrib_value.push_str(&decoded);
        }
        self.entity.clear();
        self.state = back;
        Ok(())
    }

    fn case(&self, name: &str) -> String {
        if self.strict {
            name.to_string()
        } else {
            name.to_uppercase()
        }
    }

    /// sax `newTag`: the tag name is complete.
    fn new_tag(&mut self) -> Result<(), SaxError> {
        self.tag_name = self.case(&self.tag_name);
        self.attrs = Attrs::default();
        self.flush_text()
    }

    /// sax `attrib`: a complete `name=value` pair.
    fn attrib(&mut self) {
        let name = self.case(&self.attrib_name);
        let value = std::mem::take(&mut self.attrib_value);
        self.attrs.add_if_new(name, value);
        self.attrib_name.clear();
    }

    /// sax `openTag` (+ `closeTag` for `<x/>`).
    fn open_tag(&mut self, self_closing: bool) -> Step {
        self.saw_root = true;
        self.tags.push(self.tag_name.clone());
        self.flush_text()?;
        let attrs = std::mem::take(&mut self.attrs);
        self.builder.open(&self.tag_name, attrs.0);
        self.attrib_name.clear();
        self.attrib_value.clear();
        if self_closing {
            return self.close_tag();
        }
        self.state = if !self.strict && self.tag_name.to_lowercase() == "script" {
            St::Script
        } else {
            St::Text
        };
        self.tag_name.clear();
        Ok(None)
    }

    /// sax `closeTag`, with `self.tag_name` as written in the document.
    fn close_tag(&mut self) -> Step {
        if self.tag_name.is_empty() {
            self.strict_fail("Weird empty close tag.")?;
            self.text.push_str("</>");
            self.state = St::Text;
            return Ok(None);
        }
        if !self.script.is_empty() {
            if self.tag_name != "script" {
                self.script.push_str("</");
                self.script.push_str(&self.tag_name);
                self.script.push('>');
                self.tag_name.clear();
                self.state = St::Script;
                return Ok(None);
            }
            self.flush_text()?;
            self.script.clear(); // xml2js ignores script content
        }
        let wanted = self.case(&self.tag_name);
        let mut found = None;
        for t in (0..self.tags.len()).rev() {
            if self.tags[t] == wanted {
                found = Some(t);
                break;
            }
            self.strict_fail("Unexpected close tag")?;
        }
        let Some(t) = found else {
            self.strict_fail(&format!("Unmatched closing tag: {}", self.tag_name))?;
            self.text.push_str("</");
            self.text.push_str(&self.tag_name);
            self.text.push('>');
            self.state = St::Text;
            return Ok(None);
        };
        while self.tags.len() > t {
            self.tags.pop();
            self.flush_text()?;
            let r = self.builder.close();
            if let Some(root) = self.builder_result(r)? {
                return Ok(Some(root));
            }
        }
        if t == 0 {
            self.closed_root = true;
        }
        self.tag_name.clear();
        self.attrib_name.clear();
        self.attrib_value.clear();
        self.state = St::Text;
        Ok(None)
    }
}

/// sax's message suffix: `\nLine: L\nColumn: C\nChar: c`, with lines and
/// columns counted from 0 in UTF-16 units up to and including the current
/// character (of an astral character sax has only read the first half).
fn format_sax_error(xml: &str, e: &SaxError) -> String {
    let (prefix, current) = match e.at {
        Some(at) => (&xml[..at], xml[at..].chars().next()),
        None => (xml, None),
    };
    let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
    let mut line = prefix[..line_start].bytes().filter(|&b| b == b'\n').count();
    let mut column = prefix[line_start..].encode_utf16().count();
    match current {
        Some('\n') => {
            line += 1;
            column = 0;
        }
        Some(_) => column += 1,
        None => {}
    }
    let ch = current.map(String::from).unwrap_or_default();
    format!(
        "{}\nLine: {}\nColumn: {}\nChar: {}",
        e.message, line, column, ch
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_basic_output() {
        let o = Xml2jsOptions::default();
        assert_eq!(
            xml2js_json("<r><a x=\"1\">t</a></r>", &o).unwrap(),
            r#"{"r":{"a":[{"_":"t","$":{"x":"1"}}]}}"#
        );
        assert_eq!(xml2js_json("  ", &o).unwrap(), "null");
        let flat = Xml2jsOptions {
            explicit_array: false,
            explicit_root: false,
            ..o.clone()
        };
        assert_eq!(
            xml2js_json("<r><a/><b>1</b><b>2</b></r>", &flat).unwrap(),
            r#"{"a":"","b":["1","2"]}"#
        );
        let null_empty = Xml2jsOptions {
            empty_tag: EmptyTag::null(),
            ..o
        };
        assert_eq!(
            xml2js_json("<r><a/></r>", &null_empty).unwrap(),
            r#"{"r":{"a":[null]}}"#
        );
    }

    #[test]
    fn errors_carry_sax_positions() {
        let e = xml2js_json("<root><a>", &Xml2jsOptions::default()).unwrap_err();
        assert_eq!(e.kind, XmlErrorKind::Parse);
        assert_eq!(e.message, "Unclosed root tag\nLine: 0\nColumn: 9\nChar: ");
        let e = xml2js_json("<r>\n<a></b></r>", &Xml2jsOptions::default()).unwrap_err();
        assert_eq!(
            e.message,
            "Unexpected close tag\nLine: 1\nColumn: 7\nChar: >"
        );
    }

    #[test]
    fn unsupported_options_are_reported() {
        let o = Xml2jsOptions {
            charkey: "$".into(),
            ..Default::default()
        };
        assert_eq!(
            xml2js_json("<r/>", &o).unwrap_err().kind,
            XmlErrorKind::Unsupported
        );
        let o = Xml2jsOptions {
            empty_tag: EmptyTag::Json("[]".into()),
            ..Default::default()
        };
        assert_eq!(
            xml2js_json("<r/>", &o).unwrap_err().kind,
            XmlErrorKind::Unsupported
        );
    }

    #[test]
    fn json_string_escaping_matches_json_stringify() {
        let mut out = String::new();
        write_json_string(
            &mut out,
            "\"\\/\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}\u{2028}\u{2029}é😀",
        );
        assert_eq!(
            out,
            "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\u{2028}\u{2029}é😀\""
        );
    }

    /// 100 000 levels on a 256 KiB stack: building, serializing, dropping and
    /// erroring must all be free of recursion on the depth.
    #[test]
    fn very_deep_documents_do_not_recurse() {
        let depth = 100_000;
        let xml = format!("{}x{}", "<n a=\"1\">".repeat(depth), "</n>".repeat(depth));
        let unclosed = xml[..xml.len() - 4].to_string();
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                for strict in [true, false] {
                    let o = Xml2jsOptions {
                        strict,
                        ..Default::default()
                    };
                    let out = xml2js_json(&xml, &o).unwrap();
                    // (loose mode upper-cases the names)
                    let lower = out.to_ascii_lowercase();
                    assert!(lower.starts_with(r#"{"n":{"$":{"a":"1"},"n":[{"$":{"a":"1"},"n":[{"#));
                    assert!(lower.contains(r#"{"_":"x","$":{"a":"1"}}]}]}"#));
                    assert!(lower.ends_with("]}]}]}}"));
                    assert_eq!(out.len(), 22 * depth + 7);
                    assert_eq!(out, xml2js_json_scanner_only(&xml, &o).unwrap());
                    let err = xml2js_json(&unclosed, &o);
                    if strict {
                        assert!(err.unwrap_err().message.starts_with("Unclosed root tag"));
                    } else {
                        assert_eq!(err.unwrap(), "null");
                    }
                }
            })
            .unwrap();
        handle.join().unwrap();
    }
}
