// WHATWG fetch as undici (and Node) provide it: Headers, Request, Response, FormData and
// fetch(), dispatched through undici dispatchers (the global one unless `init.dispatcher`).
import { kDecompress, parseHeaders } from "./core.js";
import { getGlobalDispatcher } from "./net.js";
import { decodeAll, DECODERS } from "./interceptors.js";

const kList = Symbol("fnhost.fetch.headerList");
const kGuard = Symbol("fnhost.fetch.guard");
const kBody = Symbol("fnhost.fetch.body");
const kState = Symbol("fnhost.fetch.state");
const kEntries = Symbol("fnhost.fetch.formEntries");
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const encoder = new TextEncoder();

function trimHttpWhitespace(v) {
  return v.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
}

function checkName(name, method = "append") {
  if (!TOKEN.test(name)) throw new TypeError(`Headers.${method}: "${name}" is an invalid header name.`);
}

function checkValue(value, method = "append") {
  if (/[\0\r\n]/.test(value)) throw new TypeError(`Headers.${method}: "${value}" is an invalid header value.`);
}

export class Headers {
  constructor(init = undefined) {
    this[kList] = [];
    this[kGuard] = "none";
    if (init === undefined || init === null) {
      if (init === null) throw new TypeError("Headers constructor: expected an object, got null");
      return;
    }
    if (typeof init !== "object") throw new TypeError("Headers constructor: init must be an object");
    if (init instanceof Headers) {
      for (const [k, v] of init[kList]) this[kList].push([k, v]);
      return;
    }
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const arr = typeof pair === "string" ? null : [...pair];
        if (!arr || arr.length !== 2) throw new TypeError("Headers constructor: expected name/value pair to be length 2, found " + (arr?.length ?? 1) + ".");
        this.append(arr[0], arr[1]);
      }
      return;
    }
    for (const key of Reflect.ownKeys(init)) {
      if (typeof key !== "string") continue;
      const desc = Reflect.getOwnPropertyDescriptor(init, key);
      if (desc?.enumerable) this.append(key, init[key]);
    }
  }
  append(name, value) {
    name = String(name);
    value = trimHttpWhitespace(String(value));
    checkName(name, "append");
    checkValue(value, "append");
    if (this[kGuard] === "immutable") throw new TypeError("immutable");
    this[kList].push([name.toLowerCase(), value]);
  }
  delete(name) {
    name = String(name);
    checkName(name, "delete");
    if (this[kGuard] === "immutable") throw new TypeError("immutable");
    const lower = name.toLowerCase();
    this[kList] = this[kList].filter(([k]) => k !== lower);
  }
  get(name) {
    name = String(name);
    checkName(name, "get");
    const lower = name.toLowerCase();
    const values = this[kList].filter(([k]) => k === lower).map(([, v]) => v);
    return values.length ? values.join(", ") : null;
  }
  getSetCookie() {
    return this[kList].filter(([k]) => k === "set-cookie").map(([, v]) => v);
  }
  has(name) {
    name = String(name);
    checkName(name, "has");
    const lower = name.toLowerCase();
    return this[kList].some(([k]) => k === lower);
  }
  set(name, value) {
    name = String(name);
    value = trimHttpWhitespace(String(value));
    checkName(name, "set");
    checkValue(value, "set");
    if (this[kGuard] === "immutable") throw new TypeError("immutable");
    const lower = name.toLowerCase();
    const i = this[kList].findIndex(([k]) => k === lower);
    if (i === -1) this[kList].push([lower, value]);
    else {
      this[kList][i] = [lower, value];
      this[kList] = this[kList].filter(([k], j) => k !== lower || j === i);
    }
  }
  /** Sorted and combined, as the spec iterates (set-cookie stays separate). */
  *entries() {
    const names = [...new Set(this[kList].map(([k]) => k))].sort();
    for (const name of names) {
      if (name === "set-cookie") for (const v of this.getSetCookie()) yield [name, v];
      else yield [name, this.get(name)];
    }
  }
  *keys() {
    for (const [k] of this.entries()) yield k;
  }
  *values() {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(callback, thisArg) {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "Headers";
  }
  [Symbol.for("nodejs.util.inspect.custom")](depth, options, inspect) {
    const obj = Object.fromEntries(this.entries());
    return `Headers ${inspect ? inspect(obj, options) : JSON.stringify(obj)}`;
  }
}

