//! XML building in Rust with the observable behaviour of npm `js2xmlparser` 5.0.0
//! (`parse(root, object, options)`, xmlcreate 2.0.4 underneath).
//!
//! The input object arrives as `JSON.stringify(object)` text, the options as
//! `JSON.stringify(options)`. The result is the exact string the real package returns, or
//! [`BuildErrorKind::Invalid`] with the exact message of the `Error` the real package throws,
//! or [`BuildErrorKind::Unsupported`] when this crate does not reproduce the call (the bridge
//! then runs the real package).

pub mod jsfmt;
pub mod node;

use node::Node;
use std::borrow::Cow;

/// Why a build produced no XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildErrorKind {
    /// The real package throws for this input. The class is given by
    /// [`BuildError::error_class`] (always `"Error"` for js2xmlparser) and the text by
    /// [`BuildError::message`], exactly as the real package's `e.message`.
    Invalid,
    /// Not reproduced here (options or values this crate does not model, unparsable JSON, lone
    /// surrogates, nesting deeper than [`node::MAX_DEPTH`]): run the real package.
    Unsupported,
}

/// An error from [`js2xml_parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    pub kind: BuildErrorKind,
    /// For `Invalid`: the thrown error's `message`, byte for byte. For `Unsupported`: why.
    pub message: String,
}

impl BuildError {
    fn invalid(message: String) -> Self {
        BuildError {
            kind: BuildErrorKind::Invalid,
            message,
        }
    }
    fn unsupported(message: impl Into<String>) -> Self {
        BuildError {
            kind: BuildErrorKind::Unsupported,
            message: message.into(),
        }
    }
    /// The JavaScript class of the thrown error for `Invalid` errors: js2xmlparser and
    /// xmlcreate only throw plain `Error`s for the inputs this crate accepts.
    pub fn error_class(&self) -> &'static str {
        "Error"
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            BuildErrorKind::Invalid => write!(f, "Error: {}", self.message),
            BuildErrorKind::Unsupported => write!(f, "unsupported: {}", self.message),
        }
    }
}

impl std::error::Error for BuildError {}

type R<T> = Result<T, BuildError>;

// ---------------------------------------------------------------- options

struct Opts<'a> {
    alias: Cow<'a, str>,
    attr: Cow<'a, str>,
    value: Cow<'a, str>,
    cdata_invalid: bool,
    cdata_keys: Vec<Cow<'a, str>>,
    replace: bool,
    self_close: bool,
    validation: bool,
    decl_include: bool,
    encoding: Option<Cow<'a, str>>,
    standalone: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    dtd_include: bool,
    dtd_name: Option<Cow<'a, str>>,
    sys_id: Option<Cow<'a, str>>,
    pub_id: Option<Cow<'a, str>>,
    double_quotes: bool,
    indent: Cow<'a, str>,
    newline: Cow<'a, str>,
    pretty: bool,
}

fn unsup_opt(k: &str) -> BuildError {
    BuildError::unsupported(format!("option {k} is not modelled with this value"))
}

fn opt_str<'a>(k: &str, v: &Node<'a>) -> R<Cow<'a, str>> {
    match v {
        Node::Str(s) => Ok(s.clone()),
        _ => Err(unsup_opt(k)),
    }
}

fn opt_bool(k: &str, v: &Node<'_>) -> R<bool> {
    match v {
        Node::Bool(b) => Ok(*b),
        _ => Err(unsup_opt(k)),
    }
}

fn members<'n, 'a>(k: &str, v: &'n Node<'a>) -> R<&'n [(Cow<'a, str>, Node<'a>)]> {
    match v {
        Node::Obj(m) => Ok(m),
        _ => Err(unsup_opt(k)),
    }
}

