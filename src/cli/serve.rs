//! `fnhost serve` and the commands that read and steer it: `fnhost inbox post`,
//! `fnhost messages list|show`, `fnhost runs list|show|retry|cancel` (against a running
//! server with `--server`, or the store directly with `--database`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::project::Project;
use crate::runs::{Runner, SharedProject};
use crate::server::{self, App};
use crate::store::Store;

/// `fnhost serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The project file (YAML): inboxes, jobs, triggers, credentials, limits.
    #[arg(long, value_name = "FILE", required_unless_present = "example")]
    project: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:4000")]
    listen: String,
    /// The store: `sqlite://PATH` (default: fnhost.db beside the project file) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE`.
    #[arg(long, env = "FNHOST_DATABASE", value_name = "URL")]
    database: Option<String>,
    /// Runs executing at once (default: the project's `workers`, else the number of CPUs).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// This node's name in the store (nodes sharing a database need different names).
    #[arg(long, env = "FNHOST_NODE_ID", default_value = "local")]
    node_id: String,
    /// How long a claimed run's lease lasts without renewal, seconds: another node takes
    /// over the runs of a node that stopped renewing after this long.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    lease_seconds: f64,
    /// On SIGTERM or Ctrl-C: how long running runs may go on before they are handed back to
    /// the queue (stopped here, resumed by another node or the next start), seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    drain_seconds: f64,
    /// How long a client may take to send a request's head, and how long its body may pause,
    /// before the connection is closed (a slow or stalled client must not hold a socket),
    /// seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    read_timeout: f64,
    /// Fail a job's runs instead of installing its missing adaptor at start-up and on reload.
    #[arg(long)]
    no_autoinstall: bool,
    /// npm registry for autoinstall (default: `$FNHOST_REGISTRY`, `.npmrc`, or npm's).
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
    /// A server-wide admin token: `Authorization: Bearer TOKEN` is accepted on every route
    /// (users' own tokens are made with `fnhost users token NAME`).
    #[arg(long, env = "FNHOST_API_TOKEN", value_name = "TOKEN")]
    api_token: Option<String>,
    /// Serve the history and the API without sign-in (every request is an admin's); only on
    /// a loopback address.
    #[arg(long)]
    no_auth: bool,
    /// The credential store's key file (else `FNHOST_CREDENTIALS_KEY` or
    /// `FNHOST_CREDENTIALS_KEY_FILE`; without a key, only the project file's inline
    /// credentials are used).
    #[arg(long, value_name = "FILE")]
    credentials_key_file: Option<PathBuf>,
    /// Write a runnable example project (a KoboToolbox inbox, a filter, a job) into DIR and
    /// exit.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = ".")]
    example: Option<PathBuf>,
}

/// Where `messages` and `runs` read from.
#[derive(Args, Debug)]
pub struct Target {
    /// A running server's URL (`http://127.0.0.1:4000`).
    #[arg(long, env = "FNHOST_SERVER", value_name = "URL", global = true)]
    server: Option<String>,
    /// The store itself (`sqlite://PATH` or `postgres://…`), when no server is given.
    #[arg(
        long,
        env = "FNHOST_DATABASE",
        value_name = "URL",
        global = true,
        default_value = "sqlite://fnhost.db"
    )]
    database: String,
    /// The server's API token.
    #[arg(long, env = "FNHOST_API_TOKEN", value_name = "TOKEN", global = true)]
    api_token: Option<String>,
}

/// `fnhost inbox`.
#[derive(Args, Debug)]
pub struct InboxArgs {
    #[command(subcommand)]
    command: InboxCommand,
}

#[derive(Subcommand, Debug)]
enum InboxCommand {
    /// POST a JSON file (or standard input) to an inbox URL, as an application would.
    Post {
        /// The inbox URL: `http://127.0.0.1:4000/inbox/KEY`.
        url: String,
        /// The JSON file (`-` or nothing: standard input).
        file: Option<PathBuf>,
        /// An `Idempotency-Key` header.
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
}

/// `fnhost messages`.
#[derive(Args, Debug)]
pub struct MessagesArgs {
    #[command(subcommand)]
    command: MessagesCommand,
    #[command(flatten)]
    target: Target,
}

#[derive(Subcommand, Debug)]
enum MessagesCommand {
    /// The newest messages.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// One message, with its body, headers and runs (JSON).
    Show {
        /// Its id.
        id: String,
    },
}

/// `fnhost cluster`.
#[derive(Args, Debug)]
pub struct ClusterArgs {
    #[command(subcommand)]
    command: ClusterCommand,
    /// The store the nodes share (`postgres://…`, or `sqlite://PATH` for one node).
    #[arg(
        long,
        env = "FNHOST_DATABASE",
        value_name = "URL",
        default_value = "sqlite://fnhost.db",
        global = true
    )]
    database: String,
}

