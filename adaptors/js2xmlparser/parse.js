// js2xmlparser 5.0.0's module surface with parse() done in Rust (xmlbuild-core). Plain JS (no
// host imports).
//
// makeJs2xmlparser({ native, loadReal }) returns { parse, parseToExistingElement, Absent }:
//   native.js2xmlParse(root, objectJson, optionsJson) → XML text, or throws
//     { kind: "invalid" | "unsupported", message }
//   loadReal() → the real js2xmlparser module (used for everything not reproduced).
//
// The answer is always the real package's. The object is checked (and, where js2xmlparser treats
// a value exactly like a string, converted) before JSON.stringify:
//   undefined → "undefined", NaN / ±Infinity → String(n), Date → date.toString()
//   (js2xmlparser stringifies all of these with toString/String, and never looks inside them);
//   functions, symbols, bigints, Maps, Sets, boxed primitives, class instances, objects with a
//   toJSON, sparse arrays, nesting deeper than 100 → the real package.
// Options: typeHandlers / wrapHandlers with entries, functions, non-plain objects, non-finite
// numbers → the real package; undefined values are sent as {"$fnhost":"undefined"}.
// Invalid → rethrown as new Error(message) (js2xmlparser/xmlcreate throw plain Errors).

const FALLBACK = { fallback: true };
const OBJ = Object.prototype;
const MAX_DEPTH = 100;

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
      if (Array.isArray(v)) return convArray(v, depth + 1);
      const p = Object.getPrototypeOf(v);
      if (p === OBJ) return convObject(v, depth + 1);
      if (p === Date.prototype) return v.toString();
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
        if (Object.getPrototypeOf(v) !== OBJ) throw FALLBACK;
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

export function makeJs2xmlparser({ native, loadReal }) {
  let realMod = null;
  const real = () => realMod || (realMod = loadReal());

  function parse(root, object, options) {
    let objJson, optsJson;
    try {
      if (typeof root !== "string") throw FALLBACK;
      optsJson = encodeOptions(options);
      objJson = JSON.stringify(convValue(object, 0));
    } catch (e) {
      if (e === FALLBACK || e instanceof RangeError) return real().parse(root, object, options);
      throw e;
    }
    try {
      return native.js2xmlParse(root, objJson, optsJson);
    } catch (e) {
      if (e && e.kind === "invalid") throw new Error(e.message);
      if (e && e.kind === "unsupported") return real().parse(root, object, options);
      throw e;
    }
  }

  return {
    parse,
    get parseToExistingElement() {
      return real().parseToExistingElement;
    },
    get Absent() {
      return real().Absent;
    },
  };
}
