//! Reporting periods: a day, an ISO week, a calendar month or quarter, or a custom range of
//! days, read in the organisation's reporting time zone, and which one an incident belongs to.
//!
//! The arithmetic on instants is generic over chrono's `TimeZone`, so it compiles for the browser
//! too; the server passes a `chrono_tz::Tz` from `domain::time::parse_zone`.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, Offset, TimeZone, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

use crate::domain::action_item::Cadence;

/// How periods are cut, in words.
pub const PERIOD_DEFINITION: &str = "A period is a day, an ISO week (Monday to Sunday, \
numbered as ISO 8601 does, so the days around New Year can belong to the previous or the next \
year's week), a calendar month, a calendar quarter (January–March, April–June, July–September, \
October–December), or a custom range of whole days. Days start at midnight in the organisation's \
reporting time zone (UTC unless an admin sets another), so a day on which the clocks change lasts \
23 or 25 hours. The previous period of a custom range is the range of the same number of days \
that ends the day before it starts.";

/// How an incident is assigned to a period, in words.
pub const INCIDENT_PERIOD_DEFINITION: &str = "An incident belongs to the period in which its \
impact started, read in the reporting time zone, even when it was detected, mitigated or resolved \
in a later period.";

choices!(
    /// How long a reporting period is.
    PeriodKind {
        Day => ("day", "Day"),
        Week => ("week", "Week"),
        Month => ("month", "Month"),
        Quarter => ("quarter", "Quarter"),
    }
);

impl PeriodKind {
    /// The shape of this kind's keys, for error messages and forms.
    pub fn example(self) -> &'static str {
        match self {
            PeriodKind::Day => "2026-11-24",
            PeriodKind::Week => "2026-W48",
            PeriodKind::Month => "2026-11",
            PeriodKind::Quarter => "2026-Q4",
        }
    }
}

/// A review of a cadence looks back over the period of the same length.
impl From<Cadence> for PeriodKind {
    fn from(cadence: Cadence) -> PeriodKind {
        match cadence {
            Cadence::Daily => PeriodKind::Day,
            Cadence::Weekly => PeriodKind::Week,
            Cadence::Monthly => PeriodKind::Month,
            Cadence::Quarterly => PeriodKind::Quarter,
        }
    }
}

/// One calendar period. Always starts on its kind's first day (a Monday, the 1st of a month, the
/// 1st of January, April, July or October), so two values for the same period are equal. On the
/// wire and in links it is its key: `2026-11-24`, `2026-W48`, `2026-11` or `2026-Q4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    kind: PeriodKind,
    start: NaiveDate,
}

