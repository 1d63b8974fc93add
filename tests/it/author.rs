//! The adaptor author's loop: adaptors run from source (TypeScript fixture), the adaptors
//! monorepo (`-m`), `--watch`, and `fnhost docs`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use super::support::{copy_dir, final_state, fnhost, TempDir};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A writable copy of the TypeScript fixture adaptor (no `dist/`: it runs from source).
fn ts_adaptor(tmp: &TempDir) -> PathBuf {
    let dir = tmp.0.join("ts-adaptor");
    copy_dir(&fixture("ts-adaptor"), &dir);
    dir
}

const TS_JOB: &str = "label('hello');\nfn(state => ({ ...state, data: { ...state.data, d: double(21), quiet: Mode.Quiet, high: Level.High } }));\n";

#[test]
fn a_typescript_adaptor_runs_from_source() {
    let tmp = TempDir::new("from-source");
    let adaptor = ts_adaptor(&tmp);
    let job = tmp.write("job.js", TS_JOB);
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(format!("ts-fixture={}", adaptor.display()))
        .arg("-O")
        .output()
        .unwrap();
    let state = final_state(&out);
    // `label` formats with a class (parameter property) from util.ts and the dependency
    // `ts-fixture-dep` from the adaptor's own node_modules; `Mode`/`Level` are enums.
    assert_eq!(
        state,
        serde_json::json!({"data": {"label": "HELLO!", "mode": "loud", "d": 42, "quiet": "quiet", "high": 1}})
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("@openfn/language-ts-fixture    0.3.0"),
        "{log}"
    );
}

#[test]
fn from_source_takes_the_source_over_a_build() {
    let tmp = TempDir::new("from-source-flag");
    let adaptor = ts_adaptor(&tmp);
    tmp.write(
        "ts-adaptor/dist/index.js",
        "export const fn = (f) => (s) => f(s);\nexport function built() { return true; }\n",
    );
    // the build's declarations: what OpenFn's compiler auto-imports from it
    tmp.write(
        "ts-adaptor/dist/index.d.ts",
        "export declare function fn(f: any): any;\nexport declare function built(): boolean;\n",
    );
    let job = tmp.write(
        "job.js",
        "fn(state => ({ data: { built: typeof built === 'function', hasLabel: typeof label === 'function' } }));\n",
    );
    let run = |extra: &[&str]| {
        final_state(
            &fnhost()
                .arg(&job)
                .arg("-a")
                .arg(format!("ts-fixture={}", adaptor.display()))
                .args(extra)
                .arg("-O")
                .output()
                .unwrap(),
        )
    };
    assert_eq!(
        run(&[]),
        serde_json::json!({"data": {"built": true, "hasLabel": false}})
    );
    assert_eq!(
        run(&["--from-source"]),
        serde_json::json!({"data": {"built": false, "hasLabel": true}})
    );
}

#[test]
fn a_syntax_error_in_adaptor_source_names_file_and_line() {
    let tmp = TempDir::new("from-source-syntax");
    let adaptor = ts_adaptor(&tmp);
    std::fs::write(
        adaptor.join("src/util.ts"),
        "import { shout } from 'ts-fixture-dep';\nexport const double = (n: number): number => n * ;\n",
    )
    .unwrap();
    let job = tmp.write("job.js", TS_JOB);
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(format!("ts-fixture={}", adaptor.display()))
        .arg("-O")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = String::from_utf8_lossy(&out.stderr);
    let at = format!("{}:2:", adaptor.join("src/util.ts").display());
    assert!(log.contains("SyntaxError"), "{log}");
    assert!(log.contains(&at), "expected {at} in:\n{log}");
}

