//! The engine: runs an execution plan on V8 with OpenFn's runtime semantics.
//!
//! Each run gets a fresh `JsRuntime` made from the startup snapshot (engine JS from `js/`),
//! a [`loader::NodeModules`] resolver, and an [`EngineHost`] through which the JS runtime
//! compiles jobs. The OpenFn semantics themselves (operations, errors, state passing) live in
//! `js/05_job.js`; Rust drives it and enforces the wall-clock timeout.

pub mod adaptor_snapshot;
pub mod cjs_exports;
pub mod compile_cache;
pub mod extension;
pub mod from_source;
pub mod http_client;
pub mod job_script;
pub mod loader;
pub(crate) mod phases;
pub mod web;

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use deno_core::{v8, JsRuntime, RuntimeOptions};
use serde::{Deserialize, Serialize};

use crate::compile::{AdaptorInfo, CompiledJob};
use crate::ops::host::{
    AdaptorExports, EngineHost, HostHandle, OperationMeta, PreparedJob, SourcePosition,
};
use crate::ops::log::LogSink;
use crate::ops::modules::Resolved;
use loader::{NodeModuleLoader, NodeModules};

/// The startup snapshot made by `build.rs`.
static SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/FNHOST_SNAPSHOT.bin"));
/// SHA-256 of [`SNAPSHOT`]: snapshots built on top of it are only valid with this build.
const SNAPSHOT_DIGEST: &str = include_str!(concat!(env!("OUT_DIR"), "/FNHOST_SNAPSHOT.digest"));

/// Initialises V8. Call once, on the main thread, before any run (V8's platform must be
/// created there on CPUs with memory-protection keys). Later calls do nothing.
pub fn init_v8() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| JsRuntime::init_platform(None));
}

/// A resolved adaptor for a step: the package name jobs import and its entry module.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepAdaptor {
    /// Package name, e.g. `@openfn/language-common`.
    pub name: String,
    /// `file://` URL of the package entry module.
    pub url: String,
    /// Installed version.
    pub version: String,
    /// Why the adaptor cannot be loaded: the step fails with this message (as in OpenFn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The names the package's type declarations export, which the compiler auto-imports
    /// (OpenFn's rule); `None` for a package without `types` (the loaded module's exports are
    /// used instead).
    #[serde(
        default,
        rename = "declaredExports",
        skip_serializing_if = "Option::is_none"
    )]
    pub declared_exports: Option<Vec<String>>,
}

/// Options of one run.
#[derive(Clone)]
pub struct RunOptions {
    /// V8 heap limit of the run, in bytes: past it the run ends with `OOMError` (the process and
    /// other runs go on). `None`: V8's default limit.
    pub heap_limit_bytes: Option<usize>,
    /// Set to `true` (from any thread) to stop the run; it ends with a `Cancelled` crash.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called when a step starts and ends, as it happens.
    pub on_step: Option<StepCallback>,
    /// Asked on the run's thread, with the step's id, before each step's expression runs:
    /// false stops the run there, the step unrun (a `StepNotRecordedError` crash). A durable
    /// caller records the step's start here.
    pub step_gate: Option<StepGate>,
    /// Start from this snapshot instead of the engine's (a per-adaptor snapshot from
    /// [`adaptor_snapshot::load_or_build`]).
    pub snapshot: Option<&'static [u8]>,
    /// Wall-clock limit per step, in milliseconds.
    pub timeout_ms: u64,
    /// Directory that job imports of non-adaptor packages resolve from (OpenFn's linker looks
    /// them up in the adaptor repo).
    pub base_dir: PathBuf,
    /// Start from the snapshot (default) or evaluate the engine JS at start-up.
    pub use_snapshot: bool,
    /// Environment variables visible to adaptors as `process.env` (an allow-list; empty by
    /// default, never the host environment as a whole).
    pub env: std::collections::BTreeMap<String, String>,
    /// Receives every log line: `(level, logger name, message)`.
    pub log: Rc<crate::ops::log::LogFn>,
    /// Receives each step's output state as it completes (for `--cache-steps`); `None` skips
    /// serialising it.
    pub step_output: Option<Rc<crate::ops::job::StepOutputFn>>,
}

