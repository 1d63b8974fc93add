// fnhost's `undici` bridge: served by the engine's module loader for every `import`/`require`
// of `undici` (any version, any subpath). It implements the undici 5.x and 7.x APIs OpenFn
// adaptors use, with network I/O on the engine's Rust HTTP ops (`globalThis.__fnhostHttp`) and
// mocks (MockAgent & co.) entirely in JavaScript.
import * as errorClasses from "./errors.js";
import { Dispatcher, DispatcherBase, parseHeaders } from "./core.js";
import { api, BodyReadable, urlToOpts } from "./api.js";
import {
  Agent,
  BalancedPool,
  Client,
  EnvHttpProxyAgent,
  getGlobalDispatcher,
  Pool,
  ProxyAgent,
  RetryAgent,
  setGlobalDispatcher,
} from "./net.js";
import { DecoratorHandler, interceptors, RedirectHandler, RetryHandler } from "./interceptors.js";
import { MockAgent, MockCallHistory, MockCallHistoryLog, MockClient, MockPool, mockErrors } from "./mock.js";
import { fetch as fetchImpl, FormData, Headers, nodeFetch, Request, Response } from "./fetch.js";

// undici's `errors` export (mock errors are in `mockErrors`, as in undici).
const {
  fromNetError: _fromNetError,
  MockNotMatchedError: _mockNotMatched,
  ...errors
} = errorClasses;

/** Top-level `request(url[, opts])` style functions over the global (or `opts.dispatcher`). */
function makeDispatcher(fn) {
  return (url, opts, handler) => {
    if (typeof opts === "function") {
      handler = opts;
      opts = null;
    }
    const full = urlToOpts(url, opts);
    const { dispatcher = getGlobalDispatcher() } = full;
    return fn.call(dispatcher, full, handler);
  };
}

export const request = makeDispatcher(api.request);
export const stream = makeDispatcher(api.stream);
export const pipeline = makeDispatcher(api.pipeline);
export const connect = makeDispatcher(api.connect);
export const upgrade = makeDispatcher(api.upgrade);

export function fetch(input, init = undefined) {
  return fetchImpl(input, init);
}

let globalOrigin;
export function setGlobalOrigin(origin) {
  if (origin === undefined) {
    globalOrigin = undefined;
    return;
  }
  const url = new URL(origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`Only http & https urls are allowed, received ${url.protocol}`);
  globalOrigin = url;
}
export function getGlobalOrigin() {
  return globalOrigin;
}

