// js2xmlparser 5.0's parse() with the building in Rust (src/ops/xml/js2xmlparser.rs): the same
// string, or the same throw, as the real package's. Plain JS (no host imports).
//
// makeJs2xmlparser({ native, real }) returns { parse, parseToExistingElement, Absent }:
//   native.js2xmlParse(root, objectJson, optionsJson) -> XML text, or throws
//     { kind: "invalid" | "unsupported", message }
//   real: the real js2xmlparser module (used for everything not reproduced; its
//     parseToExistingElement and Absent are exported as they are: Absent must be the real one
//     for typeHandlers).
//
// The object is checked (and, where js2xmlparser treats a value exactly like a string,
// converted) before JSON.stringify:
//   undefined -> "undefined", NaN / +-Infinity -> String(n), a Date (of any realm) ->
//   date.toString() (js2xmlparser stringifies all of these with toString/String, and never
//   looks inside them);
//   functions, symbols, bigints, Maps, Sets, boxed primitives, class instances, objects with a
//   toJSON, sparse arrays, nesting deeper than 100 (and cycles) -> the real package.
// Plain objects and arrays may come from any realm (a job's objects come from another V8
// context than the adaptor's).
// Options: typeHandlers / wrapHandlers with entries, functions, non-plain objects, non-finite
// numbers -> the real package; undefined values are sent as {"$fnhost":"undefined"}.
// Invalid -> rethrown as new Error(message) (js2xmlparser/xmlcreate throw plain Errors).

const FALLBACK = { fallback: true };
const MAX_DEPTH = 100;
const toStringTag = (v) => Object.prototype.toString.call(v);

/** Whether `proto` is some realm's Object.prototype. */
function isObjectPrototype(proto) {
  return proto !== null && Object.getPrototypeOf(proto) === null && toStringTag(proto) === "[object Object]";
}

/** Whether `v` (an object, not an array) is an object literal's kind of object, from any realm. */
function isPlainObject(v) {
  return isObjectPrototype(Object.getPrototypeOf(v)) && toStringTag(v) === "[object Object]";
}

/** Whether the array `v` has some realm's Array.prototype as its prototype. */
function isPlainArray(v) {
  const proto = Object.getPrototypeOf(v);
  return Array.isArray(proto) && isObjectPrototype(Object.getPrototypeOf(proto)) && toStringTag(v) === "[object Array]";
}

/** `date.toString()` for a Date of any realm, as js2xmlparser's stringify() gets it. */
function dateText(v) {
  let text;
  try {
    text = v.toString();
  } catch {
    throw FALLBACK;
  }
  if (typeof text !== "string") throw FALLBACK;
  return text;
}

function convValue(v, depth) {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return v - v === 0 ? v : String(v);
    case "undefined":
      return "undefined";
    case "object": {
      if (v === null) return v;
      if (depth > MAX_DEPTH) throw FALLBACK;
      if (Array.isArray(v)) {
        if (!isPlainArray(v)) throw FALLBACK;
        return convArray(v, depth + 1);
      }
      if (isPlainObject(v)) return convObject(v, depth + 1);
      if (toStringTag(v) === "[object Date]") return dateText(v);
      throw FALLBACK;
    }
    default:
      throw FALLBACK;
  }
}

function convObject(o, depth) {
  if (o.toJSON !== undefined) throw FALLBACK;
  const keys = Object.keys(o);
  let out = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = o[k];
    const t = typeof v;
    if (t === "string" || t === "boolean") continue;
    if (t === "number" && v - v === 0) continue;
    const c = convValue(v, depth);
    if (c !== v) {
      if (out === null) {
        if (Object.prototype.hasOwnProperty.call(o, "__proto__")) throw FALLBACK;
        out = {};
        for (let j = 0; j < keys.length; j++) out[keys[j]] = o[keys[j]];
      }
      out[k] = c;
    }
  }
  return out === null ? o : out;
}

function convArray(a, depth) {
  let out = null;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const t = typeof v;
    if (t === "string" || t === "boolean") continue;
    if (t === "number" && v - v === 0) continue;
    if (v === undefined && !(i in a)) throw FALLBACK; // hole: forEach skips it, JSON writes null
    const c = convValue(v, depth);
    if (c !== v) {
      if (out === null) out = a.slice();
      out[i] = c;
    }
  }
  return out === null ? a : out;
}

function encodeOptions(options) {
  if (options === undefined) return "{}";
  const enc = (v, depth, key) => {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        if (v - v !== 0) throw FALLBACK;
        return v;
      case "undefined":
        return { $fnhost: "undefined" };
      case "object": {
        if (v === null) return null;
        if (depth > 5) throw FALLBACK;
        if (Array.isArray(v)) {
          const out = [];
          for (let i = 0; i < v.length; i++) out.push(enc(v[i], depth + 1, null));
          return out;
        }
        if (!isPlainObject(v)) throw FALLBACK;
        if ((key === "typeHandlers" || key === "wrapHandlers") && Object.keys(v).length) throw FALLBACK;
        const out = {};
        for (const k of Object.keys(v)) {
          if (k === "__proto__") throw FALLBACK;
          out[k] = enc(v[k], depth + 1, depth === 0 ? k : null);
        }
        return out;
      }
      default:
        throw FALLBACK;
    }
  };
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw FALLBACK;
  return JSON.stringify(enc(options, 0, null));
}

export function makeJs2xmlparser({ native, real }) {
  function parse(root, object, options) {
    let objJson, optsJson;
    try {
      // a lone surrogate would not survive the trip to Rust as a string (JSON texts escape it)
      if (typeof root !== "string" || !root.isWellFormed()) throw FALLBACK;
      optsJson = encodeOptions(options);
      objJson = JSON.stringify(convValue(object, 0));
    } catch {
      // FALLBACK, too deep for JSON.stringify, or a getter / proxy that throws: the real
      // package reads the input itself and gives its own answer
      return real.parse(root, object, options);
    }
    try {
      return native.js2xmlParse(root, objJson, optsJson);
    } catch (e) {
      if (e && e.kind === "invalid") throw new Error(e.message);
      if (e && e.kind === "unsupported") return real.parse(root, object, options);
      throw e;
    }
  }

  return { Absent: real.Absent, parseToExistingElement: real.parseToExistingElement, parse };
}
