//! The durable store of `fnhost serve`: messages, runs, their step results and logs.
//!
//! One SQL dialect for both back-ends, through sqlx's `Any` driver: SQLite by default
//! (embedded, no set-up; WAL with `synchronous=FULL`, so a message acknowledged with 200 is
//! on disk) and PostgreSQL (`postgres://…`) for several nodes on one database. Times are epoch
//! milliseconds, ids are time-ordered UUIDs (v7), states and bodies are JSON text kept exactly
//! as they arrived.

mod history;
mod migrations;

pub use history::{CredentialRow, MessagePage, MessageQuery, SessionRow, Traffic, UserRow};

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

/// A store failure (the database is unreachable, full, or refused a statement).
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(String);

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError(e.to_string())
    }
}

impl From<StoreError> for String {
    fn from(e: StoreError) -> Self {
        e.to_string()
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A new time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A message as received.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Message {
    /// Its id (the `x-fnhost-message-id` header of the 200).
    pub id: String,
    /// The inbox's name.
    pub inbox: String,
    /// When it was stored.
    pub received_at: i64,
    /// The body, JSON text as posted (form posts converted to a JSON object).
    pub body: String,
    /// The request's headers without secrets, a JSON object.
    pub headers: String,
    /// The request's method.
    pub method: String,
    /// The request's path.
    pub path: String,
    /// The query string's parameters, a JSON object.
    pub query: String,
    /// The idempotency key, when the post had one.
    pub idempotency_key: Option<String>,
}

/// How a run ended, as [`Store::finish`] records it.
#[derive(Debug, Clone, Default)]
pub struct RunEnd {
    /// `success`, `failed`, `crashed`, `cancelled`, `timeout`, `oom` or `state_too_large`.
    pub status: String,
    /// The final state (JSON), scrubbed of secrets.
    pub final_state: Option<String>,
    /// Why it crashed, failed or was cancelled.
    pub reason: Option<String>,
    /// The highest V8 heap use the engine sampled, bytes (`None` when it never ran).
    pub peak_heap_bytes: Option<i64>,
}

/// A run to enqueue.
#[derive(Debug, Clone, Default)]
pub struct NewRun {
    /// Its id.
    pub id: String,
    /// The job's name.
    pub job: String,
    /// The message that started it.
    pub message_id: Option<String>,
    /// The inbox of that message (for per-inbox concurrency).
    pub inbox: Option<String>,
    /// `message`, `webhook`, `cron`, `flow`, `retry` or `manual`.
    pub trigger: String,
    /// The run this one follows (flow) or repeats (retry).
    pub parent_run: Option<String>,
    /// The input state, JSON (runs of messages build theirs from the message when `None`).
    pub input_state: Option<String>,
    /// Attempt number, from 1.
    pub attempt: i64,
    /// Not to start before (epoch ms).
    pub not_before: i64,
    /// Runs of one job with the same key start in order, one at a time (the inbox's
    /// `fifo_key_path`).
    pub fifo_key: Option<String>,
}

/// A run as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Run {
    /// Its id.
    pub id: String,
    /// The job's name.
    pub job: String,
    /// The message that started it.
    pub message_id: Option<String>,
    /// That message's inbox.
    pub inbox: Option<String>,
    /// What started it.
    pub trigger: String,
    /// The run it follows or repeats.
    pub parent_run: Option<String>,
    /// `queued`, `started`, `success`, `failed`, `crashed`, `cancelled`, `timeout`,
    /// `oom` or `state_too_large`.
    pub status: String,
    /// Attempt number, from 1.
    pub attempt: i64,
    /// How many times a server stopped while it ran.
    pub recoveries: i64,
    /// When it was enqueued.
    pub created_at: i64,
    /// Not to start before.
    pub not_before: i64,
    /// When it last started.
    pub started_at: Option<i64>,
    /// When it ended.
    pub finished_at: Option<i64>,
    /// The node running it.
    pub owner: Option<String>,
    /// Its input state (JSON), when not built from its message.
    pub input_state: Option<String>,
    /// Its final state (JSON).
    pub final_state: Option<String>,
    /// Why it crashed, failed or was cancelled.
    pub reason: Option<String>,
    /// The step to start from (a resumed workflow).
    pub start_step: Option<String>,
    /// A cancel was asked for.
    pub cancel_requested: bool,
    /// Incremented by every claim: a node's writes about the run carry the generation it
    /// claimed, and are refused once another node has reclaimed it (fencing).
    pub lease_generation: i64,
    /// The claim holds until then (epoch ms) unless its node renews it.
    pub lease_until: Option<i64>,
    /// The highest V8 heap use the engine sampled during the run, bytes (unset until it
    /// ends, and for runs that never reached the engine).
    pub peak_heap_bytes: Option<i64>,
    /// The FIFO key.
    pub fifo_key: Option<String>,
    /// Exactly-once runs: the step that was about to run when this was last written, and the
    /// sequence number its output gets ([`Store::mark_step_started`]); cleared when a step's
    /// output is written.
    pub step_started: Option<(String, i64)>,
}

impl Run {
    /// The step that started and has no recorded output (an exactly-once run's node stopped
    /// while it ran: its outcome is unknown), given the run's recorded `steps`.
    pub fn step_in_flight(&self, steps: &[StepResult]) -> Option<&str> {
        let (step, seq) = self.step_started.as_ref()?;
        (!steps.iter().any(|s| s.seq >= *seq)).then_some(step.as_str())
    }
}

/// A step's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepResult {
    /// Order in the run, from 0.
    pub seq: i64,
    /// The step's id.
    pub step_id: String,
    /// Its output state (JSON) as the next step receives it.
    pub output_state: Option<String>,
    /// When it was written.
    pub finished_at: i64,
}