impl<'a> Opts<'a> {
    fn from_node(n: &Node<'a>) -> R<Self> {
        let mut o = Opts {
            alias: Cow::Borrowed("="),
            attr: Cow::Borrowed("@"),
            value: Cow::Borrowed("#"),
            cdata_invalid: false,
            cdata_keys: Vec::new(),
            replace: false,
            self_close: true,
            validation: true,
            decl_include: true,
            encoding: None,
            standalone: None,
            version: None,
            dtd_include: false,
            dtd_name: None,
            sys_id: None,
            pub_id: None,
            double_quotes: false,
            indent: Cow::Borrowed("    "),
            newline: Cow::Borrowed("\n"),
            pretty: true,
        };
        for (k, v) in members("options", n)? {
            match &**k {
                "aliasString" => o.alias = opt_str(k, v)?,
                "attributeString" => o.attr = opt_str(k, v)?,
                "valueString" => o.value = opt_str(k, v)?,
                "cdataInvalidChars" => o.cdata_invalid = opt_bool(k, v)?,
                "replaceInvalidChars" => o.replace = opt_bool(k, v)?,
                "useSelfClosingTagIfEmpty" => o.self_close = opt_bool(k, v)?,
                "validation" => o.validation = opt_bool(k, v)?,
                "cdataKeys" => match v {
                    Node::Arr(a) => {
                        o.cdata_keys = a.iter().map(|e| opt_str(k, e)).collect::<R<_>>()?;
                    }
                    _ => return Err(unsup_opt(k)),
                },
                "typeHandlers" | "wrapHandlers" => {
                    if !members(k, v)?.is_empty() {
                        return Err(unsup_opt(k));
                    }
                }
                "declaration" => {
                    for (dk, dv) in members(k, v)? {
                        match &**dk {
                            "include" => o.decl_include = opt_bool(dk, dv)?,
                            "encoding" => o.encoding = Some(opt_str(dk, dv)?),
                            "standalone" => o.standalone = Some(opt_str(dk, dv)?),
                            "version" => o.version = Some(opt_str(dk, dv)?),
                            _ => {}
                        }
                    }
                }
                "dtd" => {
                    for (dk, dv) in members(k, v)? {
                        match &**dk {
                            "include" => o.dtd_include = opt_bool(dk, dv)?,
                            "name" => o.dtd_name = Some(opt_str(dk, dv)?),
                            "sysId" => o.sys_id = Some(opt_str(dk, dv)?),
                            "pubId" => o.pub_id = Some(opt_str(dk, dv)?),
                            _ => {}
                        }
                    }
                }
                "format" => {
                    for (fk, fv) in members(k, v)? {
                        match &**fk {
                            "doubleQuotes" => o.double_quotes = opt_bool(fk, fv)?,
                            "pretty" => o.pretty = opt_bool(fk, fv)?,
                            "indent" => o.indent = opt_str(fk, fv)?,
                            "newline" => o.newline = opt_str(fk, fv)?,
                            _ => {}
                        }
                    }
                }
                _ => {} // the library ignores other keys
            }
        }
        Ok(o)
    }

    fn quote(&self) -> char {
        if self.double_quotes { '"' } else { '\'' }
    }
}

// ---------------------------------------------------------------- character classes

/// XML `Char`, as xmlcreate tests it on UTF-16 code units (all astral characters pass).
fn is_xml_char(c: char) -> bool {
    let c = c as u32;
    c == 0x9
        || c == 0xA
        || c == 0xD
        || (0x20..=0xD7FF).contains(&c)
        || (0xE000..=0xFFFD).contains(&c)
        || c >= 0x10000
}

