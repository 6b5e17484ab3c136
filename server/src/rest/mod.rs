//! The JSON API under `/api/v1`, for scripts: authenticated by personal API tokens sent as
//! `Authorization: Bearer`, never by the session cookie, so a browser on another site cannot
//! make it act. The same permission rules as the pages apply; errors are JSON that names the
//! field.

use app::api::catalog::{ServiceDto, TeamDto};
use app::auth::CurrentUser;
use app::domain::Role;
use app::domain::catalog::{CatalogName, RunbookUrl, SloTarget};
use app::error::AppError;
use app::services::{api_tokens, catalog};
use app::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use serde_json::json;

mod action_items;
mod alerts;
mod analytics;
mod incidents;
mod postmortems;
mod timeline;

/// An `AppError` answered as JSON.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (code, field, message) = match &self.0 {
            AppError::Validation {
                field,
                label,
                message,
            } => (
                "validation",
                Some(field.clone()),
                format!("{label} {message}"),
            ),
            AppError::NotFound => ("not_found", None, self.0.to_string()),
            AppError::Forbidden => ("forbidden", None, self.0.to_string()),
            AppError::Conflict { .. } => ("conflict", None, self.0.to_string()),
            AppError::Unauthenticated => (
                "unauthenticated",
                None,
                "Send a valid API token as `Authorization: Bearer <token>`.".into(),
            ),
            AppError::TooManyRequests { .. } => ("too_many_requests", None, self.0.to_string()),
            _ => ("internal", None, AppError::Internal.to_string()),
        };
        let mut body = json!({ "error": { "code": code, "message": message } });
        if let Some(field) = field {
            body["error"]["field"] = json!(field);
        }
        if let AppError::Conflict { current_version } = self.0 {
            body["error"]["current_version"] = json!(current_version);
        }
        let mut res = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The account a request's bearer token speaks for.
pub struct ApiUser(pub CurrentUser);

impl ApiUser {
    fn require(self, role: Role) -> ApiResult<CurrentUser> {
        self.0.require(role)?;
        Ok(self.0)
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::Unauthenticated)?;
        let user = api_tokens::authenticate(state.db.write(), token, state.clock.now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(ApiUser(CurrentUser::from(&user)))
    }
}

/// A JSON body, with a malformed one answered as a validation error naming the body.
fn body<T>(payload: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    payload.map(|Json(value)| value).map_err(|rejection| {
        ApiError(AppError::validation(
            "body",
            "The request body",
            rejection.body_text(),
        ))
    })
}

#[derive(Serialize)]
struct Me {
    id: i64,
    username: String,
    display_name: String,
    role: Role,
}

async fn me(user: ApiUser) -> ApiResult<Json<Me>> {
    let u = user.require(Role::Viewer)?;
    Ok(Json(Me {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        role: u.role,
    }))
}

async fn list_teams(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Vec<TeamDto>>> {
    user.require(Role::Viewer)?;
    Ok(Json(
        catalog::teams(state.db.read())
            .await?
            .into_iter()
            .map(TeamDto::from)
            .collect(),
    ))
}

#[derive(Deserialize)]
struct NewTeam {
    name: String,
}

async fn create_team(
    State(state): State<AppState>,
    user: ApiUser,
    payload: Result<Json<NewTeam>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<TeamDto>)> {
    user.require(Role::Manager)?;
    let input = body(payload)?;
    let name = AppError::check("name", "Name", CatalogName::parse(&input.name))?;
    let team = catalog::create_team(state.db.write(), name, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(team.into())))
}

async fn list_services(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Json<Vec<ServiceDto>>> {
    user.require(Role::Viewer)?;
    Ok(Json(
        catalog::services(state.db.read())
            .await?
            .into_iter()
            .map(ServiceDto::from)
            .collect(),
    ))
}

#[derive(Deserialize)]
struct ServiceBody {
    team_id: i64,
    name: String,
    #[serde(default)]
    slo_target_percent: Option<f64>,
    #[serde(default)]
    runbook_url: Option<String>,
    /// Required when changing a service: the version the change is based on.
    #[serde(default)]
    version: Option<i64>,
}

impl ServiceBody {
    fn input(&self) -> ApiResult<catalog::ServiceInput> {
        Ok(catalog::ServiceInput {
            team_id: self.team_id,
            name: AppError::check("name", "Name", CatalogName::parse(&self.name))?,
            slo_target: self
                .slo_target_percent
                .map(|p| {
                    AppError::check(
                        "slo_target_percent",
                        "SLO target",
                        SloTarget::from_percent(p),
                    )
                })
                .transpose()?,
            runbook_url: AppError::check(
                "runbook_url",
                "Runbook URL",
                RunbookUrl::parse_optional(self.runbook_url.as_deref().unwrap_or_default()),
            )?,
        })
    }
}

async fn create_service(
    State(state): State<AppState>,
    user: ApiUser,
    payload: Result<Json<ServiceBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ServiceDto>)> {
    user.require(Role::Manager)?;
    let input = body(payload)?.input()?;
    let service = catalog::create_service(state.db.write(), input, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(service.into())))
}

async fn update_service(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    payload: Result<Json<ServiceBody>, JsonRejection>,
) -> ApiResult<Json<ServiceDto>> {
    user.require(Role::Manager)?;
    let payload = body(payload)?;
    let version = payload.version.ok_or_else(|| {
        AppError::validation("version", "Version", "is required to change a service")
    })?;
    let service = catalog::update_service(state.db.write(), id, version, payload.input()?).await?;
    Ok(Json(service.into()))
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/teams", get(list_teams).post(create_team))
        .route("/api/v1/services", get(list_services).post(create_service))
        .route("/api/v1/services/{id}", put(update_service))
        .route(
            "/api/v1/incidents",
            get(incidents::list).post(incidents::create),
        )
        .route(
            "/api/v1/incidents/{id}",
            get(incidents::read)
                .put(incidents::update)
                .delete(incidents::delete),
        )
        .route(
            "/api/v1/incidents/{id}/timeline",
            get(timeline::list).post(timeline::create),
        )
        .route(
            "/api/v1/timeline/{id}",
            put(timeline::update).delete(timeline::delete),
        )
        .route(
            "/api/v1/incidents/{id}/postmortem",
            get(postmortems::read).put(postmortems::save),
        )
        .route(
            "/api/v1/action-items",
            get(action_items::list).post(action_items::create),
        )
        .route(
            "/api/v1/action-items/{id}",
            get(action_items::read).put(action_items::update),
        )
        .route(
            "/api/v1/action-items/{id}/transition",
            axum::routing::post(action_items::transition),
        )
        .route(
            "/api/v1/action-items/{id}/verify",
            axum::routing::post(action_items::verify),
        )
        .route(
            "/api/v1/alerts/alertmanager",
            axum::routing::post(alerts::alertmanager),
        )
        .route(
            "/api/v1/alerts/pagerduty",
            axum::routing::post(alerts::pagerduty),
        )
        .route("/api/v1/analytics", get(analytics::read))
        .route("/api/v1/deploys", axum::routing::post(analytics::record))
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}
