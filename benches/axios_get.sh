#!/usr/bin/env bash
# 2,000 sequential GETs and 2,000 GETs with 32 in flight through axios 1.21.1 (its Node adapter:
# node:http, from Deno's node extension on fnhost) against a local server on 127.0.0.1: fnhost
# (release build) vs the same job under OpenFn's Node runtime, side by side in one hyperfine run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${CARGO_TARGET_DIR:-$HOME/.cache/fnhost/target}/release/fnhost"
count="${COUNT:-2000}"
here="$root/benches/axios"
peer="$root/benches/node-peer"
(cd "$peer" && [ -d node_modules ] || npm install --no-fund --no-audit --loglevel=error)
common="$peer/node_modules/@openfn/language-common"
repo=$(mktemp -d)
trap 'rm -rf "$repo"; kill $SERVER_PID 2>/dev/null || true' EXIT
(cd "$repo" && npm install --no-fund --no-audit --loglevel=error axios@1.21.1 >/dev/null)

coproc SERVER { python3 "$root/tests/servers/http_fixture.py"; }
read -r port <&"${SERVER[0]}"
base="http://127.0.0.1:$port"
state="{\"data\":{\"base\":\"$base\",\"count\":$count}}"
export FNHOST_REPO_DIR="$repo"

for job in sequential parallel; do
  fnhost_cmd="$bin $here/$job.js -a common=$common -S '$state' -O --log none"
  node_cmd="node --experimental-vm-modules $peer/run.mjs $here/$job.js '$state' @openfn/language-common=$common axios=$repo/node_modules/axios"
  # both peers must really make every request: check the job's count once before timing
  for cmd in "$fnhost_cmd" "$node_cmd"; do
    out=$(eval "$cmd" 2>/dev/null)
    echo "$out" | grep -q "\"ok\": *$count" || { echo "a $job run did not complete $count requests: $out" >&2; exit 1; }
  done
  hyperfine -N --warmup 1 --runs "${RUNS:-5}" -n "fnhost $job" "$fnhost_cmd" -n "node @openfn/runtime $job" "$node_cmd"
done
