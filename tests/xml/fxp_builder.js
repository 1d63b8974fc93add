// fast-xml-parser's XMLBuilder on fnhost (its bridge, or the real package with --no-bridge
// fast-xml-parser) and on Node (make-expected.mjs), for whichever version the fixture holds
// (tests/xml: 5.12.1, tests/xml/v4: 4.5.7): every case of cases/fxp_builder.js — objects under
// every option preset, preserveOrder lists, inputs JSON cannot carry (Dates, undefined, Maps,
// functions, cycles…), function options, round trips through the version's own XMLParser, and
// a 2 MB CommCare-style submission. state.data must be the same everywhere (tests/it/xml.rs).
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { createHash } from "node:crypto";
import { fxpBuilder as C } from "xml-cases";

const isError = (err) => Object.prototype.toString.call(err) === "[object Error]";

/** What a build gave: its text (a digest when long) or the error's class and message. */
function outcome(run) {
  try {
    const xml = run();
    if (typeof xml !== "string") return `not a string: ${typeof xml}`;
    if (!xml.isWellFormed()) return `${xml.length} UTF-16 units with a lone surrogate`;
    return xml.length > 2000 ? `${xml.length} chars, sha256 ${createHash("sha256").update(xml).digest("hex")}` : xml;
  } catch (e) {
    return isError(e) ? `${e.name}: ${e.message}` : `thrown ${String(e)}`;
  }
}

const value = (v) => (typeof v === "function" ? v() : v);

function build(obj, opts, mutate) {
  return outcome(() => {
    const options = value(opts);
    const builder = new XMLBuilder(options);
    if (mutate) mutate(options);
    return builder.build(value(obj));
  });
}

export default [
  (state) => {
    const out = {};
    for (const [on, obj] of Object.entries(C.objects)) {
      for (const [pn, opts] of Object.entries(C.presets)) out[`${on}--${pn}`] = build(obj, opts);
    }
    // the same objects made in the job's own realm (its Object.prototype is not the adaptor's)
    for (const [on, obj] of Object.entries(C.objects)) {
      out[`${on}--job-realm`] = build(JSON.parse(JSON.stringify(obj)), { ignoreAttributes: false, format: true });
    }
    for (const [on, obj] of Object.entries(C.ordered)) {
      for (const [pn, opts] of Object.entries(C.orderedPresets)) out[`ord-${on}--${pn}`] = build(obj, opts);
    }
    for (const c of C.extra) out[c.name] = build(c.obj, c.opts, c.mutate);
    for (const c of C.bridgeOnly) out[`only-${c.name}`] = build(c.obj, c.opts, c.mutate);
    for (const doc of C.roundTrip) {
      for (const [pn, popts] of Object.entries(C.roundTripParserOptions)) {
        const obj = new XMLParser(popts).parse(doc.xml);
        C.roundTripBuilderOptions[pn].forEach((bopts, i) => {
          out[`${doc.name}--${pn}${i}`] = build(obj, bopts);
        });
      }
    }
    const big = C.bigCommcare();
    for (const [pn, opts] of Object.entries({
      default: {},
      attrs: { ignoreAttributes: false },
      attrsFormat: { ignoreAttributes: false, format: true, suppressEmptyNode: true },
      oneList: { ignoreAttributes: false, oneListGroup: true },
    })) {
      out[`big-commcare--${pn}`] = build(big, opts);
    }
    state.data.builds = out;
    return state;
  },
];
