//! `/api/v1/analytics` (a period's figures, trends, anomalies and findings, with the incident
//! ids behind each count) and `/api/v1/deploys` (deploy events, one or a batch).

use super::{ApiResult, ApiUser, Denied, Invalid, body};
use app::api::analytics::{AnalyticsParams, ParsedParams, parse_params};
use app::domain::Role;
use app::domain::analytics::{AnomalyCheck, Finding, Metric, PeriodFigures, PeriodKind, Verdict};
use app::domain::deploy::{DeployOutcome, parse_reference};
use app::error::AppError;
use app::services::analytics;
use app::services::deploys::{self, DeployInput};
use app::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A period's analytics.
#[derive(Serialize, ToSchema)]
#[schema(as = Analytics)]
pub struct AnalyticsJson {
    /// The period's key, such as `2026-11` or `2026-11-03..2026-11-16`.
    period: String,
    label: String,
    /// Null for a custom range.
    #[schema(value_type = Option<PeriodKind>)]
    kind: Option<&'static str>,
    previous_period: String,
    reporting_zone: String,
    team: Option<i64>,
    service: Option<i64>,
    headline: String,
    detection_gap_threshold_percent: u8,
    /// Every figure of the period: durations in seconds, ratios with both counts and their
    /// `value` as a fraction, and the incident ids behind each count.
    figures: PeriodFigures,
    previous: PeriodFigures,
    /// One entry per metric: its value, the previous period's, the change and the anomaly check.
    metrics: Vec<MetricJson>,
    findings: Vec<Finding>,
}

/// One figure against the previous period and against its baseline.
#[derive(Serialize, ToSchema)]
pub struct MetricJson {
    metric: Metric,
    label: &'static str,
    /// Seconds for durations, a fraction for shares, a count otherwise; null without data.
    value: Option<f64>,
    previous: Option<f64>,
    /// value − previous, when both exist.
    change: Option<f64>,
    /// The change as a percentage of the previous value; null when that is 0.
    percent_change: Option<f64>,
    verdict: Option<Verdict>,
    /// Null when there are fewer than six earlier periods, or they are all equal.
    anomaly: Option<AnomalyCheck>,
}

/// A period's figures
///
/// Incident count, MTTD, MTTM and MTTR, the detection gap, runbook coverage and the rest, each
/// with the incident ids behind it, the previous period's figures, the change, anomalies and the
/// findings worth raising. The period is the current month unless `kind` and `period` say
/// otherwise; `team` or `service` narrow it.
#[utoipa::path(get, path = "/api/v1/analytics", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "The period's analytics.", body = AnalyticsJson),
        Denied, Invalid))]
pub async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    query: Result<Query<AnalyticsParams>, QueryRejection>,
) -> ApiResult<Json<AnalyticsJson>> {
    user.require(Role::Viewer)?;
    let params = super::query(query)?;
    let db = state.db.read();
    let now = state.clock.now();
    let ParsedParams {
        kind,
        period,
        scope,
        ..
    } = parse_params(db, &params, now).await?;
    let report = analytics::report(db, &state.figures, scope, period, now).await?;
    let metrics = report
        .rows
        .iter()
        .map(|row| MetricJson {
            metric: row.metric,
            label: row.metric.label(),
            value: row.value,
            previous: row.previous,
            change: row.trend.map(|t| t.change),
            percent_change: row.trend.and_then(|t| t.percent_change),
            verdict: row.trend.map(|t| t.verdict),
            anomaly: row.anomaly,
        })
        .collect();
    Ok(Json(AnalyticsJson {
        period: period.key(),
        label: period.label(),
        kind: kind.map(|k| k.key()),
        previous_period: period.previous().key(),
        reporting_zone: app::services::organisation::get(db).await?.reporting_zone,
        team: scope.team_id,
        service: scope.service_id,
        headline: report.headline,
        detection_gap_threshold_percent: report.detection_gap_threshold.percent(),
        figures: report.figures,
        previous: report.previous,
        metrics,
        findings: report.findings,
    }))
}

