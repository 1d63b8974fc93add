// `pg.types` for fnhost's pg bridge: turns the values PostgreSQL sends (TEXT format, as strings;
// BINARY format, as Buffers) into the JS values node-postgres 8.23.1 hands out with its bundled
// pg-types 2.2.0 (and postgres-array 2.0, postgres-date 1.0.7, postgres-interval 1.2, postgres-bytea
// 1.0, pg-int8 1.0). Written for fnhost, not ported: the results (including their quirks, marked
// "pg quirk" below) are pinned against the npm packages by tests/pg_bridge/check-types.mjs.
//
// Binary format (rarely used: `binary: true` on a query or client) covers what pg-types registers —
// int2/int4/oid/int8/float4/float8/numeric/bool/text/timestamp/timestamptz, and int4[]/int8[]/text[]
// arrays (other element types log pg-types' "not implemented" line and give undefined) — with
// pg-types' results for well-formed values; for truncated buffers pg-types' own arithmetic on
// missing bytes (NaN, garbage) is not reproduced. Every other OID → the value as a string.

/** OIDs of PostgreSQL's built-in base types, by upper-case name (pg-types' `builtins`). */
export const builtins = {
  BOOL: 16,
  BYTEA: 17,
  CHAR: 18,
  INT8: 20,
  INT2: 21,
  INT4: 23,
  REGPROC: 24,
  TEXT: 25,
  OID: 26,
  TID: 27,
  XID: 28,
  CID: 29,
  JSON: 114,
  XML: 142,
  PG_NODE_TREE: 194,
  SMGR: 210,
  PATH: 602,
  POLYGON: 604,
  CIDR: 650,
  FLOAT4: 700,
  FLOAT8: 701,
  ABSTIME: 702,
  RELTIME: 703,
  TINTERVAL: 704,
  CIRCLE: 718,
  MACADDR8: 774,
  MONEY: 790,
  MACADDR: 829,
  INET: 869,
  ACLITEM: 1033,
  BPCHAR: 1042,
  VARCHAR: 1043,
  DATE: 1082,
  TIME: 1083,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  INTERVAL: 1186,
  TIMETZ: 1266,
  BIT: 1560,
  VARBIT: 1562,
  NUMERIC: 1700,
  REFCURSOR: 1790,
  REGPROCEDURE: 2202,
  REGOPER: 2203,
  REGOPERATOR: 2204,
  REGCLASS: 2205,
  REGTYPE: 2206,
  UUID: 2950,
  TXID_SNAPSHOT: 2970,
  PG_LSN: 3220,
  PG_NDISTINCT: 3361,
  PG_DEPENDENCIES: 3402,
  TSVECTOR: 3614,
  TSQUERY: 3615,
  GTSVECTOR: 3642,
  REGCONFIG: 3734,
  REGDICTIONARY: 3769,
  JSONB: 3802,
  REGNAMESPACE: 4089,
  REGROLE: 4096,
};

// ---------------------------------------------------------------------------------------------
// Array literals: `{a,"b c",NULL,{1,2}}` → ['a', 'b c', null, ['1', '2']] (postgres-array 2.0).

const identity = (s) => s;

/**
 * Splits a PostgreSQL array literal into (nested) JS arrays, passing each non-NULL element's text
 * through `transform`. A single left-to-right scan; `{`…`}` inside quotes are text.
 *
 * pg quirks kept on purpose, as postgres-array 2.0 behaves:
 *  - a backslash escapes the next character for the quote test only: `\{`, `\}`, `\,` outside
 *    quotes still act as braces / separators;
 *  - an unquoted `NULL` is null (no transform), a quoted "NULL" is the text;
 *  - text before/after a quoted part joins it (`x"a"` → 'xa'); characters after the outer `}`
 *    are dropped, but a second `{…}` after it adds to the same list;
 *  - a sub-array is added when it opens, loose text of the enclosing level only when that level
 *    ends (`{a{b}}` → [['b'], 'a']);
 *  - a leading `[lo:hi]=` dimension decoration is skipped;
 *  - an unbalanced literal throws Error('array dimension not balanced').
 */
