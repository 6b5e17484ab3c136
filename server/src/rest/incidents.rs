//! `/api/v1/incidents`: every field the pages take, so a script can import a team's history.

use super::{ApiResult, ApiUser, Denied, Id, Invalid, Missing, Stale, body};
use app::api::incidents::{ListParams, parse_list_params};
use app::domain::Role;
use app::domain::account::required_line;
use app::domain::incident::{
    CauseCategory, DetectionSource, KeyTimes, RunbookOutcome, Severity, parse_tags,
};
use app::entities::incident;
use app::error::AppError;
use app::services::incidents::{self, Cursor, IncidentInput, IncidentRecord};
use app::services::search;
use app::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const MAX_PAGE: u64 = 200;

/// An incident as the API writes it. Choices take their stored names.
#[derive(Deserialize, ToSchema)]
pub struct IncidentBody {
    title: String,
    #[serde(default)]
    summary: String,
    #[schema(value_type = Severity)]
    severity: String,
    /// The ids of the services it hit.
    services: Vec<i64>,
    #[serde(default)]
    customer_impact: bool,
    #[serde(default)]
    impact_description: String,
    started_at: DateTime<Utc>,
    detected_at: Option<DateTime<Utc>>,
    acknowledged_at: Option<DateTime<Utc>>,
    mitigated_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<DetectionSource>)]
    detected_by: Option<String>,
    monitoring_should_have_caught: Option<bool>,
    known_problem: Option<bool>,
    /// Earlier incidents this one repeats.
    #[serde(default)]
    repeats: Vec<i64>,
    #[schema(value_type = Option<RunbookOutcome>)]
    runbook_outcome: Option<String>,
    #[schema(value_type = Option<CauseCategory>)]
    cause_category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    /// Required when changing an incident: the version the change is based on.
    version: Option<i64>,
}

fn choice<T>(
    field: &str,
    label: &str,
    value: Option<&str>,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, AppError> {
    value
        .map(|v| AppError::check(field, label, parse(v)))
        .transpose()
}

impl IncidentBody {
    fn input(&self) -> Result<IncidentInput, AppError> {
        Ok(IncidentInput {
            title: AppError::check("title", "Title", required_line(&self.title, 200))?,
            summary: self.summary.trim().to_string(),
            severity: AppError::check("severity", "Severity", Severity::parse(&self.severity))?,
            service_ids: self.services.clone(),
            customer_impact: self.customer_impact,
            impact_description: self.impact_description.trim().to_string(),
            times: KeyTimes {
                started: self.started_at,
                detected: self.detected_at,
                acknowledged: self.acknowledged_at,
                mitigated: self.mitigated_at,
                resolved: self.resolved_at,
            },
            detected_by: choice(
                "detected_by",
                "Detected by",
                self.detected_by.as_deref(),
                DetectionSource::parse,
            )?,
            monitoring_should_have_caught: self.monitoring_should_have_caught,
            known_problem: self.known_problem,
            repeats: self.repeats.clone(),
            runbook_outcome: choice(
                "runbook_outcome",
                "Runbook",
                self.runbook_outcome.as_deref(),
                RunbookOutcome::parse,
            )?,
            cause_category: choice(
                "cause_category",
                "Cause",
                self.cause_category.as_deref(),
                CauseCategory::parse,
            )?,
            tags: AppError::check("tags", "Tags", parse_tags(&self.tags.join(",")))?,
        })
    }
}

/// An incident as the API reads it, with its derived durations in seconds.
#[derive(Serialize, ToSchema)]
#[schema(as = Incident)]
pub struct IncidentJson {
    id: i64,
    version: i64,
    title: String,
    summary: String,
    #[schema(value_type = Severity)]
    severity: String,
    customer_impact: bool,
    impact_description: String,
    started_at: DateTime<Utc>,
    detected_at: Option<DateTime<Utc>>,
    acknowledged_at: Option<DateTime<Utc>>,
    mitigated_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    time_to_detect_seconds: Option<i64>,
    time_to_mitigate_seconds: Option<i64>,
    time_to_resolve_seconds: Option<i64>,
    #[schema(value_type = Option<DetectionSource>)]
    detected_by: Option<String>,
    monitoring_should_have_caught: Option<bool>,
    known_problem: Option<bool>,
    #[schema(value_type = Option<RunbookOutcome>)]
    runbook_outcome: Option<String>,
    #[schema(value_type = Option<CauseCategory>)]
    cause_category: Option<String>,
    created_by: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Present when one incident is read; lists leave them out.
    #[serde(skip_serializing_if = "Option::is_none")]
    services: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeats: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
}

impl From<incident::Model> for IncidentJson {
    fn from(i: incident::Model) -> Self {
        let times = i.key_times();
        IncidentJson {
            id: i.id,
            version: i.version,
            title: i.title,
            summary: i.summary,
            severity: i.severity,
            customer_impact: i.customer_impact,
            impact_description: i.impact_description,
            started_at: i.started_at,
            detected_at: i.detected_at,
            acknowledged_at: i.acknowledged_at,
            mitigated_at: i.mitigated_at,
            resolved_at: i.resolved_at,
            time_to_detect_seconds: times.ttd(),
            time_to_mitigate_seconds: times.ttm(),
            time_to_resolve_seconds: times.ttr(),
            detected_by: i.detected_by,
            monitoring_should_have_caught: i.monitoring_should_have_caught,
            known_problem: i.known_problem,
            runbook_outcome: i.runbook_outcome,
            cause_category: i.cause_category,
            created_by: i.created_by,
            created_at: i.created_at,
            updated_at: i.updated_at,
            services: None,
            repeats: None,
            tags: None,
        }
    }
}

impl From<IncidentRecord> for IncidentJson {
    fn from(r: IncidentRecord) -> Self {
        IncidentJson {
            services: Some(r.service_ids),
            repeats: Some(r.repeats),
            tags: Some(r.tags),
            ..IncidentJson::from(r.incident)
        }
    }
}

/// Record an incident (engineers)
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = IncidentBody,
    responses((status = 201, description = "The incident, with its services, repeats and tags.",
        body = IncidentJson), Denied, Invalid))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    payload: Result<Json<IncidentBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<IncidentJson>)> {
    let me = user.require(Role::Engineer)?;
    let input = body(payload)?.input()?;
    let record = incidents::create(state.db.write(), input, me.id, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// One incident
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The incident.")),
    responses((status = 200, description = "The incident, with its services, repeats and tags.",
        body = IncidentJson), Denied, Missing))]
