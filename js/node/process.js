// node:process -- the `process` object. Nothing here reads the host: `env` is an allow-list the
// engine fills through `configureProcess` (empty by default), `cwd()` is "/", `exit()` throws.
// fnhost's own rather than Deno's `process` (which Deno's modules use inside, bootstrapped per
// run by js/09_node_host.js): a run must not see or end the host process.
import { core, invalidArgType, monotonicNow, nextTick as queueTick, nodeError, notSupported, validateFunction } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

export const NODE_VERSION = "24.11.0";

const envTarget = Object.create(null);

function makeEnv(initial) {
  const target = envTarget;
  for (const [k, v] of Object.entries(initial || {})) target[k] = String(v);
  return new Proxy(target, {
    set(t, key, value) {
      if (typeof key === "symbol") return false;
      // Node stores every value as a string
      t[key] = String(value);
      return true;
    },
    defineProperty(t, key, desc) {
      if (typeof key === "symbol") return false;
      t[key] = String(desc.value);
      return true;
    },
    getOwnPropertyDescriptor(t, key) {
      const d = Reflect.getOwnPropertyDescriptor(t, key);
      if (d) d.configurable = true;
      return d;
    },
  });
}

class WriteStreamLike extends EventEmitter {
  constructor(fd, level) {
    super();
    this.fd = fd;
    this.isTTY = false;
    this.writable = true;
    this._level = level;
    this._pending = "";
    this._flushQueued = false;
  }
  write(chunk, encoding, cb) {
    if (typeof encoding === "function") cb = encoding;
    let text = typeof chunk === "string" ? chunk : globalThis.Buffer?.from(chunk).toString() ?? String(chunk);
    text = this._pending + text;
    const lines = text.split("\n");
    this._pending = lines.pop();
    const log = globalThis.console?.[this._level];
    for (const line of lines) log?.(line);
    if (this._pending && !this._flushQueued) {
      // text without a newline is printed once the current synchronous writes are done
      this._flushQueued = true;
      queueMicrotask(() => {
        this._flushQueued = false;
        if (this._pending) {
          const text = this._pending;
          this._pending = "";
          globalThis.console?.[this._level]?.(text);
        }
      });
    }
    if (typeof cb === "function") queueTick(cb);
    return true;
  }
  end(chunk, encoding, cb) {
    if (typeof chunk === "function") cb = chunk;
    else if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    if (this._pending) {
      globalThis.console?.[this._level]?.(this._pending);
      this._pending = "";
    }
    if (typeof cb === "function") queueTick(cb);
    return this;
  }
  cork() {}
  uncork() {}
  setDefaultEncoding() {
    return this;
  }
  hasColors() {
    return false;
  }
  getColorDepth() {
    return 1;
  }
  getWindowSize() {
    return [80, 24];
  }
}

class ReadStreamLike extends EventEmitter {
  constructor() {
    super();
    this.fd = 0;
    this.isTTY = false;
    this.readable = false;
  }
  read() {
    return null;
  }
  setEncoding() {
    return this;
  }
  pause() {
    return this;
  }
  resume() {
    return this;
  }
  setRawMode() {
    return this;
  }
  unref() {
    return this;
  }
  ref() {
    return this;
  }
}

