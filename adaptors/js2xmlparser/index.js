// fnhost's stand-in for the npm `js2xmlparser` 5.0 (`parse`, `parseToExistingElement`, `Absent`),
// with `parse` building in Rust (src/ops/xml/js2xmlparser.rs); `parseToExistingElement` and
// `Absent` are the real package's.
//
// The loader serves this bridge only where the real package is installed at a version it
// covers (and with the xmlcreate it was checked against), and names the real entry point and its
// format in this module's URL: whatever the bridge does not reproduce runs there, so the answer
// is always the real package's. `--no-bridge js2xmlparser` runs the real package for everything.
// js2xmlparser is CommonJS: a default export and `module.exports`, as Node gives a CommonJS module.
import { makeJs2xmlparser } from "./parse.js";

const params = new URL(import.meta.url).searchParams;
const real = globalThis.__fnhostModules.requireFile(params.get("real"), params.get("format"));
const builders = globalThis.__fnhostXmlBuild;
const native = {
  /** The XML, or throws `{ kind: "invalid" | "unsupported", message }` as parse.js expects. */
  js2xmlParse(root, objectJson, optionsJson) {
    const answer = builders.js2xmlparserParse(root, objectJson, optionsJson);
    if (answer.kind === "built") return answer.xml;
    throw { kind: answer.kind === "failed" ? "invalid" : "unsupported", message: answer.message };
  },
};
const js2xmlparser = makeJs2xmlparser({ native, real });
// as the real lib/main.js (TypeScript output) marks its exports: bundlers' interop reads it
Object.defineProperty(js2xmlparser, "__esModule", { value: true });

export default js2xmlparser;
export const { Absent, parseToExistingElement, parse } = js2xmlparser;
export { js2xmlparser as "module.exports" };
