post('/lh-post', { a: 1 }, { headers: { 'X-Request-Id': 'r1' } });
get('/lh-get', { query: { q: 'x y' }, headers: { Accept: 'application/fhir+json' } });
put('/lh-put', 'plain text');
