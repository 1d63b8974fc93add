// Runs every case of cases.mjs through the real js2xmlparser 5.0.0 on Node and writes what
// tests/diff.rs compares against: tests/expected.json (small cases, kept) and
// tests/expected-big.json (cases whose object JSON exceeds 100 kB; regenerated, not kept).
// Only cases the bridge would send to Rust are written (JSON-faithful object, plain options,
// string root), with the options JSON exactly as the bridge sends it.
// Usage: node make-expected.mjs [path to node_modules holding js2xmlparser]
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { cases } from './cases.mjs';
import { _faithful, _plainOptions } from './js/js2xmlparser.js';

const mods = process.argv[2] || process.env.JS2XML_REF || '/tmp/js2xml-ref/node_modules';
const require = createRequire(mods + '/');
const real = require(mods + '/js2xmlparser');
if (require(mods + '/js2xmlparser/package.json').version !== '5.0.0') throw new Error('need js2xmlparser 5.0.0');

const small = [], bigs = [];
let skipped = 0;
for (const c of cases()) {
  const opts = typeof c.root === 'string' ? _plainOptions(c.opts) : null;
  if (opts === null || !_faithful(c.obj, 0)) { skipped++; continue; }
  let expect;
  try {
    expect = { ok: real.parse(c.root, c.obj, c.opts) };
  } catch (e) {
    expect = { throws: { class: e.constructor.name, message: e.message } };
  }
  const rec = { name: c.name, root: c.root, obj: JSON.stringify(c.obj), opts: JSON.stringify(opts), expect };
  (rec.obj.length > 100000 ? bigs : small).push(rec);
}
writeFileSync(new URL('./tests/expected.json', import.meta.url), JSON.stringify(small, null, 1) + '\n');
writeFileSync(new URL('./tests/expected-big.json', import.meta.url), JSON.stringify(bigs) + '\n');
console.log(`${small.length} small + ${bigs.length} big cases written; ${skipped} Node-only cases skipped`);
