// undici's mocking API: MockAgent, MockPool, MockClient, intercept(...).reply(...), scopes
// (times/persist/delay), net-connect control and call history. Mocked requests never reach
// the network.
import { STATUS_CODES } from "node:http";
import { Dispatcher, dual, serializePathWithQuery } from "./core.js";
import { InvalidArgumentError, MockNotMatchedError, UndiciError } from "./errors.js";
import { Agent, Client, Pool, withRedirects } from "./net.js";

const kDispatches = Symbol("fnhost.undici.mock.dispatches");
const kTotal = Symbol("fnhost.undici.mock.total");

function matchValue(match, value) {
  if (typeof match === "string") return match === value;
  if (match instanceof RegExp) return match.test(value);
  if (typeof match === "function") return match(value) === true;
  return false;
}

const lowerCaseEntries = (headers) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLocaleLowerCase(), v]));

function getHeaderByName(headers, key) {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLocaleLowerCase() === key.toLocaleLowerCase()) return headers[i + 1];
    }
    return undefined;
  }
  if (typeof headers.get === "function") return headers.get(key);
  return lowerCaseEntries(headers)[key.toLocaleLowerCase()];
}

function headersFromArray(headers) {
  const entries = [];
  for (let i = 0; i < headers.length; i += 2) entries.push([headers[i], headers[i + 1]]);
  return Object.fromEntries(entries);
}

function matchHeaders(mock, headers) {
  if (typeof mock.headers === "function") {
    if (Array.isArray(headers)) headers = headersFromArray(headers);
    return mock.headers(headers ? lowerCaseEntries(headers) : {});
  }
  if (typeof mock.headers === "undefined") return true;
  if (typeof headers !== "object" || typeof mock.headers !== "object") return false;
  for (const [name, value] of Object.entries(mock.headers)) {
    if (!matchValue(value, getHeaderByName(headers, name))) return false;
  }
  return true;
}

function safeUrl(path) {
  if (typeof path !== "string") return path;
  const parts = path.split("?", 3);
  if (parts.length !== 2) return path;
  const qp = new URLSearchParams(parts.pop());
  qp.sort();
  return [...parts, qp.toString()].join("?");
}

function removeTrailingSlash(path) {
  while (path.endsWith("/")) path = path.slice(0, -1);
  return path.length === 0 ? "/" : path;
}

function matchKey(mock, { path, method, body, headers }) {
  return matchValue(mock.path, path) && matchValue(mock.method, method) &&
    (typeof mock.body !== "undefined" ? matchValue(mock.body, body) : true) && matchHeaders(mock, headers);
}

function getResponseData(data) {
  if (Buffer.isBuffer(data) || data instanceof Uint8Array || data instanceof ArrayBuffer) return data;
  if (typeof data === "object") return JSON.stringify(data);
  if (data) return data.toString();
  return "";
}

function buildKey({ path, method, body, headers, query }) {
  return { path, method, body, headers, query };
}

function getMockDispatch(dispatches, key) {
  const basePath = key.query ? serializePathWithQuery(key.path, key.query) : key.path;
  const resolvedPath = typeof basePath === "string" ? safeUrl(basePath) : basePath;
  const noSlash = removeTrailingSlash(resolvedPath);
  let matched = dispatches.filter(({ consumed }) => !consumed).filter(({ path, ignoreTrailingSlash }) =>
    ignoreTrailingSlash ? matchValue(removeTrailingSlash(safeUrl(path)), noSlash) : matchValue(safeUrl(path), resolvedPath));
  if (!matched.length) throw new MockNotMatchedError(`Mock dispatch not matched for path '${resolvedPath}'`);
  matched = matched.filter(({ method }) => matchValue(method, key.method));
  if (!matched.length) throw new MockNotMatchedError(`Mock dispatch not matched for method '${key.method}' on path '${resolvedPath}'`);
  matched = matched.filter(({ body }) => (typeof body !== "undefined" ? matchValue(body, key.body) : true));
  if (!matched.length) throw new MockNotMatchedError(`Mock dispatch not matched for body '${key.body}' on path '${resolvedPath}'`);
  matched = matched.filter((m) => matchHeaders(m, key.headers));
  if (!matched.length) {
    const headers = typeof key.headers === "object" ? JSON.stringify(key.headers) : key.headers;
    throw new MockNotMatchedError(`Mock dispatch not matched for headers '${headers}' on path '${resolvedPath}'`);
  }
  return matched[0];
}

