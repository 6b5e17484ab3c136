//! An incident's timeline for the pages: read it, and add, change or delete events in place.

use crate::domain::time::ShownTime;
use crate::domain::timeline::{EventKind, KeyMoment};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    domain::time::{parse_local, show},
    domain::timeline::parse_event_text,
    entities::{timeline_event, user},
    services::{markdown, timeline},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEventDto {
    pub id: i64,
    pub version: i64,
    pub occurred: ShownTime,
    pub kind: EventKind,
    /// The markdown as written, for editing.
    pub body: String,
    /// The markdown rendered and sanitised on the server.
    pub body_html: String,
    pub marks: Option<KeyMoment>,
    pub author: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub events: Vec<TimelineEventDto>,
    pub can_edit: bool,
    pub time_zone: String,
    /// The current time as a `datetime-local` value, to start a new event from.
    pub now_input: String,
}

#[cfg(feature = "ssr")]
fn dto(
    event: timeline_event::Model,
    zone: chrono_tz::Tz,
    authors: &std::collections::HashMap<i64, String>,
) -> TimelineEventDto {
    TimelineEventDto {
        id: event.id,
        version: event.version,
        occurred: show(event.occurred_at, zone),
        kind: EventKind::parse(&event.kind).unwrap_or(EventKind::Note),
        body_html: markdown::render(&event.body),
        body: event.body,
        marks: event
            .marks
            .as_deref()
            .and_then(|m| KeyMoment::parse(m).ok()),
        author: authors
            .get(&event.author_id)
            .cloned()
            .unwrap_or_else(|| format!("user #{}", event.author_id)),
    }
}

#[server(endpoint = "timeline")]
pub async fn load_timeline(incident_id: i64) -> Result<Timeline, AppError> {
    auth::respond(
        async {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            let me = auth::require(Role::Viewer).await?;
            // Everything from the request context is read before the first database await.
            let state = auth::state()?;
            let now = state.clock.now();
            let db = state.db;
            if !crate::services::incidents::exists(db.read(), incident_id).await? {
                return Err(AppError::NotFound);
            }
            let events = timeline::list(db.read(), incident_id).await?;
            let author_ids: Vec<i64> = events.iter().map(|e| e.author_id).collect();
            let authors = user::Entity::find()
                .filter(user::Column::Id.is_in(author_ids))
                .all(db.read())
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
            let zone = me.zone();
            Ok(Timeline {
                events: events.into_iter().map(|e| dto(e, zone, &authors)).collect(),
                can_edit: me.role.includes(Role::Engineer),
                time_zone: zone.name().to_string(),
                now_input: show(now, zone).input,
            })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn event_input(
    occurred_at: &str,
    kind: &str,
    body: &str,
    marks: &str,
    zone: chrono_tz::Tz,
) -> Result<timeline::EventInput, AppError> {
    Ok(timeline::EventInput {
        occurred_at: AppError::check("occurred_at", "Time", parse_local(occurred_at, zone))?,
        kind: AppError::check("kind", "Kind", EventKind::parse(kind))?,
        body: AppError::check("body", "Text", parse_event_text(body))?,
        marks: match marks.trim() {
            "" => None,
            m => Some(AppError::check("marks", "Marks", KeyMoment::parse(m))?),
        },
    })
}

/// Adds an event; `marks` makes it the incident's moment of detection, mitigation or resolution.
#[server(endpoint = "timeline/add")]
pub async fn add_timeline_event(
    incident_id: i64,
    occurred_at: String,
    kind: String,
    body: String,
    #[server(default)] marks: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let input = event_input(&occurred_at, &kind, &body, &marks, me.zone())?;
            let state = auth::state()?;
            let event =
                timeline::post(&state.db, incident_id, input, me.id, state.clock.now()).await?;
            Ok(event.id)
        }
        .await,
    )
}

#[server(endpoint = "timeline/update")]
pub async fn update_timeline_event(
    id: i64,
    version: i64,
    occurred_at: String,
    kind: String,
    body: String,
    #[server(default)] marks: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let input = event_input(&occurred_at, &kind, &body, &marks, me.zone())?;
            let state = auth::state()?;
            let event = timeline::update(
                state.db.write(),
                id,
                version,
                input,
                me.id,
                state.clock.now(),
            )
            .await?;
            Ok(event.version)
        }
        .await,
    )
}

#[server(endpoint = "timeline/delete")]
pub async fn delete_timeline_event(id: i64, version: i64) -> Result<i64, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let state = auth::state()?;
            timeline::delete(state.db.write(), id, version, me.id, state.clock.now()).await
        }
        .await,
    )
}
