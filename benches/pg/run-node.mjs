// Runs a job file's operations on Node (the peer of benches/pg_compare.sh):
// node run-node.mjs JOB STATE_JSON — prints the final state.
import { pathToFileURL } from "node:url";
const [job, stateJson] = process.argv.slice(2);
const mod = await import(pathToFileURL(job).href);
let state = JSON.parse(stateJson);
for (const op of mod.default) state = await op(state);
console.log(JSON.stringify(state));
