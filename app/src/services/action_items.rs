//! Action items: raised from an incident, committed with an owner and a due date, moved through
//! their states by the people allowed to, and verified with evidence when their review falls due.

use crate::domain::Role;
use crate::domain::action_item::{ActionMove, ActionState, ActionType, Cadence, Outcome, Priority};
use crate::domain::history::{FieldChange, HistoryAction, Subject};
use crate::entities::{action_item, incident};
use crate::error::AppError;
use crate::services::history;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{Set, TransactionTrait};

/// Everything a person enters for an item, already parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItemInput {
    pub title: String,
    pub description: String,
    pub incident_id: i64,
    pub owner_id: Option<i64>,
    pub team_id: Option<i64>,
    pub service_id: Option<i64>,
    pub action_type: ActionType,
    pub priority: Priority,
    pub due_on: Option<NaiveDate>,
    pub tracker_url: Option<String>,
    pub cadence: Cadence,
    /// Committed straight away (open) rather than only proposed.
    pub committed: bool,
}

/// Who is asking, as the permission rules need it.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub id: i64,
    pub role: Role,
}

/// What some moves need besides the move itself.
#[derive(Clone, Debug, Default)]
pub struct MoveDetails {
    pub outcome: Option<Outcome>,
    pub evidence: Option<String>,
    pub evidence_url: Option<String>,
    pub reason: Option<String>,
}

