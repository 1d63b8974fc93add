// console.* in job code goes through the CLI's job logger ([JOB] prefix); adaptor logging uses the real console.
fn((state) => {
  console.log('log string', 42, { nested: { a: [1, 2] } });
  console.info('info line');
  console.warn('warn line');
  console.error('error line');
  console.debug('debug line');
  console.success?.('success line');
  console.log(['array', 'value']);
  return state;
});
log($.data.greeting);
