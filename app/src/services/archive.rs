//! The organisation's whole history as one versioned JSON document: written in pages as it is
//! read, and read back into an empty instance in one transaction. People are named by username,
//! so that an archive moves between instances whose accounts have different ids; incidents,
//! action items and reviews keep their numbers, so that links into the old instance still point
//! at the same things.

use crate::domain::Role;
use crate::domain::action_item::{ActionState, ActionType, Cadence, Outcome, Priority};
use crate::domain::alert::{AlertSourceKind, AlertStatus, MappingKind};
use crate::domain::deploy::DeployOutcome;
use crate::domain::history::{HistoryAction, Subject};
use crate::domain::incident::{CauseCategory, DetectionSource, RunbookOutcome, Severity};
use crate::domain::postmortem::PostmortemStatus;
use crate::domain::review::ReviewStatus;
use crate::domain::time::parse_zone;
use crate::domain::timeline::{EventKind, KeyMoment};
use crate::entities::{
    action_item, action_item_incident, alert, alert_group, alert_mapping, alert_source, deploy,
    history_entry, incident, incident_repeat, incident_service, incident_tag, organisation,
    postmortem, postmortem_template, review, review_item, service, team, timeline_event, user,
};
use crate::error::AppError;
use crate::services::api_tokens::{hash, random_secret};
use crate::services::search::{self, SearchRow};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::{
    AccessMode, DatabaseTransaction, DbBackend, IsolationLevel, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio::sync::mpsc;

/// What the document says it is, so that another file is refused before it is read in full.
pub const FORMAT: &str = "hindsight-archive";
/// Raised when a field changes meaning or is removed; added optional fields keep the version.
pub const VERSION: u32 = 1;

/// Incidents (with everything hanging off them) read or written per round trip.
const INCIDENTS_PER_PAGE: u64 = 500;
/// Other rows read per round trip.
const ROWS_PER_PAGE: u64 = 2_000;
/// Rows per INSERT: the widest table has about thirty columns, well within either database's
/// limit on bound values.
const ROWS_PER_STATEMENT: usize = 500;
/// The most problems an import reports at once.
const MAX_PROBLEMS: usize = 20;

/// How many records of each kind an archive holds; written first, so that a reader knows how
/// far along it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub users: u64,
    pub teams: u64,
    pub services: u64,
    pub incidents: u64,
    pub timeline_events: u64,
    pub action_items: u64,
    pub reviews: u64,
    pub deploys: u64,
    pub history_entries: u64,
    pub alert_groups: u64,
}

