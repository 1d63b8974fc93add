//! `fnhost serve`: the HTTP side — the inbox applications post to, health and metrics, and a
//! JSON API over messages and runs (what `fnhost messages` / `fnhost runs` and the history
//! read).
//!
//! Routes: `POST /inbox/{key}` ([`inbox`]), `GET /healthz`, `GET /metrics` (Prometheus text),
//! `GET /api/v1/messages`, `GET /api/v1/messages/{id}`, `GET /api/v1/runs`,
//! `GET /api/v1/runs/{id}`, `POST /api/v1/runs/{id}/cancel`, `POST /api/v1/runs/{id}/retry`,
//! and the history UI at `/` ([`ui`]). Everything but the inbox, health, metrics and the
//! sign-in page wants a signed-in user or an API token ([`auth`]).

pub mod auth;
pub mod inbox;
pub mod listen;
mod metrics;
pub mod ui;

use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub use metrics::Metrics;

use crate::runs::Runner;
use crate::store::{new_id, now_ms, NewRun};
use inbox::error;

/// What the handlers share.
pub struct App {
    /// Executes runs; holds the store and the project.
    pub runner: Arc<Runner>,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
    /// Who may do what ([`auth`]).
    pub auth: auth::AuthConfig,
    /// The CSRF token of the UI's forms under `--no-auth` (random per process).
    pub local_csrf: String,
    /// The credential store's key, when the server has one.
    pub vault: Option<crate::credentials::Vault>,
    /// The longest pause allowed in a request body (and for a request's head, in [`listen`]).
    pub read_timeout: std::time::Duration,
}

/// The server's routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/inbox/{key}", post(inbox::post))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/api/v1/messages", get(list_messages))
        .route("/api/v1/messages/{id}", get(show_message))
        .route("/api/v1/runs", get(list_runs))
        .route("/api/v1/runs/{id}", get(show_run))
        .route("/api/v1/runs/{id}/cancel", post(cancel_run))
        .route("/api/v1/runs/{id}/retry", post(retry_run))
        .merge(ui::routes())
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::middleware,
        ))
        .with_state(app)
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    match app.runner.store().ping().await {
        Ok(()) => Json(json!({"status": "ok", "node": app.runner.node()})).into_response(),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

fn store_error(e: crate::store::StoreError) -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
    status: Option<String>,
    message: Option<String>,
    /// The previous page's `x-next-cursor`: runs older than that one.
    before: Option<String>,
}

