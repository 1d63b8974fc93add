// --log-json: every log line is a JSON object; job console output and an error report included.
fn((state) => {
  console.log('hello from the job', { n: 1 });
  return state;
});
fn(() => {
  throw new Error('json logged failure');
});
