// (tests/it/xml.rs, via tests/xml/js2xmlparser.js and tests/xml/xml2js_builder.js)
// Differential cases for the XML builders: js2xmlparser 5.0.0 parse() and xml2js 0.6.2
// Builder.buildObject().
//
// export j2xObjects x j2xOptions, j2xRoots: every js2xmlparser object under every option set,
//   and every root name with the first objects;
// export j2xNamed(): single js2xmlparser cases {name, root, obj, opts}, random numbers (ties,
//   exponents) included;
// export x2jObjects x x2jOptions: every xml2js object under every option set;
// export bigCases: ~2 MB CommCare-style form submissions for each;
// export hostile: inputs the bridges must leave to the real package (cycles, deep nesting).
// Values are built by functions so every run gets fresh objects (Dates, Maps, ... included:
// the bridges convert or hand those to the real package).

class Point { constructor() { this.x = 1; this.y = 2; } }
const sparse = () => { const a = [1, , 3]; return a; };
const nullProto = () => { const o = Object.create(null); o.a = "1"; return o; };

export const numbers = [0, -0, 1, -1, 1.5, 0.1 + 0.2, 1e21, 1e20, 1e-7, 1.5e-7, 0.000001, 123.456, 2 ** 53 + 2,
  123456789012345680000, 5e-324, 1.7976931348623157e308, -1e-7, 1e300, 4.35, 100, 1e6, NaN, Infinity, -Infinity];

// ---------------------------------------------------------------- js2xmlparser
export const j2xObjects = [
  ["readme", () => ({
    firstName: "John", lastName: "Smith", dateOfBirth: new Date(Date.UTC(1964, 7, 26)),
    address: { "@": { type: "home" }, streetAddress: "3212 22nd St", city: "Chicago", state: "Illinois", zip: 10000 },
    phone: [{ "@": { type: "home" }, "#": "123-555-4567" }, { "@": { type: "cell" }, "#": "890-555-1234" }, { "@": { type: "work" }, "#": "567-555-8901" }],
    email: "john@smith.com",
  })],
  ["readme-fn", () => ({ a: "1", email: function () { return "john@smith.com"; } })],
  ["flat", () => ({ a: "x", b: 1, c: true, d: false, e: null })],
  ["nested", () => ({ a: { b: { c: { d: "deep" } } }, e: "f" })],
  ["arrays", () => ({ item: ["a", "b", "c"], n: [1, 2], mixed: ["s", 1, true, null, { x: "y" }, ["inner1", "inner2"]] })],
  ["array-of-arrays", () => ({ m: [[1, 2], [3, [4, 5]], []] })],
  ["empty-array", () => ({ a: [], b: "x" })],
  ["empty-values", () => ({ s: "", o: {}, a: [], n: null, arr: [""], nested: { e: "" } })],
  ["undefined", () => ({ u: undefined, arr: [undefined, "x"], "@": { at: undefined } })],
  ["attrs", () => ({ "@": { id: "1", name: "n", quote: "it's \"q\"", amp: "a&b<c>d" }, child: "text" })],
  ["attrs-multi", () => ({ "@": { a: "1" }, "@2": { b: "2" }, "#": "txt" })],
  ["attrs-dup", () => ({ "@": { a: "1" }, "@2": { a: "2" } })],
  ["attrs-after-children", () => ({ c: "1", "@": { late: "yes" } })],
  ["attr-values", () => ({ "@": { num: 1e21, t: true, n: null, arr: [1, [2, 3], null, "x"], obj: { a: 1 }, neg0: -0, nan: NaN } })],
  ["attr-bad-name", () => ({ "@": { "bad name": "1" } })],
  ["attr-empty-name", () => ({ "@": { "": "1" } })],
  ["attr-bad-text", () => ({ "@": { a: "x\u0001y" } })],
  ["attr-not-object", () => ({ "@x": "str" })],
  ["attr-array", () => ({ "@": ["a", "b"] })],
  ["value-key", () => ({ "#": "hello", child: "c" })],
  ["value-keys", () => ({ "#1": "a", x: "1", "#2": "b" })],
  ["value-object", () => ({ "#": { inner: "v", "@": { a: "1" } } })],
  ["value-array", () => ({ "#": ["a", "b"] })],
  ["alias", () => ({ "=": "renamed", a: "1" })],
  ["alias-nested", () => ({ a: { "=": "b", c: "d" }, list: [{ "=": "x", v: 1 }, { "=": "y", v: 2 }] })],
  ["alias-late", () => ({ a: { c: "d", "=": "b" } })],
  ["alias-bad", () => ({ a: { "=": "bad name" } })],
  ["alias-number", () => ({ a: { "=": 5 } })],
  ["special-text", () => ({ t: "<tag> & \"quotes\" 'apos' > ]]> ]]]> a]]>b]]>c", cr: "a\r\nb\tc" })],
  ["cdata-texts", () => ({ a: "x<y", b: "p&q", c: "plain", d: "]]>", e: "a]]>b<c", f: "" })],
  ["invalid-chars", () => ({ a: "ok\u0001bad" })],
  ["invalid-fffe", () => ({ a: "x\uFFFEy" })],
  ["invalid-nul", () => ({ a: "\u0000" })],
  ["lone-surrogate", () => ({ a: "x\uD800y" })],
  ["unicode", () => ({ "élément": "ünïcödé", "名前": "日本語", emoji: "😀 \u{1F600}", "a𐀀": "astral name" })],
  ["name-astral-f0000", () => ({ ["a\u{F0000}"]: "1" })],
  ["bad-names", () => ({ "a b": "1" })],
  ["bad-name-digit", () => ({ "1abc": "1" })],
  ["bad-name-empty", () => ({ "": "1" })],
  ["names-colon-dot", () => ({ "ns:a": "1", "a.b-c_d": "2", "_x": "3", "·bad": "4" })],
  ["numbers", () => Object.fromEntries(numbers.map((n, i) => ["n" + i, n]))],
  ["number-array", () => ({ n: numbers })],
  ["booleans", () => ({ t: true, f: false, arr: [true, false] })],
  ["dates", () => ({ d: new Date(0), arr: [new Date(86400000)], "@": { when: new Date(1e12) }, bad: new Date(NaN) })],
  ["map", () => ({ m: new Map([["a", 1], ["b", 2]]) })],
  ["set", () => ({ s: new Set(["a", "b"]) })],
  ["symbol", () => ({ s: Symbol("x") })],
  ["bigint", () => ({ b: 10n })],
  ["class", () => ({ p: new Point() })],
  ["null-proto", () => ({ o: nullProto() })],
  ["sparse", () => ({ s: sparse() })],
  ["boxed", () => ({ b: new String("boxed") })],
  ["top-string", () => "just text & <stuff>"],
  ["top-number", () => 42.5],
  ["top-null", () => null],
  ["top-undefined", () => undefined],
  ["top-array", () => ["a", { b: "c" }]],
  ["top-empty", () => ({})],
  ["proto-key", () => JSON.parse('{"__proto__": "x", "a": "1"}')],
  ["tostring-key", () => ({ "@": { a: { toString: "x" } } })],
  ["whitespace", () => ({ a: "  lead and trail  ", b: "\n", c: " " })],
  ["mixed-text-elements", () => ({ "#1": "before", x: "1", "#2": "after", y: { "#": "t", z: "2" } })],
];

