//! Counts per category with their shares, and the ratios built from counts: the detection gap,
//! runbook coverage and effectiveness, the recurrence rate, the change failure rate and the
//! verification of prior actions. A ratio keeps both counts, so "3 of 10" can be shown and
//! thresholds are compared exactly, and has no value when nothing is below the line.

use serde::{Deserialize, Serialize};

use crate::domain::incident::{DetectionSource, RunbookOutcome};

/// How shares and ratios are computed, in words.
pub const RATIO_DEFINITION: &str = "A share or ratio is one count divided by another, shown \
with both counts. When the count below the line is zero there is no figure (shown as \"–\"), \
never 0% or 100%. The share of a category (a severity, a detection source, a runbook outcome) is \
its count divided by the number of incidents for which that field was recorded, so the shares \
add up to 100%; incidents where the field was left empty are counted separately as not recorded.";

/// `numerator / denominator`, kept as the two counts. Sent with its `value` too, for readers
/// that want the fraction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

impl Serialize for Ratio {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Ratio", 3)?;
        s.serialize_field("numerator", &self.numerator)?;
        s.serialize_field("denominator", &self.denominator)?;
        s.serialize_field("value", &self.value())?;
        s.end()
    }
}

/// In the API description: both counts and their fraction, as serialized.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Ratio {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let count = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
        };
        ObjectBuilder::new()
            .description(Some(
                "numerator / denominator; `value` is null when the denominator is 0.",
            ))
            .property("numerator", count())
            .property("denominator", count())
            .property(
                "value",
                ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                    Type::Number,
                    Type::Null,
                ])),
            )
            .required("numerator")
            .required("denominator")
            .required("value")
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Ratio {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Ratio")
    }
}

impl Ratio {
    pub fn new(numerator: u64, denominator: u64) -> Ratio {
        Ratio {
            numerator,
            denominator,
        }
    }

    /// The fraction, e.g. 0.25; `None` when the denominator is zero.
    pub fn value(self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    /// Whether the ratio is at least `percent`%, compared exactly in integers; never with a
    /// zero denominator.
    pub fn at_least_percent(self, percent: u8) -> bool {
        self.denominator > 0
            && self.numerator as u128 * 100 >= percent as u128 * self.denominator as u128
    }
}

/// One category's count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount<C> {
    pub category: C,
    pub count: u64,
}

/// One category's count and its share of the recorded total.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryShare<C> {
    pub category: C,
    pub count: u64,
    /// `count / total`, in 0..=1.
    pub share: f64,
}

/// Counts per category (every category listed, in a fixed order, even at zero) and the count
/// of items where the category was not recorded, which is kept out of the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown<C> {
    rows: Vec<CategoryCount<C>>,
    unrecorded: u64,
}

impl<C: Copy + PartialEq> Breakdown<C> {
    /// Every category at zero, in the order given (usually a choice's `ALL`).
    pub fn new(categories: &[C]) -> Breakdown<C> {
        Breakdown {
            rows: categories
                .iter()
                .map(|&category| CategoryCount { category, count: 0 })
                .collect(),
            unrecorded: 0,
        }
    }

    /// One entry per item: `None` for an item where the category was not recorded.
    pub fn tally(categories: &[C], items: impl IntoIterator<Item = Option<C>>) -> Breakdown<C> {
        Breakdown::from_counts(categories, items.into_iter().map(|c| (c, 1)))
    }

    /// From counts as a `GROUP BY` returns them; repeated categories add up, and a category
    /// missing from `categories` is listed after them.
    pub fn from_counts(
        categories: &[C],
        counts: impl IntoIterator<Item = (Option<C>, u64)>,
    ) -> Breakdown<C> {
        let mut breakdown = Breakdown::new(categories);
        for (category, count) in counts {
            breakdown.add(category, count);
        }
        breakdown
    }

    pub fn add(&mut self, category: Option<C>, count: u64) {
        let Some(category) = category else {
            self.unrecorded += count;
            return;
        };
        match self.rows.iter_mut().find(|row| row.category == category) {
            Some(row) => row.count += count,
            None => self.rows.push(CategoryCount { category, count }),
        }
    }

    pub fn rows(&self) -> &[CategoryCount<C>] {
        &self.rows
    }

