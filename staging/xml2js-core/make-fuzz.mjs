// Seeded random documents (valid, nearly valid and broken) run through the
// real xml2js; writes fuzz.json = [{name, xml, options, expected}].
// Usage: node make-fuzz.mjs [count=3000] [seed=1]
import fs from 'node:fs';
import { reference } from './make-expected.mjs';

const count = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 1) >>> 0;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const chance = (p) => rnd() < p;

const names = ['a', 'b', 'item', 'Item', 'ns:x', 'x.y-z', '_', 'cdata', 'constructor', '__proto__', 'toString',
  'é', 'ΑΣ', 'data', 'A1', 'soap:Body', 'script', 'SCRIPT', '$', '1a', 'a b', 'a😀'];
const attrNames = ['id', 'x', 'ns:y', '_', 'cdata', 'constructor', '__proto__', 'X', 'a-b', 'xmlns', 'xmlns:p', '1', '$'];
const texts = ['t', ' ', '\n  ', 'hello world', '  a  b  ', '\t', '\r\n', '\u00a0', '\u3000x', '😀', '"q"', '\\', '\u2028',
  '\u0001', ']]>', '>', 'a>b', '&amp;', '&lt;&gt;', '&#65;', '&#x1F600;', '&nbsp;', '&copy;', '&AMP;', '&foo;', '& ',
  '&#0;', '&#xD800;', '&;', '&amp', '<', '< ', '&#x41', '&Eacute;', '&#00065;'];
const values = ['v', '', ' sp ', 'a&amp;b', '&lt;', '&foo;', 'x"y', "x'y", '1>2', '&#10;', '\t\n', 'é😀', '&', '<'];

function attr() {
  const n = pick(attrNames);
  const v = pick(values);
  const q = chance(0.5) ? '"' : "'";
  const vv = v.includes(q) ? v.replaceAll(q, '') : v;
  switch (Math.floor(rnd() * 12)) {
    case 0: return ` ${n}=${vv || 'u'}`; // unquoted
    case 1: return ` ${n}`; // no value
    case 2: return ` ${n} = ${q}${vv}${q}`;
    case 3: return `${n}=${q}${vv}${q}`; // no whitespace before
    default: return ` ${n}=${q}${vv}${q}`;
  }
}

function misc() {
  return pick(['<!-- c -->', '<!---->', '<!-- a -- b -->', '<!-- x --->', '<?pi x?>', '<?pi ??>?>', '<![CDATA[c]]>',
    '<![CDATA[]]>', '<![CDATA[ ]]>', '<![CDATA[a]]]>', '<![cdata[l]]>', '<!foo>', '<!DOCTYPE x>', '<?xml version="1.0"?>', '< ', '</>']);
}

function element(depth) {
  const name = chance(0.9) ? pick(names.slice(0, 17)) : pick(names);
  let s = chance(0.05) ? '<  ' + name : '<' + name;
  const na = chance(0.5) ? 0 : Math.floor(rnd() * 4);
  for (let i = 0; i < na; i++) s += chance(0.9) ? ` ${pick(attrNames.slice(0, 10))}="${pick(values.slice(0, 12)).replaceAll('"', '')}"` : attr();
  if (chance(0.2)) return s + (chance(0.9) ? '/>' : ' / >');
  s += chance(0.05) ? ' >' : '>';
  const nk = depth > 4 ? 0 : Math.floor(rnd() * 5);
  for (let i = 0; i < nk; i++) {
    const r = rnd();
    if (r < 0.45) s += element(depth + 1);
    else if (r < 0.85) s += chance(0.85) ? pick(texts.slice(0, 13)) : pick(texts);
    else s += misc();
  }
  const close = chance(0.97) ? name : pick(names);
  return s + (chance(0.05) ? `</ ${close} >` : `</${close}>`);
}

function document() {
  let s = '';
  if (chance(0.1)) s += '\uFEFF';
  if (chance(0.3)) s += '<?xml version="1.0" encoding="UTF-8"?>';
  if (chance(0.2)) s += pick(['\n', ' ', '\r\n', '\t']);
  if (chance(0.1)) s += pick(['<!DOCTYPE r>', '<!DOCTYPE r [<!ENTITY e "x">]>', '<!DOCTYPE r SYSTEM "a>b">', 'x', '&amp;', '<!-- pre -->']);
  s += element(0);
  if (chance(0.2)) s += pick(['\n', 'junk', '<b/>', '</x>', '<!-- post -->', '&bad;']);
  if (chance(0.1)) {
    s = s.slice(0, Math.floor(rnd() * s.length)); // truncate (never inside a surrogate pair)
    if (/[\ud800-\udbff]$/.test(s)) s = s.slice(0, -1);
  }
  return s;
}

const optionSets = [
  undefined, { explicitArray: false }, { explicitRoot: false }, { mergeAttrs: true }, { mergeAttrs: true, explicitArray: false },
  { explicitCharkey: true }, { trim: true, normalize: true }, { normalizeTags: true }, { ignoreAttrs: true },
  { emptyTag: null }, { emptyTag: {} }, { strict: false }, { strict: false, explicitArray: false, mergeAttrs: true },
  { attrkey: 'A', charkey: 'T', explicitArray: false },
];

const out = [];
for (let i = 0; i < count; i++) {
  const xml = document();
  const options = pick(optionSets);
  out.push({ name: `fuzz-${i}`, xml, ...(options ? { options } : {}), expected: reference(xml, options) });
}
fs.writeFileSync(new URL('./fuzz.json', import.meta.url), JSON.stringify(out) + '\n');
const errors = out.filter((c) => c.expected.startsWith('{"error"')).length;
console.log(`${out.length} fuzz cases (${errors} errors, ${out.filter((c) => c.expected === 'null').length} null)`);