#[derive(Subcommand, Debug)]
enum ClusterCommand {
    /// Nodes (heartbeat age, draining, runs held), leases, queue depth, oldest waiting run
    /// (JSON).
    Status,
}

/// `fnhost cluster status`.
pub fn cluster(args: ClusterArgs) -> i32 {
    let ClusterCommand::Status = args.command;
    tokio_runtime().block_on(async move {
        let result = match Store::open(&args.database).await {
            Ok(store) => store.cluster_status().await.map_err(String::from),
            Err(e) => Err(format!("cannot open {}: {e}", redact_url(&args.database))),
        };
        print_result(result, false)
    })
}

/// `fnhost runs`.
#[derive(Args, Debug)]
pub struct RunsArgs {
    #[command(subcommand)]
    command: RunsCommand,
    #[command(flatten)]
    target: Target,
}

#[derive(Subcommand, Debug)]
enum RunsCommand {
    /// The newest runs.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Only runs with this status (`queued`, `started`, `success`, `failed`, `crashed`,
        /// `cancelled`, `timeout`, `oom`, `state_too_large`).
        #[arg(long)]
        status: Option<String>,
        /// Only runs of this message.
        #[arg(long)]
        message: Option<String>,
    },
    /// One run with its input and final state, steps and logs (JSON).
    Show {
        /// Its id.
        id: String,
    },
    /// Run a finished run's job again on the same input.
    Retry {
        /// Its id.
        id: String,
    },
    /// Stop a queued or running run (the node running it stops it within ~100 ms; its logs
    /// and partial state are kept).
    Cancel {
        /// Its id.
        id: String,
    },
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// `fnhost serve`.
pub fn serve(args: ServeArgs) -> i32 {
    if let Some(dir) = &args.example {
        return match crate::project::write_example(dir) {
            Ok(()) => {
                println!(
                    "Wrote an example project to {}.\nServe it:   fnhost serve --project {}\nPost to it: fnhost inbox post http://127.0.0.1:4000/inbox/kobo-3f9c2e7a1b {}",
                    dir.display(),
                    dir.join("project.yaml").display(),
                    dir.join("kobo-submission.json").display()
                );
                0
            }
            Err(e) => {
                eprintln!("fnhost serve: {e}");
                2
            }
        };
    }
    let Some(path) = args.project.clone() else {
        eprintln!("fnhost serve: --project FILE is required");
        return 2;
    };
    let project = match Project::load(&path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("fnhost serve: {e}");
            return 2;
        }
    };
    if !args.no_autoinstall {
        install_adaptors(&project, args.registry.as_deref());
    }
    tokio_runtime().block_on(serve_project(args, path, project))
}

/// Installs the adaptors the project's jobs name that are missing from the repo (as OpenFn's
/// autoinstall). A failure is reported and the job's runs will say what is missing.
fn install_adaptors(project: &Project, registry: Option<&str>) {
    let repo_dir = project.repo_dir();
    let log = |level: &str, message: &str| eprintln!("fnhost serve: [{level}] {message}");
    for job in project.file.jobs.iter().filter(|j| j.enabled) {
        let path = match project.sources.get(&job.name) {
            Some(crate::project::JobSource::Workflow(p)) => p.clone(),
            _ => project.path.clone(),
        };
        let defaults: Vec<String> = job.adaptor.iter().cloned().collect();
        if let Err(e) = super::repo::autoinstall(&path, &defaults, &repo_dir, registry, &log) {
            eprintln!("fnhost serve: job {}: {e}", job.name);
        }
    }
}