/// A deploy as the API writes it.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewDeploy)]
pub struct DeployJson {
    service_id: i64,
    /// RFC 3339.
    #[schema(format = DateTime)]
    deployed_at: String,
    #[schema(value_type = DeployOutcome)]
    outcome: String,
    /// A commit, tag or release name.
    #[serde(default)]
    reference: Option<String>,
}

/// One deploy, or `{"deploys": [...]}` for a batch.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DeployBody {
    Batch { deploys: Vec<DeployJson> },
    One(DeployJson),
}

/// A recorded deploy.
#[derive(Serialize, ToSchema)]
#[schema(as = Deploy)]
pub struct DeployOut {
    id: i64,
    service_id: i64,
    deployed_at: DateTime<Utc>,
    #[schema(value_type = DeployOutcome)]
    outcome: String,
    reference: Option<String>,
}

fn parse_deploy(d: &DeployJson, prefix: &str) -> Result<DeployInput, AppError> {
    let field = |name: &str| format!("{prefix}{name}");
    Ok(DeployInput {
        service_id: d.service_id,
        deployed_at: DateTime::parse_from_rfc3339(d.deployed_at.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                AppError::validation(
                    &field("deployed_at"),
                    "Deployed at",
                    "must be an RFC 3339 time such as 2026-10-05T14:03:00Z",
                )
            })?,
        outcome: AppError::check(
            &field("outcome"),
            "Outcome",
            DeployOutcome::parse(&d.outcome),
        )?,
        reference: AppError::check(
            &field("reference"),
            "Reference",
            parse_reference(d.reference.as_deref().unwrap_or_default()),
        )?,
    })
}

/// Most deploys one request may carry.
pub const MAX_BATCH: usize = 1000;

/// The deploy, or the batch's deploys in the order sent.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum DeployReply {
    One(DeployOut),
    Batch { deploys: Vec<DeployOut> },
}

/// Record deploys (engineers)
///
/// One deploy, or up to 1,000 as `{"deploys": [...]}`; the change failure rate counts them.
#[utoipa::path(post, path = "/api/v1/deploys", tag = "analytics", request_body = DeployBody,
    responses((status = 201, description = "Recorded.", body = DeployReply), Denied, Invalid))]
pub async fn record(
    State(state): State<AppState>,
    user: ApiUser,
    payload: Result<Json<DeployBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<DeployReply>)> {
    let user = user.require(Role::Engineer)?;
    let (batch, one) = match body(payload)? {
        DeployBody::One(d) => (vec![parse_deploy(&d, "")?], true),
        DeployBody::Batch { deploys } => {
            if deploys.is_empty() || deploys.len() > MAX_BATCH {
                return Err(AppError::validation(
                    "deploys",
                    "Deploys",
                    format!("must list between 1 and {MAX_BATCH} deploys"),
                )
                .into());
            }
            let parsed = deploys
                .iter()
                .enumerate()
                .map(|(i, d)| parse_deploy(d, &format!("deploys[{i}].")))
                .collect::<Result<Vec<_>, _>>()?;
            (parsed, false)
        }
    };
    let saved = deploys::record(state.db.write(), &batch, user.id, state.clock.now()).await?;
    let mut out: Vec<DeployOut> = saved
        .into_iter()
        .map(|d| DeployOut {
            id: d.id,
            service_id: d.service_id,
            deployed_at: d.deployed_at,
            outcome: d.outcome,
            reference: d.reference,
        })
        .collect();
    let reply = match out.pop() {
        Some(deploy) if one => DeployReply::One(deploy),
        last => DeployReply::Batch {
            deploys: out.into_iter().chain(last).collect(),
        },
    };
    Ok((StatusCode::CREATED, Json(reply)))
}
