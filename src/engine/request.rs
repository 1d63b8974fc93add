//! What a caller asks the engine to run: a job or a workflow (typed, or a file), its input
//! state, adaptors and limits.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Per-run limits. A run that reaches one ends with a crash naming it (`TimeoutError`,
/// `OOMError`, `StateTooLargeError`); the process and other runs go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time per step. A ceiling: a workflow's `options.timeout` may lower it, never
    /// raise or disable it, and the work before and between steps (adaptors' top-level code,
    /// `globals`, edge conditions) is held to it too.
    pub timeout: Duration,
    /// V8 heap of the run, bytes (`usize::MAX`: V8's own default limit, past which the
    /// process aborts: see [`Limits::timeout_only`]).
    pub heap_bytes: usize,
    /// Largest final state, bytes of JSON.
    pub max_state_bytes: usize,
    /// Log output kept and streamed per run, bytes; later lines are dropped (and counted).
    pub max_log_bytes: usize,
}

impl Limits {
    /// Only a time limit: no heap limit of the engine's own (V8's default, as OpenFn's CLI
    /// runs a job), no cap on the final state or the log. What `fnhost execute` uses unless
    /// `--heap-limit` is given.
    pub fn timeout_only(timeout: Duration) -> Limits {
        Limits {
            timeout,
            heap_bytes: usize::MAX,
            max_state_bytes: usize::MAX,
            max_log_bytes: usize::MAX,
        }
    }
}

impl Default for Limits {
    /// OpenFn's worker defaults: 5 minutes, 500 MB of heap, 10 MB of state; 10 MB of logs.
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(300),
            heap_bytes: 500 * 1024 * 1024,
            max_state_bytes: 10 * 1024 * 1024,
            max_log_bytes: 10 * 1024 * 1024,
        }
    }
}

/// An edge from one step to the next (OpenFn's forms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Edge {
    /// `true`: always follow; `false`: never.
    Always(bool),
    /// A JavaScript condition on `state`, or `on_job_success` / `on_job_failure` / `always`.
    Condition(String),
    /// `{condition, label, disabled}`.
    Detailed {
        /// `true`/`false` or a condition string.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        condition: Option<Value>,
        /// A name for the edge.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// A disabled edge is never followed.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        disabled: bool,
    },
}

/// Where a step goes next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Next {
    /// One step id, always followed.
    One(String),
    /// Step ids with their edges.
    Many(BTreeMap<String, Edge>),
}

/// One step of a workflow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Unique id (steps without one get `job-N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The job's source (or a path ending in `.js`, relative to the working directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Adaptor specs (`common`, `http@7.2.10`, `name=PATH`); the request's adaptors when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adaptors: Vec<String>,
    /// The step's `state.configuration`: an object, or a credential id for the engine's
    /// credential resolver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Value>,
    /// Default state merged under the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Value>,
    /// The steps that follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Next>,
}

/// Options of a workflow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkflowOptions {
    /// First step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Last step: the run stops after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// A lower per-step time limit, milliseconds (never above the run's limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// An OpenFn workflow, as typed values (the `{workflow, options}` file format).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    /// The steps.
    pub steps: Vec<Step>,
    /// A name for logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Source of a module whose exports every step sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub globals: Option<String>,
    /// Start, end and timeout.
    #[serde(default, skip_serializing_if = "is_default")]
    pub options: WorkflowOptions,
}

fn is_default(options: &WorkflowOptions) -> bool {
    *options == WorkflowOptions::default()
}

impl Workflow {
    /// Reads a workflow file (either OpenFn form) into typed values.
    pub fn from_json(text: &str) -> Result<Workflow, serde_json::Error> {
        let value: Value = serde_json::from_str(text)?;
        match value {
            Value::Object(mut doc) if doc.contains_key("workflow") => {
                let mut workflow: Workflow =
                    serde_json::from_value(doc.remove("workflow").unwrap_or_default())?;
                if let Some(options) = doc.remove("options") {
                    workflow.options = serde_json::from_value(options)?;
                }
                Ok(workflow)
            }
            other => serde_json::from_value(other),
        }
    }

