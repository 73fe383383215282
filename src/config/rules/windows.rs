//! RDS and ElastiCache time windows, in UTC: daily `hh24:mi-hh24:mi` (backups,
//! snapshots) and weekly `ddd:hh24:mi-ddd:hh24:mi` (maintenance).
//!
//! Everything is arithmetic on the weekly clock in minutes: minute 0 is Monday 00:00
//! UTC, minute 10079 is Sunday 23:59. A window is a start minute and a length; it may
//! wrap past midnight (daily) or past Sunday midnight (weekly). An end equal to the
//! start is a window of length zero.

use std::fmt;

pub const MINUTES_PER_DAY: u32 = 24 * 60;
pub const MINUTES_PER_WEEK: u32 = 7 * MINUTES_PER_DAY;

/// Day names as RDS and ElastiCache write them, Monday first.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Why a window string does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WindowError {
    /// No `-` between start and end.
    MissingDash,
    /// A time that is not `hh24:mi` with hours 00-23 and minutes 00-59.
    BadTime(String),
    /// A weekly bound without the `ddd:` day prefix.
    MissingDay(String),
    /// A day that is not one of [`DAYS`].
    BadDay(String),
}

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowError::MissingDash => f.write_str("there is no '-' between start and end"),
            WindowError::BadTime(t) => {
                write!(f, "{t:?} is not a time hh24:mi (hours 00-23, minutes 00-59)")
            }
            WindowError::MissingDay(t) => write!(f, "{t:?} has no day (ddd:hh24:mi)"),
            WindowError::BadDay(d) => {
                write!(f, "{d:?} is not a day ({})", DAYS.join(", "))
            }
        }
    }
}

/// A span on the weekly clock: `len` minutes from minute `start` (`start` < a week).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    /// Whether the two spans share at least one minute. Spans are half-open, so a
    /// window ending at 04:00 does not overlap one starting at 04:00; empty spans
    /// overlap nothing.
    pub fn overlaps(self, other: Span) -> bool {
        if self.len == 0 || other.len == 0 {
            return false;
        }
        // How far `other` starts after `self`, and `self` after `other`, around the week.
        let ahead =
            (other.start % MINUTES_PER_WEEK + MINUTES_PER_WEEK - self.start % MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
        let behind = (MINUTES_PER_WEEK - ahead) % MINUTES_PER_WEEK;
        ahead < self.len || behind < other.len
    }
}

/// A daily window `hh24:mi-hh24:mi`; `start` and `end` are minutes after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DailyWindow {
    pub start: u32,
    pub end: u32,
}

impl DailyWindow {
    pub fn parse(s: &str) -> Result<Self, WindowError> {
        let (start, end) = s.split_once('-').ok_or(WindowError::MissingDash)?;
        Ok(DailyWindow { start: parse_time(start)?, end: parse_time(end)? })
    }

    /// Length in minutes; a window ending before it starts runs past midnight.
    pub fn minutes(self) -> u32 {
        (self.end + MINUTES_PER_DAY - self.start) % MINUTES_PER_DAY
    }

    /// The window's occurrence on `day` (0 = Monday) on the weekly clock.
    pub fn on_day(self, day: u32) -> Span {
        Span { start: (day % 7) * MINUTES_PER_DAY + self.start, len: self.minutes() }
    }

    /// The first day (0 = Monday) whose occurrence of this window overlaps `weekly`.
    pub fn first_overlap(self, weekly: WeeklyWindow) -> Option<u32> {
        (0..7).find(|&day| self.on_day(day).overlaps(weekly.span()))
    }
}

/// A weekly window `ddd:hh24:mi-ddd:hh24:mi`; `start` and `end` are minutes after
/// Monday 00:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeeklyWindow {
    pub start: u32,
    pub end: u32,
}

impl WeeklyWindow {
    pub fn parse(s: &str) -> Result<Self, WindowError> {
        let (start, end) = s.split_once('-').ok_or(WindowError::MissingDash)?;
        Ok(WeeklyWindow { start: parse_day_time(start)?, end: parse_day_time(end)? })
    }

