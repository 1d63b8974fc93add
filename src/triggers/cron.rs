//! Cron triggers' schedules: OpenFn's five-field cron (`minute hour day-of-month month
//! day-of-week`, in UTC) with the meaning OpenFn's platform gives it, searched by the `cron`
//! crate.
//!
//! OpenFn's platform checks each minute against the expression with the Elixir `Crontab`
//! library, whose reading differs from classic cron and from the `cron` crate's in places a
//! user would notice: `*/2` in the day-of-month field means even days (a value matches a step
//! when it divides evenly, so `*/3` months are Mar, Jun, Sep, Dec), `a/n` runs from `a` to the
//! field's end, ranges may wrap (`22-2` hours, `fri-mon`), day-of-week numbers are 0-7 with 0 and
//! 7 = Sunday and names `sun`…`sat` (under a step Sunday counts as 7 only, so `*/2` is Tue, Thu,
//! Sat), `L` in the month field is 12 and in the day-of-week field Sunday, and when both day
//! fields are restricted a time must match both. So each field is read here into the explicit
//! set of values it selects, and the `cron` crate (which wants a seconds field, numbers days of
//! the week 1 = Sunday, and reads steps and ranges its own way) is handed those sets and finds
//! the next time. The shorthands `@minutely`, `@hourly`, `@daily` (`@midnight`), `@weekly`,
//! `@monthly`, `@yearly` (`@annually`) are accepted; `L`/`W`/`#` day forms and a year field are
//! not.

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
            "@minutely" => "* * * * *",
            other if other.starts_with('@') => {
                return Err(format!(
                    "cron expression {expr:?}: unknown shorthand (use @minutely, @hourly, \
                     @daily, @weekly, @monthly or @yearly, or five fields: minute hour \
                     day-of-month month day-of-week)"
                ))
            }
            _ => trimmed,
        };
        let texts: Vec<&str> = expanded.split_whitespace().collect();
        if texts.len() != 5 {
            let hint = if texts.len() == 6 {
                " (a sixth field, seconds or year, is not supported)"
            } else {
                ""
            };
            return Err(format!(
                "cron expression {expr:?} has {} field(s); expected 5: minute hour day-of-month \
                 month day-of-week, e.g. \"*/5 * * * *\"{hint}",
                texts.len()
            ));
        }
        let mut sets = Vec::with_capacity(5);
        for (field, text) in FIELDS.iter().zip(&texts) {
            let set = field.select(text).map_err(|why| {
                format!(
                    "cron expression {expr:?}: {} field {text:?}: {why}",
                    field.name
                )
            })?;
            sets.push(set);
        }
        let translated = format!("0 {}", sets.join(" "));
        let schedule = ::cron::Schedule::from_str(&translated)
            .map_err(|error| format!("cron expression {expr:?} is invalid: {error}"))?;
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
    /// the calendar handles, up to the year 2100).
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

