// @openfn/language-http 3.2.0 unchanged (CommonJS): its verbs on language-common 1.6.2's axios
// 0.21 (node:http) with basic auth, and its `request` operation on request 2.88 with HTTP
// Digest authentication (RFC 7616, MD5, qop "auth") — `sendImmediately: false` — against
// tests/servers/http_fixture.py. state.configuration: { http (base URL) }.
// language_http3.expected.json is what Node produces.
// (a namespace import: the names are on `Adaptor` for Node, at the top for OpenFn's linker)
import * as http from "@openfn/language-http";

const { get, fn, request } = http.Adaptor ?? http;

// `request` resolves to the response body, not a state: what each step saw is kept here
const seen = {};
const keep = (name) => fn((state) => {
  seen[name] = state.data ?? state;
  return state;
});

export default [
  // language-common 1.x, which it bundles, keeps a `references` list in the state
  fn((state) => ({ ...state, references: [] })),
  get((state) => `${state.configuration.http}/auth`, { authentication: { username: "u", password: "p" } }),
  keep("basic"),
  (state) => request({ method: "GET", url: `${state.configuration.http}/digest`, auth: { user: "user", pass: "pass", sendImmediately: false } })(state),
  keep("digest"),
  fn(() => ({ data: seen })),
];
