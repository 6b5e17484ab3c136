//! The organisation's settings. The reporting zone decides which day it is for everyone: when an
//! item is overdue, when its verification falls due, and where a day or a week begins. The
//! detection-gap threshold decides when users reporting incidents first becomes a finding.

use crate::domain::analytics::DetectionGapThreshold;
use crate::domain::time::{day_in, parse_zone};
use crate::entities::organisation;
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};

pub async fn get(db: &impl ConnectionTrait) -> Result<organisation::Model, AppError> {
    organisation::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("the organisation row is missing"))
}

pub async fn reporting_zone(db: &impl ConnectionTrait) -> Result<Tz, AppError> {
    let row = get(db).await?;
    parse_zone(&row.reporting_zone).map_err(AppError::internal)
}

/// The day it is now in the reporting zone.
pub async fn today(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<NaiveDate, AppError> {
    Ok(day_in(now, reporting_zone(db).await?))
}

/// Sets the reporting zone, and the detection-gap threshold when given, if the settings are
/// still at `version`.
pub async fn set_reporting_zone(
    db: &DatabaseConnection,
    zone: Tz,
    threshold: Option<DetectionGapThreshold>,
    version: i64,
) -> Result<organisation::Model, AppError> {
    let res = organisation::Entity::update_many()
        .set(organisation::ActiveModel {
            reporting_zone: Set(zone.name().to_string()),
            detection_gap_threshold: match threshold {
                Some(t) => Set(i16::from(t.percent())),
                None => sea_orm::ActiveValue::NotSet,
            },
            ..Default::default()
        })
        .col_expr(
            organisation::Column::Version,
            Expr::col(organisation::Column::Version).add(1),
        )
        .filter(organisation::Column::Id.eq(1))
        .filter(organisation::Column::Version.eq(version))
        .exec(db)
        .await?;
    let current = get(db).await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    Ok(current)
}
