// Quirk: the compiler's tokenizer rejects BigInt literals (also 1_000 and #private), so this fails to compile.
fn((state) => {
  state.data.big = 10n;
  return state;
});
