// ESM adaptor importing a nested CommonJS package and a JSON module; the adaptor has no execute, so the default one runs.
shoutField('name');
describeDeps();
