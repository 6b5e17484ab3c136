//! One's own personal API tokens: list, create (shown once) and revoke.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{auth, domain::Role, services::api_tokens};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// A new token: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub name: String,
    pub token: String,
}

#[server(endpoint = "tokens")]
pub async fn my_tokens() -> Result<Vec<TokenRow>, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let rows = api_tokens::list_for_user(auth::state()?.db.read(), me.id).await?;
            Ok(rows
                .into_iter()
                .map(|t| TokenRow {
                    id: t.id,
                    name: t.name,
                    created_at: t.created_at,
                    last_used_at: t.last_used_at,
                    revoked: t.revoked_at.is_some(),
                })
                .collect())
        }
        .await,
    )
}

#[server(endpoint = "tokens/create")]
pub async fn create_token(name: String) -> Result<NewToken, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let state = auth::state()?;
            let (row, token) =
                api_tokens::create(state.db.write(), me.id, &name, state.clock.now()).await?;
            let new = NewToken {
                name: row.name,
                token,
            };
            auth::keep_shown_once(NEW_TOKEN, &new).await?;
            Ok(new)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
const NEW_TOKEN: &str = "api_token";

/// The token just made by a form posted without JavaScript, once.
#[server(endpoint = "tokens/new")]
pub async fn token_just_made() -> Result<Option<NewToken>, AppError> {
    auth::respond(
        async {
            auth::require(Role::Viewer).await?;
            Ok(auth::shown_once(NEW_TOKEN))
        }
        .await,
    )
}

#[server(endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let state = auth::state()?;
            api_tokens::revoke(state.db.write(), me.id, id, state.clock.now()).await
        }
        .await,
    )
}

/// The API page's content, read from the description the API publishes.
#[server(endpoint = "api_guide")]
pub async fn api_guide() -> Result<crate::domain::api_guide::ApiGuide, AppError> {
    auth::respond(
        async {
            auth::require(Role::Viewer).await?;
            Ok(crate::domain::api_guide::ApiGuide::from_openapi(
                &auth::state()?.api_description,
            ))
        }
        .await,
    )
}
