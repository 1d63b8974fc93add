// Quirk: an adaptor path with no package.json is not an ImportError crash but a JobError (ENOENT), exit 0.
fn((state) => state);
