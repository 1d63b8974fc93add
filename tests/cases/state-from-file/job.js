// State loaded with -s: extra top-level keys survive, configuration is visible to the job but removed from the output.
fn((state) => {
  state.data.user = state.configuration.username;
  state.data.hadPassword = 'password' in state.configuration;
  state.cursor = state.cursor + 1;
  return state;
});
