//! Reading incidents for the pages: the newest-first list and one incident.

use crate::domain::incident::{CauseCategory, DetectionSource, RunbookOutcome, Severity};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    services::{catalog, incidents},
};

pub const INCIDENTS_PER_PAGE: u64 = 25;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub services: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub resolved: bool,
    pub time_to_resolve: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    pub incidents: Vec<IncidentSummary>,
    /// The `after` of the next page; `None` on the last one.
    pub next_after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub services: Vec<String>,
    pub customer_impact: bool,
    pub impact_description: String,
    pub times: crate::domain::incident::KeyTimes,
    pub detected_by: Option<DetectionSource>,
    pub monitoring_should_have_caught: Option<bool>,
    pub known_problem: Option<bool>,
    pub repeats: Vec<i64>,
    pub runbook_outcome: Option<RunbookOutcome>,
    pub cause_category: Option<CauseCategory>,
    pub tags: Vec<String>,
}

/// A choice as stored; the column only ever holds keys this code wrote.
#[cfg(feature = "ssr")]
fn stored<T>(text: &Option<String>, parse: fn(&str) -> Result<T, String>) -> Option<T> {
    text.as_deref().and_then(|t| parse(t).ok())
}

#[server(endpoint = "incidents")]
pub async fn list_incidents(
    severity: Option<String>,
    after: Option<String>,
) -> Result<IncidentList, AppError> {
    auth::respond(
        async {
            auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            let severity = severity.filter(|s| !s.is_empty());
            let filter = incidents::IncidentFilter {
                severity: severity
                    .as_deref()
                    .map(|s| AppError::check("severity", "Severity", Severity::parse(s)))
                    .transpose()?,
                ..Default::default()
            };
            let after = after.as_deref().filter(|a| !a.is_empty()).map(|a| {
                incidents::Cursor::decode(a).ok_or_else(|| {
                    AppError::validation("after", "Page", "is not one this list gave out")
                })
            });
            let mut rows = incidents::list(
                db.read(),
                &filter,
                after.transpose()?,
                INCIDENTS_PER_PAGE + 1,
            )
            .await?;
            let next_after = (rows.len() as u64 > INCIDENTS_PER_PAGE).then(|| {
                rows.truncate(INCIDENTS_PER_PAGE as usize);
                rows.last().map(|i| incidents::Cursor::after(i).encode())
            });
            let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
            let links = incidents::service_ids_for(db.read(), &ids).await?;
            let names = catalog::service_names(db.read()).await?;
            Ok(IncidentList {
                incidents: rows
                    .into_iter()
                    .map(|i| IncidentSummary {
                        services: links
                            .get(&i.id)
                            .map(|ids| ids.iter().filter_map(|s| names.get(s).cloned()).collect())
                            .unwrap_or_default(),
                        time_to_resolve: i.key_times().ttr(),
                        id: i.id,
                        title: i.title,
                        severity: Severity::parse(&i.severity).unwrap_or(Severity::Sev4),
                        started_at: i.started_at,
                        resolved: i.resolved_at.is_some(),
                    })
                    .collect(),
                next_after: next_after.flatten(),
            })
        }
        .await,
    )
}

#[server(endpoint = "incident")]
pub async fn load_incident(id: i64) -> Result<IncidentDetail, AppError> {
    auth::respond(
        async {
            auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            let record = incidents::get(db.read(), id)
                .await?
                .ok_or(AppError::NotFound)?;
            let names = catalog::service_names(db.read()).await?;
            let i = &record.incident;
            Ok(IncidentDetail {
                id: i.id,
                version: i.version,
                title: i.title.clone(),
                summary: i.summary.clone(),
                severity: Severity::parse(&i.severity).unwrap_or(Severity::Sev4),
                services: record
                    .service_ids
                    .iter()
                    .filter_map(|s| names.get(s).cloned())
                    .collect(),
                customer_impact: i.customer_impact,
                impact_description: i.impact_description.clone(),
                times: i.key_times(),
                detected_by: stored(&i.detected_by, DetectionSource::parse),
                monitoring_should_have_caught: i.monitoring_should_have_caught,
                known_problem: i.known_problem,
                repeats: record.repeats.clone(),
                runbook_outcome: stored(&i.runbook_outcome, RunbookOutcome::parse),
                cause_category: stored(&i.cause_category, CauseCategory::parse),
                tags: record.tags.clone(),
            })
        }
        .await,
    )
}
