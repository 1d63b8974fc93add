//! Log lines from the engine's console and from OpenFn's runtime messages, handed to the host.

use std::rc::Rc;

use deno_core::op2;
use deno_core::OpState;

/// A function receiving `(level, logger name, message)` for each log line.
pub type LogFn = dyn Fn(&str, &str, &str);

/// Receives every log line produced inside the engine.
///
/// The host installs one in the `OpState`; without one, lines go to stderr.
#[derive(Clone)]
pub struct LogSink(pub Rc<LogFn>);

/// Emits one log line at `level` (`debug`, `info`, `success`, `warn`, `error`, `always`).
#[op2(fast)]
pub fn op_log_emit(
    state: &mut OpState,
    #[string] level: &str,
    #[string] name: &str,
    #[string] message: &str,
) {
    match state.try_borrow::<LogSink>() {
        Some(sink) => (sink.0)(level, name, message),
        None => eprintln!("[{name}] {message}"),
    }
}
