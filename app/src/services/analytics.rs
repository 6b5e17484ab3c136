//! The figures of a period, read from the database: the period's incidents (a narrow select on
//! the start-time index), action items and deploys counted in SQL, and the impact windows of the
//! services in scope. The arithmetic is `domain::analytics`; this module only gathers the facts.

use crate::domain::action_item::{ActionState, Outcome};
use crate::domain::analytics::figures::{self, CHART_PERIODS};
use crate::domain::analytics::{
    Availability, DeployTally, DetectionGapThreshold, ImpactWindow, IncidentFacts, ItemFigures,
    PeriodFigures, Report, ReportPeriod, ServiceAvailability, VerificationTally,
};
use crate::domain::catalog::SloTarget;
use crate::domain::deploy::DeployOutcome;
use crate::domain::incident::{DetectionSource, KeyTimes, RunbookOutcome, Severity};
use crate::entities::{action_item, deploy, incident, incident_service, service};
use crate::error::AppError;
use crate::services::organisation;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{Condition, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// Which part of the organisation the figures cover: everything, one team's services, or one
/// service. Items count by their own team and service; incidents and deploys by the services
/// they affected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub team_id: Option<i64>,
    pub service_id: Option<i64>,
}

impl Scope {
    /// The ids of the services in scope, as a subquery.
    fn services(self) -> Option<sea_orm::sea_query::SelectStatement> {
        let mut q = Query::select();
        q.column(service::Column::Id).from(service::Entity);
        match (self.service_id, self.team_id) {
            (None, None) => return None,
            (Some(id), _) => q.and_where(service::Column::Id.eq(id)),
            (None, Some(team)) => q.and_where(service::Column::TeamId.eq(team)),
        };
        Some(q.to_owned())
    }

    /// Incidents that affected a service in scope.
    fn incidents(self) -> Condition {
        let Some(services) = self.services() else {
            return Condition::all();
        };
        Condition::all().add(
            incident::Column::Id.in_subquery(
                Query::select()
                    .column(incident_service::Column::IncidentId)
                    .from(incident_service::Entity)
                    .and_where(incident_service::Column::ServiceId.in_subquery(services))
                    .to_owned(),
            ),
        )
    }

    fn items(self) -> Condition {
        let mut cond = Condition::all();
        if let Some(id) = self.service_id {
            cond = cond.add(action_item::Column::ServiceId.eq(id));
        }
        if let Some(id) = self.team_id {
            cond = cond.add(action_item::Column::TeamId.eq(id));
        }
        cond
    }

    fn deploys(self) -> Condition {
        match self.services() {
            None => Condition::all(),
            Some(services) => Condition::all().add(deploy::Column::ServiceId.in_subquery(services)),
        }
    }
}

type FactRow = (
    i64,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<bool>,
    Option<bool>,
    Option<String>,
);

/// The incidents whose impact started in `[start, end)`, oldest first.
async fn incident_facts(
    db: &impl ConnectionTrait,
    scope: Scope,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<IncidentFacts>, AppError> {
    use incident::Column as C;
    let rows: Vec<FactRow> = incident::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::Severity,
            C::StartedAt,
            C::DetectedAt,
            C::AcknowledgedAt,
            C::MitigatedAt,
            C::ResolvedAt,
            C::DetectedBy,
            C::MonitoringShouldHaveCaught,
            C::KnownProblem,
            C::RunbookOutcome,
        ])
        .filter(C::StartedAt.gte(start))
        .filter(C::StartedAt.lt(end))
        .filter(scope.incidents())
        .order_by_asc(C::StartedAt)
        .order_by_asc(C::Id)
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(
            |(
                id,
                severity,
                started,
                detected,
                acknowledged,
                mitigated,
                resolved,
                by,
                should,
                known,
                runbook,
            )| {
                Ok(IncidentFacts {
                    id,
                    severity: Severity::parse(&severity).map_err(AppError::internal)?,
                    times: KeyTimes {
                        started,
                        detected,
                        acknowledged,
                        mitigated,
                        resolved,
                    },
                    detected_by: by
                        .as_deref()
                        .map(DetectionSource::parse)
                        .transpose()
                        .map_err(AppError::internal)?,
                    monitoring_should_have_caught: should,
                    known_problem: known,
                    runbook_outcome: runbook
                        .as_deref()
                        .map(RunbookOutcome::parse)
                        .transpose()
                        .map_err(AppError::internal)?,
                })
            },
        )
        .collect()
}

