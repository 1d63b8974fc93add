// Registers every Node built-in module (Deno's in js/10_node.js, fnhost's own here: each file
// calls `defineBuiltin`) and installs the Node globals of the main realm.
import { Buffer } from "ext:fnhost/10_node.js";
import { process } from "ext:fnhost/node/process.js";
import "ext:fnhost/node/child_process.js";
import "ext:fnhost/node/console.js";
import "ext:fnhost/node/crypto.js";
import "ext:fnhost/node/http2.js";
import "ext:fnhost/node/misc.js";
import "ext:fnhost/node/dgram.js";
import "ext:fnhost/node/os.js";
import "ext:fnhost/node/timers.js";
import "ext:fnhost/node/tty.js";
import "ext:fnhost/node/vm.js";
import "ext:fnhost/node/worker_threads.js";
import { core } from "ext:fnhost/node/_internal.js";
import { useRunEnvironment } from "ext:fnhost/09_node_host.js";

useRunEnvironment(() => process.env);

/** Installs `Buffer`, `process`, and `queueMicrotask`/`structuredClone` when missing. */
export function installNodeGlobals(define) {
  define("Buffer", Buffer);
  define("process", process);
  if (typeof globalThis.queueMicrotask !== "function") {
    define("queueMicrotask", (fn) => Promise.resolve().then(fn));
  }
  if (typeof globalThis.structuredClone !== "function" && core?.structuredClone) {
    const clone = core.structuredClone;
    define("structuredClone", function structuredClone(value) {
      return clone(value);
    });
  }
}
