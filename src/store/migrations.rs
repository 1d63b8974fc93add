//! The store's schema, as numbered migrations in SQL both SQLite and PostgreSQL accept
//! (sqlx records which have run in `_sqlx_migrations`).

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::AnyPool;

/// Messages, runs, step results and logs.
const V1: &str = "
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    headers TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    idempotency_key TEXT
);
CREATE UNIQUE INDEX messages_idempotency ON messages (inbox, idempotency_key);
CREATE INDEX messages_received ON messages (received_at);
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    message_id TEXT REFERENCES messages (id),
    inbox TEXT,
    trigger_kind TEXT NOT NULL,
    parent_run TEXT,
    status TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    recoveries BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    not_before BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    owner TEXT,
    input_state TEXT,
    final_state TEXT,
    reason TEXT,
    start_step TEXT,
    cancel_requested BIGINT NOT NULL
);
CREATE INDEX runs_queue ON runs (status, not_before, created_at);
CREATE INDEX runs_message ON runs (message_id);
CREATE INDEX runs_job ON runs (job, status, finished_at);
CREATE TABLE run_steps (
    run_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    step_id TEXT NOT NULL,
    output_state TEXT,
    finished_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE run_logs (
    run_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    level TEXT NOT NULL,
    source TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
";

/// Several nodes on one database: leases on started runs (fenced by a generation), FIFO keys,
/// the nodes' heartbeats, and cron ticks claimed once across the cluster. Additive only: a node
/// of the previous version keeps working beside it.
const V2: &str = "
ALTER TABLE runs ADD COLUMN lease_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN lease_until BIGINT;
ALTER TABLE runs ADD COLUMN fifo_key TEXT;
CREATE INDEX runs_lease ON runs (status, lease_until);
CREATE INDEX runs_fifo ON runs (fifo_key, job, status);
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    version TEXT NOT NULL,
    draining BIGINT NOT NULL
);
CREATE TABLE cron_ticks (
    job TEXT NOT NULL,
    tick BIGINT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (job, tick)
);
";

/// The history UI's people and secrets: local users (argon2 password hashes, a hashed API
/// token), sign-in sessions (hashed ids, a CSRF token each), and the encrypted credential store.
const V3: &str = "
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_token ON users (token_hash);
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE credentials (
    name TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
";

/// Exactly-once delivery: the step a run's node is about to run (and the sequence number its
/// output will have), recorded before the step starts and cleared with its output. Additive
/// only (two nullable columns): a node of the previous version never reads or writes them.
const V4: &str = "
ALTER TABLE runs ADD COLUMN step_started TEXT;
ALTER TABLE runs ADD COLUMN step_started_seq BIGINT;
";

/// The history's paging and run costs: each run's peak V8 heap, and an index for one inbox's
/// messages newest first (the history's per-inbox pages walk it instead of the whole table).
/// Additive only.
const V5_HISTORY: &str = "
ALTER TABLE runs ADD COLUMN peak_heap_bytes BIGINT;
CREATE INDEX messages_inbox_id ON messages (inbox, id);
";

/// Brings the database's schema up to date.
pub async fn run(pool: &AnyPool) -> Result<(), sqlx::migrate::MigrateError> {
    let migrations = vec![
        Migration::new(
            1,
            Cow::Borrowed("messages runs steps logs"),
            MigrationType::Simple,
            Cow::Borrowed(V1),
            false,
        ),
        Migration::new(
            2,
            Cow::Borrowed("leases nodes cron ticks"),
            MigrationType::Simple,
            Cow::Borrowed(V2),
            false,
        ),
        Migration::new(
            3,
            Cow::Borrowed("users sessions credentials"),
            MigrationType::Simple,
            Cow::Borrowed(V3),
            false,
        ),
        Migration::new(
            4,
            Cow::Borrowed("step started marker"),
            MigrationType::Simple,
            Cow::Borrowed(V4),
            false,
        ),
        Migration::new(
            5,
            Cow::Borrowed("history run peak heap inbox index"),
            MigrationType::Simple,
            Cow::Borrowed(V5_HISTORY),
            false,
        ),
    ];
    // `locking`: on PostgreSQL, nodes starting together migrate once, under an advisory lock.
    // `ignore_missing`: a node of the previous version starts against a database a newer node
    // has migrated (migrations are additive), which is what a rolling upgrade needs.
    let migrator = Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: true,
        locking: true,
        ..Migrator::DEFAULT
    };
    migrator.run(pool).await
}
