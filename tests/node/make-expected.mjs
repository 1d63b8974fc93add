#!/usr/bin/env node
// Runs every tests/cases/<name> through the real OpenFn CLI and writes expected.json / expected.exit / expected.log.
//
// Usage: node tests/node/make-expected.mjs [case-name ...]
// Needs the toolchain installed by build-toolchain.sh (tests/node/node_modules/@openfn/cli).
//
// Case folder layout (all optional except job.js or workflow.json):
//   job.js         job source as a user writes it (run as `openfn job.js`)
//   workflow.json  workflow (run as `openfn workflow.json`); step "adaptors" name fixtures, e.g. ["esm-adaptor"]
//   state.json     passed with -s state.json
//   adaptor.txt    fixture name for a job (tests/fixtures/<name>), empty/missing = no adaptor
//   cli-args.txt   extra CLI arguments, one per line
//   raw-fixture-path  marker file: give the CLI the in-tree fixture path instead of the staged node_modules copy
//   cache-input.json  { "<path>": "<text>" }: files written into the case folder before the run (a step cache)
//
// Besides expected.exit/.json/.log, a run that leaves a .cli-cache folder (--cache-steps) records it as
// expected.cache.json: { "<path under the case folder>": "<file text>" } for every file in it.
//
// Fixtures are staged (copied) to <tmp>/node_modules/<name>, the place where the CLI would have installed a real
// adaptor; the runtime decides "error came from adaptor code" by looking for node_modules in stack frames.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const casesDir = path.join(root, 'tests/cases');
const fixturesDir = path.join(root, 'tests/fixtures');
const cli = path.join(here, 'node_modules/@openfn/cli/dist/index.js');

if (!fs.existsSync(cli)) {
  console.error(`OpenFn CLI not found at ${cli}; run tests/node/build-toolchain.sh first`);
  process.exit(2);
}

// Use a fixed-length-free, realpath'd temp root so that it can be replaced in logs.
const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fnhost-expected-')));
const staged = path.join(tmp, 'node_modules');
const home = path.join(tmp, 'home');
fs.mkdirSync(staged, { recursive: true });
fs.mkdirSync(home, { recursive: true });
for (const name of fs.readdirSync(fixturesDir)) {
  const src = path.join(fixturesDir, name);
  if (fs.statSync(src).isDirectory()) {
    fs.cpSync(src, path.join(staged, name), { recursive: true });
  }
}

const readOpt = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);

const adaptorSpec = (name, raw) =>
  `${name}=${raw ? path.join(fixturesDir, name) : path.join(staged, name)}`;

// Replace machine-specific paths (used for expected.json too).
const normalisePaths = (text, caseTmp) =>
  text
    .split(caseTmp).join('<CASE>')
    .split(staged).join('<STAGED>/node_modules')
    .split(tmp).join('<TMP>')
    .split(fixturesDir).join('<FIXTURES>')
    .split(path.join(here, 'node_modules')).join('<TOOLCHAIN>/node_modules')
    .split(root).join('<REPO>');

// Replace machine-specific and time-dependent text in the log.
const normaliseLog = (text, caseTmp) =>
  normalisePaths(text, caseTmp)
    // durations printed by @openfn/logger's printDuration: "12ms", "1.23s", "1m 2.000s"
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<DURATION>')
    .replace(/<DURATION>(?: <DURATION>)+/g, '<DURATION>')
    .replace(/"time":"\d+"/g, '"time":"<TIME>"')
    .replace(/\[step \d+mb\] \[system \d+mb\]/g, '[step <N>mb] [system <N>mb]');

