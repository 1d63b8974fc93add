// node-fetch@2 (node:http underneath, CommonJS), against tests/servers/http_fixture.py.
// state.configuration: { http (base URL) }. node_fetch.expected.json is what Node produces.
import fetch from "node-fetch";

const noPort = (s) => String(s).replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");

export default [
  async (state) => {
    const base = state.configuration.http;
    const data = {};
    const res = await fetch(`${base}/json`);
    data.get = [res.status, res.ok, res.headers.get("content-type"), await res.json()];
    const posted = await fetch(`${base}/echo`, { method: "POST", body: JSON.stringify({ a: 1 }), headers: { "Content-Type": "application/json" } });
    const echoed = await posted.json();
    echoed.headers.host = noPort(echoed.headers.host);
    data.post = echoed;
    const gz = await fetch(`${base}/gzip`);
    data.gzip = [gz.status, await gz.json()];
    const redirect = await fetch(`${base}/redirect`);
    data.redirect = [redirect.status, redirect.redirected, noPort(redirect.url)];
    const missing = await fetch(`${base}/missing`);
    data.missing = [missing.status, missing.statusText, await missing.text()];
    try {
      await fetch(`${state.configuration.closed}/json`);
    } catch (e) {
      data.refused = [e.name, e.type, e.code, noPort(e.message)];
    }
    return { ...state, data };
  },
];
