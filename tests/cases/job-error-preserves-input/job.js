// On a job error the output is the state object the job was given (only in-place changes to it survive).
fn((state) => {
  state.data.mutatedInPlace = true;
  return state;
});
fn((state) => ({ ...state, data: { replaced: true } }));
fn(() => {
  throw new Error('after replacing state');
});
