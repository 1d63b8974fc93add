// An operation that returns null is treated like one that returns nothing (the next operation gets {}).
fn(() => null);
fn((state) => ({ afterNull: Object.keys(state).length }));
