// The bridge's entry where the real fast-xml-parser is an ES module (5.x imported): named
// exports only, as its src/fxp.js has. See bridge.js.
import { fastXmlParser } from "./bridge.js";

export const { XMLBuilder, XMLParser, XMLValidator } = fastXmlParser(import.meta.url);
