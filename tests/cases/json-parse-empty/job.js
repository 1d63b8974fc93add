// A SyntaxError thrown at run time (JSON.parse('')) is a RuntimeCrash, not a JobError.
fn((state) => {
  state.data.parsed = JSON.parse('');
  return state;
});