const runCase = (name) => {
  const dir = path.join(casesDir, name);
  const caseTmp = path.join(tmp, 'cases', name);
  fs.mkdirSync(caseTmp, { recursive: true });
  // Copy everything except previous results.
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith('expected.')) fs.cpSync(path.join(dir, f), path.join(caseTmp, f), { recursive: true });
  }
  const cacheInput = readOpt(path.join(dir, 'cache-input.json'));
  for (const [file, text] of Object.entries(cacheInput ? JSON.parse(cacheInput) : {})) {
    fs.mkdirSync(path.dirname(path.join(caseTmp, file)), { recursive: true });
    fs.writeFileSync(path.join(caseTmp, file), text);
  }
  const raw = fs.existsSync(path.join(dir, 'raw-fixture-path'));
  const args = [cli];
  const isWorkflow = fs.existsSync(path.join(dir, 'workflow.json'));

  if (isWorkflow) {
    const wf = JSON.parse(fs.readFileSync(path.join(dir, 'workflow.json'), 'utf8'));
    const steps = wf.workflow?.steps ?? wf.steps ?? wf.jobs ?? [];
    for (const step of steps) {
      if (Array.isArray(step.adaptors)) step.adaptors = step.adaptors.map((a) => adaptorSpec(a, raw));
      if (typeof step.adaptor === 'string') step.adaptor = adaptorSpec(step.adaptor, raw);
    }
    fs.writeFileSync(path.join(caseTmp, 'workflow.json'), JSON.stringify(wf, null, 2));
    args.push('workflow.json');
  } else {
    args.push('job.js');
    const adaptor = readOpt(path.join(dir, 'adaptor.txt'))?.trim();
    if (adaptor) args.push('-a', adaptorSpec(adaptor, raw));
  }
  // Adaptor names are fixture names, not shorthands for @openfn/language-*.
  args.push('--no-expand-adaptors');
  if (fs.existsSync(path.join(dir, 'state.json'))) args.push('-s', 'state.json');
  args.push('-o', 'output.json', '--repo-dir', path.join(tmp, 'repo'));
  const extra = readOpt(path.join(dir, 'cli-args.txt'));
  if (extra) args.push(...extra.split('\n').map((l) => l.trim()).filter(Boolean));

  const logFile = path.join(caseTmp, 'cli.log');
  const fd = fs.openSync(logFile, 'w');
  const res = spawnSync(process.execPath, args, {
    cwd: caseTmp,
    stdio: ['ignore', fd, fd],
    env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', FORCE_COLOR: '0', TZ: 'UTC', LANG: 'C.UTF-8' },
    timeout: 120_000,
  });
  fs.closeSync(fd);
  const exit = res.status ?? `signal ${res.signal}`;

  fs.writeFileSync(path.join(dir, 'expected.exit'), `${exit}\n`);
  fs.writeFileSync(path.join(dir, 'expected.log'), normaliseLog(fs.readFileSync(logFile, 'utf8'), caseTmp));
  const out = path.join(caseTmp, 'output.json');
  const expectedJson = path.join(dir, 'expected.json');
  if (fs.existsSync(out)) {
    // What the CLI wrote (2-space JSON, no trailing newline; '' when the final state is undefined),
    // with absolute paths replaced by placeholders (only error messages ever contain paths).
    fs.writeFileSync(expectedJson, normalisePaths(fs.readFileSync(out, 'utf8'), caseTmp));
  } else {
    // The CLI writes no output file at all when the run crashes.
    fs.rmSync(expectedJson, { force: true });
  }
  const cacheFiles = {};
  const walk = (rel) => {
    const abs = path.join(caseTmp, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) {
      for (const f of fs.readdirSync(abs).sort()) walk(path.join(rel, f));
    } else {
      cacheFiles[rel] = normalisePaths(fs.readFileSync(abs, 'utf8'), caseTmp);
    }
  };
  walk('.cli-cache');
  const expectedCache = path.join(dir, 'expected.cache.json');
  if (Object.keys(cacheFiles).length) {
    fs.writeFileSync(expectedCache, JSON.stringify(cacheFiles, null, 2) + '\n');
  } else {
    fs.rmSync(expectedCache, { force: true });
  }
  const cmd = args.slice(1).map((a) => a.split(staged).join('<STAGED>/node_modules').split(tmp).join('<TMP>')).join(' ');
  console.log(`${name.padEnd(34)} exit=${exit} ${fs.existsSync(out) ? 'output.json' : 'NO output file'}   openfn ${cmd}`);
};

const only = process.argv.slice(2);
const names = fs
  .readdirSync(casesDir)
  .filter((n) => fs.statSync(path.join(casesDir, n)).isDirectory())
  .filter((n) => !only.length || only.includes(n))
  .sort();
for (const name of names) runCase(name);
fs.rmSync(tmp, { recursive: true, force: true });
