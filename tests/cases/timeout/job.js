// A job that never settles is killed by the timeout (-t 300): TimeoutError.
fn(() => new Promise(() => {}));
