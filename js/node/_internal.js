// Shared helpers for fnhost's Node built-in modules: Node-style errors with `code`s, argument
// validation, and the deno_core functions the modules need (captured here while the bootstrap
// still sees `Deno.core`; it is deleted before user code runs).

export const core = globalThis.Deno?.core;

/** Node's marker for custom inspection (`util.inspect.custom`). */
export const kInspect = Symbol.for("nodejs.util.inspect.custom");

function describeReceived(value) {
  if (value == null) return ` Received ${value}`;
  if (typeof value === "function") return ` Received function ${value.name || "<anonymous>"}`;
  if (typeof value === "object") {
    const name = value.constructor?.name;
    return name ? ` Received an instance of ${name}` : " Received [Object: null prototype]";
  }
  let shown = typeof value === "string" ? `'${value.length > 25 ? value.slice(0, 25) + "..." : value}'` : String(value);
  if (typeof value === "bigint") shown += "n";
  return ` Received type ${typeof value} (${shown})`;
}

/** Creates an error of class `Base` (the main realm's own) with Node's `code`. */
export function nodeError(Base, code, message) {
  const err = new Base(message);
  Object.defineProperty(err, "code", { value: code, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(err, "toString", {
    value() {
      return `${this.name} [${this.code}]: ${this.message}`;
    },
    enumerable: false,
    writable: true,
    configurable: true,
  });
  try {
    const name = err.name;
    const stack = err.stack;
    if (typeof stack === "string" && stack.startsWith(`${name}: `)) {
      Object.defineProperty(err, "stack", { value: `${name} [${code}]: ` + stack.slice(name.length + 2), writable: true, configurable: true, enumerable: false });
    }
  } catch {
    // keep the default stack
  }
  return err;
}

const TYPE_NAMES = new Set(["string", "number", "bigint", "boolean", "symbol", "undefined", "object", "function"]);

function listTypes(types) {
  const kinds = [];
  const classes = [];
  for (const t of types) {
    if (t === "Function" || t === "Object") kinds.push(t.toLowerCase());
    else (TYPE_NAMES.has(t) ? kinds : classes).push(t);
  }
  const join = (arr) => arr.length <= 2 ? arr.join(" or ") : `${arr.slice(0, -1).join(", ")}, or ${arr[arr.length - 1]}`;
  let msg = "";
  if (kinds.length) msg += (kinds.length > 1 ? "one of type " : "of type ") + join(kinds);
  if (classes.length) msg += (msg ? " or " : "") + (classes.length > 1 ? "an instance of " : "an instance of ") + join(classes);
  return msg;
}

/** `ERR_INVALID_ARG_TYPE`: `The "name" argument must be of type string. Received ...` */
export function invalidArgType(name, expected, actual) {
  const types = Array.isArray(expected) ? expected : [expected];
  const what = name.endsWith(" argument") ? name : `"${name}" ${name.includes(".") ? "property" : "argument"}`;
  return nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The ${what} must be ${listTypes(types)}.${describeReceived(actual)}`);
}

export function invalidArgValue(name, value, reason = "is invalid") {
  let shown;
  try {
    shown = typeof value === "string" ? `'${value}'` : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    shown = String(value);
  }
  const kind = name.includes(".") ? "property" : "argument";
  return nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The ${kind} '${name}' ${reason}. Received ${shown}`);
}

export function outOfRange(name, range, value) {
  let shown = String(value);
  if ((typeof value === "number" && Number.isInteger(value) && Math.abs(value) > 2 ** 32) ||
      (typeof value === "bigint" && (value > 2n ** 32n || value < -(2n ** 32n)))) {
    shown = addNumericalSeparator(shown);
  }
  if (typeof value === "bigint") shown += "n";
  return nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`);
}

function addNumericalSeparator(val) {
  let res = "";
  let i = val.length;
  const start = val[0] === "-" ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
  return `${val.slice(0, i)}${res}`;
}

export function validateString(value, name) {
  if (typeof value !== "string") throw invalidArgType(name, "string", value);
}
export function validateFunction(value, name) {
  if (typeof value !== "function") throw invalidArgType(name, "Function", value);
}
export function validateObject(value, name, allowNull = false) {
  if ((!allowNull && value === null) || Array.isArray(value) || (typeof value !== "object" && typeof value !== "function") || value === null && !allowNull) {
    throw invalidArgType(name, "Object", value);
  }
}
export function validateNumber(value, name, min, max) {
  if (typeof value !== "number") throw invalidArgType(name, "number", value);
  if ((min != null && value < min) || (max != null && value > max) || ((min != null || max != null) && Number.isNaN(value))) {
    throw outOfRange(name, `${min != null ? `>= ${min}` : ""}${min != null && max != null ? " && " : ""}${max != null ? `<= ${max}` : ""}`, value);
  }
}
export function validateInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== "number") throw invalidArgType(name, "number", value);
  if (!Number.isInteger(value)) throw outOfRange(name, "an integer", value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}
export function validateBoolean(value, name) {
  if (typeof value !== "boolean") throw invalidArgType(name, "boolean", value);
}
export function validateAbortSignal(signal, name) {
  if (signal !== undefined && (signal === null || typeof signal !== "object" || !("aborted" in signal))) {
    throw invalidArgType(name, "AbortSignal", signal);
  }
}

/** The error every unsupported host function throws. */
export function notSupported(module, fn, hint) {
  return nodeError(Error, "ERR_NOT_SUPPORTED_IN_FNHOST", `${module}.${fn} is not supported in fnhost; ${hint}`);
}

/** Creates a function that throws `notSupported(module, name, hint)` when called. */
export function unsupportedFn(module, name, hint) {
  const fn = {
    [name]() {
      throw notSupported(module, name, hint);
    },
  }[name];
  return fn;
}

/** A class whose constructor throws `notSupported`. */
export function unsupportedClass(module, name, hint, Base) {
  const cls = Base
    ? { [name]: class extends Base { constructor() { throw notSupported(module, name, hint); super(); } } }[name]
    : { [name]: class { constructor() { throw notSupported(module, name, hint); } } }[name];
  return cls;
}

export function abortError(reason) {
  const err = new Error("The operation was aborted", reason !== undefined ? { cause: reason } : undefined);
  err.name = "AbortError";
  err.code = "ABORT_ERR";
  return err;
}

/** UTF-8 encode (lone surrogates become U+FFFD). */
export function utf8Encode(str) {
  if (core) return core.encode(str);
  return new TextEncoder().encode(str);
}

/** UTF-8 decode with U+FFFD for invalid sequences; a leading BOM is kept (Node keeps it). */
export function utf8Decode(bytes, start = 0, end = bytes.length) {
  if (end <= start) return "";
  const view = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
  if (core) {
    if (view.length >= 3 && view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) {
      return "\ufeff" + core.decode(view.subarray(3));
    }
    return core.decode(view);
  }
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(view);
}

/** Schedules `fn(...args)` on the nextTick queue (before promise callbacks). */
export function nextTick(fn, ...args) {
  if (core?.queueNextTick) {
    core.queueNextTick({ callback: fn, args: args.length ? args : undefined, snapshot: core.getAsyncContext() });
  } else {
    queueMicrotask(() => fn(...args));
  }
}

/** Monotonic milliseconds (fractional) since an arbitrary origin. */
export function monotonicNow() {
  if (core?.ops?.op_timer_now) return core.ops.op_timer_now();
  return Date.now();
}

// Cross-realm type checks: values from the job realm fail `instanceof` against this realm's
// constructors, so typed arrays and buffers are recognized by their internal slots.
const typedArrayTagGetter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
export const typedArrayName = (v) => typedArrayTagGetter.call(v);
export const isUint8Array = (v) => typedArrayTagGetter.call(v) === "Uint8Array";
export const isDataView = (v) => ArrayBuffer.isView(v) && typedArrayTagGetter.call(v) === undefined;
export function isAnyArrayBuffer(v) {
  if (core?.isAnyArrayBuffer) return core.isAnyArrayBuffer(v);
  const tag = Object.prototype.toString.call(v);
  return tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]";
}
