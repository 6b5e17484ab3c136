//! Reviews in the database: starting one for a cadence and period, its notes (guarded by
//! version), closing it with a snapshot of its figures, the items raised in it, and the lists
//! its agenda reads: items due for verification, newly overdue items, open incidents, causes.

use crate::domain::Role;
use crate::domain::action_item::{ActionState, Cadence};
use crate::domain::analytics::{Period, ReportPeriod};
use crate::domain::review::{ReviewStatus, Snapshot};
use crate::entities::{action_item, incident, review, review_item};
use crate::error::AppError;
use crate::services::action_items::{self, ActionItemInput, Actor};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{Condition, QueryOrder, QuerySelect};

pub const REVIEWS_PER_PAGE: u64 = 25;

fn may_run(actor: Actor) -> Result<(), AppError> {
    if actor.role.includes(Role::Facilitator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<review::Model, AppError> {
    review::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The review of `cadence` for `period`, started now by `actor` unless it exists already (then
/// that one). Facilitators and above run reviews.
pub async fn start(
    db: &DatabaseConnection,
    cadence: Cadence,
    period: Period,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<review::Model, AppError> {
    may_run(actor)?;
    let find = || {
        review::Entity::find()
            .filter(review::Column::Cadence.eq(cadence.key()))
            .filter(review::Column::PeriodKey.eq(period.key()))
    };
    if let Some(existing) = find().one(db).await? {
        return Ok(existing);
    }
    let inserted = review::ActiveModel {
        cadence: Set(cadence.key().to_string()),
        period_key: Set(period.key()),
        status: Set(ReviewStatus::Open.key().to_string()),
        facilitator_id: Set(actor.id),
        attendees: Set(String::new()),
        notes: Set(String::new()),
        snapshot: Set(None),
        created_at: Set(now),
        closed_at: Set(None),
        closed_by: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(review) => Ok(review),
        // Someone started the same review a moment ago: theirs it is.
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            find().one(db).await?.ok_or_else(|| AppError::internal(err))
        }
        Err(err) => Err(AppError::internal(err)),
    }
}

/// Reviews newest first, a page at a time: `before` is the last id of the previous page.
pub async fn list(
    db: &impl ConnectionTrait,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<review::Model>, AppError> {
    let mut q = review::Entity::find().order_by_desc(review::Column::Id);
    if let Some(before) = before {
        q = q.filter(review::Column::Id.lt(before));
    }
    Ok(q.limit(limit).all(db).await?)
}

fn check_open(review: &review::Model) -> Result<(), AppError> {
    if review.status == ReviewStatus::Closed.key() {
        return Err(AppError::validation(
            "review",
            "This review",
            "is closed; its record no longer changes",
        ));
    }
    Ok(())
}

/// Applies `changes` if the review is still open and at `version`; the review as it is now.
async fn change_open(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    changes: review::ActiveModel,
) -> Result<review::Model, AppError> {
    check_open(&get(db, id).await?)?;
    let res = review::Entity::update_many()
        .set(changes)
        .col_expr(
            review::Column::Version,
            Expr::col(review::Column::Version).add(1),
        )
        .filter(review::Column::Id.eq(id))
        .filter(review::Column::Version.eq(version))
        .filter(review::Column::Status.eq(ReviewStatus::Open.key()))
        .exec(db)
        .await?;
    let saved = get(db, id).await?;
    if res.rows_affected == 0 {
        check_open(&saved)?;
        return Err(AppError::Conflict {
            current_version: saved.version,
        });
    }
    Ok(saved)
}

/// Saves attendees and notes if the review is still at `version` and open.
pub async fn save_notes(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    attendees: String,
    notes: String,
    actor: Actor,
) -> Result<review::Model, AppError> {
    may_run(actor)?;
    let changes = review::ActiveModel {
        attendees: Set(attendees),
        notes: Set(notes),
        ..Default::default()
    };
    change_open(db, id, version, changes).await
}

/// Closes the review at `version`, keeping `snapshot` of its figures.
pub async fn close(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    snapshot: &Snapshot,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<review::Model, AppError> {
    may_run(actor)?;
    let json = serde_json::to_string(snapshot).map_err(AppError::internal)?;
    let changes = review::ActiveModel {
        status: Set(ReviewStatus::Closed.key().to_string()),
        snapshot: Set(Some(json)),
        closed_at: Set(Some(now)),
        closed_by: Set(Some(actor.id)),
        ..Default::default()
    };
    change_open(db, id, version, changes).await
}

/// The snapshot a closed review kept.
pub fn snapshot_of(review: &review::Model) -> Result<Option<Snapshot>, AppError> {
    review
        .snapshot
        .as_deref()
        .map(|json| serde_json::from_str(json).map_err(AppError::internal))
        .transpose()
}

/// Raises an item in the review: of the review's cadence, so the next review of that cadence
/// verifies it, and listed with the review.
pub async fn add_item(
    db: &DatabaseConnection,
    review_id: i64,
    mut input: ActionItemInput,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<action_item::Model, AppError> {
    may_run(actor)?;
    let review = get(db, review_id).await?;
    check_open(&review)?;
    input.cadence = Cadence::parse(&review.cadence).map_err(AppError::internal)?;
    let created = action_items::create(db, input, actor, now).await?;
    review_item::ActiveModel {
        review_id: Set(review_id),
        action_item_id: Set(created.id),
    }
    .insert(db)
    .await?;
    Ok(created)
}

/// The items raised in a review, oldest first.
pub async fn items_of(
    db: &impl ConnectionTrait,
    review_id: i64,
) -> Result<Vec<action_item::Model>, AppError> {
    let ids: Vec<i64> = review_item::Entity::find()
        .select_only()
        .column(review_item::Column::ActionItemId)
        .filter(review_item::Column::ReviewId.eq(review_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(action_item::Entity::find()
        .filter(action_item::Column::Id.is_in(ids))
        .order_by_asc(action_item::Column::Id)
        .all(db)
        .await?)
}

/// Items of `cadence` whose verification day has come by the period's last day: done and
/// waiting, or verified since the period began. A review is often held in the first days after
/// its period, and an item verified there stays on its agenda with the outcome. Waiting ones
/// first, by verification day.
pub async fn due_for_verification(
    db: &impl ConnectionTrait,
    cadence: Cadence,
    period: Period,
    zone: &Tz,
) -> Result<Vec<action_item::Model>, AppError> {
    use action_item::Column as C;
    let (start, _) = ReportPeriod::Calendar(period).utc_bounds(zone);
    let mut items = action_item::Entity::find()
        .filter(C::Cadence.eq(cadence.key()))
        .filter(C::VerifyOn.lte(period.last_day()))
        .filter(
            Condition::any()
                .add(C::State.eq(ActionState::Done.key()))
                .add(
                    Condition::all()
                        .add(C::State.eq(ActionState::Verified.key()))
                        .add(C::VerifiedAt.gte(start)),
                ),
        )
        .order_by_asc(C::VerifyOn)
        .order_by_asc(C::Id)
        .limit(200)
        .all(db)
        .await?;
    items.sort_by_key(|i| i.state == ActionState::Verified.key());
    Ok(items)
}

/// Committed items that fell due during `period` and are still unfinished: late since.
pub async fn newly_overdue(
    db: &impl ConnectionTrait,
    period: ReportPeriod,
) -> Result<Vec<action_item::Model>, AppError> {
    use action_item::Column as C;
    Ok(action_item::Entity::find()
        .filter(C::State.is_in([ActionState::Open.key(), ActionState::InProgress.key()]))
        .filter(C::DueOn.gte(period.start()))
        .filter(C::DueOn.lt(period.end()))
        .order_by_asc(C::DueOn)
        .order_by_asc(C::Id)
        .limit(200)
        .all(db)
        .await?)
}

/// Incidents not yet resolved, oldest first: (id, title, severity key).
pub async fn open_incidents(
    db: &impl ConnectionTrait,
) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(incident::Entity::find()
        .select_only()
        .columns([
            incident::Column::Id,
            incident::Column::Title,
            incident::Column::Severity,
        ])
        .filter(incident::Column::ResolvedAt.is_null())
        .order_by_asc(incident::Column::StartedAt)
        .limit(100)
        .into_tuple()
        .all(db)
        .await?)
}

/// How many of the period's incidents had each recorded cause, most first.
pub async fn cause_counts(
    db: &impl ConnectionTrait,
    period: ReportPeriod,
    zone: &Tz,
) -> Result<Vec<(String, u64)>, AppError> {
    let (start, end) = period.utc_bounds(zone);
    let mut rows: Vec<(Option<String>, i64)> = incident::Entity::find()
        .select_only()
        .column(incident::Column::CauseCategory)
        .column_as(incident::Column::Id.count(), "n")
        .filter(incident::Column::StartedAt.gte(start))
        .filter(incident::Column::StartedAt.lt(end))
        .group_by(incident::Column::CauseCategory)
        .into_tuple()
        .all(db)
        .await?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(rows
        .into_iter()
        .filter_map(|(cause, n)| Some((cause?, n as u64)))
        .collect())
}
