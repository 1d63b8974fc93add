// The last operation returns nothing: the final state is undefined and the CLI writes an empty output file.
fn((state) => state);
fn((state) => {
  state.data.y = 2;
});
