// Part 2 of make-expected.mjs: the request bytes the real undici 7 and 5 (and Node's global
// fetch) send for each case of wire-adaptor/index.js, recorded by a raw TCP listener on
// 127.0.0.1 that answers every request with a 2-byte body. Writes wire/expected.json:
// { "undici7": { case: bytes }, "undici5": { ... }, "languageHttp": { exit, cases } }, the host's
// port written `<PORT>`. `languageHttp` is wire-jobs/language-http.js run by OpenFn's CLI with
// @openfn/language-http 7.2.10 (basic auth from the configuration).
//
//   node tests/bridge/wire.mjs SCRATCH    # SCRATCH: tests/bridge/package.json installed there
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recorder } from '../servers/recorder.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const scratch = path.resolve(process.argv[2] ?? '.');

/** The adaptor with `undici` resolving to `pkg` (a folder of SCRATCH/node_modules). */
function stage(name, pkg) {
  const dir = path.join(scratch, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(path.join(scratch, 'node_modules', pkg), path.join(dir, 'node_modules', 'undici'));
  fs.cpSync(path.join(here, 'wire-adaptor'), path.join(dir, 'wiretest'), { recursive: true });
  return pathToFileURL(path.join(dir, 'wiretest', 'index.js')).href;
}

const record = {};
for (const [key, pkg] of [['undici7', 'undici'], ['undici5', 'undici5']]) {
  const { sendAll } = await import(stage(`wire-${key}`, pkg));
  const { server, seen, port } = await recorder();
  const names = await sendAll(port, key === 'undici7');
  server.close();
  const version = JSON.parse(fs.readFileSync(path.join(scratch, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  const cases = {};
  for (const name of names) cases[name] = seen[name].split(`127.0.0.1:${port}`).join('127.0.0.1:<PORT>');
  record[key] = { version, cases };
  console.log(`wire ${key} (undici ${version}): ${names.length} cases`);
}
// language-http 7.2.10 itself, run by OpenFn's CLI: what a job's requests look like on the wire
const cli = path.resolve(here, '../node/node_modules/@openfn/cli/dist/index.js');
{
  const { server, seen, port } = await recorder();
  const work = path.join(scratch, 'wire-language-http');
  fs.mkdirSync(work, { recursive: true });
  const job = path.join(here, 'wire-jobs', 'language-http.js');
  const state = { configuration: { baseUrl: `http://127.0.0.1:${port}`, username: 'user', password: 'pass' } };
  fs.writeFileSync(path.join(work, 'state.json'), JSON.stringify(state));
  const child = spawn(process.execPath, [
    cli, job, '-a', `@openfn/language-http=${path.join(scratch, 'node_modules/@openfn/language-http')}`,
    '-s', 'state.json', '-o', 'output.json', '--repo-dir', path.join(scratch, 'repo'),
  ], { cwd: work, stdio: 'ignore', env: { PATH: process.env.PATH, HOME: path.join(scratch, 'home'), NO_COLOR: '1', TZ: 'UTC' } });
  const status = await new Promise((resolve) => child.on('exit', resolve));
  server.close();
  const cases = {};
  for (const [name, bytes] of Object.entries(seen)) cases[name] = bytes.split(`127.0.0.1:${port}`).join('127.0.0.1:<PORT>');
  record.languageHttp = { exit: status, cases };
  console.log(`wire language-http: ${Object.keys(cases).length} requests, exit ${status}`);
}
record.node = process.version;
fs.mkdirSync(path.join(here, 'wire'), { recursive: true });
fs.writeFileSync(path.join(here, 'wire', 'expected.json'), JSON.stringify(record, null, 2) + '\n');
process.exit(0); // keep-alive sockets of the clients would hold the process open
