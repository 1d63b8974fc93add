// Quirk: the same adaptor throw, loaded from a path without node_modules/@openfn/language-/packages/*/dist, is a JobError.
fail('Request failed with status 503', { status: 503 });
