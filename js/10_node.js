// Node built-ins served by Deno's node extension (deno_node), registered with fnhost's require
// (js/04_require.js) under their Node names, and the pieces of them fnhost's own code uses
// (`EventEmitter`, `Buffer`, `Transform`, `inspect`/`format`).
//
// Which modules come from Deno: every one Deno implements over its permission-checked ops or in
// plain JavaScript (network, crypto's signing and ciphers, buffer, events, stream, util, url,
// path, assert, zlib ...). What `require(name)` returns is what Deno's own require returns for
// that name (deno_node's polyfills/01_require.js), so a package sees the same object in fnhost
// as under Deno. fnhost keeps its own modules only where fnhost's design differs (js/node/):
// `process` and `os` (a run sees no host identity or environment), `fs` (reads only inside the
// run's grants), `console` (the job log), `timers` (tied to the run's lifetime), `vm` (OpenFn's
// realm split), `crypto` (hashes on fnhost's Rust ops; the rest delegated to Deno's, below) and
// the refusals (`child_process`, `worker_threads`, `http2`, `dgram`, ...).
//
// The modules most runs touch are imported statically so that the snapshot holds them
// evaluated: a run that uses them pays nothing to load them, and none is loaded through
// `createLazyLoader` while the snapshot is made (deno_core 0.413 then keeps no source for it).
// The rest load on first `require`, at run time (`loadExtScript`). `node:crypto` cannot be in a
// snapshot (it creates a cppgc object), so it loads on first use too.
import "ext:fnhost/09_node_host.js";
import { core } from "ext:core/mod.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";
import { web } from "ext:fnhost/02_web.js";
// order matters: each line only needs the ones above it evaluated
import "node:process";
import bufferModule from "node:buffer";
import events from "node:events";
import stream from "node:stream";
import streamPromises from "node:stream/promises";
import "node:timers";
import path from "node:path";
import pathPosix from "node:path/posix";
import pathWin32 from "node:path/win32";
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
import assertStrict from "node:assert/strict";

const script = (specifier) => core.loadExtScript(`ext:deno_node/${specifier}`);

const util = script("util.ts");
// Node's `require("url").URL` is the global URL (fnhost's, with Node's error codes)
const url = { ...script("url.ts"), URL: web.URL, URLSearchParams: web.URLSearchParams };
const inspectModule = script("internal/util/inspect.mjs");
const stringDecoder = script("string_decoder.ts").default;
const querystring = script("querystring.js").default;
const assert = script("assert.ts").default;

/** Node's `Buffer` (the global and `require("buffer").Buffer`). */
export const Buffer = bufferModule.Buffer;
/** Node's `EventEmitter`, for fnhost's own modules that emit events. */
export const EventEmitter = events.EventEmitter;
/** Node's `stream.Transform`, for fnhost's hashes. */
export const Transform = stream.Transform;
/** Node's `util.inspect`, `util.format` and `util.formatWithOptions` (the job log formats with them). */
export const { inspect, format, formatWithOptions } = inspectModule;

const eager = {
  buffer: bufferModule,
  events,
  stream,
  "stream/promises": streamPromises,
  path,
  "path/posix": pathPosix,
  "path/win32": pathWin32,
  http,
  https,
  net,
  tls,
  dns,
  "dns/promises": dnsPromises,
  util,
  sys: util,
  url,
  string_decoder: stringDecoder,
  querystring,
  assert,
  "assert/strict": assertStrict,
};
for (const [name, exports] of Object.entries(eager)) defineBuiltin(name, () => exports);

const lazy = {
  "util/types": () => script("internal/util/types.ts"),
  "stream/web": () => script("stream/web.js"),
  "stream/consumers": () => script("stream/consumers.js"),
  zlib: () => script("zlib.js"),
  punycode: () => script("punycode.ts").default,
  diagnostics_channel: () => script("diagnostics_channel.js").default,
  async_hooks: () => script("async_hooks.ts").default,
  perf_hooks: () => script("perf_hooks.js").default,
};
for (const [name, load] of Object.entries(lazy)) defineBuiltin(name, load);

let nodeCrypto;
/** Deno's `node:crypto`, loaded when a run first needs what fnhost's crypto lacks. */
export function denoCrypto() {
  nodeCrypto ??= core.createLazyLoader("node:crypto")().default;
  return nodeCrypto;
}
