// A BigInt (made at run time) in the final state cannot be serialised.
fn((state) => {
  state.data.big = BigInt(10);
  return state;
});
