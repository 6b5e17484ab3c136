//! Postmortem write-ups: read (a new one starts from the template), saved only from the version
//! the writer started from, moved through review, and the template admins keep.

use crate::domain::Role;
use crate::domain::blameless;
use crate::domain::history::{FieldChange, HistoryAction, Subject};
use crate::domain::markdown;
use crate::domain::postmortem::{PostmortemStatus, ReviewMove};
use crate::entities::{postmortem, postmortem_template};
use crate::error::AppError;
use crate::services::{action_items, history, search};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{QuerySelect, Set, SqlErr, TransactionTrait};

/// An incident's postmortem as the editor and the page read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Postmortem {
    pub incident_id: i64,
    pub body: String,
    pub status: PostmortemStatus,
    /// 0 while nothing has been saved: the body is then the template.
    pub version: i64,
    pub lint_warnings: i32,
    pub updated_by: Option<i64>,
    pub updated_at: Option<DateTime<Utc>>,
    pub published_by: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
    /// Why it was published without a committed action item.
    pub no_action_reason: Option<String>,
}

fn from_row(row: postmortem::Model) -> Postmortem {
    Postmortem {
        incident_id: row.incident_id,
        body: row.body,
        status: PostmortemStatus::parse(&row.status).unwrap_or(PostmortemStatus::Draft),
        version: row.version,
        lint_warnings: row.lint_warnings,
        updated_by: Some(row.updated_by),
        updated_at: Some(row.updated_at),
        published_by: row.published_by,
        published_at: row.published_at,
        reopen_reason: row.reopen_reason,
        no_action_reason: row.no_action_reason,
    }
}

pub async fn template(db: &impl ConnectionTrait) -> Result<postmortem_template::Model, AppError> {
    postmortem_template::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("the postmortem template row is missing"))
}

/// The incident's postmortem, or a new one from the template when none was saved yet.
pub async fn get(db: &impl ConnectionTrait, incident_id: i64) -> Result<Postmortem, AppError> {
    if !crate::services::incidents::exists(db, incident_id).await? {
        return Err(AppError::NotFound);
    }
    if let Some(row) = postmortem::Entity::find_by_id(incident_id).one(db).await? {
        return Ok(from_row(row));
    }
    Ok(Postmortem {
        incident_id,
        body: template(db).await?.body,
        status: PostmortemStatus::Draft,
        version: 0,
        lint_warnings: 0,
        updated_by: None,
        updated_at: None,
        published_by: None,
        published_at: None,
        reopen_reason: None,
        no_action_reason: None,
    })
}

/// The review status of each of `incident_ids` that has a postmortem, in one query.
pub async fn statuses(
    db: &DatabaseConnection,
    incident_ids: &[i64],
) -> Result<std::collections::HashMap<i64, PostmortemStatus>, AppError> {
    if incident_ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = postmortem::Entity::find()
        .select_only()
        .columns([postmortem::Column::IncidentId, postmortem::Column::Status])
        .filter(postmortem::Column::IncidentId.is_in(incident_ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, status)| Some((id, PostmortemStatus::parse(&status).ok()?)))
        .collect())
}

fn check_body(body: &str) -> Result<(), AppError> {
    AppError::check("body", "Postmortem", markdown::check_size(body))
}

