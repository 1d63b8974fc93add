//! The embedding API: the few nouns a Rust program needs to run OpenFn jobs.
//!
//! - [`Engine`] (built with [`Engine::builder`]): cheap to clone, `Send + Sync`, usable from any
//!   tokio runtime. It holds the settings and a pool of worker threads.
//! - [`RunRequest`]: what to run ([`Work`]: a job's source, a typed [`Workflow`] or a workflow
//!   file), with its input state, default adaptors and [`Limits`].
//! - [`RunHandle`]: a run in progress — await it for the [`RunOutcome`], read its [`RunEvent`]s
//!   as they happen, or cancel it (dropping the handle cancels too).
//!
//! Every run gets a fresh V8 runtime from the startup snapshot: adaptors keep module-level
//! state, so nothing of one run is seen by the next. Limits end only the run that reaches them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), fnhost::Error> {
//! fnhost::runtime::init_v8(); // once, on the main thread, before any engine
//! let engine = fnhost::Engine::builder().workers(4).repo_dir("/srv/adaptors").build();
//! let outcome = engine
//!     .run(fnhost::RunRequest::job("fn(state => ({ ...state, data: { n: 1 } }));")
//!         .adaptor("common")
//!         .state(r#"{"data":{}}"#))
//!     .await?;
//! println!("{}", outcome.final_state.unwrap_or_default());
//! # Ok(()) }
//! ```

mod outcome;
mod pool;
mod request;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

pub use outcome::{Error, LogLine, RunEvent, RunOutcome};
pub use request::{
    Edge, Job, Limits, Next, PreparedPlan, RunRequest, Step, StepOutputHook, StepStartHook, Work,
    Workflow, WorkflowOptions,
};

/// Receives every log line of every run, as it happens.
pub type LogSink = Arc<dyn Fn(&LogLine) + Send + Sync>;

/// Looks up a credential id (a step's string `configuration`).
pub type CredentialResolver = Arc<dyn Fn(&str) -> Option<Value> + Send + Sync>;

/// Settings shared by every run of an engine.
pub(crate) struct Settings {
    repo_dir: PathBuf,
    env: std::collections::BTreeMap<String, String>,
    limits: Limits,
    log: Option<LogSink>,
    credentials: Option<CredentialResolver>,
    adaptor_snapshots: bool,
    startup_snapshot: bool,
    net: crate::runtime::permissions::NetRules,
    allow_read: Vec<std::path::PathBuf>,
    no_bridge: Vec<String>,
}

/// Configures an [`Engine`].
pub struct EngineBuilder {
    workers: usize,
    settings: Settings,
}

