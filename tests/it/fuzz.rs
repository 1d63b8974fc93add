//! Fuzzing (proptest) of what fnhost reads from users: input state, workflow files and job
//! source. Arbitrary and mutated input must never panic and never hang: every case runs on its
//! own thread with a time limit.
//!
//! Targets:
//! - the compiler: `compile::compile_job` (and, when it succeeds, the job-realm rewrite
//!   `runtime::job_script::module_to_job_script` and source-map lookups) on arbitrary strings,
//!   on soups of job tokens, and on the recorded cases' jobs with random edits;
//! - workflow loading: `workflow::prepare_plan` on arbitrary bytes parsed as JSON and on
//!   generated workflow-shaped documents, with random `--start`/`--end`/`--only`;
//! - state parsing: a whole run (`Engine::run_job`) on arbitrary text and on generated JSON
//!   with deep nesting, huge and negative-zero numbers, lone surrogates, BOMs and trailing
//!   garbage.
//!
//! `cargo test` runs a few hundred cases per target (`FNHOST_FUZZ_CASES` sets the number); the
//! long run is `benches/fuzz.sh`, whose command and result the README records.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use fnhost::compile::{compile_job, AdaptorInfo, CompileOptions};
use fnhost::workflow::{prepare_plan, AdaptorSource, StepRange};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

/// Cases per target: `FNHOST_FUZZ_CASES`, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("FNHOST_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(default_cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs `f` on its own thread; a panic is re-raised here, and not finishing within `limit`
/// is a hang.
fn within<T: Send + 'static>(
    limit: Duration,
    what: impl Fn() -> String,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(value) => {
            let _ = handle.join();
            value
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the case thread ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hang (over {limit:?}): {}", what()),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The recorded cases' jobs and workflows: well-formed seeds to mutate.
fn seeds(file: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("tests/cases"))
        .unwrap()
        .flatten()
    {
        if let Ok(text) = std::fs::read_to_string(entry.path().join(file)) {
            out.push(text);
        }
    }
    assert!(!out.is_empty(), "no tests/cases/*/{file}");
    out
}

/// Tokens of OpenFn jobs, for soups that get past the parser into the transforms.
const TOKENS: &[&str] = &[
    "fn(",
    "each(",
    "get(",
    "state",
    "state.data",
    "$",
    "$.data",
    "$.data.x",
    "=>",
    "s",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ";",
    "\n",
    ".",
    ".then(",
    ".catch(",
    "async",
    "await",
    "return",
    "const",
    "let",
    "x",
    "=",
    "+",
    "?",
    ":",
    "'$.items[*]'",
    "`${",
    "}`",
    "import",
    "export",
    "default",
    "from",
    "'@openfn/language-common'",
    "*",
    "as",
    "function",
    "class",
    "new",
    "typeof",
    "...",
    "1",
    "0n",
    "/re/g",
    "//c\n",
    "/*c*/",
    "if",
    "else",
    "for",
    "of",
    "in",
    "while",
    "try",
    "finally",
    "throw",
    "yield",
    "?.",
    "??",
    "#p",
    "this",
    "super",
    "debugger",
    "\u{2028}",
    "é",
    "\"",
    "'",
    "`",
    "\\",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|t| t.join(" "))
}

/// A random edit of a seed: (where, as a fraction; what: delete/insert/replace; a token).
fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let edit = (
        0.0f64..1.0,
        0u8..3,
        prop::sample::select(TOKENS),
        1usize..12,
    );
    (
        prop::sample::select(seeds),
        prop::collection::vec(edit, 1..8),
    )
        .prop_map(|(seed, edits)| {
            let mut chars: Vec<char> = seed.chars().collect();
            for (at, kind, token, len) in edits {
                let i = ((chars.len() as f64) * at) as usize;
                let end = (i + len).min(chars.len());
                match kind {
                    0 => {
                        chars.drain(i..end);
                    }
                    1 => {
                        chars.splice(i..i, token.chars());
                    }
                    _ => {
                        chars.splice(i..end, token.chars());
                    }
                }
            }
            chars.into_iter().collect()
        })
}

fn compile_case(source: String) {
    let what = source.clone();
    within(
        Duration::from_secs(20),
        move || format!("compiling {what:?}"),
        move || {
            for options in [
                CompileOptions::default(),
                CompileOptions {
                    adaptors: vec![
                        AdaptorInfo::new("@openfn/language-common", ["fn", "each", "get"]),
                        AdaptorInfo::new("@openfn/language-http", Vec::<String>::new()),
                    ],
                    ignore: vec!["x".into()],
                    name: Some("step".into()),
                    ..CompileOptions::default()
                },
            ] {
                if let Ok(job) = compile_job(&source, &options) {
                    let script = fnhost::runtime::job_script::module_to_job_script(&job.code)
                        .unwrap_or_else(|e| {
                            panic!("compiled code does not parse: {e}\n{}", job.code)
                        });
                    assert!(script.source.contains("__fnhost_ns"));
                    for line in [0, 1, 2, 5, u32::MAX] {
                        for column in [0, 1, 7, u32::MAX] {
                            let _ = job.original_position(line, column);
                        }
                    }
                }
            }
        },
    );
}