    /// Items where the category was recorded: the denominator of every share.
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|row| row.count).sum()
    }

    /// Items where the category was not recorded.
    pub fn unrecorded(&self) -> u64 {
        self.unrecorded
    }

    pub fn count(&self, category: C) -> u64 {
        self.rows
            .iter()
            .filter(|row| row.category == category)
            .map(|row| row.count)
            .sum()
    }

    /// One category's count over the recorded total.
    pub fn share(&self, category: C) -> Ratio {
        Ratio::new(self.count(category), self.total())
    }

    /// Each category with its share, summing to 1; empty when nothing was recorded.
    pub fn shares(&self) -> Vec<CategoryShare<C>> {
        let total = self.total();
        if total == 0 {
            return Vec::new();
        }
        self.rows
            .iter()
            .map(|row| CategoryShare {
                category: row.category,
                count: row.count,
                share: row.count as f64 / total as f64,
            })
            .collect()
    }
}

/// The share of incidents (with a detection source recorded) that users reported.
pub fn detection_gap(detected_by: &Breakdown<DetectionSource>) -> Ratio {
    detected_by.share(DetectionSource::UserReport)
}

/// The detection-gap share from which it is raised as a finding, in whole percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct DetectionGapThreshold(u8);

impl DetectionGapThreshold {
    pub const DEFAULT: DetectionGapThreshold = DetectionGapThreshold(30);

    /// A whole percentage from 0 to 100, with or without "%".
    pub fn parse(input: &str) -> Result<DetectionGapThreshold, String> {
        let text = input.trim().trim_end_matches('%').trim();
        let percent: u8 = text
            .parse()
            .map_err(|_| "must be a whole percentage such as 30".to_string())?;
        DetectionGapThreshold::try_from(percent)
    }

    pub fn percent(self) -> u8 {
        self.0
    }

    /// A finding when the gap is at least the threshold; no finding without incidents.
    pub fn is_finding(self, gap: Ratio) -> bool {
        gap.at_least_percent(self.0)
    }
}

impl Default for DetectionGapThreshold {
    fn default() -> DetectionGapThreshold {
        DetectionGapThreshold::DEFAULT
    }
}

impl TryFrom<u8> for DetectionGapThreshold {
    type Error = String;
    fn try_from(percent: u8) -> Result<DetectionGapThreshold, String> {
        if percent > 100 {
            return Err("must be between 0 and 100".into());
        }
        Ok(DetectionGapThreshold(percent))
    }
}

impl From<DetectionGapThreshold> for u8 {
    fn from(threshold: DetectionGapThreshold) -> u8 {
        threshold.0
    }
}

/// Incidents where a runbook existed (used or not) over incidents with the runbook field set.
pub fn runbook_coverage(outcomes: &Breakdown<RunbookOutcome>) -> Ratio {
    let existed = outcomes
        .rows()
        .iter()
        .filter(|row| row.category.runbook_existed())
        .map(|row| row.count)
        .sum();
    Ratio::new(existed, outcomes.total())
}

/// Runbooks that worked over those that were used: worked / (worked + failed or incomplete).
/// A runbook that existed but was not used does not count either way.
pub fn runbook_effectiveness(outcomes: &Breakdown<RunbookOutcome>) -> Ratio {
    let worked = outcomes.count(RunbookOutcome::ExistedWorked);
    let failed = outcomes.count(RunbookOutcome::ExistedFailed);
    Ratio::new(worked, worked + failed)
}

/// Incidents marked as a known problem over all the period's incidents.
pub fn recurrence_rate(known_problems: u64, incidents: u64) -> Ratio {
    Ratio::new(known_problems, incidents)
}

/// A period's deploy events by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeployTally {
    pub succeeded: u64,
    pub failed: u64,
    pub rolled_back: u64,
}

impl DeployTally {
    pub fn all(self) -> u64 {
        self.succeeded + self.failed + self.rolled_back
    }

    /// (failed + rolled back) / all deploys.
    pub fn change_failure_rate(self) -> Ratio {
        Ratio::new(self.failed + self.rolled_back, self.all())
    }
}

