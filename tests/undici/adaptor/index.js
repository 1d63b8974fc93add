// The undici bridge seen from an adaptor: ESM and CJS imports, MockAgent features, the body
// mixin, compose with interceptors of both handler generations, fetch over the global
// dispatcher, errors, Headers/Response. `probe` runs unchanged under Node with undici 7
// (make-expected.mjs); `serverProbe` is fnhost-only (it needs the engine's HTTP ops).
import { createRequire } from 'node:module';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline as pipelinePromise } from 'node:stream/promises';
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
  // the body as a Node stream and as a web stream
  pool.intercept({ path: '/s' }).reply(200, 'abc'.repeat(10)).persist();
  const streams = {};
  let acc = '';
  await pipelinePromise((await rq('/s')).body, new Transform({ transform(c, e, cb) { cb(null, String(c).toUpperCase()); } }), new Writable({ write(c, e, cb) { acc += c; cb(); } }));
  streams.pipeline = acc;
  const webParts = [];
  for await (const c of (await rq('/s')).body.body) webParts.push(new TextDecoder().decode(c));
  streams.toWeb = webParts.join('');
  let fromWeb = '';
  for await (const c of Readable.fromWeb((await fetch('https://api.test/s', { dispatcher: agent })).body)) fromWeb += c;
  streams.fromWeb = fromWeb;
  streams.readableFrom = (await Readable.from((await rq('/s')).body).toArray()).map(String).join('');
  streams.dump = (await (await rq('/s')).body.dump()) ?? 'undefined';
  const fc = await fetch('https://api.test/s', { dispatcher: agent });
  const fc2 = fc.clone();
  streams.clone = [await fc.text(), await fc2.text(), fc.bodyUsed];
  streams.bytes = (await (await rq('/s')).body.bytes()).length;
  out.streams = streams;
  {
    let collected = '';
    const res = await undici.stream('https://api.test/s', { dispatcher: agent, opaque: { tag: 't' } }, ({ statusCode, opaque }) => {
      collected += `${statusCode}:${opaque.tag}:`;
      return new Writable({ write(c, e, cb) { collected += c; cb(); } });
    });
    out.streamApi = [collected, Object.keys(res).sort(), res.opaque];
  }
  // call history, default headers, content-length, trailers, abort during a delayed reply
  const ha = new MockAgent({ enableCallHistory: true });
  ha.disableNetConnect();
  const hp = ha.get('https://h.test');
  hp.intercept({ path: '/x?q=1', method: 'POST' }).defaultReplyHeaders({ 'x-default': 'd' }).replyContentLength().reply(200, 'four', { trailers: { 'x-t': 'tt' } });
  hp.intercept({ path: '/slow' }).reply(200, 'late').delay(200);
  const hx = await request('https://h.test/x?q=1', { dispatcher: ha, method: 'POST', body: 'b', headers: { 'x-h': 'v' } });
  const hxText = await hx.body.text();
  const ctl = new AbortController();
  const slow = request('https://h.test/slow', { dispatcher: ha, signal: ctl.signal });
  setTimeout(() => ctl.abort(), 10);
  let aborted; try { await slow; } catch (e) { aborted = [e.name, e.code ?? null]; }
  const first = ha.getCallHistory().firstCall();
  out.extras = {
    headers: hx.headers, text: hxText, trailers: hx.trailers, aborted,
    history: [ha.getCallHistory().calls().length, first.method, first.path, first.origin, first.fullUrl, first.searchParams, first.body, first.headers],
    pending: ha.pendingInterceptors().map((p) => [p.path, p.method, p.timesInvoked]),
  };
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
  pool.intercept({ path: '/down' }).reply(503, 'down', { headers: { 'retry-after': '0' } }).persist();
  pool.intercept({ path: '/reset' }).replyWithError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
  pool.intercept({ path: '/reset' }).reply(200, 'after reset');
  const retrying = agent.compose(interceptors.retry({ minTimeout: 1, maxTimeout: 5, maxRetries: 2 }));
  let exhausted;
  try { const d = await retrying.request({ origin: 'https://api.test', path: '/down', method: 'GET' }); exhausted = ['resolved', d.statusCode, await d.body.text()]; } catch (e) { exhausted = [e.name, e.code, e.statusCode, e.message]; }
  let reset;
  try { const d = await retrying.request({ origin: 'https://api.test', path: '/reset', method: 'GET' }); reset = [d.statusCode, await d.body.text()]; } catch (e) { reset = [e.name, e.code, e.message]; }
  out.retry = { exhausted, reset };
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
    pool.intercept({ path: '/match', method: 'POST', body: '{"a":1}' }).reply(200, (opts) => ({ type: typeof opts.body, body: opts.body }));
    const fm = await fetch('https://api.test/match', { method: 'POST', body: JSON.stringify({ a: 1 }) });
    out.fetchBodyMatch = await fm.json();
    let ferr; try { await fetch('https://api.test/none'); } catch (e) { ferr = [e.name, e.message, e.cause?.code]; }
    pool.intercept({ path: '/m' }).reply(302, 'moved', { headers: { location: '/f2' } }).times(2);
    pool.intercept({ path: '/empty' }).reply(204, '');
    pool.intercept({ path: '/slowf' }).reply(200, 'x').delay(200);
    const manual = await fetch('https://api.test/m', { redirect: 'manual' });
    let redirErr; try { await fetch('https://api.test/m', { redirect: 'error' }); } catch (e) { redirErr = [e.name, e.message, e.cause?.message ?? null]; }
    const empty = await fetch('https://api.test/empty');
    const fctl = new AbortController();
    const slowF = fetch('https://api.test/slowf', { signal: fctl.signal });
    setTimeout(() => fctl.abort(), 10);
    let fAbort; try { await slowF; } catch (e) { fAbort = [e.name, e.message]; }
    const d1 = await fetch('data:,Hello%2C%20World%21');
    const d2 = await fetch('data:text/plain;base64,SGVsbG8=');
    const d3 = await fetch('data:application/json;charset=utf-8,%7B%22a%22%3A1%7D');
    out.dataUrls = [[d1.status, d1.statusText, d1.headers.get('content-type'), await d1.text()], [d2.headers.get('content-type'), await d2.text()], [d3.headers.get('content-type'), await d3.json()]];
    pool.intercept({ path: '/fgz' }).reply(200, Buffer.from(zipped), { headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' } });
    const fgz = await fetch('https://api.test/fgz');
    out.fetchGzipMock = [fgz.headers.get('content-encoding'), await fgz.text()];
    out.fetchMore = { manual: [manual.status, manual.headers.get('location'), manual.redirected, await manual.text()], redirErr, empty: [empty.status, empty.body, await empty.text()], fAbort };
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
  const tryit = (f) => { try { return f(); } catch (e) { return [e.name, e.message, e.code ?? null]; } };
  const mk = () => new MockAgent().get('https://a.test');
  out.validation = {
    badName: tryit(() => new Headers({ 'x y': '1' })),
    badSet: tryit(() => new Headers().set('a\n', 'b')),
    getBody: tryit(() => new Request('https://x.test/', { method: 'GET', body: 'x' })),
    badUrl: tryit(() => new Request('/relative')),
    status: tryit(() => new Response('x', { status: 99 })),
    nullBody: tryit(() => new Response('x', { status: 204 })),
    redirect: (() => { const rr = Response.redirect('https://x.test/a', 301); return [rr.status, rr.headers.get('location')]; })(),
    noStatus: tryit(() => mk().intercept({ path: '/' }).reply()),
    times0: tryit(() => mk().intercept({ path: '/' }).reply(200, '').times(0)),
    noPath: tryit(() => mk().intercept({})),
    sorted: [...new Headers([['b', '1'], ['Set-Cookie', 'x=1'], ['a', '2'], ['set-cookie', 'y=2'], ['A', '3']])],
    ctype: [new Response('s').headers.get('content-type'), new Response(new URLSearchParams('a=1')).headers.get('content-type'), new Response(new Uint8Array(2)).headers.get('content-type'), new Response(new Blob(['x'], { type: 'a/b' })).headers.get('content-type')],
    method: [new Request('https://x.test/', { method: 'PATCH' }).method, new Request('https://x.test/', { method: 'post' }).method, new Request('https://x.test/', { method: 'custom' }).method],
  };
  out.web = { headers: [...hd], get: hd.get('X-A'), resp: [resp.status, resp.headers.get('content-type'), await resp.json()], req: new Request('https://x.test/a', { method: 'post', body: 'q' }).method };
  const mime = undici.parseMIMEType('Text/HTML; Charset="utf-8"; q=1');
  const ch = new Headers([['set-cookie', 'sid=abc; Path=/; HttpOnly; Max-Age=60'], ['cookie', 'a=1; b=2']]);
  out.misc = {
    mime: [mime.type, mime.subtype, mime.essence, [...mime.parameters], undici.serializeAMimeType(mime)],
    badMime: undici.parseMIMEType('nonsense'),
    cookies: undici.getCookies(ch),
    setCookies: undici.getSetCookies(ch),
  };
  await agent.close();
  return { data: out };
};

// fnhost only: the bridge over the engine's HTTP ops, against the local test server at `base`
// (tests/servers/http_fixture.py).
export const serverProbe = (base, freePort) => async (state) => {
  const out = {};
  const r = await request(`${base}/json`);
  out.json = [r.statusCode, r.headers['content-type'], await r.body.json()];
  const raw = await request(`${base}/redirect`);
  out.redirectRaw = [raw.statusCode, raw.headers.location, await raw.body.text()];
  const composed = new Agent({ connect: {} }).compose(interceptors.redirect({ maxRedirections: 2 }), interceptors.decompress());
  const followed = await composed.request({ origin: base, path: '/redirect', method: 'GET' });
  out.redirectFollowed = [followed.statusCode, await followed.body.json()];
  const gz = await composed.request({ origin: base, path: '/gzip', method: 'GET' });
  out.gzip = [gz.headers['content-encoding'] ?? null, await gz.body.json()];
  const gzRaw = await request(`${base}/gzip`);
  const bytes = new Uint8Array(await gzRaw.body.arrayBuffer());
  out.gzipRaw = [gzRaw.headers['content-encoding'], bytes[0], bytes[1]];
  const echo = await request(`${base}/echo`, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' } });
  const e = await echo.body.json();
  out.echo = [e.method, e.body, e.headers.authorization, e.headers['content-type']];
  const q = await request(`${base}/echo`, { method: 'PUT', body: Buffer.from('bytes'), headers: { authorization: 'Bearer tok' } });
  const qe = await q.body.json();
  out.put = [qe.method, qe.body, qe.headers.authorization];
  const chunks = [];
  for await (const c of (await request(`${base}/chunks`)).body) chunks.push(String(c));
  out.chunks = chunks.join('');
  const f = await fetch(`${base}/redirect`);
  out.fetchRedirect = [f.status, f.redirected, f.url === `${base}/json`, await f.json()];
  const fg = await fetch(`${base}/gzip`);
  out.fetchGzip = await fg.json();
  const fd = new FormData();
  fd.append('k', 'v');
  const fe = await (await fetch(`${base}/echo`, { method: 'POST', body: fd })).json();
  out.fetchForm = [fe.headers['content-type'].split(';')[0], fe.body.includes('name="k"'), fe.headers['user-agent']];
  try { await request(`${base}/slow-headers`, { headersTimeout: 300 }); } catch (err) { out.timeout = [err.name, err.code, err instanceof errors.HeadersTimeoutError]; }
  try { await fetch(`${base}/slow-headers`, { dispatcher: new Agent({ headersTimeout: 300 }) }); } catch (err) { out.fetchTimeout = [err.name, err.message, err.cause?.code]; }
  try { await request(`http://127.0.0.1:${freePort}/`); } catch (err) { out.refused = [err.code, err.syscall]; }
  try { await fetch(`http://127.0.0.1:${freePort}/`); } catch (err) { out.fetchRefused = [err.name, err.message, err.cause?.code]; }
  // the server closes mid-body, or without answering
  try { const r = await fetch(`${base}/short-body`); try { await r.text(); out.fetchShort = 'read'; } catch (err) { out.fetchShort = [r.status, err.name, err.message, err.cause?.name, err.cause?.code, err.cause?.message]; } } catch (err) { out.fetchShort = ['fetch', err.name, err.message, err.cause?.code]; }
  try { const r = await request(`${base}/short-body`); try { await r.body.text(); out.requestShort = 'read'; } catch (err) { out.requestShort = [r.statusCode, err.name, err.code, err.message]; } } catch (err) { out.requestShort = ['request', err.name, err.code, err.message]; }
  try { await fetch(`${base}/hangup`); out.fetchHangup = 'answered'; } catch (err) { out.fetchHangup = [err.name, err.message, err.cause?.name, err.cause?.code, err.cause?.message]; }
  try { await request(`${base}/hangup`); out.requestHangup = 'answered'; } catch (err) { out.requestHangup = [err.name, err.code, err.message]; }
  const ctl = new AbortController();
  const pending = request(`${base}/slow-headers`, { signal: ctl.signal });
  setTimeout(() => ctl.abort(), 50);
  try { await pending; } catch (err) { out.aborted = err.name; }
  return { data: out };
};

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
  pool.intercept({ path: '/missing' }).reply(404, { error: 'nope' }, { headers: { 'content-type': 'application/json' } });
  try { await pool.request({ method: 'GET', path: '/missing', throwOnError: true }); out.throwOnError = 'resolved'; } catch (e) { out.throwOnError = [e.name, e.code, e.message, e.status, e.statusCode, e.body, e.headers]; }
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

// fnhost only: which of `names` the bridge lacks (as named exports, on the default export, and
// on `require('undici')`).
export const namesProbe = (names) => async (state) => ({
  data: {
    named: names.filter((n) => !(n in undici)),
    default: names.filter((n) => !(n in undiciDefault)),
    required: names.filter((n) => !(n in cjs.undici)),
  },
});
