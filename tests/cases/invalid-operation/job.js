// A top-level call that is not an operation (console.log returns undefined) fails validation.
fn((state) => state);
console.log('evaluated while the job module loads');
