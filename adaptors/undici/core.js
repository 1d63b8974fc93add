// Dispatcher protocol shared by every part of the bridge: the Dispatcher base classes,
// `compose`, handler adaptation between undici's two handler APIs, and header helpers.
//
// undici 5 handlers have onConnect/onHeaders/onData/onComplete/onError; undici 7 added
// onRequestStart/onResponseStart/onResponseData/onResponseEnd/onResponseError with a controller.
// Interceptors of either generation must work, so every handler crossing a dispatch boundary is
// adapted by `dual()` to an object that answers both APIs. Dispatchers at the bottom of a chain
// (network, mocks) drive the legacy methods.
import { EventEmitter } from "node:events";
import { stringify as qsStringify } from "node:querystring";
import { ClientClosedError, ClientDestroyedError, InvalidArgumentError } from "./errors.js";

export const kDispatch = Symbol("fnhost.undici.dispatch");
export const kClose = Symbol("fnhost.undici.close");
export const kDestroy = Symbol("fnhost.undici.destroy");
export const kClosed = Symbol("fnhost.undici.closed");
export const kDestroyed = Symbol("fnhost.undici.destroyed");
export const kDual = Symbol("fnhost.undici.dualHandler");
/** Request option set by the redirect interceptor: redirects are handled above, so dispatchers
 * must not also follow them for their own (undici 5) `maxRedirections` option. */
export const kRedirected = Symbol.for("fnhost.undici.redirectHandled");
/** Request option set by fetch and the decompress interceptor: decode content-encoding. */
export const kDecompress = Symbol.for("fnhost.undici.decompress");

const toBuffer = (v) => (typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.isBuffer(v) ? v : Buffer.from(String(v), "utf8"));
const headerString = (v) => (typeof v === "string" ? v : Buffer.isBuffer(v) ? v.toString("latin1") : v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : String(v));

/** Raw headers (flat `[name, value, ...]`, Buffers or strings) to undici's header object:
 * lower-case names, repeated headers as arrays. */
export function parseHeaders(raw, obj = {}) {
  if (!raw) return obj;
  for (let i = 0; i < raw.length; i += 2) {
    const key = headerString(raw[i]).toLowerCase();
    const value = Array.isArray(raw[i + 1]) ? raw[i + 1].map(headerString) : headerString(raw[i + 1]);
    const prev = Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
    if (prev === undefined) {
      if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
      else obj[key] = value;
    } else if (Array.isArray(prev)) {
      prev.push(...(Array.isArray(value) ? value : [value]));
    } else {
      obj[key] = [prev, ...(Array.isArray(value) ? value : [value])];
    }
  }
  return obj;
}

/** Header object (`{ name: value | value[] }`) to raw Buffers. */
export function headersToRaw(headers) {
  const out = [];
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (Array.isArray(v)) for (const x of v) out.push(toBuffer(k), toBuffer(String(x)));
    else if (v !== undefined) out.push(toBuffer(k), toBuffer(String(v)));
  }
  return out;
}

/** Request headers in any form undici accepts (object, flat array, pairs, Headers, iterable)
 * as `[name, value]` pairs. */
export function headerPairs(headers) {
  const out = [];
  if (headers == null) return out;
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) {
      for (const [k, v] of headers) out.push([String(k), String(v)]);
    } else {
      if (headers.length % 2 !== 0) throw new InvalidArgumentError("headers array must be even");
      for (let i = 0; i < headers.length; i += 2) out.push([headerString(headers[i]), headerString(headers[i + 1])]);
    }
    return out;
  }
  if (typeof headers[Symbol.iterator] === "function" && typeof headers.entries === "function") {
    for (const [k, v] of headers) out.push([String(k), String(v)]);
    return out;
  }
  if (typeof headers !== "object") throw new InvalidArgumentError("headers must be an object or an array");
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push([k, String(x)]);
    else out.push([k, String(v)]);
  }
  return out;
}

