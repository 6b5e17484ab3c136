//! What the organisation's archive would hold, for the admin page that exports and imports it;
//! the archive itself moves through `/admin/archive.json` and `/admin/archive/import`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{auth, domain::Role, services::archive};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveOverview {
    pub incidents: u64,
    pub timeline_events: u64,
    pub action_items: u64,
    pub reviews: u64,
    pub accounts: u64,
    pub teams: u64,
    pub services: u64,
    /// What stands in the way of an import ("3 teams"): an archive goes only into an instance
    /// that holds nothing but accounts.
    pub held: Vec<String>,
    /// The archive format version this instance writes and reads.
    pub format_version: u32,
}

#[server(endpoint = "admin/archive")]
pub async fn load_archive_overview() -> Result<ArchiveOverview, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Admin).await?;
            let counts = archive::count(state.db.read()).await?;
            let held = archive::held(state.db.read()).await?;
            Ok(ArchiveOverview {
                incidents: counts.incidents,
                timeline_events: counts.timeline_events,
                action_items: counts.action_items,
                reviews: counts.reviews,
                accounts: counts.users,
                teams: counts.teams,
                services: counts.services,
                held,
                format_version: archive::VERSION,
            })
        }
        .await,
    )
}

/// One line of an import's answer when the page asks to watch it (`Accept:
/// application/x-ndjson`): progress as it goes, then how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportLine {
    Progress { done: u64, total: u64 },
    Imported(ImportedSummary),
    Refused { message: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedSummary {
    pub incidents: u64,
    pub action_items: u64,
    pub reviews: u64,
    /// Accounts the archive brought that had no password here; an admin sets one.
    pub accounts_created: Vec<String>,
}

impl ImportedSummary {
    /// What the page says once an import is in.
    pub fn sentence(&self) -> String {
        imported_sentence(
            self.incidents,
            self.action_items,
            self.reviews,
            self.accounts_created.len() as u64,
        )
    }
}

pub fn imported_sentence(incidents: u64, action_items: u64, reviews: u64, accounts: u64) -> String {
    let mut text = format!(
        "Imported {incidents} incidents, {action_items} action items and {reviews} reviews."
    );
    if accounts > 0 {
        text.push_str(&format!(
            " {accounts} accounts came with it and have no password yet: an admin sets one under Users before they sign in."
        ));
    }
    text
}