fn is_name_start(c: char) -> bool {
    let c = c as u32;
    matches!(c,
        0x3A | 0x5F | 0x41..=0x5A | 0x61..=0x7A | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF
        | 0x370..=0x37D | 0x37F..=0x1FFF | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF
        | 0x3001..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

fn is_name_char(c: char) -> bool {
    let u = c as u32;
    is_name_start(c)
        || matches!(u, 0x2D | 0x2E | 0xB7 | 0x30..=0x39 | 0x300..=0x36F | 0x203F..=0x2040)
}

fn valid_name(s: &str) -> bool {
    let mut it = s.chars();
    match it.next() {
        None => false,
        Some(c) => is_name_start(c) && it.all(is_name_char),
    }
}

/// xmlcreate's name repair: each offending UTF-16 code unit becomes U+FFFD (so an astral
/// character beyond U+EFFFF becomes two of them).
fn fix_name(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_empty() || valid_name(&s) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.chars().enumerate() {
        let ok = if i == 0 {
            is_name_start(c)
        } else {
            is_name_char(c)
        };
        if ok {
            out.push(c);
        } else {
            for _ in 0..c.len_utf16() {
                out.push('\u{FFFD}');
            }
        }
    }
    Cow::Owned(out)
}

fn valid_chars(s: &str) -> bool {
    s.chars().all(is_xml_char)
}

fn fix_chars(s: Cow<'_, str>) -> Cow<'_, str> {
    if valid_chars(&s) {
        return s;
    }
    Cow::Owned(
        s.chars()
            .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
            .collect(),
    )
}

fn valid_encoding(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

fn valid_version(s: &str) -> bool {
    s.len() == 3 && s.starts_with("1.") && s.as_bytes()[2].is_ascii_digit()
}

fn valid_pub_id(s: &str) -> bool {
    s.bytes().len() == s.chars().count()
        && s.bytes().all(|c| {
            matches!(c, 0xA | 0xD | 0x20 | 0x21 | 0x23..=0x25 | 0x27..=0x3B | 0x3D | 0x3F..=0x5A | 0x5F | 0x61..=0x7A)
        })
}

// ---------------------------------------------------------------- tree
//
// The document is built first (an alias key may rename an element after its children, an
// attribute key may come after them, and pretty-printing depends on the kinds of all
// children), in two flat arenas linked by indices to keep allocation low.

const NONE: u32 = u32::MAX;

enum Kind<'a> {
    Text(Cow<'a, str>),
    Cdata(Cow<'a, str>),
    Elem {
        name: Cow<'a, str>,
        first_attr: u32,
        last_attr: u32,
        first: u32,
        last: u32,
        /// any child that is not character data (CDATA or element)
        mixed: bool,
    },
}

struct Item<'a> {
    kind: Kind<'a>,
    next: u32,
}

struct Attr<'a> {
    /// the name as given (before repair), for the duplicate check
    key: Cow<'a, str>,
    name: Cow<'a, str>,
    value: Cow<'a, str>,
    next: u32,
}

struct Tree<'a> {
    items: Vec<Item<'a>>,
    attrs: Vec<Attr<'a>>,
}

impl<'a> Tree<'a> {
    fn name(&self, e: u32) -> &str {
        match &self.items[e as usize].kind {
            Kind::Elem { name, .. } => name,
            _ => unreachable!(),
        }
    }
    fn rename(&mut self, e: u32, n: Cow<'a, str>) {
        if let Kind::Elem { name, .. } = &mut self.items[e as usize].kind {
            *name = n;
        }
    }
    fn new_elem(&mut self, name: Cow<'a, str>) -> u32 {
        self.items.push(Item {
            kind: Kind::Elem {
                name,
                first_attr: NONE,
                last_attr: NONE,
                first: NONE,
                last: NONE,
                mixed: false,
            },
            next: NONE,
        });
        (self.items.len() - 1) as u32
    }
    /// Appends item `k` (already pushed) to element `e`'s children.
    fn link(&mut self, e: u32, k: u32, is_text: bool) {
        let prev_last = match &mut self.items[e as usize].kind {
            Kind::Elem {
                first, last, mixed, ..
            } => {
                let p = *last;
                if p == NONE {
                    *first = k;
                }
                *last = k;
                *mixed |= !is_text;
                p
            }
            _ => unreachable!(),
        };
        if prev_last != NONE {
            self.items[prev_last as usize].next = k;
        }
    }
    fn push_kid(&mut self, e: u32, kind: Kind<'a>) {
        let is_text = matches!(kind, Kind::Text(_));
        self.items.push(Item { kind, next: NONE });
        let k = (self.items.len() - 1) as u32;
        self.link(e, k, is_text);
    }
    fn has_attr_key(&self, e: u32, key: &str) -> bool {
        let Kind::Elem { first_attr, .. } = &self.items[e as usize].kind else {
            unreachable!()
        };
        let mut a = *first_attr;
        while a != NONE {
            if self.attrs[a as usize].key == key {
                return true;
            }
            a = self.attrs[a as usize].next;
        }
        false
    }
    fn push_attr(&mut self, e: u32, at: Attr<'a>) {
        self.attrs.push(at);
        let k = (self.attrs.len() - 1) as u32;
        let Kind::Elem {
            first_attr,
            last_attr,
            ..
        } = &mut self.items[e as usize].kind
        else {
            unreachable!()
        };
        let p = *last_attr;
        if p == NONE {
            *first_attr = k;
        }
        *last_attr = k;
        if p != NONE {
            self.attrs[p as usize].next = k;
        }
    }
}

/// The chain of enclosing elements (arena indices), for xmlcreate's error context.
struct Ctx<'c> {
    parent: Option<&'c Ctx<'c>>,
    elem: u32,
}

fn render(t: &Tree<'_>, ctx: Option<&Ctx<'_>>) -> String {
    let mut names = Vec::new();
    let mut c = ctx;
    while let Some(x) = c {
        names.push(t.name(x.elem));
        c = x.parent;
    }
    let mut s = String::from("in XML document");
    for n in names.iter().rev() {
        s.push_str(" > element \"");
        s.push_str(n);
        s.push('"');
    }
    s
}

#[derive(Clone, Copy)]
enum NameKind {
    Element,
    Attribute,
}

struct Walker<'o, 'a> {
    o: &'o Opts<'a>,
    t: Tree<'a>,
}

/// JS `String(v)` as js2xmlparser's `stringify` does it; objects that JSON shows with an own
/// `toString` member would throw a TypeError there: not modelled.
fn stringify<'a>(v: &Node<'a>) -> R<Cow<'a, str>> {
    fn check(v: &Node<'_>) -> R<()> {
        match v {
            Node::Obj(m) if m.iter().any(|(k, _)| k == "toString") => Err(BuildError::unsupported(
                "object with an own toString converted to a string",
            )),
            Node::Arr(a) => a.iter().try_for_each(check),
            _ => Ok(()),
        }
    }
    match v {
        Node::Str(s) => Ok(s.clone()),
        _ => {
            check(v)?;
            let mut s = String::new();
            jsfmt::push_js_string(&mut s, v, false);
            Ok(Cow::Owned(s))
        }
    }
}