    /// Length in minutes; a window ending before it starts runs past Sunday midnight.
    pub fn minutes(self) -> u32 {
        (self.end + MINUTES_PER_WEEK - self.start) % MINUTES_PER_WEEK
    }

    pub fn span(self) -> Span {
        Span { start: self.start, len: self.minutes() }
    }
}

/// `hh24:mi` as minutes after midnight; exactly two digits each.
fn parse_time(s: &str) -> Result<u32, WindowError> {
    let bad = || WindowError::BadTime(s.to_owned());
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![b[0], b[1], b[3], b[4]].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let hours = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    let minutes = u32::from(b[3] - b'0') * 10 + u32::from(b[4] - b'0');
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    Ok(hours * 60 + minutes)
}

/// `ddd:hh24:mi` as minutes after Monday 00:00.
fn parse_day_time(s: &str) -> Result<u32, WindowError> {
    let (day, time) = s.split_once(':').ok_or_else(|| WindowError::MissingDay(s.to_owned()))?;
    let day = DAYS.iter().position(|d| *d == day).ok_or_else(|| WindowError::BadDay(day.to_owned()))?;
    // `day` < 7, so the cast cannot truncate.
    Ok(day as u32 * MINUTES_PER_DAY + parse_time(time)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u32 = 60;

    #[test]
    fn daily_windows_parse_to_minutes_after_midnight() {
        let w = DailyWindow::parse("03:00-04:30").unwrap();
        assert_eq!(w, DailyWindow { start: 3 * HOUR, end: 4 * HOUR + 30 });
        assert_eq!(w.minutes(), 90);
        assert_eq!(DailyWindow::parse("00:00-23:59").unwrap().minutes(), MINUTES_PER_DAY - 1);
    }

    #[test]
    fn daily_windows_wrap_midnight() {
        let w = DailyWindow::parse("23:30-00:15").unwrap();
        assert_eq!(w.minutes(), 45);
        // Sunday's occurrence wraps into Monday on the weekly clock.
        assert_eq!(w.on_day(6), Span { start: 6 * MINUTES_PER_DAY + 23 * HOUR + 30, len: 45 });
        assert_eq!(DailyWindow::parse("03:00-03:00").unwrap().minutes(), 0);
    }

    #[test]
    fn malformed_daily_windows_are_rejected_with_the_reason() {
        assert_eq!(DailyWindow::parse("03:00"), Err(WindowError::MissingDash));
        assert_eq!(DailyWindow::parse("3:00-04:00"), Err(WindowError::BadTime("3:00".into())));
        assert_eq!(DailyWindow::parse("24:00-01:00"), Err(WindowError::BadTime("24:00".into())));
        assert_eq!(DailyWindow::parse("03:60-04:00"), Err(WindowError::BadTime("03:60".into())));
        assert_eq!(DailyWindow::parse("03:00-04:00-05:00"), Err(WindowError::BadTime("04:00-05:00".into())));
        assert!(DailyWindow::parse("").is_err());
        assert!(DailyWindow::parse("０３:00-04:00").is_err());
        assert!(DailyWindow::parse("03:0é-04:00").is_err());
        assert!(DailyWindow::parse("+3:00-04:00").is_err());
    }

    #[test]
    fn weekly_windows_parse_to_minutes_after_monday_midnight() {
        let w = WeeklyWindow::parse("sun:04:30-sun:05:30").unwrap();
        assert_eq!(w.start, 6 * MINUTES_PER_DAY + 4 * HOUR + 30);
        assert_eq!(w.minutes(), 60);
        let w = WeeklyWindow::parse("mon:00:00-mon:00:30").unwrap();
        assert_eq!(w, WeeklyWindow { start: 0, end: 30 });
        assert_eq!(WeeklyWindow::parse("tue:22:00-wed:02:00").unwrap().minutes(), 4 * HOUR);
    }

    #[test]
    fn weekly_windows_wrap_the_week() {
        let w = WeeklyWindow::parse("sun:23:00-mon:01:00").unwrap();
        assert_eq!(w.minutes(), 2 * HOUR);
        // Ending "before" it starts within the week wraps all the way round.
        assert_eq!(WeeklyWindow::parse("mon:01:00-mon:00:00").unwrap().minutes(), MINUTES_PER_WEEK - HOUR);
    }

    #[test]
    fn malformed_weekly_windows_are_rejected_with_the_reason() {
        assert_eq!(WeeklyWindow::parse("sun:04:30"), Err(WindowError::MissingDash));
        assert_eq!(WeeklyWindow::parse("04:30-sun:05:30"), Err(WindowError::BadDay("04".into())));
        assert_eq!(WeeklyWindow::parse("sun04:30-sun:05:30"), Err(WindowError::BadDay("sun04".into())));
        assert_eq!(WeeklyWindow::parse("sunday:04:30-sun:05:30"), Err(WindowError::BadDay("sunday".into())));
        assert_eq!(WeeklyWindow::parse("Sun:04:30-sun:05:30"), Err(WindowError::BadDay("Sun".into())));
        assert_eq!(WeeklyWindow::parse("sun:4:30-sun:05:30"), Err(WindowError::BadTime("4:30".into())));
        assert_eq!(WeeklyWindow::parse("sun-mon"), Err(WindowError::MissingDay("sun".into())));
        assert!(WeeklyWindow::parse("").is_err());
    }

    #[test]
    fn spans_overlap_only_when_they_share_a_minute() {
        let s = |start, len| Span { start, len };
        assert!(s(0, 60).overlaps(s(30, 60)));
        assert!(s(30, 60).overlaps(s(0, 60)));
        assert!(s(0, 60).overlaps(s(0, 60)));
        assert!(s(0, 120).overlaps(s(30, 10)));
        assert!(s(30, 10).overlaps(s(0, 120)));
        // Touching is not overlapping.
        assert!(!s(0, 60).overlaps(s(60, 60)));
        assert!(!s(60, 60).overlaps(s(0, 60)));
        // Empty spans overlap nothing.
        assert!(!s(0, 0).overlaps(s(0, 60)));
        // Around the end of the week.
        assert!(s(MINUTES_PER_WEEK - 30, 60).overlaps(s(10, 10)));
        assert!(s(10, 10).overlaps(s(MINUTES_PER_WEEK - 30, 60)));
        assert!(!s(MINUTES_PER_WEEK - 30, 30).overlaps(s(0, 10)));
    }

    #[test]
    fn daily_windows_overlap_weekly_windows_on_the_right_day() {
        let daily = |s| DailyWindow::parse(s).unwrap();
        let weekly = |s| WeeklyWindow::parse(s).unwrap();
        // The design: backups 03:00-04:00, maintenance Sunday 04:30-05:30.
        assert_eq!(daily("03:00-04:00").first_overlap(weekly("sun:04:30-sun:05:30")), None);
        assert_eq!(daily("03:00-05:00").first_overlap(weekly("sun:04:30-sun:05:30")), Some(6));
        assert_eq!(daily("03:00-04:00").first_overlap(weekly("wed:03:30-wed:04:30")), Some(2));
        // Back to back is fine.
        assert_eq!(daily("03:00-05:00").first_overlap(weekly("sun:05:30-sun:06:30")), None);
        assert_eq!(daily("03:00-04:00").first_overlap(weekly("sun:04:00-sun:05:00")), None);
        // A daily window past midnight hits Monday's early maintenance from Sunday.
        assert_eq!(daily("23:30-00:30").first_overlap(weekly("mon:00:00-mon:00:45")), Some(6));
        // A maintenance window past Sunday midnight hits Monday's occurrence.
        assert_eq!(daily("00:30-01:30").first_overlap(weekly("sun:23:30-mon:01:00")), Some(0));
        assert_eq!(daily("01:00-02:00").first_overlap(weekly("sun:23:30-mon:01:00")), None);
        // A multi-day maintenance window overlaps every day it covers.
        assert_eq!(daily("12:00-13:00").first_overlap(weekly("tue:00:00-thu:00:00")), Some(1));
        assert_eq!(daily("12:00-13:00").first_overlap(weekly("tue:00:00-tue:00:00")), None);
    }
}
