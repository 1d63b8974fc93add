// Small Node built-ins fnhost provides for packages that import them at load time:
// constants, readline, v8, domain, cluster, inspector, repl, trace_events, wasi.
import { core, unsupportedClass, unsupportedFn } from "ext:fnhost/node/_internal.js";
import { cryptoConstants } from "ext:fnhost/node/_constants.js";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin, loadBuiltin } from "ext:fnhost/04_require.js";

defineBuiltin("constants", () => {
  const os = loadBuiltin("os");
  return { ...os.constants.dlopen, ...os.constants.errno, ...os.constants.signals, ...os.constants.priority, ...loadBuiltin("fs").constants, ...cryptoConstants };
});

const RL_HINT = "jobs have no interactive input";
function readlineExports(prefix) {
  return {
    Interface: unsupportedClass(prefix, "Interface", RL_HINT, EventEmitter),
    createInterface: unsupportedFn(prefix, "createInterface", RL_HINT),
    clearLine: (stream, dir, cb) => {
      if (typeof cb === "function") queueMicrotask(cb);
      return true;
    },
    clearScreenDown: (stream, cb) => {
      if (typeof cb === "function") queueMicrotask(cb);
      return true;
    },
    cursorTo: (stream, x, y, cb) => {
      if (typeof y === "function") cb = y;
      if (typeof cb === "function") queueMicrotask(cb);
      return true;
    },
    moveCursor: (stream, dx, dy, cb) => {
      if (typeof cb === "function") queueMicrotask(cb);
      return true;
    },
    emitKeypressEvents() {},
  };
}
defineBuiltin("readline", () => ({ ...readlineExports("readline"), promises: readlineExports("readline.promises") }));
defineBuiltin("readline/promises", () => readlineExports("readline.promises"));

defineBuiltin("v8", () => ({
  cachedDataVersionTag: () => 0,
  getHeapStatistics() {
    const m = core?.memoryUsage?.() ?? {};
    return {
      total_heap_size: m.heapTotal ?? 0, total_heap_size_executable: 0, total_physical_size: m.heapTotal ?? 0,
      total_available_size: 2 ** 32, used_heap_size: m.heapUsed ?? 0, heap_size_limit: 2 ** 32, malloced_memory: 0,
      peak_malloced_memory: 0, does_zap_garbage: 0, number_of_native_contexts: 1, number_of_detached_contexts: 0,
      total_global_handles_size: 0, used_global_handles_size: 0, external_memory: m.external ?? 0,
    };
  },
  getHeapSpaceStatistics: () => [],
  getHeapCodeStatistics: () => ({ code_and_metadata_size: 0, bytecode_and_metadata_size: 0, external_script_source_size: 0, cpu_profiler_metadata_size: 0 }),
  setFlagsFromString() {},
  setHeapSnapshotNearHeapLimit() {},
  serialize: (value) => {
    const bytes = core.serialize(value);
    return globalThis.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  deserialize: (buffer) => core.deserialize(buffer),
  getHeapSnapshot: unsupportedFn("v8", "getHeapSnapshot", "heap snapshots are not available"),
  writeHeapSnapshot: unsupportedFn("v8", "writeHeapSnapshot", "heap snapshots are not available"),
  isStringOneByteRepresentation: (s) => !/[^\x00-\xff]/.test(s),
}));

class Domain extends EventEmitter {
  constructor() {
    super();
    this.members = [];
  }
  add(ee) {
    this.members.push(ee);
  }
  remove(ee) {
    this.members = this.members.filter((m) => m !== ee);
  }
  run(fn, ...args) {
    return fn.apply(this, args);
  }
  bind(fn) {
    return (...args) => fn(...args);
  }
  intercept(fn) {
    return (err, ...args) => {
      if (err) this.emit("error", err);
      else return fn(...args);
    };
  }
  enter() {}
  exit() {}
  dispose() {}
}
defineBuiltin("domain", () => ({ Domain, active: null, create: () => new Domain(), createDomain: () => new Domain() }));

defineBuiltin("cluster", () => ({
  isMaster: true,
  isPrimary: true,
  isWorker: false,
  workers: {},
  settings: {},
  SCHED_NONE: 1,
  SCHED_RR: 2,
  schedulingPolicy: 2,
  Worker: unsupportedClass("cluster", "Worker", "jobs cannot start processes", EventEmitter),
  fork: unsupportedFn("cluster", "fork", "jobs cannot start processes"),
  setupMaster() {},
  setupPrimary() {},
  disconnect() {},
  on() {},
  once() {},
}));

defineBuiltin("inspector", () => ({
  open: unsupportedFn("inspector", "open", "the inspector is not available"),
  close() {},
  url: () => undefined,
  waitForDebugger: unsupportedFn("inspector", "waitForDebugger", "the inspector is not available"),
  console: globalThis.console,
  Session: unsupportedClass("inspector", "Session", "the inspector is not available", EventEmitter),
}));

defineBuiltin("repl", () => ({
  start: unsupportedFn("repl", "start", "jobs have no interactive input"),
  REPLServer: unsupportedClass("repl", "REPLServer", "jobs have no interactive input", EventEmitter),
  REPL_MODE_SLOPPY: Symbol("repl-sloppy"),
  REPL_MODE_STRICT: Symbol("repl-strict"),
  builtinModules: [],
}));

defineBuiltin("trace_events", () => ({
  createTracing: () => ({ enable() {}, disable() {}, enabled: false, categories: "" }),
  getEnabledCategories: () => undefined,
}));

defineBuiltin("wasi", () => ({ WASI: unsupportedClass("wasi", "WASI", "WASI is not available in fnhost") }));