async fn item_figures(
    db: &impl ConnectionTrait,
    scope: Scope,
    period: ReportPeriod,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    today: NaiveDate,
) -> Result<ItemFigures, AppError> {
    use action_item::Column as C;
    let count = |cond: Condition| async move {
        Ok::<u64, AppError>(
            action_item::Entity::find()
                .filter(scope.items())
                .filter(cond)
                .count(db)
                .await?,
        )
    };
    let first_day = period.start();
    // A period still under way is counted as of today: late means due before today, and a
    // verification has fallen due when its day has come, not merely lies in the period.
    let late_before = period.end().min(today);
    let end_day = period.end().min(today + chrono::Duration::days(1));
    // Committed before the end and not finished or declined by then.
    let open_at_end = Condition::all().add(C::CommittedAt.lt(end)).add(
        Condition::any()
            .add(C::ClosedAt.is_null())
            .add(C::ClosedAt.gte(end)),
    );
    let due_in_period = Condition::all()
        .add(C::VerifyOn.gte(first_day))
        .add(C::VerifyOn.lt(end_day));
    Ok(ItemFigures {
        created: count(
            Condition::all()
                .add(C::CreatedAt.gte(start))
                .add(C::CreatedAt.lt(end)),
        )
        .await?,
        committed: count(
            Condition::all()
                .add(C::CommittedAt.gte(start))
                .add(C::CommittedAt.lt(end)),
        )
        .await?,
        completed: count(
            Condition::all()
                .add(C::DoneOn.gte(first_day))
                .add(C::DoneOn.lt(period.end())),
        )
        .await?,
        overdue_at_end: count(open_at_end.clone().add(C::DueOn.lt(late_before))).await?,
        open_at_end: count(open_at_end).await?,
        verification: VerificationTally {
            due: count(due_in_period.clone()).await?,
            verified: count(
                due_in_period
                    .clone()
                    .add(C::State.eq(ActionState::Verified.key())),
            )
            .await?,
            effective: count(
                due_in_period
                    .add(C::State.eq(ActionState::Verified.key()))
                    .add(C::Outcome.eq(Outcome::Effective.key())),
            )
            .await?,
        },
    })
}

