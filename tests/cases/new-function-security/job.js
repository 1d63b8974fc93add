// new Function() is disallowed in the job sandbox too: SecurityError.
fn((state) => {
  const add = new Function('a', 'b', 'return a + b');
  state.data.result = add(1, 2);
  return state;
});
