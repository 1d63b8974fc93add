//! Bad and unusual input (issue 9): valid input is read as JavaScript reads it, invalid input is
//! refused with a clear error before anything runs, every failure is a failure, and the
//! previous output file is never lost.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::support::{final_state, fnhost, TempDir};

fn esm() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/esm-adaptor");
    format!("esm-adaptor={}", dir.display())
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const PREVIOUS: &str = "{\"previous\": true}";

/// A job folder with `output.json` already holding a previous result.
fn setup(job: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new("bad-input");
    let job = dir.write("job.js", job);
    let output = dir.write("output.json", PREVIOUS);
    (dir, job, output)
}

fn assert_untouched(output: &PathBuf) {
    assert_eq!(std::fs::read_to_string(output).unwrap(), PREVIOUS);
}

#[test]
fn state_is_read_as_json_parse_reads_it() {
    let (dir, job, _) = setup(
        "export default [s => { let d = 0, x = s.data.deep; while (x && x.n) { d++; x = x.n; } return { data: { depth: d, big: s.data.big, surrogate: s.data.s.length === 1 && s.data.s.charCodeAt(0) === 0xd800 } }; }];",
    );
    let deep = format!("{}{{}}{}", "{\"n\":".repeat(300), "}".repeat(300));
    let state = dir.write(
        "state.json",
        &format!("{{\"data\": {{\"deep\": {deep}, \"big\": 1e400, \"s\": \"\\ud800\"}}}}"),
    );
    let out = fnhost()
        .arg(&job)
        .arg("-s")
        .arg(&state)
        .args(["-O", "--raw-state"])
        .output()
        .unwrap();
    // --raw-state hands the parsed value over without OpenFn's clone: 1e400 is Infinity,
    // which JSON writes as null in the output (as Node does)
    let result = final_state(&out);
    assert_eq!(result["data"]["depth"], 300);
    assert_eq!(result["data"]["surrogate"], true);
    assert_eq!(result["data"]["big"], Value::Null);
}

#[test]
fn invalid_state_is_an_error_with_its_position_and_nothing_runs() {
    let (dir, job, output) = setup("export default [s => { console.log('RAN'); return s; }];");
    let state = dir.write("state.json", "{\n  \"data\": {\n    oops: 1\n  }\n}");
    let out = fnhost().arg(&job).arg("-s").arg(&state).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(
        log.contains("Error loading state from")
            && log.contains("state.json")
            && log.contains("line 3 column 5"),
        "{log}"
    );
    assert!(!log.contains("RAN"), "{log}");
    assert_untouched(&output);
    // OpenFn's behaviour on request: warn, say which file and why, use the default state
    let out = fnhost()
        .arg(&job)
        .arg("-s")
        .arg(&state)
        .args(["-O", "--lenient-state"])
        .output()
        .unwrap();
    let log = stderr(&out);
    assert!(
        log.contains("line 3 column 5") && log.contains("default state"),
        "{log}"
    );
    assert_eq!(final_state(&out), json!({"data": {}}));
    // a state that is not an object
    for (text, kind) in [("null", "null"), ("42", "a number"), ("\"x\"", "a string")] {
        let out = fnhost().arg(&job).args(["-S", text]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            stderr(&out).contains(&format!("the state is {kind}")),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn contradictory_or_meaningless_options_are_usage_errors() {
    let (dir, job, output) = setup("export default [s => s];");
    let state = dir.write("state.json", "{}");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "-s".into(),
                state.display().to_string(),
                "-S".into(),
                "{}".into(),
            ],
            "cannot be used with",
        ),
        (
            vec!["-t".into(), "0".into()],
            "would turn the time limit off",
        ),
        (
            vec!["--tz".into(), "Mars/Olympus_Mons".into()],
            "Unknown time zone 'Mars/Olympus_Mons'",
        ),
        (
            vec!["-o".into(), job.display().to_string()],
            "is the run's input file",
        ),
        (
            vec!["-o".into(), dir.0.display().to_string()],
            "is a directory",
        ),
        (
            vec!["-o".into(), job.join("out.json").display().to_string()],
            "Cannot create the output folder",
        ),
    ];
    for (args, message) in cases {
        let out = fnhost().arg(&job).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(
        std::fs::read_to_string(&job).unwrap(),
        "export default [s => s];"
    );
    assert_untouched(&output);
}

#[test]
fn output_into_a_missing_folder_is_created_before_the_run() {
    let (dir, job, _) = setup("export default [s => ({ data: { ok: 1 } })];");
    let target = dir.0.join("new/folder/out.json");
    let out = fnhost().arg(&job).arg("-o").arg(&target).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written, json!({"data": {"ok": 1}}));
    // no temporary file is left beside it
    let names: Vec<String> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["out.json"]);
}

#[test]
fn a_crash_keeps_the_previous_output() {
    let (_dir, job, output) = setup("export default [s => s, s => { notDefined.x = 1; }];");
    let out = fnhost().arg(&job).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_untouched(&output);
}

#[test]
fn a_job_returning_nothing_never_writes_an_empty_file() {
    let (_dir, job, output) = setup("export default [s => { s.data.x = 1; }];");
    let out = fnhost().arg(&job).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "null");
    assert!(stderr(&out).contains("The final state is empty"));
}

