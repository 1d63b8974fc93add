// eval() is disallowed in the job sandbox: SecurityError, the run is killed.
fn((state) => {
  state.data.result = eval('1');
  return state;
});