async fn serve_project(args: ServeArgs, path: PathBuf, project: Project) -> i32 {
    if args.no_auth && !is_loopback(&args.listen) {
        eprintln!(
            "fnhost serve: --no-auth is only allowed on a loopback address (127.0.0.1, [::1], localhost), not {}",
            args.listen
        );
        return 2;
    }
    let vault = match crate::credentials::Vault::from_env(args.credentials_key_file.as_deref()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("fnhost serve: {e}");
            return 2;
        }
    };
    if let Some(v) = &vault {
        crate::credentials::install(v.clone());
    }
    let database = args
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", project.dir.join("fnhost.db").display()));
    let store = match Store::open(&database).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fnhost serve: cannot open the store {database}: {e}");
            return 1;
        }
    };
    let workers = args
        .workers
        .or(project.file.workers)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        })
        .max(1);
    let summary = format!(
        "{} inbox(es), {} job(s)",
        project.file.inboxes.len(),
        project.file.jobs.len()
    );
    let shared: SharedProject = Arc::new(RwLock::new(Arc::new(project)));
    let credentials = shared.clone();
    let repo_dir = shared.read().map(|p| p.repo_dir()).unwrap_or_default();
    let engine = crate::Engine::builder()
        .workers(workers)
        .repo_dir(repo_dir)
        // runs of an installed adaptor start from its per-adaptor snapshot (as `fnhost run`)
        .adaptor_snapshots(super::adaptor_snapshots_enabled())
        .credentials(move |id| {
            credentials
                .read()
                .ok()
                .and_then(|p| p.file.credentials.get(id).cloned())
        })
        .build();
    let lease_ok = args.lease_seconds.is_finite() && args.lease_seconds >= 0.3;
    let drain_ok = args.drain_seconds.is_finite() && args.drain_seconds >= 0.0;
    if !(lease_ok && drain_ok) {
        eprintln!(
            "fnhost serve: --lease-seconds must be at least 0.3 and --drain-seconds 0 or more"
        );
        return 2;
    }
    if !(args.read_timeout.is_finite() && args.read_timeout >= 0.1 && args.read_timeout <= 86_400.0)
    {
        eprintln!("fnhost serve: --read-timeout must be between 0.1 and 86400 seconds");
        return 2;
    }
    let read_timeout = Duration::from_secs_f64(args.read_timeout);
    let runner = Runner::new(
        store,
        engine,
        shared.clone(),
        &args.node_id,
        workers,
        Duration::from_secs_f64(args.lease_seconds),
    );
    match runner.recover().await {
        Ok(0) => {}
        Ok(n) => {
            eprintln!("fnhost serve: {n} run(s) interrupted by the last stop: resumed or ended")
        }
        Err(e) => {
            eprintln!("fnhost serve: cannot recover interrupted runs: {e}");
            return 1;
        }
    }
    tokio::spawn(runner.clone().dispatch());
    tokio::spawn(crate::runs::schedule::run_crons(runner.clone()));
    let registry = (!args.no_autoinstall).then(|| args.registry.clone());
    tokio::spawn(watch_project(path.clone(), shared.clone(), registry));
    tokio::spawn(prune(runner.clone()));
    let app = Arc::new(App {
        runner: runner.clone(),
        metrics: Default::default(),
        auth: server::auth::AuthConfig {
            disabled: args.no_auth,
            api_token: args.api_token.clone(),
        },
        local_csrf: server::auth::random_token(),
        vault,
        read_timeout,
    });
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("fnhost serve: cannot listen on {}: {e}", args.listen);
            return 1;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(args.listen.clone());
    eprintln!(
        "fnhost serve: listening on http://{addr} ({summary}; store {}; {workers} worker(s))",
        redact_url(&database)
    );
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    };
    let timeouts = server::listen::Timeouts {
        read: read_timeout,
        // requests in flight finish (a sync inbox waits for its run); streams are cut after
        shutdown_grace: Duration::from_secs(5),
    };
    server::listen::serve(listener, server::router(app), shutdown, timeouts).await;
    eprintln!("fnhost serve: stopping: no new posts; draining running runs");
    runner
        .drain(Duration::from_secs_f64(args.drain_seconds))
        .await;
    0
}

