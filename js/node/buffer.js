// node:buffer -- `Buffer` as a Uint8Array subclass with every Node encoding (utf8, hex, base64,
// base64url, latin1/binary, ascii, ucs2/utf16le), the read/write integer and float helpers,
// and the static helpers (`from`, `alloc`, `concat`, `compare`, `byteLength` ...).
import {
  invalidArgType, isAnyArrayBuffer, isDataView, isUint8Array, kInspect, nodeError, outOfRange, utf8Decode, utf8Encode, validateNumber,
} from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

export const kMaxLength = 2 ** 53 - 1;
export const kStringMaxLength = 2 ** 29 - 24;
export const INSPECT_MAX_BYTES = 50;

// ---------------------------------------------------------------------------------------------
// Encodings

/** Normalizes an encoding name, or returns undefined when Node does not know it. */
export function normalizeEncoding(enc) {
  if (enc == null || enc === "utf8" || enc === "utf-8") return "utf8";
  switch (String(enc).toLowerCase()) {
    case "utf8": case "utf-8": return "utf8";
    case "hex": return "hex";
    case "base64": return "base64";
    case "base64url": return "base64url";
    case "latin1": case "binary": return "latin1";
    case "ascii": return "ascii";
    case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
    case "": return "utf8";
    default: return undefined;
  }
}

function encodingOrThrow(enc) {
  const norm = normalizeEncoding(enc);
  if (norm === undefined) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${enc}`);
  return norm;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_LOOKUP = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  B64_LOOKUP[B64.charCodeAt(i)] = i;
  B64_LOOKUP[B64URL.charCodeAt(i)] = i;
}

const nativeToBase64 = Uint8Array.prototype.toBase64;
const nativeToHex = Uint8Array.prototype.toHex;

/** Joins char codes into a string in slices small enough for `fromCharCode.apply`. */
function charCodesToString(codes, length) {
  let out = "";
  for (let i = 0; i < length; i += 8192) out += String.fromCharCode.apply(null, codes.subarray(i, Math.min(length, i + 8192)));
  return out;
}

function base64Encode(bytes, start, end, url) {
  if (nativeToBase64) {
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
    return nativeToBase64.call(view, url ? { alphabet: "base64url", omitPadding: true } : undefined);
  }
  const table = url ? B64URL : B64;
  const codes = new Uint16Array(Math.ceil((end - start) / 3) * 4);
  let n = 0;
  let i = start;
  for (; i + 2 < end; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[n++] = table.charCodeAt((v >> 18) & 63);
    codes[n++] = table.charCodeAt((v >> 12) & 63);
    codes[n++] = table.charCodeAt((v >> 6) & 63);
    codes[n++] = table.charCodeAt(v & 63);
  }
  const rest = end - i;
  if (rest > 0) {
    const v = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    codes[n++] = table.charCodeAt((v >> 18) & 63);
    codes[n++] = table.charCodeAt((v >> 12) & 63);
    if (rest === 2) codes[n++] = table.charCodeAt((v >> 6) & 63);
    else if (!url) codes[n++] = 61;
    if (!url) codes[n++] = 61;
  }
  return charCodesToString(codes, n);
}

function hexEncode(bytes, start, end) {
  if (nativeToHex) return nativeToHex.call(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start));
  const codes = new Uint16Array((end - start) * 2);
  const digits = "0123456789abcdef";
  for (let i = start, n = 0; i < end; i++) {
    codes[n++] = digits.charCodeAt(bytes[i] >> 4);
    codes[n++] = digits.charCodeAt(bytes[i] & 15);
  }
  return charCodesToString(codes, codes.length);
}

/** Decodes base64 or base64url leniently as Node does: skips characters outside both
 * alphabets and stops at the first `=`. */
function base64Decode(str) {
  const out = new Uint8Array(((str.length + 3) >>> 2) * 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c === 61) break;
    const v = c < 256 ? B64_LOOKUP[c] : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

function base64ByteLength(str) {
  let len = str.length;
  if (len > 0 && str.charCodeAt(len - 1) === 61) len--;
  if (len > 1 && str.charCodeAt(len - 1) === 61) len--;
  return (len * 3) >>> 2;
}

const HEX = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));

function hexDecode(str) {
  const out = new Uint8Array(str.length >>> 1);
  let i = 0;
  for (; i < out.length; i++) {
    const hi = hexValue(str.charCodeAt(i * 2));
    const lo = hexValue(str.charCodeAt(i * 2 + 1));
    if (hi < 0 || lo < 0) break;
    out[i] = (hi << 4) | lo;
  }
  return out.subarray(0, i);
}

function hexValue(c) {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function latin1Decode(bytes, start, end, mask) {
  let out = "";
  for (let i = start; i < end; i += 4096) {
    const chunk = bytes.subarray(i, Math.min(end, i + 4096));
    out += String.fromCharCode.apply(null, mask === 0xff ? chunk : Array.from(chunk, (b) => b & mask));
  }
  return out;
}

function latin1Encode(str) {
  const out = new Uint8Array(str.length);
  for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 0xff;
  return out;
}

function utf16Encode(str) {
  const out = new Uint8Array(str.length * 2);
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    out[i * 2] = c & 0xff;
    out[i * 2 + 1] = c >> 8;
  }
  return out;
}

function utf16Decode(bytes, start, end) {
  let out = "";
  const codes = [];
  for (let i = start; i + 1 < end; i += 2) {
    codes.push(bytes[i] | (bytes[i + 1] << 8));
    if (codes.length === 4096) {
      out += String.fromCharCode.apply(null, codes);
      codes.length = 0;
    }
  }
  return out + String.fromCharCode.apply(null, codes);
}

/** Encodes a string into bytes with a normalized encoding. */
export function encodeString(str, enc) {
  switch (enc) {
    case "utf8": return utf8Encode(str);
    case "hex": return hexDecode(str);
    case "base64": case "base64url": return base64Decode(str);
    case "latin1": case "ascii": return latin1Encode(str);
    case "utf16le": return utf16Encode(str);
  }
  throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${enc}`);
}