/// A log line of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogRecord {
    /// Order in the run, from 0.
    pub seq: i64,
    /// When it was logged (epoch ms).
    pub at: i64,
    /// Its level.
    pub level: String,
    /// Its logger (`JOB`, `R/T`, or empty).
    pub source: String,
    /// Its text (secrets already scrubbed).
    pub message: String,
}

/// What storing a message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A new message with this id.
    New(String),
    /// A repeat of the message with this id (same idempotency key): nothing stored.
    Duplicate(String),
}

/// Count of runs by status and the queue's depth.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    /// Runs by status.
    pub runs: Vec<(String, i64)>,
    /// Messages stored.
    pub messages: i64,
}

const RUN_COLUMNS: &str = "id, job, message_id, inbox, trigger_kind, parent_run, status, attempt, recoveries, created_at, not_before, started_at, finished_at, owner, input_state, final_state, reason, start_step, cancel_requested, lease_generation, lease_until, fifo_key, peak_heap_bytes, step_started, step_started_seq";

/// The channel nodes LISTEN on (PostgreSQL) to pick up new runs without waiting for a poll.
pub const RUNS_CHANNEL: &str = "fnhost_runs";

/// The store: a pool of connections to SQLite or PostgreSQL.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    sqlite: bool,
    url: String,
}

