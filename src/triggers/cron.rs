//! Cron triggers' schedules: OpenFn's standard five-field cron (`minute hour day-of-month month
//! day-of-week`, in UTC), computed by the `cron` crate.
//!
//! The `cron` crate reads a different dialect (a leading seconds field, days of the week
//! numbered 1 = Sunday … 7 = Saturday), so an expression is translated before it is handed over:
//! a `0` seconds field is prepended, and the day-of-week field — standard numbering, 0 or 7 =
//! Sunday, 1 = Monday, names `sun`…`sat` — is read here and passed on as day names. The
//! shorthands `@hourly`, `@daily` (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`)
//! are accepted. When both the day of the month and the day of the week are restricted, a time
//! must match both, as in OpenFn's platform (its Elixir `Crontab` library); classic Vixie cron
//! would match either.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A parsed five-field cron expression; [`CronSchedule::next_after`] gives its next firing time.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    expression: String,
    schedule: ::cron::Schedule,
}

/// The fields' names, in order, for error messages.
const FIELDS: [&str; 5] = ["minute", "hour", "day-of-month", "month", "day-of-week"];

impl CronSchedule {
    /// Parses a five-field cron expression (`*/5 * * * *`, `0 9 * * 1-5`) or a shorthand
    /// (`@daily`). Errors name the expression and, where one is at fault, the field.
    pub fn parse(expr: &str) -> Result<CronSchedule, String> {
        let trimmed = expr.trim();
        let expanded = match trimmed.to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other if other.starts_with('@') => {
                return Err(format!(
                    "cron expression {expr:?}: unknown shorthand (use @hourly, @daily, @weekly, \
                     @monthly or @yearly, or five fields: minute hour day-of-month month \
                     day-of-week)"
                ))
            }
            _ => trimmed,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            let hint = if fields.len() == 6 {
                " (a seconds field is not part of standard cron)"
            } else {
                ""
            };
            return Err(format!(
                "cron expression {expr:?} has {} field(s); expected 5: minute hour day-of-month \
                 month day-of-week, e.g. \"*/5 * * * *\"{hint}",
                fields.len()
            ));
        }
        let day_of_week = day_of_week_names(fields[4])
            .map_err(|why| format!("cron expression {expr:?}: day-of-week field: {why}"))?;
        let translated = format!(
            "0 {} {} {} {} {}",
            fields[0], fields[1], fields[2], fields[3], day_of_week
        );
        let schedule = ::cron::Schedule::from_str(&translated).map_err(|error| {
            // Name the field at fault: try each alone with the others left as `*`.
            let culprit = (0..4).find(|&i| {
                let mut probe = ["0", "*", "*", "*", "*", "*"];
                probe[i + 1] = fields[i];
                ::cron::Schedule::from_str(&probe.join(" ")).is_err()
            });
            match culprit {
                Some(i) => format!(
                    "cron expression {expr:?}: {} field {:?} is invalid: {error}",
                    FIELDS[i], fields[i]
                ),
                None => format!("cron expression {expr:?} is invalid: {error}"),
            }
        })?;
        let parsed = CronSchedule {
            expression: trimmed.to_string(),
            schedule,
        };
        // `0 0 31 2 *` parses but never fires: say so now rather than never running the job.
        if parsed.schedule.upcoming(Utc).next().is_none() {
            return Err(format!(
                "cron expression {expr:?} never fires (no such date, e.g. February 30th)"
            ));
        }
        Ok(parsed)
    }

    /// The first firing time strictly after `after_ms` (UTC, milliseconds since the Unix
    /// epoch), in the same unit; `None` when there is none (or `after_ms` is outside the dates
    /// the calendar handles).
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        let after = DateTime::<Utc>::from_timestamp_millis(after_ms)?;
        let next = self.schedule.after(&after).next()?;
        Some(next.timestamp_millis())
    }

    /// The expression as written (trimmed).
    pub fn expression(&self) -> &str {
        &self.expression
    }
}

