//! The `fnhost` binary: parses arguments and hands off to [`fnhost::cli`].

fn main() {
    // V8's platform must be initialised on the main thread before anything else.
    fnhost::runtime::init_v8();
    std::process::exit(fnhost::cli::main());
}
