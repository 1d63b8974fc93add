// 2,000 sequential GETs through language-common's HTTP helper (undici underneath).
import { fn, util } from '@openfn/language-common';
export default [
  fn(async (state) => {
    let ok = 0;
    for (let i = 0; i < state.data.count; i++) {
      const response = await util.get(`${state.data.base}/json`);
      if (response.statusCode === 200 && response.body.ok === true) ok++;
    }
    return { ...state, data: { ok } };
  }),
];
