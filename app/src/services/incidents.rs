//! Incidents: recording them with their services, repeats and tags in one transaction, reading
//! them back, changing them only from the version the change was based on, and listing them
//! newest first a page at a time.

use crate::domain::incident::{CauseCategory, DetectionSource, KeyTimes, RunbookOutcome, Severity};
use crate::entities::{incident, incident_repeat, incident_service, incident_tag, service};
use crate::error::AppError;
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
    pub detected_by: Option<DetectionSource>,
    pub open_only: bool,
}

/// Where a page of the newest-first list starts: after this incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub started_at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    /// The cursor that continues after `incident`.
    pub fn after(incident: &incident::Model) -> Cursor {
        Cursor {
            started_at: incident.started_at,
            id: incident.id,
        }
    }

    /// The text form handed out as `after` in links and the API.
    pub fn encode(&self) -> String {
        format!("{}~{}", self.started_at.to_rfc3339(), self.id)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let (time, id) = text.split_once('~')?;
        Some(Cursor {
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

fn normalised(mut input: IncidentInput) -> IncidentInput {
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
    db: &DatabaseConnection,
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
    txn.commit().await?;
    tracing::info!(incident_id = created.id, "incident recorded");
    Ok(IncidentRecord {
        incident: created,
        service_ids: input.service_ids,
        repeats: input.repeats,
        tags: input.tags,
    })
}

pub async fn get(db: &DatabaseConnection, id: i64) -> Result<Option<IncidentRecord>, AppError> {
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
    now: DateTime<Utc>,
) -> Result<IncidentRecord, AppError> {
    let input = normalised(input);
    let txn = db.begin().await?;
    check(&txn, &input, Some(id)).await?;
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
    txn.commit().await?;
    get(db, id).await?.ok_or(AppError::NotFound)
}

/// One page of incidents, newest start first, after `after`.
pub async fn list(
    db: &DatabaseConnection,
    filter: &IncidentFilter,
    after: Option<Cursor>,
    limit: u64,
) -> Result<Vec<incident::Model>, AppError> {
    let mut query = incident::Entity::find()
        .order_by_desc(incident::Column::StartedAt)
        .order_by_desc(incident::Column::Id);
    if let Some(severity) = filter.severity {
        query = query.filter(incident::Column::Severity.eq(severity.key()));
    }
    if let Some(source) = filter.detected_by {
        query = query.filter(incident::Column::DetectedBy.eq(source.key()));
    }
    if filter.open_only {
        query = query.filter(incident::Column::ResolvedAt.is_null());
    }
    if let Some(service_id) = filter.service_id {
        query = query.filter(
            incident::Column::Id.in_subquery(
                Query::select()
                    .column(incident_service::Column::IncidentId)
                    .from(incident_service::Entity)
                    .and_where(incident_service::Column::ServiceId.eq(service_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(after) = after {
        query = query.filter(
            Condition::any()
                .add(incident::Column::StartedAt.lt(after.started_at))
                .add(
                    Condition::all()
                        .add(incident::Column::StartedAt.eq(after.started_at))
                        .add(incident::Column::Id.lt(after.id)),
                ),
        );
    }
    Ok(query.limit(limit).all(db).await?)
}

/// The services of each of `incident_ids`, in one query.
pub async fn service_ids_for(
    db: &DatabaseConnection,
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
