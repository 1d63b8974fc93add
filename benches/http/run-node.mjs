// Runs a compiled job module under OpenFn's Node runtime (the peer fnhost is compared with).
// Usage: node run-node.mjs JOB.js BASE_URL COUNT
import fs from 'node:fs';
import path from 'node:path';
import run from '@openfn/runtime';

const [job, base, count] = process.argv.slice(2);
const here = path.dirname(new URL(import.meta.url).pathname);
const source = fs.readFileSync(job, 'utf8');
const result = await run(source, { data: { base, count: Number(count) } }, {
  linker: { modules: { '@openfn/language-common': { path: path.join(here, 'node_modules/@openfn/language-common') } } },
});
if (result?.data?.ok !== Number(count)) {
  console.error('unexpected result', JSON.stringify(result));
  process.exit(1);
}