#[test]
fn stack_traces_point_at_the_typescript_source() {
    let tmp = TempDir::new("from-source-stack");
    let adaptor = ts_adaptor(&tmp);
    let index = adaptor.join("src/index.ts");
    let mut source = std::fs::read_to_string(&index).unwrap();
    source.push_str("\nexport function where(): Operation {\n  return (s: State) => ({ ...s, data: { stack: new Error('here').stack } });\n}\n");
    std::fs::write(&index, &source).unwrap();
    let line = source
        .lines()
        .position(|l| l.contains("new Error('here')"))
        .unwrap()
        + 1;
    let column = source
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("new Error")
        .unwrap()
        + 1;
    let job = tmp.write("job.js", "where();\n");
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(format!("ts-fixture={}", adaptor.display()))
        .arg("-O")
        .output()
        .unwrap();
    let state = final_state(&out);
    let stack = state["data"]["stack"].as_str().unwrap();
    let at = format!("{}:{line}:{column}", index.display());
    assert!(stack.contains(&at), "expected {at} in:\n{stack}");
}

fn monorepo() -> PathBuf {
    fixture("monorepo")
}

const MONOREPO_JOB: &str = "greet('ada');\nfn(s => ({ ...s, data: { ...s.data, done: true } }));\n";

#[test]
fn monorepo_adaptors_run_from_source_with_workspace_dependencies() {
    let tmp = TempDir::new("monorepo");
    let job = tmp.write("job.js", MONOREPO_JOB);
    let expected = serde_json::json!({"data": {"greeting": "hello ada", "common": "monorepo common", "done": true}});
    // -m takes the monorepo from $OPENFN_ADAPTORS_REPO, as OpenFn's CLI does
    let out = fnhost()
        .arg(&job)
        .args(["-ma", "greeter", "-O"])
        .env("OPENFN_ADAPTORS_REPO", monorepo())
        .output()
        .unwrap();
    assert_eq!(final_state(&out), expected);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("▸ @openfn/language-greeter    monorepo"),
        "{log}"
    );
    // --monorepo DIR names it directly
    let out = fnhost()
        .arg(&job)
        .arg("--monorepo")
        .arg(monorepo())
        .args(["-a", "greeter", "-O"])
        .env_remove("OPENFN_ADAPTORS_REPO")
        .output()
        .unwrap();
    assert_eq!(final_state(&out), expected);
    // a version is ignored, with OpenFn's warning
    let out = fnhost()
        .arg(&job)
        .arg("--monorepo")
        .arg(monorepo())
        .args(["-a", "greeter@1.2.3", "-O"])
        .output()
        .unwrap();
    assert_eq!(final_state(&out), expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "Warning: Ignoring version specifier on greeter@1.2.3 as loading from the adaptors monorepo"
    ));
}

#[test]
fn a_folder_that_is_not_the_adaptors_monorepo_is_refused() {
    let tmp = TempDir::new("monorepo-bad");
    let job = tmp.write("job.js", MONOREPO_JOB);
    let out = fnhost()
        .arg(&job)
        .arg("--monorepo")
        .arg(&tmp.0)
        .args(["-a", "greeter", "-O"])
        .output()
        .unwrap();
    // OpenFn's CLI: exit 9, "invalid argument"
    assert_eq!(out.status.code(), Some(9));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains(&format!(
            "Adaptors Monorepo not found at {}",
            tmp.0.display()
        )),
        "{log}"
    );
    let out = fnhost()
        .arg(&job)
        .args(["-m", "-a", "greeter", "-O"])
        .env_remove("OPENFN_ADAPTORS_REPO")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("OPENFN_ADAPTORS_REPO env var is undefined")
    );
    // every command checks the monorepo first, as OpenFn's does
    let out = fnhost()
        .args(["docs", "greeter", "--monorepo"])
        .arg(&tmp.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    let out = fnhost()
        .arg("compile")
        .arg(&job)
        .arg("--monorepo")
        .arg(&tmp.0)
        .args(["-a", "greeter"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
}

/// Reads a child's stderr lines into a channel.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Collects lines until one contains `marker` (panics after 60 s).
fn until(rx: &mpsc::Receiver<String>, marker: &str, seen: &mut Vec<String>) {
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                let done = line.contains(marker);
                seen.push(line);
                if done {
                    return;
                }
            }
            Err(e) => panic!("no '{marker}' ({e}); output so far:\n{}", seen.join("\n")),
        }
    }
}

