//! `FNHOST_PHASES=1`: how long each phase of a run took, printed to standard error as it
//! ends — where a cold start spends its time (command line, V8 runtime from the snapshot,
//! adaptors and job, result out of V8). Off, it costs one environment lookup per run.

use std::time::Instant;

/// A stopwatch that prints the time since its previous mark, when `FNHOST_PHASES=1`.
pub(crate) struct Phases {
    last: Option<Instant>,
}

impl Phases {
    /// Starts timing if `FNHOST_PHASES=1`.
    pub(crate) fn start() -> Phases {
        let on = std::env::var_os("FNHOST_PHASES").is_some_and(|v| v == "1");
        Phases {
            last: on.then(Instant::now),
        }
    }

    /// Prints how long `phase` took (since the previous mark).
    pub(crate) fn mark(&mut self, phase: &str) {
        if let Some(last) = self.last {
            let now = Instant::now();
            eprintln!(
                "[phase] {:>8.2} ms  {phase}",
                (now - last).as_secs_f64() * 1000.0
            );
            self.last = Some(now);
        }
    }
}
