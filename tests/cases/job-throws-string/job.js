// Throwing a string (not an Error) from job code.
fn(() => {
  throw 'plain string failure';
});
