// Produces tests/xml/<job>.expected.json: each job here run by Node with the real npm packages
// (tests/it/xml.rs compares fnhost's state.data, bridged and with --no-bridge, with it).
// Usage (from the repository root):
//   (cd tests/xml && npm install) && TZ=UTC node tests/xml/make-expected.mjs [name...]
import { cpSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
// the jobs import their cases as a package (OpenFn jobs cannot import files): a fresh copy
rmSync(join(here, "node_modules/xml-cases"), { recursive: true, force: true });
cpSync(join(here, "cases"), join(here, "node_modules/xml-cases"), { recursive: true });
const jobs = readdirSync(here).filter((f) => f.endsWith(".js") && !f.startsWith("bench"));
for (const file of jobs.sort()) {
  const name = file.replace(/\.js$/, "");
  if (only.length && !only.includes(name)) continue;
  const job = await import(pathToFileURL(join(here, file)).href);
  let state = { configuration: {}, data: {} };
  for (const op of job.default) state = await op(state);
  writeFileSync(join(here, `${name}.expected.json`), JSON.stringify(state.data, null, 1) + "\n");
  console.log(`wrote ${name}.expected.json`);
}
