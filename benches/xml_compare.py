#!/usr/bin/env python3
"""XML side by side (issue 11): the same job (benches/xml/xml.js — a CommCare-style form of
BYTES bytes parsed by xml2js with its defaults and flattened and by fast-xml-parser 5's
XMLParser, a submission object of about
BYTES of JSON built into XML by fast-xml-parser 5's XMLBuilder, and submissions of about BYTES
of XML built by js2xmlparser 5's parse and xml2js' Builder) on fnhost's bridges, on the real
packages on fnhost (--no-bridge) and on the real packages on Node, taking turns, RUNS rounds;
prints each step's median in ms, the ratio to Node and the peak RSS of the process.

Usage: benches/xml_compare.py FNHOST_BINARY   (BYTES, RUNS; needs /usr/bin/time and node)"""
import json, os, re, shutil, statistics, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
work = tempfile.mkdtemp(prefix="fnhost-xml-bench-")
packages = os.path.join(work, "packages")
shutil.copytree(os.path.join(root, "tests/xml"), packages, ignore=shutil.ignore_patterns("node_modules"))
subprocess.run(["npm", "install", "--no-fund", "--no-audit", "--loglevel=error"], cwd=packages, check=True)
shutil.copytree(os.path.join(packages, "cases"), os.path.join(packages, "node_modules/xml-cases"))
job = os.path.join(packages, "bench_parse.js")
shutil.copy(os.path.join(root, "benches/xml/xml.js"), job)
state = json.dumps({"configuration": {"bytes": int(os.environ.get("BYTES", 20_000_000))}})
state_file = os.path.join(work, "state.json")
with open(state_file, "w") as f:
    f.write(state)
env = dict(os.environ, FNHOST_REPO_DIR=packages, TZ="UTC")
modes = {
    "fnhost bridge": [binary, job, "-s", state_file, "-O", "--log", "none"],
    "fnhost real packages": [binary, job, "-s", state_file, "-O", "--log", "none",
                             "--no-bridge", "xml2js", "--no-bridge", "fast-xml-parser",
                             "--no-bridge", "js2xmlparser"],
    "node real packages": ["node", os.path.join(root, "benches/pg/run-node.mjs"), job, state],
}
results = {m: [] for m in modes}
for _ in range(int(os.environ.get("RUNS", 3))):
    for mode, cmd in modes.items():
        out = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{mode} failed:\n{out.stderr[-3000:]}")
        data = json.loads(out.stdout)["data"]
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
        results[mode].append({**data["times"], "rss": rss // 1024, "check": data["check"], "bytes": data["bytes"]})
checks = {r["check"] for rs in results.values() for r in rs}
if len(checks) != 1:
    sys.exit(f"the runs disagree on the results: {checks}")
phases = ["parseDefaults", "parseFlat", "fxpParse", "build", "js2xmlparserBuild", "xml2jsBuild"]
node = {p: statistics.median(r[p] for r in results["node real packages"]) for p in phases}
print(f"document: {results['node real packages'][0]['bytes']:,} bytes, runs: {len(results['node real packages'])} (median ms; x = Node's time / this one's)")
print("| peer | xml2js parse, defaults | xml2js parse, explicitArray false + mergeAttrs | fast-xml-parser parse | fast-xml-parser build | js2xmlparser build | xml2js build | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|")
for mode, rs in results.items():
    cells = []
    for p in phases:
        m = statistics.median(r[p] for r in rs)
        cells.append(f"{m:.0f} ({node[p] / m:.2f}x)")
    print(f"| {mode} | " + " | ".join(cells) + f" | {max(r['rss'] for r in rs)} |")
shutil.rmtree(work)