impl Default for RunOptions {
    /// A five-minute step limit, adaptors from the default repo, the snapshot, no environment,
    /// no log output, no heap limit beyond V8's.
    fn default() -> Self {
        RunOptions {
            heap_limit_bytes: None,
            cancel: None,
            on_step: None,
            step_gate: None,
            snapshot: None,
            step_output: None,
            timeout_ms: 300_000,
            base_dir: crate::repo::default_repo_dir(),
            use_snapshot: true,
            env: Default::default(),
            log: Rc::new(|_, _, _| {}),
        }
    }
}

/// Receives [`StepProgress`] as steps start and finish.
pub type StepCallback = Rc<dyn Fn(&StepProgress)>;

/// Decides whether the step with this id may start ([`RunOptions::step_gate`]).
pub type StepGate = Rc<dyn Fn(&str) -> bool>;

/// A step starting or finishing, reported while the run goes on.
#[derive(Debug, Clone)]
pub enum StepProgress {
    /// The step with this id started.
    Started(String),
    /// A step finished (with or without an error).
    Finished(StepStats),
}

/// What one step cost.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StepStats {
    /// The step's id.
    pub id: String,
    /// Whether it completed without an error.
    pub ok: bool,
    /// Wall-clock time, milliseconds.
    pub wall_ms: f64,
    /// CPU time of the engine's thread, milliseconds.
    pub cpu_ms: f64,
    /// V8 heap in use when the step ended, bytes.
    pub heap_used_bytes: usize,
    /// The highest V8 heap use sampled during the step (at its start and end, and the heap
    /// limit's callback), bytes.
    pub peak_heap_bytes: usize,
}

/// What a whole run cost.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunStats {
    /// Wall-clock time from the engine's start to the result, milliseconds.
    pub wall_ms: f64,
    /// CPU time of the engine's thread, milliseconds.
    pub cpu_ms: f64,
    /// The highest V8 heap use sampled, bytes.
    pub peak_heap_bytes: usize,
    /// Size of the input state's JSON text, bytes.
    pub state_in_bytes: usize,
    /// Size of the final state's JSON text, bytes (0 when there is none).
    pub state_out_bytes: usize,
    /// Each step, in the order they ran.
    pub steps: Vec<StepStats>,
}

/// CPU time used by the calling thread so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given and nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// How a run ended.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// The plan completed (possibly with `state.errors`). The final state as OpenFn writes it:
    /// `JSON.stringify(state, null, 2)`, or `None` when the final state is `undefined`.
    Completed {
        /// The final state's JSON text.
        state_json: Option<String>,
        /// `state.errors` of the final state as JSON (the steps that failed), read by the engine
        /// so that the host never has to parse a large final state to find them.
        errors_json: Option<String>,
    },
    /// The run crashed: an OpenFn error with `severity` crash or kill.
    Crashed(Crash),
}

/// A crash: the error OpenFn would throw from `run()`.
#[derive(Debug, Clone, Deserialize)]
pub struct Crash {
    /// Error name, e.g. `RuntimeCrash`, `TimeoutError`, `SecurityError`.
    pub name: String,
    /// Human-readable message.
    pub message: String,
    /// The full serialised error (enumerable fields).
    #[serde(default)]
    pub details: serde_json::Value,
}

#[derive(Deserialize)]
struct JsOutcome {
    state: Option<String>,
    #[serde(default)]
    errors: Option<String>,
    crash: Option<serde_json::Value>,
}

struct CompiledEntry {
    /// `None` when the source ran uncompiled (positions map one to one).
    job: Option<CompiledJob>,
    line1_offset: u32,
    source_lines: Vec<String>,
}

/// The [`EngineHost`] of one run.
struct RunHost {
    modules: Rc<NodeModules>,
    jobs: RefCell<Vec<CompiledEntry>>,
}

