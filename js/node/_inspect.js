// util.inspect and util.format for fnhost: the same text Node prints for the values jobs log
// (objects, arrays, Maps, Sets, errors, class instances, typed arrays, circular references),
// including Node's line-breaking rules (80 columns, the 3 innermost levels combined on a line,
// long arrays of short items grouped into columns).
import { core, invalidArgType, kInspect } from "ext:fnhost/node/_internal.js";

const defaultOptions = {
  showHidden: false,
  depth: 2,
  colors: false,
  customInspect: true,
  showProxy: false,
  maxArrayLength: 100,
  maxStringLength: 10000,
  breakLength: 80,
  compact: 3,
  sorted: false,
  getters: false,
  numericSeparator: false,
};

const isObj = (v) => (typeof v === "object" && v !== null) || typeof v === "function";
const toStr = (v) => Object.prototype.toString.call(v);
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const isEnumerable = (o, k) => Object.prototype.propertyIsEnumerable.call(o, k);

const types = core ?? {};
const isDate = types.isDate ?? ((v) => toStr(v) === "[object Date]");
const isRegExp = types.isRegExp ?? ((v) => toStr(v) === "[object RegExp]");
const isMap = types.isMap ?? ((v) => v instanceof Map);
const isSet = types.isSet ?? ((v) => v instanceof Set);
const isNativeError = types.isNativeError ?? ((v) => v instanceof Error);
const isPromise = types.isPromise ?? ((v) => v instanceof Promise);
const isWeakMap = types.isWeakMap ?? ((v) => v instanceof WeakMap);
const isWeakSet = types.isWeakSet ?? ((v) => v instanceof WeakSet);
const isArrayBuffer = types.isArrayBuffer ?? ((v) => v instanceof ArrayBuffer);
const isSharedArrayBuffer = types.isSharedArrayBuffer ?? (() => false);
const isBoxedPrimitive = types.isBoxedPrimitive ?? (() => false);
const isArgumentsObject = types.isArgumentsObject ?? ((v) => toStr(v) === "[object Arguments]");
const isModuleNamespaceObject = types.isModuleNamespaceObject ?? (() => false);
const isMapIterator = types.isMapIterator ?? (() => false);
const isSetIterator = types.isSetIterator ?? (() => false);
const isAsyncFunction = types.isAsyncFunction ?? ((v) => v?.constructor?.name === "AsyncFunction");
const isGeneratorFunction = types.isGeneratorFunction ?? ((v) => /GeneratorFunction/.test(v?.constructor?.name));
const isError = (v) => isNativeError(v) || v instanceof Error;
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const isTypedArray = (v) => typedArrayTag.call(v) !== undefined;

// ---------------------------------------------------------------------------------------------
// Strings

const META = [];
for (let i = 0; i < 0x20; i++) META.push(`\\x${i.toString(16).toUpperCase().padStart(2, "0")}`);
META[8] = "\\b";
META[9] = "\\t";
META[10] = "\\n";
META[12] = "\\f";
META[13] = "\\r";

const ESCAPE_TEST = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Quotes a string the way Node's inspect does (single quotes unless the text has them). */
export function strEscape(str) {
  let quote = "'";
  if (str.includes("'")) {
    if (!str.includes('"')) quote = '"';
    else if (!str.includes("`") && !str.includes("${")) quote = "`";
  }
  if (str.length < 5000 && !ESCAPE_TEST.test(str) && !(quote === "'" && false)) {
    return quote + str + quote;
  }
  let out = "";
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c === quote.charCodeAt(0) || c === 0x5c) {
      out += "\\" + str[i];
    } else if (c < 0x20) {
      out += META[c];
    } else if (c === 0x7f) {
      out += "\\x7F";
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = str.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += str[i] + str[i + 1];
        i++;
      } else {
        out += `\\u${c.toString(16).toUpperCase()}`;
      }
    } else {
      out += str[i];
    }
  }
  return quote + out + quote;
}

function formatNumber(n, sep) {
  if (Object.is(n, -0)) return "-0";
  if (!sep) return `${n}`;
  const str = `${n}`;
  const [int, frac] = str.split(".");
  if (!Number.isInteger(n) && !frac) return str;
  const sepInt = int.replace(/\B(?=(\d{3})+(?!\d))/g, "_");
  return frac ? `${sepInt}.${frac.replace(/(\d{3})(?=\d)/g, "$1_")}` : sepInt;
}

function formatBigInt(n, sep) {
  const s = `${n}`;
  return (sep ? s.replace(/\B(?=(\d{3})+(?!\d))/g, "_") : s) + "n";
}

