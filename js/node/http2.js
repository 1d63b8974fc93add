// node:http2 -- constants and settings helpers; sessions and servers throw.
import { unsupportedClass, unsupportedFn } from "ext:fnhost/node/_internal.js";
import { http2Constants } from "ext:fnhost/node/_constants.js";
const HTTP_HINT = "use fetch(), node:http or an OpenFn adaptor such as @openfn/language-http";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const defaultSettings = {
  headerTableSize: 4096, enablePush: true, initialWindowSize: 65535, maxFrameSize: 16384,
  maxConcurrentStreams: 4294967295, maxHeaderListSize: 65535, maxHeaderSize: 65535, enableConnectProtocol: false,
};

defineBuiltin("http2", () => ({
  constants: { ...http2Constants },
  sensitiveHeaders: Symbol("nodejs.http2.sensitiveHeaders"),
  getDefaultSettings: () => ({ ...defaultSettings }),
  getPackedSettings: () => globalThis.Buffer.alloc(0),
  getUnpackedSettings: () => ({}),
  connect: unsupportedFn("http2", "connect", HTTP_HINT),
  createServer: unsupportedFn("http2", "createServer", "jobs cannot listen for connections"),
  createSecureServer: unsupportedFn("http2", "createSecureServer", "jobs cannot listen for connections"),
  Http2ServerRequest: unsupportedClass("http2", "Http2ServerRequest", HTTP_HINT, EventEmitter),
  Http2ServerResponse: unsupportedClass("http2", "Http2ServerResponse", HTTP_HINT, EventEmitter),
  performServerHandshake: unsupportedFn("http2", "performServerHandshake", HTTP_HINT),
}));
