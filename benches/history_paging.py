#!/usr/bin/env python3
"""Paging and search of the history UI (`/messages`) on a store of 1,000,000 messages.

For each store (SQLite; PostgreSQL when FNHOST_TEST_PG is set): the release binary creates
and migrates the database (`fnhost serve` started once and stopped), then 1,000,000 generated
Kobo-/CommCare-like messages over six inboxes and 180 days go in with one bulk insert
(SQLite: one transaction of multi-row inserts; PostgreSQL: COPY), then `fnhost serve
--no-auth` serves them on 127.0.0.1 and one client times whole HTML pages (request to last
byte, keep-alive) of each kind of search:

    first      /messages: the newest 50
    deep       following the "Older messages" link 200 times from the first page
    jump       a page starting at a random message deep in the store (?before=<id>)
    text       a word in ~2.5% of bodies (a district), case-insensitive
    text-rare  a word in ~0.02% of bodies (one enumerator of 5,000)
    json       a JSON fragment ~35% of bodies contain ({"_xform_id_string": ...})
    json-rare  a JSON fragment ~0.02% of bodies contain ({"_submitted_by": ...})
    json-num   a fragment of a number ({"form": {"age": N}}, ~0.4%): only its keys narrow
               the rows SQL lets through to the exact check
    dates      a random 7-day range
    inbox      one inbox (one of six, 1%..35% of the messages)

Prints p50/p95/max per kind (ms), the rows a page showed on average, and how many pages
stopped at the search's scan bound (then the page says how many messages it read and links
to "Keep searching older messages").

    cargo build --release
    export FNHOST_TEST_PG=$(tests/pg/start.sh)      # optional: PostgreSQL too
    python3 benches/history_paging.py [--messages 1000000] [--samples 40] [--reuse]

--reuse keeps the generated stores (~/.cache/fnhost/history-bench, PostgreSQL schema
history_bench) and measures them again without regenerating; without it they are made anew.
"""

import argparse
import html
import http.client
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/fnhost/target"))
BIN = os.environ.get("FNHOST_BIN", os.path.join(TARGET, "release", "fnhost"))
DATA = os.path.expanduser("~/.cache/fnhost/history-bench")
SCHEMA = "history_bench"
DAY = 86_400_000

INBOXES = [  # name, share of the messages, kind
    ("kobo-households", 0.35, "kobo"),
    ("kobo-wash", 0.20, "kobo"),
    ("commcare-patients", 0.20, "commcare"),
    ("commcare-visits", 0.15, "commcare"),
    ("dhis2-events", 0.09, "dhis2"),
    ("kobo-pilot", 0.01, "kobo"),
]
FORMS = {"kobo-households": "household_survey", "kobo-wash": "wash_survey",
         "kobo-pilot": "pilot_survey"}
FIRST = ["Amina", "Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri", "Mwangi", "Akinyi", "Baraka",
         "Zawadi", "Juma", "Halima", "Musa", "Fatuma", "Daudi", "Rehema", "Said", "Neema", "Omondi",
         "Chebet", "Kiprop", "Wambui", "Mutua", "Nafula", "Ali", "Asha", "Hassan", "Mercy", "Peter",
         "Grace", "John", "Mary", "Joseph", "Esther", "David", "Ruth", "Samuel", "Lucy", "Daniel",
         "Faith"]
LAST = ["Odhiambo", "Kariuki", "Mohamed", "Wekesa", "Njoroge", "Ochieng", "Mutiso", "Kiplagat",
        "Onyango", "Mbugua", "Abdi", "Wafula", "Koech", "Nyambura", "Owino", "Maina", "Barasa",
        "Cheruiyot", "Omar", "Gitau"]
DISTRICTS = ["Nakuru", "Kisumu", "Mombasa", "Eldoret", "Garissa", "Kitui", "Machakos", "Nyeri",
             "Meru", "Embu", "Kakamega", "Bungoma", "Busia", "Siaya", "Homa Bay", "Migori",
             "Kisii", "Nyamira", "Kericho", "Bomet", "Narok", "Kajiado", "Kiambu", "Muranga",
             "Kirinyaga", "Nyandarua", "Laikipia", "Samburu", "Isiolo", "Marsabit", "Mandera",
             "Wajir", "Turkana", "West Pokot", "Baringo", "Nandi", "Vihiga", "Lamu", "Kilifi",
             "Kwale"]
