// Input state without data/configuration keys: the runtime adds data: {} and configuration: {} before the job runs.
fn((state) => {
  state.keysSeen = Object.keys(state);
  return state;
});