impl<'o, 'a> Walker<'o, 'a> {
    /// Element/attribute name setter; `ctx` is the context the library prints.
    fn name(&self, raw: Cow<'a, str>, what: NameKind, ctx: Option<&Ctx<'_>>) -> R<Cow<'a, str>> {
        let label = match what {
            NameKind::Element => "element",
            NameKind::Attribute => "attribute",
        };
        if self.o.replace {
            let n = fix_name(raw);
            if n.is_empty() {
                return Err(BuildError::invalid(format!(
                    "{}: {label} name should not be empty",
                    render(&self.t, ctx)
                )));
            }
            return Ok(n);
        }
        if self.o.validation && !valid_name(&raw) {
            let c = render(&self.t, ctx);
            if raw.is_empty() {
                return Err(BuildError::invalid(format!(
                    "{c}: {label} name should not be empty"
                )));
            }
            return Err(BuildError::invalid(format!(
                "{c}: {label} name \"{raw}\" should not contain characters not allowed in XML names"
            )));
        }
        Ok(raw)
    }

    fn char_data(&mut self, s: Cow<'a, str>, e: u32, pctx: Option<&Ctx<'_>>) -> R<()> {
        let s = if self.o.replace {
            fix_chars(s)
        } else {
            if self.o.validation && !valid_chars(&s) {
                let ctx = render(
                    &self.t,
                    Some(&Ctx {
                        parent: pctx,
                        elem: e,
                    }),
                );
                return Err(BuildError::invalid(format!(
                    "{ctx}: character data\"{s}\" should not contain characters not allowed in XML"
                )));
            }
            s
        };
        self.t.push_kid(e, Kind::Text(s));
        Ok(())
    }

    fn cdata(&mut self, s: Cow<'a, str>, e: u32, pctx: Option<&Ctx<'_>>) -> R<()> {
        let s = if self.o.replace {
            fix_chars(s)
        } else {
            if self.o.validation && !valid_chars(&s) {
                let ctx = render(
                    &self.t,
                    Some(&Ctx {
                        parent: pctx,
                        elem: e,
                    }),
                );
                return Err(BuildError::invalid(format!(
                    "{ctx}: CDATA section \"{s}\" should not contain characters not allowed in XML"
                )));
            }
            s
        };
        // js2xmlparser splits on "]]>" before making CDATA sections, so no piece holds it
        if s.contains("]]>") {
            return Err(BuildError::unsupported("CDATA holding ]]>"));
        }
        self.t.push_kid(e, Kind::Cdata(s));
        Ok(())
    }

    /// parseString for an element parent.
    fn string(&mut self, s: Cow<'a, str>, e: u32, pctx: Option<&Ctx<'_>>) -> R<()> {
        let o = self.o;
        let by_key = !o.cdata_keys.is_empty() && {
            let name = self.t.name(e);
            o.cdata_keys.iter().any(|k| k == name || k == "*")
        };
        let needs = |p: &str| by_key || (o.cdata_invalid && (p.contains('<') || p.contains('&')));
        if !needs(&s) {
            return self.char_data(s, e, pctx);
        }
        let pieces: Vec<Cow<'a, str>> = match &s {
            Cow::Borrowed(b) => b.split("]]>").map(Cow::Borrowed).collect(),
            Cow::Owned(o) => o.split("]]>").map(|p| Cow::Owned(p.to_string())).collect(),
        };
        let n = pieces.len();
        for (i, p) in pieces.into_iter().enumerate() {
            if needs(&p) {
                self.cdata(p, e, pctx)?;
            } else {
                self.char_data(p, e, pctx)?;
            }
            if i + 1 < n {
                self.char_data(Cow::Borrowed("]]>"), e, pctx)?;
            }
        }
        Ok(())
    }

    fn attribute(
        &mut self,
        key: &Cow<'a, str>,
        v: &Node<'a>,
        e: u32,
        pctx: Option<&Ctx<'_>>,
    ) -> R<()> {
        let o = self.o;
        if o.validation && self.t.has_attr_key(e, key) {
            return Err(BuildError::invalid(format!(
                "{}: element \"{}\" already contains an attribute with the name \"{key}\"",
                render(&self.t, pctx),
                self.t.name(e)
            )));
        }
        let ectx = Ctx {
            parent: pctx,
            elem: e,
        };
        let name = self.name(key.clone(), NameKind::Attribute, Some(&ectx))?;
        let text = stringify(v)?;
        let value = if o.replace {
            fix_chars(text)
        } else {
            if o.validation && !valid_chars(&text) {
                return Err(BuildError::invalid(format!(
                    "{} > attribute \"{name}\": attribute text \"{text}\" should not contain characters not allowed in XML",
                    render(&self.t, Some(&ectx))
                )));
            }
            text
        };
        self.t.push_attr(
            e,
            Attr {
                key: key.clone(),
                name,
                value,
                next: NONE,
            },
        );
        Ok(())
    }

    fn child(&mut self, key: &Cow<'a, str>, v: &Node<'a>, e: u32, pctx: Option<&Ctx<'_>>) -> R<()> {
        let ctx = Ctx {
            parent: pctx,
            elem: e,
        };
        let name = self.name(key.clone(), NameKind::Element, Some(&ctx))?;
        let c = self.t.new_elem(name);
        self.t.link(e, c, false);
        self.value(key, v, c, Some(&ctx))
    }

    fn entry(&mut self, key: &Cow<'a, str>, v: &Node<'a>, e: u32, pctx: Option<&Ctx<'_>>) -> R<()> {
        let o = self.o;
        if *key == o.alias {
            let s = stringify(v)?;
            let n = self.name(s, NameKind::Element, pctx)?;
            self.t.rename(e, n);
            return Ok(());
        }
        if key.starts_with(&*o.attr) {
            if let Node::Obj(m) = v {
                for (k, sv) in m {
                    self.attribute(k, sv, e, pctx)?;
                }
                return Ok(());
            }
        }
        if key.starts_with(&*o.value) || v.is_array() {
            return self.value(key, v, e, pctx);
        }
        self.child(key, v, e, pctx)
    }

    /// parseValue(key, value, e); `pctx` is the context of `e`'s parent.
    fn value(&mut self, key: &Cow<'a, str>, v: &Node<'a>, e: u32, pctx: Option<&Ctx<'_>>) -> R<()> {
        match v {
            Node::Obj(m) => {
                for (k, x) in m {
                    self.entry(k, x, e, pctx)?;
                }
                Ok(())
            }
            Node::Arr(items) => {
                for it in items {
                    if it.is_array() {
                        self.value(key, it, e, pctx)?;
                    } else {
                        self.child(key, it, e, pctx)?;
                    }
                }
                Ok(())
            }
            _ => {
                let s = stringify(v)?;
                self.string(s, e, pctx)
            }
        }
    }
}

