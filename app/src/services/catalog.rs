//! Teams and services: listing, creating and editing them, each edit checked against the
//! version it was based on.

use crate::domain::catalog::{CatalogName, RunbookUrl, SloTarget};
use crate::entities::{service, team};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set, SqlErr};

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
