//! `POST /inbox/<key>`: the HTTP contract applications post to.
//!
//! | answer | when |
//! |---|---|
//! | `200 {}` + `x-fnhost-message-id` | stored durably (a repeat with the same idempotency key gets the first id) |
//! | `202 {"message_id"}` | a sync inbox's run did not end within its wait |
//! | `400` | the body is not JSON (with the line and column), or not UTF-8 |
//! | `401` | the inbox wants an API key or Basic credentials that were not given |
//! | `404` | no enabled inbox has this key |
//! | `413` | the body is over the inbox's limit (refused before it is read whole) |
//! | `415` | neither JSON nor a form post |
//! | `503` + `Retry-After` | the store cannot take it now: nothing was stored, post again |

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::App;
use crate::project::{Inbox, InboxAuth, TriggerSpec, DEFAULT_MAX_BODY_BYTES};
use crate::store::{new_id, now_ms, Message, NewRun, Stored};

/// Headers never stored with a message (credentials of the poster or of a proxy).
const SECRET_HEADERS: [&str; 8] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "x-access-token",
];

/// Whether a header may hold a secret: the known ones, and any whose name says so.
pub fn is_secret_header(name: &str, inbox: &Inbox) -> bool {
    let name = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&name.as_str()) {
        return true;
    }
    if let Some(InboxAuth::ApiKey { header, .. }) = &inbox.auth {
        if header.eq_ignore_ascii_case(&name) {
            return true;
        }
    }
    [
        "token",
        "secret",
        "password",
        "signature",
        "session",
        "api-key",
        "apikey",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// A JSON error answer.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

fn ok_empty(message_id: &str, duplicate: bool) -> Response {
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{}",
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(message_id) {
        response.headers_mut().insert("x-fnhost-message-id", v);
    }
    if duplicate {
        response
            .headers_mut()
            .insert("x-fnhost-duplicate", HeaderValue::from_static("true"));
    }
    response
}

/// The handler.
pub async fn post(
    State(app): State<Arc<App>>,
    key: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    // a key that is not UTF-8 once percent-decoded is a wrong URL like any other: 404
    let response = match key {
        Ok(Path(key)) => receive(&app, &key, request).await,
        Err(_) => error(StatusCode::NOT_FOUND, "no inbox at this URL"),
    };
    app.metrics.count_post(response.status().as_u16());
    response
}

async fn receive(app: &App, key: &str, request: Request) -> Response {
    let project = app.runner.project();
    let Some(inbox) = project.inbox_by_key(key).filter(|i| i.enabled) else {
        return error(StatusCode::NOT_FOUND, "no inbox at this URL");
    };
    let (parts, body) = request.into_parts();
    if let Some(denied) = check_auth(inbox, &parts.headers) {
        return denied;
    }
    // a Content-Type that is not visible ASCII names no media type fnhost accepts (it is not
    // "no Content-Type", which means JSON)
    let media = match parts.headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) {
        None => String::new(),
        Some(Ok(v)) => v
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
        Some(Err(_)) => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the Content-Type is not readable text: post JSON (application/json) or a form (application/x-www-form-urlencoded)",
            )
        }
    };
    let form = media == "application/x-www-form-urlencoded";
    let json_like = media.is_empty()
        || media == "application/json"
        || media == "text/json"
        || media == "text/plain"
        || media.ends_with("+json");
    if !form && !json_like {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("`{media}` is not accepted: post JSON (application/json) or a form (application/x-www-form-urlencoded)"),
        );
    }
    let limit = inbox.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit);
    }
    let bytes = match read_limited(body, limit, app.read_timeout).await {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge) => return too_large(limit),
        Err(ReadError::Stalled) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the body stopped arriving for {:?}: nothing was stored",
                    app.read_timeout
                ),
            )
        }
        Err(ReadError::Broken(e)) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the body could not be read: {e}"),
            )
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return error(StatusCode::BAD_REQUEST, "the body is not UTF-8 text");
    };
    let (body, value) = if form {
        let value = form_to_json(text);
        (value.to_string(), value)
    } else {
        if let Err(e) = crate::input::check_json(text) {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({
                    "error": format!("the body is not JSON: {}", e.message),
                    "line": e.line,
                    "column": e.column,
                })),
            )
                .into_response();
        }
        // filters read the body as serde_json does; a body it cannot hold (nested deeper
        // than 128, a number beyond f64) is still stored and given to webhook jobs as posted
        let value = serde_json::from_str(text).unwrap_or(Value::Null);
        (text.to_string(), value)
    };
    let idempotency_key = parts
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| {
            inbox
                .idempotency_path
                .as_deref()
                .and_then(|path| lookup(&value, path))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
        });
    if idempotency_key.as_ref().is_some_and(|k| k.len() > 512) {
        return error(
            StatusCode::BAD_REQUEST,
            "the idempotency key is over 512 bytes",
        );
    }
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        if is_secret_header(name.as_str(), inbox) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_string(), Value::String(value));
            }
        }
    }
    let query: Map<String, Value> = parts
        .uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect()
        })
        .unwrap_or_default();
    let message = Message {
        id: new_id(),
        inbox: inbox.name.clone(),
        received_at: now_ms(),
        body,
        headers: Value::Object(headers).to_string(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: Value::Object(query).to_string(),
        idempotency_key,
    };
    let fifo_key = inbox
        .fifo_key_path
        .as_deref()
        .and_then(|path| lookup(&value, path))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    let runs: Vec<NewRun> = project
        .file
        .jobs
        .iter()
        .filter(|job| job.enabled)
        .filter_map(|job| {
            let trigger = match &job.trigger {
                TriggerSpec::Message {
                    inbox: only,
                    filter,
                } if only.as_ref().is_none_or(|n| n == &inbox.name) && filter.matches(&value) => {
                    "message"
                }
                TriggerSpec::Webhook { inbox: name } if name == &inbox.name => "webhook",
                _ => return None,
            };
            Some(NewRun {
                id: new_id(),
                job: job.name.clone(),
                message_id: Some(message.id.clone()),
                inbox: Some(inbox.name.clone()),
                trigger: trigger.into(),
                attempt: 1,
                not_before: 0,
                fifo_key: fifo_key.clone(),
                ..NewRun::default()
            })
        })
        .collect();
    let waiter = match (inbox.sync, runs.first()) {
        (true, Some(run)) => Some(app.runner.wait_for(&run.id)),
        _ => None,
    };
    match app.runner.store().insert_message(&message, &runs).await {
        Err(e) => {
            eprintln!("fnhost serve: cannot store a message: {e}");
            let mut response = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the message store is unavailable: nothing was stored, post again later",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
        Ok(Stored::Duplicate(first)) => ok_empty(&first, true),
        Ok(Stored::New(id)) => {
            if !runs.is_empty() {
                app.runner.wake();
            }
            match waiter {
                None => ok_empty(&id, false),
                Some(waiter) => {
                    let wait =
                        std::time::Duration::from_secs(inbox.sync_timeout_seconds.unwrap_or(30));
                    match tokio::time::timeout(wait, waiter).await {
                        Ok(Ok(finished)) => sync_answer(&id, finished),
                        _ => {
                            let mut response = (
                                StatusCode::ACCEPTED,
                                axum::Json(json!({ "message_id": id })),
                            )
                                .into_response();
                            if let Ok(v) = HeaderValue::from_str(&id) {
                                response.headers_mut().insert("x-fnhost-message-id", v);
                            }
                            response
                        }
                    }
                }
            }
        }
    }
}

/// A sync inbox's answer: the run's `state.webhookResponse` (`{status, headers, body}`) when
/// it set one, else its final state.
fn sync_answer(message_id: &str, finished: crate::runs::Finished) -> Response {
    let mut response = match finished.final_state.as_deref() {
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the run ended `{}` without a final state", finished.status),
        ),
        Some(text) => {
            let state: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            match state.get("webhookResponse") {
                Some(reply) if reply.is_object() => {
                    let status = reply
                        .get("status")
                        .and_then(Value::as_u64)
                        .and_then(|s| StatusCode::from_u16(s as u16).ok())
                        .unwrap_or(StatusCode::OK);
                    let body = match reply.get("body") {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                    };
                    let mut response = (status, body).into_response();
                    let is_json = !matches!(reply.get("body"), Some(Value::String(_)) | None);
                    if is_json {
                        response.headers_mut().insert(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        );
                    }
                    if let Some(headers) = reply.get("headers").and_then(Value::as_object) {
                        for (k, v) in headers {
                            let value = match v {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            if let (Ok(k), Ok(v)) = (
                                header::HeaderName::from_bytes(k.as_bytes()),
                                HeaderValue::from_str(&value),
                            ) {
                                response.headers_mut().insert(k, v);
                            }
                        }
                    }
                    response
                }
                _ => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    text.to_string(),
                )
                    .into_response(),
            }
        }
    };
    if let Ok(v) = HeaderValue::from_str(message_id) {
        response.headers_mut().insert("x-fnhost-message-id", v);
    }
    response
}

