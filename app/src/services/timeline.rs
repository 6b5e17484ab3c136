//! An incident's timeline. An event that marks a key moment (detection, mitigation,
//! resolution) sets that time on the incident in the same transaction, so the two never disagree.

use crate::domain::history::{FieldChange, HistoryAction, Subject};
use crate::domain::timeline::{EventKind, KeyMoment};
use crate::entities::{incident, timeline_event};
use crate::error::AppError;
use crate::services::incidents::{self, whole_seconds};
use crate::services::{history, search};
use crate::state::Db;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{DatabaseTransaction, QueryOrder, Set, SqlErr, TransactionTrait};

/// What a person enters for an event, already parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInput {
    pub occurred_at: DateTime<Utc>,
    pub kind: EventKind,
    pub body: String,
    pub marks: Option<KeyMoment>,
}

/// An incident's events in time order.
pub async fn list(
    db: &DatabaseConnection,
    incident_id: i64,
) -> Result<Vec<timeline_event::Model>, AppError> {
    Ok(timeline_event::Entity::find()
        .filter(timeline_event::Column::IncidentId.eq(incident_id))
        .order_by_asc(timeline_event::Column::OccurredAt)
        .order_by_asc(timeline_event::Column::Id)
        .all(db)
        .await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<timeline_event::Model>, AppError> {
    Ok(timeline_event::Entity::find_by_id(id).one(db).await?)
}

fn described(event: Option<&EventInput>) -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "occurred_at",
            "Time",
            event
                .map(|e| e.occurred_at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
        ),
        (
            "kind",
            "Kind",
            event
                .map(|e| e.kind.label().to_string())
                .unwrap_or_default(),
        ),
        (
            "body",
            "Text",
            event.map(|e| e.body.clone()).unwrap_or_default(),
        ),
        (
            "marks",
            "Marks",
            event
                .and_then(|e| e.marks)
                .map(|m| m.label().to_string())
                .unwrap_or_default(),
        ),
    ]
}

/// The input an existing event was made from.
pub fn input_of(event: &timeline_event::Model) -> EventInput {
    EventInput {
        occurred_at: event.occurred_at,
        kind: EventKind::parse(&event.kind).unwrap_or(EventKind::Note),
        body: event.body.clone(),
        marks: event
            .marks
            .as_deref()
            .and_then(|m| KeyMoment::parse(m).ok()),
    }
}

/// Makes the incident's key time follow `event`: the event becomes the only one marking its
/// moment, the incident's time is set to the event's, and the incident's version moves on.
async fn apply_mark(
    txn: &DatabaseTransaction,
    incident: &incident::Model,
    event_id: i64,
    moment: KeyMoment,
    at: DateTime<Utc>,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    timeline_event::Entity::update_many()
        .col_expr(
            timeline_event::Column::Marks,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            timeline_event::Column::Version,
            Expr::col(timeline_event::Column::Version).add(1),
        )
        .filter(timeline_event::Column::IncidentId.eq(incident.id))
        .filter(timeline_event::Column::Marks.eq(moment.key()))
        .filter(timeline_event::Column::Id.ne(event_id))
        .exec(txn)
        .await?;
    let times = incident.key_times();
    if moment.get(&times) == Some(at) {
        return Ok(());
    }
    let marked = moment.set(times, at);
    marked.check_order().map_err(|e| {
        AppError::validation(
            "occurred_at",
            "Time",
            format!(
                "would make the incident's {} time {} ({} {})",
                moment.label().to_lowercase(),
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                e.label.to_lowercase(),
                e.message
            ),
        )
    })?;
    // Guarded like any other edit, so a concurrent change to the incident is not lost.
    incidents::change_from(txn, incident, now, |active| match moment {
        KeyMoment::Detected => active.detected_at = Set(Some(at)),
        KeyMoment::Mitigated => active.mitigated_at = Set(Some(at)),
        KeyMoment::Resolved => active.resolved_at = Set(Some(at)),
    })
    .await?;
    let format = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default()
    };
    history::record(
        txn,
        history::Entry {
            incident_id: Some(incident.id),
            subject: Subject::Incident,
            subject_id: Some(incident.id),
            action: HistoryAction::Updated,
            actor_id,
            at: now,
            changes: &[FieldChange::new(
                moment.field(),
                moment.label(),
                format(moment.get(&times)),
                format(Some(at)),
            )],
            note: Some("set by a timeline event"),
        },
    )
    .await
}

async fn incident_for_update(
    txn: &DatabaseTransaction,
    incident_id: i64,
) -> Result<incident::Model, AppError> {
    incident::Entity::find_by_id(incident_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)
}

