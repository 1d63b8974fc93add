// The host side of Deno's node extension (see src/runtime/node_host.rs): what Deno's runtime
// gives the polyfills before they run. Evaluated before any `node:*` module (js/10_node.js
// imports this file first).
//
// - `internals.fnhostDeno`: the members of `Deno` the polyfills read when called. The polyfills
//   get it as a file-local `Deno` (src/runtime/node_transpile.rs); it is never a global, and it
//   has no `core`: every member is a permission-checked op wrapper or a constant.
// - error classes the Rust ops throw by name (`NotFound`, `ConnectionRefused`...), as `Deno.errors`.
// - the build target (`process.arch`, `os.platform()`).
// - `startNodeProcess()`: the per-run half of `node:process` (argv, the stream-handle state of
//   the op state), called by the host when a run starts.
import { core, internals } from "ext:core/mod.js";
import { op_fnhost_build_target } from "ext:core/ops";

core.setBuildInfo(op_fnhost_build_target());

const errors = { __proto__: null };
for (const name of [
  "NotFound", "ConnectionRefused", "ConnectionReset", "ConnectionAborted", "NotConnected",
  "AddrInUse", "AddrNotAvailable", "BrokenPipe", "AlreadyExists", "InvalidData", "TimedOut",
  "WriteZero", "WouldBlock", "UnexpectedEof", "Http", "Busy", "PermissionDenied",
  "NotSupported", "FilesystemLoop", "IsADirectory", "NetworkUnreachable", "NotADirectory",
]) {
  const ErrorClass = { [name]: class extends Error {
    constructor(message, options) {
      super(message, options);
      this.name = name;
    }
  } }[name];
  errors[name] = ErrorClass;
  core.registerErrorClass(name, ErrorClass);
}
errors.BadResource = core.BadResource;
errors.Interrupted = core.Interrupted;
errors.NotCapable = core.NotCapable;

const os = () => core.loadExtScript("ext:deno_os/30_os.js");
const fs = () => core.loadExtScript("ext:deno_fs/30_fs.js");
const net = () => core.loadExtScript("ext:deno_net/01_net.js");
// fnhost's own `process` (js/node/process.js) answers what it knows about the run
const fnhostProcess = () => globalThis.__fnhostModules.builtin("process");

const version = Object.freeze({ deno: "2.6.0", v8: "14.6", typescript: "5.9" });
const deno = internals.fnhostDeno ??= { __proto__: null };
Object.assign(deno, {
  errors,
  version,
  args: [],
  noColor: true,
  mainModule: undefined,
  internal: Symbol.for("Deno.internal"),
  customInspect: Symbol.for("Deno.customInspect"),
  privateCustomInspect: Symbol.for("Deno.privateCustomInspect"),
  execPath: () => fnhostProcess().execPath,
  cwd: () => fnhostProcess().cwd(),
  exit: (code) => fnhostProcess().exit(code),
  addSignalListener() {},
  removeSignalListener() {},
  consoleSize: () => ({ columns: 80, rows: 24 }),
  memoryUsage: () => fnhostProcess().memoryUsage(),
  cpuUsage: () => ({ user: 0, system: 0 }),
  inspect: (value) => String(value),
});
// The environment Deno's modules see is the run's, as adaptors see it in `process.env`: the
// `--env` allow-list (empty by default), never the host's; read-only.
const readOnlyEnv = (what) => {
  throw new errors.NotCapable(`${what} the environment: a run's environment is the --env allow-list, read-only`);
};
let runEnv = () => ({});
/** Where the environment comes from: fnhost's `process.env` (js/node/_all.js). Until then (the
 * first module evaluations, while the snapshot is made) it is empty. */
export function useRunEnvironment(source) {
  runEnv = source;
}
deno.env = {
  get: (name) => runEnv()[name],
  has: (name) => Object.hasOwn(runEnv(), name),
  toObject: () => ({ ...runEnv() }),
  set: () => readOnlyEnv("setting"),
  delete: () => readOnlyEnv("deleting from"),
};
for (const [name, from] of [
  ["osRelease", os], ["loadavg", os], ["hostname", os], ["networkInterfaces", os],
  ["systemMemoryInfo", os], ["uid", os], ["gid", os], ["ppid", os],
  // deno_fs's functions: each checks the run's permissions (no writes, reads in the grants)
  ...["statSync", "lstatSync", "stat", "lstat", "readDirSync", "readDir", "realPathSync", "realPath",
    "readLinkSync", "readLink", "mkdirSync", "mkdir", "removeSync", "remove", "renameSync", "rename",
    "copyFileSync", "copyFile", "chmodSync", "chmod", "chownSync", "chown", "symlinkSync", "symlink",
    "linkSync", "link", "utimeSync", "utime"].map((name) => [name, fs]),
  ["resolveDns", net],
]) {
  Object.defineProperty(deno, name, { get: () => from()[name], enumerable: true, configurable: true });
}
Object.defineProperty(deno, "build", { get: () => core.build, enumerable: true, configurable: true });
Object.defineProperty(deno, "pid", { get: () => fnhostProcess().pid, enumerable: true, configurable: true });

/** Runs once per run, before adaptor code: node:process's per-process half (argv, the stream
 * handles' op state). Not in the snapshot: that state lives in the run's op state. */
export function startNodeProcess() {
  internals.__bootstrapNodeProcess?.("fnhost", [], version, "", false, true);
}
