// Random differential fuzzing: documents assembled from XML-ish fragments (well-formed and not)
// × option sets, real fast-xml-parser 4.5.7 / 5.12.1 vs the Rust side (the `serve` example).
// Usage: node fuzz.mjs [iterations=3000] [seed=1]. Prints counts and the first differences.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { real, runParse } from "./make-expected.mjs";
import { optionSets, validatorOptionSets } from "./cases.mjs";

const N = +(process.argv[2] || 3000);
let s = +(process.argv[3] || 1) >>> 0;
const r = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 4294967296);
const pick = (a) => a[Math.floor(r() * a.length)];

const names = ["a", "b", "r", "ns:a", "x:b", "br", "script", "pre", "_1", "é", "#text", "__proto__", "1", "a-b", "a.b"];
const texts = ["x", " 12 ", "0x1F", "-0", "1.0", "007", "1e5", "12345678901234567890", ".5", "true", "  ", "\n", "\t y \r\n", "&lt;", "&amp;", "&#65;", "&#x41;", "&copy;", "&foo;", "&", "a<b", ">", "'", "\"", "😀", "\u00a0", "-", "+1", "1e", "0.0", "00.5", "Infinity", "0b101", "0o7", "1_0"];
const attrVals = ["1", "0012", " 1.50 ", "true", "a&amp;b", "&lt;", "x y", "", "-0x1f", "1e3", "\"", "'"];
function attrs() {
  let o = "";
  const n = Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const nm = pick(["id", "x", "y", "ns:a", "xmlns", "xmlns:q", "b", "id"]);
    const k = r();
    if (k < 0.1) o += " " + nm;
    else if (k < 0.5) o += ` ${nm}="${pick(attrVals).replace(/"/g, "'")}"`;
    else if (k < 0.9) o += ` ${nm}='${pick(attrVals).replace(/'/g, '"')}'`;
    else o += pick([` ${nm}=1`, ` ${nm} = "z"`, `${nm}="w"`, ` =x`]);
  }
  return o;
}
function node(depth) {
  const k = r();
  if (depth > 4 || k < 0.25) return pick(texts);
  if (k < 0.3) return `<![CDATA[${pick(texts)}]]>`;
  if (k < 0.34) return `<!--${pick(texts)}-->`;
  if (k < 0.37) return `<?pi ${pick(["x", "a=\"1\""])}?>`;
  if (k < 0.42) return `<${pick(names)}${attrs()}/>`;
  if (k < 0.44) return pick(["<", "</", "</a>", "<a", "<!", "<![CDATA[", "<!--", "<?"]); // damage
  if (k < 0.47) return pick(["<br>", "<img src='x'>", "<hr/>", "<br/>", "</br>", "&ent;", "&ent2;", "&#x1F600;", "&#0;", "&#xD800;"]);
  const n = pick(names);
  let inner = "";
  const m = Math.floor(r() * 4);
  for (let i = 0; i < m; i++) inner += node(depth + 1);
  const close = r() < 0.95 ? `</${n}>` : pick(["", `</${pick(names)}>`, `</${n} >`]);
  return `<${n}${attrs()}>${inner}${close}`;
}
function doc() {
  let pre = pick(["", "", '<?xml version="1.0"?>', "\ufeff", '<!DOCTYPE r [<!ENTITY foo "F">]>', " \n", '<!DOCTYPE r [<!ENTITY ent "E &lt; 1"><!ENTITY ent2 "12">]>', '<?xml version="1.1"?>']);
  return pre + `<r${attrs()}>` + node(0) + node(0) + "</r>" + pick(["", "", "\n", "<!-- e -->", "t"]);
}

const bin = process.env.FXP_SERVE || "/tmp/fxp-parse-target/release/examples/serve";
const child = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
async function rpc(o) {
  child.stdin.write(JSON.stringify(o) + "\n");
  return JSON.parse((await lines.next()).value);
}
const c = { cases: 0, identical: 0, unsupported: 0, different: 0 };
const diffs = [];
for (let i = 0; i < N; i++) {
  const xml = doc();
  for (const v of [4, 5]) {
    for (const [on, o] of optionSets) {
      c.cases++;
      const exp = runParse(v, xml, o);
      const got = await rpc({ op: "parse", xml, opts: JSON.stringify(o), v });
      if (got.kind === "unsupported") { c.unsupported++; continue; }
      const same = got.ok !== undefined ? exp.out === got.ok : exp.cls === "Error" && exp.throw === got.message;
      if (same) c.identical++;
      else { c.different++; if (diffs.length < 15) diffs.push(`${on} v${v} ${JSON.stringify(xml)}\n  real: ${exp.out ?? exp.cls + " " + exp.throw}\n  rust: ${got.ok ?? got.kind + " " + got.message}`); }
    }
    for (const [on, o] of validatorOptionSets) {
      c.cases++;
      let exp; try { exp = JSON.stringify(real[v].XMLValidator.validate(xml, o)); } catch (e) { exp = "throw " + e.message; }
      const got = await rpc({ op: "validate", xml, opts: JSON.stringify(o), v });
      if (got.kind === "unsupported") { c.unsupported++; continue; }
      if (got.ok === exp) c.identical++;
      else { c.different++; if (diffs.length < 15) diffs.push(`validate ${on} v${v} ${JSON.stringify(xml)}\n  real: ${exp}\n  rust: ${got.ok}`); }
    }
  }
}
child.stdin.end();
for (const d of diffs) console.log("DIFF " + d);
console.log(`fuzz (${N} documents): ${c.cases} cases, identical ${c.identical}, unsupported ${c.unsupported}, different ${c.different}`);
process.exitCode = c.different ? 1 : 0;
