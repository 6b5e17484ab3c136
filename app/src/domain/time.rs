//! Times as a person reads and enters them: stored in UTC, shown and typed in the viewer's zone.
//! The zone database lives on the server only (it is large), so the server turns each time into
//! the text the browser shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A moment, with its text in the viewer's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownTime {
    pub utc: DateTime<Utc>,
    /// "2026-11-20 14:03:05 CET".
    pub text: String,
    /// The value of a `datetime-local` input: "2026-11-20T14:03:05".
    pub input: String,
}

#[cfg(feature = "ssr")]
pub use zone::*;

#[cfg(feature = "ssr")]
mod zone {
    use super::ShownTime;
    use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
    use chrono_tz::Tz;

    /// An IANA zone name such as "Europe/Berlin".
    pub fn parse_zone(input: &str) -> Result<Tz, String> {
        input.trim().parse::<Tz>().map_err(|_| {
            format!(
                "\"{}\" is not a time zone name like Europe/Berlin",
                input.trim()
            )
        })
    }

    /// Every zone name, for a picker.
    pub fn zone_names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }

    /// The calendar day `at` falls on in `zone`.
    pub fn day_in(at: DateTime<Utc>, zone: Tz) -> chrono::NaiveDate {
        at.with_timezone(&zone).date_naive()
    }

    pub fn show(at: DateTime<Utc>, zone: Tz) -> ShownTime {
        let local = at.with_timezone(&zone);
        ShownTime {
            utc: at,
            text: local.format(SHOWN).to_string(),
            input: local.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }

    /// Only the text of [`show`], for a page that shows the moment and does nothing else with it.
    pub fn show_text(at: DateTime<Utc>, zone: Tz) -> String {
        at.with_timezone(&zone).format(SHOWN).to_string()
    }

    const SHOWN: &str = "%Y-%m-%d %H:%M:%S %Z";

    /// A `datetime-local` value (with or without seconds) read in `zone`. A wall-clock time
    /// that happens twice when clocks go back is read as the first; one skipped when they go
    /// forward does not exist and is refused.
    pub fn parse_local(input: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
        let input = input.trim();
        let naive = NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M"))
            .or_else(|_| NaiveDateTime::parse_from_str(input, "%Y-%m-%d %H:%M:%S"))
            .or_else(|_| NaiveDateTime::parse_from_str(input, "%Y-%m-%d %H:%M"))
            .map_err(|_| "must be a date and time like 2026-11-20 14:03".to_string())?;
        match zone.from_local_datetime(&naive) {
            LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
            LocalResult::None => Err(format!(
                "does not exist in {} (the clocks skipped it)",
                zone.name()
            )),
        }
    }

    /// An optional time: empty means not set.
    pub fn parse_local_optional(input: &str, zone: Tz) -> Result<Option<DateTime<Utc>>, String> {
        if input.trim().is_empty() {
            Ok(None)
        } else {
            parse_local(input, zone).map(Some)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn berlin() -> Tz {
            parse_zone("Europe/Berlin").unwrap()
        }

        #[test]
        fn the_review_after_a_late_evening_depends_on_the_reporting_zone() {
            use crate::domain::action_item::Cadence;
            use chrono::NaiveDate;
            // 23:30 on the last day of November in UTC is already December in Tokyo and still
            // November in New York: the monthly and quarterly reviews move with the zone.
            let at = "2026-11-30T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
            let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let tokyo = day_in(at, parse_zone("Asia/Tokyo").unwrap());
            let new_york = day_in(at, parse_zone("America/New_York").unwrap());
            assert_eq!(tokyo, day(2026, 12, 1));
            assert_eq!(new_york, day(2026, 11, 30));
            assert_eq!(Cadence::Monthly.verify_on(tokyo), day(2027, 1, 1));
            assert_eq!(Cadence::Monthly.verify_on(new_york), day(2026, 12, 1));
            assert_eq!(Cadence::Quarterly.verify_on(tokyo), day(2027, 1, 1));
            assert_eq!(Cadence::Weekly.verify_on(tokyo), day(2026, 12, 7));
            assert_eq!(Cadence::Weekly.verify_on(new_york), day(2026, 12, 7));
            assert_eq!(Cadence::Daily.verify_on(new_york), day(2026, 12, 1));
        }

        #[test]
        fn local_input_round_trips_through_utc() {
            let at = parse_local("2026-11-20T14:03:05", berlin()).unwrap();
            assert_eq!(at.to_rfc3339(), "2026-11-20T13:03:05+00:00");
            let shown = show(at, berlin());
            assert_eq!(shown.input, "2026-11-20T14:03:05");
            assert_eq!(shown.text, "2026-11-20 14:03:05 CET");
            assert_eq!(parse_local(&shown.input, berlin()), Ok(at));
        }

        #[test]
        fn minutes_without_seconds_are_accepted() {
            let at = parse_local("2026-07-01T09:30", berlin()).unwrap();
            assert_eq!(at.to_rfc3339(), "2026-07-01T07:30:00+00:00");
        }

        #[test]
        fn a_skipped_hour_is_refused_and_a_repeated_one_read_as_the_first() {
            let err = parse_local("2026-03-29T02:30", berlin()).unwrap_err();
            assert!(err.contains("does not exist"), "{err}");
            let first = parse_local("2026-10-25T02:30", berlin()).unwrap();
            assert_eq!(first.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        }

        #[test]
        fn nonsense_is_refused_with_an_example() {
            assert!(
                parse_local("yesterday", berlin())
                    .unwrap_err()
                    .contains("2026-11-20")
            );
            assert!(
                parse_zone("Mars/Olympus")
                    .unwrap_err()
                    .contains("Europe/Berlin")
            );
            assert_eq!(parse_local_optional(" ", berlin()), Ok(None));
        }
    }
}
