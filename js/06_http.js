// HTTP for bridge modules (adaptors/undici) and global fetch: thin wrappers over the Rust ops
// that turn op failures ("CODE: message") into errors with Node/undici `code`s.
import { op_http_body_close, op_http_body_read, op_http_fetch } from "ext:core/ops";
import { errorFromOp } from "ext:fnhost/03_errors.js";

/** errno of the system errors Node reports for sockets and name lookups. */
const ERRNO = { ECONNREFUSED: -111, ECONNRESET: -104, ENOTFOUND: -3008, EAI_AGAIN: -3001, ETIMEDOUT: -110 };

/** OpenSSL's verification failures, as Node reports them (the op sends Node's code and text). */
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * The error of a failed exchange. Socket, name-lookup and TLS failures become the errors Node's
 * network layer makes (`connect ECONNREFUSED 127.0.0.1:1` with `errno`/`code`/`syscall`/
 * `address`/`port`; `self-signed certificate` with `code`), made here as Node makes them in
 * `node:net`/`node:_tls_wrap`: their stack holds only this engine-internal frame, never the
 * library's frames (which is what lets OpenFn's runtime tell them from an adaptor's own errors).
 * Other failures (`UND_ERR_*`) become plain errors with a `code`, for the caller to wrap.
 */
function networkError(e, url) {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(String(e?.message ?? e));
  if (!m || (!(m[1] in ERRNO) && !TLS_CODES.has(m[1]))) return errorFromOp(e);
  const code = m[1];
  let host = "";
  let port = "";
  try {
    const u = new URL(url);
    host = u.hostname.replace(/^\[|\]$/g, "");
    port = u.port || (u.protocol === "https:" ? "443" : "80");
  } catch {
    // keep empty
  }
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  try {
    if (TLS_CODES.has(code)) {
      const err = new Error(m[2]);
      err.code = code;
      return err;
    }
    const lookup = code === "ENOTFOUND" || code === "EAI_AGAIN";
    const text = lookup ? `getaddrinfo ${code} ${host}` : code === "ECONNRESET" ? "read ECONNRESET" : `connect ${code} ${host}:${port}`;
    const err = new Error(text);
    err.errno = ERRNO[code];
    err.code = code;
    err.syscall = lookup ? "getaddrinfo" : code === "ECONNRESET" ? "read" : "connect";
    if (lookup) err.hostname = host;
    else if (code !== "ECONNRESET") {
      err.address = host;
      err.port = Number(port);
    }
    return err;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Sends a request (see src/ops/http.rs for the fields); resolves with the response head. */
async function fetchHead(request, body) {
  try {
    return await op_http_fetch(request, body ?? null);
  } catch (e) {
    throw networkError(e, request.url);
  }
}

/** Next body chunk (Uint8Array) or null at the end. */
async function readChunk(rid) {
  try {
    return await op_http_body_read(rid);
  } catch (e) {
    throw networkError(e, "");
  }
}

/** The API bridge modules reach through `globalThis.__fnhostHttp`. */
export const http = Object.freeze({
  fetch: fetchHead,
  read: readChunk,
  close: (rid) => op_http_body_close(rid),
});

Object.defineProperty(globalThis, "__fnhostHttp", { value: http, enumerable: false, configurable: false, writable: false });
