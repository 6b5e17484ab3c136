//! Action items as the people who own them say it: what kind of improvement, how urgent, where
//! it is in its life, and when the review that checks whether it worked falls due.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

choices!(
    /// What the improvement is for.
    ActionType {
        Detect => ("detect", "Detect"),
        Mitigate => ("mitigate", "Mitigate"),
        Prevent => ("prevent", "Prevent"),
        Process => ("process", "Process"),
    }
);

choices!(
    Priority {
        P1 => ("p1", "P1"),
        P2 => ("p2", "P2"),
        P3 => ("p3", "P3"),
    }
);

choices!(
    /// The review cadence in which an item is verified.
    Cadence {
        Daily => ("daily", "Daily"),
        Weekly => ("weekly", "Weekly"),
        Monthly => ("monthly", "Monthly"),
        Quarterly => ("quarterly", "Quarterly"),
    }
);

choices!(
    ActionState {
        Proposed => ("proposed", "Proposed"),
        Open => ("open", "Open"),
        InProgress => ("in_progress", "In progress"),
        Done => ("done", "Done"),
        Verified => ("verified", "Verified"),
        WontDo => ("wont_do", "Won't do"),
    }
);

choices!(
    /// What verification found.
    Outcome {
        Effective => ("effective", "Effective"),
        PartlyEffective => ("partly_effective", "Partly effective"),
        NotEffective => ("not_effective", "Not effective"),
    }
);

choices!(
    /// A move in an item's life.
    ActionMove {
        Commit => ("commit", "Commit"),
        Start => ("start", "Start"),
        Complete => ("complete", "Mark done"),
        Verify => ("verify", "Verify"),
        Decline => ("decline", "Won't do"),
        Reopen => ("reopen", "Reopen"),
    }
);

impl ActionState {
    /// Where `action` leads from here, or why it cannot be made.
    pub fn apply(self, action: ActionMove) -> Result<ActionState, String> {
        use ActionMove::*;
        use ActionState::*;
        let next = match (self, action) {
            (Proposed, Commit) => Open,
            (Open, Start) => InProgress,
            (Open | InProgress, Complete) => Done,
            (Done, Verify) => Verified,
            (Proposed | Open | InProgress, Decline) => WontDo,
            (Done | WontDo, Reopen) => Open,
            _ => {
                return Err(format!(
                    "cannot {} an item that is {}",
                    action.label().to_lowercase(),
                    self.label().to_lowercase()
                ));
            }
        };
        Ok(next)
    }

    /// Committed work that can be late: proposals and finished items are not.
    pub fn can_be_overdue(self) -> bool {
        matches!(self, ActionState::Open | ActionState::InProgress)
    }

    /// Someone has committed to it: it is not only an idea, and it was not declined.
    pub fn is_committed(self) -> bool {
        !matches!(self, ActionState::Proposed | ActionState::WontDo)
    }

    /// The states in which an item counts as committed.
    pub fn committed() -> Vec<ActionState> {
        ActionState::ALL
            .iter()
            .copied()
            .filter(|s| s.is_committed())
            .collect()
    }

    /// The moves that can be made from here, in the order a page offers them.
    pub fn moves(self) -> Vec<ActionMove> {
        ActionMove::ALL
            .iter()
            .copied()
            .filter(|m| self.apply(*m).is_ok())
            .collect()
    }
}

/// What needs attention about an item today, shown as a badge wherever it appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Standing {
    /// Committed, unfinished and past its due date.
    Overdue,
    /// Done, and its verification date has come.
    AwaitingVerification,
}

/// The most items one export holds. A list that matches more is refused with the reason, rather
/// than cut without saying so.
pub const EXPORT_LIMIT: u64 = 50_000;

impl Standing {
    pub fn of(
        state: ActionState,
        due_on: Option<NaiveDate>,
        verify_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<Standing> {
        if state.can_be_overdue() && due_on.is_some_and(|due| due < today) {
            return Some(Standing::Overdue);
        }
        if state == ActionState::Done && verify_on.is_some_and(|on| on <= today) {
            return Some(Standing::AwaitingVerification);
        }
        None
    }

    pub fn key(self) -> &'static str {
        match self {
            Standing::Overdue => "overdue",
            Standing::AwaitingVerification => "awaiting_verification",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Overdue => "Overdue",
            Standing::AwaitingVerification => "Awaiting verification",
        }
    }
}

