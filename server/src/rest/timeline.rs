//! `/api/v1/incidents/{id}/timeline` and `/api/v1/timeline/{id}`: an incident's events, with
//! the same rules as the page (a marking event sets the incident's key time).

use super::{ApiResult, ApiUser, Denied, Id, Invalid, Missing, Stale, body, query};
use app::domain::Role;
use app::domain::timeline::{EventKind, KeyMoment, parse_event_text};
use app::entities::timeline_event;
use app::error::AppError;
use app::services::{incidents, timeline};
use app::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A timeline event as the API writes it.
#[derive(Deserialize, ToSchema)]
pub struct EventBody {
    occurred_at: DateTime<Utc>,
    #[schema(value_type = EventKind)]
    kind: String,
    /// Markdown.
    body: String,
    /// The incident's key time this event sets.
    #[schema(value_type = Option<KeyMoment>)]
    marks: Option<String>,
    /// Required when changing an event.
    version: Option<i64>,
}

impl EventBody {
    fn input(&self) -> Result<timeline::EventInput, AppError> {
        Ok(timeline::EventInput {
            occurred_at: self.occurred_at,
            kind: AppError::check("kind", "Kind", EventKind::parse(&self.kind))?,
            body: AppError::check("body", "Text", parse_event_text(&self.body))?,
            marks: self
                .marks
                .as_deref()
                .filter(|m| !m.trim().is_empty())
                .map(|m| AppError::check("marks", "Marks", KeyMoment::parse(m)))
                .transpose()?,
        })
    }
}

/// A timeline event as the API reads it.
#[derive(Serialize, ToSchema)]
#[schema(as = TimelineEvent)]
pub struct EventJson {
    id: i64,
    incident_id: i64,
    version: i64,
    occurred_at: DateTime<Utc>,
    #[schema(value_type = EventKind)]
    kind: String,
    body: String,
    #[schema(value_type = Option<KeyMoment>)]
    marks: Option<String>,
    author_id: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<timeline_event::Model> for EventJson {
    fn from(e: timeline_event::Model) -> Self {
        EventJson {
            id: e.id,
            incident_id: e.incident_id,
            version: e.version,
            occurred_at: e.occurred_at,
            kind: e.kind,
            body: e.body,
            marks: e.marks,
            author_id: e.author_id,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// An incident's timeline, in order
#[utoipa::path(get, path = "/api/v1/incidents/{id}/timeline", tag = "timeline",
    params(("id" = i64, Path, description = "The incident.")),
    responses((status = 200, description = "Its events, earliest first.", body = Vec<EventJson>),
        Denied, Missing))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Id(incident_id): Id,
) -> ApiResult<Json<Vec<EventJson>>> {
    user.require(Role::Viewer)?;
    if !incidents::exists(state.db.read(), incident_id).await? {
        return Err(AppError::NotFound.into());
    }
    let events = timeline::list(state.db.read(), incident_id).await?;
    Ok(Json(events.into_iter().map(EventJson::from).collect()))
}

/// Add an event (engineers)
///
/// An event that `marks` a key moment also sets the incident's time for it.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/timeline", tag = "timeline",
    request_body = EventBody,
    params(("id" = i64, Path, description = "The incident.")),
    responses((status = 201, description = "The new event.", body = EventJson),
        Denied, Missing, Invalid, Stale))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Id(incident_id): Id,
    payload: Result<Json<EventBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<EventJson>)> {
    let me = user.require(Role::Engineer)?;
    let input = body(payload)?.input()?;
    let event = timeline::post(&state.db, incident_id, input, me.id, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(event.into())))
}

/// Change an event (engineers)
#[utoipa::path(put, path = "/api/v1/timeline/{id}", tag = "timeline", request_body = EventBody,
    params(("id" = i64, Path, description = "The event.")),
    responses((status = 200, description = "The event as saved.", body = EventJson),
        Denied, Missing, Invalid, Stale))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
    payload: Result<Json<EventBody>, JsonRejection>,
) -> ApiResult<Json<EventJson>> {
    let me = user.require(Role::Engineer)?;
    let payload = body(payload)?;
    let version = payload.version.ok_or_else(|| {
        AppError::validation("version", "Version", "is required to change an event")
    })?;
    let event = timeline::update(
        state.db.write(),
        id,
        version,
        payload.input()?,
        me.id,
        state.clock.now(),
    )
    .await?;
    Ok(Json(event.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The version the deletion is based on.
    #[param(required = true)]
    version: Option<i64>,
}

/// Delete an event (engineers)
#[utoipa::path(delete, path = "/api/v1/timeline/{id}", tag = "timeline",
    params(("id" = i64, Path, description = "The event."), VersionQuery),
    responses((status = 204, description = "Deleted."), Denied, Missing, Invalid, Stale))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
    version: Result<Query<VersionQuery>, QueryRejection>,
) -> ApiResult<StatusCode> {
    let me = user.require(Role::Engineer)?;
    let query = query(version)?;
    let version = query.version.ok_or_else(|| {
        AppError::validation("version", "Version", "is required to delete an event")
    })?;
    timeline::delete(state.db.write(), id, version, me.id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
