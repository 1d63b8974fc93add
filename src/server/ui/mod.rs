//! The history UI: server-rendered pages over the store (minijinja templates and static
//! assets embedded in the binary; no build step). Everything reads without JavaScript; a
//! little plain JS adds the live log (SSE), copy buttons and the filter preview's typing.
//!
//! Pages: `/` (inboxes with their URL and the last day's traffic), `/messages` (search by
//! content, JSON fragment, inbox and date range; keyset paging), `/messages/{id}` (the body,
//! headers and runs), `/runs` and `/runs/{id}` (status, duration, adaptor, steps, logs, input
//! and output state side by side with a diff), `/runs/{id}/events` (the log as server-sent
//! events while the run goes), `/filters` (which recent messages a fragment would match),
//! `/login`, `/account` (the user's API token). Editors may re-run a message, re-run a run
//! from a chosen step with the cached upstream state, retry and cancel.

mod diff;

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Environment};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::{self, Principal, Role};
use super::App;
use crate::store::{new_id, now_ms, Message, MessageQuery, NewRun, Run};

pub use diff::{diff_states, Change};

/// Rows a JSON-fragment search reads for one page before handing back a cursor.
pub const SCAN_LIMIT: usize = 20_000;

/// The UI's routes (mounted by [`super::router`] behind the auth middleware).
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(home))
        .route("/messages", get(messages))
        .route("/messages/{id}", get(message))
        .route("/messages/{id}/rerun", post(rerun_message))
        .route("/runs", get(runs))
        .route("/runs/{id}", get(run))
        .route("/runs/{id}/events", get(run_events))
        .route("/runs/{id}/cancel", post(cancel))
        .route("/runs/{id}/retry", post(retry))
        .route("/runs/{id}/rerun-from", post(rerun_from))
        .route("/filters", get(filters))
        .route("/filters/save", post(save_filter))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/token", post(new_token))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in [
            ("base.html", include_str!("templates/base.html")),
            ("home.html", include_str!("templates/home.html")),
            ("messages.html", include_str!("templates/messages.html")),
            ("message.html", include_str!("templates/message.html")),
            ("runs.html", include_str!("templates/runs.html")),
            ("run.html", include_str!("templates/run.html")),
            ("filters.html", include_str!("templates/filters.html")),
            ("login.html", include_str!("templates/login.html")),
            ("account.html", include_str!("templates/account.html")),
            ("error.html", include_str!("templates/error.html")),
        ] {
            env.add_template(name, text)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env.add_filter("time", |ms: Option<i64>| {
            ms.map(format_time).unwrap_or_default()
        });
        env
    })
}

/// `ms` (epoch) as `2026-12-04 17:18:06.123Z`.
pub fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

fn render(name: &str, ctx: minijinja::Value) -> Response {
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render {name}: {e:#}"),
        )
            .into_response(),
    }
}

fn page_error(status: StatusCode, message: impl Into<String>) -> Response {
    let mut r = render(
        "error.html",
        context! { title => status.canonical_reason().unwrap_or("error"), message => message.into(), user => Value::Null },
    );
    *r.status_mut() = status;
    r
}