impl Counts {
    /// The records an import writes one by one, for its progress.
    pub fn records(&self) -> u64 {
        self.users
            + self.teams
            + self.services
            + self.incidents
            + self.action_items
            + self.reviews
            + self.deploys
            + self.history_entries
            + self.alert_groups
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub reporting_zone: String,
    pub detection_gap_threshold: i16,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub body: String,
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// An account without its credentials: passwords, tokens and sessions stay behind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: i64,
    pub team_id: i64,
    pub name: String,
    pub slo_target_percent: Option<f64>,
    pub runbook_url: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// An alert source's settings without its secret: an imported source accepts nothing until an
/// admin sets a new token or signing secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertSource {
    pub source: String,
    pub actor: String,
    pub service_labels: String,
    pub fallback_service_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertMapping {
    pub id: i64,
    pub source: String,
    pub kind: String,
    pub label: String,
    pub value: String,
    pub service_id: Option<i64>,
    pub severity: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub severity: String,
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
    pub runbook_outcome: Option<String>,
    pub cause_category: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub service_ids: Vec<i64>,
    pub tags: Vec<String>,
    /// Earlier incidents this one repeats.
    pub repeats: Vec<i64>,
    pub postmortem: Option<Postmortem>,
    pub timeline: Vec<TimelineEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Postmortem {
    pub body: String,
    pub status: String,
    pub lint_warnings: i32,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub published_by: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
    pub no_action_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub body: String,
    pub marks: Option<String>,
    pub author: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub incident_id: i64,
    /// Further incidents it answers, besides the one it came from.
    pub also_answers: Vec<i64>,
    pub owner: Option<String>,
    pub team_id: Option<i64>,
    pub service_id: Option<i64>,
    pub action_type: String,
    pub priority: String,
    pub due_on: Option<NaiveDate>,
    pub tracker_url: Option<String>,
    pub cadence: String,
    pub state: String,
    pub outcome: Option<String>,
    pub evidence: Option<String>,
    pub evidence_url: Option<String>,
    pub wont_do_reason: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_on: Option<NaiveDate>,
    pub verify_on: Option<NaiveDate>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<String>,
    pub follow_up_of: Option<i64>,
    pub committed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    pub cadence: String,
    pub period_key: String,
    pub status: String,
    pub facilitator: String,
    pub attendees: String,
    pub notes: String,
    /// The figures as they stood when the review closed, as the review page keeps them.
    pub snapshot: Option<String>,
    pub action_item_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deploy {
    pub id: i64,
    pub service_id: i64,
    pub deployed_at: DateTime<Utc>,
    pub outcome: String,
    pub reference: Option<String>,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub incident_id: Option<i64>,
    pub subject: String,
    pub subject_id: Option<i64>,
    pub action: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    /// The changed fields as the history page keeps them (a JSON list, as text).
    pub changes: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertGroup {
    pub id: i64,
    pub source: String,
    pub group_key: String,
    pub incident_id: i64,
    pub created_at: DateTime<Utc>,
    pub alerts: Vec<Alert>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub fingerprint: String,
    pub starts_at: DateTime<Utc>,
    pub status: String,
    pub ends_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// The whole document, as read back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Archive {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub counts: Counts,
    pub organisation: Settings,
    pub postmortem_template: Template,
    pub users: Vec<User>,
    pub teams: Vec<Team>,
    pub services: Vec<Service>,
    pub alert_sources: Vec<AlertSource>,
    pub alert_mappings: Vec<AlertMapping>,
    pub incidents: Vec<Incident>,
    pub action_items: Vec<ActionItem>,
    pub reviews: Vec<Review>,
    pub deploys: Vec<Deploy>,
    pub history: Vec<HistoryEntry>,
    pub alert_groups: Vec<AlertGroup>,
}

/// Only the label, read first so that another kind of file or a newer format is named as such.
#[derive(Deserialize)]
struct Label {
    format: Option<String>,
    version: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Export

/// Usernames by account id, for naming people in the document.
struct People(HashMap<i64, String>);

impl People {
    fn name(&self, id: i64) -> Result<String, AppError> {
        self.0
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::internal(format!("no account {id}")))
    }

    fn name_opt(&self, id: Option<i64>) -> Result<Option<String>, AppError> {
        id.map(|id| self.name(id)).transpose()
    }
}

/// Where the document goes, a piece at a time; a closed receiver (the download was abandoned)
/// stops the export.
struct Out {
    to: mpsc::Sender<String>,
    buffer: String,
}

impl Out {
    const FLUSH_AT: usize = 64 * 1024;

    async fn push(&mut self, text: &str) -> Result<(), AppError> {
        self.buffer.push_str(text);
        if self.buffer.len() >= Self::FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), AppError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.buffer);
        self.to
            .send(chunk)
            .await
            .map_err(|_| AppError::internal("the archive's reader went away"))
    }

    async fn field(&mut self, name: &str, value: &impl Serialize) -> Result<(), AppError> {
        let text = serde_json::to_string(value).map_err(AppError::internal)?;
        self.push(&format!(",\n\"{name}\": {text}")).await
    }

    /// Opens a list; its records follow one per line, so that a reader can count them.
    async fn open_list(&mut self, name: &str) -> Result<ListOut, AppError> {
        self.push(&format!(",\n\"{name}\": [")).await?;
        Ok(ListOut { first: true })
    }

    async fn record(&mut self, list: &mut ListOut, value: &impl Serialize) -> Result<(), AppError> {
        let text = serde_json::to_string(value).map_err(AppError::internal)?;
        let separator = if list.first { "\n" } else { ",\n" };
        list.first = false;
        self.push(separator).await?;
        self.push(&text).await
    }

    async fn close_list(&mut self, list: ListOut) -> Result<(), AppError> {
        self.push(if list.first { "]" } else { "\n]" }).await
    }
}

struct ListOut {
    first: bool,
}

/// Writes the archive to `to`, in pieces, reading one consistent view of the database.
#[tracing::instrument(skip_all)]
pub async fn export(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    to: mpsc::Sender<String>,
) -> Result<Counts, AppError> {
    let txn = match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        // A read transaction on SQLite sees one snapshot from its first read on.
        _ => db.begin().await?,
    };
    let counts = count(&txn).await?;
    let mut out = Out {
        to,
        buffer: String::new(),
    };
    out.push(&format!(
        "{{\"format\": \"{FORMAT}\",\n\"version\": {VERSION}"
    ))
    .await?;
    out.field("exported_at", &now).await?;
    out.field("counts", &counts).await?;

    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(&txn)
        .await?;
    let people = People(users.iter().map(|u| (u.id, u.username.clone())).collect());

    let settings = crate::services::organisation::get(&txn).await?;
    out.field(
        "organisation",
        &Settings {
            reporting_zone: settings.reporting_zone,
            detection_gap_threshold: settings.detection_gap_threshold,
            version: settings.version,
        },
    )
    .await?;
    let template = postmortem_template::Entity::find()
        .order_by_asc(postmortem_template::Column::Id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("the postmortem template row is missing"))?;
    out.field(
        "postmortem_template",
        &Template {
            body: template.body,
            version: template.version,
            updated_by: people.name_opt(template.updated_by)?,
            updated_at: template.updated_at,
        },
    )
    .await?;

    let mut list = out.open_list("users").await?;
    for u in users {
        let record = User {
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            role: u.role,
            disabled: u.disabled,
            time_zone: u.time_zone,
            created_at: u.created_at,
        };
        out.record(&mut list, &record).await?;
    }
    out.close_list(list).await?;

    let mut list = out.open_list("teams").await?;
    for t in team::Entity::find()
        .order_by_asc(team::Column::Id)
        .all(&txn)
        .await?
    {
        let record = Team {
            id: t.id,
            name: t.name,
            version: t.version,
            created_at: t.created_at,
        };
        out.record(&mut list, &record).await?;
    }
    out.close_list(list).await?;

    let mut list = out.open_list("services").await?;
    for s in service::Entity::find()
        .order_by_asc(service::Column::Id)
        .all(&txn)
        .await?
    {
        let record = Service {
            id: s.id,
            team_id: s.team_id,
            name: s.name,
            slo_target_percent: s.slo_target_percent,
            runbook_url: s.runbook_url,
            version: s.version,
            created_at: s.created_at,
        };
        out.record(&mut list, &record).await?;
    }
    out.close_list(list).await?;

    let mut list = out.open_list("alert_sources").await?;
    for s in alert_source::Entity::find()
        .order_by_asc(alert_source::Column::Source)
        .all(&txn)
        .await?
    {
        let record = AlertSource {
            source: s.source,
            actor: people.name(s.actor_id)?,
            service_labels: s.service_labels,
            fallback_service_id: s.fallback_service_id,
            version: s.version,
            created_at: s.created_at,
        };
        out.record(&mut list, &record).await?;
    }
    out.close_list(list).await?;

    let mut list = out.open_list("alert_mappings").await?;
    for m in alert_mapping::Entity::find()
        .order_by_asc(alert_mapping::Column::Id)
        .all(&txn)
        .await?
    {
        let record = AlertMapping {
            id: m.id,
            source: m.source,
            kind: m.kind,
            label: m.label,
            value: m.value,
            service_id: m.service_id,
            severity: m.severity,
        };
        out.record(&mut list, &record).await?;
    }
    out.close_list(list).await?;

    export_incidents(&txn, &people, &mut out).await?;
    export_action_items(&txn, &people, &mut out).await?;
    export_reviews(&txn, &people, &mut out).await?;

    let mut list = out.open_list("deploys").await?;
    let mut after = 0;
    loop {
        let page = deploy::Entity::find()
            .filter(deploy::Column::Id.gt(after))
            .order_by_asc(deploy::Column::Id)
            .limit(ROWS_PER_PAGE)
            .all(&txn)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for d in page {
            let record = Deploy {
                id: d.id,
                service_id: d.service_id,
                deployed_at: d.deployed_at,
                outcome: d.outcome,
                reference: d.reference,
                recorded_by: people.name(d.recorded_by)?,
                created_at: d.created_at,
            };
            out.record(&mut list, &record).await?;
        }
    }
    out.close_list(list).await?;

    let mut list = out.open_list("history").await?;
    let mut after = 0;
    loop {
        let page = history_entry::Entity::find()
            .filter(history_entry::Column::Id.gt(after))
            .order_by_asc(history_entry::Column::Id)
            .limit(ROWS_PER_PAGE)
            .all(&txn)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for h in page {
            let record = HistoryEntry {
                id: h.id,
                incident_id: h.incident_id,
                subject: h.subject,
                subject_id: h.subject_id,
                action: h.action,
                actor: people.name(h.actor_id)?,
                at: h.at,
                changes: h.changes,
                note: h.note,
            };
            out.record(&mut list, &record).await?;
        }
    }
    out.close_list(list).await?;

    let mut list = out.open_list("alert_groups").await?;
    let groups = alert_group::Entity::find()
        .order_by_asc(alert_group::Column::Id)
        .all(&txn)
        .await?;
    let mut alerts: BTreeMap<i64, Vec<Alert>> = BTreeMap::new();
    for a in alert::Entity::find()
        .order_by_asc(alert::Column::Id)
        .all(&txn)
        .await?
    {
        alerts.entry(a.group_id).or_default().push(Alert {
            id: a.id,
            fingerprint: a.fingerprint,
            starts_at: a.starts_at,
            status: a.status,
            ends_at: a.ends_at,
            updated_at: a.updated_at,
        });
    }
    for g in groups {
        let record = AlertGroup {
            id: g.id,
            source: g.source,
            group_key: g.group_key,
            incident_id: g.incident_id,
            created_at: g.created_at,
            alerts: alerts.remove(&g.id).unwrap_or_default(),
        };
        out.record(&mut list, &record).await?;
    }
    out.close_list(list).await?;

    out.push("\n}\n").await?;
    out.flush().await?;
    txn.commit().await?;
    Ok(counts)
}

/// The whole archive as one string, for callers that keep it in memory anyway.
pub async fn export_to_string(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let (to, mut from) = mpsc::channel(16);
    let writing = export(db, now, to);
    let reading = async {
        let mut text = String::new();
        while let Some(chunk) = from.recv().await {
            text.push_str(&chunk);
        }
        text
    };
    let (written, text) = tokio::join!(writing, reading);
    written?;
    Ok(text)
}

/// How many records of each kind this instance holds: what an archive of it would carry.
pub async fn count(txn: &impl ConnectionTrait) -> Result<Counts, AppError> {
    Ok(Counts {
        users: user::Entity::find().count(txn).await?,
        teams: team::Entity::find().count(txn).await?,
        services: service::Entity::find().count(txn).await?,
        incidents: incident::Entity::find().count(txn).await?,
        timeline_events: timeline_event::Entity::find().count(txn).await?,
        action_items: action_item::Entity::find().count(txn).await?,
        reviews: review::Entity::find().count(txn).await?,
        deploys: deploy::Entity::find().count(txn).await?,
        history_entries: history_entry::Entity::find().count(txn).await?,
        alert_groups: alert_group::Entity::find().count(txn).await?,
    })
}

async fn export_incidents(
    txn: &DatabaseTransaction,
    people: &People,
    out: &mut Out,
) -> Result<(), AppError> {
    let mut list = out.open_list("incidents").await?;
    let mut after = 0;
    loop {
        let page = incident::Entity::find()
            .filter(incident::Column::Id.gt(after))
            .order_by_asc(incident::Column::Id)
            .limit(INCIDENTS_PER_PAGE)
            .all(txn)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|i| i.id).collect();

        let mut services: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in incident_service::Entity::find()
            .filter(incident_service::Column::IncidentId.is_in(ids.clone()))
            .order_by_asc(incident_service::Column::ServiceId)
            .all(txn)
            .await?
        {
            services
                .entry(row.incident_id)
                .or_default()
                .push(row.service_id);
        }
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        for row in incident_tag::Entity::find()
            .filter(incident_tag::Column::IncidentId.is_in(ids.clone()))
            .order_by_asc(incident_tag::Column::Tag)
            .all(txn)
            .await?
        {
            tags.entry(row.incident_id).or_default().push(row.tag);
        }
        let mut repeats: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in incident_repeat::Entity::find()
            .filter(incident_repeat::Column::IncidentId.is_in(ids.clone()))
            .order_by_asc(incident_repeat::Column::RepeatsIncidentId)
            .all(txn)
            .await?
        {
            repeats
                .entry(row.incident_id)
                .or_default()
                .push(row.repeats_incident_id);
        }
        let mut postmortems: HashMap<i64, postmortem::Model> = postmortem::Entity::find()
            .filter(postmortem::Column::IncidentId.is_in(ids.clone()))
            .all(txn)
            .await?
            .into_iter()
            .map(|p| (p.incident_id, p))
            .collect();
        let mut timelines: HashMap<i64, Vec<TimelineEvent>> = HashMap::new();
        for e in timeline_event::Entity::find()
            .filter(timeline_event::Column::IncidentId.is_in(ids))
            .order_by_asc(timeline_event::Column::Id)
            .all(txn)
            .await?
        {
            timelines
                .entry(e.incident_id)
                .or_default()
                .push(TimelineEvent {
                    id: e.id,
                    occurred_at: e.occurred_at,
                    kind: e.kind,
                    body: e.body,
                    marks: e.marks,
                    author: people.name(e.author_id)?,
                    version: e.version,
                    created_at: e.created_at,
                    updated_at: e.updated_at,
                });
        }

        for i in page {
            let postmortem = match postmortems.remove(&i.id) {
                Some(p) => Some(Postmortem {
                    body: p.body,
                    status: p.status,
                    lint_warnings: p.lint_warnings,
                    version: p.version,
                    updated_by: people.name(p.updated_by)?,
                    updated_at: p.updated_at,
                    published_by: people.name_opt(p.published_by)?,
                    published_at: p.published_at,
                    reopen_reason: p.reopen_reason,
                    no_action_reason: p.no_action_reason,
                }),
                None => None,
            };
            let record = Incident {
                id: i.id,
                title: i.title,
                summary: i.summary,
                severity: i.severity,
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
                runbook_outcome: i.runbook_outcome,
                cause_category: i.cause_category,
                version: i.version,
                created_by: people.name(i.created_by)?,
                created_at: i.created_at,
                updated_at: i.updated_at,
                service_ids: services.remove(&i.id).unwrap_or_default(),
                tags: tags.remove(&i.id).unwrap_or_default(),
                repeats: repeats.remove(&i.id).unwrap_or_default(),
                postmortem,
                timeline: timelines.remove(&i.id).unwrap_or_default(),
            };
            out.record(&mut list, &record).await?;
        }
    }
    out.close_list(list).await
}

async fn export_action_items(
    txn: &DatabaseTransaction,
    people: &People,
    out: &mut Out,
) -> Result<(), AppError> {
    let mut list = out.open_list("action_items").await?;
    let mut after = 0;
    loop {
        let page = action_item::Entity::find()
            .filter(action_item::Column::Id.gt(after))
            .order_by_asc(action_item::Column::Id)
            .limit(ROWS_PER_PAGE)
            .all(txn)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|i| i.id).collect();
        let mut also: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in action_item_incident::Entity::find()
            .filter(action_item_incident::Column::ActionItemId.is_in(ids))
            .order_by_asc(action_item_incident::Column::IncidentId)
            .all(txn)
            .await?
        {
            also.entry(row.action_item_id)
                .or_default()
                .push(row.incident_id);
        }
        for a in page {
            let record = ActionItem {
                id: a.id,
                title: a.title,
                description: a.description,
                incident_id: a.incident_id,
                also_answers: also.remove(&a.id).unwrap_or_default(),
                owner: people.name_opt(a.owner_id)?,
                team_id: a.team_id,
                service_id: a.service_id,
                action_type: a.action_type,
                priority: a.priority,
                due_on: a.due_on,
                tracker_url: a.tracker_url,
                cadence: a.cadence,
                state: a.state,
                outcome: a.outcome,
                evidence: a.evidence,
                evidence_url: a.evidence_url,
                wont_do_reason: a.wont_do_reason,
                done_at: a.done_at,
                done_on: a.done_on,
                verify_on: a.verify_on,
                verified_at: a.verified_at,
                verified_by: people.name_opt(a.verified_by)?,
                follow_up_of: a.follow_up_of,
                committed_at: a.committed_at,
                closed_at: a.closed_at,
                version: a.version,
                created_by: people.name(a.created_by)?,
                created_at: a.created_at,
                updated_at: a.updated_at,
            };
            out.record(&mut list, &record).await?;
        }
    }
    out.close_list(list).await
}

