// node:worker_threads -- fnhost runs a job on one thread: this is always the main thread and
// new Workers are not supported.
import { unsupportedClass } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const environmentData = new Map();

defineBuiltin("worker_threads", () => {
  const exports = {
    isMainThread: true,
    parentPort: null,
    workerData: null,
    threadId: 0,
    resourceLimits: {},
    SHARE_ENV: Symbol.for("nodejs.worker_threads.SHARE_ENV"),
    Worker: unsupportedClass("worker_threads", "Worker", "jobs run on a single thread", EventEmitter),
    markAsUntransferable() {},
    isMarkedAsUntransferable: () => false,
    markAsUncloneable() {},
    moveMessagePortToContext: (port) => port,
    receiveMessageOnPort: () => undefined,
    getEnvironmentData: (key) => environmentData.get(key),
    setEnvironmentData: (key, value) => {
      if (value === undefined) environmentData.delete(key);
      else environmentData.set(key, value);
    },
  };
  for (const name of ["MessageChannel", "MessagePort", "BroadcastChannel"]) {
    if (typeof globalThis[name] === "function") exports[name] = globalThis[name];
  }
  return exports;
});
