//! `fnhost bench-pool`: many runs of one job through the embedding API's worker pool, for the
//! side-by-side benchmarks in `benches/compare/` (whole-process time and memory are measured
//! by the script around it).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;

use crate::{Engine, RunRequest};

/// Arguments of `fnhost bench-pool`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Job source file.
    job: PathBuf,
    /// Adaptor spec (repeatable), as for `execute`.
    #[arg(short = 'a', long = "adaptor", value_name = "ADAPTOR")]
    adaptors: Vec<String>,
    /// Input state file (default `{"data":{}}`).
    #[arg(short = 's', long = "state-path", value_name = "FILE")]
    state: Option<PathBuf>,
    /// How many runs.
    #[arg(long, default_value_t = 2000)]
    runs: usize,
    /// Worker threads (runs at once).
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Directory holding installed adaptors.
    #[arg(long, env = "FNHOST_REPO_DIR", value_name = "DIR")]
    repo_dir: Option<PathBuf>,
}

/// Runs the benchmark; prints one JSON line with the results. Returns the exit code.
pub fn run(args: BenchArgs) -> i32 {
    let source = match std::fs::read_to_string(&args.job) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fnhost: cannot read {}: {e}", args.job.display());
            return 1;
        }
    };
    let state = match &args.state {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("fnhost: cannot read {}: {e}", path.display());
                return 1;
            }
        },
        None => r#"{"data":{}}"#.to_string(),
    };
    let mut builder = Engine::builder()
        .workers(args.workers)
        .adaptor_snapshots(super::adaptor_snapshots_enabled());
    if let Some(dir) = &args.repo_dir {
        builder = builder.repo_dir(dir);
    }
    let engine = builder.build();
    let tokio = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fnhost: {e}");
            return 1;
        }
    };
    let started = Instant::now();
    let (ok, failed, mut latencies) = tokio.block_on(async {
        // keep every worker busy: `workers` runs in flight, a new one as each ends
        let mut in_flight = tokio::task::JoinSet::new();
        let (mut ok, mut failed) = (0usize, 0usize);
        let mut latencies: Vec<Duration> = Vec::with_capacity(args.runs);
        let mut next = 0;
        loop {
            while next < args.runs && in_flight.len() < args.workers {
                let mut request = RunRequest::job(source.clone()).state(state.clone());
                for a in &args.adaptors {
                    request = request.adaptor(a.clone());
                }
                let handle = engine.run(request);
                in_flight.spawn(async move {
                    let t = Instant::now();
                    (handle.await, t.elapsed())
                });
                next += 1;
            }
            let Some(done) = in_flight.join_next().await else {
                break;
            };
            match done {
                Ok((Ok(outcome), took)) if outcome.crash.is_none() => {
                    ok += 1;
                    latencies.push(took);
                }
                Ok((Ok(outcome), _)) => {
                    failed += 1;
                    if failed == 1 {
                        eprintln!("fnhost: a run crashed: {:?}", outcome.crash);
                    }
                }
                Ok((Err(e), _)) => {
                    failed += 1;
                    if failed == 1 {
                        eprintln!("fnhost: a run failed: {e}");
                    }
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("fnhost: {e}");
                }
            }
        }
        (ok, failed, latencies)
    });
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    println!(
        "{}",
        serde_json::json!({
            "runs": args.runs,
            "workers": args.workers,
            "ok": ok,
            "failed": failed,
            "seconds": elapsed.as_secs_f64(),
            "runs_per_second": ok as f64 / elapsed.as_secs_f64(),
            "p50_ms": pct(0.5),
            "p99_ms": pct(0.99),
        })
    );
    if failed > 0 {
        1
    } else {
        0
    }
}