async fn export_reviews(
    txn: &DatabaseTransaction,
    people: &People,
    out: &mut Out,
) -> Result<(), AppError> {
    let mut items: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for row in review_item::Entity::find()
        .order_by_asc(review_item::Column::ActionItemId)
        .all(txn)
        .await?
    {
        items
            .entry(row.review_id)
            .or_default()
            .push(row.action_item_id);
    }
    let mut list = out.open_list("reviews").await?;
    for r in review::Entity::find()
        .order_by_asc(review::Column::Id)
        .all(txn)
        .await?
    {
        let record = Review {
            id: r.id,
            cadence: r.cadence,
            period_key: r.period_key,
            status: r.status,
            facilitator: people.name(r.facilitator_id)?,
            attendees: r.attendees,
            notes: r.notes,
            snapshot: r.snapshot,
            action_item_ids: items.remove(&r.id).unwrap_or_default(),
            created_at: r.created_at,
            closed_at: r.closed_at,
            closed_by: people.name_opt(r.closed_by)?,
            version: r.version,
        };
        out.record(&mut list, &record).await?;
    }
    out.close_list(list).await
}

// ---------------------------------------------------------------------------------------------
// Import

/// How far an import has come, in records written of those the archive holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// What an import wrote, and the accounts it had to create (they have no password yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub counts: Counts,
    pub accounts_created: Vec<String>,
}

