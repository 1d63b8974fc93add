// A TypeError in job code becomes a RuntimeError (subtype TypeError) with a source position.
fn((state) => {
  state.data.ok = true;
  return state;
});
fn((state) => {
  const value = state.data.nope.deeper;
  return { ...state, value };
});
