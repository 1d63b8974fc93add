//! The engine's workers: one OS thread per concurrent run, each with its own current-thread
//! tokio runtime for its whole life (so HTTP connections pooled on that thread stay valid), and
//! a fresh V8 runtime from the snapshot for every run (adaptors keep module-level state, so an
//! isolate is never reused).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Mutex};

use serde_json::Value;
use tokio::sync::{mpsc as tmpsc, oneshot};

use super::outcome::{Error, LogLine, RunEvent, RunOutcome};
use super::request::{Limits, RunRequest, Work};
use super::Settings;
use crate::runtime::{self, Crash, RunOptions, StepProgress};
use crate::workflow::{self, AdaptorSource, StepRange};

/// A run waiting for a worker.
pub(crate) struct Task {
    pub request: RunRequest,
    pub settings: Arc<Settings>,
    pub cancel: Arc<AtomicBool>,
    pub events: tmpsc::UnboundedSender<RunEvent>,
    pub reply: oneshot::Sender<Result<RunOutcome, Error>>,
}

/// The worker threads and the queue feeding them.
pub(crate) struct Pool {
    queue: Mutex<Option<mpsc::Sender<Task>>>,
    workers: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl Pool {
    /// Starts `size` workers (at least one).
    pub fn start(size: usize) -> Pool {
        let (tx, rx) = mpsc::channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        let workers = (0..size.max(1))
            .map(|i| {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name(format!("fnhost-worker-{i}"))
                    // as a main thread's: the compiler and JSON walk deep inputs recursively
                    .stack_size(8 << 20)
                    .spawn(move || worker(rx))
                    .expect("spawning an engine worker thread")
            })
            .collect();
        Pool {
            queue: Mutex::new(Some(tx)),
            workers: Mutex::new(workers),
        }
    }

    /// Queues a run; `false` when the pool has shut down.
    pub fn submit(&self, task: Task) -> bool {
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.as_ref().is_some_and(|tx| tx.send(task).is_ok())
    }
}

impl Drop for Pool {
    /// Closes the queue and waits for the workers to finish their current runs.
    fn drop(&mut self) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).take();
        let workers = std::mem::take(&mut *self.workers.lock().unwrap_or_else(|e| e.into_inner()));
        let me = std::thread::current().id();
        for worker in workers {
            // the last Engine clone may be dropped on a worker itself (inside a log callback)
            if worker.thread().id() != me {
                let _ = worker.join();
            }
        }
    }
}

fn worker(queue: Arc<Mutex<mpsc::Receiver<Task>>>) {
    let tokio = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fnhost: an engine worker cannot start its event loop: {e}");
            return;
        }
    };
    loop {
        let task = {
            let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.recv()
        };
        let Ok(task) = task else { return };
        let Task {
            request,
            settings,
            cancel,
            events,
            reply,
        } = task;
        // nobody waits for it: skip. A run cancelled while it was queued still goes through
        // `run`, which ends it at once as `Cancelled` (skipping it would drop the reply, and
        // the caller would read "the engine has shut down")
        if reply.is_closed() {
            continue;
        }
        let result = tokio.block_on(run(request, &settings, cancel, events));
        let _ = reply.send(result);
    }
}

/// Resolves credential ids (a step's string `configuration`): the request's own values
/// first, then the engine's resolver.
fn resolve_credentials(
    plan: &mut Value,
    own: &std::collections::BTreeMap<String, Value>,
    settings: &Settings,
) -> Result<(), Error> {
    let Some(steps) = plan
        .pointer_mut("/workflow/steps")
        .and_then(Value::as_array_mut)
    else {
        return Ok(());
    };
    for step in steps {
        if let Some(Value::String(id)) = step.get("configuration") {
            let id = id.clone();
            let value = own
                .get(&id)
                .cloned()
                .or_else(|| {
                    settings
                        .credentials
                        .as_ref()
                        .and_then(|resolve| resolve(&id))
                })
                .ok_or(Error::UnknownCredential(id))?;
            step["configuration"] = value;
        }
    }
    Ok(())
}

fn prepare(request: &RunRequest, settings: &Settings) -> Result<Value, Error> {
    let sources = AdaptorSource {
        repo_dir: settings.repo_dir.clone(),
        defaults: request.adaptors.clone(),
        expand: true,
        ..AdaptorSource::default()
    };
    let range = StepRange {
        start: request.start_step.clone(),
        ..StepRange::default()
    };
    let mut plan = match &request.work {
        Work::Job(source) => {
            workflow::plan_for_job(source, &sources).map_err(Error::InvalidWorkflow)?
        }
        Work::Workflow(wf) => {
            let base = std::env::current_dir().unwrap_or_default();
            workflow::prepare_plan(wf.to_document(), &base, &sources, &range)
                .map_err(Error::InvalidWorkflow)?
        }
        Work::WorkflowFile(path) => {
            workflow::load_workflow(path, &sources, &range).map_err(Error::InvalidWorkflow)?
        }
        // the command line's plan: a string configuration there is OpenFn's path to a file,
        // read by the runtime, not a credential id
        Work::Prepared(plan) => return Ok(plan.0.clone()),
    };
    resolve_credentials(&mut plan, &request.credentials, settings)?;
    Ok(plan)
}