export const j2xRoots = ["root", "data", "ns:form", "bad root", "", "é", "1x"];

export const j2xOptions = [
  ["default", undefined],
  ["empty", {}],
  ["no-decl", { declaration: { include: false } }],
  ["decl-full", { declaration: { encoding: "UTF-8", standalone: "yes", version: "1.1" } }],
  ["decl-bad-enc", { declaration: { encoding: "8bit" } }],
  ["decl-bad-sa", { declaration: { standalone: "maybe" } }],
  ["decl-bad-ver", { declaration: { version: "2.0" } }],
  ["decl-bad-noval", { validation: false, declaration: { encoding: "8 bit", standalone: "maybe", version: "x" } }],
  ["dtd", { dtd: { include: true, name: "root" } }],
  ["dtd-sys", { dtd: { include: true, name: "root", sysId: "http://x/root.dtd" } }],
  ["dtd-pub", { dtd: { include: true, name: "root", sysId: "root.dtd", pubId: "-//X//DTD Root//EN" } }],
  ["dtd-pub-nosys", { dtd: { include: true, name: "root", pubId: "-//X//EN" } }],
  ["dtd-pub-nosys-noval", { validation: false, dtd: { include: true, name: "root", pubId: "-//X//EN" } }],
  ["dtd-pub-bad", { dtd: { include: true, name: "root", sysId: "s", pubId: "bad{char}" } }],
  ["dtd-sys-quotes", { dtd: { include: true, name: "root", sysId: "a'b\"c" } }],
  ["dtd-sys-apos", { dtd: { include: true, name: "root", sysId: "it's" } }],
  ["dtd-sys-quot-dq", { format: { doubleQuotes: true }, dtd: { include: true, name: "root", sysId: "say \"x\"" } }],
  ["dtd-noname", { dtd: { include: true } }],
  ["dtd-badname", { dtd: { include: true, name: "bad name" } }],
  ["compact", { format: { pretty: false } }],
  ["tabs-crlf", { format: { indent: "\t", newline: "\r\n" } }],
  ["dq", { format: { doubleQuotes: true } }],
  ["no-indent-newline", { format: { indent: "", newline: "" } }],
  ["dq-compact-dtd", { format: { doubleQuotes: true, pretty: false }, dtd: { include: true, name: "r", sysId: "s.dtd", pubId: "p" } }],
  ["strings", { aliasString: "$alias", attributeString: "$", valueString: "_" }],
  ["attr-empty-string", { attributeString: "" }],
  ["cdata-keys", { cdataKeys: ["a", "t", "e", "root"] }],
  ["cdata-star", { cdataKeys: ["*"] }],
  ["cdata-invalid", { cdataInvalidChars: true }],
  ["replace", { replaceInvalidChars: true }],
  ["replace-cdata", { replaceInvalidChars: true, cdataInvalidChars: true }],
  ["no-self-close", { useSelfClosingTagIfEmpty: false }],
  ["no-validation", { validation: false }],
  ["handlers-empty", { typeHandlers: {}, wrapHandlers: {} }],
  ["type-handler", { typeHandlers: { "[object Number]": (v) => v * 2 } }],
  ["wrap-handler", { wrapHandlers: { n: () => "num", item: () => null } }],
  ["undefined-values", { validation: undefined, format: { pretty: undefined, indent: undefined } }],
  ["truthy-values", { format: { pretty: 0, doubleQuotes: "yes" }, useSelfClosingTagIfEmpty: "" }],
];

