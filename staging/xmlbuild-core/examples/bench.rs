//! Rust side of bench.mjs: reads the JSON the bridge produced (`<dir>/<lib>.obj.json`,
//! `<dir>/<lib>.opts.json`, root in `<dir>/<lib>.root`), runs the builder `runs` times, checks the
//! output against the real package's (`<dir>/<lib>.real.xml`) and prints best/median time and peak RSS.
//! usage: bench <dir> <j2x|x2j> [runs]
use std::time::Instant;
use xmlbuild_core::{js2xml_parse, xml2js_build};

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap()))
        .unwrap_or(0)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (dir, lib) = (&a[1], &a[2]);
    let runs: usize = a.get(3).map_or(5, |r| r.parse().unwrap());
    let obj = std::fs::read_to_string(format!("{dir}/{lib}.obj.json")).unwrap();
    let opts = std::fs::read_to_string(format!("{dir}/{lib}.opts.json")).unwrap();
    let root = std::fs::read_to_string(format!("{dir}/{lib}.root")).unwrap_or_default();
    let expected = std::fs::read_to_string(format!("{dir}/{lib}.real.xml")).ok();
    let mut times = Vec::new();
    let mut out = String::new();
    for _ in 0..runs {
        let t = Instant::now();
        out = if lib == "j2x" { js2xml_parse(&root, &obj, &opts) } else { xml2js_build(&obj, &opts) }.expect("build");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|x, y| x.partial_cmp(y).unwrap());
    let t = Instant::now();
    let v: serde_json::Value = serde_json::from_str(&obj).unwrap();
    let parse_ms = t.elapsed().as_secs_f64() * 1000.0;
    drop(v);
    let same = expected.as_deref().map(|e| e == out);
    println!(
        "{{\"lib\":\"{lib}\",\"json_mb\":{:.1},\"xml_mb\":{:.1},\"best_ms\":{:.1},\"median_ms\":{:.1},\"peak_rss_mb\":{:.0},\"json_parse_ms\":{:.1},\"identical\":{}}}",
        obj.len() as f64 / 1e6,
        out.len() as f64 / 1e6,
        times[0],
        times[times.len() / 2],
        peak_rss_kb() as f64 / 1024.0,
        parse_ms,
        same.map_or("null".into(), |b| b.to_string())
    );
}
