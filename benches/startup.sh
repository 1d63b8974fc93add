#!/usr/bin/env bash
# Whole-process cost of a trivial job: fnhost with and without its startup snapshot, and the
# OpenFn CLI (Node) on the same job and adaptor, side by side in one hyperfine run.
# Needs: a release build (cargo build --release), hyperfine, and for the Node peer the toolchain
# from tests/node/build-toolchain.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${CARGO_TARGET_DIR:-$HOME/.cache/fnhost/target}/release/fnhost"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/node_modules"
cp -r "$root/tests/fixtures/esm-adaptor" "$work/node_modules/esm-adaptor"
echo 'fn(state => state);' > "$work/job.js"
adaptor="esm-adaptor=$work/node_modules/esm-adaptor"
cmds=("$bin $work/job.js -a $adaptor -O --log none"
      "$bin $work/job.js -a $adaptor -O --log none --no-snapshot")
# Node peers: OpenFn's runtime alone on the same compiled module, and the OpenFn CLI if built.
peer="$root/benches/node-peer"
(cd "$peer" && [ -d node_modules ] || npm install --no-fund --no-audit --loglevel=error)
printf 'import { fn } from "@openfn/language-esm-adaptor";\nexport * from "@openfn/language-esm-adaptor";\nexport default [fn(state => state)];\n' > "$work/compiled.js"
cmds+=("node --experimental-vm-modules $peer/run.mjs $work/compiled.js {} @openfn/language-esm-adaptor=$work/node_modules/esm-adaptor")
cli="$root/tests/node/node_modules/@openfn/cli/dist/index.js"
if [ -f "$cli" ]; then
  cmds+=("node $cli $work/job.js -a $adaptor --no-expand-adaptors -O --log none --repo-dir $work/repo")
fi
hyperfine -N --warmup 3 --runs "${RUNS:-20}" "${cmds[@]}"
for c in "${cmds[0]}" "${cmds[1]}"; do
  echo "$c"; /usr/bin/time -v $c 2>&1 >/dev/null | grep -E "Elapsed|Maximum resident"
done
