// The xml2js cases (tests/it/xml.rs): small documents under a matrix of options, malformed
// documents in strict and loose mode, object-model quirks, and big generated documents (a 2 MB
// CommCare-style form, a DHIS2 SOAP envelope, 10,000 levels of nesting). Deterministic: the
// same list on fnhost and on Node (make-expected.mjs).

const docs = {
  simple: '<root><a>1</a><b x="y">2</b></root>',
  repeated: '<r><item>1</item><item>2</item><other/><item>3</item><other a="1"/></r>',
  mixed: '<p>Hello <b>world</b> and <i>more</i> text<b>again</b></p>',
  ws: '<r>\n  <a>  </a>\n  <b>\n</b>\n  <c> x  y \n z\t\t</c>\n  <d>a\nb</d>\n</r>',
  attrents: `<r a="&lt;&amp;&gt;&quot;&apos;" b='x&#65;&#x42;y' c="tab\there&#10;nl" d="  sp  " e=""/>`,
  soap: '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:x"><soap:Body><m:Get xmlns:m="urn:m" m:id="1"><m:Item>a</m:Item><m:Item>b</m:Item></m:Get></soap:Body></soap:Envelope>',
  cdata: '<r><a><![CDATA[<x>&amp;]]></a><b>pre<![CDATA[ mid ]]>post</b><c><![CDATA[   ]]></c><d><![CDATA[]]></d><e>  <![CDATA[x]]>  </e><f a="1"><![CDATA[ ]]></f></r>',
  ents: '<r>&lt;&gt;&amp;&quot;&apos;&#169;&#xA9;&#Xa9;&#x000041;&copy;&nbsp;&AMP;&Eacute;&eacute;&hellip;&NBSP;&Nbsp;&#128512;</r>',
  commentspi: '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><?pi x?>\n<r><!-- in --><a>1<!-- mid -->2</a><?p q?><b><!-- only --></b></r><!-- after -->',
  doctype: '<!DOCTYPE r SYSTEM "r.dtd">\n<r><a/></r>',
  doctypesubset: '<?xml version="1.0"?><!DOCTYPE r [\n<!ELEMENT r (#PCDATA)>\n<!ATTLIST r a CDATA "x">\n<!-- c -->\n]>\n<r>t</r>',
  bom: '\uFEFF<r>x</r>',
  bom2: '\uFEFF\uFEFF<r>x</r>',
  textroot: '<r>hello</r>',
  emptyroot: '<r/>',
  emptyroot2: '<r></r>',
  wsroot: '<r>  \n </r>',
  attronly: '<r a="1" b="2"/>',
  attrws: '<r a="1">  </r>',
  attrtext: '<r a="1">t</r>',
  nested: '<a><b><c><d>x</d></c></b><b/><b>  </b><b k="v"/></a>',
  unicode: '<r><ñ attr="é">日本語 😀</ñ><ü/></r>',
  jsonchars: '<r>"quote" \\back\\ \u2028\u2029 tab\t \u0001\u001f\u007f / </r>',
  crlf: '<r>\r\n<a>x\r\ny</a>\r\n<b a="1\r\n2"/></r>',
  upper: '<Root><Child ID="1">X</Child><CHILD>Y</CHILD><child>z</child></Root>',
  mixedws: '<r>  a  <x/>  b  <y/>  </r>',
  protoNames: '<r><constructor>x</constructor><toString/><__proto__>y</__proto__><valueOf a="1"/><hasOwnProperty>1</hasOwnProperty><hasOwnProperty>2</hasOwnProperty></r>',
  cdataChild1: '<r><cdata>x</cdata><![CDATA[z]]></r>',
  cdataChild2: '<r><![CDATA[z]]><cdata>x</cdata></r>',
  cdataAttr: '<r><a cdata="v"><![CDATA[z]]></a><b cdata="w"/></r>',
  charkeyChild: '<r><_>x</_></r>',
  permissive: '<  r  ><a  x = "1"  y=\'2\' ></a ><!foo bar>]]>a>b<?pi ??>?></r>',
  closews: '<r><a></ a></r>',
  dupattr: '<r a="1" a="2" b="3" b="4"/>',
  protoattr: '<r __proto__="x" constructor="c" toString="t"/>',
  afterroot: '<r/>junk',
  afterroot2: '<r/><s/>',
  afterroot3: '<r>1</r>&bad;',
  afterroot4: '<r/></r>',
  numeric: '<r><a>1</a><a>2.50</a><b>true</b><c>null</c></r>',
  longname: '<r><a.b-c_d:e>1</a.b-c_d:e><x·y>2</x·y></r>',
  piinside: '<r>a<?xml version="1.0"?>b</r>',
  attrgt: '<r a="1>2" b=\'"\'/>',
  emptyattrtext: '<r><a x=""></a><b x="">t</b></r>',
  nbspws: '<r><a>\u00a0</a><b>\u3000 </b><c>\ufeff</c><d> \u00a0x\u00a0 </d></r>',
  normalizeCases: '<r><a>  a \t\t b\n\nc  </a><b>a\tb</b><c>x\u00a0\u00a0y</c></r>',
  sigma: '<ΑΣ Σ="Σ"><İ>x</İ><ß/></ΑΣ>',
};

