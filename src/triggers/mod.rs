//! What makes a job run in `fnhost serve`: message filters (JSON containment, as PostgreSQL's
//! `jsonb @>`), cron schedules and flow triggers (on another job's success or failure).
