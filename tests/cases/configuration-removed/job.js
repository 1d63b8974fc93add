// configuration is stripped from the final state, even when the job replaces it or adds keys to it.
fn((state) => {
  state.data.host = state.configuration.host;
  state.configuration = { ...state.configuration, addedByJob: true };
  state.other = { configuration: 'nested key is kept' };
  return state;
});