const optionSets = {
  default: undefined,
  noArray: { explicitArray: false },
  noRoot: { explicitRoot: false },
  noArrayNoRoot: { explicitArray: false, explicitRoot: false },
  merge: { mergeAttrs: true },
  mergeNoArray: { mergeAttrs: true, explicitArray: false },
  keys: { attrkey: 'attrs', charkey: '#text' },
  explicitCharkey: { explicitCharkey: true },
  trim: { trim: true },
  normalize: { normalize: true },
  trimNormalize: { trim: true, normalize: true, explicitArray: false },
  normalizeTags: { normalizeTags: true },
  ignoreAttrs: { ignoreAttrs: true },
  emptyNull: { emptyTag: null },
  emptyObj: { emptyTag: {} },
  emptyStr: { emptyTag: 'EMPTY', explicitArray: false },
  whiteChars: { includeWhiteChars: true },
  loose: { strict: false },
  combo: { explicitArray: false, mergeAttrs: true, explicitCharkey: true, trim: true, normalizeTags: true, emptyTag: null },
};

const errors = {
  unclosedRoot: '<r>',
  unclosedRoot2: '<root><a>x</a>',
  unclosedText: '<r>text',
  mismatch: '<r><a></r>',
  mismatch2: '<r>\n  <a>\n  </b>\n</r>',
  textBefore: 'text<r/>',
  textBeforeNbsp: '\u00a0<r/>',
  textAfterDecl: '<?xml version="1.0"?>text<r/>',
  ampBefore: '<?xml version="1.0"?>&amp;<r/>',
  unquoted: '<r a=1/>',
  unquoted2: '<r><a b=x>1</a></r>',
  noValue: '<r a/>',
  noValue2: '<r a b="1"/>',
  noValue3: '<r a>x</r>',
  badTagStart: '<1r/>',
  badTagStart2: '<r>< 1></r>',
  badTagStart3: '<r>a < b</r>',
  noWhitespace: '<r><a b="1"c="2"/></r>',
  badEntity: '<r>&foo;</r>',
  badEntityAttr: '<r a="&foo;"/>',
  ampSpace: '<r>a & b</r>',
  ampSpaceAttr: '<r a="a & b"/>',
  emptyEntity: '<r>&;</r>',
  surrogateRef: '<r>&#xD800;</r>',
  zeroRef: '<r>&#0;</r>',
  ctrlRef: '<r>&#1;</r>',
  bigRef: '<r>&#x110000;</r>',
  negRef: '<r>&#-1;</r>',
  hexNoDigits: '<r>&#x;</r>',
  decimalGarbage: '<r>&#12a;</r>',
  unterminatedEntity: '<r>&amp</r>',
  unexpectedEnd: '<r',
  unexpectedEnd2: '<r a="1',
  unexpectedEnd3: '<!-- x',
  unexpectedEnd4: '<r></r',
  unexpectedEnd5: '<r><a',
  malformedComment: '<r><!-- x -- y --></r>',
  malformedComment2: '<r><!-- x ---></r>',
  doctypeInRoot: '<r><!DOCTYPE x></r>',
  doctypeTwice: '<!DOCTYPE a><!DOCTYPE b><a/>',
  doctypeAfter: '<r/><!DOCTYPE r>',
  badCloseName: '<r></1>',
  badCloseChars: '<r></r b>',
  slashNotClose: '<r/ >',
  slashNotClose2: '<r a="1" / >',
  badTagChar: '<r><a$/></r>',
  badTagChar2: '<r><a"/></r>',
  unmatchedClose: '</r>',
  unmatchedClose2: '</r><r/>',
  emptyClose: '<r></></r>',
  badAttrName: '<r 1a="x"/>',
  badAttrName2: '<r a="1" $="2"/>',
  astralName: '<r><a😀/></r>',
  astralText: '<r>😀<a/>\n😀😀<b c="😀"></c></r>',
  multiLine: '<r>\n\t<a>\n\t\t<b>x</b>\n\t</a>\n\t<c>\n</r>',
  onlyComment: '<!-- only -->',
  onlyPI: '<?xml version="1.0"?>',
  empty: '',
  whitespace: ' \n\t ',
  nbspOnly: '\u00a0\u2028',
  bomOnly: '\uFEFF',
  cdataLower: '<r><![cdata[x]]></r>',
  cdataUnterminated: '<r><![CDATA[x',
  sgmlUnterminated: '<r><!foo',
  piUnterminated: '<r><?pi x',
  piInName: '<r><?a?b?></r>',
  twoRoots: '<a/><b/>',
  closeTwice: '<r><a></a></a></r>',
  nulChar: '<r>\u0000</r>',
  lt: '<r a="<"/>',
  scriptLoose: '<html><script>if (a < b && c) { x = "</b>" }</script><p>x</p></html>',
  scriptUpper: '<html><SCRIPT>a</SCRIPT>b</script></html>',
  implicitClose: '<r><a><b>x</r>',
  htmlish: '<html><body><p>a<br>b</p><img src=x.png alt>&nbsp;&foo;</body></html>',
  attrNoValueLoose: '<r a b c="1" d>t</r>',
  unmatchedInner: '<r>a</b>c</r>',
  weirdClose: '<r>a</>b</r>',
  astralAttr: '<r 😀="1"/>',
};

