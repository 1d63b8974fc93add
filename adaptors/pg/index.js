// fnhost's stand-in for the npm `pg` driver (node-postgres 8): the same module shape — `Client`,
// `Pool`, `types`, `defaults`, `DatabaseError`, `escapeLiteral`/`escapeIdentifier`, … — with the
// wire protocol, TLS and authentication in Rust (src/ops/pg.rs, src/runtime/pg_driver.rs).
// `--no-bridge pg` runs the npm package instead.
import { Client, DatabaseError, Query, Result } from "./client.js";
import { Pool as PoolBase } from "./pool.js";
import * as typesModule from "./types.js";
import { TypeOverrides } from "./types.js";
import { defaults, escapeIdentifier, escapeLiteral, prepareValue } from "./values.js";

/** `pg.Pool`: a pool of this module's clients. */
class Pool extends PoolBase {
  constructor(options) {
    super(options, Client);
  }
}

/** `pg.types`: pg-types' API (the same object TypeOverrides falls back to). */
const types = typesModule.types;

/** node-postgres' socket-level class; the bridge has none to offer. */
class Connection {
  constructor() {
    const err = new Error("fnhost's pg bridge has no Connection class; run with --no-bridge pg to use the npm pg driver");
    err.code = "ERR_NOT_SUPPORTED_IN_FNHOST";
    throw err;
  }
}

const pg = {
  defaults,
  Client,
  Query,
  Pool,
  _pools: [],
  Connection,
  types,
  DatabaseError,
  TypeOverrides,
  escapeIdentifier,
  escapeLiteral,
  Result,
  utils: { prepareValue, escapeIdentifier, escapeLiteral },
};
// `pg.native` is null when pg-native is not installed; the bridge never has it
Object.defineProperty(pg, "native", { configurable: true, enumerable: false, get: () => null });

export default pg;
export { Client, Connection, DatabaseError, defaults, escapeIdentifier, escapeLiteral, Pool, Query, Result, TypeOverrides, types };
export { pg as "module.exports" };
