// (tests/it/xml.rs, via tests/xml/fxp_parser.js)
// Differential cases for fast-xml-parser's XMLParser and XMLValidator (4.5.7 and 5.12.1):
// documents x option sets, constructor errors, function options (the bridge leaves them to the
// real package), validator option sets, and seeded random documents (`fuzzDocs`) made of
// XML-ish fragments, well-formed and not. Deterministic: every generator has a fixed seed.

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 4294967296);
}

/** A CommCare-style form submission of about `bytes` bytes. */
export function commcareForm(bytes) {
  const r = rng(7);
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<data xmlns:jrm="http://dev.commcarehq.org/jr/xforms" xmlns="http://openrosa.org/formdesigner/ABC-123" uiVersion="1" version="42" name="Household Visit">\n`];
  let n = 0, size = parts[0].length;
  while (size < bytes) {
    const id = (r() * 1e9).toFixed(0);
    const rec = `  <household id="hh-${n}" visited="${r() > 0.5 ? 'yes' : 'no'}">
    <head_of_household>Name ${id} &amp; family</head_of_household>
    <members>${Math.floor(r() * 12)}</members>
    <gps>${(r() * 180 - 90).toFixed(6)} ${(r() * 360 - 180).toFixed(6)} 0.0 ${(r() * 20).toFixed(1)}</gps>
    <income currency="KES">${(r() * 100000).toFixed(2)}</income>
    <phone>0${Math.floor(r() * 1e9)}</phone>
    <notes><![CDATA[Visited <b>${n}</b> & noted]]></notes>
    <!-- record ${n} -->
    <case xmlns="http://commcarehq.org/case/transaction/v2" case_id="${id}-${n}" date_modified="2024-05-0${n % 9 + 1}T10:00:00.000Z" user_id="u${n % 17}">
      <update><hh_size>${Math.floor(r() * 12)}</hh_size><flag>${r() > 0.5}</flag><score>${r() > 0.9 ? '1e5' : (r() * 10).toFixed(3)}</score></update>
    </case>
  </household>\n`;
    parts.push(rec); size += rec.length; n++;
  }
  parts.push(`  <meta><deviceID>dev-1</deviceID><timeStart>2024-05-01T10:00:00.000Z</timeStart><userID>u1</userID><instanceID>uuid:abc</instanceID></meta>\n</data>\n`);
  return parts.join('');
}

export function deepNesting(levels) {
  return '<a>'.repeat(levels) + 'x' + '</a>'.repeat(levels);
}

const dhis2Soap = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dhis="http://dhis2.org/schema/dxf/2.0">
  <soapenv:Header><dhis:auth token="abc123" expires="2024-12-31"/></soapenv:Header>
  <soapenv:Body>
    <dhis:dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="pBOMPrpg1QX" completeDate="2024-01-01" period="202401" orgUnit="DiszpKrYNg8">
      <dataValue dataElement="f7n9E0hX8qk" value="12"/>
      <dataValue dataElement="Ix2HsbDMLea" value="0012"/>
      <dataValue dataElement="eY5ehpbEsB7" value="1.50" comment="checked &amp; ok"/>
      <dataValue dataElement="x" value="-0x1F"/>
      <dataValue dataElement="y" value="1e3"/>
      <dataValue dataElement="z" value="true"/>
    </dhis:dataValueSet>
  </soapenv:Body>
</soapenv:Envelope>`;

export const docs = [
  ['empty', ''],
  ['ws-only', '  \n '],
  ['simple', '<root><a>1</a><b>two</b><c/></root>'],
  ['decl', '<?xml version="1.0" encoding="UTF-8"?><root>x</root>'],
  ['decl11', '<?xml version="1.1"?><r>&#1;a&#x7;b&#0;c&#65;</r>'],
  ['pi', '<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="a.xsl"?><r><?pi data?><a/></r>'],
  ['namespaces', '<ns:root xmlns:ns="urn:x" xmlns="urn:d"><ns:a ns:attr="1" xmlns:b="urn:b">t</ns:a><b:c b:x="y"/><x:y:z>q</x:y:z></ns:root>'],
  ['cdata', '<r><a><![CDATA[<b>bold</b> & stuff]]></a><n><![CDATA[ 42 ]]></n><e><![CDATA[]]></e><m>pre<![CDATA[mid]]>post</m></r>'],
  ['comments', '<!-- top --><r><!-- c1 --><a>1</a><!----><b>x<!-- in -->y</b></r><!-- end -->'],
  ['doctype', '<!DOCTYPE note [\n<!ENTITY writer "Donald Duck">\n<!ENTITY copy "(c)">\n<!ELEMENT note (to,from)>\n<!ATTLIST note id CDATA #IMPLIED>\n<!-- comment -->\n]>\n<note a="&writer;">By &writer; &copy; &unknown; &lt;ok&gt;</note>'],
  ['doctype-system', '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html><body>x</body></html>'],
  ['doctype-ext-entity', '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>'],
  ['doctype-param', '<!DOCTYPE r [<!ENTITY % p "x">]><r/>'],
  ['doctype-bad', '<!DOCTYPX r><r/>'],
  ['doctype-unclosed', '<!DOCTYPE r [<!ENTITY a "b">'],
  ['doctype-invalid', '<!DOCTYPE r [<!FOO bar>]><r/>'],
  ['doctype-twice', '<!DOCTYPE r><!DOCTYPE r><r/>'],
  ['doctype-amp-value', '<!DOCTYPE r [<!ENTITY a "x&amp;y"><!ENTITY b "ok">]><r>&a;&b;</r>'],
  ['doctype-bad-name', '<!DOCTYPE r [<!ENTITY 1a "x">]><r/>'],
  ['doctype-notation', '<!DOCTYPE r [<!NOTATION n SYSTEM "x"><!NOTATION m PUBLIC "p" "s"><!ENTITY z "zz">]><r>&z;</r>'],
  ['doctype-element-bad', '<!DOCTYPE r [<!ELEMENT r FOO>]><r/>'],
  ['entities-std', '<r a="&lt;&gt;&amp;&quot;&apos;">&lt;tag&gt; &amp;amp; &#60;&#x3C;&#38;&#x26; &#169; &copy; &nbsp;x&nbsp; &euro;&#8364; &#x1F600; &#xD800; &#1114112; &bogus; & alone &#;</r>'],
  ['entities-html', '<r>&cent;&pound;&yen;&reg;&inr;&trade;&mdash;&hellip;&#162;&#x41;&#65;&#x1F600;</r>'],
  ['amp-chain', '<r>&amp;lt; &#38;lt; &#38;amp; &amp;#60;</r>'],
  ['attrs', `<r><a x="1" y='2' z="a 'q' b" w='a "q" b' bool empty="" dup="1" dup="2" n="0012" f=" 1.50 " t="true" neg="-3" hex="0x1f" e="1e3"/></r>`],
  ['attrs-odd', '<r><a x = "1"  y\n=\n"2" z=3 =bad "q" k="v"w="u" 9n="9"/></r>'],
  ['attrs-tab', '<r\tid="1"\tb="\tx\t"><x\ta="1">t</x></r>'],
  ['attrs-ns', '<r xmlns:a="u" a:x="1" xmlns="d" b:y="2" c:d:e="3"/>'],
  ['mixed', '<p>Hello <b>world</b>, how <i>are</i> you?</p>'],
  ['whitespace', '<r>\n  <a>  padded  </a>\n  <b>\n  </b>\n  <c> 12 </c>\n</r>'],
  ['bom', '\ufeff<?xml version="1.0"?><r>x</r>'],
  ['crlf', '<r>\r\n<a>line1\r\nline2\rline3</a>\r\n</r>'],
  ['unicode', '<r><名前 属性="値">日本語テキスト</名前><e>é ü ß 😀</e><s>\u00a0nbsp\u00a0</s></r>'],
  ['numbers', '<r><a>0</a><a>00</a><a>-0</a><a>007</a><a>1.0</a><a>1.50</a><a>.5</a><a>5.</a><a>-.5</a><a>+5</a><a>1e21</a><a>1e-7</a><a>12345678901234567890</a><a>9007199254740993</a><a>0x1F</a><a>-0x1f</a><a>1E5</a><a>1e+5</a><a>00.5</a><a>0.0</a><a>1_000</a><a>Infinity</a><a>-Infinity</a><a>1e400</a><a>NaN</a><a>0b101</a><a>0o17</a><a>12abc</a><a>1.2.3</a><a>-</a><a>.</a><a>0.000001</a><a>123456789012345678901234</a><a>0.1e-6</a><a>000e1</a><a>0e0</a><a>-00.5</a><a>+0.5e1</a><a>.e5</a><a>1.e5</a><a> 7 </a><a>true</a><a>false</a><a> true </a><a>TRUE</a></r>'],
  ['dup-tags', '<r><i>1</i><i>2</i><j>a</j><i>3</i><k><l>x</l></k><k>y</k></r>'],
  ['text-mixed-order', '<r>a<x/>b<y>c</y>d</r>'],
  ['empty-elements', '<r><a></a><b/><c> </c><d attr="1"></d><e attr="1"/></r>'],
  ['proto', '<r><__proto__>x</__proto__><constructor>c</constructor><toString>t</toString><valueOf>v</valueOf></r>'],
  ['proto-attr', '<r><a __proto__="1"/></r>'],
  ['index-keys', '<r><1>one</1><0>zero</0><b>b</b><10>ten</10></r>'],
  ['unpaired', '<html><body><br><p>para<br>line</p><img src="a.png"><hr/></body></html>'],
  ['unpaired-close', '<r><br></br></r>'],
  ['stop', '<r><script type="js">if (a < b && c > d) { x = "</y>"; }</script><pre> <b>bold</b> 12 </pre><a><script>inner<script>n</script></script></a><s/></r>'],
  ['stop-unclosed', '<r><script>never closed</r>'],
  ['stop-top', '<script><b>x</b></script>'],
  ['stop-after-close', '<r></a><script><b>x</b><pre> <i>1</i> </pre></script>'],
  ['cdata-infinity', '<r><a><![CDATA[Infinity]]><b/></a><c><![CDATA[-Infinity]]></c><d>Infinity</d></r>'],
  ['dhis2-soap', dhis2Soap],
  ['html-entities-attr', '<r a="&copy; &#65;">x</r>'],
  // malformed
  ['unclosed-tag', '<r><a>text'],
  ['unclosed-root', '<r>'],
  ['mismatched', '<r><a></b></r>'],
  ['extra-close', '<r></r></r><x/>'],
  ['close-not-closed', '<r></r'],
  ['open-not-closed', '<r><a'],
  ['open-quote', '<r><a x="1>text</a></r>'],
  ['comment-unclosed', '<r><!-- oops</r>'],
  ['cdata-unclosed', '<r><![CDATA[ oops</r>'],
  ['pi-unclosed', '<?xml version="1.0"<r/>'],
  ['lt-in-text', '<r>a < b and c > d</r>'],
  ['lt-end', '<r>a</r><'],
  ['text-outside', 'before<r>in</r>after'],
  ['two-roots', '<a>1</a><b>2</b>'],
  ['amp-raw', '<r>fish & chips</r>'],
  ['bad-tag-name', '<1r><-a>x</-a></1r>'],
  ['space-after-lt', '< r>x</ r>'],
  ['attr-no-space', '<r a="1"b="2"/>'],
  ['attr-no-value', '<r a= />'],
  ['reserved-text', '<r><#text>x</#text></r>'],
  ['cdata-short', '<r><![]]>x</r>'],
  ['gt-in-attr', '<r a="x>y" b=\'<z>\'>t</r>'],
  ['long-entity-token', '<r>&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; &lt;</r>'],
  ['many-entities', '<r>' + '&lt;'.repeat(1100) + '</r>'],
  ['doctype-expand', '<!DOCTYPE r [<!ENTITY big "' + 'x'.repeat(5000) + '">]><r>' + '&big;'.repeat(25) + '</r>'],
  ['nested-100', deepNesting(100)],
  ['nested-102', deepNesting(102)],
  ['deep-10000', deepNesting(10000)],
  ['xml-tag-named', '<!xml>t</!xml>'],
  ['slash-tagname', '<r><a/ ><b x="1"/></r>'],
  ['comment-prop-name-tag', '<r><c>1</c></r>'],
];

export const bigDocs = [
  ['commcare-2mb', () => commcareForm(2 * 1024 * 1024)],
];

export const optionSets = [
  ['default', {}],
  ['attrs', { ignoreAttributes: false }],
  ['attrs-parse', { ignoreAttributes: false, parseAttributeValue: true, allowBooleanAttributes: true }],
  ['attrs-group', { ignoreAttributes: false, attributesGroupName: '$', attributeNamePrefix: '' }],
  ['no-prefix', { ignoreAttributes: false, attributeNamePrefix: '' }],
  ['ns', { ignoreAttributes: false, removeNSPrefix: true }],
  ['order', { preserveOrder: true, ignoreAttributes: false }],
  ['order-group', { preserveOrder: true, ignoreAttributes: false, attributesGroupName: '@' }],
  ['no-parse', { parseTagValue: false, trimValues: false }],
  ['no-trim', { trimValues: false, ignoreAttributes: false }],
  ['text-node', { alwaysCreateTextNode: true, ignoreAttributes: false, textNodeName: '_' }],
  ['cdata-comment', { cdataPropName: '__cdata', commentPropName: '#comment' }],
  ['cdata-comment-order', { cdataPropName: '__cdata', commentPropName: '#comment', preserveOrder: true }],
  ['entities-off', { processEntities: false, ignoreAttributes: false }],
  ['html', { htmlEntities: true, ignoreAttributes: false }],
  ['decl-pi', { ignoreDeclaration: true, ignorePiTags: true }],
  ['decl-attrs', { ignoreDeclaration: false, ignoreAttributes: false, parseAttributeValue: true }],
  ['stop', { stopNodes: ['*.script', 'r.pre'], ignoreAttributes: false }],
  ['unpaired', { unpairedTags: ['br', 'img', 'hr'], ignoreAttributes: false }],
  ['num-strict', { numberParseOptions: { hex: false, leadingZeros: false, eNotation: false } }],
  ['num-v5', { numberParseOptions: { hex: true, leadingZeros: true, eNotation: true, binary: true, octal: true, infinity: 'string' } }],
  ['num-inf-null', { numberParseOptions: { infinity: 'null', leadingZeros: false } }],
  ['ignore-list', { ignoreAttributes: ['y', 'xmlns'] }],
  ['non-strict', { strictReservedNames: false, commentPropName: 'c' }],
  ['reserved-comment', { commentPropName: 'c' }],
  ['nested-limit', { maxNestedTags: 20000 }],
  ['ent-limits', { processEntities: { maxTotalExpansions: 50, maxExpandedLength: 200 } }],
  ['ent-allowed', { processEntities: { allowedTags: ['r'] }, ignoreAttributes: false }],
];

/** Option sets whose constructor throws, and callback/fallback cases (bridge-check only). */
export const badOptionSets = [
  ['bad-prefix', { attributeNamePrefix: '__proto__' }],
  ['bad-text', { textNodeName: 'toString' }],
  ['bad-group', { ignoreAttributes: false, attributesGroupName: 'constructor' }],
];

export const callbackOptionSets = [
  ['isArray', { isArray: (name, jpath, isLeaf, isAttr) => name === 'i' || name === 'household' }],
  ['tagValueProcessor', { tagValueProcessor: (t, v) => v.toUpperCase() }],
  ['transformTagName', { transformTagName: (t) => t.toLowerCase() }],
  ['skipLike', { numberParseOptions: { skipLike: /^0/ } }],
  ['undefined-opt', { textNodeName: undefined }],
  // the keys the bridge uses to talk to Rust, given by a user: unknown options to the real package
  ['marker-keys', { $fnhostCheckOnly: true, $fnhostEntities: [['foo', 'X']], ignoreAttributes: false }],
];

export const validatorOptionSets = [
  ['default', {}],
  ['bool', { allowBooleanAttributes: true }],
  ['unpaired', { unpairedTags: ['br', 'img', 'hr'] }],
];

/** `n` random documents from seed `seed`: fragments of XML, entities, numbers, damage. */
export function fuzzDocs(n, seed) {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 4294967296);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const names = ["a", "b", "r", "ns:a", "x:b", "br", "script", "pre", "_1", "é", "#text", "__proto__", "1", "a-b", "a.b"];
  const texts = ["x", " 12 ", "0x1F", "-0", "1.0", "007", "1e5", "12345678901234567890", ".5", "true", "  ", "\n", "\t y \r\n", "&lt;", "&amp;", "&#65;", "&#x41;", "&copy;", "&foo;", "&", "a<b", ">", "'", "\"", "😀", "\u00a0", "-", "+1", "1e", "0.0", "00.5", "Infinity", "0b101", "0o7", "1_0"];
  const attrVals = ["1", "0012", " 1.50 ", "true", "a&amp;b", "&lt;", "x y", "", "-0x1f", "1e3", "\"", "'"];
  function attrs() {
    let o = "";
    const n = Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const nm = pick(["id", "x", "y", "ns:a", "xmlns", "xmlns:q", "b", "id"]);
      const k = r();
      if (k < 0.1) o += " " + nm;
      else if (k < 0.5) o += ` ${nm}="${pick(attrVals).replace(/"/g, "'")}"`;
      else if (k < 0.9) o += ` ${nm}='${pick(attrVals).replace(/'/g, '"')}'`;
      else o += pick([` ${nm}=1`, ` ${nm} = "z"`, `${nm}="w"`, ` =x`]);
    }
    return o;
  }
  function node(depth) {
    const k = r();
    if (depth > 4 || k < 0.25) return pick(texts);
    if (k < 0.3) return `<![CDATA[${pick(texts)}]]>`;
    if (k < 0.34) return `<!--${pick(texts)}-->`;
    if (k < 0.37) return `<?pi ${pick(["x", "a=\"1\""])}?>`;
    if (k < 0.42) return `<${pick(names)}${attrs()}/>`;
    if (k < 0.44) return pick(["<", "</", "</a>", "<a", "<!", "<![CDATA[", "<!--", "<?"]); // damage
    if (k < 0.47) return pick(["<br>", "<img src='x'>", "<hr/>", "<br/>", "</br>", "&ent;", "&ent2;", "&#x1F600;", "&#0;", "&#xD800;"]);
    const n = pick(names);
    let inner = "";
    const m = Math.floor(r() * 4);
    for (let i = 0; i < m; i++) inner += node(depth + 1);
    const close = r() < 0.95 ? `</${n}>` : pick(["", `</${pick(names)}>`, `</${n} >`]);
    return `<${n}${attrs()}>${inner}${close}`;
  }
  function doc() {
    let pre = pick(["", "", '<?xml version="1.0"?>', "\ufeff", '<!DOCTYPE r [<!ENTITY foo "F">]>', " \n", '<!DOCTYPE r [<!ENTITY ent "E &lt; 1"><!ENTITY ent2 "12">]>', '<?xml version="1.1"?>']);
    return pre + `<r${attrs()}>` + node(0) + node(0) + "</r>" + pick(["", "", "\n", "<!-- e -->", "t"]);
  }
  const out = [];
  for (let i = 0; i < n; i++) out.push(doc());
  return out;
}

/** Inputs a job cannot make itself (its realm has no TextEncoder). */
export const inputs = {
  buffer: () => Buffer.from("<r><a>1</a>\u00e9</r>"),
  uint8: () => new TextEncoder().encode("<r>x</r>"),
};