impl EngineBuilder {
    /// How many runs go on at once (one OS thread each; default: the number of CPUs).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Uses adaptors installed in `dir` (default `$FNHOST_REPO_DIR` or `~/.fnhost/repo`).
    pub fn repo_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.settings.repo_dir = crate::repo::full_dir_path(dir.into());
        self
    }

    /// Limits of runs that set none ([`Limits::default`]: OpenFn's worker defaults).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// Makes `name` visible to adaptors as `process.env[name]` (nothing is, by default).
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.env.insert(name.into(), value.into());
        self
    }

    /// Which hosts adaptors may connect to through Node's `http`, `https`, `net`, `tls`
    /// (default: every host, as in OpenFn). A refused connection is an error naming the host.
    ///
    /// ```
    /// use fnhost::{Engine, NetRules};
    /// let rules = NetRules::from_lists(Some("api.example.org,127.0.0.1:8080"), None).unwrap();
    /// let engine = Engine::builder().net_rules(rules).build();
    /// # drop(engine);
    /// ```
    pub fn net_rules(mut self, rules: crate::runtime::permissions::NetRules) -> Self {
        self.settings.net = rules;
        self
    }

    /// Lets adaptors read `path` (a file, or a directory and everything below it) through
    /// `node:fs`, besides their own packages; nothing else is readable. A refused read is
    /// `NotCapable: Requires read access to "PATH", run again with the --allow-read flag`.
    ///
    /// ```
    /// use fnhost::Engine;
    /// let engine = Engine::builder().allow_read("/srv/exports/patients.csv").build();
    /// # drop(engine);
    /// ```
    pub fn allow_read(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.settings.allow_read.push(path.into());
        self
    }

    /// Runs the real npm package `name` (installed with the adaptor) instead of fnhost's bridge
    /// for it: for comparison, or as an escape hatch. Per-adaptor snapshots (built with the
    /// bridges) are not used while a bridge is off. `name` must be one of
    /// [`bridged_packages`](crate::runtime::loader::bridged_packages) (today: `undici`).
    ///
    /// ```
    /// use fnhost::Engine;
    /// let engine = Engine::builder().no_bridge("undici").build();
    /// # drop(engine);
    /// ```
    pub fn no_bridge(mut self, name: impl Into<String>) -> Self {
        self.settings.no_bridge.push(name.into());
        self
    }

    /// Receives every log line of every run as it happens (each run also keeps its own).
    pub fn log_sink(mut self, sink: impl Fn(&LogLine) + Send + Sync + 'static) -> Self {
        self.settings.log = Some(Arc::new(sink));
        self
    }

    /// Resolves credential ids: a step whose `configuration` is a string gets the value the
    /// resolver returns for it (a run naming an unknown id fails with
    /// [`Error::UnknownCredential`]).
    pub fn credentials(
        mut self,
        resolve: impl Fn(&str) -> Option<Value> + Send + Sync + 'static,
    ) -> Self {
        self.settings.credentials = Some(Arc::new(resolve));
        self
    }

    /// Starts runs of an installed adaptor from a per-adaptor snapshot (its module graph
    /// already evaluated; see `fnhost::runtime::adaptor_snapshot`). The snapshot is built by
    /// running this program's own binary with `adaptor_snapshot::SUBCOMMAND`, so `main` must hand
    /// that over first:
    ///
    /// ```no_run
    /// let args: Vec<String> = std::env::args().collect();
    /// if args.get(1).map(String::as_str) == Some(fnhost::runtime::adaptor_snapshot::SUBCOMMAND) {
    ///     std::process::exit(fnhost::runtime::adaptor_snapshot::main(&args[2..]));
    /// }
    /// ```
    pub fn adaptor_snapshots(mut self, on: bool) -> Self {
        self.settings.adaptor_snapshots = on;
        self
    }

    /// Starts each run from the engine's startup snapshot (`true`, the default) or evaluates
    /// the engine's own JavaScript at every start (slower; for working on that JavaScript).
    /// Off also turns per-adaptor snapshots off.
    pub fn startup_snapshot(mut self, on: bool) -> Self {
        self.settings.startup_snapshot = on;
        self
    }

    /// Starts the engine's workers. Call [`crate::runtime::init_v8`] on the main thread first.
    pub fn build(self) -> Engine {
        crate::runtime::init_v8();
        Engine {
            inner: Arc::new(Inner {
                pool: pool::Pool::start(self.workers),
                settings: Arc::new(self.settings),
            }),
        }
    }
}

struct Inner {
    settings: Arc<Settings>,
    pool: pool::Pool,
}

