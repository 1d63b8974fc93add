//! The XML bridges (adaptors/xml2js, adaptors/fast-xml-parser over src/ops/xml): each
//! `tests/xml/<name>.js` job runs its cases (`tests/xml/cases/`, imported as the package
//! `xml-cases`) through the bridge and through the real npm package on fnhost (`--no-bridge`);
//! both must give what Node gave with the real package (`<name>[.v4].expected.json`, written by
//! `node tests/xml/make-expected.mjs`; fixtures: `tests/xml` and `tests/xml/v4`).
//! Also: the bridge answers without loading the real package for what it covers, runs the real
//! package for what it does not, and stands aside for versions it does not reproduce.

use std::path::{Path, PathBuf};

use super::support::{copy_dir, fnhost, npm_prepared, section_diff, TempDir};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/xml")
}

/// The npm fixture (real packages) with a fresh copy of the cases package in it.
fn packages() -> PathBuf {
    fixture("", "node_modules/xml2js/package.json")
}

/// The fast-xml-parser 4 fixture (`tests/xml/v4`).
fn packages_v4() -> PathBuf {
    fixture("v4", "node_modules/fast-xml-parser/package.json")
}

fn fixture(sub: &str, installed: &str) -> PathBuf {
    let name = format!("fnhost-xml{}", if sub.is_empty() { "" } else { "-v4" });
    let packages = npm_prepared(&dir().join(sub), &name, installed);
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
    matches_node_in(name, "", &packages(), extra);
}

fn matches_node_in(name: &str, suffix: &str, packages: &Path, extra: &[&str]) {
    let (code, state, stderr) = run(&dir().join(format!("{name}.js")), packages, extra);
    assert_eq!(code, Some(0), "{name} {extra:?}: {stderr}");
    assert!(state.get("errors").is_none(), "{name} {extra:?}: {state}");
    let data = &state["data"];
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join(format!("{name}{suffix}.expected.json"))).unwrap(),
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

#[test]
fn fast_xml_parser_5_builder_bridge_matches_node() {
    matches_node("fxp_builder", &[]);
}

#[test]
fn fast_xml_parser_4_builder_bridge_matches_node() {
    matches_node_in("fxp_builder", ".v4", &packages_v4(), &[]);
}

#[test]
fn fast_xml_parser_4_and_5_without_the_bridge_match_node() {
    matches_node("fxp_builder", &["--no-bridge", "fast-xml-parser"]);
    matches_node_in(
        "fxp_builder",
        ".v4",
        &packages_v4(),
        &["--no-bridge", "fast-xml-parser"],
    );
}

#[test]
fn fast_xml_parser_5_parser_bridge_matches_node() {
    matches_node("fxp_parser", &[]);
}

#[test]
fn fast_xml_parser_4_parser_bridge_matches_node() {
    matches_node_in("fxp_parser", ".v4", &packages_v4(), &[]);
}

#[test]
fn fast_xml_parser_4_and_5_parsers_without_the_bridge_match_node() {
    matches_node("fxp_parser", &["--no-bridge", "fast-xml-parser"]);
    matches_node_in(
        "fxp_parser",
        ".v4",
        &packages_v4(),
        &["--no-bridge", "fast-xml-parser"],
    );
}

/// A parse and a validation with plain options, and a parse with a function option (which the
/// bridge leaves to the real package).
const FXP_PARSES: &str = r#"import { XMLParser, XMLValidator } from "fast-xml-parser";
export default [(state) => {
  const xml = '<r id="7"><a>1</a><a>x</a></r>';
  state.data.plain = new XMLParser({ ignoreAttributes: false }).parse(xml);
  state.data.valid = XMLValidator.validate("<r><a></r>");
  state.data.processed = new XMLParser({ isArray: () => true }).parse(xml);
  return state;
}];
"#;