/// Reads a standard day-of-week field (`*`, `1-5`, `mon-fri`, `0,6`, `*/2`, `1-5/2`, `7`) and
/// writes it as the `cron` crate's day names, whose numbers differ from standard cron's.
fn day_of_week_names(field: &str) -> Result<String, String> {
    if field == "*" || field == "?" {
        return Ok(field.to_string());
    }
    const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let mut days = [false; 7];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or_else(|| format!("{part:?}: the step must be a positive number"))?;
                (range, step)
            }
            None => (part, 1),
        };
        let (first, last) = if range == "*" {
            (0, 6)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (day_number(a)?, day_number(b)?);
            if a > b {
                return Err(format!("{part:?}: the range runs backwards"));
            }
            (a, b)
        } else {
            let a = day_number(range)?;
            // `a/n` runs from `a` to the end of the week.
            (a, if part.contains('/') { 6 } else { a })
        };
        let mut day = first;
        while day <= last {
            days[(day % 7) as usize] = true;
            day += step;
        }
    }
    let names: Vec<&str> = (0..7).filter(|&d| days[d]).map(|d| NAMES[d]).collect();
    Ok(names.join(","))
}

/// A day of the week as standard cron numbers it: 0 and 7 are Sunday; names are accepted.
fn day_number(text: &str) -> Result<u32, String> {
    const NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    if let Some(at) = NAMES
        .iter()
        .position(|name| text.eq_ignore_ascii_case(name))
    {
        return Ok(at as u32);
    }
    match text.parse::<u32>() {
        Ok(n) if n <= 7 => Ok(n),
        _ => Err(format!(
            "{text:?} is not a day of the week (0-7 with 0 and 7 = Sunday, or sun-sat)"
        )),
    }
}

impl FromStr for CronSchedule {
    type Err = String;

    fn from_str(expr: &str) -> Result<Self, Self::Err> {
        CronSchedule::parse(expr)
    }
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expression)
    }
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.expression == other.expression
    }
}

/// Read from a string: the expression, parsed (errors become serde errors with the same text).
impl<'de> Deserialize<'de> for CronSchedule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let expression = String::deserialize(deserializer)?;
        CronSchedule::parse(&expression).map_err(serde::de::Error::custom)
    }
}

