// --log-json with a crash: the error report lines in JSON form.
fn((state) => {
  state.data.value = notDefinedAnywhere;
  return state;
});
