//! The `fnhost` binary: parses arguments and hands off to [`fnhost::cli`].

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(fnhost::runtime::adaptor_snapshot::SUBCOMMAND) {
        // V8 is initialised for making a snapshot in this child process (see adaptor_snapshot)
        std::process::exit(fnhost::runtime::adaptor_snapshot::main(&args[2..]));
    }
    // Dates are deterministic: UTC unless the user set TZ (or passes --tz).
    if std::env::var_os("TZ").is_none() {
        std::env::set_var("TZ", "UTC");
    }
    if let Some(tz) = fnhost::cli::tz_argument() {
        std::env::set_var("TZ", tz);
    }
    // V8's platform must be initialised on the main thread before anything else.
    fnhost::runtime::init_v8();
    std::process::exit(fnhost::cli::main());
}
