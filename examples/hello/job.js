// A small OpenFn job: count items, keep the cursor, record when it ran.
fn(state => {
  console.log(`received ${state.data.items.length} items`);
  return { ...state, data: { count: state.data.items.length, cursor: $.cursor } };
});
fn(state => ({ ...state, processedAt: new Date(0) }));