pub async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
) -> ApiResult<Json<IncidentJson>> {
    user.require(Role::Viewer)?;
    let record = incidents::get(state.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(record.into()))
}

/// Change an incident (engineers)
///
/// Send every field, with the `version` the change is based on.
#[utoipa::path(put, path = "/api/v1/incidents/{id}", tag = "incidents", request_body = IncidentBody,
    params(("id" = i64, Path, description = "The incident.")),
    responses((status = 200, description = "The incident as saved.", body = IncidentJson),
        Denied, Missing, Invalid, Stale))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
    payload: Result<Json<IncidentBody>, JsonRejection>,
) -> ApiResult<Json<IncidentJson>> {
    let me = user.require(Role::Engineer)?;
    let payload = body(payload)?;
    let version = payload.version.ok_or_else(|| {
        AppError::validation("version", "Version", "is required to change an incident")
    })?;
    let record = incidents::update(
        state.db.write(),
        id,
        version,
        payload.input()?,
        me.id,
        state.clock.now(),
    )
    .await?;
    Ok(Json(record.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Why; kept in the audit record.
    #[param(required = true)]
    reason: Option<String>,
}

/// Delete an incident (admins)
///
/// Its timeline, postmortem and action items go with it; the reason goes into the audit record.
#[utoipa::path(delete, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The incident."), DeleteQuery),
    responses((status = 204, description = "Deleted."), Denied, Missing, Invalid))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
    reason: Result<Query<DeleteQuery>, QueryRejection>,
) -> ApiResult<StatusCode> {
    let me = user.require(Role::Admin)?;
    let query = super::query(reason)?;
    let reason = AppError::check(
        "reason",
        "Reason",
        required_line(query.reason.as_deref().unwrap_or_default(), 500),
    )?;
    incidents::delete(state.db.write(), id, &reason, me.id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many to answer at once.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageSize {
    /// 1 to 200; 50 when absent.
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentPage {
    incidents: Vec<IncidentJson>,
    /// Pass as `after` for the next page; null on the last one.
    next: Option<String>,
}

/// Incidents, newest first
///
/// The same filters as the incident list page; days are read in UTC. Pages through with `after`.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(ListParams, PageSize),
    responses((status = 200, description = "A page of incidents.", body = IncidentPage),
        Denied, Invalid))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    query: Result<Query<ListParams>, QueryRejection>,
    size: Result<Query<PageSize>, QueryRejection>,
) -> ApiResult<Json<IncidentPage>> {
    user.require(Role::Viewer)?;
    let params = super::query(query)?;
    let size = super::query(size)?;
    let (mut filter, sort, after) =
        parse_list_params(state.db.read(), &params, chrono_tz::UTC).await?;
    if let Some(text) = params.q.as_deref().filter(|t| !t.trim().is_empty()) {
        let hits = search::search(state.db.read(), text, search::MAX_HITS).await?;
        filter.ids = Some(hits.into_iter().map(|h| h.incident_id).collect());
    }
    let limit = size.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let mut rows = incidents::list(state.db.read(), &filter, sort, after, limit + 1).await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|i| Cursor::after(i, sort).encode())
    } else {
        None
    };
    Ok(Json(IncidentPage {
        incidents: rows.into_iter().map(IncidentJson::from).collect(),
        next,
    }))
}
