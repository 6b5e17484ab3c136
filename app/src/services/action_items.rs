//! Action items: raised from an incident, committed with an owner and a due date, moved through
//! their states by the people allowed to, and verified with evidence when their review falls due.

use crate::domain::Role;
use crate::domain::action_item::{
    ActionMove, ActionState, ActionType, Cadence, ItemSort, Outcome, Priority, Standing,
    end_of_week,
};
use crate::domain::history::{FieldChange, HistoryAction, Subject};
use crate::entities::{action_item, action_item_incident, incident, service, team, user};
use crate::error::AppError;
use crate::services::{history, notices, organisation};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{BinOper, ExprTrait, Func, LikeExpr, NullOrdering, Order};
use sea_orm::{Condition, DbBackend, QueryOrder, QuerySelect, Set, TransactionTrait};
use std::collections::{HashMap, HashSet};

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
    /// Further incidents the item answers, besides the one it came from.
    pub related_incident_ids: Vec<i64>,
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
    /// The day the work was finished, when marking it done after the fact; today if not given.
    pub done_on: Option<NaiveDate>,
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

/// Work is given only to people who can sign in.
async fn check_owner(db: &impl ConnectionTrait, owner: Option<i64>) -> Result<(), AppError> {
    let Some(owner) = owner else {
        return Ok(());
    };
    let owner = user::Entity::find_by_id(owner).one(db).await?;
    match unfit_owner(owner.as_ref()) {
        Some(message) => Err(AppError::validation("owner_id", "Owner", message)),
        None => Ok(()),
    }
}

