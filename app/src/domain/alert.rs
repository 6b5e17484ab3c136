//! Alerts as Alertmanager and PagerDuty deliver them, read into one shape: a group of alerts,
//! each firing, acknowledged or resolved; and the admins' rules that turn an alert's labels into
//! the incident's services and severity.

use crate::domain::incident::Severity;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

choices!(
    /// The alerting systems that can open incidents.
    AlertSourceKind {
        Alertmanager => ("alertmanager", "Alertmanager"),
        PagerDuty => ("pagerduty", "PagerDuty"),
    }
);

impl AlertSourceKind {
    /// The account an incident opened by this source is recorded as created by.
    pub fn account_username(self) -> &'static str {
        match self {
            AlertSourceKind::Alertmanager => "alertmanager-integration",
            AlertSourceKind::PagerDuty => "pagerduty-integration",
        }
    }

    /// Labels whose value names a service, until an admin says otherwise.
    pub fn default_service_labels(self) -> &'static [&'static str] {
        match self {
            AlertSourceKind::Alertmanager => &["service", "job"],
            AlertSourceKind::PagerDuty => &["service"],
        }
    }

    /// Severity rules a new source starts with: the conventions of each system.
    pub fn default_severity_rules(self) -> Vec<(&'static str, &'static str, Severity)> {
        match self {
            AlertSourceKind::Alertmanager => vec![
                ("severity", "critical", Severity::Sev1),
                ("severity", "error", Severity::Sev2),
                ("severity", "warning", Severity::Sev3),
                ("severity", "info", Severity::Sev4),
            ],
            AlertSourceKind::PagerDuty => vec![
                ("priority", "P1", Severity::Sev1),
                ("priority", "P2", Severity::Sev2),
                ("priority", "P3", Severity::Sev3),
                ("priority", "P4", Severity::Sev4),
                ("priority", "P5", Severity::Sev4),
            ],
        }
    }
}

/// The severity of an incident whose alerts match no severity rule.
pub const UNMAPPED_SEVERITY: Severity = Severity::Sev3;

choices!(
    AlertStatus {
        Firing => ("firing", "Firing"),
        Acknowledged => ("acknowledged", "Acknowledged"),
        Resolved => ("resolved", "Resolved"),
    }
);

choices!(
    /// What a label rule decides.
    MappingKind {
        Service => ("service", "Service"),
        Severity => ("severity", "Severity"),
    }
);

/// One delivery, whichever system sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The sender's id for this delivery, when it gives one (PagerDuty's event id).
    pub delivery_id: Option<String>,
    /// Alerts with the same key belong to one incident while it is open.
    pub group_key: String,
    pub title: String,
    pub alerts: Vec<AlertNotice>,
}

/// One alert of a delivery, as it stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertNotice {
    pub fingerprint: String,
    pub name: String,
    pub status: AlertStatus,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// When the sender says the current status was reached, where it says so apart from
    /// `starts_at` and `ends_at` (PagerDuty's event time).
    pub changed_at: Option<DateTime<Utc>>,
    /// Who acknowledged or resolved it, when the sender says.
    pub by: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub description: String,
    pub link: Option<String>,
}

impl Delivery {
    /// Whether anything in it is still going on.
    pub fn any_active(&self) -> bool {
        self.alerts
            .iter()
            .any(|a| a.status != AlertStatus::Resolved)
    }
}

/// Titles are one line of at most this many characters, as on the incident form.
const TITLE_CHARS: usize = 200;

fn one_line(text: &str, max_chars: usize) -> String {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if line.chars().count() <= max_chars {
        line
    } else {
        let mut cut: String = line.chars().take(max_chars - 1).collect();
        cut.push('…');
        cut
    }
}

fn timestamp(field: &str, value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{field} is not an RFC 3339 time ({value:?}: {e})"))
}

