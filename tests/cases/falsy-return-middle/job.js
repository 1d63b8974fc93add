// An operation that returns nothing: the next operation gets an empty object (with a warning).
fn((state) => {
  state.data.lost = true;
});
fn((state) => ({ ...state, received: Object.keys(state), hadData: state.data !== undefined }));
