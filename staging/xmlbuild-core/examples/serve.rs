//! Line protocol for bridge-check.mjs / bench.mjs: one JSON request per stdin line, one JSON answer per line.
//! {"op":"j2x","root":..,"obj":"<json>","opts":"<json>"} | {"op":"x2j","obj":..,"opts":..}
//! → {"ok":"<xml>"} | {"kind":"invalid"|"unsupported","message":..}
use serde_json::{Value, json};
use std::io::{BufRead, Write};
use xmlbuild_core::{BuildErrorKind, js2xml_parse, xml2js_build};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let req: Value = serde_json::from_str(&line).unwrap();
        let obj = req["obj"].as_str().unwrap_or("null");
        let opts = req["opts"].as_str().unwrap_or("{}");
        let r = if req["op"] == "j2x" {
            js2xml_parse(req["root"].as_str().unwrap_or(""), obj, opts)
        } else {
            xml2js_build(obj, opts)
        };
        let ans = match r {
            Ok(s) => json!({ "ok": s }),
            Err(e) => json!({
                "kind": if e.kind == BuildErrorKind::Invalid { "invalid" } else { "unsupported" },
                "message": e.message
            }),
        };
        writeln!(out, "{ans}").unwrap();
        out.flush().unwrap();
    }
}
