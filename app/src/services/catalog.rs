//! Teams and services: listing, creating and editing them, each edit checked against the
//! version it was based on.

use crate::domain::catalog::{CatalogName, RunbookUrl, SloTarget};
use crate::domain::suggest;
use crate::entities::{service, team};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{JoinType, QueryOrder, QuerySelect, RelationTrait, Set, SqlErr};

/// What a person enters for a service.
#[derive(Clone, Debug)]
pub struct ServiceInput {
    pub team_id: i64,
    pub name: CatalogName,
    pub slo_target: Option<SloTarget>,
    pub runbook_url: Option<RunbookUrl>,
}

fn name_taken(kind: &str) -> AppError {
    AppError::validation("name", "Name", format!("is already used by another {kind}"))
}

fn unique_or_internal(kind: &'static str) -> impl Fn(DbErr) -> AppError {
    move |err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => name_taken(kind),
        _ => AppError::internal(err),
    }
}

/// All teams by name. The catalogue is small and every page that picks from it needs all of it.
pub async fn teams(db: &DatabaseConnection) -> Result<Vec<team::Model>, AppError> {
    Ok(team::Entity::find()
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?)
}

/// All services by name.
pub async fn services(db: &impl ConnectionTrait) -> Result<Vec<service::Model>, AppError> {
    Ok(service::Entity::find()
        .order_by_asc(service::Column::Name)
        .all(db)
        .await?)
}

