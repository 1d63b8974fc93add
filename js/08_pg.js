// PostgreSQL for the `pg` bridge (adaptors/pg): thin wrappers over the Rust ops of
// src/ops/pg.rs. A connection's reads run for as long as it is open (to hear notices,
// notifications and a server that goes away); a read that only waits for such news is unref'd,
// so an idle client does not keep a run alive, as an unref'd socket would not in Node.
import { core } from "ext:core/mod.js";
import { op_pg_connect, op_pg_destroy, op_pg_read, op_pg_send } from "ext:core/ops";

/** The API bridge modules reach through `globalThis.__fnhostPg`. */
export const pg = Object.freeze({
  /** Resolves with `{ rid, processId, secretKey, events }` or `{ kind, ... }` (a failure). */
  connect: (options) => op_pg_connect(options),
  /** Sends a request; resolves with `null` or a failure. */
  send: (rid, request, values) => op_pg_send(rid, request, values ?? null),
  /** The next batch `{ events, rows }`; `waiting` says whether the caller waits for it. */
  read: (rid, waiting) => {
    const promise = op_pg_read(rid);
    if (!waiting) core.unrefOpPromise(promise);
    return promise;
  },
  /** Marks a pending read as waited for (a query was sent) or not. */
  wait: (promise, waiting) => (waiting ? core.refOpPromise(promise) : core.unrefOpPromise(promise)),
  /** Closes the socket without a goodbye. */
  destroy: (rid) => op_pg_destroy(rid),
});

Object.defineProperty(globalThis, "__fnhostPg", { value: pg, enumerable: false, configurable: false, writable: false });
