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
// deno_core 0.413 loses the source of a lazily loaded ES module that is first evaluated through
// `createLazyLoader(...)()` while the snapshot is made (V8 then compiles its functions, at run
// time, from someone else's bytes: "SyntaxError: Unexpected identifier"). Deno's modules that
// the snapshot evaluates load these that way (`fs.ts` at its top level): importing them here
// first evaluates them as ordinary imports, whose sources the snapshot keeps. build.rs
// (`check_lazy_sources`) fails the build, naming the module, when one is missing here.
import "ext:deno_node/internal/fs/utils.mjs";
import "ext:deno_node/internal/fs/stat_utils.ts";
import "ext:deno_node/_fs/_fs_exists.ts";
import "ext:deno_node/_fs/_fs_copy.ts";
import "ext:deno_node/_fs/_fs_dir.ts";
import "ext:deno_node/_fs/_fs_glob.ts";
import "ext:deno_node/_fs/_fs_lutimes.ts";
import "ext:deno_node/_fs/_fs_read.ts";
import "ext:deno_node/_fs/_fs_readdir.ts";
import "ext:deno_node/internal/streams/fast-utf8-stream.js";
import "ext:deno_node/deps/minimatch.js";
import "ext:deno_node/internal/fs/handle.ts";
import "ext:deno_node/internal/fs/promises.ts";
import "ext:deno_node/internal/fs/streams.mjs";
import "node:readline/promises";
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

const script = (specifier) => core.loadExtScript(`ext:deno_node/${specifier}`);

const inspectModule = script("internal/util/inspect.mjs");
// node:process's per-run start (js/09_node_host.js) binds the console to its streams through
// this script: loaded here, every snapshot holds it evaluated instead of each run loading it
script("internal/console/constructor.mjs");

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
};
for (const [name, exports] of Object.entries(eager)) defineBuiltin(name, () => exports);

const lazy = {
  util: () => script("util.ts"),
  sys: () => script("util.ts"),
  // Node's `require("url").URL` is the global URL (fnhost's, with Node's error codes)
  url: () => ({ ...script("url.ts"), URL: web.URL, URLSearchParams: web.URLSearchParams }),
  string_decoder: () => script("string_decoder.ts").default,
  querystring: () => script("querystring.js").default,
  assert: () => script("assert.ts").default,
  "assert/strict": () => core.createLazyLoader("node:assert/strict")().default,
  fs: () => nodeFs(script("fs.ts")),
  "fs/promises": () => script("fs/promises.ts").fsPromises,
  "util/types": () => script("internal/util/types.ts"),
  "stream/web": () => script("stream/web.js"),
  "stream/consumers": () => script("stream/consumers.js"),
  zlib: () => script("zlib.js"),
  punycode: () => script("punycode.ts").default,
  diagnostics_channel: () => script("diagnostics_channel.js").default,
  async_hooks: () => script("async_hooks.ts").default,
  perf_hooks: () => script("perf_hooks.js").default,
  constants: () => script("constants.ts").default,
  domain: () => script("domain.ts").default,
  v8: () => script("v8.ts"),
  trace_events: () => script("trace_events.ts").default,
  readline: () => core.createLazyLoader("node:readline")().default,
  "readline/promises": () => core.createLazyLoader("node:readline/promises")().default,
};
for (const [name, load] of Object.entries(lazy)) defineBuiltin(name, load);

/** Deno's `fs` with Node's `existsSync`/`exists`: false, never an error, for a path the run
 * may not read (Deno's throw the permission refusal; packages probe paths at load time), and
 * Node's access constants at the top level (`fs.F_OK`..., which Deno's lacks). */
function nodeFs(fs) {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(fs));
  for (const name of ["F_OK", "R_OK", "W_OK", "X_OK"]) out[name] ??= fs.constants[name];
  out.existsSync = function existsSync(path) {
    try {
      return fs.existsSync(path);
    } catch {
      return false;
    }
  };
  out.exists = function exists(path, callback) {
    if (typeof callback !== "function") return fs.exists(path, callback);
    queueMicrotask(() => callback(out.existsSync(path)));
  };
  const promisified = { exists: (path) => Promise.resolve(out.existsSync(path)) }.exists;
  Object.defineProperty(out.exists, Symbol.for("nodejs.util.promisify.custom"), { value: promisified });
  return out;
}

let nodeCrypto;
/** Deno's `node:crypto`, loaded when a run first needs what fnhost's crypto lacks. */
export function denoCrypto() {
  nodeCrypto ??= core.createLazyLoader("node:crypto")().default;
  return nodeCrypto;
}
