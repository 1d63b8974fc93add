get('/json');