function normalizeLineBreaks(s) {
  return s.replace(/\r?\n|\r/g, "\r\n");
}

function toFile(value, filename) {
  if (value instanceof File && filename === undefined) return value;
  const name = filename !== undefined ? String(filename) : value instanceof File ? value.name : "blob";
  return new File([value], name, { type: value.type, lastModified: value.lastModified });
}

export class FormData {
  constructor(form) {
    if (form !== undefined) {
      throw new TypeError("FormData constructor: Argument 1 is not supported in Node.js (expected undefined)");
    }
    this[kEntries] = [];
  }
  append(name, value, filename = undefined) {
    if (arguments.length < 2) throw new TypeError(`Failed to execute 'append' on 'FormData': 2 arguments required, but only ${arguments.length} present.`);
    const isBlob = value instanceof Blob;
    if (!isBlob && filename !== undefined) throw new TypeError("Failed to execute 'append' on 'FormData': parameter 2 is not of type 'Blob'");
    this[kEntries].push([String(name), isBlob ? toFile(value, filename) : String(value)]);
  }
  delete(name) {
    name = String(name);
    this[kEntries] = this[kEntries].filter(([k]) => k !== name);
  }
  get(name) {
    name = String(name);
    const e = this[kEntries].find(([k]) => k === name);
    return e ? e[1] : null;
  }
  getAll(name) {
    name = String(name);
    return this[kEntries].filter(([k]) => k === name).map(([, v]) => v);
  }
  has(name) {
    name = String(name);
    return this[kEntries].some(([k]) => k === name);
  }
  set(name, value, filename = undefined) {
    name = String(name);
    const isBlob = value instanceof Blob;
    const entry = [name, isBlob ? toFile(value, filename) : String(value)];
    const i = this[kEntries].findIndex(([k]) => k === name);
    if (i === -1) this[kEntries].push(entry);
    else {
      this[kEntries][i] = entry;
      this[kEntries] = this[kEntries].filter(([k], j) => k !== name || j === i);
    }
  }
  *entries() {
    for (const [k, v] of this[kEntries]) yield [k, v];
  }
  *keys() {
    for (const [k] of this[kEntries]) yield k;
  }
  *values() {
    for (const [, v] of this[kEntries]) yield v;
  }
  forEach(callback, thisArg) {
    for (const [k, v] of this[kEntries]) callback.call(thisArg, v, k, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "FormData";
  }
}

const isFormDataLike = (v) => v instanceof FormData || (v && typeof v === "object" && v[Symbol.toStringTag] === "FormData" && typeof v.append === "function" && typeof v.entries === "function");

/** multipart/form-data encoding of a FormData, as undici writes it. */
export async function encodeFormData(form) {
  const boundary = `----formdata-undici-0${`${Math.floor(Math.random() * 1e11)}`.padStart(11, "0")}`;
  const escape = (s) => s.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
  const parts = [];
  for (const [name, value] of form.entries ? form.entries() : form) {
    if (typeof value === "string") {
      parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escape(normalizeLineBreaks(name))}"\r\n\r\n${normalizeLineBreaks(value)}\r\n`));
    } else {
      parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escape(normalizeLineBreaks(name))}"` +
        (value.name ? `; filename="${escape(value.name)}"` : "") + `\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`));
      parts.push(new Uint8Array(await value.arrayBuffer()));
      parts.push(encoder.encode("\r\n"));
    }
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  return { bytes: concatBytes(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function concatBytes(parts) {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

function bytesOf(view) {
  if (view instanceof ArrayBuffer) return new Uint8Array(view.slice(0));
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

/** Request body in any form undici accepts, as bytes (+ the content type it implies).
 * `forFetch`: strings and URLSearchParams get fetch's default content types. */
export async function extractBody(body, forFetch = false) {
  if (body == null) return { bytes: null, contentType: null };
  if (typeof body === "string") return { bytes: encoder.encode(body), contentType: forFetch ? "text/plain;charset=UTF-8" : null };
  if (body instanceof URLSearchParams) {
    return { bytes: encoder.encode(body.toString()), contentType: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return { bytes: bytesOf(body), contentType: null };
  if (body instanceof Blob) return { bytes: new Uint8Array(await body.arrayBuffer()), contentType: body.type || null };
  if (isFormDataLike(body)) return encodeFormData(body);
  if (typeof body.getReader === "function") {
    const chunks = [];
    const reader = body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(typeof value === "string" ? encoder.encode(value) : bytesOf(value));
    }
    return { bytes: concatBytes(chunks), contentType: null };
  }
  if (typeof body[Symbol.asyncIterator] === "function" || (typeof body[Symbol.iterator] === "function" && typeof body !== "string")) {
    const chunks = [];
    for await (const chunk of body) chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : bytesOf(chunk));
    return { bytes: concatBytes(chunks), contentType: null };
  }
  return { bytes: encoder.encode(String(body)), contentType: forFetch ? "text/plain;charset=UTF-8" : null };
}

/** Body storage for Request/Response: bytes, a stream, or nothing. */
function makeBody(bytes, stream = null, source = null) {
  return { bytes, stream, used: false, source };
}

function bodyStream(owner) {
  const b = owner[kBody];
  if (!b) return null;
  if (!b.stream) {
    let bytes = b.bytes;
    b.stream = new ReadableStream({
      pull(c) {
        b.used = true;
        if (bytes && bytes.byteLength) c.enqueue(bytes);
        bytes = null;
        c.close();
      },
    }, { highWaterMark: 0 });
  }
  return b.stream;
}

async function readAll(owner) {
  const b = owner[kBody];
  if (!b) return new Uint8Array(0);
  if (b.used || b.stream?.locked) throw new TypeError("Body is unusable: Body has already been read");
  if (!b.stream) {
    b.used = true;
    return b.bytes ?? new Uint8Array(0);
  }
  b.used = true;
  const reader = b.stream.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return concatBytes(chunks);
}

function mimeOf(owner) {
  return owner.headers.get("content-type") ?? "";
}

const bodyMixin = {
  get body() {
    return bodyStream(this);
  },
  get bodyUsed() {
    return !!this[kBody]?.used;
  },
  async arrayBuffer() {
    const bytes = await readAll(this);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  },
  async bytes() {
    return new Uint8Array(await this.arrayBuffer());
  },
  async text() {
    return new TextDecoder().decode(await readAll(this));
  },
  async json() {
    return JSON.parse(await this.text());
  },
  async blob() {
    const bytes = await readAll(this);
    return new Blob([bytes], { type: mimeOf(this) });
  },
  async formData() {
    const type = mimeOf(this);
    const text = await this.text();
    if (/^application\/x-www-form-urlencoded/i.test(type)) {
      const fd = new FormData();
      for (const [k, v] of new URLSearchParams(text)) fd.append(k, v);
      return fd;
    }
    const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    if (!/^multipart\/form-data/i.test(type) || !m) throw new TypeError("Response.formData: Could not parse content as FormData.");
    const boundary = m[1] ?? m[2];
    const fd = new FormData();
    for (const part of text.split(`--${boundary}`).slice(1, -1)) {
      const [head, ...rest] = part.replace(/^\r\n/, "").split("\r\n\r\n");
      const value = rest.join("\r\n\r\n").replace(/\r\n$/, "");
      const name = /name="([^"]*)"/.exec(head)?.[1] ?? "";
      const filename = /filename="([^"]*)"/.exec(head)?.[1];
      if (filename !== undefined) {
        const ctype = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? "";
        fd.append(name, new Blob([value], { type: ctype }), filename);
      } else fd.append(name, value);
    }
    return fd;
  },
};

