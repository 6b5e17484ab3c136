//! `/api/v1/incidents/{id}/postmortem`: read and write an incident's write-up, from a version.

use super::{ApiResult, ApiUser, Denied, Id, Invalid, Missing, Stale, body};
use app::domain::Role;
use app::domain::blameless;
use app::domain::postmortem::PostmortemStatus;
use app::services::postmortems::{self, Postmortem};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A postmortem as the API reads it.
#[derive(Serialize, ToSchema)]
#[schema(as = Postmortem)]
pub struct PostmortemJson {
    incident_id: i64,
    /// Markdown.
    body: String,
    #[schema(value_type = PostmortemStatus)]
    status: String,
    /// 0 until the first save; the body is then the template.
    version: i64,
    /// Wording that points at a person rather than the system, with a suggestion.
    lint_warnings: Vec<blameless::Warning>,
    updated_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
}

impl From<Postmortem> for PostmortemJson {
    fn from(p: Postmortem) -> Self {
        PostmortemJson {
            incident_id: p.incident_id,
            lint_warnings: blameless::lint(&p.body),
            body: p.body,
            status: p.status.key().to_string(),
            version: p.version,
            updated_at: p.updated_at,
            published_at: p.published_at,
        }
    }
}

/// A postmortem as the API writes it.
#[derive(Deserialize, ToSchema)]
pub struct PostmortemBody {
    body: String,
    /// The version the text is based on; 0 for the first save.
    version: i64,
}

/// An incident's postmortem
#[utoipa::path(get, path = "/api/v1/incidents/{id}/postmortem", tag = "postmortems",
    params(("id" = i64, Path, description = "The incident.")),
    responses((status = 200, description = "The postmortem; the template before the first save.",
        body = PostmortemJson), Denied, Missing))]
pub async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    Id(incident_id): Id,
) -> ApiResult<Json<PostmortemJson>> {
    user.require(Role::Viewer)?;
    Ok(Json(
        postmortems::get(state.db.read(), incident_id).await?.into(),
    ))
}

/// Save the postmortem's text (engineers)
#[utoipa::path(put, path = "/api/v1/incidents/{id}/postmortem", tag = "postmortems",
    request_body = PostmortemBody,
    params(("id" = i64, Path, description = "The incident.")),
    responses((status = 200, description = "The postmortem as saved.", body = PostmortemJson),
        Denied, Missing, Invalid, Stale))]
pub async fn save(
    State(state): State<AppState>,
    user: ApiUser,
    Id(incident_id): Id,
    payload: Result<Json<PostmortemBody>, JsonRejection>,
) -> ApiResult<Json<PostmortemJson>> {
    let me = user.require(Role::Engineer)?;
    let payload = body(payload)?;
    let saved = postmortems::save(
        state.db.write(),
        incident_id,
        payload.version,
        payload.body,
        me.id,
        state.clock.now(),
    )
    .await?;
    Ok(Json(saved.into()))
}
