// ESM adaptor resolved via the "import" condition of its exports map (self-reference, #internal and extensionless imports inside).
get('colour');
fn((state) => {
  state.data.checked = true;
  return state;
});