fn store_error(e: crate::store::StoreError) -> Response {
    page_error(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
}

/// What every page's layout needs: who is signed in and their form token.
fn who(principal: &Principal, app: &App) -> minijinja::Value {
    minijinja::Value::from_serialize(serde_json::json!({
        "name": principal.user,
        "role": principal.role.name(),
        "can_edit": principal.role >= Role::Editor,
        "csrf": auth::csrf_for(principal, app),
        "signed_in": !app.auth.disabled,
    }))
}

/// The text of a JSON document pretty-printed (kept as is when it is not JSON).
fn pretty(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

/// Values of credentials a page must never show (the project's inline ones and the store's).
async fn secrets(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    let project = app.runner.project();
    for value in project.file.credentials.values() {
        crate::credentials::secret_strings(value, &mut out);
    }
    if let Some(vault) = &app.vault {
        if let Ok(values) = vault.all_values(app.runner.store()).await {
            for v in values {
                crate::credentials::secret_strings(&v, &mut out);
            }
        }
    }
    out
}

async fn home(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let project = app.runner.project();
    let traffic = match app.runner.store().traffic(now_ms() - 86_400_000).await {
        Ok(t) => t,
        Err(e) => return store_error(e),
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:4000");
    let inboxes: Vec<Value> = project
        .file
        .inboxes
        .iter()
        .map(|i| {
            let t = traffic.iter().find(|t| t.inbox == i.name);
            serde_json::json!({
                "name": i.name,
                "url": format!("http://{host}/inbox/{}", i.key),
                "enabled": i.enabled,
                "sync": i.sync,
                "count": t.map(|t| t.count).unwrap_or(0),
                "last": t.and_then(|t| t.last),
            })
        })
        .collect();
    let jobs: Vec<Value> = project
        .file
        .jobs
        .iter()
        .map(|j| serde_json::json!({"name": j.name, "adaptor": j.adaptor, "enabled": j.enabled, "trigger": format!("{:?}", j.trigger)}))
        .collect();
    render(
        "home.html",
        context! { user => who(&p, &app), inboxes => inboxes, jobs => jobs },
    )
}

/// A message search as the page's form and the API's query string give it.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SearchParams {
    /// Text the body contains.
    #[serde(default)]
    pub q: Option<String>,
    /// A JSON fragment the body contains.
    #[serde(default)]
    pub contains: Option<String>,
    /// The inbox.
    #[serde(default)]
    pub inbox: Option<String>,
    /// From this date/time (`2026-12-04`, `2026-12-04T10:00`, RFC 3339, or epoch ms).
    #[serde(default)]
    pub from: Option<String>,
    /// Before this date/time (same forms; a bare date means the end of that day).
    #[serde(default)]
    pub to: Option<String>,
    /// The previous page's cursor.
    #[serde(default)]
    pub before: Option<String>,
    /// Messages per page.
    #[serde(default)]
    pub limit: Option<usize>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `text` as epoch ms: a bare date is its start (or, with `end_of_day`, the next day's start).
fn parse_time(text: &str, end_of_day: bool) -> Result<i64, String> {
    use chrono::{NaiveDate, NaiveDateTime};
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let d = if end_of_day {
            d.succ_opt().unwrap_or(d)
        } else {
            d
        };
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp_millis());
    }
    Err(format!(
        "`{text}` is not a date: use 2026-12-04, 2026-12-04T10:30 (UTC) or RFC 3339"
    ))
}

impl SearchParams {
    /// The store query, or what is wrong with the parameters.
    pub fn to_query(&self, default_limit: usize) -> Result<MessageQuery, String> {
        let fragment = match non_empty(&self.contains) {
            Some(text) => Some(
                serde_json::from_str::<Value>(&text)
                    .map_err(|e| format!("the JSON fragment is not JSON: {e}"))?,
            ),
            None => None,
        };
        Ok(MessageQuery {
            inbox: non_empty(&self.inbox),
            text: non_empty(&self.q),
            fragment,
            from_ms: non_empty(&self.from)
                .map(|t| parse_time(&t, false))
                .transpose()?,
            to_ms: non_empty(&self.to)
                .map(|t| parse_time(&t, true))
                .transpose()?,
            before: non_empty(&self.before),
            limit: self.limit.unwrap_or(default_limit).clamp(1, 1000),
            scan_limit: SCAN_LIMIT,
        })
    }

    /// This search's query string with `before` set to `cursor`.
    fn with_cursor(&self, cursor: &str) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("contains", &self.contains),
            ("inbox", &self.inbox),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = non_empty(v) {
                s.append_pair(k, &v);
            }
        }
        if let Some(limit) = self.limit {
            s.append_pair("limit", &limit.to_string());
        }
        s.append_pair("before", cursor);
        s.finish()
    }
}

fn message_row(m: &Message, secrets: &[String]) -> Value {
    let preview: String = m.body.chars().take(160).collect();
    serde_json::json!({
        "id": m.id,
        "inbox": m.inbox,
        "received_at": m.received_at,
        "bytes": m.body.len(),
        "preview": crate::credentials::scrub(&preview, secrets),
    })
}

