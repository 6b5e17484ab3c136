//! The learning digest of a period: what happened, what got better and was shown to work, how
//! the figures moved, what is coming up, and what to do next, derived from the findings. One
//! value, shown as a page and written out as markdown.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::figures::{Finding, FindingKind, Report, format_change, format_value};
use super::metric::Metric;
use crate::domain::action_item::{ActionState, Outcome};
use crate::domain::incident::{DetectionSource, RunbookOutcome, Severity, human_duration};

/// One incident of the period as the digest tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestIncident {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub summary: String,
    pub services: Vec<String>,
    pub detected_by: Option<DetectionSource>,
    pub runbook_outcome: Option<RunbookOutcome>,
    /// Time to resolve in seconds, once resolved.
    pub ttr: Option<i64>,
}

/// One improvement as the digest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    pub id: i64,
    pub title: String,
    pub state: ActionState,
    pub outcome: Option<Outcome>,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub period_key: String,
    pub period_label: String,
    pub headline: String,
    /// (figure, value, change against the previous period).
    pub figures: Vec<(String, String, Option<String>)>,
    pub incidents: Vec<DigestIncident>,
    /// Finished in the period, and verified in it.
    pub completed: Vec<DigestItem>,
    pub verified: Vec<DigestItem>,
    /// Committed and unfinished, due in the next period.
    pub coming_up: Vec<DigestItem>,
    pub recommendations: Vec<String>,
}

/// The figures a digest reports, in order.
pub const DIGEST_METRICS: [Metric; 8] = [
    Metric::Incidents,
    Metric::Mttd,
    Metric::Mttr,
    Metric::DetectionGap,
    Metric::RunbookCoverage,
    Metric::RecurrenceRate,
    Metric::ItemsCompleted,
    Metric::PriorActionsEffective,
];

