// The `@openfn/runtime` helpers that compiled jobs import (the compiler's `.then()` rewrite).

/** Wraps an operation so that a promise chain (`.then`, `.catch`) runs against its result. */
export function defer(fn, complete = (p) => p, error = (e, _state) => { throw e; }) {
  return (state) => {
    try {
      return complete(Promise.resolve(fn(state)).catch((e) => error(e, state)));
    } catch (e) {
      return error(e, state);
    }
  };
}
