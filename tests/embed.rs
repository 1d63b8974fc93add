//! The embedding API from a Rust program: `fnhost::Engine` runs jobs and workflows in-process,
//! on its pool of workers, with per-run limits that never take the process down.
//!
//! A `harness = false` test: V8's platform must be initialised on the main thread (these CPUs
//! have memory-protection keys), which libtest's worker threads are not.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fnhost::{Engine, Limits, RunEvent, RunRequest};
use serde_json::json;

fn fixture_adaptor() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/esm-adaptor");
    format!("esm-adaptor={}", dir.display())
}

/// A temporary adaptor whose `get(url)` fetches `url` into `state.data`.
fn http_adaptor(dir: &std::path::Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"fetcher","version":"1.0.0","type":"module","main":"index.js"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("index.js"),
        "export function execute(...ops) { return (s) => ops.reduce((p, op) => p.then(op), Promise.resolve(s)); }\n\
         export function fn(f) { return (s) => f(s); }\n\
         export function get(url) { return async (s) => { const r = await fetch(url); return { ...s, data: { ...s.data, status: r.status, body: await r.text() } }; }; }\n",
    )
    .unwrap();
    format!("fetcher={}", dir.display())
}

/// A keep-alive HTTP server on 127.0.0.1 answering `ok` to every request, counting them.
fn ok_server() -> (u16, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let served = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let served = served.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                let mut pending = Vec::new();
                loop {
                    let n = match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        served.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok",
                        );
                    }
                }
            });
        }
    });
    (port, count)
}

/// A server that accepts connections and never answers.
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

fn check(name: &str, passed: &mut usize, f: impl FnOnce()) {
    let started = Instant::now();
    f();
    *passed += 1;
    eprintln!("ok {name} ({} ms)", started.elapsed().as_millis());
}

