#!/usr/bin/env python3
"""Throughput of `fnhost serve` against the number of nodes sharing one PostgreSQL.

For each node count: a fresh schema in the test PostgreSQL, N release-build nodes on this
machine (each `--workers W`), M posts from 8 client threads spread over the nodes, then the
time until every run has finished. Prints posts/s (acknowledged) and runs/s end to end.

    cargo build --release
    export FNHOST_TEST_PG=$(tests/pg/start.sh)
    python3 benches/cluster_throughput.py --nodes 1 2 3 --messages 3000 [--adaptor common]

The job is `fn(state => ({data: {n: state.data.n}}))` with a minimal adaptor (`--adaptor
tiny`, default: the cost is the server's, not an adaptor's) or the registry's language-common
(`--adaptor common`, from tests/adaptors installed by the test suite).
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/fnhost/target"))
BIN = os.path.join(TARGET, "release", "fnhost")

TINY = """export function fn(f) { return state => f(state); }
export function execute(...ops) { return state => ops.reduce((p, op) => p.then(op), Promise.resolve(state)); }
"""


def psql(url, sql):
    u = urllib.parse.urlparse(url)
    env = dict(os.environ, PGPASSWORD=u.password or "")
    subprocess.run(
        ["psql", "-X", "-q", "-h", u.hostname, "-p", str(u.port), "-U", u.username,
         "-d", u.path.lstrip("/"), "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        check=True, env=env, capture_output=True, text=True)


def open_runs(url, schema):
    u = urllib.parse.urlparse(url)
    env = dict(os.environ, PGPASSWORD=u.password or "")
    out = subprocess.run(
        ["psql", "-X", "-h", u.hostname, "-p", str(u.port), "-U", u.username,
         "-d", u.path.lstrip("/"), "-Atc",
         f"SELECT COUNT(*) FILTER (WHERE status IN ('queued','started')), "
         f"COUNT(*) FILTER (WHERE status = 'success') FROM {schema}.runs"],
        check=True, env=env, capture_output=True, text=True).stdout.strip()
    a, b = out.split("|")
    return int(a), int(b)


def start_node(project, database, name, workers):
    proc = subprocess.Popen(
        [BIN, "serve", "--project", project, "--listen", "127.0.0.1:0", "--database", database,
         "--node-id", name, "--workers", str(workers)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    while True:
        line = proc.stderr.readline()
        if not line:
            raise SystemExit(f"node {name} exited")
        m = re.search(r"listening on http://(\S+)", line)
        if m:
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            return proc, m.group(1)


def post_all(addrs, messages, threads=8):
    counter = iter(range(messages))
    lock = threading.Lock()
    failures = [0]

    def worker(k):
        conns = {}
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            addr = addrs[(n + k) % len(addrs)]
            body = json.dumps({"n": n})
            while True:
                try:
                    c = conns.get(addr)
                    if c is None:
                        host, port = addr.split(":")
                        c = conns[addr] = http.client.HTTPConnection(host, int(port), timeout=30)
                    c.request("POST", "/inbox/bench-key-0001", body,
                              {"content-type": "application/json"})
                    r = c.getresponse()
                    r.read()
                    if r.status == 200:
                        break
                    failures[0] += 1
                except Exception:
                    conns.pop(addr, None)
                    failures[0] += 1
                    time.sleep(0.01)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return failures[0]


def database_and_binary():
    """The PostgreSQL URL the benchmarks use; exits with what to do when it or the binary is missing."""
    url = os.environ.get("FNHOST_TEST_PG")
    if not url:
        sys.exit("FNHOST_TEST_PG is not set: export FNHOST_TEST_PG=$(tests/pg/start.sh)")
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: cargo build --release")
    return url


def tiny_adaptor(work):
    """Writes the tiny adaptor (only `fn`) under `work`; its `-a` spec."""
    os.makedirs(os.path.join(work, "tiny"))
    with open(os.path.join(work, "tiny", "package.json"), "w") as f:
        f.write('{"name":"@openfn/language-tiny","version":"1.0.0","type":"module","main":"index.js"}')
    with open(os.path.join(work, "tiny", "index.js"), "w") as f:
        f.write(TINY)
    return f"tiny={work}/tiny"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--adaptor", choices=["tiny", "common"], default="tiny")
    args = ap.parse_args()
    url = database_and_binary()
    work = tempfile.mkdtemp(prefix="fnhost-cluster-bench-")
    if args.adaptor == "tiny":
        adaptor = tiny_adaptor(work)
    else:
        adaptor = "common=/tmp/fnhost-adaptor-imports/node_modules/@openfn/language-common"
    project = os.path.join(work, "project.yaml")
    with open(project, "w") as f:
        f.write(f"""inboxes:
  - name: in
    key: bench-key-0001
jobs:
  - name: echo
    adaptor: "{adaptor}"
    expression: |
      fn(state => ({{ data: {{ n: state.data.n }} }}));
    trigger: {{ webhook: {{ inbox: in }} }}
""")
    print(f"| nodes | workers each | posts | posts/s (acknowledged) | runs/s end to end | post -> all runs done |")
    print(f"|---|---|---|---|---|---|")
    for n in args.nodes:
        schema = f"bench_{n}_{os.getpid()}"
        psql(url, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};")
        db = f"{url}?options=-c%20search_path%3D{schema}"
        nodes = [start_node(project, db, f"node{i}", args.workers) for i in range(n)]
        addrs = [a for _, a in nodes]
        # warm-up: one run per node
        post_all(addrs, n, threads=1)
        while open_runs(url, schema)[0] > 0:
            time.sleep(0.05)
        base = open_runs(url, schema)[1]
        t0 = time.time()
        failures = post_all(addrs, args.messages)
        t_posted = time.time() - t0
        while True:
            pending, done = open_runs(url, schema)
            if pending == 0 and done - base >= args.messages:
                break
            time.sleep(0.05)
        t_done = time.time() - t0
        for p, _ in nodes:
            p.terminate()
        for p, _ in nodes:
            p.wait()
        print(f"| {n} | {args.workers} | {args.messages} | {args.messages / t_posted:.0f} | "
              f"{args.messages / t_done:.0f} | {t_done:.1f} s |" + (f" ({failures} retried)" if failures else ""))
        psql(url, f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
