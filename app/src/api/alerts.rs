//! Alert sources for admins: turning Alertmanager and PagerDuty deliveries on and off, their
//! secrets, and the rules from alert labels to services and severities.

use crate::domain::alert::{AlertSourceKind, MappingKind};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    domain::alert::{parse_label_name, parse_label_names},
    domain::incident::Severity,
    services::{alerts, catalog},
};

/// One label rule as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDto {
    pub id: i64,
    pub kind: MappingKind,
    pub label: String,
    pub value: String,
    /// The service's name or the severity's label.
    pub target: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSourceDto {
    pub kind: AlertSourceKind,
    /// Where the source delivers, from the site's root.
    pub path: String,
    /// Off until an admin sets a secret.
    pub enabled: bool,
    pub service_labels: String,
    pub fallback_service_id: Option<i64>,
    pub version: i64,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub rules: Vec<RuleDto>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettingsDto {
    pub sources: Vec<AlertSourceDto>,
    /// `(id, name)` of every service, for the pickers.
    pub services: Vec<(i64, String)>,
}

pub fn path_of(kind: AlertSourceKind) -> String {
    format!("/api/v1/alerts/{}", kind.key())
}

#[cfg(feature = "ssr")]
fn source_kind(source: &str) -> Result<AlertSourceKind, AppError> {
    AppError::check("source", "Source", AlertSourceKind::parse(source))
}

#[server(endpoint = "admin/alerts")]
pub async fn load_alert_settings() -> Result<AlertSettingsDto, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            let db = state.db.read();
            let services = catalog::services(db).await?;
            let name_of = |id: i64| {
                services
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| format!("service {id}"))
            };
            let mut sources = Vec::new();
            for kind in AlertSourceKind::ALL.iter().copied() {
                let row = alerts::source(db, kind).await?;
                let rules = alerts::mappings(db, kind)
                    .await?
                    .into_iter()
                    .map(|m| RuleDto {
                        id: m.id,
                        kind: MappingKind::parse(&m.kind).unwrap_or(MappingKind::Severity),
                        target: match (m.service_id, m.severity.as_deref()) {
                            (Some(id), _) => name_of(id),
                            (None, Some(s)) => Severity::parse(s)
                                .map(|s| s.label().to_string())
                                .unwrap_or_default(),
                            _ => String::new(),
                        },
                        label: m.label,
                        value: m.value,
                    })
                    .collect();
                sources.push(match row {
                    Some(row) => AlertSourceDto {
                        kind,
                        path: path_of(kind),
                        enabled: true,
                        service_labels: row.service_labels.replace(',', ", "),
                        fallback_service_id: row.fallback_service_id,
                        version: row.version,
                        last_delivery_at: row.last_delivery_at,
                        last_error: row.last_error,
                        last_error_at: row.last_error_at,
                        rules,
                    },
                    None => AlertSourceDto {
                        kind,
                        path: path_of(kind),
                        enabled: false,
                        service_labels: kind.default_service_labels().join(", "),
                        fallback_service_id: None,
                        version: 0,
                        last_delivery_at: None,
                        last_error: None,
                        last_error_at: None,
                        rules,
                    },
                });
            }
            Ok(AlertSettingsDto {
                sources,
                services: services.into_iter().map(|s| (s.id, s.name)).collect(),
            })
        }
        .await,
    )
}

/// Turns a source on or gives it a new secret. Returns Alertmanager's new token, shown once.
#[server(endpoint = "admin/alerts/secret")]
pub async fn set_alert_secret(
    source: String,
    secret: Option<String>,
) -> Result<Option<String>, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            let kind = source_kind(&source)?;
            let token =
                alerts::set_secret(state.db.write(), kind, secret.as_deref(), state.clock.now())
                    .await?;
            if let Some(token) = &token {
                auth::keep_shown_once(ALERTMANAGER_TOKEN, token).await?;
            }
            Ok(token)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
const ALERTMANAGER_TOKEN: &str = "alertmanager_token";

/// The Alertmanager token just made by a form posted without JavaScript, once.
#[server(endpoint = "admin/alerts/new-token")]
pub async fn alertmanager_token_just_made() -> Result<Option<String>, AppError> {
    auth::respond(
        async {
            auth::require(Role::Admin).await?;
            Ok(auth::shown_once(ALERTMANAGER_TOKEN))
        }
        .await,
    )
}

#[server(endpoint = "admin/alerts/remove")]
pub async fn remove_alert_source(source: String) -> Result<(), AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            alerts::remove(state.db.write(), source_kind(&source)?).await
        }
        .await,
    )
}

#[server(endpoint = "admin/alerts/settings")]
pub async fn save_alert_settings(
    source: String,
    service_labels: String,
    fallback_service_id: Option<String>,
    version: i64,
) -> Result<(), AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            let kind = source_kind(&source)?;
            let labels = AppError::check(
                "service_labels",
                "Service labels",
                parse_label_names(&service_labels),
            )?;
            let fallback = match fallback_service_id.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(id) => Some(id.parse::<i64>().map_err(|_| {
                    AppError::validation(
                        "fallback_service_id",
                        "Fallback service",
                        "is not a service",
                    )
                })?),
            };
            alerts::save_settings(state.db.write(), kind, labels, fallback, version).await?;
            Ok(())
        }
        .await,
    )
}

/// Adds a rule: a service rule when `service_id` is sent, a severity rule when `severity` is.
#[server(endpoint = "admin/alerts/rules/add")]
pub async fn add_alert_rule(
    source: String,
    label: String,
    value: String,
    service_id: Option<String>,
    severity: Option<String>,
) -> Result<(), AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            let kind = source_kind(&source)?;
            let label = AppError::check("label", "Label", parse_label_name(&label))?;
            let value = AppError::check(
                "value",
                "Value",
                crate::domain::account::required_line(&value, 256),
            )?;
            let target = match (service_id.as_deref(), severity.as_deref()) {
                (Some(id), _) => alerts::RuleTarget::Service(id.trim().parse().map_err(|_| {
                    AppError::validation("service_id", "Service", "must be chosen")
                })?),
                (None, Some(s)) => alerts::RuleTarget::Severity(AppError::check(
                    "severity",
                    "Severity",
                    Severity::parse(s),
                )?),
                (None, None) => {
                    return Err(AppError::validation(
                        "service_id",
                        "Service",
                        "or a severity must be chosen",
                    ));
                }
            };
            alerts::add_mapping(state.db.write(), kind, label, value, target).await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "admin/alerts/rules/remove")]
pub async fn remove_alert_rule(source: String, id: i64) -> Result<(), AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            alerts::remove_mapping(state.db.write(), source_kind(&source)?, id).await
        }
        .await,
    )
}
