// js2xmlparser 5.0.0's module surface with parse() done in Rust (js2xml_parse): the same
// string, or the same throw, as the real package's; inputs JSON cannot carry exactly go to the
// real package.
//
// Only JSON-faithful inputs go to Rust: plain objects and arrays (of any realm: a job's objects
// come from another V8 context than the adaptor's), strings, finite numbers, booleans, null.
// Anything else (undefined, functions, Date, Map, Set, class instances, boxed primitives,
// toJSON, symbols, bigint, sparse arrays, arrays with extra properties, NaN/Infinity, cycles,
// very deep nesting) makes parse() use the real package. So do a non-string root and options
// other than the documented JSON types (typeHandlers / wrapHandlers with entries, strings
// given as cdataKeys, null values, ...). parseToExistingElement and Absent are the real
// package's (loaded on first use).

const MAX_DEPTH = 400;

/** Whether `proto` is some realm's Object.prototype. */
function isObjectPrototype(proto) {
  return proto !== null && Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(proto) === "[object Object]";
}

/** Whether `v` is an object literal's kind of object, from any realm. */
function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && isObjectPrototype(Object.getPrototypeOf(v));
}

/** Whether `v` is an array whose prototype is some realm's Array.prototype. */
function isPlainArray(v) {
  if (!Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return Array.isArray(proto) && isObjectPrototype(Object.getPrototypeOf(proto));
}

/** True when JSON.stringify(v) carries exactly what js2xmlparser would read from v. */
function faithful(v, depth) {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v); // -0: String(-0) and JSON both give "0"
    case 'object': {
      if (v === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (isPlainArray(v)) {
        const n = v.length;
        for (let i = 0; i < n; i++) {
          if (!faithful(v[i], depth + 1)) return false; // holes read as undefined
        }
        return Object.keys(v).length === n;
      }
      if (!isPlainObject(v)) return false;
      // Object.keys is what the library walks; symbols and non-enumerables it never sees
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        if (!faithful(v[keys[i]], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

const isUndef = (v) => v === undefined;
const isStr = (v) => typeof v === 'string';
const isBool = (v) => typeof v === 'boolean';

/** A JSON copy of the options when they only hold what Rust models, else null. */
function plainOptions(options) {
  if (options === undefined) return {};
  if (!isPlainObject(options)) return null;
  const out = {};
  const copy = (src, dst, key, test) => {
    const v = src[key];
    if (isUndef(v)) return true;
    if (!test(v)) return false;
    dst[key] = v;
    return true;
  };
  for (const k of ['aliasString', 'attributeString', 'valueString']) if (!copy(options, out, k, isStr)) return null;
  for (const k of ['cdataInvalidChars', 'replaceInvalidChars', 'useSelfClosingTagIfEmpty', 'validation']) {
    if (!copy(options, out, k, isBool)) return null;
  }
  const keys = options.cdataKeys;
  if (!isUndef(keys)) {
    if (!isPlainArray(keys) || Object.keys(keys).length !== keys.length) return null;
    for (let i = 0; i < keys.length; i++) if (!isStr(keys[i])) return null;
    out.cdataKeys = keys.slice();
  }
  for (const k of ['typeHandlers', 'wrapHandlers']) {
    const h = options[k];
    if (isUndef(h)) continue;
    if (!isPlainObject(h)) return null;
    for (const hk in h) return null; // any enumerable key (own or inherited)
  }
  const sub = (k, spec) => {
    const s = options[k];
    if (isUndef(s)) return true;
    if (!isPlainObject(s)) return false;
    const d = {};
    for (const [sk, test] of spec) if (!copy(s, d, sk, test)) return false;
    out[k] = d;
    return true;
  };
  if (!sub('declaration', [['include', isBool], ['encoding', isStr], ['standalone', isStr], ['version', isStr]])) return null;
  if (!sub('dtd', [['include', isBool], ['name', isStr], ['sysId', isStr], ['pubId', isStr]])) return null;
  if (!sub('format', [['doubleQuotes', isBool], ['pretty', isBool], ['indent', isStr], ['newline', isStr]])) return null;
  return out;
}

export function makeJs2xmlparser({ native, loadReal }) {
  let real = null;
  const getReal = () => (real === null ? (real = loadReal()) : real);

  function parse(root, object, options) {
    if (typeof root !== 'string') return getReal().parse(root, object, options);
    const opts = plainOptions(options);
    if (opts === null) return getReal().parse(root, object, options);
    let json;
    try {
      if (!faithful(object, 0)) return getReal().parse(root, object, options);
      json = JSON.stringify(object);
    } catch (e) {
      return getReal().parse(root, object, options); // stack overflow in the walk etc.
    }
    let optsJson;
    try {
      optsJson = JSON.stringify(opts);
    } catch (e) {
      return getReal().parse(root, object, options);
    }
    try {
      return native.js2xmlParse(root, json, optsJson);
    } catch (e) {
      if (e && e.kind === 'invalid') {
        const Cls = e.class === 'TypeError' ? TypeError : e.class === 'RangeError' ? RangeError : Error;
        throw new Cls(e.message);
      }
      if (e && e.kind === 'unsupported') return getReal().parse(root, object, options);
      throw e;
    }
  }

  return {
    parse,
    parseToExistingElement(element, object, options) {
      return getReal().parseToExistingElement(element, object, options);
    },
    get Absent() {
      return getReal().Absent;
    },
  };
}

// For the differential tooling (make-expected.mjs): what the bridge would send to Rust.
export { faithful as _faithful, plainOptions as _plainOptions };
