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

/// The run's wall-clock deadline, shared with the runtime's watchdog thread (which terminates
/// V8 when it passes: a synchronous loop never yields to a JS timer).
///
/// The host sets the ceiling (`-t`, the `Engine`'s timeout) and arms the first window before
/// any JavaScript runs, so module loading, workflow globals and compilation are covered. The
/// JavaScript can only start a new window of at most the ceiling ([`op_job_deadline_set`], at
/// each step and between steps); it cannot disarm the watchdog or go past the ceiling.
#[derive(Clone)]
pub struct StepDeadline(pub std::sync::Arc<std::sync::Mutex<DeadlineWindow>>);

/// The window that is running.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineWindow {
    /// The host's limit per window, in milliseconds.
    pub ceiling_ms: u64,
    /// The running window's limit, in milliseconds (at most the ceiling).
    pub limit_ms: u64,
    /// When the watchdog stops V8.
    pub at: std::time::Instant,
}

/// Time the JS timer gets to report an asynchronous overrun before the watchdog stops V8.
pub const WATCHDOG_GRACE: std::time::Duration = std::time::Duration::from_millis(250);

impl StepDeadline {
    /// A deadline with the host's ceiling, armed now.
    pub fn new(ceiling_ms: u64) -> Self {
        let window = DeadlineWindow {
            ceiling_ms,
            limit_ms: ceiling_ms,
            at: Self::due(ceiling_ms),
        };
        StepDeadline(std::sync::Arc::new(std::sync::Mutex::new(window)))
    }

    fn due(ms: u64) -> std::time::Instant {
        let now = std::time::Instant::now();
        now.checked_add(std::time::Duration::from_millis(ms) + WATCHDOG_GRACE)
            .unwrap_or(now + std::time::Duration::from_secs(86_400 * 365))
    }

    /// The running window.
    pub fn window(&self) -> DeadlineWindow {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a window of `ms` milliseconds, cut to the ceiling; returns its limit.
    pub fn start_window(&self, ms: u64) -> u64 {
        let mut window = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let ms = ms.min(window.ceiling_ms);
        window.limit_ms = ms;
        window.at = Self::due(ms);
        ms
    }
}

/// Starts the watchdog window of a step (or of the work between steps): the running code must
/// finish within `ms` milliseconds, never more than the host's ceiling. Returns the limit
/// that applies.
#[op2(fast)]
#[number]
pub fn op_job_deadline_set(state: &mut OpState, #[number] ms: u64) -> u64 {
    match state.try_borrow::<StepDeadline>() {
        Some(deadline) => deadline.start_window(ms),
        None => ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_never_goes_past_the_ceiling() {
        let deadline = StepDeadline::new(500);
        assert_eq!(deadline.start_window(100), 100);
        assert_eq!(deadline.start_window(0), 0);
        assert_eq!(deadline.start_window(u64::MAX), 500);
        let window = deadline.window();
        assert_eq!(window.limit_ms, 500);
        assert!(window.at <= std::time::Instant::now() + std::time::Duration::from_millis(750));
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

/// Receives [`StepEvent`]s; the host installs one in the `OpState` when it wants them. Its
/// answer to a step's start is whether the step may run (false: the host could not record
/// that it started, and an exactly-once run must not run it unrecorded).
#[derive(Clone)]
pub struct StepObserver(pub std::rc::Rc<dyn Fn(StepEvent) -> bool>);

/// Reports a step's start (`phase` = "start") or end ("end", with `ok`) to the host; false
/// when the host refuses to let a starting step run (js/05_job.js then stops the run).
#[op2(fast)]
pub fn op_job_step_event(
    scope: &mut v8::PinScope<'_, '_>,
    #[string] phase: String,
    #[string] step: String,
    ok: bool,
) -> bool {
    let heap_used = scope.get_heap_statistics().used_heap_size();
    let state = deno_core::JsRuntime::op_state_from(scope);
    let observer = state.borrow().try_borrow::<StepObserver>().cloned();
    match observer {
        Some(observer) => (observer.0)(StepEvent {
            start: phase == "start",
            step,
            ok,
            heap_used,
        }),
        None => true,
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
