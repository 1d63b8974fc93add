// node:net, node:tls and node:dgram -- address helpers and constants work; sockets and servers
// throw (fnhost jobs do network I/O through fetch() and the engine's HTTP bridge).
import { unsupportedClass, unsupportedFn } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/node/events.js";
import { Duplex } from "ext:fnhost/node/stream.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const NET_HINT = "raw sockets are not available to jobs; use fetch() or an OpenFn adaptor";

const v4Seg = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const v4Str = `(?:${v4Seg}\\.){3}${v4Seg}`;
const IPv4Reg = new RegExp(`^${v4Str}$`);
const v6Seg = "(?:[0-9a-fA-F]{1,4})";
const IPv6Reg = new RegExp("^(?:" +
  `(?:${v6Seg}:){7}(?:${v6Seg}|:)|` +
  `(?:${v6Seg}:){6}(?:${v4Str}|:${v6Seg}|:)|` +
  `(?:${v6Seg}:){5}(?::${v4Str}|(?::${v6Seg}){1,2}|:)|` +
  `(?:${v6Seg}:){4}(?:(?::${v6Seg}){0,1}:${v4Str}|(?::${v6Seg}){1,3}|:)|` +
  `(?:${v6Seg}:){3}(?:(?::${v6Seg}){0,2}:${v4Str}|(?::${v6Seg}){1,4}|:)|` +
  `(?:${v6Seg}:){2}(?:(?::${v6Seg}){0,3}:${v4Str}|(?::${v6Seg}){1,5}|:)|` +
  `(?:${v6Seg}:){1}(?:(?::${v6Seg}){0,4}:${v4Str}|(?::${v6Seg}){1,6}|:)|` +
  `(?::(?:(?::${v6Seg}){0,5}:${v4Str}|(?::${v6Seg}){1,7}|:))` +
  ")(?:%[0-9a-zA-Z-.:]{1,})?$");

export const isIPv4 = (s) => IPv4Reg.test(`${s}`);
export const isIPv6 = (s) => IPv6Reg.test(`${s}`);
export const isIP = (s) => (isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0);

class BlockList {
  constructor() {
    this.rules = [];
  }
  addAddress(address, type = "ipv4") {
    this.rules.push({ address, type });
  }
  addRange() {}
  addSubnet() {}
  check(address) {
    return this.rules.some((r) => r.address === address);
  }
}

class SocketAddress {
  constructor(options = {}) {
    this.address = options.address ?? (options.family === "ipv6" ? "::" : "127.0.0.1");
    this.port = options.port ?? 0;
    this.family = options.family ?? "ipv4";
    this.flowlabel = options.flowlabel ?? 0;
  }
}

defineBuiltin("net", () => ({
  isIP,
  isIPv4,
  isIPv6,
  BlockList,
  SocketAddress,
  Socket: unsupportedClass("net", "Socket", NET_HINT, Duplex),
  Stream: unsupportedClass("net", "Stream", NET_HINT, Duplex),
  Server: unsupportedClass("net", "Server", NET_HINT, EventEmitter),
  connect: unsupportedFn("net", "connect", NET_HINT),
  createConnection: unsupportedFn("net", "createConnection", NET_HINT),
  createServer: unsupportedFn("net", "createServer", NET_HINT),
  getDefaultAutoSelectFamily: () => true,
  setDefaultAutoSelectFamily() {},
  getDefaultAutoSelectFamilyAttemptTimeout: () => 250,
  setDefaultAutoSelectFamilyAttemptTimeout() {},
}));

const TLS_HINT = "TLS connections are made by the engine's HTTP bridge; use fetch() or an OpenFn adaptor";

const CIPHERS = [
  "aes128-gcm-sha256", "aes128-sha", "aes128-sha256", "aes256-gcm-sha384", "aes256-sha", "aes256-sha256",
  "ecdhe-ecdsa-aes128-gcm-sha256", "ecdhe-ecdsa-aes256-gcm-sha384", "ecdhe-ecdsa-chacha20-poly1305",
  "ecdhe-rsa-aes128-gcm-sha256", "ecdhe-rsa-aes256-gcm-sha384", "ecdhe-rsa-chacha20-poly1305",
  "tls_aes_128_gcm_sha256", "tls_aes_256_gcm_sha384", "tls_chacha20_poly1305_sha256",
];

function checkServerIdentity(hostname, cert) {
  const names = [];
  const alt = cert?.subjectaltname;
  if (alt) for (const part of alt.split(/,\s*/)) if (part.startsWith("DNS:")) names.push(part.slice(4).toLowerCase());
  if (!names.length && cert?.subject?.CN) names.push(String(cert.subject.CN).toLowerCase());
  const host = `${hostname}`.toLowerCase();
  const ok = names.some((n) => n === host || (n.startsWith("*.") && host.endsWith(n.slice(1)) && !host.slice(0, -n.length + 1).includes(".")));
  if (ok) return undefined;
  const err = new Error(`Hostname/IP does not match certificate's altnames: Host: ${hostname}. is not in the cert's altnames: ${alt ?? ""}`);
  err.code = "ERR_TLS_CERT_ALTNAME_INVALID";
  err.reason = `Host: ${hostname}. is not in the cert's altnames: ${alt ?? ""}`;
  err.host = hostname;
  err.cert = cert;
  return err;
}

defineBuiltin("tls", () => ({
  CLIENT_RENEG_LIMIT: 3,
  CLIENT_RENEG_WINDOW: 600,
  DEFAULT_CIPHERS: "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256",
  DEFAULT_ECDH_CURVE: "auto",
  DEFAULT_MIN_VERSION: "TLSv1.2",
  DEFAULT_MAX_VERSION: "TLSv1.3",
  rootCertificates: Object.freeze([]),
  getCiphers: () => CIPHERS.slice(),
  checkServerIdentity,
  TLSSocket: unsupportedClass("tls", "TLSSocket", TLS_HINT, Duplex),
  Server: unsupportedClass("tls", "Server", TLS_HINT, EventEmitter),
  SecureContext: unsupportedClass("tls", "SecureContext", TLS_HINT),
  connect: unsupportedFn("tls", "connect", TLS_HINT),
  createServer: unsupportedFn("tls", "createServer", TLS_HINT),
  createSecureContext: unsupportedFn("tls", "createSecureContext", TLS_HINT),
  createSecurePair: unsupportedFn("tls", "createSecurePair", TLS_HINT),
  convertALPNProtocols: unsupportedFn("tls", "convertALPNProtocols", TLS_HINT),
  getCACertificates: () => [],
}));

defineBuiltin("dgram", () => ({
  Socket: unsupportedClass("dgram", "Socket", "UDP sockets are not available to jobs", EventEmitter),
  createSocket: unsupportedFn("dgram", "createSocket", "UDP sockets are not available to jobs"),
}));
