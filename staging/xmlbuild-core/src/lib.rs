//! XML builders of two npm packages, reproduced byte for byte in Rust (staging for fnhost issue 11):
//!
//! - [`js2xml_parse`]: js2xmlparser 5.0.0 `parse(root, object, options)` (xmlcreate 2.0.4 underneath);
//! - [`xml2js_build`]: xml2js 0.6.2 `new Builder(options).buildObject(obj)` (xmlbuilder 11.0.1).
//!
//! Input: the user's object as `JSON.stringify` text and the options as JSON text, both made by the
//! JS bridges in `js/` (which send anything JSON cannot carry faithfully to the real package, or
//! convert it exactly as the library would). In options, an own property whose value is
//! `undefined` is encoded as `{"$fnhost":"undefined"}`.
//!
//! Output: the XML text, or a [`BuildError`]: `Invalid` = the real library throws an `Error` with
//! exactly this message; `Unsupported` = not reproduced, the caller must run the real package
//! (never a different answer).

mod common;
mod js2x;
mod jsnum;
mod x2js;

pub use jsnum::js_number_to_string;

/// Why no XML was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildErrorKind {
    /// The real library throws `new Error(message)` for this input.
    Invalid,
    /// Not reproduced here: use the real npm package.
    Unsupported,
}

/// Error of [`js2xml_parse`] / [`xml2js_build`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    pub kind: BuildErrorKind,
    pub message: String,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for BuildError {}

/// Internal "not reproduced" marker, turned into `Unsupported`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unsup;

impl From<Unsup> for BuildError {
    fn from(_: Unsup) -> Self {
        BuildError { kind: BuildErrorKind::Unsupported, message: "not reproduced".into() }
    }
}

pub(crate) fn unsupported(why: &str) -> BuildError {
    BuildError { kind: BuildErrorKind::Unsupported, message: why.into() }
}

fn parse_json(text: &str, what: &str) -> Result<serde_json::Value, BuildError> {
    // Lone surrogates (escaped by JSON.stringify) are rejected by serde_json: Unsupported.
    serde_json::from_str(text).map_err(|e| unsupported(&format!("{what} JSON: {e}")))
}

/// js2xmlparser 5.0.0 `parse(root, object, options)`.
///
/// `object_json` = `JSON.stringify(object)` after the bridge's conversions (`undefined` →
/// `"undefined"`, `NaN`/`±Infinity` → their strings, `Date` → `date.toString()`), `options_json` =
/// the options (`{}` when omitted). Returns the document text (declaration, optional DOCTYPE, root
/// element) exactly as js2xmlparser does, or its error message.
pub fn js2xml_parse(root: &str, object_json: &str, options_json: &str) -> Result<String, BuildError> {
    let obj = parse_json(object_json, "object")?;
    let opts = parse_json(options_json, "options")?;
    js2x::parse(root, &obj, &opts)
}

/// xml2js 0.6.2 `new Builder(options).buildObject(obj)`.
///
/// `object_json` = `JSON.stringify(obj)` (the bridge turns `undefined` object properties into
/// `null` where xml2js treats them alike, `NaN`/`±Infinity` into their strings), `options_json` =
/// the Builder options (`{}` when omitted).
pub fn xml2js_build(object_json: &str, options_json: &str) -> Result<String, BuildError> {
    let obj = parse_json(object_json, "object")?;
    let opts = parse_json(options_json, "options")?;
    x2js::build(&obj, &opts)
}
