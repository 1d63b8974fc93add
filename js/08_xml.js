// XML for the bridges that stand in for npm XML libraries (adaptors/xml2js): thin wrappers over
// the Rust converters of src/ops/xml.rs. Each answers `{ kind: "done", json }`,
// `{ kind: "failed", message }` (the library's own error) or `{ kind: "unsupported", message }`
// (the bridge then runs the real package).
import { op_xml_xml2js_parse } from "ext:core/ops";

/** The API bridge modules reach through `globalThis.__fnhostXml`. */
export const xml = Object.freeze({
  /** xml2js `parseString(text, options)`; `options` holds data-only options. */
  xml2jsParse: (text, options) => op_xml_xml2js_parse(text, options),
});

Object.defineProperty(globalThis, "__fnhostXml", { value: xml, enumerable: false, configurable: false, writable: false });
