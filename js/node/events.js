// node:events -- EventEmitter (a plain constructor function, so `EventEmitter.call(this)` and
// util.inherits work), `once`/`on` helpers, errorMonitor, listener counting and max-listener
// warnings.
import { abortError, core, invalidArgType, nodeError, outOfRange, validateFunction } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const kCapture = Symbol("kCapture");
export const errorMonitor = Symbol("events.errorMonitor");
export const captureRejectionSymbol = Symbol.for("nodejs.rejection");
let defaultMaxListeners = 10;

function checkListener(listener) {
  validateFunction(listener, "listener");
}

export function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}

EventEmitter.prototype._events = undefined;
EventEmitter.prototype._eventsCount = 0;
EventEmitter.prototype._maxListeners = undefined;

EventEmitter.init = function init(opts) {
  if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
    this._events = Object.create(null);
    this._eventsCount = 0;
  }
  this._maxListeners = this._maxListeners || undefined;
  if (opts?.captureRejections) {
    this[kCapture] = Boolean(opts.captureRejections);
  } else {
    this[kCapture] = EventEmitter.prototype[kCapture];
  }
};

EventEmitter.prototype[kCapture] = false;

function getMaxListeners(that) {
  return that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners;
}

const methods = {
  setMaxListeners(n) {
    if (typeof n !== "number" || n < 0 || Number.isNaN(n)) throw outOfRange("n", "a non-negative number", n);
    this._maxListeners = n;
    return this;
  },
  getMaxListeners() {
    return getMaxListeners(this);
  },
  emit(type, ...args) {
    let doError = type === "error";
    const events = this._events;
    if (events !== undefined) {
      if (doError && events[errorMonitor] !== undefined) this.emit(errorMonitor, ...args);
      doError = doError && events.error === undefined;
    } else if (!doError) {
      return false;
    }
    if (doError) {
      const er = args[0];
      // errors from the job realm are errors too (Node only checks its own realm's Error)
      if (er instanceof Error || (core?.isNativeError?.(er) ?? false)) throw er;
      let shown;
      try {
        shown = typeof er === "string" ? `'${er}'` : String(er);
      } catch {
        shown = "[object]";
      }
      const err = nodeError(Error, "ERR_UNHANDLED_ERROR", `Unhandled error. (${shown})`);
      err.context = er;
      throw err;
    }
    const handler = events[type];
    if (handler === undefined) return false;
    if (typeof handler === "function") {
      const result = handler.apply(this, args);
      if (result !== undefined && result !== null && this[kCapture]) addCatch(this, result, type, args);
    } else {
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; i++) {
        const result = listeners[i].apply(this, args);
        if (result !== undefined && result !== null && this[kCapture]) addCatch(this, result, type, args);
      }
    }
    return true;
  },
  addListener(type, listener) {
    return addListener(this, type, listener, false);
  },
  on(type, listener) {
    return addListener(this, type, listener, false);
  },
  prependListener(type, listener) {
    return addListener(this, type, listener, true);
  },
  once(type, listener) {
    checkListener(listener);
    this.on(type, onceWrapper(this, type, listener));
    return this;
  },
  prependOnceListener(type, listener) {
    checkListener(listener);
    this.prependListener(type, onceWrapper(this, type, listener));
    return this;
  },
  removeListener(type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) return this;
    const list = events[type];
    if (list === undefined) return this;
    if (list === listener || list.listener === listener) {
      this._eventsCount -= 1;
      if (this._eventsCount === 0) this._events = Object.create(null);
      else delete events[type];
      if (events.removeListener) this.emit("removeListener", type, list.listener || listener);
    } else if (typeof list !== "function") {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) {
          position = i;
          break;
        }
      }
      if (position < 0) return this;
      const removed = list[position];
      list.splice(position, 1);
      if (list.length === 1) events[type] = list[0];
      if (events.removeListener !== undefined) this.emit("removeListener", type, removed.listener || listener);
    }
    return this;
  },
  removeAllListeners(type) {
    const events = this._events;
    if (events === undefined) return this;
    if (events.removeListener === undefined) {
      if (arguments.length === 0) {
        this._events = Object.create(null);
        this._eventsCount = 0;
      } else if (events[type] !== undefined) {
        if (--this._eventsCount === 0) this._events = Object.create(null);
        else delete events[type];
      }
      return this;
    }
    if (arguments.length === 0) {
      for (const key of Reflect.ownKeys(events)) {
        if (key === "removeListener") continue;
        this.removeAllListeners(key);
      }
      this.removeAllListeners("removeListener");
      this._events = Object.create(null);
      this._eventsCount = 0;
      return this;
    }
    const listeners = events[type];
    if (typeof listeners === "function") {
      this.removeListener(type, listeners);
    } else if (listeners !== undefined) {
      for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
    }
    return this;
  },
  listeners(type) {
    return listenersOf(this, type, true);
  },
  rawListeners(type) {
    return listenersOf(this, type, false);
  },
  listenerCount(type, listener) {
    const list = this._events?.[type];
    if (list === undefined) return 0;
    if (typeof list === "function") return listener == null || list === listener || list.listener === listener ? 1 : 0;
    if (listener == null) return list.length;
    return list.filter((l) => l === listener || l.listener === listener).length;
  },
  eventNames() {
    return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
  },
};
methods.off = methods.removeListener;
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(EventEmitter.prototype, name, { value: fn, writable: true, configurable: true, enumerable: true });
}

