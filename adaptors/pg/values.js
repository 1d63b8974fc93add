// `pg.defaults`, and what node-postgres 8.23.1 makes of JS values sent as query parameters
// (`prepareValue`), and its `escapeIdentifier` / `escapeLiteral`, for fnhost's pg bridge. Written
// for fnhost, not ported; results pinned against the npm pg by tests/pg_bridge/check-types.mjs.
import { getTypeParser, setTypeParser } from "./types.js";

let user;
try {
  user = process.platform === "win32" ? process.env.USERNAME : process.env.USER;
} catch {
  // no `process` (or no environment access): no default user, as pg leaves it
}

/** pg.defaults: connection and pool defaults, same keys and values as pg's. */
export const defaults = {
  host: "localhost",
  user,
  database: undefined,
  password: null,
  connectionString: undefined,
  port: 5432,
  rows: 0,
  binary: false,
  max: 10,
  idleTimeoutMillis: 30000,
  client_encoding: "",
  ssl: false,
  sslnegotiation: undefined,
  application_name: undefined,
  fallback_application_name: undefined,
  options: undefined,
  parseInputDatesAsUTC: false,
  statement_timeout: false,
  lock_timeout: false,
  idle_in_transaction_session_timeout: false,
  query_timeout: false,
  connect_timeout: 0,
  keepalives: 1,
  keepalives_idle: 0,
};

// `defaults.parseInt8 = true` makes int8 / int8[] come back as numbers (with the int4 / int4[]
// parsers current at that moment), `= false` restores the parsers installed at load. A setter-only
// enumerable property, like pg's __defineSetter__ (reading it gives undefined).
const int8Text = getTypeParser(20, "text");
const int8ArrayText = getTypeParser(1016, "text");
Object.defineProperty(defaults, "parseInt8", {
  configurable: true,
  enumerable: true,
  set(on) {
    setTypeParser(20, "text", on ? getTypeParser(23, "text") : int8Text);
    setTypeParser(1016, "text", on ? getTypeParser(1007, "text") : int8ArrayText);
  },
});

// ---------------------------------------------------------------------------------------------

const pad = (n, width) => String(n).padStart(width, "0");

// Dates carry an internal slot, so this works for Dates from any realm (as util.types.isDate).
// Only an object whose tag says Date is tested (a throw per value would cost every query).
function isDate(value) {
  if (value instanceof Date) return true;
  if (typeof value !== "object" || value === null || Object.prototype.toString.call(value) !== "[object Date]") return false;
  try {
    Date.prototype.getTime.call(value);
    return true;
  } catch {
    return false;
  }
}

// pg only warns (once) about an invalid Date; it still sends "0NaN-NaN-…"
let warnedInvalidDate = false;
function warnInvalidDate() {
  if (warnedInvalidDate) return;
  warnedInvalidDate = true;
  const message =
    "Sending an invalid date to Postgres is deprecated and will throw an error in the next major version of pg. Ensure any Date object passed as a query parameter is valid.";
  try {
    process.emitWarning(message, "DeprecationWarning", "PG_INVALID_DATE");
  } catch {
    // no process.emitWarning: stay quiet
  }
}

// 'YYYY-MM-DDTHH:MM:SS.mmm+HH:MM' with the local offset, or '+00:00' in UTC mode; BC years as
// ' BC' (year 0 is 1 BC). pg quirk: the offset is getTimezoneOffset()'s whole minutes, so for
// old local mean times (e.g. New York before 1883, -4:56:02) the text is off by those seconds.
function dateParameter(date, utc) {
  const get = utc
    ? [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()]
    : [date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds()];
  const [fullYear, month, day, hours, minutes, seconds, ms] = get;
  const bc = fullYear < 1;
  const year = bc ? Math.abs(fullYear) + 1 : fullYear;
  let text = `${pad(year, 4)}-${pad(month + 1, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(ms, 3)}`;
  if (utc) {
    text += "+00:00";
  } else {
    const east = -date.getTimezoneOffset();
    const size = east < 0 ? -east : east;
    text += (east < 0 ? "-" : "+") + pad(Math.floor(size / 60), 2) + ":" + pad(size % 60, 2);
  }
  return bc ? text + " BC" : text;
}

// one array element as pg quotes it; `text` is what prepare() gave (pg quirk: a Buffer or
// null/undefined from toPostgres/toJSON fails here with the TypeError pg's code meets)
function quoteElement(text) {
  if (text == null) throw new TypeError(`Cannot read properties of ${text} (reading 'replace')`);
  if (typeof text !== "string") throw new TypeError("elementRepresentation.replace is not a function");
  let out = '"';
  for (const c of text) out += c === "\\" || c === '"' ? "\\" + c : c;
  return out + '"';
}

// a JS array → '{…}' (comma-separated, so not for box[]); null/undefined → NULL, nested arrays
// unquoted, byte arrays as "\\x…" (unquoted, pg quirk) and everything else quoted
function arrayLiteral(list) {
  const parts = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (item == null) parts.push("NULL");
    else if (Array.isArray(item)) parts.push(arrayLiteral(item));
    else if (ArrayBuffer.isView(item)) parts.push("\\\\x" + hexOf(item));
    else parts.push(quoteElement(prepare(item)));
  }
  return "{" + parts.join(",") + "}";
}

function hexOf(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let hex = "";
  for (const b of bytes) hex += (b < 16 ? "0" : "") + b.toString(16);
  return hex;
}

// `visited`: the toPostgres objects being expanded, to refuse cycles as pg does
function prepare(value, visited) {
  if (value == null) return null;
  if (typeof value !== "object") return value.toString();
  if (value instanceof Buffer) return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (isDate(value)) {
    if (Number.isNaN(value.getTime())) warnInvalidDate();
    return dateParameter(value, defaults.parseInputDatesAsUTC);
  }
  if (Array.isArray(value)) return arrayLiteral(value);
  if (value && typeof value.toPostgres === "function") {
    const seen = visited || [];
    if (seen.includes(value)) throw new Error('circular reference detected while preparing "' + value + '" for query');
    seen.push(value);
    // (toPostgres gets the two-argument form, as in pg)
    return prepare(value.toPostgres(prepare), seen);
  }
  return JSON.stringify(value);
}

/** A JS value as a query parameter: null, a Buffer, or text. Extra arguments are ignored. */
export function prepareValue(value) {
  return prepare(value);
}

/** A quoted SQL identifier: "a""b". */
export function escapeIdentifier(str) {
  return '"' + str.replace(/"/g, '""') + '"';
}

/** A quoted SQL string literal; with ` E` in front when it holds a backslash (libpq's rule). */
export function escapeLiteral(str) {
  if (typeof str !== "string") return "''";
  const body = str.replace(/['\\]/g, (c) => c + c);
  const literal = "'" + body + "'";
  return str.includes("\\") ? " E" + literal : literal;
}
