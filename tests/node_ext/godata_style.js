// A Go.Data-style job as @openfn/language-godata makes it: axios (Node adapter) logs in with
// username/password (POST /api/oauth/token, or /api/users/login), then queries
// /api/outbreaks/... with `Authorization: Bearer <token>` (or `access_token=`) and a JSON
// `filter` query parameter; a wrong password is a 401 surfaced as the error. Against the
// /godata/api stand-in of tests/servers/http_fixture.py. state.configuration: { http (base URL) }.
// godata_style.expected.json is what Node produces.
import axios from "axios";

const failure = (e) => ({ name: e.name, code: e.code, message: e.message, status: e.response?.status, body: e.response?.data });

// what the adaptor's login step does: the token goes into state for the next operations
const login = (username, password) => async (state) => {
  const api = `${state.configuration.http}/godata/api`;
  const res = await axios.post(`${api}/oauth/token`, { username, password });
  return { ...state, configuration: { ...state.configuration, access_token: res.data.access_token }, data: { ...state.data, login: res.data } };
};

const confirmed = "LNG_REFERENCE_DATA_CATEGORY_CASE_CLASSIFICATION_CONFIRMED";

export default [
  login("user@example.org", "secret"),
  async (state) => {
    const api = `${state.configuration.http}/godata/api`;
    const client = axios.create({ baseURL: api, headers: { Authorization: `Bearer ${state.configuration.access_token}` } });
    const data = { ...state.data };
    const outbreaks = await client.get("/outbreaks", { params: { filter: JSON.stringify({ where: { name: "Measles 2024" } }) } });
    data.outbreaks = { path: outbreaks.request.path, body: outbreaks.data };
    const cases = await client.get("/outbreaks/ob-1/cases", { params: { filter: JSON.stringify({ where: { classification: confirmed }, order: "firstName ASC" }) } });
    data.cases = { path: cases.request.path, ids: cases.data.map((c) => c.id), first: cases.data[0] };
    data.allCases = (await client.get("/outbreaks/ob-2/cases")).data.map((c) => [c.id, c.outbreakId]);
    try {
      await client.get("/outbreaks/ob-9/cases");
    } catch (e) {
      data.unknownOutbreak = failure(e);
    }
    return { ...state, data };
  },
  // the older login: /users/login with an email, the token as an access_token parameter
  async (state) => {
    const api = `${state.configuration.http}/godata/api`;
    const data = { ...state.data };
    const session = await axios.post(`${api}/users/login`, { email: "user@example.org", password: "secret" });
    data.usersLogin = session.data;
    const viaParam = await axios.get(`${api}/outbreaks`, { params: { access_token: session.data.id } });
    data.viaParam = { path: viaParam.request.path, names: viaParam.data.map((o) => o.name) };
    try {
      await axios.get(`${api}/outbreaks`);
    } catch (e) {
      data.noToken = failure(e);
    }
    try {
      await axios.get(`${api}/outbreaks`, { headers: { Authorization: "Bearer stale-token" } });
    } catch (e) {
      data.staleToken = failure(e);
    }
    return { ...state, data };
  },
  // a bad password: the login step's error is what the job sees
  async (state) => {
    const data = { ...state.data };
    try {
      await login("user@example.org", "wrong")(state);
      data.badPassword = "logged in";
    } catch (e) {
      data.badPassword = { ...failure(e), sentBody: JSON.parse(e.config.data), contentType: e.config.headers["Content-Type"] };
    }
    return { ...state, data };
  },
];
