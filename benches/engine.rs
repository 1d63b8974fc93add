//! In-process micro-benchmarks of the engine's fixed costs (criterion):
//!
//! - compiling a job (OpenFn's compile rules, in Rust);
//! - creating a runtime from the engine's startup snapshot and dropping it, what every run pays
//!   before its plan starts (the issue's target: 5 ms median);
//! - a run of a pass-through job, with an empty state and with a 10 MB one: the difference is
//!   what a state costs on its way in (parse), through OpenFn's clone and out (serialise).
//!
//! `cargo bench --bench engine` (the side-by-side comparison with Node is benches/compare/).
//! `cargo test --benches` runs each once, as a check that they work.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use fnhost::compile::{compile_job, AdaptorInfo, CompileOptions};
use fnhost::runtime::RunOptions;

const ADAPTOR: &str = concat!(
    "esm-adaptor=",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/esm-adaptor"
);

/// A job of the usual shape: a few operations, callbacks, an each and a template string.
const JOB: &str = r#"
get('/patients', { query: { since: $.lastSync } });
each('$.data[*]', fn(state => {
  const p = state.data;
  state.rows = [...(state.rows ?? []), { id: p.id, name: `${p.given} ${p.family}` }];
  return state;
}));
fn(state => ({ ...state, data: { count: state.rows.length }, lastSync: new Date().toISOString() }));
"#;

fn compile(c: &mut Criterion) {
    let options = CompileOptions {
        adaptors: vec![AdaptorInfo::new(
            "@openfn/language-common",
            ["get", "each", "fn", "dataValue"],
        )],
        ..Default::default()
    };
    c.bench_function("compile a job", |b| {
        b.iter(|| compile_job(JOB, &options).expect("compiles"))
    });
}

fn runtime_from_snapshot(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let _entered = tokio.enter();
    let options = RunOptions::default();
    c.bench_function("create a runtime from the engine snapshot", |b| {
        b.iter(|| fnhost::runtime::create_and_drop_runtime(&options).expect("a runtime"))
    });
}

fn state_through_a_run(c: &mut Criterion) {
    // as `fnhost execute` runs: no cap on the state (OpenFn's worker default is 10 MB)
    let engine = fnhost::Engine::builder()
        .workers(1)
        .limits(fnhost::Limits::timeout_only(Duration::from_secs(300)))
        .build();
    let job = engine.compile("fn(s => s);", &[ADAPTOR]).expect("compiles");
    let rows: Vec<serde_json::Value> = (0..160_000)
        .map(|i| serde_json::json!({"id": i, "name": format!("row {i}"), "tags": ["a", "b"], "value": i as f64 * 1.5}))
        .collect();
    let big = serde_json::json!({"data": {"rows": rows}}).to_string();
    assert!(big.len() >= 10 << 20, "{} bytes", big.len());
    let mut group = c.benchmark_group("a pass-through run");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for (name, state) in [("empty state", "{}".to_string()), ("10 MB state", big)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let outcome = engine
                    .run_blocking(fnhost::RunRequest::compiled(&job).state(state.clone()))
                    .expect("runs");
                assert!(outcome.crash.is_none(), "{:?}", outcome.crash);
                outcome
            })
        });
    }
    group.finish();
}

fn v8_first(c: &mut Criterion) {
    // V8's platform is made on the main thread before anything else uses it
    fnhost::runtime::init_v8();
    let _ = c;
}

criterion_group!(
    benches,
    v8_first,
    compile,
    runtime_from_snapshot,
    state_through_a_run
);
criterion_main!(benches);
