// Node-style timers (setTimeout returns a Timeout object with ref/unref) on deno_core's timer queue.
const core = globalThis.Deno.core;

class Timeout {
  #timer;
  constructor(timer) { this.#timer = timer; }
  ref() { core.refTimer(this.#timer); return this; }
  unref() { core.unrefTimer(this.#timer); return this; }
  hasRef() { return true; }
  refresh() { core.refreshTimer(this.#timer); return this; }
  close() { core.cancelTimer(this.#timer); return this; }
  [Symbol.toPrimitive]() { return this.#timer._timerId; }
  /** @internal */ get _timer() { return this.#timer; }
}

const byId = new Map();

function schedule(callback, delay, args, repeat) {
  if (typeof callback !== "function") {
    const err = new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
    err.code = "ERR_INVALID_ARG_TYPE";
    throw err;
  }
  let timeout;
  const timer = core.createTimer(() => {
    if (!repeat) byId.delete(timer._timerId);
    callback(...args);
  }, delay, undefined, repeat, true);
  timeout = new Timeout(timer);
  byId.set(timer._timerId, timer);
  return timeout;
}

function cancel(t) {
  if (t == null) return;
  const timer = t instanceof Timeout ? t._timer : byId.get(Number(t));
  if (timer) {
    byId.delete(timer._timerId);
    core.cancelTimer(timer);
  }
}

export function setTimeout(callback, delay, ...args) { return schedule(callback, delay, args, false); }
export function setInterval(callback, delay, ...args) { return schedule(callback, delay, args, true); }
export function clearTimeout(t) { cancel(t); }
export function clearInterval(t) { cancel(t); }

class Immediate {
  constructor(fn) { this._onImmediate = fn; this._destroyed = false; }
  ref() { return this; }
  unref() { return this; }
  hasRef() { return true; }
}
export function setImmediate(callback, ...args) {
  const imm = new Immediate(() => { if (!imm._destroyed) callback(...args); });
  setTimeout(() => { if (!imm._destroyed) callback(...args); }, 0);
  imm._onImmediate = null;
  return imm;
}
export function clearImmediate(imm) { if (imm) imm._destroyed = true; }

/** Cancels every pending timer: used when a run ends so nothing keeps the event loop alive. */
export function clearAllTimers() {
  for (const timer of byId.values()) core.cancelTimer(timer);
  byId.clear();
}