/// Reads a document's text as an archive, naming the line and column where it stops making sense.
pub fn parse(text: &[u8]) -> Result<Archive, AppError> {
    let refuse = |message: String| AppError::validation("archive", "Archive", message);
    let label: Label = serde_json::from_slice(text).map_err(|e| {
        refuse(format!(
            "is not a JSON document ({e}); choose a file exported from Hindsight"
        ))
    })?;
    if label.format.as_deref() != Some(FORMAT) {
        return Err(refuse(format!(
            "is not a Hindsight archive: its \"format\" should be \"{FORMAT}\""
        )));
    }
    match label.version {
        Some(VERSION) => {}
        Some(v) if v > VERSION => {
            return Err(refuse(format!(
                "is format version {v}, newer than this Hindsight reads ({VERSION}); upgrade Hindsight first"
            )));
        }
        other => {
            return Err(refuse(format!(
                "has format version {}, which this Hindsight does not read (it reads {VERSION})",
                other.map_or("none".to_string(), |v| v.to_string())
            )));
        }
    }
    serde_json::from_slice(text).map_err(|e| refuse(format!("does not read as an archive: {e}")))
}

/// Problems found before anything is written, each saying where it is.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, at: impl FnOnce() -> String, message: impl std::fmt::Display) {
        if self.0.len() < MAX_PROBLEMS {
            self.0.push(format!("{}: {message}", at()));
        } else if self.0.len() == MAX_PROBLEMS {
            self.0.push("and more".to_string());
        }
    }

    fn key<T>(
        &mut self,
        at: impl Fn() -> String,
        field: &str,
        value: &str,
        parse: fn(&str) -> Result<T, String>,
    ) {
        if let Err(message) = parse(value) {
            self.add(|| format!("{} {field} \"{value}\"", at()), message);
        }
    }

    fn key_opt<T>(
        &mut self,
        at: impl Fn() -> String,
        field: &str,
        value: &Option<String>,
        parse: fn(&str) -> Result<T, String>,
    ) {
        if let Some(value) = value {
            self.key(at, field, value, parse);
        }
    }

    fn refers(&mut self, at: impl FnOnce() -> String, what: &str, id: i64, known: &HashSet<i64>) {
        if !known.contains(&id) {
            self.add(
                at,
                format!("refers to {what} {id}, which the archive does not hold"),
            );
        }
    }

    fn person(&mut self, at: impl FnOnce() -> String, name: &str, known: &HashSet<&str>) {
        if !known.contains(name) {
            self.add(
                at,
                format!("names the account \"{name}\", which the archive does not hold"),
            );
        }
    }
}

