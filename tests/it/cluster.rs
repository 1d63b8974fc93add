//! Several `fnhost serve` nodes on one PostgreSQL: takeover of a dead node's runs, FIFO keys
//! and inbox concurrency across nodes, cron ticks once per cluster, drain on SIGTERM.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::serve::{postgres, project, Server, JSON};
use super::support::{fnhost, TempDir};

/// Runs of a job, each with its `started`/`ended` stamps from the final state, sorted by start.
fn spans(server: &Server, message_ids: &[String]) -> Vec<(String, i64, i64)> {
    let mut out = Vec::new();
    for id in message_ids {
        for run in server.runs_of(id, 1) {
            let run = server.finished_run(run["id"].as_str().unwrap());
            assert_eq!(run["status"], "success", "{run}");
            let data = &run["final_state"]["data"];
            out.push((
                data["key"].as_str().unwrap_or_default().to_string(),
                data["started"].as_i64().unwrap(),
                data["ended"].as_i64().unwrap(),
            ));
        }
    }
    out.sort_by_key(|s| s.1);
    out
}

const SLOW_JOB: &str = r#"fn(state => new Promise(resolve => {
        const started = Date.now();
        setTimeout(() => resolve({ data: { key: state.data.key, seq: state.data.seq, started, ended: Date.now() } }), 400);
      }))"#;

#[test]
fn an_inbox_concurrency_limit_holds_across_nodes() {
    let dir = TempDir::new("cluster-concurrency");
    let yaml = format!(
        r#"
inboxes:
  - name: one-at-a-time
    key: conc-key-0001
    concurrency: 1
jobs:
  - name: slow
    adaptor: "{{COMMON}}"
    expression: |
      {SLOW_JOB}
    trigger: {{ webhook: {{ inbox: one-at-a-time }} }}
"#
    );
    let path = project(&dir, &yaml);
    let db = postgres("concurrency");
    let a = Server::start(&path, &db, &["--node-id", "a", "--workers", "2"]);
    let b = Server::start(&path, &db, &["--node-id", "b", "--workers", "2"]);
    let mut ids = Vec::new();
    for i in 0..6 {
        let node = if i % 2 == 0 { &a } else { &b };
        let r = node.post(
            "/inbox/conc-key-0001",
            &[JSON],
            format!("{{\"key\": \"k{i}\"}}").as_bytes(),
        );
        assert_eq!(r.status, 200);
        ids.push(r.header("x-fnhost-message-id").unwrap().to_string());
    }
    let spans = spans(&a, &ids);
    assert_eq!(spans.len(), 6);
    for pair in spans.windows(2) {
        assert!(pair[1].1 >= pair[0].2, "two runs overlapped: {spans:?}");
    }
}

#[test]
fn runs_with_the_same_fifo_key_start_in_order_one_at_a_time() {
    let dir = TempDir::new("cluster-fifo");
    let yaml = format!(
        r#"
inboxes:
  - name: cases
    key: fifo-key-0001
    fifo_key_path: key
jobs:
  - name: slow
    adaptor: "{{COMMON}}"
    expression: |
      {SLOW_JOB}
    trigger: {{ webhook: {{ inbox: cases }} }}
"#
    );
    let path = project(&dir, &yaml);
    let db = postgres("fifo");
    let a = Server::start(&path, &db, &["--node-id", "a", "--workers", "3"]);
    let b = Server::start(&path, &db, &["--node-id", "b", "--workers", "3"]);
    let mut ids = Vec::new();
    // case-1 x3 and case-2 x3, interleaved, posted to both nodes
    for seq in 0..6 {
        let key = if seq % 2 == 0 { "case-1" } else { "case-2" };
        let node = if seq % 3 == 0 { &a } else { &b };
        let r = node.post(
            "/inbox/fifo-key-0001",
            &[JSON],
            format!("{{\"key\": \"{key}\", \"seq\": {seq}}}").as_bytes(),
        );
        assert_eq!(r.status, 200);
        ids.push(r.header("x-fnhost-message-id").unwrap().to_string());
    }
    let spans = spans(&a, &ids);
    for key in ["case-1", "case-2"] {
        let mine: Vec<_> = spans.iter().filter(|s| s.0 == key).collect();
        assert_eq!(mine.len(), 3);
        for pair in mine.windows(2) {
            assert!(pair[1].1 >= pair[0].2, "{key}: runs overlapped: {mine:?}");
        }
    }
    // different keys do run side by side
    let overlapped = spans
        .windows(2)
        .any(|p| p[0].0 != p[1].0 && p[1].1 < p[0].2);
    assert!(overlapped, "different keys never overlapped: {spans:?}");
}

