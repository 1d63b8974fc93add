#!/usr/bin/env bash
# fnhost side by side with OpenFn's runtime (@openfn/runtime 1.9.5 on Node, as published) on the
# same jobs and the same language-common 3.3.4 files, in one invocation. Prints each measurement
# and writes benches/compare/results.md (a Markdown table with the ratios).
#
#   cargo build --release && bash benches/compare/run.sh
#
# Needs hyperfine and GNU time (apt-get install hyperfine time), node and npm. Knobs (env):
# RUNS (hyperfine runs, 10), POOL_RUNS (2000), CHILD_RUNS (100: Node's child-process-per-run
# model costs ~0.5 s a run), STATE_MB (50).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin="${FNHOST:-${CARGO_TARGET_DIR:-$HOME/.cache/fnhost/target}/release/fnhost}"
RUNS=${RUNS:-10} POOL_RUNS=${POOL_RUNS:-2000} CHILD_RUNS=${CHILD_RUNS:-100} STATE_MB=${STATE_MB:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${server_pid:-}" ] && kill $server_pid 2>/dev/null || true' EXIT
peer="$root/benches/node-peer"
(cd "$peer" && [ -d node_modules/@openfn/runtime ] || npm install --no-fund --no-audit --loglevel=error)
common="$peer/node_modules/@openfn/language-common"
A="@openfn/language-common=$common"          # Node: the peer's copy of language-common 3.3.4
# fnhost: the same version installed in a repo (as users run it), so that its per-adaptor
# snapshot applies (FNHOST_ADAPTOR_SNAPSHOTS=0 measures without)
export FNHOST_SNAPSHOT_DIR="$work/snapshots"
"$bin" repo install common@3.3.4 --repo-dir "$work/repo" >&2
F="common --repo-dir $work/repo"
node_run="node --experimental-vm-modules $peer/run.mjs"
md="$here/results.md"
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }   # peak RSS in KB
mean() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['mean'])" "$@"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{b/a:.1f}x' if a>0 else '-')" "$@"; }
row() { echo "| $1 | $2 | $3 | $4 |" >> "$md"; }

cat > "$md" <<HDR
# fnhost vs @openfn/runtime on Node — $(date -u +%F), $(nproc) cores

