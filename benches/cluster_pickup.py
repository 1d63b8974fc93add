#!/usr/bin/env python3
"""How fast an idle node picks up a run another node queued: LISTEN/NOTIFY against the poll.

Two release-build nodes on one PostgreSQL schema. Node A has one worker, kept busy by a
long job, so it cannot run what it receives; node B is idle. Each sample posts one message
to node A and reads, from the store, how long after the message was received node B started
its run (`runs.started_at - messages.received_at`, both from this machine's clock). Posts
are spaced at random so that they fall anywhere in B's poll cycle.

    cargo build --release
    export FNHOST_TEST_PG=$(tests/pg/start.sh)
    python3 benches/cluster_pickup.py --samples 60

Node B runs once as it normally does (LISTEN, with polling as the fallback) and once with
`FNHOST_DISABLE_LISTEN=1` in its environment (polling only, what a node behind a pooler
that drops notifications would see), so the two columns are measured side by side.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_throughput import database_and_binary, psql, start_node, tiny_adaptor  # noqa: E402


def query(url, sql):
    u = urllib.parse.urlparse(url)
    env = dict(os.environ, PGPASSWORD=u.password or "")
    return subprocess.run(
        ["psql", "-X", "-h", u.hostname, "-p", str(u.port), "-U", u.username,
         "-d", u.path.lstrip("/"), "-Atc", sql],
        check=True, env=env, capture_output=True, text=True).stdout.strip()


def post(addr, key, body):
    import http.client
    host, port = addr.split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request("POST", f"/inbox/{key}", body, {"content-type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        raise SystemExit(f"post answered {r.status}")
    return r.getheader("x-fnhost-message-id")


def measure(url, project, samples, listen):
    schema = f"pickup_{'listen' if listen else 'poll'}_{os.getpid()}"
    psql(url, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};")
    db = f"{url}?options=-c%20search_path%3D{schema}"
    # node A alone first, its only worker taken by a 10-minute run; then node B joins idle
    a, addr_a = start_node(project, db, "busy", 1)
    post(addr_a, "pickup-block-01", "{}")
    while query(url, f"SELECT COUNT(*) FROM {schema}.runs WHERE status = 'started'") != "1":
        time.sleep(0.05)
    if not listen:
        os.environ["FNHOST_DISABLE_LISTEN"] = "1"
    try:
        b, _ = start_node(project, db, "idle", 1)
    finally:
        os.environ.pop("FNHOST_DISABLE_LISTEN", None)
    time.sleep(1.0)
    try:
        delays = []
        for _ in range(samples):
            time.sleep(random.uniform(0.3, 0.8))
            mid = post(addr_a, "pickup-in-0001", "{}")
            while True:
                row = query(url, f"SELECT r.started_at - m.received_at, r.owner, r.status "
                                 f"FROM {schema}.runs r JOIN {schema}.messages m ON m.id = r.message_id "
                                 f"WHERE m.id = '{mid}'")
                if row and row.split("|")[2] not in ("queued", "started"):
                    break
                time.sleep(0.01)
            delay, node, _ = row.split("|")
            if node != "idle":
                raise SystemExit(f"run of {mid} ran on {node}, not on the idle node")
            delays.append(int(delay))
        return delays
    finally:
        for p in (a, b):
            p.terminate()
        for p in (a, b):
            p.wait()
        psql(url, f"DROP SCHEMA {schema} CASCADE")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=60)
    args = ap.parse_args()
    url = database_and_binary()
    work = tempfile.mkdtemp(prefix="fnhost-pickup-bench-")
    tiny = tiny_adaptor(work)
    project = os.path.join(work, "project.yaml")
    with open(project, "w") as f:
        f.write(f"""inboxes:
  - name: in
    key: pickup-in-0001
  - name: block
    key: pickup-block-01
jobs:
  - name: echo
    adaptor: "{tiny}"
    expression: "fn(state => state);"
    trigger: {{ webhook: {{ inbox: in }} }}
  - name: blocker
    adaptor: "{tiny}"
    expression: "fn(state => new Promise(resolve => setTimeout(() => resolve(state), 600000)));"
    trigger: {{ webhook: {{ inbox: block }} }}
    limits: {{ timeout_seconds: 900 }}
""")
    print("| idle node wakes by | samples | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    for listen in (True, False):
        d = sorted(measure(url, project, args.samples, listen))
        p95 = d[min(len(d) - 1, int(round(0.95 * (len(d) - 1))))]
        label = "LISTEN/NOTIFY" if listen else "polling only (`FNHOST_DISABLE_LISTEN=1`)"
        print(f"| {label} | {len(d)} | {statistics.median(d):.0f} ms | {p95} ms | {d[-1]} ms |")


if __name__ == "__main__":
    main()
