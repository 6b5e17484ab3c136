//! Incidents: recording them with their services, repeats and tags in one transaction, reading
//! them back, changing them only from the version the change was based on, and listing them
//! newest first a page at a time.

use crate::domain::history::{self as changes, HistoryAction, Subject};
use crate::domain::incident::{CauseCategory, DetectionSource, KeyTimes, RunbookOutcome, Severity};
use crate::domain::postmortem::PostmortemStatus;
use crate::domain::timeline::KeyMoment;
use crate::entities::{
    incident, incident_repeat, incident_service, incident_tag, postmortem, service, timeline_event,
};
use crate::error::AppError;
use crate::services::{catalog, history, search};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{Condition, DatabaseTransaction, QueryOrder, QuerySelect, Set, TransactionTrait};

/// Everything a person enters for an incident, already parsed.
#[derive(Clone, Debug)]
pub struct IncidentInput {
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub service_ids: Vec<i64>,
    pub customer_impact: bool,
    pub impact_description: String,
    pub times: KeyTimes,
    pub detected_by: Option<DetectionSource>,
    /// Only kept when the incident was not detected by an alert.
    pub monitoring_should_have_caught: Option<bool>,
    pub known_problem: Option<bool>,
    /// Earlier incidents this one repeats; only for a known problem.
    pub repeats: Vec<i64>,
    pub runbook_outcome: Option<RunbookOutcome>,
    pub cause_category: Option<CauseCategory>,
    pub tags: Vec<String>,
}

/// An incident with what hangs off it.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentRecord {
    pub incident: incident::Model,
    pub service_ids: Vec<i64>,
    pub repeats: Vec<i64>,
    pub tags: Vec<String>,
}

/// Which incidents a list shows.
#[derive(Clone, Debug, Default)]
pub struct IncidentFilter {
    pub severity: Option<Severity>,
    pub service_id: Option<i64>,
    /// Incidents affecting any service of this team.
    pub team_id: Option<i64>,
    pub detected_by: Option<DetectionSource>,
    pub known_problem: Option<bool>,
    pub runbook_outcome: Option<RunbookOutcome>,
    /// "Draft" includes incidents whose postmortem nobody has started.
    pub postmortem_status: Option<PostmortemStatus>,
    /// Impact started at or after this.
    pub started_from: Option<DateTime<Utc>>,
    /// Impact started before this.
    pub started_before: Option<DateTime<Utc>>,
    pub open_only: bool,
    /// Only these incidents (the hits of a text search).
    pub ids: Option<Vec<i64>>,
}

/// The order of a list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest start first.
    #[default]
    Newest,
    /// SEV1 first, newest first within a severity.
    Severity,
}

/// Where a page of a list starts: after this incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Set when the list is sorted by severity.
    pub severity: Option<Severity>,
    pub started_at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    /// The cursor that continues after `incident` in a list sorted by `sort`.
    pub fn after(incident: &incident::Model, sort: Sort) -> Cursor {
        Cursor {
            severity: match sort {
                Sort::Newest => None,
                Sort::Severity => Severity::parse(&incident.severity).ok(),
            },
            started_at: incident.started_at,
            id: incident.id,
        }
    }

    /// The text form handed out as `after` in links and the API.
    pub fn encode(&self) -> String {
        match self.severity {
            Some(severity) => format!(
                "{}~{}~{}",
                severity.key(),
                self.started_at.to_rfc3339(),
                self.id
            ),
            None => format!("{}~{}", self.started_at.to_rfc3339(), self.id),
        }
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let parts: Vec<&str> = text.split('~').collect();
        let (severity, time, id) = match parts.as_slice() {
            [time, id] => (None, time, id),
            [severity, time, id] => (Some(Severity::parse(severity).ok()?), time, id),
            _ => return None,
        };
        Some(Cursor {
            severity,
            started_at: DateTime::parse_from_rfc3339(time).ok()?.with_timezone(&Utc),
            id: id.parse().ok()?,
        })
    }
}

