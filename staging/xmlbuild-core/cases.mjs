// Differential cases for xmlbuild-core: objects × option sets for js2xmlparser 5.0.0 parse() and
// xml2js 0.6.2 Builder.buildObject(), plus a ~2 MB CommCare-style form submission for each.
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
