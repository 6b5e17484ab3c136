//! One period's figures, computed from the facts the services load, and the report a review
//! starts from: every figure against the previous period, anomalies against the periods before,
//! the findings worth raising and a one-sentence headline.

use serde::{Deserialize, Serialize};

use super::anomaly::{AnomalyCheck, check_anomaly};
use super::availability::{Availability, ErrorBudget};
use super::metric::Metric;
use super::period::ReportPeriod;
use super::shares::{
    Breakdown, DeployTally, DetectionGapThreshold, Ratio, VerificationTally, detection_gap,
    recurrence_rate, runbook_coverage, runbook_effectiveness,
};
use super::stats::{DurationMetric, Summary};
use super::trend::{Trend, Verdict};
use crate::domain::incident::{
    DetectionSource, KeyTimes, RunbookOutcome, Severity, human_duration,
};

/// What the figures need to know of one incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: i64,
    pub severity: Severity,
    pub times: KeyTimes,
    pub detected_by: Option<DetectionSource>,
    pub monitoring_should_have_caught: Option<bool>,
    pub known_problem: Option<bool>,
    pub runbook_outcome: Option<RunbookOutcome>,
}

/// One category's count and the incidents behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Counted<C> {
    pub category: C,
    pub count: u64,
    pub incident_ids: Vec<i64>,
}

/// MTTx over a period: the statistics, and the incidents still lacking the time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DurationFigure {
    pub summary: Summary,
    pub missing_incident_ids: Vec<i64>,
}

/// Action items in a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemFigures {
    pub created: u64,
    pub committed: u64,
    pub completed: u64,
    pub open_at_end: u64,
    pub overdue_at_end: u64,
    pub verification: VerificationTally,
}

/// One service's availability over the period, and its error budget when it has an SLO.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ServiceAvailability {
    pub service_id: i64,
    pub service: String,
    pub slo_target_percent: Option<f64>,
    pub availability: Availability,
    pub error_budget: Option<ErrorBudget>,
    /// The incidents whose customer impact fell in the period.
    pub incident_ids: Vec<i64>,
}

/// Every figure of one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PeriodFigures {
    /// The period's key: `2026-11-24`, `2026-W48`, `2026-11`, `2026-Q4` or a range
    /// `2026-11-03..2026-11-16`.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub period: ReportPeriod,
    pub incident_ids: Vec<i64>,
    pub by_severity: Vec<Counted<Severity>>,
    pub ttd: DurationFigure,
    pub ttm: DurationFigure,
    pub ttr: DurationFigure,
    pub detected_by: Vec<Counted<DetectionSource>>,
    /// Incidents whose detection source was left empty.
    pub detected_by_unrecorded: Vec<i64>,
    pub detection_gap: Ratio,
    pub monitoring_should_have_caught: Vec<i64>,
    pub runbook: Vec<Counted<RunbookOutcome>>,
    pub runbook_coverage: Ratio,
    pub runbook_effectiveness: Ratio,
    pub known_problems: Vec<i64>,
    pub recurrence_rate: Ratio,
    pub items: ItemFigures,
    pub deploys: DeployTally,
    pub change_failure_rate: Ratio,
    pub availability: Vec<ServiceAvailability>,
}

fn counted<C: Copy + PartialEq>(
    categories: &[C],
    incidents: &[IncidentFacts],
    of: impl Fn(&IncidentFacts) -> Option<C>,
) -> Vec<Counted<C>> {
    categories
        .iter()
        .map(|&category| {
            let incident_ids: Vec<i64> = incidents
                .iter()
                .filter(|i| of(i) == Some(category))
                .map(|i| i.id)
                .collect();
            Counted {
                category,
                count: incident_ids.len() as u64,
                incident_ids,
            }
        })
        .collect()
}

fn duration(incidents: &[IncidentFacts], metric: DurationMetric) -> DurationFigure {
    DurationFigure {
        summary: Summary::of_incidents(incidents.iter().map(|i| &i.times), metric),
        missing_incident_ids: incidents
            .iter()
            .filter(|i| metric.of(&i.times).is_none())
            .map(|i| i.id)
            .collect(),
    }
}