/** `path` plus undici's `query` option (Node querystring), as undici serialises it. */
export function serializePathWithQuery(path, query) {
  if (query == null) return path;
  if (/[?#]/.test(path)) throw new Error('Query params cannot be passed when url already contains "?" or "#".');
  const s = qsStringify(query);
  return s ? `${path}?${s}` : path;
}

/** A pause/resume/abort controller for undici 7 handlers over a legacy-driven request. */
function makeController(abortFn) {
  const c = {
    _abort: abortFn,
    _resume: null,
    paused: false,
    aborted: false,
    reason: null,
    abort(reason) {
      if (c.aborted) return;
      c.aborted = true;
      c.reason = reason;
      c._abort?.(reason);
    },
    pause() {
      c.paused = true;
    },
    resume() {
      if (!c.paused) return;
      c.paused = false;
      c._resume?.();
    },
  };
  return c;
}

function isModern(handler) {
  return typeof handler.onRequestStart === "function" ||
    ((typeof handler.onResponseStart === "function" || typeof handler.onResponseEnd === "function") && typeof handler.onHeaders !== "function");
}

/** Adapts a handler of either API so that both APIs can drive it. */
export function dual(handler) {
  if (handler == null || typeof handler !== "object") throw new InvalidArgumentError("handler must be an object");
  if (handler[kDual]) return handler;
  if (isModern(handler)) return dualOfModern(handler);
  return dualOfLegacy(handler);
}

function dualOfLegacy(h) {
  return {
    [kDual]: true,
    inner: h,
    onConnect: (abort, context) => h.onConnect?.(abort, context),
    onHeaders: (status, raw, resume, text) => (h.onHeaders ? h.onHeaders(status, raw, resume, text) : true),
    onData: (chunk) => (h.onData ? h.onData(chunk) : true),
    onComplete: (trailers) => h.onComplete?.(trailers),
    onError: (err) => {
      if (typeof h.onError !== "function") throw err;
      h.onError(err);
    },
    onUpgrade: (status, raw, socket) => h.onUpgrade?.(status, raw, socket),
    onResponseStarted: () => h.onResponseStarted?.(),
    onBodySent: (chunk) => h.onBodySent?.(chunk),
    onRequestSent: () => h.onRequestSent?.(),
    onRequestStart(controller, context) {
      h.onConnect?.((reason) => controller.abort(reason), context);
    },
    onRequestUpgrade(controller, status, headers, socket) {
      h.onUpgrade?.(status, headersToRaw(headers), socket);
    },
    onResponseStart(controller, status, headers, text) {
      if (h.onHeaders?.(status, headersToRaw(headers), () => controller.resume(), text) === false) controller.pause();
    },
    onResponseData(controller, chunk) {
      if (h.onData?.(chunk) === false) controller.pause();
    },
    onResponseEnd(controller, trailers) {
      h.onComplete?.(headersToRaw(trailers));
    },
    onResponseError(controller, err) {
      if (typeof h.onError !== "function") throw err;
      h.onError(err);
    },
  };
}

function dualOfModern(h) {
  let controller = null;
  const ensure = () => (controller ??= makeController(null));
  return {
    [kDual]: true,
    inner: h,
    onConnect(abort, context) {
      controller = makeController(abort);
      h.onRequestStart?.(controller, context);
    },
    onHeaders(status, raw, resume, text) {
      const c = ensure();
      c._resume = resume;
      h.onResponseStart?.(c, status, parseHeaders(raw), text);
      return !c.paused;
    },
    onData(chunk) {
      const c = ensure();
      h.onResponseData?.(c, chunk);
      return !c.paused;
    },
    onComplete(trailers) {
      h.onResponseEnd?.(ensure(), parseHeaders(trailers));
    },
    onError(err) {
      if (typeof h.onResponseError !== "function") throw err;
      h.onResponseError(ensure(), err);
    },
    onUpgrade(status, raw, socket) {
      h.onRequestUpgrade?.(ensure(), status, parseHeaders(raw), socket);
    },
    onRequestStart: (c, context) => h.onRequestStart?.(c, context),
    onRequestUpgrade: (c, status, headers, socket) => h.onRequestUpgrade?.(c, status, headers, socket),
    onResponseStart: (c, status, headers, text) => h.onResponseStart?.(c, status, headers, text),
    onResponseData: (c, chunk) => h.onResponseData?.(c, chunk),
    onResponseEnd: (c, trailers) => h.onResponseEnd?.(c, trailers),
    onResponseError: (c, err) => {
      if (typeof h.onResponseError !== "function") throw err;
      h.onResponseError(c, err);
    },
  };
}

/** undici's `Dispatcher`: an EventEmitter with `dispatch`, `close`, `destroy` and `compose`
 * (the request API methods are added by api.js). */
export class Dispatcher extends EventEmitter {
  dispatch() {
    throw new Error("not implemented");
  }
  close() {
    throw new Error("not implemented");
  }
  destroy() {
    throw new Error("not implemented");
  }
  compose(...args) {
    const interceptors = Array.isArray(args[0]) ? args[0] : args;
    let dispatch = this.dispatch.bind(this);
    for (const interceptor of interceptors) {
      if (interceptor == null) continue;
      if (typeof interceptor !== "function") throw new TypeError(`invalid interceptor, expected function received ${typeof interceptor}`);
      const inner = interceptor(dispatch);
      if (inner == null || typeof inner !== "function" || inner.length !== 2) throw new TypeError("invalid interceptor");
      dispatch = (opts, handler) => inner(opts, dual(handler));
    }
    return new Proxy(this, {
      get: (target, key) => (key === "dispatch" ? dispatch : target[key]),
    });
  }
}

/** Base of the bridge's concrete dispatchers: close/destroy bookkeeping and error routing. */
export class DispatcherBase extends Dispatcher {
  constructor() {
    super();
    this[kClosed] = false;
    this[kDestroyed] = false;
  }
  get closed() {
    return this[kClosed];
  }
  get destroyed() {
    return this[kDestroyed];
  }
  async [kClose]() {}
  async [kDestroy]() {}
  close(callback) {
    if (callback === undefined) {
      return new Promise((resolve, reject) => this.close((err, data) => (err ? reject(err) : resolve(data))));
    }
    if (typeof callback !== "function") throw new InvalidArgumentError("invalid callback");
    if (this[kDestroyed]) {
      queueMicrotask(() => callback(new ClientDestroyedError(), null));
      return;
    }
    this[kClosed] = true;
    Promise.resolve(this[kClose]()).then(() => {
      this[kDestroyed] = true;
      queueMicrotask(() => callback(null, null));
    });
  }
  destroy(err, callback) {
    if (typeof err === "function") {
      callback = err;
      err = null;
    }
    if (callback === undefined) {
      return new Promise((resolve, reject) => this.destroy(err, (e, data) => (e ? reject(e) : resolve(data))));
    }
    if (typeof callback !== "function") throw new InvalidArgumentError("invalid callback");
    this[kClosed] = true;
    this[kDestroyed] = true;
    Promise.resolve(this[kDestroy](err ?? new ClientDestroyedError())).then(() => queueMicrotask(() => callback(null, null)));
  }
  dispatch(opts, handler) {
    handler = dual(handler);
    try {
      if (!opts || typeof opts !== "object") throw new InvalidArgumentError("opts must be an object.");
      if (this[kDestroyed]) throw new ClientDestroyedError();
      if (this[kClosed]) throw new ClientClosedError();
      return this[kDispatch](opts, handler);
    } catch (err) {
      handler.onError(err);
      return false;
    }
  }
}

/** Parses an origin argument (string, URL or `{protocol, hostname, port}`) like undici. */
export function parseOrigin(origin) {
  let url;
  if (origin instanceof URL) url = origin;
  else if (typeof origin === "string") {
    try {
      url = new URL(origin);
    } catch {
      throw new InvalidArgumentError("Invalid URL: The URL argument must be a non-null object.");
    }
  } else if (origin && typeof origin === "object") {
    if (origin.origin) url = new URL(origin.origin);
    else {
      const port = origin.port != null && origin.port !== "" ? `:${origin.port}` : "";
      url = new URL(`${origin.protocol || "http:"}//${origin.hostname || origin.host}${port}`);
    }
  } else {
    throw new InvalidArgumentError("Invalid URL: The URL argument must be a non-null object.");
  }
  if (!/^https?:/.test(url.protocol)) throw new InvalidArgumentError("Invalid URL protocol: the URL must start with `http:` or `https:`.");
  return url;
}
