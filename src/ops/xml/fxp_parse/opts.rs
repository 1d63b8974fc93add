//! The bridge's options JSON → the option set fast-xml-parser's `buildOptions` would make, or
//! Unsupported for what is not reproduced.

use super::jsnum::NumOpts;
use super::validate::ValOpts;
use super::{ParseError, E};
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub enum IgnoreAttrs {
    All,
    None,
    List(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct EntCfg {
    pub enabled: bool,
    pub max_entity_size: Option<f64>,
    pub max_total_expansions: f64,
    pub max_expanded_length: f64,
    pub max_entity_count: Option<f64>,
    pub allowed_tags: Option<Vec<String>>,
    /// v5 `appliesTo`: "all" | "external" | "base"
    pub applies_to: String,
}

#[derive(Debug, Clone)]
pub enum StopPat {
    Exact(Vec<String>),
    Deep(String),
}

#[derive(Debug, Clone)]
pub struct Opts {
    pub v5: bool,
    pub preserve_order: bool,
    pub attr_prefix: String,
    pub attrs_group: Option<String>,
    pub text_name: String,
    pub ignore_attrs: IgnoreAttrs,
    pub remove_ns: bool,
    pub allow_bool_attrs: bool,
    pub parse_tag_value: bool,
    pub parse_attr_value: bool,
    pub trim_values: bool,
    pub cdata_prop: Option<String>,
    pub comment_prop: Option<String>,
    pub num: NumOpts,
    /// v4: exact jPaths and `*.name` names
    pub stop_exact: Vec<String>,
    pub stop_wild: Vec<String>,
    /// v5 expressions
    pub stop_pats: Vec<StopPat>,
    pub always_text: bool,
    pub unpaired: Vec<String>,
    pub ent: EntCfg,
    /// v4: htmlEntities truthy; v5: htmlEntities === true (named HTML + currency maps)
    pub html_named: bool,
    /// v5: numeric references decoded (htmlEntities truthy or null)
    pub numeric_allowed: bool,
    pub ignore_decl: bool,
    pub ignore_pi: bool,
    pub strict_reserved: bool,
    pub max_nested: f64,
    pub external: Vec<(String, String)>,
    /// An empty document only checks the options.
    pub check_only: bool,
}

fn unsup(m: &'static str) -> E {
    E::Unsup(m)
}

fn marker(v: &Value) -> Option<&str> {
    v.as_object()
        .and_then(|o| o.get("$fnhost"))
        .and_then(Value::as_str)
}

fn truthy(v: &Value) -> Result<bool, E> {
    Ok(match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().map(|x| x != 0.0).unwrap_or(true),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) => true,
        Value::Object(_) => match marker(v) {
            Some("undefined") => return Err(unsup("undefined option value")),
            Some("number") => true, // only non-finite numbers travel this way (NaN is falsy but rare)
            _ => true,
        },
    })
}

fn num_of(v: &Value) -> Result<f64, E> {
    match v {
        Value::Number(n) => n.as_f64().ok_or(unsup("number")),
        _ => match (marker(v), v.get("text").and_then(Value::as_str)) {
            (Some("number"), Some("Infinity")) => Ok(f64::INFINITY),
            _ => Err(unsup("non-number where a number is expected")),
        },
    }
}

/// A `false`-or-string option (attributesGroupName, cdataPropName, commentPropName).
fn opt_name(v: &Value) -> Result<Option<String>, E> {
    if !truthy(v)? {
        return match v {
            Value::Bool(false) | Value::Null => Ok(None),
            Value::String(s) if s.is_empty() => Ok(None),
            _ => Err(unsup("falsy non-string name option")),
        };
    }
    match v {
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(unsup("non-string name option")),
    }
}

fn str_list(v: &Value) -> Result<Vec<String>, E> {
    match v {
        Value::Array(a) => {
            let mut out = Vec::new();
            for x in a {
                match x {
                    Value::String(s) => out.push(s.clone()),
                    Value::Object(_) => return Err(unsup("object in a list option")),
                    _ => {} // never equal to a tag name
                }
            }
            Ok(out)
        }
        _ => Err(unsup("non-array list option")),
    }
}

const DANGEROUS: [&str; 7] = [
    "hasOwnProperty",
    "toString",
    "valueOf",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];