#[tracing::instrument(skip(db, input))]
pub async fn create(
    db: &impl TransactionTrait<Transaction = DatabaseTransaction>,
    incident_id: i64,
    input: EventInput,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<timeline_event::Model, AppError> {
    let txn = db.begin().await?;
    let created = create_in(&txn, incident_id, input, actor_id, now).await?;
    txn.commit().await?;
    Ok(created)
}

/// Adds an event for a person or a program posting it: behind SQLite's one writer, in one
/// transaction with the other events and small writes posted at the same moment (see
/// [`group_commit`](crate::group_commit)).
pub async fn post(
    db: &Db,
    incident_id: i64,
    input: EventInput,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<timeline_event::Model, AppError> {
    db.write_grouped(move |txn| Box::pin(create_in(txn, incident_id, input.clone(), actor_id, now)))
        .await
}

/// Adds an event inside a transaction the caller commits (or takes back, on an error).
pub async fn create_in(
    txn: &DatabaseTransaction,
    incident_id: i64,
    input: EventInput,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<timeline_event::Model, AppError> {
    let input = EventInput {
        occurred_at: whole_seconds(input.occurred_at),
        ..input
    };
    // Only a mark needs the incident's times; otherwise the event's reference to the incident
    // is check enough, and the writer runs one statement less.
    let incident = match input.marks {
        Some(_) => Some(incident_for_update(txn, incident_id).await?),
        None => None,
    };
    let created = timeline_event::ActiveModel {
        incident_id: Set(incident_id),
        occurred_at: Set(input.occurred_at),
        kind: Set(input.kind.key().to_string()),
        body: Set(input.body.clone()),
        marks: Set(input.marks.map(|m| m.key().to_string())),
        author_id: Set(actor_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::NotFound,
        _ => e.into(),
    })?;
    if let (Some(moment), Some(incident)) = (input.marks, incident) {
        apply_mark(
            txn,
            &incident,
            created.id,
            moment,
            input.occurred_at,
            actor_id,
            now,
        )
        .await?;
    }
    history::record(
        txn,
        history::Entry {
            incident_id: Some(incident_id),
            subject: Subject::TimelineEvent,
            subject_id: Some(created.id),
            action: HistoryAction::Created,
            actor_id,
            at: now,
            changes: &crate::domain::history::changes(&described(None), &described(Some(&input))),
            note: None,
        },
    )
    .await?;
    search::reindex_timeline(txn, incident_id).await?;
    Ok(created)
}

/// Changes an event if it is still at `version`.
#[tracing::instrument(skip(db, input))]
pub async fn update(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    input: EventInput,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<timeline_event::Model, AppError> {
    let input = EventInput {
        occurred_at: whole_seconds(input.occurred_at),
        ..input
    };
    let txn = db.begin().await?;
    let before = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    if before.version != version {
        return Err(AppError::Conflict {
            current_version: before.version,
        });
    }
    let incident = incident_for_update(&txn, before.incident_id).await?;
    let res = timeline_event::Entity::update_many()
        .set(timeline_event::ActiveModel {
            occurred_at: Set(input.occurred_at),
            kind: Set(input.kind.key().to_string()),
            body: Set(input.body.clone()),
            marks: Set(input.marks.map(|m| m.key().to_string())),
            version: Set(version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(timeline_event::Column::Id.eq(id))
        .filter(timeline_event::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        let current = get(&txn, id).await?.ok_or(AppError::NotFound)?;
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    if let Some(moment) = input.marks {
        apply_mark(
            &txn,
            &incident,
            id,
            moment,
            input.occurred_at,
            actor_id,
            now,
        )
        .await?;
    }
    let old = input_of(&before);
    let changed = crate::domain::history::changes(&described(Some(&old)), &described(Some(&input)));
    if !changed.is_empty() {
        history::record(
            &txn,
            history::Entry {
                incident_id: Some(before.incident_id),
                subject: Subject::TimelineEvent,
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
    search::reindex_timeline(&txn, before.incident_id).await?;
    let updated = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes an event if it is still at `version`. A key time it marked stays on the incident,
/// where it can now be edited directly.
#[tracing::instrument(skip(db))]
pub async fn delete(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let txn = db.begin().await?;
    let before = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    let res = timeline_event::Entity::delete_many()
        .filter(timeline_event::Column::Id.eq(id))
        .filter(timeline_event::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict {
            current_version: before.version,
        });
    }
    history::record(
        &txn,
        history::Entry {
            incident_id: Some(before.incident_id),
            subject: Subject::TimelineEvent,
            subject_id: Some(id),
            action: HistoryAction::Deleted,
            actor_id,
            at: now,
            changes: &crate::domain::history::changes(
                &described(Some(&input_of(&before))),
                &described(None),
            ),
            note: None,
        },
    )
    .await?;
    search::reindex_timeline(&txn, before.incident_id).await?;
    txn.commit().await?;
    Ok(before.incident_id)
}
