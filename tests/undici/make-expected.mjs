// Writes tests/undici/expected-real.json: what the `probe` operation of ./adaptor produces under
// Node with the real undici 7 (the version tests/undici/real pins, installed into a scratch
// directory with npm); expected.json: the same plus the bridge's intended differences, listed
// in FNHOST_DIFFERENCES below; and expected-5.json: what `probe5` produces with undici 5.
//
//   node tests/undici/make-expected.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const scratch = path.join(os.tmpdir(), 'fnhost-undici-expected');
fs.rmSync(scratch, { recursive: true, force: true });
fs.mkdirSync(scratch, { recursive: true });
// the version tests/undici/real pins: the one fnhost runs with --no-bridge undici
const pinned = JSON.parse(fs.readFileSync(path.join(here, 'real', 'package.json'), 'utf8')).dependencies.undici;
execFileSync('npm', ['install', '--silent', '--no-save', '--prefix', scratch, `undici@${pinned}`], { stdio: 'inherit' });
fs.cpSync(path.join(here, 'adaptor'), path.join(scratch, 'adaptor'), { recursive: true });
process.env.TZ = 'UTC';
const { probe } = await import(pathToFileURL(path.join(scratch, 'adaptor', 'index.js')).href);
const { data } = await probe()({});

const FNHOST_DIFFERENCES = {
  // Every `undici/...` subpath is the bridge's main module (Node: the file's own export).
  'cjs.sub': 'object',
  // fnhost's global Headers/Request/Response/FormData are the bridge's; Node's come from its own
  // bundled undici, so they differ from the npm package's. Global fetch is a separate function
  // (it says `user-agent: node`), as in Node.
  globals: [false, true, true, true, true],
  // Reading a used body again: undici 7 trips an internal assert; the bridge throws the
  // TypeError('unusable') undici documents for used bodies.
  'body.reuse': ['TypeError', 'unusable'],
};
// what the real package gives: fnhost with --no-bridge undici must give the same
fs.writeFileSync(path.join(here, 'expected-real.json'), JSON.stringify(data, null, 2) + '\n');
console.log('wrote tests/undici/expected-real.json');
for (const [key, value] of Object.entries(FNHOST_DIFFERENCES)) {
  const parts = key.split('.');
  let target = data;
  for (const p of parts.slice(0, -1)) target = target[p];
  target[parts.at(-1)] = value;
}
fs.writeFileSync(path.join(here, 'expected.json'), JSON.stringify(data, null, 2) + '\n');
console.log('wrote tests/undici/expected.json');

const scratch5 = path.join(os.tmpdir(), 'fnhost-undici5-expected');
fs.rmSync(scratch5, { recursive: true, force: true });
fs.mkdirSync(scratch5, { recursive: true });
execFileSync('npm', ['install', '--silent', '--no-save', '--prefix', scratch5, 'undici@5'], { stdio: 'inherit' });
fs.cpSync(path.join(here, 'adaptor'), path.join(scratch5, 'adaptor'), { recursive: true });
const { probe5 } = await import(pathToFileURL(path.join(scratch5, 'adaptor', 'index.js')).href);
const { data: data5 } = await probe5()({});
fs.writeFileSync(path.join(here, 'expected-5.json'), JSON.stringify(data5, null, 2) + '\n');
console.log('wrote tests/undici/expected-5.json');