async fn messages(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Query(params): Query<SearchParams>,
) -> Response {
    let project = app.runner.project();
    let inboxes: Vec<String> = project
        .file
        .inboxes
        .iter()
        .map(|i| i.name.clone())
        .collect();
    let query = match params.to_query(50) {
        Ok(q) => q,
        Err(e) => {
            let mut r = render(
                "messages.html",
                context! { user => who(&p, &app), params => &params, inboxes => inboxes, error => e, rows => Vec::<Value>::new() },
            );
            *r.status_mut() = StatusCode::BAD_REQUEST;
            return r;
        }
    };
    let started = std::time::Instant::now();
    let page = match app.runner.store().search_messages(&query).await {
        Ok(p) => p,
        Err(e) => return store_error(e),
    };
    let secrets = secrets(&app).await;
    let rows: Vec<Value> = page
        .messages
        .iter()
        .map(|m| message_row(m, &secrets))
        .collect();
    render(
        "messages.html",
        context! {
            user => who(&p, &app),
            params => &params,
            inboxes => inboxes,
            rows => rows,
            next => page.next.as_deref().map(|c| params.with_cursor(c)),
            scanned => page.scanned,
            bound_hit => page.scan_bound_hit,
            search => query.fragment.is_some() || query.text.is_some(),
            took_ms => started.elapsed().as_millis() as u64,
        },
    )
}

fn run_row(r: &Run, project: &crate::project::Project) -> Value {
    let duration = match (r.started_at, r.finished_at) {
        (Some(s), Some(f)) => Some(f - s),
        (Some(s), None) => Some(now_ms() - s),
        _ => None,
    };
    serde_json::json!({
        "id": r.id,
        "job": r.job,
        "status": r.status,
        "trigger": r.trigger,
        "attempt": r.attempt,
        "message_id": r.message_id,
        "parent_run": r.parent_run,
        "created_at": r.created_at,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "duration_ms": duration,
        "reason": r.reason,
        "start_step": r.start_step,
        "adaptor": project.job(&r.job).and_then(|j| j.adaptor.clone()).map(|a| adaptor_version(&a)),
        "running": r.finished_at.is_none(),
        "peak_heap": r.peak_heap_bytes.map(heap_mb),
    })
}

/// Bytes of heap as the UI shows them: `12.3 MB`.
fn heap_mb(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// An adaptor spec as the UI shows it: `name@version`, or `name (local path)` for a path.
fn adaptor_version(spec: &str) -> String {
    match spec.split_once('=') {
        Some((name, path)) => {
            // a package directory: its package.json names the version
            let version = std::fs::read_to_string(std::path::Path::new(path).join("package.json"))
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v["version"].as_str().map(str::to_string));
            match version {
                Some(v) => format!("{name}@{v}"),
                None => format!("{name} ({path})"),
            }
        }
        None => spec.to_string(),
    }
}

async fn message(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    let store = app.runner.store();
    let m = match store.message(&id).await {
        Ok(Some(m)) => m,
        Ok(None) => return page_error(StatusCode::NOT_FOUND, format!("no message {id}")),
        Err(e) => return store_error(e),
    };
    let runs = match store.runs(1000, Some(&id), None, None).await {
        Ok(r) => r,
        Err(e) => return store_error(e),
    };
    let project = app.runner.project();
    let secrets = secrets(&app).await;
    let scrub = |t: String| crate::credentials::scrub(&t, &secrets);
    let jobs: Vec<String> = project
        .file
        .jobs
        .iter()
        .filter(|j| j.enabled)
        .map(|j| j.name.clone())
        .collect();
    render(
        "message.html",
        context! {
            user => who(&p, &app),
            m => serde_json::json!({
                "id": m.id, "inbox": m.inbox, "received_at": m.received_at, "method": m.method,
                "path": m.path, "idempotency_key": m.idempotency_key, "bytes": m.body.len(),
                "body": scrub(pretty(&m.body)), "headers": scrub(pretty(&m.headers)), "query": scrub(pretty(&m.query)),
            }),
            runs => runs.iter().map(|r| run_row(r, &project)).collect::<Vec<_>>(),
            jobs => jobs,
        },
    )
}

#[derive(Deserialize)]
struct RunsParams {
    status: Option<String>,
    limit: Option<i64>,
    /// The previous page's last run id.
    before: Option<String>,
}

async fn runs(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Query(q): Query<RunsParams>,
) -> Response {
    let status = non_empty(&q.status);
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let before = non_empty(&q.before);
    let list = match app
        .runner
        .store()
        .runs(limit, None, status.as_deref(), before.as_deref())
        .await
    {
        Ok(r) => r,
        Err(e) => return store_error(e),
    };
    let project = app.runner.project();
    // a full page may have older runs after it
    let next = (list.len() as i64 == limit)
        .then(|| list.last().map(|r| r.id.clone()))
        .flatten();
    render(
        "runs.html",
        context! {
            user => who(&p, &app),
            runs => list.iter().map(|r| run_row(r, &project)).collect::<Vec<_>>(),
            next => next,
            status => status,
            statuses => ["queued", "started", "success", "failed", "crashed", "cancelled", "timeout", "oom", "state_too_large"],
        },
    )
}

