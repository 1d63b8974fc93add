get('/json', { headers: { 'bad header': 'x' } });
