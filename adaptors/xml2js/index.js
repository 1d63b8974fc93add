// fnhost's stand-in for the npm `xml2js` 0.6 (the same module shape: `parseString`,
// `parseStringPromise`, `Parser`, `Builder`, `defaults`, `processors`, `ValidationError`), with
// the parsing in Rust (src/ops/xml/xml2js.rs) and `Builder.buildObject` too
// (src/ops/xml/xml2js_build.rs).
//
// The loader serves this bridge only where the real package is installed and of a version it
// covers, and names the real package's entry in this module's URL (`?real=`): whatever the bridge
// does not reproduce runs there, so the answer is always the real package's.
// `--no-bridge xml2js` runs the real package for everything.
import { defaults, makeParser, processors } from "./parser.js";
import { makeBuilder } from "./builder.js";

const realPath = new URL(import.meta.url).searchParams.get("real");
let realModule;

/** The real xml2js module, loaded on first need. */
function loadReal() {
  realModule ??= globalThis.__fnhostModules.requireFile(realPath, new URL(import.meta.url).searchParams.get("format"));
  return realModule;
}

const { Parser, parseString, parseStringPromise } = makeParser({ native: globalThis.__fnhostXml, loadReal });

/** `xml2js.ValidationError`: what a `validator` option throws to reject a value. */
function ValidationError(message) {
  this.message = message;
}
Object.setPrototypeOf(ValidationError.prototype, Error.prototype);

/** `xml2js.Builder` (object to XML), building in Rust (src/ops/xml/xml2js_build.rs): see builder.js. */
const Builder = makeBuilder({
  native: {
    /** The XML, or throws `{ kind: "invalid" | "unsupported", message }` as builder.js expects. */
    xml2jsBuild(objectJson, optionsJson) {
      const answer = globalThis.__fnhostXmlBuild.xml2jsBuild(objectJson, optionsJson);
      if (answer.kind === "built") return answer.xml;
      throw { kind: answer.kind === "failed" ? "invalid" : "unsupported", message: answer.message };
    },
  },
  loadReal,
  defaults,
});

const xml2js = { defaults, processors, ValidationError, Builder, Parser, parseString, parseStringPromise };

export default xml2js;
export { Builder, defaults, Parser, parseString, parseStringPromise, processors, ValidationError };
export { xml2js as "module.exports" };