function formatPrimitive(ctx, value) {
  switch (typeof value) {
    case "string": {
      let trailer = "";
      let v = value;
      if (v.length > ctx.maxStringLength) {
        const remaining = v.length - ctx.maxStringLength;
        v = v.slice(0, ctx.maxStringLength);
        trailer = `... ${remaining} more character${remaining > 1 ? "s" : ""}`;
      }
      if (ctx.compact !== true && v.length > 16 && v.length > ctx.breakLength - ctx.indentationLvl - 4) {
        return v.split(/(?<=\n)/).map((line) => ctx.stylize(strEscape(line), "string")).join(` +\n${" ".repeat(ctx.indentationLvl + 2)}`) + trailer;
      }
      return ctx.stylize(strEscape(v), "string") + trailer;
    }
    case "number": return ctx.stylize(formatNumber(value, ctx.numericSeparator), "number");
    case "bigint": return ctx.stylize(formatBigInt(value, ctx.numericSeparator), "bigint");
    case "boolean": return ctx.stylize(`${value}`, "boolean");
    case "undefined": return ctx.stylize("undefined", "undefined");
    case "symbol": return ctx.stylize(value.toString(), "symbol");
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Objects

function getConstructorName(obj) {
  let o = obj;
  let depth = 0;
  while (o !== null && o !== undefined) {
    const desc = Object.getOwnPropertyDescriptor(o, "constructor");
    if (desc !== undefined && typeof desc.value === "function" && desc.value.name !== "" && isInstanceof(obj, desc.value)) {
      return desc.value.name;
    }
    o = Object.getPrototypeOf(o);
    depth++;
    if (depth > 1000) break;
  }
  return null;
}

function isInstanceof(obj, ctor) {
  try {
    return obj instanceof ctor;
  } catch {
    return false;
  }
}

function getPrefix(constructor, tag, fallback, size = "") {
  if (constructor === null) {
    if (tag !== "" && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
    return `[${fallback}${size}: null prototype] `;
  }
  if (tag !== "" && constructor !== tag) return `${constructor}${size} [${tag}] `;
  return `${constructor}${size} `;
}

function getKeys(value, showHidden) {
  let keys;
  const symbols = Object.getOwnPropertySymbols(value);
  if (showHidden) {
    keys = Object.getOwnPropertyNames(value);
    if (symbols.length) keys.push(...symbols);
  } else {
    try {
      keys = Object.keys(value);
    } catch {
      keys = [];
    }
    for (const s of symbols) if (isEnumerable(value, s)) keys.push(s);
  }
  return keys;
}

const kObjectType = 0;
const kArrayType = 1;
const kArrayExtrasType = 2;

function formatValue(ctx, value, recurseTimes, typedArray) {
  if (typeof value !== "object" && typeof value !== "function") return formatPrimitive(ctx, value);
  if (value === null) return ctx.stylize("null", "null");

  const proxy = types.getProxyDetails ? types.getProxyDetails(value) : null;
  if (proxy !== null && proxy !== undefined) {
    if (ctx.showProxy) {
      return `Proxy [ ${formatValue(ctx, proxy[0], recurseTimes)}, ${formatValue(ctx, proxy[1], recurseTimes)} ]`;
    }
    value = proxy[0];
    if (value === null) return "<Revoked Proxy>";
  }

  if (ctx.customInspect) {
    let maybeCustom;
    try {
      maybeCustom = value[kInspect];
    } catch {
      maybeCustom = undefined;
    }
    if (typeof maybeCustom === "function" && maybeCustom !== inspect) {
      const desc = Object.getOwnPropertyDescriptor(value, "constructor");
      if (!(desc && desc.value && desc.value.prototype === value)) {
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const opts = { ...ctx.userOptions, ...optionsOf(ctx), depth };
        const ret = maybeCustom.call(value, depth, opts, inspect);
        if (ret !== value) {
          if (typeof ret !== "string") return formatValue(ctx, ret, recurseTimes);
          return ret.replaceAll("\n", `\n${" ".repeat(ctx.indentationLvl)}`);
        }
      }
    }
  }

  if (ctx.seen.includes(value)) {
    let index = 1;
    if (ctx.circular === undefined) {
      ctx.circular = new Map();
      ctx.circular.set(value, index);
    } else {
      index = ctx.circular.get(value);
      if (index === undefined) {
        index = ctx.circular.size + 1;
        ctx.circular.set(value, index);
      }
    }
    return ctx.stylize(`[Circular *${index}]`, "special");
  }
  return formatRaw(ctx, value, recurseTimes, typedArray);
}

function optionsOf(ctx) {
  const out = {};
  for (const key of Object.keys(defaultOptions)) out[key] = ctx[key];
  out.stylize = ctx.stylize;
  return out;
}

function formatRaw(ctx, value, recurseTimes, typedArray) {
  let keys;
  const constructor = getConstructorName(value);
  let tag = "";
  try {
    tag = value[Symbol.toStringTag];
  } catch {
    tag = "";
  }
  if (typeof tag !== "string" || (tag !== "" && (ctx.showHidden ? hasOwn : isEnumerable)(value, Symbol.toStringTag))) tag = "";

  let base = "";
  let formatter = getEmptyFormatArray;
  let braces;
  let noIterator = true;
  let i = 0;
  const filter = ctx.showHidden;
  let extrasType = kObjectType;

  if (Symbol.iterator in value || constructor === null) {
    noIterator = false;
    if (Array.isArray(value)) {
      const prefix = constructor !== "Array" || tag !== "" ? getPrefix(constructor, tag, "Array", `(${value.length})`) : "";
      keys = getOwnNonIndexProperties(value, filter);
      braces = [`${prefix}[`, "]"];
      if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
      extrasType = kArrayExtrasType;
      formatter = formatArray;
    } else if (isSet(value)) {
      const size = getSize(value, "Set");
      const prefix = getPrefix(constructor, tag, "Set", `(${size})`);
      keys = getKeys(value, ctx.showHidden);
      formatter = formatSet.bind(null, value);
      if (size === 0 && keys.length === 0) return `${prefix}{}`;
      braces = [`${prefix}{`, "}"];
    } else if (isMap(value)) {
      const size = getSize(value, "Map");
      const prefix = getPrefix(constructor, tag, "Map", `(${size})`);
      keys = getKeys(value, ctx.showHidden);
      formatter = formatMap.bind(null, value);
      if (size === 0 && keys.length === 0) return `${prefix}{}`;
      braces = [`${prefix}{`, "}"];
    } else if (isTypedArray(value)) {
      keys = getOwnNonIndexProperties(value, filter);
      const fallback = typedArrayTag.call(value);
      const size = value.length;
      const prefix = getPrefix(constructor, tag, fallback, `(${size})`);
      braces = [`${prefix}[`, "]"];
      if (value.length === 0 && keys.length === 0 && !ctx.showHidden) return `${braces[0]}]`;
      formatter = formatTypedArray.bind(null, value, size);
      extrasType = kArrayExtrasType;
    } else if (isMapIterator(value)) {
      keys = getKeys(value, ctx.showHidden);
      braces = [`[${tag || "Map Iterator"}] {`, "}"];
      formatter = formatIterator.bind(null, value);
    } else if (isSetIterator(value)) {
      keys = getKeys(value, ctx.showHidden);
      braces = [`[${tag || "Set Iterator"}] {`, "}"];
      formatter = formatIterator.bind(null, value);
    } else {
      noIterator = true;
    }
  }
  if (noIterator) {
    keys = getKeys(value, ctx.showHidden);
    braces = ["{", "}"];
    if (typeof value === "function") {
      base = ctx.stylize(getFunctionBase(value, constructor, tag), "special");
      if (keys.length === 0) return base;
    } else if (constructor === "Object") {
      if (isArgumentsObject(value)) {
        braces[0] = "[Arguments] [";
        extrasType = kArrayExtrasType;
        formatter = formatArguments;
        keys = getOwnNonIndexProperties(value, filter).filter((k) => k !== "length" && k !== "callee");
        if (value.length === 0 && keys.length === 0) return "[Arguments] []";
      } else if (tag !== "") {
        braces[0] = `${getPrefix(constructor, tag, "Object")}{`;
      }
      if (keys.length === 0 && formatter === getEmptyFormatArray) {
        return `${braces[0]}}`;
      }
    } else if (isRegExp(value)) {
      base = ctx.stylize(RegExp.prototype.toString.call(value), "regexp");
      const prefix = getPrefix(constructor, tag, "RegExp");
      if (prefix !== "RegExp ") base = `${prefix}${base}`;
      if ((keys.length === 0) || (recurseTimes > ctx.depth && ctx.depth !== null)) return base;
    } else if (isDate(value)) {
      const t = Date.prototype.getTime.call(value);
      base = ctx.stylize(Number.isNaN(t) ? Date.prototype.toString.call(value) : Date.prototype.toISOString.call(value), "date");
      const prefix = getPrefix(constructor, tag, "Date");
      if (prefix !== "Date ") base = `${prefix}${base}`;
      if (keys.length === 0) return base;
    } else if (isError(value)) {
      base = formatError(value, constructor, tag, ctx, keys);
      if (keys.length === 0) return base;
    } else if (isArrayBuffer(value) || isSharedArrayBuffer(value)) {
      const arrayType = isArrayBuffer(value) ? "ArrayBuffer" : "SharedArrayBuffer";
      const prefix = getPrefix(constructor, tag, arrayType);
      if (typedArray === undefined) {
        formatter = formatArrayBuffer;
      } else if (keys.length === 0) {
        return prefix + `{ byteLength: ${formatNumber(value.byteLength, false)} }`;
      }
      braces[0] = `${prefix}{`;
      keys.unshift("byteLength");
    } else if (value instanceof DataView || toStr(value) === "[object DataView]") {
      braces[0] = `${getPrefix(constructor, tag, "DataView")}{`;
      keys.unshift("byteLength", "byteOffset", "buffer");
    } else if (isPromise(value)) {
      braces[0] = `${getPrefix(constructor, tag, "Promise")}{`;
      formatter = formatPromise;
    } else if (isWeakSet(value)) {
      braces[0] = `${getPrefix(constructor, tag, "WeakSet")}{`;
      formatter = () => [ctx.stylize("<items unknown>", "special")];
    } else if (isWeakMap(value)) {
      braces[0] = `${getPrefix(constructor, tag, "WeakMap")}{`;
      formatter = () => [ctx.stylize("<items unknown>", "special")];
    } else if (isModuleNamespaceObject(value)) {
      braces[0] = `${getPrefix(constructor, tag, "Module")}{`;
    } else if (isBoxedPrimitive(value)) {
      base = getBoxedBase(value, ctx, keys, constructor, tag);
      if (keys.length === 0) return base;
    } else {
      if (keys.length === 0) {
        return `${getCtxName(constructor, tag, "Object")}{}`;
      }
      braces[0] = `${getCtxName(constructor, tag, "Object")}{`;
    }
  }

  if (recurseTimes > ctx.depth && ctx.depth !== null) {
    let name = getCtxName(constructor, tag, "Object").slice(0, -1);
    if (constructor !== null) name = `[${name}]`;
    return ctx.stylize(name, "special");
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  let output;
  try {
    output = formatter(ctx, value, recurseTimes);
    for (i = 0; i < keys.length; i++) {
      output.push(formatProperty(ctx, value, recurseTimes, keys[i], extrasType));
    }
  } finally {
    ctx.seen.pop();
  }
  if (ctx.circular !== undefined) {
    const index = ctx.circular.get(value);
    if (index !== undefined) {
      const reference = ctx.stylize(`<ref *${index}>`, "special");
      if (ctx.compact !== true) base = base === "" ? reference : `${reference} ${base}`;
      else braces[0] = `${reference} ${braces[0]}`;
    }
  }
  if (ctx.sorted) {
    const comparator = ctx.sorted === true ? undefined : ctx.sorted;
    if (extrasType === kObjectType) output.sort(comparator);
  }
  const res = reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
  const newLength = ctx.budget + res.length;
  ctx.budget = newLength;
  return res;
}

function getCtxName(constructor, tag, fallback) {
  if (constructor === null) {
    if (tag !== "") return `[${fallback}: null prototype] [${tag}] `;
    return `[${fallback}: null prototype] `;
  }
  if (tag !== "" && constructor !== tag) return `${constructor} [${tag}] `;
  return `${constructor} `;
}

function getSize(value, kind) {
  try {
    return kind === "Set" ? Reflect.apply(Object.getOwnPropertyDescriptor(Set.prototype, "size").get, value, [])
      : Reflect.apply(Object.getOwnPropertyDescriptor(Map.prototype, "size").get, value, []);
  } catch {
    return value.size;
  }
}

function getOwnNonIndexProperties(value, showHidden) {
  const keys = showHidden ? Reflect.ownKeys(value) : getKeys(value, false);
  return keys.filter((k) => {
    if (typeof k === "symbol") return true;
    if (showHidden && k === "length" && Array.isArray(value)) return true;
    return !(/^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1);
  }).filter((k) => !(showHidden && k === "length" && !Array.isArray(value) && isTypedArray(value)));
}

function getFunctionBase(value, constructor, tag) {
  let fnText;
  try {
    fnText = Function.prototype.toString.call(value);
  } catch {
    fnText = "";
  }
  if (fnText.startsWith("class") && /^class(\s|\{)/.test(fnText)) {
    let base = `[class ${value.name || "(anonymous)"}`;
    if (constructor !== "Function" && constructor !== null) base += ` [${constructor}]`;
    if (tag !== "" && constructor !== tag) base += ` [${tag}]`;
    const superName = Object.getPrototypeOf(value)?.name;
    if (constructor !== null && superName) base += ` extends ${superName}`;
    return base + "]";
  }
  let type = "Function";
  if (isGeneratorFunction(value)) type = `Generator${type}`;
  if (isAsyncFunction(value)) type = `Async${type}`;
  let base = `[${type}`;
  if (constructor === null) base += " (null prototype)";
  if (value.name === "") base += " (anonymous)";
  else base += `: ${value.name}`;
  base += "]";
  if (constructor !== type && constructor !== null) base += ` ${constructor}`;
  if (tag !== "" && constructor !== tag) base += ` [${tag}]`;
  return base;
}

function getBoxedBase(value, ctx, keys, constructor, tag) {
  let fn;
  let type;
  if (value instanceof Number || toStr(value) === "[object Number]") {
    fn = Number.prototype.valueOf;
    type = "Number";
  } else if (value instanceof String || toStr(value) === "[object String]") {
    fn = String.prototype.valueOf;
    type = "String";
    keys.splice(0, value.length);
  } else if (value instanceof Boolean || toStr(value) === "[object Boolean]") {
    fn = Boolean.prototype.valueOf;
    type = "Boolean";
  } else if (toStr(value) === "[object BigInt]") {
    fn = BigInt.prototype.valueOf;
    type = "BigInt";
  } else {
    fn = Symbol.prototype.valueOf;
    type = "Symbol";
  }
  let base = `[${type}`;
  if (type !== constructor) base += constructor === null ? " (null prototype)" : ` (${constructor})`;
  base += `: ${formatPrimitive({ ...ctx, compact: 3, stylize: (v) => v }, fn.call(value))}]`;
  if (tag !== "" && tag !== constructor) base += ` [${tag}]`;
  return ctx.stylize(base, type.toLowerCase());
}

function formatError(err, constructor, tag, ctx, keys) {
  const name = err.name != null ? String(err.name) : "Error";
  let stack;
  try {
    stack = err.stack ? String(err.stack) : Error.prototype.toString.call(err);
  } catch {
    stack = Error.prototype.toString.call(err);
  }
  if (!ctx.showHidden && keys.length !== 0) {
    for (const key of ["name", "message", "stack"]) {
      const index = keys.indexOf(key);
      if (index !== -1 && typeof err[key] === "string" && stack.includes(err[key])) keys.splice(index, 1);
    }
  }
  if ("cause" in err && (keys.length === 0 || !keys.includes("cause"))) keys.push("cause");
  if (Array.isArray(err.errors) && (keys.length === 0 || !keys.includes("errors")) && !isEnumerable(err, "errors")) keys.push("errors");
  // Name the constructor when it differs from the error's name (`Foo [TypeError]: ...`).
  if (constructor === null || (name.endsWith("Error") && stack.startsWith(name) && (stack.length === name.length || stack[name.length] === ":" || stack[name.length] === "\n"))) {
    if (constructor === null) {
      stack = `[Error: null prototype]${stack.slice(name.length)}`;
    } else if (constructor !== name) {
      if (name.includes(constructor)) stack = name.length === 0 ? `${constructor}: ${stack}` : `${constructor}${stack.slice(name.length)}`;
      else stack = `${constructor} [${name}]${stack.slice(name.length)}`;
    }
  }
  let pos = (err.message && stack.indexOf(err.message)) || -1;
  if (pos !== -1) pos += err.message.length;
  const stackStart = stack.indexOf("\n    at", pos);
  if (stackStart === -1) {
    stack = `[${stack}]`;
  }
  if (ctx.indentationLvl !== 0) {
    const indentation = " ".repeat(ctx.indentationLvl);
    stack = stack.split("\n").join(`\n${indentation}`);
  }
  return stack;
}

function formatProperty(ctx, value, recurseTimes, key, type, desc) {
  let name;
  let str;
  let extra = " ";
  desc = desc || Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
  if (key === "cause" && !isEnumerable(value, "cause") && isError(value)) {
    // shown as [cause]
  }
  if (desc.value !== undefined) {
    const diff = ctx.compact !== true || type !== kObjectType ? 2 : 3;
    ctx.indentationLvl += diff;
    str = formatValue(ctx, desc.value, recurseTimes);
    if (diff === 3 && ctx.breakLength < str.length + ctx.indentationLvl) {
      extra = `\n${" ".repeat(ctx.indentationLvl)}`;
    }
    ctx.indentationLvl -= diff;
  } else if (desc.get !== undefined) {
    const label = desc.set !== undefined ? "Getter/Setter" : "Getter";
    if (ctx.getters && (ctx.getters === true || (ctx.getters === "get" && desc.set === undefined) || (ctx.getters === "set" && desc.set !== undefined))) {
      try {
        const tmp = desc.get.call(value);
        ctx.indentationLvl += 2;
        if (tmp === null) str = `${ctx.stylize(`[${label}:`, "special")} ${ctx.stylize("null", "null")}${ctx.stylize("]", "special")}`;
        else if (typeof tmp === "object") str = `${ctx.stylize(`[${label}]`, "special")} ${formatValue(ctx, tmp, recurseTimes)}`;
        else str = `${ctx.stylize(`[${label}:`, "special")} ${formatPrimitive(ctx, tmp)}${ctx.stylize("]", "special")}`;
        ctx.indentationLvl -= 2;
      } catch (err) {
        str = `${ctx.stylize(`[${label}:`, "special")} <Inspection threw (${err.message})>${ctx.stylize("]", "special")}`;
      }
    } else {
      str = ctx.stylize(`[${label}]`, "special");
    }
  } else if (desc.set !== undefined) {
    str = ctx.stylize("[Setter]", "special");
  } else {
    str = ctx.stylize("undefined", "undefined");
  }
  if (type === kArrayType) return str;
  if (typeof key === "symbol") {
    name = `[${ctx.stylize(key.toString(), "symbol")}]`;
  } else if (key === "__proto__") {
    name = "['__proto__']";
  } else if (desc.enumerable === false) {
    name = `[${key.replace(/'/g, "\\'")}]`;
  } else if (/^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key)) {
    name = key;
  } else {
    name = ctx.stylize(strEscape(key), "string");
  }
  return `${name}:${extra}${str}`;
}

function getEmptyFormatArray() {
  return [];
}

function formatArrayLike(ctx, value, recurseTimes, length) {
  const output = [];
  const outputLength = Math.min(ctx.maxArrayLength, length);
  const remaining = length - outputLength;
  let holes = 0;
  const flushHoles = () => {
    if (holes > 0) {
      output.push(ctx.stylize(`<${holes} empty item${holes > 1 ? "s" : ""}>`, "undefined"));
      holes = 0;
    }
  };
  for (let i = 0; i < outputLength; i++) {
    if (!hasOwn(value, i)) {
      holes++;
      continue;
    }
    flushHoles();
    output.push(formatProperty(ctx, value, recurseTimes, i, kArrayType));
  }
  flushHoles();
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  return output;
}

function formatArray(ctx, value, recurseTimes) {
  return formatArrayLike(ctx, value, recurseTimes, value.length);
}

function formatArguments(ctx, value, recurseTimes) {
  return formatArrayLike(ctx, value, recurseTimes, value.length);
}

function formatTypedArray(value, length, ctx, ignored, recurseTimes) {
  const maxLength = Math.min(ctx.maxArrayLength, length);
  const remaining = value.length - maxLength;
  const output = new Array(maxLength);
  const isBig = typeof value[0] === "bigint";
  for (let i = 0; i < maxLength; ++i) {
    output[i] = isBig ? ctx.stylize(formatBigInt(value[i], ctx.numericSeparator), "bigint") : ctx.stylize(formatNumber(value[i], ctx.numericSeparator), "number");
  }
  if (remaining > 0) output[maxLength] = `... ${remaining} more item${remaining > 1 ? "s" : ""}`;
  if (ctx.showHidden) {
    ctx.indentationLvl += 2;
    for (const key of ["BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"]) {
      const str = formatValue(ctx, value[key], recurseTimes, true);
      output.push(`[${key}]: ${str}`);
    }
    ctx.indentationLvl -= 2;
  }
  return output;
}

function formatArrayBuffer(ctx, value) {
  let buffer;
  try {
    buffer = new Uint8Array(value);
  } catch {
    return ["(detached)"];
  }
  let str = "";
  const max = Math.min(ctx.maxArrayLength, buffer.length);
  for (let i = 0; i < max; i++) str += (i ? " " : "") + buffer[i].toString(16).padStart(2, "0");
  const remaining = buffer.length - max;
  if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
  return [`[Uint8Contents]: <${str}>`];
}

function formatSet(value, ctx, ignored, recurseTimes) {
  const length = getSize(value, "Set");
  const maxLength = Math.min(ctx.maxArrayLength, length);
  const remaining = length - maxLength;
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const v of value) {
    if (i >= maxLength) break;
    output.push(formatValue(ctx, v, recurseTimes));
    i++;
  }
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  ctx.indentationLvl -= 2;
  return output;
}

function formatMap(value, ctx, ignored, recurseTimes) {
  const length = getSize(value, "Map");
  const maxLength = Math.min(ctx.maxArrayLength, length);
  const remaining = length - maxLength;
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const [k, v] of value) {
    if (i >= maxLength) break;
    output.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
    i++;
  }
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  ctx.indentationLvl -= 2;
  return output;
}

/** Map and Set iterators print as `[Map Iterator] { }` (their entries are not shown). */
function formatIterator() {
  return [];
}

function formatPromise(ctx, value, recurseTimes) {
  let output;
  const details = types.getPromiseDetails ? types.getPromiseDetails(value) : [0, undefined];
  const [state, result] = details;
  if (state === 0) {
    output = [ctx.stylize("<pending>", "special")];
  } else {
    ctx.indentationLvl += 2;
    const str = formatValue(ctx, result, recurseTimes);
    ctx.indentationLvl -= 2;
    output = [state === 2 ? `${ctx.stylize("<rejected>", "special")} ${str}` : str];
  }
  return output;
}

const COLOR_RE = /\u001b\[\d\d?m/g;
const visibleLength = (ctx, str) => (ctx.colors ? str.replace(COLOR_RE, "").length : str.length);

function isBelowBreakLength(ctx, output, start, base) {
  let totalLength = output.length + start;
  if (totalLength + output.length > ctx.breakLength) return false;
  for (let i = 0; i < output.length; i++) {
    totalLength += visibleLength(ctx, output[i]);
    if (totalLength > ctx.breakLength) return false;
  }
  return base === "" || !base.includes("\n");
}

function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
  if (ctx.compact !== true) {
    if (typeof ctx.compact === "number" && ctx.compact >= 1) {
      const entries = output.length;
      if (extrasType === kArrayExtrasType && entries > 6) output = groupArrayElements(ctx, output, value);
      if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
        const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (isBelowBreakLength(ctx, output, start, base)) {
          const joined = output.join(", ");
          if (!joined.includes("\n")) {
            return `${base ? `${base} ` : ""}${braces[0]} ${joined}` + ` ${braces[1]}`;
          }
        }
      }
    }
    const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ""}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }
  if (isBelowBreakLength(ctx, output, 0, base)) {
    return `${braces[0]}${base ? ` ${base}` : ""} ${output.join(", ")} ` + braces[1];
  }
  const indentation = " ".repeat(ctx.indentationLvl);
  const ln = base === "" && braces[0].length === 1 ? " " : `${base ? ` ${base}` : ""}\n${indentation}  `;
  return `${braces[0]}${ln}${output.join(`,\n${indentation}  `)} ${braces[1]}`;
}

/** Lays out many short array items in aligned columns (numbers right-aligned). */
function groupArrayElements(ctx, output, value) {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen = new Array(outputLength);
  for (let i = 0; i < outputLength; i++) {
    const len = visibleLength(ctx, output[i]);
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const maxLineLength = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      for (let i = 0; i < output.length; i++) {
        if (typeof value[i] !== "number" && typeof value[i] !== "bigint") {
          padStart = false;
          break;
        }
      }
    }
    const tmp = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = "";
      let j = i;
      for (; j < max - 1; j++) {
        const padding = maxLineLength[j - i] + output[j].length - dataLen[j];
        str += padStart ? `${output[j]}, `.padStart(padding, " ") : `${output[j]}, `.padEnd(padding, " ");
      }
      if (padStart) {
        const padding = maxLineLength[j - i] + output[j].length - dataLen[j] - separatorSpace;
        str += output[j].padStart(padding, " ");
      } else {
        str += output[j];
      }
      tmp.push(str);
    }
    if (ctx.maxArrayLength < output.length) tmp.push(output[outputLength]);
    return tmp;
  }
  return output;
}

// ---------------------------------------------------------------------------------------------
// Public API

function stylizeWithColor(str, styleType) {
  const style = inspect.styles[styleType];
  const color = style !== undefined ? inspect.colors[style] : undefined;
  return color !== undefined ? `\u001b[${color[0]}m${str}\u001b[${color[1]}m` : str;
}

/** `util.inspect(value, options)` (also the legacy `(value, showHidden, depth, colors)`). */
export function inspect(value, opts) {
  const ctx = {
    budget: 0,
    indentationLvl: 0,
    seen: [],
    currentDepth: 0,
    stylize: (s) => s,
    ...defaultOptions,
    userOptions: undefined,
  };
  if (arguments.length > 1) {
    if (arguments.length > 2) {
      if (arguments[2] !== undefined) ctx.depth = arguments[2];
      if (arguments.length > 3 && arguments[3] !== undefined) ctx.colors = arguments[3];
    }
    if (typeof opts === "boolean") {
      ctx.showHidden = opts;
    } else if (opts) {
      for (const key of Object.keys(opts)) {
        if (hasOwn(defaultOptions, key) || key === "stylize") ctx[key] = opts[key];
        else if (ctx.userOptions === undefined) ctx.userOptions = opts;
      }
    }
  }
  if (ctx.colors && !(opts && typeof opts === "object" && typeof opts.stylize === "function")) ctx.stylize = stylizeWithColor;
  if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
  if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
  if (ctx.depth === Infinity) ctx.depth = null;
  return formatValue(ctx, value, 0);
}

inspect.custom = kInspect;
Object.defineProperty(inspect, "defaultOptions", {
  get: () => defaultOptions,
  set: (options) => {
    if (options === null || typeof options !== "object") throw invalidArgType("options", "Object", options);
    Object.assign(defaultOptions, options);
  },
  enumerable: true,
});
inspect.colors = Object.assign(Object.create(null), {
  reset: [0, 0], bold: [1, 22], dim: [2, 22], italic: [3, 23], underline: [4, 24], blink: [5, 25],
  inverse: [7, 27], hidden: [8, 28], strikethrough: [9, 29], doubleunderline: [21, 24],
  black: [30, 39], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39],
  cyan: [36, 39], white: [37, 39], bgBlack: [40, 49], bgRed: [41, 49], bgGreen: [42, 49],
  bgYellow: [43, 49], bgBlue: [44, 49], bgMagenta: [45, 49], bgCyan: [46, 49], bgWhite: [47, 49],
  gray: [90, 39], grey: [90, 39],
});
inspect.styles = Object.assign(Object.create(null), {
  special: "cyan", number: "yellow", bigint: "yellow", boolean: "yellow", undefined: "grey", null: "bold",
  string: "green", symbol: "green", date: "magenta", regexp: "red", module: "underline",
});

