//! Input state as JavaScript reads it.
//!
//! The engine hands the state's text to V8's `JSON.parse`, so what counts as valid input is
//! what `JSON.parse` accepts: any nesting depth, numbers of any size (`1e400` is `Infinity`),
//! lone surrogate escapes (`"\ud800"`). A Rust JSON parser is stricter on all three, and
//! replacing a user's state because of that would lose their data. This module checks the
//! syntax only — in one pass, without recursion — so that bad input is refused before a job
//! runs, with the line and column of the first error.

use std::fmt;

/// Where and why a text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonSyntaxError {
    /// 1-based line of the offending character.
    pub line: usize,
    /// 1-based column (in characters) of the offending character.
    pub column: usize,
    /// What was expected or found.
    pub message: String,
}

impl fmt::Display for JsonSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for JsonSyntaxError {}

/// What the checker expects next inside an array or object.
#[derive(Clone, Copy, PartialEq)]
enum Container {
    Array,
    Object,
}

/// Checks that `text` is one JSON value, as `JSON.parse` would accept it.
pub fn check_json(text: &str) -> Result<(), JsonSyntaxError> {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut stack: Vec<Container> = Vec::new();
    let fail = |at: usize, message: &str| -> JsonSyntaxError {
        let before = &text[..at.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        JsonSyntaxError {
            line,
            column,
            message: message.to_string(),
        }
    };
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && matches!(bytes[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    let describe = |i: usize| -> String {
        match text[i..].chars().next() {
            Some(c) => format!("unexpected character {c:?}"),
            None => "unexpected end of input".to_string(),
        }
    };
    loop {
        // A value is expected here.
        skip_ws(&mut i);
        match bytes.get(i) {
            None => return Err(fail(i, "unexpected end of input, expected a value")),
            Some(b'{') => {
                i += 1;
                skip_ws(&mut i);
                if bytes.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    stack.push(Container::Object);
                    i = object_key(bytes, i).map_err(|(at, m)| fail(at, &m))?;
                    continue;
                }
            }
            Some(b'[') => {
                i += 1;
                skip_ws(&mut i);
                if bytes.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    stack.push(Container::Array);
                    continue;
                }
            }
            Some(b'"') => i = string(bytes, i).map_err(|(at, m)| fail(at, &m))?,
            Some(b't') if bytes[i..].starts_with(b"true") => i += 4,
            Some(b'f') if bytes[i..].starts_with(b"false") => i += 5,
            Some(b'n') if bytes[i..].starts_with(b"null") => i += 4,
            Some(b'-' | b'0'..=b'9') => i = number(bytes, i).map_err(|(at, m)| fail(at, &m))?,
            Some(_) => return Err(fail(i, &format!("{}, expected a value", describe(i)))),
        }
        // After a value: close containers or move to the next element.
        loop {
            skip_ws(&mut i);
            match stack.last() {
                None => {
                    return if i == bytes.len() {
                        Ok(())
                    } else {
                        Err(fail(
                            i,
                            &format!("{} after the end of the JSON value", describe(i)),
                        ))
                    };
                }
                Some(Container::Array) => match bytes.get(i) {
                    Some(b',') => {
                        i += 1;
                        break;
                    }
                    Some(b']') => {
                        i += 1;
                        stack.pop();
                    }
                    _ => return Err(fail(i, &format!("{}, expected ',' or ']'", describe(i)))),
                },
                Some(Container::Object) => match bytes.get(i) {
                    Some(b',') => {
                        i += 1;
                        skip_ws(&mut i);
                        i = object_key(bytes, i).map_err(|(at, m)| fail(at, &m))?;
                        break;
                    }
                    Some(b'}') => {
                        i += 1;
                        stack.pop();
                    }
                    _ => return Err(fail(i, &format!("{}, expected ',' or '}}'", describe(i)))),
                },
            }
        }
    }
}

type Step = Result<usize, (usize, String)>;

/// A member's key and colon, starting at `i` (whitespace already skipped); returns the index
/// after the colon.
fn object_key(bytes: &[u8], i: usize) -> Step {
    if bytes.get(i) != Some(&b'"') {
        return Err((i, "expected a double-quoted property name".into()));
    }
    let mut i = string(bytes, i)?;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    if bytes.get(i) != Some(&b':') {
        return Err((i, "expected ':' after a property name".into()));
    }
    Ok(i + 1)
}

/// A string starting at the quote at `i`; returns the index after the closing quote.
fn string(bytes: &[u8], mut i: usize) -> Step {
    let start = i;
    i += 1;
    loop {
        match bytes.get(i) {
            None => return Err((start, "unterminated string".into())),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => {
                match bytes.get(i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') => {
                        // any four hex digits: JSON.parse keeps lone surrogates
                        let hex = bytes.get(i + 2..i + 6);
                        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                            return Err((i, "bad \\u escape in string".into()));
                        }
                        i += 6;
                    }
                    _ => return Err((i, "bad escape in string".into())),
                }
            }
            Some(c) if *c < 0x20 => return Err((i, "control character in string".into())),
            Some(_) => i += 1,
        }
    }
}

/// A number starting at `i`; returns the index after it. Any magnitude is accepted.
fn number(bytes: &[u8], mut i: usize) -> Step {
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > from
    };
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return Err((i, "expected a digit".into())),
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return Err((i, "expected a digit after the decimal point".into()));
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return Err((i, "expected a digit in the exponent".into()));
        }
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::check_json;

    #[test]
    fn accepts_what_json_parse_accepts() {
        for text in [
            "{}",
            "[]",
            " {\"a\": [1, -0.5e+3, true, false, null, \"x\\u00e9\\n\"]} ",
            "1e400",
            "\"\\ud800\"",
            "{\"a\":{\"b\":{}}}",
            "0",
            "-0",
        ] {
            assert_eq!(check_json(text), Ok(()), "{text}");
        }
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(check_json(&deep), Ok(()));
        let deep_objects = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
        assert_eq!(check_json(&deep_objects), Ok(()));
    }

    #[test]
    fn refuses_what_json_parse_refuses_with_a_position() {
        for (text, line, column) in [
            ("", 1, 1),
            ("{\"a\": 1,}", 1, 9),
            ("{a: 1}", 1, 2),
            ("[1 2]", 1, 4),
            ("{\n  \"a\": 01\n}", 2, 9),
            ("\"\t\"", 1, 2),
            ("[1] x", 1, 5),
            ("\u{feff}{}", 1, 1),
            ("{\"a\" 1}", 1, 6),
            ("nul", 1, 1),
            ("[\"\\x\"]", 1, 3),
            ("1.", 1, 3),
            ("[", 1, 2),
        ] {
            let err = check_json(text).expect_err(text);
            assert_eq!((err.line, err.column), (line, column), "{text:?}: {err}");
        }
    }
}
