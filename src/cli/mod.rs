//! Command-line interface: argument parsing and printing only. Everything a library user
//! would need lives in [`crate::runtime`], [`crate::workflow`] and [`crate::compile`].

mod admin;
mod bench;
mod docs;
mod log;
mod repo;
mod serve;
mod watch;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::compile::{compile_job, AdaptorInfo, CompileOptions};
use crate::runtime::{self, RunOptions, RunOutcome};
use crate::workflow::cache::StepCache;
use crate::workflow::{self, AdaptorSource, StepRange};
use log::LogConfig;

/// Runs OpenFn jobs and workflows on an embedded V8 engine.
#[derive(Parser, Debug)]
#[command(name = "fnhost", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile and run a job (.js) or a workflow (.json) against a state.
    #[command(alias = "run")]
    Execute(Box<ExecuteArgs>),
    /// Print the ES module OpenFn's compiler makes of a job.
    Compile(CompileArgs),
    /// Install, list and remove adaptors (from the npm registry, no Node needed).
    Repo(repo::RepoArgs),
    /// Run one job many times through the embedding API's worker pool and print throughput
    /// (used by benches/compare).
    #[command(name = "bench-pool")]
    BenchPool(bench::BenchArgs),
    /// Print an adaptor's operations, or one function's documentation (from its ast.json).
    Docs(docs::DocsArgs),
    /// Serve a project: inboxes applications post JSON to, message filters, cron and flow
    /// triggers, durable runs (`fnhost serve --example DIR` writes one to start from).
    Serve(serve::ServeArgs),
    /// Post a message to an inbox as an application would.
    Inbox(serve::InboxArgs),
    /// List and show the messages a server stored.
    Messages(serve::MessagesArgs),
    /// List, show, retry and cancel runs.
    Runs(serve::RunsArgs),
    /// Nodes sharing a store, their leases and the queue.
    Cluster(serve::ClusterArgs),
    /// Add users of the history (viewer, editor, admin) and make their API tokens.
    Users(admin::UsersArgs),
    /// The encrypted credential store: set, list, rotate-key, generate-key.
    Credentials(admin::CredentialsArgs),
}

