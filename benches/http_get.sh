#!/usr/bin/env bash
# 2,000 sequential GETs and 2,000 GETs with 32 in flight, from a job via language-common's
# HTTP helper, against a local server on 127.0.0.1: fnhost (release build) vs the same compiled
# job under OpenFn's Node runtime, side by side in one hyperfine run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${CARGO_TARGET_DIR:-$HOME/.cache/fnhost/target}/release/fnhost"
count="${COUNT:-2000}"
here="$root/benches/http"
peer="$root/benches/node-peer"
(cd "$peer" && [ -d node_modules ] || npm install --no-fund --no-audit --loglevel=error)
common="$peer/node_modules/@openfn/language-common"

coproc SERVER { python3 "$root/tests/servers/http_fixture.py"; }
read -r port <&"${SERVER[0]}"
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
state="{\"data\":{\"base\":\"$base\",\"count\":$count}}"

for job in sequential parallel; do
  # both peers must really make every request: check the job's count once before timing
  for out in "$("$bin" "$here/$job.js" --no-compile -a "common=$common" -S "$state" -O --log none)" \
             "$(node --experimental-vm-modules "$peer/run.mjs" "$here/$job.js" "$state" "@openfn/language-common=$common" 2>/dev/null)"; do
    echo "$out" | grep -q "\"ok\": *$count" || { echo "a $job run did not complete $count requests: $out" >&2; exit 1; }
  done
  hyperfine -N --warmup 1 --runs "${RUNS:-5}" \
    -n "fnhost $job" "$bin $here/$job.js --no-compile -a common=$common -S '$state' -O --log none" \
    -n "node @openfn/runtime $job" "node --experimental-vm-modules $peer/run.mjs $here/$job.js '$state' @openfn/language-common=$common"
done
