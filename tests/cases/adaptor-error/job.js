// An Error thrown from adaptor code becomes an AdaptorError with details, operationName and line.
fn((state) => {
  state.data.before = true;
  return state;
});
fail('Request failed with status 503', { status: 503, body: { reason: 'down' } });
