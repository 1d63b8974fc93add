//! Log output of the CLI: per-logger levels (`--log info`, `--log job=debug,cli=none`), OpenFn's
//! text format (`[JOB] ℹ message`) or one JSON object per line (`--log-json`).

use std::collections::HashMap;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Threshold of a logger: messages below it are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Everything.
    Debug = 0,
    /// Info and above.
    Info = 1,
    /// Success, warnings, errors and `always` lines.
    Default = 2,
    /// Nothing.
    None = 3,
}

impl Level {
    fn parse(text: &str) -> Result<Level, String> {
        match text {
            "debug" | "trace" => Ok(Level::Debug),
            "info" => Ok(Level::Info),
            "default" => Ok(Level::Default),
            "none" => Ok(Level::None),
            other => Err(format!(
                "unknown log level '{other}' (use none, default, info or debug)"
            )),
        }
    }
}

/// Which lines are printed and how.
#[derive(Debug, Clone)]
pub struct LogConfig {
    levels: HashMap<String, Level>,
    fallback: Level,
    /// One JSON object per line instead of text.
    pub json: bool,
}

impl LogConfig {
    /// Parses `--log` values: `LEVEL` for every logger, or `name=LEVEL` pairs (comma separated).
    pub fn parse(values: &[String], json: bool) -> Result<LogConfig, String> {
        let mut config = LogConfig {
            levels: HashMap::new(),
            fallback: Level::Default,
            json,
        };
        config.levels.insert("JOB".into(), Level::Debug);
        for value in values {
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match part.split_once('=') {
                    Some((name, level)) => {
                        config.levels.insert(
                            name.to_uppercase().replace("RUNTIME", "R/T"),
                            Level::parse(level)?,
                        );
                    }
                    None => {
                        let level = Level::parse(part)?;
                        config.fallback = level;
                        config.levels.clear();
                        if level < Level::None && level > Level::Debug {
                            // job logs stay visible unless silenced explicitly
                            config.levels.insert("JOB".into(), Level::Debug);
                        }
                    }
                }
            }
        }
        Ok(config)
    }

    fn threshold(&self, name: &str) -> Level {
        *self.levels.get(name).unwrap_or(&self.fallback)
    }

    /// Writes one line if the logger `name`'s level lets `level` through.
    pub fn emit(&self, level: &str, name: &str, message: &str) {
        let rank = match level {
            "debug" => Level::Debug,
            "info" => Level::Info,
            _ => Level::Default,
        };
        if level == "break" {
            if self.threshold(name) != Level::None && !self.json {
                let _ = writeln!(std::io::stderr().lock());
            }
            return;
        }
        if level == "print" && name.is_empty() {
            // raw output of adaptor code (the main realm's console), like Node's console
            if self.fallback != Level::None {
                let _ = writeln!(std::io::stderr().lock(), "{message}");
            }
            return;
        }
        let threshold = self.threshold(name);
        if threshold == Level::None || rank < threshold {
            return;
        }
        let mut err = std::io::stderr().lock();
        if self.json {
            // OpenFn's JSON logs carry the time as a nanosecond timestamp string.
            let time = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let line = serde_json::json!({ "level": level, "name": name, "message": [message], "time": time.to_string() });
            let _ = writeln!(err, "{line}");
        } else if level == "print" {
            let _ = writeln!(err, "{message}");
        } else {
            let icon = match level {
                // OpenFn's logger icons
                "debug" => "❯",
                "info" => "ℹ",
                "success" => "✔",
                "warn" => "⚠",
                "error" => "✘",
                "always" => "♦",
                _ => "ℹ",
            };
            for (i, line) in message.split('\n').enumerate() {
                if i == 0 {
                    let _ = writeln!(err, "[{name}] {icon} {line}");
                } else {
                    let _ = writeln!(err, "{line}");
                }
            }
        }
    }
}
