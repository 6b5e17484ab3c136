//! The numbers a review starts from, defined once: reporting periods, duration statistics,
//! shares and ratios, availability and error budgets, trends and anomalies. Pure arithmetic on
//! values the services have already loaded or aggregated; every definition also exists as text
//! for the "How we measure" page.

pub mod anomaly;
pub mod availability;
pub mod digest;
pub mod figures;
pub mod metric;
pub mod period;
pub mod shares;
pub mod stats;
pub mod trend;

pub use anomaly::{AnomalyCheck, check_anomaly};
pub use availability::{Availability, ErrorBudget, ImpactWindow, impact_seconds};
pub use figures::{
    Counted, DurationFigure, Finding, FindingKind, IncidentFacts, ItemFigures, MetricRow,
    PeriodFigures, Report, ServiceAvailability,
};
pub use metric::{Metric, Unit};
pub use period::{DateRange, Period, PeriodKind, ReportPeriod, period_of_incident, start_of_day};
pub use shares::{
    Breakdown, CategoryCount, CategoryShare, DeployTally, DetectionGapThreshold, Ratio,
    VerificationTally,
};
pub use stats::{DurationMetric, Summary};
pub use trend::{Direction, Trend, Verdict};

use serde::{Deserialize, Serialize};

/// One entry of the "How we measure" page: a title and the definition in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub title: &'static str,
    pub text: &'static str,
}

/// Everything the "How we measure" page shows, in reading order: how periods, statistics,
/// trends and anomalies work, then every metric.
pub fn how_we_measure() -> Vec<Definition> {
    let general = [
        Definition {
            title: "Periods",
            text: period::PERIOD_DEFINITION,
        },
        Definition {
            title: "Which period an incident belongs to",
            text: period::INCIDENT_PERIOD_DEFINITION,
        },
        Definition {
            title: "Mean, median and p90",
            text: stats::STATISTICS_DEFINITION,
        },
        Definition {
            title: "Shares and ratios",
            text: shares::RATIO_DEFINITION,
        },
        Definition {
            title: "Trend",
            text: trend::TREND_DEFINITION,
        },
        Definition {
            title: "Anomaly",
            text: anomaly::ANOMALY_DEFINITION,
        },
    ];
    general
        .into_iter()
        .chain(Metric::ALL.iter().map(|m| Definition {
            title: m.label(),
            text: m.definition(),
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_how_we_measure_page_defines_every_metric_once_in_words() {
        let page = how_we_measure();
        for metric in Metric::ALL {
            let entries: Vec<_> = page.iter().filter(|d| d.title == metric.label()).collect();
            assert_eq!(entries.len(), 1, "{metric:?}");
            assert!(entries[0].text.len() > 40, "{metric:?} is barely defined");
        }
        assert!(page.iter().any(|d| d.text.contains("⌈0.9·n⌉")));
        assert!(page.iter().any(|d| d.text.contains("2.5")));
        assert!(page.iter().all(|d| !d.text.trim().is_empty()));
    }
}
