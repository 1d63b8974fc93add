//! The project file `fnhost serve` runs: inboxes (where applications post), jobs (what runs),
//! their triggers, credentials and limits — YAML, checked before anything is served, with the
//! file, line and field of the first mistake.
//!
//! ```yaml
//! inboxes:
//!   - name: kobo
//!     key: 3f9c2e7a1b       # the secret part of /inbox/<key>
//!     idempotency_path: body._uuid
//! credentials:
//!   dhis2: { username: admin, password: district }
//! jobs:
//!   - name: kobo-to-dhis2
//!     adaptor: common
//!     expression: fn(state => state)
//!     credential: dhis2
//!     trigger:
//!       message: { inclusion: { form: my_form } }
//! ```

mod edit;
mod example;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use edit::{set_message_filter, write_project, EditError};
pub use example::write_example;

use crate::triggers::{CronSchedule, MessageFilter};

/// Default largest body an inbox accepts: 10 MB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A parsed and checked project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The file it came from.
    pub path: PathBuf,
    /// Where job paths are resolved from (the file's directory).
    pub dir: PathBuf,
    /// The file's settings.
    pub file: ProjectFile,
    /// Each job's source, read from its `path` or inline `expression`.
    pub sources: BTreeMap<String, JobSource>,
}

/// What a job runs.
#[derive(Debug, Clone)]
pub enum JobSource {
    /// A job expression.
    Expression(String),
    /// An OpenFn workflow file.
    Workflow(PathBuf),
}

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// A name for the project (shown in the history).
    #[serde(default)]
    pub name: Option<String>,
    /// Where adaptors are installed (default: fnhost's repo directory).
    #[serde(default)]
    pub repo_dir: Option<PathBuf>,
    /// Limits for every run, unless a job sets its own.
    #[serde(default)]
    pub limits: LimitsSpec,
    /// How many runs execute at once (default: the number of CPUs).
    #[serde(default)]
    pub workers: Option<usize>,
    /// Inboxes: the URLs applications post to.
    #[serde(default)]
    pub inboxes: Vec<Inbox>,
    /// Credentials by name: the `configuration` a job's state gets.
    #[serde(default)]
    pub credentials: BTreeMap<String, Value>,
    /// Jobs and their triggers.
    #[serde(default)]
    pub jobs: Vec<JobSpec>,
    /// How long finished runs, their logs and messages are kept, days (default: forever).
    #[serde(default)]
    pub retention_days: Option<u64>,
}

/// Per-run limits as written in the file.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// Wall-clock time per step, seconds (default 300).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// V8 heap per run, MB (default 500).
    #[serde(default)]
    pub memory_mb: Option<usize>,
    /// Largest final state, MB (default 10).
    #[serde(default)]
    pub max_state_mb: Option<usize>,
}

impl LimitsSpec {
    /// The engine's limits, with this spec's values over `base`.
    pub fn apply(&self, mut base: crate::Limits) -> crate::Limits {
        if let Some(s) = self.timeout_seconds {
            base.timeout = Duration::from_secs(s);
        }
        if let Some(mb) = self.memory_mb {
            base.heap_bytes = mb * 1024 * 1024;
        }
        if let Some(mb) = self.max_state_mb {
            base.max_state_bytes = mb * 1024 * 1024;
        }
        base
    }
}

/// An inbox: `POST /inbox/<key>`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Inbox {
    /// Its name (triggers and the history refer to it).
    pub name: String,
    /// The secret in its URL (at least 8 characters of `[A-Za-z0-9_-]`).
    pub key: String,
    /// A disabled inbox answers 404, as an unknown key does.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Largest body accepted, bytes (default 10 MB); larger posts get 413.
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    /// Required credentials of the poster.
    #[serde(default)]
    pub auth: Option<InboxAuth>,
    /// A path into the posted JSON (`body._uuid`, Kobo's submission id; `id` for CommCare)
    /// whose value makes a repeated post answer with the first message's id.
    #[serde(default)]
    pub idempotency_path: Option<String>,
    /// Wait for the run and answer with its `state.webhookResponse` or final state.
    #[serde(default)]
    pub sync: bool,
    /// How long a sync post waits, seconds (default 30); then 202 with the message id.
    #[serde(default)]
    pub sync_timeout_seconds: Option<u64>,
    /// Most runs of this inbox's messages executing at once, across every node (default: no
    /// limit but the workers').
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// A path into the posted JSON (`form.case.@case_id`): a job's runs of messages with the
    /// same value start in the order received, one at a time, across every node.
    #[serde(default)]
    pub fifo_key_path: Option<String>,
}

