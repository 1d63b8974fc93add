// Lazy state used outside an operation is a compile-time LazyStateError.
const items = $.data.items;
fn((state) => state);
