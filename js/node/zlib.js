// node:zlib -- constants, crc32 and the full API shape. Compression itself runs on a backend
// the engine registers with `registerZlibBackend` (Rust ops, to come); until then every
// (de)compression call throws "zlib.<fn> is not supported in fnhost yet".
import {
  invalidArgType, isAnyArrayBuffer, isUint8Array, nextTick, notSupported,
} from "ext:fnhost/node/_internal.js";
import { zlibCodes, zlibConstants } from "ext:fnhost/node/_constants.js";
import { Buffer } from "ext:fnhost/node/buffer.js";
import { Transform } from "ext:fnhost/node/stream.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

let backend = null;

/** Engine seam: `impl[kind](bytes: Uint8Array, options) -> Uint8Array` for kind in
 * deflate, inflate, deflateRaw, inflateRaw, gzip, gunzip, unzip, brotliCompress,
 * brotliDecompress (all synchronous). */
export function registerZlibBackend(impl) {
  backend = impl;
}

const HINT = "compression needs the engine's zlib ops, which this build does not have";
const KINDS = ["deflate", "inflate", "deflateRaw", "inflateRaw", "gzip", "gunzip", "unzip", "brotliCompress", "brotliDecompress"];
const CLASS = { deflate: "Deflate", inflate: "Inflate", deflateRaw: "DeflateRaw", inflateRaw: "InflateRaw", gzip: "Gzip", gunzip: "Gunzip", unzip: "Unzip", brotliCompress: "BrotliCompress", brotliDecompress: "BrotliDecompress" };

function toBytes(input, name) {
  if (typeof input === "string") return Buffer.from(input);
  if (isUint8Array(input)) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (isAnyArrayBuffer(input)) return new Uint8Array(input);
  throw invalidArgType(name, ["string", "Buffer", "TypedArray", "DataView", "ArrayBuffer"], input);
}

function runSync(kind, input, options) {
  const bytes = toBytes(input, "buffer");
  if (!backend || typeof backend[kind] !== "function") throw notSupported("zlib", `${kind}Sync`, HINT);
  const out = backend[kind](bytes, options ?? {});
  const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  return options?.info ? { buffer: buf, engine: null } : buf;
}

function makeStreamClass(kind) {
  const name = CLASS[kind];
  const cls = {
    [name]: class extends Transform {
      constructor(options) {
        if (!backend || typeof backend[kind] !== "function") throw notSupported("zlib", `create${name}`, HINT);
        super(options);
        this._zlibOptions = options ?? {};
        this._chunks = [];
        this.bytesWritten = 0;
      }
      _transform(chunk, encoding, cb) {
        this._chunks.push(chunk);
        this.bytesWritten += chunk.length;
        cb();
      }
      _flush(cb) {
        try {
          cb(null, runSync(kind, Buffer.concat(this._chunks), this._zlibOptions));
        } catch (err) {
          cb(err);
        }
      }
      flush(kindArg, callback) {
        if (typeof kindArg === "function") callback = kindArg;
        if (typeof callback === "function") nextTick(callback);
      }
      params(level, strategy, callback) {
        if (typeof callback === "function") nextTick(callback);
      }
      reset() {}
      close(callback) {
        if (callback) this.once("close", callback);
        this.destroy();
      }
    },
  }[name];
  return cls;
}

export function crc32(data, value = 0) {
  const bytes = toBytes(data, "data");
  let crc = ~value >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

defineBuiltin("zlib", () => {
  const zlib = { constants: { ...zlibConstants }, codes: { ...zlibCodes }, crc32 };
  for (const [k, v] of Object.entries(zlibConstants)) if (!k.startsWith("BROTLI")) zlib[k] = v;
  for (const kind of KINDS) {
    const name = CLASS[kind];
    const Cls = makeStreamClass(kind);
    zlib[name] = Cls;
    zlib[`create${name}`] = (options) => new Cls(options);
    zlib[`${kind}Sync`] = (buffer, options) => runSync(kind, buffer, options);
    zlib[kind] = (buffer, options, callback) => {
      if (typeof options === "function") {
        callback = options;
        options = {};
      }
      if (typeof callback !== "function") throw invalidArgType("callback", "Function", callback);
      let result;
      let error = null;
      try {
        result = runSync(kind, buffer, options);
      } catch (err) {
        error = err;
      }
      nextTick(callback, error, result);
    };
  }
  return zlib;
});
