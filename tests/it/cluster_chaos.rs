//! Three `fnhost serve` nodes on one PostgreSQL of their own, 10,000 posts spread across them
//! while nodes are `kill -9`ed and restarted at random and PostgreSQL itself is restarted once:
//! every acknowledged message is stored once and processed, no run is left behind. One post in
//! five goes to an inbox whose job is `delivery: exactly-once` and calls a counter outside
//! fnhost (a loopback HTTP server): each such message has one run, which succeeded having
//! made its call once, or ended `crashed` for an interrupted step without calling again — no
//! call is ever counted twice.
//!
//! `FNHOST_CHAOS_POSTS` changes the number of posts (default 10,000).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::cluster::{Counter, COUNTER_ADAPTOR};
use super::serve::{project, try_request, Server, JSON};
use super::serve_harness::Rng;
use super::support::TempDir;

/// A PostgreSQL cluster of this test's own (it is restarted mid-test, which the shared one
/// used by other tests must not be).
struct OwnPostgres {
    dir: TempDir,
    url: String,
}

impl OwnPostgres {
    fn start() -> OwnPostgres {
        let dir = TempDir::new("chaos-pg");
        let url = OwnPostgres::run(&dir.0, "start");
        OwnPostgres { dir, url }
    }

    fn run(dir: &std::path::Path, what: &str) -> String {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pg/start.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg(what)
            .env("FNHOST_PG_DIR", dir)
            .env("FNHOST_PG_PORT", "56432")
            .output()
            .expect("tests/pg/start.sh runs");
        assert!(
            out.status.success(),
            "start.sh {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        // never panics (it may run while a failed test unwinds)
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pg/start.sh");
        let _ = Command::new("bash")
            .arg(&script)
            .arg("stop")
            .env("FNHOST_PG_DIR", &self.dir.0)
            .output();
    }
}

/// Nodes killed over the test (during posting and while the runs execute).
const MAX_KILLS: usize = 12;

#[test]
fn three_nodes_lose_nothing_when_nodes_and_the_database_die() {
    let posts: usize = std::env::var("FNHOST_CHAOS_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let pg = OwnPostgres::start();
    let dir = TempDir::new("chaos");
    // a minimal adaptor: the test is about the store and the nodes, and 10,000 runs of a
    // debug build with language-common would take most of CI's time
    let tiny = dir.adaptor(
        "tiny",
        "export function fn(f) { return state => f(state); }\nexport function execute(...ops) { return state => ops.reduce((p, op) => p.then(op), Promise.resolve(state)); }\n",
    );
    // the exactly-once job's side effect, counted outside fnhost
    let counter = Counter::start();
    let counting = dir.adaptor("counter", COUNTER_ADAPTOR);
    let yaml = format!(
        r#"
inboxes:
  - name: in
    key: chaos-key-0001
  - name: once
    key: chaos-once-0001
jobs:
  - name: echo
    adaptor: "{tiny}"
    expression: |
      fn(state => ({{ data: {{ n: state.data.n }} }}));
    trigger: {{ webhook: {{ inbox: in }} }}
  - name: once
    adaptor: "{counting}"
    expression: |
      hit('call')
      sleep(50)
    delivery: exactly-once
    trigger: {{ webhook: {{ inbox: once }} }}
"#
    );
    // which posts go to the exactly-once job
    let once = |n: usize| n.is_multiple_of(5);
    let path = project(&dir, &yaml);
    let start = |name: &str| {
        Server::start(
            &path,
            &pg.url,
            &["--node-id", name, "--workers", "2", "--lease-seconds", "1"],
        )
    };
    let names = ["n1", "n2", "n3"];
    let nodes: Arc<Mutex<Vec<Option<Server>>>> =
        Arc::new(Mutex::new(names.iter().map(|n| Some(start(n))).collect()));
    let addrs: Arc<RwLock<Vec<Option<String>>>> = Arc::new(RwLock::new(
        nodes
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.as_ref().map(|s| s.addr.clone()))
            .collect(),
    ));
    let began = Instant::now();

    // clients: each message is posted until one node answers 200; its Idempotency-Key makes a
    // repeat (an answer lost to a kill) harmless
    let next = Arc::new(AtomicUsize::new(0));
    let acked: Arc<Mutex<HashMap<usize, String>>> = Arc::new(Mutex::new(HashMap::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..6u64 {
        let (next, acked, refused, broken, addrs) = (
            next.clone(),
            acked.clone(),
            refused.clone(),
            broken.clone(),
            addrs.clone(),
        );
        let counter_url = counter.url.clone();
        clients.push(std::thread::spawn(move || {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (c + 1));
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= posts {
                    return;
                }
                let key = format!("m-{n}");
                let (inbox, body) = if once(n) {
                    (
                        "/inbox/chaos-once-0001",
                        format!(
                            "{{\"n\": {n}, \"id\": \"{key}\", \"counter\": \"{counter_url}\"}}"
                        ),
                    )
                } else {
                    ("/inbox/chaos-key-0001", format!("{{\"n\": {n}}}"))
                };
                let deadline = Instant::now() + Duration::from_secs(120);
                loop {
                    assert!(Instant::now() < deadline, "message {n} never acknowledged");
                    let live: Vec<String> =
                        addrs.read().unwrap().iter().flatten().cloned().collect();
                    if live.is_empty() {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    }
                    let addr = &live[rng.below(live.len() as u64) as usize];
                    match try_request(
                        addr,
                        "POST",
                        inbox,
                        &[JSON, ("idempotency-key", &key)],
                        body.as_bytes(),
                    ) {
                        Ok(reply) if reply.status == 200 => {
                            let id = reply.header("x-fnhost-message-id").unwrap().to_string();
                            acked.lock().unwrap().insert(n, id);
                            break;
                        }
                        Ok(_) => {
                            refused.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        Err(_) => {
                            broken.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            }
        }));
    }

    // chaos: kill -9 a node at random and restart it; restart PostgreSQL once, half-way
    let kills = Arc::new(AtomicUsize::new(0));
    let chaos = {
        let (nodes, addrs, done, kills, next) = (
            nodes.clone(),
            addrs.clone(),
            done.clone(),
            kills.clone(),
            next.clone(),
        );
        let pg_restart = {
            let dir = pg.dir.0.clone();
            let url = pg.url.clone();
            move || {
                OwnPostgres::run(&dir, "stop");
                std::thread::sleep(Duration::from_millis(1500));
                assert_eq!(OwnPostgres::run(&dir, "start"), url);
            }
        };
        let start = {
            let path = path.clone();
            let url = pg.url.clone();
            move |name: &str| {
                Server::start(
                    &path,
                    &url,
                    &["--node-id", name, "--workers", "2", "--lease-seconds", "1"],
                )
            }
        };
        std::thread::spawn(move || {
            let mut rng = Rng(0xD1B5_4A32_D192_ED03);
            let mut restarted_pg = false;
            while !done.load(Ordering::SeqCst) && kills.load(Ordering::SeqCst) < MAX_KILLS {
                std::thread::sleep(Duration::from_millis(800 + rng.below(1200)));
                if done.load(Ordering::SeqCst) {
                    break;
                }
                if !restarted_pg && next.load(Ordering::SeqCst) >= posts / 2 {
                    restarted_pg = true;
                    eprintln!("chaos: restarting PostgreSQL");
                    pg_restart();
                    continue;
                }
                let i = rng.below(3) as usize;
                addrs.write().unwrap()[i] = None;
                if let Some(server) = nodes.lock().unwrap()[i].take() {
                    server.kill();
                    kills.fetch_add(1, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(200 + rng.below(800)));
                let server = start(names[i]);
                addrs.write().unwrap()[i] = Some(server.addr.clone());
                nodes.lock().unwrap()[i] = Some(server);
            }
        })
    };
    for c in clients {
        c.join().expect("a client thread failed");
    }
    let posted_in = began.elapsed();
    done.store(true, Ordering::SeqCst);
    chaos.join().expect("the chaos thread failed");

    // every node up; wait for the queue to drain
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pool = rt
        .block_on(sqlx::postgres::PgPool::connect(&pg.url))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let open: i64 = rt
            .block_on(
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM runs WHERE status IN ('queued', 'started')",
                )
                .fetch_one(&pool),
            )
            .unwrap();
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} runs still open after 300 s"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let acked = acked.lock().unwrap().clone();
    assert_eq!(
        acked.len(),
        posts,
        "every message was acknowledged in the end"
    );
    let rows: Vec<(String, String, i64, String, i64, String)> = rt
        .block_on(
            sqlx::query_as(
                "SELECT m.idempotency_key, m.id, (SELECT COUNT(*) FROM runs r WHERE r.message_id = m.id), \
                 COALESCE((SELECT string_agg(r.status, ',') FROM runs r WHERE r.message_id = m.id), ''), \
                 COALESCE((SELECT SUM(r.recoveries) FROM runs r WHERE r.message_id = m.id), 0)::BIGINT, \
                 COALESCE((SELECT string_agg(COALESCE(r.reason, ''), ',') FROM runs r WHERE r.message_id = m.id), '') \
                 FROM messages m",
            )
            .fetch_all(&pool),
        )
        .unwrap();
    let mut by_key: HashMap<String, (String, i64, String, i64, String)> = HashMap::new();
    for (key, id, runs, statuses, recoveries, reasons) in rows {
        assert!(
            by_key
                .insert(key.clone(), (id, runs, statuses, recoveries, reasons))
                .is_none(),
            "message {key} stored twice"
        );
    }
    assert_eq!(by_key.len(), posts, "no message stored that was not posted");
    // a late call (a step still running somewhere) would show in the counts
    std::thread::sleep(Duration::from_secs(2));
    let calls = counter.all();
    let mut recovered = 0;
    let (mut once_success, mut once_interrupted, mut once_interrupted_called) = (0, 0, 0);
    for (n, id) in &acked {
        let (stored_id, runs, statuses, recoveries, reasons) = by_key
            .get(&format!("m-{n}"))
            .unwrap_or_else(|| panic!("acknowledged message {n} is not in the store"));
        assert_eq!(
            stored_id, id,
            "message {n}: the acknowledged id is the stored one"
        );
        assert_eq!(*runs, 1, "message {n}: one run");
        recovered += recoveries;
        if !once(*n) {
            assert_eq!(statuses, "success", "message {n}");
            continue;
        }
        let called = calls.get(&format!("/hit/call/m-{n}")).copied().unwrap_or(0);
        assert!(
            called <= 1,
            "message {n}: exactly-once call made {called} times"
        );
        match statuses.as_str() {
            "success" => {
                assert_eq!(called, 1, "message {n}: succeeded, so it called once");
                once_success += 1;
            }
            "crashed" => {
                assert_eq!(
                    reasons,
                    "interrupted while step job-1 was running; delivery is exactly-once, so it is not run again",
                    "message {n}"
                );
                once_interrupted += 1;
                once_interrupted_called += called;
            }
            other => panic!("message {n}: exactly-once run ended {other}: {reasons}"),
        }
    }
    let once_posts = (0..posts).filter(|n| once(*n)).count();
    assert_eq!(once_success + once_interrupted, once_posts);
    assert!(
        calls.values().all(|c| *c == 1),
        "no call counted twice: {:?}",
        calls.iter().filter(|(_, c)| **c > 1).collect::<Vec<_>>()
    );
    assert_eq!(
        calls.len(),
        once_success + once_interrupted_called,
        "every call is a counted message's"
    );
    eprintln!(
        "chaos report: {posts} messages posted to 3 nodes by 6 clients in {posted_in:?} ({once_posts} of them to \
         the exactly-once job, which calls a counter outside fnhost); {} acknowledged; \
         {} answers refused (503 while PostgreSQL restarted), {} connections broken by kills; \
         {} kill -9 of a node, 1 PostgreSQL restart; {recovered} run executions interrupted and resumed (an exactly-once run resumes when no step was running); \
         checked: all {posts} stored once with one run, every at-least-once run successful; \
         exactly-once: {once_success} succeeded having called once, {once_interrupted} interrupted mid-step and \
         ended crashed without running again ({once_interrupted_called} of those had made their call, the others \
         were killed before it), {} calls counted, none twice; 0 runs left open; total {:?}",
        acked.len(),
        refused.load(Ordering::SeqCst),
        broken.load(Ordering::SeqCst),
        kills.load(Ordering::SeqCst),
        calls.len(),
        began.elapsed()
    );
    drop(nodes);
}
