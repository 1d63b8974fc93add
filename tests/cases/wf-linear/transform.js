// Step expression loaded from a file path relative to workflow.json.
fn((state) => {
  state.data.visited.push('transform');
  state.data.configSeen = JSON.stringify(state.configuration);
  return state;
});