function mixBody(cls) {
  for (const key of Object.getOwnPropertyNames(bodyMixin)) {
    Object.defineProperty(cls.prototype, key, Object.getOwnPropertyDescriptor(bodyMixin, key));
  }
}

/** Synchronous body extraction for constructors (async sources become streams). */
function initBody(body, headers) {
  if (body == null) return null;
  let bytes = null;
  let type = null;
  let stream = null;
  if (typeof body === "string") {
    bytes = encoder.encode(body);
    type = "text/plain;charset=UTF-8";
  } else if (body instanceof URLSearchParams) {
    bytes = encoder.encode(body.toString());
    type = "application/x-www-form-urlencoded;charset=UTF-8";
  } else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    bytes = bytesOf(body);
  } else if (body instanceof Blob) {
    stream = body.stream();
    type = body.type || null;
  } else if (isFormDataLike(body)) {
    const pending = encodeFormData(body);
    const boundaryHolder = {};
    stream = new ReadableStream({
      async pull(c) {
        const { bytes: b } = await pending;
        c.enqueue(b);
        c.close();
      },
    });
    // The boundary is random: compute synchronously by encoding eagerly is not possible for
    // files, so derive the content type from the same pending encoding.
    boundaryHolder.pending = pending;
    type = null;
    headers[kState] = pending;
  } else if (typeof body.getReader === "function") {
    stream = body;
  } else if (typeof body[Symbol.asyncIterator] === "function") {
    const it = body[Symbol.asyncIterator]();
    stream = new ReadableStream({
      async pull(c) {
        const { value, done } = await it.next();
        if (done) c.close();
        else c.enqueue(typeof value === "string" ? encoder.encode(value) : bytesOf(value));
      },
    });
  } else {
    bytes = encoder.encode(String(body));
    type = "text/plain;charset=UTF-8";
  }
  if (type && !headers.has("content-type")) headers.set("content-type", type);
  return makeBody(bytes, stream, body);
}