function addMockDispatch(dispatches, key, data, opts) {
  const base = { timesInvoked: 0, times: 1, persist: false, consumed: false, ...opts };
  const replyData = typeof data === "function" ? { callback: data } : { ...data };
  const entry = { ...base, ...key, pending: true, data: { error: null, ...replyData } };
  dispatches.push(entry);
  dispatches[kTotal] = (dispatches[kTotal] || 0) + 1;
  return entry;
}

function deleteMockDispatch(dispatches, key) {
  const index = dispatches.findIndex((d) => d.consumed && matchKey(d, key));
  if (index !== -1) dispatches.splice(index, 1);
}

function keyValues(data) {
  const out = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    const name = Buffer.from(`${key}`);
    if (Array.isArray(value)) for (const v of value) out.push(name, Buffer.from(`${v}`));
    else out.push(name, Buffer.from(`${value}`));
  }
  return out;
}

const statusText = (code) => STATUS_CODES[code] || "unknown";

/** Answers one request from the registered interceptors (throws MockNotMatchedError). */
function mockDispatch(dispatches, opts, handler) {
  const key = buildKey(opts);
  const entry = getMockDispatch(dispatches, key);
  entry.timesInvoked++;
  if (entry.data.callback) entry.data = { ...entry.data, ...entry.data.callback(opts) };
  const { data: { statusCode, data, headers, trailers, error }, delay, persist } = entry;
  entry.consumed = !persist && entry.timesInvoked >= entry.times;
  entry.pending = entry.timesInvoked < entry.times;
  if (error !== null) {
    deleteMockDispatch(dispatches, key);
    handler.onError(error);
    return true;
  }
  let aborted = false;
  let timer = null;
  const abort = (err) => {
    if (aborted) return;
    aborted = true;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    handler.onError(err);
  };
  handler.onConnect?.(abort, null);
  const handleReply = (replyData = data) => {
    if (aborted) return;
    const optsHeaders = Array.isArray(opts.headers) ? headersFromArray(opts.headers) : opts.headers;
    const body = typeof replyData === "function" ? replyData({ ...opts, headers: optsHeaders }) : replyData;
    if (body && typeof body.then === "function") {
      body.then((resolved) => handleReply(resolved), (err) => abort(err));
      return;
    }
    if (aborted) return;
    const responseData = getResponseData(body);
    const resume = () => {};
    try {
      handler.onHeaders?.(statusCode, keyValues(headers), resume, statusText(statusCode));
      handler.onData?.(Buffer.from(responseData));
      handler.onComplete?.(keyValues(trailers));
    } catch (err) {
      abort(err);
    }
    deleteMockDispatch(dispatches, key);
  };
  if (typeof delay === "number" && delay > 0) {
    timer = setTimeout(() => {
      timer = null;
      handleReply();
    }, delay);
  } else {
    handleReply();
  }
  return true;
}

function checkNetConnect(netConnect, origin) {
  const url = new URL(origin);
  if (netConnect === true) return true;
  return Array.isArray(netConnect) && netConnect.some((m) => matchValue(m, url.host));
}

function normalizeOrigin(origin) {
  if (typeof origin !== "string" && !(origin instanceof URL)) return origin;
  if (origin instanceof URL) return origin.origin;
  return origin.toLowerCase();
}

/** The dispatch function of a MockPool/MockClient. */
function buildMockDispatch(self, originalDispatch) {
  return function dispatch(opts, handler) {
    handler = dual(handler);
    const agent = self.mockAgent;
    if (!agent.isMockActive) return originalDispatch.call(self, opts, handler);
    try {
      return mockDispatch(self[kDispatches], opts, handler);
    } catch (error) {
      if (error?.code !== "UND_MOCK_ERR_MOCK_NOT_MATCHED") throw error;
      const netConnect = agent.netConnect;
      const all = self[kDispatches];
      const total = all[kTotal] || all.length;
      const remaining = all.filter(({ consumed }) => !consumed).length;
      const counts = `, ${remaining} interceptor(s) remaining out of ${total} defined`;
      if (netConnect === false) {
        throw new MockNotMatchedError(`${error.message}: subsequent request to origin ${self.mockOrigin} was not allowed (net.connect disabled)${counts}`);
      }
      if (checkNetConnect(netConnect, self.mockOrigin)) return originalDispatch.call(self, opts, handler);
      throw new MockNotMatchedError(`${error.message}: subsequent request to origin ${self.mockOrigin} was not allowed (net.connect is not enabled for this origin)${counts}`);
    }
  };
}