fn write_job(path: &Path, n: u32) {
    std::fs::write(
        path,
        format!("fn(state => ({{ ...state, data: {{ n: {n}, label: double({n}) }} }}));\n"),
    )
    .unwrap();
}

#[test]
fn watch_reruns_on_each_change_and_stops_on_sigint() {
    let tmp = TempDir::new("watch");
    let adaptor = ts_adaptor(&tmp);
    let job = tmp.0.join("job.js");
    write_job(&job, 1);
    let mut child = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(format!("ts-fixture={}", adaptor.display()))
        .args(["--watch", "-O"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    until(&rx, "Watching for changes", &mut seen);
    write_job(&job, 2);
    until(&rx, "Watching for changes", &mut seen);
    write_job(&job, 3);
    until(&rx, "Watching for changes", &mut seen);
    // a change to the from-source adaptor re-runs too
    let util = adaptor.join("src/util.ts");
    let source = std::fs::read_to_string(&util).unwrap();
    std::fs::write(&util, source.replace("n * 2", "n * 3")).unwrap();
    until(&rx, "Watching for changes", &mut seen);
    // the shell's builtin kill: no procps needed
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    let text = seen.join("\n");
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(text.matches("Change detected").count(), 3, "{text}");
    assert_eq!(text.matches("completed in").count(), 4, "{text}");
    assert!(text.contains("~ data.n: 1 → 2"), "{text}");
    assert!(text.contains("~ data.label: 2 → 4"), "{text}");
    assert!(text.contains("~ data.n: 2 → 3"), "{text}");
    assert!(text.contains("~ data.label: 6 → 9"), "{text}");
}

#[test]
fn steps_are_cached_when_openfn_always_cache_steps_is_true() {
    let tmp = TempDir::new("always-cache");
    let adaptor = ts_adaptor(&tmp);
    let job = tmp.write("job.js", "fn(state => ({ data: { n: 1 } }));\n");
    let run = |extra: &[&str]| {
        let _ = std::fs::remove_dir_all(tmp.0.join(".cli-cache"));
        let out = fnhost()
            .current_dir(&tmp.0)
            .arg(&job)
            .arg("-a")
            .arg(format!("ts-fixture={}", adaptor.display()))
            .args(extra)
            .arg("-O")
            .env("OPENFN_ALWAYS_CACHE_STEPS", "true")
            .output()
            .unwrap();
        final_state(&out);
        std::fs::read_to_string(tmp.0.join(".cli-cache/job/job-1.json")).ok()
    };
    assert_eq!(run(&[]).as_deref(), Some(r#"{"data":{"n":1}}"#));
    assert_eq!(run(&["--no-cache-steps"]), None);
}

fn language_common() -> PathBuf {
    // language-common 3.3.4 from the npm registry (it ships ast.json)
    let dir = super::support::npm_prepared(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/adaptors"),
        "fnhost-adaptor-imports",
        "node_modules/@openfn/language-common/ast.json",
    );
    dir.join("node_modules/@openfn/language-common")
}

fn docs(args: &[&str]) -> std::process::Output {
    fnhost()
        .arg("docs")
        .arg(format!("common={}", language_common().display()))
        .args(args)
        .output()
        .unwrap()
}

/// What `openfn docs` printed for language-common 3.3.4 (`tests/docs/make-expected.mjs`).
fn recorded(name: &str) -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/docs/expected/{name}.txt"));
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn docs_list_an_adaptors_functions_as_openfn_does() {
    let out = docs(&[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let openfn = recorded("list");
    // OpenFn's list section, between its two log lines
    let section = openfn
        .split("[CLI] ♦ Available functions:\n\n")
        .nth(1)
        .and_then(|rest| rest.split("[CLI] ♦ For more details").next())
        .unwrap();
    // OpenFn describes the package from its .d.ts files, fnhost from its ast.json: the two
    // list the same functions apart from these (deprecated HTTP helpers and alterState are
    // only declared in the .d.ts; map only documented in ast.json).
    let only_openfn = [
        "alterState (func)",
        "get (url, options)",
        "options (opts)",
        "post (url, data, options)",
        "req (method, url, options)",
    ];
    let expected: Vec<&str> = section
        .lines()
        .filter(|l| !only_openfn.contains(&l.trim()))
        .collect();
    let actual: Vec<&str> = text
        .lines()
        .filter(|l| l.trim() != "map (path, callback)")
        .collect();
    assert_eq!(actual, expected);
    assert!(text.contains("\n  map (path, callback)\n"), "{text}");
    assert!(!text.contains("execute"), "{text}");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.starts_with("[CLI] ♦ Available functions:\n"), "{log}");
    assert!(
        log.contains("fnhost docs @openfn/language-common <fn>"),
        "{log}"
    );
}

#[test]
fn docs_describe_one_function_as_openfn_does() {
    let out = docs(&["fn"]);
    assert_eq!(out.status.code(), Some(0));
    // OpenFn's output opens with a blank line (a log break); the rest is the same
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        recorded("fn").strip_prefix('\n').unwrap()
    );
    // TypeScript's JSDoc reader drops the examples' indentation in OpenFn's output;
    // ast.json keeps it. Otherwise the text is the same.
    let out = docs(&["each"]);
    let unindent = |t: &str| {
        t.lines()
            .map(str::trim_start)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        unindent(&text),
        unindent(recorded("each").strip_prefix('\n').unwrap())
    );
    assert!(text.contains("\n  insert(\"patient\", {\n"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&docs(&["each", "--json"]).stdout).unwrap();
    assert_eq!(json["name"], "each");
    assert_eq!(json["parameters"][0]["name"], "dataSource");
    assert_eq!(json["parameters"][0]["type"], "DataSource");
    assert_eq!(json["examples"].as_array().unwrap().len(), 3);
}

#[test]
fn docs_for_an_unknown_function_say_so_as_openfn_does() {
    let out = docs(&["nope"]);
    // OpenFn logs the error line, prints "undefined" and exits 0: the same lines here (the
    // error on standard error, where fnhost's logs go)
    let openfn = recorded("unknown");
    let mut lines = openfn.lines();
    let error = lines.next().unwrap();
    assert_eq!(
        error,
        "[CLI] ✘ Failed to find nope in @openfn/language-common"
    );
    assert_eq!(lines.next(), Some("undefined"));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "undefined\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), error);
    // with --json (fnhost's own, for tools) it is an error
    let out = docs(&["nope", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn docs_of_an_unbuilt_adaptor_come_from_its_source_jsdoc() {
    let ts = format!("ts-fixture={}", fixture("ts-adaptor").display());
    let out = fnhost().args(["docs", &ts]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // `double` is re-exported from util.ts; `boom` is @private
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "## @openfn/language-ts-fixture 0.3.0\n\n  double (n)\n  fn (func)\n  label (text, mode)\n\n"
    );
    let out = fnhost()
        .args(["docs", &ts, "label", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "name": "label",
            "description": "Adds `data.label`: `text`, shouted unless `mode` is quiet.",
            "parameters": [
                {"name": "text", "type": "string", "optional": false, "description": "The label"},
                {"name": "mode", "type": "Mode", "optional": true, "description": "Loud or quiet"}
            ],
            "examples": [{"caption": "Shout a greeting", "code": "label('hello');"}],
            "returns": "Operation"
        })
    );
    let out = fnhost()
        .args(["docs", "-m", "greeter", "greet"])
        .env("OPENFN_ADAPTORS_REPO", monorepo())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(
        "## greet(name)\n\nGreets someone in `data.greeting`.\n\n### Usage Examples\n\nNone\n"
    ));
}
