// A compact WHATWG URL / URLSearchParams, used by node:url only while the engine has no `URL`
// global (the web-platform globals replace it). Covers special and opaque schemes, relative
// resolution, dot segments, percent-encoding sets, default ports and IPv6 hosts; not IDNA
// (hosts are lower-cased ASCII) and not IPv4 number normalization.
import { invalidArgType, kInspect, nodeError, utf8Decode, utf8Encode } from "ext:fnhost/node/_internal.js";

const SPECIAL = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21", "file:": "" };

const C0 = (c) => c <= 0x1f || c > 0x7e;
const FRAGMENT_SET = (c) => C0(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
const QUERY_SET = (c) => C0(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
const SPECIAL_QUERY_SET = (c) => QUERY_SET(c) || c === 0x27;
const PATH_SET = (c) => QUERY_SET(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d || c === 0x5e;
const USERINFO_SET = (c) => PATH_SET(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 || (c >= 0x5b && c <= 0x5d) || c === 0x7c;
const FORM_SET = (c) => !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2a || c === 0x2d || c === 0x2e || c === 0x5f);

function percentEncode(str, inSet) {
  let out = "";
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80 && !inSet(c)) {
      out += str[i];
      continue;
    }
    let ch = str[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) ch += str[++i];
    }
    for (const b of utf8Encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function percentDecodeBytes(str) {
  const bytes = utf8Encode(str);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out[n++] = parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16);
      i += 2;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}
const isHex = (b) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);

function invalidUrl(input, base) {
  const err = nodeError(TypeError, "ERR_INVALID_URL", "Invalid URL");
  err.input = input;
  if (base !== undefined) err.base = base;
  return err;
}

function parseHost(input, special) {
  if (input.startsWith("[")) {
    if (!input.endsWith("]") || !/^\[[0-9a-fA-F:.]+\]$/.test(input)) return null;
    return input.toLowerCase();
  }
  if (!special) {
    if (/[\x00\t\n\r #/<>?@[\\\]^|]/.test(input)) return null;
    return percentEncode(input, C0);
  }
  const decoded = utf8Decode(percentDecodeBytes(input)).toLowerCase();
  if (decoded.length === 0 || /[\x00-\x1f #%/:<>?@[\\\]^|\x7f]/.test(decoded)) return null;
  return decoded;
}

const isWindowsDrive = (s) => /^[a-zA-Z][:|]$/.test(s);
const isDot = (s) => s === "." || s.toLowerCase() === "%2e";
const isDotDot = (s) => /^(\.|%2e)(\.|%2e)$/i.test(s);

function pushPathSegments(path, text, special, scheme) {
  const segments = text.split(special ? /[/\\]/ : /\//);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    if (isDotDot(seg)) {
      if (path.length && !(scheme === "file:" && path.length === 1 && isWindowsDrive(path[0]))) path.pop();
      if (last) path.push("");
    } else if (isDot(seg)) {
      if (last) path.push("");
    } else {
      path.push(percentEncode(seg, PATH_SET));
    }
  }
}

/** Parses `input` against an optional parsed base record; returns a record or null. */
function parseRecord(input, base) {
  input = input.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "").replace(/[\t\n\r]/g, "");
  const rec = { scheme: "", username: "", password: "", host: null, port: "", path: [], opaque: null, query: null, fragment: null };
  let rest = input;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  const hashIdx = () => rest.indexOf("#");
  if (m) {
    rec.scheme = m[1].toLowerCase() + ":";
    rest = rest.slice(m[0].length);
  } else {
    if (!base) return null;
    if (base.opaque !== null) {
      if (!rest.startsWith("#")) return null;
      Object.assign(rec, { ...base, path: [], fragment: percentEncode(rest.slice(1), FRAGMENT_SET) });
      return rec;
    }
    rec.scheme = base.scheme;
  }
  const special = rec.scheme in SPECIAL;
  // fragment and query
  const h = hashIdx();
  if (h !== -1) {
    rec.fragment = percentEncode(rest.slice(h + 1), FRAGMENT_SET);
    rest = rest.slice(0, h);
  }
  const q = rest.indexOf("?");
  let queryText = null;
  if (q !== -1) {
    queryText = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const sameSchemeRelative = m && base && base.scheme === rec.scheme && special && !/^[/\\]/.test(rest) && rec.scheme !== "file:";
  const relative = !m || sameSchemeRelative;
  const slashes = special ? /^[/\\]{2}/ : /^\/\//;
  if (!relative || slashes.test(rest)) {
    // absolute URL or scheme-relative
    if (special || slashes.test(rest)) {
      let after = rest;
      if (rec.scheme === "file:" && slashes.test(rest)) after = after.slice(2);
      else if (special) after = after.replace(/^[/\\]*/, "");
      else after = after.slice(2);
      if (rec.scheme === "file:" && !slashes.test(rest)) {
        // file:/path or file:path
        rec.host = "";
        if (base && base.scheme === "file:" && !/^[/\\]/.test(rest) && m === null) {
          rec.path = base.path.slice(0, -1);
        }
        pushPathSegments(rec.path, after, true, rec.scheme);
      } else {
        const end = after.search(special ? /[/\\]/ : /\//);
        const authority = end === -1 ? after : after.slice(0, end);
        const pathText = end === -1 ? "" : after.slice(end + 1);
        const at = authority.lastIndexOf("@");
        let hostPort = authority;
        if (at !== -1) {
          const userinfo = authority.slice(0, at);
          hostPort = authority.slice(at + 1);
          const colon = userinfo.indexOf(":");
          rec.username = percentEncode(colon === -1 ? userinfo : userinfo.slice(0, colon), USERINFO_SET);
          rec.password = colon === -1 ? "" : percentEncode(userinfo.slice(colon + 1), USERINFO_SET);
        }
        let host = hostPort;
        const portMatch = /:(\d*)$/.exec(hostPort);
        if (portMatch && !hostPort.endsWith("]")) {
          host = hostPort.slice(0, portMatch.index);
          if (portMatch[1] !== "") {
            const port = Number(portMatch[1]);
            if (port > 65535) return null;
            rec.port = String(port) === SPECIAL[rec.scheme] ? "" : String(port);
          }
        } else if (/:[^\]]*$/.test(hostPort) && !hostPort.endsWith("]")) {
          return null;
        }
        if (rec.scheme === "file:") {
          rec.host = host === "localhost" ? "" : host === "" ? "" : parseHost(host, true);
          if (rec.host === null) return null;
        } else {
          if (host === "" && special) return null;
          rec.host = parseHost(host, special);
          if (rec.host === null) return null;
        }
        if (end !== -1 || special) {
          if (end === -1) {
            if (special) rec.path = [""];
          } else {
            pushPathSegments(rec.path, pathText, special, rec.scheme);
          }
        }
      }
    } else if (rest.startsWith("/")) {
      pushPathSegments(rec.path, rest.slice(1), false, rec.scheme);
    } else {
      rec.opaque = percentEncode(rest, C0);
    }
  } else {
    // relative to base
    if (!base || base.scheme !== rec.scheme) {
      if (!base) return null;
    }
    rec.username = base.username;
    rec.password = base.password;
    rec.host = base.host;
    rec.port = base.port;
    if (rest === "") {
      rec.path = base.path.slice();
      if (queryText === null) rec.query = base.query;
    } else if (/^[/\\]/.test(rest) && (special || rest[0] === "/")) {
      pushPathSegments(rec.path, rest.slice(1), special, rec.scheme);
    } else {
      rec.path = base.path.slice(0, -1);
      pushPathSegments(rec.path, rest, special, rec.scheme);
    }
  }
  if (queryText !== null) rec.query = percentEncode(queryText, special ? SPECIAL_QUERY_SET : QUERY_SET);
  if (special && rec.path.length === 0 && rec.opaque === null) rec.path = [""];
  return rec;
}

function serializePath(rec) {
  if (rec.opaque !== null) return rec.opaque;
  if (rec.host === null && rec.path.length > 1 && rec.path[0] === "") return "/." + rec.path.map((s) => "/" + s).join("");
  return rec.path.map((s) => "/" + s).join("");
}

function serialize(rec, excludeFragment = false) {
  let out = rec.scheme;
  if (rec.host !== null) {
    out += "//";
    if (rec.username || rec.password) {
      out += rec.username;
      if (rec.password) out += ":" + rec.password;
      out += "@";
    }
    out += rec.host;
    if (rec.port) out += ":" + rec.port;
  }
  out += serializePath(rec);
  if (rec.query !== null) out += "?" + rec.query;
  if (!excludeFragment && rec.fragment !== null) out += "#" + rec.fragment;
  return out;
}

const records = new WeakMap();
const paramsOwner = new WeakMap();

export class URL {
  #rec;
  #params;
  constructor(url, base) {
    if (arguments.length === 0) throw invalidArgType("url", "string", undefined);
    const input = `${url}`;
    let baseRec;
    if (base !== undefined) {
      baseRec = parseRecord(`${base}`);
      if (!baseRec) throw invalidUrl(input, `${base}`);
    }
    const rec = parseRecord(input, baseRec);
    if (!rec) throw invalidUrl(input, base === undefined ? undefined : `${base}`);
    this.#rec = rec;
    records.set(this, rec);
    this.#params = new URLSearchParams(rec.query ?? "");
    paramsOwner.set(this.#params, this);
  }
  static canParse(url, base) {
    try {
      new URL(url, base);
      return true;
    } catch {
      return false;
    }
  }
  static parse(url, base) {
    try {
      return new URL(url, base);
    } catch {
      return null;
    }
  }
  get href() {
    return serialize(this.#rec);
  }
  set href(value) {
    const rec = parseRecord(`${value}`);
    if (!rec) throw invalidUrl(`${value}`);
    this.#rec = rec;
    records.set(this, rec);
    this.#syncParams();
  }
  get origin() {
    const r = this.#rec;
    if (r.scheme === "blob:") {
      try {
        return new URL(r.opaque ?? serializePath(r)).origin;
      } catch {
        return "null";
      }
    }
    if (!(r.scheme in SPECIAL) || r.scheme === "file:") return "null";
    return `${r.scheme}//${r.host}${r.port ? ":" + r.port : ""}`;
  }
  get protocol() {
    return this.#rec.scheme;
  }
  set protocol(value) {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*)/.exec(`${value}`);
    if (!m) return;
    const scheme = m[1].toLowerCase() + ":";
    if ((scheme in SPECIAL) !== (this.#rec.scheme in SPECIAL)) return;
    this.#rec.scheme = scheme;
    if (this.#rec.port === SPECIAL[scheme]) this.#rec.port = "";
  }
  get username() {
    return this.#rec.username;
  }
  set username(value) {
    if (this.#rec.host === null || this.#rec.host === "") return;
    this.#rec.username = percentEncode(`${value}`, USERINFO_SET);
  }
  get password() {
    return this.#rec.password;
  }
  set password(value) {
    if (this.#rec.host === null || this.#rec.host === "") return;
    this.#rec.password = percentEncode(`${value}`, USERINFO_SET);
  }
  get host() {
    const r = this.#rec;
    if (r.host === null) return "";
    return r.port ? `${r.host}:${r.port}` : r.host;
  }
  set host(value) {
    if (this.#rec.opaque !== null) return;
    const rec = parseRecord(`${this.#rec.scheme}//${value}`);
    if (rec && rec.host) {
      this.#rec.host = rec.host;
      if (/:\d*$/.test(`${value}`)) this.#rec.port = rec.port;
    }
  }
  get hostname() {
    return this.#rec.host ?? "";
  }
  set hostname(value) {
    if (this.#rec.opaque !== null) return;
    const host = parseHost(`${value}`, this.#rec.scheme in SPECIAL);
    if (host) this.#rec.host = host;
  }
  get port() {
    return this.#rec.port;
  }
  set port(value) {
    if (this.#rec.host === null || this.#rec.host === "" || this.#rec.scheme === "file:") return;
    const m = /^\d*/.exec(`${value}`)[0];
    if (m === "") {
      if (`${value}` === "") this.#rec.port = "";
      return;
    }
    const port = Number(m);
    if (port > 65535) return;
    this.#rec.port = String(port) === SPECIAL[this.#rec.scheme] ? "" : String(port);
  }
  get pathname() {
    return serializePath(this.#rec);
  }
  set pathname(value) {
    if (this.#rec.opaque !== null) return;
    const special = this.#rec.scheme in SPECIAL;
    this.#rec.path = [];
    const text = `${value}`;
    pushPathSegments(this.#rec.path, /^[/\\]/.test(text) ? text.slice(1) : text, special, this.#rec.scheme);
  }
  get search() {
    const q = this.#rec.query;
    return q === null || q === "" ? "" : `?${q}`;
  }
  set search(value) {
    let text = `${value}`;
    if (text.startsWith("?")) text = text.slice(1);
    this.#rec.query = text === "" && `${value}` === "" ? null : percentEncode(text, this.#rec.scheme in SPECIAL ? SPECIAL_QUERY_SET : QUERY_SET);
    this.#syncParams();
  }
  get searchParams() {
    return this.#params;
  }
  get hash() {
    const f = this.#rec.fragment;
    return f === null || f === "" ? "" : `#${f}`;
  }
  set hash(value) {
    let text = `${value}`;
    if (text === "") {
      this.#rec.fragment = null;
      return;
    }
    if (text.startsWith("#")) text = text.slice(1);
    this.#rec.fragment = percentEncode(text, FRAGMENT_SET);
  }
  toString() {
    return this.href;
  }
  toJSON() {
    return this.href;
  }
  #syncParams() {
    const list = parseForm(this.#rec.query ?? "");
    listOf(this.#params).splice(0, Infinity, ...list);
  }
  /** @internal called by URLSearchParams when it changes */
  static _updateQuery(url, text) {
    const rec = records.get(url);
    rec.query = text === "" ? null : text;
  }
  [kInspect](depth, options, inspect) {
    const obj = {
      href: this.href, origin: this.origin, protocol: this.protocol, username: this.username, password: this.password,
      host: this.host, hostname: this.hostname, port: this.port, pathname: this.pathname, search: this.search,
      searchParams: this.searchParams, hash: this.hash,
    };
    return `URL ${inspect(obj, { ...options, depth })}`;
  }
}
Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: "URL", configurable: true });

function parseForm(text) {
  const out = [];
  for (const part of text.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? "" : part.slice(eq + 1);
    out.push([formDecode(name), formDecode(value)]);
  }
  return out;
}
const formDecode = (s) => utf8Decode(percentDecodeBytes(s.replace(/\+/g, " ")));
const formEncode = (s) => percentEncode(s, FORM_SET).replace(/%20/g, "+");
const toUSV = (s) => `${s}`.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

const lists = new WeakMap();
const listOf = (p) => lists.get(p);

export class URLSearchParams {
  constructor(init = "") {
    let list = [];
    if (init !== null && typeof init === "object" || typeof init === "function") {
      if (typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const arr = [...pair];
          if (arr.length !== 2) throw nodeError(TypeError, "ERR_INVALID_TUPLE", "Each query pair must be an iterable [name, value] tuple");
          list.push([toUSV(arr[0]), toUSV(arr[1])]);
        }
      } else {
        for (const key of Reflect.ownKeys(init)) {
          if (typeof key === "string" && Object.prototype.propertyIsEnumerable.call(init, key)) list.push([toUSV(key), toUSV(init[key])]);
        }
      }
    } else {
      let text = `${init}`;
      if (text.startsWith("?")) text = text.slice(1);
      list = parseForm(text);
    }
    lists.set(this, list);
  }
  #update() {
    const url = paramsOwner.get(this);
    if (url) URL._updateQuery(url, this.toString());
  }
  get size() {
    return listOf(this).length;
  }
  append(name, value) {
    listOf(this).push([toUSV(name), toUSV(value)]);
    this.#update();
  }
  delete(name, value) {
    const list = listOf(this);
    name = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    for (let i = list.length - 1; i >= 0; i--) if (list[i][0] === name && (v === undefined || list[i][1] === v)) list.splice(i, 1);
    this.#update();
  }
  get(name) {
    name = toUSV(name);
    const e = listOf(this).find((p) => p[0] === name);
    return e ? e[1] : null;
  }
  getAll(name) {
    name = toUSV(name);
    return listOf(this).filter((p) => p[0] === name).map((p) => p[1]);
  }
  has(name, value) {
    name = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    return listOf(this).some((p) => p[0] === name && (v === undefined || p[1] === v));
  }
  set(name, value) {
    const list = listOf(this);
    name = toUSV(name);
    value = toUSV(value);
    const i = list.findIndex((p) => p[0] === name);
    if (i === -1) list.push([name, value]);
    else {
      list[i][1] = value;
      for (let j = list.length - 1; j > i; j--) if (list[j][0] === name) list.splice(j, 1);
    }
    this.#update();
  }
  sort() {
    const list = listOf(this);
    const sorted = list.map((p, i) => [p, i]).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map((x) => x[0]);
    list.splice(0, Infinity, ...sorted);
    this.#update();
  }
  forEach(callback, thisArg) {
    if (typeof callback !== "function") throw invalidArgType("callback", "Function", callback);
    const list = listOf(this);
    for (let i = 0; i < list.length; i++) callback.call(thisArg, list[i][1], list[i][0], this);
  }
  *keys() {
    for (const [k] of listOf(this)) yield k;
  }
  *values() {
    for (const [, v] of listOf(this)) yield v;
  }
  *entries() {
    for (const [k, v] of listOf(this)) yield [k, v];
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  toString() {
    return listOf(this).map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join("&");
  }
  [kInspect](depth, options, inspect) {
    const inner = listOf(this).map(([k, v]) => `${inspect(k)} => ${inspect(v)}`).join(", ");
    return `URLSearchParams {${inner ? ` ${inner} ` : ""}}`;
  }
}
Object.defineProperty(URLSearchParams.prototype, Symbol.toStringTag, { value: "URLSearchParams", configurable: true });