impl Store {
    /// Opens (and creates, for SQLite) the database at `url` and brings its schema up to date.
    /// `sqlite://PATH`, `sqlite::memory:` or `postgres://USER:PASS@HOST:PORT/DB`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let url = if sqlite && !url.contains("mode=") && !url.contains(":memory:") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        } else if !sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(StoreError(format!(
                "`{url}` is not a database URL: use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            )));
        } else {
            url.to_string()
        };
        let options = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 10 })
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if sqlite {
                        use sqlx::Executor;
                        // WAL: readers never block the inbox; FULL: a commit is on disk
                        // before it returns (the 200 means stored).
                        conn.execute("PRAGMA journal_mode=WAL").await?;
                        conn.execute("PRAGMA synchronous=FULL").await?;
                        conn.execute("PRAGMA busy_timeout=5000").await?;
                        conn.execute("PRAGMA foreign_keys=ON").await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        migrations::run(&pool).await?;
        Ok(Store { pool, sqlite, url })
    }

    /// The database URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether this is the SQLite back-end.
    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a message and the runs it starts, in one transaction. A message whose
    /// idempotency key was seen on this inbox is not stored again: its first id comes back.
    pub async fn insert_message(
        &self,
        message: &Message,
        runs: &[NewRun],
    ) -> Result<Stored, StoreError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO messages (id, inbox, received_at, body, headers, method, path, query, idempotency_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        )
        .bind(&message.id)
        .bind(&message.inbox)
        .bind(message.received_at)
        .bind(&message.body)
        .bind(&message.headers)
        .bind(&message.method)
        .bind(&message.path)
        .bind(&message.query)
        .bind(&message.idempotency_key)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            tx.rollback().await?;
            let Some(key) = &message.idempotency_key else {
                return Err(StoreError(format!("message id {} exists", message.id)));
            };
            let row =
                sqlx::query("SELECT id FROM messages WHERE inbox = $1 AND idempotency_key = $2")
                    .bind(&message.inbox)
                    .bind(key)
                    .fetch_one(&self.pool)
                    .await?;
            return Ok(Stored::Duplicate(row.try_get("id")?));
        }
        for run in runs {
            insert_run(&mut tx, run).await?;
        }
        if !runs.is_empty() {
            self.notify(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(Stored::New(message.id.clone()))
    }

    /// Enqueues a run.
    pub async fn enqueue(&self, run: &NewRun) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        insert_run(&mut tx, run).await?;
        self.notify(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enqueues a cron job's run for one tick of its schedule, once across every node sharing
    /// the store: false when another node enqueued this tick already.
    pub async fn enqueue_cron(&self, tick: i64, run: &NewRun) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let won = sqlx::query(
            "INSERT INTO cron_ticks (job, tick, run_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(&run.job)
        .bind(tick)
        .bind(&run.id)
        .execute(&mut *tx)
        .await?;
        if won.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_run(&mut tx, run).await?;
        self.notify(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Tells listening nodes (PostgreSQL) that runs were queued, when the transaction commits.
    async fn notify(&self, tx: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
        if !self.sqlite {
            sqlx::query(&format!("SELECT pg_notify('{RUNS_CHANNEL}', '')"))
                .execute(tx)
                .await?;
        }
        Ok(())
    }

    /// Takes the oldest queued run that may start now, marking it `started` by `node` with a
    /// lease of `lease_ms` and a new lease generation. Skipped: runs of inboxes at their
    /// concurrency limit (`limits`: inbox name and limit, counted across every node) and runs
    /// waiting behind an earlier run of the same job and FIFO key. On PostgreSQL nodes claim
    /// with `FOR UPDATE SKIP LOCKED`; with limits, claims are serialised by an advisory lock so
    /// that a limit holds across nodes.
    pub async fn claim(
        &self,
        node: &str,
        limits: &[(String, usize)],
        lease_ms: i64,
    ) -> Result<Option<Run>, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        if !self.sqlite && !limits.is_empty() {
            sqlx::query("SELECT pg_advisory_xact_lock(7212001)")
                .execute(&mut *tx)
                .await?;
        }
        let mut busy = Vec::new();
        if !limits.is_empty() {
            let rows = sqlx::query(
                "SELECT inbox, COUNT(*) AS n FROM runs WHERE status = 'started' AND inbox IS NOT NULL GROUP BY inbox",
            )
            .fetch_all(&mut *tx)
            .await?;
            for row in rows {
                let inbox: String = row.try_get("inbox")?;
                let n: i64 = row.try_get("n")?;
                if limits
                    .iter()
                    .any(|(name, limit)| name == &inbox && n >= *limit as i64)
                {
                    busy.push(inbox);
                }
            }
        }
        let mut skip = String::new();
        for i in 0..busy.len() {
            skip.push_str(&format!(" AND (q.inbox IS NULL OR q.inbox <> ${})", i + 5));
        }
        let lock = if self.sqlite {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        };
        let sql = format!(
            "UPDATE runs SET status = 'started', owner = $1, started_at = $2, \
             lease_generation = lease_generation + 1, lease_until = $3 \
             WHERE status = 'queued' AND id = ( \
               SELECT q.id FROM runs q WHERE q.status = 'queued' AND q.not_before <= $4{skip} \
               AND (q.fifo_key IS NULL OR NOT EXISTS ( \
                 SELECT 1 FROM runs e WHERE e.fifo_key = q.fifo_key AND e.job = q.job \
                 AND e.status IN ('queued', 'started') \
                 AND (e.created_at < q.created_at OR (e.created_at = q.created_at AND e.id < q.id)))) \
               ORDER BY q.created_at, q.id LIMIT 1{lock}) \
             RETURNING {RUN_COLUMNS}"
        );
        let mut q = sqlx::query(&sql)
            .bind(node)
            .bind(now)
            .bind(now + lease_ms)
            .bind(now);
        for inbox in &busy {
            q = q.bind(inbox);
        }
        let claimed = q.fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        claimed.as_ref().map(run_from_row).transpose()
    }

    /// Renews the leases of the runs `node` is executing (`running`) and records its
    /// heartbeat; returns the runs (id, generation) it still holds — a run missing from the
    /// list was reclaimed by another node and must be stopped here. A `started` run of this
    /// node that it no longer executes (its end could not be written) is not renewed: its
    /// lease runs out and it is recovered.
    pub async fn heartbeat(
        &self,
        node: &str,
        lease_ms: i64,
        draining: bool,
        running: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO nodes (id, started_at, heartbeat_at, version, draining) VALUES ($1, $2, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, version = excluded.version, draining = excluded.draining",
        )
        .bind(node)
        .bind(now)
        .bind(env!("CARGO_PKG_VERSION"))
        .bind(draining as i64)
        .execute(&self.pool)
        .await?;
        let mut held = Vec::new();
        for chunk in running.chunks(500) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "UPDATE runs SET lease_until = $1 WHERE owner = $2 AND status = 'started' AND id IN ({}) \
                 RETURNING id, lease_generation",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(now + lease_ms).bind(node);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(&self.pool).await? {
                held.push((r.try_get("id")?, r.try_get("lease_generation")?));
            }
        }
        Ok(held)
    }

    /// Started runs whose lease ran out (their node stopped renewing it).
    pub async fn expired_leases(&self) -> Result<Vec<Run>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE status = 'started' AND lease_until IS NOT NULL AND lease_until < $1 \
             ORDER BY created_at LIMIT 100"
        ))
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    /// Records that step `step_id` of run `run_id` is about to start (its output will be step
    /// `seq`) — only while `node` still holds the run at `generation`: an exactly-once run's
    /// step runs only once this returned true. False when the run is not held any more.
    pub async fn mark_step_started(
        &self,
        run_id: &str,
        node: &str,
        generation: i64,
        seq: i64,
        step_id: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE runs SET step_started = $1, step_started_seq = $2 \
             WHERE id = $3 AND owner = $4 AND lease_generation = $5 AND status = 'started'",
        )
        .bind(step_id)
        .bind(seq)
        .bind(run_id)
        .bind(node)
        .bind(generation)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records a step's output before the next step starts — only while `node` still holds
    /// the run at `generation` — and clears the run's started-step marker in the same
    /// transaction. False when it does not hold it (the run was reclaimed).
    pub async fn write_step(
        &self,
        run_id: &str,
        node: &str,
        generation: i64,
        seq: i64,
        step_id: &str,
        output_state: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let held = sqlx::query(
            "UPDATE runs SET step_started = NULL, step_started_seq = NULL WHERE id = $1 AND owner = $2 AND lease_generation = $3 AND status = 'started'",
        )
        .bind(run_id)
        .bind(node)
        .bind(generation)
        .execute(&mut *tx)
        .await?;
        if held.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO run_steps (run_id, seq, step_id, output_state, finished_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (run_id, seq) DO UPDATE SET step_id = excluded.step_id, output_state = excluded.output_state, finished_at = excluded.finished_at",
        )
        .bind(run_id)
        .bind(seq)
        .bind(step_id)
        .bind(output_state)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Registers a node starting (or restarting) under `node`.
    pub async fn register_node(&self, node: &str) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO nodes (id, started_at, heartbeat_at, version, draining) VALUES ($1, $2, $2, $3, 0) \
             ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, version = excluded.version, draining = 0",
        )
        .bind(node)
        .bind(now)
        .bind(env!("CARGO_PKG_VERSION"))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The cluster as the store sees it (`fnhost cluster status`).
    pub async fn cluster_status(&self) -> Result<serde_json::Value, StoreError> {
        let now = now_ms();
        let nodes = sqlx::query(
            "SELECT n.id, n.started_at, n.heartbeat_at, n.version, n.draining, \
             (SELECT COUNT(*) FROM runs r WHERE r.owner = n.id AND r.status = 'started') AS running \
             FROM nodes n ORDER BY n.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut node_list = Vec::new();
        for n in &nodes {
            let heartbeat: i64 = n.try_get("heartbeat_at")?;
            node_list.push(serde_json::json!({
                "id": n.try_get::<String, _>("id")?,
                "version": n.try_get::<String, _>("version")?,
                "started_at": n.try_get::<i64, _>("started_at")?,
                "heartbeat_age_ms": now - heartbeat,
                "draining": n.try_get::<i64, _>("draining")? != 0,
                "running": n.try_get::<i64, _>("running")?,
            }));
        }
        let queued = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM runs WHERE status = 'queued'",
        )
        .fetch_one(&self.pool)
        .await?;
        let oldest: Option<i64> = queued.try_get("oldest")?;
        let leases = sqlx::query(
            "SELECT id, job, owner, lease_generation, lease_until FROM runs WHERE status = 'started' ORDER BY started_at LIMIT 1000",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut lease_list = Vec::new();
        for l in &leases {
            let until: Option<i64> = l.try_get("lease_until")?;
            lease_list.push(serde_json::json!({
                "run": l.try_get::<String, _>("id")?,
                "job": l.try_get::<String, _>("job")?,
                "owner": l.try_get::<Option<String>, _>("owner")?,
                "generation": l.try_get::<i64, _>("lease_generation")?,
                "expires_in_ms": until.map(|u| u - now),
            }));
        }
        Ok(serde_json::json!({
            "nodes": node_list,
            "queue_depth": queued.try_get::<i64, _>("n")?,
            "oldest_queued_age_ms": oldest.map(|o| now - o),
            "leases": lease_list,
        }))
    }

    /// Appends log lines of a run.
    pub async fn append_logs(&self, run_id: &str, lines: &[LogRecord]) -> Result<(), StoreError> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for line in lines {
            sqlx::query(
                "INSERT INTO run_logs (run_id, seq, at, level, source, message) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (run_id, seq) DO NOTHING",
            )
            .bind(run_id)
            .bind(line.seq)
            .bind(line.at)
            .bind(&line.level)
            .bind(&line.source)
            .bind(&line.message)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends a run `node` holds as `started` at lease `generation`; `follow_ups` (flow-triggered
    /// runs, a retry) are enqueued in the same transaction. False when the run is not held so
    /// any more (another node reclaimed it). `end` is how it ended.
    pub async fn finish(
        &self,
        run_id: &str,
        (node, generation): (&str, i64),
        end: &RunEnd,
        follow_ups: &[NewRun],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE runs SET status = $1, final_state = $2, reason = $3, finished_at = $4, lease_until = NULL, \
             peak_heap_bytes = $8 \
             WHERE id = $5 AND status = 'started' AND owner = $6 AND lease_generation = $7",
        )
        .bind(&end.status)
        .bind(&end.final_state)
        .bind(&end.reason)
        .bind(now_ms())
        .bind(run_id)
        .bind(node)
        .bind(generation)
        .bind(end.peak_heap_bytes)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for run in follow_ups {
            insert_run(&mut tx, run).await?;
        }
        if !follow_ups.is_empty() {
            self.notify(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Puts a started run (held at `generation`, with the started-step marker `marker` as it
    /// was read) back in the queue to resume (from `start_step` with `input_state` when
    /// given); `recovery` counts it as interrupted (a drained node's hand-back is not). False
    /// when the generation moved on (another node recovered it first) or the marker changed
    /// (its node, still running it, started another step since it was read).
    pub async fn requeue(
        &self,
        run_id: &str,
        (generation, marker): (i64, Option<&(String, i64)>),
        input_state: Option<&str>,
        start_step: Option<&str>,
        recovery: bool,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE runs SET status = 'queued', owner = NULL, lease_until = NULL, \
             lease_generation = lease_generation + 1, recoveries = recoveries + $1, \
             step_started = NULL, step_started_seq = NULL, \
             input_state = COALESCE($2, input_state), start_step = COALESCE($3, start_step) \
             WHERE id = $4 AND status = 'started' AND lease_generation = $5 \
             AND COALESCE(step_started, '') = $6 AND COALESCE(step_started_seq, -1) = $7",
        )
        .bind(recovery as i64)
        .bind(input_state)
        .bind(start_step)
        .bind(run_id)
        .bind(generation)
        .bind(marker.map(|m| m.0.as_str()).unwrap_or(""))
        .bind(marker.map(|m| m.1).unwrap_or(-1))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            self.notify(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends a started run held at `generation` by whichever node (a reaper ending another
    /// node's run). False when the generation moved on.
    pub async fn end_abandoned(
        &self,
        run_id: &str,
        generation: i64,
        status: &str,
        final_state: Option<&str>,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE runs SET status = $1, final_state = $2, reason = $3, finished_at = $4, lease_until = NULL, \
             lease_generation = lease_generation + 1 \
             WHERE id = $5 AND status = 'started' AND lease_generation = $6",
        )
        .bind(status)
        .bind(final_state)
        .bind(reason)
        .bind(now_ms())
        .bind(run_id)
        .bind(generation)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Runs left `started` by `node` (or by any node when `None`): a server stopped under them.
    pub async fn started_runs(&self, node: Option<&str>) -> Result<Vec<Run>, StoreError> {
        let rows = match node {
            Some(node) => {
                sqlx::query(&format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE status = 'started' AND owner = $1"
                ))
                .bind(node)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE status = 'started'"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(run_from_row).collect()
    }

    /// Asks for a run to be cancelled: a queued run ends `cancelled` at once; a started one
    /// is stopped by the node running it. False when no such run is queued or started.
    pub async fn request_cancel(&self, run_id: &str) -> Result<bool, StoreError> {
        let queued = sqlx::query(
            "UPDATE runs SET status = 'cancelled', reason = 'cancelled before it started', finished_at = $1, cancel_requested = 1 \
             WHERE id = $2 AND status = 'queued'",
        )
        .bind(now_ms())
        .bind(run_id)
        .execute(&self.pool)
        .await?;
        if queued.rows_affected() > 0 {
            return Ok(true);
        }
        let started = sqlx::query(
            "UPDATE runs SET cancel_requested = 1 WHERE id = $1 AND status = 'started'",
        )
        .bind(run_id)
        .execute(&self.pool)
        .await?;
        Ok(started.rows_affected() > 0)
    }

    /// Ids of runs `node` holds whose cancel was asked for.
    pub async fn cancel_requests(&self, node: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM runs WHERE status = 'started' AND owner = $1 AND cancel_requested = 1",
        )
        .bind(node)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("id").map_err(StoreError::from))
            .collect()
    }

    /// The final state of the job's last successful run (a cron job's cursor).
    pub async fn last_success_state(&self, job: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT final_state FROM runs WHERE job = $1 AND status = 'success' \
             ORDER BY finished_at DESC, id DESC LIMIT 1",
        )
        .bind(job)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => row.try_get("final_state")?,
            None => None,
        })
    }

    /// One message.
    pub async fn message(&self, id: &str) -> Result<Option<Message>, StoreError> {
        let row = sqlx::query(
            "SELECT id, inbox, received_at, body, headers, method, path, query, idempotency_key FROM messages WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message_from_row).transpose()
    }

    /// The newest messages first, `limit` of them, older than `before` (an id) when given.
    pub async fn messages(
        &self,
        limit: i64,
        before: Option<&str>,
    ) -> Result<Vec<Message>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, inbox, received_at, body, headers, method, path, query, idempotency_key FROM messages \
             WHERE ($1 = '' OR id < $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    /// One run.
    pub async fn run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        let row = sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// The newest runs first; only those of a message, or with a status, or older than run
    /// `before`, when given.
    pub async fn runs(
        &self,
        limit: i64,
        message_id: Option<&str>,
        status: Option<&str>,
        before: Option<&str>,
    ) -> Result<Vec<Run>, StoreError> {
        // ids are time-ordered (UUIDv7): newest first along the primary key, and a page
        // after `before` (the previous page's last id) costs what the first one does
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE ($1 = '' OR message_id = $1) AND ($2 = '' OR status = $2) \
             AND ($4 = '' OR id < $4) ORDER BY id DESC LIMIT $3"
        ))
        .bind(message_id.unwrap_or(""))
        .bind(status.unwrap_or(""))
        .bind(limit)
        .bind(before.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    /// A run's step results, in order.
    pub async fn steps(&self, run_id: &str) -> Result<Vec<StepResult>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, step_id, output_state, finished_at FROM run_steps WHERE run_id = $1 ORDER BY seq",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StepResult {
                    seq: r.try_get("seq")?,
                    step_id: r.try_get("step_id")?,
                    output_state: r.try_get("output_state")?,
                    finished_at: r.try_get("finished_at")?,
                })
            })
            .collect()
    }

    /// A run's log lines, in order.
    pub async fn logs(&self, run_id: &str) -> Result<Vec<LogRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, level, source, message FROM run_logs WHERE run_id = $1 ORDER BY seq",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LogRecord {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    level: r.try_get("level")?,
                    source: r.try_get("source")?,
                    message: r.try_get("message")?,
                })
            })
            .collect()
    }

    /// Runs by status, and the number of messages.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let rows =
            sqlx::query("SELECT status, COUNT(*) AS n FROM runs GROUP BY status ORDER BY status")
                .fetch_all(&self.pool)
                .await?;
        let mut counts = Counts::default();
        for r in rows {
            counts.runs.push((r.try_get("status")?, r.try_get("n")?));
        }
        counts.messages = sqlx::query("SELECT COUNT(*) AS n FROM messages")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(counts)
    }

    /// Deletes finished runs (with their steps and logs) and messages received before
    /// `before_ms`; messages with unfinished runs stay.
    pub async fn prune(&self, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let finished = "SELECT id FROM runs WHERE finished_at IS NOT NULL AND finished_at < $1";
        sqlx::query(&format!(
            "DELETE FROM run_logs WHERE run_id IN ({finished})"
        ))
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM run_steps WHERE run_id IN ({finished})"
        ))
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        let runs =
            sqlx::query("DELETE FROM runs WHERE finished_at IS NOT NULL AND finished_at < $1")
                .bind(before_ms)
                .execute(&mut *tx)
                .await?;
        sqlx::query(
            "DELETE FROM messages WHERE received_at < $1 AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.message_id = messages.id)",
        )
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(runs.rows_affected())
    }
}

