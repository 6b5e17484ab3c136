//! Deploys for the pages: a CSV upload of past deploys, all or nothing.

use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    domain::deploy::{RowError, parse_csv},
    services::{catalog, deploys},
};

/// The most deploys one upload records.
pub const MAX_ROWS: usize = 5_000;

/// The most problems one refusal lists.
pub const ERRORS_SHOWN: usize = 10;

/// Records every deploy in `csv` (columns `service`, `deployed_at`, `outcome` and optionally
/// `reference`; services by name), or none: a refusal names each line and column that is wrong.
/// Returns how many were recorded.
#[server(endpoint = "deploys/upload")]
pub async fn upload_deploys(#[server(default)] csv: String) -> Result<u64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            let me = auth::require(Role::Engineer).await?;
            let refuse = |errors: Vec<RowError>| {
                let mut text: Vec<String> = errors
                    .iter()
                    .take(ERRORS_SHOWN)
                    .map(ToString::to_string)
                    .collect();
                if errors.len() > ERRORS_SHOWN {
                    text.push(format!("and {} more", errors.len() - ERRORS_SHOWN));
                }
                AppError::validation(
                    "csv",
                    "The upload",
                    format!("has problems, so nothing was recorded: {}", text.join("; ")),
                )
            };
            let rows = parse_csv(&csv).map_err(refuse)?;
            if rows.len() > MAX_ROWS {
                return Err(AppError::validation(
                    "csv",
                    "The upload",
                    format!(
                        "has {} deploys; upload at most {MAX_ROWS} at a time",
                        rows.len()
                    ),
                ));
            }
            if rows.is_empty() {
                return Err(AppError::validation(
                    "csv",
                    "The upload",
                    "has no deploys below its header",
                ));
            }
            let services: std::collections::HashMap<String, i64> =
                catalog::services(state.db.read())
                    .await?
                    .into_iter()
                    .map(|s| (s.name.to_lowercase(), s.id))
                    .collect();
            let mut unknown = Vec::new();
            let mut batch = Vec::with_capacity(rows.len());
            for row in rows {
                match services.get(&row.service.to_lowercase()) {
                    Some(&service_id) => batch.push(deploys::DeployInput {
                        service_id,
                        deployed_at: row.deployed_at,
                        outcome: row.outcome,
                        reference: row.reference,
                    }),
                    None => unknown.push(RowError {
                        line: row.line,
                        column: "service".into(),
                        message: format!("“{}” is not a service in the catalogue", row.service),
                    }),
                }
            }
            if !unknown.is_empty() {
                return Err(refuse(unknown));
            }
            let saved = deploys::record(state.db.write(), &batch, me.id, now).await?;
            Ok(saved.len() as u64)
        }
        .await,
    )
}
