// The final operation returns a string rather than a state object; it is written to the output as a JSON string.
fn((state) => `done with ${Object.keys(state.data).length} keys`);
