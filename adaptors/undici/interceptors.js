// undici's interceptors (`interceptors.redirect/decompress/retry/dump/responseError/...`) and
// the handler classes behind them, written against the legacy handler API (see core.js).
import { dual, headerPairs, kDecompress, kRedirected, parseHeaders } from "./core.js";
import zlib from "node:zlib";
import { InvalidArgumentError, RequestRetryError, ResponseError } from "./errors.js";

const REDIRECT_CODES = [300, 301, 302, 303, 307, 308];

/** Base for handlers that wrap another handler and forward everything. */
export class DecoratorHandler {
  constructor(handler) {
    if (typeof handler !== "object" || handler === null) throw new TypeError("handler must be an object");
    this.handler = dual(handler);
  }
  onConnect(...args) {
    return this.handler.onConnect?.(...args);
  }
  onHeaders(...args) {
    return this.handler.onHeaders?.(...args);
  }
  onData(...args) {
    return this.handler.onData?.(...args);
  }
  onComplete(...args) {
    return this.handler.onComplete?.(...args);
  }
  onError(...args) {
    return this.handler.onError?.(...args);
  }
  onUpgrade(...args) {
    return this.handler.onUpgrade?.(...args);
  }
}

function cleanRequestHeaders(headers, removeContent, crossOrigin) {
  const out = [];
  for (const [k, v] of headerPairs(headers)) {
    const name = k.toLowerCase();
    if (name === "host") continue;
    if (removeContent && name.startsWith("content-")) continue;
    if (crossOrigin && (name === "authorization" || name === "cookie" || name === "proxy-authorization")) continue;
    out.push(k, v);
  }
  return out;
}

/** Follows 3xx responses with a `location`, up to `maxRedirections`. */
export class RedirectHandler {
  constructor(dispatch, maxRedirections, opts, handler) {
    if (maxRedirections != null && (!Number.isInteger(maxRedirections) || maxRedirections < 0)) {
      throw new InvalidArgumentError("maxRedirections must be a positive number");
    }
    this.dispatch = dispatch;
    this.location = null;
    const { maxRedirections: _, ...clean } = opts;
    this.opts = clean;
    this.maxRedirections = maxRedirections;
    this.handler = dual(handler);
    this.history = [];
    this.abort = null;
  }
  onConnect(abort, context) {
    this.abort = abort;
    this.handler.onConnect?.(abort, { ...context, history: this.history });
  }
  onUpgrade(status, raw, socket) {
    this.handler.onUpgrade?.(status, raw, socket);
  }
  onHeaders(statusCode, rawHeaders, resume, statusText) {
    if (this.opts.throwOnMaxRedirect && this.history.length >= this.maxRedirections) {
      throw new Error("max redirects");
    }
    const headers = parseHeaders(rawHeaders);
    if ((statusCode === 301 || statusCode === 302) && this.opts.method === "POST") {
      this.opts.method = "GET";
      this.opts.body = null;
    }
    if (statusCode === 303 && this.opts.method !== "HEAD") {
      this.opts.method = "GET";
      this.opts.body = null;
    }
    const streamed = this.opts.body && typeof this.opts.body === "object" && typeof this.opts.body.pipe === "function";
    this.location = this.history.length >= this.maxRedirections || streamed || !REDIRECT_CODES.includes(statusCode)
      ? null
      : headers.location ?? null;
    if (this.opts.origin) this.history.push(new URL(this.opts.path, this.opts.origin));
    if (!this.location) return this.handler.onHeaders(statusCode, rawHeaders, resume, statusText);
    const base = this.opts.origin ? new URL(this.opts.path, this.opts.origin) : undefined;
    const next = new URL(Array.isArray(this.location) ? this.location[0] : this.location, base);
    const path = next.search ? `${next.pathname}${next.search}` : next.pathname;
    const target = `${next.origin}${path}`;
    for (const seen of this.history) {
      if (seen.toString() === target) {
        throw new InvalidArgumentError(`Redirect loop detected. Cannot redirect to ${next.origin}. This typically happens when using a Client or Pool with cross-origin redirects. Use an Agent for cross-origin redirects.`);
      }
    }
    this.opts.headers = cleanRequestHeaders(this.opts.headers, statusCode === 303, this.opts.origin !== next.origin);
    this.opts.path = path;
    this.opts.origin = next.origin;
    this.opts.query = null;
    return true;
  }
  onData(chunk) {
    if (this.location) return true;
    return this.handler.onData(chunk);
  }
  onComplete(trailers) {
    if (this.location) {
      this.location = null;
      this.dispatch(this.opts, this);
    } else {
      this.handler.onComplete(trailers);
    }
  }
  onError(err) {
    this.handler.onError(err);
  }
}

