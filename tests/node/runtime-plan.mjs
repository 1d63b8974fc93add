// Runs execution plans through the real @openfn/runtime (no CLI) and records what it returns,
// for checking fnhost where an issue makes it follow the runtime rather than OpenFn's CLI
// (tests/it/conformance.rs reads the record).
//
//   npm install --prefix /tmp/oracle @openfn/runtime@1.9.5
//   ORACLE=/tmp/oracle node --experimental-vm-modules tests/node/runtime-plan.mjs          # all
//   ORACLE=/tmp/oracle node --experimental-vm-modules tests/node/runtime-plan.mjs end-option
//
// Each tests/node/plans/NAME.json is a plan whose steps' expressions are compiled modules and
// whose `adaptors` name packages under tests/fixtures; its `input` key is the input state.
// Writes tests/node/plans/expected.json: NAME -> {state} or {crash: the thrown error's fields}.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = path.join(process.env.ORACLE ?? '.', 'node_modules');
const load = (pkg) => {
  const dir = path.join(modulesDir, pkg);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const entry = manifest.exports?.['.']?.import ?? manifest.exports?.['.']?.default ?? manifest.module ?? manifest.main;
  return import(pathToFileURL(path.join(dir, typeof entry === 'string' ? entry : 'dist/index.js')));
};
const { default: run } = await load('@openfn/runtime');
const { default: createLogger } = await load('@openfn/logger');
const runtimeVersion = JSON.parse(fs.readFileSync(path.join(modulesDir, '@openfn/runtime/package.json'), 'utf8')).version;

const fixtures = path.resolve(here, '../fixtures');
const plansDir = path.join(here, 'plans');
const names = process.argv.slice(2).length
  ? process.argv.slice(2)
  : fs.readdirSync(plansDir).filter((f) => f.endsWith('.json') && f !== 'expected.json').map((f) => f.slice(0, -5)).sort();

const record = {};
for (const name of names) {
  const { input = { data: {} }, ...plan } = JSON.parse(fs.readFileSync(path.join(plansDir, `${name}.json`), 'utf8'));
  const modules = {};
  for (const step of plan.workflow.steps) {
    for (const a of step.adaptors ?? []) modules[a] = { path: path.join(fixtures, a) };
  }
  const logger = createLogger('R/T', { level: 'none' });
  try {
    record[name] = { state: await run(plan, input, { logger, jobLogger: logger, linker: { modules } }) ?? null };
  } catch (e) {
    record[name] = { crash: { ...JSON.parse(JSON.stringify(e)), name: e.name, message: e.message } };
  }
}
if (process.argv.slice(2).length) {
  console.log(JSON.stringify(record, null, 2));
} else {
  record._runtime = `@openfn/runtime ${runtimeVersion} on Node ${process.version}`;
  fs.writeFileSync(path.join(plansDir, 'expected.json'), JSON.stringify(record, null, 2) + '\n');
  console.log(`wrote ${Object.keys(record).length - 1} plans' results`);
}
