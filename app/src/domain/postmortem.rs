//! The postmortem write-up's review workflow: draft → in review → published, and back to draft
//! with a reason. Who may make each move is decided here, for the server to enforce.

use super::Role;
use serde::{Deserialize, Serialize};

choices!(
    PostmortemStatus {
        Draft => ("draft", "Draft"),
        InReview => ("in_review", "In review"),
        Published => ("published", "Published"),
    }
);

choices!(
    /// A move in the review workflow.
    ReviewMove {
        Submit => ("submit", "Submit for review"),
        ReturnToDraft => ("return_to_draft", "Return to draft"),
        Publish => ("publish", "Publish"),
        Reopen => ("reopen", "Reopen"),
    }
);

impl PostmortemStatus {
    /// A published postmortem is the record; it is reopened before it is changed.
    pub fn editable(self) -> bool {
        self != PostmortemStatus::Published
    }

    /// The moves this status allows at all, whoever asks.
    pub fn moves(self) -> &'static [ReviewMove] {
        match self {
            PostmortemStatus::Draft => &[ReviewMove::Submit, ReviewMove::Publish],
            PostmortemStatus::InReview => &[ReviewMove::ReturnToDraft, ReviewMove::Publish],
            PostmortemStatus::Published => &[ReviewMove::Reopen],
        }
    }

    /// Where `action` leads from here for someone with `role`, or why it cannot be made.
    pub fn apply(
        self,
        action: ReviewMove,
        role: Role,
        reason: Option<&str>,
    ) -> Result<PostmortemStatus, String> {
        if !self.moves().contains(&action) {
            return Err(format!(
                "cannot {} a postmortem that is {}",
                action.label().to_lowercase(),
                self.label().to_lowercase()
            ));
        }
        if !role.includes(action.needs()) {
            return Err(format!(
                "needs the {} role or higher",
                action.needs().as_str()
            ));
        }
        if action == ReviewMove::Reopen && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err("needs a reason".into());
        }
        Ok(match action {
            ReviewMove::Submit => PostmortemStatus::InReview,
            ReviewMove::ReturnToDraft | ReviewMove::Reopen => PostmortemStatus::Draft,
            ReviewMove::Publish => PostmortemStatus::Published,
        })
    }
}

impl ReviewMove {
    /// The least role that may make this move.
    pub fn needs(self) -> Role {
        match self {
            ReviewMove::Submit | ReviewMove::ReturnToDraft => Role::Engineer,
            ReviewMove::Publish | ReviewMove::Reopen => Role::Facilitator,
        }
    }
}

/// The section headings a postmortem is expected to have, in order; the default template is
/// made of them, and the migration that creates the template table writes the same text.
pub const SECTIONS: &[&str] = &[
    "Summary",
    "Impact",
    "Root cause",
    "Trigger",
    "Contributing factors",
    "What went well",
    "What went poorly",
    "Where we got lucky",
    "Lessons learned",
];

/// The template a new installation starts with: each section as a second-level heading.
pub fn default_template() -> String {
    SECTIONS
        .iter()
        .map(|s| format!("## {s}\n\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::PostmortemStatus::*;
    use super::ReviewMove::*;
    use super::*;

    #[test]
    fn every_allowed_move_leads_where_it_should() {
        assert_eq!(Draft.apply(Submit, Role::Engineer, None), Ok(InReview));
        assert_eq!(
            InReview.apply(ReturnToDraft, Role::Engineer, None),
            Ok(Draft)
        );
        assert_eq!(
            InReview.apply(Publish, Role::Facilitator, None),
            Ok(Published)
        );
        assert_eq!(Draft.apply(Publish, Role::Manager, None), Ok(Published));
        assert_eq!(
            Published.apply(Reopen, Role::Admin, Some("timeline was wrong")),
            Ok(Draft)
        );
    }

    #[test]
    fn moves_the_status_does_not_allow_are_refused() {
        for (status, action) in [
            (Draft, ReturnToDraft),
            (Draft, Reopen),
            (InReview, Submit),
            (InReview, Reopen),
            (Published, Submit),
            (Published, Publish),
            (Published, ReturnToDraft),
        ] {
            let err = status.apply(action, Role::Admin, Some("why")).unwrap_err();
            assert!(err.starts_with("cannot"), "{status:?} {action:?}: {err}");
        }
    }

    #[test]
    fn publishing_and_reopening_need_a_facilitator() {
        assert!(
            InReview
                .apply(Publish, Role::Engineer, None)
                .unwrap_err()
                .contains("facilitator")
        );
        assert!(
            Published
                .apply(Reopen, Role::Engineer, Some("x"))
                .unwrap_err()
                .contains("facilitator")
        );
        assert!(Draft.apply(Submit, Role::Viewer, None).is_err());
    }

    #[test]
    fn reopening_needs_a_reason() {
        assert_eq!(
            Published.apply(Reopen, Role::Facilitator, Some("  ")),
            Err("needs a reason".into())
        );
        assert_eq!(
            Published.apply(Reopen, Role::Facilitator, None),
            Err("needs a reason".into())
        );
    }

    #[test]
    fn the_default_template_has_every_section_in_order() {
        let template = default_template();
        let headings: Vec<&str> = template
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .collect();
        assert_eq!(headings, SECTIONS);
    }

    #[test]
    fn only_a_published_postmortem_is_locked() {
        assert!(Draft.editable());
        assert!(InReview.editable());
        assert!(!Published.editable());
    }
}
