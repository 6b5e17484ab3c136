//! Slows down password guessing: too many failed sign-ins for one account, or from one address,
//! within a window lock further attempts out until the window has passed. The same limits
//! guard changing one's password, which also proves knowledge of it. Kept in the database
//! so that every app instance sees the same count.

use crate::entities::login_failure;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect, Set};

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_PER_ACCOUNT: u64 = 5;
pub const MAX_PER_ADDRESS: u64 = 20;

/// The account part of a record: what was typed, normalised and cut to the column's size.
fn account_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

/// Records an attempt before the password is checked, so attempts made at the same moment
/// count against each other, then refuses it when it passes either limit, saying how long to
/// wait. The record stays as a failure unless `succeeded` clears it.
pub async fn attempt(
    db: &DatabaseConnection,
    username: &str,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let account = account_key(username);
    let address: String = client_ip.chars().take(64).collect();
    login_failure::ActiveModel {
        username: Set(account.clone()),
        client_ip: Set(address.clone()),
        occurred_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let since = now - WINDOW;
    for (column, value, limit) in [
        (login_failure::Column::Username, account, MAX_PER_ACCOUNT),
        (login_failure::Column::ClientIp, address, MAX_PER_ADDRESS),
    ] {
        let recent = login_failure::Entity::find()
            .filter(column.eq(value))
            .filter(login_failure::Column::OccurredAt.gt(since));
        // This attempt is among the recent ones, hence "more than".
        if recent.clone().count(db).await? > limit {
            // The lock lifts when the oldest attempt that still counts leaves the window.
            let oldest: Option<DateTime<Utc>> = recent
                .select_only()
                .column(login_failure::Column::OccurredAt)
                .order_by_asc(login_failure::Column::OccurredAt)
                .into_tuple()
                .one(db)
                .await?;
            let until = oldest.unwrap_or(now) + WINDOW;
            let retry_after_secs = (until - now).num_seconds().max(1) as u64;
            return Err(AppError::TooManyRequests { retry_after_secs });
        }
    }
    Ok(())
}

/// The password was right: the account's recorded attempts are forgiven (not the address's
/// attempts at other accounts).
pub async fn succeeded(db: &DatabaseConnection, username: &str) -> Result<(), AppError> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(account_key(username)))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets failures that no longer count; run periodically.
pub async fn prune(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, AppError> {
    let res = login_failure::Entity::delete_many()
        .filter(login_failure::Column::OccurredAt.lt(now - WINDOW))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
