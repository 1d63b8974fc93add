// node:async_hooks -- AsyncLocalStorage on V8's continuation-preserved data (deno_core's
// AsyncVariable), AsyncResource, and inert hooks (fnhost has one async context per run).
import { core, validateFunction } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const getContext = () => core?.getAsyncContext?.();
const setContext = (ctx) => core?.setAsyncContext?.(ctx);

export class AsyncLocalStorage {
  #variable = core?.AsyncVariable ? new core.AsyncVariable() : null;
  #fallback = undefined;
  #enabled = true;
  static bind(fn) {
    return AsyncResource.bind(fn);
  }
  static snapshot() {
    const ctx = getContext();
    return (fn, ...args) => {
      const prev = getContext();
      setContext(ctx);
      try {
        return fn(...args);
      } finally {
        setContext(prev);
      }
    };
  }
  disable() {
    this.#enabled = false;
    if (this.#variable) this.#variable.enter(undefined);
    this.#fallback = undefined;
  }
  getStore() {
    if (!this.#enabled) return undefined;
    return this.#variable ? this.#variable.get() : this.#fallback;
  }
  enterWith(store) {
    this.#enabled = true;
    if (this.#variable) this.#variable.enter(store);
    else this.#fallback = store;
  }
  run(store, callback, ...args) {
    this.#enabled = true;
    if (!this.#variable) {
      const prev = this.#fallback;
      this.#fallback = store;
      try {
        return Reflect.apply(callback, null, args);
      } finally {
        this.#fallback = prev;
      }
    }
    const previous = this.#variable.enter(store);
    try {
      return Reflect.apply(callback, null, args);
    } finally {
      setContext(previous);
    }
  }
  exit(callback, ...args) {
    return this.run(undefined, callback, ...args);
  }
}

let nextAsyncId = 2;

export class AsyncResource {
  #context;
  #asyncId;
  #triggerId;
  constructor(type, options = {}) {
    this.type = type;
    this.#context = getContext();
    this.#asyncId = nextAsyncId++;
    this.#triggerId = typeof options === "number" ? options : options?.triggerAsyncId ?? 1;
  }
  runInAsyncScope(fn, thisArg, ...args) {
    const prev = getContext();
    setContext(this.#context);
    try {
      return Reflect.apply(fn, thisArg, args);
    } finally {
      setContext(prev);
    }
  }
  emitDestroy() {
    return this;
  }
  asyncId() {
    return this.#asyncId;
  }
  triggerAsyncId() {
    return this.#triggerId;
  }
  bind(fn, thisArg) {
    validateFunction(fn, "fn");
    const bound = (...args) => this.runInAsyncScope(fn, thisArg === undefined ? undefined : thisArg, ...args);
    Object.defineProperties(bound, {
      length: { value: fn.length, configurable: true },
      asyncResource: { value: this, configurable: true, enumerable: true, writable: true },
    });
    return bound;
  }
  static bind(fn, type, thisArg) {
    return new AsyncResource(type || fn.name || "bound-anonymous-fn").bind(fn, thisArg);
  }
}

function createHook() {
  return {
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
}

defineBuiltin("async_hooks", () => ({
  AsyncLocalStorage,
  AsyncResource,
  createHook,
  executionAsyncId: () => 1,
  triggerAsyncId: () => 0,
  executionAsyncResource: () => ({}),
  asyncWrapProviders: {},
}));