ENUMERATORS = 5000


def uuid7(rng, ms):
    """A UUIDv7 text of millisecond `ms` (as the server makes message ids)."""
    return (f"{ms >> 16:08x}-{ms & 0xffff:04x}-7{rng.getrandbits(12):03x}-"
            f"{0x8000 | rng.getrandbits(14):04x}-{rng.getrandbits(48):012x}")


def body_for(rng, inbox, kind, ms, n):
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    district = rng.choice(DISTRICTS)
    enum = f"enum-{rng.randrange(ENUMERATORS):04d}"
    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000))
    uid = f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}"
    if kind == "kobo":
        b = {
            "_id": 100000 + n, "_uuid": uid, "formhub/uuid": f"{rng.getrandbits(64):016x}",
            "_xform_id_string": FORMS[inbox], "_submission_time": when,
            "_submitted_by": enum, "_status": "submitted_via_web",
            "_geolocation": [round(rng.uniform(-4.5, 4.5), 6), round(rng.uniform(34, 41), 6)],
            "meta/instanceID": f"uuid:{uid}", "start": when, "end": when,
            "district": district, "group1/name": name,
            "group1/household_size": str(rng.randint(1, 12)),
            "group1/water_source": rng.choice(["borehole", "river", "piped", "rain", "well"]),
            "group2/children_under_5": str(rng.randint(0, 5)),
            "group2/consent": rng.choice(["yes", "yes", "yes", "no"]),
        }
    elif kind == "commcare":
        b = {
            "domain": "ngo-health", "app_id": "3f8e2a", "received_on": when,
            "metadata": {"username": enum, "timeStart": when, "timeEnd": when,
                         "deviceID": f"dev-{rng.randrange(900):03d}", "instanceID": uid},
            "form": {
                "@xmlns": f"http://openrosa.org/formdesigner/{inbox}",
                "@name": "Register Patient" if inbox == "commcare-patients" else "Home Visit",
                "patient_name": name, "age": rng.randint(0, 90), "district": district,
                "danger_signs": rng.choice(["none", "fever", "cough", "fever cough"]),
                "case": {"@case_id": uid, "@user_id": enum,
                         "create": {"case_name": name, "case_type": "patient"}},
            },
        }
    else:
        b = {
            "program": "eBAJgBLxTS3", "programStage": "A03MvHHogjR", "orgUnit": f"ou{rng.getrandbits(40):010x}",
            "eventDate": when[:10], "status": "COMPLETED", "storedBy": enum,
            "dataValues": [{"dataElement": "qrur9Dvnyt5", "value": str(rng.randint(0, 60))},
                           {"dataElement": "oZg33kd9taw", "value": rng.choice(["Male", "Female"])},
                           {"dataElement": "district", "value": district}],
        }
    return json.dumps(b, separators=(",", ":"))


