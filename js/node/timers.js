// node:timers and node:timers/promises over the engine's timers (js/01_timers.js). fnhost's own
// rather than Deno's: the engine's timers are the run's (a step waits for them, and they end
// with it), so the module and the globals must be the same timers.
import * as timers from "ext:fnhost/01_timers.js";
import { abortError, invalidArgType, validateAbortSignal } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

function checkOptions(options) {
  if (options === null || typeof options !== "object") throw invalidArgType("options", "Object", options);
  validateAbortSignal(options.signal, "options.signal");
  if (options.ref !== undefined && typeof options.ref !== "boolean") throw invalidArgType("options.ref", "boolean", options.ref);
}

function delayed(schedule, cancel, value, options) {
  checkOptions(options);
  const { signal, ref = true } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  return new Promise((resolve, reject) => {
    let onAbort;
    const handle = schedule(() => {
      if (onAbort) signal.removeEventListener("abort", onAbort);
      resolve(value);
    });
    if (!ref) handle?.unref?.();
    if (signal) {
      onAbort = () => {
        cancel(handle);
        reject(abortError(signal.reason));
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
}

function promisesSetTimeout(delay, value, options = {}) {
  return delayed((fn) => timers.setTimeout(fn, delay), timers.clearTimeout, value, options);
}

function promisesSetImmediate(value, options = {}) {
  return delayed((fn) => timers.setImmediate(fn), timers.clearImmediate, value, options);
}

async function* promisesSetInterval(delay, value, options = {}) {
  checkOptions(options);
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal.reason);
  let pending = 0;
  let wake;
  const handle = timers.setInterval(() => {
    pending++;
    wake?.();
  }, delay);
  let onAbort;
  let aborted = false;
  if (signal) {
    onAbort = () => {
      aborted = true;
      wake?.();
    };
    signal.addEventListener("abort", onAbort, { once: true });
  }
  try {
    while (true) {
      if (pending === 0) await new Promise((resolve) => (wake = resolve));
      wake = undefined;
      if (aborted) throw abortError(signal.reason);
      for (; pending > 0; pending--) yield value;
    }
  } finally {
    timers.clearInterval(handle);
    signal?.removeEventListener("abort", onAbort);
  }
}

// util.promisify(setTimeout) and util.promisify(setImmediate) give the promise forms, as in Node
const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
for (const [fn, promised] of [[timers.setTimeout, promisesSetTimeout], [timers.setImmediate, promisesSetImmediate]]) {
  if (!Object.isFrozen(fn) && !Object.prototype.hasOwnProperty.call(fn, kCustomPromisify)) {
    Object.defineProperty(fn, kCustomPromisify, { value: promised, enumerable: false, writable: false, configurable: true });
  }
}

const scheduler = {
  wait: (delay, options) => promisesSetTimeout(delay, undefined, options),
  yield: () => promisesSetImmediate(),
};

defineBuiltin("timers", () => ({
  setTimeout: timers.setTimeout,
  clearTimeout: timers.clearTimeout,
  setInterval: timers.setInterval,
  clearInterval: timers.clearInterval,
  setImmediate: timers.setImmediate,
  clearImmediate: timers.clearImmediate,
  promises: {
    setTimeout: promisesSetTimeout,
    setImmediate: promisesSetImmediate,
    setInterval: promisesSetInterval,
    scheduler,
  },
  active(t) {
    t?.refresh?.();
  },
  unenroll(t) {
    timers.clearTimeout(t);
  },
}));

defineBuiltin("timers/promises", () => ({
  setTimeout: promisesSetTimeout,
  setImmediate: promisesSetImmediate,
  setInterval: promisesSetInterval,
  scheduler,
}));