/// The last day of the week `day` is in, weeks running Monday to Sunday.
pub fn end_of_week(day: NaiveDate) -> NaiveDate {
    day + Duration::days(6 - day.weekday().num_days_from_monday() as i64)
}

choices!(
    /// The orders a list of items can be read in.
    ItemSort {
        Due => ("due", "Due soonest"),
        Newest => ("newest", "Newest"),
        Priority => ("priority", "Priority"),
    }
);

choices!(
    /// Why an inbox notice was sent.
    NoticeKind {
        Assigned => ("assigned", "Assigned to you"),
        Overdue => ("overdue", "Overdue"),
        AwaitingVerification => ("verify", "Awaiting your verification"),
    }
);

impl Cadence {
    /// The first review of this cadence after the day an item was done: the next day, the next
    /// Monday, the first of the next month, or the first day of the next quarter.
    pub fn verify_on(self, done: NaiveDate) -> NaiveDate {
        match self {
            Cadence::Daily => done + Duration::days(1),
            Cadence::Weekly => {
                let days = 7 - done.weekday().num_days_from_monday() as i64;
                done + Duration::days(days)
            }
            Cadence::Monthly => first_of_month_after(done, 1),
            Cadence::Quarterly => {
                let months_into_quarter = (done.month0() % 3) as i32;
                first_of_month_after(done, 3 - months_into_quarter)
            }
        }
    }
}

/// The first day of the month `months` after `date`'s month.
fn first_of_month_after(date: NaiveDate, months: i32) -> NaiveDate {
    let index = date.year() * 12 + date.month0() as i32 + months;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .expect("the first of a month exists")
}

/// How long an item has been open, in the buckets the manager's view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBucket {
    UpToAWeek,
    UpToAMonth,
    UpToAQuarter,
    Older,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 4] = [
        AgeBucket::UpToAWeek,
        AgeBucket::UpToAMonth,
        AgeBucket::UpToAQuarter,
        AgeBucket::Older,
    ];

    /// 0–7, 8–30, 31–90 and over 90 whole days.
    pub fn of(days_open: i64) -> AgeBucket {
        match days_open {
            ..=7 => AgeBucket::UpToAWeek,
            8..=30 => AgeBucket::UpToAMonth,
            31..=90 => AgeBucket::UpToAQuarter,
            _ => AgeBucket::Older,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeBucket::UpToAWeek => "0–7 days",
            AgeBucket::UpToAMonth => "8–30 days",
            AgeBucket::UpToAQuarter => "31–90 days",
            AgeBucket::Older => "over 90 days",
        }
    }
}

