//! What makes a job run in `fnhost serve`: message filters (JSON containment, as PostgreSQL's
//! `jsonb @>`), cron schedules and flow triggers (on another job's success or failure).
//!
//! - [`filter`]: [`MessageFilter`] and [`contains`], the same selection in SQLite and
//!   PostgreSQL mode because it is evaluated here, not in SQL.
//! - [`cron`]: [`CronSchedule`], OpenFn's five-field cron in UTC.

pub mod cron;
pub mod filter;

pub use self::cron::CronSchedule;
pub use self::filter::{contains, MessageFilter};