fn yes() -> bool {
    true
}

/// How a poster proves who it is: `{api_key: {header, value}}` or `{basic: {username, password}}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(
    deny_unknown_fields,
    rename_all = "snake_case",
    try_from = "AuthFields"
)]
pub enum InboxAuth {
    /// A header carrying a key: `{api_key: {header: x-api-key, value: ...}}`.
    ApiKey {
        /// The header's name (default `x-api-key`).
        #[serde(default = "default_api_key_header")]
        header: String,
        /// The expected value.
        value: String,
    },
    /// HTTP Basic: `{basic: {username: ..., password: ...}}`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
}

/// An inbox's `auth` as written (a map with one key).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFields {
    #[serde(default)]
    api_key: Option<ApiKeyFields>,
    #[serde(default)]
    basic: Option<BasicFields>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiKeyFields {
    #[serde(default = "default_api_key_header")]
    header: String,
    value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BasicFields {
    username: String,
    password: String,
}

impl TryFrom<AuthFields> for InboxAuth {
    type Error = String;

    fn try_from(a: AuthFields) -> Result<Self, String> {
        match (a.api_key, a.basic) {
            (Some(k), None) => Ok(InboxAuth::ApiKey {
                header: k.header,
                value: k.value,
            }),
            (None, Some(b)) => Ok(InboxAuth::Basic {
                username: b.username,
                password: b.password,
            }),
            _ => Err("`auth` has exactly one of `api_key` or `basic`".into()),
        }
    }
}

fn default_api_key_header() -> String {
    "x-api-key".into()
}

/// A job: what runs, with which adaptor and credential, on which trigger.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Its name (unique).
    pub name: String,
    /// The adaptor (`common`, `http@7.2.10`, `NAME=PATH`); with a workflow, the default.
    #[serde(default)]
    pub adaptor: Option<String>,
    /// The job's code, inline.
    #[serde(default)]
    pub expression: Option<String>,
    /// The job's code in a file (relative to the project file).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// An OpenFn workflow file to run instead of one job.
    #[serde(default)]
    pub workflow: Option<PathBuf>,
    /// The credential whose value becomes `state.configuration`.
    #[serde(default)]
    pub credential: Option<String>,
    /// A disabled job is never started.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// When it runs.
    pub trigger: TriggerSpec,
    /// Retries of a failed or crashed run.
    #[serde(default)]
    pub retries: Option<RetrySpec>,
    /// Limits for this job's runs.
    #[serde(default)]
    pub limits: LimitsSpec,
    /// What happens to a run whose node stops (killed, lease lost) while one of its steps
    /// runs: `at-least-once` (default) runs that step again, `exactly-once` ends the run
    /// `crashed` instead. Set on the job rather than its trigger: it is a promise about the
    /// job's steps and their side effects, which hold whatever started the run (a message, a
    /// flow, a retry, a manual run) — and a job has one trigger anyway.
    #[serde(default)]
    pub delivery: Delivery,
}

/// How often a step of a job's run may execute when nodes stop under it.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// An interrupted run resumes at the step that was running: that step may run twice.
    #[default]
    AtLeastOnce,
    /// Each step's start is recorded before it runs; a run interrupted while a step ran (its
    /// outcome unknown) ends `crashed`, naming the step, and is not run again. Retries after
    /// a step failed (`retries`) are unchanged.
    ExactlyOnce,
}

/// When a job runs: exactly one of `message`, `webhook`, `cron` or `flow`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(
    deny_unknown_fields,
    rename_all = "snake_case",
    try_from = "TriggerFields"
)]
pub enum TriggerSpec {
    /// A message matching a filter (on any inbox, or one): state `{data: message}`.
    Message {
        /// Limit to one inbox's messages.
        #[serde(default)]
        inbox: Option<String>,
        /// The filter.
        #[serde(flatten)]
        filter: MessageFilter,
    },
    /// Every message of an inbox, as OpenFn's webhook trigger: state `{data: body, request:
    /// {method, path, query_params, headers}}` (secret headers removed).
    Webhook {
        /// The inbox.
        inbox: String,
    },
    /// A schedule (five-field cron, UTC): state is the last successful run's final state.
    Cron(String),
    /// After another job's run: `{job: NAME, on: success | failure}`.
    Flow {
        /// The upstream job.
        job: String,
        /// `success` or `failure`.
        on: FlowOn,
    },
}

