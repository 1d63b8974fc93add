// Runs the real js2xmlparser 5.0.0 and xml2js 0.6.2 over cases.mjs and writes
// expected/cases.json for tests/diff.rs (generated, not kept: `node make-expected.mjs`).
// Each entry holds exactly what the JS bridge would hand to Rust (root, object JSON, options
// JSON — captured by running the bridge with a recording `native`) and the real package's
// result ({out} or {throw, cls}). Cases the bridge never sends to Rust are listed as
// bridgeFallback. Real packages: $XB_REF (default /tmp/xbref/node_modules).
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { j2xObjects, j2xOptions, j2xRoots, x2jObjects, x2jOptions, bigCases } from "./cases.mjs";
import { makeJs2xmlparser } from "./js/js2xmlparser.js";
import { makeBuilder } from "./js/xml2js-builder.js";

const here = dirname(fileURLToPath(import.meta.url));
const ref = process.env.XB_REF || "/tmp/xbref/node_modules";
const require = createRequire(join(ref, "x.js"));
export const realJ2x = require(join(ref, "js2xmlparser"));
export const realX2j = require(join(ref, "xml2js"));

export function outcome(f) {
  try {
    return { out: f() };
  } catch (e) {
    return { throw: String(e && e.message), cls: e && e.constructor && e.constructor.name };
  }
}

/** Results with lone surrogates cannot go through JSON to Rust: marked, Rust must say Unsupported. */
function storable(r) {
  const t = r.out !== undefined ? r.out : r.throw;
  return typeof t === "string" && !t.isWellFormed() ? { loneSurrogate: true } : r;
}

/** [label, root, objFn, options] for js2xmlparser. */
export function j2xAll() {
  const all = [];
  for (const [on, o] of j2xObjects) for (const [pn, p] of j2xOptions) all.push([`${on} × ${pn}`, "root", o, p]);
  for (const r of j2xRoots) {
    for (const [on, o] of j2xObjects.slice(0, 4)) {
      for (const [pn, p] of [["default", undefined], ["replace", { replaceInvalidChars: true }], ["no-validation", { validation: false }]]) {
        all.push([`root=${JSON.stringify(r)} × ${on} × ${pn}`, r, o, p]);
      }
    }
  }
  for (const [n, r, o, p] of bigCases.j2x) all.push([n, r, o, p]);
  return all;
}

/** [label, objFn, options] for xml2js. */
export function x2jAll() {
  const all = [];
  for (const [on, o] of x2jObjects) for (const [pn, p] of x2jOptions) all.push([`${on} × ${pn}`, o, p]);
  for (const [n, o, p] of bigCases.x2j) all.push([n, o, p]);
  return all;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  let captured = null;
  const native = {
    js2xmlParse(root, obj, opts) {
      captured = { root, obj, opts };
      throw { kind: "unsupported", message: "capture" };
    },
    xml2jsBuild(obj, opts) {
      captured = { obj, opts };
      throw { kind: "unsupported", message: "capture" };
    },
  };
  const J = makeJs2xmlparser({ native, loadReal: () => realJ2x });
  const Builder = makeBuilder({ native, loadReal: () => realX2j });
  const res = { j2x: [], x2j: [], bridgeFallback: { j2x: [], x2j: [] } };
  for (const [label, root, o, p] of j2xAll()) {
    captured = null;
    outcome(() => J.parse(root, o(), p));
    if (!captured) {
      res.bridgeFallback.j2x.push(label);
      continue;
    }
    res.j2x.push({ label, ...captured, ...storable(outcome(() => realJ2x.parse(root, o(), p))) });
  }
  for (const [label, o, p] of x2jAll()) {
    captured = null;
    outcome(() => new Builder(p).buildObject(o()));
    if (!captured) {
      res.bridgeFallback.x2j.push(label);
      continue;
    }
    res.x2j.push({ label, ...captured, ...storable(outcome(() => new realX2j.Builder(p).buildObject(o()))) });
  }
  mkdirSync(join(here, "expected"), { recursive: true });
  writeFileSync(join(here, "expected", "cases.json"), JSON.stringify(res));
  console.log(
    `expected/cases.json: js2xmlparser ${res.j2x.length} sent to Rust + ${res.bridgeFallback.j2x.length} bridge fallbacks; ` +
      `xml2js ${res.x2j.length} + ${res.bridgeFallback.x2j.length}`,
  );
}
