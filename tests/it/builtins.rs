//! Node built-in modules (`js/node/`): each `tests/builtins/<name>.js` is an OpenFn job that
//! exercises built-ins and puts the results in `state.data`; the expectation beside it,
//! `<name>.expected.json`, is what the same job produces under real Node
//! (`node tests/builtins/make-expected.mjs`), except `fnhost_only`, which records fnhost's
//! intended differences (no host environment, files, sockets or processes).

use std::path::PathBuf;
use std::process::Command;

use super::support::section_diff;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/builtins")
}

/// Jobs that import `node:vm`, `node:module` or `node:worker_threads`, which sandboxed job
/// code may not (tests/it/security.rs): they test those modules as adaptors see them, so they
/// run as trusted code.
/// `events` and `assert` run there too: a sandboxed job's `new Error()` and `RangeError` are the
/// job realm's, which their `instanceof Error` / `Error.isPrototypeOf` checks (Node's and Deno's
/// alike) do not recognise, as in OpenFn's vm context; the expectations were made by Node
/// without a vm context.
const TRUSTED: &[&str] = &["misc", "fnhost_only", "events", "assert"];

/// Where fnhost (Deno's node extension) answers differently from Node, on purpose or because
/// Deno's polyfill does: (job, JSON pointer into `state.data`, what Node answers, what fnhost
/// answers, why). The comparison takes fnhost's value at that spot, and fails if Node's
/// expectation there has changed or fnhost answers anything else: each difference stays known
/// and exact. The README's built-ins table lists them.
const KNOWN_DIFFERENCES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "util",
        "/options/10",
        r#""1_234_567.891""#,
        r#""1234567.891""#,
        "Deno's inspect applies `numericSeparator` to integers only",
    ),
    (
        "util",
        "/inspected/50",
        r#""ArrayBuffer { [Uint8Contents]: <00 00 00>, [byteLength]: 3 }""#,
        r#""ArrayBuffer { [Uint8Contents]: <00 00 00>, byteLength: 3 }""#,
        "Deno's inspect shows an ArrayBuffer's byteLength as a plain key",
    ),
    (
        "stream_web",
        "/fromWeb",
        r#"["abcd"]"#,
        r#"["ab","cd"]"#,
        "Readable.fromWeb over deno_web's streams: each web chunk reaches the reader on its own",
    ),
];

/// `expected` with the known differences of job `name` put in (see [`KNOWN_DIFFERENCES`]).
fn with_known_differences(name: &str, mut expected: serde_json::Value) -> serde_json::Value {
    for (job, pointer, node, fnhost, why) in KNOWN_DIFFERENCES {
        if *job != name {
            continue;
        }
        let node: serde_json::Value = serde_json::from_str(node).unwrap();
        let slot = expected
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{name}: no {pointer} in the expectation ({why})"));
        assert_eq!(
            *slot, node,
            "{name}{pointer}: Node's answer changed ({why})"
        );
        *slot = serde_json::from_str(fnhost).unwrap();
    }
    expected
}

fn run(name: &str) {
    let job = dir().join(format!("{name}.js"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
    cmd.env_remove("FNHOST_REPO_DIR")
        .env("TZ", "UTC")
        .arg(&job)
        .arg("-O");
    if TRUSTED.contains(&name) {
        cmd.arg("--no-sandbox");
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: output is not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let expected_text =
        std::fs::read_to_string(dir().join(format!("{name}.expected.json"))).unwrap();
    let expected = with_known_differences(name, serde_json::from_str(&expected_text).unwrap());
    let actual = &state["data"];
    if actual != &expected {
        let report = section_diff(actual, &expected);
        panic!("{name}: state.data differs from {name}.expected.json\n{report}\n{stderr}");
    }
}

macro_rules! builtin_tests {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { run(stringify!($name)); })*

        /// Every job in tests/builtins has a test above.
        #[test]
        fn every_builtin_job_is_tested() {
            let listed = [$(stringify!($name)),*];
            for entry in std::fs::read_dir(dir()).unwrap().flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if let Some(name) = file.strip_suffix(".js") {
                    assert!(listed.contains(&name), "tests/builtins/{file} has no test in tests/it/builtins.rs");
                }
            }
        }
    };
}

builtin_tests!(
    abort,
    assert,
    buffer,
    crypto,
    events,
    fnhost_only,
    misc,
    path,
    querystring,
    readline_v8,
    stream,
    stream_web,
    timers,
    url,
    util
);
