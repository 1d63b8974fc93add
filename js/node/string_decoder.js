// node:string_decoder -- decodes a stream of byte chunks without splitting characters.
import { decodeBytes, normalizeEncoding } from "ext:fnhost/node/buffer.js";
import {
  invalidArgType, isUint8Array, nodeError,
} from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

function toBytes(buf) {
  if (typeof buf === "string") return buf;
  if (isUint8Array(buf)) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  throw invalidArgType("buf", ["Buffer", "TypedArray", "DataView"], buf);
}

function concat(a, b) {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Number of bytes at the end of `bytes` that start an unfinished UTF-8 character. */
function utf8Incomplete(bytes) {
  const len = bytes.length;
  for (let back = 1; back <= Math.min(3, len); back++) {
    const b = bytes[len - back];
    if ((b & 0xc0) === 0x80) continue;
    let need = 0;
    if ((b & 0xe0) === 0xc0) need = 2;
    else if ((b & 0xf0) === 0xe0) need = 3;
    else if ((b & 0xf8) === 0xf0) need = 4;
    return need > back ? back : 0;
  }
  return 0;
}

export function StringDecoder(encoding) {
  const enc = normalizeEncoding(encoding);
  if (enc === undefined) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${encoding}`);
  this.encoding = enc;
  this._pending = new Uint8Array(0);
}

Object.defineProperty(StringDecoder.prototype, "lastNeed", {
  get() {
    const p = this._pending;
    if (p.length === 0) return 0;
    if (this.encoding === "utf8") {
      const b = p[0];
      const total = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : 4;
      return total - p.length;
    }
    if (this.encoding === "utf16le") return p.length % 2 ? 1 : 2;
    if (this.encoding === "base64" || this.encoding === "base64url") return 3 - p.length;
    return 0;
  },
  configurable: true,
});
Object.defineProperty(StringDecoder.prototype, "lastChar", {
  get() {
    const out = globalThis.Buffer.alloc(4);
    out.set(this._pending.subarray(0, 4));
    return out;
  },
  configurable: true,
});
Object.defineProperty(StringDecoder.prototype, "lastTotal", {
  get() {
    return this._pending.length + this.lastNeed;
  },
  configurable: true,
});

StringDecoder.prototype.write = function write(buf) {
  const input = toBytes(buf);
  if (typeof input === "string") return input;
  if (input.length === 0 && this._pending.length === 0) return "";
  let prefix = "";
  let data = input;
  if (this.encoding === "utf16le" && this._pending.length === 1 && data.length > 0) {
    // completing a split code unit emits it at once (even a lone high surrogate), as Node does
    prefix = String.fromCharCode(this._pending[0] | (data[0] << 8));
    this._pending = new Uint8Array(0);
    data = data.subarray(1);
  }
  let bytes = concat(this._pending, data);
  this._pending = new Uint8Array(0);
  let hold = 0;
  switch (this.encoding) {
    case "utf8":
      hold = utf8Incomplete(bytes);
      break;
    case "utf16le": {
      hold = bytes.length % 2;
      const end = bytes.length - hold;
      if (end >= 2) {
        const unit = bytes[end - 2] | (bytes[end - 1] << 8);
        if (unit >= 0xd800 && unit <= 0xdbff) hold += 2;
      }
      break;
    }
    case "base64":
    case "base64url":
      hold = bytes.length % 3;
      break;
  }
  if (hold) {
    this._pending = bytes.slice(bytes.length - hold);
    bytes = bytes.subarray(0, bytes.length - hold);
  }
  return prefix + decodeBytes(bytes, this.encoding, 0, bytes.length);
};

StringDecoder.prototype.end = function end(buf) {
  let out = buf !== undefined && buf !== null ? this.write(buf) : "";
  const rest = this._pending;
  this._pending = new Uint8Array(0);
  if (rest.length) {
    if (this.encoding === "utf8") out += "\ufffd";
    else if (this.encoding === "utf16le") out += decodeBytes(rest, "utf16le", 0, rest.length - (rest.length % 2));
    else out += decodeBytes(rest, this.encoding, 0, rest.length);
  }
  return out;
};

StringDecoder.prototype.text = function text(buf, offset) {
  return this.write(buf.subarray(offset));
};

defineBuiltin("string_decoder", () => ({ StringDecoder }));
