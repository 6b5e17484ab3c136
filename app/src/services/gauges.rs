//! The product's figures as they stand now, for teams' own dashboards (`/metrics`): unresolved
//! incidents by severity, unfinished, overdue and awaiting-verification action items by team,
//! and this month's time to detect, time to resolve and detection gap.

use crate::domain::analytics::PeriodKind;
use crate::domain::incident::Severity;
use crate::error::AppError;
use crate::services::analytics::{self, FiguresCache, Scope};
use crate::services::{action_items, catalog, incidents, organisation};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gauges {
    /// Every severity, with zero where none is open.
    pub open_incidents: Vec<(Severity, u64)>,
    /// `(team name, counts)`; "none" for items without a team. Every team is listed.
    pub items_by_team: Vec<(String, action_items::TeamItemCounts)>,
    /// Mean seconds from start to detection of this month's incidents, when any has both.
    pub mttd_seconds: Option<i64>,
    /// Mean seconds from start to resolution of this month's incidents.
    pub mttr_seconds: Option<i64>,
    /// Share of this month's incidents reported by users, when any was classified.
    pub detection_gap: Option<f64>,
}

pub async fn now(
    db: &DatabaseConnection,
    cache: &FiguresCache,
    now: DateTime<Utc>,
) -> Result<Gauges, AppError> {
    let open = incidents::open_by_severity(db).await?;
    let open_incidents = Severity::ALL
        .iter()
        .map(|s| {
            let n = open
                .iter()
                .find(|(key, _)| key == s.key())
                .map_or(0, |(_, n)| *n);
            (*s, n)
        })
        .collect();
    let today = organisation::today(db, now).await?;
    let mut counts = action_items::counts_by_team(db, today).await?;
    let mut items_by_team: Vec<(String, action_items::TeamItemCounts)> = catalog::teams(db)
        .await?
        .into_iter()
        .map(|t| (t.name, counts.remove(&Some(t.id)).unwrap_or_default()))
        .collect();
    items_by_team.push(("none".into(), counts.remove(&None).unwrap_or_default()));
    let period = analytics::current_period(db, PeriodKind::Month, now).await?;
    let report = analytics::report(db, cache, Scope::default(), period, now).await?;
    let figures = report.figures;
    let gap = figures.detection_gap;
    Ok(Gauges {
        open_incidents,
        items_by_team,
        mttd_seconds: figures.ttd.summary.mean,
        mttr_seconds: figures.ttr.summary.mean,
        detection_gap: (gap.denominator > 0).then(|| gap.numerator as f64 / gap.denominator as f64),
    })
}
