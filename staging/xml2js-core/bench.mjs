// Benchmark helper (see examples/bench.rs).
//   node bench.mjs gen FILE BYTES          write a CommCare-style document
//   node bench.mjs node FILE [RUST.json]   time xml2js on FILE; with RUST.json also
//                                          time JSON.parse of the Rust output and check it
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { benchDoc } from './make-expected.mjs';

const [cmd, file, arg] = process.argv.slice(2);
if (cmd === 'gen') {
  fs.writeFileSync(file, benchDoc(Number(arg ?? 20_000_000)));
  console.log(`wrote ${fs.statSync(file).size} bytes to ${file}`);
} else if (cmd === 'node') {
  const xml2js = createRequire('/tmp/xmlref/package.json')('xml2js');
  const xml = fs.readFileSync(file, 'utf8');
  const time = (label, f) => {
    const times = [];
    let r;
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      r = f();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`${label.padEnd(40)} min ${times[0].toFixed(1).padStart(7)} ms, median ${times[2].toFixed(1).padStart(7)} ms`);
    return r;
  };
  const parse = () => {
    let out;
    xml2js.parseString(xml, (err, res) => { if (err) throw err; out = res; });
    return out;
  };
  const result = time('xml2js parseString', parse);
  if (arg) {
    const text = fs.readFileSync(arg, 'utf8');
    time('JSON.parse(Rust output)', () => JSON.parse(text));
    console.log(JSON.stringify(result) === text ? 'Rust output is identical to JSON.stringify(xml2js result)' : 'OUTPUT DIFFERS');
  }
}