/// Saves `body` if the postmortem is still at `version` (0: nobody has saved one yet).
/// A stale version is a conflict; the caller reads the current text to show both.
#[tracing::instrument(skip(db, body))]
pub async fn save(
    db: &DatabaseConnection,
    incident_id: i64,
    version: i64,
    body: String,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<Postmortem, AppError> {
    check_body(&body)?;
    let warnings = blameless::lint(&body).len() as i32;
    let txn = db.begin().await?;
    let current = get(&txn, incident_id).await?;
    if current.version != version {
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    if !current.status.editable() {
        return Err(AppError::validation(
            "body",
            "Postmortem",
            "is published; reopen it to make changes",
        ));
    }
    if version == 0 {
        let inserted = postmortem::ActiveModel {
            incident_id: Set(incident_id),
            body: Set(body.clone()),
            status: Set(PostmortemStatus::Draft.key().to_string()),
            lint_warnings: Set(warnings),
            version: Set(1),
            updated_by: Set(actor_id),
            updated_at: Set(now),
            published_by: Set(None),
            published_at: Set(None),
            reopen_reason: Set(None),
            no_action_reason: Set(None),
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(_) => {}
            // Someone else saved the first version a moment earlier.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(AppError::Conflict { current_version: 1 });
            }
            Err(err) => return Err(err.into()),
        }
    } else {
        let res = postmortem::Entity::update_many()
            .set(postmortem::ActiveModel {
                body: Set(body.clone()),
                lint_warnings: Set(warnings),
                version: Set(version + 1),
                updated_by: Set(actor_id),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(postmortem::Column::IncidentId.eq(incident_id))
            .filter(postmortem::Column::Version.eq(version))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            let current = get(&txn, incident_id).await?;
            return Err(AppError::Conflict {
                current_version: current.version,
            });
        }
    }
    if current.body != body {
        history::record(
            &txn,
            history::Entry {
                incident_id: Some(incident_id),
                subject: Subject::Postmortem,
                subject_id: Some(incident_id),
                action: if version == 0 {
                    HistoryAction::Created
                } else {
                    HistoryAction::Updated
                },
                actor_id,
                at: now,
                changes: &[FieldChange::new("body", "Postmortem", current.body, body)],
                note: None,
            },
        )
        .await?;
    }
    search::reindex(&txn, incident_id).await?;
    let saved = get(&txn, incident_id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Moves the postmortem through review, if `role` may make that move from where it is.
#[tracing::instrument(skip(db))]
pub async fn review(
    db: &DatabaseConnection,
    incident_id: i64,
    action: ReviewMove,
    role: Role,
    reason: Option<String>,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<Postmortem, AppError> {
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let txn = db.begin().await?;
    let current = get(&txn, incident_id).await?;
    if current.version == 0 {
        return Err(AppError::validation(
            "body",
            "Postmortem",
            "has not been saved yet; write and save it first",
        ));
    }
    let next = current
        .status
        .apply(action, role, reason.as_deref())
        .map_err(|message| {
            if message.starts_with("needs the") {
                AppError::Forbidden
            } else {
                AppError::validation(
                    if message == "needs a reason" {
                        "reason"
                    } else {
                        "status"
                    },
                    if message == "needs a reason" {
                        "Reason"
                    } else {
                        "Postmortem"
                    },
                    message,
                )
            }
        })?;
    let mut active = postmortem::ActiveModel {
        status: Set(next.key().to_string()),
        ..Default::default()
    };
    let history_action = match action {
        ReviewMove::Submit => HistoryAction::Submitted,
        ReviewMove::ReturnToDraft => HistoryAction::ReturnedToDraft,
        ReviewMove::Publish => {
            // An incident that changes nothing is the loop left open: say why, or commit to
            // something first.
            let committed = action_items::committed_count(&txn, incident_id).await?;
            if committed == 0 && reason.is_none() {
                return Err(AppError::validation(
                    "reason",
                    "Reason",
                    "is needed to publish without a committed action item: say why none is needed",
                ));
            }
            active.no_action_reason = Set(if committed == 0 { reason.clone() } else { None });
            active.published_by = Set(Some(actor_id));
            active.published_at = Set(Some(now));
            HistoryAction::Published
        }
        ReviewMove::Reopen => {
            active.reopen_reason = Set(reason.clone());
            HistoryAction::Reopened
        }
    };
    // Guarded on the status read above, so two reviewers cannot both move it.
    let res = postmortem::Entity::update_many()
        .set(active)
        .filter(postmortem::Column::IncidentId.eq(incident_id))
        .filter(postmortem::Column::Status.eq(current.status.key()))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    history::record(
        &txn,
        history::Entry {
            incident_id: Some(incident_id),
            subject: Subject::Postmortem,
            subject_id: Some(incident_id),
            action: history_action,
            actor_id,
            at: now,
            changes: &[FieldChange::new(
                "status",
                "Status",
                current.status.label().to_string(),
                next.label().to_string(),
            )],
            note: reason.as_deref(),
        },
    )
    .await?;
    let moved = get(&txn, incident_id).await?;
    txn.commit().await?;
    Ok(moved)
}

/// Replaces the template new postmortems start from, if it is still at `version`.
#[tracing::instrument(skip(db, body))]
pub async fn save_template(
    db: &DatabaseConnection,
    version: i64,
    body: String,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<postmortem_template::Model, AppError> {
    check_body(&body)?;
    let txn = db.begin().await?;
    let current = template(&txn).await?;
    let res = postmortem_template::Entity::update_many()
        .set(postmortem_template::ActiveModel {
            body: Set(body.clone()),
            version: Set(version + 1),
            updated_by: Set(Some(actor_id)),
            updated_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(postmortem_template::Column::Id.eq(1))
        .filter(postmortem_template::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    history::record(
        &txn,
        history::Entry {
            incident_id: None,
            subject: Subject::Template,
            subject_id: Some(1),
            action: HistoryAction::Updated,
            actor_id,
            at: now,
            changes: &[FieldChange::new("body", "Template", current.body, body)],
            note: None,
        },
    )
    .await?;
    let saved = template(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}
