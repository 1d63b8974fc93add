// A DHIS2-style job as @openfn/language-dhis2 makes it: axios (Node adapter) to `<host>/api/...`
// with basic auth or a personal access token (`Authorization: ApiToken <token>`), query
// parameters (arrays as brackets and repeated), a dataValueSets import and a 409 conflict whose
// body is surfaced through error.response. Against the /dhis2/api stand-in of
// tests/servers/http_fixture.py. state.configuration: { http (base URL) }.
// dhis2_style.expected.json is what Node produces.
import axios from "axios";

// what the adaptor does with its configuration: a PAT wins over username/password
const request = (configuration, { method = "GET", path, params, data, paramsSerializer }) => {
  const { hostUrl, username, password, pat } = configuration;
  return axios({
    method,
    url: `${hostUrl}/api/${path}`,
    params,
    paramsSerializer,
    data,
    headers: { Accept: "application/json", ...(pat ? { Authorization: `ApiToken ${pat}` } : {}) },
    auth: pat ? undefined : { username, password },
  });
};
const failure = (e) => ({ name: e.name, code: e.code, message: e.message, status: e.response?.status, body: e.response?.data });

export default [
  async (state) => {
    const hostUrl = `${state.configuration.http}/dhis2`;
    const basic = { hostUrl, username: "admin", password: "district" };
    const token = { hostUrl, pat: "d2pat_test" };
    const data = {};
    data.meBasic = (await request(basic, { path: "me" })).data;
    data.meToken = (await request(token, { path: "me" })).data;
    for (const [key, cfg] of [["badPassword", { ...basic, password: "wrong" }], ["badToken", { hostUrl, pat: "d2pat_nope" }]]) {
      try {
        await request(cfg, { path: "me" });
      } catch (e) {
        data[key] = failure(e);
      }
    }
    const params = { ou: "DiszpKrYNg8", program: "IpHINAT79UW", fields: "*,attributes[attribute,value]", filter: ["w75KJ2mc4zz:like:A", "zDhUuAYrxNC:eq:B C"], pageSize: 2, skipPaging: false };
    const teis = await request(basic, { path: "trackedEntityInstances", params });
    data.teisBrackets = { path: teis.request.path, body: teis.data };
    const repeated = await request(token, { path: "trackedEntityInstances", params, paramsSerializer: { indexes: null } });
    data.teisRepeated = { path: repeated.request.path, query: repeated.data.query };
    const values = [
      { dataElement: "f7n9E0hX8qk", period: "202401", orgUnit: "DiszpKrYNg8", value: "12" },
      { dataElement: "Ix2HsbDMLea", period: "202401", orgUnit: "DiszpKrYNg8", value: "3" },
    ];
    const imported = await request(token, { method: "POST", path: "dataValueSets", data: { dataSet: "pBOMPrpg1QX", dataValues: values } });
    data.importOk = [imported.status, imported.headers["content-type"], imported.data];
    try {
      await request(basic, { method: "POST", path: "dataValueSets", data: { dataValues: [...values, { dataElement: "unknown", period: "202401", orgUnit: "DiszpKrYNg8", value: "1" }] } });
    } catch (e) {
      data.conflict = failure(e);
      data.conflictSent = JSON.parse(e.config.data).dataValues.length;
    }
    // validateStatus lets the adaptor read a 409 as a response
    const lenient = await axios.post(`${hostUrl}/api/dataValueSets`, { dataValues: [{ dataElement: "unknown" }] }, {
      auth: { username: "admin", password: "district" },
      validateStatus: (status) => status < 500,
    });
    data.conflictAsResponse = [lenient.status, lenient.data.response.importCount, lenient.data.response.conflicts];
    try {
      await request(basic, { path: "nothingHere" });
    } catch (e) {
      data.notFound = failure(e);
    }
    return { ...state, data };
  },
];
