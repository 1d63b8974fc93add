// 20 MB CommCare-style document: real XMLParser on Node (v4, v5) vs fxp_parse (Rust) +
// JSON.parse of its output on Node. Each measurement in its own process for its peak RSS.
// Build first: CARGO_TARGET_DIR=/tmp/fxp-parse-target cargo build --release --example bench
import { execFileSync } from "node:child_process";
import { writeFileSync, readFileSync, existsSync } from "node:fs";
import { commcareForm } from "./cases.mjs";

const file = "/tmp/fxp-parse-bench-20mb.xml";
const mode = process.argv[2];
const optsList = { default: {}, attrs: { ignoreAttributes: false } };

if (mode === "real") {
  const [, , , v, on] = process.argv;
  const { real } = await import("./make-expected.mjs");
  const xml = readFileSync(file, "utf8");
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    new real[v].XMLParser(optsList[on]).parse(xml);
    best = Math.min(best, performance.now() - t);
  }
  console.log(JSON.stringify({ ms: best, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
} else if (mode === "jsonparse") {
  const text = readFileSync(process.argv[3], "utf8");
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    JSON.parse(text);
    best = Math.min(best, performance.now() - t);
  }
  console.log(JSON.stringify({ ms: best, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  if (!existsSync(file)) writeFileSync(file, commcareForm(20 * 1024 * 1024));
  const bin = process.env.FXP_BENCH || "/tmp/fxp-parse-target/release/examples/bench";
  const run = (cmd, args) => JSON.parse(execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 }).trim().split("\n").pop());
  console.log(`document: ${file} (${readFileSync(file).length} bytes)`);
  for (const on of Object.keys(optsList)) {
    for (const v of ["4", "5"]) {
      const r = run("node", ["bench.mjs", "real", v, on]);
      const out = `/tmp/fxp-parse-bench-out-${v}-${on}.json`;
      const rust = run(bin, [file, JSON.stringify(optsList[on]), v, out]);
      const jp = run("node", ["bench.mjs", "jsonparse", out]);
      const total = rust.ms + jp.ms;
      console.log(`v${v} ${on.padEnd(8)} real ${r.ms.toFixed(0)} ms (peak RSS ${r.peakRssMB.toFixed(0)} MB) | rust ${rust.ms.toFixed(0)} ms (peak RSS ${rust.peakRssMB.toFixed(0)} MB, ${rust.outBytes} B JSON) + JSON.parse ${jp.ms.toFixed(0)} ms (peak RSS ${jp.peakRssMB.toFixed(0)} MB) = ${total.toFixed(0)} ms → ${(r.ms / total).toFixed(1)}× (rust alone ${(r.ms / rust.ms).toFixed(1)}×)`);
    }
  }
}
