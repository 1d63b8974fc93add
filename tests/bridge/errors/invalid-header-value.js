get('/json', { headers: { 'x-note': 'line\nbreak' } });
