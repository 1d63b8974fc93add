//! Embedding fnhost: run an OpenFn job from Rust against a local adaptor package.
//!
//! `cargo run --example embed` (uses the fixture adaptor in tests/fixtures/esm-adaptor).

fn main() {
    // V8 must be initialised on the main thread before any engine starts.
    fnhost::runtime::init_v8();
    let adaptor = concat!(
        "esm-adaptor=",
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/esm-adaptor"
    );
    let engine = fnhost::Engine::builder()
        .workers(2)
        .log_sink(|line| eprintln!("[{}] {}: {}", line.name, line.level, line.message))
        .build();
    let job = "fn(state => { console.log('hello from the job'); return { ...state, data: { total: state.data.items.length } }; });";
    let request = fnhost::RunRequest::job(job)
        .adaptor(adaptor)
        .state(r#"{"data": {"items": [1, 2, 3]}}"#);
    match engine.run_blocking(request) {
        Ok(outcome) => match &outcome.crash {
            None => {
                println!("{}", outcome.final_state.unwrap_or_default());
                for step in &outcome.stats.steps {
                    eprintln!(
                        "step {}: {:.1} ms, heap {} bytes",
                        step.id, step.wall_ms, step.peak_heap_bytes
                    );
                }
            }
            Some(crash) => {
                eprintln!("crashed: {}: {}", crash.name, crash.message);
                std::process::exit(1);
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
