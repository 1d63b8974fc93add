// node:assert and node:assert/strict. Messages follow Node's for the common cases; the long
// colored diffs Node prints for deep comparisons are shortened to "+ actual - expected" lines.
import { core, invalidArgType, nodeError } from "ext:fnhost/node/_internal.js";
import { isDeepEqual } from "ext:fnhost/node/_compare.js";
import { inspect } from "ext:fnhost/node/_inspect.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const kReadableOperator = {
  deepStrictEqual: "Expected values to be strictly deep-equal:",
  strictEqual: "Expected values to be strictly equal:",
  strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
  deepEqual: "Expected values to be loosely deep-equal:",
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notIdentical: "Values identical but not reference-equal:",
  notDeepEqualUnequal: "Expected values not to be loosely deep-equal:",
};

// Values may come from the job realm: recognize errors and regexps by their internal slots.
const isError = (v) => v instanceof Error || (core?.isNativeError?.(v) ?? false);
const isRegExp = (v) => v instanceof RegExp || (core?.isRegExp?.(v) ?? false);
function isErrorClass(fn) {
  for (let p = fn; typeof p === "function"; p = Object.getPrototypeOf(p)) {
    if (p === Error || (p.name === "Error" && p.prototype?.name === "Error")) return true;
  }
  return false;
}

const show = (v) => inspect(v, { compact: false, customInspect: false, depth: 1000, maxArrayLength: Infinity, sorted: true, getters: true });

/** Lines equal but for a trailing comma count as equal (the last property of an object). */
const sameLine = (x, y) => x === y || (x.endsWith(",") && x.slice(0, -1) === y) || (y.endsWith(",") && y.slice(0, -1) === x);

/** "+ actual - expected" line diff of two inspected values (longest common subsequence;
 * within a changed block the actual lines come first). */
function lineDiff(a, b) {
  const n = a.length;
  const m = b.length;
  if (n * m > 4e6) return { lines: [...a.map((l) => `+ ${l}`), ...b.map((l) => `- ${l}`)], skipped: false };
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) dp[i][j] = sameLine(a[i], b[j]) ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  }
  const out = [];
  let plus = [];
  let minus = [];
  const flush = () => {
    out.push(...plus, ...minus);
    plus = [];
    minus = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && sameLine(a[i], b[j])) {
      flush();
      out.push(`  ${a[i].endsWith(",") || !b[j].endsWith(",") ? a[i] : b[j]}`);
      i++;
      j++;
    } else if (j >= m || (i < n && dp[i + 1][j] >= dp[i][j + 1])) {
      plus.push(`+ ${a[i++]}`);
    } else {
      minus.push(`- ${b[j++]}`);
    }
  }
  flush();
  // Unchanged runs are shortened the way Node does: before a change, the first two and the last
  // two lines of a run (with "..." between when 6 or more); at the end, the first and the last
  // three lines of the run (with "..." between when 5 or more).
  const shown = [];
  let skipped = false;
  let k = 0;
  while (k < out.length) {
    let run = k;
    while (run < out.length && out[run].startsWith("  ")) run++;
    const len = run - k;
    const lines = out.slice(k, run);
    if (run === out.length) {
      if (len >= 5) {
        shown.push(lines[0], "...", ...lines.slice(-3));
        skipped = true;
      } else {
        shown.push(...lines);
      }
    } else if (len >= 6) {
      shown.push(lines[0], lines[1], "...", lines[len - 2], lines[len - 1]);
      skipped = true;
    } else {
      shown.push(...lines);
    }
    while (run < out.length && !out[run].startsWith("  ")) shown.push(out[run++]);
    k = run;
  }
  return { lines: shown, skipped };
}