const builtInObjects = new Set(Object.getOwnPropertyNames(globalThis).filter((e) => /^[A-Z][a-zA-Z0-9]+$/.test(e)));

function hasBuiltInToString(value) {
  const proxy = types.getProxyDetails ? types.getProxyDetails(value) : null;
  if (proxy) value = proxy[0];
  if (typeof value.toString !== "function") return true;
  if (hasOwn(value, "toString")) return false;
  let pointer = value;
  do {
    pointer = Object.getPrototypeOf(pointer);
  } while (pointer !== null && !hasOwn(pointer, "constructor"));
  if (pointer === null) return true;
  const desc = Object.getOwnPropertyDescriptor(pointer, "constructor");
  return desc !== undefined && typeof desc.value === "function" && builtInObjects.has(desc.value.name);
}

/** `util.formatWithOptions(inspectOptions, format, ...args)`. */
export function formatWithOptions(inspectOptions, ...args) {
  if (inspectOptions === null || typeof inspectOptions !== "object") throw invalidArgType("inspectOptions", "Object", inspectOptions);
  return formatImpl(inspectOptions, args);
}

/** `util.format(format, ...args)`: printf-like `%s %d %i %f %j %o %O %c %%`. */
export function format(...args) {
  return formatImpl(undefined, args);
}

