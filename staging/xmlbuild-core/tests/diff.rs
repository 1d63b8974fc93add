//! Differential test: js2xml_parse / xml2js_build against the real js2xmlparser 5.0.0 and xml2js
//! 0.6.2 results written by `node make-expected.mjs` into expected/cases.json.
//! Counts: identical, fallback (Unsupported: the bridge runs the real package), different.

use serde_json::Value;
use std::path::Path;
use xmlbuild_core::{BuildErrorKind, js2xml_parse, xml2js_build};

fn trunc(s: &str) -> String {
    if s.chars().count() > 400 { format!("{}…", s.chars().take(400).collect::<String>()) } else { s.to_string() }
}

#[test]
fn differential() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("expected/cases.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("expected/cases.json missing: run `node make-expected.mjs`");
        return;
    };
    let c: Value = serde_json::from_str(&text).unwrap();
    let mut report = Vec::new();
    let mut total_diff = 0;
    for lib in ["j2x", "x2j"] {
        let (mut same, mut diff) = (0, 0);
        let mut fallbacks: Vec<String> = Vec::new();
        for e in c[lib].as_array().unwrap() {
            let obj = e["obj"].as_str().unwrap();
            let opts = e["opts"].as_str().unwrap();
            let got = if lib == "j2x" { js2xml_parse(e["root"].as_str().unwrap(), obj, opts) } else { xml2js_build(obj, opts) };
            let label = e["label"].as_str().unwrap();
            let ok = match (&got, e.get("out"), e.get("throw")) {
                (Err(err), _, _) if err.kind == BuildErrorKind::Unsupported => {
                    fallbacks.push(format!("{label}: {}", err.message));
                    continue;
                }
                (Ok(s), Some(out), _) => out.as_str() == Some(s.as_str()),
                (Err(err), None, Some(t)) => e["cls"] == "Error" && t.as_str() == Some(err.message.as_str()),
                _ => false,
            };
            if ok {
                same += 1;
            } else {
                diff += 1;
                let exp = match (e.get("out"), e.get("throw")) {
                    (Some(o), _) => o.as_str().unwrap_or("?").to_string(),
                    (_, Some(t)) => format!("throw {} {}", e["cls"], t),
                    _ => "?".into(),
                };
                let g = match &got {
                    Ok(s) => s.clone(),
                    Err(er) => format!("{er}"),
                };
                // Show both texts from a little before the first difference.
                let at = exp.char_indices().zip(g.chars()).find(|((_, a), b)| a != b).map_or(exp.len().min(g.len()), |((i, _), _)| i);
                let from = exp[..at].char_indices().rev().nth(60).map_or(0, |(i, _)| i);
                let gfrom = g.char_indices().map(|(i, _)| i).find(|&i| i >= from).unwrap_or(g.len());
                report.push(format!("DIFF {lib} {label}\n  expected: {:?}\n  got:      {:?}", trunc(&exp[from..]), trunc(&g[gfrom.min(g.len())..])));
            }
        }
        let bf = c["bridgeFallback"][lib].as_array().map_or(0, |a| a.len());
        eprintln!(
            "{lib}: {} cases sent to Rust: identical {same}, Rust fallback (Unsupported) {}, different {diff}; bridge fallback before Rust: {bf}",
            same + diff + fallbacks.len(),
            fallbacks.len()
        );
        for f in &fallbacks {
            eprintln!("  unsupported: {f}");
        }
        total_diff += diff;
    }
    for r in &report {
        eprintln!("{r}");
    }
    assert_eq!(total_diff, 0, "{} differences", total_diff);
}
