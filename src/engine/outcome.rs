//! What a run gives back: the final state, the errors steps recorded, its logs and what it
//! cost — or, for a request the engine cannot run at all, an [`Error`].

use std::collections::BTreeMap;

use serde_json::Value;

pub use crate::runtime::{Crash, RunStats, StepStats};

/// One log line of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// `debug`, `info`, `success`, `warn`, `error`, `always`, `print` or `break`.
    pub level: String,
    /// The logger: `JOB` (the job's console), `R/T` (the runtime), or empty for adaptors' own
    /// console output.
    pub name: String,
    /// The text, with configuration secrets already replaced by `****`.
    pub message: String,
}

/// Something that happened during a run, streamed as it happens.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A log line.
    Log(LogLine),
    /// A step started.
    StepStarted(String),
    /// A step finished.
    StepFinished(StepStats),
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The final state as OpenFn writes it (`JSON.stringify(state, null, 2)`); `None` when the
    /// run crashed or the last operation returned nothing.
    pub final_state: Option<String>,
    /// `state.errors` of the final state: the steps that failed, by step id.
    pub errors: BTreeMap<String, Value>,
    /// Set when the run crashed (exit code 1 on the CLI): a compile error, `ReferenceError`,
    /// `TimeoutError`, `OOMError`, `StateTooLargeError`, `Cancelled`, ...
    pub crash: Option<Crash>,
    /// The run's log lines (up to the log limit).
    pub logs: Vec<LogLine>,
    /// Lines dropped after the log limit was reached.
    pub logs_dropped: usize,
    /// Time, heap and state sizes, per step and in total.
    pub stats: RunStats,
}

impl RunOutcome {
    /// The final state parsed as JSON (`Value::Null` when there is none).
    pub fn final_state_value(&self) -> Value {
        self.final_state
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null)
    }

    /// Whether the run completed and no step recorded an error.
    pub fn succeeded(&self) -> bool {
        self.crash.is_none() && self.errors.is_empty()
    }
}

/// A request the engine could not run.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The input state is not JSON (with the position of the first error).
    #[error("invalid input state: {0}")]
    InvalidState(String),
    /// The workflow cannot be read or prepared (a missing file, bad JSON, bad adaptor spec).
    #[error("invalid workflow: {0}")]
    InvalidWorkflow(String),
    /// The job does not compile (OpenFn's compiler message, with line and column).
    #[error("the job does not compile: {0}")]
    Compile(String),
    /// A step names a credential the engine's resolver does not know.
    #[error("unknown credential '{0}'")]
    UnknownCredential(String),
    /// The engine failed (a bug: please report it).
    #[error("engine failure: {0}")]
    Engine(String),
    /// The engine's workers have stopped.
    #[error("the engine has shut down")]
    Closed,
}
