//! `fnhost serve`: the HTTP side — the inbox applications post to, health and metrics, and a
//! JSON API over messages and runs (what `fnhost messages` / `fnhost runs` and the history
//! read).
//!
//! Routes: `POST /inbox/{key}` ([`inbox`]), `GET /healthz`, `GET /metrics` (Prometheus text),
//! `GET /api/messages`, `GET /api/messages/{id}`, `GET /api/runs`, `GET /api/runs/{id}`,
//! `POST /api/runs/{id}/cancel`, `POST /api/runs/{id}/retry`. With an API token set, `/api`
//! wants `Authorization: Bearer <token>`.

pub mod inbox;
mod metrics;

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
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
    /// When set, `/api` wants this bearer token.
    pub api_token: Option<String>,
}

/// The server's routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/inbox/{key}", post(inbox::post))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/api/messages", get(list_messages))
        .route("/api/messages/{id}", get(show_message))
        .route("/api/runs", get(list_runs))
        .route("/api/runs/{id}", get(show_run))
        .route("/api/runs/{id}/cancel", post(cancel_run))
        .route("/api/runs/{id}/retry", post(retry_run))
        .with_state(app)
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    match app.runner.store().ping().await {
        Ok(()) => Json(json!({"status": "ok", "node": app.runner.node()})).into_response(),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

fn authorized(app: &App, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(token) = &app.api_token else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given == Some(token.as_str()) {
        Ok(())
    } else {
        Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "the API wants `Authorization: Bearer <token>`",
        )))
    }
}

fn store_error(e: crate::store::StoreError) -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
    before: Option<String>,
    status: Option<String>,
    message: Option<String>,
}

async fn list_messages(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(r) = authorized(&app, &headers) {
        return *r;
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 1000);
    match app
        .runner
        .store()
        .messages(limit, q.before.as_deref())
        .await
    {
        Ok(messages) => {
            let list: Vec<Value> = messages
                .iter()
                .map(|m| {
                    json!({
                        "id": m.id, "inbox": m.inbox, "received_at": m.received_at,
                        "bytes": m.body.len(), "idempotency_key": m.idempotency_key,
                    })
                })
                .collect();
            Json(Value::Array(list)).into_response()
        }
        Err(e) => store_error(e),
    }
}

async fn show_message(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorized(&app, &headers) {
        return *r;
    }
    let store = app.runner.store();
    match store.message(&id).await {
        Ok(Some(m)) => {
            let runs = store.runs(1000, Some(&id), None).await.unwrap_or_default();
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
        "reason": r.reason, "owner": r.owner,
    })
}

async fn list_runs(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(r) = authorized(&app, &headers) {
        return *r;
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 1000);
    match app
        .runner
        .store()
        .runs(limit, q.message.as_deref(), q.status.as_deref())
        .await
    {
        Ok(runs) => Json(runs.iter().map(run_summary).collect::<Vec<_>>()).into_response(),
        Err(e) => store_error(e),
    }
}

async fn show_run(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorized(&app, &headers) {
        return *r;
    }
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
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorized(&app, &headers) {
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
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorized(&app, &headers) {
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