async fn list_messages(State(app): State<Arc<App>>, Query(q): Query<ui::SearchParams>) -> Response {
    let query = match q.to_query(50) {
        Ok(query) => query,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match app.runner.store().search_messages(&query).await {
        Ok(page) => {
            let list: Vec<Value> = page
                .messages
                .iter()
                .map(|m| {
                    json!({
                        "id": m.id, "inbox": m.inbox, "received_at": m.received_at,
                        "bytes": m.body.len(), "idempotency_key": m.idempotency_key,
                    })
                })
                .collect();
            let mut response = Json(Value::Array(list)).into_response();
            // the next page: `?before=<cursor>` with the same search
            if let Some(next) = page.next.and_then(|n| n.parse().ok()) {
                response.headers_mut().insert("x-next-cursor", next);
            }
            // a search reads a bounded window of messages per page: how many, and whether it
            // stopped there before filling the page
            if query.text.is_some() || query.fragment.is_some() {
                let headers = response.headers_mut();
                headers.insert("x-scanned", page.scanned.into());
                if page.scan_bound_hit {
                    headers.insert(
                        "x-scan-bound-hit",
                        axum::http::HeaderValue::from_static("true"),
                    );
                }
            }
            response
        }
        Err(e) => store_error(e),
    }
}

async fn show_message(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let store = app.runner.store();
    match store.message(&id).await {
        Ok(Some(m)) => {
            let runs = store
                .runs(1000, Some(&id), None, None)
                .await
                .unwrap_or_default();
            Json(message_json(&m, &runs)).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no message {id}")),
        Err(e) => store_error(e),
    }
}

/// A message with its runs, as the API and the CLI show it.
pub fn message_json(m: &crate::store::Message, runs: &[crate::store::Run]) -> Value {
    json!({
        "id": m.id,
        "inbox": m.inbox,
        "received_at": m.received_at,
        "method": m.method,
        "path": m.path,
        "query": serde_json::from_str::<Value>(&m.query).unwrap_or(Value::Null),
        "headers": serde_json::from_str::<Value>(&m.headers).unwrap_or(Value::Null),
        "idempotency_key": m.idempotency_key,
        "body": serde_json::from_str::<Value>(&m.body).unwrap_or_else(|_| Value::String(m.body.clone())),
        "runs": runs.iter().map(run_summary).collect::<Vec<_>>(),
    })
}

/// A run's row without its states.
pub fn run_summary(r: &crate::store::Run) -> Value {
    json!({
        "id": r.id, "job": r.job, "status": r.status, "trigger": r.trigger,
        "message_id": r.message_id, "parent_run": r.parent_run, "attempt": r.attempt,
        "created_at": r.created_at, "started_at": r.started_at, "finished_at": r.finished_at,
        "reason": r.reason, "owner": r.owner, "peak_heap_bytes": r.peak_heap_bytes,
    })
}

async fn list_runs(State(app): State<Arc<App>>, Query(q): Query<ListQuery>) -> Response {
    let limit = q.limit.unwrap_or(50).clamp(1, 1000);
    match app
        .runner
        .store()
        .runs(
            limit,
            q.message.as_deref(),
            q.status.as_deref(),
            q.before.as_deref().filter(|b| !b.is_empty()),
        )
        .await
    {
        Ok(runs) => {
            let next = (runs.len() as i64 == limit)
                .then(|| runs.last().map(|r| r.id.clone()))
                .flatten();
            let mut response =
                Json(runs.iter().map(run_summary).collect::<Vec<_>>()).into_response();
            // the next page: `?before=<cursor>` with the same filters
            if let Some(next) = next.and_then(|n| n.parse().ok()) {
                response.headers_mut().insert("x-next-cursor", next);
            }
            response
        }
        Err(e) => store_error(e),
    }
}

async fn show_run(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match run_json(app.runner.store(), &id).await {
        Ok(Some(v)) => Json(v).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no run {id}")),
        Err(e) => store_error(e),
    }
}

/// A run with its states, steps and logs, as the API and the CLI show it.
pub async fn run_json(
    store: &crate::store::Store,
    id: &str,
) -> Result<Option<Value>, crate::store::StoreError> {
    let Some(run) = store.run(id).await? else {
        return Ok(None);
    };
    let steps = store.steps(id).await?;
    let logs = store.logs(id).await?;
    let parse = |s: &Option<String>| {
        s.as_deref()
            .map(|t| serde_json::from_str::<Value>(t).unwrap_or_else(|_| Value::String(t.into())))
    };
    let mut v = run_summary(&run);
    v["input_state"] = json!(parse(&run.input_state));
    v["final_state"] = json!(parse(&run.final_state));
    v["start_step"] = json!(run.start_step);
    v["recoveries"] = json!(run.recoveries);
    v["steps"] = Value::Array(
        steps
            .iter()
            .map(|s| json!({"seq": s.seq, "step": s.step_id, "output_state": parse(&s.output_state), "finished_at": s.finished_at}))
            .collect(),
    );
    v["logs"] = json!(logs);
    Ok(Some(v))
}

async fn cancel_run(
    State(app): State<Arc<App>>,
    Extension(principal): Extension<auth::Principal>,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = principal.require(auth::Role::Editor) {
        return *r;
    }
    match app.runner.store().request_cancel(&id).await {
        Ok(true) => {
            app.runner.cancel_local(&id);
            Json(json!({"id": id, "cancel": "requested"})).into_response()
        }
        Ok(false) => error(
            StatusCode::CONFLICT,
            format!("run {id} is not queued or running"),
        ),
        Err(e) => store_error(e),
    }
}

async fn retry_run(
    State(app): State<Arc<App>>,
    Extension(principal): Extension<auth::Principal>,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = principal.require(auth::Role::Editor) {
        return *r;
    }
    match retry(app.runner.store(), &id).await {
        Ok(Some(new)) => {
            app.runner.wake();
            (
                StatusCode::CREATED,
                Json(json!({"id": new, "retry_of": id})),
            )
                .into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no finished run {id}")),
        Err(e) => store_error(e),
    }
}

/// Enqueues a new run repeating a finished one (same job, message and input); its id.
pub async fn retry(
    store: &crate::store::Store,
    id: &str,
) -> Result<Option<String>, crate::store::StoreError> {
    let Some(run) = store.run(id).await? else {
        return Ok(None);
    };
    if run.finished_at.is_none() {
        return Ok(None);
    }
    let new = NewRun {
        id: new_id(),
        job: run.job.clone(),
        message_id: run.message_id.clone(),
        inbox: run.inbox.clone(),
        trigger: run.trigger.clone(),
        parent_run: Some(run.id.clone()),
        input_state: if run.start_step.is_some() {
            None
        } else {
            run.input_state.clone()
        },
        attempt: run.attempt + 1,
        not_before: now_ms(),
        fifo_key: run.fifo_key.clone(),
    };
    store.enqueue(&new).await?;
    Ok(Some(new.id))
}
