// fnhost's stand-in for the npm `fast-xml-parser` 4.5.7 and 5.12.1: `XMLParser` and
// `XMLValidator` parse in Rust (src/ops/xml/fxp_parse.rs, parser.js), `XMLBuilder` builds in Rust
// (src/ops/xml/fxp_build.rs, builder.js).
//
// The loader serves this bridge only where the real package is installed at a version it
// covers, and names the real entry point, its format and version in the entry module's URL:
// whatever the bridge does not reproduce runs there, so the answer is always the real
// package's. `--no-bridge fast-xml-parser` runs the real package for everything.
import { makeXmlBuilder } from "./builder.js";
import { makeXmlParser } from "./parser.js";

/** The module's exports, for the real package named in `entryUrl`'s query. */
export function fastXmlParser(entryUrl) {
  const params = new URL(entryUrl).searchParams;
  const version = Number(params.get("version").split(".")[0]);
  const real = globalThis.__fnhostModules.requireFile(params.get("real"), params.get("format"));
  const xml = globalThis.__fnhostXml;
  const native = {
    /** The XML, or throws `{ kind: "invalid" | "unsupported", message }` as builder.js expects. */
    fxpBuild(objectJson, optionsJson, major) {
      const answer = xml.fxpBuild(objectJson, optionsJson, major);
      if (answer.kind === "built") return answer.xml;
      throw { kind: answer.kind === "failed" ? "invalid" : "unsupported", message: answer.message };
    },
    /** The result's JSON text, or throws `{ kind: "invalid" | "unsupported", message }`. */
    fxpParse(text, optionsJson, major) {
      const answer = xml.fxpParse(text, optionsJson, major);
      if (answer.kind === "done") return answer.json;
      throw { kind: answer.kind === "failed" ? "invalid" : "unsupported", message: answer.message };
    },
    /** `true` or the validator's error object as JSON text, or throws `{ kind: "unsupported" }`. */
    fxpValidate(text, optionsJson, major) {
      const answer = xml.fxpValidate(text, optionsJson, major);
      if (answer.kind === "done") return answer.json;
      throw { kind: "unsupported", message: answer.message };
    },
  };
  const XMLBuilder = makeXmlBuilder({ native, loadReal: () => real, version });
  const { XMLParser, XMLValidator } = makeXmlParser({ native, loadReal: () => real, version });
  return { XMLParser, XMLValidator, XMLBuilder };
}
