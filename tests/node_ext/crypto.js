// node:crypto's signing, keys, ciphers and scrypt (Deno's node:crypto behind fnhost's module).
// state.configuration: { rs256, es256 } (PEM private keys, tests/node_ext/*.pem). Every value
// is deterministic, so crypto.expected.json is what Node computes from the same inputs.
import crypto from "node:crypto";
import { createSign, createVerify, scryptSync } from "node:crypto";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

export default [
  (state) => {
    const { rs256, es256 } = state.configuration;
    const data = {};
    // an RS256 JWT as a Google service-account login signs it
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
    const claims = b64url(JSON.stringify({ iss: "svc@example.iam", scope: "x", aud: "https://oauth2.example/token", iat: 1700000000, exp: 1700003600 }));
    const signer = createSign("RSA-SHA256");
    signer.update(`${header}.${claims}`);
    const signature = signer.sign(rs256, "base64url");
    data.jwt = `${header}.${claims}.${signature}`;
    const key = crypto.createPrivateKey(rs256);
    const pub = crypto.createPublicKey(key);
    data.verify = createVerify("RSA-SHA256").update(`${header}.${claims}`).verify(pub, signature, "base64url");
    data.key = [key.type, key.asymmetricKeyType, key.asymmetricKeyDetails.modulusLength, pub.type];
    data.oneShot = crypto.sign("sha256", Buffer.from("data"), rs256).toString("base64");
    // ES256 signatures are random: verify them instead
    const ecSig = crypto.sign("sha256", Buffer.from("payload"), { key: es256, dsaEncoding: "ieee-p1363" });
    data.es256 = [ecSig.length, crypto.verify("sha256", Buffer.from("payload"), { key: crypto.createPublicKey(es256), dsaEncoding: "ieee-p1363" }, ecSig)];
    // AES-256-GCM and AES-256-CBC with fixed keys and IVs
    const aesKey = Buffer.alloc(32, 7);
    const gcm = crypto.createCipheriv("aes-256-gcm", aesKey, Buffer.alloc(12, 1));
    const sealed = Buffer.concat([gcm.update("secret message", "utf8"), gcm.final()]);
    const tag = gcm.getAuthTag();
    const open = crypto.createDecipheriv("aes-256-gcm", aesKey, Buffer.alloc(12, 1));
    open.setAuthTag(tag);
    data.gcm = [sealed.toString("hex"), tag.toString("hex"), Buffer.concat([open.update(sealed), open.final()]).toString("utf8")];
    const cbc = crypto.createCipheriv("aes-256-cbc", aesKey, Buffer.alloc(16, 2));
    data.cbc = Buffer.concat([cbc.update("block cipher text", "utf8"), cbc.final()]).toString("base64");
    data.scrypt = scryptSync("password", "salt", 32, { N: 1024, r: 8, p: 1 }).toString("hex");
    data.hkdf = Buffer.from(crypto.hkdfSync("sha256", "key", "salt", "info", 16)).toString("hex");
    data.hash = crypto.createHash("sha256").update("abc").digest("hex");
    data.ciphers = ["aes-256-gcm", "aes-128-cbc"].map((c) => crypto.getCiphers().includes(c));
    data.tamper = (() => {
      const d = crypto.createDecipheriv("aes-256-gcm", aesKey, Buffer.alloc(12, 1));
      d.setAuthTag(Buffer.alloc(16));
      d.update(sealed);
      try {
        d.final();
        return "no error";
      } catch (e) {
        return e.message;
      }
    })();
    return { ...state, data };
  },
];
