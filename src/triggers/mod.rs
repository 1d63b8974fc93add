//! What makes a job run in `fnhost serve`: message filters (JSON containment, as PostgreSQL's
//! `jsonb @>`), cron schedules and flow triggers (on another job's success or failure).

// TEMPORARY (lead's tree, replaced by the triggers branch): the API the server codes against.
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether `doc @> fragment` (simplified until the triggers branch lands).
pub fn contains(doc: &Value, fragment: &Value) -> bool {
    match (doc, fragment) {
        (Value::Object(d), Value::Object(f)) => f
            .iter()
            .all(|(k, v)| d.get(k).is_some_and(|dv| contains(dv, v))),
        (Value::Array(d), Value::Array(f)) => f.iter().all(|v| d.iter().any(|dv| contains(dv, v))),
        (a, b) => a == b,
    }
}

/// A message filter.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct MessageFilter {
    /// Must be contained.
    pub inclusion: Value,
    /// Must not be contained.
    #[serde(default)]
    pub exclusion: Option<Value>,
}

impl MessageFilter {
    /// Whether a message matches.
    pub fn matches(&self, message: &Value) -> bool {
        contains(message, &self.inclusion)
            && !self
                .exclusion
                .as_ref()
                .is_some_and(|e| contains(message, e))
    }
    /// Checks the filter.
    pub fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// A cron schedule.
#[derive(Debug, Clone)]
pub struct CronSchedule(cron::Schedule);

impl CronSchedule {
    /// Parses five-field cron.
    pub fn parse(expr: &str) -> Result<CronSchedule, String> {
        use std::str::FromStr;
        cron::Schedule::from_str(&format!("0 {expr}"))
            .map(CronSchedule)
            .map_err(|e| format!("`{expr}` is not a cron schedule: {e}"))
    }
    /// Next fire time after.
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        let t = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(after_ms)?;
        self.0.after(&t).next().map(|d| d.timestamp_millis())
    }
}