#[derive(Args, Debug)]
struct CommonArgs {
    /// Adaptor: `common`, `http@7.2.10`, `@openfn/language-http@7.2.10`, or `NAME=PATH`.
    /// With a workflow, the adaptor of every step that names none. Repeatable.
    #[arg(
        short = 'a',
        long = "adaptor",
        alias = "adaptors",
        value_name = "ADAPTOR"
    )]
    adaptors: Vec<String>,
    /// Take adaptor names as written (`-a esm-adaptor=PATH` stays `esm-adaptor`) instead of
    /// expanding `common` to `@openfn/language-common`.
    #[arg(long)]
    no_expand_adaptors: bool,
    /// Directory holding installed adaptors.
    #[arg(long, env = "FNHOST_REPO_DIR", value_name = "DIR")]
    repo_dir: Option<PathBuf>,
    /// Run `NAME=DIR` adaptors from their source (`src/index.ts` or `src/index.js`, types
    /// stripped) even when they have a build. Without it, source is used when the build is missing.
    #[arg(long)]
    from_source: bool,
    /// Load adaptors from the adaptors monorepo named by `$OPENFN_ADAPTORS_REPO` (as OpenFn's
    /// `-m`): `-a common` runs `<repo>/packages/common` from source.
    #[arg(short = 'm', long = "use-adaptors-monorepo")]
    use_monorepo: bool,
    /// Load adaptors from the adaptors monorepo at DIR (default `$OPENFN_ADAPTORS_REPO`).
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "")]
    monorepo: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ExecuteArgs {
    /// Job source file (.js) or workflow file (.json).
    path: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
    /// Read the input state from this JSON file (`-` for standard input).
    #[arg(short = 's', long = "state-path", value_name = "FILE")]
    state_path: Option<PathBuf>,
    /// Input state as a JSON string.
    #[arg(
        short = 'S',
        long = "state-stdin",
        value_name = "JSON",
        conflicts_with = "state_path"
    )]
    state_json: Option<String>,
    /// When the input state is not valid JSON, warn and run with the default state (what
    /// OpenFn's CLI does) instead of stopping with the error's position.
    #[arg(long)]
    lenient_state: bool,
    /// JSON file whose object becomes the job's `state.configuration` (for a workflow: a map
    /// of credential ids used by steps whose `configuration` is a string).
    #[arg(long, value_name = "FILE")]
    credentials: Option<PathBuf>,
    /// Write the final state here (default: output.json next to the job).
    #[arg(short = 'o', long = "output-path", value_name = "FILE")]
    output_path: Option<PathBuf>,
    /// Print the final state to standard output instead of writing a file.
    #[arg(short = 'O', long = "output-stdout")]
    output_stdout: bool,
    /// Per-step time limit in milliseconds (at least 1; a workflow's `options.timeout` may
    /// only lower it).
    #[arg(short = 't', long, default_value_t = 300_000, value_name = "MS",
          value_parser = parse_timeout)]
    timeout: u64,
    /// Log level: none, default, info, debug; or per logger, e.g. `job=debug,cli=none`.
    #[arg(long, value_name = "LEVEL")]
    log: Vec<String>,
    /// Print logs as one JSON object per line.
    #[arg(long)]
    log_json: bool,
    /// Start the workflow at this step.
    #[arg(long, value_name = "STEP")]
    start: Option<String>,
    /// Stop the workflow after this step.
    #[arg(long, value_name = "STEP")]
    end: Option<String>,
    /// Run only this step.
    #[arg(long, value_name = "STEP", conflicts_with_all = ["start", "end"])]
    only: Option<String>,
    /// Run the source as an ES module as it is, without OpenFn's compiler (like OpenFn's
    /// `--no-compile`).
    #[arg(long)]
    no_compile: bool,
    /// Run job code in the adaptors' realm: every global, `eval` allowed. Only for trusted
    /// code (e.g. an adaptor's own test jobs); OpenFn's sandbox is the default.
    #[arg(long)]
    no_sandbox: bool,
    /// Make a host environment variable visible to adaptors as `process.env.NAME`
    /// (`NAME` copies the host's value, `NAME=VALUE` sets one). Repeatable; none by default.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    env: Vec<String>,
    /// Let adaptors connect only to these hosts (comma-separated `HOST[:PORT]`, as Deno's
    /// `--allow-net`); default: every host, as in OpenFn. Applies to Node's http, https, net, tls.
    #[arg(long, value_name = "HOST[:PORT],...")]
    allow_net: Option<String>,
    /// Never let adaptors connect to these hosts (comma-separated `HOST[:PORT]`); wins over
    /// --allow-net.
    #[arg(long, value_name = "HOST[:PORT],...")]
    deny_net: Option<String>,
    /// Let adaptors read these files or directories through `node:fs` (comma-separated paths);
    /// by default they read only their own packages. Nothing is ever writable.
    #[arg(long, value_name = "PATH,...")]
    allow_read: Option<String>,
    /// Run the real npm package NAME (installed with the adaptor) instead of fnhost's bridge for
    /// it, e.g. `--no-bridge undici`: to compare, or as an escape hatch. Repeatable.
    #[arg(long = "no-bridge", value_name = "NAME")]
    no_bridge: Vec<String>,
    /// Time zone of the engine's dates (default: `$TZ`, else UTC).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Give the job the input state exactly as read: no `data`/`configuration` assembled
    /// into it (OpenFn's runtime adds them).
    #[arg(long)]
    raw_state: bool,
    /// Evaluate the engine's JavaScript at start-up instead of loading the snapshot
    /// (for measuring the snapshot's effect).
    #[arg(long, hide = true)]
    no_snapshot: bool,
    /// Do not install missing adaptors.
    #[arg(long)]
    no_autoinstall: bool,
    /// Print what each step cost after the run: wall and CPU time, V8 heap, state sizes.
    #[arg(long)]
    stats: bool,
    /// V8 heap limit of the run in MB: past it the run ends with OOMError (exit 1) instead of
    /// V8 aborting the process (default: V8's own limit).
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(16..))]
    heap_limit: Option<u64>,
    /// Load the adaptor as usual instead of from its cached per-adaptor snapshot (built on first
    /// use of an installed adaptor version; also `FNHOST_ADAPTOR_SNAPSHOTS=0`).
    #[arg(long)]
    no_adaptor_snapshot: bool,
    /// npm registry URL for autoinstall (default: `$FNHOST_REGISTRY`, `.npmrc`, or npm's).
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
    /// Write each step's output to `.cli-cache/<workflow>/<step>.json` (as OpenFn's CLI; default
    /// from `$OPENFN_ALWAYS_CACHE_STEPS`). `--start STEP` without a state reads the cache.
    #[arg(long, overrides_with = "no_cache_steps")]
    cache_steps: bool,
    /// Do not cache steps, whatever `$OPENFN_ALWAYS_CACHE_STEPS` says.
    #[arg(long, overrides_with = "cache_steps")]
    no_cache_steps: bool,
    /// Re-run whenever the job, the state, the workflow or a from-source adaptor changes;
    /// Ctrl-C stops.
    #[arg(short = 'w', long)]
    watch: bool,
}

#[derive(Args, Debug)]
struct CompileArgs {
    /// Job source file.
    path: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

/// `-t MS`: a positive number of milliseconds (0 would silently turn the limit off).
fn parse_timeout(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("0 would turn the time limit off; give at least 1 (milliseconds)".into()),
        Ok(ms) => Ok(ms),
        Err(_) => Err(format!("'{text}' is not a number of milliseconds")),
    }
}

/// The `--tz ZONE` / `--tz=ZONE` argument, read before V8 starts (time zones are fixed when the
/// engine initialises).
pub fn tz_argument() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--tz" {
            return iter.next().cloned();
        }
        if let Some(zone) = arg.strip_prefix("--tz=") {
            return Some(zone.to_string());
        }
    }
    None
}

