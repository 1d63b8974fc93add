// The bridge's entry where the real fast-xml-parser is CommonJS (4.x, or 5.x required): a
// default export and `module.exports`, as Node gives a CommonJS module. See bridge.js.
import { fastXmlParser } from "./bridge.js";

const fxp = fastXmlParser(import.meta.url);

export default fxp;
export const { XMLBuilder, XMLParser, XMLValidator } = fxp;
export { fxp as "module.exports" };
