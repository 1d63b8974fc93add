// .then() and .catch() chained on operations (compiled to defer() from @openfn/runtime).
fn((state) => {
  state.data.log = ['fn'];
  return state;
}).then((state) => {
  state.data.log.push('then');
  return state;
});
fail('caught failure').catch((error, state) => {
  state.data.log.push(`catch: ${error.message}`);
  return state;
});
fn((state) => state)
  .then((state) => {
    state.data.log.push('then-2');
    return state;
  })
  .catch((error, state) => {
    state.data.log.push('never');
    return state;
  });
