// Node built-ins served by Deno's node extension (deno_node), registered with fnhost's require
// (js/04_require.js) under their Node names.
//
// Which ones: the network modules: `http`, `https`, `net`, `tls`, `dns` (real sockets and TLS
// over deno_net/deno_tls, every connection checked against the run's network rules): and the
// half of `crypto` fnhost's own module lacks (signing, ciphers, keys, scrypt; see
// js/node/crypto.js). The other built-ins are still fnhost's own (js/node/).
//
// The modules are imported statically so that the snapshot holds them evaluated: a run that uses
// them pays nothing to load them, and none is loaded through `createLazyLoader` while the
// snapshot is made (deno_core 0.413 then keeps no source for it). `node:crypto` cannot be in a
// snapshot (it creates a cppgc object), so it loads on first use, at run time.
import "ext:fnhost/09_node_host.js";
import { core } from "ext:core/mod.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";
// order matters: each line only needs the ones above it evaluated
import "node:process";
import "node:buffer";
import "node:events";
import "node:stream";
import "node:stream/promises";
import "node:timers";
import "node:path";
import dns from "node:dns";
import dnsPromises from "node:dns/promises";
import net from "node:net";
import tls from "node:tls";
import "node:_http_agent";
import "node:_http_common";
import "node:_http_outgoing";
import "node:_http_incoming";
import "node:_http_client";
import "node:_http_server";
import "node:_http_proxy";
import http from "node:http";
import https from "node:https";

defineBuiltin("http", () => http);
defineBuiltin("https", () => https);
defineBuiltin("net", () => net);
defineBuiltin("tls", () => tls);
defineBuiltin("dns", () => dns);
defineBuiltin("dns/promises", () => dnsPromises);

let nodeCrypto;
/** Deno's `node:crypto`, loaded when a run first needs what fnhost's crypto lacks. */
export function denoCrypto() {
  nodeCrypto ??= core.createLazyLoader("node:crypto")().default;
  return nodeCrypto;
}