function comparisonMessage(actual, expected, operator) {
  const isObj = (v) => v !== null && (typeof v === "object" || typeof v === "function");
  if (operator === "strictEqual" && isObj(actual) && isObj(expected)) operator = "strictEqualObject";
  const a = show(actual).split("\n");
  const b = show(expected).split("\n");
  let indicator = "";
  if (a.length === 1 && b.length === 1 && a[0] !== b[0]) {
    const length = a[0].length + b[0].length;
    if (length <= 12) {
      if (!isObj(actual) && !isObj(expected) && (actual !== 0 || expected !== 0)) {
        return `${kReadableOperator[operator]}\n\n${a[0]} !== ${b[0]}\n`;
      }
    } else if (operator !== "strictEqualObject" && length < 80) {
      let k = 0;
      while (a[0][k] === b[0][k]) k++;
      if (k > 2) indicator = `\n  ${" ".repeat(k)}^`;
    }
  }
  if (a.join("\n") === b.join("\n")) {
    const head = operator === "strictEqualObject" ? "Values have same structure but are not reference-equal:" : kReadableOperator.notIdentical;
    return `${head}\n\n${a.join("\n")}\n`;
  }
  const diff = lineDiff(a, b);
  return `${kReadableOperator[operator]}\n+ actual - expected${diff.skipped ? " ... Lines skipped" : ""}\n\n${diff.lines.join("\n")}${indicator}`;
}

