//! Analytics for the pages: a period's report for everyone who may read, with the incidents behind
//! its figures, and the organisation's detection-gap threshold for admins.

use crate::domain::analytics::{PeriodKind, Report};
use crate::domain::incident::Severity;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    domain::analytics::ReportPeriod,
    services::{analytics, analytics::Scope},
};

/// The report's parameters as they arrive in a link or an API query; empty means the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AnalyticsParams {
    /// `day`, `week`, `month` (the default) or `quarter`.
    pub kind: Option<String>,
    /// A period key of that kind (`2026-10`, `2026-W44`, `2026-Q4`, `2026-10-05`) or a custom
    /// range `2026-10-01..2026-10-14`; the current period when empty.
    pub period: Option<String>,
    /// A team's name (or the one name that holds it) or id.
    pub team: Option<String>,
    /// A service's name (or the one name that holds it) or id.
    pub service: Option<String>,
}

impl AnalyticsParams {
    /// The query string for these parameters with another period.
    pub fn with_period(&self, period: &str) -> String {
        [
            ("kind", self.kind.as_deref()),
            ("period", Some(period)),
            ("team", self.team.as_deref()),
            ("service", self.service.as_deref()),
        ]
        .iter()
        .filter_map(|(name, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| format!("{name}={}", crate::domain::links::urlencode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// The most incidents a page lists behind one figure; the rest are counted.
pub const INCIDENTS_SHOWN: usize = 25;

/// An incident behind a figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRef {
    pub id: i64,
    pub title: String,
    pub severity: Option<Severity>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsDto {
    pub kind: Option<PeriodKind>,
    pub period_key: String,
    pub period_label: String,
    pub previous_key: String,
    pub next_key: String,
    pub scope_label: Option<String>,
    pub report: Report,
    /// The period's incidents, and any other incident a finding names.
    pub incidents: Vec<IncidentRef>,
}

#[cfg(feature = "ssr")]
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A report's parameters, read and checked.
#[cfg(feature = "ssr")]
pub struct ParsedParams {
    /// The period's kind; `None` for a custom range.
    pub kind: Option<PeriodKind>,
    pub period: ReportPeriod,
    pub scope: Scope,
    /// The name of the team or service in scope.
    pub scope_label: Option<String>,
}

/// The period and scope in `params`, the period defaulting to the current one of its kind.
/// Each complaint names its parameter.
#[cfg(feature = "ssr")]
pub async fn parse_params(
    db: &sea_orm::DatabaseConnection,
    params: &AnalyticsParams,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ParsedParams, AppError> {
    use crate::domain::analytics::Period;
    let kind = given(&params.kind)
        .map(|k| AppError::check("kind", "Period kind", PeriodKind::parse(k)))
        .transpose()?;
    let period = match given(&params.period) {
        Some(text) if text.contains("..") => AppError::check(
            "period",
            "Period",
            ReportPeriod::parse(text).map_err(|e| format!("{e} (a custom range is FIRST..LAST)")),
        )?,
        Some(text) => {
            let parsed = match kind {
                Some(kind) => Period::parse_as(kind, text),
                None => Period::parse(text),
            };
            ReportPeriod::Calendar(AppError::check("period", "Period", parsed)?)
        }
        None => analytics::current_period(db, kind.unwrap_or(PeriodKind::Month), now).await?,
    };
    let kind = match period {
        ReportPeriod::Calendar(p) => Some(p.kind()),
        ReportPeriod::Custom(_) => None,
    };
    let named = crate::services::catalog::filter_scope(
        db,
        params.team.as_deref(),
        params.service.as_deref(),
    )
    .await?;
    let scope = Scope {
        team_id: named.team.as_ref().map(|t| t.id),
        service_id: named.service.as_ref().map(|s| s.id),
    };
    // Whichever is narrower names the scope.
    let scope_label = named.service.or(named.team).map(|n| n.name);
    Ok(ParsedParams {
        kind,
        period,
        scope,
        scope_label,
    })
}

/// The ids a page lists behind the figures: the period's incidents and any a finding names.
#[cfg(feature = "ssr")]
pub fn referenced_incidents(report: &Report) -> Vec<i64> {
    // The pages list the first `INCIDENTS_SHOWN` of each list behind a figure, and count the rest.
    let f = &report.figures;
    let first = |ids: &Vec<i64>| {
        ids.iter()
            .take(INCIDENTS_SHOWN)
            .copied()
            .collect::<Vec<_>>()
    };
    let mut lists: Vec<&Vec<i64>> = vec![
        &f.incident_ids,
        &f.monitoring_should_have_caught,
        &f.known_problems,
        &f.detected_by_unrecorded,
        &f.ttd.missing_incident_ids,
        &f.ttm.missing_incident_ids,
        &f.ttr.missing_incident_ids,
    ];
    lists.extend(f.by_severity.iter().map(|c| &c.incident_ids));
    lists.extend(f.detected_by.iter().map(|c| &c.incident_ids));
    lists.extend(f.runbook.iter().map(|c| &c.incident_ids));
    lists.extend(f.availability.iter().map(|s| &s.incident_ids));
    lists.extend(report.findings.iter().map(|f| &f.incident_ids));
    let mut ids: Vec<i64> = lists.into_iter().flat_map(first).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[server(endpoint = "analytics")]
pub async fn load_analytics(params: AnalyticsParams) -> Result<AnalyticsDto, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let ParsedParams {
                kind,
                period,
                scope,
                scope_label,
            } = parse_params(db, &params, now).await?;
            let report = analytics::report(db, &state.figures, scope, period, now).await?;
            let incidents = analytics::incident_titles(db, &referenced_incidents(&report))
                .await?
                .into_iter()
                .map(|(id, title, severity)| IncidentRef {
                    id,
                    title,
                    severity: Severity::parse(&severity).ok(),
                })
                .collect();
            Ok(AnalyticsDto {
                kind,
                period_key: period.key(),
                period_label: period.label(),
                previous_key: period.previous().key(),
                next_key: period.next().key(),
                scope_label,
                report,
                incidents,
            })
        }
        .await,
    )
}

/// An action item behind a figure, as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    pub id: i64,
    pub title: String,
    pub state: crate::domain::action_item::ActionState,
    pub outcome: Option<crate::domain::action_item::Outcome>,
    pub due_on: Option<chrono::NaiveDate>,
    pub owner: Option<String>,
    pub incident_id: i64,
}

/// The action items behind one item figure of a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemsBehindDto {
    pub metric: crate::domain::analytics::Metric,
    pub period_label: String,
    pub scope_label: Option<String>,
    /// How many the figure counts; `items` holds the newest `ITEMS_BEHIND_SHOWN` of them.
    pub total: u64,
    pub items: Vec<ItemRef>,
}

/// The most items a list behind a figure shows.
pub const ITEMS_BEHIND_SHOWN: u64 = 200;

/// The action items behind an item figure (`metric` such as `items_overdue`) of a period.
#[server(endpoint = "analytics_items")]
pub async fn load_items_behind(
    params: AnalyticsParams,
    metric: String,
) -> Result<ItemsBehindDto, AppError> {
    use crate::domain::action_item::{ActionState, Outcome};
    use crate::domain::analytics::Metric;
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let metric =
                Metric::parse(&metric).map_err(|m| AppError::validation("metric", "Figure", m))?;
            let ParsedParams {
                period,
                scope,
                scope_label,
                ..
            } = parse_params(db, &params, now).await?;
            let (total, rows) =
                analytics::items_behind(db, scope, period, metric, ITEMS_BEHIND_SHOWN, now)
                    .await?
                    .ok_or_else(|| {
                        AppError::validation(
                            "metric",
                            "Figure",
                            format!("{} does not count action items", metric.label()),
                        )
                    })?;
            let owners: Vec<i64> = rows.iter().filter_map(|r| r.owner_id).collect();
            let names = crate::services::accounts::display_names(db, owners).await?;
            let items = rows
                .into_iter()
                .map(|r| {
                    Ok(ItemRef {
                        id: r.id,
                        state: ActionState::parse(&r.state).map_err(AppError::internal)?,
                        outcome: r.outcome.as_deref().and_then(|o| Outcome::parse(o).ok()),
                        due_on: r.due_on,
                        owner: r.owner_id.and_then(|id| names.get(&id).cloned()),
                        incident_id: r.incident_id,
                        title: r.title,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(ItemsBehindDto {
                metric,
                period_label: period.label(),
                scope_label,
                total,
                items,
            })
        }
        .await,
    )
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigestDto {
    pub digest: crate::domain::analytics::digest::Digest,
    pub previous_key: String,
    pub next_key: String,
}

/// The learning digest of a period (the whole organisation).
#[server(endpoint = "digest")]
pub async fn load_digest(params: AnalyticsParams) -> Result<DigestDto, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let period = parse_params(db, &params, now).await?.period;
            Ok(DigestDto {
                digest: crate::services::digest::digest(db, &state.figures, period, now).await?,
                previous_key: period.previous().key(),
                next_key: period.next().key(),
            })
        }
        .await,
    )
}
