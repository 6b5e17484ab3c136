//! What an incident is made of, as the people who write postmortems say it: severity, how it
//! was detected, whether a runbook helped, what triggered it, and its key times in order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

choices!(
    /// How bad it was; SEV1 is the worst.
    Severity {
        Sev1 => ("sev1", "SEV1"),
        Sev2 => ("sev2", "SEV2"),
        Sev3 => ("sev3", "SEV3"),
        Sev4 => ("sev4", "SEV4"),
    }
);

impl Severity {
    /// The one line shown next to each choice when picking.
    pub fn description(self) -> &'static str {
        match self {
            Severity::Sev1 => {
                "Critical: a core service is down or data is at risk for many customers."
            }
            Severity::Sev2 => {
                "Major: a core feature is badly degraded, or a subset of customers is down."
            }
            Severity::Sev3 => "Minor: partial degradation with a workaround; few customers notice.",
            Severity::Sev4 => "Low: no visible customer impact; internal or cosmetic.",
        }
    }
}

choices!(
    DetectionSource {
        Alert => ("alert", "Alert"),
        UserReport => ("user_report", "User report"),
        InternalDiscovery => ("internal_discovery", "Internal discovery"),
        Other => ("other", "Other"),
    }
);

choices!(
    RunbookOutcome {
        NoneExisted => ("none_existed", "No runbook existed"),
        ExistedNotUsed => ("existed_not_used", "Existed, not used"),
        ExistedWorked => ("existed_worked", "Existed and worked"),
        ExistedFailed => ("existed_failed", "Existed but failed or was incomplete"),
    }
);

impl RunbookOutcome {
    pub fn runbook_existed(self) -> bool {
        !matches!(self, RunbookOutcome::NoneExisted)
    }
}

choices!(
    /// What set the incident off.
    CauseCategory {
        Change => ("change", "Change or deploy"),
        Configuration => ("configuration", "Configuration"),
        Capacity => ("capacity", "Capacity"),
        Dependency => ("dependency", "Dependency"),
        Data => ("data", "Data"),
        Infrastructure => ("infrastructure", "Infrastructure"),
        Security => ("security", "Security"),
        Unknown => ("unknown", "Unknown"),
    }
);

/// The moments that define an incident. Only the start is required; an open incident may lack
/// the later ones. Present times must not run backwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyTimes {
    pub started: DateTime<Utc>,
    pub detected: Option<DateTime<Utc>>,
    pub acknowledged: Option<DateTime<Utc>>,
    pub mitigated: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
}

/// A key time that is out of order, named by its form field and label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutOfOrder {
    pub field: &'static str,
    pub label: &'static str,
    /// Completes the label: "cannot be before detected".
    pub message: String,
}

impl KeyTimes {
    /// The chain in the order it must hold, with field names and labels.
    fn chain(&self) -> [(&'static str, &'static str, Option<DateTime<Utc>>); 5] {
        [
            ("started_at", "Impact started", Some(self.started)),
            ("detected_at", "Detected", self.detected),
            ("acknowledged_at", "Acknowledged", self.acknowledged),
            ("mitigated_at", "Mitigated", self.mitigated),
            ("resolved_at", "Resolved", self.resolved),
        ]
    }

    /// Each present time must be at or after every earlier present one; the error names the
    /// later field and the one it precedes.
    pub fn check_order(&self) -> Result<(), OutOfOrder> {
        let chain = self.chain();
        for (i, &(field, label, time)) in chain.iter().enumerate() {
            let Some(time) = time else { continue };
            for &(_, earlier_label, earlier) in chain[..i].iter().rev() {
                if let Some(earlier) = earlier
                    && time < earlier
                {
                    return Err(OutOfOrder {
                        field,
                        label,
                        message: format!("cannot be before {}", earlier_label.to_lowercase()),
                    });
                }
            }
        }
        Ok(())
    }

    /// Time to detect, in whole seconds.
    pub fn ttd(&self) -> Option<i64> {
        self.detected.map(|t| (t - self.started).num_seconds())
    }

    /// Time to mitigate, in whole seconds.
    pub fn ttm(&self) -> Option<i64> {
        self.mitigated.map(|t| (t - self.started).num_seconds())
    }

    /// Time to resolve, in whole seconds.
    pub fn ttr(&self) -> Option<i64> {
        self.resolved.map(|t| (t - self.started).num_seconds())
    }

    pub fn is_open(&self) -> bool {
        self.resolved.is_none()
    }
}

/// Mark the start and end of a matched word in a search snippet.
pub const MATCH_START: char = '\u{2}';
pub const MATCH_END: char = '\u{3}';