export function redirect({ maxRedirections: defaultMax } = {}) {
  return (dispatch) =>
    function Intercept(opts, handler) {
      const { maxRedirections = defaultMax, ...rest } = opts;
      if (maxRedirections == null || maxRedirections === 0) return dispatch({ ...rest, [kRedirected]: true }, handler);
      const dispatchOpts = { ...rest, [kRedirected]: true };
      return dispatch(dispatchOpts, new RedirectHandler(dispatch, maxRedirections, dispatchOpts, handler));
    };
}

/** Content codings the bridge decodes in JavaScript (replies that reach it still encoded:
 * mocks; network responses are decoded in Rust). */
export const DECODERS = {
  gzip: (b) => zlib.gunzipSync(b),
  "x-gzip": (b) => zlib.gunzipSync(b),
  deflate: (b) => {
    try {
      return zlib.inflateSync(b);
    } catch {
      return zlib.inflateRawSync(b);
    }
  },
  br: (b) => zlib.brotliDecompressSync(b),
};

/** Decodes `bytes` encoded with `encodings` (in the order they were applied). */
export function decodeAll(bytes, encodings) {
  let data = bytes;
  for (const enc of [...encodings].reverse()) data = DECODERS[enc](data);
  return data;
}

/** Decodes content-encoding gzip/deflate/br. Network responses are decoded in Rust; replies that
 * still carry an encoding (mocks) are decoded here. */