async fn check(
    db: &impl ConnectionTrait,
    input: &IncidentInput,
    this: Option<i64>,
) -> Result<(), AppError> {
    if input.service_ids.is_empty() {
        return Err(AppError::validation(
            "services",
            "Affected services",
            "must include at least one service",
        ));
    }
    let known = service::Entity::find()
        .filter(service::Column::Id.is_in(input.service_ids.clone()))
        .count(db)
        .await?;
    if known as usize != input.service_ids.len() {
        return Err(AppError::validation(
            "services",
            "Affected services",
            "include one that does not exist",
        ));
    }
    input
        .times
        .check_order()
        .map_err(|e| AppError::validation(e.field, e.label, e.message))?;
    if !input.repeats.is_empty() {
        if input.known_problem != Some(true) {
            return Err(AppError::validation(
                "repeats",
                "Repeated incidents",
                "apply only to a known problem",
            ));
        }
        if this.is_some_and(|id| input.repeats.contains(&id)) {
            return Err(AppError::validation(
                "repeats",
                "Repeated incidents",
                "cannot include this incident",
            ));
        }
        let found = incident::Entity::find()
            .filter(incident::Column::Id.is_in(input.repeats.clone()))
            .count(db)
            .await?;
        if found as usize != input.repeats.len() {
            return Err(AppError::validation(
                "repeats",
                "Repeated incidents",
                "include one that does not exist",
            ));
        }
    }
    Ok(())
}

fn dedup(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Times are kept to the whole second: the forms enter seconds, and analytics count them.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(0)
}

fn normalised(mut input: IncidentInput) -> IncidentInput {
    let t = input.times;
    input.times = KeyTimes {
        started: whole_seconds(t.started),
        detected: t.detected.map(whole_seconds),
        acknowledged: t.acknowledged.map(whole_seconds),
        mitigated: t.mitigated.map(whole_seconds),
        resolved: t.resolved.map(whole_seconds),
    };
    input.service_ids = dedup(input.service_ids);
    input.repeats = dedup(input.repeats);
    if input.detected_by == Some(DetectionSource::Alert) {
        input.monitoring_should_have_caught = None;
    }
    input
}

async fn write_links(
    txn: &DatabaseTransaction,
    id: i64,
    input: &IncidentInput,
) -> Result<(), AppError> {
    incident_service::Entity::delete_many()
        .filter(incident_service::Column::IncidentId.eq(id))
        .exec(txn)
        .await?;
    incident_repeat::Entity::delete_many()
        .filter(incident_repeat::Column::IncidentId.eq(id))
        .exec(txn)
        .await?;
    incident_tag::Entity::delete_many()
        .filter(incident_tag::Column::IncidentId.eq(id))
        .exec(txn)
        .await?;
    if !input.service_ids.is_empty() {
        incident_service::Entity::insert_many(input.service_ids.iter().map(|&service_id| {
            incident_service::ActiveModel {
                incident_id: Set(id),
                service_id: Set(service_id),
            }
        }))
        .exec(txn)
        .await?;
    }
    if !input.repeats.is_empty() {
        incident_repeat::Entity::insert_many(input.repeats.iter().map(|&earlier| {
            incident_repeat::ActiveModel {
                incident_id: Set(id),
                repeats_incident_id: Set(earlier),
            }
        }))
        .exec(txn)
        .await?;
    }
    if !input.tags.is_empty() {
        incident_tag::Entity::insert_many(input.tags.iter().map(|tag| incident_tag::ActiveModel {
            incident_id: Set(id),
            tag: Set(tag.clone()),
        }))
        .exec(txn)
        .await?;
    }
    Ok(())
}

