// node:util -- inspect, format, promisify, inherits, types, deprecate, TextEncoder/TextDecoder.
import util, { inspect, format, promisify, callbackify, inherits, types, isDeepStrictEqual, TextEncoder, TextDecoder } from "node:util";
import utilTypes from "node:util/types";
import { Buffer } from "node:buffer";

class Foo {
  constructor() {
    this.a = 1;
  }
}
class Bar extends Foo {}

export default [
  async (state) => {
    const circ = { name: "c", list: [1, 2] };
    circ.self = circ;
    circ.list.push(circ);
    const nullProto = Object.create(null);
    nullProto.x = 1;
    const withSym = { [Symbol("s")]: 1, "a-b": 2, valid_id: 3, 4: "four" };
    const getters = {
      get g() {
        return 1;
      },
      set s(v) {},
      get gs() {
        return 2;
      },
      set gs(v) {},
    };
    const err = new Error("boom");
    err.stack = "Error: boom";
    err.code = "E_X";
    const typeErr = new TypeError("bad type");
    typeErr.stack = "TypeError: bad type";
    const values = [
      1, -0, 1.5, NaN, BigInt(10), "str", "it's", 'say "hi" it\'s', "line\nbreak\t\u0001", Symbol("sym"), undefined, null, true,
      [], [1, 2, 3], [1, 2, 3, 4, 5, 6, 7], Array.from({ length: 30 }, (_, i) => i * 37), Array.from({ length: 120 }, (_, i) => i),
      ["aaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbb", "ccccccccccccccccccccccc", "ddddddddddddddd"],
      [1, , 3], {}, { a: 1, b: "two", c: [3], d: { e: { f: { g: 1 } } } }, { a: { b: { c: { d: 1 } } } }, circ, nullProto, withSym,
      getters, new Foo(), new Bar(), Foo, Bar, function named() {}, () => {}, async function af() {}, function* gen() {},
      new Map([["a", 1], [{ k: 1 }, [2]]]), new Set([1, "two", [3]]), new Map(), new Set(), new WeakMap(), new WeakSet(),
      new Date(0), new Date(NaN), /re+gex/gi, err, typeErr, Promise.resolve(42), Promise.reject(new Error("no")).catch(() => {}) && new Promise(() => {}),
      new Uint8Array([1, 2, 3]), new Float64Array(2), new ArrayBuffer(3), Buffer.from("buf"), Buffer.alloc(60),
      new Number(3), new String("boxed"), new Boolean(false), Object(Symbol("bs")), [undefined, null],
      { long: "x".repeat(100) }, { nested: [[1, [2, [3, [4, [5]]]]]] }, { fn: function () {}, arrow: () => 1 },
      { [inspect.custom]: () => "CUSTOM" }, { inner: { [inspect.custom]: (depth, opts) => `depth=${depth}` } },
      Object.assign([1, 2], { extra: true }), { "": 1, "0a": 2, a0: 3, $dollar: 4, _u: 5 },
      new (class extends Map {})([[1, 2]]), Object.create({ inherited: 1 }), { a: "a".repeat(30), b: "b".repeat(30), c: "c".repeat(30) },
      { arr: new Array(5) }, [["nested", "array"], ["of", "strings"]], { date: new Date(86400000), re: /x/ },
    ];
    const inspected = values.map((v) => inspect(v));
    const options = [
      inspect({ a: { b: { c: { d: { e: 1 } } } } }, { depth: 0 }),
      inspect({ a: { b: { c: { d: { e: 1 } } } } }, { depth: Infinity }),
      inspect({ b: 2, a: 1, c: { z: 1, y: 2 } }, { sorted: true }),
      inspect([1, 2, 3], { compact: false }),
      inspect({ a: 1, b: [1, 2] }, { breakLength: 5 }),
      inspect(Array.from({ length: 10 }, (_, i) => i), { maxArrayLength: 3 }),
      inspect("a".repeat(20), { maxStringLength: 5 }),
      inspect(getters, { getters: true }),
      inspect([1, 2], { showHidden: true }),
      inspect({ a: 1 }, false, 0, false),
      inspect(1234567.891, { numericSeparator: true }),
      inspect({ n: 1, s: "str", nil: null, u: undefined, b: true, big: BigInt(10), sym: Symbol("x"), d: new Date(0), re: /re/g, f() {}, arr: [1, , 3], boxed: new Number(3), p: Promise.resolve(4) }, { colors: true }),
      inspect([new Map([["k", 1]]), new Set([2]), new Uint8Array([1, 2]), { get g() { return 1; } }, { deep: { deeper: { deepest: { x: 1 } } } }], { colors: true }),
      inspect(Array.from({ length: 30 }, (_, i) => i), { colors: true }),
    ];
    const formatted = [
      format("%s:%s", "a"), format("%d + %i = %f", "1.5", 2.9, "3.25"), format("%j", { a: [1] }), format("%o", [1, { a: 2 }]),
      format("%O", { a: { b: { c: {} } } }), format("100%% %s", "done"), format("%c styled", "color: red"), format("no args %s"),
      format("extra", 1, "two", { three: 3 }), format(1, 2), format("%s", { toString() { return "custom"; } }), format("%s", [1, [2]]),
      format("%s", null, undefined), format("%s", BigInt(5)), format("%d", BigInt(7)), format("%s", -0), format("%i", "42.9px"),
      format("%s %s", Symbol("q"), () => 1), format("%s", new Error("in format").message),
    ];
    const cbStyle = (a, b, cb) => setTimeout(() => (a < 0 ? cb(new Error("neg")) : cb(null, a + b)), 1);
    const p = promisify(cbStyle);
    const sum = await p(1, 2);
    let rejected;
    try {
      await p(-1, 0);
    } catch (e) {
      rejected = e.message;
    }
    const custom = () => {};
    custom[promisify.custom] = () => Promise.resolve("custom!");
    const viaCustom = await promisify(custom)();
    const cbified = await new Promise((res) => callbackify(async (x) => x * 2)(21, (e, v) => res([e, v])));
    function A() {}
    A.prototype.hi = () => "hi";
    function B() {}
    inherits(B, A);
    const typeChecks = [
      types.isDate(new Date()), types.isRegExp(/x/), types.isPromise(Promise.resolve()), types.isMap(new Map()), types.isSet(new Set()),
      types.isTypedArray(new Uint8Array()), types.isUint8Array(Buffer.alloc(1)), types.isArrayBuffer(new ArrayBuffer(1)),
      types.isAsyncFunction(async () => {}), types.isGeneratorFunction(function* () {}), types.isNativeError(new TypeError()),
      types.isBoxedPrimitive(new Number(1)), types.isAnyArrayBuffer(new ArrayBuffer(1)), types.isDataView(new DataView(new ArrayBuffer(1))),
      utilTypes.isUint16Array(new Uint16Array()), types.isProxy(new Proxy({}, {})), types.isArgumentsObject((function () { return arguments; })()),
      types.isStringObject(new String("")), types.isWeakMap(new WeakMap()), types.isMapIterator(new Map().keys()),
    ];
    const e = new Error("outer", { cause: new TypeError("inner") });
    e.stack = "Error: outer\n    at fake (file.js:1:1)";
    e.cause.stack = "TypeError: inner\n    at fake2 (file.js:2:2)";
    e.extra = { a: 1 };
    const agg = new AggregateError([new Error("one")], "many");
    agg.stack = "AggregateError: many\n    at x (y.js:1:1)";
    agg.errors[0].stack = "Error: one\n    at z (w.js:1:1)";
    class MyErr extends Error {
      constructor(m) {
        super(m);
        this.name = "MyErr";
      }
    }
    const my = new MyErr("mine");
    my.stack = "MyErr: mine\n    at q (r.js:1:1)";
    class Tagged {
      get [Symbol.toStringTag]() {
        return "TG";
      }
    }
    const errorsInspected = [
      inspect(e), inspect(agg), inspect(my), inspect({ err: my, list: [e] }), inspect(new Proxy({ t: 1 }, {})), inspect(new Tagged()),
      inspect(Object.create(null, { x: { value: 1, enumerable: true } })), inspect(new Map([[{ a: 1 }, new Set([1])]]), { depth: 0 }),
    ];
    const te = new TextEncoder();
    const td = new TextDecoder();
    return {
      ...state,
      data: {
        inspected, errorsInspected, options, formatted, sum, rejected, viaCustom, cbified, inherits: [new B().hi(), B.super_ === A],
        typeChecks,
        deep: [isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), isDeepStrictEqual([1], ["1"]), isDeepStrictEqual(new Set([1, { a: 1 }]), new Set([{ a: 1 }, 1])), isDeepStrictEqual(NaN, NaN), isDeepStrictEqual(0, -0)],
        text: [Array.from(te.encode("h\u00e9\ud83d\ude00")), td.decode(new Uint8Array([104, 195, 169])), te.encoding, td.encoding, new TextDecoder("utf-16le").decode(new Uint8Array([65, 0, 66, 0]))],
        misc: [util.isArray([]), typeof util.debuglog("x"), util.debuglog("fnhost_test").enabled, util.stripVTControlCharacters("\u001b[31mred\u001b[39m"), util.toUSVString("a\ud800b"), typeof util.inspect.custom, util.inspect.custom === Symbol.for("nodejs.util.inspect.custom")],
        deprecate: typeof util.deprecate(() => 1, "old")(),
        mime: [" Text/HTML ; Charset=\"utf-8\" ; x=1", "a/b; q=\"\\\"quoted\\\" \\\\x\"; empty=; novalue; =v", "text/plain;p=\" spaced \"", "bad", "x/"].map((i) => {
          try {
            const m = new util.MIMEType(i);
            return [m.essence, String(m), [...m.params], m.params.get("charset")];
          } catch (e) {
            return [e.name, e.code];
          }
        }),
        parseEnv: util.parseEnv("A=1\nexport B = \"x\\ny\" # c\nC='q'\n# comment\nD=\nE=a b  "),
      },
    };
  },
];
