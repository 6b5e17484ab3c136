//! What the history of an incident records: who changed which fields of what, from what to what.

use serde::{Deserialize, Serialize};

choices!(
    /// What a history entry is about.
    Subject {
        Incident => ("incident", "Incident"),
        Postmortem => ("postmortem", "Postmortem"),
        TimelineEvent => ("timeline_event", "Timeline event"),
        Template => ("template", "Postmortem template"),
        ActionItem => ("action_item", "Action item"),
    }
);

choices!(
    HistoryAction {
        Created => ("created", "created"),
        Updated => ("updated", "changed"),
        Deleted => ("deleted", "deleted"),
        Submitted => ("submitted", "submitted for review"),
        ReturnedToDraft => ("returned_to_draft", "returned to draft"),
        Published => ("published", "published"),
        Reopened => ("reopened", "reopened"),
    }
);

/// One field's value before and after a change, as text a person can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

impl FieldChange {
    pub fn new(field: &str, label: &str, before: String, after: String) -> FieldChange {
        FieldChange {
            field: field.to_string(),
            label: label.to_string(),
            before,
            after,
        }
    }
}

/// The fields whose values differ between `before` and `after`, given as (field, label, value)
/// in the same order on both sides.
pub fn changes(
    before: &[(&str, &str, String)],
    after: &[(&str, &str, String)],
) -> Vec<FieldChange> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b.2 != a.2)
        .map(|(b, a)| FieldChange::new(b.0, b.1, b.2.clone(), a.2.clone()))
        .collect()
}

/// A line of a text diff as the History tab shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
    /// Unchanged lines left out between changes.
    Skipped(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fields_that_differ_are_recorded() {
        let before = [
            ("title", "Title", "DB down".to_string()),
            ("severity", "Severity", "SEV2".to_string()),
        ];
        let after = [
            ("title", "Title", "DB down".to_string()),
            ("severity", "Severity", "SEV1".to_string()),
        ];
        assert_eq!(
            changes(&before, &after),
            vec![FieldChange::new(
                "severity",
                "Severity",
                "SEV2".into(),
                "SEV1".into()
            )]
        );
        assert!(changes(&before, &before).is_empty());
    }
}
