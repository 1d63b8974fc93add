#!/usr/bin/env python3
"""pg side by side (issue 11): the same job (benches/pg/load.js — 100,000 rows inserted in batched
multi-row VALUES, 10,000 inserted one by one, all selected back) on fnhost's pg bridge, on the
npm pg driver on fnhost (--no-bridge pg) and on the npm pg driver on Node, taking turns, RUNS
rounds; prints each phase's median in ms, the ratio to Node and the peak RSS.

Usage: FNHOST_TEST_PG=$(tests/pg/start.sh) benches/pg_compare.py FNHOST_BINARY
       (ROWS, ONE_BY_ONE, RUNS change the sizes; needs /usr/bin/time and node)"""
import json, os, re, statistics, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
url = os.environ.get("FNHOST_TEST_PG") or sys.exit("FNHOST_TEST_PG is not set (tests/pg/start.sh)")
packages = os.path.join(root, "tests/node_ext")
if not os.path.isdir(os.path.join(packages, "node_modules/pg")):
    subprocess.run(["npm", "ci", "--no-fund", "--no-audit", "--loglevel=error"], cwd=packages, check=True)
work = tempfile.mkdtemp(prefix="fnhost-pg-bench-")
os.symlink(os.path.join(packages, "node_modules"), os.path.join(work, "node_modules"))
job = os.path.join(work, "load.js")
with open(os.path.join(root, "benches/pg/load.js")) as src, open(job, "w") as dst:
    dst.write(src.read())
state = json.dumps({"configuration": {"pg": url, "rows": int(os.environ.get("ROWS", 100000)),
                                      "oneByOne": int(os.environ.get("ONE_BY_ONE", 10000))}})
state_file = os.path.join(work, "state.json")
with open(state_file, "w") as f:
    f.write(state)
env = dict(os.environ, FNHOST_REPO_DIR=packages, TZ="UTC")
modes = {
    "fnhost bridge": [binary, job, "-s", state_file, "-O", "--log", "none"],
    "fnhost npm pg": [binary, job, "-s", state_file, "-O", "--log", "none", "--no-bridge", "pg"],
    "node npm pg": ["node", os.path.join(root, "benches/pg/run-node.mjs"), job, state],
}
results = {m: [] for m in modes}
for _ in range(int(os.environ.get("RUNS", 3))):
    for mode, cmd in modes.items():
        out = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{mode} failed:\n{out.stderr[-3000:]}")
        data = json.loads(out.stdout)["data"]
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
        results[mode].append({**data["times"], "rss": rss // 1024, "check": data["check"], "rows": data["rows"]})
checks = {r["check"] for rs in results.values() for r in rs}
if len(checks) != 1:
    sys.exit(f"the three runs disagree on the data: {checks}")
phases = ["insertBatched", "insertOneByOne", "selectAll"]
node = {p: statistics.median(r[p] for r in results["node npm pg"]) for p in phases}
print(f"rows: {results['node npm pg'][0]['rows']}, runs: {len(results['node npm pg'])} (median ms; x = Node's time / this one's)")
print("| peer | " + " | ".join(phases) + " | peak RSS MB |")
print("|---|" + "---|" * (len(phases) + 1))
for mode, rs in results.items():
    cells = []
    for p in phases:
        m = statistics.median(r[p] for r in rs)
        cells.append(f"{m:.0f} ({node[p] / m:.2f}x)" if m else "0")
    print(f"| {mode} | " + " | ".join(cells) + f" | {max(r['rss'] for r in rs)} |")
