// The XML benchmark job (benches/xml_compare.py): xml2js parses a CommCare-style form of `bytes`
// bytes (the generator of tests/xml/cases) with its default options and with
// `{ explicitArray: false, mergeAttrs: true }`, fast-xml-parser's XMLParser parses it
// (`ignoreAttributes: false`), and fast-xml-parser's XMLBuilder builds XML from a
// CommCare-style submission object of about `bytes` of JSON; each step timed inside the job
// (making the inputs is not), so the same file measures fnhost's bridges, the real packages on
// fnhost and on Node. Then js2xmlparser 5's parse and xml2js' Builder build XML from
// CommCare-style submission objects (tests/xml/cases/builders.js) of about `bytes` of XML
// (`bytes / 445` household members). state.configuration: { bytes, rounds }.
import xml2js from "xml2js";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { xml2js as xmlCases, fxpBuilder as objectCases } from "xml-cases";
import { parse as js2xmlparserParse } from "js2xmlparser";
import { builders as builderCases } from "xml-cases";

/** A short fingerprint of a text, the same wherever it was made. */
function fingerprint(text) {
  let h = 0;
  for (let i = 0; i < text.length; i += 7) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return `${text.length}:${h}`;
}

async function best(rounds, run) {
  let time = Infinity;
  let check;
  for (let i = 0; i < rounds; i++) {
    const t = Date.now();
    const out = await run();
    time = Math.min(time, Date.now() - t);
    check = fingerprint(typeof out === "string" ? out : JSON.stringify(out));
  }
  return [time, check];
}

export default [
  async (state) => {
    const { bytes = 20000000, rounds = 1 } = state.configuration;
    const xml = xmlCases.commcareForm(bytes);
    const object = objectCases.bigCommcare(bytes);
    const times = {};
    const checks = [];
    const steps = {
      parseDefaults: () => xml2js.parseStringPromise(xml, {}),
      parseFlat: () => xml2js.parseStringPromise(xml, { explicitArray: false, mergeAttrs: true }),
      build: () => new XMLBuilder({ ignoreAttributes: false }).build(object),
      fxpParse: () => new XMLParser({ ignoreAttributes: false }).parse(xml),
    };
    for (const [name, run] of Object.entries(steps)) {
      const [time, check] = await best(rounds, run);
      times[name] = time;
      checks.push(check);
    }
    const members = Math.round(bytes / 445);
    const submissions = {
      js2xmlparserBuild: [builderCases.commcareForm(members, "js2x"), (o) => js2xmlparserParse("data", o)],
      xml2jsBuild: [builderCases.commcareForm(members, "x2j"), (o) => new xml2js.Builder().buildObject(o)],
    };
    for (const [name, [input, run]] of Object.entries(submissions)) {
      const [time, check] = await best(rounds, () => run(input));
      times[name] = time;
      checks.push(check);
    }
    state.data = { bytes: xml.length, times, check: checks.join(" ") };
    return state;
  },
];
