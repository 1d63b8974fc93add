//! `FNHOST_PHASES=1`: how long each phase of a run took, printed to standard error as it
//! ends — where a cold start spends its time (command line, V8 runtime from the snapshot,
//! adaptors and job, result out of V8) — and the process's resident memory when it ended
//! (Linux). Off, it costs one environment lookup per run.

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
                "[phase] {:>8.2} ms {:>7}  {phase}",
                (now - last).as_secs_f64() * 1000.0,
                resident_mb().map_or(String::new(), |mb| format!("{mb} MB"))
            );
            self.last = Some(now);
        }
    }
}

/// The process's resident set in MB, from `/proc/self/statm` (resident pages, assuming the
/// usual 4 KiB page); `None` where there is no such file.
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / (1024 * 1024))
}
