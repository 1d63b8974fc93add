//! A web service that runs an OpenFn job per request, on fnhost's engine pool.
//!
//! ```sh
//! cargo run --example axum_service -- 127.0.0.1:3000
//! curl -s localhost:3000/run -H 'content-type: application/json' \
//!   -d '{"job": "fn(s => ({ data: { n: s.data.items.length } }))", "state": {"data": {"items": [1, 2]}}}'
//! ```
//!
//! The job runs with the fixture adaptor in tests/fixtures/esm-adaptor. `POST /run` answers
//! `200` with the final state, `422` with the crash (and the run's logs) when the job crashes,
//! `400` for a request the engine cannot run. Each request gets a fresh V8 runtime on one of
//! the engine's workers; the web server's own threads never run JavaScript.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

const ADAPTOR: &str = concat!(
    "esm-adaptor=",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/esm-adaptor"
);

async fn run(
    State(engine): State<fnhost::Engine>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let Some(job) = body.get("job").and_then(Value::as_str) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "\"job\" (the job's source) is required"})),
        );
    };
    let state = body
        .get("state")
        .cloned()
        .unwrap_or_else(|| json!({"data": {}}));
    let request = fnhost::RunRequest::job(job)
        .adaptor(ADAPTOR)
        .state(state.to_string());
    // awaiting the handle does not block this server thread; dropping it (client gone) cancels
    match engine.run(request).await {
        Ok(outcome) => match &outcome.crash {
            None => (StatusCode::OK, Json(outcome.final_state_value())),
            Some(crash) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({
                    "crash": {"name": crash.name, "message": crash.message},
                    "logs": outcome.logs.iter().map(|l| format!("[{}] {}", l.name, l.message)).collect::<Vec<_>>(),
                })),
            ),
        },
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        ),
    }
}

fn main() {
    // V8's platform first, on the main thread; then the engine's workers; then the server.
    fnhost::runtime::init_v8();
    let engine = fnhost::Engine::builder().workers(2).build();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async move {
        let app = Router::new().route("/run", post(run)).with_state(engine);
        let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
        eprintln!("listening on http://{addr}");
        axum::serve(listener, app).await.expect("serve");
    });
}