impl Period {
    /// The period of `kind` that contains `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        let start = match kind {
            PeriodKind::Day => day,
            PeriodKind::Week => day - Duration::days(day.weekday().num_days_from_monday() as i64),
            PeriodKind::Month => first_of_month(day.year(), day.month0() as i32),
            PeriodKind::Quarter => first_of_month(day.year(), (day.month0() / 3 * 3) as i32),
        };
        Period { kind, start }
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// The first day of the period.
    pub fn start(self) -> NaiveDate {
        self.start
    }

    /// The first day after the period: the period is the days `start() .. end()`.
    pub fn end(self) -> NaiveDate {
        self.next().start
    }

    /// The last day of the period.
    pub fn last_day(self) -> NaiveDate {
        self.end() - Duration::days(1)
    }

    /// How many calendar days the period has (1, 7, 28–31 or 90–92).
    pub fn days(self) -> i64 {
        (self.end() - self.start).num_days()
    }

    /// Each day of the period, in order.
    pub fn dates(self) -> impl Iterator<Item = NaiveDate> {
        self.start.iter_days().take(self.days() as usize)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end()
    }

    /// The period `n` periods of the same kind later (earlier when `n` is negative).
    ///
    /// Panics only beyond chrono's calendar (years beyond ±262,000).
    pub fn shifted(self, n: i64) -> Period {
        let start = match self.kind {
            PeriodKind::Day => self.start + Duration::days(n),
            PeriodKind::Week => self.start + Duration::weeks(n),
            PeriodKind::Month => shift_months(self.start, n),
            PeriodKind::Quarter => shift_months(self.start, n * 3),
        };
        Period {
            kind: self.kind,
            start,
        }
    }

    pub fn next(self) -> Period {
        self.shifted(1)
    }

    pub fn previous(self) -> Period {
        self.shifted(-1)
    }

    /// The last `n` periods of this kind ending with this one, oldest first: the x-axis of a
    /// trend chart (`last_n(12)`).
    pub fn last_n(self, n: usize) -> Vec<Period> {
        (0..n as i64).rev().map(|i| self.shifted(-i)).collect()
    }

    /// The `n` periods before this one, oldest first, without this one: an anomaly baseline.
    pub fn preceding(self, n: usize) -> Vec<Period> {
        (1..=n as i64).rev().map(|i| self.shifted(-i)).collect()
    }

    /// `2026-11-24`, `2026-W48` (the ISO week-numbering year), `2026-11` or `2026-Q4`.
    pub fn key(self) -> String {
        let d = self.start;
        match self.kind {
            PeriodKind::Day => d.format("%Y-%m-%d").to_string(),
            PeriodKind::Week => {
                let week = d.iso_week();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
            PeriodKind::Month => format!("{:04}-{:02}", d.year(), d.month()),
            PeriodKind::Quarter => format!("{:04}-Q{}", d.year(), d.month0() / 3 + 1),
        }
    }

    /// How a person reads it: "Tue 24 Nov 2026", "Week 48 of 2026 (23 Nov – 29 Nov)",
    /// "November 2026", "Q4 2026".
    pub fn label(self) -> String {
        let d = self.start;
        match self.kind {
            PeriodKind::Day => d.format("%a %-d %b %Y").to_string(),
            PeriodKind::Week => format!(
                "Week {} of {} ({} – {})",
                d.iso_week().week(),
                d.iso_week().year(),
                d.format("%-d %b"),
                self.last_day().format("%-d %b")
            ),
            PeriodKind::Month => d.format("%B %Y").to_string(),
            PeriodKind::Quarter => format!("Q{} {}", d.month0() / 3 + 1, d.year()),
        }
    }

    /// Reads any key; the shape tells the kind.
    pub fn parse(input: &str) -> Result<Period, String> {
        let text = input.trim().to_ascii_uppercase();
        parse_key(&text).ok_or_else(|| {
            format!(
                "\"{}\" is not a period like 2026-11-24, 2026-W48, 2026-11 or 2026-Q4",
                input.trim()
            )
        })?
    }

    /// Reads a key that must be of `kind` (the API's `kind=month&period=2026-10`).
    pub fn parse_as(kind: PeriodKind, input: &str) -> Result<Period, String> {
        let wrong = || {
            format!(
                "must be a {} like {}",
                kind.label().to_lowercase(),
                kind.example()
            )
        };
        match Period::parse(input) {
            Ok(period) if period.kind == kind => Ok(period),
            Ok(_) => Err(wrong()),
            Err(e) if e.contains("has no week") || e.contains("does not exist") => Err(e),
            Err(_) => Err(wrong()),
        }
    }

    /// The instants `[start, end)` the period covers in `zone`: from the start of its first day
    /// to the start of the day after it. On a day the clocks change that is 23 or 25 hours.
    pub fn utc_bounds<Z: TimeZone>(self, zone: &Z) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of_day(self.start, zone),
            start_of_day(self.end(), zone),
        )
    }

    /// The period's length in `zone`, in whole seconds.
    pub fn seconds_in<Z: TimeZone>(self, zone: &Z) -> i64 {
        let (start, end) = self.utc_bounds(zone);
        (end - start).num_seconds()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

impl From<Period> for String {
    fn from(period: Period) -> String {
        period.key()
    }
}

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(key: String) -> Result<Period, String> {
        Period::parse(&key)
    }
}

/// `None` when the text has none of the shapes, `Some(Err)` when it has one but names a day or
/// week that does not exist.
fn parse_key(text: &str) -> Option<Result<Period, String>> {
    let (year_text, rest) = text.split_at_checked(4)?;
    let year = four_digits(year_text)?;
    let rest = rest.strip_prefix('-')?;
    if let Some(week_text) = rest.strip_prefix('W') {
        let week = two_digits(week_text).filter(|w| (1..=53).contains(w))?;
        return Some(
            NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
                .map(|start| Period {
                    kind: PeriodKind::Week,
                    start,
                })
                .ok_or_else(|| format!("{year} has no week {week}")),
        );
    }
    if let Some(quarter_text) = rest.strip_prefix('Q') {
        let quarter = match quarter_text {
            "1" => 0,
            "2" => 1,
            "3" => 2,
            "4" => 3,
            _ => return None,
        };
        return Some(Ok(Period {
            kind: PeriodKind::Quarter,
            start: first_of_month(year, quarter * 3),
        }));
    }
    match rest.split_once('-') {
        None => {
            let month = two_digits(rest)?;
            (1..=12).contains(&month).then(|| {
                Ok(Period {
                    kind: PeriodKind::Month,
                    start: first_of_month(year, month as i32 - 1),
                })
            })
        }
        Some((month_text, day_text)) => {
            let (month, day) = (two_digits(month_text)?, two_digits(day_text)?);
            if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
                return None;
            }
            Some(
                NaiveDate::from_ymd_opt(year, month, day)
                    .map(|start| Period {
                        kind: PeriodKind::Day,
                        start,
                    })
                    .ok_or_else(|| format!("{text} does not exist")),
            )
        }
    }
}

