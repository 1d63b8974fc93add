// Produces tests/builtins/*.expected.json by running each test job's operations under real
// Node (the same code fnhost runs), each file in its own Node process (one test enabling
// async_hooks must not change how another's promises print).
// Usage: TZ=UTC node tests/builtins/make-expected.mjs [name...]   with Node 24, the version fnhost
// reports (`process.version`) and whose behaviour Deno's node extension follows; without a Node 24
// at hand: `bash tests/node24.sh` fetches the official build from the npm registry and prints its path.
// Files listed in FNHOST_ONLY test fnhost's intended differences from Node; their expected
// output is written by hand and never regenerated here.
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const FNHOST_ONLY = new Set(["fnhost_only.js"]);

if (process.argv[2] === "--one") {
  const file = process.argv[3];
  const mod = await import(pathToFileURL(join(here, file)).href);
  let state = { configuration: {}, data: {} };
  for (const op of mod.default) state = await op(state);
  const data = JSON.parse(JSON.stringify(state.data));
  writeFileSync(join(here, file.replace(/\.js$/, ".expected.json")), JSON.stringify(data, null, 2) + "\n");
} else {
  const only = process.argv.slice(2);
  for (const file of readdirSync(here).sort()) {
    if (!file.endsWith(".js") || FNHOST_ONLY.has(file)) continue;
    if (only.length && !only.includes(file.replace(/\.js$/, ""))) continue;
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--one", file], { stdio: "inherit", env: { ...process.env, TZ: "UTC" } });
    console.log(`wrote ${file.replace(/\.js$/, ".expected.json")}`);
  }
}
