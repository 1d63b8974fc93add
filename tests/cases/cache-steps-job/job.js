fn((state) => ({ ...state, data: { n: 1, keys: Object.keys(state) } }));
fn((state) => ({ ...state, data: { ...state.data, n: state.data.n + 1 } }));
