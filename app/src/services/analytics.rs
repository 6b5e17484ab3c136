//! The figures of a period, read from the database: the period's incidents (a narrow select on
//! the start-time index), action items and deploys counted in SQL, and the impact windows of the
//! services in scope. The arithmetic is `domain::analytics`; this module gathers the facts, and
//! keeps finished periods' figures while the data behind them is unchanged.

use crate::domain::action_item::{ActionState, Outcome};
use crate::domain::analytics::figures::{self, CHART_PERIODS};
use crate::domain::analytics::{
    Availability, DeployTally, DetectionGapThreshold, ImpactWindow, IncidentFacts, ItemFigures,
    Metric, PeriodFigures, Report, ReportPeriod, ServiceAvailability, VerificationTally,
};
use crate::domain::catalog::SloTarget;
use crate::domain::deploy::DeployOutcome;
use crate::domain::incident::{DetectionSource, KeyTimes, RunbookOutcome, Severity};
use crate::entities::{action_item, deploy, incident, incident_service, service};
use crate::error::AppError;
use crate::services::data_version::{Kept, data_version};
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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

/// Which action items each item figure of a period counts, in one place for the counts and for
/// the lists behind them. A period still under way is counted as of today: late means due
/// before today, and a verification has fallen due when its day has come, not merely lies in
/// the period.
struct ItemConditions {
    created: Condition,
    committed: Condition,
    completed: Condition,
    /// Open at the end: committed before it and not finished or declined by then, as "never
    /// closed" plus "closed after the end", so that each part reads a narrow range of the
    /// closed-at index instead of every item committed before the end.
    open_parts: [Condition; 2],
    /// Of those, due before the end (or today).
    overdue_parts: [Condition; 2],
    verification_due: Condition,
    verified: Condition,
    effective: Condition,
}

impl ItemConditions {
    fn of(
        period: ReportPeriod,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        today: NaiveDate,
    ) -> ItemConditions {
        use action_item::Column as C;
        let first_day = period.start();
        let late_before = period.end().min(today);
        let end_day = period.end().min(today + chrono::Duration::days(1));
        let still_open = Condition::all()
            .add(C::ClosedAt.is_null())
            .add(C::CommittedAt.lt(end));
        let closed_later = Condition::all()
            .add(C::ClosedAt.gte(end))
            .add(C::CommittedAt.lt(end));
        let due = Condition::all()
            .add(C::VerifyOn.gte(first_day))
            .add(C::VerifyOn.lt(end_day));
        let verified = due.clone().add(C::State.eq(ActionState::Verified.key()));
        ItemConditions {
            created: Condition::all()
                .add(C::CreatedAt.gte(start))
                .add(C::CreatedAt.lt(end)),
            committed: Condition::all()
                .add(C::CommittedAt.gte(start))
                .add(C::CommittedAt.lt(end)),
            completed: Condition::all()
                .add(C::DoneOn.gte(first_day))
                .add(C::DoneOn.lt(period.end())),
            overdue_parts: [
                still_open.clone().add(C::DueOn.lt(late_before)),
                closed_later.clone().add(C::DueOn.lt(late_before)),
            ],
            open_parts: [still_open, closed_later],
            effective: verified
                .clone()
                .add(C::Outcome.eq(Outcome::Effective.key())),
            verified,
            verification_due: due,
        }
    }

    /// What the list behind `metric` shows, or `None` when the metric is not about items.
    fn behind(self, metric: Metric) -> Option<Condition> {
        let either = |[a, b]: [Condition; 2]| Condition::any().add(a).add(b);
        Some(match metric {
            Metric::ItemsCreated => self.created,
            Metric::ItemsCommitted => self.committed,
            Metric::ItemsCompleted => self.completed,
            Metric::ItemsOpen => either(self.open_parts),
            Metric::ItemsOverdue => either(self.overdue_parts),
            Metric::PriorActionsVerified => self.verification_due,
            Metric::PriorActionsEffective => self.verified,
            _ => return None,
        })
    }
}

async fn item_figures(
    db: &impl ConnectionTrait,
    scope: Scope,
    period: ReportPeriod,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    today: NaiveDate,
) -> Result<ItemFigures, AppError> {
    let count = |cond: Condition| async move {
        Ok::<u64, AppError>(
            action_item::Entity::find()
                .filter(scope.items())
                .filter(cond)
                .count(db)
                .await?,
        )
    };
    let ItemConditions {
        created,
        committed,
        completed,
        open_parts: [still_open, closed_later],
        overdue_parts: [late_open, late_closed_later],
        verification_due,
        verified,
        effective,
    } = ItemConditions::of(period, start, end, today);
    Ok(ItemFigures {
        created: count(created).await?,
        committed: count(committed).await?,
        completed: count(completed).await?,
        overdue_at_end: count(late_open).await? + count(late_closed_later).await?,
        open_at_end: count(still_open).await? + count(closed_later).await?,
        verification: VerificationTally {
            due: count(verification_due).await?,
            verified: count(verified).await?,
            effective: count(effective).await?,
        },
    })
}

