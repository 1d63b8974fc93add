//! Embedding fnhost: run an OpenFn job from Rust against a local adaptor package.
//!
//! `cargo run --example embed` (uses the fixture adaptor in tests/fixtures/esm-adaptor).

fn main() {
    // V8 must be initialised on the main thread before any run.
    fnhost::runtime::init_v8();
    let adaptor = concat!(
        "esm-adaptor=",
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/esm-adaptor"
    );
    let engine = fnhost::Engine::new()
        .with_logger(|level, name, message| eprintln!("[{name}] {level}: {message}"));
    let job = "fn(state => { console.log('hello from the job'); return { ...state, data: { total: state.data.items.length } }; });";
    match engine.run_job(job, &[adaptor], r#"{"data": {"items": [1, 2, 3]}}"#) {
        Ok(fnhost::RunOutcome::Completed { state_json }) => {
            println!("{}", state_json.unwrap_or_default())
        }
        Ok(fnhost::RunOutcome::Crashed(crash)) => {
            eprintln!("crashed: {}: {}", crash.name, crash.message);
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