/// Everything that would make the archive's rows fail or mislead: unknown choices, references
/// to records it does not hold, duplicate ids.
fn check(archive: &Archive) -> Result<(), AppError> {
    let mut p = Problems::default();
    let mut usernames = HashSet::new();
    for (n, u) in archive.users.iter().enumerate() {
        let at = || format!("users[{n}] ({})", u.username);
        if !usernames.insert(u.username.as_str()) {
            p.add(at, "appears twice");
        }
        if let Err(message) = Role::parse(&u.role) {
            p.add(|| format!("users[{n}] ({}) role", u.username), message);
        }
        if let Err(message) = parse_zone(&u.time_zone) {
            p.add(|| format!("users[{n}] ({}) time_zone", u.username), message);
        }
    }
    if let Err(message) = parse_zone(&archive.organisation.reporting_zone) {
        p.add(|| "organisation.reporting_zone".to_string(), message);
    }
    if let Some(name) = &archive.postmortem_template.updated_by {
        p.person(|| "postmortem_template".to_string(), name, &usernames);
    }

    fn ids<T>(p: &mut Problems, list: &str, rows: &[T], id: fn(&T) -> i64) -> HashSet<i64> {
        let mut seen = HashSet::new();
        for (n, row) in rows.iter().enumerate() {
            let id = id(row);
            if !seen.insert(id) {
                p.add(|| format!("{list}[{n}]"), format!("id {id} appears twice"));
            }
        }
        seen
    }
    let teams = ids(&mut p, "teams", &archive.teams, |t| t.id);
    let services = ids(&mut p, "services", &archive.services, |s| s.id);
    let incidents = ids(&mut p, "incidents", &archive.incidents, |i| i.id);
    let items = ids(&mut p, "action_items", &archive.action_items, |a| a.id);
    ids(&mut p, "reviews", &archive.reviews, |r| r.id);
    ids(&mut p, "deploys", &archive.deploys, |d| d.id);
    ids(&mut p, "history", &archive.history, |h| h.id);
    ids(&mut p, "alert_groups", &archive.alert_groups, |g| g.id);
    ids(&mut p, "alert_mappings", &archive.alert_mappings, |m| m.id);
    let events: Vec<&TimelineEvent> = archive.incidents.iter().flat_map(|i| &i.timeline).collect();
    let mut event_ids = HashSet::new();
    for e in &events {
        if !event_ids.insert(e.id) {
            p.add(
                || "timeline".to_string(),
                format!("event id {} appears twice", e.id),
            );
        }
    }
    let alert_ids: Vec<i64> = archive
        .alert_groups
        .iter()
        .flat_map(|g| g.alerts.iter().map(|a| a.id))
        .collect();
    if alert_ids.iter().collect::<HashSet<_>>().len() != alert_ids.len() {
        p.add(|| "alert_groups".to_string(), "an alert id appears twice");
    }

    for (n, s) in archive.services.iter().enumerate() {
        p.refers(
            || format!("services[{n}] ({})", s.name),
            "team",
            s.team_id,
            &teams,
        );
    }
    let mut sources = HashSet::new();
    for (n, s) in archive.alert_sources.iter().enumerate() {
        let at = || format!("alert_sources[{n}]");
        p.key(at, "source", &s.source, AlertSourceKind::parse);
        sources.insert(s.source.as_str());
        p.person(at, &s.actor, &usernames);
        if let Some(id) = s.fallback_service_id {
            p.refers(at, "service", id, &services);
        }
    }
    for (n, m) in archive.alert_mappings.iter().enumerate() {
        let at = || format!("alert_mappings[{n}]");
        if !sources.contains(m.source.as_str()) {
            p.add(
                at,
                format!(
                    "maps for the source \"{}\", which the archive does not hold",
                    m.source
                ),
            );
        }
        p.key(at, "kind", &m.kind, MappingKind::parse);
        p.key_opt(at, "severity", &m.severity, Severity::parse);
        if let Some(id) = m.service_id {
            p.refers(at, "service", id, &services);
        }
    }
    for (n, i) in archive.incidents.iter().enumerate() {
        let at = || format!("incidents[{n}] (id {})", i.id);
        p.key(at, "severity", &i.severity, Severity::parse);
        p.key_opt(at, "detected_by", &i.detected_by, DetectionSource::parse);
        p.key_opt(
            at,
            "runbook_outcome",
            &i.runbook_outcome,
            RunbookOutcome::parse,
        );
        p.key_opt(
            at,
            "cause_category",
            &i.cause_category,
            CauseCategory::parse,
        );
        p.person(at, &i.created_by, &usernames);
        for &s in &i.service_ids {
            p.refers(at, "service", s, &services);
        }
        for &r in &i.repeats {
            p.refers(at, "incident", r, &incidents);
        }
        if let Some(pm) = &i.postmortem {
            p.key(at, "postmortem status", &pm.status, PostmortemStatus::parse);
            p.person(at, &pm.updated_by, &usernames);
            if let Some(name) = &pm.published_by {
                p.person(at, name, &usernames);
            }
        }
        for e in &i.timeline {
            let at = || format!("incidents[{n}] (id {}) event {}", i.id, e.id);
            p.key(at, "kind", &e.kind, EventKind::parse);
            p.key_opt(at, "marks", &e.marks, KeyMoment::parse);
            p.person(at, &e.author, &usernames);
        }
    }
    for (n, a) in archive.action_items.iter().enumerate() {
        let at = || format!("action_items[{n}] (id {})", a.id);
        p.refers(at, "incident", a.incident_id, &incidents);
        for &id in &a.also_answers {
            p.refers(at, "incident", id, &incidents);
        }
        p.key(at, "action_type", &a.action_type, ActionType::parse);
        p.key(at, "priority", &a.priority, Priority::parse);
        p.key(at, "cadence", &a.cadence, Cadence::parse);
        p.key(at, "state", &a.state, ActionState::parse);
        p.key_opt(at, "outcome", &a.outcome, Outcome::parse);
        p.person(at, &a.created_by, &usernames);
        for name in [&a.owner, &a.verified_by].into_iter().flatten() {
            p.person(at, name, &usernames);
        }
        if let Some(id) = a.team_id {
            p.refers(at, "team", id, &teams);
        }
        if let Some(id) = a.service_id {
            p.refers(at, "service", id, &services);
        }
        if let Some(id) = a.follow_up_of {
            // Items are written in id order, and a follow-up comes after what it follows.
            if id >= a.id || !items.contains(&id) {
                p.add(
                    at,
                    format!("follows up item {id}, which must be an earlier item in the archive"),
                );
            }
        }
    }
    for (n, r) in archive.reviews.iter().enumerate() {
        let at = || format!("reviews[{n}] (id {})", r.id);
        p.key(at, "cadence", &r.cadence, Cadence::parse);
        p.key(at, "status", &r.status, ReviewStatus::parse);
        p.person(at, &r.facilitator, &usernames);
        if let Some(name) = &r.closed_by {
            p.person(at, name, &usernames);
        }
        for &id in &r.action_item_ids {
            p.refers(at, "action item", id, &items);
        }
    }
    for (n, d) in archive.deploys.iter().enumerate() {
        let at = || format!("deploys[{n}] (id {})", d.id);
        p.refers(at, "service", d.service_id, &services);
        p.key(at, "outcome", &d.outcome, DeployOutcome::parse);
        p.person(at, &d.recorded_by, &usernames);
    }
    for (n, h) in archive.history.iter().enumerate() {
        let at = || format!("history[{n}] (id {})", h.id);
        if let Some(id) = h.incident_id {
            p.refers(at, "incident", id, &incidents);
        }
        p.key(at, "subject", &h.subject, Subject::parse);
        p.key(at, "action", &h.action, HistoryAction::parse);
        p.person(at, &h.actor, &usernames);
    }
    for (n, g) in archive.alert_groups.iter().enumerate() {
        let at = || format!("alert_groups[{n}] (id {})", g.id);
        p.key(at, "source", &g.source, AlertSourceKind::parse);
        p.refers(at, "incident", g.incident_id, &incidents);
        for a in &g.alerts {
            p.key(at, "alert status", &a.status, AlertStatus::parse);
        }
    }

    if p.0.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(
            "archive",
            "Archive",
            format!("cannot be imported: {}", p.0.join("; ")),
        ))
    }
}

