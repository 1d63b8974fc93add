//! A run's input state, made from what started it, without re-encoding the posted JSON (the
//! body reaches the job as `JSON.parse` reads the text the application sent).

use serde_json::{json, Value};

use crate::store::Message;

/// The input state of a run started by a message: `{data: body}` for a message filter;
/// OpenFn's webhook form `{data: body, request: {method, path, query_params, headers}}` for a
/// webhook trigger (secret headers were removed before the message was stored).
pub fn initial_state(message: &Message, webhook: bool) -> String {
    if !webhook {
        return format!("{{\"data\":{}}}", message.body);
    }
    let headers: Value = serde_json::from_str(&message.headers).unwrap_or_else(|_| json!({}));
    let query: Value = serde_json::from_str(&message.query).unwrap_or_else(|_| json!({}));
    let request = json!({
        "method": message.method,
        "path": message.path,
        "query_params": query,
        "headers": headers,
    });
    format!("{{\"data\":{},\"request\":{}}}", message.body, request)
}

/// The state text with `configuration` set to `configuration` (JSON text). The key is added
/// last, so it wins over one the state may carry (as `JSON.parse` keeps the last duplicate).
/// A state that is not an object is replaced by `{configuration}`, as OpenFn does with a
/// non-object input.
pub fn with_configuration(state: &str, configuration: &str) -> String {
    let trimmed = state.trim_end();
    let body = trimmed.trim_start();
    if !(body.starts_with('{') && trimmed.ends_with('}')) {
        return format!("{{\"configuration\":{configuration}}}");
    }
    let inner = &trimmed[..trimmed.len() - 1];
    let empty = body[1..body.len() - 1].trim().is_empty();
    if empty {
        format!("{{\"configuration\":{configuration}}}")
    } else {
        format!("{inner},\"configuration\":{configuration}}}")
    }
}

/// The step after `step_id` in a workflow file, to resume a run whose last completed step was
/// `step_id`: `Ok(None)` when it has no next step (the run was complete), an error when the
/// next step depends on conditions (a branching workflow is not resumed).
pub fn next_step(path: &std::path::Path, step_id: &str) -> Result<Option<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {} to resume: {e}", path.display()))?;
    let workflow = crate::Workflow::from_json(&text)
        .map_err(|e| format!("cannot read {} to resume: {e}", path.display()))?;
    let step = workflow
        .steps
        .iter()
        .find(|s| s.id.as_deref() == Some(step_id))
        .ok_or_else(|| format!("step {step_id} is no longer in the workflow; not resumed"))?;
    use crate::{Edge, Next};
    let unconditional = |edge: &Edge| match edge {
        Edge::Always(b) => *b,
        Edge::Condition(c) => c == "always",
        Edge::Detailed {
            condition,
            disabled,
            ..
        } => {
            !*disabled
                && match condition {
                    None => true,
                    Some(Value::Bool(b)) => *b,
                    Some(Value::String(c)) => c == "always",
                    Some(_) => false,
                }
        }
    };
    let never = |edge: &Edge| {
        matches!(
            edge,
            Edge::Always(false) | Edge::Detailed { disabled: true, .. }
        ) || matches!(
            edge,
            Edge::Detailed {
                condition: Some(Value::Bool(false)),
                ..
            }
        )
    };
    match &step.next {
        None => Ok(None),
        Some(Next::One(id)) => Ok(Some(id.clone())),
        Some(Next::Many(edges)) => {
            let live: Vec<(&String, &Edge)> = edges.iter().filter(|(_, e)| !never(e)).collect();
            match live.as_slice() {
                [] => Ok(None),
                [(target, edge)] if unconditional(edge) => Ok(Some((*target).clone())),
                _ => Err(format!(
                    "the server stopped after step {step_id}, whose next steps depend on conditions; not resumed"
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_is_added_last() {
        assert_eq!(
            with_configuration(r#"{"data":{"a":1}}"#, r#"{"k":1}"#),
            r#"{"data":{"a":1},"configuration":{"k":1}}"#
        );
        assert_eq!(with_configuration(" { } ", "1"), r#"{"configuration":1}"#);
        assert_eq!(with_configuration("[1]", "1"), r#"{"configuration":1}"#);
        let v: Value =
            serde_json::from_str(&with_configuration(r#"{"configuration":2,"x":1}"#, "3")).unwrap();
        // serde_json keeps the last duplicate, as JSON.parse does
        assert_eq!(v["configuration"], 3);
    }

    #[test]
    fn a_webhook_state_carries_the_request() {
        let m = Message {
            id: "m".into(),
            inbox: "i".into(),
            received_at: 0,
            body: r#"{"n":1e400}"#.into(),
            headers: r#"{"content-type":"application/json"}"#.into(),
            method: "POST".into(),
            path: "/inbox/abcdefgh".into(),
            query: r#"{"a":"1"}"#.into(),
            idempotency_key: None,
        };
        assert_eq!(initial_state(&m, false), r#"{"data":{"n":1e400}}"#);
        let s = initial_state(&m, true);
        assert!(s.starts_with(r#"{"data":{"n":1e400},"request":{"#), "{s}");
        assert!(s.contains(r#""query_params":{"a":"1"}"#), "{s}");
    }
}