/// The action items behind an item figure of `period` (newest first, at most `limit`) and how
/// many there are in all; `None` when `metric` does not count items.
pub async fn items_behind(
    db: &impl ConnectionTrait,
    scope: Scope,
    period: ReportPeriod,
    metric: Metric,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Option<(u64, Vec<action_item::Model>)>, AppError> {
    let zone = organisation::reporting_zone(db).await?;
    let (start, end) = period.utc_bounds(&zone);
    let today = crate::domain::time::day_in(now, zone);
    let Some(cond) = ItemConditions::of(period, start, end, today).behind(metric) else {
        return Ok(None);
    };
    let query = action_item::Entity::find()
        .filter(scope.items())
        .filter(cond);
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(action_item::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(Some((total, items)))
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
    // A window overlaps when it started in the period, or started before it and had not ended
    // by its start: mitigated after the start, or not mitigated and resolved after it or not at
    // all. Spelled as four flat alternatives so that each reads a range of its own index.
    let before = || C::StartedAt.lt(start);
    let overlapping = Condition::any()
        .add(
            Condition::all()
                .add(C::StartedAt.gte(start))
                .add(C::StartedAt.lt(end)),
        )
        .add(Condition::all().add(C::MitigatedAt.gt(start)).add(before()))
        .add(
            Condition::all()
                .add(C::MitigatedAt.is_null())
                .add(C::ResolvedAt.gt(start))
                .add(before()),
        )
        .add(
            Condition::all()
                .add(C::MitigatedAt.is_null())
                .add(C::ResolvedAt.is_null())
                .add(before()),
        );
    // (id, started, mitigated, resolved)
    type ImpactRow = (
        i64,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let incidents: Vec<ImpactRow> = incident::Entity::find()
        .select_only()
        .columns([C::Id, C::StartedAt, C::MitigatedAt, C::ResolvedAt])
        .filter(C::CustomerImpact.eq(true))
        .filter(overlapping)
        .into_tuple()
        .all(db)
        .await?;
    let in_scope: std::collections::HashSet<i64> = services.iter().map(|s| s.id).collect();
    let mut rows = Vec::new();
    for chunk in incidents.chunks(500) {
        let times: BTreeMap<i64, _> = chunk.iter().map(|r| (r.0, (r.1, r.2, r.3))).collect();
        let links: Vec<(i64, i64)> = incident_service::Entity::find()
            .select_only()
            .columns([
                incident_service::Column::IncidentId,
                incident_service::Column::ServiceId,
            ])
            .filter(incident_service::Column::IncidentId.is_in(times.keys().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (incident_id, service_id) in links {
            if in_scope.contains(&service_id) {
                let (started, mitigated, resolved) = times[&incident_id];
                rows.push((service_id, incident_id, started, mitigated, resolved));
            }
        }
    }
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

/// The figures of finished periods, kept while the data they were computed from is unchanged.
/// A report's twelve earlier periods then cost one version query instead of a dozen periods'
/// worth of rows. One per server process, shared by its requests.
///
/// It also lets only as many reports be worked out at once as there are cores: more would not
/// finish sooner, would each hold a report's rows in memory, and on a cold cache would all
/// compute the same periods side by side instead of the later ones finding them kept.
#[derive(Clone, Debug)]
pub struct FiguresCache {
    kept: Kept<(Scope, ReportPeriod, Tz), PeriodFigures>,
    working: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Enough for every period kind's history in a few dozen scopes.
const CACHED_PERIODS: usize = 4_096;

impl Default for FiguresCache {
    fn default() -> Self {
        FiguresCache {
            kept: Kept::new(CACHED_PERIODS),
            working: std::sync::Arc::new(tokio::sync::Semaphore::new(crate::state::cores())),
        }
    }
}

/// The report for `period`: its figures, the previous period's, trends and anomalies against the
/// twelve periods before it, and the findings. Periods that ended before `now` come from
/// `cache` when the data has not changed since they were computed.
pub async fn report(
    db: &impl ConnectionTrait,
    cache: &FiguresCache,
    scope: Scope,
    period: ReportPeriod,
    now: DateTime<Utc>,
) -> Result<Report, AppError> {
    let _turn = cache
        .working
        .acquire()
        .await
        .map_err(|_| AppError::internal("the report queue is closed"))?;
    let version = data_version(db).await?;
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
        let finished = p.utc_bounds(&zone).1 <= now;
        let key = (scope, p, zone);
        let cached = if finished {
            cache.kept.get(version, &key)
        } else {
            None
        };
        let figures = match cached {
            Some(figures) => figures,
            None => {
                let figures = period_figures(db, scope, p, &zone, now).await?;
                if finished {
                    cache.kept.put(version, key, &figures);
                }
                figures
            }
        };
        series.push(figures);
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
