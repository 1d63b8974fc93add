// Engine entry point: installs the main realm's globals and hands the host its API.
// `Deno` is removed from the global scope: libraries probe it to switch to Deno code paths.
import * as timers from "ext:fnhost/01_timers.js";
import { installWebGlobals, startWebClock } from "ext:fnhost/02_web.js";
import "ext:fnhost/06_http.js";
import "ext:fnhost/08_pg.js";
import "ext:fnhost/08_xml.js";
import { installCryptoGlobal } from "ext:fnhost/07_crypto.js";
import { createRawConsole } from "ext:fnhost/00_console.js";
import { linkNamespace, runPlan } from "ext:fnhost/05_job.js";
import { installNodeGlobals } from "ext:fnhost/node/_all.js";
import { installFetchGlobals } from "ext:fnhost/04_require.js";
import { startNodeProcess } from "ext:fnhost/09_node_host.js";

const define = (name, value) =>
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });

define("console", createRawConsole());
for (const name of ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate"]) {
  define(name, timers[name]);
}
define("global", globalThis);
installWebGlobals();
installCryptoGlobal();
installNodeGlobals(define);
installFetchGlobals();

/** Export names a job sees for the module at `url` (for the compiler's auto-imports). */
async function exportNames(url) {
  startWebClock();
  startNodeProcess();
  try {
    return { names: Object.keys(linkNamespace(await import(url))) };
  } catch (e) {
    return { error: `Failed to load ${url}: ${e?.message ?? e}` };
  }
}

const host = { runPlan, exportNames };
Object.defineProperty(globalThis, "__fnhostHost", { value: host, configurable: true, enumerable: false });
