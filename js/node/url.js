// node:url -- WHATWG `URL`/`URLSearchParams` (the engine's globals when present, else the
// compact implementation in _url.js), file URL helpers and the legacy `parse`/`format`/`resolve`.
import { invalidArgType, nodeError, validateString } from "ext:fnhost/node/_internal.js";
import { URL as FallbackURL, URLSearchParams as FallbackURLSearchParams } from "ext:fnhost/node/_url.js";
import { querystring } from "ext:fnhost/node/querystring.js";
import { posix as pathPosix } from "ext:fnhost/node/path.js";
import { toASCII, toUnicode } from "ext:fnhost/node/punycode.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

/** The URL class modules should use: the global one when the engine has it. */
export const getURL = () => globalThis.URL ?? FallbackURL;
export const getURLSearchParams = () => globalThis.URLSearchParams ?? FallbackURLSearchParams;

const isURL = (v) => v != null && typeof v === "object" && typeof v.href === "string" && typeof v.protocol === "string" && v.auth === undefined && v.path === undefined;

export function fileURLToPath(path, options) {
  const URLc = getURL();
  let url = path;
  if (typeof path === "string") url = new URLc(path);
  else if (!isURL(path)) throw invalidArgType("path", ["string", "URL"], path);
  if (url.protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
  if (options?.windows) {
    let pathname = url.pathname.replace(/\//g, "\\");
    if (/%2f|%5c/i.test(pathname)) throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded \\ or / characters");
    pathname = decodeURIComponent(pathname);
    if (url.hostname !== "") return `\\\\${url.hostname}${pathname}`;
    const letter = pathname.charCodeAt(1) | 0x20;
    if (letter < 97 || letter > 122 || pathname[2] !== ":") throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must be absolute");
    return pathname.slice(1);
  }
  if (url.hostname !== "") throw nodeError(TypeError, "ERR_INVALID_FILE_URL_HOST", `File URL host must be "localhost" or empty on linux`);
  const pathname = url.pathname;
  if (/%2f/i.test(pathname)) throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  return decodeURIComponent(pathname);
}

export function pathToFileURL(filepath, options) {
  validateString(filepath, "path");
  const URLc = getURL();
  if (options?.windows) {
    let resolved = filepath.replace(/\//g, "\\");
    const url = new URLc("file://");
    if (resolved.startsWith("\\\\")) {
      const parts = resolved.slice(2).split("\\");
      url.hostname = parts.shift();
      url.pathname = encodePathChars("/" + parts.join("/"));
    } else {
      url.pathname = encodePathChars("/" + resolved.replace(/\\/g, "/"));
    }
    return url;
  }
  let resolved = pathPosix.resolve(filepath);
  if (filepath.endsWith("/") && !resolved.endsWith("/")) resolved += "/";
  return new URLc(`file://${encodePathChars(resolved)}`);
}

function encodePathChars(path) {
  return path
    .replace(/%/g, "%25")
    .replace(/\\/g, "%5C")
    .replace(/\n/g, "%0A")
    .replace(/\r/g, "%0D")
    .replace(/\t/g, "%09")
    .replace(/#/g, "%23")
    .replace(/\?/g, "%3F");
}

export function urlToHttpOptions(url) {
  const options = {
    protocol: url.protocol,
    hostname: typeof url.hostname === "string" && url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ""}${url.search || ""}`,
    href: url.href,
  };
  if (url.port !== "") options.port = Number(url.port);
  if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return options;
}

export function domainToASCII(domain) {
  try {
    return toASCII(`${domain}`.toLowerCase());
  } catch {
    return "";
  }
}

export function domainToUnicode(domain) {
  try {
    return toUnicode(`${domain}`.toLowerCase());
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------------------------------------
// Legacy API

const slashedProtocol = new Set(["http", "http:", "https", "https:", "ftp", "ftp:", "gopher", "gopher:", "file", "file:", "ws", "ws:", "wss", "wss:"]);
const hostlessProtocol = new Set(["javascript", "javascript:"]);
const autoEscape = { " ": "%20", "<": "%3C", ">": "%3E", '"': "%22", "`": "%60", "\r": "%0D", "\n": "%0A", "\t": "%09", "{": "%7B", "}": "%7D", "|": "%7C", "\\": "%5C", "^": "%5E", "'": "%27" };

export function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

Url.prototype.parse = function parse(url, parseQueryString, slashesDenoteHost) {
  validateString(url, "url");
  let rest = url.trim();
  // backslashes before the query become slashes, as browsers do
  const qIdx = rest.search(/[?#]/);
  const head = qIdx === -1 ? rest : rest.slice(0, qIdx);
  rest = head.replace(/\\/g, "/") + (qIdx === -1 ? "" : rest.slice(qIdx));
  if (!slashesDenoteHost && !/[#?]/.test(rest)) {
    const simple = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/.exec(rest);
    if (simple) {
      this.path = rest;
      this.href = rest;
      this.pathname = simple[1];
      if (simple[2]) {
        this.search = simple[2];
        this.query = parseQueryString ? querystring.parse(this.search.slice(1)) : this.search.slice(1);
      } else if (parseQueryString) {
        this.search = null;
        this.query = Object.create(null);
      }
      return this;
    }
  }
  const protoMatch = /^[a-z0-9.+-]+:/i.exec(rest);
  let lowerProto;
  if (protoMatch) {
    const proto = protoMatch[0];
    lowerProto = proto.toLowerCase();
    this.protocol = lowerProto;
    rest = rest.slice(proto.length);
  }
  let slashes;
  if (slashesDenoteHost || protoMatch || /^\/\/[^@/]+@[^@/]+/.test(rest)) {
    slashes = rest.startsWith("//");
    if (slashes && !(protoMatch && hostlessProtocol.has(lowerProto))) {
      rest = rest.slice(2);
      this.slashes = true;
    }
  }
  if (!hostlessProtocol.has(lowerProto) && (slashes || (protoMatch && !slashedProtocol.has(lowerProto)))) {
    let hostEnd = -1;
    for (const ch of ["/", "?", "#"]) {
      const i = rest.indexOf(ch);
      if (i !== -1 && (hostEnd === -1 || i < hostEnd)) hostEnd = i;
    }
    const atSign = hostEnd === -1 ? rest.lastIndexOf("@") : rest.lastIndexOf("@", hostEnd);
    if (atSign !== -1) {
      this.auth = decodeURIComponent(rest.slice(0, atSign));
      rest = rest.slice(atSign + 1);
    }
    hostEnd = -1;
    for (const ch of ["/", "?", "#", " ", "\t", "\r", "\n", "<", ">", '"', "`", "{", "}", "|", "\\", "^", "'", ";"]) {
      const i = rest.indexOf(ch);
      if (i !== -1 && (hostEnd === -1 || i < hostEnd)) hostEnd = i;
    }
    if (hostEnd === -1) hostEnd = rest.length;
    this.host = rest.slice(0, hostEnd);
    rest = rest.slice(hostEnd);
    const portMatch = /:[0-9]*$/.exec(this.host);
    let host = this.host;
    if (portMatch) {
      if (portMatch[0] !== ":") this.port = portMatch[0].slice(1);
      host = host.slice(0, host.length - portMatch[0].length);
    }
    this.hostname = host;
    const ipv6 = this.hostname.startsWith("[") && this.hostname.endsWith("]");
    if (!ipv6) {
      const valid = /^[a-zA-Z0-9.\-_+\u0080-\uffff]*$/;
      const parts = this.hostname.split(".");
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] && !valid.test(parts[i])) {
          const m = /^([a-zA-Z0-9.\-_+\u0080-\uffff]*)(.*)$/.exec(parts[i]);
          this.hostname = parts.slice(0, i).concat(m[1]).join(".");
          rest = `/${m[2]}${parts.slice(i + 1).length ? "." + parts.slice(i + 1).join(".") : ""}${rest}`;
          break;
        }
      }
    }
    this.hostname = ipv6 ? this.hostname.slice(1, -1).toLowerCase() : domainToASCII(this.hostname) || this.hostname.toLowerCase();
    const p = this.port ? `:${this.port}` : "";
    this.host = (ipv6 ? `[${this.hostname}]` : this.hostname) + p;
    if (ipv6 && rest[0] !== "/") rest = `/${rest}`;
  }
  // escape characters browsers escape
  let escaped = "";
  for (const ch of rest) escaped += autoEscape[ch] ?? ch;
  rest = escaped;
  const hash = rest.indexOf("#");
  if (hash !== -1) {
    this.hash = rest.slice(hash);
    rest = rest.slice(0, hash);
  }
  const qm = rest.indexOf("?");
  if (qm !== -1) {
    this.search = rest.slice(qm);
    this.query = rest.slice(qm + 1);
    if (parseQueryString) this.query = querystring.parse(this.query);
    rest = rest.slice(0, qm);
  } else if (parseQueryString) {
    this.search = null;
    this.query = Object.create(null);
  }
  if (rest) this.pathname = rest;
  if (slashedProtocol.has(lowerProto) && this.hostname && !this.pathname) this.pathname = "/";
  if (this.pathname || this.search) this.path = `${this.pathname || ""}${this.search || ""}`;
  this.href = this.format();
  return this;
};

Url.prototype.format = function format() {
  let auth = this.auth || "";
  if (auth) {
    auth = encodeURIComponent(auth).replace(/%3A/i, ":");
    auth += "@";
  }
  let protocol = this.protocol || "";
  let pathname = this.pathname || "";
  let hash = this.hash || "";
  let host = "";
  let query = "";
  if (this.host) {
    host = auth + this.host;
  } else if (this.hostname) {
    host = auth + (this.hostname.includes(":") && !this.hostname.startsWith("[") ? `[${this.hostname}]` : this.hostname);
    if (this.port) host += `:${this.port}`;
  }
  if (this.query !== null && typeof this.query === "object") query = querystring.stringify(this.query);
  let search = this.search || (query && `?${query}`) || "";
  if (protocol && !protocol.endsWith(":")) protocol += ":";
  pathname = pathname.replace(/[#?]/g, (c) => encodeURIComponent(c));
  if (this.slashes || slashedProtocol.has(protocol)) {
    if (this.slashes || host) {
      if (pathname && pathname[0] !== "/") pathname = `/${pathname}`;
      host = `//${host}`;
    } else if (protocol.length >= 4 && protocol.startsWith("file")) {
      host = "//";
    }
  }
  search = search.replace(/#/g, "%23");
  if (hash && hash[0] !== "#") hash = `#${hash}`;
  if (search && search[0] !== "?") search = `?${search}`;
  return protocol + host + pathname + search + hash;
};

Url.prototype.resolve = function resolve(relative) {
  return urlResolve(this.format(), relative);
};

export function urlParse(url, parseQueryString, slashesDenoteHost) {
  if (url instanceof Url) return url;
  const u = new Url();
  u.parse(url, parseQueryString, slashesDenoteHost);
  return u;
}

export function urlFormat(urlObject, options) {
  if (typeof urlObject === "string") {
    urlObject = urlParse(urlObject);
  } else if (typeof urlObject !== "object" || urlObject === null) {
    throw invalidArgType("urlObject", ["Object", "string"], urlObject);
  } else if (isURL(urlObject) && !(urlObject instanceof Url)) {
    const opts = { auth: true, fragment: true, search: true, unicode: false, ...options };
    const u = new (getURL())(urlObject.href);
    if (!opts.auth) {
      u.username = "";
      u.password = "";
    }
    if (!opts.fragment) u.hash = "";
    if (!opts.search) u.search = "";
    let out = u.href;
    if (opts.unicode && u.hostname) out = out.replace(u.hostname, domainToUnicode(u.hostname));
    return out;
  }
  return Url.prototype.format.call(urlObject);
}

export function urlResolve(from, to) {
  // Node parses its arguments with url.parse, which returns a legacy Url object as it is
  // (request 2.88 resolves its own Url objects when it re-sends after a digest challenge)
  if (from instanceof Url) from = from.format();
  if (to instanceof Url) to = to.format();
  const URLc = getURL();
  const resolved = new URLc(to, new URLc(from, "resolve://"));
  if (resolved.protocol === "resolve:") {
    const { pathname, search, hash } = resolved;
    return pathname + search + hash;
  }
  return resolved.toString();
}

defineBuiltin("url", () => ({
  URL: getURL(),
  URLSearchParams: getURLSearchParams(),
  Url,
  parse: urlParse,
  format: urlFormat,
  resolve: urlResolve,
  resolveObject: (from, to) => urlParse(urlResolve(from, to)),
  fileURLToPath,
  pathToFileURL,
  urlToHttpOptions,
  domainToASCII,
  domainToUnicode,
}));
