//! The record of every change to an incident and what hangs off it, and the readable diffs the
//! History tab shows.

use crate::domain::history::{DiffLine, FieldChange, HistoryAction, Subject};
use crate::entities::{history_entry, user};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect, Set};
use similar::{ChangeTag, TextDiff};

/// Who did what, to which thing, when; written in the transaction of the change itself.
pub struct Entry<'a> {
    pub incident_id: Option<i64>,
    pub subject: Subject,
    pub subject_id: Option<i64>,
    pub action: HistoryAction,
    pub actor_id: i64,
    pub at: DateTime<Utc>,
    pub changes: &'a [FieldChange],
    pub note: Option<&'a str>,
}

pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> Result<(), AppError> {
    history_entry::ActiveModel {
        incident_id: Set(entry.incident_id),
        subject: Set(entry.subject.key().to_string()),
        subject_id: Set(entry.subject_id),
        action: Set(entry.action.key().to_string()),
        actor_id: Set(entry.actor_id),
        at: Set(entry.at),
        changes: Set(serde_json::to_string(entry.changes).map_err(AppError::internal)?),
        note: Set(entry.note.map(str::to_string)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A history entry as read back, with the actor's name.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedEntry {
    pub id: i64,
    pub subject: Subject,
    pub subject_id: Option<i64>,
    pub action: HistoryAction,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub changes: Vec<FieldChange>,
    pub note: Option<String>,
}

/// An incident's history, newest (last written) first, at most `limit` entries before entry `before`.
pub async fn for_incident(
    db: &DatabaseConnection,
    incident_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<RecordedEntry>, AppError> {
    let mut query = history_entry::Entity::find()
        .filter(history_entry::Column::IncidentId.eq(incident_id))
        .order_by_desc(history_entry::Column::Id);
    if let Some(before) = before {
        query = query.filter(history_entry::Column::Id.lt(before));
    }
    let rows = query.limit(limit).all(db).await?;
    read_back(db, rows).await
}

/// One subject's history (an action item's, say), newest first, at most `limit` entries.
pub async fn for_subject(
    db: &DatabaseConnection,
    subject: Subject,
    subject_id: i64,
    limit: u64,
) -> Result<Vec<RecordedEntry>, AppError> {
    let rows = history_entry::Entity::find()
        .filter(history_entry::Column::Subject.eq(subject.key()))
        .filter(history_entry::Column::SubjectId.eq(subject_id))
        .order_by_desc(history_entry::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    read_back(db, rows).await
}

async fn read_back(
    db: &DatabaseConnection,
    rows: Vec<history_entry::Model>,
) -> Result<Vec<RecordedEntry>, AppError> {
    let actor_ids: Vec<i64> = rows.iter().map(|r| r.actor_id).collect();
    let names: std::collections::HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    rows.into_iter()
        .map(|row| {
            Ok(RecordedEntry {
                id: row.id,
                subject: Subject::parse(&row.subject).map_err(AppError::internal)?,
                subject_id: row.subject_id,
                action: HistoryAction::parse(&row.action).map_err(AppError::internal)?,
                actor: names
                    .get(&row.actor_id)
                    .cloned()
                    .unwrap_or_else(|| format!("user #{}", row.actor_id)),
                at: row.at,
                changes: serde_json::from_str(&row.changes).map_err(AppError::internal)?,
                note: row.note,
            })
        })
        .collect()
}

/// Lines of unchanged text kept around each change.
const CONTEXT: usize = 2;

/// A line diff of `before` and `after`, with long unchanged stretches folded.
pub fn diff(before: &str, after: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(before, after);
    let groups = diff.grouped_ops(CONTEXT);
    let mut lines = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let first_old = group.first().map_or(0, |op| op.old_range().start);
        if i == 0 && first_old > 0 {
            lines.push(DiffLine::Skipped(first_old));
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches('\n').to_string();
                lines.push(match change.tag() {
                    ChangeTag::Equal => DiffLine::Same(text),
                    ChangeTag::Delete => DiffLine::Removed(text),
                    ChangeTag::Insert => DiffLine::Added(text),
                });
            }
        }
        if let Some(last) = group.last() {
            let next_start = groups
                .get(i + 1)
                .and_then(|g| g.first())
                .map_or(diff.old_slices().len(), |op| op.old_range().start);
            let skipped = next_start.saturating_sub(last.old_range().end);
            if skipped > 0 {
                lines.push(DiffLine::Skipped(skipped));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_shows_as_removed_and_added_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            diff(before, after),
            vec![
                DiffLine::Skipped(2),
                DiffLine::Same("c".into()),
                DiffLine::Same("d".into()),
                DiffLine::Removed("e".into()),
                DiffLine::Added("E".into()),
                DiffLine::Same("f".into()),
                DiffLine::Same("g".into()),
                DiffLine::Skipped(1),
            ]
        );
    }

    #[test]
    fn identical_texts_have_no_diff() {
        assert!(diff("same\n", "same\n").is_empty());
    }

    #[test]
    fn text_added_to_an_empty_document_is_all_added() {
        assert_eq!(
            diff("", "## Summary\nDisk filled\n"),
            vec![
                DiffLine::Added("## Summary".into()),
                DiffLine::Added("Disk filled".into())
            ]
        );
    }
}
