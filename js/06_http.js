// HTTP for bridge modules (adaptors/undici) and global fetch: thin wrappers over the Rust ops
// that turn op failures ("CODE: message") into errors with Node/undici `code`s.
import { op_http_body_close, op_http_body_read, op_http_fetch } from "ext:core/ops";
import { errorFromOp } from "ext:fnhost/03_errors.js";

/** Sends a request (see src/ops/http.rs for the fields); resolves with the response head. */
async function fetchHead(request, body) {
  try {
    return await op_http_fetch(request, body ?? null);
  } catch (e) {
    throw errorFromOp(e);
  }
}

/** Next body chunk (Uint8Array) or null at the end. */
async function readChunk(rid) {
  try {
    return await op_http_body_read(rid);
  } catch (e) {
    throw errorFromOp(e);
  }
}

/** The API bridge modules reach through `globalThis.__fnhostHttp`. */
export const http = Object.freeze({
  fetch: fetchHead,
  read: readChunk,
  close: (rid) => op_http_body_close(rid),
});

Object.defineProperty(globalThis, "__fnhostHttp", { value: http, enumerable: false, configurable: false, writable: false });
