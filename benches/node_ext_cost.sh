#!/usr/bin/env bash
# What Deno's node extension costs a run (issue 10, item 3): two fnhost release binaries side
# by side in one hyperfine run, on a trivial job (local adaptor) and a small job on the real
# @openfn/language-common, then each one's peak RSS and file size.
# Usage: benches/node_ext_cost.sh BEFORE_BINARY AFTER_BINARY   (needs hyperfine, /usr/bin/time)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
before=${1:?the fnhost binary without the node extension}
after=${2:?the fnhost binary with it}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/node_modules"
cp -r "$root/tests/fixtures/esm-adaptor" "$work/node_modules/esm-adaptor"
echo 'fn(state => state);' > "$work/trivial.js"
echo 'fn(state => ({ ...state, data: { n: dateFns.format(new Date(0), "yyyy") } }));' > "$work/common.js"
peer="$root/benches/node-peer"
(cd "$peer" && [ -d node_modules ] || npm install --no-fund --no-audit --loglevel=error)
common="$peer/node_modules/@openfn/language-common"
trivial="-a esm-adaptor=$work/node_modules/esm-adaptor"
lang="-a common=$common"
cmds=()
for bin in "$before" "$after"; do
  cmds+=("$bin $work/trivial.js $trivial -O --log none")
done
for bin in "$before" "$after"; do
  cmds+=("$bin $work/common.js $lang -O --log none")
done
export FNHOST_SNAPSHOT_DIR="$work/snapshots"
hyperfine -N --warmup 3 --runs "${RUNS:-20}" "${cmds[@]}"
for c in "${cmds[@]}"; do
  echo "$c"; /usr/bin/time -v $c 2>&1 >/dev/null | grep -E "Maximum resident"
done
ls -la "$before" "$after"