fn four_digits(text: &str) -> Option<i32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn two_digits(text: &str) -> Option<u32> {
    (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The first day of month `month0` (0-based, may run past 11 or below 0) of `year`.
fn first_of_month(year: i32, month0: i32) -> NaiveDate {
    let index = year * 12 + month0;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .expect("the first of a month within chrono's range exists")
}

/// `start` (a first of a month) moved by `months`.
fn shift_months(start: NaiveDate, months: i64) -> NaiveDate {
    let month0 = i32::try_from(start.month0() as i64 + months).expect("a month within range");
    first_of_month(start.year(), month0)
}

/// A custom range of whole days, both ends included as people write them: `2026-11-03..2026-11-16`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DateRange {
    first: NaiveDate,
    last: NaiveDate,
}

impl DateRange {
    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<DateRange, String> {
        if last < first {
            return Err("the last day cannot be before the first".into());
        }
        Ok(DateRange { first, last })
    }

    /// `2026-11-03..2026-11-16`: the first and the last day, both included.
    pub fn parse(input: &str) -> Result<DateRange, String> {
        let example = || "must be a range of days like 2026-11-03..2026-11-16".to_string();
        let (first, last) = input.trim().split_once("..").ok_or_else(example)?;
        let day = |text: &str| match Period::parse(text) {
            Ok(p) if p.kind == PeriodKind::Day => Ok(p.start),
            Err(e) if e.contains("does not exist") => Err(e),
            _ => Err(example()),
        };
        DateRange::new(day(first)?, day(last)?)
    }

    pub fn key(self) -> String {
        format!(
            "{}..{}",
            self.first.format("%Y-%m-%d"),
            self.last.format("%Y-%m-%d")
        )
    }

    pub fn label(self) -> String {
        format!(
            "{} – {}",
            self.first.format("%-d %b %Y"),
            self.last.format("%-d %b %Y")
        )
    }

    /// The first day, included.
    pub fn start(self) -> NaiveDate {
        self.first
    }

    /// The last day, included.
    pub fn last_day(self) -> NaiveDate {
        self.last
    }

    /// The first day after the range.
    pub fn end(self) -> NaiveDate {
        self.last + Duration::days(1)
    }

    pub fn days(self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    pub fn dates(self) -> impl Iterator<Item = NaiveDate> {
        self.first.iter_days().take(self.days() as usize)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }

    /// The range of the same number of days ending the day before this one starts.
    pub fn previous(self) -> DateRange {
        DateRange {
            first: self.first - Duration::days(self.days()),
            last: self.first - Duration::days(1),
        }
    }

    /// The range of the same number of days starting the day after this one ends.
    pub fn next(self) -> DateRange {
        DateRange {
            first: self.end(),
            last: self.last + Duration::days(self.days()),
        }
    }

    pub fn utc_bounds<Z: TimeZone>(self, zone: &Z) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of_day(self.first, zone),
            start_of_day(self.end(), zone),
        )
    }

    pub fn seconds_in<Z: TimeZone>(self, zone: &Z) -> i64 {
        let (start, end) = self.utc_bounds(zone);
        (end - start).num_seconds()
    }
}

impl std::fmt::Display for DateRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

impl From<DateRange> for String {
    fn from(range: DateRange) -> String {
        range.key()
    }
}

impl TryFrom<String> for DateRange {
    type Error = String;
    fn try_from(key: String) -> Result<DateRange, String> {
        DateRange::parse(&key)
    }
}

/// What a report covers: a calendar period or a custom range. Its key is either's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ReportPeriod {
    Calendar(Period),
    Custom(DateRange),
}

impl ReportPeriod {
    pub fn parse(input: &str) -> Result<ReportPeriod, String> {
        if input.contains("..") {
            DateRange::parse(input).map(ReportPeriod::Custom)
        } else {
            Period::parse(input).map(ReportPeriod::Calendar)
        }
    }

    pub fn key(self) -> String {
        match self {
            ReportPeriod::Calendar(p) => p.key(),
            ReportPeriod::Custom(r) => r.key(),
        }
    }

    pub fn label(self) -> String {
        match self {
            ReportPeriod::Calendar(p) => p.label(),
            ReportPeriod::Custom(r) => r.label(),
        }
    }

