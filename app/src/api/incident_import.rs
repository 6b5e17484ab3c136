//! Importing historical incidents from a CSV: a dry run that lists every problem by row and
//! column, and the import itself, all or nothing. Managers only: it writes history in bulk.

use crate::domain::incident_import::{ImportField, ImportReport};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{auth, domain::Role, services::incident_import};

/// What a form posted without JavaScript sees on the page it is sent back to: the report, and
/// what was typed, to correct or to import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportAnswer {
    pub report: ImportReport,
    pub csv: String,
    pub mapping: Vec<(ImportField, String)>,
    pub committed: bool,
}

/// The kind under which a no-JavaScript answer waits for the page.
pub const ANSWER: &str = "incident_import";

/// Checks the CSV with the chosen columns and, with `commit`, imports it when nothing is wrong.
/// Each mapping argument names the CSV column its field comes from; empty leaves it unset.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "incidents/import")]
pub async fn import_incidents_csv(
    #[server(default)] csv: String,
    #[server(default)] title: String,
    #[server(default)] severity: String,
    #[server(default)] started_at: String,
    #[server(default)] services: String,
    #[server(default)] summary: String,
    #[server(default)] detected_at: String,
    #[server(default)] acknowledged_at: String,
    #[server(default)] mitigated_at: String,
    #[server(default)] resolved_at: String,
    #[server(default)] detected_by: String,
    #[server(default)] monitoring_should_have_caught: String,
    #[server(default)] known_problem: String,
    #[server(default)] runbook_outcome: String,
    #[server(default)] cause_category: String,
    #[server(default)] customer_impact: String,
    #[server(default)] impact_description: String,
    #[server(default)] tags: String,
    #[server(default)] commit: Option<String>,
) -> Result<ImportReport, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let user = auth::require(Role::Manager).await?;
            use ImportField as F;
            let mapping = vec![
                (F::Title, title),
                (F::Severity, severity),
                (F::StartedAt, started_at),
                (F::Services, services),
                (F::Summary, summary),
                (F::DetectedAt, detected_at),
                (F::AcknowledgedAt, acknowledged_at),
                (F::MitigatedAt, mitigated_at),
                (F::ResolvedAt, resolved_at),
                (F::DetectedBy, detected_by),
                (F::MonitoringShouldHaveCaught, monitoring_should_have_caught),
                (F::KnownProblem, known_problem),
                (F::RunbookOutcome, runbook_outcome),
                (F::CauseCategory, cause_category),
                (F::CustomerImpact, customer_impact),
                (F::ImpactDescription, impact_description),
                (F::Tags, tags),
            ];
            let commit = commit.is_some_and(|c| !c.is_empty());
            let report = incident_import::run(
                state.db.write(),
                &csv,
                &mapping,
                user.id,
                state.clock.now(),
                commit,
            )
            .await?;
            let committed = report.imported.is_some();
            auth::keep_shown_once(
                ANSWER,
                &ImportAnswer {
                    report: report.clone(),
                    // Nothing left to correct once it is in.
                    csv: if committed { String::new() } else { csv },
                    mapping: if committed {
                        Vec::new()
                    } else {
                        report.columns.clone()
                    },
                    committed,
                },
            )
            .await?;
            Ok(report)
        }
        .await,
    )
}

/// The answer a form posted without JavaScript left for this page, if any.
#[server(endpoint = "incidents/import/answer")]
pub async fn kept_import_answer() -> Result<Option<ImportAnswer>, AppError> {
    auth::respond(
        async {
            auth::require(Role::Manager).await?;
            Ok(auth::shown_once::<ImportAnswer>(ANSWER))
        }
        .await,
    )
}
