// The XML benchmark job (benches/xml_compare.py): a CommCare-style form of `bytes` bytes (the
// generator of tests/xml/cases) parsed by xml2js with its default options and with
// `{ explicitArray: false, mergeAttrs: true }`; each parse timed inside the job (generation is
// not), so the same file measures fnhost's bridge, the real package on fnhost and on Node.
// state.configuration: { bytes, rounds }.
import xml2js from "xml2js";
import { xml2js as cases } from "xml-cases";

/** A short fingerprint of a result, the same wherever it was made. */
function fingerprint(result) {
  const text = JSON.stringify(result);
  let h = 0;
  for (let i = 0; i < text.length; i += 7) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return `${text.length}:${h}`;
}

export default [
  async (state) => {
    const { bytes = 20000000, rounds = 1 } = state.configuration;
    const xml = cases.commcareForm(bytes);
    const times = {};
    const checks = [];
    for (const [name, options] of [["defaults", {}], ["flat", { explicitArray: false, mergeAttrs: true }]]) {
      let best = Infinity;
      for (let i = 0; i < rounds; i++) {
        const t = Date.now();
        const result = await xml2js.parseStringPromise(xml, options);
        best = Math.min(best, Date.now() - t);
        if (i === 0) checks.push(fingerprint(result));
      }
      times[name] = best;
    }
    state.data = { bytes: xml.length, times, check: checks.join(" ") };
    return state;
  },
];
