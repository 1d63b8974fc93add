// request 2.88 (callbacks and streams) and superagent, both on node:http, against
// tests/servers/http_fixture.py. state.configuration: { http (base URL) }.
// request.expected.json is what Node produces.
// Imported as namespaces: OpenFn's linker gives a job the properties of a CommonJS package
// whose only export is `default` (no `default` itself), Node gives `{ default }`.
import * as requestNs from "request";
import * as superagentNs from "superagent";

const request = requestNs.default ?? requestNs;
const superagent = superagentNs.default ?? superagentNs;

const noPort = (s) => String(s).replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");

export default [
  async (state) => {
    const base = state.configuration.http;
    const data = {};
    data.callback = await new Promise((resolve) => {
      request.post({ url: `${base}/echo`, json: { a: 1 }, auth: { user: "u", pass: "p" } }, (err, res, body) => {
        if (err) return resolve({ error: err.message });
        body.headers.host = noPort(body.headers.host);
        resolve({ status: res.statusCode, body });
      });
    });
    data.gzip = await new Promise((resolve) => {
      request.get({ url: `${base}/gzip`, gzip: true, json: true }, (err, res, body) => resolve(err ? { error: err.message } : [res.statusCode, body]));
    });
    data.redirect = await new Promise((resolve) => {
      request.get(`${base}/redirect`, (err, res, body) => resolve(err ? { error: err.message } : [res.statusCode, body]));
    });
    data.refused = await new Promise((resolve) => {
      request.get(`${state.configuration.closed}/json`, (err) => resolve([err.code, noPort(err.message)]));
    });
    data.stream = await new Promise((resolve) => {
      let text = "";
      request.get(`${base}/chunks`).on("data", (c) => (text += c)).on("end", () => resolve(text)).on("error", (e) => resolve(e.message));
    });
    const res = await superagent.get(`${base}/json`).set("X-Test", "1");
    data.superagent = [res.status, res.body, res.type];
    try {
      await superagent.get(`${base}/missing`);
    } catch (e) {
      data.superagentError = [e.status, e.message, e.response.body];
    }
    const posted = await superagent.post(`${base}/echo`).send({ b: 2 });
    posted.body.headers.host = noPort(posted.body.headers.host);
    data.superagentPost = posted.body;
    return { ...state, data };
  },
];
