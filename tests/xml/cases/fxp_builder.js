// (tests/it/xml.rs, via tests/xml/fxp_builder.js)
// Hand-written differential cases for fast-xml-parser's XMLBuilder (v4 and v5).
//
// export objects:  named input objects (non-preserveOrder shapes)
// export ordered:  named preserveOrder input arrays
// export presets:  named option sets; every object runs with every preset (and v4 + v5)
// export extra:    single cases {name, obj, opts}
// export bridgeOnly: cases JSON cannot carry (undefined, Date, functions, ...): only bridge-check.mjs runs them
// export roundTrip: XML documents parsed with the real XMLParser, then built back
// export bigCommcare(): deterministic ~2 MB CommCare-style submission object

export const objects = {
  simple: { root: { a: 'x', b: 'y' } },
  nested: { root: { person: { name: 'Ann', age: 31, address: { city: 'Paris', zip: '75001' } } } },
  arrays: { root: { item: ['a', 'b', 'c'], num: [1, 2, 3] } },
  arrayOfObjects: { root: { item: [{ id: 1, v: 'x' }, { id: 2, v: 'y' }, { id: 3 }] } },
  nestedArrays: { root: { a: [[1, 2], [3]], b: [[], [[]]], c: [{ d: [] }] } },
  attrs: { root: { '@_id': '7', '@_type': 'x&y', child: { '@_a': 1, '@_b': true, '@_c': false, '#text': 'hi' } } },
  attrsOnly: { root: { '@_id': '1', e: { '@_x': 'y' }, f: { '@_x': '' } } },
  attrEdge: { root: { '@_': 'empty-name', '@_q': 'a"b\'c<d>e&f', '@_t': 'true', '@_n': null, e: { '@_n': null } } },
  textMixed: { root: { '#text': 'lead', a: 'x', b: { '#text': 't', c: 1 } } },
  textOnlyChild: { root: { a: { '#text': 'only' }, b: { '#text': '' }, c: { '#text': 0 }, d: { '#text': null }, e: { '#text': false } } },
  entities: { root: { t: '5 < 6 && 7 > 3', q: '"quoted" \'single\'', amp: '&amp; already', lt: '<tag>', gt: ']]>' } },
  unicode: { root: { emoji: '😀 ünïcödé 中文', rtl: 'مرحبا', zw: '\u200b\u00a0', astralKey: { '𝒳': 'v' }, 'ключ': 'значение' } },
  controlChars: { root: { c: 'a\tb\nc\rd\u0001e\u007f', nl: '\n', sp: '   ' } },
  emptyValues: { root: { e: '', n: null, o: {}, a: [], an: [null], ae: [''], z: 0, f: false } },
  nullsInArray: { root: { a: ['x', null, 'y', null], b: [null], '?p': [null, 'q'] } },
  numbers: {
    root: {
      i: 42, neg: -7, z: 0, nz: -0, f: 3.14, big: 1e21, big2: 123456789012345680000, small: 1e-7, small2: 0.000001,
      e1: 1.5e300, e2: -2.5e-300, max: Number.MAX_SAFE_INTEGER, over: 2 ** 53 + 2, mv: Number.MAX_VALUE,
      minv: Number.MIN_VALUE, third: 1 / 3, tenth: 0.1, sum: 0.1 + 0.2, half: 0.5, e20: 1e20, e21m: 999999999999999900000,
      arr: [0, -0, 1e21, 1e-7, -1.5], attrs: { '@_n': -0, '@_m': 1e-7, '@_k': 12.5 },
    },
  },
  booleans: { root: { t: true, f: false, arr: [true, false], a: { '@_on': true, '@_off': false, '@_s': 'true' } } },
  cdata: { root: { '#cdata': 'raw <b> & stuff', d: { '#cdata': 'x]]>y' }, e: { '#cdata': ['a', 'b'] }, f: { '#cdata': null } } },
  comments: { root: { '#comment': 'a comment', d: { '#comment': 'x--y-' }, e: { '#comment': '---' }, f: { '#comment': ['c1', 'c2-'] } } },
  commentObj: { root: { '#comment': { a: 'b' }, x: { '#comment': { '#text': 'in--side' } } } },
  piDecl: { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, root: { a: 1 } },
  piDeclText: { '?xml': { '@_version': '1.0', '#text': 'junk' }, '?pi': 'text', '?e': '', '?n': null, root: 'x' },
  piNested: { '?xml': { '@_version': '1.0', inner: { x: 1 } }, root: { '?inside': { '@_a': 1 } } },
  piVersionNum: { '?xml': { '@_version': 1.1 }, root: 'x' },
  groupAttrs: { root: { $: { '@_id': '1', plain: 'p', n: null, num: -0, o: { x: 1 }, arr: [1, [2, 3], null] }, child: 'c' } },
  groupNamed: { root: { ':@': { id: '1', b: true }, v: 'x', list: [{ ':@': { k: '1' }, '#text': 't' }, { ':@': { k: '2' } }] } },
  unpaired: { root: { br: '', hr: { '@_class': 'x' }, img: [{ '@_src': 'a.png' }, ''], p: 'text', input: { '#text': 'v' } } },
  stopish: { root: { script: { '#text': 'if (a < b && c) {}' }, pre: '<b>raw</b>', style: { b: 'x<y', '@_a': 'q"' }, x: { script: 'a<b' } } },
  deepish: { a: { b: { c: { d: { e: { f: { g: 'deep' } } } } } } },
  numericKeys: { root: { 1: 'one', 10: 'ten', 2: 'two', b: 'b', a: 'a' } },
  protoKeys: JSON.parse('{"root":{"__proto__":{"x":"1"},"constructor":"c","toString":"t"}}'),
  specialNames: { 'a:b': { 'x-y.z': 'v', '_u': 'w', '1bad': 'n', 'sp ace': 's' } },
  textWithAttrsAndChildren: { root: { '@_a': '1', '#text': 'text', child: [{ '@_i': 1 }, { '@_i': 2, '#text': 'two' }] } },
  multiRoot: { a: 'x', b: 'y', c: [1, 2] },
  formattedMix: { root: { a: { b: { c: 'x', d: '' } }, e: [{ f: 1 }, { g: { h: null } }], t: { '#text': 'x', y: 'z' } } },
  arrayTop: [{ a: 1 }, { b: 2 }, 'str', 5, null, [1]],
  arrayOfPrims: ['x', 'y'],
  textKeyAtTop: { '#text': 'top', a: 'x' },
  weirdText: { root: { a: { '#text': { x: 1 } }, b: { '#text': [] }, c: { '#text': [1, 2] }, d: { '#text': ['<'] } } },
  listGroupAttrs: { root: { item: [{ $: { '@_a': '1' }, v: 'x' }, { v: 'y' }, 'prim', { '@_b': '2', w: 'z' }] } },
  commentNull: { root: { '#comment': null, '#cdata': null, '#text': null } },
  emptyObjVariants: { root: { o1: {}, o2: { '@_a': '1' }, o3: { '#text': '' }, o4: { '#text': '', '@_a': '1' } } },
  lengthKey: { root: { length: 5, a: { length: 'x', '#text': 'y' } } },
};

