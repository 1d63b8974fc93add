// node:http / node:https / node:net by hand, against tests/servers/http_fixture.py.
// state.configuration: { http, https (base URLs), ca (PEM of the HTTPS server's CA), closed
// (a URL nothing listens on) }. Ports never reach state.data: the same job runs under Node to
// produce http.expected.json (node tests/node_ext/make-expected.mjs).
import http from "node:http";
import https from "node:https";
import net from "node:net";

const noPort = (s) => String(s).replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");

function request(mod, url, options = {}, body) {
  return new Promise((resolve) => {
    const req = mod.request(url, options, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: res.statusCode,
          message: res.statusMessage,
          type: res.headers["content-type"],
          length: res.headers["content-length"],
          encoding: res.headers["transfer-encoding"],
          chunks: chunks.length > 0,
          body: text.length < 2000 ? text : text.length,
        });
      });
    });
    req.on("error", (e) => resolve({ error: [e.name, e.code, noPort(e.message), e.syscall] }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export default [
  async (state) => {
    const { http: base, https: secure, ca, closed } = state.configuration;
    const data = {};
    data.get = await new Promise((resolve) => {
      http.get(`${base}/json`, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve([res.statusCode, res.headers["content-type"], JSON.parse(text)]));
      });
    });
    const payload = JSON.stringify({ a: 1, text: "é" });
    const echo = await request(http, `${base}/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Custom-Header": "Mixed Case", "Content-Length": Buffer.byteLength(payload) },
    }, payload);
    const echoed = JSON.parse(echo.body);
    echoed.headers.host = noPort(echoed.headers.host);
    data.post = { ...echo, body: echoed };
    data.chunked = await request(http, `${base}/chunks`);
    data.gzipRaw = await request(http, `${base}/gzip`);
    data.gzipRaw.body = typeof data.gzipRaw.body === "string" ? data.gzipRaw.body.length : data.gzipRaw.body;
    data.notFound = await request(http, `${base}/nope`);
    data.redirect = await request(http, `${base}/redirect`);
    data.refused = await request(http, `${closed}/json`);
    data.auth = await request(http, `${base}/auth`, { auth: "user:pass" });
    data.https = await request(https, `${secure}/json`, { ca });
    data.httpsUntrusted = await request(https, `${secure}/json`);
    data.httpsInsecure = await request(https, `${secure}/json`, { rejectUnauthorized: false });
    data.agent = [typeof http.globalAgent, http.globalAgent instanceof http.Agent, http.STATUS_CODES[418], http.METHODS.includes("PATCH")];
    data.raw = await new Promise((resolve) => {
      const port = base.split(":").pop();
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write("GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      });
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (c) => (text += c));
      socket.on("end", () => resolve([text.split("\r\n")[0], text.endsWith('{"ok": true}')]));
      socket.on("error", (e) => resolve([e.code]));
    });
    data.isIP = [net.isIP("127.0.0.1"), net.isIP("::1"), net.isIP("nope")];
    return { ...state, data };
  },
];