def generate(count, end_ms, seed=14):
    """(id, inbox, received_at, body) rows, oldest first, spread over 180 days to end_ms."""
    rng = random.Random(seed)
    start = end_ms - 180 * DAY
    step = (end_ms - start) / count
    names = [i[0] for i in INBOXES]
    weights = [i[1] for i in INBOXES]
    kinds = {i[0]: i[2] for i in INBOXES}
    for n in range(count):
        ms = int(start + n * step + rng.random() * step)
        inbox = rng.choices(names, weights)[0]
        yield uuid7(rng, ms), inbox, ms, body_for(rng, inbox, kinds[inbox], ms, n)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_serve(project, database, port, log):
    proc = subprocess.Popen(
        [BIN, "serve", "--project", project, "--database", database, "--listen",
         f"127.0.0.1:{port}", "--no-auth", "--workers", "1"],
        stdout=log, stderr=log)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"fnhost serve exited ({proc.returncode}); see {log.name}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("fnhost serve did not answer /healthz")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def psql(url, sql, stdin=None):
    u = urllib.parse.urlparse(url)
    env = dict(os.environ, PGPASSWORD=u.password or "")
    return subprocess.run(
        ["psql", "-X", "-q", "-h", u.hostname, "-p", str(u.port), "-U", u.username,
         "-d", u.path.lstrip("/"), "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        check=True, env=env, input=stdin, capture_output=True, text=True).stdout.strip()


def with_schema(url, schema):
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-c%20search_path%3D{schema}"


def fill_sqlite(path, rows):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    batch = []
    for id_, inbox, ms, body in rows:
        batch.append((id_, inbox, ms, body, "{}", "POST", f"/i/{inbox}", "{}"))
        if len(batch) == 10_000:
            db.executemany("INSERT INTO messages (id, inbox, received_at, body, headers, method, "
                           "path, query) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
            batch.clear()
    if batch:
        db.executemany("INSERT INTO messages (id, inbox, received_at, body, headers, method, "
                       "path, query) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()


def copy_escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def fill_postgres(url, schema, rows):
    u = urllib.parse.urlparse(url)
    env = dict(os.environ, PGPASSWORD=u.password or "")
    proc = subprocess.Popen(
        ["psql", "-X", "-q", "-h", u.hostname, "-p", str(u.port), "-U", u.username,
         "-d", u.path.lstrip("/"), "-v", "ON_ERROR_STOP=1", "-c",
         f"COPY {schema}.messages (id, inbox, received_at, body, headers, method, path, query) "
         "FROM STDIN"],
        stdin=subprocess.PIPE, env=env, text=True)
    for id_, inbox, ms, body in rows:
        proc.stdin.write(f"{id_}\t{inbox}\t{ms}\t{copy_escape(body)}\t{{}}\tPOST\t/i/{inbox}\t{{}}\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("COPY into PostgreSQL failed")
    psql(url, f"ANALYZE {schema}.messages")


NEXT = re.compile(r'<a href="/messages\?([^"]*)" rel="next"')
SHOWN = re.compile(r"(\d+) shown(?:; (\d+) read to find them)?")


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def page(self, query):
        """(ms, rows shown, next query or None, bound hit)"""
        t = time.perf_counter()
        try:
            self.conn.request("GET", "/messages?" + query)
            r = self.conn.getresponse()
            text = r.read().decode()
        except (http.client.HTTPException, OSError):
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request("GET", "/messages?" + query)
            r = self.conn.getresponse()
            text = r.read().decode()
        ms = (time.perf_counter() - t) * 1000
        if r.status != 200:
            raise SystemExit(f"/messages?{query}: {r.status}\n{text[:500]}")
        m = NEXT.search(text)
        shown = SHOWN.search(text)
        return (ms, int(shown.group(1)) if shown else 0,
                html.unescape(m.group(1)) if m else None,
                "The search stopped after reading" in text)


def measure(client, ids, end_ms, samples, deep_pages, rng):
    q = urllib.parse.urlencode
    kinds = {}

    def record(kind, result):
        kinds.setdefault(kind, []).append(result)

    for _ in range(samples):
        record("first", client.page(""))
    query = ""
    for _ in range(deep_pages):
        result = client.page(query)
        record("deep", result)
        if not result[2]:
            break
        query = result[2]
    for _ in range(samples):
        record("jump", client.page(q({"before": rng.choice(ids)})))
    for _ in range(samples):
        record("text", client.page(q({"q": rng.choice(DISTRICTS).lower()})))
    for _ in range(samples):
        record("text-rare", client.page(q({"q": f"enum-{rng.randrange(ENUMERATORS):04d}"})))
    for _ in range(samples):
        frag = {"_xform_id_string": "household_survey"}
        record("json", client.page(q({"contains": json.dumps(frag)})))
    for _ in range(samples):
        frag = {"_submitted_by": f"enum-{rng.randrange(ENUMERATORS):04d}"}
        record("json-rare", client.page(q({"contains": json.dumps(frag)})))
    for _ in range(samples):
        frag = {"form": {"age": rng.randrange(91)}}
        record("json-num", client.page(q({"contains": json.dumps(frag)})))
    for _ in range(samples):
        start = end_ms - rng.randrange(7, 180) * DAY
        fmt = lambda ms: time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))
        record("dates", client.page(q({"from": fmt(start), "to": fmt(start + 6 * DAY)})))
    for i in range(samples):
        record("inbox", client.page(q({"inbox": INBOXES[i % len(INBOXES)][0]})))
    return kinds


def report(label, kinds):
    print(f"\n{label}")
    print(f"{'kind':<10} {'pages':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'rows/page':>9} {'bound hit':>9}")
    for kind, results in kinds.items():
        times = sorted(r[0] for r in results)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        rows = statistics.mean(r[1] for r in results)
        bound = sum(1 for r in results if r[3])
        print(f"{kind:<10} {len(times):>5} {statistics.median(times):>8.1f} {p95:>8.1f} "
              f"{times[-1]:>8.1f} {rows:>9.1f} {bound:>9}")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--deep-pages", type=int, default=200)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--only", choices=["sqlite", "postgres"])
    args = ap.parse_args()
    if not os.access(BIN, os.X_OK):
        raise SystemExit(f"no release binary at {BIN}: cargo build --release")
    os.makedirs(DATA, exist_ok=True)
    work = tempfile.mkdtemp(prefix="fnhost-history-bench.")
    project = os.path.join(work, "project.yaml")
    with open(project, "w") as f:
        f.write("name: history-bench\ninboxes:\n")
        for name, _, _ in INBOXES:
            f.write(f"  - name: {name}\n    key: {name}-key\n")
        f.write("jobs: []\n")
    end_file = os.path.join(DATA, "end_ms")
    stores = []
    if args.only != "postgres":
        stores.append(("SQLite", "sqlite://" + os.path.join(DATA, "messages.db")))
    pg = os.environ.get("FNHOST_TEST_PG")
    if pg and args.only != "sqlite":
        stores.append(("PostgreSQL", with_schema(pg, SCHEMA)))
    elif args.only != "sqlite":
        print("no FNHOST_TEST_PG: SQLite only", file=sys.stderr)
    for label, database in stores:
        log = open(os.path.join(work, f"serve-{label}.log"), "w")
        port = free_port()
        done = os.path.join(DATA, f"{label}.done")
        fresh = not args.reuse or not os.path.exists(done)
        if label == "SQLite":
            path = database[len("sqlite://"):]
            if fresh:
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(path + suffix):
                        os.remove(path + suffix)
        else:
            if fresh:
                psql(pg, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        # the server makes (or migrates) the schema
        stop(start_serve(project, database, port, log))
        if fresh:
            if os.path.exists(done):
                os.remove(done)
            if not os.path.exists(end_file):
                with open(end_file, "w") as f:
                    f.write(str(int(time.time() * 1000)))
            end_ms = int(open(end_file).read())
            t = time.time()
            sample = []

            def rows_and_ids():
                for i, row in enumerate(generate(args.messages, end_ms)):
                    if i % 997 == 0:
                        sample.append(row[0])
                    yield row

            rows = rows_and_ids()
            if label == "SQLite":
                fill_sqlite(path, rows)
            else:
                fill_postgres(pg, SCHEMA, rows)
            print(f"{label}: {args.messages} messages inserted in {time.time() - t:.0f} s",
                  file=sys.stderr)
            with open(os.path.join(DATA, "ids.json"), "w") as f:
                json.dump(sample, f)
            with open(done, "w") as f:
                f.write(str(args.messages))
        end_ms = int(open(end_file).read())
        # where the jumps start: a sample of the generated ids (the same seed for every store)
        rng = random.Random(7)
        with open(os.path.join(DATA, "ids.json")) as f:
            ids = json.load(f)
        proc = start_serve(project, database, port, log)
        try:
            kinds = measure(Client(port), ids, end_ms, args.samples, args.deep_pages, rng)
        finally:
            stop(proc)
        report(f"{label}: {args.messages:,} messages, whole /messages pages (ms)", kinds)


if __name__ == "__main__":
    main()