/// What this instance already holds of the organisation's kind of data, said as "3 teams";
/// an archive goes only where this is empty: it is a whole history, and its numbers would
/// collide with the ones here.
pub async fn held(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    let held = [
        ("teams", team::Entity::find().count(db).await?),
        ("services", service::Entity::find().count(db).await?),
        ("incidents", incident::Entity::find().count(db).await?),
        ("action items", action_item::Entity::find().count(db).await?),
        ("reviews", review::Entity::find().count(db).await?),
        ("deploys", deploy::Entity::find().count(db).await?),
        (
            "alert sources",
            alert_source::Entity::find().count(db).await?,
        ),
    ];
    Ok(held
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect())
}

async fn check_empty(txn: &DatabaseTransaction) -> Result<(), AppError> {
    let held = held(txn).await?;
    if held.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(
            "archive",
            "Archive",
            format!(
                "can only be imported into an empty instance; this one already holds {}",
                held.join(", ")
            ),
        ))
    }
}

/// Ids of the accounts the archive names: existing accounts by username, new ones otherwise.
struct Accounts(HashMap<String, i64>);

impl Accounts {
    fn id(&self, name: &str) -> i64 {
        // `check` has made sure that every name is among the archive's users.
        self.0[name]
    }

    fn id_opt(&self, name: &Option<String>) -> Option<i64> {
        name.as_deref().map(|n| self.id(n))
    }
}

/// Counts progress and tells the caller after each batch.
struct Tally<'a> {
    done: u64,
    total: u64,
    report: &'a mut (dyn FnMut(Progress) + Send),
}

impl Tally<'_> {
    fn add(&mut self, n: usize) {
        self.done += n as u64;
        (self.report)(Progress {
            done: self.done.min(self.total),
            total: self.total,
        });
    }
}

