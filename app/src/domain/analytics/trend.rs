//! A figure against the same figure for the previous period of the same kind: how much it moved
//! and whether that is better or worse for that metric.

use serde::{Deserialize, Serialize};

/// Trends in words.
pub const TREND_DEFINITION: &str = "Each figure is compared with the same figure for the \
previous period of the same kind (this month against last month, this week against last week). \
The change is this period's value minus the previous one; the percent change is that difference \
divided by the previous value, and is not shown when the previous value is zero. Whether a change \
is better or worse depends on the metric: a lower MTTR is better, a higher runbook coverage is \
better; a figure equal to the previous one is unchanged. A figure missing in either period has no \
trend.";

/// Which way a metric improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
    /// Neither way is better in itself (e.g. how many action items were created).
    Neutral,
}

/// How a figure moved against the previous period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Verdict {
    Better,
    Worse,
    Same,
    /// Moved, for a metric where neither way is better.
    Changed,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "unchanged",
            Verdict::Changed => "changed",
        }
    }
}

/// One figure against its previous-period value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub current: f64,
    pub previous: f64,
    /// current − previous, in the figure's unit (seconds, a count, a fraction).
    pub change: f64,
    /// (current − previous) / |previous| × 100; `None` when the previous value is 0.
    pub percent_change: Option<f64>,
    pub verdict: Verdict,
}

impl Trend {
    pub fn between(current: f64, previous: f64, direction: Direction) -> Trend {
        let change = current - previous;
        let verdict = if current == previous {
            Verdict::Same
        } else {
            match direction {
                Direction::LowerIsBetter if current < previous => Verdict::Better,
                Direction::HigherIsBetter if current > previous => Verdict::Better,
                Direction::Neutral => Verdict::Changed,
                _ => Verdict::Worse,
            }
        };
        Trend {
            current,
            previous,
            change,
            percent_change: (previous != 0.0).then(|| change / previous.abs() * 100.0),
            verdict,
        }
    }

    /// No trend when either period lacks the figure (an MTTR with no resolved incidents, a
    /// share with nothing to share).
    pub fn of(current: Option<f64>, previous: Option<f64>, direction: Direction) -> Option<Trend> {
        Some(Trend::between(current?, previous?, direction))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_mttr_is_better() {
        let t = Trend::between(1800.0, 2400.0, Direction::LowerIsBetter);
        assert_eq!(t.change, -600.0);
        assert_eq!(t.percent_change, Some(-25.0));
        assert_eq!(t.verdict, Verdict::Better);
        let worse = Trend::between(3000.0, 2400.0, Direction::LowerIsBetter);
        assert_eq!(
            (worse.percent_change, worse.verdict),
            (Some(25.0), Verdict::Worse)
        );
    }

    #[test]
    fn a_higher_coverage_is_better() {
        let t = Trend::between(0.8, 0.5, Direction::HigherIsBetter);
        assert!((t.change - 0.3).abs() < 1e-12);
        assert!((t.percent_change.unwrap() - 60.0).abs() < 1e-9);
        assert_eq!(t.verdict, Verdict::Better);
        assert_eq!(
            Trend::between(0.4, 0.5, Direction::HigherIsBetter).verdict,
            Verdict::Worse
        );
    }

    #[test]
    fn equal_figures_are_unchanged_whatever_the_direction() {
        for direction in [
            Direction::LowerIsBetter,
            Direction::HigherIsBetter,
            Direction::Neutral,
        ] {
            let t = Trend::between(7.0, 7.0, direction);
            assert_eq!(
                (t.change, t.percent_change, t.verdict),
                (0.0, Some(0.0), Verdict::Same)
            );
        }
        assert_eq!(
            Trend::between(9.0, 7.0, Direction::Neutral).verdict,
            Verdict::Changed
        );
    }

    #[test]
    fn from_zero_there_is_no_percent_change() {
        let t = Trend::between(3.0, 0.0, Direction::LowerIsBetter);
        assert_eq!(
            (t.change, t.percent_change, t.verdict),
            (3.0, None, Verdict::Worse)
        );
        let both_zero = Trend::between(0.0, 0.0, Direction::LowerIsBetter);
        assert_eq!(
            (both_zero.percent_change, both_zero.verdict),
            (None, Verdict::Same)
        );
        // Down to zero is a 100% fall.
        assert_eq!(
            Trend::between(0.0, 4.0, Direction::LowerIsBetter).percent_change,
            Some(-100.0)
        );
    }

    #[test]
    fn a_missing_figure_has_no_trend() {
        assert_eq!(Trend::of(None, Some(5.0), Direction::LowerIsBetter), None);
        assert_eq!(Trend::of(Some(5.0), None, Direction::LowerIsBetter), None);
        assert!(Trend::of(Some(5.0), Some(4.0), Direction::LowerIsBetter).is_some());
    }

    proptest::proptest! {
        #[test]
        fn better_and_worse_swap_with_the_direction(
            current in 0i64..10_000, previous in 0i64..10_000
        ) {
            let (c, p) = (current as f64, previous as f64);
            let lower = Trend::between(c, p, Direction::LowerIsBetter).verdict;
            let higher = Trend::between(c, p, Direction::HigherIsBetter).verdict;
            let expected = match (lower, higher) {
                (Verdict::Same, Verdict::Same) => current == previous,
                (Verdict::Better, Verdict::Worse) => current < previous,
                (Verdict::Worse, Verdict::Better) => current > previous,
                _ => false,
            };
            proptest::prop_assert!(expected);
        }
    }
}
