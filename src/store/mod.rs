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

const RUN_COLUMNS: &str = "id, job, message_id, inbox, trigger_kind, parent_run, status, attempt, recoveries, created_at, not_before, started_at, finished_at, owner, input_state, final_state, reason, start_step, cancel_requested";

/// The store: a pool of connections to SQLite or PostgreSQL.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    sqlite: bool,
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
        Ok(Store { pool, sqlite })
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
        tx.commit().await?;
        Ok(Stored::New(message.id.clone()))
    }

    /// Enqueues a run.
    pub async fn enqueue(&self, run: &NewRun) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_run(&mut conn, run).await
    }

    /// Takes the oldest queued run that may start now, except those of `busy_inboxes`
    /// (at their concurrency limit), marking it `started` by `node`.
    pub async fn claim(
        &self,
        node: &str,
        busy_inboxes: &[String],
    ) -> Result<Option<Run>, StoreError> {
        let now = now_ms();
        let mut skip = String::new();
        for i in 0..busy_inboxes.len() {
            skip.push_str(&format!(" AND (inbox IS NULL OR inbox <> ${})", i + 2));
        }
        let pick = format!(
            "SELECT id FROM runs WHERE status = 'queued' AND not_before <= $1{skip} \
             ORDER BY created_at, id LIMIT 1"
        );
        for _ in 0..5 {
            let mut q = sqlx::query(&pick).bind(now);
            for inbox in busy_inboxes {
                q = q.bind(inbox);
            }
            let Some(row) = q.fetch_optional(&self.pool).await? else {
                return Ok(None);
            };
            let id: String = row.try_get("id")?;
            let claimed = sqlx::query(&format!(
                "UPDATE runs SET status = 'started', owner = $1, started_at = $2 \
                 WHERE id = $3 AND status = 'queued' RETURNING {RUN_COLUMNS}"
            ))
            .bind(node)
            .bind(now)
            .bind(&id)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(row) = claimed {
                return Ok(Some(run_from_row(&row)?));
            }
            // another node took it first
        }
        Ok(None)
    }

    /// Records a step's output before the next step starts.
    pub async fn write_step(
        &self,
        run_id: &str,
        seq: i64,
        step_id: &str,
        output_state: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO run_steps (run_id, seq, step_id, output_state, finished_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (run_id, seq) DO UPDATE SET step_id = excluded.step_id, output_state = excluded.output_state, finished_at = excluded.finished_at",
        )
        .bind(run_id)
        .bind(seq)
        .bind(step_id)
        .bind(output_state)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
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

    /// Ends a run (only one this node holds as `started`); `follow_ups` (flow-triggered runs,
    /// a retry) are enqueued in the same transaction. False when the run was not this node's.
    pub async fn finish(
        &self,
        run_id: &str,
        node: &str,
        status: &str,
        final_state: Option<&str>,
        reason: Option<&str>,
        follow_ups: &[NewRun],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE runs SET status = $1, final_state = $2, reason = $3, finished_at = $4 \
             WHERE id = $5 AND status = 'started' AND owner = $6",
        )
        .bind(status)
        .bind(final_state)
        .bind(reason)
        .bind(now_ms())
        .bind(run_id)
        .bind(node)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for run in follow_ups {
            insert_run(&mut tx, run).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Puts a started run back in the queue to resume (from `start_step` with `input_state`
    /// when given), counting the recovery.
    pub async fn requeue(
        &self,
        run_id: &str,
        input_state: Option<&str>,
        start_step: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE runs SET status = 'queued', owner = NULL, recoveries = recoveries + 1, \
             input_state = COALESCE($1, input_state), start_step = COALESCE($2, start_step) \
             WHERE id = $3 AND status = 'started'",
        )
        .bind(input_state)
        .bind(start_step)
        .bind(run_id)
        .execute(&self.pool)
        .await?;
        Ok(())
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

    /// The newest runs first; only those of a message, or with a status, when given.
    pub async fn runs(
        &self,
        limit: i64,
        message_id: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<Run>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE ($1 = '' OR message_id = $1) AND ($2 = '' OR status = $2) \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        ))
        .bind(message_id.unwrap_or(""))
        .bind(status.unwrap_or(""))
        .bind(limit)
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
        "INSERT INTO runs (id, job, message_id, inbox, trigger_kind, parent_run, status, attempt, recoveries, created_at, not_before, input_state, cancel_requested) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, 0, $8, $9, $10, 0)",
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
    })
}
