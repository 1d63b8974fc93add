//! The engine: runs an execution plan on V8 with OpenFn's runtime semantics.
//!
//! Each run gets a fresh `JsRuntime` made from the startup snapshot (engine JS from `js/`),
//! a [`loader::NodeModules`] resolver, and an [`EngineHost`] through which the JS runtime
//! compiles jobs. The OpenFn semantics themselves (operations, errors, state passing) live in
//! `js/05_job.js`; Rust drives it and enforces the wall-clock timeout.

pub mod cjs_exports;
pub mod extension;
pub mod http_client;
pub mod job_script;
pub mod loader;
pub mod web;

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use deno_core::{v8, JsRuntime, RuntimeOptions};
use serde::{Deserialize, Serialize};

use crate::compile::{compile_job, AdaptorInfo, CompileOptions, CompiledJob};
use crate::ops::host::{
    AdaptorExports, EngineHost, HostHandle, OperationMeta, PreparedJob, SourcePosition,
};
use crate::ops::log::LogSink;
use crate::ops::modules::Resolved;
use loader::{NodeModuleLoader, NodeModules};

/// The startup snapshot made by `build.rs`.
static SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/FNHOST_SNAPSHOT.bin"));

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
}

/// Options of one run.
#[derive(Clone)]
pub struct RunOptions {
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
}

/// How a run ended.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// The plan completed (possibly with `state.errors`). The final state as OpenFn writes it:
    /// `JSON.stringify(state, null, 2)`, or `None` when the final state is `undefined`.
    Completed { state_json: Option<String> },
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
                operations: Vec::new(),
            });
        }
        let options = CompileOptions {
            adaptors: adaptors
                .iter()
                .map(|a| AdaptorInfo {
                    specifier: a.specifier.clone(),
                    exports: a.exports.clone(),
                })
                .collect(),
            ignore: ignore.to_vec(),
            name: Some(name.to_string()),
            ..CompileOptions::default()
        };
        let job = compile_job(source, &options).map_err(|e| e.to_string())?;
        let script = job_script::module_to_job_script(&job.code)?;
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
            script: script.source,
            imports: script.imports,
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

/// Runs an execution plan (OpenFn's `{workflow: {steps}, options}` with each step's
/// `adaptors` resolved to [`StepAdaptor`]s and `expression` holding source text) against
/// `input_json`.
pub fn run_plan(
    plan: &serde_json::Value,
    input_json: &str,
    options: &RunOptions,
) -> Result<RunOutcome, String> {
    let js_options = serde_json::json!({
        "timeout": options.timeout_ms,
        "basePath": options.base_dir.join("job.js").to_string_lossy(),
        "env": options.env,
    });
    let args = [
        plan.to_string(),
        input_json.to_string(),
        js_options.to_string(),
    ];
    let (value, timed_out) = call_host("runPlan", &args, &adaptor_dirs(plan), options)?;
    if let Some(limit) = timed_out {
        let message = format!("Job took longer than {limit}ms to complete");
        return Ok(RunOutcome::Crashed(Crash {
            name: "TimeoutError".into(),
            message: message.clone(),
            details: serde_json::json!({"source": "runtime", "name": "TimeoutError", "severity": "kill", "message": message, "watchdog": true, "limit": limit}),
        }));
    }
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
    })
}

