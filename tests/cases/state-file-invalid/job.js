// An unparseable state file is only a warning: the CLI falls back to the default state.
fn((state) => {
  state.data.keys = Object.keys(state).sort();
  return state;
});
