//! XML for the bridges that stand in for npm XML libraries (adaptors/xml2js,
//! adaptors/fast-xml-parser): the parsing and building run here, in Rust, and JavaScript only maps
//! options, checks that an input survives `JSON.stringify`, and turns answers into objects.
//!
//! Each converter reproduces one library's output exactly, quirks included; whatever it does not
//! reproduce it reports as [`XmlOutcome::Unsupported`], and the bridge then runs the real npm
//! package instead: a bridge never gives a different answer.

mod build_common;
mod entities;
pub mod fxp_build;
pub mod fxp_parse;
pub mod js2xmlparser;
pub mod js_number;
pub mod xml2js;
pub mod xml2js_build;

use deno_core::op2;
use serde::{Deserialize, Serialize};

/// The options of xml2js' `Parser` the bridge passes on: the data-only ones, already coerced as
/// xml2js reads them (truthiness for flags). Function-valued options never reach Rust.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Xml2jsParseOptions {
    explicit_array: Option<bool>,
    explicit_root: Option<bool>,
    merge_attrs: Option<bool>,
    attrkey: Option<String>,
    charkey: Option<String>,
    explicit_charkey: Option<bool>,
    trim: Option<bool>,
    normalize: Option<bool>,
    normalize_tags: Option<bool>,
    ignore_attrs: Option<bool>,
    /// `JSON.stringify(emptyTag)` when it is not `''`.
    empty_tag: Option<String>,
    strict: Option<bool>,
    include_white_chars: Option<bool>,
}

impl Xml2jsParseOptions {
    fn into_options(self) -> xml2js::Xml2jsOptions {
        let mut o = xml2js::Xml2jsOptions::default();
        let flags = [
            (self.explicit_array, &mut o.explicit_array),
            (self.explicit_root, &mut o.explicit_root),
            (self.merge_attrs, &mut o.merge_attrs),
            (self.explicit_charkey, &mut o.explicit_charkey),
            (self.trim, &mut o.trim),
            (self.normalize, &mut o.normalize),
            (self.normalize_tags, &mut o.normalize_tags),
            (self.ignore_attrs, &mut o.ignore_attrs),
            (self.strict, &mut o.strict),
            (self.include_white_chars, &mut o.include_white_chars),
        ];
        for (given, field) in flags {
            if let Some(value) = given {
                *field = value;
            }
        }
        if let Some(key) = self.attrkey {
            o.attrkey = key;
        }
        if let Some(key) = self.charkey {
            o.charkey = key;
        }
        if let Some(text) = self.empty_tag {
            o.empty_tag = xml2js::EmptyTag::Json(text);
        }
        o
    }
}

/// What a converter answers.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum XmlOutcome {
    /// The result as JSON text (the bridge `JSON.parse`s it); `quiet_tail`: nothing the library
    /// would still react to follows the part that decided the result.
    #[serde(rename_all = "camelCase")]
    Done { json: String, quiet_tail: bool },
    /// Text the library would return (a builder's XML).
    Built { xml: String },
    /// The library would fail with an error of this class (`Error`, `TypeError`) and message.
    Failed { name: &'static str, message: String },
    /// Not reproduced here: the bridge runs the real package.
    Unsupported { message: String },
}

impl From<Result<(String, bool), xml2js::XmlError>> for XmlOutcome {
    fn from(result: Result<(String, bool), xml2js::XmlError>) -> Self {
        match result {
            Ok((json, quiet_tail)) => XmlOutcome::Done { json, quiet_tail },
            Err(e) => match e.kind {
                xml2js::XmlErrorKind::Parse => XmlOutcome::Failed {
                    name: e.js_name(),
                    message: e.message,
                },
                xml2js::XmlErrorKind::Unsupported => XmlOutcome::Unsupported { message: e.message },
            },
        }
    }
}