const STANDARD_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

export class Request {
  constructor(input, init = {}) {
    if (arguments.length < 1) throw new TypeError("Request constructor: At least 1 argument required, but only 0 passed");
    init = init ?? {};
    let url;
    let base = null;
    if (input instanceof Request) {
      base = input;
      url = input.url;
    } else {
      try {
        url = new URL(String(input)).href;
      } catch (e) {
        throw new TypeError(`Failed to parse URL from ${String(input)}`, { cause: e });
      }
    }
    let method = init.method !== undefined ? String(init.method) : base?.method ?? "GET";
    if (!TOKEN.test(method)) throw new TypeError(`'${method}' is not a valid HTTP method.`);
    if (STANDARD_METHODS.includes(method.toUpperCase())) method = method.toUpperCase();
    const headers = new Headers(init.headers !== undefined ? init.headers : base?.headers);
    this[kState] = {
      url,
      method,
      headers,
      signal: init.signal ?? base?.signal ?? new AbortController().signal,
      redirect: init.redirect ?? base?.redirect ?? "follow",
      cache: init.cache ?? "default",
      credentials: init.credentials ?? "same-origin",
      mode: init.mode ?? "cors",
      integrity: init.integrity ?? "",
      keepalive: !!init.keepalive,
      referrer: "about:client",
      referrerPolicy: init.referrerPolicy ?? "",
      duplex: init.duplex ?? "half",
      dispatcher: init.dispatcher ?? base?.[kState].dispatcher,
    };
    const body = init.body !== undefined ? init.body : null;
    if (body != null && (method === "GET" || method === "HEAD")) {
      throw new TypeError("Request with GET/HEAD method cannot have body.");
    }
    if (body != null) this[kBody] = initBody(body, headers);
    else if (base && init.body === undefined) this[kBody] = base[kBody];
    else this[kBody] = null;
    this[kState].formPending = headers[kState];
    delete headers[kState];
  }
  get url() {
    return this[kState].url;
  }
  get method() {
    return this[kState].method;
  }
  get headers() {
    return this[kState].headers;
  }
  get signal() {
    return this[kState].signal;
  }
  get redirect() {
    return this[kState].redirect;
  }
  get cache() {
    return this[kState].cache;
  }
  get credentials() {
    return this[kState].credentials;
  }
  get mode() {
    return this[kState].mode;
  }
  get integrity() {
    return this[kState].integrity;
  }
  get keepalive() {
    return this[kState].keepalive;
  }
  get referrer() {
    return this[kState].referrer;
  }
  get referrerPolicy() {
    return this[kState].referrerPolicy;
  }
  get duplex() {
    return this[kState].duplex;
  }
  get destination() {
    return "";
  }
  clone() {
    if (this.bodyUsed) throw new TypeError("Request.clone: Body has already been consumed.");
    const r = new Request(this, {});
    r[kBody] = teeBody(this);
    return r;
  }
  get [Symbol.toStringTag]() {
    return "Request";
  }
}
mixBody(Request);