#[test]
fn every_thrown_value_fails_the_step() {
    for (thrown, name, message) in [
        (
            "null",
            "RuntimeError",
            "TypeError: Cannot read properties of null (reading 'stack')",
        ),
        (
            "undefined",
            "RuntimeError",
            "TypeError: Cannot read properties of undefined (reading 'stack')",
        ),
        ("42", "JobError", "42"),
        ("Symbol('s')", "JobError", "Symbol(s)"),
        ("{ code: 'E_X' }", "JobError", "{\"code\":\"E_X\"}"),
        ("'text'", "JobError", "text"),
    ] {
        let (_dir, job, _) = setup(&format!("fn(s => s);\nfn(() => {{ throw {thrown}; }});\n"));
        let out = fnhost()
            .arg(&job)
            .args(["-a", &esm(), "--no-expand-adaptors", "-O"])
            .output()
            .unwrap();
        let state = final_state(&out);
        let error = &state["errors"]["job-1"];
        assert_eq!(error["name"], name, "throw {thrown}: {state}");
        assert_eq!(error["message"], message, "throw {thrown}: {state}");
        assert_eq!(error["severity"], "fail");
        assert!(
            stderr(&out).contains("Errors reported in 1 jobs"),
            "{}",
            stderr(&out)
        );
    }
}

fn run_workflow(doc: &Value, extra: &[&str]) -> std::process::Output {
    let dir = TempDir::new("bad-wf");
    let wf = dir.write("workflow.json", &doc.to_string());
    fnhost().arg(&wf).args(extra).arg("-O").output().unwrap()
}

#[test]
fn bad_workflows_are_validation_errors() {
    let step = |id: &str| json!({"id": id, "expression": "export default [s => s]"});
    let cases = [
        (json!({"steps": []}), vec![], "The workflow has no steps"),
        (
            json!({"steps": [step("a"), step("a")]}),
            vec![],
            "Duplicate step id: a",
        ),
        (
            json!({"workflow": {"steps": [step("a")]}, "options": {"start": "zz"}}),
            vec![],
            "Could not find start job: zz",
        ),
        (
            json!({"workflow": {"steps": [step("a")]}, "options": {"end": "zz"}}),
            vec![],
            "Could not find end job: zz",
        ),
        (
            json!({"steps": [step("a")]}),
            vec!["--end", "zz"],
            "Could not find end job: zz",
        ),
        (
            json!({"steps": [step("a")]}),
            vec!["--start", "zz"],
            "Could not find start job: zz",
        ),
    ];
    for (doc, args, message) in cases {
        let out = run_workflow(&doc, &args);
        assert_eq!(out.status.code(), Some(1), "{doc}");
        let log = stderr(&out);
        assert!(log.contains(message), "{doc}: {log}");
        assert!(log.contains("Error validating execution plan"), "{log}");
    }
}

/// Plan validation and execution are iterative: a 100,000-step chain (which overflowed the
/// stack at 7,000 steps) validates and runs; a long cycle is still found.
#[test]
fn a_100000_step_chain_validates_and_runs() {
    let n = 100_000;
    let steps: Vec<Value> = (0..n)
        .map(|i| {
            if i + 1 < n {
                json!({"id": format!("s{i}"), "next": {format!("s{}", i + 1): true}})
            } else {
                json!({"id": format!("s{i}"), "expression": "export default [s => ({ data: { last: true } })]"})
            }
        })
        .collect();
    let out = run_workflow(&json!({"steps": steps}), &[]);
    assert_eq!(final_state(&out), json!({"data": {"last": true}}));
    let mut cyclic = steps.clone();
    cyclic[n - 1] = json!({"id": format!("s{}", n - 1), "next": {"s0": true}});
    let out = run_workflow(&json!({"steps": cyclic}), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("Circular dependency: s{} <-> s0", n - 1)),
        "{}",
        stderr(&out)
    );
}

/// A state nested 20,000 levels deep goes through OpenFn's per-step copy whole: the copy
/// walks it without recursion (it used to overflow at ~5,000 levels and silently replace the
/// state by a placeholder; Node's OpenFn throws at ~6,500). Deeper than V8's JSON.stringify
/// can go, the run fails with that error: never a replaced state.
#[test]
fn a_deeply_nested_state_is_never_replaced() {
    let (dir, job, _) = setup(
        "export default [s => { let d = 0, x = s.data; while (x && x.n !== undefined) { d++; x = x.n; } return { data: { depth: d, leaf: x } }; }];",
    );
    let n = 20_000;
    let state = dir.write(
        "state.json",
        &format!("{{\"data\": {}1{}}}", "{\"n\":".repeat(n), "}".repeat(n)),
    );
    let out = fnhost()
        .arg(&job)
        .arg("-s")
        .arg(&state)
        .arg("-O")
        .output()
        .unwrap();
    let result = final_state(&out);
    assert_eq!(result["data"]["depth"], n);
    assert_eq!(result["data"]["leaf"], 1);
    // far deeper: completes whole or fails saying why, never runs on a placeholder
    let n = 1_000_000;
    let state = dir.write(
        "deeper.json",
        &format!("{{\"data\": {}1{}}}", "{\"n\":".repeat(n), "}".repeat(n)),
    );
    let out = fnhost()
        .arg(&job)
        .arg("-s")
        .arg(&state)
        .arg("-O")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => assert_eq!(final_state(&out)["data"]["depth"], n),
        _ => assert!(log.contains("Maximum call stack size exceeded"), "{log}"),
    }
}

/// A reader that stops early (`fnhost … -O | head`) is not a failure of the run, and never a
/// panic: the rest of the output is dropped and the exit code is the run's.
#[test]
fn a_reader_closing_stdout_early_is_not_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    let work = TempDir::new("bad-input-closed-stdout");
    let job = work.write(
        "job.js",
        "fn(s => ({ data: Array.from({ length: 50000 }, (_, i) => ({ i, text: 'x'.repeat(50) })) }));\n",
    );
    let mut child = fnhost()
        .arg(&job)
        .args(["-a", &esm(), "-O", "--log", "none"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
