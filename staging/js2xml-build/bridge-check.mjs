// Runs js/js2xmlparser.js on Node with `native` = the release example binary
// (examples/serve.rs, one JSON-line request per call) and compares every case of cases.mjs with
// the real js2xmlparser 5.0.0: same string, or same thrown class and message.
// Usage: CARGO_TARGET_DIR=/tmp/js2xml-target cargo build --release --examples
//        node bridge-check.mjs [node_modules path]
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { cases } from './cases.mjs';
import { makeJs2xmlparser } from './js/js2xmlparser.js';

const mods = process.argv[2] || process.env.JS2XML_REF || '/tmp/js2xml-ref/node_modules';
const require = createRequire(mods + '/');
const real = require(mods + '/js2xmlparser');
const serve = (process.env.CARGO_TARGET_DIR || '/tmp/js2xml-target') + '/release/examples/serve';

let nativeCalls = 0, nativeUnsupported = 0, realCalls = 0;
const native = {
  js2xmlParse(root, obj, opts) {
    nativeCalls++;
    const r = spawnSync(serve, { input: JSON.stringify({ root, obj, opts }) + '\n', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error('serve failed: ' + r.stderr);
    const ans = JSON.parse(r.stdout.toString());
    if ('ok' in ans) return ans.ok;
    if (ans.err.kind === 'unsupported') nativeUnsupported++;
    throw ans.err;
  },
};
const bridge = makeJs2xmlparser({
  native,
  loadReal: () => ({
    ...real,
    parse: (...a) => { realCalls++; return real.parse(...a); },
  }),
});

const outcome = (f) => {
  try { return { ok: f() }; } catch (e) { return { throws: { class: e && e.constructor && e.constructor.name, message: e && e.message } }; }
};

let same = 0;
const diffs = [];
const realCases = cases(), bridgeCases = cases();
for (let i = 0; i < realCases.length; i++) {
  const a = realCases[i], b = bridgeCases[i];
  const want = outcome(() => real.parse(a.root, a.obj, a.opts));
  const got = outcome(() => bridge.parse(b.root, b.obj, b.opts));
  if (JSON.stringify(want) === JSON.stringify(got)) same++;
  else diffs.push(`${a.name}\n  got  ${JSON.stringify(got).slice(0, 400)}\n  want ${JSON.stringify(want).slice(0, 400)}`);
}
// module surface
const surface = ['parse', 'parseToExistingElement', 'Absent'].every((k) => k in bridge) && bridge.Absent === real.Absent;
console.log(`cases: ${realCases.length}, identical: ${same}, different: ${diffs.length}; ` +
  `native calls: ${nativeCalls} (unsupported: ${nativeUnsupported}), real-package calls: ${realCalls}; surface ok: ${surface}`);
if (diffs.length) { console.log(diffs.join('\n')); process.exitCode = 1; }
