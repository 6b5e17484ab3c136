//! Reviews: the meeting of a cadence (daily, weekly, monthly, quarterly) for one period, its
//! agenda, and the snapshot of figures it keeps when closed so later changes to the data show.
//!
//! A review of period P is held while P draws to a close (a monthly retro at the end of the
//! month, a daily stand-up in the morning). It verifies the items of its cadence whose
//! verification day has come by P's last day; the items it raises are, by their cadence, due at
//! the next review of the same cadence.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::action_item::Cadence;
use crate::domain::analytics::{Metric, MetricRow, Period, PeriodKind, ReportPeriod};

choices!(
    ReviewStatus {
        Open => ("open", "Open"),
        Closed => ("closed", "Closed"),
    }
);

choices!(
    /// The parts of a review's agenda, generated from the data.
    AgendaSection {
        Headline => ("headline", "Headline"),
        Findings => ("findings", "Findings"),
        Incidents => ("incidents", "Incidents"),
        OpenIncidents => ("open_incidents", "Open incidents"),
        NewlyOverdue => ("newly_overdue", "Newly overdue action items"),
        Figures => ("figures", "Figures against the previous period"),
        DueForVerification => ("due_for_verification", "Actions due for verification"),
        SloReview => ("slo_review", "Availability against SLO"),
        Gaps => ("gaps", "Detection, runbooks and recurrence"),
        TopServices => ("top_services", "Services by impact"),
        RecurringCauses => ("recurring_causes", "Recurring causes"),
        FollowThrough => ("follow_through", "Action-item follow-through"),
        NewItems => ("new_items", "Action items raised in this review"),
    }
);

/// What each cadence's review goes through, in order.
pub fn agenda(cadence: Cadence) -> &'static [AgendaSection] {
    use AgendaSection::*;
    match cadence {
        // Ten minutes: what broke yesterday, what is still broken, what just became late.
        Cadence::Daily => &[
            Incidents,
            OpenIncidents,
            NewlyOverdue,
            DueForVerification,
            NewItems,
        ],
        Cadence::Weekly => &[
            Headline,
            Incidents,
            Findings,
            Figures,
            DueForVerification,
            NewItems,
        ],
        Cadence::Monthly => &[
            Headline,
            Findings,
            Figures,
            SloReview,
            Gaps,
            DueForVerification,
            NewItems,
        ],
        Cadence::Quarterly => &[
            Headline,
            Findings,
            TopServices,
            RecurringCauses,
            FollowThrough,
            Figures,
            DueForVerification,
            NewItems,
        ],
    }
}

/// The period a cadence's review covers by default: the one containing `today`.
pub fn default_period(cadence: Cadence, today: NaiveDate) -> Period {
    Period::containing(PeriodKind::from(cadence), today)
}

/// The period whose incidents and figures a review of `period` discusses: the previous day for
/// a daily stand-up ("yesterday's incidents"), the period itself otherwise.
pub fn looks_back_on(cadence: Cadence, period: Period) -> ReportPeriod {
    match cadence {
        Cadence::Daily => ReportPeriod::Calendar(period.previous()),
        _ => ReportPeriod::Calendar(period),
    }
}

/// Whether a done item of the review's cadence is due for verification in the review of
/// `period`: its verification day has come by the period's last day.
pub fn due_in(period: Period, verify_on: NaiveDate) -> bool {
    verify_on <= period.last_day()
}

/// A review's parsed period: a calendar period of its cadence's kind.
pub fn parse_period(cadence: Cadence, input: &str) -> Result<Period, String> {
    Period::parse_as(PeriodKind::from(cadence), input)
}

/// The most attendees' text a review keeps.
pub const MAX_ATTENDEES: usize = 2_000;
/// The most notes' text a review keeps.
pub const MAX_NOTES: usize = 64 * 1024;