impl PeriodFigures {
    /// The figures of `period` from the incidents that belong to it and the tallies the
    /// database counted.
    pub fn compute(
        period: ReportPeriod,
        incidents: &[IncidentFacts],
        items: ItemFigures,
        deploys: DeployTally,
        availability: Vec<ServiceAvailability>,
    ) -> PeriodFigures {
        let detected: Breakdown<DetectionSource> = Breakdown::tally(
            DetectionSource::ALL,
            incidents.iter().map(|i| i.detected_by),
        );
        let runbooks: Breakdown<RunbookOutcome> = Breakdown::tally(
            RunbookOutcome::ALL,
            incidents.iter().map(|i| i.runbook_outcome),
        );
        let known_problems: Vec<i64> = incidents
            .iter()
            .filter(|i| i.known_problem == Some(true))
            .map(|i| i.id)
            .collect();
        PeriodFigures {
            period,
            incident_ids: incidents.iter().map(|i| i.id).collect(),
            by_severity: counted(Severity::ALL, incidents, |i| Some(i.severity)),
            ttd: duration(incidents, DurationMetric::Ttd),
            ttm: duration(incidents, DurationMetric::Ttm),
            ttr: duration(incidents, DurationMetric::Ttr),
            detected_by: counted(DetectionSource::ALL, incidents, |i| i.detected_by),
            detected_by_unrecorded: incidents
                .iter()
                .filter(|i| i.detected_by.is_none())
                .map(|i| i.id)
                .collect(),
            detection_gap: detection_gap(&detected),
            monitoring_should_have_caught: incidents
                .iter()
                .filter(|i| {
                    i.monitoring_should_have_caught == Some(true)
                        && i.detected_by != Some(DetectionSource::Alert)
                })
                .map(|i| i.id)
                .collect(),
            runbook: counted(RunbookOutcome::ALL, incidents, |i| i.runbook_outcome),
            runbook_coverage: runbook_coverage(&runbooks),
            runbook_effectiveness: runbook_effectiveness(&runbooks),
            recurrence_rate: recurrence_rate(known_problems.len() as u64, incidents.len() as u64),
            known_problems,
            items,
            change_failure_rate: deploys.change_failure_rate(),
            deploys,
            availability,
        }
    }

    pub fn incidents(&self) -> u64 {
        self.incident_ids.len() as u64
    }

    /// The service with the lowest availability, if any service is in scope.
    pub fn least_available(&self) -> Option<&ServiceAvailability> {
        self.availability
            .iter()
            .filter(|s| s.availability.value().is_some())
            .min_by(|a, b| {
                let (a, b) = (a.availability.value(), b.availability.value());
                a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal)
            })
    }

    /// The service that used the largest share of its error budget, if any has an SLO.
    pub fn most_budget_consumed(&self) -> Option<(&ServiceAvailability, f64)> {
        self.availability
            .iter()
            .filter_map(|s| Some((s, s.error_budget?.consumed?)))
            .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
    }

    /// A metric as one number (seconds, a count, or a fraction); `None` when the period lacks
    /// it (no resolved incident for MTTR, nothing to divide for a share).
    pub fn value(&self, metric: Metric) -> Option<f64> {
        let count = |n: u64| Some(n as f64);
        let seconds = |s: Option<i64>| s.map(|s| s as f64);
        match metric {
            Metric::Incidents => count(self.incidents()),
            Metric::Mttd => seconds(self.ttd.summary.mean),
            Metric::Mttm => seconds(self.ttm.summary.mean),
            Metric::Mttr => seconds(self.ttr.summary.mean),
            Metric::DetectionGap => self.detection_gap.value(),
            Metric::MonitoringShouldHaveCaught => {
                count(self.monitoring_should_have_caught.len() as u64)
            }
            Metric::RunbookCoverage => self.runbook_coverage.value(),
            Metric::RunbookEffectiveness => self.runbook_effectiveness.value(),
            Metric::RecurrenceRate => self.recurrence_rate.value(),
            Metric::ItemsCreated => count(self.items.created),
            Metric::ItemsCommitted => count(self.items.committed),
            Metric::ItemsCompleted => count(self.items.completed),
            Metric::ItemsOpen => count(self.items.open_at_end),
            Metric::ItemsOverdue => count(self.items.overdue_at_end),
            Metric::PriorActionsVerified => self.items.verification.verified_share().value(),
            Metric::PriorActionsEffective => self.items.verification.effective_share().value(),
            Metric::Deploys => count(self.deploys.all()),
            Metric::ChangeFailureRate => self.change_failure_rate.value(),
            Metric::Availability => self.least_available()?.availability.value(),
            Metric::ErrorBudgetConsumed => self.most_budget_consumed().map(|(_, c)| c),
        }
    }
}

