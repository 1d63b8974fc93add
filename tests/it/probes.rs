//! The conformance probes in `../shared/probes` (see its README): precompiled jobs against
//! `@openfn/language-common`, `-http`, `-collections` and XML libraries, each with the final
//! state Node produces. fnhost must reproduce probes 01-15; 16 needs the `pg` bridge.
//!
//! The probes are module programs, not sandboxed OpenFn jobs: they run with `--no-compile
//! --no-sandbox --raw-state`, which is how the probe runner runs them in Node.

use std::path::PathBuf;
use std::process::Command;

use super::support::npm_prepared;

fn probes_source() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/probes")
}

/// A writable copy of the probes with their npm packages installed (kept between runs). Also
/// used by tests/it/undici.rs for language-http; the lock keeps concurrent callers from
/// installing at the same time.
pub(crate) fn prepared_probes() -> PathBuf {
    let source = probes_source();
    assert!(
        source.join("jobs").is_dir(),
        "the probes are expected at {}",
        source.display()
    );
    npm_prepared(
        &source,
        "fnhost-probes",
        "node_modules/@openfn/language-common",
    )
}

/// The probe runner's output form: keys sorted recursively, 2-space JSON, trailing newline.
fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

#[test]
fn probes_01_to_15_match_node() {
    let dir = prepared_probes();
    let mut failures = Vec::new();
    let mut ran = 0;
    for n in 1..=15 {
        let prefix = format!("{n:02}-");
        let job = std::fs::read_dir(dir.join("jobs"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|f| f.starts_with(&prefix) && f.ends_with(".js") && !f.ends_with(".state.json"))
            .unwrap_or_else(|| panic!("probe {n} is missing"));
        let name = job.trim_end_matches(".js");
        let state = std::fs::read_to_string(dir.join(format!("jobs/{name}.state.json")))
            .unwrap_or_else(|_| "{}".into());
        let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
            .arg(dir.join("jobs").join(&job))
            .arg("--repo-dir")
            .arg(&dir)
            .args([
                "-S",
                &state,
                "-O",
                "--log",
                "none",
                "--no-compile",
                "--no-sandbox",
                "--raw-state",
            ])
            .env("TZ", "UTC")
            .env_remove("FNHOST_REPO_DIR")
            .output()
            .unwrap();
        ran += 1;
        let expected = std::fs::read_to_string(dir.join(format!("expected/{name}.json"))).unwrap();
        let got = serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .map(|v| serde_json::to_string_pretty(&sorted(v)).unwrap() + "\n");
        match got {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!(
                "{name}: final state differs\n--- node\n{expected}--- fnhost\n{got}"
            )),
            Err(_) => failures.push(format!(
                "{name}: no final state\n{}",
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }
    assert_eq!(ran, 15);
    assert!(
        failures.is_empty(),
        "{} probe(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
