//! The XML bridges (adaptors/xml2js over src/ops/xml): each `tests/xml/<name>.js` job runs its
//! cases (`tests/xml/cases/`, imported as the package `xml-cases`) through the bridge and through
//! the real npm package on fnhost (`--no-bridge`); both must give what Node gave with the real
//! package (`<name>.expected.json`, written by `node tests/xml/make-expected.mjs`).
//! Also: the bridge answers without loading the real package for what it covers, runs the real
//! package for what it does not, and stands aside for versions it does not reproduce.

use std::path::{Path, PathBuf};

use super::support::{copy_dir, fnhost, npm_prepared, section_diff, TempDir};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/xml")
}

/// The npm fixture (real packages) with a fresh copy of the cases package in it.
fn packages() -> PathBuf {
    let packages = npm_prepared(&dir(), "fnhost-xml", "node_modules/xml2js/package.json");
    let cases = packages.join("node_modules/xml-cases");
    let _ = std::fs::remove_dir_all(&cases);
    copy_dir(&dir().join("cases"), &cases);
    packages
}

/// Runs `job` with `repo` as the adaptor repository; returns (exit code, final state, stderr).
fn run(job: &Path, repo: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let work = TempDir::new("xml-state");
    let state = work.write("state.json", r#"{"configuration":{},"data":{}}"#);
    let out = fnhost()
        .env("FNHOST_REPO_DIR", repo)
        .arg(job)
        .arg("-s")
        .arg(&state)
        .args(["-O", "--log", "default"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let state: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), state, stderr)
}

fn matches_node(name: &str, extra: &[&str]) {
    let (code, state, stderr) = run(&dir().join(format!("{name}.js")), &packages(), extra);
    assert_eq!(code, Some(0), "{name} {extra:?}: {stderr}");
    assert!(state.get("errors").is_none(), "{name} {extra:?}: {state}");
    let data = &state["data"];
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join(format!("{name}.expected.json"))).unwrap(),
    )
    .unwrap();
    let report = section_diff(data, &expected);
    assert!(
        report.is_empty(),
        "{name} {extra:?}: differs from Node\n{report}\n{stderr}"
    );
}

#[test]
fn xml2js_bridge_matches_node() {
    matches_node("xml2js", &[]);
}

#[test]
fn xml2js_on_fnhost_without_the_bridge_matches_node() {
    matches_node("xml2js", &["--no-bridge", "xml2js"]);
}

/// A job parsing with options the bridge covers, and one with a processor (which it runs on
/// the real package).
const COVERED: &str = r#"import xml2js from "xml2js";
export default [async (state) => {
  state.data.plain = await xml2js.parseStringPromise('<r a="1"><b>x</b><b/></r>', { explicitArray: false, mergeAttrs: true });
  return state;
}];
"#;
const PROCESSOR: &str = r#"import xml2js from "xml2js";
export default [async (state) => {
  state.data.numbers = await xml2js.parseStringPromise('<r><b>12</b></r>', { valueProcessors: [xml2js.processors.parseNumbers] });
  return state;
}];
"#;

#[test]
fn the_bridge_needs_the_real_package_only_for_what_it_does_not_cover() {
    let work = TempDir::new("xml-sabotaged");
    let repo = work.0.join("repo");
    copy_dir(&packages(), &repo);
    // the real package can no longer be loaded: what still works is the bridge's own work
    std::fs::write(
        repo.join("node_modules/xml2js/lib/xml2js.js"),
        "throw new Error('the real xml2js was loaded');\n",
    )
    .unwrap();
    let covered = work.write("covered.js", COVERED);
    let processor = work.write("processor.js", PROCESSOR);

    let loaded_real = |state: &serde_json::Value| {
        state["errors"]
            .to_string()
            .contains("the real xml2js was loaded")
    };
    let (code, state, stderr) = run(&covered, &repo, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!loaded_real(&state), "{state}");
    assert_eq!(
        state["data"]["plain"],
        serde_json::json!({ "r": { "a": "1", "b": ["x", ""] } })
    );

    let (_, state, _) = run(&processor, &repo, &[]);
    assert!(loaded_real(&state), "{state}");

    // a sax the bridge does not reproduce: the real package serves every call
    let sax = repo.join("node_modules/sax/package.json");
    let manifest = std::fs::read_to_string(&sax)
        .unwrap()
        .replace("\"version\": \"1.6.1\"", "\"version\": \"1.2.4\"");
    std::fs::write(&sax, manifest).unwrap();
    let (_, state, stderr) = run(&covered, &repo, &[]);
    assert!(
        loaded_real(&state) || stderr.contains("the real xml2js was loaded"),
        "{state}\n{stderr}"
    );
}