impl EngineHost for RunHost {
    fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        for_require: bool,
    ) -> Result<Resolved, String> {
        self.modules.resolve(specifier, referrer, for_require)
    }

    fn read_source(&self, path: &str) -> Result<String, String> {
        self.modules.read_source(std::path::Path::new(path))
    }

    fn compile_job(
        &self,
        source: &str,
        adaptors: &[AdaptorExports],
        name: &str,
        ignore: &[String],
        compile: bool,
    ) -> Result<PreparedJob, String> {
        if !compile {
            let script = job_script::module_to_job_script(source)?;
            let mut jobs = self.jobs.borrow_mut();
            let id = jobs.len() as u32;
            jobs.push(CompiledEntry {
                job: None,
                line1_offset: script.line1_offset,
                source_lines: source.lines().map(str::to_string).collect(),
            });
            return Ok(PreparedJob {
                id,
                script: script.source,
                imports: script.imports,
                bindings: script.bindings,
                operations: Vec::new(),
            });
        }
        let infos: Vec<AdaptorInfo> = adaptors
            .iter()
            .map(|a| AdaptorInfo {
                specifier: a.specifier.clone(),
                exports: a.exports.clone(),
            })
            .collect();
        let compiled = compile_cache::compile(source, &infos, name, ignore)?;
        let (job, script) = (compiled.job.clone(), &compiled.script);
        let operations = job
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| OperationMeta {
                name: op.name.clone(),
                line: op.line,
                order: i as u32 + 1,
            })
            .collect();
        let mut jobs = self.jobs.borrow_mut();
        let id = jobs.len() as u32;
        jobs.push(CompiledEntry {
            job: Some(job),
            line1_offset: script.line1_offset,
            source_lines: source.lines().map(str::to_string).collect(),
        });
        Ok(PreparedJob {
            id,
            script: script.source.clone(),
            imports: script.imports.clone(),
            bindings: script.bindings.clone(),
            operations,
        })
    }

    fn map_position(&self, job: u32, line: u32, column: u32) -> Option<SourcePosition> {
        let jobs = self.jobs.borrow();
        let entry = jobs.get(job as usize)?;
        let column = if line == 1 {
            column.saturating_sub(entry.line1_offset)
        } else {
            column
        };
        let (line, column) = match &entry.job {
            Some(job) => job.original_position(line, column.max(1))?,
            None => (line, column.max(1)),
        };
        let src = entry
            .source_lines
            .get(line.checked_sub(1)? as usize)
            .cloned();
        Some(SourcePosition { line, column, src })
    }
}

/// A new current-thread event loop for one run on the calling thread (V8 initialised, and the
/// thread's cached HTTP clients, which belong to an earlier loop, dropped).
fn fresh_event_loop() -> Result<tokio::runtime::Runtime, String> {
    init_v8();
    forget_http_clients();
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .map_err(|e| format!("cannot start the event loop: {e}"))
}

/// Reqwest clients are cached per thread and belong to the tokio runtime that made them: a
/// caller that makes a new runtime per run drops them first.
fn forget_http_clients() {
    http_client::forget_thread_clients();
}

