// Deep equality for assert.deepEqual/deepStrictEqual and util.isDeepStrictEqual.
import { core } from "ext:fnhost/node/_internal.js";

const toStr = (v) => Object.prototype.toString.call(v);
const isBoxed = core?.isBoxedPrimitive ?? (() => false);

function ownKeys(obj, strict) {
  const keys = Object.keys(obj);
  if (strict) {
    for (const s of Object.getOwnPropertySymbols(obj)) {
      if (Object.prototype.propertyIsEnumerable.call(obj, s)) keys.push(s);
    }
  }
  return keys;
}

/** Compares two values deeply; `strict` selects deepStrictEqual semantics. */
export function isDeepEqual(a, b, strict, memo) {
  if (a === b) return a !== 0 || !strict || Object.is(a, b);
  if (strict) {
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
      return typeof a === "number" && typeof b === "number" ? Number.isNaN(a) && Number.isNaN(b) : false;
    }
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  } else {
    if (a === null || typeof a !== "object") {
      if (b === null || typeof b !== "object") {
        // eslint-disable-next-line eqeqeq
        return a == b || (Number.isNaN(a) && Number.isNaN(b));
      }
      return false;
    }
    if (b === null || typeof b !== "object") return false;
  }
  const tagA = toStr(a);
  if (tagA !== toStr(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
  } else if (tagA === "[object Date]") {
    if (a.getTime() !== b.getTime()) return false;
  } else if (a instanceof RegExp || tagA === "[object RegExp]") {
    if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
  } else if (a instanceof Error || tagA === "[object Error]") {
    if (a.message !== b.message || a.name !== b.name) return false;
  } else if (ArrayBuffer.isView(a)) {
    if (!ArrayBuffer.isView(b)) return false;
    if (a.byteLength !== b.byteLength) return false;
    if (!strict && (tagA === "[object Float32Array]" || tagA === "[object Float64Array]")) {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    } else {
      const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    }
    const ka = ownKeys(a, strict).filter((k) => typeof k !== "string" || !/^\d+$/.test(k));
    const kb = ownKeys(b, strict).filter((k) => typeof k !== "string" || !/^\d+$/.test(k));
    if (ka.length !== kb.length) return false;
    return keyCheck(a, b, strict, memo, ka);
  } else if (tagA === "[object ArrayBuffer]" || tagA === "[object SharedArrayBuffer]") {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  } else if (isBoxed(a)) {
    if (!isBoxed(b) || !Object.is(a.valueOf(), b.valueOf())) return false;
  } else if (a instanceof Map || tagA === "[object Map]") {
    if (a.size !== b.size) return false;
  } else if (a instanceof Set || tagA === "[object Set]") {
    if (a.size !== b.size) return false;
  } else if (tagA === "[object WeakMap]" || tagA === "[object WeakSet]" || tagA === "[object Promise]") {
    return false;
  }
  const ka = ownKeys(a, strict);
  const kb = ownKeys(b, strict);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false;
  return keyCheck(a, b, strict, memo, ka);
}

function keyCheck(a, b, strict, memo, keys) {
  if (memo === undefined) {
    memo = { a: new Map(), b: new Map(), position: 0 };
  } else {
    const memoA = memo.a.get(a);
    if (memoA !== undefined) {
      const memoB = memo.b.get(b);
      if (memoB !== undefined) return memoA === memoB;
    }
    memo.position++;
  }
  memo.a.set(a, memo.position);
  memo.b.set(b, memo.position);
  let ok = true;
  if (a instanceof Set || toStr(a) === "[object Set]") ok = setEquiv(a, b, strict, memo);
  else if (a instanceof Map || toStr(a) === "[object Map]") ok = mapEquiv(a, b, strict, memo);
  if (ok) {
    for (const k of keys) {
      if (!isDeepEqual(a[k], b[k], strict, memo)) {
        ok = false;
        break;
      }
    }
  }
  memo.a.delete(a);
  memo.b.delete(b);
  return ok;
}

function setEquiv(a, b, strict, memo) {
  const rest = [];
  for (const v of a) {
    if (typeof v === "object" && v !== null) rest.push(v);
    else if (!b.has(v)) {
      if (strict) return false;
      rest.push(v);
    }
  }
  if (rest.length === 0) return true;
  const pool = [];
  for (const v of b) if ((typeof v === "object" && v !== null) || !a.has(v)) pool.push(v);
  for (const v of rest) {
    const i = pool.findIndex((w) => isDeepEqual(v, w, strict, memo));
    if (i < 0) return false;
    pool.splice(i, 1);
  }
  return true;
}

function mapEquiv(a, b, strict, memo) {
  const rest = [];
  for (const [k, v] of a) {
    if (typeof k === "object" && k !== null) rest.push([k, v]);
    else if (!b.has(k)) {
      if (strict) return false;
      rest.push([k, v]);
    } else if (!isDeepEqual(v, b.get(k), strict, memo)) {
      return false;
    }
  }
  if (rest.length === 0) return true;
  const pool = [];
  for (const [k, v] of b) if ((typeof k === "object" && k !== null) || !a.has(k)) pool.push([k, v]);
  for (const [k, v] of rest) {
    const i = pool.findIndex(([k2, v2]) => isDeepEqual(k, k2, strict, memo) && isDeepEqual(v, v2, strict, memo));
    if (i < 0) return false;
    pool.splice(i, 1);
  }
  return true;
}