/// A trigger as written: a map with one of its keys (YAML's enum tags are not asked of users).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerFields {
    #[serde(default)]
    message: Option<MessageFields>,
    #[serde(default)]
    webhook: Option<WebhookFields>,
    #[serde(default)]
    cron: Option<String>,
    #[serde(default)]
    flow: Option<FlowFields>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageFields {
    #[serde(default)]
    inbox: Option<String>,
    inclusion: Value,
    #[serde(default)]
    exclusion: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookFields {
    inbox: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowFields {
    job: String,
    on: FlowOn,
}

impl TryFrom<TriggerFields> for TriggerSpec {
    type Error = String;

    fn try_from(t: TriggerFields) -> Result<Self, String> {
        let count = t.message.is_some() as u8
            + t.webhook.is_some() as u8
            + t.cron.is_some() as u8
            + t.flow.is_some() as u8;
        if count != 1 {
            return Err(
                "a trigger has exactly one of `message`, `webhook`, `cron` or `flow`".into(),
            );
        }
        Ok(if let Some(m) = t.message {
            TriggerSpec::Message {
                inbox: m.inbox,
                filter: MessageFilter {
                    inclusion: m.inclusion,
                    exclusion: m.exclusion,
                },
            }
        } else if let Some(w) = t.webhook {
            TriggerSpec::Webhook { inbox: w.inbox }
        } else if let Some(c) = t.cron {
            TriggerSpec::Cron(c)
        } else if let Some(f) = t.flow {
            TriggerSpec::Flow {
                job: f.job,
                on: f.on,
            }
        } else {
            return Err(
                "a trigger has exactly one of `message`, `webhook`, `cron` or `flow`".into(),
            );
        })
    }
}

/// Which outcome of the upstream job starts a flow-triggered job.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FlowOn {
    /// The upstream run succeeded.
    Success,
    /// The upstream run failed or crashed.
    Failure,
}

/// Retries with exponential backoff.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Further attempts after the first (default 3).
    #[serde(default = "three")]
    pub max: u32,
    /// Wait before the first retry, seconds (doubles each time; default 10).
    #[serde(default = "ten")]
    pub backoff_seconds: f64,
}

fn three() -> u32 {
    3
}
fn ten() -> f64 {
    10.0
}

/// Why a project file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectError {
    /// The file.
    pub path: PathBuf,
    /// The line (1-based) when known.
    pub line: Option<usize>,
    /// The field (`jobs[1].trigger`) when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ProjectError {}

