get('/slow-headers', { timeout: 500 });
