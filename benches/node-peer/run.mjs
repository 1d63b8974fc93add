// The Node peer of fnhost's benchmarks: runs a compiled job module under OpenFn's runtime
// (@openfn/runtime, as published) and prints the final state.
// Usage: node --experimental-vm-modules run.mjs JOB.js STATE_JSON NAME=ADAPTOR_PATH...
import fs from 'node:fs';
import run from '@openfn/runtime';

const [job, state, ...adaptors] = process.argv.slice(2);
const modules = {};
for (const spec of adaptors) {
  const [name, path] = spec.split('=');
  modules[name] = { path };
}
const result = await run(fs.readFileSync(job, 'utf8'), JSON.parse(state), { linker: { modules } });
process.stdout.write(JSON.stringify(result) + '\n');
