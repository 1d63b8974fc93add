//! fast-xml-parser's `XMLParser` (4.5.x and 5.12.1) and `XMLValidator.validate`, reproduced in
//! Rust for fnhost's fast-xml-parser bridge (adaptors/fast-xml-parser/parser.js).
//!
//! [`fxp_parse`] returns exactly `JSON.stringify(new XMLParser(options).parse(xml))` of the
//! real package, or the message the real package throws, or [`ParseErrorKind::Unsupported`] when an
//! option value/shape or an input is outside what is reproduced here: the JS bridge then runs the
//! real package, so a caller never sees a different answer. [`fxp_validate`] returns
//! `JSON.stringify(XMLValidator.validate(xml, options))`.
//!
//! The parser is a hand-written scanner that follows fast-xml-parser's own tolerant rules (it is
//! not a conforming XML parser: unclosed tags, stray `<`, text outside the root etc. all have
//! defined results), including its JS string semantics (UTF-16 lengths where they are visible,
//! JS white space, `Number()`/strnum number conversion and `Number::toString` printing).

mod doctype;
mod entities_v5;
mod jsnum;
mod names;
mod opts;
mod out;
mod parse;
mod validate;

/// Which fast-xml-parser release line to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FxpVersion {
    /// 4.5.x (tested against 4.5.7, the newest 4.x; strnum 1.1.x)
    V4,
    /// 5.12.1 (strnum 2.5.x, @nodable/entities 3.1.0, path-expression-matcher)
    V5,
}

impl FxpVersion {
    /// 4 → V4, 5 → V5.
    pub fn from_major(major: u32) -> Option<FxpVersion> {
        match major {
            4 => Some(FxpVersion::V4),
            5 => Some(FxpVersion::V5),
            _ => None,
        }
    }
}

/// What kind of failure [`fxp_parse`] / [`fxp_validate`] report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The real package throws `new Error(message)` (class `Error`, exactly this message).
    Invalid,
    /// Not reproduced here: the bridge must run the real package (never a different answer).
    Unsupported,
}

/// Error of [`fxp_parse`] (and, with kind `Unsupported` only, of [`fxp_validate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Internal marker: not reproduced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unsup;

/// Internal error: a real `Error(message)` or not reproduced.
#[derive(Debug)]
pub(crate) enum E {
    Throw(String),
    Unsup(&'static str),
}

impl From<Unsup> for E {
    fn from(_: Unsup) -> E {
        E::Unsup("value outside the reproduced range")
    }
}

impl From<E> for ParseError {
    fn from(e: E) -> ParseError {
        match e {
            E::Throw(m) => ParseError {
                kind: ParseErrorKind::Invalid,
                message: m,
            },
            E::Unsup(m) => ParseError {
                kind: ParseErrorKind::Unsupported,
                message: m.to_string(),
            },
        }
    }
}

fn unsupported(m: &str) -> ParseError {
    ParseError {
        kind: ParseErrorKind::Unsupported,
        message: m.to_string(),
    }
}

/// Exactly `JSON.stringify(new XMLParser(options).parse(xml))` of fast-xml-parser `version`.
///
/// `options_json` is the options object as JSON (`"{}"` or `"null"` for none). The JS bridge
/// (js/parser.js) makes it: values JSON cannot carry are replaced by
/// `{"$fnhost": "function" | "regexp" | "undefined" | "object"}` or, for non-finite numbers,
/// `{"$fnhost": "number", "text": "Infinity"}` (any marker in an option that is read gives
/// `Unsupported`); entities added with `addEntity` travel as
/// `"$fnhostEntities": [[name, value], ...]` in call order; `"$fnhostCheckOnly": true` only runs
/// the constructor's option checks (what `new XMLParser(options)` throws).
///
/// Errors: [`ParseErrorKind::Invalid`] where the real package throws `new Error(message)` (same
/// message); [`ParseErrorKind::Unsupported`] where the answer is not reproduced (function-valued
/// options, RegExps, results holding lone surrogates, places where the real package throws a
/// `TypeError`, ...): the caller must run the real package.
pub fn fxp_parse(xml: &str, options_json: &str, version: FxpVersion) -> Result<String, ParseError> {
    let v5 = version == FxpVersion::V5;
    let o = opts::parse_options(options_json, v5)?;
    parse::parse_to_json(xml, &o).map_err(ParseError::from)
}

/// Exactly `JSON.stringify(XMLValidator.validate(xml, options))`: `true` or
/// `{"err":{"code":..,"msg":..,"line":..,"col":..}}`. Options read: `allowBooleanAttributes`,
/// `unpairedTags` (`options_json` may be `"{}"`, `"null"` or `"true"`).
///
/// The only error is [`ParseErrorKind::Unsupported`] (the real validator must run): option values
/// outside plain JSON data, an attribute list where 4.x throws a `TypeError`, a message that would
/// hold a lone surrogate. (The brief asked for `-> String`; a `Result` is needed because those few
/// answers are not strings.)
pub fn fxp_validate(
    xml: &str,
    options_json: &str,
    version: FxpVersion,
) -> Result<String, ParseError> {
    let vo = opts::parse_validator_options(options_json)
        .map_err(|_| unsupported("validator options"))?;
    match validate::validate(xml, &vo, version == FxpVersion::V5) {
        Ok(None) => Ok("true".to_string()),
        Ok(Some(e)) => e.to_json().map_err(|_| unsupported("validator message")),
        Err(Unsup) => Err(unsupported("validator input")),
    }
}

/// What `new XMLParser().parse(xml, validationOption)` throws when validation fails
/// (`"<msg>:<line>:<col>"`), `Ok(None)` when valid, `Err` (Unsupported) when not reproduced.
pub fn fxp_validation_message(
    xml: &str,
    options_json: &str,
    version: FxpVersion,
) -> Result<Option<String>, ParseError> {
    let vo = opts::parse_validator_options(options_json)
        .map_err(|_| unsupported("validator options"))?;
    match validate::validate(xml, &vo, version == FxpVersion::V5) {
        Ok(None) => Ok(None),
        Ok(Some(e)) => Ok(Some(e.parse_message())),
        Err(Unsup) => Err(unsupported("validator input")),
    }
}

/// Appends `JSON.stringify(s)`.
pub(crate) fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let b = s.as_bytes();
    let mut last = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: Option<&str> = match c {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[last..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => out.push_str(&format!("\\u{:04x}", c)),
        }
        last = i + 1;
    }
    out.push_str(&s[last..]);
    out.push('"');
}