const CRITICAL: [&str; 3] = ["__proto__", "constructor", "prototype"];

pub fn is_dangerous(name: &str) -> bool {
    DANGEROUS.contains(&name)
}
pub fn is_critical(name: &str) -> bool {
    CRITICAL.contains(&name)
}

fn check_property_name(value: &str, option: &str) -> Result<(), E> {
    let lower = value.to_lowercase();
    if DANGEROUS
        .iter()
        .chain(CRITICAL.iter())
        .any(|d| d.to_lowercase() == lower)
    {
        return Err(E::Throw(format!(
            "[SECURITY] Invalid {option}: \"{value}\" is a reserved JavaScript keyword that could cause prototype pollution"
        )));
    }
    Ok(())
}

pub fn parse_options(json: &str, v5: bool) -> Result<Opts, ParseError> {
    parse_options_inner(json, v5).map_err(ParseError::from)
}

fn parse_options_inner(json: &str, v5: bool) -> Result<Opts, E> {
    let root: Value = serde_json::from_str(json).map_err(|_| unsup("options JSON"))?;
    let empty = Map::new();
    let m = match &root {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => return Err(unsup("options not an object")),
    };
    let mut o = Opts {
        v5,
        preserve_order: false,
        attr_prefix: "@_".into(),
        attrs_group: None,
        text_name: "#text".into(),
        ignore_attrs: IgnoreAttrs::All,
        remove_ns: false,
        allow_bool_attrs: false,
        parse_tag_value: true,
        parse_attr_value: false,
        trim_values: true,
        cdata_prop: None,
        comment_prop: None,
        num: NumOpts::default(),
        stop_exact: vec![],
        stop_wild: vec![],
        stop_pats: vec![],
        always_text: false,
        unpaired: vec![],
        ent: default_ent(v5, true),
        html_named: false,
        numeric_allowed: false,
        ignore_decl: false,
        ignore_pi: false,
        strict_reserved: true,
        max_nested: 100.0,
        external: vec![],
        check_only: false,
    };
    let mut group_raw: Option<String> = None;
    for (k, v) in m {
        if k != "$fnhostEntities" {
            if let Some(mk) = marker(v) {
                // functions etc.: not reproduced, except where a falsy/absent value is the default
                if mk != "number" {
                    return Err(unsup("function, RegExp or undefined option value"));
                }
            }
        }
        match k.as_str() {
            "preserveOrder" => o.preserve_order = truthy(v)?,
            "attributeNamePrefix" => match v {
                Value::String(s) => o.attr_prefix = s.clone(),
                _ => return Err(unsup("attributeNamePrefix not a string")),
            },
            "attributesGroupName" => {
                o.attrs_group = opt_name(v)?;
                group_raw = o.attrs_group.clone();
            }
            "textNodeName" => match v {
                Value::String(s) => o.text_name = s.clone(),
                _ => return Err(unsup("textNodeName not a string")),
            },
            "ignoreAttributes" => {
                o.ignore_attrs = match v {
                    Value::Bool(true) => IgnoreAttrs::All,
                    Value::Array(_) => IgnoreAttrs::List(str_list(v)?),
                    _ => IgnoreAttrs::None,
                }
            }
            "removeNSPrefix" => o.remove_ns = truthy(v)?,
            "allowBooleanAttributes" => o.allow_bool_attrs = truthy(v)?,
            "parseTagValue" => o.parse_tag_value = truthy(v)?,
            "parseAttributeValue" => o.parse_attr_value = truthy(v)?,
            "trimValues" => o.trim_values = truthy(v)?,
            "cdataPropName" => o.cdata_prop = opt_name(v)?,
            "commentPropName" => o.comment_prop = opt_name(v)?,
            "numberParseOptions" => o.num = num_opts(v, v5)?,
            "stopNodes" => {
                let list = str_list(v)?;
                for s in list {
                    if v5 {
                        o.stop_pats.push(stop_pattern(&s)?);
                    } else if let Some(n) = s.strip_prefix("*.") {
                        o.stop_wild.push(n.to_string());
                    } else {
                        o.stop_exact.push(s);
                    }
                }
            }
            "alwaysCreateTextNode" => o.always_text = truthy(v)?,
            "unpairedTags" => o.unpaired = str_list(v)?,
            "processEntities" => o.ent = ent_cfg(v, v5)?,
            "htmlEntities" => {
                if v5 {
                    match v {
                        Value::Null => {
                            o.html_named = false;
                            o.numeric_allowed = true;
                        }
                        Value::Object(_) | Value::Array(_) => {
                            return Err(unsup("htmlEntities map"))
                        }
                        _ => {
                            o.html_named = *v == Value::Bool(true);
                            o.numeric_allowed = truthy(v)?;
                        }
                    }
                } else {
                    o.html_named = truthy(v)?;
                }
            }
            "ignoreDeclaration" => o.ignore_decl = truthy(v)?,
            "ignorePiTags" => o.ignore_pi = truthy(v)?,
            "transformTagName" | "transformAttributeName" if truthy(v)? => {
                return Err(unsup("transform option"));
            }
            "transformTagName" | "transformAttributeName" => {}
            "captureMetaData" if truthy(v)? => return Err(unsup("captureMetaData")),
            "captureMetaData" => {}
            "maxNestedTags" => o.max_nested = num_of(v)?,
            "strictReservedNames" => o.strict_reserved = truthy(v)?,
            "onDangerousProperty" if !v.is_null() => return Err(unsup("onDangerousProperty")),
            "onDangerousProperty" => {}
            "entityDecoder" if !v.is_null() => return Err(unsup("entityDecoder")),
            "entityDecoder" => {}
            "tagValueProcessor" | "attributeValueProcessor" | "updateTag" | "isArray" => {
                return Err(unsup("callback option"));
            }
            "jPath" => {}
            "$fnhostEntities" => {
                let Value::Array(a) = v else {
                    return Err(unsup("entities"));
                };
                for pair in a {
                    match pair.as_array().map(|p| {
                        (
                            p.first().and_then(Value::as_str),
                            p.get(1).and_then(Value::as_str),
                        )
                    }) {
                        Some((Some(k), Some(val))) => {
                            if let Some(p) = o.external.iter().position(|(kk, _)| kk == k) {
                                o.external[p].1 = val.to_string();
                            } else {
                                o.external.push((k.to_string(), val.to_string()));
                            }
                        }
                        _ => return Err(unsup("entity pair")),
                    }
                }
            }
            "$fnhostCheckOnly" => o.check_only = true,
            _ => {} // options the parser does not read
        }
    }
    // buildOptions: reserved property names
    let checks: [(Option<&str>, &str); 5] = [
        (Some(o.attr_prefix.as_str()), "attributeNamePrefix"),
        (group_raw.as_deref(), "attributesGroupName"),
        (Some(o.text_name.as_str()), "textNodeName"),
        (o.cdata_prop.as_deref(), "cdataPropName"),
        (o.comment_prop.as_deref(), "commentPropName"),
    ];
    // the real order is that of the list; attributeNamePrefix "" is falsy and skipped
    for (val, name) in checks {
        if let Some(s) = val {
            if !s.is_empty() {
                check_property_name(s, name)?;
            }
        }
    }
    Ok(o)
}