const SUBCOMMANDS: &[&str] = &[
    "users",
    "credentials",
    "execute",
    "run",
    "compile",
    "repo",
    "docs",
    "bench-pool",
    "serve",
    "inbox",
    "messages",
    "runs",
    "cluster",
    "help",
];

/// Runs the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let mut args: Vec<String> = std::env::args().collect();
    // `fnhost job.js …` works like OpenFn's `openfn job.js …`.
    if let Some(first) = args.get(1) {
        if !first.starts_with('-') && !SUBCOMMANDS.contains(&first.as_str()) {
            args.insert(1, "execute".into());
        }
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Execute(args) if args.watch => watch::run(&args),
        Command::Execute(args) => execute(&args).0,
        Command::Compile(args) => compile(args),
        Command::Repo(args) => repo::run(args),
        Command::BenchPool(args) => bench::run(args),
        Command::Docs(args) => docs::run(args),
        Command::Serve(args) => serve::serve(args),
        Command::Inbox(args) => serve::inbox(args),
        Command::Messages(args) => serve::messages(args),
        Command::Runs(args) => serve::runs(args),
        Command::Cluster(args) => serve::cluster(args),
        Command::Users(args) => admin::users(args),
        Command::Credentials(args) => admin::credentials(args),
    }
}

fn repo_dir(common: &CommonArgs) -> PathBuf {
    common
        .repo_dir
        .clone()
        .map(crate::repo::full_dir_path)
        .unwrap_or_else(crate::repo::default_repo_dir)
}

/// `--allow-read`'s paths, made absolute; a path that does not exist is an error before the run.
fn allowed_reads(list: Option<&str>) -> Result<Vec<PathBuf>, CliError> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let paths: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if paths.is_empty() {
        return Err(CliError::Failed(
            "--allow-read needs at least one PATH".into(),
        ));
    }
    paths
        .into_iter()
        .map(|p| {
            std::fs::canonicalize(p).map_err(|e| CliError::Failed(format!("--allow-read {p}: {e}")))
        })
        .collect()
}

/// Prints `text` and a newline on stdout. A reader that stopped reading (`fnhost … -O | head`)
/// is not an error of the run: the rest of the output is dropped, as other command-line tools
/// do, instead of the panic `println!` would raise.
fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("fnhost: cannot write to stdout: {e}");
        }
    }
}

fn base_dir(path: &Path) -> PathBuf {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf())
}

fn is_workflow(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("json")
}

/// Runs `execute` once: the exit code and the final state written (when the run completed).
fn execute(args: &ExecuteArgs) -> (i32, Option<String>) {
    let started = Instant::now();
    let logs = match LogConfig::parse(&args.log, args.log_json) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            eprintln!("fnhost: {e}");
            return (2, None);
        }
    };
    let cli_log = |level: &str, msg: &str| logs.emit(level, "CLI", msg);
    let mut final_state = None;
    let code = match execute_inner(args, &logs, &mut final_state) {
        Ok(ExitStatus::Completed) => {
            cli_log(
                "success",
                &format!("Finished in {}ms ✨", started.elapsed().as_millis()),
            );
            0
        }
        Ok(ExitStatus::CompletedWithErrors) => {
            cli_log(
                "success",
                &format!("Finished in {}ms", started.elapsed().as_millis()),
            );
            0
        }
        Ok(ExitStatus::Crashed) => {
            cli_log(
                "always",
                &format!("Workflow failed in {}ms.", started.elapsed().as_millis()),
            );
            1
        }
        Ok(ExitStatus::CompileFailed) => 1,
        Ok(ExitStatus::ProcessExit(code)) => i32::from(code),
        Err(CliError::Failed(message)) => {
            cli_log("error", &message);
            1
        }
        Err(CliError::Usage(message)) => {
            cli_log("error", &message);
            2
        }
        Err(CliError::InvalidArgument(e)) => {
            for line in &e.0 {
                cli_log("error", line);
            }
            9
        }
    };
    (code, final_state)
}

/// Why `execute` stopped before completing a run.
enum CliError {
    /// The command line asks for something impossible (exit 2).
    Usage(String),
    /// Input, installation or the engine failed (exit 1).
    Failed(String),
    /// An argument OpenFn's CLI refuses with exit 9.
    InvalidArgument(InvalidArgument),
}

impl From<InvalidArgument> for CliError {
    fn from(e: InvalidArgument) -> Self {
        CliError::InvalidArgument(e)
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        CliError::Failed(message)
    }
}

/// The final state's destination, checked before anything runs: the result is written to a
/// temporary file beside it, synced, then renamed over it, so a crash or a full disk never
/// leaves a truncated file and a run that fails keeps the previous one.
struct OutputFile {
    path: PathBuf,
    temp: PathBuf,
}

