//! The organisation's settings for admins: the reporting zone days and reviews are counted in.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{auth, domain::Role, services::organisation};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationDto {
    pub reporting_zone: String,
    /// In whole percent.
    pub detection_gap_threshold: u8,
    pub version: i64,
    /// The zone names to choose from.
    pub zones: Vec<String>,
}

#[server(endpoint = "admin/organisation")]
pub async fn load_organisation() -> Result<OrganisationDto, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            let row = organisation::get(state.db.read()).await?;
            Ok(OrganisationDto {
                detection_gap_threshold: crate::services::analytics::threshold_of(&row).percent(),
                reporting_zone: row.reporting_zone,
                version: row.version,
                zones: crate::domain::time::zone_names()
                    .map(str::to_string)
                    .collect(),
            })
        }
        .await,
    )
}

/// Sets the reporting zone and, when sent, the detection-gap threshold; returns the zone's name.
#[server(endpoint = "admin/organisation/save")]
pub async fn save_reporting_zone(
    reporting_zone: String,
    detection_gap_threshold: Option<String>,
    version: i64,
) -> Result<String, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            let zone = AppError::check(
                "reporting_zone",
                "Reporting time zone",
                crate::domain::time::parse_zone(&reporting_zone),
            )?;
            let threshold = detection_gap_threshold
                .as_deref()
                .map(|t| {
                    AppError::check(
                        "detection_gap_threshold",
                        "Detection gap threshold",
                        crate::domain::analytics::DetectionGapThreshold::parse(t),
                    )
                })
                .transpose()?;
            let saved =
                organisation::set_reporting_zone(state.db.write(), zone, threshold, version)
                    .await?;
            Ok(saved.reporting_zone)
        }
        .await,
    )
}
