// node:dgram -- UDP sockets are refused (node:net and node:tls come from Deno's node
// extension, js/10_node.js).
import { unsupportedClass, unsupportedFn } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

defineBuiltin("dgram", () => ({
  Socket: unsupportedClass("dgram", "Socket", "UDP sockets are not available to jobs", EventEmitter),
  createSocket: unsupportedFn("dgram", "createSocket", "UDP sockets are not available to jobs"),
}));
