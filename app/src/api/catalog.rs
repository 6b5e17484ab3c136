//! Teams and services: everyone signed in reads the catalogue; managers and admins edit it.

use crate::domain::suggest::Suggestion;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    domain::catalog::{CatalogName, RunbookUrl, SloTarget},
    entities::{service, team},
    services::catalog::{self as catalog_service, ServiceInput},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamDto {
    pub id: i64,
    pub name: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ServiceDto {
    pub id: i64,
    pub team_id: i64,
    pub name: String,
    pub slo_target_percent: Option<f64>,
    pub runbook_url: Option<String>,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub teams: Vec<TeamDto>,
    pub services: Vec<ServiceDto>,
    /// Whether the asking person may edit the catalogue.
    pub editable: bool,
}

impl Catalog {
    pub fn team_name(&self, team_id: i64) -> &str {
        self.teams
            .iter()
            .find(|t| t.id == team_id)
            .map_or("", |t| t.name.as_str())
    }
}

#[cfg(feature = "ssr")]
impl From<team::Model> for TeamDto {
    fn from(t: team::Model) -> Self {
        TeamDto {
            id: t.id,
            name: t.name,
            version: t.version,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<service::Model> for ServiceDto {
    fn from(s: service::Model) -> Self {
        ServiceDto {
            id: s.id,
            team_id: s.team_id,
            name: s.name,
            slo_target_percent: s.slo_target_percent,
            runbook_url: s.runbook_url,
            version: s.version,
        }
    }
}

#[cfg(feature = "ssr")]
fn service_input(
    team_id: &str,
    name: &str,
    slo_target: &str,
    runbook_url: &str,
) -> Result<ServiceInput, AppError> {
    Ok(ServiceInput {
        team_id: AppError::check(
            "team_id",
            "Team",
            team_id
                .trim()
                .parse::<i64>()
                .map_err(|_| "must be chosen".to_string()),
        )?,
        name: AppError::check("name", "Name", CatalogName::parse(name))?,
        slo_target: AppError::check(
            "slo_target",
            "SLO target",
            SloTarget::parse_optional(slo_target),
        )?,
        runbook_url: AppError::check(
            "runbook_url",
            "Runbook URL",
            RunbookUrl::parse_optional(runbook_url),
        )?,
    })
}

#[server(endpoint = "catalog")]
pub async fn load_catalog() -> Result<Catalog, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            Ok(Catalog {
                teams: catalog_service::teams(db.read())
                    .await?
                    .into_iter()
                    .map(TeamDto::from)
                    .collect(),
                services: catalog_service::services(db.read())
                    .await?
                    .into_iter()
                    .map(ServiceDto::from)
                    .collect(),
                editable: me.role.includes(Role::Manager),
            })
        }
        .await,
    )
}

/// How many teams or services a filter suggests at once.
pub const SUGGESTED_NAMES: usize = 8;

/// The teams a team field suggests for what has been typed into it.
#[server(endpoint = "catalog/suggest_teams")]
pub async fn suggest_teams(#[server(default)] query: String) -> Result<Vec<Suggestion>, AppError> {
    auth::respond(
        async {
            auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            Ok(
                catalog_service::find_teams(db.read(), &query, SUGGESTED_NAMES)
                    .await?
                    .into_iter()
                    .map(|t| Suggestion {
                        value: t.name.clone(),
                        text: t.name,
                        detail: String::new(),
                    })
                    .collect(),
            )
        }
        .await,
    )
}

/// The services a service field suggests for what has been typed into it, each with its team.
#[server(endpoint = "catalog/suggest_services")]
pub async fn suggest_services(
    #[server(default)] query: String,
) -> Result<Vec<Suggestion>, AppError> {
    auth::respond(
        async {
            auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            Ok(
                catalog_service::find_services(db.read(), &query, SUGGESTED_NAMES)
                    .await?
                    .into_iter()
                    .map(|s| Suggestion {
                        value: s.name.clone(),
                        text: s.name,
                        detail: s.team,
                    })
                    .collect(),
            )
        }
        .await,
    )
}

#[server(endpoint = "catalog/create_team")]
pub async fn create_team(name: String) -> Result<TeamDto, AppError> {
    auth::respond(
        async {
            auth::require(Role::Manager).await?;
            let name = AppError::check("name", "Name", CatalogName::parse(&name))?;
            let state = auth::state()?;
            Ok(
                catalog_service::create_team(state.db.write(), name, state.clock.now())
                    .await?
                    .into(),
            )
        }
        .await,
    )
}

#[server(endpoint = "catalog/rename_team")]
pub async fn rename_team(id: i64, version: i64, name: String) -> Result<TeamDto, AppError> {
    auth::respond(
        async {
            auth::require(Role::Manager).await?;
            let name = AppError::check("name", "Name", CatalogName::parse(&name))?;
            Ok(
                catalog_service::rename_team(auth::state()?.db.write(), id, version, name)
                    .await?
                    .into(),
            )
        }
        .await,
    )
}

#[server(endpoint = "catalog/create_service")]
pub async fn create_service(
    team_id: String,
    name: String,
    slo_target: String,
    runbook_url: String,
) -> Result<ServiceDto, AppError> {
    auth::respond(
        async {
            auth::require(Role::Manager).await?;
            let input = service_input(&team_id, &name, &slo_target, &runbook_url)?;
            let state = auth::state()?;
            Ok(
                catalog_service::create_service(state.db.write(), input, state.clock.now())
                    .await?
                    .into(),
            )
        }
        .await,
    )
}

#[server(endpoint = "catalog/update_service")]
pub async fn update_service(
    id: i64,
    version: i64,
    team_id: String,
    name: String,
    slo_target: String,
    runbook_url: String,
) -> Result<ServiceDto, AppError> {
    auth::respond(
        async {
            auth::require(Role::Manager).await?;
            let input = service_input(&team_id, &name, &slo_target, &runbook_url)?;
            Ok(
                catalog_service::update_service(auth::state()?.db.write(), id, version, input)
                    .await?
                    .into(),
            )
        }
        .await,
    )
}
