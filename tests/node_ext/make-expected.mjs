// Produces tests/node_ext/*.expected.json: each job here run by real Node against the same
// local servers tests/it/node_ext.rs starts (tests/servers/http_fixture.py over HTTP and over
// HTTPS with a throw-away CA made by openssl), with the same state.configuration.
// Usage (from the repository root):
//   export FNHOST_TEST_PG=$(tests/pg/start.sh)
//   (cd tests/node_ext && npm install) && TZ=UTC node tests/node_ext/make-expected.mjs [name...]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { recorder } from "../servers/recorder.mjs";

const here = dirname(fileURLToPath(import.meta.url));

if (process.argv[2] === "--one") {
  const [file, configuration] = [process.argv[3], JSON.parse(process.argv[4])];
  const mod = await import(pathToFileURL(join(here, file)).href);
  // wire.js: what matters is the bytes a raw listener records, not state.data
  const wire = file === "wire.js" ? await recorder() : undefined;
  if (wire) configuration.wire = wire.port;
  let state = { configuration, data: {} };
  for (const op of mod.default) state = await op(state);
  const out = wire
    ? Object.fromEntries(Object.entries(wire.seen).map(([k, v]) => [k, v.split(`127.0.0.1:${wire.port}`).join("127.0.0.1:<PORT>")]))
    : state.data;
  wire?.server.close();
  writeFileSync(join(here, file.replace(/\.js$/, ".expected.json")), JSON.stringify(out, null, 2) + "\n");
  process.exit(0);
}

/** tests/servers/http_fixture.py on a free port; resolves to [port, child]. */
function fixture(args = []) {
  const child = spawn("python3", [join(here, "../servers/http_fixture.py"), ...args], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve) => {
    createInterface({ input: child.stdout }).once("line", (line) => resolve([Number(line), child]));
  });
}

const certs = mkdtempSync(join(tmpdir(), "fnhost-node-ext-"));
const openssl = (...args) => execFileSync("openssl", args, { cwd: certs, stdio: "ignore" });
writeFileSync(join(certs, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=fnhost test CA", "-keyout", "ca.key", "-out", "ca.pem");
openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "leaf.csr");
openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", "cert.pem");

const [httpPort, httpServer] = await fixture();
const [httpsPort, httpsServer] = await fixture([join(certs, "cert.pem"), join(certs, "key.pem")]);
const configuration = {
  http: `http://127.0.0.1:${httpPort}`,
  https: `https://127.0.0.1:${httpsPort}`,
  ca: readFileSync(join(certs, "ca.pem"), "utf8"),
  closed: "http://127.0.0.1:9",
  rs256: readFileSync(join(here, "rs256.pem"), "utf8"),
  es256: readFileSync(join(here, "es256.pem"), "utf8"),
  // the PostgreSQL of tests/pg/start.sh (export FNHOST_TEST_PG=$(tests/pg/start.sh))
  pg: process.env.FNHOST_TEST_PG,
};
const only = process.argv.slice(2);
for (const file of readdirSync(here).sort()) {
  if (!file.endsWith(".js") || (only.length && !only.includes(file.replace(/\.js$/, "")))) continue;
  // its expected results are tests/pg_bridge/types.expected.<TZ>.json (make-types-expected.mjs)
  if (file === "pg_types_cases.js") continue;
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--one", file, JSON.stringify(configuration)], { stdio: "inherit", env: { ...process.env, TZ: "UTC" } });
  console.log(`wrote ${file.replace(/\.js$/, ".expected.json")}`);
}
httpServer.stdin.end();
httpsServer.stdin.end();
