//! The six registry adaptors (language-common 3.3.4, -http 7.2.10, -fhir, -openmrs, -mssql,
//! -collections) and every module they export import without error, with the same export
//! names Node sees (`tests/adaptors/expected.json`, made by `make-expected.mjs`).

use std::path::PathBuf;

use super::support::{final_state, fnhost, npm_prepared};

/// A copy of tests/adaptors with its npm packages installed (kept between runs).
fn prepared() -> PathBuf {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/adaptors");
    npm_prepared(
        &source,
        "fnhost-adaptor-imports",
        "node_modules/@openfn/language-mssql",
    )
}

#[test]
fn six_registry_adaptors_import_with_nodes_export_names() {
    let dir = prepared();
    let out = fnhost()
        .arg(dir.join("import-all.js"))
        .arg("--repo-dir")
        .arg(&dir)
        .args(["--no-compile", "-O", "--log", "none"])
        .output()
        .unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert_eq!(final_state(&out)["data"], expected);
}
