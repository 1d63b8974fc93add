#!/usr/bin/env bash
# Load benchmark of `fnhost serve` (issue 13) on loopback, release build — a benchmark, not a
# timed test (not run by .ci/run). For each store (SQLite; PostgreSQL when FNHOST_TEST_PG is set
# or tests/pg/start.sh can start a throw-away cluster):
#
#   1. inbox:  `oha` posts a small JSON body for $DURATION with $CONNS connections to an inbox
#              with no job: requests/s and latency percentiles of the 200 (the message is
#              committed — fsync'd on SQLite — before it).
#   2. burst:  $BURST messages posted as fast as oha can, each starting a language-common job;
#              the queue is then run dry: messages/s from the first post to the last run's end.
#   3. paced:  messages at half the burst's end-to-end rate for $PACED_SECONDS: the time from a
#              message's arrival (received_at) to its run's end (finished_at), p50/p99.
#
# PG=0: SQLite only. DURATION, CONNS, BURST, PACED_SECONDS, WORKERS, ADAPTOR=path: see below.
# oha is installed from crates.io into ~/.cache/fnhost/bin (OHA=path to use another).
# Results go to stdout; benches/serve_load.md records a run and its command.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fnhost/target}"
bin="$CARGO_TARGET_DIR/release/fnhost"
oha="${OHA:-$HOME/.cache/fnhost/bin/oha}"
duration="${DURATION:-20s}"
conns="${CONNS:-32}"
burst="${BURST:-2000}"
paced_seconds="${PACED_SECONDS:-20}"
workers="${WORKERS:-2}"

say() { echo "serve_load: $*" >&2; }
work=$(mktemp -d /tmp/fnhost-serve-load.XXXXXX)

if [ ! -x "$oha" ]; then
  say "installing oha into $HOME/.cache/fnhost/bin"
  cargo install oha --locked --root "$HOME/.cache/fnhost" >&2
fi
(cd "$root" && cargo build --release --bin fnhost >&2)
# a copy: the target directory may be shared with builds of other trees
cp "$bin" "$work/fnhost"
bin="$work/fnhost"
# the job's adaptor: language-common 3.3.4 installed in a repo of the benchmark's own (as a
# deployment has it: its per-adaptor snapshot applies), or ADAPTOR=path: the same package as a
# local path (never snapshotted)
repo="${REPO_DIR:-$HOME/.cache/fnhost/serve-load-repo}"
if [ "${ADAPTOR:-repo}" = path ]; then
  peer="$root/benches/node-peer"
  (cd "$peer" && [ -d node_modules/@openfn/language-common ] || npm install --no-fund --no-audit --loglevel=error >&2)
  adaptor="common=$peer/node_modules/@openfn/language-common"
else
  "$bin" repo install --repo-dir "$repo" common@3.3.4 >&2
  adaptor="common@3.3.4"
fi


server_pid=
pg_started=
pg_schema=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ -n "$pg_schema" ]; then psql "$pg_base" -q -c "DROP SCHEMA $pg_schema CASCADE" || true; fi
  if [ -n "$pg_started" ]; then FNHOST_PG_DIR="$work/pg" "$root/tests/pg/start.sh" stop || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/project.yaml" <<EOF
name: load
repo_dir: $repo
inboxes:
  - name: bare
    key: load-bare-0001
  - name: burst
    key: load-burst-001
  - name: paced
    key: load-paced-001
jobs:
  - name: burst
    adaptor: $adaptor
    expression: "fn(state => ({ data: { seen: state.data.n } }))"
    trigger:
      message: { inbox: burst, inclusion: {} }
  - name: paced
    adaptor: $adaptor
    expression: "fn(state => ({ data: { seen: state.data.n } }))"
    trigger:
      message: { inbox: paced, inclusion: {} }
EOF
body='{"form":"household_survey","n":1,"body":{"_uuid":"5c1d2b3e","group1/name":"Amina","group1/household_size":"5"}}'

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

metric() { curl -s "$base/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# oha's JSON summary -> "req/s, p50, p99, answered 200"
cat >"$work/summary.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s, p = d["summary"], d["latencyPercentiles"]
codes = d.get("statusCodeDistribution", {})
errors = sum(d.get("errorDistribution", {}).values())
ok, total = codes.get("200", 0), sum(codes.values()) + errors
rps, p50, p99 = s["requestsPerSec"], p["p50"] * 1000, p["p99"] * 1000
other = {k: v for k, v in codes.items() if k != "200"}
other.update(d.get("errorDistribution", {}))
print(f"{rps:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, {ok}/{total} answered 200"
      + (f" (others: {other})" if other else ""))
PY
summary() { python3 "$work/summary.py" "$1"; }

# SQL against the store: sqlite3 or psql
sql() {
  case "$database" in
    sqlite://*) sqlite3 "${database#sqlite://}" "$1" ;;
    *) psql "$database" -At -F '|' -c "$1" ;;
  esac
}