export const ordered = {
  basic: [{ root: [{ a: [{ '#text': 'x' }] }, { b: [{ '#text': 1 }] }] }],
  withAttrs: [{ root: [{ a: [{ '#text': 'x&y' }], ':@': { '@_id': '1', '@_b': true, '@_q': 'a"b', '@_n': null, '@_z': -0 } }], ':@': { '@_r': 'v' } }],
  decl: [{ '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' } }, { root: [{ a: [] }] }],
  declText: [{ '?xml': [{ '#text': 'x' }], ':@': { '@_version': '1.0' } }, { '?pi': [{ '#text': 'data' }] }, { root: [] }],
  piNum: [{ '?pi': [{ '#text': 5 }] }, { r: [] }],
  mixed: [{ root: [{ '#text': 'before' }, { b: [{ '#text': 'bold' }] }, { '#text': 'after' }, { i: [] }, { '#text': 0 }] }],
  cdataComment: [{ root: [{ '#cdata': [{ '#text': 'raw <x> ]]> end' }] }, { '#comment': [{ '#text': 'c--c-' }] }, { a: [{ '#text': 'v' }] }, { '#cdata': [{}] }] }],
  emptyTags: [{ root: [{ e: [] }, { br: [] }, { img: [], ':@': { '@_src': 'x' } }, { t: [{ '#text': '' }] }] }],
  textValues: [{ root: [{ a: 'str<' }, { b: 5 }, { c: null }, { d: { x: 1 } }, { e: true }, { f: -0 }] }],
  textTypes: [{ r: [{ '#text': null }, { '#text': true }, { '#text': -0 }, { '#text': { a: 1 } }, { '#text': 1e21 }] }],
  skips: [{ root: [5, true, '', [], {}, { ':@': { '@_a': 1 } }, { a: [] }] }],
  nestedDeep: [{ a: [{ b: [{ c: [{ d: [{ '#text': 'x' }] }] }, { e: [] }] }] }],
  stopText: [{ root: [{ script: [{ '#text': 'a < b && c' }] }, { x: [{ script: [{ '#text': '<raw>' }] }] }, { '#text': '<top>' }] }],
  stopNested: [{ root: [{ pre: [{ b: [{ '#text': '<i>' }], ':@': { '@_a': 'q"\'&' } }, { '#text': '&' }, { '#cdata': [{ '#text': 'cd' }] }, { '#comment': [{ '#text': 'cm' }] }, { '?p': [] }, { e: [] }] }] }],
  topText: [{ '#text': 'just text & more' }, { a: [] }],
  attrNames: [{ r: [], ':@': { x: '1', '@_': 'e', 'é@_': 'u', '𝒳y': 'astral' } }],
  notPrefixed: [{ r: [], ':@': { '@_a': 'x', 'plain': 'p' } }],
  multiTop: [{ a: [{ '#text': '1' }] }, { b: [{ '#text': '2' }] }, { '#comment': [{ '#text': 'c' }] }, { c: [] }],
};