// ---------------------------------------------------------------- xml2js Builder
export const x2jObjects = [
  ["single-root", () => ({ root: { a: "1", b: "2" } })],
  ["multi-root", () => ({ a: "1", b: "2" })],
  ["readme", () => ({ name: "Super", Surname: "Man", age: 23 })],
  ["attrs-text", () => ({ item: { $: { id: "1", q: "say \"hi\" & <go>", ws: "a\tb\nc\rd" }, _: "text & <more>" } })],
  ["attrs-values", () => ({ r: { $: { n: 1e21, t: true, f: false, nul: null, und: undefined, arr: [1, [2, 3], null], obj: { a: 1 }, nan: NaN } } })],
  ["attrs-kinds", () => ({ r: { a: { $: null }, b: { $: "str" }, c: { $: [] }, d: { $: 5 } } })],
  ["attrs-array", () => ({ r: { $: ["x"] } })],
  ["attrs-bad-name", () => ({ r: { $: { "bad name": "1" } } })],
  ["arrays", () => ({ r: { item: ["a", "b", ""], n: [1, 2.5, true], o: [{ x: "1" }, { $: { k: "v" }, _: "t" }], nul: [null, "x"] } })],
  ["nested-arrays", () => ({ r: { m: [[{ a: "1" }, { b: "2" }], [{ c: { $: { z: "1" } } }]] } })],
  ["nested-array-string", () => ({ r: { m: [["x"]] } })],
  ["nested-array-empty", () => ({ r: { m: [[], [null, 5, true, ""]] } })],
  ["nested-array-dollar", () => ({ r: { m: [[{ $: { a: 1 } }]] } })],
  ["top-array", () => [{ a: "1" }, { b: "2" }]],
  ["top-array-single", () => [{ a: "1" }]],
  ["text-escapes", () => ({ r: { t: "<tag> & \"q\" 'a' > ]]> \r\n\t" } })],
  ["cdata-texts", () => ({ r: { a: "x<y", b: "p&q", c: "plain", d: "a]]>b]]>c", e: ">", list: ["<1>", "2"], $: { at: "<x>" }, _: "&t" } })],
  ["charkey-only", () => ({ r: { _: "just text" } })],
  ["charkey-mixed", () => ({ r: { _: "text", child: "c", $: { a: "1" } } })],
  ["charkey-number", () => ({ r: { _: 42 } })],
  ["charkey-null", () => ({ r: { _: null } })],
  ["charkey-empty", () => ({ r: { _: "" } })],
  ["charkey-object", () => ({ r: { _: { a: "1" } } })],
  ["empty-values", () => ({ r: { s: "", o: {}, a: [], n: null, u: undefined, nested: { e: "" } } })],
  ["numbers", () => ({ r: Object.fromEntries(numbers.map((n, i) => ["n" + i, n])) })],
  ["number-array", () => ({ r: { n: numbers.filter((n) => Number.isFinite(n)) } })],
  ["number-array-nan", () => ({ r: { n: [1, NaN] } })],
  ["booleans", () => ({ r: { t: true, f: false } })],
  ["invalid-char", () => ({ r: { a: "ok\u0001bad" } })],
  ["invalid-char-attr", () => ({ r: { $: { a: "x\u0008" } } })],
  ["invalid-char-name", () => ({ r: { ["a\u0001"]: "1" } })],
  ["invalid-fffe", () => ({ r: { a: "\uFFFE" } })],
  ["lone-surrogate", () => ({ r: { a: "x\uDC00" } })],
  ["unicode", () => ({ "données": { "élément": "ünïcödé 😀", "名前": "日本語", "a𐀀": "astral" } })],
  ["bad-name", () => ({ r: { "a b": "1" } })],
  ["bad-root", () => ({ "1r": { a: "1" } })],
  ["decorator-text", () => ({ r: { "#text": "t" } })],
  ["decorator-pi", () => ({ r: { "?pi": "x" } })],
  ["hash-name", () => ({ r: { "#x": "t" } })],
  ["at-name", () => ({ r: { "@a": "t" } })],
  ["undefined-top", () => ({ r: undefined })],
  ["undefined-top2", () => ({ a: "1", b: undefined })],
  ["undefined-in-array", () => ({ r: { a: [undefined] } })],
  ["undefined-nested", () => ({ r: { a: { b: undefined, c: "1" } } })],
  ["dates", () => ({ r: { d: new Date(0) } })],
  ["map", () => ({ r: { m: new Map([["a", 1]]) } })],
  ["function", () => ({ r: { f() { return 1; } } })],
  ["class", () => ({ r: { p: new Point() } })],
  ["top-string", () => "text"],
  ["top-empty", () => ({})],
  ["deep-mixed", () => ({ r: { a: [{ b: [{ c: ["1", "2"] }, "s"] }, { $: { x: "y" } }], d: { e: { f: { g: "h" } } } } })],
  ["version11-chars", () => ({ r: { a: "x\u0001y" } })],
];

export const x2jOptions = [
  ["default", undefined],
  ["empty", {}],
  ["rootName", { rootName: "doc" }],
  ["rootName-root", { rootName: "root" }],
  ["rootName-undefined", { rootName: undefined }],
  ["rootName-null", { rootName: null }],
  ["rootName-bad", { rootName: "bad name" }],
  ["headless", { headless: true }],
  ["compact", { renderOpts: { pretty: false } }],
  ["render-empty", { renderOpts: {} }],
  ["render-null", { renderOpts: null }],
  ["tabs-crlf", { renderOpts: { pretty: true, indent: "\t", newline: "\r\n" } }],
  ["allowEmpty", { renderOpts: { pretty: true, allowEmpty: true } }],
  ["offset", { renderOpts: { pretty: true, offset: 2 } }],
  ["offset-neg", { renderOpts: { pretty: true, offset: -1 } }],
  ["space-slash", { renderOpts: { pretty: true, spaceBeforeSlash: true } }],
  ["dont-pretty-text", { renderOpts: { pretty: true, dontPrettyTextNodes: true } }],
  ["xmldec-11", { xmldec: { version: "1.1", encoding: "ISO-8859-1", standalone: false } }],
  ["xmldec-empty", { xmldec: {} }],
  ["xmldec-bad-ver", { xmldec: { version: "2.0" } }],
  ["xmldec-odd-ver", { xmldec: { version: "x1.5y" } }],
  ["xmldec-bad-enc", { xmldec: { version: "1.0", encoding: "bad enc" } }],
  ["xmldec-num", { xmldec: { version: 1.1, standalone: "no" } }],
  ["xmldec-extra", { xmldec: { version: "1.0", noValidation: true } }],
  ["doctype-pub", { doctype: { pubID: "-//W3C//DTD XHTML 1.0//EN", sysID: "http://www.w3.org/TR/xhtml1.dtd" } }],
  ["doctype-sys", { doctype: { sysID: "root.dtd" } }],
  ["doctype-pub-only", { doctype: { pubID: "only.dtd" } }],
  ["doctype-headless", { headless: true, doctype: { sysID: "x.dtd" } }],
  ["cdata", { cdata: true }],
  ["keys", { attrkey: "@", charkey: "#" }],
  ["keys-undefined", { attrkey: undefined, charkey: undefined }],
  ["cdata-compact", { cdata: true, renderOpts: { pretty: false } }],
];

