//! The embedding examples (`examples/`) run as their documentation says: `embed` prints a final
//! state, the web service answers a job per request with its final state, a crash with 422 and
//! a bad request with 400.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::serve::{request, try_request};

/// The example's binary beside this test binary (`<target>/<profile>/examples/NAME`), built
/// first when missing (`cargo test --all-targets`, as `.ci/run` runs, builds it already).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("<target>/<profile>/deps/");
    let path = profile_dir.join("examples").join(name);
    if !path.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo");
        assert!(status.success(), "cargo build --example {name}");
    }
    assert!(path.is_file(), "no example binary at {}", path.display());
    path
}

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn post(addr: &str, body: &Value) -> (u16, Value) {
    let reply = request(
        addr,
        "POST",
        "/run",
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    );
    (reply.status, reply.json())
}

#[test]
fn the_axum_service_example_runs_a_job_per_request() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _service = Service(
        Command::new(example("axum_service"))
            .arg(&addr)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the example starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while try_request(&addr, "GET", "/", &[], b"").is_err() {
        assert!(
            Instant::now() < deadline,
            "the example never listened on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // the request of the example's documentation
    let (status, state) = post(
        &addr,
        &json!({"job": "fn(s => ({ data: { n: s.data.items.length } }))", "state": {"data": {"items": [1, 2]}}}),
    );
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["data"], json!({"n": 2}), "{state}");

    // several at once, each from its own runtime: module-level state never leaks between them
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                post(
                    &addr,
                    &json!({"job": "fn(s => { globalThis.seen = (globalThis.seen ?? 0) + 1; return { data: { i: s.data.i, seen: globalThis.seen } }; })", "state": {"data": {"i": i}}}),
                )
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let (status, state) = h.join().unwrap();
        assert_eq!(status, 200, "{state}");
        assert_eq!(state["data"], json!({"i": i, "seen": 1}), "{state}");
    }

    // an error the job throws is the step's (OpenFn records it in `errors`, the run completes)
    let (status, state) = post(
        &addr,
        &json!({"job": "fn(s => { throw new TypeError('bad row'); })"}),
    );
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["errors"]["job-1"]["subtype"], "TypeError", "{state}");
    // a job that does not compile crashes the run
    let (status, answer) = post(&addr, &json!({"job": "fn(s => {"}));
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["crash"]["name"], "CompileError", "{answer}");

    let (status, answer) = post(&addr, &json!({"state": {}}));
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"].as_str().unwrap_or("").contains("job"),
        "{answer}"
    );
}

#[test]
fn the_embed_example_prints_the_final_state_and_the_steps_stats() {
    let out = Command::new(example("embed"))
        .output()
        .expect("the example runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let state: Value = serde_json::from_slice(&out.stdout).expect("the final state as JSON");
    assert_eq!(state["data"], json!({"total": 3}), "{state}");
    // the log sink saw the job's own line, and the stats name the step
    assert!(
        stderr.contains("[JOB] info: hello from the job"),
        "{stderr}"
    );
    assert!(stderr.contains("step job-1: "), "{stderr}");
}
