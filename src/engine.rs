//! The embedding API: the few nouns a Rust program needs to run OpenFn jobs.
//!
//! An [`Engine`] holds settings (adaptor repo, timeout, log sink) and is cheap to clone; each
//! [`Engine::run_job`] / [`Engine::run_workflow`] call starts a fresh V8 runtime from the
//! startup snapshot and returns a [`RunOutcome`].

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::ops::log::LogFn;
use crate::runtime::{self, RunOptions, RunOutcome};
use crate::workflow::{self, AdaptorSource, StepRange};

/// Runs OpenFn jobs and workflows.
///
/// Call [`runtime::init_v8`] once on the main thread before the first run.
///
/// ```no_run
/// fnhost::runtime::init_v8();
/// let engine = fnhost::Engine::new().with_repo_dir("/srv/adaptors");
/// let outcome = engine
///     .run_job("fn(state => ({ ...state, data: { n: 1 } }));", &["common"], r#"{"data":{}}"#)
///     .unwrap();
/// if let fnhost::RunOutcome::Completed { state_json } = outcome {
///     println!("{}", state_json.unwrap_or_default());
/// }
/// ```
#[derive(Clone)]
pub struct Engine {
    repo_dir: PathBuf,
    timeout_ms: u64,
    env: std::collections::BTreeMap<String, String>,
    log: Rc<LogFn>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine using the default adaptor repo (`$FNHOST_REPO_DIR` or `~/.fnhost/repo`), a
    /// five-minute step timeout, and no log output.
    pub fn new() -> Self {
        Engine {
            repo_dir: crate::repo::default_repo_dir(),
            timeout_ms: 300_000,
            env: Default::default(),
            log: Rc::new(|_, _, _| {}),
        }
    }

    /// Uses adaptors installed in `dir`.
    pub fn with_repo_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.repo_dir = dir.into();
        self
    }

    /// Limits each step to `ms` milliseconds of wall-clock time. This is a ceiling: a
    /// workflow's `options.timeout` may lower it, never raise or disable it, and the work
    /// before and between steps (adaptors' top-level code, `globals`, edge conditions) is
    /// held to it too.
    pub fn with_timeout_ms(mut self, ms: u64) -> Self {
        self.timeout_ms = ms;
        self
    }

    /// Makes `name` visible to adaptors as `process.env[name]` (nothing is, by default).
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Receives every log line as `(level, logger name, message)`.
    pub fn with_logger(mut self, log: impl Fn(&str, &str, &str) + 'static) -> Self {
        self.log = Rc::new(log);
        self
    }

    fn options(&self) -> RunOptions {
        RunOptions {
            timeout_ms: self.timeout_ms,
            base_dir: self.repo_dir.clone(),
            use_snapshot: true,
            env: self.env.clone(),
            log: self.log.clone(),
        }
    }

    fn sources(&self, adaptors: &[&str]) -> AdaptorSource {
        AdaptorSource {
            expand: true,
            repo_dir: self.repo_dir.clone(),
            defaults: adaptors.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Compiles and runs one job (a one-step workflow whose step id is `job-1`) with the given
    /// adaptor specs (`common`, `http@7.2.10`, `name=PATH`) against a JSON input state.
    pub fn run_job(
        &self,
        source: &str,
        adaptors: &[&str],
        state_json: &str,
    ) -> Result<RunOutcome, String> {
        let plan = workflow::plan_for_job(source, &self.sources(adaptors))?;
        runtime::run_plan(&plan, state_json, &self.options())
    }

    /// Runs an OpenFn workflow file; `adaptors` apply to steps that name none.
    pub fn run_workflow(
        &self,
        path: &Path,
        adaptors: &[&str],
        state_json: &str,
    ) -> Result<RunOutcome, String> {
        let plan = workflow::load_workflow(path, &self.sources(adaptors), &StepRange::default())?;
        runtime::run_plan(&plan, state_json, &self.options())
    }
}
