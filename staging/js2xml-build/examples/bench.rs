//! Times `js2xml_parse` on a JSON object file written by bench.mjs:
//! `bench <object.json> <root> [options.json] [expected.xml]`; prints the best of 5 runs, the
//! output size, whether it equals expected.xml, and the peak RSS (VmHWM).
use std::time::Instant;

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l[6..]
                    .trim()
                    .trim_end_matches(" kB")
                    .trim()
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let obj = std::fs::read_to_string(&a[1]).expect("object json");
    let root = &a[2];
    let opts = a
        .get(3)
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap_or_else(|| "{}".into());
    let mut best = f64::MAX;
    let mut out = String::new();
    for _ in 0..5 {
        let t = Instant::now();
        out = js2xml_build::js2xml_parse(root, &obj, &opts).expect("build");
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    let same = a.get(4).map(|p| std::fs::read_to_string(p).unwrap() == out);
    println!(
        "{{\"rust_ms\":{best:.1},\"xml_bytes\":{},\"identical\":{},\"rust_peak_rss_mb\":{:.1}}}",
        out.len(),
        same.map_or("null".to_string(), |b| b.to_string()),
        vm_hwm_kb() as f64 / 1024.0
    );
}
