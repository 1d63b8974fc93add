//! What a run changed in its state: a structural diff of two JSON documents, as a list of
//! paths added, removed or changed (objects compared key by key, arrays index by index).

use serde::Serialize;
use serde_json::Value;

/// One difference between two states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `added`, `removed` or `changed`.
    pub kind: &'static str,
    /// Where, as `data.items[2].name` (keys that are not identifiers are quoted: `["a b"]`).
    pub path: String,
    /// The value before (none when added).
    pub before: Option<Value>,
    /// The value after (none when removed).
    pub after: Option<Value>,
}

/// The differences from `before` to `after`, in document order (at most 2,000).
pub fn diff_states(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

const MAX_CHANGES: usize = 2000;

fn key_path(parent: &str, key: &str) -> String {
    let ident = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    match (parent.is_empty(), ident) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", Value::String(key.to_string())),
    }
}

fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<Change>) {
    if out.len() >= MAX_CHANGES {
        return;
    }
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = key_path(path, k);
                match b.get(k) {
                    Some(vb) => walk(&p, va, vb, out),
                    None => out.push(Change {
                        kind: "removed",
                        path: p,
                        before: Some(va.clone()),
                        after: None,
                    }),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(Change {
                        kind: "added",
                        path: key_path(path, k),
                        before: None,
                        after: Some(vb.clone()),
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(va), Some(vb)) => walk(&p, va, vb, out),
                    (Some(va), None) => out.push(Change {
                        kind: "removed",
                        path: p,
                        before: Some(va.clone()),
                        after: None,
                    }),
                    (None, Some(vb)) => out.push(Change {
                        kind: "added",
                        path: p,
                        before: None,
                        after: Some(vb.clone()),
                    }),
                    (None, None) => {}
                }
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Change {
            kind: "changed",
            path: if path.is_empty() {
                "(state)".into()
            } else {
                path.to_string()
            },
            before: Some(a.clone()),
            after: Some(b.clone()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_added_removed_and_changed_paths() {
        let a = json!({"data": {"n": 1, "gone": true, "list": [1, 2]}, "x y": 1});
        let b = json!({"data": {"n": 2, "list": [1, 2, 3], "new": "v"}, "x y": 1});
        let d = diff_states(&a, &b);
        let got: Vec<(&str, &str)> = d.iter().map(|c| (c.kind, c.path.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("changed", "data.n"),
                ("removed", "data.gone"),
                ("added", "data.list[2]"),
                ("added", "data.new"),
            ]
        );
        assert_eq!(diff_states(&a, &a), vec![]);
        assert_eq!(key_path("a", "x y"), "a[\"x y\"]");
    }
}
