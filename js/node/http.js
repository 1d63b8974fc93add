// node:http and node:https -- load-time pieces (STATUS_CODES, METHODS, Agent, validators)
// work; opening connections or servers throws: fnhost does HTTP through fetch() and the
// undici bridge on Rust.
import { nodeError, notSupported, unsupportedClass } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/node/events.js";
import { Readable, Writable } from "ext:fnhost/node/stream.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

export const HTTP_HINT = "use fetch() or an OpenFn adaptor such as @openfn/language-http";

export const METHODS = [
  "ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK", "M-SEARCH", "MERGE",
  "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS", "PATCH", "POST", "PROPFIND", "PROPPATCH",
  "PURGE", "PUT", "QUERY", "REBIND", "REPORT", "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK",
  "UNLOCK", "UNSUBSCRIBE",
];

export const STATUS_CODES = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints", 200: "OK", 201: "Created",
  202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content", 205: "Reset Content",
  206: "Partial Content", 207: "Multi-Status", 208: "Already Reported", 226: "IM Used", 300: "Multiple Choices",
  301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified", 305: "Use Proxy",
  307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
  402: "Payment Required", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
  407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
  411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large", 414: "URI Too Long",
  415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a Teapot",
  421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency",
  425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
  431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons", 500: "Internal Server Error",
  501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
  505: "HTTP Version Not Supported", 506: "Variant Also Negotiates", 507: "Insufficient Storage",
  508: "Loop Detected", 509: "Bandwidth Limit Exceeded", 510: "Not Extended",
  511: "Network Authentication Required",
};

const tokenRe = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const invalidHeaderCharRe = /[^\t\x20-\x7e\x80-\xff]/;

export function validateHeaderName(name, label = "Header name") {
  if (typeof name !== "string" || !name || !tokenRe.test(name)) {
    throw nodeError(TypeError, "ERR_INVALID_HTTP_TOKEN", `${label} must be a valid HTTP token ["${name}"]`);
  }
}

export function validateHeaderValue(name, value) {
  if (value === undefined) {
    throw nodeError(TypeError, "ERR_HTTP_INVALID_HEADER_VALUE", `Invalid value "${value}" for header "${name}"`);
  }
  if (invalidHeaderCharRe.test(String(value))) {
    throw nodeError(TypeError, "ERR_INVALID_CHAR", `Invalid character in header content ["${name}"]`);
  }
}

/** http.Agent: constructible (libraries create and subclass agents at load time), never
 * connects. */
export class Agent extends EventEmitter {
  constructor(options = {}) {
    super();
    this.defaultPort = 80;
    this.protocol = "http:";
    this.options = { __proto__: null, ...options, path: null };
    this.requests = Object.create(null);
    this.sockets = Object.create(null);
    this.freeSockets = Object.create(null);
    this.keepAliveMsecs = options.keepAliveMsecs || 1000;
    this.keepAlive = options.keepAlive || false;
    this.maxSockets = options.maxSockets || Infinity;
    this.maxFreeSockets = options.maxFreeSockets || 256;
    this.scheduling = options.scheduling || "lifo";
    this.maxTotalSockets = options.maxTotalSockets ?? Infinity;
    this.totalSocketCount = 0;
  }
  createConnection() {
    throw notSupported("http.Agent", "createConnection", HTTP_HINT);
  }
  getName(options = {}) {
    let name = options.host || "localhost";
    name += ":";
    if (options.port) name += options.port;
    name += ":";
    if (options.localAddress) name += options.localAddress;
    if (options.family === 4 || options.family === 6) name += `:${options.family}`;
    if (options.socketPath) name += `:${options.socketPath}`;
    return name;
  }
  addRequest() {
    throw notSupported("http.Agent", "addRequest", HTTP_HINT);
  }
  createSocket() {
    throw notSupported("http.Agent", "createSocket", HTTP_HINT);
  }
  keepSocketAlive() {
    return false;
  }
  reuseSocket() {}
  destroy() {}
}

export class HttpsAgent extends Agent {
  constructor(options) {
    super(options);
    this.defaultPort = 443;
    this.protocol = "https:";
    this.maxCachedSessions = this.options.maxCachedSessions ?? 100;
  }
}

function makeHttp(name, AgentClass) {
  const fail = (fn) => {
    const f = {
      [fn]() {
        throw notSupported(name, fn, HTTP_HINT);
      },
    };
    return f[fn];
  };
  return {
    METHODS: METHODS.slice(),
    STATUS_CODES: { ...STATUS_CODES },
    Agent: AgentClass,
    globalAgent: new AgentClass({ keepAlive: true, scheduling: "lifo", timeout: 5000 }),
    ClientRequest: unsupportedClass(name, "ClientRequest", HTTP_HINT, Writable),
    IncomingMessage: unsupportedClass(name, "IncomingMessage", HTTP_HINT, Readable),
    OutgoingMessage: unsupportedClass(name, "OutgoingMessage", HTTP_HINT, Writable),
    Server: unsupportedClass(name, "Server", "jobs cannot listen for connections", EventEmitter),
    ServerResponse: unsupportedClass(name, "ServerResponse", "jobs cannot listen for connections", Writable),
    createServer: fail("createServer"),
    request: fail("request"),
    get: fail("get"),
    validateHeaderName,
    validateHeaderValue,
    setMaxIdleHTTPParsers() {},
    maxHeaderSize: 16384,
  };
}

defineBuiltin("http", () => makeHttp("http", Agent));
defineBuiltin("https", () => {
  const https = makeHttp("https", HttpsAgent);
  delete https.METHODS;
  delete https.STATUS_CODES;
  delete https.ClientRequest;
  delete https.IncomingMessage;
  delete https.OutgoingMessage;
  delete https.ServerResponse;
  delete https.validateHeaderName;
  delete https.validateHeaderValue;
  delete https.setMaxIdleHTTPParsers;
  delete https.maxHeaderSize;
  return https;
});