/// One figure in a report: this period, the previous one, the movement and the anomaly check,
/// and its values over the charted periods (oldest first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    pub metric: Metric,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub trend: Option<Trend>,
    pub anomaly: Option<AnomalyCheck>,
    pub history: Vec<Option<f64>>,
}

choices!(
    /// What a finding is about.
    FindingKind {
        DetectionGap => ("detection_gap", "Detection gap"),
        Anomaly => ("anomaly", "Anomaly"),
        ErrorBudget => ("error_budget", "Error budget"),
        RunbookGap => ("runbook_gap", "Runbook gap"),
        MissingTimes => ("missing_times", "Missing times"),
        VerificationBacklog => ("verification_backlog", "Verification backlog"),
    }
);

/// Something the review should talk about, in a sentence, with the incidents behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Finding {
    pub kind: FindingKind,
    pub metric: Option<Metric>,
    pub text: String,
    pub incident_ids: Vec<i64>,
}

/// The numbers a review starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub figures: PeriodFigures,
    pub previous: PeriodFigures,
    pub headline: String,
    pub rows: Vec<MetricRow>,
    pub findings: Vec<Finding>,
    pub detection_gap_threshold: DetectionGapThreshold,
    /// The charted periods, oldest first, ending with this one.
    pub history: Vec<ReportPeriod>,
    /// How each charted period's incidents were detected, in `DetectionSource::ALL` order.
    pub detection_history: Vec<Vec<u64>>,
}

/// How many periods the charts show.
pub const CHART_PERIODS: usize = 12;

fn percent(value: f64) -> String {
    let p = value * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}

/// A metric's value as a person reads it.
pub fn format_value(metric: Metric, value: Option<f64>) -> String {
    use super::metric::Unit;
    match (value, metric.unit()) {
        (None, _) => "–".to_string(),
        (Some(v), Unit::Seconds) => human_duration(v.round() as i64),
        (Some(v), Unit::Count) => format!("{}", v.round() as i64),
        (Some(v), Unit::Fraction) if metric == Metric::Availability => format!("{:.3}%", v * 100.0),
        (Some(v), Unit::Fraction) => percent(v),
    }
}

/// A trend's change as a person reads it: "−25 min (−25%)", "+3", "+10 points".
pub fn format_change(metric: Metric, trend: &Trend) -> String {
    use super::metric::Unit;
    let sign = if trend.change > 0.0 {
        "+"
    } else if trend.change < 0.0 {
        "−"
    } else {
        "±"
    };
    let size = trend.change.abs();
    let amount = match metric.unit() {
        Unit::Seconds => human_duration(size.round() as i64),
        Unit::Count => format!("{}", size.round() as i64),
        Unit::Fraction if metric == Metric::Availability => {
            format!("{:.3} points", size * 100.0)
        }
        Unit::Fraction => format!("{:.1} points", size * 100.0),
    };
    match (metric.unit(), trend.percent_change) {
        (super::metric::Unit::Fraction, _) | (_, None) => format!("{sign}{amount}"),
        _ if trend.change == 0.0 => format!("{sign}{amount}"),
        (_, Some(p)) => format!("{sign}{amount} ({sign}{:.0}%)", p.abs()),
    }
}

/// The figures a headline weighs, in the order it names them.
pub const HEADLINE_METRICS: [Metric; 4] = [
    Metric::Mttr,
    Metric::Mttd,
    Metric::DetectionGap,
    Metric::Incidents,
];

