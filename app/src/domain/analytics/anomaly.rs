//! Whether a period's figure is unusual against the periods before it.

use serde::{Deserialize, Serialize};

/// How far from the baseline mean, in population standard deviations, a figure must lie.
pub const ANOMALY_SIGMAS: f64 = 2.5;
/// The fewest preceding periods with the figure for the check to run.
pub const MIN_BASELINE_PERIODS: usize = 6;
/// The most recent preceding periods the baseline uses.
pub const MAX_BASELINE_PERIODS: usize = 12;

/// Anomalies in words.
pub const ANOMALY_DEFINITION: &str = "A figure is anomalous when it lies more than 2.5 \
standard deviations from the mean of the same figure in the preceding periods of the same kind: \
the last 12 that have the figure, or as many as there are. The standard deviation is the \
population one (divide by the number of periods, not one fewer). With fewer than 6 preceding \
periods, or when they are all equal (a deviation of 0), it is not evaluated.";

/// The result of checking one figure against its baseline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnomalyCheck {
    /// How many preceding periods the baseline used (6 to 12).
    pub baseline_periods: usize,
    pub mean: f64,
    /// Population standard deviation of the baseline; above 0.
    pub std_dev: f64,
    /// (value − mean) / std_dev: how many deviations above (positive) or below the mean.
    pub score: f64,
    /// |value − mean| > 2.5 × std_dev.
    pub anomalous: bool,
}

/// Checks `value` against `preceding`, the figure in the preceding periods with it, oldest
/// first; only the last 12 are used. `None` (not evaluated) with fewer than 6, or when they are
/// all equal.
pub fn check_anomaly(value: f64, preceding: &[f64]) -> Option<AnomalyCheck> {
    let baseline = &preceding[preceding.len().saturating_sub(MAX_BASELINE_PERIODS)..];
    if baseline.len() < MIN_BASELINE_PERIODS {
        return None;
    }
    // Equal values have no deviation; compared exactly, as rounding in the mean could
    // otherwise leave a tiny one and turn any other value into an "anomaly".
    if baseline.iter().all(|&v| v == baseline[0]) {
        return None;
    }
    let n = baseline.len() as f64;
    let mean = baseline.iter().sum::<f64>() / n;
    let variance = baseline.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let std_dev = variance.sqrt();
    if std_dev == 0.0 || !std_dev.is_finite() {
        return None;
    }
    let distance = value - mean;
    Some(AnomalyCheck {
        baseline_periods: baseline.len(),
        mean,
        std_dev,
        score: distance / std_dev,
        anomalous: distance.abs() > ANOMALY_SIGMAS * std_dev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean 5, population standard deviation exactly 5.
    const BASELINE: [f64; 6] = [0.0, 0.0, 0.0, 10.0, 10.0, 10.0];

    #[test]
    fn more_than_two_and_a_half_deviations_is_anomalous() {
        let check = check_anomaly(18.0, &BASELINE).unwrap();
        assert_eq!((check.mean, check.std_dev), (5.0, 5.0));
        assert_eq!(check.score, 2.6);
        assert!(check.anomalous);
        // Below the mean counts too.
        assert!(check_anomaly(-8.0, &BASELINE).unwrap().anomalous);
    }

    #[test]
    fn exactly_two_and_a_half_deviations_is_not() {
        let check = check_anomaly(17.5, &BASELINE).unwrap();
        assert_eq!(check.score, 2.5);
        assert!(!check.anomalous);
        assert!(!check_anomaly(-7.5, &BASELINE).unwrap().anomalous);
        assert!(!check_anomaly(5.0, &BASELINE).unwrap().anomalous);
    }

    #[test]
    fn fewer_than_six_preceding_periods_are_not_evaluated() {
        assert_eq!(check_anomaly(100.0, &BASELINE[..5]), None);
        assert_eq!(check_anomaly(100.0, &[]), None);
        assert!(check_anomaly(100.0, &BASELINE).is_some());
    }

    #[test]
    fn a_flat_baseline_is_not_evaluated() {
        assert_eq!(check_anomaly(4.0, &[3.0; 8]), None);
        // Values whose float mean is not exact are still recognised as equal.
        assert_eq!(check_anomaly(0.2, &[0.1; 12]), None);
    }

    #[test]
    fn only_the_last_twelve_preceding_periods_count() {
        // Twenty old periods far away, then twelve recent ones around 5.
        let mut history = vec![1000.0; 20];
        history.extend([0.0, 10.0].repeat(6));
        let check = check_anomaly(18.0, &history).unwrap();
        assert_eq!(check.baseline_periods, 12);
        assert_eq!((check.mean, check.std_dev), (5.0, 5.0));
        assert!(check.anomalous);
        // With the thirteenth included the mean would have moved.
        assert_eq!(
            check_anomaly(18.0, &history[19..])
                .unwrap()
                .baseline_periods,
            12
        );
        assert_eq!(
            check_anomaly(18.0, &history[24..])
                .unwrap()
                .baseline_periods,
            8
        );
    }

    proptest::proptest! {
        #[test]
        fn the_baseline_mean_itself_is_never_anomalous(
            baseline in proptest::collection::vec(0i64..100_000, 6..30)
        ) {
            let values: Vec<f64> = baseline.iter().map(|&v| v as f64).collect();
            let used = &values[values.len().saturating_sub(12)..];
            let mean = used.iter().sum::<f64>() / used.len() as f64;
            match check_anomaly(mean, &values) {
                None => proptest::prop_assert!(used.iter().all(|&v| v == used[0])),
                Some(check) => {
                    proptest::prop_assert!(!check.anomalous);
                    proptest::prop_assert!(check.std_dev > 0.0);
                    proptest::prop_assert!((6..=12).contains(&check.baseline_periods));
                    // Far enough away, everything is anomalous.
                    let far = mean + 3.0 * check.std_dev;
                    proptest::prop_assert!(check_anomaly(far, &values).unwrap().anomalous);
                }
            }
        }
    }
}
