// node:assert and node:assert/strict
import assert from "node:assert";
import strict from "node:assert/strict";

const caught = (fn) => {
  try {
    fn();
    return "passed";
  } catch (e) {
    return [e.name, e.code, e.operator, e.generatedMessage, e.message.split("\n")[0]];
  }
};
const caughtAsync = async (fn) => {
  try {
    await fn();
    return "passed";
  } catch (e) {
    return [e.name, e.code, e.operator, e.message.split("\n")[0]];
  }
};

export default [
  async (state) => {
    const results = [
      caught(() => assert(true)), caught(() => assert.ok(1)), caught(() => assert(0)), caught(() => assert.ok(false, "custom msg")),
      caught(() => assert.equal(1, "1")), caught(() => assert.equal(1, 2)), caught(() => assert.notEqual(1, 2)), caught(() => assert.notEqual(1, "1")),
      caught(() => assert.strictEqual(1, 1)), caught(() => assert.strictEqual(1, 2)), caught(() => assert.strictEqual("a", "b", "mine")),
      caught(() => assert.notStrictEqual(1, 1)), caught(() => assert.deepEqual({ a: 1 }, { a: "1" })), caught(() => assert.deepEqual([1, 2], [1, 3])),
      caught(() => assert.deepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })), caught(() => assert.deepStrictEqual({ a: 1 }, { a: "1" })),
      caught(() => assert.notDeepStrictEqual({ a: 1 }, { a: 1 })), caught(() => assert.deepStrictEqual(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]]))),
      caught(() => assert.deepStrictEqual(new Date(0), new Date(0))), caught(() => assert.deepStrictEqual([1, 2], [1, 2, 3])),
      caught(() => assert.throws(() => { throw new TypeError("x"); }, TypeError)), caught(() => assert.throws(() => { throw new Error("abc"); }, /ab/)),
      caught(() => assert.throws(() => { throw new Error("abc"); }, { message: "abc" })), caught(() => assert.throws(() => {})),
      caught(() => assert.throws(() => { throw new Error("e"); }, RangeError)), caught(() => assert.throws(() => { throw new Error("e"); }, { message: "other" })),
      caught(() => assert.doesNotThrow(() => {})), caught(() => assert.doesNotThrow(() => { throw new Error("oops"); })),
      caught(() => assert.match("abc", /b/)), caught(() => assert.match("abc", /z/)), caught(() => assert.doesNotMatch("abc", /z/)),
      caught(() => assert.fail()), caught(() => assert.fail("boom")), caught(() => assert.ifError(null)), caught(() => assert.ifError(new Error("if"))),
      caught(() => strict.equal(1, "1")), caught(() => strict.deepEqual({ a: 1 }, { a: "1" })), caught(() => strict(false)),
      caught(() => assert.ok(false, new TypeError("given error"))), caught(() => assert.strictEqual(NaN, NaN)),
    ];
    const asyncResults = [
      await caughtAsync(() => assert.rejects(Promise.reject(new Error("r")), /r/)),
      await caughtAsync(() => assert.rejects(Promise.resolve(1))),
      await caughtAsync(() => assert.doesNotReject(Promise.resolve(1))),
      await caughtAsync(() => assert.rejects(async () => { throw new TypeError("t"); }, TypeError)),
    ];
    const fullMessage = (fn) => {
      try {
        fn();
        return "passed";
      } catch (err) {
        return err.message;
      }
    };
    const messages = [
      fullMessage(() => assert.deepStrictEqual({ a: 1, b: 2 }, { a: 1, b: 3 })),
      fullMessage(() => assert.strictEqual("hello world", "hello there")),
      fullMessage(() => assert.strictEqual(1, 2)),
      fullMessage(() => assert.deepStrictEqual(Array.from({ length: 20 }, (_, i) => i), Array.from({ length: 20 }, (_, i) => (i === 10 ? 99 : i)))),
      fullMessage(() => assert.deepStrictEqual({ name: "n", items: [{ id: 1 }, { id: 2, v: "b" }], meta: { count: 3 } }, { name: "n", items: [{ id: 1 }, { id: 2, v: "B" }], meta: { count: 4 } })),
      fullMessage(() => assert.strictEqual({ a: 1 }, { a: 1 })),
      fullMessage(() => assert.notStrictEqual(5, 5)),
      fullMessage(() => assert.deepEqual({ a: 1 }, { a: 2 })),
    ];
    const e = new assert.AssertionError({ actual: 1, expected: 2, operator: "strictEqual" });
    return {
      ...state,
      data: {
        results, asyncResults, messages,
        ctor: [e.name, e.code, e.actual, e.expected, e.operator, e.generatedMessage, Object.keys(e)],
        shape: [typeof assert, assert.strict === strict, strict.strict === strict, typeof assert.AssertionError, assert.strict.equal === assert.strictEqual],
      },
    };
  },
];