#[test]
fn the_fast_xml_parser_bridge_parses_without_the_real_parser() {
    let work = TempDir::new("fxp-parse-sabotaged");
    let job = work.write("job.js", FXP_PARSES);
    let sabotage = "the real XMLParser ran";
    let parse_v5 = ("parse(xmlData, validationOption) {", "");
    let parse_v4 = ("parse(xmlData,validationOption){", "");
    let validate_v5 = ("export function validate(xmlData, options) {", "");
    let validate_v4 = ("exports.validate = function (xmlData, options) {", "");
    for (fixture, edits) in [
        (packages(), [parse_v5, validate_v5]),
        (packages_v4(), [parse_v4, validate_v4]),
    ] {
        let repo = work.0.join(format!(
            "repo-{}",
            fixture.file_name().unwrap().to_string_lossy()
        ));
        copy_dir(&fixture, &repo);
        // the real parse and validate throw as soon as they run
        for ((head, _), file) in edits.iter().zip([
            "node_modules/fast-xml-parser/src/xmlparser/XMLParser.js",
            "node_modules/fast-xml-parser/src/validator.js",
        ]) {
            let path = repo.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains(head), "{file}");
            let text = text.replacen(head, &format!("{head} throw new Error('{sabotage}');"), 1);
            std::fs::write(&path, text).unwrap();
        }
        let (code, state, stderr) = run(&job, &repo, &[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(
            state["data"]["plain"],
            serde_json::json!({ "r": { "a": [1, "x"], "@_id": "7" } }),
            "{state}"
        );
        assert_eq!(
            state["data"]["valid"]["err"]["code"], "InvalidTag",
            "{state}"
        );
        let errors = state["errors"].to_string();
        assert!(errors.contains(sabotage), "{state}");
        assert!(state["data"].get("processed").is_none(), "{state}");
    }
}

/// A build with plain data, and one with a function option (which the bridge leaves to the real
/// package).
const FXP_BUILDS: &str = r#"import { XMLBuilder } from "fast-xml-parser";
export default [(state) => {
  const obj = { root: { "@_id": "1", item: ["a", "b"], n: 2 } };
  state.data.plain = new XMLBuilder({ ignoreAttributes: false }).build(obj);
  state.data.processed = new XMLBuilder({ tagValueProcessor: (name, value) => value }).build(obj);
  return state;
}];
"#;

#[test]
fn the_fast_xml_parser_bridge_builds_without_the_real_builder() {
    let work = TempDir::new("fxp-sabotaged");
    let job = work.write("job.js", FXP_BUILDS);
    let sabotage = "the real XMLBuilder ran";
    for (fixture, file, text) in [
        (
            packages(),
            "node_modules/fast-xml-builder/src/fxb.js",
            format!("export default class {{ constructor() {{ throw new Error('{sabotage}'); }} }}\n"),
        ),
        (
            packages_v4(),
            "node_modules/fast-xml-parser/src/xmlbuilder/json2xml.js",
            format!("module.exports = class {{ constructor() {{ throw new Error('{sabotage}'); }} }};\n"),
        ),
    ] {
        let repo = work.0.join(format!("repo-{}", fixture.file_name().unwrap().to_string_lossy()));
        copy_dir(&fixture, &repo);
        std::fs::write(repo.join(file), text).unwrap();
        let (code, state, stderr) = run(&job, &repo, &[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(
            state["data"]["plain"],
            r#"<root id="1"><item>a</item><item>b</item><n>2</n></root>"#,
            "{state}"
        );
        let errors = state["errors"].to_string();
        assert!(errors.contains(sabotage), "{state}");
        assert!(state["data"].get("processed").is_none(), "{state}");
    }
}

#[test]
fn a_relative_repo_dir_names_the_same_packages() {
    let packages = packages_v4();
    let work = TempDir::new("xml-relative-repo");
    let job = work.write("job.js", FXP_BUILDS);
    let state = work.write("state.json", r#"{"configuration":{},"data":{}}"#);
    for repo in [".", "./", "../fnhost-xml-v4/.", "./node_modules/.."] {
        let out = fnhost()
            .current_dir(&packages)
            .env("FNHOST_REPO_DIR", repo)
            .arg(&job)
            .arg("-s")
            .arg(&state)
            .args(["-O", "--log", "default"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert!(
            state["data"]["plain"].is_string(),
            "FNHOST_REPO_DIR={repo}: {stderr}"
        );
    }
}

/// An installed adaptor whose module graph imports both XML bridges: its per-adaptor snapshot
/// holds them (the fast-xml-parser bridge has loaded the real package by then), and runs from
/// that snapshot give what Node gives.
#[test]
fn an_adaptor_snapshot_holds_the_xml_bridges() {
    let work = TempDir::new("xml-adaptor-snapshot");
    let adaptor = work
        .0
        .join("repo/node_modules/@openfn/language-xmltest_1.0.0");
    copy_dir(
        &packages().join("node_modules"),
        &adaptor.join("node_modules"),
    );
    let _ = std::fs::remove_dir_all(adaptor.join("node_modules/xml-cases"));
    std::fs::write(
        adaptor.join("package.json"),
        r#"{"name":"@openfn/language-xmltest","version":"1.0.0","type":"module","main":"index.js"}"#,
    )
    .unwrap();
    std::fs::write(
        adaptor.join("index.js"),
        r#"import xml2js from "xml2js";
import { XMLBuilder } from "fast-xml-parser";
export function toObject(xml) { return (state) => xml2js.parseStringPromise(xml).then((obj) => ({ ...state, obj })); }
export function toXml() { return (state) => ({ ...state, xml: new XMLBuilder({ ignoreAttributes: false }).build(state.obj) }); }
export function execute(...ops) { return (state) => ops.reduce((p, op) => p.then(op), Promise.resolve(state)); }
"#,
    )
    .unwrap();
    let job = work.write(
        "job.js",
        "toObject('<r a=\"1\"><b>x</b><b>y</b></r>');\ntoXml();\n",
    );
    for extra in [
        &[][..],
        &[][..],
        &["--no-bridge", "xml2js", "--no-bridge", "fast-xml-parser"][..],
    ] {
        let out = fnhost()
            .arg(&job)
            .args(["-a", "xmltest@1.0.0", "--repo-dir"])
            .arg(work.0.join("repo"))
            .args(["--no-autoinstall", "-O", "--log", "none"])
            .args(extra)
            .env("FNHOST_SNAPSHOT_DIR", work.0.join("snapshots"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        // what Node gives for the same two calls
        assert_eq!(
            state["obj"],
            serde_json::json!({ "r": { "$": { "a": "1" }, "b": ["x", "y"] } }),
            "{extra:?}: {stderr}"
        );
        assert_eq!(
            state["xml"], "<r><$><a>1</a></$><b>x</b><b>y</b></r>",
            "{extra:?}"
        );
    }
    let snapshots: Vec<String> = std::fs::read_dir(work.0.join("snapshots"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        snapshots.iter().any(|n| n.ends_with(".bin")),
        "{snapshots:?}"
    );
}

// js2xmlparser 5.0 (adaptors/js2xmlparser) and xml2js 0.6's Builder (adaptors/xml2js/builder.js),
// building in Rust (src/ops/xml/js2xmlparser.rs, xml2js_build.rs): tests/xml/js2xmlparser.js and
// tests/xml/xml2js_builder.js over tests/xml/cases/builders.js.

#[test]
fn js2xmlparser_bridge_matches_node() {
    matches_node("js2xmlparser", &[]);
}

#[test]
fn js2xmlparser_on_fnhost_without_the_bridge_matches_node() {
    matches_node("js2xmlparser", &["--no-bridge", "js2xmlparser"]);
}

#[test]
fn xml2js_builder_bridge_matches_node() {
    matches_node("xml2js_builder", &[]);
}

#[test]
fn xml2js_builder_on_fnhost_without_the_bridge_matches_node() {
    matches_node("xml2js_builder", &["--no-bridge", "xml2js"]);
}

/// Builds the bridges cover, and ones they leave to the real package (a typeHandler, a Date).
const BUILDER_JOB: &str = r#"import { parse } from "js2xmlparser";
import xml2js from "xml2js";
export default [(state) => {
  const obj = { "@": { id: 1 }, item: ["a", "b"], n: 123456789012345680000 };
  state.data.js2xmlparser = parse("root", obj, { declaration: { include: false }, format: { pretty: false } });
  state.data.xml2js = new xml2js.Builder({ headless: true, renderOpts: { pretty: false } }).buildObject({ root: { $: { id: 1 }, item: ["a", "b"] } });
  try {
    state.data.handled = parse("root", obj, { typeHandlers: { "[object Number]": (n) => n + 1 } });
  } catch (e) {
    state.data.handled = e.message;
  }
  try {
    state.data.dated = new xml2js.Builder().buildObject({ root: { d: new Date(0) } });
  } catch (e) {
    state.data.dated = e.message;
  }
  return state;
}];
"#;

#[test]
fn the_builder_bridges_build_without_the_real_builders() {
    let work = TempDir::new("xml-builders-sabotaged");
    let repo = work.0.join("repo");
    copy_dir(&packages(), &repo);
    let j2x_main = repo.join("node_modules/js2xmlparser/lib/main.js");
    let mut main = std::fs::read_to_string(&j2x_main).unwrap();
    main.push_str(
        "\nexports.parse = function () { throw new Error('the real js2xmlparser ran'); };\n",
    );
    std::fs::write(&j2x_main, main).unwrap();
    std::fs::write(
        repo.join("node_modules/xml2js/lib/builder.js"),
        "exports.Builder = function () { this.buildObject = function () { throw new Error('the real xml2js Builder ran'); }; };\n",
    )
    .unwrap();
    let job = work.write("job.js", BUILDER_JOB);

    let (code, state, stderr) = run(&job, &repo, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let data = &state["data"];
    // what Node gives with the real packages
    assert_eq!(
        data["js2xmlparser"],
        "<root id='1'><item>a</item><item>b</item><n>123456789012345680000</n></root>",
        "{state}"
    );
    assert_eq!(
        data["xml2js"], r#"<root id="1"><item>a</item><item>b</item></root>"#,
        "{state}"
    );
    // what the bridges leave to the real package reached it
    assert_eq!(data["handled"], "the real js2xmlparser ran", "{state}");
    assert_eq!(data["dated"], "the real xml2js Builder ran", "{state}");

    // without the bridges the real (sabotaged) packages answer everything
    let (_, state, _) = run(
        &job,
        &repo,
        &["--no-bridge", "js2xmlparser", "--no-bridge", "xml2js"],
    );
    let errors = state["errors"].to_string();
    assert!(
        errors.contains("the real js2xmlparser ran")
            || errors.contains("the real xml2js Builder ran"),
        "{state}"
    );
}

/// js2xmlparser versions (or an xmlcreate) the bridge was not checked against get the real
/// package: 1.0.0 (what OpenFn's commcare adaptor resolves) is another library altogether.
#[test]
fn the_js2xmlparser_bridge_stands_aside_for_versions_it_does_not_reproduce() {
    let work = TempDir::new("xml-js2xmlparser-versions");
    let job = work.write("job.js", BUILDER_JOB);
    for (manifest, from, to) in [
        (
            "node_modules/js2xmlparser/package.json",
            "\"version\": \"5.0.0\"",
            "\"version\": \"1.0.0\"",
        ),
        (
            "node_modules/xmlcreate/package.json",
            "\"version\": \"2.0.4\"",
            "\"version\": \"2.0.3\"",
        ),
    ] {
        let repo = work
            .0
            .join(format!("repo-{}", manifest.split('/').nth(1).unwrap()));
        copy_dir(&packages(), &repo);
        let j2x_main = repo.join("node_modules/js2xmlparser/lib/main.js");
        let mut main = std::fs::read_to_string(&j2x_main).unwrap();
        main.push_str(
            "\nexports.parse = function () { throw new Error('the real js2xmlparser ran'); };\n",
        );
        std::fs::write(&j2x_main, main).unwrap();
        let text = std::fs::read_to_string(repo.join(manifest)).unwrap();
        assert!(text.contains(from), "{manifest}");
        std::fs::write(repo.join(manifest), text.replace(from, to)).unwrap();
        let (_, state, stderr) = run(&job, &repo, &[]);
        assert!(
            state["errors"]
                .to_string()
                .contains("the real js2xmlparser ran"),
            "{manifest}: {state}\n{stderr}"
        );
    }
}