impl OutputFile {
    /// Checks `path` (and creates its folder, as OpenFn's CLI does) before the run: it must not
    /// be one of the run's input files, not a folder, and its folder must be writable.
    fn prepare(path: PathBuf, inputs: &[&Path]) -> Result<OutputFile, CliError> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(CliError::Usage(format!(
                "Output path {shown} is a directory: name a file"
            )));
        }
        let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if let Some(input) = inputs.iter().find(|i| same(&path, i)) {
            return Err(CliError::Usage(format!(
                "Output path {shown} is the run's input file {}: writing the result there would destroy it",
                input.display()
            )));
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| {
            CliError::Usage(format!(
                "Cannot create the output folder {}: {e}",
                dir.display()
            ))
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output.json".into());
        let temp = dir.join(format!(".{name}.fnhost-{}.tmp", std::process::id()));
        std::fs::File::create(&temp).map_err(|e| {
            CliError::Usage(format!(
                "Cannot write the output file {shown}: {e} (checked before running)"
            ))
        })?;
        Ok(OutputFile { path, temp })
    }

    /// Writes `text` to the temporary file, syncs it and renames it over the output path.
    fn commit(&self, text: &str) -> Result<(), String> {
        use std::io::Write;
        let fail = |e: std::io::Error| format!("Cannot write {}: {e}", self.path.display());
        let mut file = std::fs::File::create(&self.temp).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).map_err(fail)?;
        if let Some(dir) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // make the rename itself durable; not every file system can sync a folder
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        // after a commit the temporary file is gone; otherwise the previous output stays
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn read_input_state(args: &ExecuteArgs) -> Result<String, String> {
    let text = if let Some(json) = &args.state_json {
        json.clone()
    } else if let Some(path) = &args.state_path {
        if path.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("Cannot read state from stdin: {e}"))?;
            s
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| format!("Cannot read state {}: {e}", path.display()))?
        }
    } else {
        return Ok(r#"{"data":{},"configuration":{}}"#.into());
    };
    Ok(text)
}

/// How `execute` ended, for the closing log line and the exit code.
enum ExitStatus {
    /// Completed, no step recorded an error.
    Completed,
    /// Completed with `state.errors` (still exit 0, as in OpenFn).
    CompletedWithErrors,
    /// Crashed (exit 1).
    Crashed,
    /// Job or adaptor code called `process.exit(code)`: the run ended there and the command
    /// exits with that code, as OpenFn's CLI process would.
    ProcessExit(u8),
    /// A step did not compile; nothing ran (exit 1).
    CompileFailed,
}