export class AssertionError extends Error {
  constructor(options) {
    if (options === null || typeof options !== "object") throw invalidArgType("options", "Object", options);
    const { message, operator, stackStartFn, details } = options;
    let { actual, expected } = options;
    if (message != null) {
      super(String(message));
    } else if (operator === "deepStrictEqual" || operator === "strictEqual") {
      super(comparisonMessage(actual, expected, operator));
    } else if (operator === "notDeepStrictEqual" || operator === "notStrictEqual") {
      let base = kReadableOperator[operator];
      const res = show(actual).split("\n");
      if (operator === "notStrictEqual" && ((typeof actual === "object" && actual !== null) || typeof actual === "function")) {
        base = kReadableOperator.notStrictEqualObject;
      }
      if (res.length > 50) {
        res[46] = "...";
        res.length = 47;
      }
      super(res.length === 1 ? `${base}${res[0].length > 5 ? "\n\n" : " "}${res[0]}` : `${base}\n\n${res.join("\n")}\n`);
    } else {
      let res = show(actual);
      let other = show(expected);
      const knownOperator = kReadableOperator[operator];
      if (operator === "notDeepEqual" && res === other) {
        res = `${knownOperator}\n\n${res}`;
        if (res.length > 1024) res = `${res.slice(0, 1021)}...`;
        super(res);
      } else {
        if (res.length > 512) res = `${res.slice(0, 509)}...`;
        if (other.length > 512) other = `${other.slice(0, 509)}...`;
        if (operator === "deepEqual") {
          res = `${knownOperator}\n\n${res}\n\nshould loosely deep-equal\n\n`;
        } else {
          const newOp = kReadableOperator[`${operator}Unequal`];
          if (newOp) res = `${newOp}\n\n${res}\n\nshould not loosely deep-equal\n\n`;
          else other = ` ${operator} ${other}`;
        }
        super(`${res}${other}`);
      }
    }
    this.generatedMessage = !message;
    Object.defineProperty(this, "name", { value: "AssertionError [ERR_ASSERTION]", enumerable: false, writable: true, configurable: true });
    this.code = "ERR_ASSERTION";
    if (details) {
      this.actual = undefined;
      this.expected = undefined;
      this.operator = undefined;
      for (let i = 0; i < details.length; i++) {
        this[`message ${i}`] = details[i].message;
        this[`actual ${i}`] = details[i].actual;
        this[`expected ${i}`] = details[i].expected;
        this[`operator ${i}`] = details[i].operator;
        this[`stack trace ${i}`] = details[i].stack;
      }
    } else {
      this.actual = actual;
      this.expected = expected;
      this.operator = operator;
    }
    if (typeof Error.captureStackTrace === "function") Error.captureStackTrace(this, stackStartFn || undefined);
    void this.stack;
    this.name = "AssertionError";
  }
  toString() {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
  [inspect.custom](recurseTimes, ctx) {
    return inspect(this, { ...ctx, customInspect: false, depth: 0 });
  }
}

function innerFail(obj) {
  if (isError(obj.message)) throw obj.message;
  throw new AssertionError(obj);
}

function innerOk(fn, argLen, value, message) {
  if (!value) {
    let generatedMessage = false;
    if (argLen === 0) {
      generatedMessage = true;
      message = "No value argument passed to `assert.ok()`";
    } else if (message == null) {
      generatedMessage = true;
      message = `The expression evaluated to a falsy value:\n\n  assert.ok(${inspect(value)})\n`;
    } else if (isError(message)) {
      throw message;
    }
    const err = new AssertionError({ actual: value, expected: true, message, operator: "==", stackStartFn: fn });
    err.generatedMessage = generatedMessage;
    throw err;
  }
}

function checkArgs(n, name1, name2) {
  if (n < 2) throw nodeError(TypeError, "ERR_MISSING_ARGS", `The "${name1}" and "${name2}" arguments must be specified`);
}

function ok(...args) {
  innerOk(ok, args.length, ...args);
}

const assert = function assert(...args) {
  innerOk(assert, args.length, ...args);
};

function compareExceptionKey(actual, expected, key, message, keys, fn) {
  if (!(key in actual) || !isDeepEqual(actual[key], expected[key], true)) {
    if (!message) {
      const a = {};
      const b = {};
      for (const k of keys) {
        if (k in actual) a[k] = actual[k];
        b[k] = expected[k];
      }
      const err = new AssertionError({ actual: a, expected: b, operator: "deepStrictEqual", stackStartFn: fn });
      err.actual = actual;
      err.expected = expected;
      err.operator = fn.name;
      throw err;
    }
    innerFail({ actual, expected, message, operator: fn.name, stackStartFn: fn });
  }
}

function expectedException(actual, expected, message, fn) {
  let generatedMessage = false;
  let throwError = false;
  if (typeof expected !== "function") {
    if (isRegExp(expected)) {
      const str = String(actual);
      if (expected.exec(str) !== null) return;
      if (!message) {
        generatedMessage = true;
        message = `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(str)}\n`;
      }
      throwError = true;
    } else if (typeof actual !== "object" || actual === null) {
      const err = new AssertionError({ actual, expected, message, operator: "deepStrictEqual", stackStartFn: fn });
      err.operator = fn.name;
      throw err;
    } else {
      const keys = Object.keys(expected);
      if (isError(expected)) keys.push("name", "message");
      else if (keys.length === 0) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'error' may not be an empty object. Received {}`);
      for (const key of keys) {
        if (typeof actual[key] === "string" && expected[key] instanceof RegExp && expected[key].exec(actual[key]) !== null) continue;
        compareExceptionKey(actual, expected, key, message, keys, fn);
      }
      return;
    }
  } else if (expected.prototype !== undefined && actual instanceof expected) {
    return;
  } else if (isErrorClass(expected)) {
    if (!message) {
      generatedMessage = true;
      message = "The error is expected to be an instance of " + `"${expected.name}". Received `;
      if (isError(actual)) message += `"${actual.name}"`;
      else message += `"${inspect(actual, { depth: -1 })}"`;
      if (actual && actual.message) message += `\n\nError message:\n\n${actual.message}`;
    }
    throwError = true;
  } else {
    const res = Reflect.apply(expected, {}, [actual]);
    if (res !== true) {
      if (!message) {
        generatedMessage = true;
        const name = expected.name ? `"${expected.name}" ` : "";
        message = `The ${name}validation function is expected to return "true". Received ${inspect(res)}`;
        if (isError(actual)) message += `\n\nCaught error:\n\n${actual}`;
      }
      throwError = true;
    }
  }
  if (throwError) {
    const err = new AssertionError({ actual, expected, message, operator: fn.name, stackStartFn: fn });
    err.generatedMessage = generatedMessage;
    throw err;
  }
}

const NO_EXCEPTION = Symbol("no exception");

function getActual(fn) {
  if (typeof fn !== "function") throw invalidArgType("fn", "Function", fn);
  try {
    fn();
  } catch (e) {
    return e;
  }
  return NO_EXCEPTION;
}

async function waitForActual(promiseFn) {
  let resultPromise;
  if (typeof promiseFn === "function") {
    resultPromise = promiseFn();
    if (!resultPromise || typeof resultPromise.then !== "function") {
      throw nodeError(TypeError, "ERR_INVALID_RETURN_VALUE", `Expected instance of Promise to be returned from the "promiseFn" function but got ${resultPromise === null ? "null" : typeof resultPromise}.`);
    }
  } else if (promiseFn && typeof promiseFn.then === "function") {
    resultPromise = promiseFn;
  } else {
    throw invalidArgType("promiseFn", ["Function", "Promise"], promiseFn);
  }
  try {
    await resultPromise;
  } catch (e) {
    return e;
  }
  return NO_EXCEPTION;
}

function expectsError(stackStartFn, actual, error, message) {
  if (typeof error === "string") {
    if (arguments.length === 4) throw invalidArgType("error", ["Object", "Error", "Function", "RegExp"], error);
    if (typeof actual === "object" && actual !== null) {
      if (actual.message === error) {
        throw nodeError(TypeError, "ERR_AMBIGUOUS_ARGUMENT", `The "error/message" argument is ambiguous. The error message "${actual.message}" is identical to the message.`);
      }
    } else if (actual === error) {
      throw nodeError(TypeError, "ERR_AMBIGUOUS_ARGUMENT", `The "error/message" argument is ambiguous. The error "${actual}" is identical to the message.`);
    }
    message = error;
    error = undefined;
  } else if (error != null && typeof error !== "object" && typeof error !== "function") {
    throw invalidArgType("error", ["Object", "Error", "Function", "RegExp"], error);
  }
  if (actual === NO_EXCEPTION) {
    let details = "";
    if (error && error.name) details += ` (${error.name})`;
    details += message ? `: ${message}` : ".";
    const fnType = stackStartFn === assert.rejects ? "rejection" : "exception";
    innerFail({ actual: undefined, expected: error, operator: stackStartFn.name, message: `Missing expected ${fnType}${details}`, stackStartFn });
  }
  if (!error) return;
  expectedException(actual, error, message, stackStartFn);
}

function expectsNoError(stackStartFn, actual, error, message) {
  if (actual === NO_EXCEPTION) return;
  if (typeof error === "string") {
    message = error;
    error = undefined;
  }
  if (!error || (typeof error === "function" && error.prototype !== undefined && actual instanceof error)) {
    const details = message ? `: ${message}` : ".";
    const fnType = stackStartFn === assert.doesNotReject ? "rejection" : "exception";
    innerFail({ actual, expected: error, operator: stackStartFn.name, message: `Got unwanted ${fnType}${details}\nActual message: "${actual && actual.message}"`, stackStartFn });
  }
  throw actual;
}

function internalMatch(string, regexp, message, fn) {
  if (!(isRegExp(regexp))) throw invalidArgType("regexp", "RegExp", regexp);
  const match = fn === assert.match;
  if (typeof string !== "string" || (regexp.exec(string) !== null) !== match) {
    if (isError(message)) throw message;
    const generatedMessage = !message;
    message = message || (typeof string !== "string"
      ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
      : (match ? "The input did not match the regular expression " : "The input was expected to not match the regular expression ") +
        `${inspect(regexp)}. Input:\n\n${inspect(string)}\n`);
    const err = new AssertionError({ actual: string, expected: regexp, message, operator: fn.name, stackStartFn: fn });
    err.generatedMessage = generatedMessage;
    throw err;
  }
}

Object.assign(assert, {
  ok,
  AssertionError,
  fail(actual, expected, message, operator, stackStartFn) {
    const argsLen = arguments.length;
    let internalMessage = false;
    if (actual == null && argsLen <= 1) {
      internalMessage = true;
      message = "Failed";
    } else if (argsLen === 1) {
      message = actual;
      actual = undefined;
    } else {
      if (argsLen === 2) operator = "!=";
    }
    if (isError(message)) throw message;
    const errArgs = { actual, expected, operator: operator === undefined ? "fail" : operator, stackStartFn: stackStartFn || assert.fail, message };
    const err = new AssertionError(errArgs);
    if (internalMessage) err.generatedMessage = true;
    throw err;
  },
  equal: function equal(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    // eslint-disable-next-line eqeqeq
    if (actual != expected && (!Number.isNaN(actual) || !Number.isNaN(expected))) {
      innerFail({ actual, expected, message, operator: "==", stackStartFn: equal });
    }
  },
  notEqual: function notEqual(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    // eslint-disable-next-line eqeqeq
    if (actual == expected || (Number.isNaN(actual) && Number.isNaN(expected))) {
      innerFail({ actual, expected, message, operator: "!=", stackStartFn: notEqual });
    }
  },
  deepEqual: function deepEqual(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    if (!isDeepEqual(actual, expected, false)) innerFail({ actual, expected, message, operator: "deepEqual", stackStartFn: deepEqual });
  },
  notDeepEqual: function notDeepEqual(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    if (isDeepEqual(actual, expected, false)) innerFail({ actual, expected, message, operator: "notDeepEqual", stackStartFn: notDeepEqual });
  },
  deepStrictEqual: function deepStrictEqual(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    if (!isDeepEqual(actual, expected, true)) innerFail({ actual, expected, message, operator: "deepStrictEqual", stackStartFn: deepStrictEqual });
  },
  notDeepStrictEqual: function notDeepStrictEqual(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    if (isDeepEqual(actual, expected, true)) innerFail({ actual, expected, message, operator: "notDeepStrictEqual", stackStartFn: notDeepStrictEqual });
  },
  strictEqual: function strictEqual(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    if (!Object.is(actual, expected)) innerFail({ actual, expected, message, operator: "strictEqual", stackStartFn: strictEqual });
  },
  notStrictEqual: function notStrictEqual(actual, expected, message) {
    checkArgs(arguments.length, "actual", "expected");
    if (Object.is(actual, expected)) innerFail({ actual, expected, message, operator: "notStrictEqual", stackStartFn: notStrictEqual });
  },
  partialDeepStrictEqual: function partialDeepStrictEqual(actual, expected, message) {
    const partial = (a, e) => {
      if (e === null || typeof e !== "object") return Object.is(a, e);
      if (a === null || typeof a !== "object") return false;
      return Object.keys(e).every((k) => partial(a[k], e[k]));
    };
    if (!partial(actual, expected)) innerFail({ actual, expected, message, operator: "partialDeepStrictEqual", stackStartFn: partialDeepStrictEqual });
  },
  throws: function throws(promiseFn, ...args) {
    expectsError(throws, getActual(promiseFn), ...args);
  },
  rejects: async function rejects(promiseFn, ...args) {
    expectsError(rejects, await waitForActual(promiseFn), ...args);
  },
  doesNotThrow: function doesNotThrow(fn, ...args) {
    expectsNoError(doesNotThrow, getActual(fn), ...args);
  },
  doesNotReject: async function doesNotReject(fn, ...args) {
    expectsNoError(doesNotReject, await waitForActual(fn), ...args);
  },
  ifError: function ifError(err) {
    if (err !== null && err !== undefined) {
      let message = "ifError got unwanted exception: ";
      if (typeof err === "object" && typeof err.message === "string") {
        if (err.message.length === 0 && err.constructor) message += err.constructor.name;
        else message += err.message;
      } else {
        message += inspect(err);
      }
      const newErr = new AssertionError({ actual: err, expected: null, operator: "ifError", message, stackStartFn: ifError });
      throw newErr;
    }
  },
  match: function match(string, regexp, message) {
    internalMatch(string, regexp, message, match);
  },
  doesNotMatch: function doesNotMatch(string, regexp, message) {
    internalMatch(string, regexp, message, doesNotMatch);
  },
  CallTracker: class CallTracker {
    constructor() {
      this._calls = [];
    }
    calls(fn = () => {}, exact = 1) {
      const ctx = { actual: 0, exact, name: fn.name || "calls" };
      this._calls.push(ctx);
      return (...args) => {
        ctx.actual++;
        return fn(...args);
      };
    }
    report() {
      return this._calls.filter((c) => c.actual !== c.exact).map((c) => ({
        message: `Expected the ${c.name} function to be executed ${c.exact} time(s) but was executed ${c.actual} time(s).`,
        actual: c.actual,
        expected: c.exact,
        operator: c.name,
      }));
    }
    verify() {
      const errors = this.report();
      if (errors.length > 0) throw new AssertionError({ message: errors.length === 1 ? errors[0].message : "Functions were not called the expected number of times", details: errors });
    }
  },
});

function strict(...args) {
  innerOk(strict, args.length, ...args);
}
Object.assign(strict, assert, {
  equal: assert.strictEqual,
  deepEqual: assert.deepStrictEqual,
  notEqual: assert.notStrictEqual,
  notDeepEqual: assert.notDeepStrictEqual,
});
assert.strict = strict;
strict.strict = strict;

defineBuiltin("assert", () => assert);
defineBuiltin("assert/strict", () => strict);
