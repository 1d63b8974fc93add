// Records what the real packages do, for tests/it/bridge.rs to compare fnhost's undici bridge with.
//
//   bash tests/node/build-toolchain.sh      # once: OpenFn's CLI 1.36.0 (runtime 1.9.3, compiler 1.2.5)
//   node tests/bridge/make-expected.mjs     # needs python3, openssl and npm
//
// 1. errors/*.js: jobs run by OpenFn's CLI with @openfn/language-http 7.2.10 from npm (and the
//    real undici 7 under it) against tests/servers/http_fixture.py on 127.0.0.1: plain HTTP, HTTPS
//    with certificates the client does not trust (self-signed CA, self-signed leaf, a leaf sent
//    with its unknown CA), and a port nothing listens on.
//    Writes errors/<name>.expected.json (the output file), .exit and .log (stdout+stderr).
// 2. wire: the bytes undici 5 and 7 (`request`, `stream`, `fetch`) and Node's global fetch send,
//    recorded by a raw TCP listener (see wire.mjs). Writes wire/expected.json.
//
// Normalised, because they must differ between two runs (the Rust test applies the same rules):
// ports (`127.0.0.1:<PORT>`), durations (`<DURATION>` in logs, `"duration": "<MS>"` in error
// details), the test server's `date` and `server` headers, and the Versions banner's lines (they
// name the engine).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'tests/node/node_modules/@openfn/cli/dist/index.js');
if (!fs.existsSync(cli)) {
  console.error(`OpenFn CLI not found at ${cli}; run tests/node/build-toolchain.sh first`);
  process.exit(2);
}

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fnhost-bridge-expected-')));
fs.copyFileSync(path.join(here, 'package.json'), path.join(tmp, 'package.json'));
execFileSync('npm', ['install', '--no-fund', '--no-audit', '--loglevel=error'], { cwd: tmp, stdio: 'inherit' });
const languageHttp = path.join(tmp, 'node_modules/@openfn/language-http');

/** Starts tests/servers/http_fixture.py; resolves with { port, stop }. */
function startServer(args = []) {
  const child = spawn('python3', [path.join(root, 'tests/servers/http_fixture.py'), ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  return new Promise((resolve) => {
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      resolve({ port: Number(line.trim()), stop: () => child.kill() });
    });
  });
}

/** The TLS cases' certificates, made as tests/it/bridge.rs makes them: [certificate, key] of a
 * self-signed certificate as `openssl req -x509` makes it (a CA), of a self-signed leaf (not a
 * CA), and of a leaf sent with the unknown CA that signed it. */
function certificates(dir) {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const subject = ['-subj', '/CN=127.0.0.1'];
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject,
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'key.pem', '-out', 'cert.pem');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject,
    '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:FALSE',
    '-keyout', 'leaf-key.pem', '-out', 'leaf-cert.pem');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=fnhost test CA',
    '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', ...subject, '-keyout', 'signed-key.pem', '-out', 'signed.csr');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'signed.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial',
    '-days', '1', '-extfile', 'san.ext', '-out', 'signed.pem');
  fs.writeFileSync(path.join(dir, 'chain.pem'),
    fs.readFileSync(path.join(dir, 'signed.pem'), 'utf8') + fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'));
  const p = (f) => path.join(dir, f);
  return [[p('cert.pem'), p('key.pem')], [p('leaf-cert.pem'), p('leaf-key.pem')], [p('chain.pem'), p('signed-key.pem')]];
}

const freePort = () => {
  const out = execFileSync('python3', ['-c', 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])']);
  return Number(String(out).trim());
};

const plain = await startServer();
const [ca, leaf, chain] = certificates(tmp);
const tls = await startServer(ca);
const tlsLeaf = await startServer(leaf);
const tlsChain = await startServer(chain);
const closed = freePort();
const ports = [plain.port, tls.port, tlsLeaf.port, tlsChain.port, closed];

/** Which server each errors/ case talks to (the Rust test reads the same table). */
const bases = {
  'timeout': `http://127.0.0.1:${plain.port}`,
  'refused': `http://127.0.0.1:${closed}`,
  'not-found': `http://127.0.0.1:${plain.port}`,
  'tls-self-signed': `https://127.0.0.1:${tls.port}`,
  'tls-self-signed-leaf': `https://127.0.0.1:${tlsLeaf.port}`,
  'tls-untrusted-chain': `https://127.0.0.1:${tlsChain.port}`,
  'each-throws': `http://127.0.0.1:${plain.port}`,
  'each-get-404': `http://127.0.0.1:${plain.port}`,
};

const normalise = (text) => {
  let out = text;
  for (const port of ports) out = out.split(`127.0.0.1:${port}`).join('127.0.0.1:<PORT>');
  return out
    .split(tmp).join('<TMP>')
    .replace(/"duration": \d+/g, '"duration": "<MS>"')
    .replace(/"date": "[^"]*"/g, '"date": "<DATE>"')
    .replace(/"server": "[^"]*"/g, '"server": "<SERVER>"');
};

const normaliseLog = (text) =>
  normalise(text)
    .split('\n')
    .filter((line) => !line.startsWith('         ▸'))
    .join('\n')
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<DURATION>');

const errorsDir = path.join(here, 'errors');
for (const file of fs.readdirSync(errorsDir).filter((f) => f.endsWith('.js')).sort()) {
  const name = file.slice(0, -3);
  const work = path.join(tmp, 'cases', name);
  fs.mkdirSync(work, { recursive: true });
  fs.copyFileSync(path.join(errorsDir, file), path.join(work, 'job.js'));
  const state = { configuration: { baseUrl: bases[name] ?? `http://127.0.0.1:${plain.port}` }, data: { items: [1, 2] } };
  fs.writeFileSync(path.join(work, 'state.json'), JSON.stringify(state));
  const logFd = fs.openSync(path.join(work, 'log.txt'), 'w'); // one file: lines stay in order
  const res = spawnSync(process.execPath, [
    cli, 'job.js', '-a', `@openfn/language-http=${languageHttp}`, '-s', 'state.json',
    '-o', 'output.json', '--repo-dir', path.join(tmp, 'repo'),
  ], {
    cwd: work,
    stdio: ['ignore', logFd, logFd],
    env: { PATH: process.env.PATH, HOME: path.join(tmp, 'home'), NO_COLOR: '1', FORCE_COLOR: '0', TZ: 'UTC', LANG: 'C.UTF-8' },
  });
  fs.closeSync(logFd);
  const output = path.join(work, 'output.json');
  const base = path.join(errorsDir, name);
  if (fs.existsSync(output)) fs.writeFileSync(`${base}.expected.json`, normalise(fs.readFileSync(output, 'utf8')));
  else fs.rmSync(`${base}.expected.json`, { force: true });
  fs.writeFileSync(`${base}.expected.exit`, `${res.status}\n`);
  fs.writeFileSync(`${base}.expected.log`, normaliseLog(fs.readFileSync(path.join(work, 'log.txt'), 'utf8')));
  console.log(`errors/${name}: exit ${res.status}`);
}

for (const server of [plain, tls, tlsLeaf, tlsChain]) server.stop();

if (fs.existsSync(path.join(here, 'wire.mjs'))) {
  execFileSync(process.execPath, [path.join(here, 'wire.mjs'), tmp], { stdio: 'inherit' });
}
fs.rmSync(tmp, { recursive: true, force: true });
