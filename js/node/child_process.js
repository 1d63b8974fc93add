// node:child_process -- jobs cannot start processes.
import { unsupportedClass, unsupportedFn } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const HINT = "jobs cannot start processes";

defineBuiltin("child_process", () => {
  const exports = { ChildProcess: unsupportedClass("child_process", "ChildProcess", HINT, EventEmitter) };
  for (const name of ["exec", "execFile", "execFileSync", "execSync", "fork", "spawn", "spawnSync"]) {
    exports[name] = unsupportedFn("child_process", name, HINT);
  }
  exports._forkChild = unsupportedFn("child_process", "_forkChild", HINT);
  return exports;
});
