//! Job compilation for the runtime's JavaScript: OpenFn compile + job-realm script, and source
//! position mapping for error reports.

use deno_core::op2;
use deno_core::v8;
use deno_core::OpState;
use deno_error::JsErrorBox;

use super::host::{AdaptorExports, HostHandle, PreparedJob, SourcePosition};

fn host(state: &OpState) -> Result<HostHandle, JsErrorBox> {
    state
        .try_borrow::<HostHandle>()
        .cloned()
        .ok_or_else(|| JsErrorBox::generic("the engine host is not installed"))
}

/// Compiles a job's source into a job-realm script. A compile error throws a `SyntaxError`
/// whose message carries line, column and the source frame.
#[op2]
#[serde]
pub fn op_job_compile(
    state: &mut OpState,
    #[string] source: String,
    #[serde] adaptors: Vec<AdaptorExports>,
    #[string] name: String,
    #[serde] ignore: Vec<String>,
    compile: bool,
) -> Result<PreparedJob, JsErrorBox> {
    let host = host(state)?;
    host.0
        .compile_job(&source, &adaptors, &name, &ignore, compile)
        .map_err(|message| JsErrorBox::new("SyntaxError", message))
}

/// Maps a position in a compiled job back to the user's source.
#[op2]
#[serde]
pub fn op_job_map_position(
    state: &mut OpState,
    job: u32,
    line: u32,
    column: u32,
) -> Result<Option<SourcePosition>, JsErrorBox> {
    let host = host(state)?;
    Ok(host.0.map_position(job, line, column))
}

/// The wall-clock deadline of the step that is running, shared with the runtime's watchdog
/// thread (which terminates V8 when it passes: a synchronous loop never yields to a JS timer).
#[derive(Clone, Default)]
pub struct StepDeadline(pub std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>);

/// Arms the watchdog: the running step must finish within `ms` milliseconds.
#[op2(fast)]
pub fn op_job_deadline_set(state: &mut OpState, #[number] ms: u64) {
    if let Some(deadline) = state.try_borrow::<StepDeadline>() {
        let at = std::time::Instant::now() + std::time::Duration::from_millis(ms);
        *deadline.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }
}

/// Disarms the watchdog between steps.
#[op2(fast)]
pub fn op_job_deadline_clear(state: &mut OpState) {
    if let Some(deadline) = state.try_borrow::<StepDeadline>() {
        *deadline.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// A step starting or ending, reported by the runtime's JavaScript for the host's statistics.
#[derive(Debug, Clone)]
pub struct StepEvent {
    /// `true` when the step starts, `false` when it ends.
    pub start: bool,
    /// The step's id.
    pub step: String,
    /// At the end: whether the step completed without an error.
    pub ok: bool,
    /// V8 heap in use when the event was reported, in bytes.
    pub heap_used: usize,
}

/// Receives [`StepEvent`]s; the host installs one in the `OpState` when it wants them.
#[derive(Clone)]
pub struct StepObserver(pub std::rc::Rc<dyn Fn(StepEvent)>);

/// Reports a step's start (`phase` = "start") or end ("end", with `ok`) to the host.
#[op2(fast)]
pub fn op_job_step_event(
    scope: &mut v8::PinScope<'_, '_>,
    #[string] phase: String,
    #[string] step: String,
    ok: bool,
) {
    let heap_used = scope.get_heap_statistics().used_heap_size();
    let state = deno_core::JsRuntime::op_state_from(scope);
    let observer = state.borrow().try_borrow::<StepObserver>().cloned();
    if let Some(observer) = observer {
        (observer.0)(StepEvent {
            start: phase == "start",
            step,
            ok,
            heap_used,
        });
    }
}

/// Receives each step's output state when step caching is on (`--cache-steps`): the step id
/// and the state as compact JSON (`None` when the step returned no state).
pub type StepOutputFn = dyn Fn(&str, Option<&str>);

/// The [`StepOutputFn`] of a run, kept in the `OpState`.
#[derive(Clone)]
pub struct StepOutputSink(pub std::rc::Rc<StepOutputFn>);

/// A step completed without error: hands its output state to the run's [`StepOutputSink`]
/// (OpenFn's `job-complete` notification, which its CLI caches).
#[op2(fast)]
pub fn op_job_step_output(state: &mut OpState, #[string] step_id: &str, #[string] json: &str) {
    if let Some(sink) = state.try_borrow::<StepOutputSink>() {
        let json = (json != "undefined").then_some(json);
        (sink.0)(step_id, json);
    }
}