# milliseconds from arrival to run end of job $1's runs (messages received from $2 on):
# p50/p99, and messages/s from the first arrival to the last end
cat >"$work/e2e.py" <<'PY'
import sys
rows = [l.strip().split("|") for l in sys.stdin if l.strip()]
ok = [(int(a), int(b)) for a, b, s in rows if s == "success"]
d = sorted(b - a for a, b in ok)
pct = lambda q: d[min(len(d) - 1, int(q * len(d)))]
span = (max(b for _, b in ok) - min(a for a, _ in ok)) / 1000
print(f"{len(ok)}/{len(rows)} runs success, {len(ok) / span:.0f} msgs/s end to end over {span:.1f}s, "
      f"post->finished p50 {pct(0.5)} ms, p99 {pct(0.99)} ms")
PY
e2e() {
  sql "SELECT m.received_at, r.finished_at, r.status FROM runs r JOIN messages m ON m.id = r.message_id WHERE r.job = '$1' AND m.received_at >= $2" |
    python3 "$work/e2e.py"
}

wait_drained() {
  while :; do
    q=$(metric fnhost_queue_depth); s=$(metric 'fnhost_runs{status="started"}')
    [ "${q:-1}" = 0 ] && [ "${s:-0}" = 0 ] && break
    sleep 0.2
  done
}

run_mode() {
  local mode=$1
  database=$2
  "$bin" serve --project "$work/project.yaml" --database "$database" --listen "127.0.0.1:$port" \
    --workers "$workers" 2>"$work/serve-$mode.log" &
  server_pid=$!
  until curl -sf "$base/healthz" >/dev/null; do sleep 0.05; done

  "$oha" -z "$duration" -c "$conns" --no-tui --output-format json -m POST \
    -H 'content-type: application/json' -d "$body" "$base/inbox/load-bare-0001" >"$work/inbox.json"
  echo "$mode inbox ($conns connections, $duration): $(summary "$work/inbox.json")"

  local t0
  t0=$(($(date +%s%3N) - 1))
  "$oha" -n "$burst" -c 8 --no-tui --output-format json -m POST \
    -H 'content-type: application/json' -d "$body" "$base/inbox/load-burst-001" >"$work/burst.json"
  wait_drained
  echo "$mode burst ($burst posts, 8 connections): posts $(summary "$work/burst.json")"
  local line rate
  line=$(e2e burst "$t0")
  echo "$mode burst: $line"
  rate=$(echo "$line" | sed -E 's/.* ([0-9]+) msgs\/s.*/\1/')
  rate=$((rate / 2 > 0 ? rate / 2 : 1))

  t0=$(($(date +%s%3N) - 1))
  "$oha" -z "${paced_seconds}s" -q "$rate" -c 4 --no-tui --output-format json -m POST \
    -H 'content-type: application/json' -d "$body" "$base/inbox/load-paced-001" >"$work/paced.json"
  wait_drained
  echo "$mode paced ($rate posts/s for ${paced_seconds}s): $(e2e paced "$t0")"

  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

echo "machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/Mem:/ {print $2}') GB, Linux $(uname -r); fnhost $(git -C "$root" rev-parse --short HEAD), release; $workers workers; adaptor $adaptor (${ADAPTOR:-repo}, FNHOST_ADAPTOR_SNAPSHOTS=${FNHOST_ADAPTOR_SNAPSHOTS:-1}); $("$oha" --version)"
run_mode sqlite "sqlite://$work/store.db"

pg="${FNHOST_TEST_PG:-}"
if [ "${PG:-1}" = 0 ]; then
  exit 0
fi
if [ -z "$pg" ] && [ -x "$root/tests/pg/start.sh" ]; then
  pg=$(FNHOST_PG_DIR="$work/pg" FNHOST_PG_PORT="${FNHOST_PG_PORT:-55433}" "$root/tests/pg/start.sh")
  pg_started=1
fi
if [ -n "$pg" ]; then
  # a schema of its own, dropped at the end
  schema="serve_load_$$"
  psql "$pg" -q -c "CREATE SCHEMA $schema"
  pg_schema="$schema"
  pg_base="$pg"
  sep='?'; case "$pg" in *\?*) sep='&' ;; esac
  run_mode postgres "$pg${sep}options=-c%20search_path%3D$schema"
else
  say "no PostgreSQL (set FNHOST_TEST_PG or add tests/pg/start.sh): SQLite only"
fi