/** What `intercept(...).reply(...)` returns: `delay`, `persist`, `times`. */
export class MockScope {
  constructor(entry) {
    this.entry = entry;
  }
  delay(waitInMs) {
    if (typeof waitInMs !== "number" || !Number.isInteger(waitInMs) || waitInMs <= 0) {
      throw new InvalidArgumentError("waitInMs must be a valid integer > 0");
    }
    this.entry.delay = waitInMs;
    return this;
  }
  persist() {
    this.entry.persist = true;
    return this;
  }
  times(repeatTimes) {
    if (typeof repeatTimes !== "number" || !Number.isInteger(repeatTimes) || repeatTimes <= 0) {
      throw new InvalidArgumentError("repeatTimes must be a valid integer > 0");
    }
    this.entry.times = repeatTimes;
    return this;
  }
}

/** What `intercept(opts)` returns. */
export class MockInterceptor {
  constructor(opts, dispatches) {
    if (typeof opts !== "object" || opts === null) throw new InvalidArgumentError("opts must be an object");
    if (typeof opts.path === "undefined") throw new InvalidArgumentError("opts.path must be defined");
    opts = { ...opts };
    if (typeof opts.method === "undefined") opts.method = "GET";
    if (typeof opts.path === "string") {
      if (opts.query) opts.path = serializePathWithQuery(opts.path, opts.query);
      else {
        const parsed = new URL(opts.path, "data://");
        opts.path = parsed.pathname + parsed.search;
      }
    }
    if (typeof opts.method === "string") opts.method = opts.method.toUpperCase();
    this.key = buildKey(opts);
    this.dispatches = dispatches;
    this.ignoreTrailingSlash = opts.ignoreTrailingSlash ?? false;
    this.defaultHeaders = {};
    this.defaultTrailers = {};
    this.contentLength = false;
  }
  createDispatchData({ statusCode, data, responseOptions }) {
    const responseData = getResponseData(data);
    const contentLength = this.contentLength ? { "content-length": responseData.length } : {};
    const headers = { ...this.defaultHeaders, ...contentLength, ...responseOptions.headers };
    const trailers = { ...this.defaultTrailers, ...responseOptions.trailers };
    return { statusCode, data, headers, trailers };
  }
  validate(params) {
    if (typeof params.statusCode === "undefined") throw new InvalidArgumentError("statusCode must be defined");
    if (typeof params.responseOptions !== "object" || params.responseOptions === null) {
      throw new InvalidArgumentError("responseOptions must be an object");
    }
  }
  reply(statusCodeOrCallback) {
    if (typeof statusCodeOrCallback === "function") {
      const callback = (opts) => {
        const resolved = statusCodeOrCallback(opts);
        if (typeof resolved !== "object" || resolved === null) {
          throw new InvalidArgumentError("reply options callback must return an object");
        }
        const params = { data: "", responseOptions: {}, ...resolved };
        this.validate(params);
        return { ...this.createDispatchData(params) };
      };
      return new MockScope(addMockDispatch(this.dispatches, this.key, callback, { ignoreTrailingSlash: this.ignoreTrailingSlash }));
    }
    const params = {
      statusCode: statusCodeOrCallback,
      data: arguments[1] === undefined ? "" : arguments[1],
      responseOptions: arguments[2] === undefined ? {} : arguments[2],
    };
    this.validate(params);
    const data = this.createDispatchData(params);
    return new MockScope(addMockDispatch(this.dispatches, this.key, data, { ignoreTrailingSlash: this.ignoreTrailingSlash }));
  }
  replyWithError(error) {
    if (typeof error === "undefined") throw new InvalidArgumentError("error must be defined");
    return new MockScope(addMockDispatch(this.dispatches, this.key, { error }, { ignoreTrailingSlash: this.ignoreTrailingSlash }));
  }
  defaultReplyHeaders(headers) {
    if (typeof headers === "undefined") throw new InvalidArgumentError("headers must be defined");
    this.defaultHeaders = headers;
    return this;
  }
  defaultReplyTrailers(trailers) {
    if (typeof trailers === "undefined") throw new InvalidArgumentError("trailers must be defined");
    this.defaultTrailers = trailers;
    return this;
  }
  replyContentLength() {
    this.contentLength = true;
    return this;
  }
}

