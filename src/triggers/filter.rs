//! Message filters: which inbox messages start a job, decided by JSON containment with exactly
//! the semantics of PostgreSQL's `jsonb @>` — evaluated here in Rust, so a SQLite store and a
//! PostgreSQL store select the same messages (`tests/it/filters_pg.rs` checks this against a
//! real PostgreSQL on a generated corpus).
//!
//! The rules, as PostgreSQL implements them (`JsonbDeepContains` in `jsonb_util.c`, documented in
//! "8.14.3. jsonb Containment and Existence"):
//! - a scalar contains only an equal scalar of the same JSON type; numbers compare by numeric
//!   value (`1` = `1.0` = `1e0`), strings byte for byte;
//! - an object contains another when every key of the other is present with a contained value
//!   (extra keys are ignored);
//! - an array contains another when every element of the other is contained in *some* element
//!   of it (order and duplicates are ignored): a scalar element must equal a scalar element, an
//!   object or array element must be contained in an element of the same kind;
//! - only at the top level, an array also contains a scalar that equals one of its elements
//!   (`[1, 2] @> 1`), never the reverse (`1 @> [1]` is false); below the top level the JSON
//!   types must agree (`{"a": [1, 2]} @> {"a": 1}` is false).

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

/// `doc @> fragment` for `jsonb`: whether `doc` contains `fragment` (see the module docs for
/// the rules, including the top-level array-contains-scalar case).
pub fn contains(doc: &Value, fragment: &Value) -> bool {
    match (doc, fragment) {
        // PostgreSQL stores a top-level scalar as a one-element "raw scalar" array: an array
        // contains such a scalar when one of its elements equals it.
        (Value::Array(elements), scalar) if is_scalar(scalar) => {
            elements.iter().any(|e| scalar_eq(e, scalar))
        }
        _ => contains_value(doc, fragment),
    }
}

/// Containment below the top level: the JSON types must agree.
fn contains_value(doc: &Value, fragment: &Value) -> bool {
    match (doc, fragment) {
        (Value::Object(doc), Value::Object(fragment)) => {
            fragment.iter().all(|(key, wanted)| match doc.get(key) {
                Some(have) => contains_value(have, wanted),
                None => false,
            })
        }
        (Value::Array(doc), Value::Array(fragment)) => fragment.iter().all(|wanted| {
            if is_scalar(wanted) {
                doc.iter().any(|have| scalar_eq(have, wanted))
            } else {
                doc.iter()
                    .any(|have| !is_scalar(have) && contains_value(have, wanted))
            }
        }),
        (doc, fragment) if is_scalar(doc) && is_scalar(fragment) => scalar_eq(doc, fragment),
        _ => false,
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

/// Equality of two JSON scalars as `jsonb` has it (false for containers).
fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
        _ => false,
    }
}

/// Numeric equality as PostgreSQL's `numeric` has it, on the numbers' JSON text — the text
/// PostgreSQL would parse. Comparing as `f64` would be wrong: `1234567890123456768` and the
/// float printed `1.2345678901234568e18` are the same `f64` but different numbers.
fn numbers_equal(a: &Number, b: &Number) -> bool {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return a == b;
    }
    Decimal::parse(&a.to_string()) == Decimal::parse(&b.to_string())
}

/// A JSON number's exact value: `0.<digits> × 10^exponent` with no leading or trailing zero
/// digit (zero is the empty digit string, never negative).
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// Parses JSON number text (`-12.50e+3`). Text that is not a number compares unequal to
    /// every number (serde_json only ever prints valid numbers).
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let leading = all.iter().take_while(|&&d| d == 0).count();
        let digits = &all[leading..];
        let trailing = digits.iter().rev().take_while(|&&d| d == 0).count();
        let digits = digits[..digits.len() - trailing].to_vec();
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        // value = 0.<all> × 10^(int.len() + exp); dropping `leading` zeros shifts it.
        let exponent = (int.len() as i64)
            .checked_add(exp)?
            .checked_sub(leading as i64)?;
        Some(Decimal {
            negative,
            digits,
            exponent,
        })
    }
}

/// Which messages start a job: the message must contain `inclusion` and, when set, must not
/// contain `exclusion` (both with [`contains`]' rules). Kobo posts wrapped as
/// `{"form": "my_form", "body": …}` are selected with `{"inclusion": {"form": "my_form"}}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct MessageFilter {
    /// A JSON object or array the message must contain.
    pub inclusion: Value,
    /// A JSON object or array the message must not contain; none excludes nothing.
    #[serde(default)]
    pub exclusion: Option<Value>,
}

impl MessageFilter {
    /// Whether `message` passes: it contains the inclusion and does not contain the exclusion.
    pub fn matches(&self, message: &Value) -> bool {
        contains(message, &self.inclusion)
            && !self
                .exclusion
                .as_ref()
                .is_some_and(|exclusion| contains(message, exclusion))
    }

    /// Checks the fragments are JSON objects or arrays: a scalar fragment would only ever match
    /// a message that is that scalar (or an array holding it), almost surely a mistake.
    pub fn validate(&self) -> Result<(), String> {
        check_fragment("inclusion", &self.inclusion)?;
        if let Some(exclusion) = &self.exclusion {
            check_fragment("exclusion", exclusion)?;
        }
        Ok(())
    }
}