/// The key a tracker shows for an item's link: "PAY-123" for Jira or Linear, "org/repo#12" for
/// GitHub; `None` when the address has no recognisable key.
pub fn tracker_key(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let is_key = |s: &str| {
        let Some((project, number)) = s.split_once('-') else {
            return false;
        };
        !project.is_empty()
            && project
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && project.starts_with(|c: char| c.is_ascii_uppercase())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
    };
    if host.ends_with("github.com")
        && let [org, repo, "issues" | "pull", number, ..] = segments.as_slice()
        && number.chars().all(|c| c.is_ascii_digit())
    {
        return Some(format!("{org}/{repo}#{number}"));
    }
    if let Some(key) = segments.iter().find(|s| is_key(s)) {
        return Some(key.to_string());
    }
    // Jira boards link an issue as ...?selectedIssue=PAY-123.
    url.split(['?', '&'])
        .filter_map(|pair| pair.strip_prefix("selectedIssue="))
        .find(|k| is_key(k))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::ActionMove::*;
    use super::ActionState::*;
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_move_from_every_state() {
        let allowed = [
            (Proposed, Commit, Open),
            (Proposed, Decline, WontDo),
            (Open, Start, InProgress),
            (Open, Complete, Done),
            (Open, Decline, WontDo),
            (InProgress, Complete, Done),
            (InProgress, Decline, WontDo),
            (Done, Verify, Verified),
            (Done, Reopen, Open),
            (WontDo, Reopen, Open),
        ];
        for &state in ActionState::ALL {
            for &action in ActionMove::ALL {
                let expected = allowed
                    .iter()
                    .find(|(s, a, _)| *s == state && *a == action)
                    .map(|(_, _, to)| *to);
                match (state.apply(action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{state:?} {action:?}"),
                    (Err(message), None) => assert!(message.starts_with("cannot"), "{message}"),
                    (got, want) => panic!("{state:?} {action:?}: got {got:?}, wanted {want:?}"),
                }
            }
        }
    }

    #[test]
    fn standing_says_overdue_only_for_late_committed_work() {
        let today = day(2026, 11, 24);
        let yesterday = Some(day(2026, 11, 23));
        assert_eq!(
            Standing::of(Open, yesterday, None, today),
            Some(Standing::Overdue)
        );
        assert_eq!(
            Standing::of(InProgress, yesterday, None, today),
            Some(Standing::Overdue)
        );
        // Due today is not late yet; proposals and finished work are never late.
        assert_eq!(Standing::of(Open, Some(today), None, today), None);
        assert_eq!(Standing::of(Proposed, yesterday, None, today), None);
        assert_eq!(Standing::of(WontDo, yesterday, None, today), None);
        assert_eq!(Standing::of(Verified, yesterday, yesterday, today), None);
    }

    #[test]
    fn done_work_awaits_verification_from_its_review_day() {
        let today = day(2026, 11, 24);
        assert_eq!(
            Standing::of(Done, Some(day(2026, 11, 1)), Some(today), today),
            Some(Standing::AwaitingVerification)
        );
        assert_eq!(
            Standing::of(Done, None, Some(day(2026, 11, 25)), today),
            None
        );
    }

    #[test]
    fn moves_offered_are_exactly_the_allowed_ones() {
        assert_eq!(Proposed.moves(), [Commit, Decline]);
        assert_eq!(Open.moves(), [Start, Complete, Decline]);
        assert_eq!(Done.moves(), [Verify, Reopen]);
        assert!(Verified.moves().is_empty());
        assert_eq!(ActionState::committed(), [Open, InProgress, Done, Verified]);
    }

    #[test]
    fn the_week_ends_on_sunday() {
        assert_eq!(end_of_week(day(2026, 11, 23)), day(2026, 11, 29));
        assert_eq!(end_of_week(day(2026, 11, 29)), day(2026, 11, 29));
        assert_eq!(end_of_week(day(2026, 12, 30)), day(2027, 1, 3));
    }

    #[test]
    fn only_committed_unfinished_work_can_be_overdue() {
        let late: Vec<ActionState> = ActionState::ALL
            .iter()
            .copied()
            .filter(|s| s.can_be_overdue())
            .collect();
        assert_eq!(late, [Open, InProgress]);
    }

    #[test]
    fn verification_falls_due_at_the_next_review_of_the_cadence() {
        // 2026-11-20 is a Friday.
        let friday = day(2026, 11, 20);
        assert_eq!(Cadence::Daily.verify_on(friday), day(2026, 11, 21));
        assert_eq!(Cadence::Weekly.verify_on(friday), day(2026, 11, 23));
        assert_eq!(Cadence::Monthly.verify_on(friday), day(2026, 12, 1));
        assert_eq!(Cadence::Quarterly.verify_on(friday), day(2027, 1, 1));
    }

    #[test]
    fn a_review_day_itself_moves_on_to_the_next_one() {
        let monday = day(2026, 11, 23);
        assert_eq!(Cadence::Weekly.verify_on(monday), day(2026, 11, 30));
        assert_eq!(
            Cadence::Monthly.verify_on(day(2026, 12, 1)),
            day(2027, 1, 1)
        );
        assert_eq!(
            Cadence::Quarterly.verify_on(day(2026, 4, 1)),
            day(2026, 7, 1)
        );
    }

    #[test]
    fn month_ends_leap_years_and_year_ends() {
        assert_eq!(Cadence::Daily.verify_on(day(2028, 2, 28)), day(2028, 2, 29));
        assert_eq!(Cadence::Daily.verify_on(day(2028, 2, 29)), day(2028, 3, 1));
        assert_eq!(Cadence::Daily.verify_on(day(2027, 2, 28)), day(2027, 3, 1));
        assert_eq!(Cadence::Daily.verify_on(day(2026, 12, 31)), day(2027, 1, 1));
        assert_eq!(
            Cadence::Monthly.verify_on(day(2026, 1, 31)),
            day(2026, 2, 1)
        );
        assert_eq!(
            Cadence::Monthly.verify_on(day(2026, 12, 31)),
            day(2027, 1, 1)
        );
        assert_eq!(
            Cadence::Weekly.verify_on(day(2026, 12, 31)),
            day(2027, 1, 4)
        );
        assert_eq!(
            Cadence::Quarterly.verify_on(day(2026, 3, 31)),
            day(2026, 4, 1)
        );
        assert_eq!(
            Cadence::Quarterly.verify_on(day(2026, 12, 31)),
            day(2027, 1, 1)
        );
        assert_eq!(
            Cadence::Quarterly.verify_on(day(2028, 2, 29)),
            day(2028, 4, 1)
        );
    }

    #[test]
    fn ages_fall_into_their_buckets_at_the_edges() {
        for (days, bucket) in [
            (0, AgeBucket::UpToAWeek),
            (7, AgeBucket::UpToAWeek),
            (8, AgeBucket::UpToAMonth),
            (30, AgeBucket::UpToAMonth),
            (31, AgeBucket::UpToAQuarter),
            (90, AgeBucket::UpToAQuarter),
            (91, AgeBucket::Older),
            (900, AgeBucket::Older),
        ] {
            assert_eq!(AgeBucket::of(days), bucket, "{days} days");
        }
    }

    #[test]
    fn tracker_keys_are_read_from_common_addresses() {
        for (url, key) in [
            ("https://acme.atlassian.net/browse/PAY-123", Some("PAY-123")),
            (
                "https://jira.example.com/browse/OPS2-7?focusedCommentId=1",
                Some("OPS2-7"),
            ),
            (
                "https://acme.atlassian.net/jira/software/projects/PAY/boards/3?selectedIssue=PAY-9",
                Some("PAY-9"),
            ),
            (
                "https://linear.app/acme/issue/ENG-42/add-queue-alert",
                Some("ENG-42"),
            ),
            (
                "https://github.com/acme/checkout/issues/812",
                Some("acme/checkout#812"),
            ),
            (
                "https://github.com/acme/checkout/pull/90#discussion",
                Some("acme/checkout#90"),
            ),
            ("https://wiki.example.com/pages/runbook", None),
            ("not a url", None),
        ] {
            assert_eq!(tracker_key(url).as_deref(), key, "{url}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use chrono::Weekday;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn verification_is_always_after_the_done_day_and_on_a_review_day(
            days in 0i64..20_000,
            cadence in prop::sample::select(Cadence::ALL.to_vec()),
        ) {
            let done = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(days);
            let due = cadence.verify_on(done);
            prop_assert!(due > done);
            match cadence {
                Cadence::Daily => prop_assert_eq!(due, done + Duration::days(1)),
                Cadence::Weekly => {
                    prop_assert_eq!(due.weekday(), Weekday::Mon);
                    prop_assert!((due - done).num_days() <= 7);
                }
                Cadence::Monthly => {
                    prop_assert_eq!(due.day(), 1);
                    prop_assert!((due - done).num_days() <= 31);
                }
                Cadence::Quarterly => {
                    prop_assert_eq!(due.day(), 1);
                    prop_assert!(matches!(due.month(), 1 | 4 | 7 | 10));
                    prop_assert!((due - done).num_days() <= 92);
                }
            }
        }
    }
}