export function decompress(options = {}) {
  const skipStatusCodes = options.skipStatusCodes ?? [204, 304];
  const skipErrorResponses = options.skipErrorResponses ?? true;
  return (dispatch) =>
    function Intercept(opts, handler) {
      const h = dual(handler);
      let decoding = null;
      const chunks = [];
      const wrapped = {
        onConnect: (abort, ctx) => h.onConnect(abort, ctx),
        onHeaders(statusCode, rawHeaders, resume, statusText) {
          const headers = parseHeaders(rawHeaders);
          const enc = String(headers["content-encoding"] ?? "").toLowerCase().split(",").map((s) => s.trim()).filter(Boolean);
          const skip = opts.method === "HEAD" || skipStatusCodes.includes(statusCode) || (skipErrorResponses && statusCode >= 400);
          if (!enc.length || skip || !enc.every((e) => DECODERS[e])) return h.onHeaders(statusCode, rawHeaders, resume, statusText);
          decoding = enc;
          const raw = [];
          for (let i = 0; i < rawHeaders.length; i += 2) {
            const name = String(rawHeaders[i]).toLowerCase();
            if (name === "content-encoding" || name === "content-length") continue;
            raw.push(rawHeaders[i], rawHeaders[i + 1]);
          }
          return h.onHeaders(statusCode, raw, resume, statusText);
        },
        onData(chunk) {
          if (!decoding) return h.onData(chunk);
          chunks.push(chunk);
          return true;
        },
        onComplete(trailers) {
          if (!decoding) return h.onComplete(trailers);
          let data;
          try {
            data = decodeAll(Buffer.concat(chunks), decoding);
          } catch (err) {
            h.onError(err);
            return;
          }
          if (data.length) h.onData(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
          h.onComplete(trailers);
        },
        onError: (err) => h.onError(err),
        onUpgrade: (...a) => h.onUpgrade(...a),
      };
      return dispatch({ ...opts, [kDecompress]: true }, wrapped);
    };
}

const RETRY_DEFAULTS = {
  maxRetries: 5,
  minTimeout: 500,
  maxTimeout: 30000,
  timeoutFactor: 2,
  retryAfter: true,
  methods: ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"],
  statusCodes: [500, 502, 503, 504, 429],
  errorCodes: ["ECONNRESET", "ECONNREFUSED", "ENOTFOUND", "ENETDOWN", "ENETUNREACH", "EHOSTDOWN", "EHOSTUNREACH", "EPIPE", "UND_ERR_SOCKET"],
};

function retryAfterMs(value) {
  if (value == null) return null;
  const s = Number(value);
  if (Number.isFinite(s)) return s * 1000;
  const d = Date.parse(value);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : null;
}

/** Retries failed requests (network errors and retryable status codes) with backoff. */
export class RetryHandler {
  constructor(opts, { dispatch, handler }) {
    const { retryOptions, ...dispatchOpts } = opts;
    this.retryOpts = { ...RETRY_DEFAULTS, ...(retryOptions ?? {}) };
    this.opts = dispatchOpts;
    this.dispatch = dispatch;
    this.handler = dual(handler);
    this.count = 0;
    this.swallow = false;
    this.pendingError = null;
  }
  delay(headers) {
    const { minTimeout, maxTimeout, timeoutFactor, retryAfter } = this.retryOpts;
    let ms = Math.min(minTimeout * timeoutFactor ** (this.count - 1), maxTimeout);
    if (retryAfter && headers) {
      const ra = retryAfterMs(Array.isArray(headers["retry-after"]) ? headers["retry-after"][0] : headers["retry-after"]);
      if (ra != null) ms = Math.min(ra, maxTimeout);
    }
    return ms;
  }
  canRetry(err, statusCode) {
    const { maxRetries, methods, statusCodes, errorCodes } = this.retryOpts;
    if (this.count >= maxRetries) return false;
    if (!methods.includes(String(this.opts.method).toUpperCase())) return false;
    if (this.opts.body && typeof this.opts.body === "object" && typeof this.opts.body.pipe === "function") return false;
    if (statusCode != null) return statusCodes.includes(statusCode);
    return err && errorCodes.includes(err.code);
  }
  retry(headers) {
    this.count++;
    const ms = this.delay(headers);
    setTimeout(() => {
      this.swallow = false;
      this.pendingError = null;
      this.dispatch(this.opts, this);
    }, ms);
  }
  onConnect(abort, ctx) {
    if (this.count === 0) this.handler.onConnect?.(abort, ctx);
  }
  onHeaders(statusCode, rawHeaders, resume, statusText) {
    const { statusCodes } = this.retryOpts;
    if (statusCodes.includes(statusCode)) {
      const headers = parseHeaders(rawHeaders);
      if (this.canRetry(null, statusCode)) {
        this.swallow = true;
        this.retryHeaders = headers;
        return true;
      }
      if (this.count > 0) {
        this.swallow = true;
        this.pendingError = new RequestRetryError("Request failed", statusCode, { headers, data: { count: this.count } });
        return true;
      }
    }
    return this.handler.onHeaders(statusCode, rawHeaders, resume, statusText);
  }
  onData(chunk) {
    if (this.swallow) return true;
    return this.handler.onData(chunk);
  }
  onComplete(trailers) {
    if (this.pendingError) return this.handler.onError(this.pendingError);
    if (this.swallow) return this.retry(this.retryHeaders);
    return this.handler.onComplete(trailers);
  }
  onError(err) {
    if (typeof this.retryOpts.retry === "function") {
      this.retryOpts.retry(err, { state: { counter: this.count }, opts: { ...this.opts, retryOptions: this.retryOpts } }, (e) => {
        if (e) return this.handler.onError(e);
        this.count++;
        this.dispatch(this.opts, this);
      });
      return;
    }
    if (this.canRetry(err)) return this.retry(null);
    this.handler.onError(err);
  }
}

export function retry(globalOpts) {
  return (dispatch) =>
    function Intercept(opts, handler) {
      return dispatch(opts, new RetryHandler({ ...opts, retryOptions: { ...globalOpts, ...opts.retryOptions } }, { handler, dispatch }));
    };
}

/** Reads and discards response bodies (up to `maxSize`), passing on only the head. */
export function dump({ maxSize = 1024 * 1024 } = {}) {
  return (dispatch) =>
    function Intercept(opts, handler) {
      const h = dual(handler);
      const limit = opts.dumpMaxSize ?? maxSize;
      let size = 0;
      let abort = null;
      return dispatch(opts, {
        onConnect: (a, ctx) => {
          abort = a;
          h.onConnect(a, ctx);
        },
        onHeaders: (s, raw, resume, text) => {
          h.onHeaders(s, raw, resume, text);
          return true;
        },
        onData: (chunk) => {
          size += chunk.length;
          if (size > limit) abort?.(new InvalidArgumentError(`Response size (${size}) larger than maxSize (${limit})`));
          return true;
        },
        onComplete: (trailers) => h.onComplete(trailers),
        onError: (err) => h.onError(err),
      });
    };
}

/** Turns 4xx/5xx responses into `ResponseError`s (with the parsed body). */
export function responseError() {
  return (dispatch) =>
    function Intercept(opts, handler) {
      const h = dual(handler);
      let failing = null;
      const chunks = [];
      return dispatch(opts, {
        onConnect: (a, ctx) => h.onConnect(a, ctx),
        onHeaders: (statusCode, raw, resume, text) => {
          if (statusCode >= 400) {
            failing = { statusCode, headers: parseHeaders(raw), text };
            return true;
          }
          return h.onHeaders(statusCode, raw, resume, text);
        },
        onData: (chunk) => {
          if (failing) {
            chunks.push(chunk);
            return true;
          }
          return h.onData(chunk);
        },
        onComplete: (trailers) => {
          if (!failing) return h.onComplete(trailers);
          let body = Buffer.concat(chunks).toString("utf8");
          const ct = String(failing.headers["content-type"] ?? "");
          if (/json/.test(ct)) {
            try {
              body = JSON.parse(body);
            } catch {
              // keep text
            }
          }
          h.onError(new ResponseError("Response Error", failing.statusCode, { headers: failing.headers, body }));
        },
        onError: (err) => h.onError(err),
      });
    };
}

const passthrough = () => (dispatch) => (opts, handler) => dispatch(opts, handler);

export const interceptors = {
  redirect,
  decompress,
  retry,
  dump,
  responseError,
  dns: passthrough,
  cache: passthrough,
  deduplicate: passthrough,
};
