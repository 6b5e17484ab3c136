//! Each person's inbox: items assigned to them, items of theirs becoming overdue, and items
//! whose verification has come. Every notice has a key unique per person, so the reminder job
//! can run as often as it likes, on as many servers as there are, and say each thing once.

use crate::domain::action_item::{ActionState, NoticeKind, Standing};
use crate::entities::{action_item, notice};
use crate::error::AppError;
use crate::state::Db;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{QueryOrder, QuerySelect, Set};
use std::collections::HashSet;

/// Candidates are looked up and written in batches of this many.
const BATCH: usize = 500;

/// A notice that should exist, written unless it already does.
struct Due {
    user_id: i64,
    kind: NoticeKind,
    action_item_id: i64,
    dedup_key: String,
}

async fn write(
    db: &impl ConnectionTrait,
    due: Vec<Due>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut written = 0;
    for chunk in due.chunks(BATCH) {
        let rows = chunk.iter().map(|d| notice::ActiveModel {
            user_id: Set(d.user_id),
            kind: Set(d.kind.key().to_string()),
            action_item_id: Set(d.action_item_id),
            dedup_key: Set(d.dedup_key.clone()),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        });
        let res = notice::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([notice::Column::UserId, notice::Column::DedupKey])
            .exec_without_returning(db)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(n) = res {
            written += n;
        }
    }
    Ok(written)
}

/// Tells `owner_id` that the item is now theirs, unless they gave it to themselves. `version`
/// is the item's version after the assignment, so a later reassignment back is told again.
pub async fn assigned(
    db: &impl ConnectionTrait,
    item_id: i64,
    owner_id: i64,
    version: i64,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if owner_id == actor_id {
        return Ok(());
    }
    write(
        db,
        vec![Due {
            user_id: owner_id,
            kind: NoticeKind::Assigned,
            action_item_id: item_id,
            dedup_key: format!("assigned:{item_id}:{version}"),
        }],
        now,
    )
    .await?;
    Ok(())
}

/// Writes the notice `item` calls for today, if any, straight after a change, so an item that
/// is already late when it is raised or re-dated is in its owner's inbox before the job runs.
pub async fn remind_item(
    db: &impl ConnectionTrait,
    item: &action_item::Model,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (Some(owner), Ok(state)) = (item.owner_id, ActionState::parse(&item.state)) else {
        return Ok(());
    };
    let due = match Standing::of(state, item.due_on, item.verify_on, today) {
        Some(Standing::Overdue) => item.due_on.map(|day| Due {
            user_id: owner,
            kind: NoticeKind::Overdue,
            action_item_id: item.id,
            dedup_key: format!("overdue:{}:{day}", item.id),
        }),
        Some(Standing::AwaitingVerification) => item.verify_on.map(|day| Due {
            user_id: owner,
            kind: NoticeKind::AwaitingVerification,
            action_item_id: item.id,
            dedup_key: format!("verify:{}:{day}", item.id),
        }),
        None => None,
    };
    if let Some(due) = due {
        write(db, vec![due], now).await?;
    }
    Ok(())
}

