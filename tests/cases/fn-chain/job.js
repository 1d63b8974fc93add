// Plain chain of fn() operations, each receiving the state returned by the previous one.
fn((state) => {
  state.data.steps = ['first'];
  return state;
});
fn((state) => ({ ...state, data: { ...state.data, steps: [...state.data.steps, 'second'] } }));
fn((state) => {
  state.data.count = state.data.steps.length;
  return state;
});
