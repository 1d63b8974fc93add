// Benchmark: a ~20 MB XML document built from one object (many CommCare-style records) by
//   (a) the real package on Node (js2xmlparser 5.0.0 parse / xml2js 0.6.2 Builder.buildObject),
//   (b) the bridge's JS work (conversion walk + JSON.stringify + option encoding) on Node, plus
//   (c) the Rust builder (examples/bench.rs, on the JSON (b) produced), output checked identical to (a).
// Each measurement runs in its own process so peak RSS (maxRSS / VmHWM) is its own.
// usage: node bench.mjs [records]   (build first: cargo build --release --example bench)
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { commcareForm } from "./cases.mjs";

const dir = "/tmp/xmlbuild-bench";
const bin = process.env.XB_BENCH || "/tmp/xmlbuild-target/release/examples/bench";
const [, , mode, lib, nArg] = process.argv;
const n = Number(nArg || process.argv[2] || 25000);
const RUNS = 3;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function child() {
  const { realJ2x, realX2j } = await import("./make-expected.mjs");
  const { makeJs2xmlparser } = await import("./js/js2xmlparser.js");
  const { makeBuilder } = await import("./js/xml2js-builder.js");
  const obj = commcareForm(n, lib === "j2x" ? "js2x" : "x2j");
  const times = [];
  let out;
  if (mode === "real") {
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      out = lib === "j2x" ? realJ2x.parse("data", obj) : new realX2j.Builder().buildObject(obj);
      times.push(performance.now() - t);
    }
    writeFileSync(`${dir}/${lib}.real.xml`, out);
  } else {
    // The bridge with a native that only records what it is given (the JS side of a call).
    let sent;
    const native = {
      js2xmlParse: (root, o, p) => { sent = { root, o, p }; return ""; },
      xml2jsBuild: (o, p) => { sent = { o, p }; return ""; },
    };
    const J = makeJs2xmlparser({ native, loadReal: () => realJ2x });
    const B = makeBuilder({ native, loadReal: () => realX2j });
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      if (lib === "j2x") J.parse("data", obj);
      else new B().buildObject(obj);
      times.push(performance.now() - t);
    }
    writeFileSync(`${dir}/${lib}.obj.json`, sent.o);
    writeFileSync(`${dir}/${lib}.opts.json`, sent.p);
    writeFileSync(`${dir}/${lib}.root`, sent.root || "");
    out = "";
  }
  console.log(JSON.stringify({ mode, lib, best_ms: Math.min(...times), median_ms: median(times), xml_mb: out.length / 1e6, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
}

if (mode === "real" || mode === "bridge") {
  await child();
} else {
  mkdirSync(dir, { recursive: true });
  for (const l of ["j2x", "x2j"]) {
    const run = (m) => JSON.parse(execFileSync(process.execPath, ["--max-old-space-size=8192", process.argv[1], m, l, String(n)]).toString());
    const real = run("real");
    const bridge = run("bridge");
    const rust = JSON.parse(execFileSync(bin, [dir, l, "5"]).toString());
    const name = l === "j2x" ? "js2xmlparser.parse" : "xml2js Builder.buildObject";
    console.log(`${name}: ${n} records, ${real.xml_mb.toFixed(1)} MB XML (identical: ${rust.identical})`);
    console.log(`  real package (Node):         median ${real.median_ms.toFixed(0)} ms, peak RSS ${real.peak_rss_mb.toFixed(0)} MB`);
    console.log(`  bridge JS (walk+stringify):  median ${bridge.median_ms.toFixed(0)} ms, peak RSS ${bridge.peak_rss_mb.toFixed(0)} MB`);
    console.log(`  Rust (${rust.json_mb.toFixed(1)} MB JSON in):    median ${rust.median_ms.toFixed(0)} ms, peak RSS ${rust.peak_rss_mb.toFixed(0)} MB`);
    console.log(`  bridge total ≈ ${(bridge.median_ms + rust.median_ms).toFixed(0)} ms → ${(real.median_ms / (bridge.median_ms + rust.median_ms)).toFixed(1)}× faster`);
  }
}
