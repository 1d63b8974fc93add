// Records what the REAL npm pg 8.23.1 / pg-types 2.2.0 (tests/node_ext/node_modules) make of every
// case in types_cases.mjs, one file per time zone: types.expected.<TZ>.json (dates are local-time
// sensitive). fnhost's bridge modules are checked against these by check-types.mjs.
//
//   $(bash tests/node24.sh) tests/pg_bridge/make-types-expected.mjs   # UTC, Asia/Kolkata, America/New_York (Node 24: the reference)
//   TZ=Europe/Paris node tests/pg_bridge/make-types-expected.mjs --here   # just the current TZ
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectedFileName, runCases } from "./run-cases.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const ZONES = ["UTC", "Asia/Kolkata", "America/New_York"];

if (process.argv.includes("--here")) {
  const tz = process.env.TZ;
  if (!tz) throw new Error("set TZ explicitly");
  const require = createRequire(join(here, "../node_ext/package.json"));
  const pg = require("pg");
  // pg and pg.types must be the one pg-types instance
  if (pg.types !== require(require.resolve("pg-types", { paths: [dirname(require.resolve("pg"))] }))) throw new Error("two pg-types");
  const api = {
    types: pg.types,
    TypeOverrides: pg.TypeOverrides,
    defaults: pg.defaults,
    prepareValue: pg.utils.prepareValue,
    escapeIdentifier: pg.escapeIdentifier,
    escapeLiteral: pg.escapeLiteral,
  };
  // (pg-types logs "ERROR: ElementType not implemented: …" for some binary arrays: kept quiet)
  const log = console.log;
  console.log = () => {};
  let results;
  try {
    results = runCases(api);
  } finally {
    console.log = log;
  }
  const file = join(here, expectedFileName(tz));
  const versions = { pg: require("pg/package.json").version, "pg-types": require("pg-types/package.json").version, node: process.version };
  writeFileSync(file, JSON.stringify({ tz, versions, results }, null, 1) + "\n");
  console.error(`wrote ${file}: ${results.length} cases`);
} else {
  for (const tz of ZONES) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--here"], { env: { ...process.env, TZ: tz }, stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