/// Why this account cannot be given an item, if it cannot. An owner moves their item, which a
/// viewer may not: giving one to a viewer would leave it with someone who cannot finish it.
fn unfit_owner(owner: Option<&user::Model>) -> Option<&'static str> {
    match owner {
        Some(u) if u.disabled => Some("must be an active user"),
        Some(u) if Role::parse(&u.role).is_ok_and(|r| r.includes(Role::Engineer)) => None,
        Some(_) => {
            Some("must be someone who may change items (an engineer or above), not a viewer")
        }
        None => Some("must be an active user"),
    }
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
    check_owner(&txn, input.owner_id).await?;
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
        committed_at: Set(input.committed.then_some(now)),
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
    let related = set_related(
        &txn,
        created.id,
        input.incident_id,
        &input.related_incident_ids,
    )
    .await?;
    if let Some(owner) = created.owner_id {
        notices::assigned(&txn, created.id, owner, created.version, actor.id, now).await?;
    }
    notices::remind_item(&txn, &created, organisation::today(&txn, now).await?, now).await?;
    let mut changes = vec![
        FieldChange::new("title", "Title", String::new(), created.title.clone()),
        FieldChange::new("state", "State", String::new(), state.label().to_string()),
    ];
    if !related.is_empty() {
        changes.push(FieldChange::new(
            "related_incidents",
            "Related incidents",
            String::new(),
            incident_list(&related),
        ));
    }
    history::record(
        &txn,
        history::Entry {
            incident_id: Some(input.incident_id),
            subject: Subject::ActionItem,
            subject_id: Some(created.id),
            action: HistoryAction::Created,
            actor_id: actor.id,
            at: now,
            changes: &changes,
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
    // Verifying is what reviews are for: facilitators verify any item there, as managers do.
    let verifies_in_review = action == ActionMove::Verify && actor.role.includes(Role::Facilitator);
    if !may_move(&item, actor) && !verifies_in_review {
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
        ActionMove::Commit => {
            check_commitment(item.owner_id, item.due_on)?;
            active.committed_at = Set(Some(now));
        }
        ActionMove::Complete => {
            let cadence = Cadence::parse(&item.cadence).map_err(AppError::internal)?;
            let done_on = details.done_on.unwrap_or(today);
            if done_on > today {
                return Err(AppError::validation(
                    "done_on",
                    "Done on",
                    "cannot be in the future",
                ));
            }
            active.done_at = Set(Some(now));
            active.done_on = Set(Some(done_on));
            active.closed_at = Set(Some(now));
            active.verify_on = Set(Some(cadence.verify_on(done_on)));
        }
        ActionMove::Verify => {
            let outcome = details.outcome.ok_or_else(|| {
                AppError::validation("outcome", "Outcome", "must be chosen to verify an item")
            })?;
            let evidence = given(&details.evidence);
            let evidence_url = given(&details.evidence_url);
            if evidence_url
                .as_deref()
                .is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://")))
            {
                return Err(AppError::validation(
                    "evidence_url",
                    "Evidence link",
                    "must be a web address starting with https://",
                ));
            }
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
            active.closed_at = Set(Some(now));
        }
        ActionMove::Reopen => {
            active.done_at = Set(None);
            active.done_on = Set(None);
            active.closed_at = Set(None);
            // A declined proposal reopened is open now: committed from this moment.
            if item.committed_at.is_none() {
                active.committed_at = Set(Some(now));
            }
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
    notices::remind_item(&txn, &moved, today, now).await?;
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
            related_incident_ids: related_ids(db, id).await?,
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

fn incident_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|id| format!("#{id}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The further incidents of item `id`, in id order.
pub async fn related_ids(db: &impl ConnectionTrait, id: i64) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = action_item_incident::Entity::find()
        .select_only()
        .column(action_item_incident::Column::IncidentId)
        .filter(action_item_incident::Column::ActionItemId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Makes `wanted` (less the incident the item came from) the item's further incidents, and
/// returns them sorted.
async fn set_related(
    db: &impl ConnectionTrait,
    item_id: i64,
    primary: i64,
    wanted: &[i64],
) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = wanted.iter().copied().filter(|&i| i != primary).collect();
    ids.sort_unstable();
    ids.dedup();
    let known = incident::Entity::find()
        .filter(incident::Column::Id.is_in(ids.clone()))
        .count(db)
        .await?;
    if known != ids.len() as u64 {
        return Err(AppError::validation(
            "related_incidents",
            "Related incidents",
            "must name incidents that exist",
        ));
    }
    action_item_incident::Entity::delete_many()
        .filter(action_item_incident::Column::ActionItemId.eq(item_id))
        .exec(db)
        .await?;
    if !ids.is_empty() {
        action_item_incident::Entity::insert_many(ids.iter().map(|&incident_id| {
            action_item_incident::ActiveModel {
                action_item_id: Set(item_id),
                incident_id: Set(incident_id),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(ids)
}

/// Names of people, teams and services by id, for history entries and lists.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pub users: HashMap<i64, String>,
    pub teams: HashMap<i64, String>,
    pub services: HashMap<i64, String>,
}

impl Names {
    pub async fn load(
        db: &impl ConnectionTrait,
        items: &[&action_item::Model],
    ) -> Result<Names, AppError> {
        // Each id once: a long export names the same few people thousands of times, and the
        // databases cap how many values one query may bind.
        let user_ids: HashSet<i64> = items
            .iter()
            .flat_map(|i| [i.owner_id, Some(i.created_by), i.verified_by])
            .flatten()
            .collect();
        let team_ids: HashSet<i64> = items.iter().filter_map(|i| i.team_id).collect();
        let service_ids: HashSet<i64> = items.iter().filter_map(|i| i.service_id).collect();
        Ok(Names {
            users: user::Entity::find()
                .filter(user::Column::Id.is_in(user_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect(),
            teams: team::Entity::find()
                .filter(team::Column::Id.is_in(team_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect(),
            services: service::Entity::find()
                .filter(service::Column::Id.is_in(service_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|s| (s.id, s.name))
                .collect(),
        })
    }

    fn named(map: &HashMap<i64, String>, id: Option<i64>) -> String {
        match id {
            Some(id) => map.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
            None => String::new(),
        }
    }

    pub fn user(&self, id: Option<i64>) -> String {
        Names::named(&self.users, id)
    }

    pub fn team(&self, id: Option<i64>) -> String {
        Names::named(&self.teams, id)
    }

    pub fn service(&self, id: Option<i64>) -> String {
        Names::named(&self.services, id)
    }
}

/// Changes the item's fields if it is still at `version`. The incident it came from stays; a
/// committed item keeps an owner and a due date, and only managers give it to someone else.
#[tracing::instrument(skip(db, input), fields(title = %input.title))]
pub async fn update(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    input: ActionItemInput,
    actor: Actor,
    now: DateTime<Utc>,
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
    if state.can_be_overdue() {
        check_commitment(input.owner_id, input.due_on)?;
    }
    let reassigned = input.owner_id != item.owner_id;
    if reassigned
        && item.owner_id.is_some()
        && state != ActionState::Proposed
        && !actor.role.includes(Role::Manager)
    {
        return Err(AppError::validation(
            "owner_id",
            "Owner",
            "of a committed item can be changed only by a manager",
        ));
    }
    if reassigned {
        check_owner(&txn, input.owner_id).await?;
    }
    let before_related = related_ids(&txn, id).await?;
    let after = action_item::Model {
        title: input.title.clone(),
        description: input.description.clone(),
        owner_id: input.owner_id,
        team_id: input.team_id,
        service_id: input.service_id,
        action_type: input.action_type.key().to_string(),
        priority: input.priority.key().to_string(),
        due_on: input.due_on,
        tracker_url: input.tracker_url.clone(),
        cadence: input.cadence.key().to_string(),
        ..item.clone()
    };
    let res = action_item::Entity::update_many()
        .set(action_item::ActiveModel {
            title: Set(after.title.clone()),
            description: Set(after.description.clone()),
            owner_id: Set(after.owner_id),
            team_id: Set(after.team_id),
            service_id: Set(after.service_id),
            action_type: Set(after.action_type.clone()),
            priority: Set(after.priority.clone()),
            due_on: Set(after.due_on),
            tracker_url: Set(after.tracker_url.clone()),
            cadence: Set(after.cadence.clone()),
            version: Set(version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(action_item::Column::Id.eq(id))
        .filter(action_item::Column::Version.eq(version))
        .exec(&txn)
        .await
        .map_err(|err| match err.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                AppError::validation("owner_id", "Owner, team or service", "does not exist")
            }
            _ => AppError::internal(err),
        })?;
    if res.rows_affected == 0 {
        let current = get(&txn, id).await?.ok_or(AppError::NotFound)?;
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    let after_related =
        set_related(&txn, id, item.incident_id, &input.related_incident_ids).await?;
    let names = Names::load(&txn, &[&item, &after]).await?;
    let mut changes = field_changes(&item, &after, &names);
    if before_related != after_related {
        changes.push(FieldChange::new(
            "related_incidents",
            "Related incidents",
            incident_list(&before_related),
            incident_list(&after_related),
        ));
    }
    if !changes.is_empty() {
        history::record(
            &txn,
            history::Entry {
                incident_id: Some(item.incident_id),
                subject: Subject::ActionItem,
                subject_id: Some(id),
                action: HistoryAction::Updated,
                actor_id: actor.id,
                at: now,
                changes: &changes,
                note: None,
            },
        )
        .await?;
    }
    if reassigned && let Some(owner) = input.owner_id {
        notices::assigned(&txn, id, owner, version + 1, actor.id, now).await?;
    }
    let saved = get(&txn, id).await?.ok_or(AppError::NotFound)?;
    notices::remind_item(&txn, &saved, organisation::today(&txn, now).await?, now).await?;
    txn.commit().await?;
    Ok(saved)
}

/// What a person would read as changed between two versions of an item.
fn field_changes(
    before: &action_item::Model,
    after: &action_item::Model,
    names: &Names,
) -> Vec<FieldChange> {
    let label = |key: &str, parse: fn(&str) -> Option<&'static str>| {
        parse(key)
            .map(str::to_string)
            .unwrap_or_else(|| key.to_string())
    };
    let type_label = |k: &str| ActionType::parse(k).ok().map(ActionType::label);
    let priority_label = |k: &str| Priority::parse(k).ok().map(Priority::label);
    let cadence_label = |k: &str| Cadence::parse(k).ok().map(Cadence::label);
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let fields = [
        ("title", "Title", before.title.clone(), after.title.clone()),
        (
            "description",
            "Description",
            before.description.clone(),
            after.description.clone(),
        ),
        (
            "owner_id",
            "Owner",
            names.user(before.owner_id),
            names.user(after.owner_id),
        ),
        (
            "team_id",
            "Team",
            names.team(before.team_id),
            names.team(after.team_id),
        ),
        (
            "service_id",
            "Service",
            names.service(before.service_id),
            names.service(after.service_id),
        ),
        (
            "action_type",
            "Type",
            label(&before.action_type, type_label),
            label(&after.action_type, type_label),
        ),
        (
            "priority",
            "Priority",
            label(&before.priority, priority_label),
            label(&after.priority, priority_label),
        ),
        ("due_on", "Due date", day(before.due_on), day(after.due_on)),
        (
            "tracker_url",
            "Tracker link",
            before.tracker_url.clone().unwrap_or_default(),
            after.tracker_url.clone().unwrap_or_default(),
        ),
        (
            "cadence",
            "Verified in",
            label(&before.cadence, cadence_label),
            label(&after.cadence, cadence_label),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, _, b, a)| b != a)
        .map(|(field, label, b, a)| FieldChange::new(field, label, b, a))
        .collect()
}

/// A change made to many items at once by a manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkChange {
    Reassign { owner_id: i64 },
    DueOn(NaiveDate),
}

/// Applies `change` to every item of `ids`, each recorded in its history; returns how many
/// changed. Items in a state the change does not fit (a due date on finished work) are skipped.
#[tracing::instrument(skip(db, ids))]
pub async fn bulk_edit(
    db: &DatabaseConnection,
    ids: &[i64],
    change: BulkChange,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    if !actor.role.includes(Role::Manager) {
        return Err(AppError::Forbidden);
    }
    if ids.is_empty() {
        return Err(AppError::validation(
            "ids",
            "Items",
            "must include at least one item: tick the ones to change",
        ));
    }
    let txn = db.begin().await?;
    let today = organisation::today(&txn, now).await?;
    if let BulkChange::Reassign { owner_id } = change {
        let owner = user::Entity::find_by_id(owner_id).one(&txn).await?;
        if let Some(message) = unfit_owner(owner.as_ref()) {
            return Err(AppError::validation("owner_id", "New owner", message));
        }
    }
    let items = action_item::Entity::find()
        .filter(action_item::Column::Id.is_in(ids.to_vec()))
        .order_by_asc(action_item::Column::Id)
        .all(&txn)
        .await?;
    let refs: Vec<&action_item::Model> = items.iter().collect();
    let mut names = Names::load(&txn, &refs).await?;
    if let BulkChange::Reassign { owner_id } = change
        && !names.users.contains_key(&owner_id)
        && let Some(owner) = user::Entity::find_by_id(owner_id).one(&txn).await?
    {
        names.users.insert(owner.id, owner.display_name);
    }
    let mut changed = 0;
    for item in &items {
        let state = ActionState::parse(&item.state).map_err(AppError::internal)?;
        let mut active = action_item::ActiveModel {
            version: Set(item.version + 1),
            updated_at: Set(now),
            ..Default::default()
        };
        let field_change = match change {
            BulkChange::Reassign { owner_id } => {
                // Finished work stays with whoever finished it.
                if item.owner_id == Some(owner_id)
                    || matches!(state, ActionState::Verified | ActionState::WontDo)
                {
                    continue;
                }
                active.owner_id = Set(Some(owner_id));
                FieldChange::new(
                    "owner_id",
                    "Owner",
                    names.user(item.owner_id),
                    names.user(Some(owner_id)),
                )
            }
            BulkChange::DueOn(due) => {
                if item.due_on == Some(due)
                    || !(state.can_be_overdue() || state == ActionState::Proposed)
                {
                    continue;
                }
                active.due_on = Set(Some(due));
                FieldChange::new(
                    "due_on",
                    "Due date",
                    item.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    due.to_string(),
                )
            }
        };
        let res = action_item::Entity::update_many()
            .set(active)
            .filter(action_item::Column::Id.eq(item.id))
            .filter(action_item::Column::Version.eq(item.version))
            .exec(&txn)
            .await?;
        // Changed by someone else since it was read: leave it, and record nothing for it.
        if res.rows_affected == 0 {
            continue;
        }
        history::record(
            &txn,
            history::Entry {
                incident_id: Some(item.incident_id),
                subject: Subject::ActionItem,
                subject_id: Some(item.id),
                action: HistoryAction::Updated,
                actor_id: actor.id,
                at: now,
                changes: &[field_change],
                note: Some("Changed with other items at once"),
            },
        )
        .await?;
        let mut after = item.clone();
        match change {
            BulkChange::Reassign { owner_id } => {
                notices::assigned(&txn, item.id, owner_id, item.version + 1, actor.id, now).await?;
                after.owner_id = Some(owner_id);
            }
            BulkChange::DueOn(due) => after.due_on = Some(due),
        }
        notices::remind_item(&txn, &after, today, now).await?;
        changed += 1;
    }
    txn.commit().await?;
    Ok(changed)
}

/// Committed items that answer the incident, as the one they came from or a further one.
pub async fn committed_count(db: &impl ConnectionTrait, incident_id: i64) -> Result<u64, AppError> {
    let committed: Vec<&str> = ActionState::committed()
        .into_iter()
        .map(ActionState::key)
        .collect();
    Ok(action_item::Entity::find()
        .filter(of_incident(incident_id))
        .filter(action_item::Column::State.is_in(committed))
        .count(db)
        .await?)
}

fn of_incident(incident_id: i64) -> Condition {
    Condition::any()
        .add(action_item::Column::IncidentId.eq(incident_id))
        .add(
            action_item::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(action_item_incident::Column::ActionItemId)
                    .from(action_item_incident::Entity)
                    .and_where(action_item_incident::Column::IncidentId.eq(incident_id))
                    .to_owned(),
            ),
        )
}

/// Which items a list shows. `today` decides what is overdue or awaiting verification.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub states: Vec<ActionState>,
    pub owner_id: Option<i64>,
    pub team_id: Option<i64>,
    pub service_id: Option<i64>,
    pub action_type: Option<ActionType>,
    pub priority: Option<Priority>,
    pub incident_id: Option<i64>,
    pub overdue: bool,
    pub awaiting_verification: bool,
    pub due_from: Option<NaiveDate>,
    pub due_until: Option<NaiveDate>,
    /// Words the title contains, any case.
    pub text: Option<String>,
}

fn overdue(today: NaiveDate) -> Condition {
    Condition::all()
        .add(
            action_item::Column::State
                .is_in([ActionState::Open.key(), ActionState::InProgress.key()]),
        )
        .add(action_item::Column::DueOn.lt(today))
}

fn awaiting_verification(today: NaiveDate) -> Condition {
    Condition::all()
        .add(action_item::Column::State.eq(ActionState::Done.key()))
        .add(action_item::Column::VerifyOn.lte(today))
}

/// The part of a filter that says whose items and what about, without state or dates: the
/// panels summarise this scope.
fn scope(filter: &ItemFilter, backend: DbBackend) -> Condition {
    let mut c = Condition::all();
    if let Some(id) = filter.owner_id {
        c = c.add(action_item::Column::OwnerId.eq(id));
    }
    if let Some(id) = filter.team_id {
        c = c.add(action_item::Column::TeamId.eq(id));
    }
    if let Some(id) = filter.service_id {
        c = c.add(action_item::Column::ServiceId.eq(id));
    }
    if let Some(t) = filter.action_type {
        c = c.add(action_item::Column::ActionType.eq(t.key()));
    }
    if let Some(p) = filter.priority {
        c = c.add(action_item::Column::Priority.eq(p.key()));
    }
    if let Some(id) = filter.incident_id {
        c = c.add(of_incident(id));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        c = c.add(title_contains(text, backend));
    }
    c
}

/// The title contains `text` in any case. SQLite's `lower` folds only ASCII letters, so there
/// each letter becomes a GLOB class of both its cases ("ü" matches "Ü") instead.
fn title_contains(text: &str, backend: DbBackend) -> Expr {
    let title = Expr::col((action_item::Entity, action_item::Column::Title));
    if backend == DbBackend::Sqlite {
        let mut pattern = String::from("*");
        for ch in text.chars() {
            let lower: Vec<char> = ch.to_lowercase().collect();
            let upper: Vec<char> = ch.to_uppercase().collect();
            match (lower.as_slice(), upper.as_slice()) {
                ([l], [u]) if l != u => pattern.extend(['[', *l, *u, ']']),
                _ if matches!(ch, '*' | '?' | '[') => pattern.extend(['[', ch, ']']),
                _ => pattern.push(ch),
            }
        }
        pattern.push('*');
        return title.binary(BinOper::Custom("GLOB"), pattern);
    }
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|ch| match ch {
            '%' | '_' | '\\' => vec!['\\', ch],
            ch => vec![ch],
        })
        .collect();
    Expr::expr(Func::lower(title)).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

fn condition(filter: &ItemFilter, today: NaiveDate, backend: DbBackend) -> Condition {
    let mut c = scope(filter, backend);
    if !filter.states.is_empty() {
        c = c.add(
            action_item::Column::State
                .is_in(filter.states.iter().map(|s| s.key()).collect::<Vec<_>>()),
        );
    }
    if filter.overdue {
        c = c.add(overdue(today));
    }
    if filter.awaiting_verification {
        c = c.add(awaiting_verification(today));
    }
    if let Some(from) = filter.due_from {
        c = c.add(action_item::Column::DueOn.gte(from));
    }
    if let Some(until) = filter.due_until {
        c = c.add(action_item::Column::DueOn.lte(until));
    }
    c
}

/// Where the next page of a list starts: the sort key and id of the last item shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemCursor {
    Due { due_on: Option<NaiveDate>, id: i64 },
    Newest { id: i64 },
    Priority { priority: Priority, id: i64 },
}

impl ItemCursor {
    pub fn after(item: &action_item::Model, sort: ItemSort) -> ItemCursor {
        match sort {
            ItemSort::Due => ItemCursor::Due {
                due_on: item.due_on,
                id: item.id,
            },
            ItemSort::Newest => ItemCursor::Newest { id: item.id },
            ItemSort::Priority => ItemCursor::Priority {
                priority: Priority::parse(&item.priority).unwrap_or(Priority::P3),
                id: item.id,
            },
        }
    }

    pub fn encode(&self) -> String {
        match self {
            ItemCursor::Due { due_on, id } => format!(
                "due~{}~{id}",
                due_on.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
            ),
            ItemCursor::Newest { id } => format!("newest~~{id}"),
            ItemCursor::Priority { priority, id } => format!("priority~{}~{id}", priority.key()),
        }
    }

    /// The cursor in `text`, if it is one for `sort`.
    pub fn decode(text: &str, sort: ItemSort) -> Option<ItemCursor> {
        let mut parts = text.split('~');
        let (kind, key, id) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || kind != sort.key() {
            return None;
        }
        let id: i64 = id.parse().ok()?;
        Some(match sort {
            ItemSort::Due => ItemCursor::Due {
                due_on: match key {
                    "-" => None,
                    day => Some(day.parse().ok()?),
                },
                id,
            },
            ItemSort::Newest => ItemCursor::Newest { id },
            ItemSort::Priority => ItemCursor::Priority {
                priority: Priority::parse(key).ok()?,
                id,
            },
        })
    }
}

/// One page of the items `filter` matches, in `sort` order, after `after`.
pub async fn list(
    db: &DatabaseConnection,
    filter: &ItemFilter,
    today: NaiveDate,
    sort: ItemSort,
    after: Option<ItemCursor>,
    limit: u64,
) -> Result<Vec<action_item::Model>, AppError> {
    use action_item::Column as C;
    let query =
        action_item::Entity::find().filter(condition(filter, today, db.get_database_backend()));
    let mut query = match sort {
        ItemSort::Due => return list_by_due(db, query, after, limit).await,
        ItemSort::Newest => query.order_by_desc(C::Id),
        ItemSort::Priority => query.order_by_asc(C::Priority).order_by_asc(C::Id),
    };
    if let Some(after) = after {
        query = query.filter(match after {
            ItemCursor::Newest { id } => Condition::all().add(C::Id.lt(id)),
            // A cursor is only ever decoded for its own order (`ItemCursor::decode`).
            ItemCursor::Due { .. } => Condition::all(),
            ItemCursor::Priority { priority, id } => {
                Condition::any().add(C::Priority.gt(priority.key())).add(
                    Condition::all()
                        .add(C::Priority.eq(priority.key()))
                        .add(C::Id.gt(id)),
                )
            }
        });
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Items by due date, undated ones last, each run by id. Read as two runs of the `(due_on, id)`
/// index, dated then undated, because SQLite cannot read "undated last" from an index and would
/// otherwise sort every matching item (all three million, unfiltered, at 1M incidents).
async fn list_by_due(
    db: &DatabaseConnection,
    query: sea_orm::Select<action_item::Entity>,
    after: Option<ItemCursor>,
    limit: u64,
) -> Result<Vec<action_item::Model>, AppError> {
    use action_item::Column as C;
    let mut dated = Vec::new();
    let undated_after = match after {
        Some(ItemCursor::Due { due_on: None, id }) => Some(id),
        _ => {
            let mut run = query.clone().filter(C::DueOn.is_not_null());
            if let Some(ItemCursor::Due {
                due_on: Some(due),
                id,
            }) = after
            {
                run = run.filter(C::DueOn.gte(due)).filter(
                    Condition::any()
                        .add(C::DueOn.gt(due))
                        .add(Condition::all().add(C::DueOn.eq(due)).add(C::Id.gt(id))),
                );
            }
            dated = run
                .order_by_asc(C::DueOn)
                .order_by_asc(C::Id)
                .limit(limit)
                .all(db)
                .await?;
            None
        }
    };
    let left = limit.saturating_sub(dated.len() as u64);
    if left > 0 {
        let mut run = query.filter(C::DueOn.is_null());
        if let Some(id) = undated_after {
            run = run.filter(C::Id.gt(id));
        }
        dated.extend(run.order_by_asc(C::Id).limit(left).all(db).await?);
    }
    Ok(dated)
}

pub async fn count(
    db: &DatabaseConnection,
    filter: &ItemFilter,
    today: NaiveDate,
) -> Result<u64, AppError> {
    Ok(action_item::Entity::find()
        .filter(condition(filter, today, db.get_database_backend()))
        .count(db)
        .await?)
}

/// How many of `of` got done (or verified) out of all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rate {
    pub done: u64,
    pub of: u64,
}

/// The manager's summary of a scope of items.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panels {
    /// Open and in-progress items per owner (`None`: nobody), most first.
    pub open_by_owner: Vec<(Option<i64>, u64)>,
    pub open_by_team: Vec<(Option<i64>, u64)>,
    pub overdue: u64,
    /// The overdue item that has been due longest.
    pub oldest_overdue: Option<action_item::Model>,
    /// Open and in-progress items by how long ago they were raised, in `AgeBucket::ALL` order.
    pub aging: [u64; 4],
    /// Of the committed items due in the last 30 and 90 days, how many are done.
    pub completion: [Rate; 2],
    /// Of the items whose verification fell due in the last 30 and 90 days, how many are verified.
    pub verification: [Rate; 2],
}

async fn grouped(
    db: &DatabaseConnection,
    within: Condition,
    column: action_item::Column,
) -> Result<Vec<(Option<i64>, u64)>, AppError> {
    let mut rows: Vec<(Option<i64>, i64)> = action_item::Entity::find()
        .select_only()
        .column(column)
        .column_as(action_item::Column::Id.count(), "n")
        .filter(within)
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(rows.into_iter().map(|(k, n)| (k, n as u64)).collect())
}

pub async fn panels(
    db: &DatabaseConnection,
    filter: &ItemFilter,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Panels, AppError> {
    use action_item::Column as C;
    let scope = scope(filter, db.get_database_backend());
    let unfinished = scope
        .clone()
        .add(C::State.is_in([ActionState::Open.key(), ActionState::InProgress.key()]));
    let count = |c: Condition| async move {
        Ok::<u64, AppError>(action_item::Entity::find().filter(c).count(db).await?)
    };
    let late = scope.clone().add(overdue(today));
    let mut aging = [0; 4];
    // Raised within 8, 31 and 91 days: whole days open of at most 7, 30 and 90.
    let within = |days: i64| C::CreatedAt.gt(now - Duration::days(days + 1));
    let (week, month, quarter) = (
        count(unfinished.clone().add(within(7))).await?,
        count(unfinished.clone().add(within(30))).await?,
        count(unfinished.clone().add(within(90))).await?,
    );
    // Every unfinished item is in one team's group or in the group of none; counting them
    // again would read all of them a third time.
    let open_by_team = grouped(db, unfinished.clone(), C::TeamId).await?;
    let all: u64 = open_by_team.iter().map(|(_, n)| n).sum();
    aging[0] = week;
    aging[1] = month - week;
    aging[2] = quarter - month;
    aging[3] = all - quarter;
    let committed: Vec<&str> = ActionState::committed()
        .into_iter()
        .map(ActionState::key)
        .collect();
    let finished = [ActionState::Done.key(), ActionState::Verified.key()];
    let mut completion = [Rate::default(); 2];
    let mut verification = [Rate::default(); 2];
    for (i, days) in [30, 90].into_iter().enumerate() {
        let window_start = today - Duration::days(days);
        let due = scope
            .clone()
            .add(C::State.is_in(committed.clone()))
            .add(C::DueOn.gte(window_start))
            .add(C::DueOn.lt(today));
        completion[i] = Rate {
            done: count(due.clone().add(C::State.is_in(finished))).await?,
            of: count(due).await?,
        };
        let to_verify = scope
            .clone()
            .add(C::VerifyOn.gte(window_start))
            .add(C::VerifyOn.lte(today))
            .add(C::State.is_in(finished));
        verification[i] = Rate {
            done: count(
                to_verify
                    .clone()
                    .add(C::State.eq(ActionState::Verified.key())),
            )
            .await?,
            of: count(to_verify).await?,
        };
    }
    Ok(Panels {
        open_by_owner: grouped(db, unfinished, C::OwnerId).await?,
        open_by_team,
        overdue: count(late.clone()).await?,
        oldest_overdue: action_item::Entity::find()
            .filter(late)
            .order_by_asc(C::DueOn)
            .order_by_asc(C::Id)
            .one(db)
            .await?,
        aging,
        completion,
        verification,
    })
}

/// A person's own items, as "My items" groups them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MyItems {
    pub overdue: Vec<action_item::Model>,
    pub due_this_week: Vec<action_item::Model>,
    pub later: Vec<action_item::Model>,
    pub awaiting_verification: Vec<action_item::Model>,
}

/// Items in one group of "My items" beyond this many are left to the full list.
pub const MY_ITEMS_LIMIT: usize = 200;

pub async fn mine(
    db: &DatabaseConnection,
    user_id: i64,
    today: NaiveDate,
) -> Result<MyItems, AppError> {
    use action_item::Column as C;
    let owned = action_item::Entity::find()
        .filter(C::OwnerId.eq(user_id))
        .filter(
            Condition::any()
                .add(C::State.is_in([
                    ActionState::Proposed.key(),
                    ActionState::Open.key(),
                    ActionState::InProgress.key(),
                ]))
                .add(awaiting_verification(today)),
        )
        .order_by_with_nulls(C::DueOn, Order::Asc, NullOrdering::Last)
        .order_by_asc(C::Id)
        .limit(4 * MY_ITEMS_LIMIT as u64)
        .all(db)
        .await?;
    let week_end = end_of_week(today);
    let mut mine = MyItems::default();
    for item in owned {
        let state = ActionState::parse(&item.state).map_err(AppError::internal)?;
        let group = match Standing::of(state, item.due_on, item.verify_on, today) {
            Some(Standing::Overdue) => &mut mine.overdue,
            Some(Standing::AwaitingVerification) => &mut mine.awaiting_verification,
            None if state.can_be_overdue() && item.due_on.is_some_and(|d| d <= week_end) => {
                &mut mine.due_this_week
            }
            None => &mut mine.later,
        };
        if group.len() < MY_ITEMS_LIMIT {
            group.push(item);
        }
    }
    Ok(mine)
}

/// The items that answer an incident, the ones raised from it first, then by id.
pub async fn for_incident(
    db: &DatabaseConnection,
    incident_id: i64,
) -> Result<Vec<action_item::Model>, AppError> {
    let mut items = action_item::Entity::find()
        .filter(of_incident(incident_id))
        .order_by_asc(action_item::Column::Id)
        .all(db)
        .await?;
    items.sort_by_key(|i| (i.incident_id != incident_id, i.id));
    Ok(items)
}

/// Per incident of `incident_ids`: how many of the items raised from it are unfinished, and how
/// many of those are overdue.
pub async fn counts_for_incidents(
    db: &DatabaseConnection,
    incident_ids: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, (u64, u64)>, AppError> {
    let mut counts: HashMap<i64, (u64, u64)> = HashMap::new();
    if incident_ids.is_empty() {
        return Ok(counts);
    }
    let rows: Vec<(i64, String, Option<NaiveDate>)> = action_item::Entity::find()
        .select_only()
        .columns([
            action_item::Column::IncidentId,
            action_item::Column::State,
            action_item::Column::DueOn,
        ])
        // Only the incident: a page's incidents have few items each, while a state can have
        // hundreds of thousands.
        .filter(action_item::Column::IncidentId.is_in(incident_ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let still_open = [
        ActionState::Proposed.key(),
        ActionState::Open.key(),
        ActionState::InProgress.key(),
    ];
    for (incident_id, state, due_on) in rows {
        if !still_open.contains(&state.as_str()) {
            continue;
        }
        let entry = counts.entry(incident_id).or_default();
        entry.0 += 1;
        if let Ok(state) = ActionState::parse(&state)
            && Standing::of(state, due_on, None, today) == Some(Standing::Overdue)
        {
            entry.1 += 1;
        }
    }
    Ok(counts)
}

pub use crate::domain::action_item::EXPORT_LIMIT;

/// One CSV field: quoted when it must be, and with a leading `'` on text a spreadsheet would
/// otherwise run as a formula.
pub(crate) fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One row of an exported action-item list: stored keys for the choices, names for the owner,
/// team and service.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListedItem {
    pub id: i64,
    pub title: String,
    pub state: String,
    /// `overdue` or `awaiting_verification` on the day of the export.
    pub standing: Option<String>,
    pub incident_id: i64,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub service: Option<String>,
    pub action_type: String,
    pub priority: String,
    pub due_on: Option<NaiveDate>,
    pub cadence: String,
    pub verify_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub tracker_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The items `filter` matches, every one of them, in `sort` order.
pub async fn export(
    db: &DatabaseConnection,
    filter: &ItemFilter,
    today: NaiveDate,
    sort: ItemSort,
) -> Result<Vec<ListedItem>, AppError> {
    // One more than the limit, in the same query as the rows: a list that grew past it between
    // a count and the read would otherwise be cut without saying so.
    let items = list(db, filter, today, sort, None, EXPORT_LIMIT + 1).await?;
    if items.len() as u64 > EXPORT_LIMIT {
        return Err(AppError::validation(
            "filters",
            "The filters",
            format!(
                "match more than {EXPORT_LIMIT} action items; narrow them (a team, an owner or a state) to export"
            ),
        ));
    }
    let refs: Vec<&action_item::Model> = items.iter().collect();
    let names = Names::load(db, &refs).await?;
    let named =
        |id: Option<i64>, name: fn(&Names, Option<i64>) -> String| id.map(|_| name(&names, id));
    items
        .into_iter()
        .map(|item| {
            let state = ActionState::parse(&item.state).map_err(AppError::internal)?;
            Ok(ListedItem {
                id: item.id,
                standing: Standing::of(state, item.due_on, item.verify_on, today)
                    .map(|s| s.key().to_string()),
                incident_id: item.incident_id,
                owner: named(item.owner_id, Names::user),
                team: named(item.team_id, Names::team),
                service: named(item.service_id, Names::service),
                title: item.title,
                state: item.state,
                action_type: item.action_type,
                priority: item.priority,
                due_on: item.due_on,
                cadence: item.cadence,
                verify_on: item.verify_on,
                outcome: item.outcome,
                tracker_url: item.tracker_url,
                created_at: item.created_at,
            })
        })
        .collect()
}

/// Exported items as CSV with a header row, in the words the pages use.
pub fn export_csv(items: &[ListedItem]) -> String {
    let mut out = String::new();
    let header = [
        "id",
        "title",
        "state",
        "standing",
        "incident_id",
        "owner",
        "team",
        "service",
        "type",
        "priority",
        "due_on",
        "cadence",
        "verify_on",
        "outcome",
        "tracker_url",
        "created_at",
    ];
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let label = |key: &Option<String>, of: fn(&str) -> Option<&'static str>| {
        key.as_deref().and_then(of).unwrap_or_default().to_string()
    };
    for item in items {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let row = [
            item.id.to_string(),
            item.title.clone(),
            ActionState::parse(&item.state).map_or(item.state.clone(), |s| s.label().to_string()),
            label(&item.standing, |k| {
                [Standing::Overdue, Standing::AwaitingVerification]
                    .into_iter()
                    .find(|s| s.key() == k)
                    .map(Standing::label)
            }),
            item.incident_id.to_string(),
            item.owner.clone().unwrap_or_default(),
            item.team.clone().unwrap_or_default(),
            item.service.clone().unwrap_or_default(),
            ActionType::parse(&item.action_type)
                .map(|t| t.label().to_string())
                .unwrap_or_default(),
            item.priority.to_uppercase(),
            day(item.due_on),
            item.cadence.clone(),
            day(item.verify_on),
            label(&item.outcome, |k| {
                Outcome::parse(k).ok().map(Outcome::label)
            }),
            item.tracker_url.clone().unwrap_or_default(),
            item.created_at.to_rfc3339(),
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

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}

/// Unfinished, overdue and awaiting-verification items of one team (`None`: no team).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TeamItemCounts {
    pub open: u64,
    pub overdue: u64,
    pub awaiting_verification: u64,
}

/// Every team's counts, by the same definitions as the lists and the manager's panels.
pub async fn counts_by_team(
    db: &DatabaseConnection,
    today: NaiveDate,
) -> Result<std::collections::BTreeMap<Option<i64>, TeamItemCounts>, AppError> {
    use action_item::Column as C;
    let mut counts: std::collections::BTreeMap<Option<i64>, TeamItemCounts> = Default::default();
    let unfinished = Condition::all()
        .add(C::State.is_in([ActionState::Open.key(), ActionState::InProgress.key()]));
    for (team, n) in grouped(db, unfinished, C::TeamId).await? {
        counts.entry(team).or_default().open = n;
    }
    for (team, n) in grouped(db, overdue(today), C::TeamId).await? {
        counts.entry(team).or_default().overdue = n;
    }
    for (team, n) in grouped(db, awaiting_verification(today), C::TeamId).await? {
        counts.entry(team).or_default().awaiting_verification = n;
    }
    Ok(counts)
}