    /// The `{workflow, options}` document the runtime takes.
    pub(crate) fn to_document(&self) -> Value {
        let mut workflow = serde_json::to_value(self).unwrap_or_default();
        let options = workflow
            .as_object_mut()
            .and_then(|w| w.remove("options"))
            .unwrap_or_else(|| serde_json::json!({}));
        serde_json::json!({ "workflow": workflow, "options": options })
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub enum Work {
    /// A job's source: one step, id `job-1`, with the request's adaptors.
    Job(String),
    /// A typed workflow.
    Workflow(Workflow),
    /// A workflow file; expressions given as paths are read relative to it.
    WorkflowFile(PathBuf),
    /// A plan fnhost's own command line prepared (adaptors from a monorepo or `name=PATH`,
    /// `--start`/`--end`/`--only`, a credentials file): made only inside this crate, so that
    /// `fnhost execute` runs on the same engine path as every embedder.
    Prepared(PreparedPlan),
}

/// An execution plan prepared inside fnhost (see [`Work::Prepared`]).
#[derive(Debug, Clone)]
pub struct PreparedPlan(pub(crate) Value);

/// A job checked and compiled once by [`crate::Engine::compile`], to run many times: runs of
/// it skip compilation (the engine's compile cache holds the result).
#[derive(Debug, Clone)]
pub struct Job {
    pub(crate) source: String,
    pub(crate) adaptors: Vec<String>,
}

impl Job {
    /// The job's source.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// One run: the work, its input state, default adaptors and limits.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// What to run.
    pub work: Work,
    /// The input state's JSON text (`{"data":{},"configuration":{}}` by default).
    pub state: String,
    /// Adaptors for steps that name none.
    pub adaptors: Vec<String>,
    /// Limits for this run (the engine's defaults when `None`).
    pub limits: Option<Limits>,
    /// For a workflow: the step to start from (a run resumed after its last completed step).
    pub start_step: Option<String>,
    /// Called on the worker thread with each completed step's id and output state (compact
    /// JSON), before the next step starts: a durable caller writes it here.
    pub on_step_output: Option<StepOutputHook>,
    /// Credential values of this run by id: a step whose `configuration` is a string finds it
    /// here first, then through the engine's resolver (a server puts the credentials of its
    /// encrypted store here, looked up before the run).
    pub credentials: BTreeMap<String, Value>,
    /// Called on the worker thread with each step's id before its expression runs; the step
    /// runs only if it answers true (else the run ends with a `StepNotRecordedError` crash). A
    /// caller that must never run a step twice records the start here.
    pub on_step_start: Option<StepStartHook>,
    /// Keep the run's log lines in [`crate::RunOutcome::logs`] (default). A caller that takes
    /// them as they come (the engine's log sink, the handle's events) may turn this off, so a
    /// run that logs a lot holds no copy of it.
    pub keep_logs: bool,
}

/// Decides, before a step runs, whether it may ([`RunRequest::on_step_start`]).
#[derive(Clone)]
pub struct StepStartHook(pub std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl std::fmt::Debug for StepStartHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StepStartHook")
    }
}

/// Receives a completed step's id and its output state (`None` when it returned nothing).
#[derive(Clone)]
pub struct StepOutputHook(pub std::sync::Arc<StepOutputFn>);

/// The function a [`StepOutputHook`] calls: step id, output state.
pub type StepOutputFn = dyn Fn(&str, Option<&str>) + Send + Sync;

impl std::fmt::Debug for StepOutputHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StepOutputHook")
    }
}

impl RunRequest {
    /// Runs a job's source.
    pub fn job(source: impl Into<String>) -> RunRequest {
        RunRequest::new(Work::Job(source.into()))
    }

    /// Runs a job compiled with [`crate::Engine::compile`] (with the adaptors it was compiled
    /// for).
    pub fn compiled(job: &Job) -> RunRequest {
        let mut request = RunRequest::new(Work::Job(job.source.clone()));
        request.adaptors = job.adaptors.clone();
        request
    }

    /// Runs a typed workflow.
    pub fn workflow(workflow: Workflow) -> RunRequest {
        RunRequest::new(Work::Workflow(workflow))
    }

    /// Runs a workflow file.
    pub fn workflow_file(path: impl Into<PathBuf>) -> RunRequest {
        RunRequest::new(Work::WorkflowFile(path.into()))
    }

    fn new(work: Work) -> RunRequest {
        RunRequest {
            work,
            state: r#"{"data":{},"configuration":{}}"#.into(),
            adaptors: Vec::new(),
            limits: None,
            start_step: None,
            on_step_output: None,
            credentials: BTreeMap::new(),
            on_step_start: None,
            keep_logs: true,
        }
    }

    /// Runs a plan the command line prepared.
    pub(crate) fn prepared(plan: Value) -> RunRequest {
        RunRequest::new(Work::Prepared(PreparedPlan(plan)))
    }

    /// Keeps the run's log lines in the outcome (`true`, the default) or only hands them to
    /// the log sink and the handle's events as they happen.
    pub fn keep_logs(mut self, keep: bool) -> RunRequest {
        self.keep_logs = keep;
        self
    }

    /// Sets the input state (JSON text).
    pub fn state(mut self, json: impl Into<String>) -> RunRequest {
        self.state = json.into();
        self
    }

    /// Adds a default adaptor (`common`, `http@7.2.10`, `name=PATH`).
    pub fn adaptor(mut self, spec: impl Into<String>) -> RunRequest {
        self.adaptors.push(spec.into());
        self
    }

    /// Starts a workflow at this step.
    pub fn start_at(mut self, step: impl Into<String>) -> RunRequest {
        self.start_step = Some(step.into());
        self
    }

    /// Calls `hook` with each completed step's output before the next step starts.
    pub fn on_step_output(
        mut self,
        hook: impl Fn(&str, Option<&str>) + Send + Sync + 'static,
    ) -> RunRequest {
        self.on_step_output = Some(StepOutputHook(std::sync::Arc::new(hook)));
        self
    }

    /// Gives this run the value of credential `id` (before the engine's resolver).
    pub fn credential(mut self, id: impl Into<String>, value: Value) -> RunRequest {
        self.credentials.insert(id.into(), value);
        self
    }

    /// Asks `hook` before each step runs: the step runs only if it answers true.
    pub fn on_step_start(
        mut self,
        hook: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> RunRequest {
        self.on_step_start = Some(StepStartHook(std::sync::Arc::new(hook)));
        self
    }

    /// Sets this run's limits.
    pub fn limits(mut self, limits: Limits) -> RunRequest {
        self.limits = Some(limits);
        self
    }
}
