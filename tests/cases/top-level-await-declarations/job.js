// Top-level declarations and await stay in the module body (run once at load), only operation calls become the pipeline.
const base = 10;
let loadedAt = 'module-load';
function double(x) {
  return x * 2;
}
const fetched = await Promise.resolve(5);
class Counter {
  constructor() {
    this.n = 0;
  }
}
fn((state) => {
  state.data.total = double(base + fetched);
  state.data.loadedAt = loadedAt;
  state.data.counter = new Counter().n;
  return state;
});
