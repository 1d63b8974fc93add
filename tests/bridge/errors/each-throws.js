import { each, fn } from '@openfn/language-http';

each('$.data.items[*]', fn(state => {
  throw new Error('boom ' + state.data);
}));
