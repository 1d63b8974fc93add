//! The `undici` bridge (`adaptors/undici`), which the loader serves for every `import` and
//! `require` of `undici`. `tests/undici/adaptor` is an adaptor whose `probe` operation runs
//! unchanged under Node with the real undici 7; `tests/undici/expected.json` is what Node
//! produces (`node tests/undici/make-expected.mjs`) plus the bridge's listed, intended
//! differences. `probe5` does the same for undici 5's API shapes (`expected-5.json`). `netProbe` drives the network dispatchers over a stand-in for the engine's HTTP
//! ops. The probe jobs in `../shared/probes` that use MockAgents run when that folder (or
//! `$FNHOST_PROBES_DIR`) has its `node_modules` installed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/undici")
}

/// Runs `job` with the test adaptor and returns the final `state.data`.
fn run_job(job: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
        .env_remove("FNHOST_REPO_DIR")
        .env("TZ", "UTC")
        .arg(dir().join(job))
        .arg("-a")
        .arg(format!("undicitest={}", dir().join("adaptor").display()))
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{job}: {stderr}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{job}: output is not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert!(
        state.get("errors").is_none(),
        "{job}: the job failed: {}",
        state["errors"]
    );
    state["data"].clone()
}

fn assert_sections(name: &str, actual: &serde_json::Value, expected_file: &str) {
    let text = std::fs::read_to_string(dir().join(expected_file)).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    if actual == &expected {
        return;
    }
    let mut report = String::new();
    if let (Some(a), Some(e)) = (actual.as_object(), expected.as_object()) {
        for (key, want) in e {
            let got = a.get(key).unwrap_or(&serde_json::Value::Null);
            if got != want {
                report.push_str(&format!("  {key}:\n    got  {got}\n    want {want}\n"));
            }
        }
        for key in a.keys().filter(|k| !e.contains_key(*k)) {
            report.push_str(&format!("  {key}: not expected\n"));
        }
    } else {
        report = format!("got {actual}");
    }
    panic!("{name} differs from {expected_file}\n{report}");
}

#[test]
fn bridge_behaves_like_undici_7_for_adaptors() {
    let data = run_job("job.js");
    assert_sections("probe", &data, "expected.json");
}

#[test]
fn bridge_behaves_like_undici_5_for_adaptors() {
    let data = run_job("job5.js");
    assert_sections("probe5", &data, "expected-5.json");
}

#[test]
fn network_dispatchers_drive_the_engine_http_ops() {
    let data = run_job("net-job.js");
    if data == serde_json::json!("engine ops present") {
        // The stand-in is only installed when the engine has no HTTP ops of its own.
        return;
    }
    assert_sections("netProbe", &data, "net.expected.json");
}

/// `../shared/probes` (or `$FNHOST_PROBES_DIR`), when its packages are installed.
fn probes_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("FNHOST_PROBES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/probes"));
    dir.join("node_modules/@openfn/language-common")
        .is_dir()
        .then_some(dir)
}

/// Canonical form of a final state, as the probes' `run-probe.mjs` writes it: `configuration`
/// dropped, keys sorted, two-space JSON plus a newline. The OpenFn CLI (and fnhost) start from
/// `{data: {}}` when the input state has no `data`, where run-probe.mjs starts from `{}`; that
/// default is dropped again.
fn canonical(mut state: serde_json::Value, input_had_data: bool) -> String {
    fn sort(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sort(v))).collect())
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(sort).collect())
            }
            other => other,
        }
    }
    if let Some(obj) = state.as_object_mut() {
        obj.remove("configuration");
        if !input_had_data && obj.get("data") == Some(&serde_json::json!({})) {
            obj.remove("data");
        }
    }
    serde_json::to_string_pretty(&sort(state)).unwrap() + "\n"
}

/// Runs a precompiled probe job. `fnhost execute` compiles what it runs, and OpenFn's compiler
/// turns bare top-level calls (probe 12 has some) into operations, so the job run is a
/// one-operation wrapper that imports the probe module and applies run-probe.mjs's semantics:
/// `(probe.execute ?? defaultExecute)(...probe.default)(state0)`.
fn run_probe(probes: &Path, name: &str) {
    let tmp =
        std::env::temp_dir().join(format!("fnhost-undici-probe-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let job_path = probes.join("jobs").join(format!("{name}.js"));
    let wrapper = tmp.join("job.js");
    std::fs::write(
        &wrapper,
        format!(
            "import * as probe from {};\nexport default [state => (probe.execute ?? ((...ops) => s => ops.reduce((p, op) => p.then(op), Promise.resolve(s))))(...probe.default)(state)];\n",
            serde_json::to_string(&job_path.to_string_lossy()).unwrap()
        ),
    )
    .unwrap();
    let state_file = probes.join("jobs").join(format!("{name}.state.json"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
    cmd.env_remove("FNHOST_REPO_DIR")
        .env("TZ", "UTC")
        .arg("execute")
        .arg(&wrapper)
        .arg("--repo-dir")
        .arg(probes)
        .args(["--no-autoinstall", "-O", "--log", "none"]);
    let input_had_data = if state_file.is_file() {
        cmd.arg("-s").arg(&state_file);
        let text = std::fs::read_to_string(&state_file).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["data"] != serde_json::Value::Null
    } else {
        cmd.args(["-S", "{}"]);
        false
    };
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: output is not JSON ({e})\n{stderr}"));
    let expected =
        std::fs::read_to_string(probes.join("expected").join(format!("{name}.json"))).unwrap();
    assert_eq!(
        canonical(state, input_had_data),
        expected,
        "{name}\n{stderr}"
    );
}

#[test]
fn probes_with_undici_mock_agents_match_node() {
    let Some(probes) = probes_dir() else {
        eprintln!("skipped: no probes with node_modules (run `npm install` in a copy of ../shared/probes and set FNHOST_PROBES_DIR)");
        return;
    };
    for name in [
        "06-common-http-mock",
        "09-undici-direct-mockagent",
        "11-http-request-mock",
        "12-collections-mock",
    ] {
        run_probe(&probes, name);
    }
}
