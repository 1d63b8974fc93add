// CommonJS adaptor (babel-style): its execute and fn are used; no type definitions, so identifiers are auto-imported.
fn((state) => {
  state.data.fromCjs = true;
  return state;
});
