// A plain Error thrown in job code becomes a JobError in state.errors; the run is not a crash.
fn((state) => {
  state.data.before = true;
  return state;
});
fn(() => {
  throw new Error('custom failure');
});
fn((state) => {
  state.data.after = true;
  return state;
});
