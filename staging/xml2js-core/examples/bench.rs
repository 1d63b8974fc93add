//! Times `xml2js_json` on one document.
//!
//! ```text
//! node bench.mjs gen /tmp/xmlcore-bench.xml 20000000      # make a ~20 MB document
//! cargo run --release --example bench -- /tmp/xmlcore-bench.xml /tmp/xmlcore-bench.rust.json
//! node bench.mjs node /tmp/xmlcore-bench.xml /tmp/xmlcore-bench.rust.json
//! ```
use std::time::Instant;

use xmlcore::{Xml2jsOptions, xml2js_json, xml2js_json_fast_only, xml2js_json_scanner_only};

fn main() {
    let mut args = std::env::args().skip(1);
    let input = args.next().expect("usage: bench INPUT.xml [OUTPUT.json]");
    let output = args.next();
    let xml = std::fs::read_to_string(&input).unwrap();
    let opts = Xml2jsOptions::default();
    assert!(
        xml2js_json_fast_only(&xml, &opts).is_some(),
        "benchmark document should take the fast path"
    );

    let time = |label: &str, f: &dyn Fn() -> String| {
        let mut times = Vec::new();
        let mut out = String::new();
        for _ in 0..5 {
            let t = Instant::now();
            out = f();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label:<28} {:>6.1} MB in → {:>6.1} MB JSON: min {:>7.1} ms, median {:>7.1} ms ({:.0} MB/s)",
            xml.len() as f64 / 1e6,
            out.len() as f64 / 1e6,
            times[0],
            times[2],
            xml.len() as f64 / 1e6 / (times[0] / 1000.0)
        );
        out
    };
    let out = time("xml2js_json (quick-xml)", &|| xml2js_json(&xml, &opts).unwrap());
    let scanner = time("scanner only (fallback)", &|| {
        xml2js_json_scanner_only(&xml, &opts).unwrap()
    });
    assert_eq!(out, scanner);
    if let Some(path) = output {
        std::fs::write(path, out).unwrap();
    }
}
