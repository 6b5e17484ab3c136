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
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Declares a set of refusals an operation documents, each answered with an [`ErrorBody`].
macro_rules! refusals {
    ($($name:ident { $($status:literal => $description:literal),+ $(,)? })+) => {
        $(
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
                > {
                    [$(($status, $description)),+]
                        .into_iter()
                        .map(|(status, description)| {
                            (status.to_string(), $crate::rest::refusal(description))
                        })
                        .collect()
                }
            }
        )+
    };
}

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

/// What every refusal answers: `{"error": {...}}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// Why a request was refused.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `validation`, `not_found`, `forbidden`, `conflict`, `unauthenticated`,
    /// `too_many_requests` or `internal`; the alert webhooks also answer `not_enabled`,
    /// `bad_signature`, `malformed` and `unprocessable`.
    #[schema(example = "validation")]
    code: String,
    /// A sentence for a person.
    #[schema(example = "Title is required")]
    message: String,
    /// The request field that is wrong, for `validation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// The version to base a change on now, for `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<i64>,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message: message.into(),
                field: None,
                current_version: None,
            },
        }
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
        let mut body = ErrorBody::new(code, message);
        body.error.field = field;
        if let AppError::Conflict { current_version } = self.0 {
            body.error.current_version = Some(current_version);
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

pub(crate) fn refusal(
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::response::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .into()
}

refusals! {
    Denied {
        "401" => "No valid API token was sent.",
        "403" => "The token's account may not do this.",
    }
    Missing {
        "404" => "Nothing has that id.",
    }
    Invalid {
        "422" => "A field is wrong; `field` names it and `message` says why.",
    }
    Stale {
        "409" => "Someone changed it since `version`; `current_version` is the one to start from.",
    }
}

/// The description of `/api/v1`, served at `/api/v1/openapi.json` and shown on the API page.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hindsight API",
        description = "Incidents, their timelines and postmortems, action items and the \
            analytics a review starts from, for scripts. Every request sends a personal API token \
            (made on your Account page) as `Authorization: Bearer <token>`; the token acts \
            with its account's role, under the same rules as the pages. Changes to an existing \
            object send the `version` they are based on and are refused with 409 when someone \
            changed it since. Times are RFC 3339; days are `YYYY-MM-DD`.",
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    tags(
        (name = "account", description = "Who the token speaks for."),
        (name = "catalog", description = "Teams and the services they own."),
        (name = "incidents", description = "Incidents with their key times and classification."),
        (name = "timeline", description = "What happened during an incident, in order."),
        (name = "postmortems", description = "An incident's blameless write-up."),
        (name = "action items", description = "What an incident leaves to do, and its verification."),
        (name = "analytics", description = "A period's figures, and the deploys they count."),
        (name = "alerts", description = "Where alerting systems deliver alerts; each authenticates in its own way."),
    ),
)]
struct ApiDoc;

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("A personal API token."))
                        .build(),
                ),
            );
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "alertmanager_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The Alertmanager token made under Admin → Alerts."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "pagerduty_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-PagerDuty-Signature",
                "v1= and the HMAC-SHA256 of the raw body under the signing secret saved under \
                 Admin → Alerts.",
            ))),
        );
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
        let user = api_tokens::authenticate(&state.db, token, state.clock.now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(ApiUser(CurrentUser::from(&user)))
    }
}

/// The id in a request's path; one that is not a number names nothing, and is answered so.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| Id(id))
            .map_err(|_| ApiError(AppError::NotFound))
    }
}

/// A query string, with one that does not parse answered as a validation error naming it.
fn query<T>(query: Result<axum::extract::Query<T>, QueryRejection>) -> ApiResult<T> {
    query
        .map(|axum::extract::Query(value)| value)
        .map_err(|r| ApiError(AppError::validation("query", "The query", r.body_text())))
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

/// The account a token speaks for.
#[derive(Serialize, ToSchema)]
struct Me {
    id: i64,
    username: String,
    display_name: String,
    role: Role,
}

/// The token's account
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, description = "The account.", body = Me), Denied))]
async fn me(user: ApiUser) -> ApiResult<Json<Me>> {
    let u = user.require(Role::Viewer)?;
    Ok(Json(Me {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        role: u.role,
    }))
}

/// Every team
#[utoipa::path(get, path = "/api/v1/teams", tag = "catalog",
    responses((status = 200, description = "Teams by name.", body = Vec<TeamDto>), Denied))]
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

#[derive(Deserialize, ToSchema)]
struct NewTeam {
    name: String,
}

/// Add a team (managers)
#[utoipa::path(post, path = "/api/v1/teams", tag = "catalog", request_body = NewTeam,
    responses((status = 201, description = "The new team.", body = TeamDto), Denied, Invalid))]
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

/// Every service
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog",
    responses((status = 200, description = "Services by name.", body = Vec<ServiceDto>), Denied))]
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

#[derive(Deserialize, ToSchema)]
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

/// Add a service (managers)
#[utoipa::path(post, path = "/api/v1/services", tag = "catalog", request_body = ServiceBody,
    responses((status = 201, description = "The new service.", body = ServiceDto), Denied, Invalid))]
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

/// Change a service (managers)
#[utoipa::path(put, path = "/api/v1/services/{id}", tag = "catalog", request_body = ServiceBody,
    params(("id" = i64, Path, description = "The service.")),
    responses((status = 200, description = "The service as saved.", body = ServiceDto),
        Denied, Missing, Invalid, Stale))]
async fn update_service(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
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

/// The routes of `/api/v1` and their description, from one registration: a handler is served
/// exactly where the description says.
fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(list_services, create_service))
        .routes(routes!(update_service))
        .routes(routes!(incidents::list, incidents::create))
        .routes(routes!(
            incidents::read,
            incidents::update,
            incidents::delete
        ))
        .routes(routes!(timeline::list, timeline::create))
        .routes(routes!(timeline::update, timeline::delete))
        .routes(routes!(postmortems::read, postmortems::save))
        .routes(routes!(action_items::list, action_items::create))
        .routes(routes!(action_items::read, action_items::update))
        .routes(routes!(action_items::transition))
        .routes(routes!(action_items::verify))
        .routes(routes!(alerts::alertmanager))
        .routes(routes!(alerts::pagerduty))
        .routes(routes!(analytics::read))
        .routes(routes!(analytics::record))
        .split_for_parts()
}

/// The API description as OpenAPI 3.1.
pub fn description() -> utoipa::openapi::OpenApi {
    documented().1
}

pub fn routes() -> Router<AppState> {
    let (router, api) = documented();
    let json: Arc<str> = api
        .to_pretty_json()
        .expect("the API description serializes")
        .into();
    router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                }
            }),
        )
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}
