//! The learning digest of a period, gathered from the database: the report, the period's
//! incidents with their services, the improvements finished and verified in it, and those due
//! in the next period.

use crate::domain::action_item::{ActionState, Outcome};
use crate::domain::analytics::ReportPeriod;
use crate::domain::analytics::digest::{Digest, DigestIncident, DigestItem};
use crate::domain::incident::{DetectionSource, RunbookOutcome, Severity};
use crate::entities::{action_item, incident};
use crate::error::AppError;
use crate::services::analytics::{self, Scope};
use crate::services::{accounts, incidents, organisation};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{Condition, QueryOrder, QuerySelect};

async fn items(db: &impl ConnectionTrait, cond: Condition) -> Result<Vec<DigestItem>, AppError> {
    let rows = action_item::Entity::find()
        .filter(cond)
        .order_by_asc(action_item::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let owners =
        accounts::display_names(db, rows.iter().filter_map(|i| i.owner_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|i| DigestItem {
            id: i.id,
            title: i.title,
            state: ActionState::parse(&i.state).unwrap_or(ActionState::Open),
            outcome: i.outcome.as_deref().and_then(|o| Outcome::parse(o).ok()),
            owner: i.owner_id.and_then(|id| owners.get(&id).cloned()),
            due_on: i.due_on,
        })
        .collect())
}

pub async fn digest(
    db: &impl ConnectionTrait,
    cache: &analytics::FiguresCache,
    period: ReportPeriod,
    now: DateTime<Utc>,
) -> Result<Digest, AppError> {
    use action_item::Column as C;
    let zone = organisation::reporting_zone(db).await?;
    let report = analytics::report(db, cache, Scope::default(), period, now).await?;
    let ids = report.figures.incident_ids.clone();
    let rows = incident::Entity::find()
        .filter(incident::Column::Id.is_in(ids.clone()))
        .order_by_asc(incident::Column::StartedAt)
        .all(db)
        .await?;
    let mut services = incidents::service_names_for(db, &ids).await?;
    let incidents = rows
        .into_iter()
        .map(|i| DigestIncident {
            ttr: i.key_times().ttr(),
            id: i.id,
            severity: Severity::parse(&i.severity).unwrap_or(Severity::Sev4),
            services: services.remove(&i.id).unwrap_or_default(),
            detected_by: i
                .detected_by
                .as_deref()
                .and_then(|d| DetectionSource::parse(d).ok()),
            runbook_outcome: i
                .runbook_outcome
                .as_deref()
                .and_then(|r| RunbookOutcome::parse(r).ok()),
            title: i.title,
            summary: i.summary,
        })
        .collect();
    let (start, end) = period.utc_bounds(&zone);
    let completed = items(
        db,
        Condition::all()
            .add(C::DoneOn.gte(period.start()))
            .add(C::DoneOn.lt(period.end())),
    )
    .await?;
    let verified = items(
        db,
        Condition::all()
            .add(C::State.eq(ActionState::Verified.key()))
            .add(C::VerifiedAt.gte(start))
            .add(C::VerifiedAt.lt(end)),
    )
    .await?;
    let next = period.next();
    let coming_up = items(
        db,
        Condition::all()
            .add(C::State.is_in([ActionState::Open.key(), ActionState::InProgress.key()]))
            .add(C::DueOn.gte(next.start()))
            .add(C::DueOn.lt(next.end())),
    )
    .await?;
    Ok(Digest::new(
        &report,
        &period.label(),
        incidents,
        completed,
        verified,
        coming_up,
    ))
}
