// A JSON-safe description of any value the pg type parsers / prepareValue can produce, precise
// enough to tell types apart (NaN vs null, -0 vs 0, Date vs string, Buffer bytes, prototype names,
// own and inherited enumerable keys). Shared by the Node scripts here and by fnhost runs of the
// same cases, so it uses no Node-only API and no `instanceof` (values may come from another realm).

const protoName = (v) => {
  const proto = Object.getPrototypeOf(v);
  if (proto === null) return null;
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  return typeof ctor === "function" ? ctor.name : "(no constructor)";
};

const isDate = (v) => {
  try {
    Date.prototype.getTime.call(v);
    return true;
  } catch {
    return false;
  }
};

const hex = (view) => {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
};

const attempt = (fn) => {
  try {
    return fn();
  } catch (e) {
    return { threw: describeError(e) };
  }
};

/** An error as {type: "error", ctor, name, message}. */
export function describeError(e) {
  if (e === null || typeof e !== "object") return { type: "thrown", value: describe(e) };
  return { type: "error", ctor: protoName(e), name: String(e.name), message: String(e.message) };
}

/** Describes `v`; `depth` guards against cycles. */
export function describe(v, depth = 0) {
  if (depth > 12) return { type: "too deep" };
  switch (typeof v) {
    case "undefined":
      return { type: "undefined" };
    case "number":
      return { type: "number", value: Object.is(v, -0) ? "-0" : String(v) };
    case "string":
      return { type: "string", value: v };
    case "boolean":
      return { type: "boolean", value: v };
    case "bigint":
      return { type: "bigint", value: String(v) };
    case "symbol":
      return { type: "symbol", value: String(v.description) };
    case "function":
      return { type: "function", name: v.name };
  }
  if (v === null) return { type: "null" };
  const ownKeys = Object.keys(v);
  const forIn = [];
  for (const k in v) forIn.push(k);
  // (null prototype: a JSON "__proto__" key stays a plain key)
  const fields = Object.create(null);
  for (const k of ownKeys) fields[k] = describe(v[k], depth + 1);
  if (isDate(v)) {
    const time = v.getTime();
    const out = { type: "Date", proto: protoName(v), time: String(time) };
    if (!Number.isNaN(time)) {
      out.iso = v.toISOString();
      out.tzOffset = v.getTimezoneOffset();
      out.local = [v.getFullYear(), v.getMonth() + 1, v.getDate(), v.getHours(), v.getMinutes(), v.getSeconds(), v.getMilliseconds()].join(",");
    }
    if (ownKeys.length) out.fields = fields;
    if (typeof v.getMicroSeconds === "function") out.microSeconds = attempt(() => describe(v.getMicroSeconds()));
    return out;
  }
  if (ArrayBuffer.isView(v)) {
    // (a Buffer's own keys are its indices: not listed)
    return { type: "bytes", proto: protoName(v), hex: hex(v) };
  }
  if (Array.isArray(v)) {
    const out = { type: "array", items: [] };
    for (let i = 0; i < v.length; i++) out.items.push(i in v ? describe(v[i], depth + 1) : { type: "hole" });
    const extra = ownKeys.filter((k) => !/^\d+$/.test(k));
    if (extra.length) out.extra = extra;
    return out;
  }
  if (Object.prototype.toString.call(v) === "[object Error]") return describeError(v);
  const out = { type: "object", proto: protoName(v), keys: ownKeys, forIn, fields };
  out.json = attempt(() => JSON.stringify(v));
  for (const m of ["toPostgres", "toISO", "toISOString"]) {
    if (typeof v[m] === "function") out[m] = attempt(() => describe(v[m](), depth + 1));
  }
  return out;
}

/** Runs `fn`, describing its result or what it threw. */
export function outcome(fn) {
  try {
    return { ok: describe(fn()) };
  } catch (e) {
    return { threw: describeError(e) };
  }
}
