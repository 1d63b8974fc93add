// node:crypto on the engine's backend: hashes, HMAC, PBKDF2, random bytes, UUIDs, hash streams.
import crypto, { createHash, createHmac, randomBytes, randomUUID, randomInt, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import { Buffer } from "node:buffer";

export default [
  async (state) => {
    const input = "h\u00e9llo \ud83d\ude00";
    const hashes = {};
    for (const alg of ["md5", "sha1", "sha256", "sha512", "sha384", "sha224"]) {
      try {
        hashes[alg] = [createHash(alg).update(input).digest("hex"), createHash(alg).update(Buffer.from("ab")).update("cd").digest("base64")];
      } catch (e) {
        hashes[alg] = ["unsupported", e.code];
      }
    }
    const hmac = [createHmac("sha256", "key").update("data").digest("hex"), createHmac("sha1", Buffer.from("k")).update("d").digest("base64url")];
    const pbkdf2 = pbkdf2Sync("password", "salt", 1000, 32, "sha256").toString("hex");
    const viaPromise = await new Promise((resolve, reject) => crypto.pbkdf2("pw", "s", 10, 16, "sha512", (err, key) => (err ? reject(err) : resolve(key.toString("hex")))));
    const streamed = await new Promise((resolve) => {
      const h = createHash("sha256");
      h.on("readable", () => {
        const d = h.read();
        if (d) resolve(d.toString("hex"));
      });
      Readable.from([Buffer.from("stre"), Buffer.from("amed")]).pipe(h);
    });
    const digestTwice = (() => {
      const h = createHash("md5");
      h.digest();
      try {
        h.digest();
        return "no error";
      } catch (e) {
        return e.code;
      }
    })();
    const uuid = randomUUID();
    const bytes = randomBytes(16);
    const n = randomInt(10);
    return {
      ...state,
      data: {
        hashes, hmac, pbkdf2, viaPromise, streamed, digestTwice,
        shortcut: typeof crypto.hash === "function" ? crypto.hash("sha1", "abc") : createHash("sha1").update("abc").digest("hex"),
        random: [/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid), bytes.length, Buffer.isBuffer(bytes), n >= 0 && n < 10, Number.isInteger(n)],
        safeEqual: [timingSafeEqual(Buffer.from("abc"), Buffer.from("abc")), timingSafeEqual(Buffer.from("abc"), Buffer.from("abd"))],
        webcrypto: [typeof crypto.webcrypto.getRandomValues, typeof crypto.subtle.digest, crypto.getRandomValues(new Uint8Array(4)).length, (() => {
          const a = new Uint32Array(2);
          return crypto.getRandomValues(a) === a;
        })()],
        copy: (() => {
          const h = createHash("sha256").update("a");
          const c = h.copy();
          return [h.update("b").digest("hex"), c.digest("hex")];
        })(),
      },
    };
  },
];
