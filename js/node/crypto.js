// node:crypto -- fnhost's own half: hashes, HMAC, PBKDF2, random bytes/UUIDs, timingSafeEqual
// and the constants, on fnhost's Rust ops (js/07_crypto.js registers them with
// `registerCryptoBackend`); everything else (signing, keys, ciphers, scrypt, hkdf, DH, X509) is
// Deno's node:crypto, reached through `denoCrypto()`. Why not Deno's module whole: it creates a
// cppgc object when it loads, so it cannot live in the startup snapshot, and loading it costs a
// run ~50 ms; most adaptors only hash or make UUIDs (often at load time), which this half does
// from the snapshot at no cost.
import {
  invalidArgType, isAnyArrayBuffer, isUint8Array, nodeError, notSupported, typedArrayName, unsupportedFn,
} from "ext:fnhost/node/_internal.js";
import { cryptoConstants } from "ext:fnhost/node/_constants.js";
import { Buffer, Transform } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";
import { denoCrypto } from "ext:fnhost/10_node.js";

let backend = null;

/** Engine seam: `{ hash(alg, bytes) -> Uint8Array, hmac(alg, key, bytes) -> Uint8Array,
 * randomFill(u8), pbkdf2(password, salt, iterations, keylen, digest) -> Uint8Array }`. */
export function registerCryptoBackend(impl) {
  backend = impl;
}

const HINT = "hashing needs the engine's crypto ops, which this build does not have";
const HASHES = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512-256", "RSA-MD5", "RSA-SHA1", "RSA-SHA256", "RSA-SHA512"];

function toBytes(data, encoding, name = "data") {
  if (typeof data === "string") return Buffer.from(data, encoding);
  if (isUint8Array(data)) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (isAnyArrayBuffer(data)) return new Uint8Array(data);
  throw invalidArgType(name, ["string", "Buffer", "TypedArray", "DataView"], data);
}