#[test]
fn a_dead_nodes_run_is_taken_over_and_resumed_by_another() {
    let dir = TempDir::new("cluster-takeover");
    dir.write(
        "wf/workflow.json",
        r#"{"workflow": {"steps": [
          {"id": "stamp", "expression": "fn(state => { console.log('stamp ran'); return { data: { until: Date.now() + 3000, stamps: (state.data.stamps || 0) + 1 } }; })", "next": {"wait": true}},
          {"id": "wait", "expression": "fn(state => new Promise(r => setTimeout(() => r({ data: { ...state.data, waited: true } }), Math.max(0, state.data.until - Date.now()))))"}
        ]}}"#,
    );
    let yaml = r#"
inboxes:
  - name: in
    key: takeover-key-0001
jobs:
  - name: two-steps
    adaptor: "{COMMON}"
    workflow: wf/workflow.json
    trigger: { webhook: { inbox: in } }
"#;
    let path = project(&dir, yaml);
    let db = postgres("takeover");
    let lease = ["--lease-seconds", "1"];
    let a = Server::start(&path, &db, &[&["--node-id", "a"][..], &lease[..]].concat());
    let r = a.post("/inbox/takeover-key-0001", &[JSON], b"{}");
    let message = r.header("x-fnhost-message-id").unwrap().to_string();
    let run_id = a.runs_of(&message, 1)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = a.get(&format!("/api/v1/runs/{run_id}")).json();
        if run["steps"].as_array().is_some_and(|s| !s.is_empty()) {
            break;
        }
        assert!(Instant::now() < deadline, "step 1 never recorded: {run}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // node b starts, node a dies mid-second-step: b takes the run over when a's lease ends
    let b = Server::start(&path, &db, &[&["--node-id", "b"][..], &lease[..]].concat());
    a.kill();
    let killed = Instant::now();
    let run = b.finished_run(&run_id);
    eprintln!(
        "taken over and finished {:?} after the kill",
        killed.elapsed()
    );
    assert_eq!(run["status"], "success", "{run}");
    assert_eq!(run["recoveries"], 1);
    assert_eq!(
        run["final_state"]["data"]["stamps"], 1,
        "step 1 ran once: {run}"
    );
    assert_eq!(run["final_state"]["data"]["waited"], true);
    let status = b.cli_cluster();
    let nodes: Vec<&str> = status["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert_eq!(nodes, vec!["a", "b"], "{status}");
    assert_eq!(status["queue_depth"], 0);
}

#[test]
fn a_draining_node_hands_its_runs_back_and_another_finishes_them() {
    let dir = TempDir::new("cluster-drain");
    let yaml = r#"
inboxes:
  - name: in
    key: drain-key-0001
jobs:
  - name: slow
    adaptor: "{COMMON}"
    expression: |
      fn(state => new Promise(resolve => setTimeout(() => resolve({ data: { done: true } }), 3000)));
    trigger: { webhook: { inbox: in } }
"#;
    let path = project(&dir, yaml);
    let db = postgres("drain");
    let a = Server::start(&path, &db, &["--node-id", "a", "--drain-seconds", "0.5"]);
    let r = a.post("/inbox/drain-key-0001", &[JSON], b"{}");
    let message = r.header("x-fnhost-message-id").unwrap().to_string();
    let run_id = a.runs_of(&message, 1)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while a.get(&format!("/api/v1/runs/{run_id}")).json()["status"] != "started" {
        assert!(Instant::now() < deadline, "never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let b = Server::start(&path, &db, &["--node-id", "b"]);
    assert_eq!(a.terminate(), Some(0), "a drained node exits 0");
    let run = b.finished_run(&run_id);
    assert_eq!(run["status"], "success", "{run}");
    assert_eq!(
        run["recoveries"], 0,
        "a hand-back is not an interruption: {run}"
    );
    assert_eq!(run["final_state"], json!({"data": {"done": true}}));
}

#[test]
fn a_cron_tick_runs_once_across_the_cluster() {
    // waits for the next minute boundary, and one more tick to be sure
    let dir = TempDir::new("cluster-cron");
    let yaml = r#"
jobs:
  - name: tick
    adaptor: "{COMMON}"
    expression: |
      fn(state => ({ data: { count: (state.data.count || 0) + 1 } }));
    trigger: { cron: "* * * * *" }
"#;
    let path = project(&dir, yaml);
    let db = postgres("cron");
    let nodes: Vec<Server> = ["a", "b", "c"]
        .iter()
        .map(|n| Server::start(&path, &db, &["--node-id", n]))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        let runs = nodes[0].get("/api/v1/runs?limit=100").json();
        let runs = runs.as_array().cloned().unwrap_or_default();
        let done = runs.iter().filter(|r| r["status"] == "success").count();
        if done >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "two ticks did not run: {runs:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
    // give a late duplicate the chance to appear
    std::thread::sleep(Duration::from_secs(2));
    let runs = nodes[0].get("/api/v1/runs?limit=100").json();
    let runs = runs.as_array().unwrap();
    let mut minutes: Vec<i64> = runs
        .iter()
        .map(|r| r["created_at"].as_i64().unwrap() / 60_000)
        .collect();
    let total = minutes.len();
    minutes.sort();
    minutes.dedup();
    assert_eq!(
        minutes.len(),
        total,
        "one run per tick across 3 nodes: {runs:?}"
    );
    let newest = nodes[0].finished_run(runs[0]["id"].as_str().unwrap());
    assert_eq!(
        newest["final_state"]["data"]["count"].as_i64(),
        Some(total as i64),
        "{newest}"
    );
}

impl Server {
    /// `fnhost cluster status` against this server's store.
    fn cli_cluster(&self) -> Value {
        let out = fnhost()
            .args(["cluster", "status", "--database", &self.database])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

#[test]
fn nodes_starting_together_migrate_once_and_an_older_node_joins_a_newer_schema() {
    let dir = TempDir::new("cluster-migrate");
    let yaml = r#"
inboxes:
  - name: in
    key: migrate-key-0001
jobs: []
"#;
    let path = project(&dir, yaml);
    let db = postgres("migrate");
    // three nodes on an empty schema at the same moment: the advisory lock serialises the
    // migrations, every node comes up
    let starters: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|n| {
            let (path, db) = (path.clone(), db.clone());
            std::thread::spawn(move || Server::start(&path, &db, &["--node-id", n]))
        })
        .collect();
    let nodes: Vec<Server> = starters.into_iter().map(|t| t.join().unwrap()).collect();
    for node in &nodes {
        assert_eq!(
            node.post("/inbox/migrate-key-0001", &[JSON], b"{}").status,
            200
        );
    }
    drop(nodes);
    // a newer version has added a migration this binary does not know: it still starts
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect(&db)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (999, 'from a newer fnhost', true, '\\x00'::bytea, 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("ALTER TABLE runs ADD COLUMN newer_column TEXT")
            .execute(&pool)
            .await
            .unwrap();
    });
    let older = Server::start(&path, &db, &["--node-id", "older"]);
    assert_eq!(
        older.post("/inbox/migrate-key-0001", &[JSON], b"{}").status,
        200
    );
    let messages = older.get("/api/v1/messages").json();
    assert_eq!(messages.as_array().unwrap().len(), 4);
}

/// A side effect counted outside fnhost: a loopback HTTP server that counts the requests for
/// each path (`GET /hit/<step>/<message>`), as a remote system would see them.
pub struct Counter {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    hits: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

impl Counter {
    /// Starts the server on a free port (a thread per connection; it lives as long as the test
    /// process).
    pub fn start() -> Counter {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let counted = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let mut reader = BufReader::new(stream);
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                    // the head to its end (the requests have no body)
                    loop {
                        let mut header = String::new();
                        match reader.read_line(&mut header) {
                            Ok(0) | Err(_) => return,
                            Ok(_) if header.trim().is_empty() => break,
                            Ok(_) => {}
                        }
                    }
                    // counted before the answer: the caller may die before reading it
                    *counted.lock().unwrap().entry(path).or_insert(0) += 1;
                    let _ = reader.get_mut().write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    );
                });
            }
        });
        Counter { url, hits }
    }

    /// How many times `path` was requested.
    pub fn count(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// Every path and its count.
    pub fn all(&self) -> std::collections::HashMap<String, usize> {
        self.hits.lock().unwrap().clone()
    }
}

