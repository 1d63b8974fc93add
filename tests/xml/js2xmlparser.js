// js2xmlparser 5.0.0 on fnhost (its bridge, or the real package with --no-bridge js2xmlparser)
// and on Node (make-expected.mjs): every case of cases/builders.js -- objects under every option
// set, root names, named cases (random numbers, every option), inputs the bridge must leave to the
// real package (Dates, undefined, Maps, functions, cycles, deep nesting, lone surrogates, invalid
// names, typeHandlers...), objects made in the job's own realm, the module's surface, and ~2 MB
// CommCare-style submissions. state.data must be the same everywhere (tests/it/xml.rs).
import js2xmlparser, { Absent, parse, parseToExistingElement } from "js2xmlparser";
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
    for (const [on, o] of C.j2xObjects) {
      for (const [pn, p] of C.j2xOptions) out[`${on} x ${pn}`] = outcome(() => parse("root", o(), p));
    }
    for (const r of C.j2xRoots) {
      for (const [on, o] of C.j2xObjects.slice(0, 4)) {
        for (const [pn, p] of [["default", undefined], ["replace", { replaceInvalidChars: true }], ["no-validation", { validation: false }]]) {
          out[`root=${JSON.stringify(r)} x ${on} x ${pn}`] = outcome(() => parse(r, o(), p));
        }
      }
    }
    for (const c of C.j2xNamed()) out[`named ${c.name}`] = outcome(() => parse(c.root, c.obj, c.opts));
    for (const [n, r, o, p] of C.hostile.j2x) out[`hostile ${n}`] = outcome(() => parse(r, o(), p));
    for (const [n, r, o, p] of C.bigCases.j2x) out[n] = outcome(() => parse(r, o(), p));
    state.data.parses = out;
    return state;
  },
  (state) => {
    // objects, arrays and Dates made here, in the job's realm (an adaptor's are another)
    const out = {};
    for (const [on, o] of C.j2xObjects.slice(0, 30)) {
      const text = JSON.stringify(o());
      if (text === undefined) continue;
      out[`${on} x compact`] = outcome(() => parse("root", JSON.parse(text), { format: { pretty: false } }));
    }
    out.dates = outcome(() => parse("r", { d: new Date(0), a: [new Date(86400000)], "@": { at: new Date(NaN) } }));
    out.options = outcome(() => parse("r", { a: "x<y" }, JSON.parse('{"cdataInvalidChars":true,"format":{"doubleQuotes":true}}')));
    out.undefinedAndNaN = outcome(() => parse("r", { u: undefined, n: NaN, i: -Infinity, l: [undefined, 1] }));
    state.data.jobRealm = out;
    return state;
  },
  (state) => {
    // the module's surface and the calls only the real package answers
    const out = {};
    out.keys = Object.keys(js2xmlparser).sort().join(",");
    out.esModule = String(js2xmlparser.__esModule);
    out.named = [parse === js2xmlparser.parse, Absent === js2xmlparser.Absent, parseToExistingElement === js2xmlparser.parseToExistingElement].join(",");
    out.absent = String(Absent === Absent.instance.constructor);
    out.nonStringRoot = outcome(() => parse(5, { a: 1 }));
    out.undefinedRoot = outcome(() => parse(undefined, { a: 1 }));
    out.nullOptions = outcome(() => parse("r", { a: 1 }, null));
    out.typeHandlerAbsent = outcome(() => parse("r", { a: 1, b: "x", c: [1, "y"] }, { typeHandlers: { "[object Number]": () => Absent.instance } }));
    out.typeHandlerStar = outcome(() => parse("r", { a: 1, b: "x" }, { typeHandlers: { "*": (v) => (typeof v === "string" ? v.toUpperCase() : v) } }));
    out.wrapHandler = outcome(() => parse("r", { a: [1, 2], b: ["x"] }, { wrapHandlers: { a: () => "item", "*": () => null } }));
    out.noArguments = outcome(() => parse());
    out.reuseOptions = (() => {
      const options = { format: { pretty: false } };
      return [outcome(() => parse("a", { x: "1" }, options)), outcome(() => parse("b", { y: "2" }, options)), JSON.stringify(options)].join(" | ");
    })();
    state.data.api = out;
    return state;
  },
];