function parseArrayLiteral(source, transform) {
  const fn = transform || identity;
  const len = source.length;
  let at = 0;

  // one character, with its escape flag (a trailing lone backslash reads past the end: undefined)
  let ch;
  let escaped;
  const read = () => {
    ch = source[at++];
    escaped = ch === "\\";
    if (escaped) ch = source[at++];
  };

  if (source[0] === "[") {
    while (at < len) {
      read();
      if (ch === "=") break;
    }
  }

  // scans one `{…}` level starting at `at`; `inner` levels return at their closing brace
  const level = (inner) => {
    const out = [];
    let text = "";
    let pending = false;
    let quoted = false;
    let depth = 0;
    const flush = (force) => {
      if (!pending && !force) return;
      out.push(text === "NULL" && !force ? null : fn(text));
      text = "";
      pending = false;
    };
    while (at < len) {
      read();
      if (!quoted && ch === "{") {
        depth++;
        if (depth > 1) {
          // the sub-array starts at this `{`; afterwards its `}` is read again here, which
          // brings `depth` back down
          at--;
          out.push(level(true));
          at--;
        }
      } else if (!quoted && ch === "}") {
        depth--;
        if (depth === 0) {
          flush(false);
          if (inner) return out;
        }
      } else if (ch === '"' && !escaped) {
        if (quoted) flush(true);
        quoted = !quoted;
      } else if (!quoted && ch === ",") {
        flush(false);
      } else if (ch !== undefined) {
        text += ch;
        pending = true;
      }
    }
    if (depth !== 0) throw new Error("array dimension not balanced");
    return out;
  };
  return level(false);
}

/** pg-types' `arrayParser`: `arrayParser.create(text, transform).parse()`. */
export const arrayParser = {
  create(source, transform) {
    return { parse: () => parseArrayLiteral(source, transform) };
  },
};

// every array parser of pg-types answers null for an empty string (pg quirk: `if (!value)`)
const arrayOf = (elementParser) => (value) => (value ? parseArrayLiteral(value, elementParser) : null);

// ---------------------------------------------------------------------------------------------
// Scalars.

const TRUE_WORDS = new Set(["TRUE", "t", "true", "y", "yes", "on", "1"]);
function parseBool(value) {
  if (value === null) return null;
  return TRUE_WORDS.has(value);
}

const parseInteger = (value) => parseInt(value, 10);

// int8 stays a string (pg's default). pg quirk: only all-digit text is re-stringified; anything
// else (e.g. '-5', or a number given directly) comes back as it was given.
function parseBigInteger(value) {
  const text = String(value);
  return /^\d+$/.test(text) ? text : value;
}

function parsePoint(value) {
  if (value[0] !== "(") return null;
  // pg quirk: substring (not slice) semantics, so "(" alone yields NaN coordinates
  const [x, y] = value.substring(1, value.length - 1).split(",");
  return { x: parseFloat(x), y: parseFloat(y) };
}

// '<(x,y),r>' → {x, y, radius}
function parseCircle(value) {
  // pg quirk: only rejected when neither the first nor the second character fits
  if (value[0] !== "<" && value[1] !== "(") return null;
  const body = value.slice(2, value.length - 1);
  const close = body.indexOf(")");
  const centre = close < 0 ? body : body.slice(0, close + 1);
  const rest = close < 0 ? "" : body.slice(close + 1);
  const circle = parsePoint("(" + centre);
  // pg quirk: the radius is what follows the centre with every ',' and ')' left out
  circle.radius = parseFloat(rest.replace(/[,)]/g, ""));
  return circle;
}

// ---------------------------------------------------------------------------------------------
// bytea: hex (`\x0aff`) or the legacy escape format (`a\\b\001`).

