// A default export that is not an array fails validation (ValidationError crash).
export default 42;
