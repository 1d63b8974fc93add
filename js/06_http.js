// HTTP for bridge modules (adaptors/undici) and global fetch: thin wrappers over the Rust ops
// that turn op failures ("CODE: message") into errors with Node/undici `code`s.
import { op_http_body_close, op_http_body_read, op_http_fetch } from "ext:core/ops";

function withCode(e) {
  const text = String(e?.message ?? e);
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(text);
  const err = new Error(m ? m[2] : text);
  if (m) err.code = m[1];
  return err;
}

/** Sends a request (see src/ops/http.rs for the fields); resolves with the response head. */
async function fetchHead(request, body) {
  try {
    return await op_http_fetch(request, body ?? null);
  } catch (e) {
    throw withCode(e);
  }
}

/** Next body chunk (Uint8Array) or null at the end. */
async function readChunk(rid) {
  try {
    return await op_http_body_read(rid);
  } catch (e) {
    throw withCode(e);
  }
}

/** The API bridge modules reach through `globalThis.__fnhostHttp`. */
export const http = Object.freeze({
  fetch: fetchHead,
  read: readChunk,
  close: (rid) => op_http_body_close(rid),
});

Object.defineProperty(globalThis, "__fnhostHttp", { value: http, enumerable: false, configurable: false, writable: false });