/// Runs an execution plan (OpenFn's `{workflow: {steps}, options}` with each step's
/// `adaptors` resolved to [`StepAdaptor`]s and `expression` holding source text) against
/// `input_json`, inside the caller's (current-thread) tokio runtime, with the run's statistics.
/// The engine's workers call it (`crate::Engine`); a thread that keeps one runtime for many
/// runs keeps its HTTP connections between them.
pub async fn run_plan_async(
    plan: &serde_json::Value,
    input_json: &str,
    options: &RunOptions,
) -> Result<(RunOutcome, RunStats), String> {
    let js_options = serde_json::json!({
        "timeout": options.timeout_ms,
        "basePath": options.base_dir.join("job.js").to_string_lossy(),
        "env": options.env,
        // modules evaluated in a per-adaptor snapshot are this run's own copy: keep them
        "keepModules": options.snapshot.is_some(),
        "stepOutput": options.step_output.is_some(),
        // an unknown TZ is refused before the run; `UTC` (the binary's default) needs no check
        "checkTimeZone": std::env::var("TZ").map_or(true, |tz| tz != "UTC"),
    });
    // the input state goes into V8 from the caller's text, without a copy of it here
    let (plan_json, options_json) = (plan.to_string(), js_options.to_string());
    let args = [plan_json.as_str(), input_json, options_json.as_str()];
    let started = std::time::Instant::now();
    let cpu_started = thread_cpu_time();
    let recorder = Rc::new(RefCell::new(RunStats {
        state_in_bytes: input_json.len(),
        ..RunStats::default()
    }));
    let (value, stop) = call_host_async(
        "runPlan",
        &args,
        &adaptor_dirs(plan),
        options,
        Some(recorder.clone()),
    )
    .await?;
    let mut stats = recorder.borrow().clone();
    stats.wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    stats.cpu_ms = (thread_cpu_time().saturating_sub(cpu_started)).as_secs_f64() * 1000.0;
    let outcome = match stop {
        Some((stop, limit)) => RunOutcome::Crashed(stop.crash(options, limit)),
        None => outcome_from_js(value)?,
    };
    if let RunOutcome::Completed {
        state_json: Some(text),
        ..
    } = &outcome
    {
        stats.state_out_bytes = text.len();
    }
    Ok((outcome, stats))
}

/// Why the host stopped a run from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// A step's deadline passed (the watchdog).
    TimedOut,
    /// The heap limit was reached.
    OutOfMemory,
    /// The caller cancelled the run.
    Cancelled,
}

impl Stop {
    /// The crash a stopped run ends with; `limit` is the expired window's limit (timeouts).
    fn crash(self, options: &RunOptions, limit: u64) -> Crash {
        let (name, message, severity) = match self {
            Stop::TimedOut => (
                "TimeoutError",
                format!("Job took longer than {limit}ms to complete"),
                "kill",
            ),
            Stop::OutOfMemory => (
                "OOMError",
                format!(
                    "Run exceeded its memory limit of {} MB",
                    options.heap_limit_bytes.unwrap_or_default() / (1024 * 1024)
                ),
                "kill",
            ),
            Stop::Cancelled => ("Cancelled", "The run was cancelled".to_string(), "kill"),
        };
        Crash {
            name: name.into(),
            message: message.clone(),
            details: serde_json::json!({"source": "runtime", "name": name, "severity": severity, "message": message, "watchdog": self == Stop::TimedOut, "limit": limit}),
        }
    }
}

fn outcome_from_js(value: serde_json::Value) -> Result<RunOutcome, String> {
    let outcome: JsOutcome = serde_json::from_value(value)
        .map_err(|e| format!("engine returned an invalid result: {e}"))?;
    if let Some(crash) = outcome.crash {
        let name = crash
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or("Error")
            .to_string();
        let message = crash
            .get("message")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        return Ok(RunOutcome::Crashed(Crash {
            name,
            message,
            details: crash,
        }));
    }
    Ok(RunOutcome::Completed {
        state_json: outcome.state,
        errors_json: outcome.errors,
    })
}

/// Loads the module at `url` in the engine and returns the export names a job sees (after
/// OpenFn's linker rules): what the compiler may auto-import.
pub fn module_export_names(url: &str, options: &RunOptions) -> Result<Vec<String>, String> {
    let dirs: Vec<PathBuf> = entry_package_dir(url).into_iter().collect();
    let value = call_host("exportNames", &[url], &dirs, options)?;
    if let Some(err) = value.get("error").and_then(|e| e.as_str()) {
        return Err(err.to_string());
    }
    serde_json::from_value(value.get("names").cloned().unwrap_or_default())
        .map_err(|e| e.to_string())
}

/// The package directory of an adaptor entry point given as a `file://` URL.
fn entry_package_dir(url: &str) -> Option<PathBuf> {
    let path = deno_core::ModuleSpecifier::parse(url)
        .ok()?
        .to_file_path()
        .ok()?;
    loader::package_root(&path)
}

