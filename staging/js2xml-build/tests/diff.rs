//! Differential test: every case of tests/expected.json (and tests/expected-big.json when it
//! exists) must give the real js2xmlparser's output or throw, or be Unsupported.
//! Regenerate with `node make-expected.mjs` (real packages in /tmp/js2xml-ref/node_modules).
use js2xml_build::{BuildErrorKind, js2xml_parse};
use serde_json::Value;

fn run(file: &str, required: bool) -> (usize, usize, Vec<String>) {
    let path = format!("{}/tests/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) if !required => {
            eprintln!("{path} missing: run `node make-expected.mjs` for the big cases");
            return (0, 0, Vec::new());
        }
        Err(e) => panic!("{path}: {e}"),
    };
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let (mut same, mut unsupported, mut diffs) = (0, 0, Vec::new());
    for c in &cases {
        let name = c["name"].as_str().unwrap();
        let got = js2xml_parse(
            c["root"].as_str().unwrap(),
            c["obj"].as_str().unwrap(),
            c["opts"].as_str().unwrap(),
        );
        let exp = &c["expect"];
        let ok = match (&got, exp.get("ok"), exp.get("throws")) {
            (Err(e), _, _) if e.kind == BuildErrorKind::Unsupported => {
                unsupported += 1;
                eprintln!("unsupported: {name}: {}", e.message);
                continue;
            }
            (Ok(x), Some(Value::String(want)), _) => x == want,
            (Err(e), _, Some(t)) => {
                t["class"].as_str() == Some(e.error_class())
                    && t["message"].as_str() == Some(e.message.as_str())
            }
            _ => false,
        };
        if ok {
            same += 1;
        } else {
            let g = format!("{got:?}");
            let w = exp.to_string();
            diffs.push(format!(
                "{name}:\n  got  {}\n  want {}",
                &g[..g.len().min(600)],
                &w[..w.len().min(600)]
            ));
        }
    }
    (same, unsupported, diffs)
}

#[test]
fn differential() {
    let (s1, u1, mut d) = run("expected.json", true);
    let (s2, u2, d2) = run("expected-big.json", false);
    d.extend(d2);
    eprintln!(
        "identical: {}, unsupported: {}, different: {}",
        s1 + s2,
        u1 + u2,
        d.len()
    );
    assert!(d.is_empty(), "{} differences:\n{}", d.len(), d.join("\n"));
}
