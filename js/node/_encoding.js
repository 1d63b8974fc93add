// Minimal WHATWG TextEncoder/TextDecoder used when the engine has no web-platform globals yet
// (utf-8, utf-16le and latin1/windows-1252 as latin1; `stream`, `fatal`, `ignoreBOM`).
// The node modules always prefer `globalThis.TextEncoder/TextDecoder` when they exist.
import {
  invalidArgType, isAnyArrayBuffer, nodeError, utf8Decode, utf8Encode,
} from "ext:fnhost/node/_internal.js";

const LABELS = {
  "utf-8": "utf-8", utf8: "utf-8", "unicode-1-1-utf-8": "utf-8",
  "utf-16le": "utf-16le", "utf-16": "utf-16le", ucs2: "utf-16le",
  latin1: "windows-1252", "iso-8859-1": "windows-1252", "windows-1252": "windows-1252", ascii: "windows-1252", "us-ascii": "windows-1252",
};

export class TextEncoder {
  get encoding() {
    return "utf-8";
  }
  encode(input = "") {
    return utf8Encode(`${input}`);
  }
  encodeInto(src, dest) {
    const bytes = utf8Encode(`${src}`);
    let n = Math.min(bytes.length, dest.length);
    while (n > 0 && n < bytes.length && (bytes[n] & 0xc0) === 0x80) n--;
    dest.set(bytes.subarray(0, n));
    let read = 0;
    const text = utf8Decode(bytes, 0, n);
    read = text.length;
    return { read, written: n };
  }
}

/** Length of a trailing incomplete UTF-8 sequence in bytes (0 if complete). */
function incompleteUtf8Tail(bytes) {
  const len = bytes.length;
  for (let back = 1; back <= Math.min(3, len); back++) {
    const b = bytes[len - back];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

export class TextDecoder {
  #encoding;
  #fatal;
  #ignoreBOM;
  #pending = new Uint8Array(0);
  #bomSeen = false;
  constructor(label = "utf-8", options = {}) {
    const enc = LABELS[String(label).trim().toLowerCase()];
    if (!enc) throw nodeError(RangeError, "ERR_ENCODING_NOT_SUPPORTED", `The "${label}" encoding is not supported`);
    this.#encoding = enc;
    this.#fatal = Boolean(options?.fatal);
    this.#ignoreBOM = Boolean(options?.ignoreBOM);
  }
  get encoding() {
    return this.#encoding;
  }
  get fatal() {
    return this.#fatal;
  }
  get ignoreBOM() {
    return this.#ignoreBOM;
  }
  decode(input, options = {}) {
    let bytes;
    if (input === undefined) bytes = new Uint8Array(0);
    else if (isAnyArrayBuffer(input) || Object.prototype.toString.call(input) === "[object SharedArrayBuffer]") bytes = new Uint8Array(input);
    else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    else throw invalidArgType("input", ["ArrayBuffer", "ArrayBufferView"], input);
    const stream = Boolean(options?.stream);
    if (this.#pending.length) {
      const joined = new Uint8Array(this.#pending.length + bytes.length);
      joined.set(this.#pending);
      joined.set(bytes, this.#pending.length);
      bytes = joined;
      this.#pending = new Uint8Array(0);
    }
    let out;
    if (this.#encoding === "utf-8") {
      if (stream) {
        const tail = incompleteUtf8Tail(bytes);
        if (tail) {
          this.#pending = bytes.slice(bytes.length - tail);
          bytes = bytes.subarray(0, bytes.length - tail);
        }
      }
      out = utf8Decode(bytes);
      if (this.#fatal && out.includes("\ufffd")) {
        const again = utf8Encode(out);
        if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
          throw nodeError(TypeError, "ERR_ENCODING_INVALID_ENCODED_DATA", "The encoded data was not valid for encoding utf-8");
        }
      }
    } else if (this.#encoding === "utf-16le") {
      if (stream && bytes.length % 2) {
        this.#pending = bytes.slice(bytes.length - 1);
        bytes = bytes.subarray(0, bytes.length - 1);
      }
      out = "";
      for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
    } else {
      out = "";
      for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
    }
    if (!this.#ignoreBOM && !this.#bomSeen && out.length) {
      if (out.charCodeAt(0) === 0xfeff && this.#encoding !== "windows-1252") out = out.slice(1);
      this.#bomSeen = true;
    }
    if (!stream) this.#bomSeen = false;
    return out;
  }
}
