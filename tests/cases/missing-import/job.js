// Importing a package that is not available is an ImportError crash.
import { thing } from 'not-an-installed-package';

fn((state) => ({ ...state, thing }));
