// import() in job code follows the rule of the job's static imports: the step's adaptors,
// @openfn/runtime and packages of the repo; never a path, never vm/module/worker_threads.
fn(async (state) => {
  const results = {};
  const specifiers = [
    ...state.data.targets,
    ...state.data.targets.map((t) => `file://${t}`),
    "node:vm", "vm", "node:module", "node:worker_threads",
    "@openfn/language-probe", "@openfn/runtime",
  ];
  for (const specifier of specifiers) {
    try {
      const ns = await import(specifier);
      results[specifier] = `LOADED ${Object.keys(ns).join(",")}`;
    } catch (e) {
      results[specifier] = `${e?.name}: ${e?.message}`;
    }
  }
  state.data = { results };
  return state;
});