/// The package directories of the adaptors the host resolved for the plan's steps: with the
/// repo, what the run may read modules from. Only steps with an expression count: the host
/// replaced their `adaptors` with what it resolved (any other step's are the file's own).
fn adaptor_dirs(plan: &serde_json::Value) -> Vec<PathBuf> {
    let steps = plan["workflow"]["steps"].as_array();
    steps
        .into_iter()
        .flatten()
        .filter(|step| step.get("expression").is_some())
        .filter_map(|step| step["adaptors"].as_array())
        .flatten()
        .filter(|a| a.get("error").is_none_or(|e| e.is_null()))
        .filter_map(|a| entry_package_dir(a["url"].as_str()?))
        .collect()
}

/// Starts a fresh engine on a new event loop, calls the host function `name` with string
/// arguments and returns its result as JSON (an error when the host had to stop it).
fn call_host(
    name: &str,
    args: &[&str],
    grants: &[PathBuf],
    options: &RunOptions,
) -> Result<serde_json::Value, String> {
    let tokio = fresh_event_loop()?;
    match tokio.block_on(call_host_async(name, args, grants, options, None))? {
        (value, None) => Ok(value),
        (_, Some((stop, limit))) => Err(stop.crash(options, limit).message),
    }
}

/// Starts a fresh engine, calls the host function `name` with string arguments, runs the event
/// loop until its promise settles, and returns the result as JSON — or why the host stopped it
/// (deadline, heap limit, cancellation: V8 is terminated, also while it waits on Rust work).
async fn call_host_async(
    name: &str,
    args: &[&str],
    grants: &[PathBuf],
    options: &RunOptions,
    stats: Option<Rc<RefCell<RunStats>>>,
) -> Result<(serde_json::Value, Option<(Stop, u64)>), String> {
    let mut phases = phases::Phases::start();
    let modules = Rc::new(NodeModules::new(options.base_dir.clone()));
    for dir in grants {
        modules.grant(dir);
    }
    let mut runtime = JsRuntime::try_new(RuntimeOptions {
        create_params: options
            .heap_limit_bytes
            .map(|max| v8::CreateParams::default().heap_limits(0, max)),
        module_loader: Some(Rc::new(NodeModuleLoader(modules.clone()))),
        startup_snapshot: match (options.use_snapshot, options.snapshot) {
            (false, _) => None,
            (true, Some(adaptor)) => Some(adaptor),
            (true, None) => Some(SNAPSHOT),
        },
        extensions: {
            let mut all = web::web_extensions();
            all.push(extension::fnhost::init());
            all
        },
        ..Default::default()
    })
    .map_err(|e| format!("cannot start the JavaScript engine: {e}"))?;
    phases.mark(if options.snapshot.is_some() {
        "V8 runtime from the adaptor's snapshot"
    } else {
        "V8 runtime from the engine's snapshot"
    });
    // WebAssembly is compiled only where code generation from strings is allowed: the main
    // realm, not the job realm (OpenFn's sandbox sets `codeGeneration: { wasm: false }`).
    runtime
        .v8_isolate()
        .set_allow_wasm_code_generation_callback(allow_wasm_where_eval_is_allowed);
    // The first window covers everything before the first step (adaptors' top-level code,
    // workflow globals, compilation); js/05_job.js starts one per step and between steps.
    let deadline = install_run_state(
        &mut runtime,
        modules,
        options.log.clone(),
        options.timeout_ms,
    );
    if let Some(stats) = &stats {
        let state = runtime.op_state();
        state.borrow_mut().put(step_observer(
            stats.clone(),
            options.on_step.clone(),
            options.step_gate.clone(),
        ));
    }
    if let Some(sink) = &options.step_output {
        let state = runtime.op_state();
        state
            .borrow_mut()
            .put(crate::ops::job::StepOutputSink(sink.clone()));
    }
    let run_fn = runtime
        .execute_script(
            "[fnhost:start]",
            format!("(() => {{ const h = globalThis.__fnhostHost; delete globalThis.__fnhostHost; delete globalThis.Deno; delete globalThis.__bootstrap; return h[{}]; }})()", serde_json::to_string(name).unwrap_or_default()),
        )
        .map_err(|e| format!("engine bootstrap failed: {e}"))?;
    let run_fn: v8::Global<v8::Function> = {
        deno_core::scope!(scope, runtime);
        let local = v8::Local::new(scope, run_fn);
        let func = v8::Local::<v8::Function>::try_from(local)
            .map_err(|_| "engine bootstrap failed".to_string())?;
        v8::Global::new(scope, func)
    };
    let args: Vec<v8::Global<v8::Value>> = {
        deno_core::scope!(scope, runtime);
        let mut values = Vec::with_capacity(args.len());
        for s in args {
            // V8's strings hold at most 2^29 - 24 characters (about 512 MB of JSON)
            let Some(value) = v8::String::new(scope, s) else {
                return Err(format!(
                    "the input ({} bytes of JSON) is larger than a JavaScript string can hold ({} characters)",
                    s.len(),
                    v8::String::MAX_LENGTH
                ));
            };
            let value: v8::Local<v8::Value> = value.into();
            values.push(v8::Global::new(scope, value));
        }
        values
    };
    phases.mark("engine bootstrap, plan and state into V8");

    // Why the host stopped the run, if it did (0: it did not); set by the watchdog thread or
    // the heap-limit callback, which also wake the event loop below.
    let stopped = Arc::new(std::sync::atomic::AtomicU8::new(0));
    let wake = Arc::new(tokio::sync::Notify::new());
    // the limit of the window that expired, when the watchdog stopped the run
    let expired_limit = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let handle = runtime.v8_isolate().thread_safe_handle();
    if options.heap_limit_bytes.is_some() {
        let stopped = stopped.clone();
        let wake = wake.clone();
        let handle = handle.clone();
        let stats = stats.clone();
        runtime.add_near_heap_limit_callback(move |current, _initial| {
            if let Some(stats) = &stats {
                let mut stats = stats.borrow_mut();
                stats.peak_heap_bytes = stats.peak_heap_bytes.max(current);
            }
            if stopped.load(Ordering::SeqCst) == 0 {
                stopped.store(Stop::OutOfMemory as u8 + 1, Ordering::SeqCst);
            }
            handle.terminate_execution();
            wake.notify_one();
            // room for the terminated code to unwind: V8 aborts the process if it has none
            current + current / 2 + 64 * 1024 * 1024
        });
    }

    // Watchdog: a synchronous runaway job never yields to the JS timeout, so terminate V8 when
    // the running step's deadline (armed by js/05_job.js per step) has passed, or the caller
    // cancelled the run.
    let (finished, finished_rx) = mpsc::channel::<()>();
    let watchdog = {
        let stopped = stopped.clone();
        let wake = wake.clone();
        let deadline = deadline.clone();
        let expired_limit = expired_limit.clone();
        let cancel = options.cancel.clone();
        std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) =
                finished_rx.recv_timeout(Duration::from_millis(20))
            {
                let window = deadline.window();
                let stop = if std::time::Instant::now() >= window.at {
                    expired_limit.store(window.limit_ms, Ordering::SeqCst);
                    Some(Stop::TimedOut)
                } else if cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)) {
                    Some(Stop::Cancelled)
                } else {
                    None
                };
                if let Some(stop) = stop {
                    let _ = stopped.compare_exchange(
                        0,
                        stop as u8 + 1,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                    handle.terminate_execution();
                    wake.notify_one();
                    break;
                }
            }
        })
    };

    let call = runtime.call_with_args(&run_fn, &args);
    let result = tokio::select! {
        result = runtime.with_event_loop_promise(call, Default::default()) => Some(result),
        // the run may be waiting on Rust work (a request that never answers): stop waiting
        _ = wake.notified() => None,
    };
    let _ = finished.send(());
    let _ = watchdog.join();
    phases.mark("the plan: adaptors loaded and evaluated, job compiled, steps run");

    let stop = match stopped.load(Ordering::SeqCst) {
        0 => None,
        n if n == Stop::TimedOut as u8 + 1 => Some(Stop::TimedOut),
        n if n == Stop::OutOfMemory as u8 + 1 => Some(Stop::OutOfMemory),
        _ => Some(Stop::Cancelled),
    };
    if let Some(stop) = stop {
        let limit = expired_limit.load(Ordering::SeqCst);
        return Ok((serde_json::Value::Null, Some((stop, limit))));
    }
    let Some(result) = result else {
        return Err("engine error: the run was woken without a reason".into());
    };
    let value = result.map_err(|e| format!("engine error: {e}"))?;
    deno_core::scope!(scope, runtime);
    let local = v8::Local::new(scope, value);
    let json: serde_json::Value = deno_core::serde_v8::from_v8(scope, local)
        .map_err(|e| format!("engine returned an invalid result: {e}"))?;
    phases.mark("final state out of V8");
    Ok((json, None))
}

