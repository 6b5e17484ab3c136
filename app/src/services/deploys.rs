//! Deploy events: recorded one at a time or in a batch by a pipeline, all or nothing.

use crate::domain::deploy::DeployOutcome;
use crate::entities::{deploy, service};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::{QuerySelect, TransactionTrait};
use std::collections::HashSet;

/// One deploy, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployInput {
    pub service_id: i64,
    pub deployed_at: DateTime<Utc>,
    pub outcome: DeployOutcome,
    pub reference: Option<String>,
}

/// Records every deploy of `batch` in one transaction, or none when a service does not exist
/// (the error names the first such entry, `deploys[i].service_id`, or `service_id` for one).
pub async fn record(
    db: &DatabaseConnection,
    batch: &[DeployInput],
    recorded_by: i64,
    now: DateTime<Utc>,
) -> Result<Vec<deploy::Model>, AppError> {
    let mut wanted: Vec<i64> = batch.iter().map(|d| d.service_id).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let known: HashSet<i64> = service::Entity::find()
        .select_only()
        .column(service::Column::Id)
        .filter(service::Column::Id.is_in(wanted))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if let Some(i) = batch.iter().position(|d| !known.contains(&d.service_id)) {
        let field = if batch.len() == 1 {
            "service_id".to_string()
        } else {
            format!("deploys[{i}].service_id")
        };
        return Err(AppError::validation(&field, "Service", "does not exist"));
    }
    let txn = db.begin().await?;
    let mut saved = Vec::with_capacity(batch.len());
    for d in batch {
        saved.push(
            deploy::ActiveModel {
                service_id: Set(d.service_id),
                deployed_at: Set(d.deployed_at),
                outcome: Set(d.outcome.key().to_string()),
                reference: Set(d.reference.clone()),
                recorded_by: Set(recorded_by),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    txn.commit().await?;
    Ok(saved)
}
