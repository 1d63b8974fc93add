//! The embedding API from a Rust program: `fnhost::Engine` runs a job and a workflow in-process.
//!
//! A `harness = false` test: V8's platform must be initialised on the main thread (these CPUs
//! have memory-protection keys), which libtest's worker threads are not.

use std::path::PathBuf;

fn fixture_adaptor() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/esm-adaptor");
    format!("esm-adaptor={}", dir.display())
}

fn main() {
    fnhost::runtime::init_v8();
    let adaptor = fixture_adaptor();
    let lines = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let sink = lines.clone();
    let engine =
        fnhost::Engine::new()
            .with_timeout_ms(5_000)
            .with_logger(move |_level, name, message| {
                sink.borrow_mut().push(format!("{name}: {message}"))
            });

    // a job, its final state, and its console output through the logger
    let outcome = engine
        .run_job(
            "fn(state => { console.log('counting'); return { ...state, data: { n: state.data.items.length } }; });",
            &[&adaptor],
            r#"{"data": {"items": [1, 2, 3]}, "configuration": {"secret": "abc123"}}"#,
        )
        .expect("the job runs");
    let fnhost::RunOutcome::Completed {
        state_json: Some(json),
    } = outcome
    else {
        panic!("the job completes: {outcome:?}")
    };
    let state: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(state["data"]["n"], 3);
    assert!(
        state.get("configuration").is_none(),
        "configuration is removed from the final state"
    );
    assert!(
        lines.borrow().iter().any(|l| l == "JOB: counting"),
        "{:?}",
        lines.borrow()
    );

    // a crash comes back as a value, not a panic
    let outcome = engine
        .run_job("fn(state => missing.value);", &[&adaptor], "{}")
        .expect("runs");
    match outcome {
        fnhost::RunOutcome::Crashed(crash) => assert!(
            crash.message.contains("missing is not defined"),
            "{crash:?}"
        ),
        other => panic!("a ReferenceError crashes: {other:?}"),
    }

    // a workflow file, with the adaptor applied to every step
    let dir = std::env::temp_dir().join(format!("fnhost-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let workflow = dir.join("workflow.json");
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
    let _ = std::fs::remove_dir_all(&dir);
    let fnhost::RunOutcome::Completed {
        state_json: Some(json),
    } = outcome
    else {
        panic!("the workflow completes")
    };
    let state: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(state["data"]["path"], serde_json::json!(["a", "b"]));
    println!("embed: 3 passed, 0 failed");
}
