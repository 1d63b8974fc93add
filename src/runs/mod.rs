//! Runs that are never lost: the queue in the store, executed on the engine's pool.
//!
//! A run is a row in the store before anything executes it (enqueued in the same transaction
//! as the message that starts it). A node claims queued runs (`started`, owned by the node),
//! writes each workflow step's output before the next step starts, streams the logs, and
//! ends the run with its status and follow-ups (flow-triggered runs, a retry) in one
//! transaction. When a node starts, runs it left `started` resume after their last completed
//! step, or end `crashed` with the reason (for a job with `delivery: exactly-once`, when a
//! step had started and has no recorded output: it is never run twice). Cancels are rows too: any process that can reach
//! the store can ask, and the node running the run stops it within tens of milliseconds.

pub mod schedule;
mod state;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Notify};

use crate::project::{Delivery, FlowOn, JobSource, Project, TriggerSpec};
use crate::store::{new_id, now_ms, LogRecord, NewRun, Run, RunEnd, Store};
use crate::{Engine, RunEvent, RunRequest};

pub use state::{initial_state, with_configuration};

/// How often queued runs are looked for when nothing wakes the dispatcher (runs enqueued by
/// another process, retries whose time has come).
const POLL: Duration = Duration::from_millis(250);
/// How often cancel requests are looked for.
const CANCEL_POLL: Duration = Duration::from_millis(40);
/// How many times a run may be interrupted by a stopping server before it ends `crashed`.
pub const MAX_RECOVERIES: i64 = 3;

/// The project a server runs, swapped whole when its file changes.
pub type SharedProject = Arc<RwLock<Arc<Project>>>;

/// How a finished run ended, for a caller waiting on it (sync inboxes).
#[derive(Debug, Clone)]
pub struct Finished {
    /// The run's status.
    pub status: String,
    /// Its final state (JSON).
    pub final_state: Option<String>,
}

/// Counters the metrics endpoint reads.
#[derive(Default)]
pub struct RunMetrics {
    /// Finished runs by status.
    pub by_status: Mutex<HashMap<String, u64>>,
    /// Run durations, seconds: counts per bucket of [`DURATION_BUCKETS`] (+Inf last), sum.
    pub durations: Mutex<(Vec<u64>, f64)>,
    /// Runs executing now.
    pub active: AtomicUsize,
}

/// Bucket bounds of the run-duration histogram, seconds.
pub const DURATION_BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0];

impl RunMetrics {
    fn record(&self, status: &str, seconds: f64) {
        *self
            .by_status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(status.to_string())
            .or_default() += 1;
        let mut d = self.durations.lock().unwrap_or_else(|e| e.into_inner());
        if d.0.is_empty() {
            d.0 = vec![0; DURATION_BUCKETS.len() + 1];
        }
        let i = DURATION_BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(DURATION_BUCKETS.len());
        d.0[i] += 1;
        d.1 += seconds;
    }
}

/// Executes the store's queued runs on an engine.
pub struct Runner {
    store: Store,
    engine: Engine,
    project: SharedProject,
    node: String,
    slots: usize,
    lease_ms: i64,
    draining: std::sync::atomic::AtomicBool,
    wake: Notify,
    active: Mutex<HashMap<String, ActiveRun>>,
    waiters: Mutex<HashMap<String, Vec<oneshot::Sender<Finished>>>>,
    /// Counters for `/metrics`.
    pub metrics: RunMetrics,
}

struct ActiveRun {
    cancel: Arc<Notify>,
    generation: i64,
    claimed_at: i64,
    /// Another node holds the run now (its lease was lost): nothing more is written for it.
    fenced: Arc<std::sync::atomic::AtomicBool>,
}

