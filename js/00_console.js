// The engine's console and OpenFn-style named loggers ("JOB", "R/T", "CLI").
// Every line goes to the host through op_log_emit; the host filters by level and formats it.
import { op_log_emit } from "ext:core/ops";
import { format as nodeFormat, inspect as nodeInspect } from "ext:fnhost/10_node.js";

// Values that must never appear in log output: every string in a step's configuration (at
// any depth), values of secret-named keys however short, and the forms they take on the wire
// (JSON-escaped, URL-encoded, HTTP basic auth).
const SECRETS = new Set();
const SHORT_SECRETS = new Set();
let ordered = null;

/** Configuration keys whose values are secrets even when short (`pin: "42"`). */
const SECRET_KEY = /(^|[_\-.]|[a-z](?=[A-Z]))(pass|password|passwd|passphrase|pwd|secret|token|key|pat|pin|auth|authorization|credentials?|cookie|signature|otp)$/i;

function addOne(value, short) {
  if (typeof value === "number" || typeof value === "bigint") value = String(value);
  if (typeof value !== "string" || value.length === 0) return;
  const variants = [value];
  try {
    variants.push(JSON.stringify(value).slice(1, -1), encodeURIComponent(value));
  } catch {
    // a lone surrogate cannot be URL-encoded: the raw form is still scrubbed
  }
  for (const v of variants) {
    if (v.length >= 3) SECRETS.add(v);
    else if (short) SHORT_SECRETS.add(v);
  }
  ordered = null;
}

function base64Utf8(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Registers secrets from a configuration value: every string at any depth (three characters
 * or more, as OpenFn), any value under a secret-named key, and the basic-auth header value
 * of a username/password pair. */
export function addSecretsFrom(configuration) {
  const stack = [[configuration, false]];
  const seen = new Set();
  while (stack.length) {
    const [value, secretName] = stack.pop();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object") {
      if (typeof value === "string" && value.length >= 3) addOne(value, false);
      else if (secretName) addOne(value, true);
      continue;
    }
    if (seen.has(value)) continue;
    seen.add(value);
    let keys;
    try {
      keys = Object.keys(value);
    } catch {
      continue;
    }
    for (const key of keys) stack.push([value[key], secretName || SECRET_KEY.test(key)]);
    const user = value.username ?? value.user ?? value.email;
    const password = value.password ?? value.pass;
    if (typeof user === "string" && typeof password === "string" && password) {
      try {
        addOne(base64Utf8(`${user}:${password}`), false);
      } catch {
        // not encodable: nothing derived to scrub
      }
    }
  }
}

/** Registers plain secret strings (three characters or more). */
export function addSecrets(values) {
  for (const v of values) if (typeof v === "string" && v.length >= 3) addOne(v, false);
}

/** Clears the secret list (between runs in one runtime). */
export function clearSecrets() {
  SECRETS.clear();
  SHORT_SECRETS.clear();
  ordered = null;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces every registered secret in `text` by `****`: longest first, so a secret that
 * contains another is hidden whole; short ones only where they stand alone (not inside a word). */
export function redact(text) {
  if (!SECRETS.size && !SHORT_SECRETS.size) return text;
  if (!ordered) {
    ordered = [...SECRETS].sort((a, b) => b.length - a.length);
    const short = [...SHORT_SECRETS].sort((a, b) => b.length - a.length).map(escapeRegExp);
    ordered.shortPattern = short.length
      ? new RegExp(`(?<![A-Za-z0-9])(?:${short.join("|")})(?![A-Za-z0-9])`, "g")
      : null;
  }
  let out = String(text);
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join("****");
  if (ordered.shortPattern) out = out.replace(ordered.shortPattern, "****");
  return out;
}

/** OpenFn's logger hides the values of a logged object's `configuration` (one level deep). */
function sanitizeArg(value) {
  if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Error)) {
    let configuration;
    try {
      configuration = value.configuration;
    } catch {
      return value;
    }
    if (configuration) {
      const hidden = {};
      for (const k in configuration) hidden[k] = "****";
      return { ...value, configuration: hidden };
    }
  }
  return value;
}