// ---------------------------------------------------------------- serialisation

fn push_text(out: &mut String, s: &str) {
    let b = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let (rep, skip) = match b[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b']' if b[i + 1..].starts_with(b"]>") => ("]]&gt;", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        i += skip;
        start = i;
    }
    out.push_str(&s[start..]);
}

fn push_attr(out: &mut String, s: &str, q: char) {
    let qb = q as u8;
    let qrep = if q == '"' { "&quot;" } else { "&apos;" };
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ if b == qb => qrep,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

fn write_elem(out: &mut String, t: &Tree<'_>, e: u32, indent: &mut String, o: &Opts<'_>) {
    let Kind::Elem {
        name,
        first_attr,
        first,
        mixed,
        ..
    } = &t.items[e as usize].kind
    else {
        unreachable!()
    };
    let q = o.quote();
    out.push('<');
    out.push_str(name);
    let mut a = *first_attr;
    while a != NONE {
        let at = &t.attrs[a as usize];
        out.push(' ');
        out.push_str(&at.name);
        out.push('=');
        out.push(q);
        push_attr(out, &at.value, q);
        out.push(q);
        a = at.next;
    }
    if *first == NONE {
        if o.self_close {
            out.push_str("/>");
        } else {
            out.push_str("></");
            out.push_str(name);
            out.push('>');
        }
        return;
    }
    let mark = out.len();
    out.push('>');
    let breaks = o.pretty && *mixed;
    let outer = indent.len();
    indent.push_str(&o.indent);
    let mut k = *first;
    let mut prev_text = false;
    let mut i = 0;
    while k != NONE {
        let item = &t.items[k as usize];
        let is_text = matches!(item.kind, Kind::Text(_));
        let skip = matches!(&item.kind, Kind::Text(s) if s.is_empty());
        if !skip {
            if breaks && !(i > 0 && is_text && prev_text) {
                out.push_str(&o.newline);
                out.push_str(indent);
            }
            match &item.kind {
                Kind::Text(s) => push_text(out, s),
                Kind::Cdata(c) => {
                    out.push_str("<![CDATA[");
                    out.push_str(c);
                    out.push_str("]]>");
                }
                Kind::Elem { .. } => write_elem(out, t, k, indent, o),
            }
        }
        prev_text = is_text;
        i += 1;
        k = item.next;
    }
    indent.truncate(outer);
    if breaks {
        out.push_str(&o.newline);
        out.push_str(indent);
    }
    if out.len() == mark + 1 && o.self_close {
        out.truncate(mark);
        out.push_str("/>");
    } else {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
}
fn dtd_id(s: &mut String, kind: &str, v: &str, o: &Opts<'_>, inner_ctx: bool) -> R<()> {
    s.push_str(kind);
    s.push(' ');
    let q = o.quote();
    if o.validation && v.contains(q) {
        let ctx = if inner_ctx && !o.double_quotes {
            "in XML document > DTD"
        } else {
            "in XML document"
        };
        return Err(BuildError::invalid(format!(
            "{ctx}: doubleQuotes option inconsistent with DTD system identifier or public identifier"
        )));
    }
    s.push(q);
    s.push_str(v);
    s.push(q);
    Ok(())
}

// ---------------------------------------------------------------- entry point

/// `require("js2xmlparser").parse(root, object, options)` of js2xmlparser 5.0.0.
///
/// * `root`: the root element name (a JS string).
/// * `object_json`: `JSON.stringify(object)` of a JSON-faithful object (plain objects,
///   arrays, strings, finite numbers, booleans, null; the bridge checks this).
/// * `options_json`: `JSON.stringify(options)` or `"{}"`; recognised options must have their
///   documented JS types (booleans, strings, an array of strings for `cdataKeys`), and
///   `typeHandlers`/`wrapHandlers` must be empty, or the result is `Unsupported`.
///
/// Returns the XML string, `Invalid` with the message of the plain `Error` the library
/// throws (see [`BuildError::error_class`]), or `Unsupported`.
pub fn js2xml_parse(
    root: &str,
    object_json: &str,
    options_json: &str,
) -> Result<String, BuildError> {
    let obj = node::parse(object_json)
        .map_err(|e| BuildError::unsupported(format!("object JSON: {e}")))?;
    let on = node::parse(options_json)
        .map_err(|e| BuildError::unsupported(format!("options JSON: {e}")))?;
    let o = Opts::from_node(&on)?;

    // Options constructor
    if o.validation && o.dtd_include && o.dtd_name.is_none() {
        return Err(BuildError::invalid(
            "options.dtd.name should be defined if options.dtd.include is true".into(),
        ));
    }
    let doc = "in XML document";
    // XmlDecl setters
    if o.decl_include && o.validation {
        if let Some(enc) = &o.encoding {
            if !valid_encoding(enc) {
                return Err(BuildError::invalid(format!(
                    "{doc}: declaration encoding attribute {enc} should be a valid encoding"
                )));
            }
        }
        if let Some(sa) = &o.standalone {
            if sa != "yes" && sa != "no" {
                return Err(BuildError::invalid(format!(
                    "{doc}: declaration standalone attribute {sa} should be the string 'yes' or the string 'no'"
                )));
            }
        }
        if let Some(v) = &o.version {
            if !valid_version(v) {
                return Err(BuildError::invalid(format!(
                    "{doc}: declaration version attribute {v} should be a valid XML version"
                )));
            }
        }
    }
    // XmlDtd setters
    if o.dtd_include && o.validation {
        let name = o.dtd_name.as_deref().unwrap_or("undefined");
        if !valid_name(name) {
            return Err(BuildError::invalid(format!(
                "{doc}: DTD name \"{name}\" should not contain characters not allowed in XML names"
            )));
        }
        if let Some(sys) = &o.sys_id {
            if !valid_chars(sys) {
                return Err(BuildError::invalid(format!(
                    "{doc}: DTD system identifier \"{sys}\" should not contain characters not allowed in XML"
                )));
            }
            if sys.contains('\'') && sys.contains('"') {
                return Err(BuildError::invalid(format!(
                    "{doc}: DTD system identifier \"{sys}\" should not contain both single quotes and double quotes"
                )));
            }
        }
        if let Some(p) = &o.pub_id {
            if !valid_pub_id(p) {
                return Err(BuildError::invalid(format!(
                    "{doc}: DTD public identifier \"{p}\" should not contain characters not allowed in public identifiers"
                )));
            }
            if o.sys_id.is_none() {
                return Err(BuildError::invalid(format!(
                    "{doc}: DTD public identifier \"{p}\" should not be defined if system identifier is undefined"
                )));
            }
        }
    }

    let mut w = Walker {
        o: &o,
        t: Tree {
            items: Vec::new(),
            attrs: Vec::new(),
        },
    };
    let root_name = w.name(Cow::Owned(root.to_string()), NameKind::Element, None)?;
    let re = w.t.new_elem(root_name.clone());
    w.value(&root_name, &obj, re, None)?;
    let tree = w.t;

    // XmlDocument.toString
    let q = o.quote();
    let mut out = String::with_capacity(object_json.len() + object_json.len() / 2 + 64);
    if o.decl_include {
        out.push_str("<?xml version=");
        out.push(q);
        out.push_str(o.version.as_deref().unwrap_or("1.0"));
        out.push(q);
        if let Some(enc) = &o.encoding {
            out.push_str(" encoding=");
            out.push(q);
            out.push_str(enc);
            out.push(q);
        }
        if let Some(sa) = &o.standalone {
            out.push_str(" standalone=");
            out.push(q);
            out.push_str(sa);
            out.push(q);
        }
        out.push_str("?>");
        if o.pretty {
            out.push_str(&o.newline);
        }
    }
    if o.dtd_include {
        out.push_str("<!DOCTYPE ");
        out.push_str(o.dtd_name.as_deref().unwrap_or("undefined"));
        match (&o.pub_id, &o.sys_id) {
            (None, None) => {}
            (None, Some(sys)) => {
                out.push(' ');
                dtd_id(&mut out, "SYSTEM", sys, &o, true)?;
            }
            (Some(_), None) => {
                return Err(BuildError::invalid(format!(
                    "{doc}: DTD system identifier is not undefined"
                )));
            }
            (Some(p), Some(sys)) => {
                out.push(' ');
                dtd_id(&mut out, "PUBLIC", p, &o, true)?;
                dtd_id(&mut out, "", sys, &o, true)?;
            }
        }
        out.push('>');
        if o.pretty {
            out.push_str(&o.newline);
        }
    }
    let mut indent = String::new();
    write_elem(&mut out, &tree, re, &mut indent, &o);
    if o.pretty {
        out.push_str(&o.newline);
    }
    if out.ends_with(&*o.newline) {
        out.truncate(out.len() - o.newline.len());
    }
    Ok(out)
}
