// fast-xml-parser's XMLParser and XMLValidator on fnhost (its bridge, or the real package with
// --no-bridge fast-xml-parser) and on Node (make-expected.mjs), for whichever version the fixture
// holds (tests/xml: 5.12.1, tests/xml/v4: 4.5.7): every document of cases/fxp_parser.js under
// every option set (and the function options the bridge leaves to the real package), the
// validator, `parse(xml, true)`, constructor errors, `addEntity`, inputs that are not strings,
// and 600 seeded random documents. state.data must be the same everywhere (tests/it/xml.rs).
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { createHash } from "node:crypto";
import { fxpParser as C } from "xml-cases";

const digest = (text) => createHash("sha256").update(text).digest("hex").slice(0, 24);

// numbers JSON cannot carry (the bridge must not lose them)
const exact = (key, v) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `number ${Object.is(v, -0) ? "-0" : v}` : v);

/** What a call gave: its value as JSON (a digest when long) or the error's class and message. */
function outcome(run) {
  try {
    const value = run();
    const json = JSON.stringify(value, exact);
    if (json === undefined) return `value ${String(value)}`;
    return json.length > 3000 ? `value ${json.length} chars, sha256 ${digest(json)}` : `value ${json}`;
  } catch (e) {
    const name = e && e.constructor ? e.constructor.name : typeof e;
    return `throw ${name} ${e && e.message}`;
  }
}

export default [
  (state) => {
    const out = {};
    const docs = [...C.docs, ...C.bigDocs.map(([name, make]) => [name, make()])];
    for (const [dn, xml] of docs) {
      for (const [on, o] of [...C.optionSets, ...C.callbackOptionSets]) {
        out[`${dn}--${on}`] = outcome(() => new XMLParser(o).parse(xml));
      }
      for (const [on, o] of C.validatorOptionSets) {
        out[`${dn}--validate-${on}`] = outcome(() => XMLValidator.validate(xml, o));
      }
      out[`${dn}--validated`] = outcome(() => new XMLParser().parse(xml, true));
      out[`${dn}--validated-bool`] = outcome(() => new XMLParser().parse(xml, { allowBooleanAttributes: true }));
    }
    for (const [on, o] of C.badOptionSets) out[`constructor-${on}`] = outcome(() => new XMLParser(o));
    for (const [k, v] of [["foo", "bar"], ["a.b", "dot"], ["lt", "LT"], ["x", "a&b"], ["&y;", "z"], ["z", "&"], ["d", "$&$"]]) {
      const doc = `<r a="&${k};">&${k}; &foo; &a.b; &axb; &lt;</r>`;
      out[`addEntity-${k}=${v}`] = outcome(() => {
        const p = new XMLParser({ ignoreAttributes: false });
        p.addEntity(k, v);
        return p.parse(doc);
      });
    }
    // a parser is reusable, and entities added after a first parse count
    out["reuse"] = outcome(() => {
      const p = new XMLParser({ ignoreAttributes: false, parseAttributeValue: true });
      const first = p.parse('<r a="1">&foo;</r>');
      p.addEntity("foo", "F");
      return [first, p.parse('<r a="2">&foo;</r>'), p.parse("<s/>")];
    });
    // options changed after construction are not seen (the constructor copied them)
    out["options-copied"] = outcome(() => {
      const o = { ignoreAttributes: false };
      const p = new XMLParser(o);
      o.ignoreAttributes = true;
      o.attributeNamePrefix = "$";
      return p.parse('<r a="1"/>');
    });
    out["buffer"] = outcome(() => new XMLParser().parse(C.inputs.buffer()));
    out["uint8array"] = outcome(() => new XMLParser().parse(C.inputs.uint8()));
    out["number-input"] = outcome(() => new XMLParser().parse(5));
    out["null-input"] = outcome(() => new XMLParser().parse(null));
    out["object-input"] = outcome(() => new XMLParser().parse({ toString: () => "<r>o</r>" }));
    out["lone-surrogate"] = outcome(() => new XMLParser().parse("<r>\ud800</r>"));
    out["lone-surrogate-validate"] = outcome(() => XMLValidator.validate("<r>\ud800</r>"));
    out["getMetaDataSymbol"] = outcome(() => typeof XMLParser.getMetaDataSymbol);
    // random documents: one digest per document over all its option sets, with the document
    C.fuzzDocs(600, 11).forEach((xml, i) => {
      const all = [];
      for (const [on, o] of C.optionSets) all.push(outcome(() => new XMLParser(o).parse(xml)));
      for (const [on, o] of C.validatorOptionSets) all.push(outcome(() => XMLValidator.validate(xml, o)));
      out[`fuzz-${i}`] = `${JSON.stringify(xml)} ${digest(all.join("\n"))}`;
    });
    state.data.parses = out;
    return state;
  },
];
