// undici's request API: `dispatcher.request()` / `stream()` and the response body, a Node
// Readable with the fetch body mixin (`json`, `text`, `arrayBuffer`, `blob`, `bytes`).
import { Readable } from "node:stream";
import { Dispatcher, parseHeaders } from "./core.js";
import {
  InvalidArgumentError,
  NotSupportedError,
  RequestAbortedError,
  ResponseStatusCodeError,
} from "./errors.js";

const kResume = Symbol("resume");
const kAbort = Symbol("abort");
const kUsed = Symbol("used");
const kContentType = Symbol("contentType");

/** The response body of `request()`: a Node Readable with the body mixin. */
export class BodyReadable extends Readable {
  constructor({ resume, abort, contentType = "", contentLength, highWaterMark = 64 * 1024 } = {}) {
    super({ autoDestroy: true, highWaterMark });
    this[kResume] = resume;
    this[kAbort] = abort;
    this[kUsed] = false;
    this[kContentType] = contentType;
    this.contentLength = contentLength;
  }
  _read() {
    this[kResume]?.();
  }
  _destroy(err, callback) {
    if (!this.readableEnded && !err) err = new RequestAbortedError();
    if (err && !this.readableEnded) this[kAbort]?.(err);
    callback(err);
  }
  on(ev, ...args) {
    if (ev === "data" || ev === "readable") this[kUsed] = true;
    return super.on(ev, ...args);
  }
  addListener(ev, ...args) {
    return this.on(ev, ...args);
  }
  get bodyUsed() {
    return this[kUsed];
  }
  text() {
    return consume(this, "text");
  }
  json() {
    return consume(this, "json");
  }
  blob() {
    return consume(this, "blob");
  }
  bytes() {
    return consume(this, "bytes");
  }
  arrayBuffer() {
    return consume(this, "arrayBuffer");
  }
  async formData() {
    throw new NotSupportedError();
  }
  /** A WHATWG ReadableStream over this body. */
  get body() {
    return Readable.toWeb ? Readable.toWeb(this) : webStreamOf(this);
  }
  /** Reads and discards the body (up to `limit` bytes, then destroys it). */
  async dump(opts) {
    const limit = opts?.limit ?? 128 * 1024;
    if (this.destroyed || this.readableEnded) return;
    await new Promise((resolve) => {
      let seen = 0;
      this.on("data", (chunk) => {
        seen += chunk.length;
        if (seen >= limit) this.destroy();
      });
      this.on("close", resolve);
      this.on("end", resolve);
      this.on("error", resolve);
      this.resume();
    });
  }
}

function webStreamOf(node) {
  const it = node[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(c) {
      const { value, done } = await it.next();
      if (done) c.close();
      else c.enqueue(new Uint8Array(value));
    },
    cancel() {
      node.destroy();
    },
  });
}

function consume(stream, kind) {
  if (stream.bodyUsed || stream.locked) {
    return Promise.reject(new TypeError("unusable"));
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let length = 0;
    const finish = () => {
      try {
        const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
        resolve(convert(kind, buf, stream[kContentType]));
      } catch (e) {
        reject(e);
      }
    };
    if (stream.errored) {
      reject(stream.errored);
      return;
    }
    if (stream.readableEnded) {
      finish();
      return;
    }
    stream.on("error", reject);
    stream.on("close", () => {
      if (!stream.readableEnded) reject(stream.errored ?? new RequestAbortedError());
    });
    stream.on("data", (chunk) => {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      chunks.push(b);
      length += b.length;
    });
    stream.on("end", finish);
  });
}

function convert(kind, buf, contentType) {
  switch (kind) {
    case "text":
      return new TextDecoder().decode(buf);
    case "json":
      return JSON.parse(new TextDecoder().decode(buf));
    case "bytes":
      return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    case "arrayBuffer":
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    case "blob":
      return new Blob([buf], { type: contentType ?? "" });
  }
  return buf;
}

/** Builds request options from `request(url, opts)` arguments, as undici's top-level API does. */
export function urlToOpts(url, opts) {
  if (!url || (typeof url !== "string" && typeof url !== "object")) throw new InvalidArgumentError("invalid url");
  if (opts != null && typeof opts !== "object") throw new InvalidArgumentError("invalid opts");
  let target;
  if (opts && opts.path != null) {
    if (typeof opts.path !== "string") throw new InvalidArgumentError("invalid opts.path");
    const path = opts.path.startsWith("/") ? opts.path : `/${opts.path}`;
    const base = url instanceof URL ? url : typeof url === "string" ? new URL(url) : new URL(url.origin ?? `${url.protocol}//${url.hostname}${url.port ? ":" + url.port : ""}`);
    target = new URL(base.origin + path);
  } else {
    if (!opts) opts = typeof url === "object" && !(url instanceof URL) ? url : {};
    if (url instanceof URL || typeof url === "string") target = new URL(url);
    else target = new URL(url.origin ? `${url.origin}${url.path ?? url.pathname ?? ""}` : `${url.protocol}//${url.hostname}${url.port ? ":" + url.port : ""}${url.path ?? url.pathname ?? "/"}`);
  }
  if (opts.agent) throw new InvalidArgumentError("unsupported opts.agent. Did you mean opts.client?");
  return {
    ...opts,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: opts.method || (opts.body ? "PUT" : "GET"),
  };
}

