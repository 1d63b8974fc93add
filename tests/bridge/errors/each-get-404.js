import { each, get } from '@openfn/language-http';

each('$.data.items[*]', get('/missing'));
