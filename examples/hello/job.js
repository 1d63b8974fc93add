// A small OpenFn job: count the items, keep the cursor, note when it ran.
fn(state => {
  console.log(`received ${state.data.items.length} items`);
  return { ...state, data: { ...state.data, count: state.data.items.length } };
});
get($.data.field);
fn(state => ({ ...state, cursor: state.cursor, processedAt: new Date(0) }));
