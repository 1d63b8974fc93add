//! JSON-lines server for bridge-check.mjs / bench.mjs: each stdin line is
//! `{"root": "...", "obj": "<JSON.stringify(object)>", "opts": "<JSON.stringify(options)>"}`;
//! each answer line is `{"ok": "<xml>"}` or `{"err": {"kind": "invalid"|"unsupported",
//! "class": "Error", "message": "..."}}`.
use js2xml_build::{BuildErrorKind, js2xml_parse};
use serde_json::{Value, json};
use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        if line.is_empty() {
            continue;
        }
        let req: Value = serde_json::from_str(&line).expect("request JSON");
        let root = req["root"].as_str().unwrap_or("");
        let obj = req["obj"].as_str().unwrap_or("null");
        let opts = req["opts"].as_str().unwrap_or("{}");
        let ans = match js2xml_parse(root, obj, opts) {
            Ok(x) => json!({ "ok": x }),
            Err(e) => json!({ "err": {
                "kind": if e.kind == BuildErrorKind::Invalid { "invalid" } else { "unsupported" },
                "class": e.error_class(),
                "message": e.message,
            }}),
        };
        serde_json::to_writer(&mut out, &ans).unwrap();
        out.write_all(b"\n").unwrap();
        out.flush().unwrap();
    }
}
