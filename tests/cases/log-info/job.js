// --log info: the runtime/compiler info lines (step start/finish, state cleanup) are visible.
fn((state) => {
  state.data.done = true;
  return state;
});
