// node:punycode (deprecated in Node, still required by some packages): RFC 3492 Punycode and
// the IDNA `toASCII`/`toUnicode` label mapping.
import { defineBuiltin } from "ext:fnhost/04_require.js";

const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;

function rangeError(kind) {
  const messages = {
    overflow: "Overflow: input needs wider integers to process",
    "not-basic": "Illegal input >= 0x80 (not a basic code point)",
    "invalid-input": "Invalid input",
  };
  return new RangeError(messages[kind]);
}

function adapt(delta, numPoints, firstTime) {
  delta = firstTime ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
}

const digitToChar = (d) => String.fromCharCode(d < 26 ? d + 97 : d + 22);
function charToDigit(c) {
  if (c >= 48 && c < 58) return c - 22;
  if (c >= 65 && c < 91) return c - 65;
  if (c >= 97 && c < 123) return c - 97;
  return BASE;
}

export function ucs2decode(str) {
  return Array.from(str, (ch) => ch.codePointAt(0));
}
export function ucs2encode(points) {
  return String.fromCodePoint(...points);
}

export function decode(input) {
  const output = [];
  let basic = input.lastIndexOf("-");
  if (basic < 0) basic = 0;
  for (let j = 0; j < basic; j++) {
    if (input.charCodeAt(j) >= 0x80) throw rangeError("not-basic");
    output.push(input.charCodeAt(j));
  }
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  let i = 0;
  for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
    const oldi = i;
    for (let w = 1, k = BASE; ; k += BASE) {
      if (index >= input.length) throw rangeError("invalid-input");
      const digit = charToDigit(input.charCodeAt(index++));
      if (digit >= BASE) throw rangeError("invalid-input");
      if (digit > Math.floor((0x7fffffff - i) / w)) throw rangeError("overflow");
      i += digit * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(0x7fffffff / (BASE - t))) throw rangeError("overflow");
      w *= BASE - t;
    }
    const out = output.length + 1;
    bias = adapt(i - oldi, out, oldi === 0);
    if (Math.floor(i / out) > 0x7fffffff - n) throw rangeError("overflow");
    n += Math.floor(i / out);
    i %= out;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}

export function encode(input) {
  const points = ucs2decode(input);
  let output = "";
  for (const c of points) if (c < 0x80) output += String.fromCharCode(c);
  const basicLength = output.length;
  let handled = basicLength;
  if (basicLength) output += "-";
  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  while (handled < points.length) {
    let m = 0x7fffffff;
    for (const c of points) if (c >= n && c < m) m = c;
    if (m - n > Math.floor((0x7fffffff - delta) / (handled + 1))) throw rangeError("overflow");
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of points) {
      if (c < n && ++delta > 0x7fffffff) throw rangeError("overflow");
      if (c === n) {
        let q = delta;
        for (let k = BASE; ; k += BASE) {
          const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
          if (q < t) break;
          output += digitToChar(t + ((q - t) % (BASE - t)));
          q = Math.floor((q - t) / (BASE - t));
        }
        output += digitToChar(q);
        bias = adapt(delta, handled + 1, handled === basicLength);
        delta = 0;
        ++handled;
      }
    }
    ++delta;
    ++n;
  }
  return output;
}

function mapDomain(domain, fn) {
  const at = domain.lastIndexOf("@");
  const prefix = at === -1 ? "" : domain.slice(0, at + 1);
  const host = at === -1 ? domain : domain.slice(at + 1);
  return prefix + host.replace(/[\u3002\uFF0E\uFF61]/g, ".").split(".").map(fn).join(".");
}

export function toASCII(domain) {
  return mapDomain(domain, (label) => (/[^\0-\x7F]/.test(label) ? `xn--${encode(label)}` : label));
}

export function toUnicode(domain) {
  return mapDomain(domain, (label) => (/^xn--/i.test(label) ? decode(label.slice(4).toLowerCase()) : label));
}

defineBuiltin("punycode", () => ({
  version: "2.1.0",
  ucs2: { decode: ucs2decode, encode: ucs2encode },
  decode,
  encode,
  toASCII,
  toUnicode,
}));