    /// The first day.
    pub fn start(self) -> NaiveDate {
        match self {
            ReportPeriod::Calendar(p) => p.start(),
            ReportPeriod::Custom(r) => r.start(),
        }
    }

    /// The first day after it.
    pub fn end(self) -> NaiveDate {
        match self {
            ReportPeriod::Calendar(p) => p.end(),
            ReportPeriod::Custom(r) => r.end(),
        }
    }

    pub fn days(self) -> i64 {
        (self.end() - self.start()).num_days()
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.start() <= day && day < self.end()
    }

    /// The period a trend compares against.
    pub fn previous(self) -> ReportPeriod {
        match self {
            ReportPeriod::Calendar(p) => ReportPeriod::Calendar(p.previous()),
            ReportPeriod::Custom(r) => ReportPeriod::Custom(r.previous()),
        }
    }

    pub fn next(self) -> ReportPeriod {
        match self {
            ReportPeriod::Calendar(p) => ReportPeriod::Calendar(p.next()),
            ReportPeriod::Custom(r) => ReportPeriod::Custom(r.next()),
        }
    }

    pub fn utc_bounds<Z: TimeZone>(self, zone: &Z) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of_day(self.start(), zone),
            start_of_day(self.end(), zone),
        )
    }

    pub fn seconds_in<Z: TimeZone>(self, zone: &Z) -> i64 {
        let (start, end) = self.utc_bounds(zone);
        (end - start).num_seconds()
    }

    /// Whether an incident whose impact started `at` belongs to this period.
    pub fn contains_instant<Z: TimeZone>(self, at: DateTime<Utc>, zone: &Z) -> bool {
        let (start, end) = self.utc_bounds(zone);
        start <= at && at < end
    }
}

impl From<Period> for ReportPeriod {
    fn from(period: Period) -> ReportPeriod {
        ReportPeriod::Calendar(period)
    }
}

impl From<DateRange> for ReportPeriod {
    fn from(range: DateRange) -> ReportPeriod {
        ReportPeriod::Custom(range)
    }
}

impl std::fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

impl From<ReportPeriod> for String {
    fn from(period: ReportPeriod) -> String {
        period.key()
    }
}

impl TryFrom<String> for ReportPeriod {
    type Error = String;
    fn try_from(key: String) -> Result<ReportPeriod, String> {
        ReportPeriod::parse(&key)
    }
}

/// The first instant of `day` in `zone`: its midnight, or, where the clocks skip midnight
/// (as in America/Santiago), the moment they jump; where midnight happens twice, the first.
/// A day a zone skipped entirely starts where the next one does, and so lasts no time.
pub fn start_of_day<Z: TimeZone>(day: NaiveDate, zone: &Z) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    match zone.from_local_datetime(&midnight) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => {
            first.with_timezone(&Utc).min(second.with_timezone(&Utc))
        }
        LocalResult::None => {
            // The clocks jumped over midnight: the day starts when they jumped, which is
            // midnight read in the offset that held just before. A day earlier is well before.
            let before = zone
                .offset_from_utc_datetime(&(midnight - Duration::days(1)))
                .fix();
            Utc.from_utc_datetime(&(midnight - Duration::seconds(before.local_minus_utc() as i64)))
        }
    }
}