impl Project {
    /// Reads and checks a project file.
    pub fn load(path: &Path) -> Result<Project, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProjectError {
            path: path.to_path_buf(),
            line: None,
            field: None,
            message: format!("cannot read the project file: {e}"),
        })?;
        Project::parse(path, &text)
    }

    /// Checks a project file's text (`path` names it in errors and anchors relative paths).
    pub fn parse(path: &Path, text: &str) -> Result<Project, ProjectError> {
        let error = |line: Option<usize>, field: Option<String>, message: String| ProjectError {
            path: path.to_path_buf(),
            line,
            field,
            message,
        };
        let deserializer = serde_yaml::Deserializer::from_str(text);
        let file: ProjectFile = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            let line = inner.location().map(|l| l.line());
            let message = strip_location(&inner.to_string());
            error(line, (field != ".").then_some(field), message)
        })?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let at = |needle: &str| line_of(text, needle);

        let mut inbox_names = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for (i, inbox) in file.inboxes.iter().enumerate() {
            let field = |f: &str| Some(format!("inboxes[{i}].{f}"));
            if !inbox_names.insert(inbox.name.as_str()) {
                return Err(error(
                    at(&inbox.name),
                    field("name"),
                    format!("two inboxes are named `{}`", inbox.name),
                ));
            }
            if inbox.key.len() < 8
                || !inbox
                    .key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(error(
                    at(&inbox.key),
                    field("key"),
                    "an inbox key is at least 8 characters of A-Z, a-z, 0-9, `-` and `_` (it is the secret in the inbox's URL)".into(),
                ));
            }
            if !keys.insert(inbox.key.as_str()) {
                return Err(error(
                    at(&inbox.key),
                    field("key"),
                    "two inboxes share this key".into(),
                ));
            }
            if inbox.concurrency == Some(0) {
                return Err(error(
                    at("concurrency"),
                    field("concurrency"),
                    "must be 1 or more".into(),
                ));
            }
            if inbox.max_body_bytes == Some(0) {
                return Err(error(
                    at("max_body_bytes"),
                    field("max_body_bytes"),
                    "must be more than 0".into(),
                ));
            }
            if let Some(InboxAuth::ApiKey { header, .. }) = &inbox.auth {
                if axum::http::HeaderName::from_bytes(header.as_bytes()).is_err() {
                    return Err(error(
                        at(header),
                        field("auth.api_key.header"),
                        format!("`{header}` is not a header name"),
                    ));
                }
            }
        }

        let mut sources = BTreeMap::new();
        let job_names: BTreeSet<&str> = file.jobs.iter().map(|j| j.name.as_str()).collect();
        for (i, job) in file.jobs.iter().enumerate() {
            let field = |f: &str| Some(format!("jobs[{i}].{f}"));
            let job_line = at(&format!("name: {}", job.name));
            if sources.contains_key(&job.name) {
                return Err(error(
                    job_line,
                    field("name"),
                    format!("two jobs are named `{}`", job.name),
                ));
            }
            let source = match (&job.expression, &job.path, &job.workflow) {
                (Some(e), None, None) => JobSource::Expression(e.clone()),
                (None, Some(p), None) => {
                    let full = dir.join(p);
                    let text = std::fs::read_to_string(&full).map_err(|e| {
                        error(
                            at(&p.to_string_lossy()),
                            field("path"),
                            format!("cannot read {}: {e}", full.display()),
                        )
                    })?;
                    JobSource::Expression(text)
                }
                (None, None, Some(w)) => {
                    let full = dir.join(w);
                    let text = std::fs::read_to_string(&full).map_err(|e| {
                        error(
                            at(&w.to_string_lossy()),
                            field("workflow"),
                            format!("cannot read {}: {e}", full.display()),
                        )
                    })?;
                    crate::Workflow::from_json(&text).map_err(|e| {
                        error(
                            at(&w.to_string_lossy()),
                            field("workflow"),
                            format!("{} is not a workflow: {e}", full.display()),
                        )
                    })?;
                    JobSource::Workflow(full)
                }
                _ => {
                    return Err(error(
                        job_line,
                        Some(format!("jobs[{i}]")),
                        "a job has exactly one of `expression`, `path` or `workflow`".into(),
                    ))
                }
            };
            // a credential not in the file's inline map may be in the encrypted credential
            // store (`fnhost credentials set`): a run without either ends `crashed`, naming it
            if let Some(c) = &job.credential {
                if c.trim().is_empty() {
                    return Err(error(
                        at("credential:"),
                        field("credential"),
                        "a credential reference names a credential".into(),
                    ));
                }
            }
            match &job.trigger {
                TriggerSpec::Message { inbox, filter } => {
                    if let Some(inbox) = inbox {
                        if !inbox_names.contains(inbox.as_str()) {
                            return Err(error(
                                at(&format!("inbox: {inbox}")),
                                field("trigger.message.inbox"),
                                format!("no inbox is named `{inbox}`"),
                            ));
                        }
                    }
                    filter.validate().map_err(|e| {
                        error(at("inclusion"), field("trigger.message.inclusion"), e)
                    })?;
                }
                TriggerSpec::Webhook { inbox } => {
                    if !inbox_names.contains(inbox.as_str()) {
                        return Err(error(
                            at(&format!("inbox: {inbox}")),
                            field("trigger.webhook.inbox"),
                            format!("no inbox is named `{inbox}`"),
                        ));
                    }
                }
                TriggerSpec::Cron(expr) => {
                    CronSchedule::parse(expr)
                        .map_err(|e| error(at(expr), field("trigger.cron"), e))?;
                }
                TriggerSpec::Flow { job: upstream, .. } => {
                    if !job_names.contains(upstream.as_str()) || upstream == &job.name {
                        return Err(error(
                            at(&format!("job: {upstream}")),
                            field("trigger.flow.job"),
                            format!("no other job is named `{upstream}`"),
                        ));
                    }
                }
            }
            if let Some(r) = &job.retries {
                if !(r.backoff_seconds.is_finite() && r.backoff_seconds >= 0.0) {
                    return Err(error(
                        at("backoff_seconds"),
                        field("retries.backoff_seconds"),
                        "must be a number of seconds, 0 or more".into(),
                    ));
                }
            }
            sources.insert(job.name.clone(), source);
        }
        Ok(Project {
            path: path.to_path_buf(),
            dir,
            file,
            sources,
        })
    }

    /// The inbox with this URL key.
    pub fn inbox_by_key(&self, key: &str) -> Option<&Inbox> {
        self.file.inboxes.iter().find(|i| i.key == key)
    }

    /// The job with this name.
    pub fn job(&self, name: &str) -> Option<&JobSpec> {
        self.file.jobs.iter().find(|j| j.name == name)
    }

    /// Where adaptors are found.
    pub fn repo_dir(&self) -> PathBuf {
        match &self.file.repo_dir {
            Some(d) => self.dir.join(d),
            None => crate::repo::default_repo_dir(),
        }
    }
}

