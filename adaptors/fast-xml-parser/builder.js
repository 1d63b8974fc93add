// fast-xml-parser's XMLBuilder with the building in Rust (src/ops/xml/fxp_build.rs): the same
// string, or the same throw, as the real package's; inputs JSON cannot carry exactly go to the
// real package.
//
// Only JSON-faithful inputs go to Rust: plain objects and arrays (of any realm: a job's objects
// come from another V8 context than the adaptor's), strings, finite numbers, booleans, null.
// Anything else (undefined, functions, Date, Map, class instances, boxed primitives, toJSON,
// symbols, bigint, sparse arrays, arrays with extra properties, NaN/Infinity, cycles, very deep
// nesting, and -0 for v5, which prints "-0" there) makes build() use the real package. So do
// options holding anything but JSON data (functions such as tagValueProcessor, RegExps,
// undefined values, entities).

const MAX_DEPTH = 400;

/** Whether `proto` is some realm's Object.prototype. */
function isObjectPrototype(proto) {
  return proto !== null && Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(proto) === "[object Object]";
}

/** Whether `v` is an object literal's kind of object, from any realm. */
function isPlainObject(v) {
  return !Array.isArray(v) && isObjectPrototype(Object.getPrototypeOf(v));
}

/** Whether `v` is an array whose prototype is some realm's Array.prototype. */
function isPlainArray(v) {
  if (!Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return Array.isArray(proto) && isObjectPrototype(Object.getPrototypeOf(proto));
}

/** True when JSON.stringify(v) carries exactly what the builder would read from v. */
function faithful(v, v5, depth) {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !(v5 && v === 0 && 1 / v < 0);
    case 'object': {
      if (v === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (isPlainArray(v)) {
        const n = v.length;
        for (let i = 0; i < n; i++) {
          if (!faithful(v[i], v5, depth + 1)) return false; // holes read as undefined
        }
        // for...in over an array (nested arrays, top level) would also see extra keys
        return Object.keys(v).length === n;
      }
      if (!isPlainObject(v)) return false;
      for (const k in v) {
        if (!faithful(v[k], v5, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Options that are plain JSON data (checked one level into arrays). */
function plainOptions(options) {
  if (options === undefined || options === null) return true;
  if (typeof options !== 'object' || !isPlainObject(options)) return false;
  for (const k in options) {
    const v = options[k];
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    if (isPlainArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e = v[i];
        if (!(e === null || typeof e === 'string' || (typeof e === 'number' && Number.isFinite(e)))) return false;
      }
      continue;
    }
    return false;
  }
  return true;
}

export function makeXmlBuilder({ native, loadReal, version }) {
  const v5 = version === 5 || version === '5';
  const nativeVersion = v5 ? 5 : 4;

  return class XMLBuilder {
    constructor(options) {
      this._options = options;
      this._real = null;
      this._useReal = !plainOptions(options);
      if (this._useReal) {
        this._realBuilder(); // options the Rust side cannot see: the real package does everything
      } else {
        this._optsJson = options == null ? '{}' : JSON.stringify(options);
        // The real constructor copies the options; keep a copy for a later fallback.
        this._optionsCopy = options == null ? options : Object.assign({}, options);
        // v5 compiles stopNodes in its constructor (and may throw there): construct it now.
        if (v5 && options && Array.isArray(options.stopNodes) && options.stopNodes.length > 0) this._realBuilder();
      }
    }

    _realBuilder() {
      if (this._real === null) {
        const Real = loadReal().XMLBuilder;
        this._real = new Real(this._useReal ? this._options : this._optionsCopy);
      }
      return this._real;
    }

    build(jObj) {
      if (this._useReal) return this._real.build(jObj);
      let json;
      try {
        if (jObj === null || typeof jObj !== 'object' || !faithful(jObj, v5, 0)) return this._realBuilder().build(jObj);
        json = JSON.stringify(jObj);
      } catch (e) {
        return this._realBuilder().build(jObj); // stack overflow in the walk etc.
      }
      try {
        return native.fxpBuild(json, this._optsJson, nativeVersion);
      } catch (e) {
        if (e && e.kind === 'invalid') throw new Error(e.message);
        if (e && e.kind === 'unsupported') return this._realBuilder().build(jObj);
        throw e;
      }
    }
  };
}