fn check_fragment(field: &str, fragment: &Value) -> Result<(), String> {
    let kind = match fragment {
        Value::Object(_) | Value::Array(_) => return Ok(()),
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
    };
    Err(format!(
        "message filter {field} must be a JSON object or array that messages must {}contain \
         (e.g. {{\"form\": \"my_form\"}}), got {kind}: {fragment}",
        if field == "exclusion" { "not " } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(doc: &str, fragment: &str) -> bool {
        contains(
            &serde_json::from_str(doc).unwrap(),
            &serde_json::from_str(fragment).unwrap(),
        )
    }

    #[test]
    fn documented_postgres_examples() {
        // The examples of PostgreSQL's documentation, 8.14.3.
        assert!(c(r#""foo""#, r#""foo""#));
        assert!(c("[1, 2, 3]", "[1, 3]"));
        assert!(c("[1, 2, 3]", "[3, 1]"));
        assert!(c("[1, 2, 3]", "[1, 2, 2]"));
        assert!(c(
            r#"{"product": "PostgreSQL", "version": 9.4, "jsonb": true}"#,
            r#"{"version": 9.4}"#
        ));
        assert!(!c("[1, 2, [1, 3]]", "[1, 3]"));
        assert!(c("[1, 2, [1, 3]]", "[[1, 3]]"));
        assert!(!c(r#"{"foo": {"bar": "baz"}}"#, r#"{"bar": "baz"}"#));
        assert!(c(r#"{"foo": {"bar": "baz"}}"#, r#"{"foo": {}}"#));
        assert!(c(r#"["foo", "bar"]"#, r#""bar""#));
        assert!(!c(r#""bar""#, r#"["bar"]"#));
    }

    #[test]
    fn scalars_and_types() {
        assert!(c("1", "1.0"));
        assert!(c("1e2", "100"));
        assert!(c("-0.0", "0"));
        assert!(c("0.5", "5e-1"));
        assert!(!c("1", r#""1""#));
        assert!(!c("true", "1"));
        assert!(c("null", "null"));
        assert!(!c("null", "false"));
        assert!(!c("1", "{}"));
        assert!(!c("1", "[]"));
        assert!(!c("{}", "[]"));
        assert!(!c("[]", "{}"));
        assert!(c("{}", "{}"));
        assert!(c("[]", "[]"));
        assert!(c(r#"{"a": 1}"#, "{}"));
        assert!(c("[1]", "[]"));
        assert!(!c("[]", "1"));
        assert!(c("[null]", "null"));
        // The top-level exception does not reach nested values.
        assert!(!c(r#"{"a": [1, 2]}"#, r#"{"a": 1}"#));
        assert!(!c("[[1, 2]]", "[1]"));
        assert!(c("[[1, 2]]", "[[]]"));
        assert!(!c("[1, 2]", "[[]]"));
        assert!(!c("[{}]", "[[]]"));
        assert!(c("[{}, []]", "[[], {}]"));
    }

    #[test]
    fn numbers_compare_exactly_not_as_floats() {
        let big_int = json!(1234567890123456768u64);
        let float = json!(1234567890123456768f64); // printed 1.2345678901234568e18
        assert_eq!(big_int.as_f64(), float.as_f64());
        assert!(!contains(&big_int, &float));
        assert!(contains(
            &json!(1e20),
            &json!(100000000000000000000u128 as f64)
        ));
        assert!(contains(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!contains(&json!(u64::MAX), &json!(i64::MAX)));
        assert!(contains(&json!(-5), &json!(-5.0)));
        assert!(!contains(&json!(-5), &json!(5)));
        assert_eq!(Decimal::parse("00.0100e1"), Decimal::parse("0.1"));
        assert_ne!(Decimal::parse("1e1"), Decimal::parse("1"));
        assert_eq!(Decimal::parse("x"), None);
    }

    #[test]
    fn kobo_wrapped_posts() {
        let post = json!({
            "form": "my_form",
            "body": {"group1/name": "Ada", "group1/age": 36, "_tags": ["a", "b"]}
        });
        assert!(contains(&post, &json!({"form": "my_form"})));
        assert!(!contains(&post, &json!({"form": "other"})));
        assert!(contains(&post, &json!({"body": {"group1/age": 36.0}})));
        assert!(contains(&post, &json!({"body": {"_tags": ["b"]}})));
        assert!(!contains(&post, &json!({"body": {"_tags": "b"}})));
        assert!(!contains(&post, &json!({"group1/name": "Ada"})));
    }

    #[test]
    fn filters_include_and_exclude() {
        let filter: MessageFilter = serde_json::from_value(json!({
            "inclusion": {"form": "intake"},
            "exclusion": {"body": {"test": true}}
        }))
        .unwrap();
        assert!(filter.validate().is_ok());
        assert!(filter.matches(&json!({"form": "intake", "body": {"test": false}})));
        assert!(filter.matches(&json!({"form": "intake", "body": {}})));
        assert!(!filter.matches(&json!({"form": "intake", "body": {"test": true}})));
        assert!(!filter.matches(&json!({"form": "other", "body": {}})));

        let without: MessageFilter =
            serde_json::from_value(json!({"inclusion": {"form": "intake"}})).unwrap();
        assert_eq!(without.exclusion, None);
        assert!(without.matches(&json!({"form": "intake", "body": {"test": true}})));
    }

    #[test]
    fn validation_names_the_field_and_the_value() {
        let bad = MessageFilter {
            inclusion: json!("my_form"),
            exclusion: None,
        };
        let error = bad.validate().unwrap_err();
        assert!(error.contains("inclusion"), "{error}");
        assert!(error.contains("a string"), "{error}");
        assert!(error.contains("\"my_form\""), "{error}");

        let bad = MessageFilter {
            inclusion: json!([]),
            exclusion: Some(json!(null)),
        };
        let error = bad.validate().unwrap_err();
        assert!(error.contains("exclusion must be"), "{error}");
        assert!(error.contains("must not contain"), "{error}");
    }
}
