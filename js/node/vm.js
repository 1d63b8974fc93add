// node:vm -- enough for packages that use it at load time: code runs in the main realm
// (`runInThisContext`); "new contexts" are approximated with a `with` scope over the sandbox.
// fnhost's own rather than Deno's: OpenFn's realm split is the engine's (js/05_job.js), and every
// way this module compiles code is checked by tests/it/security.rs against reaching the engine's
// ops (a script may not name itself `ext:`/`node:`); Deno's vm (real contexts over its own ops)
// has not been through that suite.
import { core, invalidArgType, notSupported, validateString } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const kContext = Symbol("fnhost.vm.context");

function evalInThisContext(code, filename) {
  if (core?.evalContext) {
    const name = filename || "evalmachine.<anonymous>";
    const specifier = name.startsWith("/") ? `file://${name}` : /^[a-z][a-z0-9+.-]*:/i.test(name) ? name : `vm:${name}`;
    const [result, error] = core.evalContext(code, specifier);
    if (error) throw error.thrown;
    return result;
  }
  return (0, eval)(code);
}

function runInSandbox(code, sandbox) {
  // eslint-disable-next-line no-new-func
  const fn = new Function("__fnhostSandbox", "__fnhostCode", "with (__fnhostSandbox) { return eval(__fnhostCode); }");
  return fn(sandbox, code);
}

export class Script {
  constructor(code, options = {}) {
    this.code = `${code}`;
    this.filename = typeof options === "string" ? options : options.filename || "evalmachine.<anonymous>";
    this.cachedDataRejected = false;
  }
  runInThisContext() {
    return evalInThisContext(this.code, this.filename);
  }
  runInContext(context) {
    if (!isContext(context)) throw invalidArgType("contextifiedObject", "vm.Context", context);
    return runInSandbox(this.code, context);
  }
  runInNewContext(sandbox = {}) {
    return runInSandbox(this.code, createContext(sandbox));
  }
  createCachedData() {
    return globalThis.Buffer.alloc(0);
  }
}

export function createContext(sandbox = {}) {
  if (sandbox === null || typeof sandbox !== "object") throw invalidArgType("contextObject", "Object", sandbox);
  Object.defineProperty(sandbox, kContext, { value: true, enumerable: false });
  return sandbox;
}

export function isContext(object) {
  if (object === null || typeof object !== "object") throw invalidArgType("object", "Object", object);
  return object[kContext] === true;
}

defineBuiltin("vm", () => ({
  Script,
  createContext,
  isContext,
  runInThisContext: (code, options) => new Script(code, options).runInThisContext(),
  runInContext: (code, context, options) => new Script(code, options).runInContext(context),
  runInNewContext: (code, sandbox, options) => new Script(code, options).runInNewContext(sandbox),
  createScript: (code, options) => new Script(code, options),
  compileFunction(code, params = [], options = {}) {
    validateString(code, "code");
    void options;
    // eslint-disable-next-line no-new-func
    return new Function(...params, code);
  },
  measureMemory: () => Promise.reject(notSupported("vm", "measureMemory", "memory measurement is not available")),
  constants: { USE_MAIN_CONTEXT_DEFAULT_LOADER: Symbol("vm_dynamic_import_main_context_default"), DONT_CONTEXTIFY: Symbol("vm_context_no_contextify") },
}));