/** Decodes bytes[start, end) with a normalized encoding. */
export function decodeBytes(bytes, enc, start = 0, end = bytes.length) {
  switch (enc) {
    case "utf8": return utf8Decode(bytes, start, end);
    case "hex": return hexEncode(bytes, start, end);
    case "base64": return base64Encode(bytes, start, end, false);
    case "base64url": return base64Encode(bytes, start, end, true);
    case "latin1": return latin1Decode(bytes, start, end, 0xff);
    case "ascii": return latin1Decode(bytes, start, end, 0x7f);
    case "utf16le": return utf16Decode(bytes, start, end);
  }
  throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${enc}`);
}

function utf8ByteLength(str) {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function byteLengthOf(str, enc) {
  switch (enc) {
    case "utf8": return utf8ByteLength(str);
    case "hex": return str.length >>> 1;
    case "base64": case "base64url": return base64ByteLength(str);
    case "latin1": case "ascii": return str.length;
    case "utf16le": return str.length * 2;
  }
  return utf8ByteLength(str);
}

// ---------------------------------------------------------------------------------------------
// The Buffer class

class FastBuffer extends Uint8Array {}

/** `Buffer(arg, encodingOrOffset, length)`: deprecated call form, same as `Buffer.from` /
 * `Buffer.alloc`. */
export function Buffer(arg, encodingOrOffset, length) {
  if (typeof arg === "number") {
    if (typeof encodingOrOffset === "string") {
      throw invalidArgType("string", "string", arg);
    }
    return Buffer.alloc(arg);
  }
  return Buffer.from(arg, encodingOrOffset, length);
}

Object.defineProperty(Buffer, "name", { value: "Buffer" });
Buffer.prototype = FastBuffer.prototype;
Object.defineProperty(FastBuffer.prototype, "constructor", { value: Buffer, writable: true, configurable: true, enumerable: false });
Object.setPrototypeOf(Buffer, Uint8Array);
Object.defineProperty(Buffer, Symbol.species, { get: () => FastBuffer, configurable: true });

Buffer.poolSize = 8192;

function fromBytes(bytes) {
  return new FastBuffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fromString(str, encoding) {
  const enc = encodingOrThrow(encoding);
  const bytes = encodeString(str, enc);
  return fromBytes(bytes.buffer.byteLength === bytes.byteLength ? bytes : bytes.slice());
}

function fromTypeError(value) {
  return nodeError(TypeError, "ERR_INVALID_ARG_TYPE",
    "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object." +
      invalidArgType("x", "string", value).message.replace(/^.*?\.(?= Received)/, ""));
}

Buffer.from = function from(value, encodingOrOffset, length) {
  if (typeof value === "string") return fromString(value, encodingOrOffset);
  if (typeof value === "object" && value !== null) {
    if (isAnyArrayBuffer(value)) {
      const offset = encodingOrOffset === undefined ? 0 : +encodingOrOffset || 0;
      const max = value.byteLength - offset;
      if (offset > value.byteLength || offset < 0) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", '"offset" is outside of buffer bounds');
      let len = max;
      if (length !== undefined) {
        len = +length || 0;
        if (len > max) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", '"length" is outside of buffer bounds');
      }
      return new FastBuffer(value, offset, Math.max(0, len));
    }
    if (ArrayBuffer.isView(value)) {
      if (isUint8Array(value)) return fromBytes(value.slice());
      if (isDataView(value)) return fromBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice());
      return fromArrayLike(value);
    }
    const prim = value.valueOf?.();
    if (prim != null && prim !== value && (typeof prim === "string" || typeof prim === "object")) {
      return Buffer.from(prim, encodingOrOffset, length);
    }
    if (typeof value.length === "number" || Array.isArray(value)) return fromArrayLike(value);
    if (value.type === "Buffer" && Array.isArray(value.data)) return fromArrayLike(value.data);
    if (typeof value[Symbol.toPrimitive] === "function") {
      const p = value[Symbol.toPrimitive]("string");
      if (typeof p === "string") return fromString(p, encodingOrOffset);
    }
  }
  throw fromTypeError(value);
};

function fromArrayLike(arr) {
  const len = arr.length > 0 ? arr.length >>> 0 : 0;
  const buf = new FastBuffer(len);
  for (let i = 0; i < len; i++) buf[i] = arr[i];
  return buf;
}

Buffer.of = function of(...items) {
  return fromArrayLike(items);
};

function validateSize(size) {
  if (typeof size !== "number") throw invalidArgType("size", "number", size);
  if (!(size >= 0 && size <= kMaxLength)) throw outOfRange("size", `>= 0 && <= ${kMaxLength}`, size);
}

Buffer.alloc = function alloc(size, fill, encoding) {
  validateSize(size);
  const buf = new FastBuffer(size);
  if (fill !== undefined && fill !== 0 && size > 0) buf.fill(fill, 0, size, encoding);
  return buf;
};
Buffer.allocUnsafe = function allocUnsafe(size) {
  validateSize(size);
  return new FastBuffer(size);
};
Buffer.allocUnsafeSlow = function allocUnsafeSlow(size) {
  validateSize(size);
  return new FastBuffer(size);
};

Buffer.isBuffer = function isBuffer(b) {
  return b instanceof Buffer;
};

Buffer.isEncoding = function isEncoding(enc) {
  return typeof enc === "string" && enc.length !== 0 && normalizeEncoding(enc) !== undefined;
};

Buffer.byteLength = function byteLength(value, encoding) {
  if (typeof value !== "string") {
    if (ArrayBuffer.isView(value) || isAnyArrayBuffer(value)) return value.byteLength;
    throw invalidArgType("string", ["string", "Buffer", "ArrayBuffer"], value);
  }
  return byteLengthOf(value, normalizeEncoding(encoding) ?? "utf8");
};

function compareBytes(a, aStart, aEnd, b, bStart, bEnd) {
  const len = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < len; i++) {
    const x = a[aStart + i];
    const y = b[bStart + i];
    if (x !== y) return x < y ? -1 : 1;
  }
  const la = aEnd - aStart;
  const lb = bEnd - bStart;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

Buffer.compare = function compare(a, b) {
  if (!(isUint8Array(a))) throw invalidArgType("buf1", ["Buffer", "Uint8Array"], a);
  if (!(isUint8Array(b))) throw invalidArgType("buf2", ["Buffer", "Uint8Array"], b);
  return compareBytes(a, 0, a.length, b, 0, b.length);
};

Buffer.concat = function concat(list, totalLength) {
  if (!Array.isArray(list)) throw invalidArgType("list", "Array", list);
  if (list.length === 0) return new FastBuffer(0);
  if (totalLength === undefined) {
    totalLength = 0;
    for (let i = 0; i < list.length; i++) {
      if (!(isUint8Array(list[i]))) throw invalidArgType(`list[${i}]`, ["Buffer", "Uint8Array"], list[i]);
      totalLength += list[i].length;
    }
  } else {
    validateNumber(totalLength, "length");
  }
  const out = Buffer.alloc(totalLength);
  let pos = 0;
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    if (!(isUint8Array(b))) throw invalidArgType(`list[${i}]`, ["Buffer", "Uint8Array"], b);
    if (pos + b.length > totalLength) {
      out.set(b.subarray(0, totalLength - pos), pos);
      pos = totalLength;
      break;
    }
    out.set(b, pos);
    pos += b.length;
  }
  return out;
};

Buffer.copyBytesFrom = function copyBytesFrom(view, offset = 0, length) {
  if (!ArrayBuffer.isView(view) || isDataView(view)) throw invalidArgType("view", "TypedArray", view);
  const end = length === undefined ? view.length : Math.min(view.length, offset + length);
  const part = view.subarray(offset, end);
  return fromBytes(new Uint8Array(part.buffer, part.byteOffset, part.byteLength).slice());
};

// ---------------------------------------------------------------------------------------------
// Prototype methods

const proto = Buffer.prototype;

function defineMethods(target, methods) {
  for (const name of Reflect.ownKeys(methods)) {
    Object.defineProperty(target, name, { value: methods[name], writable: true, configurable: true, enumerable: false });
  }
}

function clampRange(len, start, end) {
  start = start === undefined ? 0 : Math.trunc(+start) || 0;
  end = end === undefined ? len : Math.trunc(+end) || 0;
  if (start < 0) start = 0;
  if (end > len) end = len;
  return [start, end];
}

function toStringImpl(encoding, start, end) {
  if (encoding === undefined && start === undefined && end === undefined) return utf8Decode(this, 0, this.length);
  const len = this.length;
  [start, end] = clampRange(len, start, end);
  if (end <= start) return "";
  return decodeBytes(this, encodingOrThrow(encoding), start, end);
}

defineMethods(proto, {
  toString: toStringImpl,
  toLocaleString: toStringImpl,
  toJSON() {
    return { type: "Buffer", data: Array.from(this) };
  },
  equals(other) {
    if (!(isUint8Array(other))) throw invalidArgType("otherBuffer", ["Buffer", "Uint8Array"], other);
    return this === other || compareBytes(this, 0, this.length, other, 0, other.length) === 0;
  },
  compare(target, targetStart = 0, targetEnd = target?.length, sourceStart = 0, sourceEnd = this.length) {
    if (!(isUint8Array(target))) throw invalidArgType("target", ["Buffer", "Uint8Array"], target);
    if (targetStart < 0 || targetStart > target.length) throw outOfRange("targetStart", `>= 0 && <= ${target.length}`, targetStart);
    if (targetEnd < 0 || targetEnd > target.length) throw outOfRange("targetEnd", `>= 0 && <= ${target.length}`, targetEnd);
    if (sourceStart < 0 || sourceStart > this.length) throw outOfRange("sourceStart", `>= 0 && <= ${this.length}`, sourceStart);
    if (sourceEnd < 0 || sourceEnd > this.length) throw outOfRange("sourceEnd", `>= 0 && <= ${this.length}`, sourceEnd);
    if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
    if (targetStart >= targetEnd) return 1;
    return compareBytes(this, sourceStart, sourceEnd, target, targetStart, targetEnd);
  },
  copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    if (!(isUint8Array(target))) throw invalidArgType("target", ["Buffer", "Uint8Array"], target);
    targetStart = Math.trunc(+targetStart) || 0;
    sourceStart = Math.trunc(+sourceStart) || 0;
    sourceEnd = Math.trunc(+sourceEnd) || 0;
    if (targetStart < 0) throw outOfRange("targetStart", `>= 0 && <= ${target.length}`, targetStart);
    if (sourceStart < 0 || sourceStart > this.length) throw outOfRange("sourceStart", `>= 0 && <= ${this.length}`, sourceStart);
    if (sourceEnd < 0) throw outOfRange("sourceEnd", `>= 0 && <= ${this.length}`, sourceEnd);
    if (sourceEnd > this.length) sourceEnd = this.length;
    if (targetStart >= target.length || sourceStart >= sourceEnd) return 0;
    const n = Math.min(sourceEnd - sourceStart, target.length - targetStart);
    target.set(this.subarray(sourceStart, sourceStart + n), targetStart);
    return n;
  },
  slice(start, end) {
    const len = this.length;
    start = start === undefined ? 0 : Math.trunc(+start) || 0;
    end = end === undefined ? len : Math.trunc(+end) || 0;
    if (start < 0) start = Math.max(0, len + start);
    if (end < 0) end = Math.max(0, len + end);
    if (end > len) end = len;
    if (start > end) start = end;
    return new FastBuffer(this.buffer, this.byteOffset + start, end - start);
  },
  write(string, offset, length, encoding) {
    if (typeof string !== "string") throw invalidArgType("argument", "string", string);
    if (offset === undefined) {
      offset = 0;
      length = this.length;
    } else if (length === undefined && typeof offset === "string") {
      encoding = offset;
      offset = 0;
      length = this.length;
    } else {
      offset = offset >>> 0;
      if (offset > this.length) throw outOfRange("offset", `>= 0 && <= ${this.length}`, offset);
      if (typeof length === "string") {
        encoding = length;
        length = this.length - offset;
      } else if (length === undefined) {
        length = this.length - offset;
      } else {
        length = Math.min(length >>> 0, this.length - offset);
      }
    }
    const enc = encodingOrThrow(encoding);
    return writeString(this, string, offset, length, enc);
  },
  fill(value, offset, end, encoding) {
    if (typeof offset === "string") {
      encoding = offset;
      offset = 0;
      end = this.length;
    } else if (typeof end === "string") {
      encoding = end;
      end = this.length;
    }
    offset = offset === undefined ? 0 : offset;
    end = end === undefined ? this.length : end;
    if (typeof offset !== "number") throw invalidArgType("offset", "number", offset);
    if (typeof end !== "number") throw invalidArgType("end", "number", end);
    if (offset < 0 || offset > this.length) throw outOfRange("offset", `>= 0 && <= ${this.length}`, offset);
    if (end < 0 || end > this.length) throw outOfRange("end", `>= 0 && <= ${this.length}`, end);
    if (end <= offset) return this;
    if (typeof value === "number") {
      Uint8Array.prototype.fill.call(this, value & 255, offset, end);
      return this;
    }
    if (typeof value === "boolean") {
      Uint8Array.prototype.fill.call(this, +value, offset, end);
      return this;
    }
    let bytes;
    if (typeof value === "string") {
      const enc = encodingOrThrow(encoding);
      if (value.length === 0) {
        Uint8Array.prototype.fill.call(this, 0, offset, end);
        return this;
      }
      if (enc === "utf8" && value.length === 1 && value.charCodeAt(0) < 128) {
        Uint8Array.prototype.fill.call(this, value.charCodeAt(0), offset, end);
        return this;
      }
      bytes = encodeString(value, enc);
      if (bytes.length === 0) {
        throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'value' is invalid. Received '${value}'`);
      }
    } else if (isUint8Array(value)) {
      bytes = value;
    } else if (ArrayBuffer.isView(value)) {
      bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    } else {
      Uint8Array.prototype.fill.call(this, Number(value) & 255, offset, end);
      return this;
    }
    for (let i = offset, j = 0; i < end; i++, j = (j + 1) % bytes.length) this[i] = bytes[j];
    return this;
  },
  indexOf(value, byteOffset, encoding) {
    return bidirectionalIndexOf(this, value, byteOffset, encoding, true);
  },
  lastIndexOf(value, byteOffset, encoding) {
    return bidirectionalIndexOf(this, value, byteOffset, encoding, false);
  },
  includes(value, byteOffset, encoding) {
    return bidirectionalIndexOf(this, value, byteOffset, encoding, true) !== -1;
  },
  swap16() {
    if (this.length % 2 !== 0) throw nodeError(RangeError, "ERR_INVALID_BUFFER_SIZE", "Buffer size must be a multiple of 16-bits");
    for (let i = 0; i < this.length; i += 2) [this[i], this[i + 1]] = [this[i + 1], this[i]];
    return this;
  },
  swap32() {
    if (this.length % 4 !== 0) throw nodeError(RangeError, "ERR_INVALID_BUFFER_SIZE", "Buffer size must be a multiple of 32-bits");
    for (let i = 0; i < this.length; i += 4) {
      [this[i], this[i + 1], this[i + 2], this[i + 3]] = [this[i + 3], this[i + 2], this[i + 1], this[i]];
    }
    return this;
  },
  swap64() {
    if (this.length % 8 !== 0) throw nodeError(RangeError, "ERR_INVALID_BUFFER_SIZE", "Buffer size must be a multiple of 64-bits");
    for (let i = 0; i < this.length; i += 8) {
      for (let j = 0; j < 4; j++) [this[i + j], this[i + 7 - j]] = [this[i + 7 - j], this[i + j]];
    }
    return this;
  },
  inspect() {
    return inspectBuffer(this);
  },
  [kInspect]() {
    return inspectBuffer(this);
  },
});