/// The columns an edit sets, shared by create and update.
fn fill(active: &mut incident::ActiveModel, input: &IncidentInput, now: DateTime<Utc>) {
    active.title = Set(input.title.clone());
    active.summary = Set(input.summary.clone());
    active.severity = Set(input.severity.key().to_string());
    active.customer_impact = Set(input.customer_impact);
    active.impact_description = Set(input.impact_description.clone());
    active.started_at = Set(input.times.started);
    active.detected_at = Set(input.times.detected);
    active.acknowledged_at = Set(input.times.acknowledged);
    active.mitigated_at = Set(input.times.mitigated);
    active.resolved_at = Set(input.times.resolved);
    active.detected_by = Set(input.detected_by.map(|d| d.key().to_string()));
    active.monitoring_should_have_caught = Set(input.monitoring_should_have_caught);
    active.known_problem = Set(input.known_problem);
    active.runbook_outcome = Set(input.runbook_outcome.map(|r| r.key().to_string()));
    active.cause_category = Set(input.cause_category.map(|c| c.key().to_string()));
    active.updated_at = Set(now);
}

#[tracing::instrument(skip(db, input), fields(title = %input.title))]
pub async fn create(
    db: &impl TransactionTrait<Transaction = DatabaseTransaction>,
    input: IncidentInput,
    author_id: i64,
    now: DateTime<Utc>,
) -> Result<IncidentRecord, AppError> {
    let input = normalised(input);
    let txn = db.begin().await?;
    check(&txn, &input, None).await?;
    let mut active = incident::ActiveModel {
        version: Set(1),
        created_by: Set(author_id),
        created_at: Set(now),
        ..Default::default()
    };
    fill(&mut active, &input, now);
    let created = active.insert(&txn).await?;
    write_links(&txn, created.id, &input).await?;
    let record = IncidentRecord {
        incident: created,
        service_ids: input.service_ids,
        repeats: input.repeats,
        tags: input.tags,
    };
    let names = catalog::service_names(&txn).await?;
    history::record(
        &txn,
        history::Entry {
            incident_id: Some(record.incident.id),
            subject: Subject::Incident,
            subject_id: Some(record.incident.id),
            action: HistoryAction::Created,
            actor_id: author_id,
            at: now,
            changes: &{
                let after = fields(&record, &names);
                changes::changes(&blank(&after), &after)
            },
            note: None,
        },
    )
    .await?;
    search::reindex(&txn, record.incident.id).await?;
    txn.commit().await?;
    tracing::info!(incident_id = record.incident.id, "incident recorded");
    Ok(record)
}

/// Sets some of the incident's columns if it is still at the version that was read, moving the
/// version on, so that a change made in between is refused rather than lost.
pub(crate) async fn change_from(
    db: &impl ConnectionTrait,
    incident: &incident::Model,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut incident::ActiveModel),
) -> Result<(), AppError> {
    let mut active = incident::ActiveModel {
        version: Set(incident.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    change(&mut active);
    let res = incident::Entity::update_many()
        .set(active)
        .filter(incident::Column::Id.eq(incident.id))
        .filter(incident::Column::Version.eq(incident.version))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict {
            current_version: incident.version,
        });
    }
    Ok(())
}