function addCatch(that, promise, type, args) {
  try {
    const then = promise.then;
    if (typeof then === "function") {
      then.call(promise, undefined, (err) => {
        queueMicrotask(() => {
          if (typeof that[captureRejectionSymbol] === "function") that[captureRejectionSymbol](err, type, ...args);
          else {
            const prev = that[kCapture];
            try {
              that[kCapture] = false;
              that.emit("error", err);
            } finally {
              that[kCapture] = prev;
            }
          }
        });
      });
    }
  } catch (err) {
    that.emit("error", err);
  }
}

function addListener(target, type, listener, prepend) {
  checkListener(listener);
  let events = target._events;
  if (events === undefined) {
    events = target._events = Object.create(null);
    target._eventsCount = 0;
  } else {
    if (events.newListener !== undefined) {
      target.emit("newListener", type, listener.listener ?? listener);
      events = target._events;
    }
  }
  let existing = events[type];
  if (existing === undefined) {
    events[type] = listener;
    ++target._eventsCount;
  } else {
    if (typeof existing === "function") {
      existing = events[type] = prepend ? [listener, existing] : [existing, listener];
    } else if (prepend) {
      existing.unshift(listener);
    } else {
      existing.push(listener);
    }
    const m = getMaxListeners(target);
    if (m > 0 && existing.length > m && !existing.warned) {
      existing.warned = true;
      const name = target.constructor?.name || "EventEmitter";
      const w = new Error(
        `Possible EventEmitter memory leak detected. ${existing.length} ${String(type)} listeners added to [${name}]. MaxListeners is ${m}. Use emitter.setMaxListeners() to increase limit`,
      );
      w.name = "MaxListenersExceededWarning";
      w.emitter = target;
      w.type = type;
      w.count = existing.length;
      globalThis.process?.emitWarning?.(w);
    }
  }
  return target;
}

function onceWrapper(target, type, listener) {
  const state = { fired: false, wrapFn: undefined, target, type, listener };
  const wrapped = function (...args) {
    if (!state.fired) {
      state.target.removeListener(state.type, state.wrapFn);
      state.fired = true;
      return state.listener.apply(state.target, args);
    }
  };
  wrapped.listener = listener;
  state.wrapFn = wrapped;
  return wrapped;
}

function listenersOf(target, type, unwrap) {
  const list = target._events?.[type];
  if (list === undefined) return [];
  if (typeof list === "function") return unwrap ? [list.listener || list] : [list];
  return unwrap ? list.map((l) => l.listener || l) : list.slice();
}

Object.defineProperty(EventEmitter, "defaultMaxListeners", {
  enumerable: true,
  get: () => defaultMaxListeners,
  set: (n) => {
    if (typeof n !== "number" || n < 0 || Number.isNaN(n)) throw outOfRange("defaultMaxListeners", "a non-negative number", n);
    defaultMaxListeners = n;
  },
});
Object.defineProperty(EventEmitter, "captureRejections", {
  enumerable: true,
  get: () => EventEmitter.prototype[kCapture],
  set: (v) => {
    EventEmitter.prototype[kCapture] = Boolean(v);
  },
});

function isEventTarget(emitter) {
  return emitter && typeof emitter.addEventListener === "function" && typeof emitter.on !== "function";
}