function mockMixin(Base) {
  return class extends Base {
    constructor(origin, opts) {
      if (!opts || !opts.agent || typeof opts.agent.dispatch !== "function") {
        throw new InvalidArgumentError("Argument opts.agent must implement Agent");
      }
      super(origin, opts);
      this.mockAgent = opts.agent;
      this.mockOrigin = origin;
      this.ignoreTrailingSlash = opts.ignoreTrailingSlash ?? false;
      this[kDispatches] = [];
      const original = Base.prototype.dispatch;
      this.dispatch = buildMockDispatch(this, original);
    }
    intercept(opts) {
      return new MockInterceptor(opts && { ignoreTrailingSlash: this.ignoreTrailingSlash, ...opts }, this[kDispatches]);
    }
    cleanMocks() {
      this[kDispatches] = [];
    }
    async close() {
      this.mockAgent.clients.delete(this.mockOrigin);
    }
  };
}

export class MockPool extends mockMixin(Pool) {}
export class MockClient extends mockMixin(Client) {}

/** One recorded request (call history). */
export class MockCallHistoryLog {
  constructor(opts = {}) {
    this.body = opts.body;
    this.headers = opts.headers;
    this.method = opts.method;
    let url;
    try {
      url = new URL(opts.path ?? "/", opts.origin);
    } catch {
      url = null;
    }
    this.origin = url?.origin ?? opts.origin;
    this.path = url?.pathname ?? opts.path;
    this.searchParams = url ? Object.fromEntries(url.searchParams) : {};
    this.fullUrl = url?.toString();
    this.protocol = url?.protocol;
    this.host = url?.host;
    this.port = url?.port;
    this.hash = url?.hash;
  }
  toMap() {
    return new Map(Object.entries(this));
  }
  toString() {
    return Object.entries(this).map(([k, v]) => `${k}->${typeof v === "object" ? JSON.stringify(v) : v}`).join("|");
  }
}

