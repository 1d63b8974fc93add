// The undici bridge seen from an adaptor: ESM and CJS imports, MockAgent features, the body
// mixin, compose with interceptors of both handler generations, fetch over the global
// dispatcher, errors, Headers/Response. `probe` runs unchanged under Node with undici 7
// (make-expected.mjs); `netProbe` is fnhost-only.
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import undiciDefault, * as undici from 'undici';
const { MockAgent, Agent, interceptors, request, fetch, errors, setGlobalDispatcher, getGlobalDispatcher, FormData, Headers, Response, Request } = undici;
const require = createRequire(import.meta.url);
const cjs = require('./cjs.cjs');

export const probe = () => async (state) => {
  const out = {};
  out.cjs = { same: cjs.same, sub: cjs.sub, defaultSame: undiciDefault.MockAgent === MockAgent, request: typeof cjs.undici.request };
  out.globals = [globalThis.fetch === fetch, globalThis.Headers === Headers, globalThis.Response === Response, globalThis.Request === Request, globalThis.FormData === FormData];
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get('https://api.test');
  // times / persist / delay
  pool.intercept({ path: '/t', method: 'GET' }).reply(200, 'twice').times(2);
  pool.intercept({ path: '/p' }).reply(200, { ok: true }, { headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] } }).persist();
  pool.intercept({ path: '/d' }).reply(200, 'late').delay(20);
  pool.intercept({ path: '/err' }).replyWithError(new Error('kaboom'));
  pool.intercept({ path: '/q', query: { a: '1', b: 'x y' } }).reply(200, (opts) => ({ path: opts.path, method: opts.method }));
  pool.intercept({ path: (p) => p.startsWith('/fn'), method: 'POST', body: (b) => b.includes('x') }).reply(201, (opts) => ({ body: String(opts.body) }));
  pool.intercept({ path: '/h', headers: { authorization: /^Bearer / } }).reply(204, '');
  const rq = (path, opts = {}) => request(`https://api.test${path}`, { dispatcher: agent, ...opts });
  const t1 = await (await rq('/t')).body.text();
  const t2 = await (await rq('/t')).body.text();
  let t3; try { await rq('/t'); } catch (e) { t3 = [e.name, e.code, e instanceof undici.mockErrors.MockNotMatchedError, e instanceof errors.UndiciError]; }
  const p1 = await rq('/p'); const p1j = await p1.body.json();
  const p2 = await (await rq('/p')).body.json();
  const t0 = Date.now(); const d = await (await rq('/d')).body.text(); const waited = Date.now() - t0 >= 15;
  let err; try { await rq('/err'); } catch (e) { err = e.message; }
  const q = await (await rq('/q', { query: { b: 'x y', a: 1 } })).body.json();
  const f = await rq('/fn1', { method: 'POST', body: 'xyz' });
  const h = await rq('/h', { headers: { Authorization: 'Bearer t' } });
  out.mock = { t1, t2, t3, p1: { status: p1.statusCode, headers: p1.headers, body: p1j }, p2, d, waited, err, q, f: { status: f.statusCode, body: await f.body.json() }, h: h.statusCode,
    pending: agent.pendingInterceptors().length };
  // body mixin variants
  pool.intercept({ path: '/b' }).reply(200, 'hello body').times(5);
  const ab = await (await rq('/b')).body.arrayBuffer();
  const bl = await (await rq('/b')).body.blob();
  const it = []; for await (const c of (await rq('/b')).body) it.push(Buffer.isBuffer(c));
  const piped = await new Promise((resolve, reject) => {
    rq('/b').then(({ body }) => {
      const parts = [];
      body.pipe(new Writable({ write(c, e, cb) { parts.push(String(c)); cb(); } })).on('finish', () => resolve(parts.join(''))).on('error', reject);
    }, reject);
  });
  const r5 = await rq('/b'); await r5.body.text(); let reuse; try { await r5.body.text(); } catch (e) { reuse = [e.name, e.message]; }
  out.body = { ab: [ab instanceof ArrayBuffer, ab.byteLength], blob: [bl.size, await bl.text()], iter: it, piped, readable: r5.body instanceof Readable, reuse };
  // compose: redirect + decompress + retry + custom interceptors of both generations
  const zipped = await new Response(new Blob(['zipped text']).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
  pool.intercept({ path: '/r1' }).reply(302, '', { headers: { location: '/r2' } });
  pool.intercept({ path: '/r2' }).reply(301, '', { headers: { location: 'https://api.test/r3' } });
  pool.intercept({ path: '/r3' }).reply(200, 'arrived');
  pool.intercept({ path: '/gz' }).reply(200, Buffer.from(zipped), { headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' } });
  pool.intercept({ path: '/flaky' }).reply(503, 'busy').times(2);
  pool.intercept({ path: '/flaky' }).reply(200, 'recovered');
  const seen = [];
  const legacy = (dispatch) => (opts, handler) => { seen.push('legacy:' + opts.path); return dispatch(opts, handler); };
  const modern = (dispatch) => (opts, handler) => dispatch(opts, {
    onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
    onResponseStart: (c, s, h, m) => { seen.push('modern:' + s); handler.onResponseStart?.(c, s, h, m); },
    onResponseData: (c, d) => handler.onResponseData?.(c, d),
    onResponseEnd: (c, t) => handler.onResponseEnd?.(c, t),
    onResponseError: (c, e) => handler.onResponseError?.(c, e),
  });
  const composed = agent.compose(interceptors.redirect({ maxRedirections: 3 }), interceptors.decompress(), interceptors.retry({ minTimeout: 1, maxRetries: 3 }), legacy, modern);
  const red = await composed.request({ origin: 'https://api.test', path: '/r1', method: 'GET' });
  const gz = await composed.request({ origin: 'https://api.test', path: '/gz', method: 'GET' });
  const fl = await composed.request({ origin: 'https://api.test', path: '/flaky', method: 'GET' });
  out.compose = { redirect: [red.statusCode, await red.body.text()], gz: [await gz.body.text(), gz.headers['content-encoding'] ?? null], flaky: [fl.statusCode, await fl.body.text()], seen };
  // global dispatcher honoured by the global fetch, with redirects and FormData
  const prev = getGlobalDispatcher();
  setGlobalDispatcher(agent);
  try {
    pool.intercept({ path: '/f1', method: 'POST' }).reply(200, (opts) => ({ ct: String(opts.headers['content-type']).split(';')[0], body: String(opts.body).includes('name="k"') }));
    pool.intercept({ path: '/go' }).reply(307, '', { headers: { location: '/f2' } });
    pool.intercept({ path: '/f2' }).reply(200, 'fetched', { headers: { 'content-type': 'text/plain', 'x-a': '1' } });
    const fd = new FormData(); fd.append('k', 'v'); fd.append('file', new Blob(['abc'], { type: 'text/plain' }), 'a.txt');
    const f1 = await globalThis.fetch('https://api.test/f1', { method: 'POST', body: fd });
    const f2 = await globalThis.fetch('https://api.test/go');
    let ferr; try { await fetch('https://api.test/none'); } catch (e) { ferr = [e.name, e.message, e.cause?.code]; }
    out.fetch = { f1: await f1.json(), f2: [f2.status, f2.ok, f2.redirected, f2.url, await f2.text(), [...f2.headers]], ferr };
  } finally {
    setGlobalDispatcher(prev);
  }
  // net connect rules
  const a2 = new MockAgent();
  a2.disableNetConnect();
  a2.enableNetConnect('allowed.test');
  let nc; try { await request('https://other.test/x', { dispatcher: a2 }); } catch (e) { nc = e.message; }
  out.netConnect = nc;
  // errors
  out.errors = Object.entries({ HeadersTimeoutError: 0, BodyTimeoutError: 0, ConnectTimeoutError: 0, SocketError: 0, RequestAbortedError: 0, InvalidArgumentError: 0, ClientDestroyedError: 0 })
    .map(([k]) => { const e = new errors[k](); return [k, e.name, e.code, e.message, e instanceof errors.UndiciError, e instanceof Error]; });
  // Headers / Response
  const hd = new Headers({ 'X-B': '2', 'x-a': '1' }); hd.append('x-a', '3');
  const resp = Response.json({ a: 1 }, { status: 201 });
  out.web = { headers: [...hd], get: hd.get('X-A'), resp: [resp.status, resp.headers.get('content-type'), await resp.json()], req: new Request('https://x.test/a', { method: 'post', body: 'q' }).method };
  await agent.close();
  return { data: out };
};

// fnhost only: the network path, over a stand-in for the engine's HTTP ops (skipped once the
// engine has real ones; those are tested against local servers).
export const netProbe = () => async (state) => ({ data: await netChecks() });

async function netChecks() {
  if (globalThis.__fnhostHttp) return 'engine ops present';
  const sent = [];
  const bodies = new Map();
  let next = 1;
  globalThis.__fnhostHttp = {
    async fetch(req, body) {
      sent.push({ ...req, body: body ? new TextDecoder().decode(body) : null });
      if (req.url.includes('refused')) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      if (req.url.includes('slow')) throw Object.assign(new Error('headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
      const rid = next++;
      bodies.set(rid, [new TextEncoder().encode('{"a":'), new TextEncoder().encode('1}')]);
      return { status: 200, statusText: 'OK', headers: [['content-type', 'application/json'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']], url: req.url, rid };
    },
    async read(rid) { return bodies.get(rid).shift() ?? null; },
    close(rid) { bodies.delete(rid); },
  };
  try {
    const res = {};
    const ag = new Agent({ connect: { rejectUnauthorized: false, ca: 'CA' }, headersTimeout: 1000 });
    const r = await request('https://net.test/p?x=1', { dispatcher: ag, method: 'POST', body: JSON.stringify({ q: 1 }), headers: { 'content-type': 'application/json' }, query: undefined });
    res.request = { status: r.statusCode, headers: r.headers, body: await r.body.json() };
    const f = await fetch('https://net.test/f', { method: 'PUT', body: new URLSearchParams({ a: 'b' }) });
    res.fetch = { status: f.status, cookies: f.headers.getSetCookie(), body: await f.json() };
    try { await request('http://refused.test:1/'); } catch (e) { res.refused = [e.code, e.syscall, e.message]; }
    try { await fetch('http://refused.test:1/'); } catch (e) { res.fetchRefused = [e.name, e.message, e.cause?.code]; }
    try { await request('http://slow.test/'); } catch (e) { res.slow = [e.name, e.code, e instanceof errors.HeadersTimeoutError]; }
    const c = new undici.Client('https://client.test');
    const cr = await c.request({ path: '/c', method: 'GET', query: { k: 'v w' } });
    res.client = await cr.body.text();
    res.sent = sent.map(({ method, url, headers, body, redirect, decompress, tls, headersTimeoutMs }) => ({ method, url, headers, body, redirect, decompress, tls, headersTimeoutMs }));
    return res;
  } finally {
    delete globalThis.__fnhostHttp;
  }
}

// undici 5 shapes (as language-collections 0.8 uses them): runs unchanged under Node with undici 5.
export const probe5 = () => async (state) => {
  const out = {};
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get('https://app.test');
  pool.intercept({ method: 'get', path: /items\/./ }).reply((req) => ({
    statusCode: 200,
    data: JSON.stringify({ path: req.path, auth: req.headers?.Authorization ?? null, method: req.method }),
    responseOptions: { headers: { 'Content-Type': 'application/json' } },
  })).persist();
  pool.intercept({ method: 'POST', path: '/items/x' }).reply((req) => ({ statusCode: 201, data: req.body }));
  pool.intercept({ path: '/old' }).reply(301, '', { headers: { location: '/items/new' } });
  pool.intercept({ path: '/bad' }).reply(500, { problem: true }, { headers: { 'content-type': 'application/json' } });
  const r1 = await pool.request({ method: 'GET', path: '/items/a', headers: { Authorization: 'Bearer z' } });
  out.callback = { status: r1.statusCode, headers: r1.headers, body: await r1.body.json() };
  const r2 = await pool.request({ method: 'POST', path: '/items/x', body: JSON.stringify({ n: 1 }) });
  out.post = [r2.statusCode, await r2.body.text()];
  const r3 = await request('https://app.test/old', { dispatcher: agent, maxRedirections: 2 });
  out.redirect = [r3.statusCode, (await r3.body.json()).path];
  const split = [];
  const r4 = await pool.request({ method: 'GET', path: '/items/streamed' });
  await new Promise((resolve, reject) => {
    r4.body.pipe(new Writable({ write(c, e, cb) { split.push(c.length > 0); cb(); } })).on('finish', resolve).on('error', reject);
  });
  out.piped = split.every(Boolean);
  let pending;
  pool.intercept({ path: '/never' }).reply(200, 'x');
  try { agent.assertNoPendingInterceptors(); } catch (e) { pending = [e.name, e.code, e.message.split('\n')[0]]; }
  out.pending = pending;
  const regexAgent = new MockAgent();
  regexAgent.disableNetConnect();
  regexAgent.get(/\.regex\.test$/).intercept({ path: '/' }).reply(200, 'by regex');
  out.regexOrigin = await (await request('https://a.regex.test/', { dispatcher: regexAgent })).body.text();
  const prev = getGlobalDispatcher();
  setGlobalDispatcher(agent);
  try {
    const f = await fetch('https://app.test/items/f');
    out.fetch = [f.status, f.headers.get('content-type'), (await f.json()).path];
    const g = await request('https://app.test/items/g');
    out.globalRequest = (await g.body.json()).path;
  } finally {
    setGlobalDispatcher(prev);
  }
  return { data: out };
};
