// pg's value API (pg-types' text and binary parsers, arrays, TypeOverrides, defaults,
// prepareValue, escapes) through every case of tests/pg_bridge/types_cases.mjs, inside fnhost:
// on the bridge and on the npm pg (--no-bridge pg), in three time zones; state.data.results must
// equal what the npm pg gave on Node (tests/pg_bridge/types.expected.<TZ>.json).
import pg from "pg";
import { runCases } from "pg-bridge-cases";

export default [
  (state) => {
    const api = {
      types: pg.types,
      TypeOverrides: pg.TypeOverrides,
      defaults: pg.defaults,
      prepareValue: pg.utils?.prepareValue,
      escapeIdentifier: pg.escapeIdentifier,
      escapeLiteral: pg.escapeLiteral,
    };
    state.data.results = runCases(api);
    return state;
  },
];
