//! Statistics over durations in whole seconds (TTD, TTM, TTR): mean, median and nearest-rank
//! p90, with the items that lack the value counted rather than read as zero.
//!
//! Rounding: every figure is a whole number of seconds. Means and even-count medians are
//! rounded to the nearest second, halves away from zero, in exact integer arithmetic, so the
//! same data gives the same figure on every database and a closed review's snapshot compares
//! equal to a fresh computation.

use serde::{Deserialize, Serialize};

use crate::domain::incident::KeyTimes;

/// How mean, median and p90 are computed, in words.
pub const STATISTICS_DEFINITION: &str = "Durations are counted in whole seconds. Over the n \
values that exist: the mean is their sum divided by n; the median is the middle value when n is \
odd and the mean of the two middle values when n is even; p90 is the nearest-rank 90th \
percentile, the ⌈0.9·n⌉-th smallest value (the 9th of 10, the 10th of 11, the only one of 1), so \
it is always one of the values. Means and medians are rounded to the nearest whole second, halves \
away from zero (2.5 s becomes 3 s). Items lacking the value are counted and listed as missing, \
never treated as zero; with no values there is no mean, median or p90.";

choices!(
    /// A per-incident duration measured from the start of impact.
    DurationMetric {
        Ttd => ("ttd", "Time to detect"),
        Ttm => ("ttm", "Time to mitigate"),
        Ttr => ("ttr", "Time to resolve"),
    }
);

impl DurationMetric {
    /// TTD = detected − started, TTM = mitigated − started, TTR = resolved − started, in whole
    /// seconds; `None` while the incident lacks that time.
    pub fn of(self, times: &KeyTimes) -> Option<i64> {
        match self {
            DurationMetric::Ttd => times.ttd(),
            DurationMetric::Ttm => times.ttm(),
            DurationMetric::Ttr => times.ttr(),
        }
    }

    pub fn abbreviation(self) -> &'static str {
        match self {
            DurationMetric::Ttd => "TTD",
            DurationMetric::Ttm => "TTM",
            DurationMetric::Ttr => "TTR",
        }
    }
}

/// Mean, median and p90 of the items that have a value, and how many lacked it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Summary {
    /// Items that have the value: the n of every figure below.
    pub with_value: u64,
    /// Items that lack the value (an incident not yet detected, mitigated or resolved).
    pub missing: u64,
    pub mean: Option<i64>,
    pub median: Option<i64>,
    pub p90: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl Summary {
    /// One entry per item: `None` for an item lacking the value.
    pub fn of(values: impl IntoIterator<Item = Option<i64>>) -> Summary {
        let mut present = Vec::new();
        let mut missing = 0u64;
        for value in values {
            match value {
                Some(v) => present.push(v),
                None => missing += 1,
            }
        }
        present.sort_unstable();
        Summary {
            with_value: present.len() as u64,
            missing,
            mean: mean(&present),
            median: median_of_sorted(&present),
            p90: nearest_rank_of_sorted(&present, 90),
            min: present.first().copied(),
            max: present.last().copied(),
        }
    }

    /// MTTD, MTTM or MTTR over a period's incidents.
    pub fn of_incidents<'a>(
        incidents: impl IntoIterator<Item = &'a KeyTimes>,
        metric: DurationMetric,
    ) -> Summary {
        Summary::of(incidents.into_iter().map(|times| metric.of(times)))
    }

    /// Every item considered, with or without the value.
    pub fn items(&self) -> u64 {
        self.with_value + self.missing
    }
}

/// The mean in whole seconds, rounded half away from zero; `None` for no values.
pub fn mean(values: &[i64]) -> Option<i64> {
    let sum: i128 = values.iter().map(|&v| v as i128).sum();
    mean_of_sum(sum, values.len() as u64)
}

/// The mean from a sum and a count, as a database aggregate returns them, rounded the same way.
pub fn mean_of_sum(sum: i128, count: u64) -> Option<i64> {
    (count > 0).then(|| divide_rounded(sum, count as i128))
}