fn given(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// Committed work has someone who owns it and a date it is due.
fn check_commitment(owner: Option<i64>, due_on: Option<NaiveDate>) -> Result<(), AppError> {
    if owner.is_none() {
        return Err(AppError::validation(
            "owner_id",
            "Owner",
            "is needed to commit an item",
        ));
    }
    if due_on.is_none() {
        return Err(AppError::validation(
            "due_on",
            "Due date",
            "is needed to commit an item",
        ));
    }
    Ok(())
}

/// Managers and admins move any item; anyone else who may write moves items they own or raised.
fn may_move(item: &action_item::Model, actor: Actor) -> bool {
    actor.role.includes(Role::Manager)
        || (actor.role.includes(Role::Engineer)
            && (item.owner_id == Some(actor.id) || item.created_by == actor.id))
}

pub async fn get(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<action_item::Model>, AppError> {
    Ok(action_item::Entity::find_by_id(id).one(db).await?)
}

#[tracing::instrument(skip(db, input), fields(title = %input.title))]
pub async fn create(
    db: &DatabaseConnection,
    input: ActionItemInput,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<action_item::Model, AppError> {
    if !actor.role.includes(Role::Engineer) {
        return Err(AppError::Forbidden);
    }
    if input.committed {
        check_commitment(input.owner_id, input.due_on)?;
    }
    let txn = db.begin().await?;
    if incident::Entity::find_by_id(input.incident_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::validation(
            "incident_id",
            "Incident",
            "does not exist",
        ));
    }
    let state = if input.committed {
        ActionState::Open
    } else {
        ActionState::Proposed
    };
    let created = action_item::ActiveModel {
        title: Set(input.title.clone()),
        description: Set(input.description.clone()),
        incident_id: Set(input.incident_id),
        owner_id: Set(input.owner_id),
        team_id: Set(input.team_id),
        service_id: Set(input.service_id),
        action_type: Set(input.action_type.key().to_string()),
        priority: Set(input.priority.key().to_string()),
        due_on: Set(input.due_on),
        tracker_url: Set(input.tracker_url.clone()),
        cadence: Set(input.cadence.key().to_string()),
        state: Set(state.key().to_string()),
        version: Set(1),
        created_by: Set(actor.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|err| match err.sql_err() {
        // A team, service or owner that does not exist.
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
            AppError::validation("owner_id", "Owner, team or service", "does not exist")
        }
        _ => AppError::internal(err),
    })?;
    history::record(
        &txn,
        history::Entry {
            incident_id: Some(input.incident_id),
            subject: Subject::ActionItem,
            subject_id: Some(created.id),
            action: HistoryAction::Created,
            actor_id: actor.id,
            at: now,
            changes: &[
                FieldChange::new("title", "Title", String::new(), created.title.clone()),
                FieldChange::new("state", "State", String::new(), state.label().to_string()),
            ],
            note: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Makes `action` on the item if it is still at `version` and `actor` may move it. `today` is
/// the day in the organisation's zone, from which a verification date is counted.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip(db, details))]
pub async fn transition(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    action: ActionMove,
    details: MoveDetails,
    actor: Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<action_item::Model, AppError> {
    let txn = db.begin().await?;
    let item = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    if !may_move(&item, actor) {
        return Err(AppError::Forbidden);
    }
    if item.version != version {
        return Err(AppError::Conflict {
            current_version: item.version,
        });
    }
    let state = ActionState::parse(&item.state).map_err(AppError::internal)?;
    let next = state
        .apply(action)
        .map_err(|message| AppError::validation("state", "Action item", message))?;
    let mut active = action_item::ActiveModel {
        state: Set(next.key().to_string()),
        version: Set(version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let reason = given(&details.reason);
    match action {
        ActionMove::Commit => check_commitment(item.owner_id, item.due_on)?,
        ActionMove::Complete => {
            let cadence = Cadence::parse(&item.cadence).map_err(AppError::internal)?;
            active.done_at = Set(Some(now));
            active.verify_on = Set(Some(cadence.verify_on(today)));
        }
        ActionMove::Verify => {
            let outcome = details.outcome.ok_or_else(|| {
                AppError::validation("outcome", "Outcome", "must be chosen to verify an item")
            })?;
            let evidence = given(&details.evidence);
            let evidence_url = given(&details.evidence_url);
            if evidence.is_none() && evidence_url.is_none() {
                return Err(AppError::validation(
                    "evidence",
                    "Evidence",
                    "is needed: say what showed it worked or not, or link to it",
                ));
            }
            active.outcome = Set(Some(outcome.key().to_string()));
            active.evidence = Set(evidence);
            active.evidence_url = Set(evidence_url);
            active.verified_at = Set(Some(now));
            active.verified_by = Set(Some(actor.id));
        }
        ActionMove::Decline => {
            if reason.is_none() {
                return Err(AppError::validation(
                    "reason",
                    "Reason",
                    "is needed for won't do",
                ));
            }
            active.wont_do_reason = Set(reason.clone());
        }
        ActionMove::Reopen => {
            active.done_at = Set(None);
            active.verify_on = Set(None);
            active.outcome = Set(None);
            active.verified_at = Set(None);
            active.verified_by = Set(None);
            active.wont_do_reason = Set(None);
        }
        ActionMove::Start => {}
    }
    let res = action_item::Entity::update_many()
        .set(active)
        .filter(action_item::Column::Id.eq(id))
        .filter(action_item::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        let current = get(&txn, id).await?.ok_or(AppError::NotFound)?;
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    history::record(
        &txn,
        history::Entry {
            incident_id: Some(item.incident_id),
            subject: Subject::ActionItem,
            subject_id: Some(id),
            action: HistoryAction::Updated,
            actor_id: actor.id,
            at: now,
            changes: &[FieldChange::new(
                "state",
                "State",
                state.label().to_string(),
                next.label().to_string(),
            )],
            note: reason.as_deref().or(details.evidence.as_deref()),
        },
    )
    .await?;
    let moved = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(moved)
}

/// A proposed item following up one verified as not effective, linked to it.
pub async fn follow_up(
    db: &DatabaseConnection,
    id: i64,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<action_item::Model, AppError> {
    let item = get(db, id).await?.ok_or(AppError::NotFound)?;
    if item.outcome.as_deref() != Some(Outcome::NotEffective.key()) {
        return Err(AppError::validation(
            "outcome",
            "Follow-up",
            "is for items verified as not effective",
        ));
    }
    let mut created = create(
        db,
        ActionItemInput {
            title: format!("Follow-up: {}", item.title),
            description: String::new(),
            incident_id: item.incident_id,
            owner_id: item.owner_id,
            team_id: item.team_id,
            service_id: item.service_id,
            action_type: ActionType::parse(&item.action_type).map_err(AppError::internal)?,
            priority: Priority::parse(&item.priority).map_err(AppError::internal)?,
            due_on: None,
            tracker_url: None,
            cadence: Cadence::parse(&item.cadence).map_err(AppError::internal)?,
            committed: false,
        },
        actor,
        now,
    )
    .await?;
    action_item::Entity::update_many()
        .col_expr(action_item::Column::FollowUpOf, Expr::value(Some(id)))
        .filter(action_item::Column::Id.eq(created.id))
        .exec(db)
        .await?;
    created.follow_up_of = Some(id);
    Ok(created)
}