/// xml2js 0.6 `parseString(xml, options)`: the result as JSON text, or sax's error message.
#[op2]
#[serde]
pub fn op_xml_xml2js_parse(
    #[string] xml: String,
    #[serde] options: Xml2jsParseOptions,
) -> XmlOutcome {
    xml2js::xml2js_object_json(&xml, &options.into_options()).into()
}

/// fast-xml-parser `new XMLBuilder(options).build(object)`, `version` 4 or 5, from the object and
/// options as `JSON.stringify` text.
#[op2]
#[serde]
pub fn op_xml_fxp_build(
    #[string] object: String,
    #[string] options: String,
    #[smi] version: u32,
) -> XmlOutcome {
    let version = if version == 5 {
        fxp_build::FxpVersion::V5
    } else {
        fxp_build::FxpVersion::V4
    };
    fxp_build::fxp_build(&object, &options, version).into()
}

/// fast-xml-parser `new XMLParser(options).parse(xml)`, `version` 4 or 5: the result as JSON
/// text (`options` as the bridge encodes them: see [`fxp_parse::fxp_parse`]).
#[op2]
#[serde]
pub fn op_xml_fxp_parse(
    #[string] xml: String,
    #[string] options: String,
    #[smi] version: u32,
) -> XmlOutcome {
    fxp_parse_answer(version, |v| fxp_parse::fxp_parse(&xml, &options, v))
}

/// fast-xml-parser `XMLValidator.validate(xml, options)`, `version` 4 or 5: `true` or the
/// validator's error object, as JSON text.
#[op2]
#[serde]
pub fn op_xml_fxp_validate(
    #[string] xml: String,
    #[string] options: String,
    #[smi] version: u32,
) -> XmlOutcome {
    fxp_parse_answer(version, |v| fxp_parse::fxp_validate(&xml, &options, v))
}

/// Runs a fast-xml-parser parse or validation for major `version` and turns its answer (JSON
/// text, the library's error, or not reproduced) into the bridge's outcome.
fn fxp_parse_answer(
    version: u32,
    run: impl FnOnce(fxp_parse::FxpVersion) -> Result<String, fxp_parse::ParseError>,
) -> XmlOutcome {
    let Some(version) = fxp_parse::FxpVersion::from_major(version) else {
        return XmlOutcome::Unsupported {
            message: format!("fast-xml-parser {version}.x"),
        };
    };
    match run(version) {
        Ok(json) => XmlOutcome::Done {
            json,
            quiet_tail: true,
        },
        Err(e) => match e.kind {
            fxp_parse::ParseErrorKind::Invalid => XmlOutcome::Failed {
                name: "Error",
                message: e.message,
            },
            fxp_parse::ParseErrorKind::Unsupported => {
                XmlOutcome::Unsupported { message: e.message }
            }
        },
    }
}

impl From<Result<String, fxp_build::BuildError>> for XmlOutcome {
    fn from(result: Result<String, fxp_build::BuildError>) -> Self {
        match result {
            Ok(xml) => XmlOutcome::Built { xml },
            Err(e) => match e.kind {
                fxp_build::BuildErrorKind::Invalid => XmlOutcome::Failed {
                    name: "Error",
                    message: e.message,
                },
                fxp_build::BuildErrorKind::Unsupported => {
                    XmlOutcome::Unsupported { message: e.message }
                }
            },
        }
    }
}

/// js2xmlparser 5.0.x `parse(root, object, options)`, from the object and options as JSON text
/// (see [`js2xmlparser::js2xml_parse`]).
#[op2]
#[serde]
pub fn op_xml_js2xmlparser_parse(
    #[string] root: String,
    #[string] object: String,
    #[string] options: String,
) -> XmlOutcome {
    js2xmlparser::js2xml_parse(&root, &object, &options).into()
}

/// xml2js 0.6 `new Builder(options).buildObject(object)`, from the object and options as JSON
/// text (see [`xml2js_build::xml2js_build`]).
#[op2]
#[serde]
pub fn op_xml_xml2js_build(#[string] object: String, #[string] options: String) -> XmlOutcome {
    xml2js_build::xml2js_build(&object, &options).into()
}