async fn run(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    let store = app.runner.store();
    let r = match store.run(&id).await {
        Ok(Some(r)) => r,
        Ok(None) => return page_error(StatusCode::NOT_FOUND, format!("no run {id}")),
        Err(e) => return store_error(e),
    };
    let (steps, logs) = match (store.steps(&id).await, store.logs(&id).await) {
        (Ok(s), Ok(l)) => (s, l),
        (Err(e), _) | (_, Err(e)) => return store_error(e),
    };
    let secrets = secrets(&app).await;
    let scrub = |t: &str| crate::credentials::scrub(t, &secrets);
    // the input state as the job received it: the stored one, or the one built from the message
    let input = match (&r.input_state, &r.message_id) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(mid)) => match store.message(mid).await {
            Ok(Some(m)) => Some(crate::runs::initial_state(&m, r.trigger == "webhook")),
            _ => None,
        },
        _ => None,
    };
    let input_v = input
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    let output_v = r
        .final_state
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    let changes = match (&input_v, &output_v) {
        (Some(a), Some(b)) => diff_states(a, b),
        _ => Vec::new(),
    };
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "kind": c.kind, "path": c.path,
                "before": c.before.as_ref().map(|v| scrub(&v.to_string())),
                "after": c.after.as_ref().map(|v| scrub(&v.to_string())),
            })
        })
        .collect();
    let project = app.runner.project();
    // steps a re-run may start from: those of the workflow, each with the cached state it
    // would start with (the output of the step before it in this run)
    let mut rerun_steps = Vec::new();
    if let Some(crate::project::JobSource::Workflow(path)) = project.sources.get(&r.job) {
        if let Ok(w) = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| crate::Workflow::from_json(&t).map_err(|e| e.to_string()))
        {
            for (i, s) in w.steps.iter().enumerate() {
                if let Some(sid) = &s.id {
                    let cached = i == 0
                        || steps.iter().any(|done| {
                            w.steps.get(i - 1).and_then(|prev| prev.id.as_ref())
                                == Some(&done.step_id)
                        });
                    rerun_steps.push(serde_json::json!({"id": sid, "cached": cached}));
                }
            }
        }
    }
    render(
        "run.html",
        context! {
            user => who(&p, &app),
            r => run_row(&r, &project),
            input => input.as_deref().map(|t| scrub(&pretty(t))),
            output => r.final_state.as_deref().map(|t| scrub(&pretty(t))),
            changes => changes,
            steps => steps.iter().map(|s| serde_json::json!({
                "seq": s.seq, "step": s.step_id, "finished_at": s.finished_at,
                "output": s.output_state.as_deref().map(|t| scrub(&pretty(t))),
            })).collect::<Vec<_>>(),
            logs => logs.iter().map(|l| serde_json::json!({
                "seq": l.seq, "at": l.at, "level": l.level, "source": l.source, "message": scrub(&l.message),
            })).collect::<Vec<_>>(),
            last_seq => logs.last().map(|l| l.seq).unwrap_or(-1),
            rerun_steps => rerun_steps,
            cancellable => matches!(r.status.as_str(), "queued" | "started"),
        },
    )
}

