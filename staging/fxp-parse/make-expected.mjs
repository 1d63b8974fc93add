// Runs the real fast-xml-parser 4.5.x and 5.12.1 over cases.mjs and writes expected/ (generated,
// not kept: regenerate with `node make-expected.mjs`). Real packages: $FXP_REF (default
// /tmp/fxpparse-ref/node_modules with fxp4@npm:fast-xml-parser@4.5.7 and fxp5@npm:fast-xml-parser@5.12.1).
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { docs, bigDocs, optionSets, validatorOptionSets } from "./cases.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ref = process.env.FXP_REF || "/tmp/fxpparse-ref/node_modules";
const require = createRequire(join(ref, "x.js"));
export const real = {
  4: require(join(ref, "fxp4")),
  5: await import(pathToFileURL(join(ref, "fxp5/src/fxp.js")).href),
};

/** 64-bit FNV-1a-like hash of the UTF-8 bytes, as hex (also in tests/diff.rs). */
export function hash(s) {
  const b = Buffer.from(s, "utf8");
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < b.length; i++) {
    h1 = Math.imul(h1 ^ b[i], 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ b[i], 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

export function runParse(v, xml, options) {
  try {
    const p = new real[v].XMLParser(options);
    return { out: JSON.stringify(p.parse(xml)) };
  } catch (e) {
    return { throw: String(e && e.message), cls: e && e.constructor && e.constructor.name };
  }
}

const MAX_INLINE = 20000;
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(join(here, "expected"), { recursive: true });
  const all = [...docs];
  for (const [name, gen] of bigDocs) {
    const xml = gen();
    writeFileSync(join(here, "expected", name + ".xml"), xml);
    all.push([name, null]);
  }
  const docMap = Object.fromEntries(docs);
  const parse = [];
  for (const [dname, x] of all) {
    const xml = x ?? bigDocs.find((d) => d[0] === dname)[1]();
    for (const [oname, options] of optionSets) {
      for (const v of [4, 5]) {
        const r = runParse(v, xml, options);
        const e = { doc: dname, opts: oname, v };
        if (r.out !== undefined) {
          if (r.out.length > MAX_INLINE) { e.len = r.out.length; e.hash = hash(r.out); } else e.out = r.out;
        } else { e.throw = r.throw; e.cls = r.cls; }
        parse.push(e);
      }
    }
  }
  const validate = [];
  for (const [dname, x] of all) {
    const xml = x ?? bigDocs.find((d) => d[0] === dname)[1]();
    for (const [oname, options] of validatorOptionSets) {
      for (const v of [4, 5]) {
        let out;
        try { out = JSON.stringify(real[v].XMLValidator.validate(xml, options)); } catch (e) { out = null; }
        validate.push({ doc: dname, opts: oname, v, out });
      }
    }
  }
  writeFileSync(join(here, "expected", "cases.json"), JSON.stringify({
    docs: docMap,
    big: bigDocs.map((d) => d[0]),
    options: Object.fromEntries(optionSets.map(([n, o]) => [n, JSON.stringify(o)])),
    validatorOptions: Object.fromEntries(validatorOptionSets.map(([n, o]) => [n, JSON.stringify(o)])),
    parse, validate,
  }));
  console.log(`parse entries: ${parse.length}, validate entries: ${validate.length}`);
}