class RequestHandler {
  constructor(opts, callback) {
    const { signal, method, opaque, onInfo, responseHeaders, highWaterMark, throwOnError } = opts;
    if (typeof method !== "string") throw new InvalidArgumentError("invalid method");
    if (signal && typeof signal.on !== "function" && typeof signal.addEventListener !== "function") {
      throw new InvalidArgumentError("signal must be an EventEmitter or EventTarget");
    }
    if (onInfo && typeof onInfo !== "function") throw new InvalidArgumentError("invalid onInfo callback");
    this.method = method;
    this.opaque = opaque || null;
    this.callback = callback;
    this.res = null;
    this.abort = null;
    this.context = null;
    this.trailers = {};
    this.onInfo = onInfo || null;
    this.responseHeaders = responseHeaders || null;
    this.highWaterMark = highWaterMark;
    this.throwOnError = throwOnError === true;
    this.reason = null;
    if (signal?.aborted) {
      this.reason = signal.reason ?? new RequestAbortedError();
    } else if (signal) {
      const onAbort = () => {
        this.reason = signal.reason ?? new RequestAbortedError();
        if (this.res) this.res.destroy(this.reason);
        else if (this.abort) this.abort(this.reason);
      };
      if (typeof signal.addEventListener === "function") signal.addEventListener("abort", onAbort, { once: true });
      else signal.once("abort", onAbort);
    }
  }
  onConnect(abort, context) {
    if (this.reason) {
      abort(this.reason);
      return;
    }
    this.abort = abort;
    this.context = context;
  }
  onHeaders(statusCode, rawHeaders, resume, statusMessage) {
    const parsed = parseHeaders(rawHeaders);
    const headers = this.responseHeaders === "raw" ? rawHeaders.map((b) => (typeof b === "string" ? b : b.toString("latin1"))) : parsed;
    if (statusCode < 200) {
      this.onInfo?.({ statusCode, headers });
      return true;
    }
    const contentLength = parsed["content-length"];
    const res = new BodyReadable({
      resume,
      abort: this.abort,
      contentType: parsed["content-type"],
      contentLength: this.method !== "HEAD" && contentLength ? Number(contentLength) : null,
      highWaterMark: this.highWaterMark,
    });
    const callback = this.callback;
    this.callback = null;
    this.res = res;
    if (this.throwOnError && statusCode >= 400) {
      // undici 5: read the body, then fail with ResponseStatusCodeError.
      const contentType = parsed["content-type"] ?? "";
      consume(res, /json/.test(contentType) ? "json" : "text").then(
        (body) => callback(new ResponseStatusCodeError(`Response status code ${statusCode}${statusMessage ? `: ${statusMessage}` : ""}`, statusCode, headers, body)),
        (err) => callback(err),
      );
      return true;
    }
    callback?.(null, { statusCode, statusText: statusMessage, headers, trailers: this.trailers, opaque: this.opaque, body: res, context: this.context });
    return true;
  }
  onData(chunk) {
    return this.res ? this.res.push(chunk) : true;
  }
  onComplete(trailers) {
    parseHeaders(trailers, this.trailers);
    this.res?.push(null);
  }
  onError(err) {
    const { res, callback, opaque } = this;
    if (callback) {
      this.callback = null;
      queueMicrotask(() => callback(err, { opaque }));
    }
    if (res) {
      this.res = null;
      queueMicrotask(() => {
        res.on("error", () => {});
        res.destroy(err);
      });
    }
  }
}

function normalizeOpts(opts) {
  if (!opts || typeof opts !== "object") throw new InvalidArgumentError("invalid opts");
  // `query` stays separate (mocks match on it); the network layer serialises it.
  return { ...opts };
}

/** `dispatcher.request(opts[, callback])`. */
export function request(opts, callback) {
  if (callback === undefined) {
    return new Promise((resolve, reject) => {
      request.call(this, opts, (err, data) => (err ? reject(err) : resolve(data)));
    });
  }
  let handler;
  try {
    handler = new RequestHandler(opts, callback);
  } catch (err) {
    queueMicrotask(() => callback(err, { opaque: opts?.opaque }));
    return;
  }
  try {
    this.dispatch(normalizeOpts(opts), handler);
  } catch (err) {
    handler.onError(err);
  }
}

/** `dispatcher.stream(opts, factory[, callback])`: the body goes to the Writable `factory`
 * returns. */
export function stream(opts, factory, callback) {
  if (callback === undefined) {
    return new Promise((resolve, reject) => {
      stream.call(this, opts, factory, (err, data) => (err ? reject(err) : resolve(data)));
    });
  }
  request.call(this, opts, (err, data) => {
    if (err) return callback(err, { opaque: opts?.opaque });
    let writable;
    try {
      writable = factory({ statusCode: data.statusCode, headers: data.headers, opaque: data.opaque, context: data.context });
    } catch (e) {
      data.body.destroy(e);
      return callback(e, { opaque: data.opaque });
    }
    if (!writable || typeof writable.write !== "function") {
      return callback(new TypeError("expected Writable"), { opaque: data.opaque });
    }
    let done = false;
    const finish = (e) => {
      if (done) return;
      done = true;
      callback(e ?? null, { opaque: data.opaque, trailers: data.trailers });
    };
    writable.on("finish", () => finish());
    writable.on("error", finish);
    data.body.on("error", (e) => {
      writable.destroy?.(e);
      finish(e);
    });
    data.body.pipe(writable);
  });
}

function notSupported(name) {
  return function () {
    throw new NotSupportedError(`${name}() is not supported by fnhost's undici bridge`);
  };
}

/** The request API methods every dispatcher has. */
export const api = {
  request,
  stream,
  pipeline: notSupported("pipeline"),
  connect: notSupported("connect"),
  upgrade: notSupported("upgrade"),
};
Object.assign(Dispatcher.prototype, api);