fn execute_inner(
    args: &ExecuteArgs,
    logs: &Arc<LogConfig>,
    final_state: &mut Option<String>,
) -> Result<ExitStatus, CliError> {
    let mut phases = crate::runtime::phases::Phases::start();
    let output = if args.output_stdout {
        None
    } else {
        let path = args
            .output_path
            .clone()
            .unwrap_or_else(|| base_dir(&args.path).join("output.json"));
        let mut inputs: Vec<&Path> = vec![args.path.as_path()];
        inputs.extend(args.state_path.as_deref());
        inputs.extend(args.credentials.as_deref());
        Some(OutputFile::prepare(path, &inputs)?)
    };
    let sources = adaptor_source(&args.common)?;
    let range = StepRange {
        start: args.start.clone(),
        end: args.end.clone(),
        only: args.only.clone(),
    };
    if sources.monorepo.is_some() {
        // as OpenFn's CLI: versions mean nothing in the monorepo
        for spec in sources.defaults.iter().filter(|s| !s.contains('=')) {
            if crate::repo::AdaptorSpec::parse(spec).is_ok_and(|s| s.version.is_some()) {
                logs.emit(
                    "warn",
                    "CLI",
                    &format!("Warning: Ignoring version specifier on {spec} as loading from the adaptors monorepo"),
                );
            }
        }
        logs.emit(
            "warn",
            "CLI",
            "Skipping auto-install as monorepo is being used",
        );
    } else if !args.no_autoinstall {
        let log = |level: &str, message: &str| logs.emit(level, "CLI", message);
        repo::autoinstall(
            &args.path,
            &args.common.adaptors,
            &sources.repo_dir,
            args.registry.as_deref(),
            &log,
        )?;
    }
    let mut plan = if is_workflow(&args.path) {
        workflow::load_workflow(&args.path, &sources, &range)?
    } else {
        let source = std::fs::read_to_string(&args.path)
            .map_err(|e| format!("Cannot read job {}: {e}", args.path.display()))?;
        workflow::plan_for_job(&source, &sources)?
    };
    if let Some(path) = &args.credentials {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("Cannot read credentials {}: {e}", path.display()))?;
        let creds: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("Invalid credentials JSON: {e}"))?;
        apply_credentials(&mut plan, &creds, !is_workflow(&args.path));
    }
    if args.no_compile || args.no_sandbox || args.raw_state {
        plan["fnhost"]["noCompile"] = serde_json::Value::Bool(args.no_compile);
        plan["fnhost"]["noSandbox"] = serde_json::Value::Bool(args.no_sandbox);
        plan["fnhost"]["rawState"] = serde_json::Value::Bool(args.raw_state);
    }
    logs.emit("always", "CLI", &versions_message(&plan));
    if !is_workflow(&args.path) && args.common.adaptors.is_empty() {
        logs.emit("warn", "CLI", "WARNING: No adaptor provided!");
        logs.emit(
            "warn",
            "CLI",
            &format!(
                "This job will probably fail. Pass an adaptor with the -a flag, eg:\n\n          fnhost {} -a common\n",
                args.path.display()
            ),
        );
    }
    let cache = cache_steps(args).then(|| {
        let base = if is_workflow(&args.path) {
            base_dir(&args.path)
        } else {
            PathBuf::from(".")
        };
        Arc::new(StepCache::new(
            &base,
            &workflow::cache::workflow_name(&args.path, &plan),
        ))
    });
    if let Some(cache) = &cache {
        match cache.clear() {
            Ok(true) => logs.emit(
                "info",
                "CLI",
                &format!("Cleared cache at {}", cache.dir().display()),
            ),
            Ok(false) => {}
            Err(e) => logs.emit(
                "error",
                "CLI",
                &format!(
                    "Error while clearing cache at {}: {e}",
                    cache.dir().display()
                ),
            ),
        }
    }
    let mut input = match cached_input(args, &plan, logs) {
        Some(text) => text,
        None => read_input_state(args)?,
    };
    let from = match (&args.state_path, &args.state_json) {
        (Some(p), _) if p.as_os_str() == "-" => " from standard input".to_string(),
        (Some(p), _) => format!(" from {}", p.display()),
        (None, Some(_)) => " from -S".to_string(),
        (None, None) => String::new(),
    };
    // The engine parses the state with JavaScript's JSON.parse (any depth, 1e400, lone
    // surrogates); this checks the syntax first so that bad input is never silently replaced.
    if let Err(e) = crate::input::check_json(&input) {
        if !args.lenient_state {
            return Err(CliError::Failed(format!(
                "Error loading state{from}: SyntaxError: {e} (pass --lenient-state to run with the default state instead, as OpenFn's CLI does)"
            )));
        }
        // OpenFn's CLI warns and continues with the default state.
        logs.emit("warn", "CLI", &format!("Error loading state{from}"));
        logs.emit("warn", "CLI", &format!("SyntaxError: {e}"));
        logs.emit(
            "warn",
            "CLI",
            "Running with the default state instead (--lenient-state)",
        );
        input = r#"{"data":{},"configuration":{}}"#.into();
    } else if !input.trim_start().starts_with(['{', '[']) {
        let kind = match input.trim_start().as_bytes().first() {
            Some(b'"') => "a string",
            Some(b'n') => "null",
            Some(b't' | b'f') => "a boolean",
            _ => "a number",
        };
        return Err(CliError::Failed(format!(
            "Error loading state{from}: the state is {kind}; a state must be a JSON object such as {{\"data\": {{}}}}"
        )));
    } else if let Some(path) = args.state_path.as_ref().filter(|p| p.as_os_str() != "-") {
        logs.emit(
            "success",
            "CLI",
            &format!("Loaded state from {}", path.display()),
        );
    }
    // The run goes through the embedding API, as every embedder's does: one worker, the
    // command line's limits (only the time limit unless --heap-limit), its log printer as
    // the engine's log sink, the step cache as the step-output hook.
    phases.mark("command line: adaptors checked, plan prepared, state read");
    let mut engine = crate::Engine::builder()
        .workers(1)
        .repo_dir(sources.repo_dir.clone())
        .startup_snapshot(!args.no_snapshot)
        .adaptor_snapshots(!args.no_adaptor_snapshot && adaptor_snapshots_enabled());
    for (name, value) in allowed_env(&args.env)? {
        engine = engine.env(name, value);
    }
    let net = crate::runtime::permissions::NetRules::from_lists(
        args.allow_net.as_deref(),
        args.deny_net.as_deref(),
    )
    .map_err(CliError::Failed)?;
    let mut engine = engine.net_rules(net);
    for path in allowed_reads(args.allow_read.as_deref())? {
        engine = engine.allow_read(path);
    }
    let bridged = crate::runtime::loader::bridged_packages();
    for name in &args.no_bridge {
        if !bridged.contains(&name.as_str()) {
            return Err(CliError::Usage(format!(
                "--no-bridge {name}: fnhost has no bridge for {name} (bridges: {})",
                bridged.join(", ")
            )));
        }
        engine = engine.no_bridge(name.clone());
    }
    let log_sink = logs.clone();
    let engine = engine
        .log_sink(move |line| log_sink.emit(&line.level, &line.name, &line.message))
        .build();
    phases.mark("engine started (one worker thread)");
    let mut limits = crate::Limits::timeout_only(std::time::Duration::from_millis(args.timeout));
    if let Some(mb) = args.heap_limit {
        limits.heap_bytes = (mb as usize) * 1024 * 1024;
    }
    let mut request = crate::RunRequest::prepared(plan)
        .state(input)
        .limits(limits)
        .keep_logs(false);
    if let Some(cache) = cache.clone() {
        let logs = logs.clone();
        request = request.on_step_output(move |step: &str, json: Option<&str>| {
            let Some(json) = json else { return };
            match cache.save(step, json) {
                Ok(file) => logs.emit(
                    "info",
                    "CLI",
                    &format!("Writing {step} output to {}", file.display()),
                ),
                Err(e) => logs.emit("error", "CLI", &format!("Cannot cache {step}: {e}")),
            }
        });
    }
    let outcome = engine.run_blocking(request).map_err(|e| match e {
        crate::Error::Engine(message) => CliError::Failed(message),
        other => CliError::Failed(other.to_string()),
    })?;
    drop(engine);
    phases.mark("the run, on the worker");
    if args.stats {
        logs.emit("always", "CLI", &stats_table(&outcome.stats));
    }
    let failed = outcome.errors.len();
    let outcome = match outcome.crash {
        Some(crash) => RunOutcome::Crashed(crash),
        None => RunOutcome::Completed {
            state_json: outcome.final_state,
            errors_json: None,
        },
    };
    match outcome {
        RunOutcome::Completed { state_json, .. } => {
            if let Some(cache) = &cache {
                logs.emit(
                    "success",
                    "CLI",
                    &format!(
                        "Cached output written to {} (see info logs for details)",
                        cache.dir().display()
                    ),
                );
            }
            // OpenFn writes an empty file when the last operation returned nothing; fnhost
            // writes `null` (still JSON) and says so.
            let text = state_json.unwrap_or_else(|| {
                logs.emit(
                    "warn",
                    "CLI",
                    "The final state is empty: the last operation returned nothing (did it return state?). Writing null",
                );
                "null".into()
            });
            let written = match &output {
                None => {
                    print_stdout(&text);
                    Ok(())
                }
                Some(out) => out.commit(&text).map(|()| {
                    phases.mark("final state written");
                    logs.emit(
                        "success",
                        "CLI",
                        &format!("State written to {}", out.path.display()),
                    );
                }),
            };
            // kept for the caller, moved rather than copied: a big state is held once
            *final_state = Some(text);
            written?;
            // as OpenFn's CLI: a summary warning when steps recorded errors
            if failed > 0 {
                logs.emit("warn", "CLI", &format!("Errors reported in {failed} jobs"));
                return Ok(ExitStatus::CompletedWithErrors);
            }
            Ok(ExitStatus::Completed)
        }
        RunOutcome::Crashed(crash) if crash.name == "TimeZoneError" => {
            Err(CliError::Usage(format!(
                "Unknown time zone '{}' (from --tz or TZ): use an IANA name such as UTC or Europe/Paris",
                std::env::var("TZ").unwrap_or_default()
            )))
        }
        RunOutcome::Crashed(crash) if crash.name == "CompileError" => {
            // as OpenFn's CLI: compile errors stop the command before anything runs
            logs.emit("error", "CLI", "Failed to compile job");
            logs.emit("error", "CLI", &crash.message);
            logs.emit("error", "CLI", "Critical error: aborting command");
            Ok(ExitStatus::CompileFailed)
        }
        RunOutcome::Crashed(crash) if crash.name == "ProcessExit" => {
            let code = crash.details["exitCode"].as_u64().unwrap_or(1);
            Ok(ExitStatus::ProcessExit(u8::try_from(code).unwrap_or(1)))
        }
        RunOutcome::Crashed(crash) => {
            // The runtime has already reported the error (as OpenFn's does). A synchronous
            // runaway stopped by the watchdog never got to, so say what OpenFn's timer says.
            if crash.details.get("watchdog").and_then(|v| v.as_bool()) == Some(true) {
                // the window that expired: a workflow's options.timeout may be lower than -t
                let limit = crash.details["limit"].as_u64().unwrap_or(args.timeout);
                logs.emit(
                    "error",
                    "R/T",
                    &format!("Error: Timeout expired ({limit}ms)"),
                );
            } else if crash.name == "OOMError" {
                // stopped by the heap limit from outside the JavaScript: say why here
                logs.emit("error", "R/T", "CRITICAL ERROR! Aborting execution");
                logs.emit("error", "R/T", &format!("OOMError: {}", crash.message));
            }
            Ok(ExitStatus::Crashed)
        }
    }
}

