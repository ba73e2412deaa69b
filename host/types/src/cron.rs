//! Cron schedules of cron-triggered workflows: standard five-field expressions (minute,
//! hour, day of month, month, day of week) in UTC, parsed by `croner`, and which ticks
//! came due in a window. Every operator computes the same ticks from the manifest alone,
//! so the tick's scheduled time can name the event.

use chrono::{DateTime, Utc};
use std::str::FromStr;

/// A parsed schedule.
#[derive(Debug, Clone)]
pub struct Schedule(croner::Cron);

/// The ticks due in a window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Due {
    /// The ticks to run, oldest first (at most the limit asked for: the newest ones).
    pub ticks: Vec<u64>,
    /// Older due ticks left out by the limit.
    pub skipped: u64,
    /// The newest due tick, run or skipped: where the next window starts.
    pub newest: Option<u64>,
}

impl Schedule {
    /// Parses a five-field expression (`*/5 * * * *`) or a macro (`@hourly`, `@daily`,
    /// `@weekly`, `@monthly`, `@yearly`); a seconds field is refused, since operators'
    /// clocks agree to the minute better than to the second.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        let fields = text.split_whitespace().count();
        if !text.starts_with('@') && fields != 5 {
            return Err(format!(
                "cron schedule {text:?} has {fields} fields; use five (minute hour day-of-month month day-of-week, in UTC), e.g. \"*/5 * * * *\""
            ));
        }
        croner::Cron::from_str(text).map(Schedule).map_err(|e| format!("cron schedule {text:?}: {e}"))
    }

    /// The first tick strictly after `after` (Unix seconds), if the schedule has one.
    pub fn next_after(&self, after: u64) -> Option<u64> {
        let at: DateTime<Utc> = DateTime::from_timestamp(i64::try_from(after).ok()?, 0)?;
        let next = self.0.find_next_occurrence(&at, false).ok()?;
        u64::try_from(next.timestamp()).ok()
    }

    /// The ticks in `(after, now]`, keeping the newest `limit` of them. Counts every
    /// tick of the window (a year of minutes is ~0.5 M steps, about a second, once).
    pub fn due(&self, after: u64, now: u64, limit: usize) -> Due {
        let mut all = std::collections::VecDeque::new();
        let (mut skipped, mut newest, mut at) = (0u64, None, after);
        while let Some(tick) = self.next_after(at).filter(|t| *t <= now) {
            all.push_back(tick);
            if all.len() > limit {
                all.pop_front();
                skipped += 1;
            }
            newest = Some(tick);
            at = tick;
        }
        Due { ticks: all.into(), skipped, newest }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_030; // 2023-11-14 22:13:50 UTC

    #[test]
    fn five_fields_in_utc() {
        let every_minute = Schedule::parse("*/1 * * * *").unwrap();
        assert_eq!(every_minute.next_after(T0), Some(1_700_000_040), "the next whole minute");
        assert_eq!(every_minute.next_after(1_700_000_040), Some(1_700_000_100), "strictly after");
        let daily = Schedule::parse("0 3 * * *").unwrap();
        assert_eq!(daily.next_after(T0), Some(1_700_017_200), "03:00 UTC the next day");
        assert!(Schedule::parse("@hourly").is_ok());
        assert!(Schedule::parse("0 * * * * *").unwrap_err().contains("has 6 fields; use five"));
        assert!(Schedule::parse("61 * * * *").unwrap_err().contains("61 * * * *"));
        assert!(Schedule::parse("").unwrap_err().contains("0 fields"));
    }

    #[test]
    fn due_ticks_keep_the_newest_up_to_the_limit() {
        let s = Schedule::parse("* * * * *").unwrap();
        assert_eq!(s.due(T0, T0 + 5, 10), Due::default(), "nothing due within the minute");
        let due = s.due(T0, T0 + 129, 10);
        assert_eq!(due, Due { ticks: vec![1_700_000_040, 1_700_000_100], skipped: 0, newest: Some(1_700_000_100) });
        // Down for an hour with a limit of 3: the newest 3 run, 57 are skipped.
        let due = s.due(1_700_000_040, 1_700_003_640, 3);
        assert_eq!(due.ticks, vec![1_700_003_520, 1_700_003_580, 1_700_003_640]);
        assert_eq!((due.skipped, due.newest), (57, Some(1_700_003_640)));
        let none_allowed = s.due(1_700_000_040, 1_700_000_160, 0);
        assert_eq!((none_allowed.ticks.len(), none_allowed.skipped, none_allowed.newest), (0, 2, Some(1_700_000_160)));
    }
}
