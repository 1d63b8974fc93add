//! cargo run --release --example bench -- <xml file> <options json> <4|5> [out.json]
//! Prints the best-of-3 time of fxp_parse and the process's peak RSS (VmHWM).
use fxp_parse::{FxpVersion, fxp_parse};
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let xml = std::fs::read_to_string(&a[1]).unwrap();
    let v = if a[3] == "4" { FxpVersion::V4 } else { FxpVersion::V5 };
    let mut best = f64::MAX;
    let mut out = String::new();
    for _ in 0..3 {
        let t = Instant::now();
        out = fxp_parse(&xml, &a[2], v).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
    }
    if let Some(p) = a.get(4) {
        std::fs::write(p, &out).unwrap();
    }
    let hwm = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
        .unwrap_or(0);
    println!(
        "{{\"ms\":{:.1},\"outBytes\":{},\"peakRssMB\":{:.1}}}",
        best * 1000.0,
        out.len(),
        hwm as f64 / 1024.0
    );
}