fn default_ent(v5: bool, enabled: bool) -> EntCfg {
    if v5 {
        EntCfg {
            enabled,
            max_entity_size: Some(10000.0),
            max_total_expansions: f64::INFINITY,
            max_expanded_length: 100000.0,
            max_entity_count: Some(1000.0),
            allowed_tags: None,
            applies_to: "all".into(),
        }
    } else {
        EntCfg {
            enabled,
            max_entity_size: Some(10000.0),
            max_total_expansions: 1000.0,
            max_expanded_length: 100000.0,
            max_entity_count: None,
            allowed_tags: None,
            applies_to: "all".into(),
        }
    }
}

fn ent_cfg(v: &Value, v5: bool) -> Result<EntCfg, E> {
    match v {
        Value::Bool(b) => Ok(default_ent(v5, *b)),
        Value::Object(m) => {
            let num = |k: &str, d: f64| -> Result<f64, E> {
                match m.get(k) {
                    None | Some(Value::Null) => Ok(d.max(1.0)),
                    Some(x) => Ok(num_of(x)?.max(1.0)),
                }
            };
            let allowed = match m.get("allowedTags") {
                None | Some(Value::Null) => None,
                Some(x @ Value::Array(_)) => Some(str_list(x)?),
                _ => return Err(unsup("allowedTags")),
            };
            match m.get("tagFilter") {
                None | Some(Value::Null) => {}
                _ => return Err(unsup("tagFilter")),
            }
            let applies_to = match m.get("appliesTo") {
                None | Some(Value::Null) => "all".to_string(),
                Some(Value::String(s)) if ["all", "external", "base"].contains(&s.as_str()) => {
                    s.clone()
                }
                Some(Value::String(_)) => "external".to_string(),
                _ => return Err(unsup("appliesTo")),
            };
            let enabled = m.get("enabled") != Some(&Value::Bool(false));
            if let Some(x) = m.get("enabled") {
                if marker(x).is_some() {
                    return Err(unsup("enabled"));
                }
            }
            Ok(EntCfg {
                enabled,
                max_entity_size: Some(num("maxEntitySize", 10000.0)?),
                max_total_expansions: num("maxTotalExpansions", f64::INFINITY)?,
                max_expanded_length: num("maxExpandedLength", 100000.0)?,
                max_entity_count: Some(num("maxEntityCount", 1000.0)?),
                allowed_tags: allowed,
                applies_to,
            })
        }
        _ => Ok(default_ent(v5, true)),
    }
}