// ---------------------------------------------------------------- big CommCare-style forms
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const words = ["alpha", "beta", "gamma & delta", "<tag>", "café", "naïve", "数据", "ok", "yes", "no", "42", "\"quoted\"", "it's", "x]]>y"];

/** ~`n` household repeats; about 2 MB of XML at n = 4500. */
export function commcareForm(n, style) {
  const r = rng(7);
  const w = () => words[Math.floor(r() * words.length)];
  const members = [];
  for (let i = 0; i < n; i++) {
    const m = {
      member_id: "m-" + i,
      name: w() + " " + w(),
      age: Math.floor(r() * 90),
      weight: Math.round(r() * 10000) / 100,
      pregnant: r() < 0.2,
      notes: r() < 0.3 ? "" : w(),
      visits: [{ date: "2024-01-0" + (1 + (i % 9)), score: r() * 10 }, { date: "2024-02-1" + (i % 9), score: i }],
    };
    members.push(m);
  }
  const caseId = "5bca2b1c-9a7f-4e3b-8d2e-0f3a7b1c9d00";
  if (style === "js2x") {
    return {
      "@": { xmlns: "http://openrosa.org/formdesigner/6C9F1A2B", "xmlns:jrm": "http://dev.commcarehq.org/jr/xforms", uiVersion: "1", version: "23", name: "Household" },
      household_name: "The " + w() + " household",
      village: w(),
      member: members.map((m) => ({ ...m, "@": { idx: m.member_id } })),
      "n0:case": {
        "@": { case_id: caseId, date_modified: "2024-03-01T10:00:00.000Z", user_id: "u-1", "xmlns:n0": "http://commcarehq.org/case/transaction/v2" },
        "n0:create": { "n0:case_name": "HH", "n0:owner_id": "u-1", "n0:case_type": "household" },
        "n0:update": { "n0:size": n, "n0:head": members[0].name },
      },
      "n1:meta": {
        "@": { "xmlns:n1": "http://openrosa.org/jr/xforms" },
        "n1:deviceID": "fnhost", "n1:timeStart": "2024-03-01T09:00:00.000Z", "n1:timeEnd": "2024-03-01T10:00:00.000Z",
        "n1:username": "worker", "n1:userID": "u-1", "n1:instanceID": "uuid:" + caseId,
      },
    };
  }
  return {
    data: {
      $: { xmlns: "http://openrosa.org/formdesigner/6C9F1A2B", uiVersion: "1", version: "23", name: "Household" },
      household_name: "The " + w() + " household",
      member: members.map((m) => ({ $: { idx: m.member_id }, ...m, visits: m.visits.map((v) => ({ ...v, _: "visit" })) })),
      "n0:case": {
        $: { case_id: caseId, user_id: "u-1", "xmlns:n0": "http://commcarehq.org/case/transaction/v2" },
        "n0:create": { "n0:case_name": "HH", "n0:case_type": "household" },
      },
      "n1:meta": { $: { "xmlns:n1": "http://openrosa.org/jr/xforms" }, "n1:deviceID": "fnhost", "n1:userID": "u-1" },
    },
  };
}

export const bigCases = {
  j2x: [["commcare-2mb", "data", () => commcareForm(4500, "js2x"), undefined], ["commcare-2mb-compact", "data", () => commcareForm(4500, "js2x"), { format: { pretty: false }, cdataInvalidChars: true }]],
  x2j: [["commcare-2mb", () => commcareForm(4500, "x2j"), undefined], ["commcare-2mb-cdata", () => commcareForm(4500, "x2j"), { cdata: true, renderOpts: { pretty: false } }]],
};