/// The run's log as server-sent events: `log` events (JSON lines) from `?after=SEQ` (or
/// `Last-Event-ID`) on, polled from the store every 200 ms, then one `end` event with the
/// run's status.
async fn run_events(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(q): Query<EventsParams>,
    headers: HeaderMap,
) -> Response {
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .or(q.after)
        .unwrap_or(-1);
    match app.runner.store().run(&id).await {
        Ok(Some(_)) => {}
        Ok(None) => return page_error(StatusCode::NOT_FOUND, format!("no run {id}")),
        Err(e) => return store_error(e),
    }
    let secrets = secrets(&app).await;
    let state = (app, id, after, false, secrets);
    let stream = futures_util::stream::unfold(
        state,
        |(app, id, after, done, secrets)| async move {
            if done {
                return None;
            }
            let store = app.runner.store();
            loop {
                let run = store.run(&id).await.ok().flatten();
                let finished = run.as_ref().is_none_or(|r| r.finished_at.is_some());
                let lines = store.logs_after(&id, after).await.unwrap_or_default();
                if !lines.is_empty() {
                    let mut events = Vec::new();
                    let mut last = after;
                    for l in &lines {
                        last = l.seq;
                        let data = serde_json::json!({
                            "seq": l.seq, "at": format_time(l.at), "level": l.level, "source": l.source,
                            "message": crate::credentials::scrub(&l.message, &secrets),
                        });
                        events.push(Ok::<Event, Infallible>(
                            Event::default()
                                .event("log")
                                .id(l.seq.to_string())
                                .data(data.to_string()),
                        ));
                    }
                    return Some((
                        futures_util::stream::iter(events),
                        (app, id, last, false, secrets),
                    ));
                }
                if finished {
                    let status = run.map(|r| r.status).unwrap_or_else(|| "gone".into());
                    let end = vec![Ok(Event::default().event("end").data(status))];
                    return Some((
                        futures_util::stream::iter(end),
                        (app, id, after, true, secrets),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        },
    );
    use futures_util::StreamExt;
    Sse::new(stream.flatten())
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[derive(Deserialize)]
struct EventsParams {
    after: Option<i64>,
}

fn form(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn cancel(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = p.require(Role::Editor) {
        return *r;
    }
    match app.runner.store().request_cancel(&id).await {
        Ok(true) => {
            app.runner.cancel_local(&id);
            Redirect::to(&format!("/runs/{id}")).into_response()
        }
        Ok(false) => page_error(
            StatusCode::CONFLICT,
            format!("run {id} is not queued or running"),
        ),
        Err(e) => store_error(e),
    }
}

async fn retry(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = p.require(Role::Editor) {
        return *r;
    }
    match super::retry(app.runner.store(), &id).await {
        Ok(Some(new)) => {
            app.runner.wake();
            Redirect::to(&format!("/runs/{new}")).into_response()
        }
        Ok(None) => page_error(StatusCode::CONFLICT, format!("run {id} has not finished")),
        Err(e) => store_error(e),
    }
}

/// Re-runs a message through a job (the form's `job`; every job its filters chose when none).
async fn rerun_message(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = p.require(Role::Editor) {
        return *r;
    }
    let form = form(&body);
    let store = app.runner.store();
    let m = match store.message(&id).await {
        Ok(Some(m)) => m,
        Ok(None) => return page_error(StatusCode::NOT_FOUND, format!("no message {id}")),
        Err(e) => return store_error(e),
    };
    let Some(job) = field(&form, "job").filter(|j| !j.is_empty()) else {
        return page_error(
            StatusCode::BAD_REQUEST,
            "choose a job to re-run the message with",
        );
    };
    let project = app.runner.project();
    let Some(spec) = project.job(job) else {
        return page_error(StatusCode::BAD_REQUEST, format!("no job named `{job}`"));
    };
    let webhook = matches!(spec.trigger, crate::project::TriggerSpec::Webhook { .. });
    let run = NewRun {
        id: new_id(),
        job: job.to_string(),
        message_id: Some(m.id.clone()),
        inbox: Some(m.inbox.clone()),
        trigger: if webhook {
            "webhook".into()
        } else {
            "manual".into()
        },
        parent_run: None,
        input_state: Some(crate::runs::initial_state(&m, webhook)),
        attempt: 1,
        not_before: now_ms(),
        fifo_key: None,
    };
    match store.enqueue(&run).await {
        Ok(()) => {
            app.runner.wake();
            Redirect::to(&format!("/runs/{}", run.id)).into_response()
        }
        Err(e) => store_error(e),
    }
}

/// Re-runs a workflow run from a chosen step, with the output its previous step left in the
/// run (the cached upstream state) as that step's input.
async fn rerun_from(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = p.require(Role::Editor) {
        return *r;
    }
    let form = form(&body);
    let Some(step) = field(&form, "step").filter(|s| !s.is_empty()) else {
        return page_error(StatusCode::BAD_REQUEST, "choose a step to start from");
    };
    match rerun_from_step(&app, &id, step).await {
        Ok(new) => {
            app.runner.wake();
            Redirect::to(&format!("/runs/{new}")).into_response()
        }
        Err((status, message)) => page_error(status, message),
    }
}

/// Enqueues a new run of run `id`'s workflow starting at `step` with the cached upstream
/// state; its id.
pub async fn rerun_from_step(
    app: &App,
    id: &str,
    step: &str,
) -> Result<String, (StatusCode, String)> {
    let store = app.runner.store();
    let unavailable =
        |e: crate::store::StoreError| (StatusCode::SERVICE_UNAVAILABLE, e.to_string());
    let r = store
        .run(id)
        .await
        .map_err(unavailable)?
        .ok_or((StatusCode::NOT_FOUND, format!("no run {id}")))?;
    if r.finished_at.is_none() {
        return Err((StatusCode::CONFLICT, format!("run {id} has not finished")));
    }
    let project = app.runner.project();
    let Some(crate::project::JobSource::Workflow(path)) = project.sources.get(&r.job) else {
        return Err((
            StatusCode::BAD_REQUEST,
            format!(
                "job `{}` is not a workflow: re-run the message instead",
                r.job
            ),
        ));
    };
    let workflow = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| crate::Workflow::from_json(&t).map_err(|e| e.to_string()))
        .map_err(|e| {
            (
                StatusCode::CONFLICT,
                format!("cannot read the workflow: {e}"),
            )
        })?;
    let index = workflow
        .steps
        .iter()
        .position(|s| s.id.as_deref() == Some(step))
        .ok_or((
            StatusCode::BAD_REQUEST,
            format!("the workflow has no step `{step}`"),
        ))?;
    let input = if index == 0 {
        None
    } else {
        let previous = workflow.steps[index - 1].id.clone().unwrap_or_default();
        let steps = store.steps(id).await.map_err(unavailable)?;
        let cached = steps.iter().rev().find(|s| s.step_id == previous).ok_or((
            StatusCode::CONFLICT,
            format!(
                "run {id} has no cached output of step `{previous}` (the step before `{step}`)"
            ),
        ))?;
        Some(cached.output_state.clone().unwrap_or_else(|| "{}".into()))
    };
    let input = match input {
        Some(i) => i,
        None => match (&r.input_state, &r.message_id) {
            (Some(s), _) => s.clone(),
            (None, Some(mid)) => {
                let m = store
                    .message(mid)
                    .await
                    .map_err(unavailable)?
                    .ok_or((StatusCode::CONFLICT, format!("message {mid} is gone")))?;
                crate::runs::initial_state(&m, r.trigger == "webhook")
            }
            (None, None) => r#"{"data":{}}"#.into(),
        },
    };
    let new = NewRun {
        id: new_id(),
        job: r.job.clone(),
        message_id: r.message_id.clone(),
        inbox: r.inbox.clone(),
        trigger: "manual".into(),
        parent_run: Some(r.id.clone()),
        input_state: Some(input),
        attempt: 1,
        not_before: now_ms(),
        fifo_key: r.fifo_key.clone(),
    };
    store
        .enqueue_from_step(&new, step)
        .await
        .map_err(unavailable)?;
    Ok(new.id)
}

#[derive(Deserialize)]
struct FilterParams {
    inclusion: Option<String>,
    exclusion: Option<String>,
    inbox: Option<String>,
    limit: Option<usize>,
    /// The job whose filter was just saved (after a save).
    saved: Option<String>,
}

/// Saves the previewed fragments as a message-triggered job's filter in the project file
/// (an editor's action): only that value's text changes (see [`crate::project::set_message_filter`]),
/// the file is replaced atomically and the running project takes it at once. Refused with 409
/// when the file changed since the page was rendered (`base`, its SHA-256).
async fn save_filter(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> Response {
    if let Err(r) = p.require(Role::Editor) {
        return *r;
    }
    let form = form(&body);
    let Some(job) = field(&form, "job").filter(|j| !j.is_empty()) else {
        return page_error(
            StatusCode::BAD_REQUEST,
            "choose the job whose filter to replace",
        );
    };
    let fragment = |name: &str| -> Result<Option<Value>, String> {
        match field(&form, name).map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => serde_json::from_str(t)
                .map(Some)
                .map_err(|e| format!("the {name} fragment is not JSON: {e}")),
            None => Ok(None),
        }
    };
    let (inclusion, exclusion) = match (fragment("inclusion"), fragment("exclusion")) {
        (Ok(Some(i)), Ok(e)) => (i, e),
        (Ok(None), Ok(_)) => {
            return page_error(
                StatusCode::BAD_REQUEST,
                "a filter needs an inclusion fragment",
            )
        }
        (Err(e), _) | (_, Err(e)) => return page_error(StatusCode::BAD_REQUEST, e),
    };
    let project = app.runner.project();
    let path = project.path.clone();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            return page_error(
                StatusCode::CONFLICT,
                format!("cannot read the project file {}: {e}", path.display()),
            )
        }
    };
    if field(&form, "base") != Some(auth::sha256_hex(&text).as_str()) {
        return page_error(
            StatusCode::CONFLICT,
            "the project file changed since this page was opened: preview the filter again, then save",
        );
    }
    let filter = crate::triggers::MessageFilter {
        inclusion,
        exclusion,
    };
    let edited = match crate::project::set_message_filter(&path, &text, job, &filter) {
        Ok(t) => t,
        Err(e @ crate::project::EditError::Invalid(_)) => {
            return page_error(StatusCode::BAD_REQUEST, e.to_string())
        }
        Err(e @ crate::project::EditError::Layout(_)) => {
            return page_error(StatusCode::CONFLICT, e.to_string())
        }
    };
    if let Err(e) = crate::project::write_project(&path, &edited) {
        return page_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot write the project file {}: {e}", path.display()),
        );
    }
    match crate::project::Project::parse(&path, &edited) {
        Ok(new) => app.runner.set_project(new),
        // set_message_filter parsed it already; the file watcher reloads it in any case
        Err(e) => eprintln!("fnhost serve: {e}"),
    }
    eprintln!(
        "fnhost serve: {} saved the filter of job `{job}` in {}",
        p.user,
        path.display()
    );
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("inclusion", &filter.inclusion.to_string());
    if let Some(e) = &filter.exclusion {
        query.append_pair("exclusion", &e.to_string());
    }
    query.append_pair("saved", job);
    Redirect::to(&format!("/filters?{}", query.finish())).into_response()
}

/// Which of the recent messages a filter would match, before it is saved in the project.
async fn filters(
    State(app): State<Arc<App>>,
    Extension(p): Extension<Principal>,
    Query(q): Query<FilterParams>,
) -> Response {
    let project = app.runner.project();
    let existing: Vec<Value> = project
        .file
        .jobs
        .iter()
        .filter_map(|j| match &j.trigger {
            crate::project::TriggerSpec::Message { filter: f, .. } => Some(serde_json::json!({
                "job": j.name,
                "inclusion": serde_json::to_string(&f.inclusion).unwrap_or_default(),
                "exclusion": f.exclusion.as_ref().map(|e| serde_json::to_string(e).unwrap_or_default()),
            })),
            _ => None,
        })
        .collect();
    let parse = |t: &Option<String>, what: &str| -> Result<Option<Value>, String> {
        match non_empty(t) {
            Some(t) => serde_json::from_str(&t)
                .map(Some)
                .map_err(|e| format!("the {what} fragment is not JSON: {e}")),
            None => Ok(None),
        }
    };
    let limit = q.limit.unwrap_or(200).clamp(1, 2000);
    let (inclusion, exclusion) = match (
        parse(&q.inclusion, "inclusion"),
        parse(&q.exclusion, "exclusion"),
    ) {
        (Ok(i), Ok(e)) => (i, e),
        (Err(e), _) | (_, Err(e)) => {
            let mut r = render(
                "filters.html",
                context! { user => who(&p, &app), q => serde_json::json!({"inclusion": q.inclusion, "exclusion": q.exclusion, "inbox": q.inbox}), existing => existing, error => e },
            );
            *r.status_mut() = StatusCode::BAD_REQUEST;
            return r;
        }
    };
    let mut rows = Vec::new();
    let mut checked = 0;
    if let Some(inclusion) = &inclusion {
        let query = MessageQuery {
            inbox: non_empty(&q.inbox),
            limit,
            scan_limit: limit,
            ..MessageQuery::default()
        };
        let page = match app.runner.store().search_messages(&query).await {
            Ok(p) => p,
            Err(e) => return store_error(e),
        };
        let secrets = secrets(&app).await;
        checked = page.messages.len();
        for m in &page.messages {
            let Ok(body) = serde_json::from_str::<Value>(&m.body) else {
                continue;
            };
            let included = crate::triggers::contains(&body, inclusion);
            let excluded = exclusion
                .as_ref()
                .is_some_and(|e| crate::triggers::contains(&body, e));
            let mut row = message_row(m, &secrets);
            row["matches"] = Value::Bool(included && !excluded);
            row["excluded"] = Value::Bool(included && excluded);
            rows.push(row);
        }
    }
    let matched = rows.iter().filter(|r| r["matches"] == true).count();
    let base = std::fs::read_to_string(&project.path)
        .map(|t| auth::sha256_hex(&t))
        .unwrap_or_default();
    render(
        "filters.html",
        context! {
            user => who(&p, &app),
            base => base,
            saved => q.saved,
            q => serde_json::json!({"inclusion": q.inclusion, "exclusion": q.exclusion, "inbox": q.inbox}),
            existing => existing,
            rows => rows,
            checked => checked,
            matched => matched,
            previewed => inclusion.is_some(),
        },
    )
}

#[derive(Deserialize)]
struct LoginParams {
    next: Option<String>,
}

/// Only local paths may be a sign-in's destination (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

async fn login_page(
    State(app): State<Arc<App>>,
    Query(q): Query<LoginParams>,
    headers: HeaderMap,
) -> Response {
    if app.auth.disabled {
        return Redirect::to("/").into_response();
    }
    render(
        "login.html",
        context! {
            next => safe_next(q.next.as_deref()),
            user => Value::Null,
            plain_http => cookie_will_be_dropped(&headers),
        },
    )
}

/// Whether a browser will refuse the session cookie (it is `Secure`): the page came over plain
/// HTTP (no `X-Forwarded-Proto: https` from a proxy) to a host that is not loopback, where
/// browsers keep Secure cookies only from HTTPS.
fn cookie_will_be_dropped(headers: &HeaderMap) -> bool {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !https && !loopback
}

async fn login(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let form = form(&body);
    let next = safe_next(field(&form, "next"));
    let (Some(name), Some(password)) = (field(&form, "username"), field(&form, "password")) else {
        return page_error(
            StatusCode::BAD_REQUEST,
            "the sign-in form wants a username and a password",
        );
    };
    match auth::sign_in(app.runner.store(), name, password).await {
        Ok(Some((session, _csrf))) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, next),
                (header::SET_COOKIE, auth::session_cookie(&session)),
            ],
        )
            .into_response(),
        Ok(None) => {
            let mut r = render(
                "login.html",
                context! { next => next, error => "wrong username or password", name => name, user => Value::Null },
            );
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            r
        }
        Err(e) => store_error(e),
    }
}

