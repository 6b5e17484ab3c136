//! One incident with everything that hangs off it (classification, timeline, action items and
//! postmortem) as a document to take elsewhere: JSON in a versioned format, or markdown to paste
//! into a wiki or a ticket.

use crate::domain::incident::{CauseCategory, DetectionSource, RunbookOutcome, Severity};
use crate::domain::postmortem::PostmortemStatus;
use crate::domain::timeline::EventKind;
use crate::error::AppError;
use crate::services::{accounts, action_items, catalog, incidents, postmortems, timeline};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use std::fmt::Write;

/// Names the shape of the JSON; a change that breaks readers gets a new one.
pub const FORMAT: &str = "hindsight.incident/1";

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportedIncident {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub severity: String,
    pub services: Vec<Named>,
    pub customer_impact: bool,
    pub impact_description: String,
    pub started_at: DateTime<Utc>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub detected_by: Option<String>,
    pub monitoring_should_have_caught: Option<bool>,
    pub known_problem: Option<bool>,
    pub repeats: Vec<i64>,
    pub runbook_outcome: Option<String>,
    pub cause_category: Option<String>,
    pub tags: Vec<String>,
    pub created_by: Named,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportedEvent {
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    /// Markdown.
    pub body: String,
    /// The key time this event sets on the incident, if any.
    pub marks: Option<String>,
    pub author: Named,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportedItem {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// The incident it was raised from; items related to this one from elsewhere differ.
    pub raised_from: i64,
    pub state: String,
    #[serde(rename = "type")]
    pub action_type: String,
    pub priority: String,
    pub owner: Option<Named>,
    pub due_on: Option<NaiveDate>,
    pub cadence: String,
    pub tracker_url: Option<String>,
    pub done_on: Option<NaiveDate>,
    pub verify_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub evidence: Option<String>,
    pub evidence_url: Option<String>,
    pub wont_do_reason: Option<String>,
    pub follow_up_of: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportedPostmortem {
    pub status: String,
    /// Markdown; the template while nobody has saved one.
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<Named>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentExport {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    pub incident: ExportedIncident,
    pub timeline: Vec<ExportedEvent>,
    pub action_items: Vec<ExportedItem>,
    pub postmortem: ExportedPostmortem,
}

pub async fn export(
    db: &DatabaseConnection,
    incident_id: i64,
    now: DateTime<Utc>,
) -> Result<IncidentExport, AppError> {
    let record = incidents::get(db, incident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let events = timeline::list(db, incident_id).await?;
    let items = action_items::for_incident(db, incident_id).await?;
    let postmortem = postmortems::get(db, incident_id).await?;
    let service_names = catalog::service_names(db).await?;
    let mut people: Vec<i64> = vec![record.incident.created_by];
    people.extend(events.iter().map(|e| e.author_id));
    people.extend(items.iter().filter_map(|i| i.owner_id));
    people.extend(postmortem.published_by);
    people.sort_unstable();
    people.dedup();
    let names = accounts::display_names(db, people).await?;
    let person = |id: i64| Named {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    };
    let i = record.incident;
    let mut services: Vec<Named> = record
        .service_ids
        .iter()
        .map(|&id| Named {
            id,
            name: service_names.get(&id).cloned().unwrap_or_default(),
        })
        .collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(IncidentExport {
        format: FORMAT,
        exported_at: now,
        incident: ExportedIncident {
            id: i.id,
            title: i.title,
            summary: i.summary,
            severity: i.severity,
            services,
            customer_impact: i.customer_impact,
            impact_description: i.impact_description,
            started_at: i.started_at,
            detected_at: i.detected_at,
            acknowledged_at: i.acknowledged_at,
            mitigated_at: i.mitigated_at,
            resolved_at: i.resolved_at,
            detected_by: i.detected_by,
            monitoring_should_have_caught: i.monitoring_should_have_caught,
            known_problem: i.known_problem,
            repeats: record.repeats,
            runbook_outcome: i.runbook_outcome,
            cause_category: i.cause_category,
            tags: record.tags,
            created_by: person(i.created_by),
            created_at: i.created_at,
            updated_at: i.updated_at,
        },
        timeline: events
            .into_iter()
            .map(|e| ExportedEvent {
                occurred_at: e.occurred_at,
                kind: e.kind,
                body: e.body,
                marks: e.marks,
                author: person(e.author_id),
            })
            .collect(),
        action_items: items
            .into_iter()
            .map(|it| ExportedItem {
                id: it.id,
                title: it.title,
                description: it.description,
                raised_from: it.incident_id,
                state: it.state,
                action_type: it.action_type,
                priority: it.priority,
                owner: it.owner_id.map(person),
                due_on: it.due_on,
                cadence: it.cadence,
                tracker_url: it.tracker_url,
                done_on: it.done_on,
                verify_on: it.verify_on,
                outcome: it.outcome,
                evidence: it.evidence,
                evidence_url: it.evidence_url,
                wont_do_reason: it.wont_do_reason,
                follow_up_of: it.follow_up_of,
            })
            .collect(),
        postmortem: ExportedPostmortem {
            status: postmortem.status.key().to_string(),
            body: postmortem.body,
            published_at: postmortem.published_at,
            published_by: postmortem.published_by.map(person),
        },
    })
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The label of a stored choice, or the stored key when it is not one (never empty).
fn label<T: Copy>(
    key: &str,
    parse: fn(&str) -> Result<T, String>,
    show: fn(T) -> &'static str,
) -> String {
    parse(key).map_or_else(|_| key.to_string(), |c| show(c).to_string())
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not recorded",
    }
}

/// Text on one line of a markdown list, so that it cannot start a heading or a new item.
fn inline(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl IncidentExport {
    pub fn to_markdown(&self) -> String {
        let i = &self.incident;
        let mut md = String::new();
        let _ = writeln!(md, "# {}\n", inline(&i.title));
        let severity = label(&i.severity, Severity::parse, Severity::label);
        let services: Vec<&str> = i.services.iter().map(|s| s.name.as_str()).collect();
        let _ = writeln!(md, "- **Severity:** {severity}");
        let _ = writeln!(md, "- **Services:** {}", services.join(", "));
        let _ = writeln!(md, "- **Started:** {}", time(i.started_at));
        for (name, at) in [
            ("Detected", i.detected_at),
            ("Acknowledged", i.acknowledged_at),
            ("Mitigated", i.mitigated_at),
            ("Resolved", i.resolved_at),
        ] {
            if let Some(at) = at {
                let after =
                    crate::domain::incident::human_duration((at - i.started_at).num_seconds());
                let _ = writeln!(md, "- **{name}:** {} ({after} after the start)", time(at));
            }
        }
        let detected_by = i
            .detected_by
            .as_deref()
            .map_or("not recorded".to_string(), |d| {
                label(d, DetectionSource::parse, DetectionSource::label)
            });
        let _ = writeln!(md, "- **Detected by:** {detected_by}");
        if i.detected_by.as_deref() != Some(DetectionSource::Alert.key()) {
            let _ = writeln!(
                md,
                "- **Monitoring should have caught it:** {}",
                yes_no(i.monitoring_should_have_caught)
            );
        }
        let _ = writeln!(md, "- **Known problem:** {}", yes_no(i.known_problem));
        if !i.repeats.is_empty() {
            let repeats: Vec<String> = i.repeats.iter().map(|r| format!("#{r}")).collect();
            let _ = writeln!(md, "- **Repeats:** {}", repeats.join(", "));
        }
        let runbook = i
            .runbook_outcome
            .as_deref()
            .map_or("not recorded".to_string(), |r| {
                label(r, RunbookOutcome::parse, RunbookOutcome::label)
            });
        let _ = writeln!(md, "- **Runbook:** {runbook}");
        let cause = i
            .cause_category
            .as_deref()
            .map_or("not recorded".to_string(), |c| {
                label(c, CauseCategory::parse, CauseCategory::label)
            });
        let _ = writeln!(md, "- **Cause:** {cause}");
        let impact = if i.customer_impact {
            if i.impact_description.is_empty() {
                "yes".to_string()
            } else {
                format!("yes: {}", inline(&i.impact_description))
            }
        } else {
            "no".to_string()
        };
        let _ = writeln!(md, "- **Customer impact:** {impact}");
        if !i.tags.is_empty() {
            let _ = writeln!(md, "- **Tags:** {}", i.tags.join(", "));
        }
        if !i.summary.trim().is_empty() {
            let _ = writeln!(md, "\n## Summary\n\n{}", i.summary.trim());
        }

        let _ = writeln!(md, "\n## Timeline\n");
        if self.timeline.is_empty() {
            let _ = writeln!(md, "No events.");
        }
        for e in &self.timeline {
            let kind = label(&e.kind, EventKind::parse, EventKind::label);
            let marks = e
                .marks
                .as_deref()
                .map(|m| format!(" (sets the {m} time)"))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "- **{}** · {kind}{marks} · {}",
                time(e.occurred_at),
                inline(&e.author.name)
            );
            for line in e.body.trim().lines() {
                let _ = writeln!(md, "  {line}");
            }
        }

        let _ = writeln!(md, "\n## Action items\n");
        if self.action_items.is_empty() {
            let _ = writeln!(md, "None.");
        }
        for it in &self.action_items {
            let finished = matches!(it.state.as_str(), "done" | "verified");
            let mut facts = vec![it.state.replace('_', " ")];
            if let Some(owner) = &it.owner {
                facts.push(format!("owner {}", inline(&owner.name)));
            }
            if let Some(due) = it.due_on {
                facts.push(format!("due {due}"));
            }
            if let Some(outcome) = &it.outcome {
                facts.push(format!("verified {}", outcome.replace('_', " ")));
            }
            if let Some(reason) = &it.wont_do_reason {
                facts.push(format!("won't do: {}", inline(reason)));
            }
            if it.raised_from != i.id {
                facts.push(format!("raised from #{}", it.raised_from));
            }
            let _ = writeln!(
                md,
                "- [{}] {} ({})",
                if finished { "x" } else { " " },
                inline(&it.title),
                facts.join(", ")
            );
            if let Some(url) = &it.tracker_url {
                let _ = writeln!(md, "  Tracker: <{url}>");
            }
        }

        let status = PostmortemStatus::parse(&self.postmortem.status)
            .map_or(self.postmortem.status.clone(), |s| s.label().to_string());
        let _ = writeln!(md, "\n## Postmortem ({status})\n");
        let _ = writeln!(md, "{}", self.postmortem.body.trim());
        md
    }
}

/// Incidents in one list export at the most. A list that matches more is refused with the
/// reason, rather than cut without saying so.
pub const LIST_LIMIT: u64 = 10_000;

/// One row of an exported incident list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListedIncident {
    pub id: i64,
    pub title: String,
    pub severity: String,
    pub services: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub detected_by: Option<String>,
    pub known_problem: Option<bool>,
    pub runbook_outcome: Option<String>,
    pub cause_category: Option<String>,
    pub customer_impact: bool,
    pub postmortem_status: String,
}

/// The incidents a list shows, every page of it, in its order.
pub async fn list(
    db: &DatabaseConnection,
    filter: &incidents::IncidentFilter,
    sort: incidents::Sort,
) -> Result<Vec<ListedIncident>, AppError> {
    if incidents::count(db, filter, LIST_LIMIT).await? > LIST_LIMIT {
        return Err(AppError::validation(
            "filters",
            "The filters",
            format!(
                "match more than {LIST_LIMIT} incidents; narrow them (a period, a team or a service) to export"
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page = incidents::list(db, filter, sort, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = Some(incidents::Cursor::after(last, sort));
        let full = page.len() == 500;
        rows.extend(page);
        if !full {
            break;
        }
    }
    let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let names = catalog::service_names(db).await?;
    let mut services = incidents::service_ids_for(db, &ids).await?;
    let statuses = postmortems::statuses(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|i| {
            let mut service_names: Vec<String> = services
                .remove(&i.id)
                .unwrap_or_default()
                .iter()
                .filter_map(|id| names.get(id).cloned())
                .collect();
            service_names.sort();
            ListedIncident {
                postmortem_status: statuses
                    .get(&i.id)
                    .copied()
                    .unwrap_or(PostmortemStatus::Draft)
                    .key()
                    .to_string(),
                id: i.id,
                title: i.title,
                severity: i.severity,
                services: service_names,
                started_at: i.started_at,
                detected_at: i.detected_at,
                acknowledged_at: i.acknowledged_at,
                mitigated_at: i.mitigated_at,
                resolved_at: i.resolved_at,
                detected_by: i.detected_by,
                known_problem: i.known_problem,
                runbook_outcome: i.runbook_outcome,
                cause_category: i.cause_category,
                customer_impact: i.customer_impact,
            }
        })
        .collect())
}

/// The rows as CSV with a header line: stored keys for choices (as the API and JSON use them),
/// RFC 3339 times, and services separated by semicolons.
pub fn list_csv(rows: &[ListedIncident]) -> String {
    use crate::services::action_items::csv_field;
    let header = [
        "id",
        "title",
        "severity",
        "services",
        "started_at",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
        "detected_by",
        "known_problem",
        "runbook_outcome",
        "cause_category",
        "customer_impact",
        "postmortem_status",
    ];
    let mut out = header.join(",");
    out.push_str("\r\n");
    let t = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let b = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
    for r in rows {
        let row = [
            r.id.to_string(),
            r.title.clone(),
            r.severity.clone(),
            r.services.join("; "),
            r.started_at.to_rfc3339(),
            t(r.detected_at),
            t(r.acknowledged_at),
            t(r.mitigated_at),
            t(r.resolved_at),
            r.detected_by.clone().unwrap_or_default(),
            b(r.known_problem),
            r.runbook_outcome.clone().unwrap_or_default(),
            r.cause_category.clone().unwrap_or_default(),
            r.customer_impact.to_string(),
            r.postmortem_status.clone(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}