Object.defineProperty(proto, "parent", {
  get() { return this instanceof Buffer ? this.buffer : undefined; },
  enumerable: true,
  configurable: true,
});
Object.defineProperty(proto, "offset", {
  get() { return this instanceof Buffer ? this.byteOffset : undefined; },
  enumerable: true,
  configurable: true,
});

function inspectBuffer(buf) {
  const max = INSPECT_MAX_BYTES;
  let str = "";
  for (let i = 0; i < Math.min(max, buf.length); i++) str += (i ? " " : "") + HEX[buf[i]];
  const remaining = buf.length - max;
  if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
  const name = buf.constructor?.name === "Buffer" || !buf.constructor ? "Buffer" : buf.constructor.name;
  return `<${name}${str ? " " + str : ""}>`;
}

function writeString(buf, string, offset, length, enc) {
  if (length <= 0) return 0;
  let bytes = encodeString(string, enc);
  if (bytes.length > length) {
    let n = length;
    if (enc === "utf8") {
      // never write part of a character
      while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
    } else if (enc === "utf16le") {
      n -= n % 2;
    }
    bytes = bytes.subarray(0, n);
  }
  buf.set(bytes, offset);
  return bytes.length;
}

for (const enc of ["utf8", "hex", "base64", "base64url", "latin1", "ascii", "ucs2", "utf16le"]) {
  const norm = normalizeEncoding(enc);
  defineMethods(proto, {
    [`${enc}Slice`](start = 0, end = this.length) {
      return decodeBytes(this, norm, start, Math.min(end, this.length));
    },
    [`${enc}Write`](string, offset = 0, length = this.length - offset) {
      return writeString(this, string, offset, Math.min(length, this.length - offset), norm);
    },
  });
}