fn num_opts(v: &Value, v5: bool) -> Result<NumOpts, E> {
    let mut n = NumOpts::default();
    let Value::Object(m) = v else {
        return match v {
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => Ok(n), // Object.assign ignores primitives
            _ => Err(unsup("numberParseOptions")),
        };
    };
    for (k, x) in m {
        if marker(x).is_some() {
            return Err(unsup("numberParseOptions value"));
        }
        match k.as_str() {
            "hex" => n.hex = truthy(x)?,
            "leadingZeros" => n.leading_zeros = truthy(x)?,
            "eNotation" => n.e_notation = truthy(x)?,
            "skipLike" => return Err(unsup("skipLike")),
            "binary" if v5 => n.binary = truthy(x)?,
            "octal" if v5 => n.octal = truthy(x)?,
            "unicode" if v5 && truthy(x)? => return Err(unsup("unicode numbers")),
            "unicode" if v5 => {}
            "infinity" if v5 => match x {
                Value::String(s) => n.infinity = s.to_lowercase(),
                _ => return Err(unsup("infinity")),
            },
            _ => {}
        }
    }
    Ok(n)
}

fn plain_segment(s: &str) -> bool {
    !s.is_empty()
        && !s.contains([
            '*', '[', ']', ':', '@', '(', ')', '=', '\'', '"', '#', ' ', '\\', '$', '^', '|', ',',
        ])
}

fn stop_pattern(s: &str) -> Result<StopPat, E> {
    // buildOptions turns "*.x" into "..x"
    let s = if let Some(r) = s.strip_prefix("*.") {
        format!("..{r}")
    } else {
        s.to_string()
    };
    if let Some(r) = s.strip_prefix("..") {
        if plain_segment(r) && !r.contains('.') {
            return Ok(StopPat::Deep(r.to_string()));
        }
        return Err(unsup("stopNodes expression"));
    }
    let segs: Vec<String> = s.split('.').map(str::to_string).collect();
    if segs.iter().all(|x| plain_segment(x)) {
        return Ok(StopPat::Exact(segs));
    }
    Err(unsup("stopNodes expression"))
}

pub fn parse_validator_options(json: &str) -> Result<ValOpts, ()> {
    let root: Value = serde_json::from_str(json).map_err(|_| ())?;
    let mut o = ValOpts {
        allow_boolean_attributes: false,
        unpaired: vec![],
    };
    let Value::Object(m) = &root else {
        return if root.is_null() || root == Value::Bool(true) {
            Ok(o)
        } else {
            Err(())
        };
    };
    for (k, v) in m {
        match k.as_str() {
            "allowBooleanAttributes" => o.allow_boolean_attributes = truthy(v).map_err(|_| ())?,
            "unpairedTags" => o.unpaired = str_list(v).map_err(|_| ())?,
            _ => {}
        }
    }
    Ok(o)
}