async fn insert_all<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), AppError>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Writes the archive into this instance, all of it or nothing, telling `report` how far it
/// has come after each batch.
#[tracing::instrument(skip_all)]
pub async fn import(
    db: &DatabaseConnection,
    archive: Archive,
    report: &mut (dyn FnMut(Progress) + Send),
) -> Result<Imported, AppError> {
    check(&archive)?;
    let mut archive = archive;
    // In id order, so that an item's follow-ups are written after it.
    archive.action_items.sort_by_key(|a| a.id);
    let txn = db.begin().await?;
    check_empty(&txn).await?;
    let mut counts = Counts {
        users: archive.users.len() as u64,
        teams: archive.teams.len() as u64,
        services: archive.services.len() as u64,
        incidents: archive.incidents.len() as u64,
        timeline_events: archive
            .incidents
            .iter()
            .map(|i| i.timeline.len() as u64)
            .sum(),
        action_items: archive.action_items.len() as u64,
        reviews: archive.reviews.len() as u64,
        deploys: archive.deploys.len() as u64,
        history_entries: archive.history.len() as u64,
        alert_groups: archive.alert_groups.len() as u64,
    };
    let mut tally = Tally {
        done: 0,
        total: counts.records(),
        report,
    };
    tally.add(0);

    let mut accounts = Accounts(
        user::Entity::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|u| (u.username, u.id))
            .collect(),
    );
    let mut accounts_created = Vec::new();
    for u in &archive.users {
        if accounts.0.contains_key(&u.username) {
            continue;
        }
        // No password: the person cannot sign in until an admin resets it.
        let created = user::ActiveModel {
            username: Set(u.username.clone()),
            display_name: Set(u.display_name.clone()),
            email: Set(u.email.clone()),
            password_hash: Set(String::new()),
            role: Set(u.role.clone()),
            disabled: Set(u.disabled),
            session_epoch: Set(0),
            created_at: Set(u.created_at),
            last_login_at: Set(None),
            time_zone: Set(u.time_zone.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        accounts.0.insert(created.username, created.id);
        accounts_created.push(u.username.clone());
    }
    tally.add(archive.users.len());

    organisation::ActiveModel {
        id: Set(1),
        reporting_zone: Set(archive.organisation.reporting_zone.clone()),
        detection_gap_threshold: Set(archive.organisation.detection_gap_threshold),
        version: Set(archive.organisation.version),
    }
    .update(&txn)
    .await?;
    let template = postmortem_template::Entity::find()
        .order_by_asc(postmortem_template::Column::Id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("the postmortem template row is missing"))?;
    postmortem_template::ActiveModel {
        id: Set(template.id),
        body: Set(archive.postmortem_template.body.clone()),
        version: Set(archive.postmortem_template.version),
        updated_by: Set(accounts.id_opt(&archive.postmortem_template.updated_by)),
        updated_at: Set(archive.postmortem_template.updated_at),
    }
    .update(&txn)
    .await?;

    insert_all(
        &txn,
        archive
            .teams
            .iter()
            .map(|t| team::ActiveModel {
                id: Set(t.id),
                name: Set(t.name.clone()),
                version: Set(t.version),
                created_at: Set(t.created_at),
            })
            .collect(),
    )
    .await?;
    tally.add(archive.teams.len());
    insert_all(
        &txn,
        archive
            .services
            .iter()
            .map(|s| service::ActiveModel {
                id: Set(s.id),
                team_id: Set(s.team_id),
                name: Set(s.name.clone()),
                slo_target_percent: Set(s.slo_target_percent),
                runbook_url: Set(s.runbook_url.clone()),
                version: Set(s.version),
                created_at: Set(s.created_at),
            })
            .collect(),
    )
    .await?;
    tally.add(archive.services.len());
    for s in &archive.alert_sources {
        // The secret stays behind; a new random one that nobody holds keeps the source shut
        // until an admin sets its token or signing secret again.
        alert_source::ActiveModel {
            source: Set(s.source.clone()),
            secret: Set(hash(&random_secret("unset-"))),
            actor_id: Set(accounts.id(&s.actor)),
            service_labels: Set(s.service_labels.clone()),
            fallback_service_id: Set(s.fallback_service_id),
            last_delivery_at: Set(None),
            last_error: Set(None),
            last_error_at: Set(None),
            created_at: Set(s.created_at),
            version: Set(s.version),
        }
        .insert(&txn)
        .await?;
    }
    insert_all(
        &txn,
        archive
            .alert_mappings
            .iter()
            .map(|m| alert_mapping::ActiveModel {
                id: Set(m.id),
                source: Set(m.source.clone()),
                kind: Set(m.kind.clone()),
                label: Set(m.label.clone()),
                value: Set(m.value.clone()),
                service_id: Set(m.service_id),
                severity: Set(m.severity.clone()),
            })
            .collect(),
    )
    .await?;

    let mut repeats = Vec::new();
    for page in archive.incidents.chunks(INCIDENTS_PER_PAGE as usize) {
        import_incidents(&txn, &accounts, page, &mut repeats).await?;
        tally.add(page.len());
    }
    insert_all(&txn, repeats).await?;

    for page in archive.action_items.chunks(ROWS_PER_PAGE as usize) {
        import_action_items(&txn, &accounts, page).await?;
        tally.add(page.len());
    }

    for r in &archive.reviews {
        review::ActiveModel {
            id: Set(r.id),
            cadence: Set(r.cadence.clone()),
            period_key: Set(r.period_key.clone()),
            status: Set(r.status.clone()),
            facilitator_id: Set(accounts.id(&r.facilitator)),
            attendees: Set(r.attendees.clone()),
            notes: Set(r.notes.clone()),
            snapshot: Set(r.snapshot.clone()),
            created_at: Set(r.created_at),
            closed_at: Set(r.closed_at),
            closed_by: Set(accounts.id_opt(&r.closed_by)),
            version: Set(r.version),
        }
        .insert(&txn)
        .await?;
        insert_all(
            &txn,
            r.action_item_ids
                .iter()
                .map(|&id| review_item::ActiveModel {
                    review_id: Set(r.id),
                    action_item_id: Set(id),
                })
                .collect(),
        )
        .await?;
    }
    tally.add(archive.reviews.len());

    for page in archive.deploys.chunks(ROWS_PER_PAGE as usize) {
        insert_all(
            &txn,
            page.iter()
                .map(|d| deploy::ActiveModel {
                    id: Set(d.id),
                    service_id: Set(d.service_id),
                    deployed_at: Set(d.deployed_at),
                    outcome: Set(d.outcome.clone()),
                    reference: Set(d.reference.clone()),
                    recorded_by: Set(accounts.id(&d.recorded_by)),
                    created_at: Set(d.created_at),
                })
                .collect(),
        )
        .await?;
        tally.add(page.len());
    }

    for page in archive.history.chunks(ROWS_PER_PAGE as usize) {
        insert_all(
            &txn,
            page.iter()
                .map(|h| history_entry::ActiveModel {
                    id: Set(h.id),
                    incident_id: Set(h.incident_id),
                    subject: Set(h.subject.clone()),
                    subject_id: Set(h.subject_id),
                    action: Set(h.action.clone()),
                    actor_id: Set(accounts.id(&h.actor)),
                    at: Set(h.at),
                    changes: Set(h.changes.clone()),
                    note: Set(h.note.clone()),
                })
                .collect(),
        )
        .await?;
        tally.add(page.len());
    }

    insert_all(
        &txn,
        archive
            .alert_groups
            .iter()
            .map(|g| alert_group::ActiveModel {
                id: Set(g.id),
                source: Set(g.source.clone()),
                group_key: Set(g.group_key.clone()),
                incident_id: Set(g.incident_id),
                created_at: Set(g.created_at),
            })
            .collect(),
    )
    .await?;
    insert_all(
        &txn,
        archive
            .alert_groups
            .iter()
            .flat_map(|g| {
                g.alerts.iter().map(|a| alert::ActiveModel {
                    id: Set(a.id),
                    group_id: Set(g.id),
                    fingerprint: Set(a.fingerprint.clone()),
                    starts_at: Set(a.starts_at),
                    status: Set(a.status.clone()),
                    ends_at: Set(a.ends_at),
                    updated_at: Set(a.updated_at),
                })
            })
            .collect(),
    )
    .await?;
    tally.add(archive.alert_groups.len());

    if txn.get_database_backend() == DbBackend::Postgres {
        advance_sequences(&txn).await?;
    }
    txn.commit().await?;
    counts.users = accounts_created.len() as u64;
    tracing::info!(
        incidents = counts.incidents,
        action_items = counts.action_items,
        accounts_created = counts.users,
        "archive imported"
    );
    Ok(Imported {
        counts,
        accounts_created,
    })
}

async fn import_incidents(
    txn: &DatabaseTransaction,
    accounts: &Accounts,
    page: &[Incident],
    repeats: &mut Vec<incident_repeat::ActiveModel>,
) -> Result<(), AppError> {
    let mut incidents = Vec::with_capacity(page.len());
    let mut services = Vec::new();
    let mut tags = Vec::new();
    let mut events = Vec::new();
    let mut postmortems = Vec::new();
    let mut search_rows = Vec::with_capacity(page.len());
    for i in page {
        incidents.push(incident::ActiveModel {
            id: Set(i.id),
            title: Set(i.title.clone()),
            summary: Set(i.summary.clone()),
            severity: Set(i.severity.clone()),
            customer_impact: Set(i.customer_impact),
            impact_description: Set(i.impact_description.clone()),
            started_at: Set(i.started_at),
            detected_at: Set(i.detected_at),
            acknowledged_at: Set(i.acknowledged_at),
            mitigated_at: Set(i.mitigated_at),
            resolved_at: Set(i.resolved_at),
            detected_by: Set(i.detected_by.clone()),
            monitoring_should_have_caught: Set(i.monitoring_should_have_caught),
            known_problem: Set(i.known_problem),
            runbook_outcome: Set(i.runbook_outcome.clone()),
            cause_category: Set(i.cause_category.clone()),
            version: Set(i.version),
            created_by: Set(accounts.id(&i.created_by)),
            created_at: Set(i.created_at),
            updated_at: Set(i.updated_at),
        });
        services.extend(
            i.service_ids
                .iter()
                .map(|&s| incident_service::ActiveModel {
                    incident_id: Set(i.id),
                    service_id: Set(s),
                }),
        );
        tags.extend(i.tags.iter().map(|t| incident_tag::ActiveModel {
            incident_id: Set(i.id),
            tag: Set(t.clone()),
        }));
        repeats.extend(i.repeats.iter().map(|&r| incident_repeat::ActiveModel {
            incident_id: Set(i.id),
            repeats_incident_id: Set(r),
        }));
        events.extend(i.timeline.iter().map(|e| timeline_event::ActiveModel {
            id: Set(e.id),
            incident_id: Set(i.id),
            occurred_at: Set(e.occurred_at),
            kind: Set(e.kind.clone()),
            body: Set(e.body.clone()),
            marks: Set(e.marks.clone()),
            author_id: Set(accounts.id(&e.author)),
            version: Set(e.version),
            created_at: Set(e.created_at),
            updated_at: Set(e.updated_at),
        }));
        if let Some(p) = &i.postmortem {
            postmortems.push(postmortem::ActiveModel {
                incident_id: Set(i.id),
                body: Set(p.body.clone()),
                status: Set(p.status.clone()),
                lint_warnings: Set(p.lint_warnings),
                version: Set(p.version),
                updated_by: Set(accounts.id(&p.updated_by)),
                updated_at: Set(p.updated_at),
                published_by: Set(accounts.id_opt(&p.published_by)),
                published_at: Set(p.published_at),
                reopen_reason: Set(p.reopen_reason.clone()),
                no_action_reason: Set(p.no_action_reason.clone()),
            });
        }
        let mut timeline: Vec<&TimelineEvent> = i.timeline.iter().collect();
        timeline.sort_by_key(|e| e.occurred_at);
        search_rows.push(SearchRow {
            incident_id: i.id,
            title: i.title.clone(),
            summary: i.summary.clone(),
            postmortem: i
                .postmortem
                .as_ref()
                .map(|p| p.body.clone())
                .unwrap_or_default(),
            timeline: timeline
                .iter()
                .map(|e| e.body.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    insert_all(txn, incidents).await?;
    insert_all(txn, services).await?;
    insert_all(txn, tags).await?;
    insert_all(txn, events).await?;
    insert_all(txn, postmortems).await?;
    search::insert(txn, search_rows).await
}

async fn import_action_items(
    txn: &DatabaseTransaction,
    accounts: &Accounts,
    page: &[ActionItem],
) -> Result<(), AppError> {
    let mut items = Vec::with_capacity(page.len());
    let mut also = Vec::new();
    for a in page {
        items.push(action_item::ActiveModel {
            id: Set(a.id),
            title: Set(a.title.clone()),
            description: Set(a.description.clone()),
            incident_id: Set(a.incident_id),
            owner_id: Set(accounts.id_opt(&a.owner)),
            team_id: Set(a.team_id),
            service_id: Set(a.service_id),
            action_type: Set(a.action_type.clone()),
            priority: Set(a.priority.clone()),
            due_on: Set(a.due_on),
            tracker_url: Set(a.tracker_url.clone()),
            cadence: Set(a.cadence.clone()),
            state: Set(a.state.clone()),
            outcome: Set(a.outcome.clone()),
            evidence: Set(a.evidence.clone()),
            evidence_url: Set(a.evidence_url.clone()),
            wont_do_reason: Set(a.wont_do_reason.clone()),
            done_at: Set(a.done_at),
            done_on: Set(a.done_on),
            verify_on: Set(a.verify_on),
            verified_at: Set(a.verified_at),
            verified_by: Set(accounts.id_opt(&a.verified_by)),
            follow_up_of: Set(a.follow_up_of),
            committed_at: Set(a.committed_at),
            closed_at: Set(a.closed_at),
            version: Set(a.version),
            created_by: Set(accounts.id(&a.created_by)),
            created_at: Set(a.created_at),
            updated_at: Set(a.updated_at),
        });
        also.extend(
            a.also_answers
                .iter()
                .map(|&id| action_item_incident::ActiveModel {
                    action_item_id: Set(a.id),
                    incident_id: Set(id),
                }),
        );
    }
    insert_all(txn, items).await?;
    insert_all(txn, also).await
}

/// PostgreSQL's id sequences do not see ids given explicitly; move them past the imported rows.
async fn advance_sequences(txn: &DatabaseTransaction) -> Result<(), AppError> {
    for table in [
        "users",
        "teams",
        "services",
        "alert_mappings",
        "incidents",
        "timeline_events",
        "action_items",
        "reviews",
        "deploys",
        "history_entries",
        "alert_groups",
        "alerts",
    ] {
        txn.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))
        .await?;
    }
    Ok(())
}