/// Action items whose verification fell due in the period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VerificationTally {
    /// Items whose verification date lies in the period.
    pub due: u64,
    /// Of those, the ones verified.
    pub verified: u64,
    /// Of the verified, the ones found effective.
    pub effective: u64,
}

impl VerificationTally {
    /// verified / due.
    pub fn verified_share(self) -> Ratio {
        Ratio::new(self.verified, self.due)
    }

    /// effective / verified.
    pub fn effective_share(self) -> Ratio {
        Ratio::new(self.effective, self.verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::Severity;

    fn approx(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn counts_per_category_with_shares_of_the_recorded_total() {
        use DetectionSource::*;
        let split = Breakdown::tally(
            DetectionSource::ALL,
            [
                Some(Alert),
                Some(UserReport),
                Some(Alert),
                None,
                Some(Alert),
                Some(UserReport),
                Some(InternalDiscovery),
                Some(Alert),
            ],
        );
        assert_eq!((split.total(), split.unrecorded()), (7, 1));
        assert_eq!(split.count(Alert), 4);
        assert_eq!(split.count(Other), 0);
        let shares = split.shares();
        assert_eq!(shares.len(), 4, "every source is listed, even at zero");
        assert_eq!(shares[0].category, Alert);
        assert!((shares[0].share - 4.0 / 7.0).abs() < 1e-12);
        assert_eq!((shares[3].count, shares[3].share), (0, 0.0));
        assert_eq!(detection_gap(&split), Ratio::new(2, 7));
    }

    #[test]
    fn an_empty_total_has_no_shares_not_nan() {
        let empty = Breakdown::<Severity>::new(Severity::ALL);
        assert!(empty.shares().is_empty());
        assert_eq!(empty.share(Severity::Sev1).value(), None);
        let only_unrecorded = Breakdown::tally(Severity::ALL, [None, None]);
        assert!(only_unrecorded.shares().is_empty());
        assert_eq!(only_unrecorded.unrecorded(), 2);
        assert_eq!(
            detection_gap(&Breakdown::new(DetectionSource::ALL)).value(),
            None
        );
    }

    #[test]
    fn grouped_counts_add_up_and_unknown_categories_are_appended() {
        let b = Breakdown::from_counts(
            &[Severity::Sev1, Severity::Sev2],
            [
                (Some(Severity::Sev2), 3),
                (Some(Severity::Sev4), 1),
                (Some(Severity::Sev2), 2),
                (None, 4),
            ],
        );
        let rows: Vec<_> = b.rows().iter().map(|r| (r.category, r.count)).collect();
        assert_eq!(
            rows,
            [
                (Severity::Sev1, 0),
                (Severity::Sev2, 5),
                (Severity::Sev4, 1)
            ]
        );
        assert_eq!((b.total(), b.unrecorded()), (6, 4));
    }

    #[test]
    fn the_detection_gap_is_a_finding_at_or_above_the_threshold() {
        let threshold = DetectionGapThreshold::default();
        assert_eq!(threshold.percent(), 30);
        assert!(
            threshold.is_finding(Ratio::new(3, 10)),
            "exactly 30% counts"
        );
        assert!(!threshold.is_finding(Ratio::new(29, 100)));
        assert!(!threshold.is_finding(Ratio::new(299_999, 1_000_000)));
        assert!(threshold.is_finding(Ratio::new(1, 3)));
        assert!(
            !threshold.is_finding(Ratio::new(0, 0)),
            "no incidents, no finding"
        );
        let zero = DetectionGapThreshold::parse("0").unwrap();
        assert!(zero.is_finding(Ratio::new(0, 5)));
        assert!(!zero.is_finding(Ratio::new(0, 0)));
    }

    #[test]
    fn thresholds_are_whole_percentages() {
        assert_eq!(
            DetectionGapThreshold::parse(" 25 % ").unwrap().percent(),
            25
        );
        assert_eq!(DetectionGapThreshold::parse("100").unwrap().percent(), 100);
        assert_eq!(
            DetectionGapThreshold::parse("101").unwrap_err(),
            "must be between 0 and 100"
        );
        for bad in ["", "-5", "30.5", "thirty", "300"] {
            assert!(DetectionGapThreshold::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&DetectionGapThreshold::DEFAULT).unwrap(),
            "30"
        );
        assert!(serde_json::from_str::<DetectionGapThreshold>("120").is_err());
    }

    #[test]
    fn runbook_coverage_and_effectiveness() {
        use RunbookOutcome::*;
        let outcomes = Breakdown::tally(
            RunbookOutcome::ALL,
            [
                Some(NoneExisted),
                Some(ExistedNotUsed),
                Some(ExistedWorked),
                Some(ExistedWorked),
                Some(ExistedWorked),
                Some(ExistedFailed),
                Some(NoneExisted),
                None,
                None,
            ],
        );
        // 5 of the 7 with the field set had a runbook; the 2 without the field are not counted.
        assert_eq!(runbook_coverage(&outcomes), Ratio::new(5, 7));
        // 3 worked, 1 failed; the one not used counts neither way.
        assert_eq!(runbook_effectiveness(&outcomes), Ratio::new(3, 4));
        assert!(approx(runbook_effectiveness(&outcomes).value(), 0.75));
        let unused = Breakdown::tally(RunbookOutcome::ALL, [Some(ExistedNotUsed)]);
        assert_eq!(runbook_coverage(&unused).value(), Some(1.0));
        assert_eq!(runbook_effectiveness(&unused).value(), None);
    }

    #[test]
    fn recurrence_change_failure_and_verification_ratios() {
        assert!(approx(recurrence_rate(2, 8).value(), 0.25));
        assert_eq!(recurrence_rate(0, 0).value(), None);
        let deploys = DeployTally {
            succeeded: 17,
            failed: 2,
            rolled_back: 1,
        };
        assert_eq!(deploys.all(), 20);
        assert_eq!(deploys.change_failure_rate(), Ratio::new(3, 20));
        assert!(approx(deploys.change_failure_rate().value(), 0.15));
        assert_eq!(DeployTally::default().change_failure_rate().value(), None);
        let verification = VerificationTally {
            due: 5,
            verified: 4,
            effective: 3,
        };
        assert!(approx(verification.verified_share().value(), 0.8));
        assert!(approx(verification.effective_share().value(), 0.75));
        assert_eq!(VerificationTally::default().effective_share().value(), None);
    }

    fn any_severity() -> impl proptest::strategy::Strategy<Value = Option<Severity>> {
        proptest::option::of(proptest::sample::select(Severity::ALL))
    }

    proptest::proptest! {
        #[test]
        fn shares_sum_to_one(items in proptest::collection::vec(any_severity(), 0..300)) {
            let b = Breakdown::tally(Severity::ALL, items.iter().copied());
            let recorded = items.iter().filter(|i| i.is_some()).count() as u64;
            proptest::prop_assert_eq!(b.total(), recorded);
            proptest::prop_assert_eq!(b.total() + b.unrecorded(), items.len() as u64);
            let shares = b.shares();
            if recorded == 0 {
                proptest::prop_assert!(shares.is_empty());
            } else {
                let sum: f64 = shares.iter().map(|s| s.share).sum();
                proptest::prop_assert!((sum - 1.0).abs() < 1e-9, "{}", sum);
                proptest::prop_assert!(shares.iter().all(|s| (0.0..=1.0).contains(&s.share)));
            }
        }

        #[test]
        fn ratios_lie_in_zero_to_one_when_the_part_is_within_the_whole(
            part in 0u64..1_000_000, extra in 0u64..1_000_000
        ) {
            let ratio = Ratio::new(part, part + extra);
            match ratio.value() {
                None => proptest::prop_assert_eq!(part + extra, 0),
                Some(v) => proptest::prop_assert!((0.0..=1.0).contains(&v)),
            }
        }

        #[test]
        fn the_exact_threshold_agrees_with_the_fraction(
            part in 0u64..1_000, extra in 0u64..1_000, percent in 0u8..=100
        ) {
            let ratio = Ratio::new(part, part + extra);
            let exact = ratio.at_least_percent(percent);
            if let Some(v) = ratio.value() {
                // Away from the boundary, the float comparison must agree.
                if (v - percent as f64 / 100.0).abs() > 1e-9 {
                    proptest::prop_assert_eq!(exact, v >= percent as f64 / 100.0);
                }
            } else {
                proptest::prop_assert!(!exact);
            }
        }
    }
}
