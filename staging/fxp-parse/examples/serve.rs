//! Line protocol for bridge-check.mjs: one JSON request per stdin line, one JSON answer per line.
//! {"op":"parse","xml":..,"opts":"<options json>","v":4|5} → {"ok":"<json text>"} | {"kind":"invalid"|"unsupported","message":..}
//! {"op":"validate",..} → {"ok":"<json text>"} | {"kind":"unsupported"}
use fxp_parse::{ParseErrorKind, FxpVersion, fxp_parse, fxp_validate};
use serde_json::{Value, json};
use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let req: Value = serde_json::from_str(&line).unwrap();
        let xml = req["xml"].as_str().unwrap_or("");
        let opts = req["opts"].as_str().unwrap_or("{}");
        let v = if req["v"] == 4 { FxpVersion::V4 } else { FxpVersion::V5 };
        let ans = if req["op"] == "validate" {
            match fxp_validate(xml, opts, v) {
                Ok(s) => json!({ "ok": s }),
                Err(e) => json!({ "kind": "unsupported", "message": e.message }),
            }
        } else {
            match fxp_parse(xml, opts, v) {
                Ok(s) => json!({ "ok": s }),
                Err(e) => json!({
                    "kind": if e.kind == ParseErrorKind::Invalid { "invalid" } else { "unsupported" },
                    "message": e.message
                }),
            }
        };
        writeln!(out, "{ans}").unwrap();
        out.flush().unwrap();
    }
}
