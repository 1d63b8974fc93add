// node:util and node:util/types.
import { core, invalidArgType, kInspect, nodeError, validateFunction, validateString } from "ext:fnhost/node/_internal.js";
import { format, formatWithOptions, inspect, stripVTControlCharacters } from "ext:fnhost/node/_inspect.js";
import { isDeepEqual } from "ext:fnhost/node/_compare.js";
import { TextDecoder as FallbackTextDecoder, TextEncoder as FallbackTextEncoder } from "ext:fnhost/node/_encoding.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const toStr = (v) => Object.prototype.toString.call(v);
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const tagIs = (name) => (v) => typedArrayTag.call(v) === name;

const c = core ?? {};
const fallback = (name, fn) => c[name] ?? fn;

export const types = {
  isAnyArrayBuffer: fallback("isAnyArrayBuffer", (v) => v instanceof ArrayBuffer || toStr(v) === "[object SharedArrayBuffer]"),
  isArrayBuffer: fallback("isArrayBuffer", (v) => v instanceof ArrayBuffer),
  isArgumentsObject: fallback("isArgumentsObject", (v) => toStr(v) === "[object Arguments]"),
  isArrayBufferView: (v) => ArrayBuffer.isView(v),
  isAsyncFunction: fallback("isAsyncFunction", (v) => typeof v === "function" && v.constructor?.name === "AsyncFunction"),
  isBigInt64Array: tagIs("BigInt64Array"),
  isBigUint64Array: tagIs("BigUint64Array"),
  isBigIntObject: fallback("isBigIntObject", (v) => typeof v === "object" && toStr(v) === "[object BigInt]"),
  isBooleanObject: fallback("isBooleanObject", (v) => typeof v === "object" && toStr(v) === "[object Boolean]"),
  isBoxedPrimitive: fallback("isBoxedPrimitive", () => false),
  isDataView: fallback("isDataView", (v) => v instanceof DataView),
  isDate: fallback("isDate", (v) => v instanceof Date),
  isExternal: () => false,
  isFloat16Array: tagIs("Float16Array"),
  isFloat32Array: tagIs("Float32Array"),
  isFloat64Array: tagIs("Float64Array"),
  isGeneratorFunction: fallback("isGeneratorFunction", () => false),
  isGeneratorObject: fallback("isGeneratorObject", () => false),
  isInt8Array: tagIs("Int8Array"),
  isInt16Array: tagIs("Int16Array"),
  isInt32Array: tagIs("Int32Array"),
  isMap: fallback("isMap", (v) => v instanceof Map),
  isMapIterator: fallback("isMapIterator", () => false),
  isModuleNamespaceObject: fallback("isModuleNamespaceObject", () => false),
  isNativeError: fallback("isNativeError", (v) => v instanceof Error),
  isNumberObject: fallback("isNumberObject", (v) => typeof v === "object" && toStr(v) === "[object Number]"),
  isPromise: fallback("isPromise", (v) => v instanceof Promise),
  isProxy: fallback("isProxy", () => false),
  isRegExp: fallback("isRegExp", (v) => v instanceof RegExp),
  isSet: fallback("isSet", (v) => v instanceof Set),
  isSetIterator: fallback("isSetIterator", () => false),
  isSharedArrayBuffer: fallback("isSharedArrayBuffer", () => false),
  isStringObject: fallback("isStringObject", (v) => typeof v === "object" && toStr(v) === "[object String]"),
  isSymbolObject: fallback("isSymbolObject", () => false),
  isTypedArray: (v) => typedArrayTag.call(v) !== undefined,
  isUint8Array: tagIs("Uint8Array"),
  isUint8ClampedArray: tagIs("Uint8ClampedArray"),
  isUint16Array: tagIs("Uint16Array"),
  isUint32Array: tagIs("Uint32Array"),
  isWeakMap: fallback("isWeakMap", (v) => v instanceof WeakMap),
  isWeakSet: fallback("isWeakSet", (v) => v instanceof WeakSet),
  isKeyObject: () => false,
  isCryptoKey: (v) => typeof globalThis.CryptoKey === "function" && v instanceof globalThis.CryptoKey,
};

const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
const kCustomPromisifyArgs = Symbol.for("fnhost.util.promisify.customArgs");