/** Formats one value the way a log line shows it. */
export function formatValue(value, nested = false) {
  if (typeof value === "string") return nested ? JSON.stringify(value) : value;
  if (value instanceof Error || (value && typeof value === "object" && typeof value.stack === "string" && "message" in value)) {
    return value.stack || `${value.name}: ${value.message}`;
  }
  if (typeof value === "function") return `[Function: ${value.name || "(anonymous)"}]`;
  if (typeof value === "symbol" || typeof value === "bigint") return String(value);
  if (value === undefined) return "undefined";
  if (value && typeof value === "object") {
    try {
      const seen = [];
      return JSON.stringify(value, function (_k, v) {
        if (typeof v === "bigint") return `${v}n`;
        if (typeof v === "function") return `[Function: ${v.name || "(anonymous)"}]`;
        if (v && typeof v === "object") {
          if (seen.includes(v)) return "[Circular]";
          seen.push(v);
        }
        return v;
      }, 2);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** Formats console arguments like `util.format` does for the common `%s %d %j %o` cases. */
export function formatArgs(args) {
  if (args.length === 0) return "";
  let first = args[0];
  let rest = args.slice(1);
  if (typeof first === "string" && /%[sdifjoOc%]/.test(first)) {
    first = first.replace(/%([sdifjoOc%])/g, (m, c) => {
      if (c === "%") return "%";
      if (rest.length === 0) return m;
      const v = rest.shift();
      switch (c) {
        case "s": return typeof v === "string" ? v : formatValue(v, true);
        case "d": case "i": return String(c === "i" ? parseInt(v) : Number(v));
        case "f": return String(parseFloat(v));
        case "j": try { return JSON.stringify(v); } catch { return "[Circular]"; }
        case "c": return "";
        default: return formatValue(v, true);
      }
    });
    return [first, ...rest.map((v) => formatValue(v))].join(" ");
  }
  return args.map((v) => formatValue(sanitizeArg(v))).join(" ");
}

/** Writes one already formatted line. */
export function emit(level, name, message) {
  op_log_emit(level, name, redact(message));
}

/** Creates a named logger with OpenFn's methods (`log`, `info`, `debug`, `warn`, `error`,
 * `success`, `always`, `print`) and the console extras adaptors call. */
export function createLogger(name) {
  const at = (level) => (...args) => emit(level, name, formatArgs(args));
  const counts = new Map();
  const timers = new Map();
  const logger = {
    log: at("info"),
    info: at("info"),
    debug: at("debug"),
    trace: at("debug"),
    warn: at("warn"),
    error: at("error"),
    success: at("success"),
    always: at("always"),
    print: at("print"),
    /** An empty line, as OpenFn's logger prints between report sections. */
    break: () => emit("break", name, ""),
    dir: (v) => emit("info", name, formatValue(v)),
    table: (v) => emit("info", name, formatValue(v)),
    assert: (cond, ...args) => { if (!cond) emit("error", name, "Assertion failed" + (args.length ? ": " + formatArgs(args) : "")); },
    count: (label = "default") => { const n = (counts.get(label) || 0) + 1; counts.set(label, n); emit("info", name, `${label}: ${n}`); },
    countReset: (label = "default") => counts.delete(label),
    time: (label = "default") => timers.set(label, Date.now()),
    timeEnd: (label = "default") => { const t = timers.get(label); timers.delete(label); emit("info", name, `${label}: ${t === undefined ? 0 : Date.now() - t}ms`); },
    timeLog: (label = "default", ...args) => { const t = timers.get(label); emit("info", name, `${label}: ${t === undefined ? 0 : Date.now() - t}ms ${formatArgs(args)}`.trimEnd()); },
    group: () => {},
    groupCollapsed: () => {},
    groupEnd: () => {},
    clear: () => {},
  };
  return logger;
}

/** The main realm's console, seen by adaptors and libraries: like Node's console it prints raw
 * lines (no logger prefix, no level filter) formatted by `util.format`/`util.inspect` -- as
 * adaptor output appears under OpenFn's CLI. */
export function createRawConsole() {
  const raw = createLogger("");
  const print = (...args) => emit("print", "", nodeFormat(...args));
  for (const key of ["log", "info", "debug", "trace", "warn", "error", "success", "always", "print"]) raw[key] = print;
  raw.dir = (v) => emit("print", "", nodeInspect(v));
  raw.table = raw.dir;
  return raw;
}
