// CommonJS for adaptors and their dependencies: `require`, the module wrapper, `module.exports`,
// cycles, JSON, `require.resolve`, and the Node built-in module registry.
// ES modules import CommonJS through facades the Rust loader generates; those facades reach
// this file through the hidden `__fnhostModules` global.
import { op_module_read, op_module_resolve } from "ext:core/ops";

const core = globalThis.Deno.core;

/** Built-in modules by bare name (`path`, `events` ...): name -> factory returning exports. */
const builtinFactories = new Map();
const builtinCache = new Map();

/** Registers a Node built-in module implemented by the engine. */
export function defineBuiltin(name, factory) {
  builtinFactories.set(name, factory);
}

/** Names of all registered built-ins. */
export function builtinNames() {
  return [...builtinFactories.keys()];
}

class NotSupportedModuleError extends Error {
  constructor(name) {
    super(`The Node.js module "${name}" is not supported in fnhost`);
    this.code = "ERR_UNKNOWN_BUILTIN_MODULE";
  }
}

/** Returns a built-in module's exports, creating them on first use. */
export function loadBuiltin(name) {
  const bare = name.startsWith("node:") ? name.slice(5) : name;
  if (builtinCache.has(bare)) return builtinCache.get(bare);
  const factory = builtinFactories.get(bare);
  if (!factory) throw new NotSupportedModuleError(bare);
  const exports = factory();
  builtinCache.set(bare, exports);
  return exports;
}

/** Per-run module cache (path -> Module); cleared by `resetModules`. */
let cache = Object.create(null);

export function resetModules() {
  cache = Object.create(null);
}

function notFound(specifier, parent, reason) {
  const err = new Error(reason || `Cannot find module '${specifier}'\nRequire stack:\n- ${parent}`);
  err.code = "MODULE_NOT_FOUND";
  return err;
}

function resolveFrom(specifier, parentPath, forRequire) {
  try {
    return op_module_resolve(specifier, parentPath, forRequire);
  } catch (e) {
    throw notFound(specifier, parentPath, e?.message);
  }
}

function dirname(path) {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

class Module {
  constructor(id, parent) {
    this.id = id;
    this.path = dirname(id);
    this.filename = id;
    this.exports = {};
    this.loaded = false;
    this.children = [];
    this.paths = [];
    this.parent = parent;
    if (parent) parent.children.push(this);
  }
  require(id) {
    return requireFrom(id, this.filename, this);
  }
}

/** Creates the `require` function seen by code in the file `filename`. */
export function createRequire(filename, owner) {
  const path = String(filename).startsWith("file://") ? decodeURIComponent(new URL(filename).pathname) : String(filename);
  const require = (id) => requireFrom(id, path, owner);
  require.resolve = (id) => {
    const r = resolveFrom(id, path, true);
    return r.kind === "builtin" ? r.name : r.path;
  };
  require.resolve.paths = () => null;
  require.cache = cache;
  require.main = undefined;
  return require;
}

function requireFrom(specifier, parentPath, parentModule) {
  if (typeof specifier !== "string") {
    const err = new TypeError(`The "id" argument must be of type string. Received ${typeof specifier}`);
    err.code = "ERR_INVALID_ARG_TYPE";
    throw err;
  }
  const resolved = resolveFrom(specifier, parentPath, true);
  if (resolved.kind === "builtin") return loadBuiltin(resolved.name);
  if (resolved.kind === "url") {
    // Bridge modules the engine serves in place of a package (e.g. `undici`).
    if (resolved.url.startsWith("fnhost:")) return requireBridge(resolved.url);
    throw notFound(specifier, parentPath);
  }
  return loadFile(resolved.path, resolved.format, parentModule);
}

/** `require()` of a bridge module (an ES module served by the engine): its "module.exports"
 * export when it has one, else its namespace. */
function requireBridge(url) {
  const ns = core.ops.op_import_sync(url);
  return ns && Object.prototype.hasOwnProperty.call(ns, "module.exports") ? ns["module.exports"] : ns;
}

/** Main-realm `fetch`, `Headers`, `Request`, `Response` and `FormData`: the undici bridge's
 * (adaptors/undici), loaded on first use so that runs which never touch them don't pay for it. */
export function installFetchGlobals() {
  const load = () => requireBridge("fnhost:/node_modules/undici/index.js").installFetchGlobals(globalThis);
  for (const name of ["fetch", "Headers", "Request", "Response", "FormData"]) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: false,
      get() {
        return load()[name];
      },
      set(value) {
        Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
      },
    });
  }
}

/** Loads (once per run) a file as CommonJS or JSON and returns its `module.exports`. */
export function loadFile(path, format, parent) {
  const cached = cache[path];
  if (cached) return cached.exports;
  if (format === "module") {
    // Node 22+ semantics: require() of an ES module (without top-level await) returns its
    // namespace, or its "module.exports" export when it has one.
    const url = "file://" + path.split("/").map(encodeURIComponent).join("/");
    let ns;
    try {
      ns = core.ops.op_import_sync(url);
    } catch (e) {
      if (/top-level await|TLA/i.test(String(e?.message))) {
        const err = new Error(`require() cannot be used on an ESM graph with top-level await. Use import() instead.\n  From ${parent?.filename ?? "<unknown>"}\n  Requiring ${path}`);
        err.code = "ERR_REQUIRE_ASYNC_MODULE";
        throw err;
      }
      throw e;
    }
    return ns && Object.prototype.hasOwnProperty.call(ns, "module.exports") ? ns["module.exports"] : ns;
  }
  const module = new Module(path, parent);
  cache[path] = module;
  let ok = false;
  try {
    const source = op_module_read(path);
    if (format === "json") {
      try {
        module.exports = JSON.parse(source);
      } catch (e) {
        e.message = `${path}: ${e.message}`;
        throw e;
      }
    } else {
      runCommonJs(module, source);
    }
    ok = true;
  } finally {
    if (!ok) delete cache[path];
  }
  module.loaded = true;
  return module.exports;
}

function runCommonJs(module, source) {
  let body = source;
  if (body.startsWith("#!")) body = "//" + body;
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${body}\n})`;
  const url = "file://" + module.filename.split("/").map(encodeURIComponent).join("/");
  const [fn, error] = core.evalContext(wrapped, url);
  if (error) throw error.thrown;
  const require = createRequire(module.filename, module);
  fn.call(module.exports, module.exports, require, module, module.filename, module.path);
}

/** What generated ES facades call to get a CommonJS file's exports. */
const facadeApi = Object.freeze({
  requireFile: (path, format) => loadFile(path, format, undefined),
  builtin: (name) => loadBuiltin(name),
  /** Used by build.rs: `{ name: [export names] }` for every built-in, as JSON. */
  builtinExportNames: () => {
    const out = {};
    for (const name of builtinNames()) out[name] = Object.keys(loadBuiltin(name));
    builtinCache.clear();
    return JSON.stringify(out);
  },
});
Object.defineProperty(globalThis, "__fnhostModules", { value: facadeApi, enumerable: false, configurable: false, writable: false });

defineBuiltin("module", () => {
  const builtinModules = builtinNames();
  return {
    createRequire: (filename) => createRequire(filename, undefined),
    builtinModules,
    isBuiltin: (name) => builtinFactories.has(String(name).replace(/^node:/, "")),
    Module,
  };
});