pub async fn create_team(
    db: &DatabaseConnection,
    name: CatalogName,
    now: DateTime<Utc>,
) -> Result<team::Model, AppError> {
    team::ActiveModel {
        name: Set(name.as_str().to_string()),
        version: Set(1),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(unique_or_internal("team"))
}

/// Renames a team if it is still at `version`.
pub async fn rename_team(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    name: CatalogName,
) -> Result<team::Model, AppError> {
    let res = team::Entity::update_many()
        .col_expr(team::Column::Name, Expr::value(name.as_str()))
        .col_expr(team::Column::Version, Expr::value(version + 1))
        .filter(team::Column::Id.eq(id))
        .filter(team::Column::Version.eq(version))
        .exec(db)
        .await
        .map_err(unique_or_internal("team"))?;
    let current = team::Entity::find_by_id(id).one(db).await?;
    versioned_outcome(res.rows_affected, current, |t| t.version)
}

/// The result of an update guarded by a version: the row as it is now, or why nothing changed.
fn versioned_outcome<M>(
    rows_affected: u64,
    current: Option<M>,
    version_of: impl Fn(&M) -> i64,
) -> Result<M, AppError> {
    let current = current.ok_or(AppError::NotFound)?;
    if rows_affected == 0 {
        return Err(AppError::Conflict {
            current_version: version_of(&current),
        });
    }
    Ok(current)
}

async fn check_team(db: &DatabaseConnection, team_id: i64) -> Result<(), AppError> {
    if team::Entity::find_by_id(team_id).one(db).await?.is_none() {
        return Err(AppError::validation("team_id", "Team", "does not exist"));
    }
    Ok(())
}

pub async fn create_service(
    db: &DatabaseConnection,
    input: ServiceInput,
    now: DateTime<Utc>,
) -> Result<service::Model, AppError> {
    check_team(db, input.team_id).await?;
    service::ActiveModel {
        team_id: Set(input.team_id),
        name: Set(input.name.as_str().to_string()),
        slo_target_percent: Set(input.slo_target.map(SloTarget::percent)),
        runbook_url: Set(input.runbook_url.map(|u| u.as_str().to_string())),
        version: Set(1),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(unique_or_internal("service"))
}

/// Changes a service if it is still at `version`.
pub async fn update_service(
    db: &DatabaseConnection,
    id: i64,
    version: i64,
    input: ServiceInput,
) -> Result<service::Model, AppError> {
    check_team(db, input.team_id).await?;
    let res = service::Entity::update_many()
        .col_expr(service::Column::TeamId, Expr::value(input.team_id))
        .col_expr(service::Column::Name, Expr::value(input.name.as_str()))
        .col_expr(
            service::Column::SloTargetPercent,
            Expr::value(input.slo_target.map(SloTarget::percent)),
        )
        .col_expr(
            service::Column::RunbookUrl,
            Expr::value(input.runbook_url.map(|u| u.as_str().to_string())),
        )
        .col_expr(service::Column::Version, Expr::value(version + 1))
        .filter(service::Column::Id.eq(id))
        .filter(service::Column::Version.eq(version))
        .exec(db)
        .await
        .map_err(unique_or_internal("service"))?;
    let current = service::Entity::find_by_id(id).one(db).await?;
    versioned_outcome(res.rows_affected, current, |s| s.version)
}

/// Service names by id, for showing the services of many incidents at once.
pub async fn service_names(
    db: &impl ConnectionTrait,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(services(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The names of the services `ids`, for showing a page of incidents without reading the whole
/// catalogue.
pub async fn service_names_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = service::Entity::find()
        .select_only()
        .columns([service::Column::Id, service::Column::Name])
        .filter(service::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// A team or a service as a filter field suggests it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub id: i64,
    pub name: String,
    /// The service's team; empty for a team.
    pub team: String,
}

async fn named_teams(db: &impl ConnectionTrait) -> Result<Vec<Named>, AppError> {
    let rows: Vec<(i64, String)> = team::Entity::find()
        .select_only()
        .columns([team::Column::Id, team::Column::Name])
        .order_by_asc(team::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Named {
            id,
            name,
            team: String::new(),
        })
        .collect())
}

async fn named_services(db: &impl ConnectionTrait) -> Result<Vec<Named>, AppError> {
    let rows: Vec<(i64, String, String)> = service::Entity::find()
        .select_only()
        .columns([service::Column::Id, service::Column::Name])
        .column_as(team::Column::Name, "team_name")
        .join(JoinType::InnerJoin, service::Relation::Team.def())
        .order_by_asc(service::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, team)| Named { id, name, team })
        .collect())
}

fn best_named(all: Vec<Named>, query: &str, limit: usize) -> Vec<Named> {
    suggest::best(all, |n| vec![n.name.as_str()], query, limit)
}

/// Up to `limit` teams whose name holds `query`, best first ([`suggest::best`]).
pub async fn find_teams(
    db: &impl ConnectionTrait,
    query: &str,
    limit: usize,
) -> Result<Vec<Named>, AppError> {
    Ok(best_named(named_teams(db).await?, query, limit))
}

/// Up to `limit` services whose name holds `query`, best first, each with its team.
pub async fn find_services(
    db: &impl ConnectionTrait,
    query: &str,
    limit: usize,
) -> Result<Vec<Named>, AppError> {
    Ok(best_named(named_services(db).await?, query, limit))
}

/// The team and the service a filter's `team` and `service` fields name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterScope {
    pub team: Option<Named>,
    pub service: Option<Named>,
}

/// What a filter's typed `team` and `service` name, each complaint naming its field: nothing
/// when blank; else the one of that name (ignoring case), or with that id, or the one whose name
/// holds what was typed. The catalogue is read only for a field that holds something.
pub async fn filter_scope(
    db: &impl ConnectionTrait,
    team: Option<&str>,
    service: Option<&str>,
) -> Result<FilterScope, AppError> {
    let team = match given(team) {
        None => None,
        Some(typed) => Some(one_named(
            named_teams(db).await?,
            ("team", "teams"),
            ("team", "Team"),
            typed,
        )?),
    };
    let service = match given(service) {
        None => None,
        Some(typed) => Some(one_named(
            named_services(db).await?,
            ("service", "services"),
            ("service", "Service"),
            typed,
        )?),
    };
    Ok(FilterScope { team, service })
}

fn given(typed: Option<&str>) -> Option<&str> {
    typed.map(str::trim).filter(|t| !t.is_empty())
}

fn one_named(
    mut all: Vec<Named>,
    (kind, kinds): (&str, &str),
    (field, label): (&str, &str),
    typed: &str,
) -> Result<Named, AppError> {
    let lowered = typed.to_lowercase();
    let whole = all
        .iter()
        .position(|n| n.name.to_lowercase() == lowered)
        .or_else(|| {
            let id = typed.parse::<i64>().ok()?;
            all.iter().position(|n| n.id == id)
        });
    if let Some(at) = whole {
        return Ok(all.swap_remove(at));
    }
    let mut matching = best_named(all, typed, usize::MAX);
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(AppError::validation(
            field,
            label,
            format!(
                "names no {kind} (“{typed}”): type part of a name and pick from the suggestions"
            ),
        )),
        n => {
            let shown: Vec<&str> = matching.iter().take(3).map(|m| m.name.as_str()).collect();
            let more = if n > shown.len() { ", …" } else { "" };
            Err(AppError::validation(
                field,
                label,
                format!(
                    "could be any of {n} {kinds} (“{typed}”: {}{more}): pick one from the \
                     suggestions",
                    shown.join(", ")
                ),
            ))
        }
    }
}
