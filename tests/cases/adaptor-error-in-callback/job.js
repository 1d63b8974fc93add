// An adaptor helper throwing while called from job code: AdaptorError positioned at the job's call site (pos), not an operation line.
fn((state) => {
  state.data.started = true;
  return state;
});
fn((state) => {
  check(state.data.count > 0, 'count must be positive');
  return state;
});