const quirks = [
  ['charkey-child-toString', '<r><_><toString/></_>t</r>'],
  ['charkey-child-toString-loose-unclosed', '<r><_><toString/></_>t', { strict: false }],
  ['charkey-child-toString-then-error', '<r><_><toString/></_>t<a b=1/></r>'],
  ['charkey-child-null', '<r><_/>t</r>', { emptyTag: null }],
  ['charkey-child-number', '<r><_/>t</r>', { emptyTag: 0.5 }],
  ['charkey-child-object-toString', '<r><_/>t</r>', { emptyTag: { toString: 1 } }],
  ['charkey-merged-attr', '<r _="v">t</r>', { mergeAttrs: true }],
  ['charkey-merged-attr-no-text', '<r _="v"/>', { mergeAttrs: true }],
  ['charkey-children-and-text', '<r><_ a="1"/>t<_/>u</r>'],
  ['index-like-charkey', '<r><a>1</a><a>2</a></r>', { charkey: '0', explicitCharkey: true }],
  ['index-like-attrkey', '<r x="1">t</r>', { attrkey: '1' }],
  ['pi-in-dtd', '<!DOCTYPE r [<?pi x?>]><r/>'],
  ['quoted-sgml-decl-never-ends', '<!foo "bar"><r/>'],
  ['quoted-sgml-decl-in-root', '<r><!foo "bar"></r>'],
  ['two-cdata-explicit-charkey', '<r><![CDATA[a]]><![CDATA[b]]></r>', { explicitCharkey: true }],
  ['number-empty-tag', '<r><a/></r>', { emptyTag: 0.5 }],
  ['string-empty-tag-root', '<r/>', { emptyTag: 'E', explicitRoot: false }],
  ['ws-explicit-charkey', '<r>  </r>', { explicitCharkey: true }],
  ['attr-no-value-dup-loose', '<r a a="1" b c b="2">t</r>', { strict: false }],
  ['dtd-comment-and-decls', '<!DOCTYPE r [ <!-- c --> <!ENTITY e "x"> <!ATTLIST r a CDATA #IMPLIED> ]><r>&e;</r>'],
  ['dtd-quoted-bracket', '<!DOCTYPE r [ <!ENTITY e "]>"> ]><r/>'],
  ['crlf-error-position', '<r>\r\n<a>\r\n</b></r>'],
  ['unencoded-lt-padding-loose', '<r><   1 x</r>', { strict: false }],
  ['amp-lt-loose', '<r>&amp<b>x</b></r>', { strict: false }],
  ['unquoted-entity-loose', '<r a=x&y>t</r>', { strict: false }],
];

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

