// XML for the bridges that stand in for npm XML libraries (adaptors/xml2js,
// adaptors/fast-xml-parser): thin wrappers over the Rust converters of src/ops/xml.rs. Each
// answers `{ kind: "done", json }` (a parse), `{ kind: "built", xml }` (a build),
// `{ kind: "failed", name, message }` (the library's own error) or
// `{ kind: "unsupported", message }` (the bridge then runs the real package).
import { op_xml_fxp_build, op_xml_fxp_parse, op_xml_fxp_validate, op_xml_xml2js_parse } from "ext:core/ops";
import { op_xml_js2xmlparser_parse, op_xml_xml2js_build } from "ext:core/ops";

/** The API bridge modules reach through `globalThis.__fnhostXml`. */
export const xml = Object.freeze({
  /** xml2js `parseString(text, options)`; `options` holds data-only options. */
  xml2jsParse: (text, options) => op_xml_xml2js_parse(text, options),
  /** fast-xml-parser `new XMLBuilder(options).build(object)` from JSON texts; version 4 or 5. */
  fxpBuild: (objectJson, optionsJson, version) => op_xml_fxp_build(objectJson, optionsJson, version),
  /** fast-xml-parser `new XMLParser(options).parse(text)`, options as parser.js encodes them. */
  fxpParse: (text, optionsJson, version) => op_xml_fxp_parse(text, optionsJson, version),
  /** fast-xml-parser `XMLValidator.validate(text, options)`: "true" or the error object's JSON. */
  fxpValidate: (text, optionsJson, version) => op_xml_fxp_validate(text, optionsJson, version),
});

/** The builders of js2xmlparser and xml2js (src/ops/xml/js2xmlparser.rs, xml2js_build.rs). */
export const xmlBuilders = Object.freeze({
  /** js2xmlparser 5.0 `parse(root, object, options)` from JSON texts. */
  js2xmlparserParse: (root, objectJson, optionsJson) => op_xml_js2xmlparser_parse(root, objectJson, optionsJson),
  /** xml2js 0.6 `new Builder(options).buildObject(object)` from JSON texts. */
  xml2jsBuild: (objectJson, optionsJson) => op_xml_xml2js_build(objectJson, optionsJson),
});

Object.defineProperty(globalThis, "__fnhostXml", { value: xml, enumerable: false, configurable: false, writable: false });
Object.defineProperty(globalThis, "__fnhostXmlBuild", { value: xmlBuilders, enumerable: false, configurable: false, writable: false });
