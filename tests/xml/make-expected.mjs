// Produces tests/xml/<job>[.<fixture>].expected.json: each job here run by Node with the real npm
// packages of a fixture folder (tests/it/xml.rs compares fnhost's state.data, bridged and with
// --no-bridge, with it). Fixtures: this folder (xml2js 0.6.2, fast-xml-parser 5.12.1,
// js2xmlparser 5.0.0) and v4/ (fast-xml-parser 4.5.7).
// Usage (from the repository root):
//   (cd tests/xml && npm install) && (cd tests/xml/v4 && npm install) &&
//   TZ=UTC node tests/xml/make-expected.mjs [job...]
import { copyFileSync, cpSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = [
  { dir: here, suffix: "", jobs: ["xml2js", "fxp_builder", "fxp_parser", "js2xmlparser", "xml2js_builder"] },
  { dir: join(here, "v4"), suffix: ".v4", jobs: ["fxp_builder", "fxp_parser"] },
];
const only = process.argv.slice(2);
for (const { dir, suffix, jobs } of fixtures) {
  // the jobs import their cases as a package (OpenFn jobs cannot import files): a fresh copy
  rmSync(join(dir, "node_modules/xml-cases"), { recursive: true, force: true });
  cpSync(join(here, "cases"), join(dir, "node_modules/xml-cases"), { recursive: true });
  for (const name of jobs) {
    if (only.length && !only.includes(name)) continue;
    // a copy beside the fixture's node_modules, so that its imports resolve there
    const copy = join(dir, `.make-expected-${name}.mjs`);
    copyFileSync(join(here, `${name}.js`), copy);
    try {
      const job = await import(pathToFileURL(copy).href);
      let state = { configuration: {}, data: {} };
      for (const op of job.default) state = await op(state);
      writeFileSync(join(here, `${name}${suffix}.expected.json`), JSON.stringify(state.data, null, 1) + "\n");
      console.log(`wrote ${name}${suffix}.expected.json`);
    } finally {
      rmSync(copy);
    }
  }
}
