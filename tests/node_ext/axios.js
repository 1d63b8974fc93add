// axios 1.x with its Node adapter (node:http underneath), against tests/servers/http_fixture.py.
// state.configuration: { http (base URL) }. axios.expected.json is what Node produces.
import axios from "axios";

const noPort = (s) => String(s).replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");
const pick = (res) => ({ status: res.status, type: res.headers["content-type"], data: res.data });

export default [
  async (state) => {
    const base = state.configuration.http;
    const client = axios.create({ baseURL: base });
    const data = {};
    data.adapter = axios.defaults.adapter;
    data.get = pick(await client.get("/json"));
    const posted = await client.post("/echo", { name: "fnhost", n: 1 }, { auth: { username: "user", password: "pass" } });
    posted.data.headers.host = noPort(posted.data.headers.host);
    data.post = pick(posted);
    const form = await client.post("/echo", "a=1&b=two+words");
    form.data.headers.host = noPort(form.data.headers.host);
    data.form = pick(form);
    data.redirect = pick(await client.get("/redirect"));
    data.gzip = pick(await client.get("/gzip"));
    data.chunks = pick(await client.get("/chunks", { responseType: "text" }));
    try {
      await client.get("/missing");
    } catch (e) {
      data.notFound = [e.name, e.code, e.message, e.response.status, e.response.data];
    }
    try {
      await client.get("/slow-headers", { timeout: 300 });
    } catch (e) {
      data.timeout = [e.name, e.code, e.message];
    }
    const stream = await client.get("/json", { responseType: "stream" });
    data.stream = await new Promise((resolve) => {
      let text = "";
      stream.data.on("data", (c) => (text += c));
      stream.data.on("end", () => resolve(JSON.parse(text)));
    });
    return { ...state, data };
  },
];