const base = {};
export const presets = {
  default: base,
  attrs: { ignoreAttributes: false },
  attrsFormat: { ignoreAttributes: false, format: true },
  format: { format: true },
  formatTab: { format: true, indentBy: '\t', ignoreAttributes: false },
  formatEmptyIndent: { format: true, indentBy: '', ignoreAttributes: false },
  prefix: { ignoreAttributes: false, attributeNamePrefix: '' },
  prefixDollar: { ignoreAttributes: false, attributeNamePrefix: '$' },
  group: { ignoreAttributes: false, attributesGroupName: '$' },
  groupColon: { ignoreAttributes: false, attributesGroupName: ':@', attributeNamePrefix: '' },
  textName: { ignoreAttributes: false, textNodeName: 'v' },
  cdataComment: { ignoreAttributes: false, cdataPropName: '#cdata', commentPropName: '#comment' },
  cdataCommentFormat: { ignoreAttributes: false, cdataPropName: '#cdata', commentPropName: '#comment', format: true },
  suppressEmpty: { ignoreAttributes: false, suppressEmptyNode: true },
  unpairedDefault: { ignoreAttributes: false, unpairedTags: ['br', 'hr', 'img', 'input', 'e'] },
  unpairedShown: { ignoreAttributes: false, unpairedTags: ['br', 'hr', 'img', 'input', 'e'], suppressUnpairedNode: false, format: true },
  noBoolSuppress: { ignoreAttributes: false, suppressBooleanAttributes: false },
  noEntities: { ignoreAttributes: false, processEntities: false, cdataPropName: '#cdata' },
  ignoreList: { ignoreAttributes: ['b', 'type', 'n'] },
  oneList: { ignoreAttributes: false, oneListGroup: true },
  oneListGroupAttrs: { ignoreAttributes: false, oneListGroup: true, attributesGroupName: '$', format: true },
  arrayName: { arrayNodeName: 'list', ignoreAttributes: false },
  arrayName1: { arrayNodeName: 'l' },
  stopNodes: { ignoreAttributes: false, stopNodes: ['root.script', '*.pre', 'root.style', 'root.stopme'] },
  stopNodesV5: { ignoreAttributes: false, stopNodes: ['..script', 'root.*', 'a.b..c', ' root . pre '] },
  stopFormat: { ignoreAttributes: false, format: true, stopNodes: ['*.script', 'root.pre', 'root.style', '*.#text'] },
  everything: {
    ignoreAttributes: false, format: true, indentBy: ' ', suppressEmptyNode: true, suppressBooleanAttributes: false,
    cdataPropName: '#cdata', commentPropName: '#comment', unpairedTags: ['br'], suppressUnpairedNode: false, oneListGroup: true,
  },
  maxNested3: { maxNestedTags: 3 },
  maxNestedOff: { maxNestedTags: 0, format: true },
  jPathFalse: { jPath: false, ignoreAttributes: false, sanitizeName: false },
  unknownOpts: { transformTagName: false, someFutureOption: 1, ignoreAttributes: false },
};

