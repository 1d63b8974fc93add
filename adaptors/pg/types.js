// PLACEHOLDER until the real parsers land (lead's stub for compiling): a few text parsers.
export const builtins = {};
const parsers = { 16: (v) => v === "t", 20: (v) => v, 21: (v) => parseInt(v, 10), 23: (v) => parseInt(v, 10), 26: (v) => parseInt(v, 10), 114: JSON.parse, 3802: JSON.parse, 700: parseFloat, 701: parseFloat };
const noParse = (v) => String(v);
export function getTypeParser(oid, format = "text") {
  return (format === "text" && parsers[oid]) || noParse;
}
export function setTypeParser(oid, format, fn) {
  if (typeof format === "function") fn = format;
  parsers[oid] = fn;
}
export class TypeOverrides {
  constructor(userTypes) {
    this._types = userTypes || { getTypeParser };
    this.text = {};
    this.binary = {};
  }
  getOverrides(format) {
    return format === "binary" ? this.binary : this.text;
  }
  setTypeParser(oid, format, parseFn) {
    if (typeof format === "function") {
      parseFn = format;
      format = "text";
    }
    this.getOverrides(format)[oid] = parseFn;
  }
  getTypeParser(oid, format = "text") {
    return this.getOverrides(format)[oid] || this._types.getTypeParser(oid, format);
  }
}
