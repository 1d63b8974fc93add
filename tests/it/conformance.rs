//! Conformance fixes found by running real jobs (issue 8): each test compares with the real
//! software where there is one to compare with.
//!
//! - `tests/node/plans/*.json` ran through the real `@openfn/runtime` (`tests/node/runtime-plan.mjs`
//!   wrote `expected.json`); fnhost runs the same compiled modules with `--no-compile`.
//! - Crash messages, secrets in logs, auto-imports from `.d.ts`, the licence.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::support::{final_state, fnhost, HttpFixture, TempDir};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fields of an OpenFn error that point into `@openfn/runtime`'s own bundle (a `pos` read off a
/// stack frame of the runtime's code, not of the job): fnhost has no such frame to report.
fn without_runtime_positions(mut value: Value) -> Value {
    if let Some(errors) = value.get_mut("errors").and_then(Value::as_object_mut) {
        for error in errors.values_mut() {
            if let Some(e) = error.as_object_mut() {
                e.remove("pos");
            }
        }
    }
    value
}

/// Plans where fnhost deliberately differs from `@openfn/runtime` (issue 9: a thrown value is
/// never lost): OpenFn leaves `message` empty, fnhost keeps the value's text.
fn deliberate_difference(name: &str) -> Option<&'static str> {
    match name {
        "throw-number" => Some("42"),
        "throw-object" => Some(r#"{"code":"E_X"}"#),
        _ => None,
    }
}