function teeBody(owner) {
  const b = owner[kBody];
  if (!b) return null;
  if (!b.stream) return makeBody(b.bytes, null, b.source);
  const [a, c] = b.stream.tee();
  b.stream = a;
  return makeBody(null, c, b.source);
}

const NULL_BODY_STATUS = [101, 103, 204, 205, 304];
const REDIRECT_STATUS = [301, 302, 303, 307, 308];

export class Response {
  constructor(body = null, init = {}) {
    init = init ?? {};
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    }
    const statusText = init.statusText !== undefined ? String(init.statusText) : "";
    const headers = new Headers(init.headers);
    if (body != null && NULL_BODY_STATUS.includes(status)) throw new TypeError("Response constructor: Invalid response status code " + status);
    this[kState] = { status, statusText, headers, url: "", redirected: false, type: "default", urlList: [] };
    this[kBody] = body != null ? initBody(body, headers) : null;
    if (headers[kState]) {
      const pending = headers[kState];
      delete headers[kState];
      this[kState].formPending = pending;
    }
  }
  static error() {
    const r = new Response(null, { status: 200 });
    r[kState].status = 0;
    r[kState].type = "error";
    r[kState].headers[kGuard] = "immutable";
    return r;
  }
  static json(data, init = {}) {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Value is not JSON serializable");
    const headers = new Headers(init?.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(text, { ...init, headers });
  }
  static redirect(url, status = 302) {
    const parsed = new URL(String(url));
    if (!REDIRECT_STATUS.includes(status)) throw new RangeError(`Invalid status code ${status}`);
    const r = new Response(null, { status, headers: { location: parsed.href } });
    r[kState].headers[kGuard] = "immutable";
    return r;
  }
  get status() {
    return this[kState].status;
  }
  get ok() {
    return this[kState].status >= 200 && this[kState].status <= 299;
  }
  get statusText() {
    return this[kState].statusText;
  }
  get headers() {
    return this[kState].headers;
  }
  get url() {
    return this[kState].url;
  }
  get redirected() {
    return this[kState].redirected;
  }
  get type() {
    return this[kState].type;
  }
  clone() {
    if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    const r = new Response(null, { status: this.status === 0 ? 200 : this.status, statusText: this.statusText, headers: this.headers });
    Object.assign(r[kState], { ...this[kState], headers: new Headers(this.headers) });
    r[kBody] = teeBody(this);
    return r;
  }
  get [Symbol.toStringTag]() {
    return "Response";
  }
}
mixBody(Response);

/** Fixes the multipart content type of a FormData body once its boundary is known. */
async function settleForm(state, headers) {
  if (state.formPending) {
    const { contentType } = await state.formPending;
    if (!headers.has("content-type")) headers.set("content-type", contentType);
    state.formPending = null;
  }
}

