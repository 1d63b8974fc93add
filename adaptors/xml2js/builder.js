// xml2js 0.6's Builder with buildObject() done in Rust (src/ops/xml/xml2js_build.rs): the same
// string, or the same throw, as the real package's. Plain JS (no host imports).
//
// makeBuilder({ native, loadReal, defaults }) returns the Builder class:
//   native.xml2jsBuild(objectJson, optionsJson) -> XML text, or throws
//     { kind: "invalid" | "unsupported", message }
//   loadReal() -> the real xml2js module (its Builder runs everything not reproduced);
//   defaults: the bridge's `xml2js.defaults` (the Builder reads "0.2" at construction).
//
// `new Builder(opts)` gets `options` = defaults["0.2"] overridden by opts' own properties, as the
// real one (later changes to `builder.options` are honoured). buildObject(rootObj) sends the
// object as JSON when JSON carries it faithfully for xml2js:
//   an undefined property of an object that is neither the top-level object nor an array item
//   -> null (xml2js treats both alike there: empty element / no attribute / same error);
//   NaN / +-Infinity as an object property -> String(n) (xml2js writes n.toString() / '' + n);
//   anything else (undefined or non-finite numbers in arrays or at top level, functions,
//   symbols, bigints, Dates, Maps, Sets, class instances, toJSON, holes, nesting > 100,
//   a top-level value that is not a plain object or array) -> the real Builder.
// Plain objects and arrays may come from any realm (a job's objects come from another V8
// context than the adaptor's).
// Errors the Rust side reports as invalid are thrown as new Error(message) like xmlbuilder does.

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

function convObject(o, depth, undefOk) {
  if (depth > MAX_DEPTH || o.toJSON !== undefined) throw FALLBACK;
  const keys = Object.keys(o);
  let out = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = o[k];
    const t = typeof v;
    if (t === "string" || t === "boolean") continue;
    let c;
    if (t === "number") {
      if (v - v === 0) continue;
      c = String(v);
    } else if (t === "undefined") {
      if (!undefOk) throw FALLBACK;
      c = null;
    } else if (t === "object") {
      if (v === null) continue;
      if (Array.isArray(v) && isPlainArray(v)) c = convArray(v, depth + 1);
      else if (!Array.isArray(v) && isPlainObject(v)) c = convObject(v, depth + 1, true);
      else throw FALLBACK;
    } else throw FALLBACK;
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
  if (depth > MAX_DEPTH) throw FALLBACK;
  let out = null;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const t = typeof v;
    if (t === "string" || t === "boolean") continue;
    if (t === "number") {
      if (v - v === 0) continue;
      throw FALLBACK;
    }
    if (t !== "object") throw FALLBACK; // undefined (or hole), function, symbol, bigint
    if (v === null) continue;
    let c;
    if (Array.isArray(v) && isPlainArray(v)) c = convArray(v, depth + 1);
    else if (!Array.isArray(v) && isPlainObject(v)) c = convObject(v, depth + 1, false);
    else throw FALLBACK;
    if (c !== v) {
      if (out === null) out = a.slice();
      out[i] = c;
    }
  }
  return out === null ? a : out;
}

const SENT = ["attrkey", "charkey", "rootName", "xmldec", "doctype", "renderOpts", "headless", "cdata"];

function encodeOptions(options) {
  const enc = (v, depth) => {
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
        if (depth > 3 || Array.isArray(v) || !isPlainObject(v)) throw FALLBACK;
        const out = {};
        for (const k of Object.keys(v)) {
          if (k === "__proto__") throw FALLBACK;
          out[k] = enc(v[k], depth + 1);
        }
        return out;
      }
      default:
        throw FALLBACK;
    }
  };
  const out = {};
  for (const k of SENT) {
    // Builder reads these with plain property access (own or inherited).
    out[k] = enc(options[k], 1);
  }
  return JSON.stringify(out);
}

export function makeBuilder({ native, loadReal, defaults }) {
  // a function with an assigned prototype method, as xml2js' (CoffeeScript) Builder: called
  // without `new`, or buildObject on another `this`, does what the real one does
  function Builder(opts) {
    if (new.target === undefined) return loadReal().Builder.call(this, opts);
    this.options = {};
    const base = defaults["0.2"];
    for (const key in base) {
      if (Object.prototype.hasOwnProperty.call(base, key)) this.options[key] = base[key];
    }
    for (const key in opts) {
      if (Object.prototype.hasOwnProperty.call(opts, key)) this.options[key] = opts[key];
    }
  }

  Builder.prototype.buildObject = function (rootObj) {
    if (!(this instanceof Builder)) return loadReal().Builder.prototype.buildObject.call(this, rootObj);
    let objJson, optsJson;
    try {
      if (rootObj === null || typeof rootObj !== "object") throw FALLBACK;
      const options = this.options;
      if (options === null || typeof options !== "object") throw FALLBACK;
      let c;
      if (Array.isArray(rootObj) && isPlainArray(rootObj)) c = convArray(rootObj, 0);
      else if (!Array.isArray(rootObj) && isPlainObject(rootObj)) c = convObject(rootObj, 0, false);
      else throw FALLBACK;
      optsJson = encodeOptions(options);
      objJson = JSON.stringify(c);
    } catch {
      // FALLBACK, too deep for JSON.stringify, or a getter / proxy that throws: the real
      // package reads the input itself and gives its own answer
      return runReal(this, rootObj);
    }
    try {
      return native.xml2jsBuild(objJson, optsJson);
    } catch (e) {
      if (e && e.kind === "invalid") throw new Error(e.message);
      if (e && e.kind === "unsupported") return runReal(this, rootObj);
      throw e;
    }
  };

  // The real Builder with this builder's options object (so later changes to it are seen too).
  function runReal(builder, rootObj) {
    const b = new (loadReal().Builder)();
    b.options = builder.options;
    return b.buildObject(rootObj);
  }
  return Builder;
}