impl Runner {
    /// A runner for `node` executing up to `slots` runs at once, holding each claimed run
    /// with a lease of `lease` that it renews (a node that stops renewing loses its runs to
    /// the others after that long).
    pub fn new(
        store: Store,
        engine: Engine,
        project: SharedProject,
        node: impl Into<String>,
        slots: usize,
        lease: Duration,
    ) -> Arc<Runner> {
        Arc::new(Runner {
            store,
            engine,
            project,
            node: node.into(),
            slots: slots.max(1),
            lease_ms: (lease.as_millis() as i64).max(300),
            draining: std::sync::atomic::AtomicBool::new(false),
            wake: Notify::new(),
            active: Mutex::new(HashMap::new()),
            waiters: Mutex::new(HashMap::new()),
            metrics: RunMetrics::default(),
        })
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current project.
    pub fn project(&self) -> Arc<Project> {
        self.project
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the running project (the file watcher does the same on a change; the history's
    /// filter editor calls it so that a saved filter applies to the next message at once).
    pub fn set_project(&self, project: Project) {
        *self.project.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(project);
    }

    /// Ids of the runs this node is executing.
    fn active_ids(&self) -> Vec<String> {
        self.active
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Looks for queued runs now (after enqueueing one).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Calls back when run `id` ends (register before the run is enqueued).
    pub fn wait_for(&self, id: &str) -> oneshot::Receiver<Finished> {
        let (tx, rx) = oneshot::channel();
        self.waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id.to_string())
            .or_default()
            .push(tx);
        rx
    }

    /// Stops a run this node executes; false when it is not running here.
    pub fn cancel_local(&self, id: &str) -> bool {
        let active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        match active.get(id) {
            Some(run) => {
                run.cancel.notify_one();
                true
            }
            None => false,
        }
    }

    /// Runs this node left `started` (its process stopped under them): each resumes after
    /// its last completed step, or ends `crashed` with the reason. Returns how many.
    pub async fn recover(&self) -> Result<usize, crate::store::StoreError> {
        self.store.register_node(&self.node).await?;
        let runs = self.store.started_runs(Some(&self.node)).await?;
        for run in &runs {
            self.recover_run(run, true).await?;
        }
        Ok(runs.len())
    }

    /// Puts an interrupted run back in the queue after its last completed step, or ends it
    /// with the reason it cannot resume — fenced by the generation it was read at, so that of
    /// several nodes recovering it, one does.
    async fn recover_run(&self, run: &Run, recovery: bool) -> Result<(), crate::store::StoreError> {
        let generation = run.lease_generation;
        let steps = self.store.steps(&run.id).await?;
        // an exactly-once run whose node stopped while a step ran: whether the step's effects
        // happened is unknown, so it is not run again
        if let Some(step) = run.step_in_flight(&steps) {
            let reason = format!(
                "interrupted while step {step} was running; delivery is exactly-once, so it is not run again"
            );
            self.store
                .end_abandoned(&run.id, generation, "crashed", None, Some(&reason))
                .await?;
            return Ok(());
        }
        if recovery && run.recoveries + 1 >= MAX_RECOVERIES {
            let reason = format!(
                "the server stopped during this run {} times; it is not started again",
                run.recoveries + 1
            );
            self.store
                .end_abandoned(&run.id, generation, "crashed", None, Some(&reason))
                .await?;
            return Ok(());
        }
        let project = self.project();
        let resume = match (steps.last(), project.sources.get(&run.job)) {
            (Some(last), Some(JobSource::Workflow(path))) => {
                match state::next_step(path, &last.step_id) {
                    Ok(Some(next)) => Resume::At(last.output_state.clone(), next),
                    Ok(None) => Resume::Finished(last.output_state.clone()),
                    Err(reason) => Resume::Crash(reason),
                }
            }
            _ => Resume::FromStart,
        };
        match resume {
            Resume::FromStart => {
                self.store
                    .requeue(
                        &run.id,
                        (generation, run.step_started.as_ref()),
                        None,
                        None,
                        recovery,
                    )
                    .await?;
            }
            Resume::At(state, next) => {
                let state = state.unwrap_or_else(|| "{}".into());
                self.store
                    .requeue(
                        &run.id,
                        (generation, run.step_started.as_ref()),
                        Some(&state),
                        Some(&next),
                        recovery,
                    )
                    .await?;
            }
            Resume::Finished(state) => {
                self.store
                    .end_abandoned(&run.id, generation, "success", state.as_deref(), None)
                    .await?;
            }
            Resume::Crash(reason) => {
                self.store
                    .end_abandoned(&run.id, generation, "crashed", None, Some(&reason))
                    .await?;
            }
        }
        self.wake.notify_one();
        Ok(())
    }

    /// Renews this node's leases and stops runs another node has taken over; takes over runs
    /// whose node stopped renewing. Runs until the process ends.
    async fn keep_leases(self: Arc<Self>) {
        let period = Duration::from_millis((self.lease_ms / 4).max(50) as u64);
        loop {
            tokio::time::sleep(period).await;
            let beat_started = now_ms();
            let draining = self.draining.load(Ordering::SeqCst);
            let ids = self.active_ids();
            match self
                .store
                .heartbeat(&self.node, self.lease_ms, draining, &ids)
                .await
            {
                Ok(held) => {
                    let active = self.active.lock().unwrap_or_else(|e| e.into_inner());
                    for (id, run) in active.iter() {
                        let still = held.iter().any(|(h, g)| h == id && *g == run.generation);
                        if !still && run.claimed_at < beat_started - 1000 {
                            eprintln!("fnhost serve: run {id} was taken over by another node: stopped here");
                            run.fenced.store(true, Ordering::SeqCst);
                            run.cancel.notify_one();
                        }
                    }
                }
                Err(e) => eprintln!("fnhost serve: cannot renew leases: {e}"),
            }
            match self.store.expired_leases().await {
                Ok(runs) => {
                    for run in runs {
                        let ours = self
                            .active
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .contains_key(&run.id);
                        if ours {
                            continue;
                        }
                        eprintln!(
                            "fnhost serve: run {} of node {} lost its lease: recovering it",
                            run.id,
                            run.owner.as_deref().unwrap_or("?")
                        );
                        if let Err(e) = self.recover_run(&run, true).await {
                            eprintln!("fnhost serve: cannot recover run {}: {e}", run.id);
                        }
                    }
                }
                Err(e) => eprintln!("fnhost serve: cannot look for expired leases: {e}"),
            }
        }
    }

    /// On PostgreSQL: wakes the dispatcher as soon as any node queues a run (LISTEN), so idle
    /// nodes do not wait for a poll. `FNHOST_DISABLE_LISTEN=1` leaves only the poll (behind a
    /// connection pooler that does not pass notifications on; benches/cluster_pickup.py
    /// measures both).
    async fn listen(self: Arc<Self>) {
        if self.store.is_sqlite() {
            return;
        }
        if std::env::var_os("FNHOST_DISABLE_LISTEN").is_some_and(|v| v == "1") {
            eprintln!("fnhost serve: FNHOST_DISABLE_LISTEN=1: new runs are found by polling");
            return;
        }
        loop {
            match sqlx::postgres::PgListener::connect(self.store.url()).await {
                Ok(mut listener) => {
                    if listener.listen(crate::store::RUNS_CHANNEL).await.is_ok() {
                        while listener.recv().await.is_ok() {
                            self.wake.notify_one();
                        }
                    }
                }
                Err(e) => eprintln!("fnhost serve: LISTEN failed (polling instead): {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Stops claiming; waits up to `deadline` for running runs to end, then hands the rest
    /// back to the queue (resuming after their last completed step on another node) and
    /// stops them here.
    pub async fn drain(&self, deadline: Duration) {
        self.draining.store(true, Ordering::SeqCst);
        let ids = self.active_ids();
        let _ = self
            .store
            .heartbeat(&self.node, self.lease_ms, true, &ids)
            .await;
        let until = std::time::Instant::now() + deadline;
        while std::time::Instant::now() < until {
            if self
                .active
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_empty()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let ids = self.active_ids();
        for id in ids {
            if let Ok(Some(run)) = self.store.run(&id).await {
                if run.status == "started" && run.owner.as_deref() == Some(self.node.as_str()) {
                    match self.recover_run(&run, false).await {
                        Ok(()) => eprintln!("fnhost serve: run {id} handed back to the queue"),
                        Err(e) => eprintln!("fnhost serve: cannot hand back run {id}: {e}"),
                    }
                }
            }
            let active = self.active.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(run) = active.get(&id) {
                run.fenced.store(true, Ordering::SeqCst);
                run.cancel.notify_one();
            }
        }
    }

    /// Claims and executes queued runs until the process ends (or it drains).
    pub async fn dispatch(self: Arc<Self>) {
        tokio::spawn(self.clone().watch_cancels());
        tokio::spawn(self.clone().keep_leases());
        tokio::spawn(self.clone().listen());
        loop {
            while !self.draining.load(Ordering::SeqCst) {
                let count = self.active.lock().unwrap_or_else(|e| e.into_inner()).len();
                if count >= self.slots {
                    break;
                }
                let limits: Vec<(String, usize)> = self
                    .project()
                    .file
                    .inboxes
                    .iter()
                    .filter_map(|i| i.concurrency.map(|c| (i.name.clone(), c)))
                    .collect();
                match self.store.claim(&self.node, &limits, self.lease_ms).await {
                    Ok(Some(run)) => {
                        let cancel = Arc::new(Notify::new());
                        let fenced = Arc::new(std::sync::atomic::AtomicBool::new(false));
                        self.active
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(
                                run.id.clone(),
                                ActiveRun {
                                    cancel: cancel.clone(),
                                    generation: run.lease_generation,
                                    claimed_at: now_ms(),
                                    fenced: fenced.clone(),
                                },
                            );
                        let me = self.clone();
                        tokio::spawn(async move {
                            let id = run.id.clone();
                            me.execute(run, cancel, fenced).await;
                            me.active
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .remove(&id);
                            me.wake.notify_one();
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("fnhost serve: cannot claim a run: {e}");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }

    async fn watch_cancels(self: Arc<Self>) {
        loop {
            tokio::time::sleep(CANCEL_POLL).await;
            if self
                .active
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_empty()
            {
                continue;
            }
            if let Ok(ids) = self.store.cancel_requests(&self.node).await {
                for id in ids {
                    self.cancel_local(&id);
                }
            }
        }
    }

    /// Executes one claimed run and records how it ended.
    async fn execute(
        &self,
        run: Run,
        cancel: Arc<Notify>,
        fenced: Arc<std::sync::atomic::AtomicBool>,
    ) {
        let started = std::time::Instant::now();
        self.metrics.active.fetch_add(1, Ordering::SeqCst);
        let end = match self.prepare(&run).await {
            Ok(prepared) => self.execute_request(&run, prepared, cancel, &fenced).await,
            Err(Unprepared::Job(reason)) => RunEnd {
                status: "crashed".into(),
                reason: Some(reason),
                ..RunEnd::default()
            },
            Err(Unprepared::Store(e)) => {
                // the store failed, not the run: hand it back to the queue untouched (or, if
                // that fails too, its lease runs out and another claim takes it)
                self.metrics.active.fetch_sub(1, Ordering::SeqCst);
                eprintln!(
                    "fnhost serve: cannot prepare run {} ({e}): handing it back",
                    run.id
                );
                let _ = self
                    .store
                    .requeue(
                        &run.id,
                        (run.lease_generation, run.step_started.as_ref()),
                        None,
                        None,
                        false,
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
        };
        self.metrics.active.fetch_sub(1, Ordering::SeqCst);
        if fenced.load(Ordering::SeqCst) {
            // another node holds the run now (or it was handed back): its end is theirs
            return;
        }
        let follow_ups = self.follow_ups(&run, &end.status, end.final_state.as_deref());
        // a store that fails for a moment (a connection cut, a restart) does not lose the
        // end: retried for a while; after that the lease runs out and the run is recovered
        let mut attempt = 0;
        loop {
            match self
                .store
                .finish(
                    &run.id,
                    (&self.node, run.lease_generation),
                    &end,
                    &follow_ups,
                )
                .await
            {
                Ok(true) => break,
                Ok(false) => {
                    eprintln!("fnhost serve: run {} was no longer this node's", run.id);
                    break;
                }
                Err(e) if attempt < 8 => {
                    eprintln!(
                        "fnhost serve: cannot record the end of run {} yet: {e}",
                        run.id
                    );
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(250 << attempt.min(4))).await;
                }
                Err(e) => {
                    eprintln!("fnhost serve: cannot record the end of run {}: {e}; its lease will run out and it will run again", run.id);
                    break;
                }
            }
        }
        if !follow_ups.is_empty() {
            self.wake.notify_one();
        }
        self.metrics
            .record(&end.status, started.elapsed().as_secs_f64());
        let waiters = self
            .waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&run.id);
        for waiter in waiters.into_iter().flatten() {
            let _ = waiter.send(Finished {
                status: end.status.clone(),
                final_state: end.final_state.clone(),
            });
        }
    }

    /// The engine request of a run: its job, adaptor, limits and input state.
    /// Also the credential's strings, which the run's logs, step outputs and final state are
    /// scrubbed of before they are stored.
    async fn prepare(&self, run: &Run) -> Result<Prepared, Unprepared> {
        let project = self.project();
        let job = project
            .job(&run.job)
            .ok_or_else(|| format!("the project has no job named `{}` any more", run.job))?;
        let source = project
            .sources
            .get(&run.job)
            .ok_or_else(|| format!("job `{}` has no source", run.job))?;
        let configuration = match &job.credential {
            // the encrypted credential store first, then the project file's inline map
            Some(name) => Some(
                match crate::credentials::lookup(&self.store, name).await? {
                    Some(value) => value,
                    None => project
                        .file
                        .credentials
                        .get(name)
                        .ok_or_else(|| format!("no credential is named `{name}`"))?
                        .clone(),
                }
                .to_string(),
            ),
            None => None,
        };
        let input = match (&run.input_state, &run.message_id) {
            (Some(state), _) => state.clone(),
            (None, Some(message_id)) => {
                let message = self
                    .store
                    .message(message_id)
                    .await
                    .map_err(Unprepared::Store)?
                    .ok_or_else(|| format!("message {message_id} is not in the store"))?;
                initial_state(&message, run.trigger == "webhook")
            }
            (None, None) if run.trigger == "cron" => self
                .store
                .last_success_state(&run.job)
                .await
                .map_err(Unprepared::Store)?
                .unwrap_or_else(|| r#"{"data":{}}"#.into()),
            (None, None) => r#"{"data":{}}"#.into(),
        };
        let mut secrets = Vec::new();
        if let Some(c) = configuration
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
        {
            crate::credentials::secret_strings(&c, &mut secrets);
        }
        let input = match &configuration {
            Some(c) => with_configuration(&input, c),
            None => input,
        };
        let mut request = match source {
            JobSource::Expression(text) => RunRequest::job(text.clone()),
            JobSource::Workflow(path) => {
                let mut r = RunRequest::workflow_file(path.clone());
                r.start_step = run.start_step.clone();
                // the credentials its steps name: the encrypted store first, then the project
                // file's inline map (as a job's); their strings are scrubbed as the job's are
                for id in workflow_credential_ids(path) {
                    let value = match crate::credentials::lookup(&self.store, &id).await? {
                        Some(value) => Some(value),
                        None => project.file.credentials.get(&id).cloned(),
                    };
                    if let Some(value) = value {
                        crate::credentials::secret_strings(&value, &mut secrets);
                        r = r.credential(id, value);
                    }
                }
                r
            }
        };
        if let Some(adaptor) = &job.adaptor {
            request = request.adaptor(resolve_adaptor_path(adaptor, &project.dir));
        }
        let limits = job
            .limits
            .apply(project.file.limits.apply(crate::Limits::default()));
        // a resumed run appends to the steps and logs it has
        let steps = self
            .store
            .steps(&run.id)
            .await
            .map_err(Unprepared::Store)?
            .len() as i64;
        let logs = self
            .store
            .logs(&run.id)
            .await
            .map_err(Unprepared::Store)?
            .len() as i64;
        Ok(Prepared {
            request: request.state(input).limits(limits),
            steps,
            logs,
            secrets,
            exactly_once: job.delivery == Delivery::ExactlyOnce,
        })
    }

    async fn execute_request(
        &self,
        run: &Run,
        prepared: Prepared,
        cancel: Arc<Notify>,
        fenced: &std::sync::atomic::AtomicBool,
    ) -> RunEnd {
        let Prepared {
            mut request,
            steps: mut step_seq,
            logs: mut log_seq,
            secrets,
            exactly_once,
        } = prepared;
        let scrub = |text: String| crate::credentials::scrub(&text, &secrets);
        // each workflow step's output is written before the next step starts: the worker
        // thread waits for the store's acknowledgement
        let (step_tx, mut step_rx) =
            mpsc::unbounded_channel::<(String, Option<String>, std::sync::mpsc::SyncSender<()>)>();
        if matches!(request.work, crate::Work::WorkflowFile(_)) {
            request = request.on_step_output(move |id, json| {
                let (ack_tx, ack_rx) = std::sync::mpsc::sync_channel(1);
                if step_tx
                    .send((id.to_string(), json.map(str::to_string), ack_tx))
                    .is_ok()
                {
                    let _ = ack_rx.recv_timeout(Duration::from_secs(60));
                }
            });
        }
        // exactly-once: each step's start is recorded before it runs (the worker thread waits
        // for the store's answer); a step whose start cannot be recorded does not run
        let (start_tx, mut start_rx) =
            mpsc::unbounded_channel::<(String, std::sync::mpsc::SyncSender<bool>)>();
        if exactly_once {
            let start_tx = start_tx.clone();
            request = request.on_step_start(move |id| {
                let (ack_tx, ack_rx) = std::sync::mpsc::sync_channel(1);
                start_tx.send((id.to_string(), ack_tx)).is_ok()
                    && ack_rx
                        .recv_timeout(Duration::from_secs(60))
                        .unwrap_or(false)
            });
        }
        let mut handle = self.engine.run(request);
        let mut logs: Vec<LogRecord> = Vec::new();
        let mut flush = tokio::time::interval(Duration::from_millis(200));
        let mut cancelled = false;
        loop {
            tokio::select! {
                // log lines first: a step's lines are stored before its output (a kill between them
                // must not lose the lines of a step that completed)
                biased;
                event = handle.next_event() => match event {
                    Some(RunEvent::Log(line)) => {
                        logs.push(LogRecord { seq: log_seq, at: now_ms(), level: line.level, source: line.name, message: scrub(line.message) });
                        log_seq += 1;
                    }
                    Some(_) => {}
                    None => break,
                },
                step = step_rx.recv() => if let Some((id, json, ack)) = step {
                    if let Err(e) = self.store.append_logs(&run.id, &logs).await {
                        eprintln!("fnhost serve: cannot write logs of run {}: {e}", run.id);
                    }
                    logs.clear();
                    let json = json.map(scrub);
                    match self.store.write_step(&run.id, &self.node, run.lease_generation, step_seq, &id, json.as_deref()).await {
                        Ok(true) => {}
                        Ok(false) => {
                            // reclaimed by another node: stop before the next step
                            fenced.store(true, Ordering::SeqCst);
                            if !cancelled {
                                cancelled = true;
                                handle.cancel();
                            }
                        }
                        Err(e) => eprintln!("fnhost serve: cannot write step {id} of run {}: {e}", run.id),
                    }
                    step_seq += 1;
                    let _ = ack.send(());
                },
                start = start_rx.recv() => if let Some((id, ack)) = start {
                    let go = self.mark_step_started(run, step_seq, &id, fenced).await;
                    let _ = ack.send(go);
                },
                _ = cancel.notified(), if !cancelled => {
                    cancelled = true;
                    handle.cancel();
                }
                _ = flush.tick() => {
                    if !logs.is_empty() {
                        if let Err(e) = self.store.append_logs(&run.id, &logs).await {
                            eprintln!("fnhost serve: cannot write logs of run {}: {e}", run.id);
                        }
                        logs.clear();
                    }
                }
            }
        }
        // steps that finished as the run ended
        while let Ok((id, json, ack)) = step_rx.try_recv() {
            let json = json.map(scrub);
            let _ = self
                .store
                .write_step(
                    &run.id,
                    &self.node,
                    run.lease_generation,
                    step_seq,
                    &id,
                    json.as_deref(),
                )
                .await;
            step_seq += 1;
            let _ = ack.send(());
        }
        let outcome = (&mut handle).await;
        if let Err(e) = self.store.append_logs(&run.id, &logs).await {
            eprintln!("fnhost serve: cannot write logs of run {}: {e}", run.id);
        }
        match outcome {
            Err(e) => RunEnd {
                status: "crashed".into(),
                reason: Some(e.to_string()),
                ..RunEnd::default()
            },
            Ok(outcome) => {
                let status = match &outcome.crash {
                    None if outcome.errors.is_empty() => "success",
                    None => "failed",
                    Some(c) => match c.name.as_str() {
                        "TimeoutError" => "timeout",
                        "OOMError" => "oom",
                        "StateTooLargeError" => "state_too_large",
                        "Cancelled" => "cancelled",
                        _ if cancelled => "cancelled",
                        _ => "crashed",
                    },
                };
                let reason = match &outcome.crash {
                    Some(c) => Some(format!("{}: {}", c.name, c.message)),
                    None if !outcome.errors.is_empty() => Some(
                        outcome
                            .errors
                            .iter()
                            .map(|(step, e)| {
                                let message =
                                    e.get("message").and_then(|m| m.as_str()).unwrap_or("error");
                                format!("{step}: {message}")
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    None => None,
                };
                RunEnd {
                    status: status.to_string(),
                    final_state: outcome.final_state.map(scrub),
                    reason: reason.map(scrub),
                    peak_heap_bytes: Some(outcome.stats.peak_heap_bytes as i64),
                }
            }
        }
    }

    /// Records that step `id` (output number `seq`) of an exactly-once run starts; true when
    /// it may run. The store failing is retried for a while (the lease is renewed meanwhile);
    /// then, or when another node holds the run, the run stops here unended (`fenced`): its
    /// lease runs out and it is recovered — at this step, whose start was not recorded.
    async fn mark_step_started(
        &self,
        run: &Run,
        seq: i64,
        id: &str,
        fenced: &std::sync::atomic::AtomicBool,
    ) -> bool {
        let mut attempt = 0;
        loop {
            match self
                .store
                .mark_step_started(&run.id, &self.node, run.lease_generation, seq, id)
                .await
            {
                Ok(true) => return true,
                Ok(false) => {
                    eprintln!(
                        "fnhost serve: run {} is not this node's any more: step {id} not started",
                        run.id
                    );
                    break;
                }
                Err(e) if attempt < 6 => {
                    attempt += 1;
                    eprintln!(
                        "fnhost serve: cannot record the start of step {id} of run {} yet: {e}",
                        run.id
                    );
                    tokio::time::sleep(Duration::from_millis(250 << attempt.min(4))).await;
                }
                Err(e) => {
                    eprintln!("fnhost serve: cannot record the start of step {id} of run {}: {e}; it stops here and resumes at that step once its lease runs out", run.id);
                    break;
                }
            }
        }
        fenced.store(true, Ordering::SeqCst);
        false
    }

    /// Runs started by this one's end: jobs whose flow trigger names its job, and its retry.
    fn follow_ups(&self, run: &Run, status: &str, final_state: Option<&str>) -> Vec<NewRun> {
        let project = self.project();
        let mut out = Vec::new();
        let succeeded = status == "success";
        for job in project.file.jobs.iter().filter(|j| j.enabled) {
            if let TriggerSpec::Flow { job: upstream, on } = &job.trigger {
                let fires = upstream == &run.job
                    && match on {
                        FlowOn::Success => succeeded,
                        FlowOn::Failure => !succeeded && status != "cancelled",
                    };
                if fires {
                    out.push(NewRun {
                        id: new_id(),
                        job: job.name.clone(),
                        trigger: "flow".into(),
                        parent_run: Some(run.id.clone()),
                        input_state: Some(
                            final_state
                                .map(str::to_string)
                                .or_else(|| run.input_state.clone())
                                .unwrap_or_else(|| r#"{"data":{}}"#.into()),
                        ),
                        message_id: run.message_id.clone(),
                        attempt: 1,
                        not_before: now_ms(),
                        ..NewRun::default()
                    });
                }
            }
        }
        let retry = project.job(&run.job).and_then(|j| j.retries);
        let retryable = matches!(status, "failed" | "crashed" | "timeout" | "oom");
        if let (Some(retry), true) = (retry, retryable) {
            if run.attempt <= retry.max as i64 {
                let backoff = retry.backoff_seconds * 2f64.powi(run.attempt as i32 - 1);
                out.push(NewRun {
                    id: new_id(),
                    job: run.job.clone(),
                    message_id: run.message_id.clone(),
                    inbox: run.inbox.clone(),
                    trigger: run.trigger.clone(),
                    parent_run: Some(run.id.clone()),
                    input_state: run.input_state.clone(),
                    attempt: run.attempt + 1,
                    not_before: now_ms() + (backoff * 1000.0) as i64,
                    fifo_key: run.fifo_key.clone(),
                });
            }
        }
        out
    }
}

/// A run ready for the engine: its request, and how many steps and log lines it has already.
struct Prepared {
    request: RunRequest,
    steps: i64,
    logs: i64,
    secrets: Vec<String>,
    /// Its job's delivery is exactly-once: each step's start is recorded before it runs.
    exactly_once: bool,
}

/// Why a run could not be prepared: its job (it ends `crashed`) or the store (it goes back to
/// the queue).
enum Unprepared {
    Job(String),
    Store(crate::store::StoreError),
}

impl From<String> for Unprepared {
    fn from(reason: String) -> Self {
        Unprepared::Job(reason)
    }
}

enum Resume {
    FromStart,
    At(Option<String>, String),
    Finished(Option<String>),
    Crash(String),
}

/// The credential ids a workflow file's steps name (a string `configuration`), in order and
/// once each; none when the file does not read as a workflow (the engine says why).
fn workflow_credential_ids(path: &std::path::Path) -> Vec<String> {
    let Some(doc) = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    else {
        return Vec::new();
    };
    let steps = doc
        .pointer("/workflow/steps")
        .or_else(|| doc.get("steps"))
        .and_then(|s| s.as_array());
    let mut ids: Vec<String> = Vec::new();
    for step in steps.into_iter().flatten() {
        if let Some(id) = step.get("configuration").and_then(|c| c.as_str()) {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// `name=./path` adaptors in a project are relative to the project file.
fn resolve_adaptor_path(spec: &str, dir: &std::path::Path) -> String {
    match spec.split_once('=') {
        Some((name, path)) if !std::path::Path::new(path).is_absolute() => {
            format!("{name}={}", dir.join(path).display())
        }
        _ => spec.to_string(),
    }
}