// ---------------------------------------------------------------- js2xmlparser, named cases
/** Deterministic PRNG (mulberry32). */
function mulberry(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['alpha', 'Bêta', 'gamma & delta', '<tag>', 'x]]>y', "O'Brien", 'say "hi"', '日本語', '😀 emoji',
  'naïve', 'line\nbreak', 'tab\there', '', '  spaced  ', '12', 'true', 'null', 'a&b<c>d'];

/**
 * A CommCare-style form submission object (the shape OpenFn's CommCare adaptor builds with
 * js2xmlparser): xmlns attributes, a case block with create/update, meta, repeat groups.
 */
function commcareForm2(targetBytes, seed = 1) {
  const r = mulberry(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const id = () => Array.from({ length: 4 }, () => Math.floor(r() * 0xffffffff).toString(16).padStart(8, '0')).join('-');
  const form = {
    '@': {
      xmlns: 'http://openrosa.org/formdesigner/5E8B2C8A-1C4C-4E0C-9E2A-ABCDEF012345',
      'xmlns:jrm': 'http://dev.commcarehq.org/jr/xforms',
      uiVersion: '1',
      version: '237',
      name: 'Household Registration',
    },
    household_name: 'Household "Kamau" & sons',
    village: 'Kibera',
    gps: '-1.3133 36.7892 1650.0 5.0',
    members: [],
    'n0:case': {
      '@': { case_id: id(), date_modified: '2024-05-01T10:11:12.345Z', user_id: id(), 'xmlns:n0': 'http://commcarehq.org/case/transaction/v2' },
      'n0:create': { 'n0:case_name': 'Kamau household', 'n0:owner_id': id(), 'n0:case_type': 'household' },
      'n0:update': { 'n0:village': 'Kibera', 'n0:size': 0, 'n0:has_water': true, 'n0:notes': null },
    },
    meta: {
      '@': { 'xmlns:cc': 'http://commcarehq.org/xforms' },
      deviceID: 'Formplayer',
      timeStart: '2024-05-01T10:00:00.000Z',
      timeEnd: '2024-05-01T10:11:12.345Z',
      username: 'chw.amina',
      userID: id(),
      instanceID: 'uuid:' + id(),
      'cc:appVersion': 'CommCare Version 2.53, build 12345',
    },
  };
  let size = JSON.stringify(form).length;
  let i = 0;
  while (size < targetBytes) {
    const m = {
      '@': { index: String(i), 'jr:template': '' },
      member_id: id(),
      full_name: pick(WORDS) + ' ' + pick(WORDS),
      age: Math.floor(r() * 90),
      weight_kg: Math.round(r() * 9000) / 100,
      pregnant: r() < 0.2,
      dob: '19' + (50 + Math.floor(r() * 50)) + '-0' + (1 + Math.floor(r() * 9)) + '-1' + Math.floor(r() * 9),
      symptoms: { fever: pick(['yes', 'no']), cough: pick(['yes', 'no', null]), notes: pick(WORDS) },
      visits: [
        { date: '2024-0' + (1 + Math.floor(r() * 9)) + '-15', score: r() * 100, '#': pick(WORDS) },
        { date: '2024-0' + (1 + Math.floor(r() * 9)) + '-20', score: -r() * 1e-7 },
      ],
      tags: pick([[], ['a'], ['a', 'b', 'c']]),
    };
    form.members.push(m);
    form['n0:case']['n0:update']['n0:size'] = ++i;
    size += JSON.stringify(m).length + 1;
  }
  return form;
}

const ASTRAL = '𝄞𠀀😀';
const big = 'x'.repeat(5000) + '&<>"\'' + ASTRAL;

export function j2xNamed() {
  const c = [];
  const add = (name, root, obj, opts) => c.push({ name, root, obj, opts });

  // ---- basics
  add('empty object', 'root', {});
  add('simple', 'person', { firstName: 'John', lastName: 'Smith', age: 32 });
  add('nested', 'a', { b: { c: { d: { e: 'deep' } } }, f: 'g' });
  add('readme example', 'person', {
    '@': { type: 'individual' },
    firstName: 'John', lastName: 'Smith', dateOfBirth: 'Mon Jan 01 1990',
    address: { '@': { type: 'home' }, streetAddress: '3212 22nd St', city: 'Chicago', state: 'Illinois', zip: 10000 },
    phone: [{ '@': { type: 'home' }, '#': '123-555-4567' }, { '@': { type: 'cell' }, '#': '890-555-1234' }, { '@': { type: 'work' }, '#': '567-555-8901' }],
    email: 'john@smith.com',
  });
  add('array root value', 'root', [1, 2, 3]);
  add('nested arrays flatten', 'r', { a: [1, [2, [3, 4]], [], 5] });
  add('array of objects', 'r', { item: [{ x: 1 }, { y: 2 }, {}] });
  add('empty array', 'r', { a: [] });
  add('array in array root', 'r', [[1, 2], [3]]);
  add('string root value', 'r', 'hello');
  add('number root value', 'r', 42);
  add('null root value', 'r', null);
  add('bool root values', 'r', { t: true, f: false });
  add('null values', 'r', { a: null, b: [null, null] });
  add('empty strings', 'r', { a: '', b: { c: '' }, d: [''] });
  add('integer-like keys order', 'r', { b: 1, 2: 'two', 1: 'one', a: 0 });
  add('integer-like keys order replaced', 'r', { b: 1, 2: 'two', 1: 'one', a: 0, 10: [1] }, { replaceInvalidChars: true });

  // ---- numbers
  add('numbers', 'n', {
    v: [0, -0, 1, -1, 1.5, -2.25, 0.1 + 0.2, 1e21, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308,
      2 ** 53, 2 ** 53 + 2, -(2 ** 64), 0.000001, 1e-6, 100, 1e20, 123e-20, 4.35, 0.5e-10, 9007199254740991],
  });
  {
    const r = mulberry(99), dv = new DataView(new ArrayBuffer(8)), v = [];
    for (let i = 0; i < 3000; i++) {
      dv.setUint32(0, Math.floor(r() * 2 ** 32)); dv.setUint32(4, Math.floor(r() * 2 ** 32));
      const bits = dv.getFloat64(0);
      if (Number.isFinite(bits)) v.push(bits);
      // Number("1e" + k), not 10 ** k: V8 versions differ in the last bit of 10 ** -k
      v.push(r() * 100, r() * Number("1e" + Math.floor(r() * 40 - 20)), Math.floor(r() * 2 ** 32) / 2 ** 32 * 1000, -r());
    }
    add('random numbers (ties, exponents)', 'n', { v, '@': { a: v.slice(0, 50) } });
  }
  add('number attributes', 'n', { '@': { a: 1e21, b: -0, c: 0.1, d: 1e-7 } });

  // ---- attributes
  add('attributes', 'r', { '@': { a: '1', b: 'two', c: 3, d: true, e: null } });
  add('attribute escapes single', 'r', { '@': { a: `it's "q" & <t> ]]>` } });
  add('attribute escapes double', 'r', { '@': { a: `it's "q" & <t> ]]>` } }, { format: { doubleQuotes: true } });
  add('attribute array value', 'r', { '@': { a: [1, [2, 3], null, 'x'], b: [] } });
  add('attribute object value', 'r', { '@': { a: { x: 1 } } });
  add('attribute prefix key', 'r', { '@attrs': { a: 1 }, '@more': { b: 2 } });
  add('duplicate attribute', 'r', { '@': { a: 1 }, '@x': { a: 2 } });
  add('duplicate attribute no validation', 'r', { '@': { a: 1 }, '@x': { a: 2 } }, { validation: false });
  add('attribute non-object', 'r', { '@': 'text' });
  add('attribute non-object no validation', 'r', { '@': 'text', '@x': [1, 2] }, { validation: false });
  add('attribute invalid name', 'r', { '@': { '1bad': 'x' } });
  add('attribute empty name', 'r', { '@': { '': 'x' } });
  add('attribute invalid text', 'r', { child: { '@': { a: 'x\u0001y' } } });
  add('attribute invalid text replaced', 'r', { child: { '@': { a: 'x\u0001y\uFFFE' } } }, { replaceInvalidChars: true });
  add('attribute invalid name replaced', 'r', { '@': { '1b d': 'x' } }, { replaceInvalidChars: true });
  add('attribute on nested', 'r', { a: { '@': { id: 'x' }, b: { '@': { id: 'y' } } } });
  add('attribute astral', 'r', { '@': { a: ASTRAL, ['𐀀name']: 'v' } });

  // ---- text, value key
  add('value key', 'r', { '#': 'text', a: 1 });
  add('value key prefix', 'r', { '#1': 'one', '#2': 'two' });
  add('value key object', 'r', { '#': { a: 1, '@': { z: 1 } } });
  add('value key array', 'r', { '#': [1, 2] });
  add('value key number', 'r', { a: { '#': 5, '@': { u: 'kg' } } });
  add('mixed content', 'r', { a: 'x', '#': 'text', b: 'y', '#2': 'more' });
  add('only text nodes', 'r', { '#1': 'a', '#2': '', '#3': 'b' });
  add('text then empty then element', 'r', { '#1': 'a', '#2': '', c: 'z' });

  // ---- escapes and characters
  add('text escapes', 'r', { a: 'a & b < c > d " e \' f ]]> g ]]]> h ]>' });
  add('unicode', 'r', { a: 'héllo wörld ñ 日本語 Ελληνικά', b: ASTRAL, c: '\u2028\u2029\u00a0' });
  add('control chars ok', 'r', { a: 'tab\tnl\ncr\r' });
  add('invalid char', 'r', { a: 'bad\u0000char' });
  add('invalid char nested', 'r', { x: { y: [{ z: 'ok' }, { z: 'bad\u001f' }] } });
  add('invalid FFFE', 'r', { a: 'bad\uFFFE' });
  add('invalid char replaced', 'r', { a: 'bad\u0000char\u0008\uFFFF' }, { replaceInvalidChars: true });
  add('invalid char no validation', 'r', { a: 'bad\u0000char' }, { validation: false });
  add('big string', 'r', { a: big });

  // ---- names
  add('invalid element name', 'r', { '1abc': 'x' });
  add('invalid element name deep', 'r', { a: { b: { 'c d': 'x' } } });
  add('empty element name', 'r', { a: { '': 'x' } });
  add('invalid root name', '1root', {});
  add('empty root name', '', {});
  add('invalid names replaced', '1root', { 'a b': 1, '-x': 2, 'ok': { 'c\u0000': 3 } }, { replaceInvalidChars: true });
  add('empty root replaced', '', {}, { replaceInvalidChars: true });
  add('astral names', 'r', { '𐀀a': 1, ['a' + ASTRAL]: 2, '\u{F0000}x': 3 });
  add('astral names replaced', 'r', { ['a\u{F0000}']: 1, ['\u{F0000}x']: 2 }, { replaceInvalidChars: true });
  add('invalid names no validation', 'r', { 'a b': 1, '1': 2 }, { validation: false });
  add('namespaced names', 'r', { 'ns:a': { 'ns:b': 1 }, _u: 2, 'a.b-c': 3, 'x·y': 4 });
  add('array with invalid name', 'r', { 'a b': [1, 2] });
  add('array root invalid via replaced root', '1r', [1, 2], { replaceInvalidChars: true });

  // ---- alias
  add('alias', 'r', { child: { '=': 'renamed', v: 1 } });
  add('alias root', 'r', { '=': 'newroot', a: 1 });
  add('alias after children', 'r', { a: { b: 1, '=': 'z', c: { d: 'x\u0000' } } });
  add('alias invalid', 'r', { a: { '=': '1bad' } });
  add('alias number', 'r', { a: { '=': 5 } });
  add('alias replaced', 'r', { a: { '=': '1 bad' } }, { replaceInvalidChars: true });
  add('alias custom', 'r', { a: { '~': 'b', '=': 'c' } }, { aliasString: '~' });
  add('alias cdata key interplay', 'r', { a: { '=': 'c', '#': 'x<y' } }, { cdataKeys: ['c'] });

  // ---- cdata
  add('cdataKeys', 'r', { a: 'x<y', b: 'x<y', c: '' }, { cdataKeys: ['a', 'c'] });
  add('cdataKeys star', 'r', { a: 'plain', b: { c: 'x]]>y]]>' }, '@': { q: 'a<b' } }, { cdataKeys: ['*'] });
  add('cdataInvalidChars', 'r', { a: 'plain', b: 'x<y', c: 'a&b]]>c', d: 'q]]>r<s', e: ']]>' }, { cdataInvalidChars: true });
  add('cdata invalid char', 'r', { a: 'x\u0001<' }, { cdataInvalidChars: true });
  add('cdata invalid char replaced', 'r', { a: 'x\u0001<' }, { cdataInvalidChars: true, replaceInvalidChars: true });
  add('cdata pretty mixed', 'r', { a: { '#1': 'x<y', '#2': 'plain', b: 1 } }, { cdataInvalidChars: true });
  add('cdataKeys array value', 'r', { a: ['x<', 'y'] }, { cdataKeys: ['a'] });

  // ---- custom strings
  add('custom attribute/value strings', 'r', { $: { a: 1 }, _: 'text', '@': 'elem?' }, { attributeString: '$', valueString: '_' });
  add('empty attributeString', 'r', { a: { x: 1 }, b: 'c' }, { attributeString: '' });
  add('empty valueString', 'r', { a: { x: 1 }, b: 'c' }, { valueString: '' });

  // ---- format / declaration / dtd
  add('no pretty', 'r', { a: { b: [1, 2], c: '' } }, { format: { pretty: false } });
  add('indent/newline', 'r', { a: { b: [1, 2], c: '' } }, { format: { indent: '\t', newline: '\r\n' } });
  add('empty indent/newline', 'r', { a: { b: 1 } }, { format: { indent: '', newline: '' } });
  add('newline suffix of output', 'r', { a: 1 }, { format: { pretty: false, newline: '>' } });
  add('doubleQuotes', 'r', { '@': { a: 1 } }, { format: { doubleQuotes: true } });
  add('self closing off', 'r', { a: '', b: {}, c: { d: '' } }, { useSelfClosingTagIfEmpty: false });
  add('self closing off cdata', 'r', { a: '' }, { useSelfClosingTagIfEmpty: false, cdataKeys: ['a'] });
  add('declaration off', 'r', { a: 1 }, { declaration: { include: false } });
  add('declaration full', 'r', { a: 1 }, { declaration: { encoding: 'UTF-8', standalone: 'yes', version: '1.1' } });
  add('declaration full double', 'r', { a: 1 }, { declaration: { encoding: 'ISO-8859-1', standalone: 'no' }, format: { doubleQuotes: true } });
  add('declaration bad encoding', 'r', {}, { declaration: { encoding: 'UTF 8' } });
  add('declaration bad standalone', 'r', {}, { declaration: { standalone: 'maybe' } });
  add('declaration bad version', 'r', {}, { declaration: { version: '2.0' } });
  add('declaration bad no validation', 'r', {}, { declaration: { version: '2.0', encoding: '' }, validation: false });
  add('declaration bad but off', 'r', {}, { declaration: { include: false, version: '2.0' } });
  add('dtd name', 'r', { a: 1 }, { dtd: { include: true, name: 'r' } });
  add('dtd sysId', 'r', {}, { dtd: { include: true, name: 'r', sysId: 'foo.dtd' } });
  add('dtd pubId', 'r', {}, { dtd: { include: true, name: 'r', sysId: 'foo.dtd', pubId: '-//W3C//DTD XHTML 1.0//EN' } });
  add('dtd pubId double', 'r', {}, { dtd: { include: true, name: 'r', sysId: "it's.dtd", pubId: 'p' }, format: { doubleQuotes: true } });
  add('dtd sysId quote single', 'r', {}, { dtd: { include: true, name: 'r', sysId: "it's.dtd" } });
  add('dtd sysId quote double', 'r', {}, { dtd: { include: true, name: 'r', sysId: 'a"b' }, format: { doubleQuotes: true } });
  add('dtd sysId both quotes', 'r', {}, { dtd: { include: true, name: 'r', sysId: 'a"b\'c' } });
  add('dtd sysId invalid char', 'r', {}, { dtd: { include: true, name: 'r', sysId: 'a\u0001' } });
  add('dtd pubId invalid', 'r', {}, { dtd: { include: true, name: 'r', sysId: 's', pubId: 'a"b' } });
  add('dtd pubId without sysId', 'r', {}, { dtd: { include: true, name: 'r', pubId: 'p' } });
  add('dtd pubId without sysId no validation', 'r', {}, { dtd: { include: true, name: 'r', pubId: 'p' }, validation: false });
  add('dtd no name', 'r', {}, { dtd: { include: true } });
  add('dtd no name no validation', 'r', {}, { dtd: { include: true }, validation: false });
  add('dtd bad name', 'r', {}, { dtd: { include: true, name: '1x' } });
  add('dtd not included', 'r', {}, { dtd: { name: '1x' } });
  add('dtd error after walk error', 'r', { '1': 1 }, { dtd: { include: true, name: 'r', sysId: "it's" } });
  add('dtd quote error after walk', 'r', { a: 1 }, { dtd: { include: true, name: 'r', sysId: "it's" } });
  add('custom attribute/value strings ok', 'r', { $: { a: 1 }, _: 'text', b: { _: 'x', $x: { c: 2 } } }, { attributeString: '$', valueString: '_' });
  add('all options', 'root', { a: { $: { x: 'y"z' }, '%': 'v&', b: 'c<d', e: [1, 2], '!': 'A', f: '' } }, {
    aliasString: '!', attributeString: '$', valueString: '%', cdataInvalidChars: true, cdataKeys: ['e'],
    replaceInvalidChars: false, useSelfClosingTagIfEmpty: false, validation: true, typeHandlers: {}, wrapHandlers: {},
    declaration: { include: true, encoding: 'UTF-8', standalone: 'yes', version: '1.0' },
    dtd: { include: true, name: 'root', sysId: 'root.dtd' },
    format: { doubleQuotes: true, indent: '  ', newline: '\n', pretty: true },
  });
  add('all options replace no validation', 'root', { a: { $: { 'x y': 'y"z\u0001' }, '%': 'v&', 'b\u0000': 'c<d', e: [1, 2], '!': '1A', f: '' } }, {
    aliasString: '!', attributeString: '$', valueString: '%', cdataInvalidChars: true, cdataKeys: ['e', 'f'],
    replaceInvalidChars: true, useSelfClosingTagIfEmpty: true, validation: false,
    declaration: { include: true, encoding: 'bad enc', standalone: 'maybe', version: 'v' },
    dtd: { include: true, name: '1root', sysId: 'a"b\'c', pubId: 'p' },
    format: { doubleQuotes: false, indent: ' ', newline: '\n\n', pretty: true },
  });
  add('unknown option keys', 'r', { a: 1 }, { foo: 'bar', format: { other: 1 } });

  // ---- things only the real package can do (bridge fallback; Node-only)
  add('date value', 'r', { d: new Date(0) });
  add('undefined value', 'r', { a: undefined, b: 1 });
  add('map value', 'r', { m: new Map([['k', 'v']]) });
  add('set value', 'r', { s: new Set([1, 2]) });
  add('function value', 'r', { f: function f() { return 1; } });
  add('NaN / Infinity', 'r', { a: NaN, b: Infinity });
  add('typeHandlers', 'r', { a: 1, b: 'x' }, { typeHandlers: { '[object Number]': (v) => v + 1 } });
  add('wrapHandlers', 'r', { a: [1, 2] }, { wrapHandlers: { a: () => 'item' } });
  add('cdataKeys string', 'r', { abc: 'x' }, { cdataKeys: 'abcd' });
  add('truthy non-bool option', 'r', { a: 'x<' }, { cdataInvalidChars: 1 });
  add('null options', 'r', {}, null);
  add('non-string root', 5, { a: 1 });
  add('class instance', 'r', { a: new (class P { constructor() { this.x = 1; } })() });
  add('own toString string', 'r', { '@': { a: { toString: 'x' } } });
  add('boxed string', 'r', { a: new String('s') });
  add('sparse array', 'r', { a: [1, , 3] });

  // ---- the CommCare submission
  add('commcare form 2MB', 'data', commcareForm2(2 * 1024 * 1024, 7));
  add('commcare form small', 'data', commcareForm2(20000, 3));
  add('commcare form small compact', 'data', commcareForm2(20000, 4), { format: { pretty: false }, declaration: { include: false } });
  return c;
}

// ---------------------------------------------------------------- hostile inputs
/** Nested `depth` levels deep: {a: {a: ... "leaf"}} (beyond the bridges' 100 levels). */
export function nested(depth, leaf = "leaf") {
  let o = leaf;
  for (let i = 0; i < depth; i++) o = { a: o };
  return o;
}

/** An object that holds itself, `depth` levels down. */
export function cyclic(depth = 0) {
  const top = { a: "1" };
  let o = top;
  for (let i = 0; i < depth; i++) o = o.b = { c: "x" };
  o.self = top;
  return top;
}

export const hostile = {
  j2x: [
    ["cycle", "r", () => cyclic(), undefined],
    ["cycle-deep", "r", () => cyclic(20), undefined],
    ["nested-99", "r", () => nested(99), undefined],
    ["nested-150", "r", () => nested(150), undefined],
    ["nested-150-array", "r", () => ({ x: [nested(150)] }), { format: { pretty: false } }],
    ["lone-surrogate-name", "r", () => ({ ["a\uD800"]: "1" }), undefined],
    ["lone-surrogate-root", "a\uDC00", () => ({ b: "1" }), undefined],
    ["lone-surrogate-option", "r", () => ({ b: "1" }), { format: { indent: "\uD800" } }],
    ["lone-surrogate-replaced", "r", () => ({ a: "x\uD800y", ["\uDBFF"]: "z" }), { replaceInvalidChars: true }],
    ["function-top", "r", () => function f() { return 1; }, undefined],
    ["function-attr", "r", () => ({ "@": { a() { return "x"; } } }), undefined],
    ["getter", "r", () => ({ get a() { return "got"; }, b: "1" }), undefined],
    ["to-json", "r", () => ({ a: { toJSON() { return "json"; }, b: "1" } }), undefined],
    ["date-invalid", "r", () => ({ d: new Date(NaN), "@": { at: new Date(8.64e15) } }), undefined],
    ["date-top", "r", () => new Date(0), undefined],
    ["date-fake", "r", () => ({ d: { [Symbol.toStringTag]: "Date", toString() { return "fake"; } } }), undefined],
    ["symbol-key", "r", () => ({ a: "1", [Symbol("s")]: "2" }), undefined],
    ["array-extra-prop", "r", () => Object.assign(["a", "b"], { extra: "x" }), undefined],
    ["typed-array", "r", () => ({ t: new Uint8Array([1, 2]) }), undefined],
    ["regexp", "r", () => ({ re: /x+/g }), undefined],
    ["error-value", "r", () => ({ e: new Error("boom") }), undefined],
    ["promise", "r", () => ({ p: Promise.resolve(1) }), undefined],
    ["options-proto-key", "r", () => ({ a: "1" }), JSON.parse('{"__proto__": {"validation": false}, "format": {"pretty": false}}')],
    ["options-array", "r", () => ({ a: "1" }), []],
    ["options-string", "r", () => ({ a: "1" }), "x"],
  ],
  x2j: [
    ["cycle", () => ({ r: cyclic() }), undefined],
    ["cycle-deep", () => ({ r: cyclic(20) }), undefined],
    ["nested-99", () => ({ r: nested(99) }), undefined],
    ["nested-150", () => ({ r: nested(150) }), undefined],
    ["nested-150-array", () => ({ r: { x: [nested(150)] } }), { renderOpts: { pretty: false } }],
    ["lone-surrogate-name", () => ({ r: { ["a\uD800"]: "1" } }), undefined],
    ["lone-surrogate-attr", () => ({ r: { $: { a: "\uDFFF" } } }), undefined],
    ["lone-surrogate-option", () => ({ r: "1" }), { rootName: "x", renderOpts: { pretty: true, indent: "\uD800" } }],
    ["function-top", () => function f() { return 1; }, undefined],
    ["function-attr", () => ({ r: { $: { a() { return "x"; } } } }), undefined],
    ["getter", () => ({ r: { get a() { return "got"; }, b: "1" } }), undefined],
    ["to-json", () => ({ r: { a: { toJSON() { return "json"; }, b: "1" } } }), undefined],
    ["date-top", () => new Date(0), undefined],
    ["symbol-key", () => ({ r: { a: "1", [Symbol("s")]: "2" } }), undefined],
    ["array-extra-prop", () => ({ r: Object.assign(["a", "b"], { extra: "x" }) }), undefined],
    ["typed-array", () => ({ r: { t: new Uint8Array([1, 2]) } }), undefined],
    ["null-proto", () => { const o = Object.create(null); o.r = { a: "1" }; return o; }, undefined],
    ["bigint", () => ({ r: { b: 10n } }), undefined],
    ["sparse", () => ({ r: { s: [1, , 3] } }), undefined],
    ["boxed", () => ({ r: { s: new String("boxed"), n: new Number(5) } }), undefined],
    ["set", () => ({ r: { s: new Set(["a"]) } }), undefined],
    ["options-proto-key", () => ({ r: "1" }), JSON.parse('{"__proto__": {"rootName": "p"}, "headless": true}')],
    ["options-function", () => ({ r: "1" }), { rootName: "x", renderOpts: { pretty: true, indent: () => "  " } }],
    ["options-date", () => ({ r: "1" }), { xmldec: new Date(0) }],
  ],
};