export const orderedPresets = Object.fromEntries(Object.entries(presets).map(([k, v]) => [k, { ...v, preserveOrder: true }]));

function nest(depth, leaf) {
  let o = leaf;
  for (let i = 0; i < depth; i++) o = { n: o };
  return o;
}
function nestOrdered(depth) {
  let o = [{ '#text': 'leaf' }];
  for (let i = 0; i < depth; i++) o = [{ n: o }];
  return o;
}

export const extra = [
  { name: 'deep99', obj: nest(99, 'x'), opts: {} },
  { name: 'deep100', obj: nest(100, 'x'), opts: {} },
  { name: 'deep101', obj: nest(101, 'x'), opts: {} },
  { name: 'deep120', obj: nest(120, 'x'), opts: {} },
  { name: 'deep120obj', obj: nest(120, { a: 1 }), opts: {} },
  { name: 'deep200', obj: nest(200, 'x'), opts: {} },
  { name: 'deep50max10', obj: nest(50, 'x'), opts: { maxNestedTags: 10 } },
  { name: 'deepOrdered101', obj: nestOrdered(101), opts: { preserveOrder: true } },
  { name: 'deepOrdered102', obj: nestOrdered(102), opts: { preserveOrder: true } },
  { name: 'deepOrderedStop', obj: nestOrdered(20), opts: { preserveOrder: true, stopNodes: ['n.n'], maxNestedTags: 10 } },
  { name: 'deepStopObj', obj: nest(20, { a: 'x' }), opts: { stopNodes: ['n.n'], maxNestedTags: 10 } },
  { name: 'orderedNullEntry', obj: [null], opts: { preserveOrder: true } },
  { name: 'orderedStringEntry', obj: ['ab'], opts: { preserveOrder: true } },
  { name: 'orderedNotArray', obj: { a: 1 }, opts: { preserveOrder: true } },
  { name: 'orderedPiNoText', obj: [{ '?x': [{}] }], opts: { preserveOrder: true } },
  { name: 'orderedPiEmpty', obj: [{ '?x': [] }], opts: { preserveOrder: true } },
  { name: 'orderedCdataBad', obj: [{ '#cdata': 'str' }], opts: { preserveOrder: true, cdataPropName: '#cdata' } },
  { name: 'emptyObject', obj: {}, opts: {} },
  { name: 'emptyArray', obj: [], opts: { arrayNodeName: 'x' } },
  { name: 'emptyArrayOrdered', obj: [], opts: { preserveOrder: true } },
  { name: 'optsNull', obj: { a: 1 }, opts: null },
  { name: 'stopWildcardOnly', obj: { a: { b: 'x<' } }, opts: { stopNodes: ['..'] } },
  { name: 'stopStar', obj: { a: { b: 'x<', c: { d: '<' } } }, opts: { stopNodes: ['*'] } },
  { name: 'stopDeepGreedy', obj: { a: { b: { a: { c: '<' } } } }, opts: { stopNodes: ['a..a.c', 'x..b..c'] } },
  { name: 'stopAttrPattern', obj: { a: { b: '<' } }, opts: { stopNodes: ['a.b[x]'] } },
  { name: 'stopRawNum', obj: { a: { b: { '#text': 5 } } }, opts: { stopNodes: ['a.b'] } },
  { name: 'stopRawTrue', obj: { a: { b: { c: true, d: null, e: [true, null, 1, 's', { f: 1 }], '@_x': true, '@_y': -0 } } }, opts: { stopNodes: ['a.b'], ignoreAttributes: false } },
  { name: 'stopGroup', obj: { a: { b: { $: { '@_x': '1"', y: true }, c: '<' } } }, opts: { stopNodes: ['a.b'], attributesGroupName: '$', ignoreAttributes: false } },
  { name: 'stopListGroup', obj: { a: { b: [{ c: '<', '@_x': '&' }, { d: 1 }] } }, opts: { stopNodes: ['a.b'], oneListGroup: true, ignoreAttributes: false } },
  { name: 'ignoreAttrsArrayOrdered', obj: [{ a: [], ':@': { '@_x': '1' } }], opts: { preserveOrder: true, ignoreAttributes: [] } },
  { name: 'textNodeNameEmpty', obj: { a: { '': 'x', b: 'y' } }, opts: { textNodeName: '' } },
  { name: 'prefixEqualsText', obj: { a: { '#text': 'x', '#a': 'y' } }, opts: { attributeNamePrefix: '#', ignoreAttributes: false } },
  { name: 'cdataIsText', obj: { a: { '#text': 'x<' } }, opts: { cdataPropName: '#text' } },
  { name: 'commentWithLt', obj: { a: { '#comment': { b: 'c' } } }, opts: { commentPropName: '#comment', format: true } },
  { name: 'arrayNodeNameObj', obj: { a: 1 }, opts: { arrayNodeName: 'list' } },
  { name: 'arrayNodeNameAstral', obj: [{ a: 1 }], opts: { arrayNodeName: '𝒳' } },
  { name: 'formatString', obj: { a: 1 }, opts: { format: 'yes' } },
  { name: 'entitiesOpt', obj: { a: 1 }, opts: { entities: [] } },
];