/// Runs OpenFn jobs and workflows on a pool of worker threads. Clones share the pool.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// Configures an engine.
    pub fn builder() -> EngineBuilder {
        EngineBuilder {
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            settings: Settings {
                repo_dir: crate::repo::default_repo_dir(),
                env: Default::default(),
                limits: Limits::default(),
                log: None,
                credentials: None,
                adaptor_snapshots: false,
                startup_snapshot: true,
                net: Default::default(),
                allow_read: Vec::new(),
                no_bridge: Vec::new(),
            },
        }
    }

    /// An engine with the default settings.
    pub fn new() -> Engine {
        Engine::builder().build()
    }

    /// Starts a run on the next free worker. Await the handle for its outcome; dropping it
    /// before then cancels the run.
    pub fn run(&self, request: RunRequest) -> RunHandle {
        let (reply, outcome) = oneshot::channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let task = pool::Task {
            request,
            settings: self.inner.settings.clone(),
            cancel: cancel.clone(),
            events: events_tx,
            reply,
        };
        let outcome = self.inner.pool.submit(task).then_some(outcome);
        RunHandle {
            outcome,
            events,
            cancel,
            finished: false,
        }
    }

    /// Checks and compiles a job once for the given adaptor specs, to run it many times with
    /// [`RunRequest::compiled`]. Compile errors come back here, with OpenFn's message.
    /// Adaptors that declare their exports (`types` in package.json, as OpenFn's do) are read
    /// from their `.d.ts`; a job for an adaptor without declarations is compiled on its first
    /// run instead.
    pub fn compile(&self, source: &str, adaptors: &[&str]) -> Result<Job, Error> {
        let specs: Vec<String> = adaptors.iter().map(|a| a.to_string()).collect();
        let sources = crate::workflow::AdaptorSource {
            repo_dir: self.inner.settings.repo_dir.clone(),
            defaults: specs.clone(),
            expand: true,
            ..Default::default()
        };
        let resolved = crate::workflow::resolve_adaptors_from(&specs, &sources)
            .map_err(Error::InvalidWorkflow)?;
        let mut infos = Vec::new();
        for adaptor in resolved.as_array().into_iter().flatten() {
            let Some(names) = adaptor.get("declaredExports").and_then(Value::as_array) else {
                // exports known only by loading the module: compiled on the first run
                return Ok(Job {
                    source: source.to_string(),
                    adaptors: specs,
                });
            };
            infos.push(crate::compile::AdaptorInfo {
                specifier: adaptor["name"].as_str().unwrap_or_default().to_string(),
                exports: names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect(),
            });
        }
        // the same inputs the run's compile will ask for (step `job-1`, no globals)
        crate::runtime::compile_cache::compile(source, &infos, "job-1", &[])
            .map_err(Error::Compile)?;
        Ok(Job {
            source: source.to_string(),
            adaptors: specs,
        })
    }

    /// Runs and waits on the calling thread (which must not be inside a tokio runtime).
    pub fn run_blocking(&self, request: RunRequest) -> Result<RunOutcome, Error> {
        let mut handle = self.run(request);
        // nobody can read the events of a handle waited on here: do not queue them
        handle.events.close();
        block_on(handle)
    }

    /// Compiles and runs one job (step id `job-1`) with adaptor specs (`common`, `http@7.2.10`,
    /// `name=PATH`) against a JSON input state, waiting for the outcome.
    pub fn run_job(
        &self,
        source: &str,
        adaptors: &[&str],
        state_json: &str,
    ) -> Result<RunOutcome, Error> {
        let mut request = RunRequest::job(source).state(state_json);
        for a in adaptors {
            request = request.adaptor(*a);
        }
        self.run_blocking(request)
    }

    /// Runs an OpenFn workflow file; `adaptors` apply to steps that name none.
    pub fn run_workflow(
        &self,
        path: &Path,
        adaptors: &[&str],
        state_json: &str,
    ) -> Result<RunOutcome, Error> {
        let mut request = RunRequest::workflow_file(path).state(state_json);
        for a in adaptors {
            request = request.adaptor(*a);
        }
        self.run_blocking(request)
    }
}

/// A run in progress.
pub struct RunHandle {
    outcome: Option<oneshot::Receiver<Result<RunOutcome, Error>>>,
    events: mpsc::UnboundedReceiver<RunEvent>,
    cancel: Arc<AtomicBool>,
    finished: bool,
}

impl RunHandle {
    /// Stops the run: it ends with a `Cancelled` crash (V8 is terminated, also while the job
    /// waits on a request).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// The next log line or step event; `None` once the run has ended and all were read.
    pub async fn next_event(&mut self) -> Option<RunEvent> {
        self.events.recv().await
    }
}

impl Future for RunHandle {
    type Output = Result<RunOutcome, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(outcome) = self.outcome.as_mut() else {
            self.finished = true;
            return Poll::Ready(Err(Error::Closed));
        };
        match Pin::new(outcome).poll(cx) {
            Poll::Ready(result) => {
                self.finished = true;
                Poll::Ready(result.unwrap_or(Err(Error::Closed)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for RunHandle {
    /// A run nobody waits for is cancelled.
    fn drop(&mut self) {
        if !self.finished {
            self.cancel.store(true, Ordering::SeqCst);
        }
    }
}

/// Waits for a future on the calling thread (the handle's future needs no runtime: the worker
/// thread completes it).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}
