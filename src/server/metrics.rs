//! `GET /metrics`: Prometheus text — posts by status code, runs by status, the queue's depth,
//! runs executing, and run durations.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::App;
use crate::runs::DURATION_BUCKETS;

/// The server's own counters (the runner keeps those of runs).
#[derive(Default)]
pub struct Metrics {
    posts: Mutex<BTreeMap<u16, u64>>,
}

impl Metrics {
    /// Counts a post to an inbox by its answer's status code.
    pub fn count_post(&self, status: u16) {
        *self
            .posts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(status)
            .or_default() += 1;
    }
}

/// The handler.
pub async fn render(State(app): State<Arc<App>>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP fnhost_inbox_posts_total Posts to inboxes, by answer status code.\n");
    out.push_str("# TYPE fnhost_inbox_posts_total counter\n");
    for (code, n) in app
        .metrics
        .posts
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        let _ = writeln!(out, "fnhost_inbox_posts_total{{code=\"{code}\"}} {n}");
    }
    let runner = &app.runner;
    out.push_str("# HELP fnhost_runs_finished_total Runs this node finished, by status.\n");
    out.push_str("# TYPE fnhost_runs_finished_total counter\n");
    for (status, n) in runner
        .metrics
        .by_status
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        let _ = writeln!(out, "fnhost_runs_finished_total{{status=\"{status}\"}} {n}");
    }
    if let Ok(counts) = runner.store().counts().await {
        out.push_str(
            "# HELP fnhost_runs Runs in the store, by status (queued: the queue's depth).\n",
        );
        out.push_str("# TYPE fnhost_runs gauge\n");
        for (status, n) in &counts.runs {
            let _ = writeln!(out, "fnhost_runs{{status=\"{status}\"}} {n}");
        }
        let queued = counts
            .runs
            .iter()
            .find(|(s, _)| s == "queued")
            .map(|(_, n)| *n)
            .unwrap_or(0);
        out.push_str(
            "# HELP fnhost_queue_depth Runs waiting to start.\n# TYPE fnhost_queue_depth gauge\n",
        );
        let _ = writeln!(out, "fnhost_queue_depth {queued}");
        out.push_str(
            "# HELP fnhost_messages Messages in the store.\n# TYPE fnhost_messages gauge\n",
        );
        let _ = writeln!(out, "fnhost_messages {}", counts.messages);
    }
    out.push_str(
        "# HELP fnhost_runs_active Runs executing on this node.\n# TYPE fnhost_runs_active gauge\n",
    );
    let _ = writeln!(
        out,
        "fnhost_runs_active {}",
        runner
            .metrics
            .active
            .load(std::sync::atomic::Ordering::SeqCst)
    );
    let (buckets, sum) = runner
        .metrics
        .durations
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    out.push_str("# HELP fnhost_run_duration_seconds Time from a run's start to its end.\n");
    out.push_str("# TYPE fnhost_run_duration_seconds histogram\n");
    let mut cumulative = 0;
    for (i, bound) in DURATION_BUCKETS.iter().enumerate() {
        cumulative += buckets.get(i).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "fnhost_run_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
        );
    }
    cumulative += buckets.get(DURATION_BUCKETS.len()).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "fnhost_run_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
    );
    let _ = writeln!(out, "fnhost_run_duration_seconds_sum {sum}");
    let _ = writeln!(out, "fnhost_run_duration_seconds_count {cumulative}");
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