function abortError(signal) {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

function fetchFailed(cause) {
  return new TypeError("fetch failed", { cause });
}

/** One dispatch: resolves with `{ status, statusText, rawHeaders, stream }`. */
function dispatchOnce(dispatcher, opts, signal) {
  return new Promise((resolve, reject) => {
    let controller = null;
    let resumeFn = null;
    let abortFn = null;
    let started = false;
    let finished = false;
    const onAbort = () => {
      const err = abortError(signal);
      abortFn?.(err);
      if (!started) reject(err);
      else if (!finished) {
        finished = true;
        try {
          controller?.error(err);
        } catch {
          // already closed
        }
      }
    };
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => signal?.removeEventListener("abort", onAbort);
    const handler = {
      onConnect(abort) {
        abortFn = abort;
        if (signal?.aborted) abort(abortError(signal));
      },
      onHeaders(status, rawHeaders, resume, statusText) {
        if (status < 200) return true;
        started = true;
        resumeFn = resume;
        const stream = new ReadableStream({
          start(c) {
            controller = c;
          },
          pull() {
            resumeFn?.();
          },
          cancel(reason) {
            finished = true;
            cleanup();
            abortFn?.(reason ?? new DOMException("The operation was aborted.", "AbortError"));
          },
        }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
        resolve({ status, statusText, rawHeaders, stream });
        return true;
      },
      onData(chunk) {
        if (finished) return true;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        return controller.desiredSize > 0;
      },
      onComplete() {
        if (finished) return;
        finished = true;
        cleanup();
        controller.close();
      },
      onError(err) {
        cleanup();
        if (!started) {
          reject(signal?.aborted ? abortError(signal) : err);
          return;
        }
        if (finished) return;
        finished = true;
        try {
          // after the head, undici's fetch ends the body with `terminated` (the cause says why)
          controller.error(signal?.aborted ? abortError(signal) : new TypeError("terminated", { cause: err }));
        } catch {
          // already closed
        }
      },
    };
    try {
      dispatcher.dispatch(opts, handler);
    } catch (err) {
      handler.onError(err);
    }
  });
}

/** `stream` decoded from `codings` (the body is collected first: replies decoded here are mocks). */
function decodedStream(stream, codings) {
  let done = false;
  return new ReadableStream({
    async pull(c) {
      if (done) return;
      done = true;
      const reader = stream.getReader();
      const chunks = [];
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        chunks.push(value);
      }
      try {
        const out = decodeAll(Buffer.from(concatBytes(chunks)), codings);
        if (out.length) c.enqueue(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
        c.close();
      } catch (err) {
        c.error(new TypeError("terminated", { cause: err }));
      }
    },
  }, { highWaterMark: 0 });
}

/** `data:` URLs are answered locally, as undici does. */
function fetchDataUrl(request) {
  const url = request.url;
  const comma = url.indexOf(",");
  if (comma === -1) throw fetchFailed(new TypeError("invalid data: URL"));
  let meta = url.slice(5, comma).trim();
  const payload = url.slice(comma + 1).replace(/#.*$/, "");
  const base64 = /;\s*base64\s*$/i.test(meta);
  if (base64) meta = meta.replace(/;\s*base64\s*$/i, "");
  let bytes;
  if (base64) {
    bytes = Buffer.from(decodeURIComponent(payload).replace(/\s+/g, ""), "base64");
  } else {
    bytes = Buffer.from(payload.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), "latin1");
  }
  let type = meta.trim();
  if (!type || type.startsWith(";")) type = `text/plain${type || ";charset=US-ASCII"}`;
  const response = new Response(new Uint8Array(bytes), { status: 200, statusText: "OK", headers: { "content-type": type } });
  response[kState].url = url;
  response[kState].type = "basic";
  return response;
}

/** undici's `fetch`: says `user-agent: undici`, as the npm package does. */
export async function fetch(input, init = undefined) {
  return fetchAs("undici", input, init);
}

/** The realm's global `fetch`: Node's own (its bundled undici) says `user-agent: node`. */
export const nodeFetch = {
  async fetch(input, init = undefined) {
    return fetchAs("node", input, init);
  },
}.fetch;

/** WHATWG fetch over undici dispatchers, sending undici's default request headers after the
 * caller's, in undici's order. */
async function fetchAs(userAgent, input, init) {
  const request = new Request(input, init ?? {});
  const signal = request.signal;
  if (signal?.aborted) throw abortError(signal);
  const state = request[kState];
  await settleForm(state, request.headers);
  if (request.url.startsWith("data:")) return fetchDataUrl(request);
  const dispatcher = init?.dispatcher ?? state.dispatcher ?? getGlobalDispatcher();
  let url = new URL(request.url);
  let method = request.method;
  let body = null;
  // Like undici, a mock agent sees the body as it was given (string, FormData, ...), so that
  // interceptors can match on it; the network gets bytes.
  const source = request[kBody]?.source ?? null;
  if (request[kBody]) body = await readAll(request);
  if (dispatcher.isMockActive && source !== null) body = source;
  const headers = new Headers(request.headers);
  if (!headers.has("accept")) headers.set("accept", "*/*");
  if (!headers.has("accept-language")) headers.set("accept-language", "*");
  if (!headers.has("sec-fetch-mode")) headers.set("sec-fetch-mode", "cors");
  if (!headers.has("user-agent")) headers.set("user-agent", userAgent);
  if (headers.has("range")) headers.append("accept-encoding", "identity");
  if (!headers.has("accept-encoding")) headers.set("accept-encoding", url.protocol === "https:" ? "br, gzip, deflate" : "gzip, deflate");
  const urlList = [url.href];
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw fetchFailed(new Error(url.protocol === "data:" ? "data: URLs are not supported by fnhost's fetch" : "unknown scheme"));
    }
    const flat = [];
    for (const [k, v] of headers[kList]) flat.push(k, v);
    const opts = {
      origin: url.origin,
      path: url.pathname + url.search,
      method,
      headers: flat,
      body,
      maxRedirections: 0,
      [kDecompress]: true,
    };
    let res;
    try {
      res = await dispatchOnce(dispatcher, opts, signal);
    } catch (err) {
      if (err?.name === "AbortError" && signal?.aborted) throw err;
      throw fetchFailed(err);
    }
    const parsed = parseHeaders(res.rawHeaders);
    const location = Array.isArray(parsed.location) ? parsed.location[0] : parsed.location;
    if (REDIRECT_STATUS.includes(res.status) && location !== undefined && request.redirect !== "manual") {
      if (request.redirect === "error") {
        res.stream.cancel().catch(() => {});
        throw fetchFailed(new Error("unexpected redirect"));
      }
      if (redirects >= 20) {
        res.stream.cancel().catch(() => {});
        throw fetchFailed(new Error("redirect count exceeded"));
      }
      const next = new URL(location, url);
      // Drain the redirect's body.
      await res.stream.pipeTo(new WritableStream()).catch(() => {});
      if (res.status === 303 && method !== "GET" && method !== "HEAD" || (res.status === 301 || res.status === 302) && method === "POST") {
        method = "GET";
        body = null;
        for (const name of ["content-encoding", "content-language", "content-location", "content-type", "content-length"]) headers.delete(name);
      }
      if (next.origin !== url.origin) {
        headers.delete("authorization");
        headers.delete("proxy-authorization");
        headers.delete("cookie");
        headers.delete("host");
      }
      url = next;
      urlList.push(url.href);
      continue;
    }
    const response = new Response(null, { status: 200 });
    const rs = response[kState];
    rs.status = res.status;
    rs.statusText = res.statusText ?? "";
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      rs.headers[kList].push([String(res.rawHeaders[i]).toLowerCase(), Buffer.isBuffer(res.rawHeaders[i + 1]) ? res.rawHeaders[i + 1].toString("latin1") : String(res.rawHeaders[i + 1])]);
    }
    rs.headers[kGuard] = "immutable";
    rs.url = url.href;
    rs.urlList = urlList;
    rs.redirected = urlList.length > 1;
    rs.type = "basic";
    const nullBody = method === "HEAD" || NULL_BODY_STATUS.includes(res.status);
    if (nullBody) {
      res.stream.cancel().catch(() => {});
      response[kBody] = null;
    } else {
      // Like undici's fetch, decode a content-encoding that is still there (mocked replies;
      // the network layer has already decoded the rest). The header stays, as in undici.
      const codings = String(parsed["content-encoding"] ?? "").toLowerCase().split(",").map((c) => c.trim()).filter(Boolean);
      let source = res.stream;
      if (codings.length && codings.length <= 5 && codings.every((c) => DECODERS[c]) && !REDIRECT_STATUS.includes(res.status)) {
        source = decodedStream(res.stream, codings);
      }
      response[kBody] = makeBody(null, source);
      const b = response[kBody];
      const reader = source;
      b.stream = new ReadableStream({
        async pull(c) {
          b.used = true;
          if (!b.reader) b.reader = reader.getReader();
          const { value, done } = await b.reader.read();
          if (done) c.close();
          else c.enqueue(value);
        },
        cancel(reason) {
          return (b.reader ?? reader).cancel(reason);
        },
      }, { highWaterMark: 0 });
    }
    return response;
  }
}