function concat(parts) {
  return Buffer.concat(parts.map((p) => (p instanceof Buffer ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

function encodeOut(bytes, encoding) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding && encoding !== "buffer" ? buf.toString(encoding) : buf;
}

class Hash extends Transform {
  constructor(algorithm, options, compute) {
    if (typeof algorithm !== "string") throw invalidArgType("algorithm", "string", algorithm);
    if (!backend || typeof backend.hash !== "function") throw notSupported("crypto", "createHash", HINT);
    super(options);
    this._algorithm = algorithm;
    this._parts = [];
    this._done = false;
    this._flushed = null;
    this._compute = compute ?? ((bytes) => backend.hash(algorithm, bytes));
  }
  update(data, encoding) {
    if (this._done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    this._parts.push(toBytes(data, encoding));
    return this;
  }
  digest(encoding) {
    if (this._done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    this._done = true;
    return encodeOut(this._flushed ?? this._compute(concat(this._parts)), encoding);
  }
  copy() {
    const h = new this.constructor(this._algorithm);
    h._parts = this._parts.slice();
    h._compute = this._compute;
    return h;
  }
  _transform(chunk, encoding, cb) {
    this.update(chunk, encoding);
    cb();
  }
  // As in Node, the stream's end computes the digest without finalizing the Hash: one
  // `digest()` after `pipeline(source, hash)` or on 'finish' still answers (the same bytes).
  _flush(cb) {
    this._flushed = this._compute(concat(this._parts));
    this.push(encodeOut(this._flushed));
    cb();
  }
}

class Hmac extends Hash {
  constructor(algorithm, key, options) {
    if (!backend || typeof backend.hmac !== "function") throw notSupported("crypto", "createHmac", HINT);
    const keyBytes = toBytes(key?.export ? key.export() : key, undefined, "key");
    super(algorithm, options, (bytes) => backend.hmac(algorithm, keyBytes, bytes));
  }
}

function fillRandom(target) {
  // a view of this realm: typed arrays from the job realm fail `instanceof` checks elsewhere
  const u8 = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  if (globalThis.crypto?.getRandomValues) {
    for (let i = 0; i < u8.length; i += 65536) globalThis.crypto.getRandomValues(u8.subarray(i, Math.min(u8.length, i + 65536)));
    return target;
  }
  if (backend?.randomFill) {
    backend.randomFill(u8);
    return target;
  }
  throw notSupported("crypto", "randomBytes", "secure random numbers need the engine's crypto ops, which this build does not have");
}

function randomBytes(size, callback) {
  if (typeof size !== "number" || size < 0 || !Number.isInteger(size)) throw invalidArgType("size", "number", size);
  const buf = Buffer.alloc(size);
  fillRandom(buf);
  if (typeof callback === "function") {
    queueMicrotask(() => callback(null, buf));
    return undefined;
  }
  return buf;
}

function randomUUID() {
  const b = fillRandom(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Buffer.from(b).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function randomInt(min, max, callback) {
  if (typeof max !== "number" || typeof max === "function") {
    callback = max;
    max = min;
    min = 0;
  }
  if (!Number.isSafeInteger(min)) throw invalidArgType("min", "a safe integer", min);
  if (!Number.isSafeInteger(max)) throw invalidArgType("max", "a safe integer", max);
  if (max <= min) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "max" is out of range. It must be greater than the value of "min" (${min}). Received ${max}`);
  const range = max - min;
  const limit = 2 ** 48 - (2 ** 48 % range);
  let x;
  do {
    const b = fillRandom(new Uint8Array(6));
    x = b.reduce((acc, v) => acc * 256 + v, 0);
  } while (x >= limit);
  const n = min + (x % range);
  if (typeof callback === "function") {
    queueMicrotask(() => callback(null, n));
    return undefined;
  }
  return n;
}

function timingSafeEqual(a, b) {
  const x = toBytes(a, undefined, "buf1");
  const y = toBytes(b, undefined, "buf2");
  if (x.byteLength !== y.byteLength) {
    throw nodeError(RangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length");
  }
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  if (!backend || typeof backend.pbkdf2 !== "function") throw notSupported("crypto", "pbkdf2Sync", HINT);
  return encodeOut(backend.pbkdf2(toBytes(password, undefined, "password"), toBytes(salt, undefined, "salt"), iterations, keylen, digest), undefined);
}

/** Web Crypto stand-in while the engine has no global `crypto`: present (packages read
 * `crypto.webcrypto.subtle` at load time), failing clearly when used. */
function fallbackWebCrypto() {
  const subtle = {};
  for (const name of ["decrypt", "deriveBits", "deriveKey", "digest", "encrypt", "exportKey", "generateKey", "importKey", "sign", "unwrapKey", "verify", "wrapKey"]) {
    subtle[name] = () => Promise.reject(notSupported("crypto.subtle", name, "Web Crypto needs the engine's crypto ops, which this build does not have"));
  }
  return {
    subtle,
    getRandomValues(arr) {
      if (!ArrayBuffer.isView(arr)) throw invalidArgType("typedArray", "TypedArray", arr);
      fillRandom(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
      return arr;
    },
    randomUUID,
  };
}

defineBuiltin("crypto", () => {
  const crypto = {
    constants: { ...cryptoConstants },
    createHash: (algorithm, options) => new Hash(algorithm, options),
    createHmac: (algorithm, key, options) => new Hmac(algorithm, key, options),
    hash: (algorithm, data, outputEncoding = "hex") => new Hash(algorithm).update(data).digest(outputEncoding),
    Hash,
    Hmac,
    getHashes: () => HASHES.slice(),
    getCiphers: () => [],
    getCurves: () => [],
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFillSync: (buf, offset = 0, size) => {
      const view = toBytes(buf, undefined, "buf");
      fillRandom(view.subarray(offset, size === undefined ? undefined : offset + size));
      return buf;
    },
    randomFill: (buf, offset, size, callback) => {
      if (typeof offset === "function") {
        callback = offset;
        offset = 0;
      } else if (typeof size === "function") {
        callback = size;
        size = undefined;
      }
      const view = toBytes(buf, undefined, "buf");
      fillRandom(view.subarray(offset ?? 0, size === undefined ? undefined : (offset ?? 0) + size));
      queueMicrotask(() => callback(null, buf));
    },
    randomUUID,
    randomInt,
    timingSafeEqual,
    pbkdf2Sync,
    pbkdf2: (password, salt, iterations, keylen, digest, callback) => {
      let result;
      let error = null;
      try {
        result = pbkdf2Sync(password, salt, iterations, keylen, digest);
      } catch (err) {
        error = err;
      }
      queueMicrotask(() => callback(error, result));
    },
    getFips: () => 0,
    setFips() {},
    secureHeapUsed: () => ({ total: 0, min: 0, used: 0, utilization: 0 }),
  };
  // Signing, ciphers, keys, key agreement and scrypt come from Deno's node:crypto
  // (js/10_node.js), loaded on the first call: it cannot live in the snapshot.
  for (const name of ["createCipheriv", "createDecipheriv", "createSign", "createVerify", "createECDH", "createDiffieHellman", "createDiffieHellmanGroup", "getDiffieHellman", "generateKeyPair", "generateKeyPairSync", "generateKey", "generateKeySync", "generatePrime", "generatePrimeSync", "checkPrime", "checkPrimeSync", "createPrivateKey", "createPublicKey", "createSecretKey", "publicEncrypt", "privateDecrypt", "privateEncrypt", "publicDecrypt", "sign", "verify", "scrypt", "scryptSync", "hkdf", "hkdfSync", "diffieHellman", "getCipherInfo", "getCiphers", "getCurves"]) {
    crypto[name] = { [name](...args) { return denoCrypto()[name](...args); } }[name];
  }
  for (const name of ["Certificate", "Cipheriv", "Decipheriv", "DiffieHellman", "DiffieHellmanGroup", "ECDH", "Sign", "Verify", "KeyObject", "X509Certificate"]) {
    const Delegate = { [name]: class {
      constructor(...args) {
        return new (denoCrypto()[name])(...args);
      }
      static [Symbol.hasInstance](value) {
        return value instanceof denoCrypto()[name];
      }
    } }[name];
    crypto[name] = Delegate;
  }
  crypto.Cipher = crypto.Cipheriv;
  crypto.Decipher = crypto.Decipheriv;
  crypto.setEngine = unsupportedFn("crypto", "setEngine", "crypto engines are not available in fnhost");
  crypto.webcrypto = globalThis.crypto ?? fallbackWebCrypto();
  crypto.subtle = crypto.webcrypto.subtle;
  crypto.getRandomValues = function getRandomValues(arr) {
    const kind = typedArrayName(arr);
    if (kind === undefined || kind.startsWith("Float")) throw invalidArgType("typedArray", ["Int8Array", "Int16Array", "Int32Array", "Uint8Array", "Uint16Array", "Uint32Array", "Uint8ClampedArray", "BigInt64Array", "BigUint64Array"], arr);
    return fillRandom(arr);
  };
  return crypto;
});