/// The period of `kind` an incident belongs to: the one in which its impact started, read in the
/// reporting `zone`. Always the period whose `utc_bounds` contain `impact_started`, so it agrees
/// with a database query that filters on those bounds.
pub fn period_of_incident<Z: TimeZone>(
    impact_started: DateTime<Utc>,
    kind: PeriodKind,
    zone: &Z,
) -> Period {
    let period = Period::containing(kind, impact_started.with_timezone(zone).date_naive());
    let (start, end) = period.utc_bounds(zone);
    // Only where the clocks go back across midnight can the local date disagree with the
    // bounds; the bounds win.
    if impact_started < start {
        period.previous()
    } else if impact_started >= end {
        period.next()
    } else {
        period
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn key(input: &str) -> Period {
        Period::parse(input).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn keys_parse_to_their_kind_and_format_back() {
        for (text, kind, start) in [
            ("2026-11-24", PeriodKind::Day, day(2026, 11, 24)),
            ("2026-W48", PeriodKind::Week, day(2026, 11, 23)),
            ("2026-11", PeriodKind::Month, day(2026, 11, 1)),
            ("2026-Q4", PeriodKind::Quarter, day(2026, 10, 1)),
        ] {
            let period = key(text);
            assert_eq!((period.kind(), period.start()), (kind, start), "{text}");
            assert_eq!(period.key(), text);
            assert_eq!(period.to_string(), text);
        }
        assert_eq!(key(" 2026-w48 "), key("2026-W48"));
        assert_eq!(key("2026-q4"), key("2026-Q4"));
    }

    #[test]
    fn nonsense_keys_are_refused_with_examples() {
        for bad in [
            "",
            "2026",
            "26-11",
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-Q0",
            "2026-W00",
            "2026-W8",
            "2026-1",
            "2026-11-5",
            "2026/11/05",
            "november",
            "2026-11-24x",
            "+2026-11",
        ] {
            let err = Period::parse(bad).unwrap_err();
            assert!(err.contains("2026-W48"), "{bad}: {err}");
        }
        assert_eq!(
            Period::parse("2027-W53").unwrap_err(),
            "2027 has no week 53"
        );
        assert_eq!(
            Period::parse("2026-02-29").unwrap_err(),
            "2026-02-29 does not exist"
        );
        assert_eq!(key("2028-02-29").start(), day(2028, 2, 29));
    }

    #[test]
    fn a_key_for_the_wrong_kind_is_refused() {
        assert_eq!(
            Period::parse_as(PeriodKind::Month, "2026-10"),
            Ok(key("2026-10"))
        );
        assert_eq!(
            Period::parse_as(PeriodKind::Month, "2026-Q4").unwrap_err(),
            "must be a month like 2026-11"
        );
        assert_eq!(
            Period::parse_as(PeriodKind::Week, "soon").unwrap_err(),
            "must be a week like 2026-W48"
        );
        assert_eq!(
            Period::parse_as(PeriodKind::Week, "2027-W53").unwrap_err(),
            "2027 has no week 53"
        );
    }

    #[test]
    fn iso_weeks_at_year_boundaries_belong_to_the_iso_year() {
        // 2026 starts on a Thursday, so it has 53 ISO weeks; week 53 runs into 2027.
        let w53 = key("2026-W53");
        assert_eq!(w53.start(), day(2026, 12, 28));
        assert_eq!(w53.last_day(), day(2027, 1, 3));
        assert_eq!(Period::containing(PeriodKind::Week, day(2026, 12, 31)), w53);
        assert_eq!(Period::containing(PeriodKind::Week, day(2027, 1, 3)), w53);
        assert_eq!(
            Period::containing(PeriodKind::Week, day(2027, 1, 4)).key(),
            "2027-W01"
        );
        assert_eq!(w53.next().key(), "2027-W01");
        assert_eq!(key("2027-W01").previous(), w53);
        // And the other way: 2025-12-29 (a Monday) is already in 2026's first week.
        assert_eq!(
            Period::containing(PeriodKind::Week, day(2025, 12, 31)).key(),
            "2026-W01"
        );
        assert_eq!(key("2026-W01").start(), day(2025, 12, 29));
        assert_eq!(key("2025-W52").next(), key("2026-W01"));
        assert_eq!(w53.days(), 7);
    }

    #[test]
    fn months_and_quarters_roll_over_the_year() {
        assert_eq!(key("2026-12").next(), key("2027-01"));
        assert_eq!(key("2027-01").previous(), key("2026-12"));
        assert_eq!(key("2026-Q4").next(), key("2027-Q1"));
        assert_eq!(key("2027-Q1").previous(), key("2026-Q4"));
        assert_eq!(key("2026-Q4").end(), day(2027, 1, 1));
        assert_eq!(key("2026-Q4").last_day(), day(2026, 12, 31));
        assert_eq!(
            Period::containing(PeriodKind::Quarter, day(2026, 9, 30)).key(),
            "2026-Q3"
        );
        assert_eq!(
            Period::containing(PeriodKind::Quarter, day(2026, 10, 1)).key(),
            "2026-Q4"
        );
        assert_eq!(
            Period::containing(PeriodKind::Month, day(2028, 2, 29)).days(),
            29
        );
        assert_eq!(key("2027-02").days(), 28);
        assert_eq!(key("2026-Q1").days(), 90);
        assert_eq!(key("2028-Q1").days(), 91);
        assert_eq!(key("2026-Q3").days(), 92);
        assert_eq!(key("2026-11-30").next(), key("2026-12-01"));
        assert_eq!(key("2027-01-01").previous(), key("2026-12-31"));
    }

    #[test]
    fn the_last_twelve_months_end_with_this_one_oldest_first() {
        let months: Vec<String> = key("2026-03")
            .last_n(12)
            .into_iter()
            .map(Period::key)
            .collect();
        assert_eq!(months.len(), 12);
        assert_eq!(months.first().unwrap(), "2025-04");
        assert_eq!(months.last().unwrap(), "2026-03");
        assert_eq!(
            key("2026-Q1").preceding(2),
            vec![key("2025-Q3"), key("2025-Q4")]
        );
        assert!(key("2026-03").last_n(0).is_empty());
        assert_eq!(key("2026-03").shifted(-14), key("2025-01"));
    }

    #[test]
    fn days_lists_each_day_of_the_period() {
        let week = key("2026-W48");
        let dates: Vec<_> = week.dates().collect();
        assert_eq!(dates.len(), 7);
        assert_eq!(dates[0].weekday(), Weekday::Mon);
        assert_eq!(dates[6], day(2026, 11, 29));
        assert!(week.contains(day(2026, 11, 29)));
        assert!(!week.contains(day(2026, 11, 30)));
        assert!(!week.contains(day(2026, 11, 22)));
        assert_eq!(key("2026-11-24").dates().count(), 1);
    }

    #[test]
    fn labels_read_as_people_say_them() {
        assert_eq!(key("2026-11-24").label(), "Tue 24 Nov 2026");
        assert_eq!(key("2026-W48").label(), "Week 48 of 2026 (23 Nov – 29 Nov)");
        assert_eq!(key("2026-11").label(), "November 2026");
        assert_eq!(key("2026-Q4").label(), "Q4 2026");
    }

    #[test]
    fn periods_travel_as_their_keys() {
        let json = serde_json::to_string(&key("2026-W48")).unwrap();
        assert_eq!(json, "\"2026-W48\"");
        assert_eq!(
            serde_json::from_str::<Period>(&json).unwrap(),
            key("2026-W48")
        );
        assert!(serde_json::from_str::<Period>("\"2026-W54\"").is_err());
        let range = ReportPeriod::parse("2026-11-03..2026-11-16").unwrap();
        let json = serde_json::to_string(&range).unwrap();
        assert_eq!(json, "\"2026-11-03..2026-11-16\"");
        assert_eq!(serde_json::from_str::<ReportPeriod>(&json).unwrap(), range);
    }

    #[test]
    fn reviews_look_back_over_their_cadence() {
        assert_eq!(PeriodKind::from(Cadence::Weekly), PeriodKind::Week);
        assert_eq!(PeriodKind::from(Cadence::Quarterly), PeriodKind::Quarter);
        assert_eq!(PeriodKind::parse("month"), Ok(PeriodKind::Month));
    }

    #[test]
    fn custom_ranges_include_both_ends_and_step_by_their_length() {
        let range = DateRange::parse("2026-11-03..2026-11-16").unwrap();
        assert_eq!(range.days(), 14);
        assert!(range.contains(day(2026, 11, 16)));
        assert!(!range.contains(day(2026, 11, 17)));
        assert_eq!(range.previous().key(), "2026-10-20..2026-11-02");
        assert_eq!(range.next().key(), "2026-11-17..2026-11-30");
        assert_eq!(range.previous().next(), range);
        assert_eq!(range.dates().count(), 14);
        let one_day = DateRange::parse("2026-12-31..2026-12-31").unwrap();
        assert_eq!(
            (one_day.days(), one_day.next().key()),
            (1, "2027-01-01..2027-01-01".into())
        );
        assert_eq!(
            DateRange::parse("2026-11-16..2026-11-03").unwrap_err(),
            "the last day cannot be before the first"
        );
        assert!(
            DateRange::parse("2026-11..2026-12")
                .unwrap_err()
                .contains("range of days")
        );
        assert!(
            DateRange::parse("2026-02-30..2026-03-01")
                .unwrap_err()
                .contains("does not exist")
        );
        let any = ReportPeriod::parse("2026-Q4").unwrap();
        assert_eq!((any.days(), any.previous().key()), (92, "2026-Q3".into()));
        let custom = ReportPeriod::from(range);
        assert_eq!(
            (custom.start(), custom.end()),
            (day(2026, 11, 3), day(2026, 11, 17))
        );
        assert!(custom.contains(day(2026, 11, 3)) && !custom.contains(day(2026, 11, 17)));
    }

    #[test]
    fn utc_bounds_in_utc_and_a_fixed_offset() {
        let month = key("2026-11");
        assert_eq!(
            month.utc_bounds(&Utc),
            (utc("2026-11-01T00:00:00Z"), utc("2026-12-01T00:00:00Z"))
        );
        assert_eq!(month.seconds_in(&Utc), 30 * 86_400);
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(
            key("2026-12-01").utc_bounds(&tokyo),
            (utc("2026-11-30T15:00:00Z"), utc("2026-12-01T15:00:00Z"))
        );
        // 23:30 UTC on 30 November is already December in Tokyo.
        let at = utc("2026-11-30T23:30:00Z");
        assert_eq!(
            period_of_incident(at, PeriodKind::Month, &tokyo).key(),
            "2026-12"
        );
        assert_eq!(
            period_of_incident(at, PeriodKind::Month, &Utc).key(),
            "2026-11"
        );
        assert_eq!(
            period_of_incident(at, PeriodKind::Quarter, &tokyo).key(),
            "2026-Q4"
        );
        assert_eq!(
            period_of_incident(at, PeriodKind::Week, &tokyo).key(),
            "2026-W49"
        );
        assert!(ReportPeriod::from(key("2026-12")).contains_instant(at, &tokyo));
        assert!(!ReportPeriod::from(key("2026-12")).contains_instant(at, &Utc));
    }

    #[test]
    fn an_incident_starting_exactly_at_midnight_belongs_to_the_new_period() {
        let at = utc("2027-01-01T00:00:00Z");
        assert_eq!(
            period_of_incident(at, PeriodKind::Quarter, &Utc).key(),
            "2027-Q1"
        );
        let just_before = at - Duration::seconds(1);
        assert_eq!(
            period_of_incident(just_before, PeriodKind::Quarter, &Utc).key(),
            "2026-Q4"
        );
    }

    fn any_day() -> impl proptest::strategy::Strategy<Value = NaiveDate> {
        use proptest::strategy::Strategy;
        // 1900-01-01 ..= 2199-12-31
        (0i64..109_572).prop_map(|n| day(1900, 1, 1) + Duration::days(n))
    }

    fn any_kind() -> impl proptest::strategy::Strategy<Value = PeriodKind> {
        proptest::sample::select(PeriodKind::ALL)
    }

    proptest::proptest! {
        #[test]
        fn the_containing_period_contains_the_day(d in any_day(), kind in any_kind()) {
            let period = Period::containing(kind, d);
            proptest::prop_assert!(period.contains(d));
            proptest::prop_assert!(period.start() <= d && d <= period.last_day());
            proptest::prop_assert_eq!(Period::containing(kind, period.start()), period);
            proptest::prop_assert_eq!(Period::containing(kind, period.last_day()), period);
            proptest::prop_assert_eq!(period.dates().count() as i64, period.days());
        }

        #[test]
        fn next_and_previous_round_trip_and_tile_the_calendar(d in any_day(), kind in any_kind()) {
            let period = Period::containing(kind, d);
            proptest::prop_assert_eq!(period.next().previous(), period);
            proptest::prop_assert_eq!(period.previous().next(), period);
            proptest::prop_assert_eq!(period.next().start(), period.end());
            proptest::prop_assert_eq!(period.previous().end(), period.start());
            proptest::prop_assert_eq!(Period::containing(kind, period.end()), period.next());
            let days = period.days();
            let expected = match kind {
                PeriodKind::Day => 1..=1,
                PeriodKind::Week => 7..=7,
                PeriodKind::Month => 28..=31,
                PeriodKind::Quarter => 90..=92,
            };
            proptest::prop_assert!(expected.contains(&days));
        }

        #[test]
        fn keys_round_trip(d in any_day(), kind in any_kind()) {
            let period = Period::containing(kind, d);
            proptest::prop_assert_eq!(Period::parse(&period.key()), Ok(period));
            proptest::prop_assert_eq!(Period::parse_as(kind, &period.key()), Ok(period));
        }

        #[test]
        fn last_n_steps_one_period_at_a_time(d in any_day(), kind in any_kind(), n in 1usize..30) {
            let period = Period::containing(kind, d);
            let periods = period.last_n(n);
            proptest::prop_assert_eq!(periods.len(), n);
            proptest::prop_assert_eq!(*periods.last().unwrap(), period);
            for pair in periods.windows(2) {
                proptest::prop_assert_eq!(pair[0].next(), pair[1]);
            }
            proptest::prop_assert_eq!(period.preceding(n).last().copied(), Some(period.previous()));
        }
    }

    #[cfg(feature = "ssr")]
    mod zones {
        use super::*;
        use crate::domain::time::{day_in, parse_zone};
        use chrono_tz::Tz;

        fn berlin() -> Tz {
            parse_zone("Europe/Berlin").unwrap()
        }

        #[test]
        fn a_berlin_day_when_the_clocks_change_lasts_23_or_25_hours() {
            let spring = key("2026-03-29");
            assert_eq!(
                spring.utc_bounds(&berlin()),
                (utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"))
            );
            assert_eq!(spring.seconds_in(&berlin()), 23 * 3600);
            let autumn = key("2026-10-25");
            assert_eq!(
                autumn.utc_bounds(&berlin()),
                (utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"))
            );
            assert_eq!(autumn.seconds_in(&berlin()), 25 * 3600);
            assert_eq!(key("2026-03-28").seconds_in(&berlin()), 24 * 3600);
            // The week and the month around the change carry the odd hour too.
            assert_eq!(key("2026-W13").seconds_in(&berlin()), 7 * 86_400 - 3600);
            assert_eq!(key("2026-03").seconds_in(&berlin()), 31 * 86_400 - 3600);
            assert_eq!(key("2026-10").seconds_in(&berlin()), 31 * 86_400 + 3600);
            assert_eq!(key("2026-Q1").seconds_in(&berlin()), 90 * 86_400 - 3600);
        }

        #[test]
        fn incidents_in_the_repeated_hour_belong_to_that_day() {
            // 02:30 happens twice in Berlin on 25 October 2026: 00:30 and 01:30 UTC.
            for at in ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"] {
                let period = period_of_incident(utc(at), PeriodKind::Day, &berlin());
                assert_eq!(period.key(), "2026-10-25", "{at}");
            }
            // 23:30 UTC on the 25th is already the 26th in Berlin (UTC+1 again).
            let late = period_of_incident(utc("2026-10-25T23:30:00Z"), PeriodKind::Day, &berlin());
            assert_eq!(late.key(), "2026-10-26");
            // The last second of 28 March in Berlin is 22:59:59 UTC.
            let march = period_of_incident(utc("2026-03-28T22:59:59Z"), PeriodKind::Day, &berlin());
            assert_eq!(march.key(), "2026-03-28");
        }

        #[test]
        fn where_the_clocks_skip_midnight_the_day_starts_when_they_jump() {
            // Chile moves from -04 to -03 at local midnight on the first Sunday after
            // 1 September (4:00 UTC): 6 September 2026 starts at 01:00 local.
            let santiago = parse_zone("America/Santiago").unwrap();
            let sunday = key("2026-09-06");
            let midnight = sunday.start().and_time(NaiveTime::MIN);
            assert_eq!(santiago.from_local_datetime(&midnight), LocalResult::None);
            assert_eq!(
                start_of_day(sunday.start(), &santiago),
                utc("2026-09-06T04:00:00Z")
            );
            assert_eq!(sunday.seconds_in(&santiago), 23 * 3600);
            assert_eq!(key("2026-09-05").seconds_in(&santiago), 24 * 3600);
            assert_eq!(
                day_in(utc("2026-09-06T04:00:00Z"), santiago),
                sunday.start()
            );
            assert_eq!(
                day_in(utc("2026-09-06T03:59:59Z"), santiago),
                day(2026, 9, 5)
            );
        }

        #[test]
        fn a_day_a_zone_skipped_lasts_no_time() {
            // Samoa moved across the date line: 30 December 2011 never happened in Apia.
            let apia = parse_zone("Pacific/Apia").unwrap();
            assert_eq!(key("2011-12-30").seconds_in(&apia), 0);
            assert_eq!(key("2011-12").seconds_in(&apia), 30 * 86_400);
        }

        fn any_instant() -> impl proptest::strategy::Strategy<Value = DateTime<Utc>> {
            use proptest::strategy::Strategy;
            // 2000 ..= 2040
            (946_684_800i64..2_240_611_200).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
        }

        fn any_zone() -> impl proptest::strategy::Strategy<Value = Tz> {
            proptest::sample::select(vec![
                Tz::UTC,
                berlin(),
                parse_zone("America/Santiago").unwrap(),
                parse_zone("America/New_York").unwrap(),
                parse_zone("Australia/Lord_Howe").unwrap(),
                parse_zone("Asia/Kolkata").unwrap(),
                parse_zone("Pacific/Apia").unwrap(),
            ])
        }

        proptest::proptest! {
            #[test]
            fn an_incident_falls_inside_the_bounds_of_its_period(
                at in any_instant(), kind in any_kind(), zone in any_zone()
            ) {
                let period = period_of_incident(at, kind, &zone);
                let (start, end) = period.utc_bounds(&zone);
                proptest::prop_assert!(start <= at && at < end, "{} {} {}", period, start, end);
                proptest::prop_assert!(period.contains(day_in(at, zone)));
                // Consecutive periods meet without a gap or an overlap.
                proptest::prop_assert_eq!(period.next().utc_bounds(&zone).0, end);
            }
        }
    }
}