/// An adaptor whose operations call the [`Counter`] named by `state.data.counter`:
/// `hit(step)` requests `/hit/<step>/<state.data.id>`; `sleep(ms)` waits.
pub const COUNTER_ADAPTOR: &str = "export function fn(f) { return state => f(state); }\n\
export function execute(...ops) { return state => ops.reduce((p, op) => p.then(op), Promise.resolve(state)); }\n\
export function hit(step) { return async state => { const r = await fetch(`${state.data.counter}/hit/${step}/${state.data.id}`); await r.text(); return state; }; }\n\
export function sleep(ms) { return state => new Promise(resolve => setTimeout(() => resolve(state), ms)); }\n";

/// Two runs inside a long step that has made its call, one of an exactly-once job and one of
/// an at-least-once job, on node `a`; `a` is killed and `recover` (another node, or `a`
/// restarted) recovers them: the exactly-once run ends `crashed` naming the step with its call
/// made once, the other resumes and calls again.
fn kill_mid_step(dir: &TempDir, db: &str, recover: impl FnOnce(&std::path::Path) -> Server) {
    let counter = Counter::start();
    let adaptor = dir.adaptor("counter", COUNTER_ADAPTOR);
    // step one completes (its output is recorded), step two calls the counter and then takes
    // long enough for the node to be killed while it runs
    dir.write(
        "wf/workflow.json",
        r#"{"workflow": {"steps": [
          {"id": "prepare", "expression": "hit('prepare')", "next": {"call": true}},
          {"id": "call", "expression": "hit('call')\nsleep(4000)"}
        ]}}"#,
    );
    let yaml = format!(
        r#"
inboxes:
  - name: once
    key: once-key-0001
  - name: twice
    key: twice-key-0001
jobs:
  - name: exactly
    adaptor: "{adaptor}"
    workflow: wf/workflow.json
    delivery: exactly-once
    trigger: {{ webhook: {{ inbox: once }} }}
  - name: at-least
    adaptor: "{adaptor}"
    workflow: wf/workflow.json
    trigger: {{ webhook: {{ inbox: twice }} }}
"#
    );
    let path = project(dir, &yaml);
    let a = Server::start(&path, db, &["--node-id", "a", "--lease-seconds", "1"]);
    let post = |inbox: &str, id: &str| {
        let body = json!({"id": id, "counter": counter.url}).to_string();
        let r = a.post(&format!("/inbox/{inbox}"), &[JSON], body.as_bytes());
        assert_eq!(r.status, 200);
        let message = r.header("x-fnhost-message-id").unwrap().to_string();
        a.runs_of(&message, 1)[0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let once = post("once-key-0001", "m-once");
    let twice = post("twice-key-0001", "m-twice");
    // both runs are inside step `call`, its request made: kill -9 the node
    let deadline = Instant::now() + Duration::from_secs(30);
    while counter.count("/hit/call/m-once") == 0 || counter.count("/hit/call/m-twice") == 0 {
        assert!(
            Instant::now() < deadline,
            "the calls were not made: {:?}",
            counter.all()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    a.kill();
    let b = recover(&path);

    // exactly-once: step `call` started without an output: the run ends, not run again
    let run = b.finished_run(&once);
    assert_eq!(run["status"], "crashed", "{run}");
    assert_eq!(
        run["reason"],
        "interrupted while step call was running; delivery is exactly-once, so it is not run again",
        "{run}"
    );
    // at-least-once: resumed at step `call`, which runs again
    let run = b.finished_run(&twice);
    assert_eq!(run["status"], "success", "{run}");
    assert_eq!(run["recoveries"], 1, "{run}");
    // a late second call would show here
    std::thread::sleep(Duration::from_secs(2));
    let hits = counter.all();
    assert_eq!(counter.count("/hit/call/m-once"), 1, "{hits:?}");
    assert_eq!(counter.count("/hit/prepare/m-once"), 1, "{hits:?}");
    assert_eq!(
        counter.count("/hit/call/m-twice"),
        2,
        "at least once: {hits:?}"
    );
    assert_eq!(
        counter.count("/hit/prepare/m-twice"),
        1,
        "resumed after the completed step: {hits:?}"
    );
}

#[test]
fn an_exactly_once_step_interrupted_by_a_kill_is_not_run_again_by_the_node_taking_over() {
    let dir = TempDir::new("cluster-once");
    let db = postgres("once");
    kill_mid_step(&dir, &db, |path| {
        Server::start(path, &db, &["--node-id", "b", "--lease-seconds", "1"])
    });
}

#[test]
fn an_exactly_once_step_interrupted_by_a_kill_is_not_run_again_by_the_restarted_node() {
    let dir = TempDir::new("serve-once-sqlite");
    let db = super::serve::sqlite(&dir);
    kill_mid_step(&dir, &db, |path| {
        Server::start(path, &db, &["--node-id", "a", "--lease-seconds", "1"])
    });
}