/// Whether an incident with this id exists, without reading what hangs off it.
pub async fn exists(db: &impl ConnectionTrait, id: i64) -> Result<bool, AppError> {
    Ok(incident::Entity::find_by_id(id).count(db).await? > 0)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<IncidentRecord>, AppError> {
    let Some(incident) = incident::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let service_ids = incident_service::Entity::find()
        .filter(incident_service::Column::IncidentId.eq(id))
        .order_by_asc(incident_service::Column::ServiceId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.service_id)
        .collect();
    let repeats = incident_repeat::Entity::find()
        .filter(incident_repeat::Column::IncidentId.eq(id))
        .order_by_asc(incident_repeat::Column::RepeatsIncidentId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.repeats_incident_id)
        .collect();
    let tags = incident_tag::Entity::find()
        .filter(incident_tag::Column::IncidentId.eq(id))
        .order_by_asc(incident_tag::Column::Tag)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    Ok(Some(IncidentRecord {
        incident,
        service_ids,
        repeats,
        tags,
    }))
}

/// Replaces the incident's fields if it is still at `version`; otherwise says which version is current.
#[tracing::instrument(skip(db, input))]
pub async fn update(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    input: IncidentInput,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<IncidentRecord, AppError> {
    let input = normalised(input);
    let txn = db.begin().await?;
    let before = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    check(&txn, &input, Some(id)).await?;
    check_marked_times(&txn, id, &input.times).await?;
    let mut active = incident::ActiveModel {
        ..Default::default()
    };
    fill(&mut active, &input, now);
    active.version = Set(version + 1);
    let res = incident::Entity::update_many()
        .set(active)
        .filter(incident::Column::Id.eq(id))
        .filter(incident::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        let current = incident::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    write_links(&txn, id, &input).await?;
    search::reindex(&txn, id).await?;
    let after = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    let names = catalog::service_names(&txn).await?;
    let changed = changes::changes(&fields(&before, &names), &fields(&after, &names));
    if !changed.is_empty() {
        history::record(
            &txn,
            history::Entry {
                incident_id: Some(id),
                subject: Subject::Incident,
                subject_id: Some(id),
                action: HistoryAction::Updated,
                actor_id,
                at: now,
                changes: &changed,
                note: None,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// A key time that a timeline event marks follows that event; an edit of the incident that
/// gives it another value is refused, naming the event to change instead.
async fn check_marked_times(
    db: &impl ConnectionTrait,
    id: i64,
    times: &KeyTimes,
) -> Result<(), AppError> {
    for event in marking_events(db, id).await? {
        let Some(moment) = event
            .marks
            .as_deref()
            .and_then(|m| KeyMoment::parse(m).ok())
        else {
            continue;
        };
        if moment.get(times) != Some(event.occurred_at) {
            return Err(AppError::validation(
                moment.field(),
                moment.label(),
                format!(
                    "is set by the timeline event \"{}\"; change or unmark that event instead",
                    excerpt(&event.body, 60)
                ),
            ));
        }
    }
    Ok(())
}

/// The events of an incident that stand for one of its key times.
pub async fn marking_events(
    db: &impl ConnectionTrait,
    incident_id: i64,
) -> Result<Vec<timeline_event::Model>, AppError> {
    Ok(timeline_event::Entity::find()
        .filter(timeline_event::Column::IncidentId.eq(incident_id))
        .filter(timeline_event::Column::Marks.is_not_null())
        .all(db)
        .await?)
}

/// The start of `text`, cut at a character boundary, with an ellipsis when cut.
pub fn excerpt(text: &str, chars: usize) -> String {
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.chars().count() <= chars && first_line.len() == text.trim_end().len() {
        first_line.to_string()
    } else {
        let cut: String = first_line.chars().take(chars).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Deletes an incident and everything that hangs off it; the history keeps a record of who did
/// it, why, and what the incident was.
#[tracing::instrument(skip(db))]
pub async fn delete(
    db: &DatabaseConnection,
    id: i64,
    reason: &str,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let before = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    let names = catalog::service_names(&txn).await?;
    history::record(
        &txn,
        history::Entry {
            incident_id: Some(id),
            subject: Subject::Incident,
            subject_id: Some(id),
            action: HistoryAction::Deleted,
            actor_id,
            at: now,
            changes: &{
                let before = fields(&before, &names);
                changes::changes(&before, &blank(&before))
            },
            note: Some(reason),
        },
    )
    .await?;
    search::remove(&txn, id).await?;
    incident::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    tracing::warn!(incident_id = id, actor_id, "incident deleted");
    Ok(())
}

type Described = Vec<(&'static str, &'static str, String)>;

fn time_text(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn stored_label<T: Copy>(
    text: &Option<String>,
    parse: fn(&str) -> Result<T, String>,
    label: fn(T) -> &'static str,
) -> String {
    text.as_deref()
        .and_then(|t| parse(t).ok())
        .map(label)
        .unwrap_or_default()
        .to_string()
}

/// The incident's fields as the history shows them, in form order.
fn fields(record: &IncidentRecord, names: &std::collections::HashMap<i64, String>) -> Described {
    let i = &record.incident;
    let list = |ids: &[i64], show: &dyn Fn(i64) -> String| {
        ids.iter()
            .map(|&id| show(id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        ("title", "Title", i.title.clone()),
        ("summary", "Summary", i.summary.clone()),
        (
            "severity",
            "Severity",
            stored_label(&Some(i.severity.clone()), Severity::parse, Severity::label),
        ),
        (
            "services",
            "Affected services",
            list(&record.service_ids, &|id| {
                names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
            }),
        ),
        (
            "customer_impact",
            "Customer impact",
            yes_no(Some(i.customer_impact)),
        ),
        (
            "impact_description",
            "Impact description",
            i.impact_description.clone(),
        ),
        (
            "started_at",
            "Impact started",
            time_text(Some(i.started_at)),
        ),
        ("detected_at", "Detected", time_text(i.detected_at)),
        (
            "acknowledged_at",
            "Acknowledged",
            time_text(i.acknowledged_at),
        ),
        ("mitigated_at", "Mitigated", time_text(i.mitigated_at)),
        ("resolved_at", "Resolved", time_text(i.resolved_at)),
        (
            "detected_by",
            "Detected by",
            stored_label(
                &i.detected_by,
                DetectionSource::parse,
                DetectionSource::label,
            ),
        ),
        (
            "monitoring_should_have_caught",
            "Should monitoring have caught it",
            yes_no(i.monitoring_should_have_caught),
        ),
        ("known_problem", "Known problem", yes_no(i.known_problem)),
        (
            "repeats",
            "Repeats",
            list(&record.repeats, &|id| format!("#{id}")),
        ),
        (
            "runbook_outcome",
            "Runbook",
            stored_label(
                &i.runbook_outcome,
                RunbookOutcome::parse,
                RunbookOutcome::label,
            ),
        ),
        (
            "cause_category",
            "Cause",
            stored_label(
                &i.cause_category,
                CauseCategory::parse,
                CauseCategory::label,
            ),
        ),
        ("tags", "Tags", record.tags.join(", ")),
    ]
}

/// The same fields with nothing in them: what a creation starts from and a deletion ends in.
fn blank(described: &Described) -> Described {
    described
        .iter()
        .map(|&(field, label, _)| (field, label, String::new()))
        .collect()
}

/// The filter as a query condition; every part is served by an index.
fn condition(filter: &IncidentFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(severity) = filter.severity {
        cond = cond.add(incident::Column::Severity.eq(severity.key()));
    }
    if let Some(source) = filter.detected_by {
        cond = cond.add(incident::Column::DetectedBy.eq(source.key()));
    }
    if let Some(known) = filter.known_problem {
        cond = cond.add(incident::Column::KnownProblem.eq(known));
    }
    if let Some(outcome) = filter.runbook_outcome {
        cond = cond.add(incident::Column::RunbookOutcome.eq(outcome.key()));
    }
    if let Some(from) = filter.started_from {
        cond = cond.add(incident::Column::StartedAt.gte(from));
    }
    if let Some(before) = filter.started_before {
        cond = cond.add(incident::Column::StartedAt.lt(before));
    }
    if filter.open_only {
        cond = cond.add(incident::Column::ResolvedAt.is_null());
    }
    if let Some(service_id) = filter.service_id {
        cond = cond.add(
            incident::Column::Id.in_subquery(
                Query::select()
                    .column(incident_service::Column::IncidentId)
                    .from(incident_service::Entity)
                    .and_where(incident_service::Column::ServiceId.eq(service_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(team_id) = filter.team_id {
        cond = cond.add(
            incident::Column::Id.in_subquery(
                Query::select()
                    .column(incident_service::Column::IncidentId)
                    .from(incident_service::Entity)
                    .and_where(
                        incident_service::Column::ServiceId.in_subquery(
                            Query::select()
                                .column(service::Column::Id)
                                .from(service::Entity)
                                .and_where(service::Column::TeamId.eq(team_id))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        );
    }
    if let Some(status) = filter.postmortem_status {
        let with_status =
            |op: fn(postmortem::Column, &'static str) -> sea_orm::sea_query::SimpleExpr| {
                Query::select()
                    .column(postmortem::Column::IncidentId)
                    .from(postmortem::Entity)
                    .and_where(op(postmortem::Column::Status, status.key()))
                    .to_owned()
            };
        cond = cond.add(match status {
            // No row yet is a draft too.
            PostmortemStatus::Draft => {
                incident::Column::Id.not_in_subquery(with_status(|c, v| c.ne(v)))
            }
            _ => incident::Column::Id.in_subquery(with_status(|c, v| c.eq(v))),
        });
    }
    if let Some(ids) = &filter.ids {
        cond = cond.add(incident::Column::Id.is_in(ids.clone()));
    }
    cond
}

/// One page of incidents in `sort` order, after `after`.
pub async fn list(
    db: &DatabaseConnection,
    filter: &IncidentFilter,
    sort: Sort,
    after: Option<Cursor>,
    limit: u64,
) -> Result<Vec<incident::Model>, AppError> {
    let mut query = incident::Entity::find().filter(condition(filter));
    if sort == Sort::Severity {
        query = query.order_by_asc(incident::Column::Severity);
    }
    query = query
        .order_by_desc(incident::Column::StartedAt)
        .order_by_desc(incident::Column::Id);
    if let Some(after) = after {
        let within = Condition::any()
            .add(incident::Column::StartedAt.lt(after.started_at))
            .add(
                Condition::all()
                    .add(incident::Column::StartedAt.eq(after.started_at))
                    .add(incident::Column::Id.lt(after.id)),
            );
        query = query.filter(match (sort, after.severity) {
            (Sort::Severity, Some(severity)) => Condition::any()
                .add(incident::Column::Severity.gt(severity.key()))
                .add(
                    Condition::all()
                        .add(incident::Column::Severity.eq(severity.key()))
                        .add(within),
                ),
            _ => within,
        });
    }
    Ok(query.limit(limit).all(db).await?)
}

/// How many incidents the filter matches, counting no further than `up_to + 1`: past that the
/// list says "more than", and the count costs the same at a million incidents as at ten
/// thousand.
pub async fn count(
    db: &DatabaseConnection,
    filter: &IncidentFilter,
    up_to: u64,
) -> Result<u64, AppError> {
    Ok(incident::Entity::find()
        .select_only()
        .column(incident::Column::Id)
        .filter(condition(filter))
        .limit(up_to + 1)
        .count(db)
        .await?)
}

/// The services of each of `incident_ids`, in one query.
pub async fn service_ids_for(
    db: &impl ConnectionTrait,
    incident_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<i64>>, AppError> {
    let mut map: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    if incident_ids.is_empty() {
        return Ok(map);
    }
    let links = incident_service::Entity::find()
        .filter(incident_service::Column::IncidentId.is_in(incident_ids.to_vec()))
        .all(db)
        .await?;
    for link in links {
        map.entry(link.incident_id)
            .or_default()
            .push(link.service_id);
    }
    Ok(map)
}

/// The names of each of `incident_ids`' services, in alphabetical order, in one query.
pub async fn service_names_for(
    db: &impl ConnectionTrait,
    incident_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>, AppError> {
    let mut map: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    if incident_ids.is_empty() {
        return Ok(map);
    }
    let links: Vec<(i64, String)> = incident_service::Entity::find()
        .select_only()
        .column(incident_service::Column::IncidentId)
        .column(service::Column::Name)
        .join(
            sea_orm::JoinType::InnerJoin,
            incident_service::Entity::belongs_to(service::Entity)
                .from(incident_service::Column::ServiceId)
                .to(service::Column::Id)
                .into(),
        )
        .filter(incident_service::Column::IncidentId.is_in(incident_ids.to_vec()))
        .order_by_asc(service::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    for (incident_id, name) in links {
        map.entry(incident_id).or_default().push(name);
    }
    Ok(map)
}

/// How many incidents are not yet resolved, by severity key.
pub async fn open_by_severity(db: &impl ConnectionTrait) -> Result<Vec<(String, u64)>, AppError> {
    let rows: Vec<(String, i64)> = incident::Entity::find()
        .select_only()
        .column(incident::Column::Severity)
        .column_as(incident::Column::Id.count(), "n")
        .filter(incident::Column::ResolvedAt.is_null())
        .group_by(incident::Column::Severity)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(s, n)| (s, n as u64)).collect())
}
