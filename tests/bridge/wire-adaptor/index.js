// Sends one request per case through the undici API this package imports (the real undici 5 or
// 7 under Node, fnhost's bridge under fnhost), and through the realm's global fetch, to
// http://127.0.0.1:PORT/<case>, where a raw listener records the bytes (tests/bridge/wire.mjs,
// tests/it/bridge.rs).
import * as undici from 'undici';
import { Writable } from 'node:stream';

const json = '{"a":1}';
const drain = () => new Writable({ write(_chunk, _enc, cb) { cb(); } });
const origin = (url) => new URL(url).origin;
const pathOf = (url) => new URL(url).pathname;

/** name -> (url) => Promise; cases an API version lacks are left out. */
function cases() {
  const all = {
    'request-get': (u) => undici.request(u).then((r) => r.body.text()),
    'request-post-json': (u) => undici.request(u, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'A', authorization: 'Basic dXNlcjpwYXNz' },
      body: json,
    }).then((r) => r.body.text()),
    'request-accept': (u) => undici.request(u, { headers: { Accept: 'application/fhir+json' } }).then((r) => r.body.text()),
    'request-header-array': (u) => undici.request(u, { headers: ['X-One', '1', 'x-two', '2', 'X-One', '3'] }).then((r) => r.body.text()),
    'request-post-empty': (u) => undici.request(u, { method: 'POST' }).then((r) => r.body.text()),
    'request-delete-body': (u) => undici.request(u, { method: 'DELETE', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }).then((r) => r.body.text()),
    'request-head': (u) => undici.request(u, { method: 'HEAD' }).then((r) => r.body.text()),
    'stream-get': (u) => undici.stream(u, {}, () => drain()),
    'fetch-get': (u) => undici.fetch(u).then((r) => r.text()),
    'fetch-post-json': (u) => undici.fetch(u, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok' },
      body: json,
    }).then((r) => r.text()),
    'fetch-put-empty': (u) => undici.fetch(u, { method: 'PUT' }).then((r) => r.text()),
    'fetch-range': (u) => undici.fetch(u, { headers: { range: 'bytes=0-1' } }).then((r) => r.text()),
    'fetch-accept-encoding': (u) => undici.fetch(u, { headers: { 'accept-encoding': 'identity', 'user-agent': 'mine' } }).then((r) => r.text()),
    'client-get': (u) => {
      const client = new undici.Client(origin(u));
      return client.request({ path: pathOf(u), method: 'GET' }).then((r) => r.body.text()).finally(() => client.close());
    },
    'pool-post': (u) => {
      const pool = new undici.Pool(origin(u));
      return pool.request({ path: pathOf(u), method: 'POST', body: json, headers: { 'content-type': 'application/json' } })
        .then((r) => r.body.text()).finally(() => pool.close());
    },
  };
  const agent = new undici.Agent({ connect: {} });
  if (typeof agent.compose === 'function' && undici.interceptors?.decompress) {
    // how @openfn/language-common 3.x sends every request
    all['agent-composed'] = (u) => agent
      .compose(undici.interceptors.redirect({ maxRedirections: undefined }), undici.interceptors.decompress())
      .request({ origin: origin(u), path: pathOf(u), method: 'GET', headers: { Authorization: 'Basic dXNlcjpwYXNz' }, query: { a: '1' } })
      .then((r) => r.body.text());
  }
  return all;
}

/** The global fetch of the realm (Node's own, not the npm package's). */
const globalCases = {
  'global-fetch-get': (u) => globalThis.fetch(u).then((r) => r.text()),
  'global-fetch-post-json': (u) => globalThis.fetch(u, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Custom': 'A' },
    body: json,
  }).then((r) => r.text()),
};

/** Runs every case against the listener on `port`, one after the other; `withGlobal` adds the
 * global fetch cases. Resolves with the names, in order. */
export async function sendAll(port, withGlobal = true) {
  const names = [];
  const list = { ...cases(), ...(withGlobal ? globalCases : {}) };
  for (const [name, send] of Object.entries(list)) {
    await send(`http://127.0.0.1:${port}/${name}`);
    names.push(name);
  }
  return names;
}

/** The operation a job calls: `wire(port)`. */
export const wire = (port) => async (state) => ({ ...state, data: { sent: await sendAll(port) } });