/// The middle value, or the mean of the two middle values (rounded half away from zero).
pub fn median(values: &[i64]) -> Option<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    median_of_sorted(&sorted)
}

/// The nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest value.
pub fn p90(values: &[i64]) -> Option<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    nearest_rank_of_sorted(&sorted, 90)
}

/// The ⌈percent/100 · n⌉-th smallest of sorted values (at least the first); `None` for none.
pub fn nearest_rank_of_sorted(sorted: &[i64], percent: u32) -> Option<i64> {
    debug_assert!(sorted.is_sorted());
    let n = sorted.len();
    let rank = (percent as usize * n).div_ceil(100).max(1);
    sorted.get(rank.min(n).checked_sub(1)?).copied()
}

fn median_of_sorted(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(divide_rounded(
            sorted[n / 2 - 1] as i128 + sorted[n / 2] as i128,
            2,
        )),
    }
}

/// `numerator / denominator` (denominator > 0) to the nearest integer, halves away from zero.
fn divide_rounded(numerator: i128, denominator: i128) -> i64 {
    let (quotient, remainder) = (numerator / denominator, numerator % denominator);
    let rounded = if 2 * remainder.abs() >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    };
    rounded as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, Utc};

    #[test]
    fn odd_counts_take_the_middle_value() {
        let s = Summary::of([300, 60, 120].map(Some));
        assert_eq!(s.with_value, 3);
        assert_eq!(s.missing, 0);
        assert_eq!(s.mean, Some(160));
        assert_eq!(s.median, Some(120));
        assert_eq!(s.p90, Some(300)); // ⌈2.7⌉ = 3rd
        assert_eq!((s.min, s.max), (Some(60), Some(300)));
    }

    #[test]
    fn even_counts_take_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&[40, 10, 20, 30]), Some(25));
        // 20 and 31 → 25.5 s, rounded half away from zero to 26 s.
        assert_eq!(median(&[10, 20, 31, 40]), Some(26));
        assert_eq!(median(&[7, 8]), Some(8));
        assert_eq!(median(&[-8, -7]), Some(-8));
    }

    #[test]
    fn means_round_to_the_nearest_second_halves_away_from_zero() {
        assert_eq!(mean(&[1, 2]), Some(2)); // 1.5
        assert_eq!(mean(&[1, 1, 2]), Some(1)); // 1.33
        assert_eq!(mean(&[1, 2, 2]), Some(2)); // 1.67
        assert_eq!(mean(&[-1, -2]), Some(-2)); // −1.5
        assert_eq!(mean(&[]), None);
        assert_eq!(mean_of_sum(7, 2), Some(4));
        assert_eq!(mean_of_sum(7, 0), None);
        // Large sums neither overflow nor lose precision.
        assert_eq!(mean(&[i64::MAX, i64::MAX]), Some(i64::MAX));
        assert_eq!(mean(&[i64::MAX, i64::MAX - 1]), Some(i64::MAX));
    }

    #[test]
    fn p90_is_the_nearest_rank() {
        let upto = |n: i64| (1..=n).rev().collect::<Vec<_>>();
        assert_eq!(p90(&[42]), Some(42)); // n = 1: ⌈0.9⌉ = 1st
        assert_eq!(p90(&upto(9)), Some(9)); // ⌈8.1⌉ = 9th
        assert_eq!(p90(&upto(10)), Some(9)); // ⌈9.0⌉ = 9th
        assert_eq!(p90(&upto(11)), Some(10)); // ⌈9.9⌉ = 10th
        assert_eq!(p90(&upto(20)), Some(18));
        assert_eq!(p90(&upto(21)), Some(19)); // ⌈18.9⌉
        assert_eq!(p90(&[]), None);
        assert_eq!(nearest_rank_of_sorted(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank_of_sorted(&[1, 2, 3, 4], 0), Some(1));
        assert_eq!(nearest_rank_of_sorted(&[1, 2, 3, 4], 100), Some(4));
    }

    #[test]
    fn missing_values_are_counted_never_zero() {
        let s = Summary::of([Some(600), None, Some(1200), None]);
        assert_eq!((s.with_value, s.missing, s.items()), (2, 2, 4));
        assert_eq!(s.mean, Some(900));
        assert_eq!(s.median, Some(900));
        assert_eq!(s.min, Some(600), "a missing value is not a zero");
    }

    #[test]
    fn an_empty_period_has_no_figures() {
        assert_eq!(Summary::of([]), Summary::default());
        let all_missing = Summary::of([None, None]);
        assert_eq!(all_missing.missing, 2);
        assert_eq!(
            (all_missing.mean, all_missing.median, all_missing.p90),
            (None, None, None)
        );
    }

    #[test]
    fn incidents_give_mttd_mttm_and_mttr_from_their_key_times() {
        let started: DateTime<Utc> = "2026-10-05T14:00:00Z".parse().unwrap();
        let at = |s: i64| Some(started + Duration::seconds(s));
        let incidents = [
            KeyTimes {
                started,
                detected: at(60),
                acknowledged: None,
                mitigated: at(600),
                resolved: at(3600),
            },
            KeyTimes {
                started,
                detected: at(181),
                acknowledged: None,
                mitigated: None,
                resolved: None,
            },
            KeyTimes {
                started,
                detected: None,
                acknowledged: None,
                mitigated: None,
                resolved: None,
            },
        ];
        let ttd = Summary::of_incidents(&incidents, DurationMetric::Ttd);
        assert_eq!((ttd.with_value, ttd.missing), (2, 1));
        assert_eq!(
            (ttd.mean, ttd.median, ttd.p90),
            (Some(121), Some(121), Some(181))
        );
        let ttm = Summary::of_incidents(&incidents, DurationMetric::Ttm);
        assert_eq!((ttm.with_value, ttm.missing, ttm.mean), (1, 2, Some(600)));
        let ttr = Summary::of_incidents(&incidents, DurationMetric::Ttr);
        assert_eq!((ttr.p90, ttr.missing), (Some(3600), 2));
        assert_eq!(DurationMetric::Ttr.abbreviation(), "TTR");
    }

    proptest::proptest! {
        #[test]
        fn median_and_p90_lie_within_min_and_max(
            values in proptest::collection::vec(0i64..10_000_000, 1..200)
        ) {
            let s = Summary::of(values.iter().copied().map(Some));
            let (min, max) = (s.min.unwrap(), s.max.unwrap());
            for figure in [s.mean, s.median, s.p90] {
                let figure = figure.unwrap();
                proptest::prop_assert!(min <= figure && figure <= max);
            }
            proptest::prop_assert!(s.median.unwrap() <= s.p90.unwrap());
            proptest::prop_assert!(values.contains(&s.p90.unwrap()));
        }

        #[test]
        fn at_least_ninety_percent_lie_at_or_below_p90(
            values in proptest::collection::vec(0i64..1_000, 1..200)
        ) {
            let p = p90(&values).unwrap();
            let at_or_below = values.iter().filter(|&&v| v <= p).count();
            let below = values.iter().filter(|&&v| v < p).count();
            proptest::prop_assert!(at_or_below * 10 >= values.len() * 9);
            // And it is the smallest such value.
            proptest::prop_assert!(below * 10 < values.len() * 9);
        }

        #[test]
        fn the_mean_is_within_half_a_second_of_the_exact_mean(
            values in proptest::collection::vec(-1_000_000i64..1_000_000, 1..100)
        ) {
            let exact = values.iter().sum::<i64>() as f64 / values.len() as f64;
            let m = mean(&values).unwrap() as f64;
            proptest::prop_assert!((m - exact).abs() <= 0.5 + 1e-9);
        }

        #[test]
        fn missing_values_never_change_the_figures(
            values in proptest::collection::vec(0i64..100_000, 0..50), missing in 0usize..10
        ) {
            let with = Summary::of(values.iter().copied().map(Some).chain(std::iter::repeat_n(None, missing)));
            let without = Summary::of(values.iter().copied().map(Some));
            proptest::prop_assert_eq!(with.missing, missing as u64);
            proptest::prop_assert_eq!(Summary { missing: 0, ..with }, without);
        }
    }
}
