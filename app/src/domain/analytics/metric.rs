//! Every figure the analytics and review pages show, with its definition in words, its unit and
//! which way is better: the one list the "How we measure" page and the trend arrows read.

use serde::{Deserialize, Serialize};

use super::availability::{AVAILABILITY_DEFINITION, ERROR_BUDGET_DEFINITION};
use super::trend::Direction;

choices!(
    /// A figure computed per period.
    Metric {
        Incidents => ("incidents", "Incidents"),
        Mttd => ("mttd", "MTTD (time to detect)"),
        Mttm => ("mttm", "MTTM (time to mitigate)"),
        Mttr => ("mttr", "MTTR (time to resolve)"),
        DetectionGap => ("detection_gap", "Detection gap"),
        MonitoringShouldHaveCaught => ("monitoring_should_have_caught", "Monitoring should have caught it"),
        RunbookCoverage => ("runbook_coverage", "Runbook coverage"),
        RunbookEffectiveness => ("runbook_effectiveness", "Runbook effectiveness"),
        RecurrenceRate => ("recurrence_rate", "Recurrence rate"),
        ItemsCreated => ("items_created", "Action items created"),
        ItemsCommitted => ("items_committed", "Action items committed"),
        ItemsCompleted => ("items_completed", "Action items completed"),
        ItemsOpen => ("items_open", "Action items open at the period's end"),
        ItemsOverdue => ("items_overdue", "Action items overdue at the period's end"),
        PriorActionsVerified => ("prior_actions_verified", "Verification of prior actions"),
        PriorActionsEffective => ("prior_actions_effective", "Prior actions found effective"),
        Deploys => ("deploys", "Deploys"),
        ChangeFailureRate => ("change_failure_rate", "Change failure rate"),
        Availability => ("availability", "Availability"),
        ErrorBudgetConsumed => ("error_budget_consumed", "Error budget consumed"),
    }
);

/// What a metric's number is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    /// Whole seconds.
    Seconds,
    /// A share or ratio in 0..=1 (the error budget consumed may exceed 1).
    Fraction,
}

/// The part every MTTx definition shares, as a literal so `concat!` can use it.
macro_rules! over_incidents_with_the_time {
    () => {
        " The figure is the mean, median and p90 over the period's incidents that have that \
         time; incidents still lacking it are counted and listed as missing, never treated as \
         zero."
    };
}

