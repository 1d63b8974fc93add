// node:console -- the engine's console (the job log) plus a `Console` class that writes
// formatted lines to the streams it is given. fnhost's own: the console is OpenFn's job log
// (levels, the logger's prefixes); lines are formatted by Deno's `util.inspect`.
import { formatWithOptions } from "ext:fnhost/10_node.js";
import { invalidArgType } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

export function Console(stdout, stderr, ignoreErrors) {
  if (!(this instanceof Console)) return new Console(stdout, stderr, ignoreErrors);
  let options = stdout;
  if (!options || typeof options.write === "function") options = { stdout, stderr, ignoreErrors };
  const out = options.stdout;
  const err = options.stderr || out;
  if (!out || typeof out.write !== "function") throw invalidArgType("stdout", "object with a write function", out);
  const inspectOptions = options.inspectOptions || {};
  let indent = "";
  const counts = new Map();
  const timers = new Map();
  const write = (stream, args) => {
    const text = formatWithOptions(inspectOptions, ...args);
    stream.write(`${indent ? indent + text.split("\n").join(`\n${indent}`) : text}\n`);
  };
  const methods = {
    log: (...a) => write(out, a),
    info: (...a) => write(out, a),
    debug: (...a) => write(out, a),
    warn: (...a) => write(err, a),
    error: (...a) => write(err, a),
    trace: (...a) => write(err, ["Trace:", ...a]),
    dir: (obj, opts) => out.write(`${formatWithOptions({ ...inspectOptions, ...opts }, obj)}\n`),
    dirxml: (...a) => write(out, a),
    assert: (cond, ...a) => {
      if (!cond) write(err, a.length ? [`Assertion failed: ${a[0]}`, ...a.slice(1)] : ["Assertion failed"]);
    },
    count: (label = "default") => {
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      write(out, [`${label}: ${n}`]);
    },
    countReset: (label = "default") => counts.delete(label),
    group: (...a) => {
      if (a.length) write(out, a);
      indent += "  ";
    },
    groupCollapsed: (...a) => {
      if (a.length) write(out, a);
      indent += "  ";
    },
    groupEnd: () => {
      indent = indent.slice(0, -2);
    },
    time: (label = "default") => timers.set(label, Date.now()),
    timeEnd: (label = "default") => {
      const t = timers.get(label);
      timers.delete(label);
      write(out, [`${label}: ${t === undefined ? 0 : Date.now() - t}ms`]);
    },
    timeLog: (label = "default", ...a) => {
      const t = timers.get(label);
      write(out, [`${label}: ${t === undefined ? 0 : Date.now() - t}ms`, ...a]);
    },
    table: (data) => write(out, [data]),
    clear: () => {},
    profile: () => {},
    profileEnd: () => {},
    timeStamp: () => {},
  };
  Object.assign(this, methods);
}

defineBuiltin("console", () => {
  const base = globalThis.console;
  const exports = {};
  // forward at call time: the engine may give the main realm a different console per run
  for (const key of Object.keys(base)) {
    exports[key] = typeof base[key] === "function" ? (...args) => globalThis.console[key](...args) : base[key];
  }
  for (const key of ["dirxml", "profile", "profileEnd", "timeStamp"]) exports[key] ??= () => {};
  exports.context = () => exports;
  exports.createTask = (name) => ({ name, run: (fn) => fn() });
  exports.Console = Console;
  return exports;
});
