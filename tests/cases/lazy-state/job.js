// Lazy state: $.path references passed to operations are compiled into (state) => state.path functions.
get($.data.which);
each(
  $.references[0].items,
  fn((state) => {
    state.seen = [...(state.seen ?? []), state.data.name];
    return state;
  })
);
fn((state) => ({ ...state, picked: $.data.value }));