impl Metric {
    /// The definition shown on the "How we measure" page.
    pub fn definition(self) -> &'static str {
        match self {
            Metric::Incidents => {
                "Incidents whose impact started in the period, in the reporting time zone, \
                 counted per severity."
            }
            Metric::Mttd => concat!(
                "Time to detect (TTD) = detected − impact started, in whole seconds, per incident.",
                over_incidents_with_the_time!()
            ),
            Metric::Mttm => concat!(
                "Time to mitigate (TTM) = mitigated − impact started, in whole seconds, per \
                 incident.",
                over_incidents_with_the_time!()
            ),
            Metric::Mttr => concat!(
                "Time to resolve (TTR) = resolved − impact started, in whole seconds, per \
                 incident.",
                over_incidents_with_the_time!()
            ),
            Metric::DetectionGap => {
                "The share of the period's incidents (those with \"detected by\" recorded) that \
                 were detected by user reports. It is raised as a finding when it reaches the \
                 organisation's threshold (30% unless an admin sets another), and shown next to \
                 the previous period's value."
            }
            Metric::MonitoringShouldHaveCaught => {
                "Incidents in the period not detected by an alert for which the postmortem \
                 answered yes to \"should monitoring have caught it?\"."
            }
            Metric::RunbookCoverage => {
                "Incidents where a runbook existed (whether used or not) ÷ incidents with the \
                 runbook field set. Incidents where the field was left empty are not counted."
            }
            Metric::RunbookEffectiveness => {
                "Incidents where the runbook worked ÷ incidents where it was used: worked ÷ \
                 (worked + failed or incomplete). A runbook that existed but was not used counts \
                 neither way."
            }
            Metric::RecurrenceRate => {
                "Incidents marked as a known problem ÷ all of the period's incidents."
            }
            Metric::ItemsCreated => {
                "Action items created during the period, from incidents and from reviews alike, \
                 whatever has happened to them since."
            }
            Metric::ItemsCommitted => {
                "Action items committed to during the period: moved from proposed to open, so \
                 no longer only an idea."
            }
            Metric::ItemsCompleted => {
                "Action items marked done during the period, by the day the work was finished \
                 in the reporting time zone."
            }
            Metric::ItemsOpen => {
                "Committed action items still unfinished (open or in progress) when the period \
                 ended."
            }
            Metric::ItemsOverdue => {
                "Committed, unfinished action items (open or in progress) whose due date was on \
                 or before the period's last day, so they were late when it ended; for a period \
                 still under way, those due before today."
            }
            Metric::PriorActionsVerified => {
                "Action items whose verification fell due in the period (their verify-on date \
                 lies in it and, for a period still under way, has come by today): how many \
                 there were, how many were verified, and the share verified = verified ÷ due."
            }
            Metric::PriorActionsEffective => {
                "Of the prior actions verified in the period, the share found effective = \
                 effective ÷ verified."
            }
            Metric::Deploys => {
                "Deploy events in the period, recorded through the API or a CSV upload, each \
                 with its service, time and outcome (succeeded, failed or rolled back)."
            }
            Metric::ChangeFailureRate => {
                "(Failed deploys + rolled-back deploys) ÷ all deploys in the period."
            }
            Metric::Availability => AVAILABILITY_DEFINITION,
            Metric::ErrorBudgetConsumed => ERROR_BUDGET_DEFINITION,
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::Mttd | Metric::Mttm | Metric::Mttr => Unit::Seconds,
            Metric::DetectionGap
            | Metric::RunbookCoverage
            | Metric::RunbookEffectiveness
            | Metric::RecurrenceRate
            | Metric::PriorActionsVerified
            | Metric::PriorActionsEffective
            | Metric::ChangeFailureRate
            | Metric::Availability
            | Metric::ErrorBudgetConsumed => Unit::Fraction,
            Metric::Incidents
            | Metric::MonitoringShouldHaveCaught
            | Metric::ItemsCreated
            | Metric::ItemsCommitted
            | Metric::ItemsCompleted
            | Metric::ItemsOpen
            | Metric::ItemsOverdue
            | Metric::Deploys => Unit::Count,
        }
    }

    /// Which way counts as better in a trend.
    pub fn direction(self) -> Direction {
        match self {
            Metric::Incidents
            | Metric::Mttd
            | Metric::Mttm
            | Metric::Mttr
            | Metric::DetectionGap
            | Metric::MonitoringShouldHaveCaught
            | Metric::RecurrenceRate
            | Metric::ItemsOpen
            | Metric::ItemsOverdue
            | Metric::ChangeFailureRate
            | Metric::ErrorBudgetConsumed => Direction::LowerIsBetter,
            Metric::RunbookCoverage
            | Metric::RunbookEffectiveness
            | Metric::ItemsCompleted
            | Metric::PriorActionsVerified
            | Metric::PriorActionsEffective
            | Metric::Deploys
            | Metric::Availability => Direction::HigherIsBetter,
            Metric::ItemsCreated | Metric::ItemsCommitted => Direction::Neutral,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_a_definition_a_unit_and_a_direction() {
        for metric in Metric::ALL {
            assert_eq!(Metric::parse(metric.key()), Ok(*metric));
            assert!(metric.definition().ends_with('.'), "{metric:?}");
        }
        assert!(
            Metric::Mttr
                .definition()
                .starts_with("Time to resolve (TTR) = resolved")
        );
        assert!(Metric::Mttr.definition().contains("never treated as zero"));
        assert_eq!(Metric::Mttd.unit(), Unit::Seconds);
        assert_eq!(Metric::DetectionGap.unit(), Unit::Fraction);
        assert_eq!(Metric::Mttr.direction(), Direction::LowerIsBetter);
        assert_eq!(Metric::Availability.direction(), Direction::HigherIsBetter);
        assert_eq!(
            Metric::RunbookCoverage.direction(),
            Direction::HigherIsBetter
        );
        assert_eq!(Metric::ItemsCreated.direction(), Direction::Neutral);
    }
}