/// Per-adaptor snapshots are on unless `FNHOST_ADAPTOR_SNAPSHOTS=0`.
pub(crate) fn adaptor_snapshots_enabled() -> bool {
    std::env::var("FNHOST_ADAPTOR_SNAPSHOTS").map_or(true, |v| v != "0")
}

/// The `--stats` table: one row per step and a total, so the slow or fat step stands out.
fn stats_table(stats: &runtime::RunStats) -> String {
    let mb = |bytes: usize| format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0));
    let kb = |bytes: usize| format!("{:.1} KB", bytes as f64 / 1024.0);
    let mut rows = vec![[
        "step".to_string(),
        "wall".into(),
        "cpu".into(),
        "heap peak".into(),
        "heap after".into(),
        "result".into(),
    ]];
    for step in &stats.steps {
        rows.push([
            step.id.clone(),
            format!("{:.1} ms", step.wall_ms),
            format!("{:.1} ms", step.cpu_ms),
            mb(step.peak_heap_bytes),
            mb(step.heap_used_bytes),
            if step.ok { "ok" } else { "failed" }.into(),
        ]);
    }
    rows.push([
        "total".into(),
        format!("{:.1} ms", stats.wall_ms),
        format!("{:.1} ms", stats.cpu_ms),
        mb(stats.peak_heap_bytes),
        String::new(),
        format!(
            "state {} in, {} out",
            kb(stats.state_in_bytes),
            kb(stats.state_out_bytes)
        ),
    ]);
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::from("Run statistics:");
    for row in rows {
        text.push_str("\n  ");
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
    }
    text
}

