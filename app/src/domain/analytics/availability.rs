//! Availability per service from customer-impact windows, and the error budget its SLO allows.
//!
//! Impact is the union of the windows clipped to the period, so overlapping incidents count
//! once. Lengths are whole seconds (chrono's exact durations, truncated once at the end).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::catalog::SloTarget;
use crate::domain::incident::KeyTimes;

/// The time customers were affected by one incident: `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl ImpactWindow {
    /// From impact started to mitigated, or to resolved when there is no mitigation time. An
    /// incident with neither is still hurting customers: its window runs to `now`.
    pub fn of_incident(times: &KeyTimes, now: DateTime<Utc>) -> ImpactWindow {
        ImpactWindow {
            start: times.started,
            end: times.mitigated.or(times.resolved).unwrap_or(now),
        }
    }
}

/// Seconds of `[start, end)` during which at least one window was open: the union of the
/// windows clipped to the period. Windows ending before they start count as nothing.
pub fn impact_seconds(
    windows: &[ImpactWindow],
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
) -> i64 {
    let mut clipped: Vec<(DateTime<Utc>, DateTime<Utc>)> = windows
        .iter()
        .map(|w| (w.start.max(period_start), w.end.min(period_end)))
        .filter(|(start, end)| start < end)
        .collect();
    clipped.sort_unstable();
    let mut total = TimeDelta::zero();
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (start, end) in clipped {
        match current {
            Some((open_start, open_end)) if start <= open_end => {
                current = Some((open_start, open_end.max(end)));
            }
            _ => {
                if let Some((open_start, open_end)) = current {
                    total += open_end - open_start;
                }
                current = Some((start, end));
            }
        }
    }
    if let Some((open_start, open_end)) = current {
        total += open_end - open_start;
    }
    total.num_seconds()
}

/// A service's availability over a period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Availability {
    /// The period's length in whole seconds (23 or 25 hours on a day the clocks change).
    pub period_seconds: i64,
    /// Seconds of the period with customer impact (the union of the windows).
    pub impact_seconds: i64,
}

impl Availability {
    pub fn over(
        windows: &[ImpactWindow],
        period_start: DateTime<Utc>,
        period_end: DateTime<Utc>,
    ) -> Availability {
        Availability {
            period_seconds: (period_end - period_start).num_seconds().max(0),
            impact_seconds: impact_seconds(windows, period_start, period_end),
        }
    }

    /// 1 − impact / period length, within 0..=1; `None` for a period of no length.
    pub fn value(self) -> Option<f64> {
        (self.period_seconds > 0).then(|| {
            (1.0 - self.impact_seconds as f64 / self.period_seconds as f64).clamp(0.0, 1.0)
        })
    }

    pub fn error_budget(self, slo: SloTarget) -> ErrorBudget {
        ErrorBudget::new(slo, self.period_seconds, self.impact_seconds)
    }
}

/// The downtime an SLO allows over a period, and how much of it the impact used.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorBudget {
    /// (1 − SLO target) × period length, in seconds; may have a fraction (99.95% of a day is
    /// 43.2 s).
    pub budget_seconds: f64,
    /// Impact seconds / budget seconds: 1 means exactly used up, above 1 overspent. `None` when
    /// the budget is zero.
    pub consumed: Option<f64>,
}

impl ErrorBudget {
    pub fn new(slo: SloTarget, period_seconds: i64, impact_seconds: i64) -> ErrorBudget {
        // SLO targets have at most three decimals, so the allowed fraction is an exact number
        // of hundred-thousandths: 99.9% leaves 100 of 100,000.
        const SCALE: i128 = 100_000;
        let allowed = SCALE - (slo.percent() * 1000.0).round() as i128;
        let budget_scaled = allowed * period_seconds.max(0) as i128;
        ErrorBudget {
            budget_seconds: budget_scaled as f64 / SCALE as f64,
            consumed: (budget_scaled > 0)
                .then(|| (impact_seconds as i128 * SCALE) as f64 / budget_scaled as f64),
        }
    }
}