export class MockCallHistory {
  constructor() {
    this.logs = [];
  }
  calls() {
    return this.logs;
  }
  firstCall() {
    return this.logs.at(0);
  }
  lastCall() {
    return this.logs.at(-1);
  }
  nthCall(n) {
    if (typeof n !== "number" || !Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("nthCall must be called with a positive integer");
    return this.logs.at(n - 1);
  }
  filterCalls(criteria) {
    if (typeof criteria === "function") return this.logs.filter(criteria);
    if (criteria instanceof RegExp) return this.logs.filter((l) => criteria.test(l.toString()));
    return this.logs.filter((l) => Object.entries(criteria ?? {}).every(([k, v]) => v === undefined || matchValue(v, l[k])));
  }
  clear() {
    this.logs = [];
  }
  add(opts) {
    const log = new MockCallHistoryLog(opts);
    this.logs.push(log);
    return log;
  }
  [Symbol.iterator]() {
    return this.logs[Symbol.iterator]();
  }
}

class PendingInterceptorsFormatter {
  format(pending) {
    const rows = pending.map(({ method, path, data: { statusCode }, persist, times, timesInvoked, origin }) =>
      `${method} ${origin}${path} ${statusCode} persistent=${persist ? "✅" : "❌"} invocations=${timesInvoked} remaining=${persist ? Infinity : times - timesInvoked}`);
    return rows.join("\n");
  }
}

/** A dispatcher that answers from interceptors registered per origin with `get(origin)`. */
export class MockAgent extends Dispatcher {
  constructor(opts = {}) {
    super();
    if (opts?.agent && typeof opts.agent.dispatch !== "function") throw new InvalidArgumentError("Argument opts.agent must implement Agent");
    const { agent, ...options } = opts ?? {};
    this.netConnect = true;
    this.isMockActive = true;
    this.options = options;
    this.agent = agent ?? new Agent(options);
    this.clients = new Map();
    this.callHistoryEnabled = options.enableCallHistory ?? false;
    this.callHistory = undefined;
    this.ignoreTrailingSlash = options.ignoreTrailingSlash ?? false;
  }
  get(origin) {
    const normalized = normalizeOrigin(origin);
    const key = this.ignoreTrailingSlash && typeof normalized === "string" ? normalized.replace(/\/$/, "") : normalized;
    let dispatcher = this.lookup(key);
    if (!dispatcher) {
      dispatcher = this.factory(key);
      this.clients.set(key, { count: 0, dispatcher });
    }
    return dispatcher;
  }
  factory(origin) {
    const opts = Object.assign({ agent: this }, this.options);
    return this.options.connections === 1 ? new MockClient(origin, opts) : new MockPool(origin, opts);
  }
  lookup(origin) {
    const found = this.clients.get(origin);
    if (found?.dispatcher) return found.dispatcher;
    if (typeof origin !== "string") {
      const dispatcher = this.factory("http://localhost:9999");
      this.clients.set(origin, { count: 0, dispatcher });
      return dispatcher;
    }
    for (const [matcher, entry] of Array.from(this.clients)) {
      if (entry && typeof matcher !== "string" && matchValue(matcher, origin)) {
        const dispatcher = this.factory(origin);
        this.clients.set(origin, { count: 0, dispatcher });
        dispatcher[kDispatches] = entry.dispatcher[kDispatches];
        return dispatcher;
      }
    }
    return undefined;
  }
  dispatch(opts, handler) {
    handler = dual(handler);
    try {
      opts.origin = normalizeOrigin(opts.origin);
      const dispatcher = this.get(opts.origin);
      if (this.callHistoryEnabled) (this.callHistory ??= new MockCallHistory()).add(opts);
      // undici 5's `maxRedirections` (request or MockAgent option) follows mocked redirects.
      return withRedirects(this, { ...opts }, handler, (o, h) => dispatcher.dispatch(o, h), this.options.maxRedirections);
    } catch (err) {
      handler.onError(err);
      return false;
    }
  }
  async close() {
    this.clearCallHistory();
    await this.agent.close();
    this.clients.clear();
  }
  async destroy() {
    await this.close();
  }
  deactivate() {
    this.isMockActive = false;
  }
  activate() {
    this.isMockActive = true;
  }
  enableNetConnect(matcher) {
    if (typeof matcher === "string" || typeof matcher === "function" || matcher instanceof RegExp) {
      if (Array.isArray(this.netConnect)) this.netConnect.push(matcher);
      else this.netConnect = [matcher];
    } else if (typeof matcher === "undefined") {
      this.netConnect = true;
    } else {
      throw new InvalidArgumentError("Unsupported matcher. Must be one of String|Function|RegExp.");
    }
  }
  disableNetConnect() {
    this.netConnect = false;
  }
  enableCallHistory() {
    this.callHistoryEnabled = true;
    return this;
  }
  disableCallHistory() {
    this.callHistoryEnabled = false;
    return this;
  }
  getCallHistory() {
    return this.callHistory;
  }
  clearCallHistory() {
    this.callHistory?.clear();
  }
  pendingInterceptors() {
    return Array.from(this.clients.entries())
      .flatMap(([origin, entry]) => entry.dispatcher[kDispatches].map((d) => ({ ...d, origin })))
      .filter(({ pending }) => pending);
  }
  assertNoPendingInterceptors({ pendingInterceptorsFormatter = new PendingInterceptorsFormatter() } = {}) {
    const pending = this.pendingInterceptors();
    if (pending.length === 0) return;
    throw new UndiciError(
      pending.length === 1
        ? `1 interceptor is pending:\n\n${pendingInterceptorsFormatter.format(pending)}`.trim()
        : `${pending.length} interceptors are pending:\n\n${pendingInterceptorsFormatter.format(pending)}`.trim(),
    );
  }
}

export const mockErrors = { MockNotMatchedError };
