// A TypeError raised inside adaptor code is classified as an AdaptorError, not a RuntimeError.
typeErr();