fn main() {
    fnhost::runtime::init_v8();
    let adaptor = fixture_adaptor();
    let tmp = std::env::temp_dir().join(format!("fnhost-embed-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut passed = 0;

    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let engine = Engine::builder()
        .workers(4)
        .limits(Limits {
            timeout: Duration::from_secs(10),
            ..Limits::default()
        })
        .log_sink(move |line| {
            sink.lock()
                .unwrap()
                .push(format!("{}: {}", line.name, line.message))
        })
        .credentials(|id| (id == "db").then(|| json!({"password": "s3cr3t-pw"})))
        .build();

    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Engine>();

    check("a job, its state, logs and stats", &mut passed, || {
        let outcome = engine
            .run_job(
                "fn(state => { console.log('counting'); return { ...state, data: { n: state.data.items.length } }; });",
                &[&adaptor],
                r#"{"data": {"items": [1, 2, 3]}, "configuration": {"secret": "abc123"}}"#,
            )
            .expect("the job runs");
        assert!(outcome.succeeded(), "{outcome:?}");
        let state = outcome.final_state_value();
        assert_eq!(state["data"]["n"], 3);
        assert!(
            state.get("configuration").is_none(),
            "configuration is removed"
        );
        assert!(outcome
            .logs
            .iter()
            .any(|l| l.name == "JOB" && l.message == "counting"));
        assert!(lines.lock().unwrap().iter().any(|l| l == "JOB: counting"));
        assert_eq!(outcome.stats.steps.len(), 1);
        assert_eq!(outcome.stats.steps[0].id, "job-1");
        assert!(outcome.stats.steps[0].ok);
        assert!(outcome.stats.steps[0].peak_heap_bytes > 0);
        assert!(outcome.stats.state_in_bytes > 0 && outcome.stats.state_out_bytes > 0);
        assert!(outcome.stats.wall_ms > 0.0 && outcome.stats.cpu_ms > 0.0);
    });

    check("a crash is a value, not a panic", &mut passed, || {
        let outcome = engine
            .run_job("fn(state => missing.value);", &[&adaptor], "{}")
            .expect("runs");
        let crash = outcome.crash.expect("a ReferenceError crashes");
        assert!(
            crash.message.contains("missing is not defined"),
            "{crash:?}"
        );
        assert!(outcome.final_state.is_none());
    });

    check(
        "a job compiled once runs many times; compile errors come back at once",
        &mut passed,
        || {
            let job = engine
                .compile(
                    "fn(state => ({ data: { n: (state.data.n ?? 0) + 1 } }));",
                    &[&adaptor],
                )
                .expect("compiles");
            for n in [1, 5] {
                let outcome = engine
                    .run_blocking(
                        RunRequest::compiled(&job)
                            .state(format!(r#"{{"data":{{"n":{}}}}}"#, n - 1)),
                    )
                    .expect("runs");
                assert_eq!(outcome.final_state_value()["data"]["n"], n, "{outcome:?}");
            }
            let err = engine
                .compile("fn(state => {", &[&adaptor])
                .expect_err("does not compile");
            assert!(
                matches!(err, fnhost::Error::Compile(ref m) if m.contains("1:")),
                "{err}"
            );
        },
    );

    check("bad input is a typed error", &mut passed, || {
        let err = engine
            .run_job("fn(s => s);", &[&adaptor], "{nope")
            .expect_err("not JSON");
        assert!(matches!(err, fnhost::Error::InvalidState(_)), "{err}");
    });

    check(
        "a state larger than a V8 string is an error, not a panic",
        &mut passed,
        || {
            // valid JSON of 2^29 bytes: one more character than a V8 string may hold
            let mut state = String::with_capacity(1 << 29);
            state.push_str("{\"data\":\"");
            state.extend(std::iter::repeat_n('x', (1 << 29) - state.len() - 2));
            state.push_str("\"}");
            let err = engine
                .run_job("fn(s => s);", &[&adaptor], &state)
                .expect_err("too large for V8");
            assert!(
                err.to_string()
                    .contains("larger than a JavaScript string can hold"),
                "{err}"
            );
        },
    );

    check(
        "big states, ASCII or not, go into V8 and come back whole",
        &mut passed,
        || {
            // past 64 KB an ASCII input is handed to V8 without a copy; other text is copied
            for (what, unit) in [("ascii", "row-"), ("accents", "é✓ "), ("astral", "😀\\\"")] {
                let rows: Vec<serde_json::Value> = (0..20_000)
                    .map(|i| serde_json::json!({"i": i, "text": format!("{unit}{i}")}))
                    .collect();
                let state = serde_json::json!({"data": {"rows": rows}});
                let text = state.to_string();
                assert!(text.len() > 256 * 1024, "{what}: {}", text.len());
                let outcome = engine
                    .run_job(
                        "fn(s => { s.data.count = s.data.rows.length; return s; });",
                        &[&adaptor],
                        &text,
                    )
                    .expect("runs");
                assert!(outcome.crash.is_none(), "{what}: {:?}", outcome.crash);
                let out = outcome.final_state_value();
                assert_eq!(out["data"]["count"], 20_000, "{what}");
                assert_eq!(out["data"]["rows"], state["data"]["rows"], "{what}");
            }
        },
    );

    check(
        "a workflow file and a typed workflow with a credential",
        &mut passed,
        || {
            let workflow = tmp.join("workflow.json");
            std::fs::write(
            &workflow,
            r#"{"steps": [
                {"id": "a", "expression": "fn(s => ({ ...s, data: { path: ['a'] } }));", "next": {"b": "!state.errors"}},
                {"id": "b", "expression": "fn(s => ({ ...s, data: { path: [...s.data.path, 'b'] } }));"}
            ]}"#,
        )
        .unwrap();
            let outcome = engine
                .run_workflow(&workflow, &[&adaptor], "{}")
                .expect("runs");
            assert_eq!(
                outcome.final_state_value()["data"]["path"],
                json!(["a", "b"])
            );
            assert_eq!(outcome.stats.steps.len(), 2);

            let typed = fnhost::Workflow::from_json(
            r#"{"workflow": {"steps": [
                {"id": "login", "configuration": "db", "expression": "fn(s => { console.log('pw ' + s.configuration.password); return { ...s, data: { len: s.configuration.password.length } }; });"}
            ]}}"#,
        )
        .unwrap();
            let outcome = engine
                .run_blocking(RunRequest::workflow(typed.clone()).adaptor(&adaptor))
                .expect("runs");
            assert_eq!(outcome.final_state_value()["data"]["len"], 9);
            assert!(
                outcome.logs.iter().any(|l| l.message == "pw ****"),
                "{:?}",
                outcome.logs
            );
            let mut unknown = typed;
            unknown.steps[0].configuration = Some(json!("nope"));
            let err = engine
                .run_blocking(RunRequest::workflow(unknown).adaptor(&adaptor))
                .expect_err("unknown credential");
            assert!(matches!(err, fnhost::Error::UnknownCredential(ref id) if id == "nope"));
        },
    );

    check(
        "a run past its heap limit ends with OOMError while 10 others complete",
        &mut passed,
        || {
            let hog = engine.run(
                RunRequest::job(
                    "fn(s => { const keep = []; while (true) keep.push(new Array(100000).fill(Math.random())); });",
                )
                .adaptor(&adaptor)
                .limits(Limits {
                    heap_bytes: 64 * 1024 * 1024,
                    ..Limits::default()
                }),
            );
            let others: Vec<_> = (0..10)
                .map(|i| {
                    engine.run(
                        RunRequest::job(format!(
                            "fn(s => ({{ data: {{ i: {i}, sum: Array.from({{ length: 10000 }}, (_, k) => k).reduce((a, b) => a + b, 0) }} }}));"
                        ))
                        .adaptor(&adaptor),
                    )
                })
                .collect();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let hog = hog.await.expect("runs");
                let crash = hog.crash.expect("the hog crashes");
                assert_eq!(crash.name, "OOMError", "{crash:?}");
                for (i, run) in others.into_iter().enumerate() {
                    let outcome = run.await.expect("runs");
                    assert_eq!(outcome.final_state_value()["data"]["i"], i, "{outcome:?}");
                    assert_eq!(outcome.final_state_value()["data"]["sum"], 49995000);
                }
            });
        },
    );

    check("while(true) ends at its timeout", &mut passed, || {
        let started = Instant::now();
        let outcome = engine
            .run_blocking(
                RunRequest::job("fn(s => { while (true) {} });")
                    .adaptor(&adaptor)
                    .limits(Limits {
                        timeout: Duration::from_millis(400),
                        ..Limits::default()
                    }),
            )
            .expect("runs");
        assert_eq!(outcome.crash.expect("times out").name, "TimeoutError");
        assert!(started.elapsed() >= Duration::from_millis(400));
    });

    let fetcher = http_adaptor(&tmp.join("fetcher"));
    check(
        "a run waiting on a request that never answers ends at its timeout, and can be cancelled",
        &mut passed,
        || {
            let port = silent_server();
            let job = format!("get('http://127.0.0.1:{port}/never');");
            let outcome = engine
                .run_blocking(RunRequest::job(&job).adaptor(&fetcher).limits(Limits {
                    timeout: Duration::from_millis(300),
                    ..Limits::default()
                }))
                .expect("runs");
            assert_eq!(outcome.crash.expect("times out").name, "TimeoutError");

            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut handle = engine.run(RunRequest::job(&job).adaptor(&fetcher));
                // wait until the step has started, then cancel
                while let Some(event) = handle.next_event().await {
                    if matches!(event, RunEvent::StepStarted(_)) {
                        break;
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                handle.cancel();
                let outcome = handle.await.expect("runs");
                assert_eq!(outcome.crash.expect("cancelled").name, "Cancelled");
            });
        },
    );

    check(
        "a run cancelled while it waits in the queue ends as Cancelled",
        &mut passed,
        || {
            let single = Engine::builder().workers(1).build();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                // the only worker is busy for 600 ms; the second run is cancelled in the queue
                let busy = single.run(
                    RunRequest::job("fn(s => { const end = Date.now() + 600; while (Date.now() < end) {} return s; });")
                        .adaptor(&adaptor),
                );
                let queued = single.run(RunRequest::job("fn(s => s);").adaptor(&adaptor));
                queued.cancel();
                let outcome = queued.await.expect("a cancelled run has an outcome");
                assert_eq!(outcome.crash.expect("cancelled").name, "Cancelled");
                assert!(busy.await.expect("runs").crash.is_none());
            });
        },
    );

    check(
        "process.exit ends its own run, and the engine's next run goes on",
        &mut passed,
        || {
            let single = Engine::builder().workers(1).build();
            let exits = single
                .run_job(
                    "fn(state => { const G = state.constructor.constructor('return this')(); try { G.process.exit(4); } catch {} return state; });\nfn(state => ({ ...state, data: { after: true } }));",
                    &[&adaptor],
                    "{}",
                )
                .expect("the run has an outcome");
            let crash = exits.crash.expect("process.exit ends the run");
            assert_eq!(crash.name, "ProcessExit");
            assert_eq!(crash.details["exitCode"], 4);
            let next = single
                .run_job(
                    "fn(state => ({ ...state, data: { n: 1 } }));",
                    &[&adaptor],
                    "{}",
                )
                .expect("the next run runs");
            assert!(next.succeeded(), "{next:?}");
            assert_eq!(next.final_state_value()["data"]["n"], 1);
        },
    );

    check(
        "100 runs with HTTP on one engine thread",
        &mut passed,
        || {
            let single = Engine::builder().workers(1).build();
            let (port, served) = ok_server();
            for i in 0..100 {
                let outcome = single
                    .run_blocking(
                        RunRequest::job(format!("get('http://127.0.0.1:{port}/{i}');"))
                            .adaptor(&fetcher),
                    )
                    .expect("runs");
                assert_eq!(
                    outcome.final_state_value()["data"],
                    json!({"status": 200, "body": "ok"}),
                    "run {i}: {outcome:?}"
                );
            }
            assert_eq!(served.load(Ordering::SeqCst), 100);
        },
    );

    check(
        "a step runs only if the on_step_start hook lets it",
        &mut passed,
        || {
            let (port, served) = ok_server();
            let asked = Arc::new(Mutex::new(Vec::<String>::new()));
            for allow in [false, true] {
                let seen = asked.clone();
                let outcome = engine
                    .run_blocking(
                        RunRequest::job(format!("get('http://127.0.0.1:{port}/gate');"))
                            .adaptor(&fetcher)
                            .on_step_start(move |id| {
                                seen.lock().unwrap().push(id.to_string());
                                allow
                            }),
                    )
                    .expect("runs");
                if allow {
                    assert!(outcome.succeeded(), "{outcome:?}");
                } else {
                    let crash = outcome.crash.expect("refused");
                    assert_eq!(crash.name, "StepNotRecordedError", "{crash:?}");
                    assert_eq!(
                        served.load(Ordering::SeqCst),
                        0,
                        "the refused step made no request"
                    );
                }
            }
            assert_eq!(served.load(Ordering::SeqCst), 1);
            assert_eq!(*asked.lock().unwrap(), ["job-1", "job-1"]);
        },
    );

    check("state and log limits", &mut passed, || {
        let outcome = engine
            .run_blocking(
                RunRequest::job("fn(s => { for (let i = 0; i < 1000; i++) console.log('line ' + i); return { data: { big: 'x'.repeat(50000) } }; });")
                    .adaptor(&adaptor)
                    .limits(Limits {
                        max_state_bytes: 10_000,
                        max_log_bytes: 1_000,
                        ..Limits::default()
                    }),
            )
            .expect("runs");
        assert_eq!(outcome.crash.expect("too large").name, "StateTooLargeError");
        assert!(outcome.logs_dropped > 800, "{}", outcome.logs_dropped);
        let kept: usize = outcome.logs.iter().map(|l| l.message.len()).sum();
        assert!(kept <= 1_000);
    });

    check("events stream while the run goes on", &mut passed, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut handle = engine.run(
                RunRequest::job("fn(s => { console.log('one'); return s; });\nfn(s => { console.log('two'); return s; });")
                    .adaptor(&adaptor),
            );
            let mut seen = Vec::new();
            while let Some(event) = handle.next_event().await {
                seen.push(match event {
                    RunEvent::Log(l) if l.name == "JOB" => format!("log {}", l.message),
                    RunEvent::Log(_) => continue,
                    RunEvent::StepStarted(id) => format!("start {id}"),
                    RunEvent::StepFinished(s) => format!("end {} {}", s.id, s.ok),
                });
            }
            assert_eq!(
                seen,
                vec!["start job-1", "log one", "log two", "end job-1 true"]
            );
            assert!(handle.await.expect("runs").succeeded());
        });
    });

    let _ = std::fs::remove_dir_all(&tmp);
    println!("embed: {passed} passed, 0 failed");
}