#[test]
fn compiled_plans_end_as_in_openfn_runtime() {
    let plans = root().join("tests/node/plans");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(plans.join("expected.json")).expect("recorded results"),
    )
    .unwrap();
    let dir = TempDir::new("plans");
    let mut checked = 0;
    let mut names: Vec<String> = std::fs::read_dir(&plans)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "expected.json")
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    names.sort();
    for name in names {
        let mut plan: Value = serde_json::from_str(
            &std::fs::read_to_string(plans.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let input = plan
            .as_object_mut()
            .unwrap()
            .remove("input")
            .unwrap_or(json!({"data": {}}));
        for step in plan["workflow"]["steps"].as_array_mut().unwrap() {
            let adaptors: Vec<Value> = step["adaptors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    let a = a.as_str().unwrap();
                    json!(format!(
                        "{a}={}",
                        root().join("tests/fixtures").join(a).display()
                    ))
                })
                .collect();
            step["adaptors"] = Value::Array(adaptors);
        }
        let path = dir.write(&format!("{name}/workflow.json"), &plan.to_string());
        let out = fnhost()
            .arg(&path)
            .args(["--no-compile", "--no-expand-adaptors", "-O", "-S"])
            .arg(input.to_string())
            .output()
            .unwrap();
        let want = &expected[&name];
        if let Some(state) = want.get("state") {
            let mut want_state = without_runtime_positions(state.clone());
            if let Some(message) = deliberate_difference(&name) {
                want_state["errors"]["job-1"]["message"] = json!(message);
            }
            let got = without_runtime_positions(final_state(&out));
            assert_eq!(got, want_state, "{name}: {}", stderr(&out));
        } else {
            let crash = &want["crash"];
            assert_eq!(
                out.status.code(),
                Some(1),
                "{name} crashes: {}",
                stderr(&out)
            );
            let message = crash["message"].as_str().unwrap();
            let log = stderr(&out);
            assert!(
                log.contains("CRITICAL ERROR! Aborting execution"),
                "{name}: {log}"
            );
            assert!(
                log.contains(message),
                "{name}: expected {message:?} in\n{log}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "the recorded plans ran ({checked})");
}

/// A workflow whose edge condition throws: the log names the EdgeConditionError and its
/// message, in text and in `--log-json` (OpenFn's CLI prints neither).
#[test]
fn an_edge_condition_crash_says_why() {
    let dir = TempDir::new("edge");
    let adaptor = root().join("tests/fixtures/esm-mixed");
    let wf = dir.write(
        "workflow.json",
        &json!({"workflow": {"steps": [
            {"id": "a", "adaptors": [format!("esm-mixed={}", adaptor.display())], "expression": "fn(s => s)", "next": {"b": "state.response.statusCode === 200"}},
            {"id": "b", "adaptors": [format!("esm-mixed={}", adaptor.display())], "expression": "fn(s => s)"}
        ]}})
        .to_string(),
    );
    let out = fnhost()
        .arg(&wf)
        .args(["--no-expand-adaptors", "-O", "--log-json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = stderr(&out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.iter().any(|l| l["message"][0]
            == "EdgeConditionError: Cannot read properties of undefined (reading 'statusCode')"
            && l["level"] == "error"),
        "{lines:?}"
    );
    // eval in an edge condition: refused, and the crash says so
    let wf = dir.write(
        "eval.json",
        &json!({"steps": [
            {"id": "a", "expression": "export default [s => s]", "next": {"b": "eval('true')"}},
            {"id": "b", "expression": "export default [s => s]"}
        ]})
        .to_string(),
    );
    let out = fnhost().arg(&wf).args(["-O"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("EdgeConditionError: Code generation from strings disallowed"),
        "{}",
        stderr(&out)
    );
}

/// OpenFn's compiler takes an adaptor's exports from its `.d.ts`: a declared function is
/// auto-imported, an exported constant is not (the job fails with ReferenceError, exit 1), and
/// the adaptor is not even loaded to compile. Without types, fnhost falls back to the module.
#[test]
fn auto_imports_follow_type_declarations() {
    let dir = TempDir::new("dts");
    let module = "export const VERSION = 'v1';\nexport function fn(f) { return (s) => f(s); }\nexport function execute(...ops) { return (s) => ops.reduce((p, op) => p.then(op), Promise.resolve(s)); }\n";
    dir.write(
        "typed/package.json",
        r#"{"name":"typed","version":"1.0.0","type":"module","main":"index.js","types":"types.d.ts"}"#,
    );
    dir.write("typed/index.js", module);
    dir.write(
        "typed/types.d.ts",
        "export declare function fn(f: any): any;\nexport declare function execute(...ops: any[]): any;\nexport declare const VERSION: string;\n",
    );
    dir.write(
        "untyped/package.json",
        r#"{"name":"untyped","version":"1.0.0","type":"module","main":"index.js"}"#,
    );
    dir.write("untyped/index.js", module);
    let job = dir.write("job.js", "fn(s => ({ ...s, version: VERSION }));\n");
    let typed = format!("typed={}", dir.0.join("typed").display());
    let out = fnhost()
        .arg(&job)
        .args(["--no-expand-adaptors", "-O", "-a", &typed])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ReferenceError: VERSION is not defined"),
        "{}",
        stderr(&out)
    );
    let compiled = fnhost()
        .args(["compile", "--no-expand-adaptors", "-a", &typed])
        .arg(&job)
        .output()
        .unwrap();
    let code = String::from_utf8_lossy(&compiled.stdout);
    assert!(code.contains("import { fn } from \"typed\""), "{code}");
    let untyped = format!("untyped={}", dir.0.join("untyped").display());
    let out = fnhost()
        .arg(&job)
        .args(["--no-expand-adaptors", "-O", "-a", &untyped])
        .output()
        .unwrap();
    assert_eq!(final_state(&out)["version"], "v1");
}

fn secret_run(dir: &TempDir, job: &str, state: &Value, extra: &[&str]) -> (String, Value) {
    let job = dir.write("job.js", job);
    let state_path = dir.write("state.json", &state.to_string());
    let out = fnhost()
        .arg(&job)
        .arg("-s")
        .arg(&state_path)
        .args(["-O", "--log", "debug"])
        .args(extra)
        .output()
        .unwrap();
    let stdout: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (stderr(&out), stdout)
}

/// Configuration values never reach a log line: printed directly, nested, inside a thrown
/// error's message, in `--log-json`, and as the Authorization header an HTTP error echoes.
#[test]
fn secrets_never_reach_a_log_line() {
    let dir = TempDir::new("secrets");
    let state = json!({
        "data": {},
        "configuration": {
            "username": "alice",
            "password": "hunter2-pw",
            "pin": "7",
            "nested": {"deep": {"apiToken": "tok-5e5e5e"}},
            "list": ["sk-list-secret"]
        }
    });
    let (log, _) = secret_run(
        &dir,
        "export default [s => {\n console.log(s.configuration.password);\n console.log('pin', s.configuration.pin);\n console.log({ wrapped: s.configuration.nested });\n console.log(s);\n console.log(JSON.stringify(s.configuration.list));\n throw new Error('login failed for alice with hunter2-pw and tok-5e5e5e');\n}];",
        &state,
        &[],
    );
    for secret in ["hunter2-pw", "tok-5e5e5e", "sk-list-secret", "alice"] {
        assert!(!log.contains(secret), "{secret} leaked:\n{log}");
    }
    assert!(log.contains("pin ****"), "{log}");
    assert!(log.contains("login failed for ****"), "{log}");
    // OpenFn's logger hides a logged object's configuration values
    assert!(log.contains("\"password\": \"****\""), "{log}");
    // JSON logs too
    let (log, _) = secret_run(
        &dir,
        "export default [s => { console.log('pw=' + s.configuration.password); return s; }];",
        &state,
        &["--log-json"],
    );
    assert!(!log.contains("hunter2-pw"), "{log}");
    assert!(log.contains("pw=****"), "{log}");

    // An HTTP error that echoes the Authorization header it was sent (basic and bearer)
    let server = HttpFixture::start(None);
    let adaptor = dir.adaptor(
        "echo",
        "export function execute(...ops) { return (s) => ops.reduce((p, op) => p.then(op), Promise.resolve(s)); }\nexport function call(scheme) { return async (s) => {\n  const c = s.configuration;\n  const auth = scheme === 'basic' ? 'Basic ' + btoa(c.username + ':' + c.password) : 'Bearer ' + c.nested.deep.apiToken;\n  const r = await fetch(c.baseUrl + '/echo', { headers: { authorization: auth } });\n  const body = await r.text();\n  throw new Error('HTTP 401: ' + body);\n}; }\n",
    );
    let mut state = state.clone();
    state["configuration"]["baseUrl"] = json!(format!("http://127.0.0.1:{}", server.port));
    for scheme in ["basic", "bearer"] {
        let (log, out) = secret_run(
            &dir,
            &format!("call('{scheme}');\n"),
            &state,
            &["-a", &adaptor],
        );
        assert!(log.contains("HTTP 401"), "{log}");
        let basic = "YWxpY2U6aHVudGVyMi1wdw=="; // base64("alice:hunter2-pw")
        for secret in ["hunter2-pw", "tok-5e5e5e", basic] {
            assert!(!log.contains(secret), "{scheme}: {secret} leaked:\n{log}");
        }
        // the output state is not a log: the error is recorded there as the adaptor threw it
        assert!(out["errors"].is_object(), "{out}");
    }
}

/// The licence Cargo.toml declares is in the repository.
#[test]
fn the_declared_licence_is_shipped() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT\""));
    let licence = std::fs::read_to_string(root().join("LICENSE")).expect("a LICENSE file");
    assert!(licence.starts_with("MIT License"));
    assert!(licence.contains("Permission is hereby granted, free of charge"));
}

/// A step's result handed to one next step is not copied again (it already is a copy), but a
/// result shared by two branches still gives each its own copy: one branch's changes never
/// reach the other.
#[test]
fn branches_never_share_a_state() {
    let dir = TempDir::new("branches");
    let wf = dir.write(
        "workflow.json",
        &json!({"steps": [
            {"id": "a", "expression": "export default [s => ({ data: { list: [1] } })]", "next": {"b": true, "c": true}},
            {"id": "b", "expression": "export default [s => { s.data.list.push('b'); return s; }]", "next": {"d": true}},
            {"id": "c", "expression": "export default [s => { s.data.list.push('c'); return s; }]"},
            {"id": "d", "expression": "export default [s => { s.data.list.push('d'); return s; }]"}
        ]})
        .to_string(),
    );
    let out = fnhost().arg(&wf).arg("-O").output().unwrap();
    let state = final_state(&out);
    assert_eq!(state["d"]["data"]["list"], json!([1, "b", "d"]), "{state}");
    assert_eq!(state["c"]["data"]["list"], json!([1, "c"]), "{state}");
}
