//! Personal API tokens: created and revoked by their owner, shown once, stored as a SHA-256
//! hash (a token has 256 random bits, so a fast hash is enough), and accepted as
//! `Authorization: Bearer` on the JSON API.

use crate::domain::account::required_line;
use crate::entities::{api_token, user};
use crate::error::AppError;
use crate::state::Db;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};
use sha2::{Digest, Sha256};

/// Every token starts with this, so a leaked one is recognisable in logs and by secret scanners.
pub const PREFIX: &str = "hs_";

/// Recording when a token was last used costs a write; once per this long is precise enough.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(5);

/// SHA-256 of a secret, hex: what is stored instead of the secret.
pub(crate) fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 256 random bits, hex, after `prefix`.
pub(crate) fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// Creates a token for `user_id`; the returned string is the only time it is seen.
pub async fn create(
    db: &DatabaseConnection,
    user_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(api_token::Model, String), AppError> {
    let name = AppError::check("name", "Token name", required_line(name, 80))?;
    let token = random_secret(PREFIX);
    let row = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name),
        token_hash: Set(hash(&token)),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row, token))
}

/// The owner's tokens, newest first.
pub async fn list_for_user(
    db: &DatabaseConnection,
    user_id: i64,
) -> Result<Vec<api_token::Model>, AppError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of the owner's tokens; someone else's token is "not found".
pub async fn revoke(
    db: &DatabaseConnection,
    user_id: i64,
    token_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let token = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if token.revoked_at.is_none() {
        let mut active: api_token::ActiveModel = token.into();
        active.revoked_at = Set(Some(now));
        active.update(db).await?;
    }
    Ok(())
}

/// The account a bearer token speaks for, if the token is live and the account enabled. Read
/// from the readers: only the occasional "last used" goes through the writer, which every
/// write of the API waits for.
pub async fn authenticate(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<user::Model>, AppError> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .find_also_related(user::Entity)
        .one(db.read())
        .await?;
    let Some((token, Some(user))) = found else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    if token
        .last_used_at
        .is_none_or(|t| now - t >= LAST_USED_RESOLUTION)
    {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(db.write())
            .await?;
    }
    Ok(Some(user))
}
