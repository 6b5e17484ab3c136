//! An incident's History tab: every recorded change, with readable diffs of long texts.

use crate::domain::history::{DiffLine, HistoryAction, Subject};
use crate::domain::time::ShownTime;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{auth, domain::Role, domain::time::show, services::history};

pub const ENTRIES_PER_PAGE: u64 = 50;

/// How one field changed: short values side by side, long texts as a line diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeShown {
    Value {
        label: String,
        before: String,
        after: String,
    },
    Text {
        label: String,
        diff: Vec<DiffLine>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntryDto {
    pub id: i64,
    pub subject: Subject,
    pub subject_id: Option<i64>,
    pub action: HistoryAction,
    pub actor: String,
    pub at: ShownTime,
    pub changes: Vec<ChangeShown>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntryDto>,
    /// The `before` of the next page.
    pub next_before: Option<i64>,
}

/// Texts longer than this, or with several lines, are shown as a diff.
#[cfg(feature = "ssr")]
const SHORT: usize = 120;

#[server(endpoint = "incident/history")]
pub async fn incident_history(
    incident_id: i64,
    before: Option<i64>,
) -> Result<HistoryPage, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            let zone = me.zone();
            let mut entries =
                history::for_incident(db.read(), incident_id, before, ENTRIES_PER_PAGE + 1).await?;
            let next_before = (entries.len() as u64 > ENTRIES_PER_PAGE).then(|| {
                entries.truncate(ENTRIES_PER_PAGE as usize);
                entries.last().map(|e| e.id)
            });
            Ok(HistoryPage {
                entries: entries
                    .into_iter()
                    .map(|e| HistoryEntryDto {
                        id: e.id,
                        subject: e.subject,
                        subject_id: e.subject_id,
                        action: e.action,
                        actor: e.actor,
                        at: show(e.at, zone),
                        changes: e
                            .changes
                            .into_iter()
                            .map(|c| {
                                let long = |t: &str| t.len() > SHORT || t.contains('\n');
                                if long(&c.before) || long(&c.after) {
                                    ChangeShown::Text {
                                        label: c.label,
                                        diff: history::diff(&c.before, &c.after),
                                    }
                                } else {
                                    ChangeShown::Value {
                                        label: c.label,
                                        before: c.before,
                                        after: c.after,
                                    }
                                }
                            })
                            .collect(),
                        note: e.note,
                    })
                    .collect(),
                next_before: next_before.flatten(),
            })
        }
        .await,
    )
}