export const bridgeOnly = [
  { name: 'undefinedValue', obj: () => ({ root: { a: undefined, b: 'x', c: [undefined, 'y'] } }), opts: {} },
  { name: 'undefinedText', obj: () => ({ root: { a: { '#text': 'x', u: undefined } } }), opts: {} },
  { name: 'date', obj: () => ({ root: { d: new Date(0), arr: [new Date(86400000)] } }), opts: {} },
  { name: 'dateAttr', obj: () => ({ root: { '@_d': new Date(0) } }), opts: { ignoreAttributes: false } },
  { name: 'nan', obj: () => ({ root: { n: NaN, i: Infinity, m: -Infinity } }), opts: {} },
  { name: 'functionValue', obj: () => ({ root: { f() { return 1; }, a: 'x' } }), opts: {} },
  { name: 'classInstance', obj: () => ({ root: { m: new Map([[1, 2]]), c: new (class C { constructor() { this.x = 1; } })() } }), opts: {} },
  { name: 'toJSON', obj: () => ({ root: { t: { toJSON() { return 'j'; }, x: 1 } } }), opts: {} },
  { name: 'sparseArray', obj: () => ({ root: { a: [1, , 3] } }), opts: {} },
  { name: 'arrayExtraProp', obj: () => { const a = [1, 2]; a.extra = 'e'; return { root: { a: [a] } }; }, opts: {} },
  { name: 'nullProto', obj: () => { const o = Object.create(null); o.a = 'x'; return { root: o }; }, opts: {} },
  { name: 'bigint', obj: () => ({ root: { b: 10n } }), opts: {} },
  { name: 'symbol', obj: () => ({ root: { s: Symbol('x') } }), opts: {} },
  { name: 'loneSurrogate', obj: () => ({ root: { s: 'a\ud800b' } }), opts: {} },
  { name: 'boxed', obj: () => ({ root: { s: new String('boxed'), n: new Number(3) } }), opts: {} },
  { name: 'topString', obj: () => 'abc', opts: {} },
  { name: 'topNull', obj: () => null, opts: {} },
  { name: 'topNumber', obj: () => 5, opts: {} },
  { name: 'cyclic', obj: () => { const o = { a: {} }; o.a.b = o; return o; }, opts: {} },
  { name: 'tagValueProcessor', obj: () => ({ root: { a: 'x' } }), opts: () => ({ tagValueProcessor: (k, v) => v.toUpperCase() }) },
  { name: 'attributeValueProcessor', obj: () => ({ root: { '@_a': 'x' } }), opts: () => ({ ignoreAttributes: false, attributeValueProcessor: (k, v) => v + '!' }) },
  { name: 'ignoreAttrsRegex', obj: () => ({ root: { '@_ab': 'x', '@_c': 'y' } }), opts: () => ({ ignoreAttributes: [/^a/] }) },
  { name: 'ignoreAttrsFn', obj: () => ({ root: { '@_ab': 'x', '@_c': 'y' } }), opts: () => ({ ignoreAttributes: (n) => n === 'c' }) },
  { name: 'undefinedOption', obj: () => ({ root: { a: 'x' } }), opts: () => ({ format: undefined }) },
  { name: 'sanitizeName', obj: () => ({ root: { 'bad name': 'x' } }), opts: () => ({ sanitizeName: (n) => n.replace(/ /g, '_') }) },
  { name: 'optionsMutatedAfter', obj: () => ({ root: { a: 'x' } }), opts: () => ({ format: false }), mutate: (o) => { o.format = true; } },
  { name: 'getter', obj: () => ({ root: { get g() { return 'got'; } } }), opts: {} },
  { name: 'badStopNode', obj: () => ({ a: 1 }), opts: () => ({ stopNodes: ['[x]'] }) },
];

