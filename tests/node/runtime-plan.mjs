// Runs an execution plan through the real @openfn/runtime (no CLI) and prints the final state,
// for checking fnhost where an issue makes it follow the runtime rather than OpenFn's CLI.
//
//   npm install --prefix /tmp/oracle @openfn/runtime@1.9.5
//   ORACLE=/tmp/oracle node --experimental-vm-modules \
//     tests/node/runtime-plan.mjs tests/node/plans/end-option.json '{"data":{"path":["input"]}}'
//
// Steps' expressions are compiled modules; `adaptors` name packages under tests/fixtures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const modulesDir = path.join(process.env.ORACLE ?? '.', 'node_modules');
const load = (pkg) => {
  const dir = path.join(modulesDir, pkg);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const entry = manifest.exports?.['.']?.import ?? manifest.exports?.['.']?.default ?? manifest.module ?? manifest.main;
  return import(pathToFileURL(path.join(dir, typeof entry === 'string' ? entry : 'dist/index.js')));
};
const { default: run } = await load('@openfn/runtime');
const { default: createLogger } = await load('@openfn/logger');

const [, , planFile, stateJson = '{}'] = process.argv;
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const modules = {};
for (const step of plan.workflow.steps) {
  for (const name of step.adaptors ?? []) modules[name] = { path: path.join(fixtures, name) };
}
const logger = createLogger('R/T', { level: 'none' });
const result = await run(plan, JSON.parse(stateJson), { logger, jobLogger: logger, linker: { modules } });
console.log(JSON.stringify(result, null, 2));