/// OpenFn's "Versions:" banner: fnhost's version and each adaptor a step uses, aligned.
fn versions_message(plan: &serde_json::Value) -> String {
    let mut entries = vec![("fnhost".to_string(), env!("CARGO_PKG_VERSION").to_string())];
    for step in plan
        .pointer("/workflow/steps")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
    {
        for adaptor in step
            .get("adaptors")
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
        {
            let name = adaptor["name"].as_str().unwrap_or_default().to_string();
            let version = adaptor["version"].as_str().unwrap_or("unknown").to_string();
            if !entries.iter().any(|(n, _)| *n == name) {
                entries.push((name, version));
            }
        }
    }
    let width = entries
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        + 4;
    let mut text = String::from("Versions:");
    for (name, version) in entries {
        text.push_str(&format!("\n         ▸ {name:<width$}{version}"));
    }
    text
}

/// The `process.env` allow-list from `--env` values.
fn allowed_env(values: &[String]) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut env = std::collections::BTreeMap::new();
    for value in values {
        let (name, val) = match value.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => match std::env::var(value) {
                Ok(v) => (value.clone(), v),
                Err(_) => continue,
            },
        };
        if name.is_empty() {
            return Err(format!("invalid --env value '{value}'"));
        }
        env.insert(name, val);
    }
    Ok(env)
}

fn apply_credentials(plan: &mut serde_json::Value, creds: &serde_json::Value, lone_job: bool) {
    let Some(steps) = plan
        .pointer_mut("/workflow/steps")
        .and_then(|s| s.as_array_mut())
    else {
        return;
    };
    for step in steps {
        match step.get("configuration") {
            Some(serde_json::Value::String(id)) => {
                let value = creds.get(id).cloned().unwrap_or_default();
                step["configuration"] = value;
            }
            None if lone_job => step["configuration"] = creds.clone(),
            _ => {}
        }
    }
}

