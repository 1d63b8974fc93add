// With no type definitions, every unknown identifier is imported from the adaptor; a missing export fails to link.
fn((state) => state);
notExportedByAdaptor();