/// "Better than the previous month: …" in one sentence, from MTTR, MTTD, the detection gap and
/// the incident count; better when more of them improved than got worse.
pub fn headline(rows: &[MetricRow], period_word: &str) -> String {
    let mut better = 0;
    let mut worse = 0;
    let mut parts = Vec::new();
    for metric in HEADLINE_METRICS {
        let Some(row) = rows.iter().find(|r| r.metric == metric) else {
            continue;
        };
        let Some(trend) = row.trend else {
            continue;
        };
        let name = match metric {
            Metric::Mttr => "MTTR",
            Metric::Mttd => "MTTD",
            Metric::DetectionGap => "the detection gap",
            _ => "incidents",
        };
        let moved = match trend.verdict {
            Verdict::Better => {
                better += 1;
                if trend.change < 0.0 { "fell" } else { "rose" }
            }
            Verdict::Worse => {
                worse += 1;
                if trend.change < 0.0 { "fell" } else { "rose" }
            }
            _ => "held",
        };
        let text = if moved == "held" {
            format!(
                "{name} held at {}",
                format_value(metric, Some(trend.current))
            )
        } else {
            format!(
                "{name} {moved} from {} to {}",
                format_value(metric, Some(trend.previous)),
                format_value(metric, Some(trend.current))
            )
        };
        parts.push(text);
    }
    if parts.is_empty() {
        return format!("Nothing to compare with the previous {period_word} yet.");
    }
    let verdict = match better.cmp(&worse) {
        std::cmp::Ordering::Greater => format!("Better than the previous {period_word}"),
        std::cmp::Ordering::Less => format!("Worse than the previous {period_word}"),
        std::cmp::Ordering::Equal if better == 0 => {
            format!("Much the same as the previous {period_word}")
        }
        std::cmp::Ordering::Equal => format!("Mixed against the previous {period_word}"),
    };
    let mut text = parts.join(", ");
    if let Some(first) = text.get(0..1) {
        text = first.to_uppercase() + &text[1..];
    }
    format!("{verdict}. {text}.")
}

/// The findings of a period: the detection gap at or over the threshold, anomalous figures,
/// spent error budgets, runbook and timing gaps, and prior actions left unverified.
pub fn findings(
    figures: &PeriodFigures,
    previous: &PeriodFigures,
    rows: &[MetricRow],
    threshold: DetectionGapThreshold,
) -> Vec<Finding> {
    let mut found = Vec::new();
    if threshold.is_finding(figures.detection_gap) {
        let gap = figures.detection_gap;
        let before = previous
            .detection_gap
            .value()
            .map(|v| format!(" (previous period: {})", percent(v)))
            .unwrap_or_default();
        let reported = figures
            .detected_by
            .iter()
            .find(|c| c.category == DetectionSource::UserReport)
            .map(|c| c.incident_ids.clone())
            .unwrap_or_default();
        found.push(Finding {
            kind: FindingKind::DetectionGap,
            metric: Some(Metric::DetectionGap),
            text: format!(
                "Users reported {} of {} incidents ({}){before}, at or above the {}% threshold: \
                 add alerting where customers noticed first.",
                gap.numerator,
                gap.denominator,
                percent(gap.value().unwrap_or_default()),
                threshold.percent()
            ),
            incident_ids: reported,
        });
    }
    for row in rows {
        let (Some(check), Some(value)) = (row.anomaly, row.value) else {
            continue;
        };
        if !check.anomalous {
            continue;
        }
        let way = if check.score > 0.0 { "above" } else { "below" };
        found.push(Finding {
            kind: FindingKind::Anomaly,
            metric: Some(row.metric),
            text: format!(
                "{} is {} against a usual {} ({:.1} standard deviations {way} the mean of the \
                 previous {} periods).",
                row.metric.label(),
                format_value(row.metric, Some(value)),
                format_value(row.metric, Some(check.mean)),
                check.score.abs(),
                check.baseline_periods
            ),
            incident_ids: match row.metric {
                Metric::Incidents => figures.incident_ids.clone(),
                Metric::Mttd | Metric::Mttm | Metric::Mttr => figures.incident_ids.clone(),
                _ => Vec::new(),
            },
        });
    }
    for service in &figures.availability {
        let Some(consumed) = service.error_budget.and_then(|b| b.consumed) else {
            continue;
        };
        if consumed >= 1.0 {
            found.push(Finding {
                kind: FindingKind::ErrorBudget,
                metric: Some(Metric::ErrorBudgetConsumed),
                text: format!(
                    "{} used {} of its error budget (SLO {}%).",
                    service.service,
                    percent(consumed),
                    service.slo_target_percent.unwrap_or_default()
                ),
                incident_ids: service.incident_ids.clone(),
            });
        }
    }
    let no_runbook: Vec<i64> = figures
        .runbook
        .iter()
        .filter(|c| c.category == RunbookOutcome::NoneExisted)
        .flat_map(|c| c.incident_ids.iter().copied())
        .collect();
    if !no_runbook.is_empty() {
        found.push(Finding {
            kind: FindingKind::RunbookGap,
            metric: Some(Metric::RunbookCoverage),
            text: format!(
                "{} incident{} had no runbook.",
                no_runbook.len(),
                if no_runbook.len() == 1 { "" } else { "s" }
            ),
            incident_ids: no_runbook,
        });
    }
    let undetected = &figures.ttd.missing_incident_ids;
    let unresolved = &figures.ttr.missing_incident_ids;
    if !undetected.is_empty() || !unresolved.is_empty() {
        let mut ids: Vec<i64> = undetected.iter().chain(unresolved).copied().collect();
        ids.sort_unstable();
        ids.dedup();
        found.push(Finding {
            kind: FindingKind::MissingTimes,
            metric: None,
            text: format!(
                "{} incident{} lack a detected time and {} a resolved time; they are left out of \
                 MTTD and MTTR, not counted as zero.",
                undetected.len(),
                if undetected.len() == 1 { "" } else { "s" },
                unresolved.len()
            ),
            incident_ids: ids,
        });
    }
    let tally = figures.items.verification;
    if tally.due > tally.verified {
        found.push(Finding {
            kind: FindingKind::VerificationBacklog,
            metric: Some(Metric::PriorActionsVerified),
            text: format!(
                "{} of {} prior actions due for verification in the period are not verified yet.",
                tally.due - tally.verified,
                tally.due
            ),
            incident_ids: Vec::new(),
        });
    }
    found
}

