// Differential cases for js2xmlparser.parse(root, object, options).
// Each case: { name, root, obj, opts } (opts may be undefined). Cases whose object or options
// JSON cannot carry (Date, undefined, Map, functions, ...) are only run by bridge-check.mjs
// (they exercise the bridge's fallback to the real package).

/** Deterministic PRNG (mulberry32). */
export function rng(seed) {
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
export function commcareForm(targetBytes, seed = 1) {
  const r = rng(seed);
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

export function cases() {
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
    const r = rng(99), dv = new DataView(new ArrayBuffer(8)), v = [];
    for (let i = 0; i < 3000; i++) {
      dv.setUint32(0, Math.floor(r() * 2 ** 32)); dv.setUint32(4, Math.floor(r() * 2 ** 32));
      const bits = dv.getFloat64(0);
      if (Number.isFinite(bits)) v.push(bits);
      v.push(r() * 100, r() * 10 ** Math.floor(r() * 40 - 20), Math.floor(r() * 2 ** 32) / 2 ** 32 * 1000, -r());
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
  add('commcare form 2MB', 'data', commcareForm(2 * 1024 * 1024, 7));
  add('commcare form small', 'data', commcareForm(20000, 3));
  add('commcare form small compact', 'data', commcareForm(20000, 4), { format: { pretty: false }, declaration: { include: false } });
  return c;
}
