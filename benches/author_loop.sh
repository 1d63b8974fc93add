#!/usr/bin/env bash
# The adaptor author's loop, one iteration: edit the TypeScript adaptor's source, then get the
# job's result. fnhost runs the adaptor from source (types stripped as it loads); the Node peer
# rebuilds it with tsup (esbuild, what OpenFn's monorepo uses for its JS) and runs the job
# under @openfn/runtime 1.9.5. Both edit the same file the same way (a comment is appended, so
# the adaptor really changed) and print the final state. One hyperfine run, side by side.
# Needs: a release build (cargo build --release), hyperfine, npm (installs benches/author-peer).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${CARGO_TARGET_DIR:-$HOME/.cache/fnhost/target}/release/fnhost"
peer="$root/benches/author-peer"
(cd "$peer" && [ -d node_modules ] || npm install --no-fund --no-audit --loglevel=error)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# two copies of the fixture adaptor (each has its dependency in its own node_modules)
cp -r "$root/tests/fixtures/ts-adaptor" "$work/fnhost-adaptor"
cp -r "$root/tests/fixtures/ts-adaptor" "$work/node-adaptor"
printf "label('hello');\nfn(state => ({ ...state, data: { ...state.data, d: double(21) } }));\n" > "$work/job.js"
# the same job as OpenFn's compiler makes it (@openfn/runtime runs compiled modules)
cat > "$work/compiled.js" <<'JS'
import { label, fn, double } from "@openfn/language-ts-fixture";
export * from "@openfn/language-ts-fixture";
export default [label('hello'), fn(state => ({ ...state, data: { ...state.data, d: double(21) } }))];
JS

cat > "$work/iter-fnhost.sh" <<SH
echo "// edit \$\$" >> "$work/fnhost-adaptor/src/util.ts"
"$bin" "$work/job.js" -a "ts-fixture=$work/fnhost-adaptor" -O --log none
SH
cat > "$work/iter-node.sh" <<SH
set -e
echo "// edit \$\$" >> "$work/node-adaptor/src/util.ts"
cd "$work/node-adaptor"
node "$peer/node_modules/tsup/dist/cli-default.js" src/index.ts --format esm --silent
node --experimental-vm-modules "$root/benches/node-peer/run.mjs" "$work/compiled.js" '{"data":{}}' "@openfn/language-ts-fixture=$work/node-adaptor"
SH
# the peer's runner lives in benches/node-peer and resolves @openfn/runtime there
(cd "$root/benches/node-peer" && [ -d node_modules ] || npm install --no-fund --no-audit --loglevel=error)

echo "fnhost:";  bash "$work/iter-fnhost.sh"
echo "node:";    bash "$work/iter-node.sh"
hyperfine --warmup 3 --runs "${RUNS:-20}" -n "fnhost (from source)" "bash $work/iter-fnhost.sh" \
  -n "tsup + @openfn/runtime (Node)" "bash $work/iter-node.sh"