/// Alertmanager's webhook payload, version 4.
pub mod alertmanager {
    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Payload {
        version: String,
        group_key: String,
        status: String,
        #[serde(default)]
        group_labels: BTreeMap<String, String>,
        #[serde(default)]
        common_labels: BTreeMap<String, String>,
        #[serde(default)]
        common_annotations: BTreeMap<String, String>,
        alerts: Vec<Alert>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Alert {
        status: String,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        #[serde(default)]
        annotations: BTreeMap<String, String>,
        starts_at: String,
        #[serde(default)]
        ends_at: Option<String>,
        #[serde(default, rename = "generatorURL")]
        generator_url: Option<String>,
        #[serde(default)]
        fingerprint: Option<String>,
    }

    fn status(field: &str, value: &str) -> Result<AlertStatus, String> {
        match value {
            "firing" => Ok(AlertStatus::Firing),
            "resolved" => Ok(AlertStatus::Resolved),
            other => Err(format!(
                "{field} must be \"firing\" or \"resolved\" (got {other:?})"
            )),
        }
    }

    /// Reads a delivery, or says what is wrong with it.
    pub fn parse(body: &[u8]) -> Result<Delivery, String> {
        let payload: Payload = serde_json::from_slice(body)
            .map_err(|e| format!("the body is not a webhook payload: {e}"))?;
        if payload.version != "4" {
            return Err(format!(
                "version must be \"4\" (got {:?}); Hindsight reads Alertmanager's webhook format 4",
                payload.version
            ));
        }
        if payload.group_key.trim().is_empty() {
            return Err("groupKey is empty".into());
        }
        status("status", &payload.status)?;
        if payload.alerts.is_empty() {
            return Err("alerts is empty".into());
        }
        let mut alerts = Vec::with_capacity(payload.alerts.len());
        for (i, alert) in payload.alerts.into_iter().enumerate() {
            let field = |name: &str| format!("alerts[{i}].{name}");
            let starts_at = timestamp(&field("startsAt"), &alert.starts_at)?;
            // Alertmanager sends the zero time for "not ended".
            let ends_at = match alert.ends_at.as_deref() {
                None | Some("") => None,
                Some(t) => Some(timestamp(&field("endsAt"), t)?).filter(|t| t.timestamp() > 0),
            };
            let fingerprint = match alert.fingerprint.filter(|f| !f.trim().is_empty()) {
                Some(f) => f,
                None => alert
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(","),
            };
            let name = alert
                .labels
                .get("alertname")
                .cloned()
                .unwrap_or_else(|| "alert".into());
            let description = alert
                .annotations
                .get("description")
                .or_else(|| alert.annotations.get("summary"))
                .cloned()
                .unwrap_or_default();
            alerts.push(AlertNotice {
                fingerprint,
                name,
                status: status(&field("status"), &alert.status)?,
                starts_at,
                ends_at,
                changed_at: None,
                by: None,
                labels: alert.labels,
                description,
                link: alert.generator_url.filter(|u| !u.is_empty()),
            });
        }
        let name = payload
            .common_labels
            .get("alertname")
            .or_else(|| payload.group_labels.get("alertname"));
        let summary = payload.common_annotations.get("summary");
        let title = match (name, summary) {
            (Some(n), Some(s)) => format!("{n}: {s}"),
            (Some(n), None) => n.clone(),
            (None, Some(s)) => s.clone(),
            (None, None) => format!(
                "Alerts for {}",
                payload
                    .group_labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Ok(Delivery {
            delivery_id: None,
            group_key: payload.group_key,
            title: one_line(&title, TITLE_CHARS),
            alerts,
        })
    }
}

/// PagerDuty's v3 webhooks: one event per delivery, signed with the subscription's secret.
pub mod pagerduty {
    use super::*;

    #[derive(Deserialize)]
    struct Payload {
        event: Event,
    }

    #[derive(Deserialize)]
    struct Event {
        id: String,
        event_type: String,
        occurred_at: String,
        #[serde(default)]
        agent: Option<Reference>,
        data: serde_json::Value,
    }

    #[derive(Deserialize)]
    struct Reference {
        #[serde(default)]
        summary: Option<String>,
    }

    #[derive(Deserialize)]
    struct Incident {
        id: String,
        #[serde(default)]
        html_url: Option<String>,
        created_at: String,
        title: String,
        #[serde(default)]
        service: Option<Reference>,
        #[serde(default)]
        teams: Vec<Reference>,
        #[serde(default)]
        priority: Option<Reference>,
        #[serde(default)]
        urgency: Option<String>,
    }

    /// What a delivery asks for: an incident's change, or nothing Hindsight acts on (with why).
    #[derive(Debug, PartialEq, Eq)]
    pub enum Parsed {
        Delivery(Delivery),
        Ignored(String),
    }

    pub fn parse(body: &[u8]) -> Result<Parsed, String> {
        let payload: Payload = serde_json::from_slice(body)
            .map_err(|e| format!("the body is not a v3 webhook payload: {e}"))?;
        let event = payload.event;
        let status = match event.event_type.as_str() {
            "incident.triggered" | "incident.reopened" | "incident.unacknowledged" => {
                AlertStatus::Firing
            }
            "incident.acknowledged" => AlertStatus::Acknowledged,
            "incident.resolved" => AlertStatus::Resolved,
            other => {
                return Ok(Parsed::Ignored(format!(
                    "event type {other} does not change an incident"
                )));
            }
        };
        let incident: Incident = serde_json::from_value(event.data)
            .map_err(|e| format!("event.data is not an incident: {e}"))?;
        let occurred_at = timestamp("event.occurred_at", &event.occurred_at)?;
        let starts_at = timestamp("event.data.created_at", &incident.created_at)?;
        if incident.id.trim().is_empty() {
            return Err("event.data.id is empty".into());
        }
        let mut labels = BTreeMap::new();
        let mut label = |name: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                labels.insert(name.to_string(), v);
            }
        };
        label("service", incident.service.and_then(|s| s.summary));
        label("priority", incident.priority.and_then(|p| p.summary));
        label("urgency", incident.urgency);
        label(
            "team",
            incident.teams.into_iter().next().and_then(|t| t.summary),
        );
        let title = one_line(&incident.title, TITLE_CHARS);
        Ok(Parsed::Delivery(Delivery {
            delivery_id: Some(event.id),
            group_key: incident.id.clone(),
            title: if title.is_empty() {
                format!("PagerDuty incident {}", incident.id)
            } else {
                title.clone()
            },
            alerts: vec![AlertNotice {
                fingerprint: incident.id,
                name: title,
                status,
                starts_at,
                ends_at: (status == AlertStatus::Resolved).then_some(occurred_at),
                changed_at: Some(occurred_at),
                by: event.agent.and_then(|a| a.summary),
                labels,
                description: String::new(),
                link: incident.html_url,
            }],
        }))
    }
}

/// The admins' rules for one source, as the mapping reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRules {
    /// Labels whose value is a service's name, in the order tried.
    pub service_labels: Vec<String>,
    /// `(label, value, service id)`.
    pub services: Vec<(String, String, i64)>,
    /// `(label, value, severity)`.
    pub severities: Vec<(String, String, Severity)>,
    pub fallback_service: Option<i64>,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl LabelRules {
    /// The services `labels` name: by an explicit rule, else by a service label whose value is
    /// a service's name (`service_ids` is keyed by lower-case name).
    pub fn services_of(
        &self,
        labels: &BTreeMap<String, String>,
        service_ids: &HashMap<String, i64>,
    ) -> Vec<i64> {
        let mut found: Vec<i64> = self
            .services
            .iter()
            .filter(|(label, value, _)| labels.get(label).is_some_and(|v| same(v, value)))
            .map(|(_, _, id)| *id)
            .collect();
        if found.is_empty() {
            found = self
                .service_labels
                .iter()
                .filter_map(|label| labels.get(label))
                .filter_map(|value| service_ids.get(&value.trim().to_lowercase()).copied())
                .take(1)
                .collect();
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The most severe severity any rule gives `labels`.
    pub fn severity_of(&self, labels: &BTreeMap<String, String>) -> Option<Severity> {
        self.severities
            .iter()
            .filter(|(label, value, _)| labels.get(label).is_some_and(|v| same(v, value)))
            .map(|(_, _, s)| *s)
            .min()
    }
}

/// Label names as an admin types them: separated by commas or spaces, each a Prometheus label
/// name.
pub fn parse_label_names(input: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for name in input.split(|c: char| c == ',' || c.is_whitespace()) {
        if name.is_empty() {
            continue;
        }
        parse_label_name(name)?;
        if !names.iter().any(|n: &String| n == name) {
            names.push(name.to_string());
        }
    }
    if names.len() > 10 {
        return Err("may name at most 10 labels".into());
    }
    Ok(names)
}

/// A Prometheus label name: letters, digits and underscores, not starting with a digit.
pub fn parse_label_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("is required".into());
    }
    if name.len() > 128 {
        return Err("must be at most 128 characters".into());
    }
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(format!(
            "{name:?} is not a label name (letters, digits and _, not starting with a digit)"
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRING: &str = r#"{
      "version": "4",
      "groupKey": "{}:{alertname=\"HighErrorRate\"}",
      "truncatedAlerts": 0,
      "status": "firing",
      "receiver": "hindsight",
      "groupLabels": {"alertname": "HighErrorRate"},
      "commonLabels": {"alertname": "HighErrorRate", "severity": "critical"},
      "commonAnnotations": {"summary": "5xx above 5%"},
      "externalURL": "http://alertmanager:9093",
      "alerts": [{
        "status": "firing",
        "labels": {"alertname": "HighErrorRate", "severity": "critical", "job": "checkout"},
        "annotations": {"description": "checkout returns 7% 5xx"},
        "startsAt": "2026-11-02T08:55:12.345Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=x",
        "fingerprint": "a1b2c3"
      }]
    }"#;

    #[test]
    fn alertmanager_firing_reads_title_times_and_labels() {
        let d = alertmanager::parse(FIRING.as_bytes()).unwrap();
        assert_eq!(d.title, "HighErrorRate: 5xx above 5%");
        assert_eq!(d.group_key, "{}:{alertname=\"HighErrorRate\"}");
        let a = &d.alerts[0];
        assert_eq!(a.status, AlertStatus::Firing);
        assert_eq!(a.ends_at, None, "the zero time means not ended");
        assert_eq!(a.starts_at.to_rfc3339(), "2026-11-02T08:55:12.345+00:00");
        assert_eq!(a.labels["job"], "checkout");
        assert_eq!(a.description, "checkout returns 7% 5xx");
    }

    #[test]
    fn alertmanager_errors_name_the_field() {
        let wrong_version = FIRING.replace("\"version\": \"4\"", "\"version\": \"3\"");
        assert!(
            alertmanager::parse(wrong_version.as_bytes())
                .unwrap_err()
                .starts_with("version must be \"4\"")
        );
        let bad_time = FIRING.replace("2026-11-02T08:55:12.345Z", "yesterday");
        assert!(
            alertmanager::parse(bad_time.as_bytes())
                .unwrap_err()
                .starts_with("alerts[0].startsAt is not an RFC 3339 time")
        );
        assert!(
            alertmanager::parse(b"{\"version\": \"4\"")
                .unwrap_err()
                .starts_with("the body is not a webhook payload")
        );
    }

    #[test]
    fn rules_prefer_explicit_mappings_then_service_labels() {
        let rules = LabelRules {
            service_labels: vec!["service".into(), "job".into()],
            services: vec![("team".into(), "payments".into(), 7)],
            severities: vec![
                ("severity".into(), "warning".into(), Severity::Sev3),
                ("severity".into(), "critical".into(), Severity::Sev1),
                ("tier".into(), "gold".into(), Severity::Sev2),
            ],
            fallback_service: None,
        };
        let ids = HashMap::from([("checkout".to_string(), 3), ("search".to_string(), 4)]);
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            rules.services_of(&labels(&[("job", "Checkout")]), &ids),
            vec![3]
        );
        assert_eq!(
            rules.services_of(&labels(&[("service", "search"), ("job", "checkout")]), &ids),
            vec![4],
            "the first service label that names a service wins"
        );
        assert_eq!(
            rules.services_of(&labels(&[("team", "payments"), ("job", "checkout")]), &ids),
            vec![7]
        );
        assert!(
            rules
                .services_of(&labels(&[("job", "billing")]), &ids)
                .is_empty()
        );
        assert_eq!(
            rules.severity_of(&labels(&[("severity", "WARNING"), ("tier", "gold")])),
            Some(Severity::Sev2),
            "the most severe rule wins"
        );
        assert_eq!(rules.severity_of(&labels(&[("severity", "page")])), None);
    }

    #[test]
    fn label_names_are_checked() {
        assert_eq!(
            parse_label_names("service, job  app").unwrap(),
            vec!["service", "job", "app"]
        );
        assert!(
            parse_label_names("service, 9lives")
                .unwrap_err()
                .contains("9lives")
        );
    }
}