function hrtime(prev) {
  const ms = monotonicNow();
  let sec = Math.floor(ms / 1000);
  let nsec = Math.floor((ms - sec * 1000) * 1e6);
  if (prev !== undefined) {
    if (!Array.isArray(prev)) throw invalidArgType("time", "Array", prev);
    if (prev.length !== 2) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "time" is out of range. It must be 2. Received ${prev.length}`);
    sec -= prev[0];
    nsec -= prev[1];
    if (nsec < 0) {
      sec -= 1;
      nsec += 1e9;
    }
  }
  return [sec, nsec];
}
hrtime.bigint = function bigint() {
  const ms = monotonicNow();
  return BigInt(Math.floor(ms)) * 1000000n + BigInt(Math.floor((ms % 1) * 1e6));
};

function emitWarning(warning, type, code, ctor) {
  let detail;
  if (type !== null && typeof type === "object" && !Array.isArray(type)) {
    ctor = type.ctor;
    code = type.code;
    if (typeof type.detail === "string") detail = type.detail;
    type = type.type || "Warning";
  } else if (typeof type === "function") {
    ctor = type;
    code = undefined;
    type = "Warning";
  }
  if (type !== undefined && typeof type !== "string") throw invalidArgType("type", "string", type);
  if (typeof code === "function") {
    ctor = code;
    code = undefined;
  }
  if (typeof warning === "string") {
    const w = new Error(warning);
    w.name = String(type || "Warning");
    if (code !== undefined) w.code = code;
    if (detail !== undefined) w.detail = detail;
    if (typeof Error.captureStackTrace === "function") Error.captureStackTrace(w, ctor || process.emitWarning);
    warning = w;
  } else if (!(warning instanceof Error) && !core?.isNativeError?.(warning)) {
    throw invalidArgType("warning", ["Error", "string"], warning);
  }
  if (warning.name === "DeprecationWarning" && process.noDeprecation) return;
  queueTick(() => process.emit("warning", warning));
}

/** The exit code a run asked for with `process.exit()`, or undefined. The call cannot end the
 * process (other runs share it), so it throws; the runtime then ends the run after the step, as
 * a crash with this code (OpenFn's process would have exited there, without a final state). */
let exitRequested;

/** What `process.exit()` asked for in this run: `{ code }`, or undefined. */
export function requestedExit() {
  return exitRequested;
}

function exit(code) {
  if (code !== undefined) process.exitCode = code;
  const asked = Number(code ?? process.exitCode ?? 0);
  exitRequested ??= { code: Number.isInteger(asked) ? asked & 0xff : 1 };
  const err = nodeError(Error, "ERR_FNHOST_PROCESS_EXIT",
    `process.exit(${code === undefined ? "" : code}) was called: fnhost ends the run after this step, not the process`);
  throw err;
}

function memoryUsage() {
  const m = core?.memoryUsage?.() ?? {};
  return {
    rss: m.rss ?? m.physicalTotal ?? 0,
    heapTotal: m.heapTotal ?? 0,
    heapUsed: m.heapUsed ?? 0,
    external: m.external ?? 0,
    arrayBuffers: 0,
  };
}
memoryUsage.rss = () => memoryUsage().rss;

const envProxy = makeEnv({});

/** The process object (an EventEmitter). */
export const process = new EventEmitter();
Object.defineProperty(process, Symbol.toStringTag, { value: "process", enumerable: false, writable: true, configurable: true });

Object.assign(process, {
  title: "node",
  version: `v${NODE_VERSION}`,
  versions: {
    node: NODE_VERSION,
    acorn: "8.15.0",
    ada: "3.3.0",
    ares: "1.34.5",
    brotli: "1.1.0",
    modules: "137",
    napi: "10",
    nghttp2: "1.67.1",
    openssl: "3.5.4",
    uv: "1.51.0",
    v8: "13.6.233.10-node.28",
    zlib: "1.3.1",
    fnhost: "0.1.0",
  },
  arch: "x64",
  platform: "linux",
  release: { name: "node", lts: "Krypton", sourceUrl: "", headersUrl: "" },
  argv: ["/usr/local/bin/node", "/fnhost/job.js"],
  argv0: "node",
  execArgv: [],
  execPath: "/usr/local/bin/node",
  pid: 1,
  ppid: 0,
  exitCode: undefined,
  debugPort: 9229,
  features: { inspector: false, debug: false, uv: true, ipv6: true, tls_alpn: true, tls_sni: true, tls_ocsp: true, tls: true, cached_builtins: true, require_module: true, typescript: false },
  config: { target_defaults: {}, variables: {} },
  allowedNodeEnvironmentFlags: new Set(),
  noDeprecation: false,
  throwDeprecation: false,
  traceDeprecation: false,
  env: envProxy,
  stdout: new WriteStreamLike(1, "log"),
  stderr: new WriteStreamLike(2, "error"),
  stdin: new ReadStreamLike(),
  nextTick(callback, ...args) {
    validateFunction(callback, "callback");
    queueTick(callback, ...args);
  },
  hrtime,
  uptime() {
    // the monotonic clock starts with the runtime (a value captured here would date from the
    // snapshot build)
    return monotonicNow() / 1000;
  },
  cwd() {
    return "/";
  },
  chdir(directory) {
    throw notSupported("process", "chdir", `the working directory of a job is fixed ("${directory}" was requested)`);
  },
  umask() {
    return 0o22;
  },
  getuid: () => 1000,
  geteuid: () => 1000,
  getgid: () => 1000,
  getegid: () => 1000,
  getgroups: () => [],
  exit,
  reallyExit: exit,
  abort() {
    throw notSupported("process", "abort", "throw an error to fail the step instead");
  },
  kill() {
    throw notSupported("process", "kill", "jobs cannot signal processes");
  },
  dlopen() {
    throw notSupported("process", "dlopen", "native addons cannot be loaded");
  },
  binding(name) {
    throw notSupported("process", "binding", `internal binding "${name}" is not available`);
  },
  emitWarning,
  memoryUsage,
  cpuUsage(prev) {
    const now = { user: 0, system: 0 };
    if (prev) return { user: now.user - prev.user, system: now.system - prev.system };
    return now;
  },
  resourceUsage() {
    return { userCPUTime: 0, systemCPUTime: 0, maxRSS: memoryUsage().rss / 1024, sharedMemorySize: 0, unsharedDataSize: 0, unsharedStackSize: 0, minorPageFault: 0, majorPageFault: 0, swappedOut: 0, fsRead: 0, fsWrite: 0, ipcSent: 0, ipcReceived: 0, signalsCount: 0, voluntaryContextSwitches: 0, involuntaryContextSwitches: 0 };
  },
  availableMemory: () => 2 ** 32,
  constrainedMemory: () => 0,
  hasUncaughtExceptionCaptureCallback: () => false,
  setUncaughtExceptionCaptureCallback() {},
  setSourceMapsEnabled() {},
  emitWarningSync: emitWarning,
  report: { getReport: () => ({}), writeReport: () => "" },
  getBuiltinModule: (id) => globalThis.__fnhostModules?.builtin(String(id)),
  moduleLoadList: [],
  domain: null,
  sourceMapsEnabled: false,
  _exiting: false,
  _rawDebug: (...args) => globalThis.console?.error?.(...args),
  _getActiveHandles: () => [],
  _getActiveRequests: () => [],
  getActiveResourcesInfo: () => [],
  _tickCallback() {},
  openStdin() {
    return process.stdin;
  },
  assert(value, message) {
    if (!value) throw nodeError(Error, "ERR_ASSERTION", message || "assertion error");
  },
  _linkedBinding(name) {
    throw notSupported("process", "_linkedBinding", `internal binding "${name}" is not available`);
  },
  setuid() {
    throw notSupported("process", "setuid", "jobs cannot change user");
  },
  setgid() {
    throw notSupported("process", "setgid", "jobs cannot change group");
  },
  seteuid() {
    throw notSupported("process", "seteuid", "jobs cannot change user");
  },
  setegid() {
    throw notSupported("process", "setegid", "jobs cannot change group");
  },
  setgroups() {
    throw notSupported("process", "setgroups", "jobs cannot change groups");
  },
  initgroups() {
    throw notSupported("process", "initgroups", "jobs cannot change groups");
  },
  loadEnvFile() {
    throw notSupported("process", "loadEnvFile", "fnhost has no host file access; pass values through configuration");
  },
});

// Node's own 'warning' listener: prints "(node:PID) [CODE] Name: message" through the main
// realm's console (the engine's raw console, which writes to stderr), as Node prints to stderr.
process.on("warning", (warning) => {
  const codePart = warning.code ? `[${warning.code}] ` : "";
  globalThis.console?.error?.(`(node:${process.pid}) ${codePart}${warning.name}: ${warning.message}`);
});

/** Engine API: sets the allow-listed variables a job's code sees in `process.env` (replacing
 * the previous ones; the object itself stays the same, so imported bindings see the change). */
export function configureProcess({ env, argv } = {}) {
  if (env !== undefined) {
    for (const key of Object.keys(envTarget)) delete envTarget[key];
    for (const [k, v] of Object.entries(env || {})) envTarget[k] = String(v);
    process.env = envProxy;
  }
  if (Array.isArray(argv)) process.argv = argv.map(String);
}

defineBuiltin("process", () => process);