export const roundTrip = [
  { name: 'rtSimple', xml: '<?xml version="1.0" encoding="UTF-8"?><root><a id="1">x</a><b>y &amp; z</b><c/></root>' },
  { name: 'rtMixed', xml: '<p>Hello <b>bold</b> and <i>it&lt;al</i> tail<br/>end</p>' },
  { name: 'rtCdataComment', xml: '<r><!-- note --><d><![CDATA[<raw> & ]]></d><e>t<![CDATA[c]]>u</e></r>' },
  { name: 'rtAttrs', xml: '<r xmlns:h="http://x"><h:t h:a="1" b="two words" c="&quot;q&quot;"/><empty/></r>' },
  { name: 'rtRepeated', xml: '<list><item>1</item><item>2</item><item><sub>3</sub></item><other/></list>' },
  { name: 'rtNumbers', xml: '<n><a>1e21</a><b>-0</b><c>0.10</c><d>007</d><e>0x1F</e><f>1.5e-7</f><g>true</g></n>' },
  { name: 'rtPi', xml: '<?xml version="1.0"?><?xml-stylesheet href="s.xsl" type="text/xsl"?><r><x a="1">v</x></r>' },
  { name: 'rtUnicode', xml: '<r><t lang="zh">中文 😀</t><t lang="ar">مرحبا</t></r>' },
  { name: 'rtCommcare', xml: '<data xmlns="http://openrosa.org/formdesigner/1" uiVersion="1" version="42" name="Visit"><case case_id="abc" date_modified="2024-01-01T00:00:00Z" user_id="u1" xmlns="http://commcarehq.org/case/transaction/v2"><update><age>34</age><weight>61.5</weight></update></case><q1>yes</q1><q2/><group><q3>a b c</q3></group><meta xmlns="http://openrosa.org/jr/xforms"><deviceID>d</deviceID><timeStart>2024-01-01T00:00:00.000Z</timeStart></meta></data>' },
];
export const roundTripParserOptions = {
  plain: {},
  attrs: { ignoreAttributes: false },
  full: { ignoreAttributes: false, cdataPropName: '#cdata', commentPropName: '#comment' },
  ordered: { ignoreAttributes: false, preserveOrder: true, cdataPropName: '#cdata', commentPropName: '#comment' },
  orderedPlain: { preserveOrder: true },
  group: { ignoreAttributes: false, attributesGroupName: '$' },
  noParse: { ignoreAttributes: false, parseTagValue: false, parseAttributeValue: false },
};
export const roundTripBuilderOptions = {
  plain: [{}, { format: true }],
  attrs: [{ ignoreAttributes: false }, { ignoreAttributes: false, format: true, suppressEmptyNode: true }],
  full: [{ ignoreAttributes: false, cdataPropName: '#cdata', commentPropName: '#comment' }, { ignoreAttributes: false, cdataPropName: '#cdata', commentPropName: '#comment', format: true }],
  ordered: [{ ignoreAttributes: false, preserveOrder: true, cdataPropName: '#cdata', commentPropName: '#comment' }, { ignoreAttributes: false, preserveOrder: true, cdataPropName: '#cdata', commentPropName: '#comment', format: true }],
  orderedPlain: [{ preserveOrder: true }, { preserveOrder: true, format: true }],
  group: [{ ignoreAttributes: false, attributesGroupName: '$' }],
  noParse: [{ ignoreAttributes: false, format: true }],
};

