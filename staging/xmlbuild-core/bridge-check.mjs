// Runs js/js2xmlparser.js and js/xml2js-builder.js on Node with `native` served by the release
// example `serve` (one process, JSON lines over FIFOs, synchronous like a real native call) and
// compares every result (value, or thrown error class + message) with the real js2xmlparser 5.0.0
// and xml2js 0.6.2 for every case of cases.mjs, plus a few API-surface checks.
// Build first: CARGO_TARGET_DIR=/tmp/xmlbuild-target cargo build --release --example serve
import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { realJ2x, realX2j, j2xAll, x2jAll } from "./make-expected.mjs";
import { makeJs2xmlparser } from "./js/js2xmlparser.js";
import { makeBuilder } from "./js/xml2js-builder.js";

const bin = process.env.XB_SERVE || "/tmp/xmlbuild-target/release/examples/serve";

export function startNative() {
  const dir = mkdtempSync(join(tmpdir(), "xmlbuild-bridge-"));
  execFileSync("mkfifo", [join(dir, "req"), join(dir, "res")]);
  const child = spawn("sh", ["-c", `exec "${bin}" < "${dir}/req" > "${dir}/res"`], { stdio: "inherit" });
  const wfd = openSync(join(dir, "req"), "w");
  const rfd = openSync(join(dir, "res"), "r");
  let pending = Buffer.alloc(0);
  const stats = { calls: 0 };
  function rpc(obj) {
    stats.calls++;
    writeSync(wfd, JSON.stringify(obj) + "\n");
    for (;;) {
      const nl = pending.indexOf(10);
      if (nl !== -1) {
        const line = pending.subarray(0, nl).toString("utf8");
        pending = pending.subarray(nl + 1);
        return JSON.parse(line);
      }
      const buf = Buffer.alloc(1 << 22);
      const n = readSync(rfd, buf, 0, buf.length, null);
      if (n === 0) throw new Error("serve exited");
      pending = Buffer.concat([pending, buf.subarray(0, n)]);
    }
  }
  const answer = (a) => {
    if (a.ok !== undefined) return a.ok;
    throw { kind: a.kind, message: a.message };
  };
  const native = {
    js2xmlParse: (root, obj, opts) => answer(rpc({ op: "j2x", root, obj, opts })),
    xml2jsBuild: (obj, opts) => answer(rpc({ op: "x2j", obj, opts })),
  };
  const stop = () => {
    closeSync(wfd);
    closeSync(rfd);
    child.kill();
  };
  return { native, stats, stop };
}

function outcome(f) {
  try {
    return "value " + JSON.stringify(f());
  } catch (e) {
    return "throw " + (e && e.constructor && e.constructor.name) + " " + (e && e.message);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { native, stats, stop } = startNative();
  let fallbacks = 0;
  // Counting wrappers around the real modules (same Absent / option semantics).
  const countedJ2x = { ...realJ2x, parse: (...a) => { fallbacks++; return realJ2x.parse(...a); } };
  const countedX2j = { Builder: class extends realX2j.Builder { buildObject(o) { fallbacks++; return super.buildObject(o); } } };
  const J = makeJs2xmlparser({ native, loadReal: () => countedJ2x });
  const Builder = makeBuilder({ native, loadReal: () => countedX2j });
  let total = 0, same = 0;
  const diffs = [];
  const check = (label, fReal, fBridge) => {
    total++;
    const a = outcome(fReal), b = outcome(fBridge);
    if (a === b) same++;
    else diffs.push(`${label}\n  real:   ${a.slice(0, 300)}\n  bridge: ${b.slice(0, 300)}`);
  };
  for (const [label, root, o, p] of j2xAll()) {
    check(`js2xmlparser ${label}`, () => realJ2x.parse(root, o(), p), () => J.parse(root, o(), p));
  }
  for (const [label, o, p] of x2jAll()) {
    check(`xml2js ${label}`, () => new realX2j.Builder(p).buildObject(o()), () => new Builder(p).buildObject(o()));
  }
  // API surface
  check("js2xmlparser keys", () => Object.keys(realJ2x).sort(), () => Object.keys(J).sort());
  check("js2xmlparser Absent", () => realJ2x.Absent === realJ2x.Absent.instance.constructor, () => J.Absent === realJ2x.Absent);
  check("js2xmlparser non-string root", () => realJ2x.parse(5, { a: 1 }), () => J.parse(5, { a: 1 }));
  check("js2xmlparser null options", () => realJ2x.parse("r", { a: 1 }, null), () => J.parse("r", { a: 1 }, null));
  check("js2xmlparser typeHandler Absent", () => realJ2x.parse("r", { a: 1, b: "x" }, { typeHandlers: { "[object Number]": () => realJ2x.Absent.instance } }),
    () => J.parse("r", { a: 1, b: "x" }, { typeHandlers: { "[object Number]": () => J.Absent.instance } }));
  check("js2xmlparser cycle", () => { const o = { a: "1" }; o.self = o; return realJ2x.parse("r", o); }, () => { const o = { a: "1" }; o.self = o; return J.parse("r", o); });
  check("xml2js options", () => new realX2j.Builder({ rootName: "x" }).options, () => new Builder({ rootName: "x" }).options);
  check("xml2js options mutated", () => { const b = new realX2j.Builder(); b.options.rootName = "z"; return b.buildObject({ a: 1, b: 2 }); },
    () => { const b = new Builder(); b.options.rootName = "z"; return b.buildObject({ a: 1, b: 2 }); });
  check("xml2js reuse", () => { const b = new realX2j.Builder(); return [b.buildObject({ a: 1 }), b.buildObject({ b: 2 })]; },
    () => { const b = new Builder(); return [b.buildObject({ a: 1 }), b.buildObject({ b: 2 })]; });
  check("xml2js no argument", () => new realX2j.Builder().buildObject(), () => new Builder().buildObject());
  stop();
  for (const d of diffs) console.log("DIFF " + d);
  console.log(`bridge-check: ${total} cases, identical ${same}, different ${total - same} (native calls ${stats.calls}, real package used ${fallbacks} times by the bridges)`);
  process.exitCode = diffs.length ? 1 : 0;
}
