// xml2js 0.6.2's Builder on fnhost (the xml2js bridge's Builder, or the real package with
// --no-bridge xml2js) and on Node (make-expected.mjs): every case of cases/builders.js -- objects
// under every option set, inputs the bridge must leave to the real package (Dates, undefined in
// arrays, Maps, functions, cycles, deep nesting, lone surrogates, invalid names...), objects made
// in the job's own realm, the Builder's options and reuse, and ~2 MB CommCare-style forms.
// state.data must be the same everywhere (tests/it/xml.rs).
import xml2js, { Builder } from "xml2js";
import { createHash } from "node:crypto";
import { builders as C } from "xml-cases";

const isError = (err) => Object.prototype.toString.call(err) === "[object Error]";

/** What a call gave: its text (a digest when long) or the error's class and message. */
function outcome(run) {
  try {
    const xml = run();
    if (typeof xml !== "string") return `not a string: ${typeof xml}`;
    if (!xml.isWellFormed()) return `${xml.length} UTF-16 units with a lone surrogate`;
    return xml.length > 2000 ? `${xml.length} chars, sha256 ${createHash("sha256").update(xml).digest("hex")}` : xml;
  } catch (e) {
    const text = isError(e) ? `${e.name}: ${e.message}` : `thrown ${String(e)}`;
    // JSON (state, expected files) cannot carry lone surrogates: marked and replaced
    return text.isWellFormed() ? text : `${text.toWellFormed()} (with a lone surrogate)`;
  }
}

export default [
  (state) => {
    const out = {};
    for (const [on, o] of C.x2jObjects) {
      for (const [pn, p] of C.x2jOptions) out[`${on} x ${pn}`] = outcome(() => new Builder(p).buildObject(o()));
    }
    for (const [n, o, p] of C.hostile.x2j) out[`hostile ${n}`] = outcome(() => new Builder(p).buildObject(o()));
    for (const [n, o, p] of C.bigCases.x2j) out[n] = outcome(() => new xml2js.Builder(p).buildObject(o()));
    state.data.builds = out;
    return state;
  },
  (state) => {
    // objects and arrays made here, in the job's realm (an adaptor's are another)
    const out = {};
    for (const [on, o] of C.x2jObjects.slice(0, 30)) {
      const text = JSON.stringify(o());
      if (text === undefined) continue;
      out[`${on} x compact`] = outcome(() => new Builder({ renderOpts: { pretty: false } }).buildObject(JSON.parse(text)));
    }
    out.undefinedAndNaN = outcome(() => new Builder().buildObject({ r: { u: undefined, n: NaN, o: { i: -Infinity, u: undefined } } }));
    out.date = outcome(() => new Builder().buildObject({ r: { d: new Date(0) } }));
    out.options = outcome(() => new Builder(JSON.parse('{"rootName":"doc","headless":true}')).buildObject({ a: "1", b: "2" }));
    state.data.jobRealm = out;
    return state;
  },
  (state) => {
    // the Builder's options object, its later changes, reuse, and xml2js.defaults
    const out = {};
    out.options = JSON.stringify(new Builder({ rootName: "x", extra: 1 }).options);
    out.sharedDefaults = String(new Builder().options.xmldec === new Builder().options.xmldec);
    out.mutated = outcome(() => {
      const b = new Builder();
      b.options.rootName = "z";
      b.options.renderOpts = { pretty: false };
      return b.buildObject({ a: 1, b: 2 });
    });
    out.mutatedToFunction = outcome(() => {
      const b = new Builder();
      b.options.xmldec = { version: "1.0", get encoding() { return "ISO-8859-1"; } };
      return b.buildObject({ a: 1 });
    });
    out.reuse = (() => {
      const b = new Builder({ headless: true });
      return [outcome(() => b.buildObject({ a: 1 })), outcome(() => b.buildObject({ b: [2, 3] })), outcome(() => b.buildObject({ c: undefined }))].join(" | ");
    })();
    out.noArgument = outcome(() => new Builder().buildObject());
    out.noNew = outcome(() => Builder());
    out.instance = String(new Builder() instanceof xml2js.Builder);
    out.defaults = outcome(() => {
      const saved = xml2js.defaults["0.2"].rootName;
      xml2js.defaults["0.2"].rootName = "fromDefaults";
      try {
        return new Builder().buildObject({ a: 1, b: 2 });
      } finally {
        xml2js.defaults["0.2"].rootName = saved;
      }
    });
    out.roundTrip = outcome(() => {
      let obj;
      xml2js.parseString('<r a="1"><b>x</b><b>y &amp; z</b><c/></r>', (err, result) => {
        if (err) throw err;
        obj = result;
      });
      return new Builder().buildObject(obj);
    });
    state.data.api = out;
    return state;
  },
];
