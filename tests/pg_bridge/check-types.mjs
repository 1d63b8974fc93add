// Runs types_cases.mjs through fnhost's bridge modules (adaptors/pg/types.js, values.js) under
// Node and compares with what the npm pg recorded (types.expected.<TZ>.json, from
// make-types-expected.mjs). Prints every difference; exits non-zero on any.
//
//   $(bash tests/node24.sh) tests/pg_bridge/check-types.mjs   # UTC, Asia/Kolkata, America/New_York (Node 24: the reference)
//   TZ=Asia/Kolkata node tests/pg_bridge/check-types.mjs --here
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { register } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectedFileName, runCases } from "./run-cases.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ZONES = ["UTC", "Asia/Kolkata", "America/New_York"];

if (process.argv.includes("--here")) {
  const tz = process.env.TZ;
  if (!tz) throw new Error("set TZ explicitly");
  // adaptors/ has no package.json: have Node load its .js files as the ES modules they are
  const hook = `export async function resolve(specifier, context, next) {
    const r = await next(specifier, context);
    return r.url.includes("/adaptors/pg/") ? { ...r, format: "module" } : r;
  }`;
  register("data:text/javascript," + encodeURIComponent(hook));
  const types = await import("../../adaptors/pg/types.js");
  const values = await import("../../adaptors/pg/values.js");
  const api = {
    types: types.types,
    TypeOverrides: types.TypeOverrides,
    defaults: values.defaults,
    prepareValue: values.prepareValue,
    escapeIdentifier: values.escapeIdentifier,
    escapeLiteral: values.escapeLiteral,
  };
  const expected = JSON.parse(readFileSync(join(here, expectedFileName(tz)), "utf8"));
  if (expected.tz !== tz) throw new Error(`expected file is for ${expected.tz}, running in ${tz}`);
  // (pg-types logs "ERROR: ElementType not implemented: …" for some binary arrays: kept quiet)
  const log = console.log;
  console.log = () => {};
  let actual;
  try {
    actual = runCases(api);
  } finally {
    console.log = log;
  }
  let differences = 0;
  const byLabel = new Map(expected.results.map(([label, result], i) => [label + "#" + i, result]));
  if (actual.length !== expected.results.length) {
    differences++;
    console.log(`case count: expected ${expected.results.length}, got ${actual.length} (regenerate the expected files?)`);
  }
  actual.forEach(([label, result], i) => {
    const want = byLabel.get(label + "#" + i);
    const got = JSON.stringify(result);
    if (want === undefined) {
      differences++;
      console.log(`[${tz}] ${label}: not in the expected file`);
    } else if (JSON.stringify(want) !== got) {
      differences++;
      console.log(`[${tz}] ${label}\n  pg:     ${JSON.stringify(want)}\n  bridge: ${got}`);
    }
  });
  console.log(`[${tz}] ${actual.length} cases, ${differences} difference(s)`);
  process.exit(differences ? 1 : 0);
} else {
  let failed = false;
  for (const tz of ZONES) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--here"], { env: { ...process.env, TZ: tz }, stdio: "inherit" });
    if (r.status !== 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
