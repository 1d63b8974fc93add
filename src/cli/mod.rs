//! Command-line interface: argument parsing and printing only. Everything a library user
//! would need lives in [`crate::runtime`], [`crate::workflow`] and [`crate::compile`].

mod log;
mod repo;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::compile::{compile_job, AdaptorInfo, CompileOptions};
use crate::runtime::{self, RunOptions, RunOutcome};
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
    #[arg(short = 'S', long = "state-stdin", value_name = "JSON")]
    state_json: Option<String>,
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
    /// Per-step time limit in milliseconds.
    #[arg(short = 't', long, default_value_t = 300_000, value_name = "MS")]
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
    /// npm registry URL for autoinstall (default: `$FNHOST_REGISTRY`, `.npmrc`, or npm's).
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
}

#[derive(Args, Debug)]
struct CompileArgs {
    /// Job source file.
    path: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
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

const SUBCOMMANDS: &[&str] = &["execute", "run", "compile", "repo", "help"];

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
        Command::Execute(args) => execute(*args),
        Command::Compile(args) => compile(args),
        Command::Repo(args) => repo::run(args),
    }
}

fn repo_dir(common: &CommonArgs) -> PathBuf {
    common
        .repo_dir
        .clone()
        .unwrap_or_else(crate::repo::default_repo_dir)
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

fn execute(args: ExecuteArgs) -> i32 {
    let started = Instant::now();
    let logs = match LogConfig::parse(&args.log, args.log_json) {
        Ok(l) => Rc::new(l),
        Err(e) => {
            eprintln!("fnhost: {e}");
            return 2;
        }
    };
    let cli_log = |level: &str, msg: &str| logs.emit(level, "CLI", msg);
    match execute_inner(&args, &logs) {
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
        Err(message) => {
            cli_log("error", &message);
            1
        }
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
    /// A step did not compile; nothing ran (exit 1).
    CompileFailed,
}

fn execute_inner(args: &ExecuteArgs, logs: &Rc<LogConfig>) -> Result<ExitStatus, String> {
    let sources = AdaptorSource {
        repo_dir: repo_dir(&args.common),
        defaults: args.common.adaptors.clone(),
        expand: !args.common.no_expand_adaptors,
    };
    let range = StepRange {
        start: args.start.clone(),
        end: args.end.clone(),
        only: args.only.clone(),
    };
    if !args.no_autoinstall {
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
    let mut input = read_input_state(args)?;
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&input) {
        // OpenFn's CLI warns and continues with the default state.
        let from = args
            .state_path
            .as_ref()
            .map(|p| format!(" from {}", p.display()))
            .unwrap_or_default();
        logs.emit("warn", "CLI", &format!("Error loading state{from}"));
        logs.emit("warn", "CLI", &format!("SyntaxError: {e}"));
        input = r#"{"data":{},"configuration":{}}"#.into();
    } else if let Some(path) = args.state_path.as_ref().filter(|p| p.as_os_str() != "-") {
        logs.emit(
            "success",
            "CLI",
            &format!("Loaded state from {}", path.display()),
        );
    }
    let log_sink = logs.clone();
    let options = RunOptions {
        timeout_ms: args.timeout,
        base_dir: sources.repo_dir.clone(),
        use_snapshot: !args.no_snapshot,
        env: allowed_env(&args.env)?,
        log: Rc::new(move |level, name, message| log_sink.emit(level, name, message)),
    };
    match runtime::run_plan(&plan, &input, &options)? {
        RunOutcome::Completed { state_json } => {
            let text = state_json.unwrap_or_default();
            if args.output_stdout {
                println!("{text}");
            } else {
                let out = args
                    .output_path
                    .clone()
                    .unwrap_or_else(|| base_dir(&args.path).join("output.json"));
                std::fs::write(&out, &text)
                    .map_err(|e| format!("Cannot write {}: {e}", out.display()))?;
                logs.emit(
                    "success",
                    "CLI",
                    &format!("State written to {}", out.display()),
                );
            }
            // as OpenFn's CLI: a summary warning when steps recorded errors
            let failed = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|s| s.get("errors").and_then(|e| e.as_object()).map(|e| e.len()))
                .unwrap_or(0);
            if failed > 0 {
                logs.emit("warn", "CLI", &format!("Errors reported in {failed} jobs"));
                return Ok(ExitStatus::CompletedWithErrors);
            }
            Ok(ExitStatus::Completed)
        }
        RunOutcome::Crashed(crash) if crash.name == "CompileError" => {
            // as OpenFn's CLI: compile errors stop the command before anything runs
            logs.emit("error", "CLI", "Failed to compile job");
            logs.emit("error", "CLI", &crash.message);
            logs.emit("error", "CLI", "Critical error: aborting command");
            Ok(ExitStatus::CompileFailed)
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
            }
            Ok(ExitStatus::Crashed)
        }
    }
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
    let run = || -> Result<String, String> {
        let source = std::fs::read_to_string(&args.path)
            .map_err(|e| format!("Cannot read job {}: {e}", args.path.display()))?;
        let adaptors = workflow::resolve_adaptors(
            &args.common.adaptors,
            &repo_dir(&args.common),
            !args.common.no_expand_adaptors,
        )?;
        let mut infos = Vec::new();
        for adaptor in adaptors.as_array().cloned().unwrap_or_default() {
            let url = adaptor["url"].as_str().unwrap_or_default().to_string();
            let options = RunOptions {
                timeout_ms: 60_000,
                base_dir: base_dir(&args.path),
                use_snapshot: true,
                env: Default::default(),
                log: Rc::new(|level, name, message| {
                    LogConfig::parse(&[], false)
                        .unwrap()
                        .emit(level, name, message)
                }),
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
            println!("{code}");
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}
