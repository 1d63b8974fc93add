// The engine's console and OpenFn-style named loggers ("JOB", "R/T", "CLI").
// Every line goes to the host through op_log_emit; the host filters by level and formats it.
import { op_log_emit } from "ext:core/ops";

const SECRETS = [];

/** Registers strings (configuration values) that must never appear in log output. */
export function addSecrets(values) {
  for (const v of values) {
    if (typeof v === "string" && v.length >= 3) SECRETS.push(v);
  }
}

/** Clears the secret list (between runs in one runtime). */
export function clearSecrets() {
  SECRETS.length = 0;
}

function redact(text) {
  let out = text;
  for (const s of SECRETS) out = out.split(s).join("****");
  return out;
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
  return args.map((v) => formatValue(v)).join(" ");
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
 * lines (no logger prefix, no level filter) -- as adaptor output appears under OpenFn's CLI. */
export function createRawConsole() {
  const raw = createLogger("");
  const print = (...args) => emit("print", "", formatArgs(args));
  for (const key of ["log", "info", "debug", "trace", "warn", "error", "success", "always", "print"]) raw[key] = print;
  raw.dir = (v) => emit("print", "", formatValue(v));
  raw.table = raw.dir;
  return raw;
}