/** Resolves with the arguments of the next `name` event (rejects on `error`). */
export function once(emitter, name, options = {}) {
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  return new Promise((resolve, reject) => {
    if (isEventTarget(emitter)) {
      const listener = (...args) => {
        signal?.removeEventListener?.("abort", onAbort);
        resolve(args);
      };
      const onAbort = () => {
        emitter.removeEventListener(name, listener);
        reject(abortError(signal.reason));
      };
      emitter.addEventListener(name, listener, { once: true });
      signal?.addEventListener?.("abort", onAbort, { once: true });
      return;
    }
    const errorListener = (err) => {
      emitter.removeListener(name, resolver);
      signal?.removeEventListener?.("abort", onAbort);
      reject(err);
    };
    const resolver = (...args) => {
      if (name !== "error") emitter.removeListener("error", errorListener);
      signal?.removeEventListener?.("abort", onAbort);
      resolve(args);
    };
    const onAbort = () => {
      emitter.removeListener(name, resolver);
      emitter.removeListener("error", errorListener);
      reject(abortError(signal.reason));
    };
    emitter.once(name, resolver);
    if (name !== "error") emitter.once("error", errorListener);
    signal?.addEventListener?.("abort", onAbort, { once: true });
  });
}

/** Async iterator over `event` emissions (ends on `close` events listed in options). */
export function on(emitter, event, options = {}) {
  const signal = options?.signal;
  if (signal?.aborted) throw abortError(signal.reason);
  const unconsumedEvents = [];
  const unconsumedPromises = [];
  let error = null;
  let finished = false;
  const closeEvents = options?.close ?? [];
  const eventHandler = (...args) => {
    const p = unconsumedPromises.shift();
    if (p) p.resolve({ value: args, done: false });
    else unconsumedEvents.push(args);
  };
  const errorHandler = (err) => {
    finished = true;
    const p = unconsumedPromises.shift();
    if (p) p.reject(err);
    else error = err;
    iterator.return();
  };
  const closeHandler = () => {
    iterator.return();
  };
  const abortListener = () => errorHandler(abortError(signal?.reason));
  const iterator = {
    next() {
      const value = unconsumedEvents.shift();
      if (value) return Promise.resolve({ value, done: false });
      if (error) {
        const p = Promise.reject(error);
        error = null;
        return p;
      }
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => unconsumedPromises.push({ resolve, reject }));
    },
    return() {
      emitter.removeListener(event, eventHandler);
      emitter.removeListener("error", errorHandler);
      for (const c of closeEvents) emitter.removeListener(c, closeHandler);
      signal?.removeEventListener?.("abort", abortListener);
      finished = true;
      for (const p of unconsumedPromises.splice(0)) p.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) {
      error = err;
      emitter.removeListener(event, eventHandler);
      emitter.removeListener("error", errorHandler);
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  emitter.on(event, eventHandler);
  if (event !== "error") emitter.on("error", errorHandler);
  for (const c of closeEvents) emitter.on(c, closeHandler);
  signal?.addEventListener?.("abort", abortListener, { once: true });
  return iterator;
}

export function getEventListeners(emitter, type) {
  if (typeof emitter.listeners === "function") return emitter.listeners(type);
  return [];
}

export function getMaxListenersOf(emitter) {
  return typeof emitter?.getMaxListeners === "function" ? emitter.getMaxListeners() : defaultMaxListeners;
}

export function setMaxListeners(n = defaultMaxListeners, ...targets) {
  if (typeof n !== "number" || n < 0 || Number.isNaN(n)) throw outOfRange("n", "a non-negative number", n);
  if (targets.length === 0) defaultMaxListeners = n;
  for (const t of targets) if (typeof t.setMaxListeners === "function") t.setMaxListeners(n);
}

export function listenerCount(emitter, type) {
  if (typeof emitter.listenerCount === "function") return emitter.listenerCount(type);
  return 0;
}

export function addAbortListener(signal, listener) {
  if (signal === undefined || signal === null || typeof signal !== "object") throw invalidArgType("signal", "AbortSignal", signal);
  validateFunction(listener, "listener");
  if (signal.aborted) {
    queueMicrotask(() => listener());
  } else {
    signal.addEventListener("abort", listener, { once: true });
  }
  return { [Symbol.dispose ?? Symbol.for("nodejs.dispose")]() { signal.removeEventListener("abort", listener); } };
}

/** EventEmitter with an AsyncResource (single async context in fnhost). */
export class EventEmitterAsyncResource extends EventEmitter {
  constructor(options) {
    super(options);
  }
  emitDestroy() {}
  get asyncId() { return 1; }
  get triggerAsyncId() { return 0; }
}

Object.assign(EventEmitter, {
  EventEmitter,
  EventEmitterAsyncResource,
  errorMonitor,
  captureRejectionSymbol,
  once,
  on,
  getEventListeners,
  getMaxListeners: getMaxListenersOf,
  setMaxListeners,
  listenerCount,
  addAbortListener,
  usingDomains: false,
});

defineBuiltin("events", () => EventEmitter);