fn compile(args: CompileArgs) -> i32 {
    let sources = match adaptor_source(&args.common) {
        Ok(sources) => sources,
        Err(e) => return e.report(),
    };
    let run = || -> Result<String, String> {
        let source = std::fs::read_to_string(&args.path)
            .map_err(|e| format!("Cannot read job {}: {e}", args.path.display()))?;
        let adaptors = workflow::resolve_adaptors_from(&args.common.adaptors, &sources)?;
        let mut infos = Vec::new();
        for adaptor in adaptors.as_array().cloned().unwrap_or_default() {
            if let Some(names) = adaptor.get("declaredExports").and_then(|d| d.as_array()) {
                // the package's type declarations, as OpenFn's compiler reads them
                infos.push(AdaptorInfo {
                    specifier: adaptor["name"].as_str().unwrap_or_default().to_string(),
                    exports: names
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect(),
                });
                continue;
            }
            let url = adaptor["url"].as_str().unwrap_or_default().to_string();
            let options = RunOptions {
                timeout_ms: 60_000,
                base_dir: base_dir(&args.path),
                use_snapshot: true,
                env: Default::default(),
                step_output: None,
                log: Rc::new(|level, name, message| {
                    LogConfig::parse(&[], false)
                        .unwrap()
                        .emit(level, name, message)
                }),
                ..RunOptions::default()
            };
            let exports = runtime::module_export_names(&url, &options)?;
            infos.push(AdaptorInfo {
                specifier: adaptor["name"].as_str().unwrap_or_default().to_string(),
                exports,
            });
        }
        let options = CompileOptions {
            adaptors: infos,
            ..CompileOptions::default()
        };
        let compiled = compile_job(&source, &options).map_err(|e| e.to_string())?;
        Ok(compiled.code)
    };
    match run() {
        Ok(code) => {
            print_stdout(&code);
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Where adaptors come from: `-a`, the repo, `--from-source`, the monorepo (`-m`,
/// `--monorepo`), checked as OpenFn's CLI checks it (a `package.json` named `adaptors`).
fn adaptor_source(common: &CommonArgs) -> Result<AdaptorSource, InvalidArgument> {
    let monorepo = monorepo_dir(&common.monorepo, common.use_monorepo)?;
    Ok(AdaptorSource {
        repo_dir: repo_dir(common),
        defaults: common.adaptors.clone(),
        expand: !common.no_expand_adaptors,
        from_source: common.from_source,
        monorepo,
    })
}

/// The adaptors monorepo of `--monorepo [DIR]` / `-m` (`$OPENFN_ADAPTORS_REPO`), checked as
/// OpenFn's CLI checks it: its `package.json` is named `adaptors`.
/// An argument OpenFn's CLI refuses before any command runs, with exit code 9 ("invalid
/// argument"): its lines, printed as errors.
pub(crate) struct InvalidArgument(pub Vec<String>);

impl InvalidArgument {
    /// Prints the lines as OpenFn's CLI logger does and gives the exit code (9).
    pub(crate) fn report(&self) -> i32 {
        for line in &self.0 {
            eprintln!("[CLI] ✘ {line}");
        }
        9
    }
}

fn monorepo_dir(dir: &Option<PathBuf>, use_env: bool) -> Result<Option<PathBuf>, InvalidArgument> {
    let monorepo = match (dir, use_env) {
        (Some(dir), _) if !dir.as_os_str().is_empty() => Some(dir.clone()),
        (Some(_), _) | (None, true) => match std::env::var_os("OPENFN_ADAPTORS_REPO") {
            Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
            _ => {
                // OpenFn's words (its flag is -m/--use-adaptors-monorepo too)
                return Err(InvalidArgument(vec![
                    "ERROR: --use-adaptors-monorepo was passed, but OPENFN_ADAPTORS_REPO env var is undefined".into(),
                    "Set OPENFN_ADAPTORS_REPO to a path pointing to the repo".into(),
                ]));
            }
        },
        (None, false) => None,
    };
    if let Some(dir) = &monorepo {
        let name = std::fs::read_to_string(dir.join("package.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|m| m.get("name")?.as_str().map(str::to_string));
        if name.as_deref() != Some("adaptors") {
            return Err(InvalidArgument(vec![format!(
                "ERROR: Adaptors Monorepo not found at {}",
                dir.display()
            )]));
        }
    }
    Ok(monorepo)
}

/// `--cache-steps`, else `$OPENFN_ALWAYS_CACHE_STEPS=true`, unless `--no-cache-steps`.
fn cache_steps(args: &ExecuteArgs) -> bool {
    if args.cache_steps || args.no_cache_steps {
        return args.cache_steps;
    }
    std::env::var("OPENFN_ALWAYS_CACHE_STEPS").as_deref() == Ok("true")
}

/// OpenFn's load-state rule for `--start STEP` (or `--only`) without a state: the cached
/// output of the step before it, if there is one. Logs as OpenFn's CLI does.
fn cached_input(args: &ExecuteArgs, plan: &serde_json::Value, logs: &LogConfig) -> Option<String> {
    if args.state_json.is_some() || args.state_path.is_some() {
        return None;
    }
    let start = args.only.as_ref().or(args.start.as_ref())?;
    logs.emit(
        "info",
        "CLI",
        "No state provided to CLI. Will attempt to load state from cache instead",
    );
    logs.emit(
        "always",
        "CLI",
        &format!("Attempting to load cached input state for starting step \"{start}\""),
    );
    let steps = plan
        .pointer("/workflow/steps")
        .and_then(|s| s.as_array())
        .cloned()
        .unwrap_or_default();
    let Some(upstream) = workflow::cache::upstream_step(&steps, start) else {
        logs.emit(
            "warn",
            "CLI",
            &format!("Could not find an input step for step \"{start}\""),
        );
        return None;
    };
    let base = if is_workflow(&args.path) {
        base_dir(&args.path)
    } else {
        PathBuf::from(".")
    };
    let cache = StepCache::new(&base, &workflow::cache::workflow_name(&args.path, plan));
    let file = cache.step_file(&upstream);
    match std::fs::read_to_string(&file)
        .ok()
        .filter(|t| serde_json::from_str::<serde_json::Value>(t).is_ok())
    {
        Some(text) => {
            logs.emit(
                "success",
                "CLI",
                &format!(
                    "Loaded cached state for step \"{start}\" from {}",
                    file.display()
                ),
            );
            logs.emit(
                "info",
                "CLI",
                "  To force disable the cache, run again with --no-cache",
            );
            Some(text)
        }
        None => {
            logs.emit(
                "warn",
                "CLI",
                &format!("No cached state found for step \"{start}\""),
            );
            logs.emit(
                "warn",
                "CLI",
                "Re-run this workflow with --cache to save the output of each step",
            );
            logs.emit("break", "CLI", "");
            None
        }
    }
}