fn names(list: &[String]) -> String {
    match list {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What to do next, one sentence per finding, naming the services and incidents concerned.
pub fn recommendations(findings: &[Finding], incidents: &[DigestIncident]) -> Vec<String> {
    let services_of = |ids: &[i64]| {
        let mut services: Vec<String> = incidents
            .iter()
            .filter(|i| ids.contains(&i.id))
            .flat_map(|i| i.services.iter().cloned())
            .collect();
        services.sort();
        services.dedup();
        services
    };
    findings
        .iter()
        .map(|f| match f.kind {
            FindingKind::DetectionGap => {
                let services = services_of(&f.incident_ids);
                if services.is_empty() {
                    "Add alerting where users noticed incidents before the alerts did.".to_string()
                } else {
                    format!(
                        "Add alerting for {}: users reported their incidents before any alert fired.",
                        names(&services)
                    )
                }
            }
            FindingKind::ErrorBudget => format!(
                "Put reliability work first where the error budget is spent: {}",
                f.text
            ),
            FindingKind::RunbookGap => {
                let services = services_of(&f.incident_ids);
                format!(
                    "Write runbooks for {}, which had incidents with none.",
                    if services.is_empty() { "the services concerned".to_string() } else { names(&services) }
                )
            }
            FindingKind::Anomaly => format!(
                "Find out why {} is unusual this period before it becomes the norm.",
                f.metric.map(|m| m.label()).unwrap_or("a figure")
            ),
            FindingKind::MissingTimes => format!(
                "Complete the key times of {} incident{} so that MTTD and MTTR count them.",
                f.incident_ids.len(),
                if f.incident_ids.len() == 1 { "" } else { "s" }
            ),
            FindingKind::VerificationBacklog => {
                "Verify the prior actions that are due at the next review: an improvement \
                 nobody checked may not work."
                    .to_string()
            }
        })
        .collect()
}

impl Digest {
    pub fn new(
        report: &Report,
        period_label: &str,
        incidents: Vec<DigestIncident>,
        completed: Vec<DigestItem>,
        verified: Vec<DigestItem>,
        coming_up: Vec<DigestItem>,
    ) -> Digest {
        let figures = DIGEST_METRICS
            .iter()
            .filter_map(|&m| report.rows.iter().find(|r| r.metric == m))
            .map(|r| {
                (
                    r.metric.label().to_string(),
                    format_value(r.metric, r.value),
                    r.trend.map(|t| {
                        format!("{} ({})", format_change(r.metric, &t), t.verdict.label())
                    }),
                )
            })
            .collect();
        Digest {
            period_key: report.figures.period.key(),
            period_label: period_label.to_string(),
            headline: report.headline.clone(),
            figures,
            recommendations: recommendations(&report.findings, &incidents),
            incidents,
            completed,
            verified,
            coming_up,
        }
    }

    /// The digest as markdown, to paste into a wiki or an email.
    pub fn to_markdown(&self) -> String {
        let mut md = format!(
            "# Learning digest: {}\n\n{}\n\n",
            self.period_label, self.headline
        );
        md.push_str(
            "## Figures\n\n| Figure | Value | Against the previous period |\n| --- | --- | --- |\n",
        );
        for (figure, value, change) in &self.figures {
            md.push_str(&format!(
                "| {figure} | {value} | {} |\n",
                change.as_deref().unwrap_or("–")
            ));
        }
        md.push_str(&format!("\n## Incidents ({})\n\n", self.incidents.len()));
        if self.incidents.is_empty() {
            md.push_str("None.\n");
        }
        for i in &self.incidents {
            md.push_str(&format!(
                "- **#{} {}** ({}{}{}){}\n",
                i.id,
                escape(&i.title),
                i.severity.label(),
                if i.services.is_empty() {
                    String::new()
                } else {
                    format!(", {}", i.services.join(", "))
                },
                i.ttr
                    .map(|s| format!(", resolved in {}", human_duration(s)))
                    .unwrap_or_else(|| ", unresolved".into()),
                if i.summary.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", escape(i.summary.trim()))
                }
            ));
        }
        let list = |md: &mut String, heading: &str, items: &[DigestItem], empty: &str| {
            md.push_str(&format!("\n## {heading}\n\n"));
            if items.is_empty() {
                md.push_str(empty);
                md.push('\n');
            }
            for item in items {
                let mut line = format!("- {}", escape(&item.title));
                if let Some(o) = item.outcome {
                    line.push_str(&format!(" — {}", o.label().to_lowercase()));
                }
                if let Some(owner) = &item.owner {
                    line.push_str(&format!(" ({owner}"));
                    if let Some(due) = item.due_on {
                        line.push_str(&format!(", due {due}"));
                    }
                    line.push(')');
                }
                md.push_str(&line);
                md.push('\n');
            }
        };
        list(
            &mut md,
            "Improvements completed",
            &self.completed,
            "None finished this period.",
        );
        list(
            &mut md,
            "Improvements verified",
            &self.verified,
            "None verified this period.",
        );
        list(
            &mut md,
            "Coming up",
            &self.coming_up,
            "Nothing committed is due next period.",
        );
        md.push_str("\n## Recommendations\n\n");
        if self.recommendations.is_empty() {
            md.push_str("Nothing stands out; keep going.\n");
        }
        for r in &self.recommendations {
            md.push_str(&format!("- {}\n", escape(r)));
        }
        md
    }
}

/// Text kept as text in markdown: characters that would start formatting are escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(id: i64, services: &[&str]) -> DigestIncident {
        DigestIncident {
            id,
            title: format!("Incident {id}"),
            severity: Severity::Sev2,
            summary: String::new(),
            services: services.iter().map(|s| s.to_string()).collect(),
            detected_by: Some(DetectionSource::UserReport),
            runbook_outcome: None,
            ttr: Some(3600),
        }
    }

    fn finding(kind: FindingKind, ids: Vec<i64>) -> Finding {
        Finding {
            kind,
            metric: None,
            text: "checkout used 150% of its error budget (SLO 99.9%).".into(),
            incident_ids: ids,
        }
    }

    #[test]
    fn recommendations_name_the_services_behind_a_finding() {
        let incidents = [
            incident(1, &["checkout", "search"]),
            incident(2, &["checkout"]),
            incident(3, &["auth"]),
        ];
        let recs = recommendations(
            &[
                finding(FindingKind::DetectionGap, vec![1, 2]),
                finding(FindingKind::RunbookGap, vec![3]),
                finding(FindingKind::MissingTimes, vec![2]),
                finding(FindingKind::ErrorBudget, vec![1]),
            ],
            &incidents,
        );
        assert_eq!(
            recs,
            [
                "Add alerting for checkout and search: users reported their incidents before any alert fired.",
                "Write runbooks for auth, which had incidents with none.",
                "Complete the key times of 1 incident so that MTTD and MTTR count them.",
                "Put reliability work first where the error budget is spent: checkout used 150% of its error budget (SLO 99.9%).",
            ]
        );
    }

    #[test]
    fn markdown_keeps_titles_as_text() {
        let digest = Digest {
            period_key: "2026-10".into(),
            period_label: "October 2026".into(),
            headline: "Better than the previous month.".into(),
            figures: vec![(
                "Incidents".into(),
                "2".into(),
                Some("−1 (−33%) (better)".into()),
            )],
            incidents: vec![DigestIncident {
                title: "Checkout *down* | <script>".into(),
                summary: "Pool size\nwas wrong".into(),
                ..incident(7, &["checkout"])
            }],
            completed: vec![DigestItem {
                id: 3,
                title: "Alert on 5xx".into(),
                state: ActionState::Verified,
                outcome: Some(Outcome::Effective),
                owner: Some("Bea".into()),
                due_on: NaiveDate::from_ymd_opt(2026, 10, 20),
            }],
            verified: vec![],
            coming_up: vec![],
            recommendations: vec![],
        };
        let md = digest.to_markdown();
        assert!(
            md.starts_with("# Learning digest: October 2026\n\nBetter than the previous month.\n")
        );
        assert!(md.contains("| Incidents | 2 | −1 (−33%) (better) |"));
        assert!(md.contains(
            "- **#7 Checkout \\*down\\* \\| \\<script\\>** (SEV2, checkout, resolved in 1h 00m): Pool size was wrong\n"
        ), "{md}");
        assert!(md.contains("- Alert on 5xx — effective (Bea, due 2026-10-20)\n"));
        assert!(md.contains("## Improvements verified\n\nNone verified this period.\n"));
        assert!(md.ends_with("Nothing stands out; keep going.\n"));
    }
}