/// serde_yaml puts "at line N column M" in its messages; the line is reported separately.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The first line holding `needle` (for checks made after parsing, which YAML no longer
/// locates).
fn line_of(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Project, ProjectError> {
        Project::parse(Path::new("/nonexistent/project.yaml"), text)
    }

    #[test]
    fn a_valid_project_parses() {
        let p = parse(
            "inboxes:\n  - name: kobo\n    key: abcdefgh12\njobs:\n  - name: j\n    adaptor: common\n    expression: fn(s => s)\n    trigger:\n      message:\n        inclusion: {form: f}\n",
        )
        .unwrap();
        assert_eq!(p.file.inboxes[0].name, "kobo");
        assert!(p.inbox_by_key("abcdefgh12").is_some());
        assert!(matches!(
            p.file.jobs[0].trigger,
            TriggerSpec::Message { .. }
        ));
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let e = parse("inboxes:\n  - name: kobo\n    key: abcdefgh12\n    sink: 3\n").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("unknown field `sink`"), "{e}");
        let e = parse("jobs:\n  - name: j\n    expression: x\n    trigger:\n      cron: 'nope'\n")
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("jobs[0].trigger.cron"), "{e}");
        assert_eq!(e.line, Some(5), "{e}");
        // a credential name missing from the inline map may be in the encrypted store: the
        // run names it when it is in neither
        assert!(parse("jobs:\n  - name: j\n    expression: x\n    credential: nope\n    trigger: {cron: '* * * * *'}\n").is_ok());
        let e = parse("inboxes:\n  - name: a\n    key: short\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("inboxes[0].key"));
        let e = parse("jobs:\n  - name: j\n    trigger: {cron: '* * * * *'}\n").unwrap_err();
        assert!(e.message.contains("exactly one of"), "{e}");
        let e = parse(
            "jobs:\n  - name: j\n    expression: x\n    trigger: {flow: {job: j, on: success}}\n",
        )
        .unwrap_err();
        assert!(e.message.contains("no other job"), "{e}");
    }

    #[test]
    fn delivery_is_at_least_once_unless_the_job_says_exactly_once() {
        let job = |delivery: &str| {
            format!("jobs:\n  - name: j\n    expression: x\n    trigger: {{cron: '* * * * *'}}\n{delivery}")
        };
        let p = parse(&job("")).unwrap();
        assert_eq!(p.file.jobs[0].delivery, Delivery::AtLeastOnce);
        let p = parse(&job("    delivery: exactly-once\n")).unwrap();
        assert_eq!(p.file.jobs[0].delivery, Delivery::ExactlyOnce);
        let p = parse(&job("    delivery: at-least-once\n")).unwrap();
        assert_eq!(p.file.jobs[0].delivery, Delivery::AtLeastOnce);
        let e = parse(&job("    delivery: exactly_once\n")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert_eq!(e.field.as_deref(), Some("jobs[0].delivery"), "{e}");
        assert!(
            e.message.contains("unknown variant `exactly_once`")
                && e.message.contains("`at-least-once`")
                && e.message.contains("`exactly-once`"),
            "{e}"
        );
        assert_eq!(
            e.to_string().split(": ").take(2).collect::<Vec<_>>(),
            ["/nonexistent/project.yaml:5", "jobs[0].delivery"]
        );
    }
}