/// Free tags from a comma-separated list: trimmed, lowercased, without repeats; each 1–40
/// characters, at most 20.
pub fn parse_tags(input: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in input
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > 40 {
            return Err(format!("\"{tag}\" is longer than 40 characters"));
        }
        if tag.chars().any(char::is_control) {
            return Err("may not contain control characters".into());
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > 20 {
        return Err("may be at most 20".into());
    }
    Ok(tags)
}

/// "2h 05m", "45m 10s", "12s": a duration as people read it on an incident page.
pub fn human_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let text = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {sec:02}s")
    } else {
        format!("{sec}s")
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 5, 14, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    fn times(
        detected: Option<i64>,
        ack: Option<i64>,
        mitigated: Option<i64>,
        resolved: Option<i64>,
    ) -> KeyTimes {
        KeyTimes {
            started: t(0),
            detected: detected.map(t),
            acknowledged: ack.map(t),
            mitigated: mitigated.map(t),
            resolved: resolved.map(t),
        }
    }

    #[test]
    fn choices_parse_their_keys_and_list_them_otherwise() {
        assert_eq!(Severity::parse("SEV2"), Ok(Severity::Sev2));
        assert_eq!(
            DetectionSource::parse("user_report"),
            Ok(DetectionSource::UserReport)
        );
        assert_eq!(
            RunbookOutcome::parse("maybe").unwrap_err(),
            "must be one of none_existed, existed_not_used, existed_worked, existed_failed"
        );
        for cause in CauseCategory::ALL {
            assert_eq!(CauseCategory::parse(cause.key()), Ok(*cause));
        }
        assert!(Severity::Sev1 < Severity::Sev4, "SEV1 sorts first");
    }

    #[test]
    fn times_in_order_pass_and_give_durations() {
        let k = times(Some(7), Some(9), Some(40), Some(125));
        assert_eq!(k.check_order(), Ok(()));
        assert_eq!(
            (k.ttd(), k.ttm(), k.ttr()),
            (Some(420), Some(2400), Some(7500))
        );
        assert!(!k.is_open());
    }

    #[test]
    fn an_open_incident_may_lack_the_later_times() {
        let k = times(Some(3), None, None, None);
        assert_eq!(k.check_order(), Ok(()));
        assert_eq!((k.ttm(), k.ttr()), (None, None));
        assert!(k.is_open());
    }

    #[test]
    fn equal_times_are_allowed() {
        assert_eq!(
            times(Some(0), Some(0), Some(0), Some(0)).check_order(),
            Ok(())
        );
    }

    #[test]
    fn out_of_order_times_name_the_fields() {
        let err = times(Some(30), None, Some(20), None)
            .check_order()
            .unwrap_err();
        assert_eq!(
            (err.field, format!("{} {}", err.label, err.message)),
            (
                "mitigated_at",
                "Mitigated cannot be before detected".to_string()
            )
        );
        let err = times(Some(-5), None, None, None).check_order().unwrap_err();
        assert_eq!(
            (err.field, format!("{} {}", err.label, err.message)),
            (
                "detected_at",
                "Detected cannot be before impact started".to_string()
            )
        );
        // A gap in the chain does not hide the order of the times around it.
        let err = times(Some(30), None, None, Some(10))
            .check_order()
            .unwrap_err();
        assert_eq!(
            (err.field, format!("{} {}", err.label, err.message)),
            (
                "resolved_at",
                "Resolved cannot be before detected".to_string()
            )
        );
        let err = times(Some(10), Some(5), None, None)
            .check_order()
            .unwrap_err();
        assert_eq!(err.field, "acknowledged_at");
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(parse_tags(" DNS, dns ,, Cache ").unwrap(), ["dns", "cache"]);
        assert_eq!(parse_tags("").unwrap(), Vec::<String>::new());
        assert!(parse_tags(&"x".repeat(41)).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_tags(&many.join(",")).unwrap_err(),
            "may be at most 20"
        );
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_duration(12), "12s");
        assert_eq!(human_duration(2710), "45m 10s");
        assert_eq!(human_duration(7500), "2h 05m");
        assert_eq!(human_duration(90_000), "1d 1h");
        assert_eq!(human_duration(-60), "-1m 00s");
    }

    proptest::proptest! {
        #[test]
        fn sorted_times_always_pass(mut offsets in proptest::collection::vec(0i64..100_000, 4)) {
            offsets.sort();
            let k = times(Some(offsets[0]), Some(offsets[1]), Some(offsets[2]), Some(offsets[3]));
            proptest::prop_assert_eq!(k.check_order(), Ok(()));
            proptest::prop_assert!(k.ttd() <= k.ttm() && k.ttm() <= k.ttr());
        }
    }
}