/// Whether `listen` (`HOST:PORT`) is a loopback address.
fn is_loopback(listen: &str) -> bool {
    let host = listen
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(listen)
        .trim_start_matches('[')
        .trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A database URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Reloads the project when its file changes; a file with a mistake is reported and the
/// running project kept (accepted messages are in the store either way).
async fn watch_project(path: PathBuf, shared: SharedProject, autoinstall: Option<Option<String>>) {
    use notify::Watcher;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut watcher =
        match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if event.is_ok() {
                let _ = tx.send(());
            }
        }) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("fnhost serve: the project file is not watched: {e}");
                return;
            }
        };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Err(e) = watcher.watch(dir, notify::RecursiveMode::NonRecursive) {
        eprintln!("fnhost serve: the project file is not watched: {e}");
        return;
    }
    let mut last = std::fs::read(&path).ok();
    while rx.recv().await.is_some() {
        tokio::time::sleep(Duration::from_millis(150)).await;
        while rx.try_recv().is_ok() {}
        let now = std::fs::read(&path).ok();
        if now == last {
            continue;
        }
        last = now;
        match Project::load(&path) {
            Ok(project) => {
                let project = match &autoinstall {
                    Some(registry) => {
                        let registry = registry.clone();
                        match tokio::task::spawn_blocking(move || {
                            install_adaptors(&project, registry.as_deref());
                            project
                        })
                        .await
                        {
                            Ok(project) => project,
                            Err(e) => {
                                eprintln!("fnhost serve: installing adaptors failed: {e}");
                                continue;
                            }
                        }
                    }
                    None => project,
                };
                if let Ok(mut p) = shared.write() {
                    *p = Arc::new(project);
                }
                eprintln!("fnhost serve: reloaded {}", path.display());
            }
            Err(e) => eprintln!("fnhost serve: {e} (the running project is kept)"),
        }
    }
}

/// Deletes what is older than the project's `retention_days`, hourly.
async fn prune(runner: Arc<Runner>) {
    loop {
        if let Some(days) = runner.project().file.retention_days {
            let before = crate::store::now_ms() - (days as i64) * 86_400_000;
            if let Err(e) = runner.store().prune(before).await {
                eprintln!("fnhost serve: retention: {e}");
            }
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// `fnhost inbox post`.
pub fn inbox(args: InboxArgs) -> i32 {
    let InboxCommand::Post {
        url,
        file,
        idempotency_key,
    } = args.command;
    let body = match file.as_deref() {
        None => read_stdin(),
        Some(p) if p == Path::new("-") => read_stdin(),
        Some(p) => std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display())),
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            eprintln!("fnhost inbox post: {e}");
            return 2;
        }
    };
    tokio_runtime().block_on(async move {
        let client = reqwest::Client::new();
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(k) = idempotency_key {
            request = request.header("idempotency-key", k);
        }
        match request.send().await {
            Err(e) => {
                eprintln!("fnhost inbox post: {url}: {e}");
                1
            }
            Ok(response) => {
                let status = response.status();
                let id = response
                    .headers()
                    .get("x-fnhost-message-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let text = response.text().await.unwrap_or_default();
                println!("{} {}", status.as_u16(), text.trim());
                if let Some(id) = id {
                    println!("message {id}");
                }
                if status.is_success() {
                    0
                } else {
                    1
                }
            }
        }
    })
}

fn read_stdin() -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    std::io::stdin()
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(out)
}

/// `fnhost messages`.
pub fn messages(args: MessagesArgs) -> i32 {
    let target = args.target;
    tokio_runtime().block_on(async move {
        let result = match &args.command {
            MessagesCommand::List { limit } => match &target.server {
                Some(_) => api(&target, "GET", &format!("/api/v1/messages?limit={limit}")).await,
                None => with_store(&target, |store| async move {
                    let list = store.messages(*limit, None).await?;
                    Ok(Value::Array(
                        list.iter()
                            .map(|m| serde_json::json!({"id": m.id, "inbox": m.inbox, "received_at": m.received_at, "bytes": m.body.len()}))
                            .collect(),
                    ))
                })
                .await,
            },
            MessagesCommand::Show { id } => match &target.server {
                Some(_) => api(&target, "GET", &format!("/api/v1/messages/{id}")).await,
                None => with_store(&target, |store| async move {
                    match store.message(id).await? {
                        Some(m) => {
                            let runs = store.runs(1000, Some(id), None, None).await?;
                            Ok(server::message_json(&m, &runs))
                        }
                        None => Err(format!("no message {id}")),
                    }
                })
                .await,
            },
        };
        print_result(result, matches!(args.command, MessagesCommand::List { .. }))
    })
}

