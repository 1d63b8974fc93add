// Crypto on Rust ops: the backend of node:crypto (hashes, HMAC, PBKDF2, random bytes) and the
// global Web Crypto subset Node has everywhere: crypto.getRandomValues, randomUUID, subtle.digest.
import { op_crypto_hash, op_crypto_hmac, op_crypto_pbkdf2, op_crypto_random_fill } from "ext:core/ops";
import { registerCryptoBackend } from "ext:fnhost/node/crypto.js";
import { errorFromOp } from "ext:fnhost/03_errors.js";
import { core } from "ext:core/mod.js";

const u8 = (data) => (data instanceof Uint8Array ? data : ArrayBuffer.isView(data)
  ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  : new Uint8Array(data));


function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw errorFromOp(e);
  }
}

registerCryptoBackend({
  hash: (alg, bytes) => call(() => op_crypto_hash(alg, u8(bytes))),
  hmac: (alg, key, bytes) => call(() => op_crypto_hmac(alg, u8(key), u8(bytes))),
  pbkdf2: (password, salt, iterations, keylen, digest) =>
    call(() => op_crypto_pbkdf2(u8(password), u8(salt), iterations, keylen, digest)),
  randomFill: (target) => op_crypto_random_fill(u8(target)),
});

const INTEGER_ARRAYS = new Set(["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array"]);
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;

function getRandomValues(array) {
  // by internal slot, not instanceof: arrays from the job realm are accepted too
  const tag = ArrayBuffer.isView(array) ? typedArrayTag.call(array) : undefined;
  if (!INTEGER_ARRAYS.has(tag)) {
    const DOMException = globalThis.DOMException ?? Error;
    throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
  }
  if (array.byteLength > 65536) {
    const DOMException = globalThis.DOMException ?? Error;
    throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
  }
  op_crypto_random_fill(u8(array));
  return array;
}

function randomUUID() {
  const b = new Uint8Array(16);
  op_crypto_random_fill(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** deno_crypto's Web Crypto, loaded on first use at run time (its `SubtleCrypto` is a cppgc
 * object, which a snapshot cannot hold). */
let webCrypto;
const denoSubtle = () => (webCrypto ??= core.loadExtScript("ext:deno_crypto/00_crypto.js").crypto).subtle;

const subtle = {
  async digest(algorithm, data) {
    const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
    const out = call(() => op_crypto_hash(String(name), u8(data)));
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  },
};
// keys, signatures, ciphers and key derivation: deno_crypto's (SCRAM logins as `pg` does them,
// JWT libraries built on Web Crypto)
for (const name of ["decrypt", "deriveBits", "deriveKey", "encrypt", "exportKey", "generateKey", "importKey", "sign", "unwrapKey", "verify", "wrapKey"]) {
  subtle[name] = { [name](...args) { return denoSubtle()[name](...args); } }[name];
}

/** Installs the global `crypto` (Web Crypto subset). */
export function installCryptoGlobal() {
  const crypto = { getRandomValues, randomUUID, subtle };
  Object.defineProperty(globalThis, "crypto", { value: crypto, writable: true, configurable: true, enumerable: false });
}
