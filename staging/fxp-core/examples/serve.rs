//! Line protocol for bridge-check.mjs: one JSON request per stdin line, one JSON answer per line.
//! {"op":"parse","xml":..,"opts":"<options json>","v":4|5} → {"ok":"<json text>"} | {"kind":"parse"|"unsupported","message":..}
//! {"op":"validate",..} → {"ok":"<json text>"} | {"kind":"unsupported"}
use fxp_core::{FxpErrorKind, FxpVersion, fxp_parse_json, fxp_validate_json};
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
            match fxp_validate_json(xml, opts, v) {
                Some(s) => json!({ "ok": s }),
                None => json!({ "kind": "unsupported", "message": "validator" }),
            }
        } else {
            match fxp_parse_json(xml, opts, v) {
                Ok(s) => json!({ "ok": s }),
                Err(e) => json!({
                    "kind": if e.kind == FxpErrorKind::Parse { "parse" } else { "unsupported" },
                    "message": e.message
                }),
            }
        };
        writeln!(out, "{ans}").unwrap();
        out.flush().unwrap();
    }
}
