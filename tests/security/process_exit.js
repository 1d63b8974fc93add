// Adaptor-style code calling process.exit(3) (as @openfn/language-godata does after a failed
// login): OpenFn's process ends there with exit code 3 and no final state. fnhost ends the run,
// not the process: later steps do not run, and the command exits with 3.
fn((state) => {
  const G = state.constructor.constructor("return this")();
  try {
    G.process.exit(3);
  } catch {
    // an adaptor that swallows the error does not keep its run going past this step
  }
  return { ...state, data: { afterExit: "this step went on" } };
});
