// Benchmark: a ~20 MB XML document built from a CommCare-style form object.
//   node bench.mjs            runs both sides in separate processes and prints a summary
//   node bench.mjs real       real js2xmlparser.parse on Node (best of 5), peak RSS
//   node bench.mjs bridge     bridge's JS side (faithfulness check + JSON.stringify, best of 5)
//                             then examples/bench (Rust js2xml_parse, best of 5) on that JSON
// Needs: CARGO_TARGET_DIR=/tmp/js2xml-target cargo build --release --examples
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { commcareForm } from './cases.mjs';
import { _faithful } from './js/js2xmlparser.js';

const mods = process.env.JS2XML_REF || '/tmp/js2xml-ref/node_modules';
const target = process.env.CARGO_TARGET_DIR || '/tmp/js2xml-target';
const TMP = '/tmp/js2xml-bench';
const mode = process.argv[2] || 'all';
const MB = 1024 * 1024;
const best = (f) => { let b = Infinity, r; for (let i = 0; i < 5; i++) { const t = performance.now(); r = f(); b = Math.min(b, performance.now() - t); } return [b, r]; };
const rss = () => process.resourceUsage().maxRSS / 1024;

if (mode === 'real') {
  const real = createRequire(mods + '/')(mods + '/js2xmlparser');
  const obj = commcareForm(10 * MB, 11);
  const base = rss();
  const [ms, xml] = best(() => real.parse('data', obj));
  writeFileSync(TMP + '-expected.xml', xml);
  console.log(JSON.stringify({ real_ms: +ms.toFixed(1), xml_bytes: Buffer.byteLength(xml), node_peak_rss_mb: +rss().toFixed(1), rss_after_object_mb: +base.toFixed(1) }));
} else if (mode === 'bridge') {
  const obj = commcareForm(10 * MB, 11);
  const base = rss();
  const [ms, json] = best(() => { if (!_faithful(obj, 0)) throw new Error('not faithful'); return JSON.stringify(obj); });
  writeFileSync(TMP + '-object.json', json);
  console.log(JSON.stringify({ js_check_stringify_ms: +ms.toFixed(1), json_bytes: json.length, node_peak_rss_mb: +rss().toFixed(1), rss_after_object_mb: +base.toFixed(1) }));
} else {
  const run = (m) => JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname, m]).toString());
  const real = run('real');
  const js = run('bridge');
  writeFileSync(TMP + '-opts.json', '{}');
  const rust = JSON.parse(execFileSync(target + '/release/examples/bench', [TMP + '-object.json', 'data', TMP + '-opts.json', TMP + '-expected.xml']).toString());
  console.log({ real, bridge_js: js, rust });
  console.log(`real ${real.real_ms} ms vs bridge ${(js.js_check_stringify_ms + rust.rust_ms).toFixed(1)} ms ` +
    `(JS ${js.js_check_stringify_ms} + Rust ${rust.rust_ms}); speed-up ${(real.real_ms / (js.js_check_stringify_ms + rust.rust_ms)).toFixed(1)}x; identical: ${rust.identical}`);
}