/** Deterministic CommCare-style form submission list, about `bytes` of JSON. */
export function bigCommcare(bytes = 2_000_000) {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const words = ['alpha', 'beta', 'gamma <x>', 'delta & co', 'épsilon', '"q"', "it's", '中文', '😀', 'zeta'];
  const w = () => words[Math.floor(rnd() * words.length)];
  const forms = [];
  let size = 0;
  let i = 0;
  while (size < bytes) {
    const f = {
      '@_xmlns': 'http://openrosa.org/formdesigner/ABC',
      '@_uiVersion': 1,
      '@_version': 100 + (i % 7),
      '@_name': 'Household visit ' + i,
      case: {
        '@_case_id': 'c' + Math.floor(rnd() * 1e9).toString(16),
        '@_date_modified': '2024-03-0' + (1 + (i % 9)) + 'T10:00:00.000Z',
        '@_xmlns': 'http://commcarehq.org/case/transaction/v2',
        update: { age: Math.floor(rnd() * 90), weight: Math.round(rnd() * 1000) / 10, pregnant: rnd() < 0.3, notes: w() + ' ' + w() },
      },
      household: {
        members: Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, j) => ({ '@_idx': j, name: w(), dob: '19' + (50 + j) + '-01-02', score: rnd() * 100, flag: j % 2 === 0 ? '' : null })),
        gps: (rnd() * 180 - 90).toFixed(6) + ' ' + (rnd() * 360 - 180).toFixed(6),
        water: { '#text': w(), '@_source': 'well' },
      },
      meta: { deviceID: 'dev' + (i % 13), timeStart: '2024-03-01T10:00:00.000Z', timeEnd: '2024-03-01T10:20:00.000Z', username: 'user' + (i % 17), instanceID: 'uuid:' + i },
    };
    forms.push(f);
    size += JSON.stringify(f).length;
    i++;
  }
  return { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, submissions: { '@_count': forms.length, data: forms } };
}
