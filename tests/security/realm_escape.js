// Every function the job realm receives comes from the adaptors' realm, where code generation
// is allowed: each route below reaches that realm's global object. The job reports, per route,
// whether it got there and what of the engine that realm still exposes (nothing must be).
fn((state) => {
  const routes = {
    "state.constructor.constructor": () => state.constructor.constructor,
    "fn.constructor.constructor": () => fn.constructor.constructor,
    "console.log.constructor.constructor": () => console.log.constructor.constructor,
    "Buffer.constructor": () => Buffer.constructor,
    "setTimeout.constructor": () => setTimeout.constructor,
    "parseInt.constructor": () => parseInt.constructor,
  };
  const engineNames = ["__bootstrap", "Deno", "__fnhostHost"];
  const report = {};
  let G;
  for (const [route, get] of Object.entries(routes)) {
    const Fn = get();
    const global = Fn("return this")();
    G = global;
    report[route] = {
      reachesMainRealm: global !== globalThis && typeof global.__fnhostModules === "object",
      engineGlobals: engineNames.filter((k) => k in global),
    };
  }
  // Walk everything reachable from the main realm's global object and from every built-in
  // module: no op function, no `ops` table, no deno_core `core` object.
  const builtins = ["assert", "async_hooks", "buffer", "child_process", "console", "crypto",
    "diagnostics_channel", "dns", "events", "fs", "http", "https", "module", "net", "os", "path",
    "perf_hooks", "process", "stream", "string_decoder", "timers", "tls", "tty", "url", "util",
    "v8", "vm", "worker_threads", "zlib"];
  const queue = [["globalThis", G]];
  for (const name of builtins) queue.push([`builtin ${name}`, G.__fnhostModules.builtin(name)]);
  const seen = new Set();
  const found = [];
  while (queue.length) {
    const [path, value] = queue.shift();
    if (value === null || (typeof value !== "object" && typeof value !== "function")) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    if (typeof value === "function" && /^op_/.test(value.name)) found.push(`${path} is ${value.name}`);
    for (const key of Reflect.ownKeys(value)) {
      if (["ops", "op_panic", "evalContext", "__bootstrap"].includes(key)) found.push(`${path}.${String(key)}`);
      const desc = Object.getOwnPropertyDescriptor(value, key);
      if (desc && "value" in desc) queue.push([`${path}.${String(key)}`, desc.value]);
    }
    queue.push([`${path}.__proto__`, Object.getPrototypeOf(value)]);
  }
  state.data = { routes: report, objectsVisited: seen.size, engineReachable: found };
  return state;
});
