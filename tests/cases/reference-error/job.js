// A ReferenceError in job code is a RuntimeCrash: the run aborts with exit code 1.
fn((state) => {
  state.data.value = notDefinedAnywhere + 1;
  return state;
});
