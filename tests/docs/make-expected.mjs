#!/usr/bin/env node
// Records what OpenFn's CLI (`openfn docs`) prints for language-common 3.3.4: the function list, `fn`,
// `each` and an unknown name. Output: tests/docs/expected/<name>.txt (stdout of the CLI, NO_COLOR).
//
// Usage: node tests/docs/make-expected.mjs
// Needs the toolchain of tests/node (bash tests/node/build-toolchain.sh) and npm.
//
// `openfn docs` first makes a description of the package with @openfn/describe-package, which fetches
// the package's .d.ts files from a CDN; that is not reachable here. So this script makes the same
// description from the .d.ts files of the npm package, with describe-package's own Project and
// describeDts (what its describePackage does once it has the files, language-common having no
// language-common dependency to add), and puts it where `openfn docs` caches it
// (<repo>/docs/<name>@<version>.json). The CLI then finds it and prints from it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const toolchain = path.resolve(here, '../node');
const cli = path.join(toolchain, 'node_modules/@openfn/cli/dist/index.js');
const { Project, describeDts } = await import(
  pathToFileURL(path.join(toolchain, 'node_modules/@openfn/describe-package/dist/index.js')).href
);

const NAME = '@openfn/language-common';
const VERSION = '3.3.4';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fnhost-docs-')));
const npm = spawnSync('npm', ['install', '--no-fund', '--no-audit', '--loglevel=error', `${NAME}@${VERSION}`], {
  cwd: tmp,
  stdio: 'inherit',
});
if (npm.status !== 0) process.exit(1);
const pkgDir = path.join(tmp, 'node_modules', NAME);

// the package's .d.ts files as the CDN lists them: "/types/index.d.ts", sorted
const listing = [];
const walk = (rel) => {
  for (const f of fs.readdirSync(path.join(pkgDir, rel)).sort()) {
    const r = path.posix.join(rel, f);
    if (fs.statSync(path.join(pkgDir, r)).isDirectory()) walk(r);
    else if (/\.d\.ts$/.test(f)) listing.push('/' + r);
  }
};
walk('');
listing.sort();

const project = new Project();
const functions = [];
const namespaces = [];
for (const fileName of listing) {
  if (/beta\.d\.ts$/.test(fileName)) continue;
  project.createFile(fs.readFileSync(path.join(pkgDir, fileName), 'utf8'), fileName);
  for (const member of describeDts(project, fileName)) {
    if (member.type === 'function') {
      member.package = NAME;
      functions.push(member);
    } else if (member.type === 'namespace') {
      namespaces.push(member);
    }
  }
}
const repo = path.join(tmp, 'repo');
const docsFile = path.join(repo, 'docs', `${NAME}@${VERSION}.json`);
fs.mkdirSync(path.dirname(docsFile), { recursive: true });
fs.writeFileSync(docsFile, JSON.stringify({ name: NAME, version: VERSION, functions, namespaces }, null, 2));

const out = path.join(here, 'expected');
fs.mkdirSync(out, { recursive: true });
for (const [file, fn] of [['list', undefined], ['fn', 'fn'], ['each', 'each'], ['unknown', 'nope']]) {
  const args = [cli, 'docs', `common@${VERSION}`, ...(fn ? [fn] : []), '--repo-dir', repo];
  const res = spawnSync(process.execPath, args, {
    cwd: tmp,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tmp, NO_COLOR: '1', FORCE_COLOR: '0', TZ: 'UTC' },
  });
  fs.writeFileSync(path.join(out, `${file}.txt`), res.stdout.split(tmp).join('<TMP>'));
  fs.writeFileSync(path.join(out, `${file}.exit`), `${res.status}\n`);
  console.log(`${file.padEnd(8)} exit=${res.status} openfn docs common@${VERSION} ${fn ?? ''}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
