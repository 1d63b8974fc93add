// Network dispatchers (Client, Pool, Agent, ...) over the engine's Rust HTTP ops, reached
// through the hidden `globalThis.__fnhostHttp` ({ fetch, read, close }). Connection pooling,
// TLS and proxies live in Rust; these classes keep undici's API and handler protocol.
import { DispatcherBase, headerPairs, kClose, kDecompress, kDestroy, kDispatch, kRedirected, parseOrigin, serializePathWithQuery } from "./core.js";
import { InvalidArgumentError, NotSupportedError, RequestAbortedError, fromNetError } from "./errors.js";
import { extractBody } from "./fetch.js";
import { RedirectHandler, retry } from "./interceptors.js";

const kOptions = Symbol("fnhost.undici.options");
const kInflight = Symbol("fnhost.undici.inflight");
export const kClients = Symbol("fnhost.undici.clients");

function httpOps() {
  const http = globalThis.__fnhostHttp;
  if (!http || typeof http.fetch !== "function") {
    throw new NotSupportedError("HTTP requests need the engine's HTTP ops, which this build does not have");
  }
  return http;
}

/** TLS options from undici's `connect` option (what language-common passes as `tls`). */
function tlsOf(connect) {
  if (!connect || typeof connect !== "object") return undefined;
  const tls = {};
  const str = (v) => (v == null ? undefined : Array.isArray(v) ? v.map(String).join("\n") : String(v));
  if (connect.ca != null) tls.ca = str(connect.ca);
  if (connect.cert != null) tls.cert = str(connect.cert);
  if (connect.key != null) tls.key = str(connect.key);
  if (connect.rejectUnauthorized != null) tls.rejectUnauthorized = connect.rejectUnauthorized !== false;
  return Object.keys(tls).length ? tls : undefined;
}

const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** undici's checks of a request's headers (its `Request` constructor), with its errors. */
function checkHeaders(headers) {
  if (headers == null) return;
  let entries;
  if (Array.isArray(headers)) {
    entries = [];
    if (headers.length && Array.isArray(headers[0])) for (const [k, v] of headers) entries.push([k, v]);
    else for (let i = 0; i < headers.length; i += 2) entries.push([headers[i], headers[i + 1]]);
  } else if (typeof headers[Symbol.iterator] === "function") {
    entries = [...headers];
  } else {
    entries = Object.entries(headers);
  }
  let host = false;
  let length = false;
  for (const [rawKey, val] of entries) {
    const key = String(rawKey);
    if (val && typeof val === "object" && !Array.isArray(val)) throw new InvalidArgumentError(`invalid ${key} header`);
    if (val === undefined) continue;
    const name = key.toLowerCase();
    if (!TOKEN.test(name)) throw new InvalidArgumentError("invalid header key");
    const values = (Array.isArray(val) ? val : [val]).map((v) => {
      if (v !== null && typeof v === "object") throw new InvalidArgumentError(`invalid ${key} header`);
      const text = v === null ? "" : `${v}`;
      if (BAD_VALUE.test(text)) throw new InvalidArgumentError(`invalid ${key} header`);
      return text;
    });
    if (name === "host") {
      if (host) throw new InvalidArgumentError("duplicate host header");
      if (typeof val !== "string") throw new InvalidArgumentError("invalid host header");
      host = true;
    } else if (name === "content-length") {
      if (length) throw new InvalidArgumentError("duplicate content-length header");
      if (typeof val !== "string" && typeof val !== "number" || !/^\d+$/.test(values[0])) throw new InvalidArgumentError("invalid content-length header");
      length = true;
    } else if (name === "transfer-encoding" || name === "keep-alive" || name === "upgrade") {
      throw new InvalidArgumentError(`invalid ${name} header`);
    } else if (name === "connection") {
      if (typeof val !== "string" || val.toLowerCase().split(",").some((t) => !TOKEN.test(t.trim()))) {
        throw new InvalidArgumentError("invalid connection header");
      }
    } else if (name === "expect") {
      throw new NotSupportedError("expect header not supported");
    }
  }
}

