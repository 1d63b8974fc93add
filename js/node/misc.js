// Node built-ins a run has no use for, kept as fnhost's refusals: cluster (processes), inspector
// (a debugger), repl (interactive input), wasi. Packages import them at load time, so they load
// with Node's shapes; calls that would need the missing host feature throw.
import { unsupportedClass, unsupportedFn } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

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

defineBuiltin("wasi", () => ({ WASI: unsupportedClass("wasi", "WASI", "WASI is not available in fnhost") }));