/// One of the five fields: the values it can hold and how its words read.
struct Field {
    name: &'static str,
    /// The values a time can have (day of week: 0 = Sunday … 6 = Saturday).
    first: u32,
    last: u32,
    /// The largest number the field accepts (7 for the day of the week, Sunday again).
    top: u32,
    /// Names for 1, 2, … (months, days of the week from Monday, so Sunday is 7).
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        first: 0,
        last: 59,
        top: 59,
        names: &[],
    },
    Field {
        name: "hour",
        first: 0,
        last: 23,
        top: 23,
        names: &[],
    },
    Field {
        name: "day-of-month",
        first: 1,
        last: 31,
        top: 31,
        names: &[],
    },
    Field {
        name: "month",
        first: 1,
        last: 12,
        top: 12,
        names: &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    },
    Field {
        name: "day-of-week",
        first: 0,
        last: 6,
        top: 7,
        names: &["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    },
];

/// One comma-separated part of a field.
#[derive(Debug, Clone, Copy)]
enum Part {
    All,
    Value(u32),
    /// `from-to`, wrapping past the field's end when `from > to`.
    Range(u32, u32),
    /// `*/n`, or `from-to/n` (`from/n` is `from-top/n`).
    Step(Option<(u32, u32)>, u32),
}

impl Field {
    fn is_day_of_week(&self) -> bool {
        self.top == 7
    }

    /// The field's text as the `cron` crate's explicit list of the values it selects.
    fn select(&self, text: &str) -> Result<String, String> {
        let parts = text
            .split(',')
            .map(|part| self.part(part))
            .collect::<Result<Vec<_>, _>>()?;
        let chosen: Vec<u32> = (self.first..=self.last)
            .filter(|&value| parts.iter().any(|&part| self.matches(part, value)))
            .collect();
        if chosen.is_empty() {
            return Err(format!("selects no {}", self.name));
        }
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        let words: Vec<String> = chosen
            .iter()
            .map(|&value| match self.is_day_of_week() {
                true => DAYS[value as usize].to_string(),
                false => value.to_string(),
            })
            .collect();
        Ok(words.join(","))
    }

    fn part(&self, part: &str) -> Result<Part, String> {
        if part == "*" {
            return Ok(Part::All);
        }
        if let Some((base, step)) = part.split_once('/') {
            let step = step
                .parse::<u32>()
                .ok()
                .filter(|&step| step > 0)
                .ok_or_else(|| format!("{step:?} is not a step (a positive whole number)"))?;
            let base = match self.part(base)? {
                Part::All => None,
                Part::Value(from) => Some((from, self.top)),
                Part::Range(from, to) => Some((from, to)),
                Part::Step(..) => return Err(format!("{part:?} has two steps")),
            };
            return Ok(Part::Step(base, step));
        }
        if let Some((from, to)) = part.split_once('-') {
            return Ok(Part::Range(self.number(from)?, self.number(to)?));
        }
        Ok(Part::Value(self.number(part)?))
    }

    fn number(&self, word: &str) -> Result<u32, String> {
        if word.eq_ignore_ascii_case("l") && !self.names.is_empty() {
            return Ok(self.top); // `L`: the last month, or Sunday
        }
        if let Some(at) = self.names.iter().position(|n| word.eq_ignore_ascii_case(n)) {
            return Ok(at as u32 + 1);
        }
        let low = if self.is_day_of_week() { 0 } else { self.first };
        match word.parse::<u32>() {
            Ok(n) if (low..=self.top).contains(&n) => Ok(n),
            _ if word.ends_with(['L', 'W', 'l', 'w']) || word.contains('#') => {
                Err(format!("{word:?}: L, W and # forms are not supported"))
            }
            _ => Err(format!(
                "{word:?} is not a {} ({low}-{}{})",
                self.name,
                self.top,
                match self.is_day_of_week() {
                    true => ", 0 and 7 = Sunday, or sun-sat",
                    false if !self.names.is_empty() => ", or jan-dec",
                    false => "",
                }
            )),
        }
    }

    /// Whether a time whose field is `value` matches `part`. Sunday is both 0 and 7 in the
    /// day-of-week field, except under a step, where it is 7 only.
    fn matches(&self, part: Part, value: u32) -> bool {
        let sunday = self.is_day_of_week() && value == 0;
        let forms: &[u32] = match (sunday, part) {
            (true, Part::Step(..)) => &[7],
            (true, _) => &[0, 7],
            (false, _) => std::slice::from_ref(&value),
        };
        forms.iter().any(|&v| match part {
            Part::All => true,
            Part::Value(x) => v == x,
            Part::Range(from, to) => in_range(v, from, to),
            Part::Step(None, step) => v % step == 0,
            Part::Step(Some((from, to)), step) => {
                in_range(v, from, to) && (v as i64 - from as i64) % step as i64 == 0
            }
        })
    }
}

/// `from-to`, wrapping past the field's end when `from > to` (`22-2` is 22, 23, 0, 1, 2).
fn in_range(value: u32, from: u32, to: u32) -> bool {
    match from <= to {
        true => from <= value && value <= to,
        false => value >= from || value <= to,
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
    fn weekdays_numbered_from_sunday_zero_or_seven() {
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
            next("0 9 * * MON-FRI", "2026-12-04T09:00:00Z"),
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
            next("0 0 * * sun", "2026-12-04T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
        assert_eq!(
            next("0 0 * * L", "2026-12-04T00:00:00Z"),
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
            next("@weekly", "2026-12-04T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
    }

    /// Every day of the week a day-of-week field selects, from Sunday, as OpenFn's `Crontab`
    /// reads it.
    fn days(field: &str) -> String {
        FIELDS[4].select(field).unwrap()
    }

    #[test]
    fn day_of_week_steps_and_wrapping_ranges_read_as_openfn_does() {
        // Under a step Sunday is 7 only: `*/2` is Tue, Thu, Sat (classic cron adds Sunday).
        assert_eq!(days("*/2"), "Tue,Thu,Sat");
        assert_eq!(days("0-6/2"), "Tue,Thu,Sat");
        assert_eq!(days("1/2"), "Sun,Mon,Wed,Fri"); // 1-7/2
        assert_eq!(days("*/7"), "Sun");
        assert_eq!(days("fri-mon"), "Sun,Mon,Fri,Sat");
        assert_eq!(days("sun-sat"), "Sun,Mon,Tue,Wed,Thu,Fri,Sat");
        assert_eq!(days("0,3"), "Sun,Wed");
        assert_eq!(days("*"), "Sun,Mon,Tue,Wed,Thu,Fri,Sat");
        assert_eq!(
            next("0 0 * * 1/2", "2026-12-04T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
    }

    #[test]
    fn steps_match_values_that_divide_evenly() {
        // Day of month `*/2`: even days (the `cron` crate alone would give odd ones).
        assert_eq!(
            FIELDS[2].select("*/2").unwrap().split(',').next(),
            Some("2")
        );
        assert_eq!(
            next("0 0 */2 * *", "2026-12-04T00:00:00Z"),
            "2026-12-06T00:00:00.000Z"
        );
        assert_eq!(
            next("0 0 */2 * *", "2026-12-30T00:00:00Z"),
            "2027-01-02T00:00:00.000Z"
        );
        assert_eq!(FIELDS[3].select("*/3").unwrap(), "3,6,9,12");
        assert_eq!(FIELDS[3].select("jan/4").unwrap(), "1,5,9");
        assert_eq!(FIELDS[0].select("5/15").unwrap(), "5,20,35,50");
        assert_eq!(FIELDS[0].select("10-20/5").unwrap(), "10,15,20");
        assert_eq!(FIELDS[1].select("22-2").unwrap(), "0,1,2,22,23");
        assert_eq!(FIELDS[1].select("20-2/2").unwrap(), "0,2,20,22");
        assert_eq!(FIELDS[3].select("L").unwrap(), "12");
        assert_eq!(
            next("0 22-2 * * *", "2026-12-04T02:00:00Z"),
            "2026-12-04T22:00:00.000Z"
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
            next("15 10 * jan,JUL *", "2026-12-04T00:00:00Z"),
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
        assert!(error.contains("sixth field"), "{error}");
        let error = CronSchedule::parse("61 * * * *").unwrap_err();
        assert!(
            error.contains("\"61 * * * *\": minute field \"61\""),
            "{error}"
        );
        assert!(error.contains("is not a minute (0-59)"), "{error}");
        let error = CronSchedule::parse("0 24 * * *").unwrap_err();
        assert!(error.contains("hour field \"24\""), "{error}");
        let error = CronSchedule::parse("0 0 0 * *").unwrap_err();
        assert!(error.contains("day-of-month field \"0\""), "{error}");
        let error = CronSchedule::parse("0 0 * 13 *").unwrap_err();
        assert!(error.contains("month field \"13\""), "{error}");
        let error = CronSchedule::parse("0 0 * * 8").unwrap_err();
        assert!(error.contains("day-of-week field \"8\""), "{error}");
        assert!(error.contains("0 and 7 = Sunday"), "{error}");
        let error = CronSchedule::parse("*/0 * * * *").unwrap_err();
        assert!(error.contains("not a step"), "{error}");
        let error = CronSchedule::parse("0 0 L * *").unwrap_err();
        assert!(error.contains("not supported"), "{error}");
        let error = CronSchedule::parse("0 0 * * 5#2").unwrap_err();
        assert!(error.contains("not supported"), "{error}");
        let error = CronSchedule::parse("0 0 */40 * *").unwrap_err();
        assert!(error.contains("selects no day-of-month"), "{error}");
        let error = CronSchedule::parse("0 0 31 2 *").unwrap_err();
        assert!(error.contains("never fires"), "{error}");
        let error = CronSchedule::parse("@reboot").unwrap_err();
        assert!(error.contains("unknown shorthand"), "{error}");
        assert!(CronSchedule::parse("").is_err());
        assert!(CronSchedule::parse("? * * * *").is_err());
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
