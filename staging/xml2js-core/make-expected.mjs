// Runs the reference implementation (npm xml2js 0.6.2 + sax) over every case
// and writes the exact text the Rust port must produce:
//   expected/<name>.json = JSON.stringify(result)            on success
//                        = JSON.stringify({error: err.message}) on error
//
// Cases:
//   cases.json                      [{name, xml, options?}] small hand-written cases
//   cases/<name>.xml (+ .opts.json) big generated documents (generated here too)
//
// Usage: node make-expected.mjs [--xml2js-dir /tmp/xmlref]
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const refDir = process.argv.includes('--xml2js-dir')
  ? process.argv[process.argv.indexOf('--xml2js-dir') + 1]
  : '/tmp/xmlref';
const require = createRequire(path.join(refDir, 'package.json'));
const xml2js = require('xml2js');
if (require('xml2js/package.json').version !== '0.6.2') throw new Error('need xml2js 0.6.2');

/** Runs xml2js exactly like an adaptor would and returns the text to compare. */
export function reference(xml, options) {
  let first = null; // xml2js may call back more than once; the first call wins
  try {
    xml2js.parseString(xml, options ?? {}, (err, result) => {
      if (first === null) first = err ? { err } : { result };
    });
  } catch (e) {
    if (first === null) first = { err: e };
  }
  if (first === null) return '__NO_CALLBACK__';
  if (first.err) return JSON.stringify({ error: String(first.err.message) });
  return JSON.stringify(first.result);
}

// ---------------------------------------------------------------- big cases
/** Deterministic pseudo random generator so generated cases never change. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A CommCare-style form submission with many repeat groups (~2 MB). */
function commcare(targetBytes) {
  const r = rng(42);
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<data xmlns:jrm="http://dev.commcarehq.org/jr/xforms" xmlns="http://openrosa.org/formdesigner/ABC" uiVersion="1" version="12" name="Household visit">\n',
  ];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const kids = Math.floor(r() * 4);
    let g = `  <household id="hh-${i}">\n    <head_name>Person ${i} &amp; family</head_name>\n` +
      `    <village>V${Math.floor(r() * 300)}</village>\n    <gps>${(r() * 180 - 90).toFixed(6)} ${(r() * 360 - 180).toFixed(6)} 0 10</gps>\n` +
      `    <visit_date>2024-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}</visit_date>\n`;
    for (let k = 0; k < kids; k++) {
      g += `    <child>\n      <child_name>Kid ${k}</child_name>\n      <age unit="months">${Math.floor(r() * 60)}</age>\n` +
        `      <muac>${(10 + r() * 10).toFixed(1)}</muac>\n      <vaccines>bcg opv1 ${r() < 0.5 ? 'penta1' : ''}</vaccines>\n` +
        `      <notes>${r() < 0.3 ? '<![CDATA[cough & fever <3 days]]>' : ''}</notes>\n    </child>\n`;
    }
    g += `    <consent/>\n  </household>\n`;
    parts.push(g);
    size += g.length;
  }
  parts.push('  <meta><deviceID>dev-1</deviceID><timeStart>2024-01-01T10:00:00.000Z</timeStart>' +
    '<userID>u1</userID><instanceID>uuid:00000000-1111-2222-3333-444444444444</instanceID></meta>\n</data>\n');
  return parts.join('');
}

/** A DHIS2-style SOAP envelope with namespaces and prefixed names. */
function soap(n) {
  const r = rng(7);
  let body = '';
  for (let i = 0; i < n; i++) {
    body += `      <dxf:dataValue dataElement="de${i % 97}" period="2024${String(1 + (i % 12)).padStart(2, '0')}" orgUnit="ou${Math.floor(r() * 1000)}" value="${Math.floor(r() * 10000)}">` +
      `<dxf:comment>${r() < 0.2 ? 'checked &lt;ok&gt;' : ''}</dxf:comment></dxf:dataValue>\n`;
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dxf="http://dhis2.org/schema/dxf/2.0">
  <soapenv:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" soapenv:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>admin</wsse:Username><wsse:Password Type="PasswordText">district</wsse:Password></wsse:UsernameToken></wsse:Security></soapenv:Header>
  <soapenv:Body>
    <dxf:dataValueSet dataSet="pBOMPrpg1QX" completeDate="2024-01-01">
${body}    </dxf:dataValueSet>
  </soapenv:Body>
</soapenv:Envelope>
`;
}

/** `depth` nested elements with text and attributes at every level. */
function deep(depth, withText) {
  let s = '';
  for (let i = 0; i < depth; i++) s += withText ? `<n d="${i}">t${i}` : '<n>';
  s += 'leaf';
  for (let i = 0; i < depth; i++) s += '</n>';
  return s;
}

/** ~`targetBytes` of generic records, used by the benchmark (not committed as expected). */
export function benchDoc(targetBytes) {
  return commcare(targetBytes);
}

const generated = [
  ['big-commcare', commcare(2_000_000), null],
  ['big-commcare-flat', commcare(500_000), { explicitArray: false, mergeAttrs: true }],
  ['big-soap', soap(5000), null],
  ['big-soap-trim', soap(2000), { explicitArray: false, explicitRoot: false, trim: true, normalize: true, emptyTag: null }],
  ['deep-10000', deep(10000, false), null],
  ['deep-10000-text', deep(10000, true), null],
  ['deep-10000-flat', deep(10000, true), { explicitArray: false }],
  ['deep-10000-unclosed', deep(10000, false).slice(0, -4), null],
  ['big-comment-unterminated', '<r><!--' + 'x'.repeat(70000), null],
  ['big-attr-unterminated', '<r a="' + 'x'.repeat(70000), null],
  ['big-text-unclosed', '<r>' + 'x'.repeat(70000), null],
];

// ---------------------------------------------------------------- main
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const casesDir = path.join(here, 'cases');
  const outDir = path.join(here, 'expected');
  fs.mkdirSync(casesDir, { recursive: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, xml, opts] of generated) {
    fs.writeFileSync(path.join(casesDir, name + '.xml'), xml);
    if (opts) fs.writeFileSync(path.join(casesDir, name + '.opts.json'), JSON.stringify(opts));
    else fs.rmSync(path.join(casesDir, name + '.opts.json'), { force: true });
  }
  let n = 0;
  const small = JSON.parse(fs.readFileSync(path.join(here, 'cases.json'), 'utf8'));
  const seen = new Set();
  for (const c of small) {
    if (seen.has(c.name)) throw new Error('duplicate case ' + c.name);
    seen.add(c.name);
    fs.writeFileSync(path.join(outDir, c.name + '.json'), reference(c.xml, c.options));
    n++;
  }
  for (const f of fs.readdirSync(casesDir)) {
    if (!f.endsWith('.xml')) continue;
    const name = f.slice(0, -4);
    if (seen.has(name)) throw new Error('duplicate case ' + name);
    const xml = fs.readFileSync(path.join(casesDir, f), 'utf8');
    const optsFile = path.join(casesDir, name + '.opts.json');
    const opts = fs.existsSync(optsFile) ? JSON.parse(fs.readFileSync(optsFile, 'utf8')) : undefined;
    fs.writeFileSync(path.join(outDir, name + '.json'), reference(xml, opts));
    n++;
  }
  console.log(`wrote ${n} expected outputs to ${outDir}`);
}
