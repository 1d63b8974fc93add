// A syntax error in the job source fails compilation before anything runs.
fn((state) => {
  return state
);
