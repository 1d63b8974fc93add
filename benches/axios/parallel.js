// 2,000 GETs through axios 1.x with its Node adapter (node:http underneath), 32 in flight.
import { fn } from '@openfn/language-common';
import axios from 'axios';
export default [
  fn(async (state) => {
    let started = 0;
    let ok = 0;
    const worker = async () => {
      while (started < state.data.count) {
        started++;
        const response = await axios.get(`${state.data.base}/json`);
        if (response.status === 200 && response.data.ok === true) ok++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    return { ...state, data: { ok } };
  }),
];