async fn insert_run(conn: &mut sqlx::AnyConnection, run: &NewRun) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO runs (id, job, message_id, inbox, trigger_kind, parent_run, status, attempt, recoveries, created_at, not_before, input_state, cancel_requested, fifo_key) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, 0, $8, $9, $10, 0, $11)",
    )
    .bind(&run.id)
    .bind(&run.job)
    .bind(&run.message_id)
    .bind(&run.inbox)
    .bind(&run.trigger)
    .bind(&run.parent_run)
    .bind(run.attempt.max(1))
    .bind(now_ms())
    .bind(run.not_before)
    .bind(&run.input_state)
    .bind(&run.fifo_key)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) fn message_from_row(r: &AnyRow) -> Result<Message, StoreError> {
    Ok(Message {
        id: r.try_get("id")?,
        inbox: r.try_get("inbox")?,
        received_at: r.try_get("received_at")?,
        body: r.try_get("body")?,
        headers: r.try_get("headers")?,
        method: r.try_get("method")?,
        path: r.try_get("path")?,
        query: r.try_get("query")?,
        idempotency_key: r.try_get("idempotency_key")?,
    })
}

fn run_from_row(r: &AnyRow) -> Result<Run, StoreError> {
    Ok(Run {
        id: r.try_get("id")?,
        job: r.try_get("job")?,
        message_id: r.try_get("message_id")?,
        inbox: r.try_get("inbox")?,
        trigger: r.try_get("trigger_kind")?,
        parent_run: r.try_get("parent_run")?,
        status: r.try_get("status")?,
        attempt: r.try_get("attempt")?,
        recoveries: r.try_get("recoveries")?,
        created_at: r.try_get("created_at")?,
        not_before: r.try_get("not_before")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        owner: r.try_get("owner")?,
        input_state: r.try_get("input_state")?,
        final_state: r.try_get("final_state")?,
        reason: r.try_get("reason")?,
        start_step: r.try_get("start_step")?,
        cancel_requested: r.try_get::<i64, _>("cancel_requested")? != 0,
        lease_generation: r.try_get("lease_generation")?,
        lease_until: r.try_get("lease_until")?,
        fifo_key: r.try_get("fifo_key")?,
        peak_heap_bytes: r.try_get("peak_heap_bytes")?,
        step_started: match (
            r.try_get::<Option<String>, _>("step_started")?,
            r.try_get::<Option<i64>, _>("step_started_seq")?,
        ) {
            (Some(step), Some(seq)) => Some((step, seq)),
            _ => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, received_at: i64) -> Message {
        Message {
            id: id.into(),
            inbox: "in".into(),
            received_at,
            body: "{}".into(),
            headers: "{}".into(),
            method: "POST".into(),
            path: "/inbox/x".into(),
            query: "{}".into(),
            idempotency_key: None,
        }
    }

    fn run(id: &str, message_id: &str) -> NewRun {
        NewRun {
            id: id.into(),
            job: "j".into(),
            message_id: Some(message_id.into()),
            inbox: Some("in".into()),
            trigger: "message".into(),
            attempt: 1,
            ..NewRun::default()
        }
    }

    /// Runs `test` against a fresh SQLite store in a temp folder of its own (removed after).
    fn with_store<F, Fut>(name: &str, test: F)
    where
        F: FnOnce(Store) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let dir = std::env::temp_dir().join(format!("fnhost-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("s.db").display());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = Store::open(&url).await.unwrap();
            test(store).await;
        });
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn retention_deletes_old_finished_runs_and_their_messages_only() {
        with_store("retention", |store| async move {
            store
                .insert_message(&message("old", 1), &[run("r-old", "old")])
                .await
                .unwrap();
            store
                .insert_message(&message("busy", 1), &[run("r-busy", "busy")])
                .await
                .unwrap();
            store
                .insert_message(&message("new", now_ms()), &[])
                .await
                .unwrap();
            // r-old finishes, r-busy is still running
            let claimed = store.claim("n", &[], 10_000).await.unwrap().unwrap();
            let other = store.claim("n", &[], 10_000).await.unwrap().unwrap();
            let (done, busy) = if claimed.id == "r-old" {
                (claimed, other)
            } else {
                (other, claimed)
            };
            assert!(store
                .finish(
                    &done.id,
                    ("n", done.lease_generation),
                    &RunEnd {
                        status: "success".into(),
                        final_state: Some("{}".into()),
                        ..RunEnd::default()
                    },
                    &[]
                )
                .await
                .unwrap());
            // a later cut-off removes the finished run and its message, nothing else
            let pruned = store.prune(now_ms() + 1000).await.unwrap();
            assert_eq!(pruned, 1);
            assert!(store.run("r-old").await.unwrap().is_none());
            assert!(store.message("old").await.unwrap().is_none());
            assert_eq!(
                store.run(&busy.id).await.unwrap().unwrap().status,
                "started"
            );
            assert!(store.message("busy").await.unwrap().is_some());
            // a message with no run goes once it is older than the cut-off
            assert!(
                store.message("new").await.unwrap().is_none(),
                "older than the cut-off"
            );
        });
    }

    #[test]
    fn a_fenced_node_cannot_end_a_run_another_node_took_over() {
        with_store("fence", |store| async move {
            store
                .insert_message(&message("m", 1), &[run("r", "m")])
                .await
                .unwrap();
            let first = store.claim("a", &[], 10_000).await.unwrap().unwrap();
            // a's lease ran out: another node puts it back and b claims it
            assert!(store
                .requeue("r", (first.lease_generation, None), None, None, true)
                .await
                .unwrap());
            let second = store.claim("b", &[], 10_000).await.unwrap().unwrap();
            assert!(second.lease_generation > first.lease_generation);
            // a comes back: its step and its end are refused
            assert!(!store
                .write_step("r", "a", first.lease_generation, 0, "s", Some("{}"))
                .await
                .unwrap());
            assert!(!store
                .finish(
                    "r",
                    ("a", first.lease_generation),
                    &RunEnd {
                        status: "success".into(),
                        final_state: Some("{}".into()),
                        ..RunEnd::default()
                    },
                    &[]
                )
                .await
                .unwrap());
            assert!(store
                .finish(
                    "r",
                    ("b", second.lease_generation),
                    &RunEnd {
                        status: "success".into(),
                        final_state: Some("{\"b\":1}".into()),
                        ..RunEnd::default()
                    },
                    &[]
                )
                .await
                .unwrap());
            let r = store.run("r").await.unwrap().unwrap();
            assert_eq!(r.final_state.as_deref(), Some("{\"b\":1}"));
            assert_eq!(r.recoveries, 1);
        });
    }

    #[test]
    fn a_started_step_is_marked_fenced_and_cleared_by_its_output() {
        with_store("mark", |store| async move {
            store
                .insert_message(&message("m", 1), &[run("r", "m")])
                .await
                .unwrap();
            let a = store.claim("a", &[], 10_000).await.unwrap().unwrap();
            let g = a.lease_generation;
            assert_eq!(a.step_started, None);
            // claimed, no step started: nothing in flight
            let fresh = store.run("r").await.unwrap().unwrap();
            assert_eq!(fresh.step_in_flight(&[]), None);
            // step one starts: marked; a recoverer sees it in flight
            assert!(store
                .mark_step_started("r", "a", g, 0, "one")
                .await
                .unwrap());
            let read = store.run("r").await.unwrap().unwrap();
            assert_eq!(read.step_started, Some(("one".to_string(), 0)));
            assert_eq!(
                read.step_in_flight(&store.steps("r").await.unwrap()),
                Some("one")
            );
            // its output clears the marker in the same write: between steps, nothing in flight
            assert!(store
                .write_step("r", "a", g, 0, "one", Some("{}"))
                .await
                .unwrap());
            let between = store.run("r").await.unwrap().unwrap();
            assert_eq!(between.step_started, None);
            assert_eq!(
                between.step_in_flight(&store.steps("r").await.unwrap()),
                None
            );
            // a recoverer read the run between steps; its node (alive, lease about to be lost)
            // then starts step two: the requeue decided on the stale read is refused
            assert!(store
                .mark_step_started("r", "a", g, 1, "two")
                .await
                .unwrap());
            assert!(!store
                .requeue("r", (g, between.step_started.as_ref()), None, None, true)
                .await
                .unwrap());
            let now = store.run("r").await.unwrap().unwrap();
            assert_eq!(now.status, "started");
            assert_eq!(
                now.step_in_flight(&store.steps("r").await.unwrap()),
                Some("two")
            );
            // a marker whose step has an output (written by a node that does not clear it) is
            // not in flight
            let stale = Run {
                step_started: Some(("one".into(), 0)),
                ..now.clone()
            };
            assert_eq!(stale.step_in_flight(&store.steps("r").await.unwrap()), None);
            // the run is ended by the recoverer; a's later marks and outputs are refused
            assert!(store
                .end_abandoned("r", g, "crashed", None, Some("interrupted"))
                .await
                .unwrap());
            assert!(!store
                .mark_step_started("r", "a", g, 2, "three")
                .await
                .unwrap());
            assert!(!store
                .write_step("r", "a", g, 1, "two", Some("{}"))
                .await
                .unwrap());
            // a requeued run comes back without a marker, and a new claim fences the old one
            store
                .insert_message(&message("m2", 1), &[run("r2", "m2")])
                .await
                .unwrap();
            let first = store.claim("a", &[], 10_000).await.unwrap().unwrap();
            assert!(store
                .requeue("r2", (first.lease_generation, None), None, None, true)
                .await
                .unwrap());
            let second = store.claim("b", &[], 10_000).await.unwrap().unwrap();
            assert!(!store
                .mark_step_started("r2", "a", first.lease_generation, 0, "one")
                .await
                .unwrap());
            assert!(store
                .mark_step_started("r2", "b", second.lease_generation, 0, "one")
                .await
                .unwrap());
            assert!(store
                .requeue(
                    "r2",
                    (second.lease_generation, Some(&("one".into(), 0))),
                    None,
                    None,
                    true
                )
                .await
                .unwrap());
            assert_eq!(store.run("r2").await.unwrap().unwrap().step_started, None);
        });
    }
}