/** Sends one request with `opts` (undici dispatch options) and drives `handler` (legacy API). */
export function netDispatch(opts, handler, options = {}) {
  const origin = opts.origin ?? options.origin;
  if (!origin) throw new InvalidArgumentError("no origin");
  const path = opts.query != null ? serializePathWithQuery(String(opts.path ?? "/"), opts.query) : String(opts.path ?? "/");
  const url = new URL(path, typeof origin === "string" ? origin : origin.origin ?? String(origin)).href;
  const method = String(opts.method ?? "GET").toUpperCase();
  let aborted = false;
  let done = false;
  let rid = null;
  const http = httpOps();
  const abort = (reason) => {
    if (aborted || done) return;
    aborted = true;
    if (rid != null) {
      try {
        http.close(rid);
      } catch {
        // already closed
      }
    }
    handler.onError(reason ?? new RequestAbortedError());
  };
  const fail = (err) => {
    if (aborted || done) return;
    done = true;
    if (rid != null) {
      try {
        http.close(rid);
      } catch {
        // already closed
      }
    }
    handler.onError(err);
  };
  (async () => {
    checkHeaders(opts.headers);
    handler.onConnect(abort, null);
    if (aborted) return;
    const { bytes, contentType } = await extractBody(opts.body);
    if (aborted) return;
    // As undici writes a request: `host` (the caller's, else the origin's), `connection`
    // (`close` after a HEAD, with `reset: true` or when the caller asked, else `keep-alive`),
    // then the caller's other headers as given; `content-length` last (the HTTP layer's).
    const given = headerPairs(opts.headers);
    let host = new URL(url).host;
    let reset = typeof opts.reset === "boolean" ? opts.reset : undefined;
    const rest = [];
    for (const [k, v] of given) {
      const name = k.toLowerCase();
      if (name === "host") host = v;
      else if (name === "connection") {
        if (v.toLowerCase().split(",").some((t) => t.trim() === "close")) reset = true;
      } else if (name !== "content-length") rest.push([k, v]);
    }
    const close = reset ?? method === "HEAD";
    const headers = [["host", host], ["connection", close ? "close" : "keep-alive"], ...rest];
    if (contentType && !rest.some(([k]) => k.toLowerCase() === "content-type")) headers.push(["content-type", contentType]);
    // an empty body: undici still says `content-length: 0` for the methods that expect one
    const empty = bytes == null || bytes.length === 0;
    if (empty && ["PUT", "POST", "PATCH", "QUERY"].includes(method)) headers.push(["content-length", "0"]);
    const request = {
      method,
      url,
      headers,
      headersTimeoutMs: timeoutMs(opts.headersTimeout ?? options.headersTimeout),
      bodyTimeoutMs: timeoutMs(opts.bodyTimeout ?? options.bodyTimeout),
      redirect: "manual",
      decompress: opts[kDecompress] === true,
      tls: tlsOf(options.connect),
      proxy: options.proxy,
    };
    if (options.connectTimeout != null) request.connectTimeoutMs = positive(options.connectTimeout);
    // undici keeps saying `keep-alive` but closes the socket after a body sent with a method that
    // expects none (a GET with a body), unless the caller set `reset: false`
    if (!close && bytes != null && !["PUT", "POST", "PATCH", "QUERY"].includes(method) && reset !== false) {
      request.closeAfter = true;
    }
    let head;
    try {
      head = await http.fetch(request, bytes ?? null);
    } catch (e) {
      fail(fromNetError(e));
      return;
    }
    if (aborted) {
      try {
        http.close(head.rid);
      } catch {
        // ignore
      }
      return;
    }
    rid = head.rid;
    let paused = false;
    let wake = null;
    const resume = () => {
      paused = false;
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    };
    const raw = [];
    for (const [k, v] of head.headers) raw.push(Buffer.from(k, "latin1"), Buffer.from(v, "utf8"));
    if (handler.onHeaders(head.status, raw, resume, head.statusText ?? "") === false) paused = true;
    while (!aborted && !done) {
      if (paused) await new Promise((r) => (wake = r));
      if (aborted || done) return;
      let chunk;
      try {
        chunk = await http.read(rid);
      } catch (e) {
        fail(fromNetError(e));
        return;
      }
      if (aborted || done) return;
      if (chunk == null) break;
      if (handler.onData(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)) === false) paused = true;
    }
    if (aborted || done) return;
    done = true;
    try {
      http.close(rid);
    } catch {
      // finished bodies are released by the op
    }
    handler.onComplete([]);
  })().catch((err) => {
    if (!aborted && !done) fail(err);
  });
  return true;
}