function cookiePairs(headers) {
  const raw = headers.get("cookie");
  const out = {};
  if (!raw) return out;
  for (const part of raw.split(";")) {
    const i = part.indexOf("=");
    if (i === -1) continue;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
export const getCookies = (headers) => cookiePairs(headers);
export function getSetCookies(headers) {
  return headers.getSetCookie().map((line) => {
    const [pair, ...attrs] = line.split(";");
    const i = pair.indexOf("=");
    const cookie = { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim() };
    for (const a of attrs) {
      const [k, ...v] = a.split("=");
      const key = k.trim().toLowerCase();
      const value = v.join("=").trim();
      if (key === "expires") cookie.expires = new Date(value);
      else if (key === "max-age") cookie.maxAge = Number(value);
      else if (key === "domain") cookie.domain = value;
      else if (key === "path") cookie.path = value;
      else if (key === "secure") cookie.secure = true;
      else if (key === "httponly") cookie.httpOnly = true;
      else if (key === "samesite") cookie.sameSite = value;
      else (cookie.unparsed ??= []).push(a.trim());
    }
    return cookie;
  });
}
export function setCookie(headers, cookie) {
  let line = `${cookie.name}=${cookie.value}`;
  if (cookie.expires) line += `; Expires=${new Date(cookie.expires).toUTCString()}`;
  if (cookie.maxAge != null) line += `; Max-Age=${cookie.maxAge}`;
  if (cookie.domain) line += `; Domain=${cookie.domain}`;
  if (cookie.path) line += `; Path=${cookie.path}`;
  if (cookie.secure) line += "; Secure";
  if (cookie.httpOnly) line += "; HttpOnly";
  if (cookie.sameSite) line += `; SameSite=${cookie.sameSite}`;
  headers.append("set-cookie", line);
}
export function deleteCookie(headers, name, attributes = {}) {
  setCookie(headers, { name, value: "", expires: new Date(0), ...attributes });
}

class WebSocket {
  constructor() {
    throw new errors.NotSupportedError("WebSocket is not supported by fnhost's undici bridge");
  }
}

class SnapshotAgent extends MockAgent {}

const unsupportedClass = (name) => ({
  [name]: class {
    constructor() {
      throw new errors.NotSupportedError(`${name} is not supported by fnhost's undici bridge`);
    }
  },
})[name];
const EventSource = unsupportedClass("EventSource");
const WebSocketStream = unsupportedClass("WebSocketStream");
const Socks5ProxyAgent = unsupportedClass("Socks5ProxyAgent");
class WebSocketError extends Error {}
export function ping() {
  throw new errors.NotSupportedError("ping is not supported by fnhost's undici bridge");
}

/** HTTP/2 cleartext client: the engine negotiates the protocol itself, so this is a Client. */
class H2CClient extends Client {}
class RoundRobinPool extends BalancedPool {}

/** undici 5's `createRedirectInterceptor({ maxRedirections })`. */
const createRedirectInterceptor = ({ maxRedirections } = {}) => interceptors.redirect({ maxRedirections });

/** A simple in-memory store for `interceptors.cache` (which fnhost passes through). */
class MemoryCacheStore {
  constructor(opts = {}) {
    this.opts = opts;
  }
  get() {
    return undefined;
  }
  createWriteStream() {
    return undefined;
  }
  delete() {}
}
export const cacheStores = { MemoryCacheStore };

/** WHATWG MIME type parsing (`parseMIMEType`) and serialisation, as undici exports them. */
export function parseMIMEType(input) {
  const text = String(input).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\/([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[\t\n\r ]*(.*)$/s.exec(text);
  if (!m) return "failure";
  const type = m[1].toLowerCase();
  const subtype = m[2].toLowerCase();
  const parameters = new Map();
  for (const part of m[3].split(";").slice(1)) {
    const i = part.indexOf("=");
    if (i === -1) continue;
    const name = part.slice(0, i).trim().toLowerCase();
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"')) value = value.slice(1, value.indexOf('"', 1) === -1 ? undefined : value.indexOf('"', 1)).replace(/\\(.)/g, "$1");
    if (name && !parameters.has(name)) parameters.set(name, value);
  }
  return { type, subtype, parameters, essence: `${type}/${subtype}` };
}
export function serializeAMimeType(mime) {
  let out = mime.essence;
  for (const [name, value] of mime.parameters) {
    out += `;${name}=${/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, "\\$1")}"`}`;
  }
  return out;
}

/** `parseCookie(setCookieLine)`: one Set-Cookie header as a cookie object. */
export function parseCookie(line) {
  const headers = new Headers();
  headers.append("set-cookie", line);
  return getSetCookies(headers)[0] ?? null;
}

/** undici 5's FileReader (readAsText / readAsArrayBuffer / readAsDataURL / readAsBinaryString). */
class FileReader extends EventTarget {
  constructor() {
    super();
    this.readyState = 0;
    this.result = null;
    this.error = null;
    for (const ev of ["loadstart", "progress", "load", "abort", "error", "loadend"]) this[`on${ev}`] = null;
  }
  read(blob, kind, encoding) {
    this.readyState = 1;
    const fire = (type) => {
      const e = new Event(type);
      this[`on${type}`]?.call(this, e);
      this.dispatchEvent(e);
    };
    queueMicrotask(() => fire("loadstart"));
    blob.arrayBuffer().then(
      (buf) => {
        const bytes = new Uint8Array(buf);
        if (kind === "text") this.result = new TextDecoder(encoding || "utf-8").decode(bytes);
        else if (kind === "dataURL") this.result = `data:${blob.type || "application/octet-stream"};base64,${Buffer.from(bytes).toString("base64")}`;
        else if (kind === "binaryString") this.result = Buffer.from(bytes).toString("latin1");
        else this.result = buf;
        this.readyState = 2;
        fire("load");
        fire("loadend");
      },
      (err) => {
        this.error = err;
        this.readyState = 2;
        fire("error");
        fire("loadend");
      },
    );
  }
  readAsText(blob, encoding) {
    this.read(blob, "text", encoding);
  }
  readAsArrayBuffer(blob) {
    this.read(blob, "arrayBuffer");
  }
  readAsDataURL(blob) {
    this.read(blob, "dataURL");
  }
  readAsBinaryString(blob) {
    this.read(blob, "binaryString");
  }
  abort() {}
}

const { CloseEvent, ErrorEvent, MessageEvent } = globalThis;

/** `install()`: undici's globals (fetch, Headers, Request, Response, FormData). */
export function install() {
  installFetchGlobals(globalThis, false);
}

export const util = {
  parseHeaders: (raw, obj) => parseHeaders(raw, obj),
  headerNameToString: (v) => String(v).toLowerCase(),
};

export function buildConnector() {
  return () => {
    throw new errors.NotSupportedError("buildConnector: raw sockets are not available in fnhost");
  };
}

export const { File } = globalThis;
export const caches = undefined;

/** Installs fetch, Headers, Request, Response and FormData as main-realm globals (the engine
 * does this on first use of any of them, with Node's own fetch; undici's `install()` with
 * undici's). */
export function installFetchGlobals(target = globalThis, asNode = true) {
  const values = { fetch: asNode ? nodeFetch : fetch, Headers, Request, Response, FormData };
  for (const [name, value] of Object.entries(values)) {
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
  }
  return values;
}

export {
  CloseEvent,
  createRedirectInterceptor,
  ErrorEvent,
  EventSource,
  FileReader,
  H2CClient,
  MessageEvent,
  RoundRobinPool,
  Socks5ProxyAgent,
  WebSocketError,
  WebSocketStream,
  Agent,
  BalancedPool,
  BodyReadable,
  Client,
  DecoratorHandler,
  Dispatcher,
  DispatcherBase,
  EnvHttpProxyAgent,
  errors,
  FormData,
  getGlobalDispatcher,
  Headers,
  interceptors,
  MockAgent,
  MockCallHistory,
  MockCallHistoryLog,
  MockClient,
  MockPool,
  mockErrors,
  Pool,
  ProxyAgent,
  RedirectHandler,
  Request,
  Response,
  RetryAgent,
  RetryHandler,
  setGlobalDispatcher,
  SnapshotAgent,
  WebSocket,
};

const undici = {
  CloseEvent,
  createRedirectInterceptor,
  ErrorEvent,
  EventSource,
  FileReader,
  H2CClient,
  MessageEvent,
  RoundRobinPool,
  Socks5ProxyAgent,
  WebSocketError,
  WebSocketStream,
  cacheStores,
  install,
  parseCookie,
  parseMIMEType,
  serializeAMimeType,
  ping,
  Dispatcher,
  Client,
  Pool,
  BalancedPool,
  Agent,
  ProxyAgent,
  EnvHttpProxyAgent,
  RetryAgent,
  RetryHandler,
  DecoratorHandler,
  RedirectHandler,
  interceptors,
  errors,
  util,
  buildConnector,
  MockClient,
  MockPool,
  MockAgent,
  MockCallHistory,
  MockCallHistoryLog,
  SnapshotAgent,
  mockErrors,
  setGlobalDispatcher,
  getGlobalDispatcher,
  fetch,
  Headers,
  Response,
  Request,
  FormData,
  File,
  setGlobalOrigin,
  getGlobalOrigin,
  caches,
  getCookies,
  getSetCookies,
  setCookie,
  deleteCookie,
  WebSocket,
  request,
  stream,
  pipeline,
  connect,
  upgrade,
  installFetchGlobals,
};

export default undici;
export { undici as "module.exports" };