/// Loads the module at `url` in the engine and returns the export names a job sees (after
/// OpenFn's linker rules): what the compiler may auto-import.
pub fn module_export_names(url: &str, options: &RunOptions) -> Result<Vec<String>, String> {
    let dirs: Vec<PathBuf> = entry_package_dir(url).into_iter().collect();
    let (value, _) = call_host("exportNames", &[url.to_string()], &dirs, options)?;
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

/// Starts a fresh engine that may read modules from the repo and `grants`, calls the host
/// function `name` with string arguments, runs the event loop until its promise settles, and
/// returns the result as JSON (or, when the watchdog stopped it, the limit in milliseconds
/// of the window that expired).
fn call_host(
    name: &str,
    args: &[String],
    grants: &[PathBuf],
    options: &RunOptions,
) -> Result<(serde_json::Value, Option<u64>), String> {
    init_v8();
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .map_err(|e| format!("cannot start the event loop: {e}"))?;
    tokio.block_on(call_host_async(name, args, grants, options))
}

async fn call_host_async(
    name: &str,
    args: &[String],
    grants: &[PathBuf],
    options: &RunOptions,
) -> Result<(serde_json::Value, Option<u64>), String> {
    let modules = Rc::new(NodeModules::new(options.base_dir.clone()));
    for dir in grants {
        modules.grant(dir);
    }
    let mut runtime = JsRuntime::try_new(RuntimeOptions {
        module_loader: Some(Rc::new(NodeModuleLoader(modules.clone()))),
        startup_snapshot: if options.use_snapshot {
            Some(SNAPSHOT)
        } else {
            None
        },
        extensions: {
            let mut all = web::web_extensions();
            all.push(extension::fnhost::init());
            all
        },
        ..Default::default()
    })
    .map_err(|e| format!("cannot start the JavaScript engine: {e}"))?;
    // The first window covers everything before the first step (adaptors' top-level code,
    // workflow globals, compilation); js/05_job.js starts one per step and between steps.
    let deadline = crate::ops::job::StepDeadline::new(options.timeout_ms);
    // WebAssembly is compiled only where code generation from strings is allowed: the main
    // realm, not the job realm (OpenFn's sandbox sets `codeGeneration: { wasm: false }`).
    runtime
        .v8_isolate()
        .set_allow_wasm_code_generation_callback(allow_wasm_where_eval_is_allowed);
    {
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
        let log = options.log.clone();
        state.put(LogSink(Rc::new(
            move |level: &str, name: &str, message: &str| log(level, name, message),
        )));
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
        args.iter()
            .map(|s| {
                let value: v8::Local<v8::Value> =
                    v8::String::new(scope, s).expect("string fits in V8").into();
                v8::Global::new(scope, value)
            })
            .collect()
    };

    // Watchdog: a synchronous runaway job never yields to the JS timeout, so terminate V8 when
    // the running window's deadline has passed; and stop waiting for an event loop that is idle
    // on a timer or a socket.
    let timed_out = Arc::new(AtomicU64::new(NOT_TIMED_OUT));
    let expired = Arc::new(tokio::sync::Notify::new());
    let (cancel, cancelled) = mpsc::channel::<()>();
    let handle = runtime.v8_isolate().thread_safe_handle();
    let watchdog = {
        let timed_out = timed_out.clone();
        let expired = expired.clone();
        let deadline = deadline.clone();
        std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) =
                cancelled.recv_timeout(Duration::from_millis(20))
            {
                let window = deadline.window();
                if std::time::Instant::now() >= window.at {
                    timed_out.store(window.limit_ms, Ordering::SeqCst);
                    handle.terminate_execution();
                    expired.notify_one();
                    break;
                }
            }
        })
    };

    let call = runtime.call_with_args(&run_fn, &args);
    let result = tokio::select! {
        result = runtime.with_event_loop_promise(call, Default::default()) => Some(result),
        _ = expired.notified() => None,
    };
    let _ = cancel.send(());
    let _ = watchdog.join();

    let limit = timed_out.load(Ordering::SeqCst);
    if limit != NOT_TIMED_OUT {
        return Ok((serde_json::Value::Null, Some(limit)));
    }
    let Some(result) = result else {
        return Err("engine error: the watchdog fired without a deadline".into());
    };
    let value = result.map_err(|e| format!("engine error: {e}"))?;
    deno_core::scope!(scope, runtime);
    let local = v8::Local::new(scope, value);
    let json: serde_json::Value = deno_core::serde_v8::from_v8(scope, local)
        .map_err(|e| format!("engine returned an invalid result: {e}"))?;
    Ok((json, None))
}

/// `timed_out` before the watchdog fires.
const NOT_TIMED_OUT: u64 = u64::MAX;

/// V8 asks before compiling WebAssembly: allowed only in contexts that may generate code from
/// strings (the main realm), never in the job realm.
extern "C" fn allow_wasm_where_eval_is_allowed(
    context: v8::Local<v8::Context>,
    _source: v8::Local<v8::String>,
) -> bool {
    context.is_code_generation_from_strings_allowed()
}