async fn deploy_tally(
    db: &impl ConnectionTrait,
    scope: Scope,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<DeployTally, AppError> {
    let rows: Vec<(String, i64)> = deploy::Entity::find()
        .select_only()
        .column(deploy::Column::Outcome)
        .column_as(deploy::Column::Id.count(), "n")
        .filter(deploy::Column::DeployedAt.gte(start))
        .filter(deploy::Column::DeployedAt.lt(end))
        .filter(scope.deploys())
        .group_by(deploy::Column::Outcome)
        .into_tuple()
        .all(db)
        .await?;
    let mut tally = DeployTally::default();
    for (outcome, n) in rows {
        let n = n as u64;
        match DeployOutcome::parse(&outcome).map_err(AppError::internal)? {
            DeployOutcome::Succeeded => tally.succeeded += n,
            DeployOutcome::Failed => tally.failed += n,
            DeployOutcome::RolledBack => tally.rolled_back += n,
        }
    }
    Ok(tally)
}

/// Every service in scope with the customer-impact windows that overlap `[start, end)`.
async fn availability(
    db: &impl ConnectionTrait,
    scope: Scope,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<ServiceAvailability>, AppError> {
    use incident::Column as C;
    let mut services = service::Entity::find().order_by_asc(service::Column::Name);
    if let Some(id) = scope.service_id {
        services = services.filter(service::Column::Id.eq(id));
    }
    if let Some(team) = scope.team_id {
        services = services.filter(service::Column::TeamId.eq(team));
    }
    let services = services.all(db).await?;
    // A window overlaps when it started before the end and had not ended by the start.
    let not_ended_before_start = Condition::any()
        .add(C::MitigatedAt.gt(start))
        .add(
            Condition::all()
                .add(C::MitigatedAt.is_null())
                .add(C::ResolvedAt.gt(start)),
        )
        .add(
            Condition::all()
                .add(C::MitigatedAt.is_null())
                .add(C::ResolvedAt.is_null()),
        );
    let rows: Vec<(
        i64,
        i64,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    )> = incident_service::Entity::find()
        .select_only()
        .column(incident_service::Column::ServiceId)
        .column(incident_service::Column::IncidentId)
        .column(C::StartedAt)
        .column(C::MitigatedAt)
        .column(C::ResolvedAt)
        .join(
            sea_orm::JoinType::InnerJoin,
            incident_service::Entity::belongs_to(incident::Entity)
                .from(incident_service::Column::IncidentId)
                .to(C::Id)
                .into(),
        )
        .filter(incident_service::Column::ServiceId.is_in(services.iter().map(|s| s.id)))
        .filter(C::CustomerImpact.eq(true))
        .filter(C::StartedAt.lt(end))
        .filter(not_ended_before_start)
        .into_tuple()
        .all(db)
        .await?;
    let mut windows: BTreeMap<i64, Vec<(i64, ImpactWindow)>> = BTreeMap::new();
    for (service_id, incident_id, started, mitigated, resolved) in rows {
        let times = KeyTimes {
            started,
            detected: None,
            acknowledged: None,
            mitigated,
            resolved,
        };
        windows
            .entry(service_id)
            .or_default()
            .push((incident_id, ImpactWindow::of_incident(&times, now)));
    }
    Ok(services
        .into_iter()
        .map(|s| {
            let own = windows.remove(&s.id).unwrap_or_default();
            let mut incident_ids: Vec<i64> = own.iter().map(|(id, _)| *id).collect();
            incident_ids.sort_unstable();
            let windows: Vec<ImpactWindow> = own.into_iter().map(|(_, w)| w).collect();
            let availability = Availability::over(&windows, start, end.min(now.max(start)));
            let slo = s
                .slo_target_percent
                .and_then(|p| SloTarget::from_percent(p).ok());
            ServiceAvailability {
                service_id: s.id,
                service: s.name,
                slo_target_percent: slo.map(SloTarget::percent),
                error_budget: slo.map(|slo| availability.error_budget(slo)),
                availability,
                incident_ids,
            }
        })
        .collect())
}

/// Every figure of one period in the reporting `zone`. Availability of a period still under way
/// is measured up to `now`.
pub async fn period_figures(
    db: &impl ConnectionTrait,
    scope: Scope,
    period: ReportPeriod,
    zone: &Tz,
    now: DateTime<Utc>,
) -> Result<PeriodFigures, AppError> {
    let (start, end) = period.utc_bounds(zone);
    let incidents = incident_facts(db, scope, start, end).await?;
    Ok(PeriodFigures::compute(
        period,
        &incidents,
        item_figures(
            db,
            scope,
            period,
            start,
            end,
            crate::domain::time::day_in(now, *zone),
        )
        .await?,
        deploy_tally(db, scope, start, end).await?,
        availability(db, scope, start, end, now).await?,
    ))
}

/// The word for a period in a sentence: "month", "week", or "period" for a custom range.
pub fn period_word(period: ReportPeriod) -> &'static str {
    match period {
        ReportPeriod::Calendar(p) => match p.kind() {
            crate::domain::analytics::PeriodKind::Day => "day",
            crate::domain::analytics::PeriodKind::Week => "week",
            crate::domain::analytics::PeriodKind::Month => "month",
            crate::domain::analytics::PeriodKind::Quarter => "quarter",
        },
        ReportPeriod::Custom(_) => "period",
    }
}

/// The report for `period`: its figures, the previous period's, trends and anomalies against the
/// twelve periods before it, and the findings.
pub async fn report(
    db: &impl ConnectionTrait,
    scope: Scope,
    period: ReportPeriod,
    now: DateTime<Utc>,
) -> Result<Report, AppError> {
    let settings = organisation::get(db).await?;
    let zone =
        crate::domain::time::parse_zone(&settings.reporting_zone).map_err(AppError::internal)?;
    let threshold = threshold_of(&settings);
    let mut periods = vec![period];
    for _ in 0..CHART_PERIODS {
        let earliest = *periods.last().expect("at least one");
        periods.push(earliest.previous());
    }
    periods.reverse();
    let mut series = Vec::with_capacity(periods.len());
    for p in periods {
        series.push(period_figures(db, scope, p, &zone, now).await?);
    }
    Ok(figures::report(series, threshold, period_word(period)))
}

pub fn threshold_of(settings: &crate::entities::organisation::Model) -> DetectionGapThreshold {
    u8::try_from(settings.detection_gap_threshold)
        .ok()
        .and_then(|p| DetectionGapThreshold::try_from(p).ok())
        .unwrap_or_default()
}

/// The period that contains today, in the reporting zone.
pub async fn current_period(
    db: &impl ConnectionTrait,
    kind: crate::domain::analytics::PeriodKind,
    now: DateTime<Utc>,
) -> Result<ReportPeriod, AppError> {
    let today = organisation::today(db, now).await?;
    Ok(ReportPeriod::Calendar(
        crate::domain::analytics::Period::containing(kind, today),
    ))
}

/// Id, title and severity of incidents, for listing the ones behind a figure.
pub async fn incident_titles(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<(i64, String, String)> = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            incident::Entity::find()
                .select_only()
                .columns([
                    incident::Column::Id,
                    incident::Column::Title,
                    incident::Column::Severity,
                ])
                .filter(incident::Column::Id.is_in(chunk.to_vec()))
                .into_tuple::<(i64, String, String)>()
                .all(db)
                .await?,
        );
    }
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}
