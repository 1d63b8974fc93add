// The bytes node:http and axios put on the wire, recorded by a raw TCP listener
// (tests/servers/recorder.mjs on Node, support::Recorder in the Rust test) that answers each
// request "200 ok". state.configuration: { wire (the listener's port) }. data stays empty:
// wire.expected.json holds each request's bytes as Node sent them, the port as <PORT>.
import http from "node:http";
import axios from "axios";

function send(port, path, options, chunks = []) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, ...options }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

export default [
  async (state) => {
    const port = state.configuration.wire;
    await send(port, "/get", { headers: { "X-Mixed-Case": "Value", Accept: "application/json", "x-lower": "v" } });
    const body = JSON.stringify({ name: "fnhost", n: 1 });
    await send(port, "/post", { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, [body]);
    await send(port, "/put-chunked", { method: "PUT", auth: "user:pass", headers: { "Content-Type": "text/plain" } }, ["first,", "second"]);
    await send(port, "/delete", { method: "DELETE" });
    await send(port, "/repeated", { headers: { "Set-Thing": ["a", "b"], Other: "x" } });
    const client = axios.create({ baseURL: `http://127.0.0.1:${port}` });
    await client.get("/axios-get", { headers: { "X-Api-Key": "k" }, params: { q: "1" } });
    await client.post("/axios-post", { a: [1, 2] }, { auth: { username: "u", password: "p" } });
    return { ...state, data: {} };
  },
];