/// Log lines of one run: kept up to the limit, streamed, and handed to the engine's sink.
struct RunLog {
    lines: Vec<LogLine>,
    bytes: usize,
    dropped: usize,
}

async fn run(
    mut request: RunRequest,
    settings: &Settings,
    cancel: Arc<AtomicBool>,
    events: tmpsc::UnboundedSender<RunEvent>,
) -> Result<RunOutcome, Error> {
    if !matches!(request.work, Work::Prepared(_)) {
        // (the command line checked its state already, and may have replaced it)
        crate::input::check_json(&request.state).map_err(|e| Error::InvalidState(e.to_string()))?;
    }
    let plan = prepare(&request, settings)?;
    let limits: Limits = request.limits.unwrap_or(settings.limits);
    let log = Rc::new(RefCell::new(RunLog {
        lines: Vec::new(),
        bytes: 0,
        dropped: 0,
    }));
    let sink = {
        let log = log.clone();
        let events = events.clone();
        let global = settings.log.clone();
        let max = limits.max_log_bytes;
        let keep = request.keep_logs;
        move |level: &str, name: &str, message: &str| {
            let mut log = log.borrow_mut();
            if log.bytes.saturating_add(message.len()) > max {
                log.dropped += 1;
                return;
            }
            log.bytes += message.len();
            let line = LogLine {
                level: level.into(),
                name: name.into(),
                message: message.into(),
            };
            if let Some(global) = &global {
                global(&line);
            }
            if keep {
                let _ = events.send(RunEvent::Log(line.clone()));
                log.lines.push(line);
            } else {
                let _ = events.send(RunEvent::Log(line));
            }
        }
    };
    let step_events = events.clone();
    let mut phases = runtime::phases::Phases::start();
    // an adaptor's snapshot holds its graph as linked with the bridges
    let snapshot =
        if settings.adaptor_snapshots && settings.startup_snapshot && settings.no_bridge.is_empty()
        {
            workflow::single_adaptor_url(&plan)
                .and_then(|url| runtime::adaptor_snapshot::load_or_build(&url, &settings.repo_dir))
        } else {
            None
        };
    phases.mark("adaptor snapshot found and read");
    let options = RunOptions {
        snapshot,
        timeout_ms: limits.timeout.as_millis().max(1) as u64,
        base_dir: settings.repo_dir.clone(),
        use_snapshot: settings.startup_snapshot,
        step_output: request.on_step_output.clone().map(|hook| {
            Rc::new(move |id: &str, json: Option<&str>| (hook.0)(id, json))
                as Rc<crate::ops::job::StepOutputFn>
        }),
        step_gate: request
            .on_step_start
            .clone()
            .map(|hook| Rc::new(move |id: &str| (hook.0)(id)) as crate::runtime::StepGate),
        env: settings.env.clone(),
        net: settings.net.clone(),
        allow_read: settings.allow_read.clone(),
        no_bridge: settings.no_bridge.clone(),
        log: Rc::new(sink),
        heap_limit_bytes: (limits.heap_bytes != usize::MAX).then_some(limits.heap_bytes),
        cancel: Some(cancel),
        on_step: Some(Rc::new(move |progress: &StepProgress| {
            let event = match progress {
                StepProgress::Started(id) => RunEvent::StepStarted(id.clone()),
                StepProgress::Finished(stats) => RunEvent::StepFinished(stats.clone()),
            };
            let _ = step_events.send(event);
        })),
    };
    let (outcome, stats) =
        runtime::run_plan_async(&plan, std::mem::take(&mut request.state), &options)
            .await
            .map_err(Error::Engine)?;
    let (mut final_state, errors_json, mut crash) = match outcome {
        runtime::RunOutcome::Completed {
            state_json,
            errors_json,
        } => (state_json, errors_json, None),
        runtime::RunOutcome::Crashed(crash) => (None, None, Some(crash)),
    };
    if final_state
        .as_ref()
        .is_some_and(|s| s.len() > limits.max_state_bytes)
    {
        let message = format!(
            "State exceeds the limit of {} bytes",
            limits.max_state_bytes
        );
        crash = Some(Crash {
            name: "StateTooLargeError".into(),
            message: message.clone(),
            details: serde_json::json!({"source": "runtime", "name": "StateTooLargeError", "severity": "kill", "message": message}),
        });
        final_state = None;
    }
    let errors: BTreeMap<String, Value> = errors_json
        .filter(|_| final_state.is_some())
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|errors| errors.as_object().cloned())
        .map(|errors| errors.into_iter().collect())
        .unwrap_or_default();
    let log = std::mem::replace(
        &mut *log.borrow_mut(),
        RunLog {
            lines: Vec::new(),
            bytes: 0,
            dropped: 0,
        },
    );
    Ok(RunOutcome {
        final_state,
        errors,
        crash,
        logs: log.lines,
        logs_dropped: log.dropped,
        stats,
    })
}
