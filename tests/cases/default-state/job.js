// No state file: the CLI supplies { data: {}, configuration: {} }.
fn((state) => {
  state.data.inputKeys = Object.keys(state).sort();
  state.data.configurationWas = JSON.stringify(state.configuration);
  return state;
});