export function promisify(original) {
  validateFunction(original, "original");
  if (original[kCustomPromisify]) {
    const fn = original[kCustomPromisify];
    validateFunction(fn, "util.promisify.custom");
    return Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  }
  const argumentNames = original[kCustomPromisifyArgs];
  function fn(...args) {
    return new Promise((resolve, reject) => {
      Reflect.apply(original, this, [...args, (err, ...values) => {
        if (err) return reject(err);
        if (argumentNames !== undefined && values.length > 1) {
          const obj = {};
          for (let i = 0; i < argumentNames.length; i++) obj[argumentNames[i]] = values[i];
          resolve(obj);
        } else {
          resolve(values[0]);
        }
      }]);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  const descriptors = Object.getOwnPropertyDescriptors(original);
  for (const key of Reflect.ownKeys(descriptors)) {
    if (key === "length" || key === "name" || key === "prototype" || key === "arguments" || key === "caller") continue;
    try {
      Object.defineProperty(fn, key, descriptors[key]);
    } catch {
      // ignore non-configurable
    }
  }
  return fn;
}
promisify.custom = kCustomPromisify;

export function callbackify(original) {
  validateFunction(original, "original");
  function callbackified(...args) {
    const cb = args.pop();
    validateFunction(cb, "last argument");
    const onRejected = (reason) => {
      if (!reason) {
        const err = nodeError(Error, "ERR_FALSY_VALUE_REJECTION", "Promise was rejected with falsy value");
        err.reason = reason;
        reason = err;
      }
      return cb(reason);
    };
    Reflect.apply(original, this, args).then((ret) => queueMicrotask(() => cb(null, ret)), (rej) => queueMicrotask(() => onRejected(rej)));
  }
  Object.defineProperties(callbackified, Object.getOwnPropertyDescriptors(original));
  return callbackified;
}

export function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw invalidArgType("ctor", "Function", ctor);
  if (superCtor === undefined || superCtor === null) throw invalidArgType("superCtor", "Function", superCtor);
  if (superCtor.prototype === undefined) throw invalidArgType("superCtor.prototype", "Object", superCtor.prototype);
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

const warnedCodes = new Set();
export function deprecate(fn, msg, code) {
  validateFunction(fn, "fn");
  let warned = false;
  function deprecated(...args) {
    if (!warned && !globalThis.process?.noDeprecation) {
      warned = true;
      if (code === undefined || !warnedCodes.has(code)) {
        if (code !== undefined) warnedCodes.add(code);
        globalThis.process?.emitWarning?.(msg, "DeprecationWarning", code);
      }
    }
    if (new.target) return Reflect.construct(fn, args, new.target);
    return Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

const debugEnabled = new Map();
function debugEnv() {
  const value = globalThis.process?.env?.NODE_DEBUG;
  return typeof value === "string" ? value : "";
}
export function debuglog(section, cb) {
  const name = String(section).toUpperCase();
  let enabled;
  const test = () => {
    if (enabled === undefined) {
      enabled = debugEnabled.get(name);
      if (enabled === undefined) {
        const patterns = debugEnv().split(/[\s,]+/).filter(Boolean).map((p) => new RegExp(`^${p.replace(/[|\\{}()[\]^$+?.]/g, "\\$&").replace(/\*/g, ".*")}$`, "i"));
        enabled = patterns.some((re) => re.test(name));
        debugEnabled.set(name, enabled);
      }
      if (typeof cb === "function") cb(logger);
    }
    return enabled;
  };
  const logger = (...args) => {
    if (test()) globalThis.console?.error?.(`${name} ${globalThis.process?.pid ?? 1}: ${format(...args)}`);
  };
  Object.defineProperty(logger, "enabled", { get: test, enumerable: true, configurable: true });
  return logger;
}

export function isDeepStrictEqual(a, b) {
  return isDeepEqual(a, b, true);
}

export function toUSVString(str) {
  return `${str}`.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

const errnoNames = {
  "-1": "EPERM", "-2": "ENOENT", "-3": "ESRCH", "-4": "EINTR", "-5": "EIO", "-9": "EBADF", "-11": "EAGAIN",
  "-12": "ENOMEM", "-13": "EACCES", "-17": "EEXIST", "-20": "ENOTDIR", "-21": "EISDIR", "-22": "EINVAL",
  "-24": "EMFILE", "-28": "ENOSPC", "-32": "EPIPE", "-98": "EADDRINUSE", "-104": "ECONNRESET",
  "-110": "ETIMEDOUT", "-111": "ECONNREFUSED", "-113": "EHOSTUNREACH", "-3008": "ENOTFOUND",
};
export function getSystemErrorName(err) {
  if (typeof err !== "number") throw invalidArgType("err", "number", err);
  return errnoNames[err] ?? `Unknown system error ${err}`;
}
export function getSystemErrorMap() {
  return new Map(Object.entries(errnoNames).map(([k, v]) => [Number(k), [v, v]]));
}

export function aborted(signal, resource) {
  if (signal === undefined || signal === null || typeof signal !== "object" || !("aborted" in signal)) {
    throw invalidArgType("signal", "AbortSignal", signal);
  }
  if (resource === null || (typeof resource !== "object" && typeof resource !== "function")) {
    throw invalidArgType("resource", "Object", resource);
  }
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

export function styleText(formatArg, text) {
  validateString(text, "text");
  const formats = Array.isArray(formatArg) ? formatArg : [formatArg];
  let left = "";
  let right = "";
  for (const key of formats) {
    const codes = inspect.colors[key];
    if (codes === undefined) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'format' must be one of: ${Object.keys(inspect.colors).join(", ")}. Received ${inspect(key)}`);
    left += `\u001b[${codes[0]}m`;
    right = `\u001b[${codes[1]}m${right}`;
  }
  return `${left}${text}${right}`;
}

/** `util.parseArgs` for the common cases: long/short options, booleans and strings, positionals. */
export function parseArgs(config = {}) {
  const args = config.args ?? [];
  const options = config.options ?? {};
  const strict = config.strict ?? true;
  const allowPositionals = config.allowPositionals ?? !strict;
  const values = { __proto__: null };
  const positionals = [];
  const byShort = {};
  for (const [name, o] of Object.entries(options)) if (o.short) byShort[o.short] = name;
  const store = (name, value) => {
    const o = options[name];
    if (!o) {
      if (strict) throw nodeError(TypeError, "ERR_PARSE_ARGS_UNKNOWN_OPTION", `Unknown option '--${name}'`);
      values[name] = value ?? true;
      return;
    }
    if (o.multiple) (values[name] ??= []).push(value);
    else values[name] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const type = options[name]?.type;
      if (type === "string") store(name, eq === -1 ? args[++i] : arg.slice(eq + 1));
      else store(name, eq === -1 ? true : arg.slice(eq + 1));
    } else if (arg.startsWith("-") && arg.length > 1) {
      const name = byShort[arg[1]] ?? arg[1];
      if (options[name]?.type === "string") store(name, arg.length > 2 ? arg.slice(2) : args[++i]);
      else for (const ch of arg.slice(1)) store(byShort[ch] ?? ch, true);
    } else {
      if (!allowPositionals && strict) {
        throw nodeError(TypeError, "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL", `Unexpected argument '${arg}'. This command does not take positional arguments`);
      }
      positionals.push(arg);
    }
  }
  for (const [name, o] of Object.entries(options)) if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
  return { values, positionals };
}


function legacyIs() {
  return {
    isArray: Array.isArray,
    isBoolean: (v) => typeof v === "boolean",
    isNull: (v) => v === null,
    isNullOrUndefined: (v) => v === null || v === undefined,
    isNumber: (v) => typeof v === "number",
    isString: (v) => typeof v === "string",
    isSymbol: (v) => typeof v === "symbol",
    isUndefined: (v) => v === undefined,
    isRegExp: types.isRegExp,
    isObject: (v) => v !== null && typeof v === "object",
    isDate: types.isDate,
    isError: (v) => types.isNativeError(v) || v instanceof Error,
    isFunction: (v) => typeof v === "function",
    isPrimitive: (v) => v === null || (typeof v !== "object" && typeof v !== "function"),
    isBuffer: (v) => globalThis.Buffer?.isBuffer?.(v) ?? false,
  };
}

/** `util.parseEnv(content)`: dotenv syntax (KEY=value, quotes, comments, `export`). */
export function parseEnv(content) {
  validateString(content, "content");
  const out = {};
  const re = /^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=[ \t]*("(?:\\.|[^"\\])*"|'[^']*'|`[^`]*`|[^\n#]*)?[ \t]*(?:#.*)?$/gm;
  for (const m of content.replace(/\r\n?/g, "\n").matchAll(re)) {
    let value = (m[2] ?? "").trim();
    const q = value[0];
    if ((q === '"' || q === "'" || q === "`") && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, "\n");
    }
    out[m[1]] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MIMEType / MIMEParams (WHATWG MIME type parsing and serialization)

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUOTED_OK = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;
const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function mimeSyntaxError(production, str, index) {
  return nodeError(TypeError, "ERR_INVALID_MIME_SYNTAX", `The MIME syntax for a ${production} in "${str}" is invalid${index !== -1 ? ` at ${index}` : ""}`);
}

function serializeParamValue(value) {
  if (value.length > 0 && TOKEN.test(value)) return value;
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

export class MIMEParams {
  #map = new Map();
  delete(name) {
    this.#map.delete(`${name}`);
  }
  get(name) {
    const v = this.#map.get(`${name}`);
    return v === undefined ? null : v;
  }
  has(name) {
    return this.#map.has(`${name}`);
  }
  set(name, value) {
    name = `${name}`;
    value = `${value}`;
    if (!TOKEN.test(name)) throw mimeSyntaxError("parameter name", name, -1);
    if (!QUOTED_OK.test(value)) throw mimeSyntaxError("parameter value", value, -1);
    this.#map.set(name, value);
  }
  entries() {
    return this.#map.entries();
  }
  keys() {
    return this.#map.keys();
  }
  values() {
    return this.#map.values();
  }
  [Symbol.iterator]() {
    return this.#map.entries();
  }
  toString() {
    return [...this.#map].map(([k, v]) => `${k}=${serializeParamValue(v)}`).join(";");
  }
  toJSON() {
    return this.toString();
  }
  /** @internal parse "name=value;..." after the essence */
  static _parseInto(params, text) {
    let i = 0;
    while (i < text.length) {
      i++; // the ';'
      while (i < text.length && /[\t\n\r ]/.test(text[i])) i++;
      let name = "";
      while (i < text.length && text[i] !== ";" && text[i] !== "=") name += text[i++];
      name = name.toLowerCase();
      if (i >= text.length) break;
      if (text[i] === ";") continue;
      i++; // the '='
      let value = "";
      if (text[i] === '"') {
        i++;
        while (i < text.length) {
          const c = text[i++];
          if (c === "\\") {
            if (i < text.length) value += text[i++];
            else value += "\\";
          } else if (c === '"') {
            break;
          } else {
            value += c;
          }
        }
        while (i < text.length && text[i] !== ";") i++;
      } else {
        while (i < text.length && text[i] !== ";") value += text[i++];
        value = value.replace(/[\t\n\r ]+$/, "");
        if (value === "") continue;
      }
      if (name !== "" && TOKEN.test(name) && QUOTED_OK.test(value) && !params.#map.has(name)) params.#map.set(name, value);
    }
  }
}

export class MIMEType {
  #type;
  #subtype;
  #params = new MIMEParams();
  constructor(input) {
    const str = `${input}`.replace(HTTP_WS, "");
    const slash = str.indexOf("/");
    const type = slash === -1 ? str : str.slice(0, slash);
    if (slash === -1 || type === "" || !TOKEN.test(type)) throw mimeSyntaxError("type", str, type === "" ? 0 : -1);
    const semi = str.indexOf(";", slash + 1);
    const subtype = (semi === -1 ? str.slice(slash + 1) : str.slice(slash + 1, semi)).replace(/[\t\n\r ]+$/, "");
    if (subtype === "" || !TOKEN.test(subtype)) throw mimeSyntaxError("subtype", str, slash + 1);
    this.#type = type.toLowerCase();
    this.#subtype = subtype.toLowerCase();
    if (semi !== -1) MIMEParams._parseInto(this.#params, str.slice(semi));
  }
  get type() {
    return this.#type;
  }
  set type(v) {
    v = `${v}`;
    if (v === "" || !TOKEN.test(v)) throw mimeSyntaxError("type", v, -1);
    this.#type = v.toLowerCase();
  }
  get subtype() {
    return this.#subtype;
  }
  set subtype(v) {
    v = `${v}`;
    if (v === "" || !TOKEN.test(v)) throw mimeSyntaxError("subtype", v, -1);
    this.#subtype = v.toLowerCase();
  }
  get essence() {
    return `${this.#type}/${this.#subtype}`;
  }
  get params() {
    return this.#params;
  }
  toString() {
    const params = this.#params.toString();
    return params ? `${this.essence};${params}` : this.essence;
  }
  toJSON() {
    return this.toString();
  }
}

function pad(n) {
  return n.toString().padStart(2, "0");
}
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

defineBuiltin("util", () => ({
  format,
  formatWithOptions,
  inspect,
  promisify,
  callbackify,
  inherits,
  deprecate,
  debuglog,
  debug: debuglog,
  isDeepStrictEqual,
  types,
  TextEncoder: globalThis.TextEncoder ?? FallbackTextEncoder,
  TextDecoder: globalThis.TextDecoder ?? FallbackTextDecoder,
  toUSVString,
  stripVTControlCharacters,
  getSystemErrorName,
  getSystemErrorMap,
  aborted,
  styleText,
  parseArgs,
  parseEnv,
  MIMEType,
  MIMEParams,
  log(...args) {
    const d = new Date();
    const time = `${d.getDate()} ${MONTHS[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    globalThis.console?.log?.(`${time} - ${format(...args)}`);
  },
  _extend(target, source) {
    if (source === null || typeof source !== "object") return target;
    for (const key of Object.keys(source)) target[key] = source[key];
    return target;
  },
  transferableAbortSignal: (s) => s,
  transferableAbortController: () => new globalThis.AbortController(),
  ...legacyIs(),
}));

defineBuiltin("util/types", () => ({ ...types }));

export { format, formatWithOptions, inspect, kInspect };