/// Written as the expression.
impl Serialize for CronSchedule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.expression)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Milliseconds of a UTC time written `2026-12-04T16:31:18.500Z`.
    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    fn next(expr: &str, after: &str) -> String {
        let at = CronSchedule::parse(expr)
            .unwrap()
            .next_after(ms(after))
            .unwrap();
        DateTime::<Utc>::from_timestamp_millis(at)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    #[test]
    fn every_five_minutes_strictly_after() {
        assert_eq!(
            next("*/5 * * * *", "2026-12-04T16:31:18.500Z"),
            "2026-12-04T16:35:00.000Z"
        );
        assert_eq!(
            next("*/5 * * * *", "2026-12-04T16:35:00.000Z"),
            "2026-12-04T16:40:00.000Z"
        );
        assert_eq!(
            next("*/5 * * * *", "2026-12-04T16:34:59.999Z"),
            "2026-12-04T16:35:00.000Z"
        );
        assert_eq!(
            next("* * * * *", "2026-12-31T23:59:00.001Z"),
            "2027-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn weekdays_use_standard_numbering() {
        // 2026-12-04 is a Friday.
        assert_eq!(
            next("0 9 * * 1-5", "2026-12-04T09:00:00Z"),
            "2026-12-07T09:00:00.000Z"
        );
        assert_eq!(
            next("0 9 * * 1-5", "2026-12-04T08:00:00Z"),
            "2026-12-04T09:00:00.000Z"
        );
        assert_eq!(
            next("0 9 * * mon-fri", "2026-12-04T09:00:00Z"),
            "2026-12-07T09:00:00.000Z"
        );
        assert_eq!(
            next("0 0 * * 0", "2026-12-04T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
        assert_eq!(
            next("0 0 * * 7", "2026-12-04T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
        assert_eq!(
            next("0 0 * * 6", "2026-12-04T00:00:00Z"),
            "2026-12-05T00:00:00.000Z"
        );
        assert_eq!(
            next("0 0 * * 5-7", "2026-12-05T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
        assert_eq!(
            next("0 0 * * */2", "2026-12-04T00:00:00Z"),
            "2026-12-05T00:00:00.000Z"
        );
        assert_eq!(
            next("0 0 * * 1/2", "2026-12-04T00:00:00Z"),
            "2026-12-07T00:00:00.000Z"
        );
        assert_eq!(
            next("@weekly", "2026-12-04T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
    }

    #[test]
    fn other_fields_and_shorthands() {
        assert_eq!(
            next("30 2 1 * *", "2026-12-04T00:00:00Z"),
            "2027-01-01T02:30:00.000Z"
        );
        assert_eq!(
            next("0 0 29 2 *", "2026-12-04T00:00:00Z"),
            "2028-02-29T00:00:00.000Z"
        );
        assert_eq!(
            next("15 10 * jan,jul *", "2026-12-04T00:00:00Z"),
            "2027-01-01T10:15:00.000Z"
        );
        assert_eq!(
            next("@hourly", "2026-12-04T16:31:00Z"),
            "2026-12-04T17:00:00.000Z"
        );
        assert_eq!(
            next("@daily", "2026-12-04T16:31:00Z"),
            "2026-12-05T00:00:00.000Z"
        );
        assert_eq!(
            next(" @Monthly ", "2026-12-04T16:31:00Z"),
            "2027-01-01T00:00:00.000Z"
        );
        // Day of month and day of week both restricted: both must match (Friday the 13th).
        assert_eq!(
            next("0 0 13 * 5", "2026-12-04T00:00:00Z"),
            "2027-08-13T00:00:00.000Z"
        );
    }

    #[test]
    fn errors_name_the_expression_and_field() {
        let error = CronSchedule::parse("*/5 * * *").unwrap_err();
        assert!(error.contains("\"*/5 * * *\" has 4 field(s)"), "{error}");
        let error = CronSchedule::parse("0 */5 * * * *").unwrap_err();
        assert!(error.contains("seconds field"), "{error}");
        let error = CronSchedule::parse("61 * * * *").unwrap_err();
        assert!(
            error.contains("\"61 * * * *\": minute field \"61\""),
            "{error}"
        );
        let error = CronSchedule::parse("0 24 * * *").unwrap_err();
        assert!(error.contains("hour field \"24\""), "{error}");
        let error = CronSchedule::parse("0 0 * 13 *").unwrap_err();
        assert!(error.contains("month field \"13\""), "{error}");
        let error = CronSchedule::parse("0 0 * * 8").unwrap_err();
        assert!(error.contains("day-of-week field: \"8\""), "{error}");
        let error = CronSchedule::parse("0 0 * * fri-mon").unwrap_err();
        assert!(error.contains("backwards"), "{error}");
        let error = CronSchedule::parse("0 0 31 2 *").unwrap_err();
        assert!(error.contains("never fires"), "{error}");
        let error = CronSchedule::parse("@reboot").unwrap_err();
        assert!(error.contains("unknown shorthand"), "{error}");
        assert!(CronSchedule::parse("").is_err());
    }

    #[test]
    fn out_of_range_times_give_none() {
        let every = CronSchedule::parse("* * * * *").unwrap();
        assert_eq!(every.next_after(i64::MAX), None);
        assert_eq!(every.next_after(0), Some(60_000));
        assert_eq!(every.next_after(-1), Some(0));
    }

    #[test]
    fn serde_round_trip() {
        let schedule: CronSchedule = serde_json::from_str("\"0 9 * * 1-5\"").unwrap();
        assert_eq!(schedule.expression(), "0 9 * * 1-5");
        assert_eq!(serde_json::to_string(&schedule).unwrap(), "\"0 9 * * 1-5\"");
        let error = serde_json::from_str::<CronSchedule>("\"nope\"").unwrap_err();
        assert!(error.to_string().contains("\"nope\""), "{error}");
    }
}