function bidirectionalIndexOf(buf, value, byteOffset, encoding, first) {
  if (typeof byteOffset === "string") {
    encoding = byteOffset;
    byteOffset = undefined;
  }
  let offset = byteOffset === undefined ? (first ? 0 : buf.length) : +byteOffset;
  if (Number.isNaN(offset)) offset = first ? 0 : buf.length;
  offset = Math.trunc(offset);
  if (offset < 0) offset += buf.length;
  let needle;
  if (typeof value === "number") {
    needle = [value & 255];
  } else if (typeof value === "string") {
    needle = encodeString(value, encodingOrThrow(encoding));
  } else if (isUint8Array(value)) {
    needle = value;
  } else {
    throw invalidArgType("value", ["number", "string", "Buffer", "Uint8Array"], value);
  }
  const n = needle.length;
  if (first) {
    if (offset < 0) offset = 0;
    if (n === 0) return offset <= buf.length ? offset : buf.length;
    outer: for (let i = offset; i <= buf.length - n; i++) {
      for (let j = 0; j < n; j++) if (buf[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }
  if (offset < 0) return -1;
  if (n === 0) return Math.min(offset, buf.length);
  outer: for (let i = Math.min(offset, buf.length - n); i >= 0; i--) {
    for (let j = 0; j < n; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Numeric reads and writes

function boundsError(value, length, name = "offset") {
  if (Math.floor(value) !== value) {
    if (typeof value !== "number") throw invalidArgType(name, "number", value);
    throw outOfRange(name, "an integer", value);
  }
  if (length < 0) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", "Attempt to access memory outside buffer bounds");
  throw outOfRange(name, `>= 0 and <= ${length}`, value);
}

function checkOffset(buf, offset, size) {
  if (typeof offset !== "number") throw invalidArgType("offset", "number", offset);
  const last = buf.length - size;
  if (!(offset >= 0 && offset <= last) || Math.floor(offset) !== offset) boundsError(offset, last);
}

function checkValue(value, min, max, byteLength) {
  if (typeof value !== "number" && typeof value !== "bigint") throw invalidArgType("value", "number", value);
  if (value > max || value < min) {
    const n = typeof min === "bigint" ? "n" : "";
    let range;
    if (byteLength > 4) {
      const bits = byteLength * 8;
      range = min === 0 || min === 0n ? `>= 0${n} and < 2${n} ** ${bits}${n}` : `>= -(2${n} ** ${bits - 1}${n}) and < 2${n} ** ${bits - 1}${n}`;
    } else {
      range = `>= ${min}${n} and <= ${max}${n}`;
    }
    throw outOfRange("value", range, value);
  }
}

function readUIntLE(buf, offset, size) {
  let val = 0;
  let mul = 1;
  for (let i = 0; i < size; i++, mul *= 256) val += buf[offset + i] * mul;
  return val;
}
function readUIntBE(buf, offset, size) {
  let val = 0;
  for (let i = 0; i < size; i++) val = val * 256 + buf[offset + i];
  return val;
}
function writeUIntLE(buf, value, offset, size) {
  for (let i = 0; i < size; i++) {
    buf[offset + i] = value % 256;
    value = Math.floor(value / 256);
  }
  return offset + size;
}
function writeUIntBE(buf, value, offset, size) {
  for (let i = size - 1; i >= 0; i--) {
    buf[offset + i] = value % 256;
    value = Math.floor(value / 256);
  }
  return offset + size;
}
const toUnsigned = (value, size) => (value < 0 ? value + 2 ** (8 * size) : value);
const toSigned = (value, size) => (value >= 2 ** (8 * size - 1) ? value - 2 ** (8 * size) : value);

function validateByteLength(byteLength) {
  if (typeof byteLength !== "number") throw invalidArgType("byteLength", "number", byteLength);
  if (!(byteLength >= 1 && byteLength <= 6) || Math.floor(byteLength) !== byteLength) boundsError(byteLength, 6, "byteLength");
}

const rw = {};
for (const size of [1, 2, 4]) {
  const bits = size * 8;
  const umax = 2 ** bits - 1;
  const smin = -(2 ** (bits - 1));
  const smax = 2 ** (bits - 1) - 1;
  for (const endian of size === 1 ? [""] : ["LE", "BE"]) {
    const read = endian === "BE" ? readUIntBE : readUIntLE;
    const write = endian === "BE" ? writeUIntBE : writeUIntLE;
    rw[`readUInt${bits}${endian}`] = function (offset = 0) {
      checkOffset(this, offset, size);
      return read(this, offset, size);
    };
    rw[`readInt${bits}${endian}`] = function (offset = 0) {
      checkOffset(this, offset, size);
      return toSigned(read(this, offset, size), size);
    };
    rw[`writeUInt${bits}${endian}`] = function (value, offset = 0) {
      checkValue(value, 0, umax, size);
      checkOffset(this, offset, size);
      return write(this, Math.trunc(value), offset, size);
    };
    rw[`writeInt${bits}${endian}`] = function (value, offset = 0) {
      checkValue(value, smin, smax, size);
      checkOffset(this, offset, size);
      return write(this, toUnsigned(Math.trunc(value), size), offset, size);
    };
  }
}
for (const endian of ["LE", "BE"]) {
  const read = endian === "BE" ? readUIntBE : readUIntLE;
  const write = endian === "BE" ? writeUIntBE : writeUIntLE;
  rw[`readUInt${endian}`] = function (offset, byteLength) {
    validateByteLength(byteLength);
    checkOffset(this, offset, byteLength);
    return read(this, offset, byteLength);
  };
  rw[`readInt${endian}`] = function (offset, byteLength) {
    validateByteLength(byteLength);
    checkOffset(this, offset, byteLength);
    return toSigned(read(this, offset, byteLength), byteLength);
  };
  rw[`writeUInt${endian}`] = function (value, offset, byteLength) {
    validateByteLength(byteLength);
    checkValue(value, 0, 2 ** (8 * byteLength) - 1, byteLength);
    checkOffset(this, offset, byteLength);
    return write(this, Math.trunc(value), offset, byteLength);
  };
  rw[`writeInt${endian}`] = function (value, offset, byteLength) {
    validateByteLength(byteLength);
    checkValue(value, -(2 ** (8 * byteLength - 1)), 2 ** (8 * byteLength - 1) - 1, byteLength);
    checkOffset(this, offset, byteLength);
    return write(this, toUnsigned(Math.trunc(value), byteLength), offset, byteLength);
  };
}

function dataView(buf) {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

for (const [name, size, getter, setter] of [
  ["Float", 4, "getFloat32", "setFloat32"],
  ["Double", 8, "getFloat64", "setFloat64"],
]) {
  for (const endian of ["LE", "BE"]) {
    const little = endian === "LE";
    rw[`read${name}${endian}`] = function (offset = 0) {
      checkOffset(this, offset, size);
      return dataView(this)[getter](offset, little);
    };
    rw[`write${name}${endian}`] = function (value, offset = 0) {
      if (typeof value !== "number") throw invalidArgType("value", "number", value);
      checkOffset(this, offset, size);
      dataView(this)[setter](offset, value, little);
      return offset + size;
    };
  }
}

for (const endian of ["LE", "BE"]) {
  const little = endian === "LE";
  rw[`readBigUInt64${endian}`] = function (offset = 0) {
    checkOffset(this, offset, 8);
    return dataView(this).getBigUint64(offset, little);
  };
  rw[`readBigInt64${endian}`] = function (offset = 0) {
    checkOffset(this, offset, 8);
    return dataView(this).getBigInt64(offset, little);
  };
  rw[`writeBigUInt64${endian}`] = function (value, offset = 0) {
    if (typeof value !== "bigint") throw invalidArgType("value", "bigint", value);
    checkValue(value, 0n, 2n ** 64n - 1n, 8);
    checkOffset(this, offset, 8);
    dataView(this).setBigUint64(offset, value, little);
    return offset + 8;
  };
  rw[`writeBigInt64${endian}`] = function (value, offset = 0) {
    if (typeof value !== "bigint") throw invalidArgType("value", "bigint", value);
    checkValue(value, -(2n ** 63n), 2n ** 63n - 1n, 8);
    checkOffset(this, offset, 8);
    dataView(this).setBigInt64(offset, value, little);
    return offset + 8;
  };
}

// lower-case "Uint" aliases
for (const key of Object.keys(rw)) {
  if (key.includes("UInt")) rw[key.replace("UInt", "Uint")] = rw[key];
}
defineMethods(proto, rw);

// ---------------------------------------------------------------------------------------------
// Module-level helpers

export function SlowBuffer(size) {
  return Buffer.allocUnsafeSlow(size);
}
SlowBuffer.prototype = proto;
Object.setPrototypeOf(SlowBuffer, Uint8Array);

export function isUtf8(input) {
  const bytes = toBytes(input, "input");
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need;
    let min;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return false;
    if (i + need >= bytes.length) return false;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let j = 1; j <= need; j++) {
      const c = bytes[i + j];
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

export function isAscii(input) {
  const bytes = toBytes(input, "input");
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

function toBytes(input, name) {
  if (isUint8Array(input)) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (isAnyArrayBuffer(input)) return new Uint8Array(input);
  throw invalidArgType(name, ["ArrayBuffer", "Buffer", "TypedArray"], input);
}

export function transcode(source, fromEnc, toEnc) {
  if (!(isUint8Array(source))) throw invalidArgType("source", ["Buffer", "Uint8Array"], source);
  const from = normalizeEncoding(fromEnc);
  const to = normalizeEncoding(toEnc);
  const ok = ["utf8", "utf16le", "latin1", "ascii"];
  if (!ok.includes(from) || !ok.includes(to)) {
    throw nodeError(Error, "U_ILLEGAL_ARGUMENT_ERROR", `Unable to transcode Buffer [U_ILLEGAL_ARGUMENT_ERROR]`);
  }
  let text = decodeBytes(source, from, 0, source.length);
  if (to === "latin1" || to === "ascii") text = text.replace(/[^\u0000-\u00ff]/gu, "?");
  return fromBytes(encodeString(text, to));
}

export function btoa(input) {
  if (arguments.length === 0) throw invalidArgType("input", "string", undefined);
  const str = `${input}`;
  for (let i = 0; i < str.length; i++) {
    if (str.charCodeAt(i) > 255) {
      const err = new Error("Invalid character");
      err.name = "InvalidCharacterError";
      throw err;
    }
  }
  const bytes = latin1Encode(str);
  return base64Encode(bytes, 0, bytes.length, false);
}

export function atob(input) {
  if (arguments.length === 0) throw invalidArgType("input", "string", undefined);
  let str = `${input}`.replace(/[\t\n\f\r ]/g, "");
  if (str.length % 4 === 0) str = str.replace(/==?$/, "");
  if (str.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(str)) {
    const err = new Error("The string to be decoded is not correctly encoded.");
    err.name = "InvalidCharacterError";
    throw err;
  }
  const bytes = base64Decode(str);
  return latin1Decode(bytes, 0, bytes.length, 0xff);
}

export const constants = Object.freeze({ MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength });

defineBuiltin("buffer", () => {
  const exports = {
    Buffer,
    SlowBuffer,
    transcode,
    isUtf8,
    isAscii,
    kMaxLength,
    kStringMaxLength,
    btoa: globalThis.btoa ?? btoa,
    atob: globalThis.atob ?? atob,
    constants,
    INSPECT_MAX_BYTES,
    resolveObjectURL: () => undefined,
  };
  if (typeof globalThis.Blob === "function") exports.Blob = globalThis.Blob;
  if (typeof globalThis.File === "function") exports.File = globalThis.File;
  return exports;
});
