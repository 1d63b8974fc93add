// From the adaptors' realm, every way fnhost offers to load a file, against every target in
// state.data.targets (/etc/passwd, /proc/self/environ, files outside the repo). Each attempt's
// outcome is recorded: the error message, or what was read.
fn(async (state) => {
  const G = state.constructor.constructor("return this")();
  const modules = G.__fnhostModules;
  const vm = modules.builtin("vm");
  const { createRequire } = modules.builtin("module");
  const fs = modules.builtin("fs");
  // a function compiled by the main realm itself: its import() goes straight to the loader
  const mainImport = vm.runInThisContext("(specifier) => import(specifier)");
  const repoRequire = createRequire(state.data.repoFile);
  const outside = createRequire("/etc/fnhost-probe.js");
  const describe = (value) => `READ ${JSON.stringify(value).slice(0, 80)}`;
  const attempt = async (f) => {
    try {
      return describe(await f());
    } catch (e) {
      return `${e?.name}: ${e?.message}`;
    }
  };
  const results = {};
  for (const target of state.data.targets) {
    results[target] = {
      "requireFile json": await attempt(() => modules.requireFile(target, "json")),
      "requireFile commonjs": await attempt(() => modules.requireFile(target, "commonjs")),
      "main-realm import() of the path": await attempt(() => mainImport(target)),
      "main-realm import() of a file: URL": await attempt(() => mainImport(`file://${target}`)),
      "require from a repo file": await attempt(() => repoRequire(target)),
      "require from outside the repo": await attempt(() => outside(`.${target}`)),
      "require.resolve": await attempt(() => repoRequire.resolve(target)),
      "fs.readFileSync": await attempt(() => fs.readFileSync(target, "utf8")),
    };
  }
  // deno_core refuses ext: imports from user code, whatever the script claims to be
  const ext = {};
  for (const filename of ["ext:fnhost/x.js", "node:fs", "evalmachine"]) {
    ext[filename] = await attempt(() => vm.runInThisContext('import("ext:core/ops")', { filename }));
  }
  state.data = { results, ext };
  return state;
});