Command: \`cargo build --release && bash benches/compare/run.sh\` (RUNS=$RUNS POOL_RUNS=$POOL_RUNS CHILD_RUNS=$CHILD_RUNS STATE_MB=$STATE_MB).
Both sides run the same job on the same language-common 3.3.4 files; Node runs the job precompiled.

| measurement | fnhost | Node (@openfn/runtime) | fnhost advantage |
|---|---|---|---|
HDR

"$bin" "$work/warm.js" -a $F -O --log none >/dev/null 2>&1 || true
# 1. cold single run, whole process (fnhost's adaptor snapshot already built by the line above)
echo 'fn(state => ({ ...state, data: { n: (state.data.n ?? 0) + 1 } }));' > "$work/common.js"
cp "$work/common.js" "$work/warm.js"
printf 'import { fn } from "@openfn/language-common";\nexport default [fn(state => ({ ...state, data: { n: (state.data.n ?? 0) + 1 } }))];\n' > "$work/common.mjs"
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$work/cold.json" \
  "$bin $work/common.js -a $F -O --log none" \
  "$node_run $work/common.mjs {} $A" >&2
f=$(mean "$work/cold.json" 0); n=$(mean "$work/cold.json" 1)
fr=$(rss "$bin" "$work/common.js" -a $F -O --log none); nr=$(rss node --experimental-vm-modules "$peer/run.mjs" "$work/common.mjs" {} "$A")
row "cold run, language-common job: wall" "$(printf '%.1f ms' "$(echo "$f*1000" | bc -l)")" "$(printf '%.1f ms' "$(echo "$n*1000" | bc -l)")" "$(ratio "$f" "$n")"
row "cold run, language-common job: peak RSS" "$((fr/1024)) MB" "$((nr/1024)) MB" "$(ratio "$fr" "$nr")"

# ... and one GET to 127.0.0.1 through the adaptors' HTTP stack (language-common's util.get, undici)
python3 -c '
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b=b"{\"ok\":true}"; self.send_response(200); self.send_header("content-type","application/json"); self.send_header("content-length",str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self,*a): pass
s=socketserver.ThreadingTCPServer(("127.0.0.1",0),H); print(s.server_address[1], flush=True); s.serve_forever()' > "$work/port" &
server_pid=$!
while [ ! -s "$work/port" ]; do sleep 0.1; done
port=$(cat "$work/port")
echo "fn(async state => { const r = await util.get('http://127.0.0.1:$port/x'); return { ...state, data: r.body }; });" > "$work/get.js"
printf 'import { fn, util } from "@openfn/language-common";\nexport default [fn(async state => { const r = await util.get("http://127.0.0.1:%s/x"); return { ...state, data: r.body }; })];\n' "$port" > "$work/get.mjs"
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$work/get.json" \
  "$bin $work/get.js -a $F -O --log none" \
  "$node_run $work/get.mjs {} $A" >&2
f=$(mean "$work/get.json" 0); n=$(mean "$work/get.json" 1)
row "cold run, one GET to 127.0.0.1 (util.get): wall" "$(printf '%.1f ms' "$(echo "$f*1000" | bc -l)")" "$(printf '%.1f ms' "$(echo "$n*1000" | bc -l)")" "$(ratio "$f" "$n")"

# 2. warm throughput: POOL_RUNS runs of the small job
for w in 1 2 8; do
  out=$("$bin" bench-pool "$work/common.js" -a $F --runs "$POOL_RUNS" --workers $w)
  echo "fnhost pool, $w workers: $out" >&2
  eval "rate_$w=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs_per_second"])')"
done
node_out=$(node --experimental-vm-modules "$peer/many.mjs" "$work/common.mjs" - "$POOL_RUNS" 1 "$A")
echo "node, one process: $node_out" >&2
node_rate=$(echo "$node_out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs_per_second"])')
start=$(date +%s.%N)
seq "$CHILD_RUNS" | xargs -P "$(nproc)" -I% $node_run "$work/common.mjs" {} "$A" > /dev/null
child_rate=$(echo "$CHILD_RUNS / ($(date +%s.%N) - $start)" | bc -l)
for w in 1 2 8; do
  r=$(eval echo "\$rate_$w")
  row "warm throughput, $w worker(s) vs Node in one process" "$(printf '%.0f runs/s' "$r")" "$(printf '%.0f runs/s' "$node_rate")" "$(ratio "$node_rate" "$r")"
done
row "warm throughput, 2 workers vs Node child process per run ($(nproc) at once)" "$(printf '%.0f runs/s' "$rate_2")" "$(printf '%.1f runs/s' "$child_rate")" "$(ratio "$child_rate" "$rate_2")"

# 3. memory per concurrent run: 50 runs at once, each holding a 1 MB state for 300 ms
python3 -c 'import json; print(json.dumps({"data": {"blob": "x" * (1024*1024)}}))' > "$work/1mb.json"
echo 'fn(state => new Promise(r => setTimeout(() => r({ ...state, data: { len: state.data.blob.length } }), 300)));' > "$work/hold.js"
printf 'import { fn } from "@openfn/language-common";\nexport default [fn(state => new Promise(r => setTimeout(() => r({ ...state, data: { len: state.data.blob.length } }), 300)))];\n' > "$work/hold.mjs"
fr=$(rss "$bin" bench-pool "$work/hold.js" -a $F -s "$work/1mb.json" --runs 50 --workers 50)
nr=$(rss node --experimental-vm-modules "$peer/many.mjs" "$work/hold.mjs" "$work/1mb.json" 50 50 "$A")
row "50 concurrent runs with a 1 MB state: peak RSS per run" "$(echo "$fr/1024/50" | bc -l | xargs printf '%.1f MB')" "$(echo "$nr/1024/50" | bc -l | xargs printf '%.1f MB')" "$(ratio "$fr" "$nr")"

# 4. a big state through a three-step workflow
python3 -c "import json; print(json.dumps({'data': {'rows': [{'id': i, 'name': 'row %d' % i, 'tags': ['a', 'b', 'c'], 'value': i * 1.5} for i in range($STATE_MB * 1024 * 1024 // 64)]}}))" > "$work/big.json"
size=$(( $(stat -c %s "$work/big.json") / 1024 / 1024 ))
cat > "$work/wf.json" <<WF
{"workflow": {"steps": [
 {"id": "a", "adaptors": ["common"], "expression": "fn(s => { s.data.a = s.data.rows.length; return s; });", "next": {"b": true}},
 {"id": "b", "adaptors": ["common"], "expression": "fn(s => { s.data.b = s.data.rows.length; return s; });", "next": {"c": true}},
 {"id": "c", "adaptors": ["common"], "expression": "fn(s => { s.data.c = s.data.rows.length; return s; });"}
]}}
WF
mk() { printf 'import { fn } from "@openfn/language-common";\nexport default [fn(s => { s.data.%s = s.data.rows.length; return s; })];\n' "$1"; }
python3 - "$work" "$A" <<'PY'
import json, sys
work, a = sys.argv[1], sys.argv[2]
step = lambda i, n: {"id": i, "adaptors": [a], "expression": f'import {{ fn }} from "@openfn/language-common";\nexport default [fn(s => {{ s.data.{i} = s.data.rows.length; return s; }})];', **({"next": {n: True}} if n else {})}
plan = {"workflow": {"steps": [step("a", "b"), step("b", "c"), step("c", None)]}}
open(f"{work}/plan.json", "w").write(json.dumps(plan))
PY
cat > "$work/plan.mjs" <<'JS'
import fs from 'node:fs';
import run from '@openfn/runtime';
const [planFile, stateFile, out, a] = process.argv.slice(2);
const [name, path] = a.split('=');
const result = await run(JSON.parse(fs.readFileSync(planFile, 'utf8')), JSON.parse(fs.readFileSync(stateFile, 'utf8')), { linker: { modules: { [name]: { path } } } });
fs.writeFileSync(out, JSON.stringify(result, null, 2));
JS
cp "$work/plan.mjs" "$peer/plan-big.mjs"
hyperfine -N --runs 3 --export-json "$work/big.json.h" \
  "$bin $work/wf.json --repo-dir $work/repo -s $work/big.json -o $work/out-f.json --log none" \
  "node --experimental-vm-modules $peer/plan-big.mjs $work/plan.json $work/big.json $work/out-n.json $A" >&2
f=$(mean "$work/big.json.h" 0); n=$(mean "$work/big.json.h" 1)
fr=$(rss "$bin" "$work/wf.json" --repo-dir "$work/repo" -s "$work/big.json" -o "$work/out-f.json" --log none)
nr=$(rss node --experimental-vm-modules "$peer/plan-big.mjs" "$work/plan.json" "$work/big.json" "$work/out-n.json" "$A")
rm -f "$peer/plan-big.mjs"
cmp -s "$work/out-f.json" "$work/out-n.json" && same="same output" || same="OUTPUTS DIFFER"
row "${size} MB state through 3 steps: wall ($same)" "$(printf '%.2f s' "$f")" "$(printf '%.2f s' "$n")" "$(ratio "$f" "$n")"
row "${size} MB state through 3 steps: peak RSS" "$((fr/1024)) MB ($(echo "$fr/1024/$size" | bc -l | xargs printf '%.1f')x the state)" "$((nr/1024)) MB" "$(ratio "$fr" "$nr")"

cat "$md"
