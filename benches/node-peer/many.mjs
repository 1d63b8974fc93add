// Node peer for benches/compare/run.sh: runs one compiled job many times under OpenFn's runtime in
// this one process, `concurrency` at a time, and prints one JSON line (wall time, rate).
// Usage: node --experimental-vm-modules many.mjs JOB.js STATE_FILE RUNS CONCURRENCY NAME=PATH...
import fs from 'node:fs';
import run from '@openfn/runtime';

const [job, stateFile, runs, concurrency, ...adaptors] = process.argv.slice(2);
const modules = {};
for (const spec of adaptors) {
  const [name, path] = spec.split('=');
  modules[name] = { path };
}
const source = fs.readFileSync(job, 'utf8');
const stateText = stateFile === '-' ? '{"data":{}}' : fs.readFileSync(stateFile, 'utf8');
const logger = { log() {}, info() {}, debug() {}, warn() {}, error() {}, success() {}, always() {}, print() {}, break() {}, timer() { return () => 0; }, _last: null };
const total = Number(runs);
let next = 0, ok = 0, failed = 0;
const started = process.hrtime.bigint();
async function lane() {
  while (next < total) {
    next++;
    try {
      const result = await run(source, JSON.parse(stateText), { linker: { modules }, logger, jobLogger: logger });
      if (result && !result.errors) ok++; else failed++;
    } catch (e) {
      failed++;
      if (failed === 1) console.error(e);
    }
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, lane));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ runs: total, concurrency: Number(concurrency), ok, failed, seconds, runs_per_second: ok / seconds }));