#[test]
fn fuzz_compiler_arbitrary_strings() {
    runner(300)
        .run(&any::<String>(), |s| {
            compile_case(s);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_compiler_token_soups() {
    runner(300)
        .run(&token_soup(), |s| {
            compile_case(s);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_compiler_mutated_jobs() {
    runner(300)
        .run(&mutated(seeds("job.js")), |s| {
            compile_case(s);
            Ok(())
        })
        .unwrap();
}

/// JSON values shaped like workflows: their keys, nested arbitrarily.
fn workflow_json() -> impl Strategy<Value = Value> {
    const KEYS: &[&str] = &[
        "workflow",
        "steps",
        "options",
        "id",
        "name",
        "expression",
        "adaptor",
        "adaptors",
        "next",
        "globals",
        "start",
        "end",
        "timeout",
        "condition",
        "label",
        "disabled",
        "state",
        "configuration",
        "credentials",
        "on_job_success",
        "a",
        "b",
        "job-1",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
        prop::sample::select(KEYS).prop_map(|k| Value::String(k.into())),
        Just(Value::String("job.js".into())),
        Just(Value::String("common".into())),
        Just(Value::String("x=/nonexistent/adaptor".into())),
        Just(Value::String("fn(s => s)".into())),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 200, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn prepare_case(doc: Value, range: StepRange) {
    let what = doc.to_string();
    within(
        Duration::from_secs(20),
        move || format!("preparing {what}"),
        move || {
            let base = std::env::temp_dir().join("fnhost-fuzz-workflow");
            let sources = AdaptorSource {
                repo_dir: base.join("repo"),
                defaults: vec![],
                expand: true,
                ..AdaptorSource::default()
            };
            if let Ok(plan) = prepare_plan(doc, &base, &sources, &range) {
                assert!(plan.get("workflow").is_some(), "{plan}");
            }
        },
    );
}

fn step_range() -> impl Strategy<Value = StepRange> {
    let name = prop::option::of(prop::sample::select(&["a", "b", "job-1", ""][..]));
    (name.clone(), name.clone(), name).prop_map(|(start, end, only)| StepRange {
        start: start.map(str::to_string),
        end: end.map(str::to_string),
        only: only.map(str::to_string),
    })
}

#[test]
fn fuzz_workflow_loading_arbitrary_bytes() {
    runner(500)
        .run(
            &(prop::collection::vec(any::<u8>(), 0..400), step_range()),
            |(bytes, range)| {
                if let Ok(doc) = serde_json::from_slice::<Value>(&bytes) {
                    prepare_case(doc, range);
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn fuzz_workflow_loading_shaped_documents() {
    runner(500)
        .run(&(workflow_json(), step_range()), |(doc, range)| {
            prepare_case(doc, range);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_workflow_loading_mutated_workflows() {
    runner(300)
        .run(
            &(mutated(seeds("workflow.json")), step_range()),
            |(text, range)| {
                if let Ok(doc) = serde_json::from_str::<Value>(&text) {
                    prepare_case(doc, range);
                }
                Ok(())
            },
        )
        .unwrap();
}

/// State texts: JSON with what parsers get wrong, plus arbitrary text.
fn state_text() -> impl Strategy<Value = String> {
    let nested =
        (0usize..3000, prop::sample::select(&["[", "{\"a\":"][..])).prop_map(|(n, open)| {
            let close = if open == "[" { "]" } else { "}" };
            format!("{{\"data\":{}1{}}}", open.repeat(n), close.repeat(n))
        });
    let special = prop::sample::select(
        &[
            "{\"data\":1e400}",
            "{\"data\":-0}",
            "{\"data\":\"\\ud800\"}",
            "{\"data\":\"\\udc00\\ud800x\"}",
            "\u{feff}{\"data\":{}}",
            "{\"data\":{}} trailing",
            "{\"data\":{},\"data\":[]}",
            "{\"__proto__\":{\"polluted\":true},\"data\":{}}",
            "{\"configuration\":null,\"data\":null}",
            "[]",
            "null",
            "\"text\"",
            "12345678901234567890123",
            "",
            "{",
        ][..],
    )
    .prop_map(str::to_string);
    let generated = workflow_json().prop_map(|v| v.to_string());
    prop_oneof![nested, special, generated, any::<String>()]
}

#[test]
fn fuzz_state_parsing_through_a_run() {
    fnhost::runtime::init_v8();
    let adaptor = format!(
        "esm-adaptor={}",
        root().join("tests/fixtures/esm-adaptor").display()
    );
    // one engine (a pool of one worker) for every case
    let engine = fnhost::Engine::builder()
        .workers(1)
        .repo_dir(std::env::temp_dir().join("fnhost-fuzz-repo"))
        .limits(fnhost::Limits {
            timeout: Duration::from_secs(20),
            ..fnhost::Limits::default()
        })
        .build();
    // the target really runs jobs: a valid state completes
    let sanity = adaptor.clone();
    let sanity_engine = engine.clone();
    let outcome = within(Duration::from_secs(60), String::new, move || {
        let engine = sanity_engine;
        format!(
            "{:?}",
            engine.run_job(
                "fn(state => state);",
                &[sanity.as_str()],
                r#"{"data":{"n":1}}"#
            )
        )
    });
    assert!(
        outcome.starts_with("Ok(RunOutcome") && outcome.contains(r#"\"n\": 1"#),
        "{outcome}"
    );
    runner(60)
        .run(&state_text(), |text| {
            let adaptor = adaptor.clone();
            let what = text.clone();
            let engine = engine.clone();
            within(
                Duration::from_secs(60),
                move || format!("running with state {what:?}"),
                move || {
                    // an error or a crash is a fine answer; a panic or a hang is not
                    let _ = engine.run_job("fn(state => state);", &[adaptor.as_str()], &text);
                },
            );
            Ok(())
        })
        .unwrap();
}