fn too_large(limit: usize) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is over this inbox's limit of {limit} bytes"),
    )
}

/// 401 unless the request carries the inbox's credentials.
fn check_auth(inbox: &Inbox, headers: &HeaderMap) -> Option<Response> {
    match &inbox.auth {
        None => None,
        Some(InboxAuth::ApiKey {
            header: name,
            value,
        }) => {
            let given = headers.get(name.as_str()).map(|v| v.as_bytes());
            if given.is_some_and(|g| constant_time_eq(g, value.as_bytes())) {
                None
            } else {
                Some(error(
                    StatusCode::UNAUTHORIZED,
                    format!("this inbox wants its key in the `{name}` header"),
                ))
            }
        }
        Some(InboxAuth::Basic { username, password }) => {
            use base64::Engine as _;
            let expected =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Basic "))
                .map(str::trim);
            if given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
                None
            } else {
                let mut response = error(
                    StatusCode::UNAUTHORIZED,
                    "this inbox wants Basic credentials",
                );
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"fnhost inbox\""),
                );
                Some(response)
            }
        }
    }
}

/// Compares without stopping at the first difference (the key is a secret).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

enum ReadError {
    TooLarge,
    /// No byte came for the read timeout.
    Stalled,
    Broken(String),
}

/// Reads a body up to `limit` bytes, stopping as soon as it is over, or when nothing arrives
/// for `pause`.
async fn read_limited(
    mut body: Body,
    limit: usize,
    pause: std::time::Duration,
) -> Result<Vec<u8>, ReadError> {
    use http_body_util::BodyExt;
    let mut out = Vec::new();
    loop {
        let Ok(frame) = tokio::time::timeout(pause, body.frame()).await else {
            return Err(ReadError::Stalled);
        };
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|e| ReadError::Broken(e.to_string()))?;
        if let Ok(chunk) = frame.into_data() {
            if out.len() + chunk.len() > limit {
                return Err(ReadError::TooLarge);
            }
            out.extend_from_slice(&chunk);
        }
    }
    Ok(out)
}

/// A form post as a JSON object: each field a string, a repeated field an array of them.
pub fn form_to_json(text: &str) -> Value {
    let mut map = Map::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        let v = Value::String(v.into_owned());
        match map.get_mut(k.as_ref()) {
            Some(Value::Array(items)) => items.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
            None => {
                map.insert(k.into_owned(), v);
            }
        }
    }
    Value::Object(map)
}

/// The value at a dotted path (`body._uuid`); a key holding dots is matched whole first.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = value.get(path) {
        return Some(v);
    }
    let (head, rest) = path.split_once('.')?;
    let next = match value {
        Value::Object(map) => map.get(head)?,
        Value::Array(items) => items.get(head.parse::<usize>().ok()?)?,
        _ => return None,
    };
    lookup(next, rest)
}
