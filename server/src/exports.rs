//! Files people take elsewhere: the filtered action-item and incident lists as CSV or JSON, a
//! period's learning digest as markdown and an incident as markdown or JSON (for the signed-in
//! viewer), and each person's calendar feed (found by the secret in its address, so calendar
//! apps can fetch it without a session).

use app::api::action_items::{ItemParams, parse_item_params, resolve_item_names};
use app::api::analytics::{AnalyticsParams, parse_params};
use app::api::incidents::{ListParams, parse_list_params};
use app::auth;
use app::domain::Role;
use app::domain::links::urlencode;
use app::error::AppError;
use app::services::{action_items, calendar, digest, incident_export, organisation, search};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{StatusCode, Uri, header};
use tower_sessions::Session;

fn refused(err: AppError) -> Response {
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match err {
        AppError::Internal => AppError::Internal.to_string(),
        other => other.to_string(),
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// A file to save, never kept by caches: these are the viewer's own data.
fn download(content_type: &str, filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The signed-in person, or the answer to send instead: to the sign-in page and back.
pub(crate) async fn signed_in(
    state: &AppState,
    session: &Session,
    uri: &Uri,
) -> Result<auth::CurrentUser, Response> {
    match auth::user_for_session(state, session).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => {
            let wanted = uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default();
            Err(Redirect::to(&format!("/login?next={}", urlencode(&wanted))).into_response())
        }
        Err(err) => Err(refused(err)),
    }
}

/// `/action-items/export.csv?<the All items filters>` and `/action-items/export.json?...`: every
/// item the list matches, for the signed-in viewer.
pub async fn action_items_csv(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    query: Result<Query<ItemParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    action_item_list(state, session, uri, query, true).await
}

pub async fn action_items_json(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    query: Result<Query<ItemParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    action_item_list(state, session, uri, query, false).await
}

async fn action_item_list(
    state: AppState,
    session: Session,
    uri: Uri,
    query: Result<Query<ItemParams>, axum::extract::rejection::QueryRejection>,
    csv: bool,
) -> Response {
    let user = match signed_in(&state, &session, &uri).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let result = async {
        user.require(Role::Viewer)?;
        let Query(params) =
            query.map_err(|r| AppError::validation("query", "The filters", r.body_text()))?;
        let (params, _) = resolve_item_names(state.db.read(), params).await?;
        let (filter, sort, _) = parse_item_params(&params)?;
        let today = organisation::today(state.db.read(), state.clock.now()).await?;
        action_items::export(state.db.read(), &filter, today, sort).await
    }
    .await;
    let items = match result {
        Ok(items) => items,
        Err(err) => return refused(err),
    };
    if csv {
        return download(
            "text/csv; charset=utf-8",
            "action-items.csv",
            action_items::export_csv(&items),
        );
    }
    match serde_json::to_string_pretty(&items) {
        Ok(json) => download("application/json", "action-items.json", json),
        Err(err) => refused(AppError::internal(err)),
    }
}

/// `/digest.md?kind=&period=`: a period's learning digest as markdown, for the signed-in viewer.
pub async fn digest_markdown(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    query: Result<Query<AnalyticsParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let user = match signed_in(&state, &session, &uri).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let result = async {
        user.require(Role::Viewer)?;
        let Query(params) =
            query.map_err(|r| AppError::validation("query", "The period", r.body_text()))?;
        let now = state.clock.now();
        let period = parse_params(state.db.read(), &params, now).await?.period;
        let digest = digest::digest(state.db.read(), &state.figures, period, now).await?;
        Ok::<_, AppError>((period.key(), digest.to_markdown()))
    }
    .await;
    match result {
        Ok((key, markdown)) => download(
            "text/markdown; charset=utf-8",
            &format!("hindsight-digest-{key}.md"),
            markdown,
        ),
        Err(err) => refused(err),
    }
}

/// `/incidents/{id}/export.md` and `/incidents/{id}/export.json`: one incident with its
/// timeline, action items and postmortem, for the signed-in viewer.
pub async fn incident_markdown(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    Path(id): Path<i64>,
) -> Response {
    incident(state, session, uri, id, true).await
}

pub async fn incident_json(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    Path(id): Path<i64>,
) -> Response {
    incident(state, session, uri, id, false).await
}

async fn incident(
    state: AppState,
    session: Session,
    uri: Uri,
    id: i64,
    markdown: bool,
) -> Response {
    let user = match signed_in(&state, &session, &uri).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let result = async {
        user.require(Role::Viewer)?;
        incident_export::export(state.db.read(), id, state.clock.now()).await
    }
    .await;
    let document = match result {
        Ok(document) => document,
        Err(err) => return refused(err),
    };
    let (content_type, body, extension) = if markdown {
        ("text/markdown; charset=utf-8", document.to_markdown(), "md")
    } else {
        match serde_json::to_string_pretty(&document) {
            Ok(json) => ("application/json", json, "json"),
            Err(err) => return refused(AppError::internal(err)),
        }
    };
    download(content_type, &format!("incident-{id}.{extension}"), body)
}

/// `/incidents/export.csv?<the list's filters>` and `/incidents/export.json?...`: every incident
/// the list shows, for the signed-in viewer.
pub async fn incidents_csv(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    incident_list(state, session, uri, query, true).await
}

pub async fn incidents_json(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    incident_list(state, session, uri, query, false).await
}

async fn incident_list(
    state: AppState,
    session: Session,
    uri: Uri,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
    csv: bool,
) -> Response {
    let user = match signed_in(&state, &session, &uri).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let result = async {
        user.require(Role::Viewer)?;
        let Query(params) =
            query.map_err(|r| AppError::validation("query", "The filters", r.body_text()))?;
        let (mut filter, sort, _) =
            parse_list_params(state.db.read(), &params, user.zone()).await?;
        if let Some(q) = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let hits = search::search(state.db.read(), q, search::MAX_HITS).await?;
            filter.ids = Some(hits.iter().map(|h| h.incident_id).collect());
        }
        incident_export::list(state.db.read(), &filter, sort).await
    }
    .await;
    let rows = match result {
        Ok(rows) => rows,
        Err(err) => return refused(err),
    };
    let (content_type, body, file) = if csv {
        (
            "text/csv; charset=utf-8",
            incident_export::list_csv(&rows),
            "incidents.csv",
        )
    } else {
        match serde_json::to_string_pretty(&rows) {
            Ok(json) => ("application/json", json, "incidents.json"),
            Err(err) => return refused(AppError::internal(err)),
        }
    };
    download(content_type, file, body)
}

/// `/calendar/<secret>.ics`.
pub async fn calendar_feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    match calendar::feed(state.db.read(), token, state.clock.now()).await {
        Ok(Some(ics)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                // Private, and it changes: calendar apps ask again rather than keep a copy.
                (header::CACHE_CONTROL, "no-store"),
            ],
            ics,
        )
            .into_response(),
        Ok(None) => refused(AppError::NotFound),
        Err(err) => refused(err),
    }
}
