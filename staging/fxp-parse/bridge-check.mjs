// Runs js/parser.js on Node with `native` served by the release example `serve` (one process,
// JSON lines over FIFOs, synchronous like a real native call) and compares every result with the
// real fast-xml-parser 4.5.x / 5.12.1: all cases.mjs documents × option sets, plus constructor
// errors, callback options (fallback), addEntity, Buffer input and parse(xml, true).
// Build first: CARGO_TARGET_DIR=/tmp/fxp-parse-target cargo build --release --example serve
import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, writeSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { docs, bigDocs, optionSets, badOptionSets, callbackOptionSets, validatorOptionSets } from "./cases.mjs";
import { real } from "./make-expected.mjs";
import { makeXmlParser } from "./js/parser.js";

const bin = process.env.FXP_SERVE || "/tmp/fxp-parse-target/release/examples/serve";
const dir = mkdtempSync(join(tmpdir(), "fxp-bridge-"));
execFileSync("mkfifo", [join(dir, "req"), join(dir, "res")]);
const child = spawn("sh", ["-c", `exec "${bin}" < "${dir}/req" > "${dir}/res"`], { stdio: "inherit" });
const wfd = openSync(join(dir, "req"), "w");
const rfd = openSync(join(dir, "res"), "r");
let pending = Buffer.alloc(0);
let calls = 0;
function rpc(obj) {
  calls++;
  writeSync(wfd, JSON.stringify(obj) + "\n");
  for (;;) {
    const nl = pending.indexOf(10);
    if (nl !== -1) {
      const line = pending.subarray(0, nl).toString("utf8");
      pending = pending.subarray(nl + 1);
      return JSON.parse(line);
    }
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(rfd, buf, 0, buf.length, null);
    if (n === 0) throw new Error("serve exited");
    pending = Buffer.concat([pending, buf.subarray(0, n)]);
  }
}
const native = {
  fxpParse(xml, optionsJson, v) {
    const a = rpc({ op: "parse", xml, opts: optionsJson, v });
    if (a.ok !== undefined) return a.ok;
    throw { kind: a.kind, message: a.message };
  },
  fxpValidate(xml, optionsJson, v) {
    const a = rpc({ op: "validate", xml, opts: optionsJson, v });
    if (a.ok !== undefined) return a.ok;
    throw { kind: "unsupported" };
  },
};
let fallbacks = 0;
const bridges = {};
for (const v of [4, 5]) {
  bridges[v] = makeXmlParser({ native, loadReal: () => { fallbacks++; return real[v]; }, version: v });
}

function outcome(f) {
  try {
    return "value " + JSON.stringify(f());
  } catch (e) {
    return "throw " + (e && e.constructor && e.constructor.name) + " " + (e && e.message);
  }
}

let total = 0, same = 0;
const diffs = [];
function check(label, fReal, fBridge) {
  total++;
  const a = outcome(fReal), b = outcome(fBridge);
  if (a === b) same++;
  else diffs.push(`${label}\n  real:   ${a.slice(0, 300)}\n  bridge: ${b.slice(0, 300)}`);
}

const allDocs = [...docs, ...bigDocs.map(([n, g]) => [n, g()])];
for (const v of [4, 5]) {
  const R = real[v], B = bridges[v];
  for (const [dn, xml] of allDocs) {
    for (const [on, o] of [...optionSets, ...callbackOptionSets]) {
      check(`parse ${dn} × ${on} × v${v}`, () => new R.XMLParser(o).parse(xml), () => new B.XMLParser(o).parse(xml));
    }
    for (const [on, o] of validatorOptionSets) {
      check(`validate ${dn} × ${on} × v${v}`, () => R.XMLValidator.validate(xml, o), () => B.XMLValidator.validate(xml, o));
    }
    check(`parse(xml,true) ${dn} × v${v}`, () => new R.XMLParser().parse(xml, true), () => new B.XMLParser().parse(xml, true));
  }
  for (const [on, o] of badOptionSets) {
    check(`constructor ${on} × v${v}`, () => new R.XMLParser(o), () => new B.XMLParser(o));
  }
  // addEntity
  for (const [k, val] of [["foo", "bar"], ["a.b", "dot"], ["lt", "LT"], ["x", "a&b"], ["&y;", "z"], ["z", "&"], ["d", "$&$"]]) {
    const doc = `<r a="&${k};">&${k}; &foo; &a.b; &axb; &lt;</r>`;
    const run = (P) => { const p = new P.XMLParser({ ignoreAttributes: false }); p.addEntity(k, val); return p.parse(doc); };
    check(`addEntity ${k}=${val} × v${v}`, () => run(R), () => run(B));
  }
  // Buffer and non-string input
  check(`Buffer × v${v}`, () => new R.XMLParser().parse(Buffer.from("<r><a>1</a>é</r>")), () => new B.XMLParser().parse(Buffer.from("<r><a>1</a>é</r>")));
  check(`Uint8Array × v${v}`, () => new R.XMLParser().parse(new TextEncoder().encode("<r>x</r>")), () => new B.XMLParser().parse(new TextEncoder().encode("<r>x</r>")));
  check(`number input × v${v}`, () => new R.XMLParser().parse(5), () => new B.XMLParser().parse(5));
  check(`null input × v${v}`, () => new R.XMLParser().parse(null), () => new B.XMLParser().parse(null));
  check(`lone surrogate × v${v}`, () => new R.XMLParser().parse("<r>\ud800</r>"), () => new B.XMLParser().parse("<r>\ud800</r>"));
}
closeSync(wfd);
closeSync(rfd);
child.kill();
for (const d of diffs) console.log("DIFF " + d);
console.log(`bridge-check: ${total} cases, identical ${same}, different ${total - same} (native calls ${calls}, real package used ${fallbacks} times)`);
process.exitCode = diffs.length ? 1 : 0;
