// A RangeError in job code is also reported as a RuntimeError (subtype RangeError).
fn((state) => {
  state.data.list = new Array(-1);
  return state;
});