async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(id) = auth::cookie_session(&headers) {
        if let Err(e) = app
            .runner
            .store()
            .delete_session(&auth::sha256_hex(&id))
            .await
        {
            return store_error(e);
        }
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/login".to_string()),
            (header::SET_COOKIE, auth::clear_cookie()),
        ],
    )
        .into_response()
}

async fn account(State(app): State<Arc<App>>, Extension(p): Extension<Principal>) -> Response {
    let has_token = match app.runner.store().user(&p.user).await {
        Ok(u) => u.and_then(|u| u.token_hash).is_some(),
        Err(e) => return store_error(e),
    };
    let credentials = match &app.vault {
        Some(_) => app
            .runner
            .store()
            .credentials()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|c| serde_json::json!({"name": c.name, "updated_at": c.updated_at, "updated_by": c.updated_by}))
            .collect::<Vec<_>>(),
        None => Vec::new(),
    };
    let inline: Vec<String> = app
        .runner
        .project()
        .file
        .credentials
        .keys()
        .cloned()
        .collect();
    render(
        "account.html",
        context! { user => who(&p, &app), has_token => has_token, credentials => credentials, inline => inline },
    )
}

async fn new_token(State(app): State<Arc<App>>, Extension(p): Extension<Principal>) -> Response {
    if app.auth.disabled {
        return page_error(
            StatusCode::CONFLICT,
            "the server runs with --no-auth: no tokens are needed",
        );
    }
    match auth::new_api_token(app.runner.store(), &p.user).await {
        Ok(Some(token)) => render(
            "account.html",
            context! { user => who(&p, &app), has_token => true, token => token, credentials => Vec::<Value>::new(), inline => Vec::<String>::new() },
        ),
        Ok(None) => page_error(StatusCode::NOT_FOUND, format!("no user {}", p.user)),
        Err(e) => store_error(e),
    }
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("static/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("static/app.js"),
    )
        .into_response()
}