/** A CommCare-style form of about `bytes` (the benchmark's document too). */
export const commcareForm = (bytes) => commcare(bytes);


// ---- seeded random documents: valid, nearly valid and broken, under random options
let seed = 1;
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

function fuzzDocument() {
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

const fuzzOptionSets = [
  undefined, { explicitArray: false }, { explicitRoot: false }, { mergeAttrs: true }, { mergeAttrs: true, explicitArray: false },
  { explicitCharkey: true }, { trim: true, normalize: true }, { normalizeTags: true }, { ignoreAttrs: true },
  { emptyTag: null }, { emptyTag: {} }, { strict: false }, { strict: false, explicitArray: false, mergeAttrs: true },
  { attrkey: 'A', charkey: 'T', explicitArray: false },
];


/** `count` random cases from `start` (the same ones everywhere). */
function fuzz(count, start) {
  seed = start >>> 0;
  const out = [];
  for (let i = 0; i < count; i++) {
    const xml = fuzzDocument();
    out.push({ name: `fuzz-${i}`, xml, options: pick(fuzzOptionSets) });
  }
  return out;
}

/** Every case: `{ name, xml, options }` (`options` undefined for xml2js' defaults). */
export function cases() {
  const out = [];
  for (const [dn, xml] of Object.entries(docs)) {
    for (const [on, options] of Object.entries(optionSets)) out.push({ name: `${dn}--${on}`, xml, options });
  }
  for (const [en, xml] of Object.entries(errors)) {
    out.push({ name: `err-${en}`, xml, options: undefined });
    out.push({ name: `err-${en}--loose`, xml, options: { strict: false } });
  }
  for (const [n, xml, options] of quirks) out.push({ name: `quirk-${n}`, xml, options });
  const generated = [
    ["big-commcare", commcare(2_000_000), undefined],
    ["big-commcare-flat", commcare(500_000), { explicitArray: false, mergeAttrs: true }],
    ["big-soap", soap(5000), undefined],
    ["big-soap-trim", soap(2000), { explicitArray: false, explicitRoot: false, trim: true, normalize: true, emptyTag: null }],
    ["deep-10000", deep(10000, false), undefined],
    ["deep-10000-text", deep(10000, true), undefined],
    ["deep-10000-flat", deep(10000, true), { explicitArray: false }],
    ["deep-10000-unclosed", deep(10000, false).slice(0, -4), undefined],
    ["big-comment-unterminated", "<r><!--" + "x".repeat(70000), undefined],
    ["big-attr-unterminated", '<r a="' + "x".repeat(70000), undefined],
    ["big-text-unclosed", "<r>" + "x".repeat(70000), undefined],
  ];
  for (const [name, xml, options] of generated) out.push({ name, xml, options });
  out.push(...fuzz(2000, 1));
  return out;
}