function parseBytea(text) {
  if (/^\\x/.test(text)) return Buffer.from(text.slice(2), "hex");
  const bytes = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== "\\") {
      // Buffer 'binary' semantics: the low byte of each UTF-16 unit
      bytes.push(c.charCodeAt(0) & 0xff);
      i++;
      continue;
    }
    const octal = text.substr(i + 1, 3);
    if (/^[0-7]{3}$/.test(octal)) {
      bytes.push(parseInt(octal, 8) & 0xff);
      i += 4;
      continue;
    }
    let run = 1;
    while (i + run < text.length && text[i + run] === "\\") run++;
    const pairs = Math.floor(run / 2);
    if (pairs === 0) {
      // postgres-bytea loops forever on a lone backslash (PostgreSQL never sends one); fail instead
      throw new Error("invalid bytea escape sequence at position " + i);
    }
    for (let k = 0; k < pairs; k++) bytes.push(0x5c);
    i += pairs * 2;
  }
  return Buffer.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// date / timestamp / timestamptz (postgres-date 1.0.7).

const TIMESTAMP_RE = /(\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?.*?( BC)?$/;
const DATE_ONLY_RE = /^(\d+)-(\d\d)-(\d\d)( BC)?$/;
const ZONE_RE = /([Z+-])(\d\d)?:?(\d\d)?:?(\d\d)?/;

// year 1 BC is year 0, 2 BC is -1, …
const astronomicalYear = (digits, bc) => (bc ? 1 - parseInt(digits, 10) : parseInt(digits, 10));

// Date's multi-argument forms read years 0–99 as 1900–1999; pg-types then sets the year again
// (pg quirk kept: done after the fact, so e.g. 0000-02-29 becomes 0000-03-01 as 1900 has no 29th)
const twoDigitYear = (year) => year >= 0 && year < 100;

/** Milliseconds east of UTC named at the end of the time, or undefined for none. */
function zoneOffsetMs(text) {
  if (text.endsWith("+00")) return 0;
  // pg quirk: looks in the second space-separated word only, at its first Z, + or -
  const zone = ZONE_RE.exec(text.split(" ")[1]);
  if (!zone) return undefined;
  if (zone[1] === "Z") return 0;
  const seconds = parseInt(zone[2], 10) * 3600 + parseInt(zone[3] || 0, 10) * 60 + parseInt(zone[4] || 0, 10);
  return seconds * (zone[1] === "-" ? -1 : 1) * 1000;
}

function parseTimestamp(text) {
  if (text === "infinity") return Infinity;
  if (text === "-infinity") return -Infinity;
  const m = TIMESTAMP_RE.exec(text);
  if (!m) {
    // a bare date is local midnight
    const d = DATE_ONLY_RE.exec(text);
    if (!d) return null;
    const year = astronomicalYear(d[1], d[4]);
    const date = new Date(year, parseInt(d[2], 10) - 1, Number(d[3]));
    if (twoDigitYear(year)) date.setFullYear(year);
    return date;
  }
  const year = astronomicalYear(m[1], m[8]);
  const fields = [year, parseInt(m[2], 10) - 1, Number(m[3]), parseInt(m[4], 10), parseInt(m[5], 10), parseInt(m[6], 10)];
  // (fractional milliseconds are truncated by Date, as pg-types leaves them)
  const ms = m[7] ? parseFloat(m[7]) * 1000 : 0;
  const offset = zoneOffsetMs(text);
  if (offset === undefined) {
    // no zone (timestamp without time zone): local time
    const date = new Date(...fields, ms);
    if (twoDigitYear(year)) date.setFullYear(year);
    return date;
  }
  const date = new Date(Date.UTC(...fields, ms));
  if (twoDigitYear(year)) date.setUTCFullYear(year);
  if (offset !== 0) date.setTime(date.getTime() - offset);
  return date;
}

// ---------------------------------------------------------------------------------------------
// interval (postgres-interval 1.2): '1 year 2 mons -3 days 04:05:06.789' → an object.

const INTERVAL_RE =
  /(?:([+-]?\d+)\s+years?)?\s*(?:([+-]?\d+)\s+mons?)?\s*(?:([+-]?\d+)\s+days?)?\s*(?:([+-])?(\d*):(\d\d):(\d\d)\.?(\d{1,6})?)?/;

// [field, capture group] in the order the fields are set (and so enumerated / JSON-serialised)
const INTERVAL_FIELDS = [
  ["years", 1],
  ["months", 2],
  ["days", 3],
  ["hours", 5],
  ["minutes", 6],
  ["seconds", 7],
  ["milliseconds", 8],
];
const TIME_FIELDS = new Set(["hours", "minutes", "seconds", "milliseconds"]);

/**
 * An interval: own fields years, months, days, hours, minutes, seconds, milliseconds — each only
 * when non-zero. Only the postgres output style is understood (others give an empty interval).
 * A plain constructor (callable without `new`), with enumerable prototype methods, as the npm
 * object is.
 */
function PostgresInterval(raw) {
  if (!(this instanceof PostgresInterval)) return new PostgresInterval(raw);
  if (!raw) return;
  const m = INTERVAL_RE.exec(raw);
  const negativeTime = m[4] === "-";
  for (const [field, group] of INTERVAL_FIELDS) {
    const digits = m[group];
    if (!digits) continue;
    // the fraction is microseconds with trailing zeros left off; kept as fractional milliseconds
    let value = field === "milliseconds" ? parseInt(digits.padEnd(6, "0"), 10) / 1000 : parseInt(digits, 10);
    if (!value) continue;
    if (negativeTime && TIME_FIELDS.has(field)) value = -value;
    this[field] = value;
  }
}

// seconds with the fraction folded in, to microseconds
const secondsWithFraction = (interval) => (interval.seconds || 0) + interval.milliseconds / 1000;

/** PostgreSQL interval input text: '6 seconds 5 minutes … 1 years', or '0'. */
PostgresInterval.prototype.toPostgres = function () {
  const parts = [];
  for (const field of ["seconds", "minutes", "hours", "days", "months", "years"]) {
    if (this.hasOwnProperty(field)) parts.push(field);
  }
  if (this.milliseconds && !parts.includes("seconds")) parts.push("seconds");
  if (parts.length === 0) return "0";
  return parts
    .map((field) => {
      let value = this[field] || 0;
      // pg quirk: trailing zeros (and a bare dot) trimmed by /\.?0+$/
      if (field === "seconds" && this.milliseconds) value = secondsWithFraction(this).toFixed(6).replace(/\.?0+$/, "");
      return value + " " + field;
    })
    .join(" ");
};

/** ISO 8601 duration, every field written: 'P1Y2M3DT4H5M6.789S'. */
PostgresInterval.prototype.toISOString = PostgresInterval.prototype.toISO = function () {
  const part = (field, letter) => {
    let value = this[field] || 0;
    if (field === "seconds" && this.milliseconds) value = secondsWithFraction(this).toFixed(6).replace(/0+$/, "");
    return value + letter;
  };
  return "P" + part("years", "Y") + part("months", "M") + part("days", "D") + "T" + part("hours", "H") + part("minutes", "M") + part("seconds", "S");
};

// ---------------------------------------------------------------------------------------------
// Binary format (see the note at the top).

const bytesOf = (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength);

// big-endian unsigned integer of `count` bytes, accumulated in a double as pg-types does
function unsignedBE(bytes, start, count) {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 256 + bytes[i];
  return n;
}

function binaryInt16(value) {
  const b = bytesOf(value);
  return ((b[0] << 24) >> 16) | b[1];
}

function binaryInt32(value) {
  const b = bytesOf(value);
  return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
}

// int8 → decimal string
function binaryInt64(value) {
  const b = bytesOf(value);
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigInt64(0).toString();
}

// pg quirk (pg-types decodes floats by hand): zero exponent → +0 (so -0 and subnormals are 0);
// the all-ones exponent is not special-cased, so float4 ±Infinity/NaN come out as ±2^128×(1+f)
// and float8 ±Infinity/NaN as ±Infinity.
function binaryFloat(value, exponentBits, fractionBits) {
  const b = bytesOf(value);
  const totalBits = 1 + exponentBits + fractionBits;
  let bits = 0n;
  for (let i = 0; i < totalBits / 8; i++) bits = (bits << 8n) | BigInt(b[i]);
  const fraction = Number(bits & ((1n << BigInt(fractionBits)) - 1n));
  const exponent = Number((bits >> BigInt(fractionBits)) & ((1n << BigInt(exponentBits)) - 1n));
  const negative = bits >> BigInt(totalBits - 1) === 1n;
  if (exponent === 0) return 0;
  const bias = 2 ** (exponentBits - 1) - 1;
  return (negative ? -1 : 1) * Math.pow(2, exponent - bias) * (1 + fraction / 2 ** fractionBits);
}

// pg quirk: numeric → a (lossy) number, the weight read unsigned (so values below 1 → NaN/Infinity
// arithmetic as in pg-types), NaN for 'NaN'
function binaryNumeric(value) {
  const b = bytesOf(value);
  const ndigits = unsignedBE(b, 0, 2);
  const sign = unsignedBE(b, 4, 2);
  if (sign === 0xc000) return NaN;
  let weight = Math.pow(10000, unsignedBE(b, 2, 2));
  let total = 0;
  for (let i = 0; i < ndigits; i++) {
    total += unsignedBE(b, 8 + 2 * i, 2) * weight;
    weight /= 10000;
  }
  const scale = Math.pow(10, unsignedBE(b, 6, 2));
  return ((sign === 0 ? 1 : -1) * Math.round(total * scale)) / scale;
}

// pg quirk: microseconds since 2000-01-01 read as sign + 63-bit magnitude (so times before 2000
// land far away, as in pg-types); timestamp without zone shifted by the local offset; the Date
// gets usec / getMicroSeconds / setMicroSeconds / getUTCMicroSeconds of its own.
function binaryTimestamp(isUTC, value) {
  const b = bytesOf(value);
  const negative = b[0] >> 7 === 1;
  let raw = b[0] & 0x7f;
  for (let i = 1; i < 8; i++) raw = raw * 256 + b[i];
  const date = new Date(((negative ? -1 : 1) * raw) / 1000 + 946684800000);
  if (!isUTC) date.setTime(date.getTime() + date.getTimezoneOffset() * 60000);
  date.usec = raw % 1000;
  date.getMicroSeconds = function () {
    return this.usec;
  };
  date.setMicroSeconds = function (usec) {
    this.usec = usec;
  };
  date.getUTCMicroSeconds = function () {
    return this.usec;
  };
  return date;
}

// pg quirk: int4/int8 elements read unsigned; text elements decoded as UTF-8; other element
// types log and give undefined without moving past their bytes (as pg-types does)
function binaryArray(value) {
  const b = bytesOf(value);
  const ndim = unsignedBE(b, 0, 4);
  const elementType = unsignedBE(b, 8, 4);
  let at = 12;
  const dims = [];
  for (let i = 0; i < ndim; i++) {
    dims.push(unsignedBE(b, at, 4));
    at += 8; // size, then the lower bound (ignored)
  }
  const element = () => {
    const length = unsignedBE(b, at, 4);
    at += 4;
    if (length === 0xffffffff) return null;
    if (elementType === 23 || elementType === 20) {
      const n = unsignedBE(b, at, length);
      at += length;
      return n;
    }
    if (elementType === 25) {
      const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8", at, at + length);
      at += length;
      return text;
    }
    console.log("ERROR: ElementType not implemented: " + elementType);
    return undefined;
  };
  const build = (d) => {
    const out = [];
    if (dims.length - d > 1) {
      for (let i = 0; i < dims[d]; i++) out[i] = build(d + 1);
    } else {
      for (let i = 0; i < dims[d]; i++) out[i] = element();
    }
    return out;
  };
  return build(0);
}

const binaryText = (value) => value.toString("utf8");

function binaryBool(value) {
  if (value === null) return null;
  return (bytesOf(value)[0] & 0xff) > 0;
}

// ---------------------------------------------------------------------------------------------
// The registry.

const parseJson = JSON.parse.bind(JSON);
const parseStringArray = arrayOf(undefined);
const parseIntegerArray = arrayOf(parseInteger);
const parseFloatArray = arrayOf(parseFloat);
const parseDateArray = arrayOf(parseTimestamp);

// plain objects, as pg-types keeps them (so unknown formats read as "no parser" and writing to one
// throws the same TypeError)
const registry = { text: {}, binary: {} };

Object.assign(registry.text, {
  16: parseBool,
  17: parseBytea,
  20: parseBigInteger,
  21: parseInteger,
  23: parseInteger,
  26: parseInteger,
  114: parseJson,
  199: arrayOf(parseJson), // json[]
  600: parsePoint,
  651: parseStringArray, // cidr[]
  700: parseFloat,
  701: parseFloat,
  718: parseCircle,
  791: parseStringArray, // money[]
  1000: arrayOf(parseBool),
  1001: arrayOf(parseBytea),
  1005: parseIntegerArray, // int2[]
  1007: parseIntegerArray, // int4[]
  1008: parseStringArray, // regproc[]
  1009: parseStringArray, // text[]
  1014: parseStringArray, // char[] (bpchar)
  1015: parseStringArray, // varchar[]
  1016: arrayOf((entry) => parseBigInteger(entry).trim()), // int8[]
  1017: arrayOf(parsePoint), // point[]
  1021: parseFloatArray, // float4[]
  1022: parseFloatArray, // float8[]
  1028: parseIntegerArray, // oid[]
  1040: parseStringArray, // macaddr[]
  1041: parseStringArray, // inet[]
  1082: parseTimestamp, // date
  1114: parseTimestamp, // timestamp
  1115: parseDateArray, // timestamp[]
  1182: parseDateArray, // date[]
  1183: parseStringArray, // time[]
  1184: parseTimestamp, // timestamptz
  1185: parseDateArray, // timestamptz[]
  1186: PostgresInterval, // interval
  1187: arrayOf(PostgresInterval), // interval[]
  1231: parseFloatArray, // numeric[] (pg quirk: numbers, while numeric itself stays a string)
  1270: parseStringArray, // timetz[]
  2951: parseStringArray, // uuid[]
  3802: JSON.parse.bind(JSON), // jsonb
  3807: arrayOf(parseJson), // jsonb[]
  3907: parseStringArray, // numrange[]
});

Object.assign(registry.binary, {
  16: binaryBool,
  20: binaryInt64,
  21: binaryInt16,
  23: binaryInt32,
  25: binaryText,
  26: binaryInt32,
  700: (value) => binaryFloat(value, 8, 23),
  701: (value) => binaryFloat(value, 11, 52),
  1000: binaryArray,
  1007: binaryArray,
  1008: binaryArray,
  1009: binaryArray,
  1016: binaryArray,
  1114: (value) => binaryTimestamp(false, value),
  1184: (value) => binaryTimestamp(true, value),
  1700: binaryNumeric,
});

// what an unregistered type comes back as
function noParse(value) {
  return String(value);
}

/** The parser for a type OID in a format ('text' unless given). */
export function getTypeParser(oid, format) {
  const table = registry[format || "text"];
  if (!table) return noParse;
  return table[oid] || noParse;
}

/** Replaces the parser for a type OID: setTypeParser(oid, [format,] parseFn). */
export function setTypeParser(oid, format, parseFn) {
  if (typeof format === "function") {
    parseFn = format;
    format = "text";
  }
  registry[format][oid] = parseFn;
}

/** pg-types' module object (what `pg.types` and a TypeOverrides' default fallback are). */
export const types = { getTypeParser, setTypeParser, arrayParser, builtins };

// ---------------------------------------------------------------------------------------------

/**
 * pg.TypeOverrides: per-client/per-query parsers in front of `userTypes` (pg-types by default).
 * Own fields `_types`, `text`, `binary`; a plain constructor with enumerable prototype methods,
 * as pg's.
 */
export function TypeOverrides(userTypes) {
  this._types = userTypes || types;
  this.text = {};
  this.binary = {};
}

TypeOverrides.prototype.getOverrides = function (format) {
  if (format === "text") return this.text;
  if (format === "binary") return this.binary;
  return {};
};

TypeOverrides.prototype.setTypeParser = function (oid, format, parseFn) {
  if (typeof format === "function") {
    parseFn = format;
    format = "text";
  }
  this.getOverrides(format)[oid] = parseFn;
};

TypeOverrides.prototype.getTypeParser = function (oid, format) {
  const fmt = format || "text";
  return this.getOverrides(fmt)[oid] || this._types.getTypeParser(oid, fmt);
};