/// Availability in words.
pub const AVAILABILITY_DEFINITION: &str = "For each service: the customer-impact window of an \
incident runs from impact started to mitigated, or to resolved when there is no mitigation time \
(an incident with neither is still affecting customers, so its window runs to now). Impact is the \
union of the windows of the incidents affecting the service that were marked as affecting \
customers, clipped to the period, so time when two incidents overlap counts once. Availability = 1 − impact ÷ period length, where the period \
length is measured in the reporting time zone (a day on which the clocks change has 23 or 25 \
hours); a period still under way is measured up to now. Where one figure stands for all services (in trends, anomalies and the headline), it is \
the lowest availability of any service in scope.";

/// Error budget in words.
pub const ERROR_BUDGET_DEFINITION: &str = "Error budget = (1 − SLO target) × period length: \
with a 99.9% target, a 30-day month allows 43 minutes 12 seconds of impact. The share consumed is \
impact ÷ error budget; above 100% the budget is overspent. Where one figure stands for all \
services, it is the largest share consumed by any service with an SLO.";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const START: &str = "2026-11-01T00:00:00Z";

    /// Minutes after the start of November 2026 (UTC).
    fn m(minutes: i64) -> DateTime<Utc> {
        START.parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
    }

    fn w(start: i64, end: i64) -> ImpactWindow {
        ImpactWindow {
            start: m(start),
            end: m(end),
        }
    }

    /// A one-day period, in minutes.
    fn impact_minutes(windows: &[ImpactWindow]) -> i64 {
        impact_seconds(windows, m(0), m(1440)) / 60
    }

    #[test]
    fn separate_windows_add_up() {
        assert_eq!(impact_minutes(&[w(60, 90), w(120, 130)]), 40);
    }

    #[test]
    fn overlapping_windows_count_once() {
        assert_eq!(impact_minutes(&[w(60, 120), w(90, 150)]), 90);
        // One inside another.
        assert_eq!(impact_minutes(&[w(60, 240), w(100, 110)]), 180);
        // Touching windows join without double counting the instant.
        assert_eq!(impact_minutes(&[w(60, 90), w(90, 120)]), 60);
        // Unsorted and chained.
        assert_eq!(impact_minutes(&[w(200, 260), w(60, 100), w(90, 210)]), 200);
        // The same window twice.
        assert_eq!(impact_minutes(&[w(10, 20), w(10, 20)]), 10);
    }

    #[test]
    fn windows_are_clipped_to_the_period_edges() {
        // Started the evening before, mitigated at 01:00.
        assert_eq!(impact_minutes(&[w(-120, 60)]), 60);
        // Still going at midnight.
        assert_eq!(impact_minutes(&[w(1380, 1500)]), 60);
        // Spanning the whole period.
        assert_eq!(impact_minutes(&[w(-10, 2000)]), 1440);
        // Entirely outside, on either side, and ending exactly where the period starts.
        assert_eq!(impact_minutes(&[w(-300, -60), w(1440, 1500), w(-60, 0)]), 0);
        // Empty and backwards windows count as nothing.
        assert_eq!(impact_minutes(&[w(30, 30), w(50, 40)]), 0);
        assert_eq!(impact_minutes(&[]), 0);
    }

    #[test]
    fn availability_is_one_minus_impact_over_the_period() {
        let day = Availability::over(&[w(60, 90), w(80, 132)], m(0), m(1440));
        assert_eq!(day.impact_seconds, 72 * 60);
        assert_eq!(day.period_seconds, 86_400);
        assert!((day.value().unwrap() - 0.95).abs() < 1e-12);
        assert_eq!(Availability::over(&[], m(0), m(1440)).value(), Some(1.0));
        assert_eq!(
            Availability::over(&[w(-5, 1445)], m(0), m(1440)).value(),
            Some(0.0)
        );
        assert_eq!(Availability::over(&[], m(0), m(0)).value(), None);
    }

    #[test]
    fn an_open_incident_without_mitigation_hurts_until_now() {
        let times = KeyTimes {
            started: m(100),
            detected: Some(m(110)),
            acknowledged: None,
            mitigated: None,
            resolved: None,
        };
        assert_eq!(ImpactWindow::of_incident(&times, m(160)), w(100, 160));
        let resolved = KeyTimes {
            resolved: Some(m(400)),
            ..times
        };
        assert_eq!(ImpactWindow::of_incident(&resolved, m(9999)), w(100, 400));
        let mitigated = KeyTimes {
            mitigated: Some(m(130)),
            ..resolved
        };
        assert_eq!(ImpactWindow::of_incident(&mitigated, m(9999)), w(100, 130));
    }

    #[test]
    fn error_budget_is_what_the_slo_allows() {
        let slo = SloTarget::parse_optional("99.9").unwrap().unwrap();
        let month = 30 * 86_400;
        // 0.1% of 30 days = 2592 s = 43 min 12 s.
        let half = ErrorBudget::new(slo, month, 1296);
        assert_eq!(half.budget_seconds, 2592.0);
        assert_eq!(half.consumed, Some(0.5));
        let over = ErrorBudget::new(slo, month, 2592 * 3);
        assert_eq!(over.consumed, Some(3.0));
        // 99.95% of a day: 43.2 s.
        let day = ErrorBudget::new(
            SloTarget::parse_optional("99.95").unwrap().unwrap(),
            86_400,
            0,
        );
        assert!((day.budget_seconds - 43.2).abs() < 1e-9);
        assert_eq!(day.consumed, Some(0.0));
        // No period, no budget, no share.
        assert_eq!(ErrorBudget::new(slo, 0, 0).consumed, None);
        let availability = Availability {
            period_seconds: 86_400,
            impact_seconds: 864,
        };
        let budget = availability.error_budget(SloTarget::parse_optional("99").unwrap().unwrap());
        assert_eq!(budget.budget_seconds, 864.0);
        assert_eq!(budget.consumed, Some(1.0));
    }

    #[test]
    fn sub_second_timestamps_are_summed_before_truncating() {
        let base = m(0);
        let windows = [
            ImpactWindow {
                start: base,
                end: base + Duration::milliseconds(1500),
            },
            ImpactWindow {
                start: base + Duration::seconds(10),
                end: base + Duration::milliseconds(11_500),
            },
        ];
        assert_eq!(impact_seconds(&windows, m(0), m(1440)), 3);
    }

    fn any_windows() -> impl proptest::strategy::Strategy<Value = Vec<ImpactWindow>> {
        use proptest::strategy::Strategy;
        proptest::collection::vec((-2000i64..3000, 0i64..1500), 0..20).prop_map(|spans| {
            spans
                .into_iter()
                .map(|(start, length)| w(start, start + length))
                .collect()
        })
    }

    proptest::proptest! {
        #[test]
        fn the_union_never_exceeds_the_sum_nor_the_period(
            windows in any_windows(), from in -500i64..500, length in 0i64..3000
        ) {
            let (start, end) = (m(from), m(from + length));
            let union = impact_seconds(&windows, start, end);
            let sum: i64 = windows.iter().map(|w| (w.end - w.start).num_seconds()).sum();
            proptest::prop_assert!(union >= 0);
            proptest::prop_assert!(union <= sum);
            proptest::prop_assert!(union <= length * 60);
            // At least the longest single clipped window.
            let longest = windows
                .iter()
                .map(|w| (w.end.min(end) - w.start.max(start)).num_seconds().max(0))
                .max()
                .unwrap_or(0);
            proptest::prop_assert!(union >= longest);
            // Order does not matter.
            let mut reversed = windows.clone();
            reversed.reverse();
            proptest::prop_assert_eq!(impact_seconds(&reversed, start, end), union);
        }

        #[test]
        fn availability_lies_within_zero_and_one(
            windows in any_windows(), length in 0i64..3000
        ) {
            let a = Availability::over(&windows, m(0), m(length));
            match a.value() {
                None => proptest::prop_assert_eq!(length, 0),
                Some(v) => proptest::prop_assert!((0.0..=1.0).contains(&v)),
            }
        }

        #[test]
        fn the_union_matches_a_minute_by_minute_count(windows in any_windows()) {
            let covered = (0..1440)
                .filter(|&minute| windows.iter().any(|w| w.start <= m(minute) && m(minute) < w.end))
                .count() as i64;
            proptest::prop_assert_eq!(impact_minutes(&windows), covered);
        }
    }
}