function positive(v) {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** undici's headers/body timeouts: 300 s unless set; 0 turns them off. */
function timeoutMs(v) {
  return v === 0 ? undefined : positive(v ?? 300e3);
}

/** Follows redirects for undici 5's `maxRedirections` request option (undici 7 uses the
 * redirect interceptor, which removes the option before it gets here). */
export function withRedirects(self, opts, handler, dispatchOne, defaultMax = self[kOptions]?.maxRedirections) {
  const max = opts[kRedirected] ? null : opts.maxRedirections ?? defaultMax;
  if (max == null || max === 0) return dispatchOne(opts, handler);
  const { maxRedirections: _drop, ...rest } = opts;
  const again = { ...rest, [kRedirected]: true };
  const dispatch = (o, h) => self.dispatch(o, h);
  return dispatchOne(again, new RedirectHandler(dispatch, max, again, handler));
}

/** undici's `Client`: one origin. */
export class Client extends DispatcherBase {
  constructor(url, options = {}) {
    super();
    if (options != null && typeof options !== "object") throw new InvalidArgumentError("invalid options");
    this[kOptions] = { ...options };
    this.origin = parseOrigin(url).origin;
    this[kInflight] = 0;
  }
  get pipelining() {
    return this[kOptions].pipelining ?? 1;
  }
  [kDispatch](opts, handler) {
    const o = { ...opts, origin: opts.origin ?? this.origin };
    return withRedirects(this, o, handler, (oo, h) => netDispatch(oo, h, this[kOptions]));
  }
  async [kClose]() {}
  async [kDestroy]() {}
}

/** undici's `Pool`: several connections to one origin (pooling is done in Rust). */
export class Pool extends Client {
  constructor(origin, options = {}) {
    super(origin, options);
  }
}

export class BalancedPool extends DispatcherBase {
  constructor(upstreams = [], options = {}) {
    super();
    this[kOptions] = { ...options };
    this.upstreams = [];
    for (const u of Array.isArray(upstreams) ? upstreams : [upstreams]) this.addUpstream(u);
    this.next = 0;
  }
  addUpstream(u) {
    const origin = parseOrigin(u).origin;
    if (!this.upstreams.includes(origin)) this.upstreams.push(origin);
    return this;
  }
  removeUpstream(u) {
    const origin = parseOrigin(u).origin;
    this.upstreams = this.upstreams.filter((x) => x !== origin);
    return this;
  }
  [kDispatch](opts, handler) {
    if (!this.upstreams.length) throw new InvalidArgumentError("No upstream has been added to the BalancedPool");
    const origin = this.upstreams[this.next++ % this.upstreams.length];
    return netDispatch({ ...opts, origin }, handler, this[kOptions]);
  }
}

/** undici's `Agent`: any origin. */
export class Agent extends DispatcherBase {
  constructor(options = {}) {
    super();
    if (options != null && typeof options !== "object") throw new InvalidArgumentError("Argument opts must be an object");
    const { factory, ...rest } = options ?? {};
    this[kOptions] = rest;
    this[kClients] = new Map();
  }
  [kDispatch](opts, handler) {
    if (!opts.origin) throw new InvalidArgumentError("opts.origin must be a non-empty string or URL.");
    return withRedirects(this, opts, handler, (o, h) => netDispatch(o, h, this[kOptions]));
  }
  async [kClose]() {
    this[kClients].clear();
  }
  async [kDestroy]() {
    this[kClients].clear();
  }
}

/** `ProxyAgent`: requests go through the proxy given as `uri` (Rust does the tunnelling). */
export class ProxyAgent extends Agent {
  constructor(opts) {
    const uri = typeof opts === "string" || opts instanceof URL ? String(opts) : opts?.uri;
    if (!uri) throw new InvalidArgumentError("Proxy uri is mandatory");
    const options = typeof opts === "object" && !(opts instanceof URL) ? opts : {};
    let proxy = String(uri);
    // `token: 'Basic <base64 user:pass>'` becomes the proxy URL's credentials (the Rust client
    // sends them as Proxy-Authorization).
    const basic = /^Basic\s+(.+)$/i.exec(options.token ?? "");
    if (basic) {
      const [user, ...pass] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
      const url = new URL(proxy);
      url.username = encodeURIComponent(user);
      url.password = encodeURIComponent(pass.join(":"));
      proxy = url.href;
    }
    super({ ...options, proxy, connect: options.requestTls ?? options.connect });
  }
}

/** `EnvHttpProxyAgent`: fnhost exposes no host environment, so this is a plain Agent. */
export class EnvHttpProxyAgent extends Agent {}

/** `RetryAgent`: retries through the retry interceptor. */
export class RetryAgent extends DispatcherBase {
  constructor(agent, options = {}) {
    super();
    this.agent = agent;
    this.options = options;
  }
  [kDispatch](opts, handler) {
    return retry(this.options)((o, h) => this.agent.dispatch(o, h))(opts, handler);
  }
}

const globalDispatcher = Symbol.for("undici.globalDispatcher.1");
const globalDispatcher2 = Symbol.for("undici.globalDispatcher.2");

export function setGlobalDispatcher(agent) {
  if (!agent || typeof agent.dispatch !== "function") throw new InvalidArgumentError("Argument agent must implement Agent");
  for (const key of [globalDispatcher, globalDispatcher2]) {
    Object.defineProperty(globalThis, key, { value: agent, writable: true, enumerable: false, configurable: true });
  }
}

export function getGlobalDispatcher() {
  if (globalThis[globalDispatcher] === undefined) setGlobalDispatcher(new Agent());
  return globalThis[globalDispatcher];
}
