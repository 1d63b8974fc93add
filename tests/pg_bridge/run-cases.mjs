// Runs every case of types_cases.mjs against one implementation of pg's value API (the npm pg, or
// fnhost's bridge) and returns [label, description] pairs. No Node-only API: fnhost jobs can
// import it too. `api` = { types: pg.types, TypeOverrides, defaults, prepareValue, escapeIdentifier,
// escapeLiteral } (the shape of the `pg` module's own fields).
import { outcome } from "./describe.mjs";
import { arrayParserCases, binaryCases, escapeCases, prepareCases, scenarios, textCases, transforms } from "./types_cases.mjs";

export function runCases(api) {
  const out = [];
  for (const [oid, text] of textCases) {
    out.push([`text ${oid} ${JSON.stringify(text)}`, outcome(() => api.types.getTypeParser(oid, "text")(text))]);
  }
  for (const [oid, hex] of binaryCases) {
    out.push([`binary ${oid} ${hex}`, outcome(() => api.types.getTypeParser(oid, "binary")(Buffer.from(hex, "hex")))]);
  }
  for (const [text, transform] of arrayParserCases) {
    out.push([`arrayParser ${JSON.stringify(text)} ${transform}`, outcome(() => api.types.arrayParser.create(text, transform && transforms[transform]).parse())]);
  }
  for (const [label, make] of prepareCases) {
    out.push([`prepareValue ${label}`, outcome(() => api.prepareValue(make()))]);
  }
  for (const [label, input] of escapeCases) {
    out.push([`escapeIdentifier ${label}`, outcome(() => api.escapeIdentifier(input))]);
    out.push([`escapeLiteral ${label}`, outcome(() => api.escapeLiteral(input))]);
  }
  for (const [label, run] of scenarios) {
    out.push([`scenario ${label}`, outcome(() => run(api))]);
  }
  return out;
}

/** The TZ-specific name of an expected-results file: types.expected.America_New_York.json. */
export const expectedFileName = (tz) => `types.expected.${String(tz || "unset").replace(/[^A-Za-z0-9_-]/g, "_")}.json`;