/// Writes the overdue and awaiting-verification notices that `today` calls for and that were
/// not written before; returns how many were new.
///
/// Candidates are read from the readers a batch at a time, in the order of an index, so the job
/// holds one batch in memory and the writer only for that batch's new notices, however many
/// items are late.
#[tracing::instrument(skip(db))]
pub async fn remind(db: &Db, today: NaiveDate, now: DateTime<Utc>) -> Result<u64, AppError> {
    use action_item::Column as C;
    let mut written = 0;
    // Each state on its own: `(state, day, id)` is then the order of an index, read from where
    // the last batch ended.
    for (state, day, reached, kind, prefix) in [
        (
            ActionState::Open,
            C::DueOn,
            C::DueOn.lt(today),
            NoticeKind::Overdue,
            "overdue",
        ),
        (
            ActionState::InProgress,
            C::DueOn,
            C::DueOn.lt(today),
            NoticeKind::Overdue,
            "overdue",
        ),
        (
            ActionState::Done,
            C::VerifyOn,
            C::VerifyOn.lte(today),
            NoticeKind::AwaitingVerification,
            "verify",
        ),
    ] {
        let mut after: Option<(NaiveDate, i64)> = None;
        loop {
            let mut query = action_item::Entity::find()
                .select_only()
                .columns([C::Id, C::OwnerId, day])
                .filter(C::State.eq(state.key()))
                .filter(reached.clone())
                .filter(C::OwnerId.is_not_null());
            if let Some((last_day, last_id)) = after {
                query = query.filter(
                    Expr::tuple([Expr::col(day), Expr::col(C::Id)])
                        .gt(Expr::tuple([Expr::val(last_day), Expr::val(last_id)])),
                );
            }
            let batch: Vec<(i64, Option<i64>, Option<NaiveDate>)> = query
                .order_by_asc(day)
                .order_by_asc(C::Id)
                .limit(BATCH as u64)
                .into_tuple()
                .all(db.read())
                .await?;
            let more = batch.len() == BATCH;
            after = batch.last().and_then(|&(id, _, on)| Some((on?, id)));
            let due = batch
                .into_iter()
                .filter_map(|(id, owner, on)| {
                    Some(Due {
                        user_id: owner?,
                        kind,
                        action_item_id: id,
                        dedup_key: format!("{prefix}:{id}:{}", on?),
                    })
                })
                .collect();
            written += write_unsaid(db, due, now).await?;
            if !more || after.is_none() {
                break;
            }
        }
    }
    Ok(written)
}

/// Writes those of `due` (at most one batch) that were not written before. Most were, on an
/// earlier run: those are skipped without asking the writer.
async fn write_unsaid(db: &Db, due: Vec<Due>, now: DateTime<Utc>) -> Result<u64, AppError> {
    if due.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = due.iter().map(|d| d.action_item_id).collect();
    let said: HashSet<(i64, String)> = notice::Entity::find()
        .select_only()
        .columns([notice::Column::UserId, notice::Column::DedupKey])
        .filter(notice::Column::ActionItemId.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db.read())
        .await?
        .into_iter()
        .collect();
    let unsaid: Vec<Due> = due
        .into_iter()
        .filter(|d| !said.contains(&(d.user_id, d.dedup_key.clone())))
        .collect();
    if unsaid.is_empty() {
        return Ok(0);
    }
    write(db.write(), unsaid, now).await
}

/// A notice with what the inbox shows of its item.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxNotice {
    pub notice: notice::Model,
    pub item: action_item::Model,
}

/// The person's notices, newest first, at most `limit` before notice `before`.
pub async fn inbox(
    db: &DatabaseConnection,
    user_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<InboxNotice>, AppError> {
    let mut query = notice::Entity::find()
        .filter(notice::Column::UserId.eq(user_id))
        .order_by_desc(notice::Column::Id);
    if let Some(before) = before {
        query = query.filter(notice::Column::Id.lt(before));
    }
    let notices = query.limit(limit).all(db).await?;
    let ids: Vec<i64> = notices.iter().map(|n| n.action_item_id).collect();
    let items: std::collections::HashMap<i64, action_item::Model> = action_item::Entity::find()
        .filter(action_item::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    Ok(notices
        .into_iter()
        .filter_map(|notice| {
            let item = items.get(&notice.action_item_id)?.clone();
            Some(InboxNotice { notice, item })
        })
        .collect())
}

pub async fn unread_count(db: &DatabaseConnection, user_id: i64) -> Result<u64, AppError> {
    Ok(unread_of(user_id).count(db).await?)
}

/// The person's unread notices.
pub(crate) fn unread_of(user_id: i64) -> sea_orm::Select<notice::Entity> {
    notice::Entity::find()
        .filter(notice::Column::UserId.eq(user_id))
        .filter(notice::Column::ReadAt.is_null())
}

/// Marks the person's notices read: one, or all of them.
pub async fn mark_read(
    db: &DatabaseConnection,
    user_id: i64,
    notice_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut update = notice::Entity::update_many()
        .col_expr(notice::Column::ReadAt, Expr::value(Some(now)))
        .filter(notice::Column::UserId.eq(user_id))
        .filter(notice::Column::ReadAt.is_null());
    if let Some(id) = notice_id {
        update = update.filter(notice::Column::Id.eq(id));
    }
    Ok(update.exec(db).await?.rows_affected)
}