/// Attendees as typed: names separated by commas or lines, trimmed, at most 2,000 characters.
pub fn parse_attendees(input: &str) -> Result<String, String> {
    let names: Vec<&str> = input
        .split([',', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    let text = names.join(", ");
    if text.chars().count() > MAX_ATTENDEES {
        return Err(format!("must be at most {MAX_ATTENDEES} characters"));
    }
    Ok(text)
}

/// Notes in markdown, at most 64 KB.
pub fn parse_notes(input: &str) -> Result<String, String> {
    if input.len() > MAX_NOTES {
        return Err("must be at most 64 KB".into());
    }
    Ok(input.replace("\r\n", "\n").trim_end().to_string())
}

/// The figures a closed review keeps, to show what it saw and what has changed since.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub headline: String,
    pub values: Vec<(Metric, Option<f64>)>,
    pub findings: Vec<String>,
}

impl Snapshot {
    pub fn of(headline: &str, rows: &[MetricRow], findings: &[String]) -> Snapshot {
        Snapshot {
            headline: headline.to_string(),
            values: rows.iter().map(|r| (r.metric, r.value)).collect(),
            findings: findings.to_vec(),
        }
    }

    /// The figures that differ now from when the review closed: (metric, then, now).
    pub fn changes(&self, rows: &[MetricRow]) -> Vec<(Metric, Option<f64>, Option<f64>)> {
        self.values
            .iter()
            .filter_map(|&(metric, then)| {
                let now = rows.iter().find(|r| r.metric == metric)?.value;
                let same = match (then, now) {
                    (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
                    (None, None) => true,
                    _ => false,
                };
                (!same).then_some((metric, then, now))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn row(metric: Metric, value: Option<f64>) -> MetricRow {
        MetricRow {
            metric,
            value,
            previous: None,
            trend: None,
            anomaly: None,
            history: vec![],
        }
    }

    #[test]
    fn each_cadence_has_its_agenda() {
        assert_eq!(agenda(Cadence::Daily)[0], AgendaSection::Incidents);
        assert!(agenda(Cadence::Daily).contains(&AgendaSection::NewlyOverdue));
        assert!(!agenda(Cadence::Daily).contains(&AgendaSection::Figures));
        assert!(agenda(Cadence::Monthly).contains(&AgendaSection::SloReview));
        assert!(agenda(Cadence::Quarterly).contains(&AgendaSection::TopServices));
        for cadence in Cadence::ALL {
            let sections = agenda(*cadence);
            assert!(
                sections.contains(&AgendaSection::DueForVerification),
                "{cadence:?}"
            );
            assert_eq!(
                sections.last(),
                Some(&AgendaSection::NewItems),
                "{cadence:?}"
            );
        }
    }

    #[test]
    fn a_review_covers_its_period_and_a_stand_up_looks_back_on_yesterday() {
        let monday = day(2026, 11, 30);
        assert_eq!(default_period(Cadence::Monthly, monday).key(), "2026-11");
        assert_eq!(default_period(Cadence::Weekly, monday).key(), "2026-W49");
        assert_eq!(default_period(Cadence::Quarterly, monday).key(), "2026-Q4");
        let today = default_period(Cadence::Daily, monday);
        assert_eq!(looks_back_on(Cadence::Daily, today).key(), "2026-11-29");
        let november = Period::parse("2026-11").unwrap();
        assert_eq!(looks_back_on(Cadence::Monthly, november).key(), "2026-11");
        assert_eq!(parse_period(Cadence::Monthly, "2026-11"), Ok(november));
        assert!(parse_period(Cadence::Monthly, "2026-W48").is_err());
    }

    #[test]
    fn items_come_due_in_the_review_of_the_period_their_verification_day_falls_in() {
        let november = Period::parse("2026-11").unwrap();
        // Done in October: due on 1 November, so November's review verifies it.
        assert!(due_in(
            november,
            Cadence::Monthly.verify_on(day(2026, 10, 20))
        ));
        // Done in November: due on 1 December, at the next monthly review.
        let done_in_november = Cadence::Monthly.verify_on(day(2026, 11, 20));
        assert!(!due_in(november, done_in_november));
        assert!(due_in(november.next(), done_in_november));
    }

    #[test]
    fn attendees_and_notes_are_tidied_and_bounded() {
        assert_eq!(
            parse_attendees(" Ada, Bea\nCy ,, ").as_deref(),
            Ok("Ada, Bea, Cy")
        );
        assert!(parse_attendees(&"x".repeat(2_001)).is_err());
        assert_eq!(parse_notes("a\r\nb\n\n").as_deref(), Ok("a\nb"));
        assert!(parse_notes(&"x".repeat(64 * 1024 + 1)).is_err());
    }

    #[test]
    fn a_snapshot_shows_what_changed_since_the_review_closed() {
        let then = vec![
            row(Metric::Incidents, Some(4.0)),
            row(Metric::Mttr, Some(3600.0)),
            row(Metric::Mttd, None),
        ];
        let snapshot = Snapshot::of("Better.", &then, &["A finding".to_string()]);
        assert!(snapshot.changes(&then).is_empty());
        let now = vec![
            row(Metric::Incidents, Some(5.0)),
            row(Metric::Mttr, Some(3600.0)),
            row(Metric::Mttd, Some(60.0)),
        ];
        assert_eq!(
            snapshot.changes(&now),
            [
                (Metric::Incidents, Some(4.0), Some(5.0)),
                (Metric::Mttd, None, Some(60.0)),
            ]
        );
        let json = serde_json::to_string(&snapshot).unwrap();
        assert_eq!(serde_json::from_str::<Snapshot>(&json).unwrap(), snapshot);
    }
}
