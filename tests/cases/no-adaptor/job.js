// No adaptor: the job must export its own operations (the CLI warns that no adaptor was given).
export default [
  (state) => {
    state.data.plain = true;
    return state;
  },
];
