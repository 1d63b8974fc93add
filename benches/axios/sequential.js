// 2,000 sequential GETs through axios 1.x with its Node adapter (node:http underneath).
import { fn } from '@openfn/language-common';
import axios from 'axios';
export default [
  fn(async (state) => {
    let ok = 0;
    for (let i = 0; i < state.data.count; i++) {
      const response = await axios.get(`${state.data.base}/json`);
      if (response.status === 200 && response.data.ok === true) ok++;
    }
    return { ...state, data: { ok } };
  }),
];