/// Puts what the ops of a run need into the runtime's `OpState` (HTTP client, the host that
/// compiles jobs and resolves modules, the step deadline, the log sink); returns the deadline.
fn install_run_state(
    runtime: &mut JsRuntime,
    modules: Rc<NodeModules>,
    log: Rc<crate::ops::log::LogFn>,
    timeout_ms: u64,
) -> crate::ops::job::StepDeadline {
    let deadline = crate::ops::job::StepDeadline::new(timeout_ms);
    let state = runtime.op_state();
    let mut state = state.borrow_mut();
    state.put(crate::ops::http::HttpClientHandle(Rc::new(
        http_client::ReqwestClient,
    )));
    state.put(HostHandle(Rc::new(RunHost {
        modules,
        jobs: RefCell::default(),
    })));
    state.put(deadline.clone());
    state.put(LogSink(Rc::new(
        move |level: &str, name: &str, message: &str| log(level, name, message),
    )));
    deadline
}

/// Turns the JavaScript's step events into [`StepStats`] (wall and CPU time measured here).
fn step_observer(
    stats: Rc<RefCell<RunStats>>,
    on_step: Option<StepCallback>,
    gate: Option<StepGate>,
) -> crate::ops::job::StepObserver {
    let open: RefCell<Option<(std::time::Instant, Duration, usize)>> = RefCell::new(None);
    crate::ops::job::StepObserver(Rc::new(move |event| {
        {
            let mut stats = stats.borrow_mut();
            stats.peak_heap_bytes = stats.peak_heap_bytes.max(event.heap_used);
        }
        if event.start {
            if let Some(gate) = &gate {
                if !gate(&event.step) {
                    return false;
                }
            }
            *open.borrow_mut() = Some((
                std::time::Instant::now(),
                thread_cpu_time(),
                event.heap_used,
            ));
            if let Some(cb) = &on_step {
                cb(&StepProgress::Started(event.step));
            }
            return true;
        }
        let Some((started, cpu, heap_start)) = open.borrow_mut().take() else {
            return true;
        };
        let step = StepStats {
            id: event.step,
            ok: event.ok,
            wall_ms: started.elapsed().as_secs_f64() * 1000.0,
            cpu_ms: thread_cpu_time().saturating_sub(cpu).as_secs_f64() * 1000.0,
            heap_used_bytes: event.heap_used,
            peak_heap_bytes: heap_start.max(event.heap_used),
        };
        stats.borrow_mut().steps.push(step.clone());
        if let Some(cb) = &on_step {
            cb(&StepProgress::Finished(step));
        }
        true
    }))
}

/// V8 asks before compiling WebAssembly: allowed only in contexts that may generate code from
/// strings (the main realm), never in the job realm.
extern "C" fn allow_wasm_where_eval_is_allowed(
    context: v8::Local<v8::Context>,
    _source: v8::Local<v8::String>,
) -> bool {
    context.is_code_generation_from_strings_allowed()
}