function formatImpl(inspectOptions, args) {
  const first = args[0];
  let a = 0;
  let str = "";
  let join = "";
  if (typeof first === "string") {
    if (args.length === 1) return first;
    let tempStr;
    let lastPos = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) === 37) {
        const nextChar = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          switch (nextChar) {
            case 115: { // s
              const arg = args[++a];
              if (typeof arg === "number") tempStr = formatNumber(arg, false);
              else if (typeof arg === "bigint") tempStr = formatBigInt(arg, false);
              else if (typeof arg !== "object" || arg === null || !hasBuiltInToString(arg)) tempStr = String(arg);
              else tempStr = inspect(arg, { ...inspectOptions, depth: 0, colors: false, compact: 3 });
              break;
            }
            case 106: // j
              try {
                tempStr = JSON.stringify(args[++a]);
              } catch (err) {
                if (/circular/i.test(err?.message)) tempStr = "[Circular]";
                else throw err;
              }
              break;
            case 100: { // d
              const n = args[++a];
              if (typeof n === "bigint") tempStr = formatBigInt(n, false);
              else if (typeof n === "symbol") tempStr = "NaN";
              else tempStr = formatNumber(Number(n), false);
              break;
            }
            case 79: // O
              tempStr = inspect(args[++a], inspectOptions);
              break;
            case 111: // o
              tempStr = inspect(args[++a], { ...inspectOptions, showHidden: true, showProxy: true, depth: 4 });
              break;
            case 105: { // i
              const n = args[++a];
              if (typeof n === "bigint") tempStr = formatBigInt(n, false);
              else if (typeof n === "symbol") tempStr = "NaN";
              else tempStr = formatNumber(Number.parseInt(n), false);
              break;
            }
            case 102: { // f
              const n = args[++a];
              tempStr = typeof n === "symbol" ? "NaN" : formatNumber(Number.parseFloat(n), false);
              break;
            }
            case 99: // c
              a += 1;
              tempStr = "";
              break;
            case 37: // %
              str += first.slice(lastPos, i);
              lastPos = i + 1;
              continue;
            default:
              continue;
          }
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
    }
    if (lastPos !== 0) {
      a++;
      join = " ";
      if (lastPos < first.length) str += first.slice(lastPos);
    }
  }
  while (a < args.length) {
    const value = args[a];
    str += join;
    str += typeof value !== "string" ? inspect(value, inspectOptions) : value;
    join = " ";
    a++;
  }
  return str;
}

export function stripVTControlCharacters(str) {
  if (typeof str !== "string") throw invalidArgType("str", "string", str);
  // eslint-disable-next-line no-control-regex
  return str.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, "");
}
