//! Differential test: fxp_parse / fxp_validate against the real fast-xml-parser 4.5.x
//! and 5.12.1 outputs written by `node make-expected.mjs` into expected/cases.json.
//! Counts: identical, fallback (Unsupported: the bridge runs the real package), different.

use fxp_parse::{ParseErrorKind, FxpVersion, fxp_parse, fxp_validate};
use serde_json::Value;
use std::path::Path;

fn hash(s: &str) -> String {
    let (mut h1, mut h2): (u32, u32) = (0x811c9dc5, 0x01000193 ^ 0x5bd1e995);
    for &b in s.as_bytes() {
        h1 = (h1 ^ b as u32).wrapping_mul(0x01000193);
        h2 = (h2 ^ b as u32).wrapping_mul(0x5bd1e995);
    }
    format!("{h1:08x}{h2:08x}")
}

#[test]
fn differential() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("expected");
    let Ok(text) = std::fs::read_to_string(dir.join("cases.json")) else {
        eprintln!("expected/cases.json missing: run `node make-expected.mjs`");
        return;
    };
    let c: Value = serde_json::from_str(&text).unwrap();
    let docs = c["docs"].as_object().unwrap();
    let mut big = std::collections::HashMap::new();
    for b in c["big"].as_array().unwrap() {
        let n = b.as_str().unwrap();
        if let Ok(x) = std::fs::read_to_string(dir.join(format!("{n}.xml"))) {
            big.insert(n.to_string(), x);
        }
    }
    let (mut same, mut fallback, mut diff) = (0, 0, 0);
    let mut fallbacks: std::collections::BTreeMap<String, usize> = Default::default();
    let mut report = Vec::new();
    for e in c["parse"].as_array().unwrap() {
        let dn = e["doc"].as_str().unwrap();
        let xml = match docs.get(dn) {
            Some(x) => x.as_str().unwrap().to_string(),
            None => match big.get(dn) {
                Some(x) => x.clone(),
                None => continue,
            },
        };
        let on = e["opts"].as_str().unwrap();
        let opts = c["options"][on].as_str().unwrap();
        let v = if e["v"] == 4 { FxpVersion::V4 } else { FxpVersion::V5 };
        let got = fxp_parse(&xml, opts, v);
        let label = format!("{dn} × {on} × v{}", e["v"]);
        let ok = match (&got, e.get("out"), e.get("hash"), e.get("throw")) {
            (Err(err), _, _, _) if err.kind == ParseErrorKind::Unsupported => {
                fallback += 1;
                *fallbacks.entry(err.message.clone()).or_default() += 1;
                continue;
            }
            (Ok(s), Some(out), _, _) => s == out.as_str().unwrap(),
            (Ok(s), None, Some(h), _) => hash(s) == h.as_str().unwrap() && s.encode_utf16().count() as u64 == e["len"].as_u64().unwrap(),
            (Err(err), _, _, Some(t)) => e["cls"] == "Error" && err.message == t.as_str().unwrap(),
            _ => false,
        };
        if ok {
            same += 1;
        } else {
            diff += 1;
            let exp = e
                .get("out")
                .map(|x| x.to_string())
                .unwrap_or_else(|| format!("throw {} {}", e["cls"], e["throw"]));
            let g = match &got {
                Ok(s) => s.clone(),
                Err(er) => format!("{er}"),
            };
            report.push(format!("DIFF {label}\n  expected: {}\n  got:      {}", trunc(&exp), trunc(&g)));
        }
    }
    let (mut vsame, mut vdiff, mut vfall) = (0, 0, 0);
    for e in c["validate"].as_array().unwrap() {
        let dn = e["doc"].as_str().unwrap();
        let xml = match docs.get(dn) {
            Some(x) => x.as_str().unwrap().to_string(),
            None => match big.get(dn) {
                Some(x) => x.clone(),
                None => continue,
            },
        };
        let on = e["opts"].as_str().unwrap();
        let opts = c["validatorOptions"][on].as_str().unwrap();
        let v = if e["v"] == 4 { FxpVersion::V4 } else { FxpVersion::V5 };
        match fxp_validate(&xml, opts, v) {
            Err(_) => vfall += 1,
            Ok(s) if Some(s.as_str()) == e["out"].as_str() => vsame += 1,
            Ok(s) => {
                vdiff += 1;
                report.push(format!(
                    "VDIFF {dn} × {on} × v{}\n  expected: {}\n  got:      {}",
                    e["v"], e["out"], s
                ));
            }
        }
    }
    for r in &report {
        eprintln!("{r}");
    }
    eprintln!("fallback reasons: {fallbacks:#?}");
    eprintln!(
        "parse: {} cases: identical {same}, fallback {fallback}, different {diff}",
        same + fallback + diff
    );
    eprintln!(
        "validate: {} cases: identical {vsame}, fallback {vfall}, different {vdiff}",
        vsame + vfall + vdiff
    );
    assert_eq!(diff + vdiff, 0, "differences found");
}

fn trunc(s: &str) -> String {
    if s.len() > 400 {
        format!("{}… ({} bytes)", &s[..s.floor_char_boundary(400)], s.len())
    } else {
        s.to_string()
    }
}
