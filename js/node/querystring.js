// node:querystring -- the legacy query string parser and serializer.
import { nodeError, utf8Encode } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

function qsEscape(str) {
  if (typeof str !== "string") {
    if (typeof str === "object") str = String(str);
    else str += "";
  }
  try {
    return encodeURIComponent(str);
  } catch {
    throw nodeError(URIError, "ERR_INVALID_URI", "URI malformed");
  }
}

function unescapeBuffer(s, decodeSpaces) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 43 && decodeSpaces) {
      out.push(32);
    } else if (c === 37 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      const bytes = utf8Encode(s[i] + (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? s[++i] : ""));
      out.push(...bytes);
    }
  }
  return globalThis.Buffer.from(out);
}

function qsUnescape(s, decodeSpaces) {
  try {
    return decodeURIComponent(s);
  } catch {
    return unescapeBuffer(s, decodeSpaces).toString();
  }
}

function stringifyPrimitive(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return `${v}`;
  if (typeof v === "bigint") return `${v}`;
  if (typeof v === "boolean") return v ? "true" : "false";
  return "";
}

function stringify(obj, sep = "&", eq = "=", options) {
  sep ||= "&";
  eq ||= "=";
  const encode = typeof options?.encodeURIComponent === "function" ? options.encodeURIComponent : qsEscape;
  if (obj !== null && typeof obj === "object") {
    const fields = [];
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      const ks = encode(stringifyPrimitive(k)) + eq;
      if (Array.isArray(v)) {
        for (const item of v) fields.push(ks + encode(stringifyPrimitive(item)));
      } else {
        fields.push(ks + encode(stringifyPrimitive(v)));
      }
    }
    return fields.join(sep);
  }
  return "";
}

function parse(qs, sep = "&", eq = "=", options) {
  const obj = Object.create(null);
  if (typeof qs !== "string" || qs.length === 0) return obj;
  sep = sep ? String(sep) : "&";
  eq = eq ? String(eq) : "=";
  let maxKeys = 1000;
  if (options && typeof options.maxKeys === "number") maxKeys = options.maxKeys;
  const decode = typeof options?.decodeURIComponent === "function" ? options.decodeURIComponent : qsUnescape;
  let parts = qs.split(sep);
  if (maxKeys > 0 && parts.length > maxKeys) parts = parts.slice(0, maxKeys);
  for (const part of parts) {
    if (part.length === 0 && parts.length > 1) continue;
    const idx = part.indexOf(eq);
    let k;
    let v;
    if (idx >= 0) {
      k = part.slice(0, idx);
      v = part.slice(idx + eq.length);
    } else {
      k = part;
      v = "";
    }
    const dec = (s) => {
      const spaced = s.replace(/\+/g, " ");
      try {
        return decode(spaced, true);
      } catch {
        return qsUnescape(spaced, true);
      }
    };
    k = dec(k);
    v = dec(v);
    if (Object.prototype.hasOwnProperty.call(obj, k)) {
      if (Array.isArray(obj[k])) obj[k].push(v);
      else obj[k] = [obj[k], v];
    } else {
      obj[k] = v;
    }
  }
  return obj;
}

export const querystring = {
  unescapeBuffer,
  unescape: qsUnescape,
  escape: qsEscape,
  stringify,
  encode: stringify,
  parse,
  decode: parse,
};

defineBuiltin("querystring", () => ({ ...querystring }));
