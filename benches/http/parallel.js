// 2,000 GETs through language-common's HTTP helper, 32 in flight at a time.
import { fn, util } from '@openfn/language-common';
export default [
  fn(async (state) => {
    let started = 0;
    let ok = 0;
    const worker = async () => {
      while (started < state.data.count) {
        started++;
        const response = await util.get(`${state.data.base}/json`);
        if (response.statusCode === 200 && response.body.ok === true) ok++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    return { ...state, data: { ok } };
  }),
];
