//! Slows down password guessing: too many failed sign-ins for one account, or from one address,
//! within a window lock further attempts out until the window has passed. Kept in the database
//! so that every app instance sees the same count.

use crate::entities::login_failure;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect, Set};

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_PER_ACCOUNT: u64 = 5;
pub const MAX_PER_ADDRESS: u64 = 20;

/// Refuses the attempt when either limit is reached, saying how long to wait.
pub async fn check(
    db: &DatabaseConnection,
    username: &str,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let since = now - WINDOW;
    for (column, value, limit) in [
        (login_failure::Column::Username, username, MAX_PER_ACCOUNT),
        (login_failure::Column::ClientIp, client_ip, MAX_PER_ADDRESS),
    ] {
        let recent = login_failure::Entity::find()
            .filter(column.eq(value))
            .filter(login_failure::Column::OccurredAt.gt(since));
        if recent.clone().count(db).await? >= limit {
            // The lock lifts when the oldest failure that still counts leaves the window.
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

pub async fn record_failure(
    db: &DatabaseConnection,
    username: &str,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    login_failure::ActiveModel {
        username: Set(username.to_string()),
        client_ip: Set(client_ip.to_string()),
        occurred_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A successful sign-in forgives the account's failures (not the address's).
pub async fn clear_account(db: &DatabaseConnection, username: &str) -> Result<(), AppError> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
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