/// `fnhost runs`.
pub fn runs(args: RunsArgs) -> i32 {
    let target = args.target;
    tokio_runtime().block_on(async move {
        let list = matches!(args.command, RunsCommand::List { .. });
        let result = match &args.command {
            RunsCommand::List {
                limit,
                status,
                message,
            } => match &target.server {
                Some(_) => {
                    let mut path = format!("/api/v1/runs?limit={limit}");
                    if let Some(s) = status {
                        path.push_str(&format!("&status={s}"));
                    }
                    if let Some(m) = message {
                        path.push_str(&format!("&message={m}"));
                    }
                    api(&target, "GET", &path).await
                }
                None => {
                    with_store(&target, |store| async move {
                        let runs = store
                            .runs(*limit, message.as_deref(), status.as_deref(), None)
                            .await?;
                        Ok(Value::Array(runs.iter().map(server::run_summary).collect()))
                    })
                    .await
                }
            },
            RunsCommand::Show { id } => match &target.server {
                Some(_) => api(&target, "GET", &format!("/api/v1/runs/{id}")).await,
                None => {
                    with_store(&target, |store| async move {
                        server::run_json(&store, id)
                            .await?
                            .ok_or_else(|| format!("no run {id}"))
                    })
                    .await
                }
            },
            RunsCommand::Retry { id } => match &target.server {
                Some(_) => api(&target, "POST", &format!("/api/v1/runs/{id}/retry")).await,
                None => {
                    with_store(&target, |store| async move {
                        match server::retry(&store, id).await? {
                            Some(new) => Ok(serde_json::json!({"id": new, "retry_of": id})),
                            None => Err(format!("no finished run {id}")),
                        }
                    })
                    .await
                }
            },
            RunsCommand::Cancel { id } => match &target.server {
                Some(_) => api(&target, "POST", &format!("/api/v1/runs/{id}/cancel")).await,
                None => {
                    with_store(&target, |store| async move {
                        if store.request_cancel(id).await? {
                            Ok(serde_json::json!({"id": id, "cancel": "requested"}))
                        } else {
                            Err(format!("run {id} is not queued or running"))
                        }
                    })
                    .await
                }
            },
        };
        print_result(result, list)
    })
}

async fn with_store<F, Fut>(target: &Target, f: F) -> Result<Value, String>
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = Result<Value, String>>,
{
    let store = Store::open(&target.database)
        .await
        .map_err(|e| format!("cannot open {}: {e}", redact_url(&target.database)))?;
    f(store).await
}

async fn api(target: &Target, method: &str, path: &str) -> Result<Value, String> {
    let base = target
        .server
        .as_deref()
        .unwrap_or_default()
        .trim_end_matches('/');
    let url = format!("{base}{path}");
    let client = reqwest::Client::new();
    let mut request = match method {
        "POST" => client.post(&url),
        _ => client.get(&url),
    };
    if let Some(token) = &target.api_token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{url}: the answer is not JSON ({e}): {text}"))?;
    if status.is_success() {
        Ok(value)
    } else {
        Err(value
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{url}: {status}")))
    }
}

fn print_result(result: Result<Value, String>, list: bool) -> i32 {
    match result {
        Ok(Value::Array(rows)) if list => {
            for row in rows {
                let field = |k: &str| match row.get(k) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => "-".into(),
                    Some(v) => v.to_string(),
                };
                if row.get("job").is_some() {
                    println!(
                        "{}  {:<10} {:<24} {:<8} {}",
                        field("id"),
                        field("status"),
                        field("job"),
                        field("trigger"),
                        field("reason")
                    );
                } else {
                    println!(
                        "{}  {:<16} {:>9} bytes",
                        field("id"),
                        field("inbox"),
                        field("bytes")
                    );
                }
            }
            0
        }
        Ok(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            0
        }
        Err(e) => {
            eprintln!("fnhost: {e}");
            1
        }
    }
}
