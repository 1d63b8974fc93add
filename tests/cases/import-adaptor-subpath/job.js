// A job may not import an adaptor's subpath export: only the adaptor's own specifier is mapped by the linker.
import { stamp } from 'esm-adaptor/util';

fn((state) => stamp(state));
