// node:querystring and node:string_decoder
import qs from "node:querystring";
import { StringDecoder } from "node:string_decoder";
import { Buffer } from "node:buffer";

export default [
  (state) => {
    const parsed = {};
    for (const s of ["a=1&b=2&a=3", "x=%20y+z&empty=&noeq", "bad=%zz%41", "", "a[]=1&a[]=2", "\u00e9=\u00fc", "a=1&&b=2"]) parsed[s || "(empty)"] = { ...qs.parse(s) };
    const decoded = {};
    for (const enc of ["utf8", "utf16le", "base64", "hex", "latin1", "base64url"]) {
      const src = enc === "utf16le" ? Buffer.from("\u20ac\ud83d\ude00 ok", "utf16le") : Buffer.from("\u20ac\ud83d\ude00 ok\u00e9x", "utf8");
      const d = new StringDecoder(enc);
      const parts = [];
      for (let i = 0; i < src.length; i++) parts.push(d.write(src.subarray(i, i + 1)));
      parts.push(d.end());
      const whole = new StringDecoder(enc);
      // code points, not strings: a lone surrogate cannot be written as JSON
      const points = (str) => [...str].map((c) => c.codePointAt(0));
      decoded[enc] = [parts.map(points), points(whole.write(src.subarray(0, 3)) + whole.end(src.subarray(3)))];
    }
    const inc = new StringDecoder("utf8");
    const incomplete = [inc.write(Buffer.from([0xe2, 0x82])), inc.end(), inc.write(Buffer.from([0xff, 0x41])), inc.write("str")];
    let unknown;
    try {
      new StringDecoder("nope");
    } catch (e) {
      unknown = [e.code, e.message];
    }
    return {
      ...state,
      data: {
        parsed,
        stringified: [
          qs.stringify({ a: [1, 2], b: "x y", c: true, d: null, e: undefined, f: {} }),
          qs.stringify({ a: 1, b: 2 }, ";", ":"),
          qs.stringify({ "\u00e9": "&=/?" }),
          qs.encode({ n: 1.5, inf: Infinity }),
        ],
        sep: { ...qs.parse("a:1;b:2", ";", ":") },
        maxKeys: Object.keys(qs.parse("a=1&b=2&c=3", null, null, { maxKeys: 2 })),
        escapes: [qs.escape("a b&c/\u00e9"), qs.unescape("a%20b%zz"), qs.unescapeBuffer("a%41+b").toString()],
        decoded, incomplete, unknown,
        decoderEncoding: [new StringDecoder().encoding, new StringDecoder("UCS2").encoding, new StringDecoder("binary").encoding],
      },
    };
  },
];
