//! Which UTC time a settlement day covers. Day D is the 24 hours that end at D's cut-off: with
//! the guide's 23:59, D runs from D−1 23:59:00 up to (not including) D 23:59:00, so a posting at
//! 23:59:30 belongs to the next day. A cut-off of 00:00 makes D the calendar day D. Every
//! posting falls in exactly one day, decided by the posting's own timestamp.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeDelta, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoff {
    /// Time after midnight at which a day ends, in (0, 24 h].
    offset: TimeDelta,
}

/// `[start, end)` of one settlement date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub date: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Cutoff {
    pub fn new(hour: u32, minute: u32) -> Self {
        let offset = Duration::hours(i64::from(hour)) + Duration::minutes(i64::from(minute));
        Self {
            offset: if offset.is_zero() {
                Duration::days(1)
            } else {
                offset
            },
        }
    }

    pub fn window(&self, date: NaiveDate) -> Window {
        let end = date.and_time(NaiveTime::MIN).and_utc() + self.offset;
        Window {
            date,
            start: end - Duration::days(1),
            end,
        }
    }

    /// The date whose window holds `t`.
    pub fn day_of(&self, t: DateTime<Utc>) -> NaiveDate {
        let date = (t - self.offset).date_naive();
        // `t - offset` lands in the day before D's end; D is the next calendar date.
        date.succ_opt().unwrap_or(date)
    }

    /// The newest date whose window ended at least `grace` before `now`.
    pub fn latest_closed(&self, now: DateTime<Utc>, grace: Duration) -> NaiveDate {
        let open = self.day_of(now - grace);
        open.pred_opt().unwrap_or(open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_guides_day_ends_at_23_59() {
        let c = Cutoff::new(23, 59);
        let w = c.window(date("2025-03-04"));
        assert_eq!(w.start, at("2025-03-03T23:59:00Z"));
        assert_eq!(w.end, at("2025-03-04T23:59:00Z"));
        assert_eq!(c.day_of(at("2025-03-04T23:58:59.999Z")), date("2025-03-04"));
        assert_eq!(c.day_of(at("2025-03-04T23:59:00Z")), date("2025-03-05"));
        assert_eq!(c.day_of(at("2025-03-04T00:00:00Z")), date("2025-03-04"));
        assert_eq!(c.day_of(at("2025-03-03T23:59:30Z")), date("2025-03-04"));
    }

    #[test]
    fn every_instant_is_in_exactly_the_window_of_its_day() {
        for c in [Cutoff::new(23, 59), Cutoff::new(0, 0), Cutoff::new(6, 30)] {
            let mut t = at("2025-12-30T00:00:00Z");
            while t < at("2026-01-02T00:00:00Z") {
                let w = c.window(c.day_of(t));
                assert!(w.start <= t && t < w.end, "{t} not in {w:?}");
                t += Duration::seconds(7 * 60 + 13);
            }
        }
    }

    #[test]
    fn midnight_makes_calendar_days() {
        let c = Cutoff::new(0, 0);
        let w = c.window(date("2025-03-04"));
        assert_eq!(
            (w.start, w.end),
            (at("2025-03-04T00:00:00Z"), at("2025-03-05T00:00:00Z"))
        );
    }

    #[test]
    fn a_day_is_closed_only_after_its_cut_off_and_the_grace() {
        let c = Cutoff::new(23, 59);
        let grace = Duration::seconds(60);
        assert_eq!(
            c.latest_closed(at("2025-03-04T23:59:59Z"), grace),
            date("2025-03-03")
        );
        assert_eq!(
            c.latest_closed(at("2025-03-05T00:00:00Z"), grace),
            date("2025-03-04")
        );
    }
}

/// A settlement date as the API takes it: exactly `YYYY-MM-DD`, a real calendar day.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("date must be a calendar date, YYYY-MM-DD (got {s:?})"))?;
    if date.year() < 2000 {
        return Err(format!("date {s} is before any settlement"));
    }
    Ok(date)
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn only_real_dates_in_the_one_format() {
        assert!(parse_date("2025-03-04").is_ok());
        for bad in [
            "2025-3-4",
            "2025-02-30",
            "04-03-2025",
            "2025/03/04",
            "2025-03-04T00:00:00Z",
            "",
            "１２３４-03-04",
            "0999-01-01",
            "2025-03-0４",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