/// The report for the last of `series` (figures for consecutive periods of one kind, oldest
/// first, at least two): trends against the one before it, anomalies against all before it.
pub fn report(
    series: Vec<PeriodFigures>,
    threshold: DetectionGapThreshold,
    period_word: &str,
) -> Report {
    assert!(series.len() >= 2, "a report needs the previous period");
    let n = series.len();
    let current = &series[n - 1];
    let previous = &series[n - 2];
    let charted = &series[n.saturating_sub(CHART_PERIODS)..];
    let rows: Vec<MetricRow> = Metric::ALL
        .iter()
        .map(|&metric| {
            let value = current.value(metric);
            let prior = previous.value(metric);
            let baseline: Vec<f64> = series[..n - 1]
                .iter()
                .filter_map(|f| f.value(metric))
                .collect();
            MetricRow {
                metric,
                value,
                previous: prior,
                trend: Trend::of(value, prior, metric.direction()),
                anomaly: value.and_then(|v| check_anomaly(v, &baseline)),
                history: charted.iter().map(|f| f.value(metric)).collect(),
            }
        })
        .collect();
    let findings = findings(current, previous, &rows, threshold);
    Report {
        headline: headline(&rows, period_word),
        history: charted.iter().map(|f| f.period).collect(),
        detection_history: charted
            .iter()
            .map(|f| f.detected_by.iter().map(|c| c.count).collect())
            .collect(),
        figures: current.clone(),
        previous: previous.clone(),
        rows,
        findings,
        detection_gap_threshold: threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::analytics::period::Period;
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, day, hour, 0, 0).unwrap()
    }

    fn month(key: &str) -> ReportPeriod {
        ReportPeriod::Calendar(Period::parse(key).unwrap())
    }

    /// An incident started at 10:00 on `day` of October, detected and resolved the given
    /// minutes later.
    fn incident(id: i64, day: u32, ttd_min: Option<i64>, ttr_min: Option<i64>) -> IncidentFacts {
        incident_from(id, at(day, 10), ttd_min, ttr_min)
    }

    fn incident_from(
        id: i64,
        started: DateTime<Utc>,
        ttd_min: Option<i64>,
        ttr_min: Option<i64>,
    ) -> IncidentFacts {
        IncidentFacts {
            id,
            severity: Severity::Sev2,
            times: KeyTimes {
                started,
                detected: ttd_min.map(|m| started + Duration::minutes(m)),
                acknowledged: None,
                mitigated: None,
                resolved: ttr_min.map(|m| started + Duration::minutes(m)),
            },
            detected_by: Some(DetectionSource::Alert),
            monitoring_should_have_caught: None,
            known_problem: Some(false),
            runbook_outcome: None,
        }
    }

    fn figures(key: &str, incidents: &[IncidentFacts]) -> PeriodFigures {
        PeriodFigures::compute(
            month(key),
            incidents,
            ItemFigures::default(),
            DeployTally::default(),
            Vec::new(),
        )
    }

    #[test]
    fn a_period_counts_its_incidents_and_leaves_missing_times_out() {
        let mut user = incident(3, 3, None, None);
        user.detected_by = Some(DetectionSource::UserReport);
        user.monitoring_should_have_caught = Some(true);
        user.runbook_outcome = Some(RunbookOutcome::NoneExisted);
        user.known_problem = Some(true);
        user.severity = Severity::Sev1;
        let mut worked = incident(1, 1, Some(5), Some(60));
        worked.runbook_outcome = Some(RunbookOutcome::ExistedWorked);
        let mut failed = incident(2, 2, Some(15), Some(120));
        failed.runbook_outcome = Some(RunbookOutcome::ExistedFailed);
        failed.detected_by = None;
        let f = figures("2026-10", &[worked, failed, user]);

        assert_eq!(f.incidents(), 3);
        assert_eq!(f.by_severity[0].incident_ids, [3]);
        assert_eq!(f.by_severity[1].count, 2);
        // Mean of 5 and 15 minutes; the undetected incident is listed, not counted as zero.
        assert_eq!(f.ttd.summary.mean, Some(600));
        assert_eq!(f.ttd.summary.missing, 1);
        assert_eq!(f.ttd.missing_incident_ids, [3]);
        assert_eq!(f.value(Metric::Mttr), Some(5400.0));
        // One of the two with a source recorded was reported by a user.
        assert_eq!(f.detection_gap, Ratio::new(1, 2));
        assert_eq!(f.detected_by_unrecorded, [2]);
        assert_eq!(f.monitoring_should_have_caught, [3]);
        assert_eq!(f.runbook_coverage, Ratio::new(2, 3));
        assert_eq!(f.runbook_effectiveness, Ratio::new(1, 2));
        assert_eq!(f.known_problems, [3]);
        assert_eq!(f.value(Metric::RecurrenceRate), Some(1.0 / 3.0));
        // No deploys and no services: no rate and no availability, rather than 0.
        assert_eq!(f.value(Metric::ChangeFailureRate), None);
        assert_eq!(f.value(Metric::Availability), None);
        assert_eq!(f.value(Metric::Deploys), Some(0.0));
    }

    #[test]
    fn an_empty_period_has_counts_of_zero_and_no_durations() {
        let f = figures("2026-10", &[]);
        assert_eq!(f.value(Metric::Incidents), Some(0.0));
        assert_eq!(f.value(Metric::Mttr), None);
        assert_eq!(f.value(Metric::DetectionGap), None);
        let r = report(
            vec![figures("2026-09", &[]), f],
            DetectionGapThreshold::DEFAULT,
            "month",
        );
        assert_eq!(
            r.headline,
            "Much the same as the previous month. Incidents held at 0."
        );
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn the_report_compares_with_the_previous_period_and_says_so_in_a_sentence() {
        let september =
            |id, day| incident_from(id, at(day, 10) - Duration::days(30), Some(20), Some(120));
        let before = figures("2026-09", &[september(1, 1), september(2, 2)]);
        let now = figures("2026-10", &[incident(3, 3, Some(10), Some(60))]);
        let r = report(vec![before, now], DetectionGapThreshold::DEFAULT, "month");
        assert_eq!(
            r.headline,
            "Better than the previous month. MTTR fell from 2h 00m to 1h 00m, MTTD fell from \
             20m 00s to 10m 00s, the detection gap held at 0%, incidents fell from 2 to 1."
        );
        let mttr = r
            .rows
            .iter()
            .find(|row| row.metric == Metric::Mttr)
            .unwrap();
        let trend = mttr.trend.unwrap();
        assert_eq!((trend.change, trend.verdict), (-3600.0, Verdict::Better));
        assert_eq!(format_change(Metric::Mttr, &trend), "−1h 00m (−50%)");
        // Two periods are too few for an anomaly.
        assert!(r.rows.iter().all(|row| row.anomaly.is_none()));
        assert_eq!(r.history.len(), 2);
        // Two alerts in September, one in October.
        assert_eq!(r.detection_history, [vec![2, 0, 0, 0], vec![1, 0, 0, 0]]);
        assert_eq!(mttr.history, [Some(7200.0), Some(3600.0)]);
    }

    #[test]
    fn a_detection_gap_at_the_threshold_is_a_finding_with_the_previous_value() {
        let mut reported = incident(7, 5, Some(30), Some(90));
        reported.detected_by = Some(DetectionSource::UserReport);
        let now = figures(
            "2026-10",
            &[
                reported,
                incident(8, 6, Some(1), Some(30)),
                incident(9, 7, Some(1), Some(30)),
            ],
        );
        let before = figures("2026-09", &[]);
        let r = report(
            vec![before.clone(), now.clone()],
            DetectionGapThreshold::parse("33").unwrap(),
            "month",
        );
        let gap: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::DetectionGap)
            .collect();
        assert_eq!(gap.len(), 1, "{:?}", r.findings);
        assert_eq!(gap[0].incident_ids, [7]);
        assert!(
            gap[0]
                .text
                .starts_with("Users reported 1 of 3 incidents (33.3%)"),
            "{}",
            gap[0].text
        );
        // 1 of 3 is below 34%.
        let r = report(
            vec![before, now],
            DetectionGapThreshold::parse("34").unwrap(),
            "month",
        );
        assert!(
            r.findings
                .iter()
                .all(|f| f.kind != FindingKind::DetectionGap)
        );
    }

    #[test]
    fn a_figure_far_from_the_preceding_periods_is_an_anomaly() {
        // Six quiet months of 1 or 2 incidents, then 9.
        let mut series: Vec<PeriodFigures> = [
            "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08",
        ]
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let n = 1 + (i % 2) as i64;
            figures(
                key,
                &(0..n)
                    .map(|j| incident(100 * i as i64 + j, 1, Some(5), Some(60)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
        series.push(figures("2026-09", &[incident(900, 1, Some(5), Some(60))]));
        series.push(figures(
            "2026-10",
            &(0..9)
                .map(|j| incident(1000 + j, 2, Some(5), Some(60)))
                .collect::<Vec<_>>(),
        ));
        let r = report(series, DetectionGapThreshold::DEFAULT, "month");
        let incidents = r
            .rows
            .iter()
            .find(|row| row.metric == Metric::Incidents)
            .unwrap();
        let check = incidents.anomaly.unwrap();
        assert_eq!(check.baseline_periods, 7);
        assert!(check.anomalous, "{check:?}");
        let anomaly = r
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::Anomaly)
            .unwrap();
        assert_eq!(anomaly.metric, Some(Metric::Incidents));
        assert_eq!(anomaly.incident_ids.len(), 9);
        // MTTR was the same every month: a deviation of 0 is not evaluated.
        let mttr = r
            .rows
            .iter()
            .find(|row| row.metric == Metric::Mttr)
            .unwrap();
        assert_eq!(mttr.anomaly, None);
    }

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(format_value(Metric::DetectionGap, Some(0.25)), "25%");
        assert_eq!(format_value(Metric::DetectionGap, Some(1.0 / 3.0)), "33.3%");
        assert_eq!(format_value(Metric::Availability, Some(0.99952)), "99.952%");
        assert_eq!(format_value(Metric::Mttr, None), "–");
        assert_eq!(format_value(Metric::Incidents, Some(4.0)), "4");
        let t = Trend::between(0.4, 0.25, Metric::DetectionGap.direction());
        assert_eq!(format_change(Metric::DetectionGap, &t), "+15.0 points");
        let t = Trend::between(3.0, 3.0, Metric::Incidents.direction());
        assert_eq!(format_change(Metric::Incidents, &t), "±0");
    }
}
