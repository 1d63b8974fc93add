// Final-state serialisation: Date, Map/Set, functions, undefined, NaN/Infinity, -0, typed arrays, toJSON, Errors, cycles, shared refs.
fn((state) => {
  const shared = { shared: true };
  const circular = { name: 'loop' };
  circular.self = circular;
  circular.child = { parent: circular };
  state.data = {
    date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
    map: new Map([['a', 1]]),
    set: new Set([1, 2]),
    fn: () => 1,
    undef: undefined,
    nullish: null,
    nan: NaN,
    inf: Infinity,
    negInf: -Infinity,
    negZero: -0,
    big: 1e21,
    arr: [1, undefined, () => 2, NaN, new Date(0)],
    typed: new Uint8Array([1, 2]),
    withToJSON: { toJSON: () => 'custom' },
    error: new Error('inside state'),
    regexp: /ab+c/g,
    symbolValue: Symbol('s'),
    [Symbol('hidden')]: 'symbol key',
    unicode: 'é ✓ \u2028 "quoted" \\ slash',
    promise: Promise.resolve(1),
    circular,
    sharedA: shared,
    sharedB: shared,
  };
  return state;
});
