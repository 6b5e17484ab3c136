//! Action items on a real database: raising and committing them, who may move them, the
//! verification date each cadence gives, verifying with evidence, and follow-ups; editing and
//! bulk changes with their history and notices, filtered lists read a page at a time, the
//! manager's panels, "My items", the reminder job and inbox, calendar feeds as a calendar
//! program reads them, CSV exports as a spreadsheet reads them, and publishing a postmortem
//! only with a committed item or a reason.

use crate::common;

use app::domain::action_item::{
    ActionMove, ActionState, ActionType, Cadence, ItemSort, Outcome, Priority,
};
use app::domain::catalog::CatalogName;
use app::domain::history::{HistoryAction, Subject};
use app::domain::incident::{KeyTimes, Severity};
use app::domain::postmortem::{PostmortemStatus, ReviewMove};
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::entities::action_item::Model as ActionItem;
use app::error::AppError;
use app::services::action_items::{
    self, ActionItemInput, Actor, BulkChange, ItemCursor, ItemFilter, MoveDetails, Rate,
};
use app::services::incidents::{self, IncidentInput};
use app::services::{accounts, calendar, catalog, history, notices, postmortems};
use app::state::Db;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::collections::HashSet;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap()
}

fn friday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

/// "alice" is shown as "Alice": history and exports must show the name, not the username.
fn display_name(username: &str) -> String {
    let mut chars = username.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

async fn person(db: &Db, name: &str, role: Role) -> Actor {
    let id = accounts::create(
        db.write(),
        accounts::NewAccount {
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(&display_name(name)).unwrap(),
            email: Email::parse(&format!("{name}@example.com")).unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role,
        },
        now(),
    )
    .await
    .unwrap()
    .id;
    Actor { id, role }
}

async fn incident(db: &Db, author: i64) -> i64 {
    let team = catalog::create_team(db.write(), CatalogName::parse("Core").unwrap(), now())
        .await
        .unwrap();
    let service = catalog::create_service(
        db.write(),
        catalog::ServiceInput {
            team_id: team.id,
            name: CatalogName::parse("queue").unwrap(),
            slo_target: None,
            runbook_url: None,
        },
        now(),
    )
    .await
    .unwrap();
    incident_on(db, author, service.id, "Queue backlog").await
}

async fn incident_on(db: &Db, author: i64, service_id: i64, title: &str) -> i64 {
    incidents::create(
        db.write(),
        IncidentInput {
            title: title.into(),
            summary: String::new(),
            severity: Severity::Sev3,
            service_ids: vec![service_id],
            customer_impact: false,
            impact_description: String::new(),
            times: KeyTimes {
                started: now(),
                detected: None,
                acknowledged: None,
                mitigated: None,
                resolved: None,
            },
            detected_by: None,
            monitoring_should_have_caught: None,
            known_problem: None,
            repeats: vec![],
            runbook_outcome: None,
            cause_category: None,
            tags: vec![],
        },
        author,
        now(),
    )
    .await
    .unwrap()
    .incident
    .id
}

fn item(
    incident_id: i64,
    owner: Option<i64>,
    cadence: Cadence,
    committed: bool,
) -> ActionItemInput {
    ActionItemInput {
        title: "Alert on queue depth".into(),
        description: "Page when depth stays above 10k for 5 minutes.".into(),
        incident_id,
        owner_id: owner,
        team_id: None,
        service_id: None,
        action_type: ActionType::Detect,
        priority: Priority::P1,
        due_on: Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        tracker_url: None,
        cadence,
        related_incident_ids: vec![],
        committed,
    }
}

async fn step(
    db: &Db,
    id: i64,
    version: i64,
    action: ActionMove,
    details: MoveDetails,
    actor: Actor,
) -> Result<app::entities::action_item::Model, AppError> {
    action_items::transition(
        db.write(),
        id,
        version,
        action,
        details,
        actor,
        now(),
        friday(),
    )
    .await
}

async fn an_item_is_raised_committed_done_and_verified(db: Db) {
    let eng = person(&db, "eng", Role::Engineer).await;
    let incident_id = incident(&db, eng.id).await;

    let mut ownerless = item(incident_id, None, Cadence::Weekly, true);
    ownerless.due_on = None;
    let err = action_items::create(db.write(), ownerless, eng, now())
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("owner_id").as_deref(),
        Some("Owner is needed to commit an item")
    );

    let proposed = action_items::create(
        db.write(),
        item(incident_id, Some(eng.id), Cadence::Weekly, false),
        eng,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(proposed.state, ActionState::Proposed.key());
    let open = step(
        &db,
        proposed.id,
        1,
        ActionMove::Commit,
        MoveDetails::default(),
        eng,
    )
    .await
    .unwrap();
    assert_eq!(open.state, "open");
    let done = step(
        &db,
        open.id,
        2,
        ActionMove::Complete,
        MoveDetails::default(),
        eng,
    )
    .await
    .unwrap();
    assert_eq!(done.done_at, Some(now()));
    assert_eq!(
        done.verify_on,
        NaiveDate::from_ymd_opt(2026, 11, 23),
        "done on a Friday, verified at Monday's weekly review"
    );

    let err = step(
        &db,
        done.id,
        3,
        ActionMove::Verify,
        MoveDetails {
            outcome: Some(Outcome::Effective),
            ..Default::default()
        },
        eng,
    )
    .await
    .unwrap_err();
    assert!(err.for_field("evidence").is_some(), "{err:?}");
    let verified = step(
        &db,
        done.id,
        3,
        ActionMove::Verify,
        MoveDetails {
            outcome: Some(Outcome::Effective),
            evidence: Some("Alert fired on the 15th and paged within 2 minutes".into()),
            ..Default::default()
        },
        eng,
    )
    .await
    .unwrap();
    assert_eq!(verified.state, "verified");
    assert_eq!(verified.outcome.as_deref(), Some("effective"));
    assert_eq!(verified.verified_by, Some(eng.id));

    let err = step(
        &db,
        verified.id,
        4,
        ActionMove::Start,
        MoveDetails::default(),
        eng,
    )
    .await
    .unwrap_err();
    assert!(
        err.for_field("state").unwrap().contains("cannot start"),
        "{err:?}"
    );

    let entries = history::for_incident(db.read(), incident_id, None, 50)
        .await
        .unwrap();
    let moves: Vec<String> = entries
        .iter()
        .filter(|e| e.subject == Subject::ActionItem)
        .map(|e| {
            e.changes
                .iter()
                .map(|c| c.after.clone())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert_eq!(
        moves,
        ["Verified", "Done", "Open", "Alert on queue depth,Proposed"]
    );
    // Each move says who made it and when.
    for entry in entries.iter().filter(|e| e.subject == Subject::ActionItem) {
        assert_eq!(
            (entry.actor.as_str(), entry.at),
            ("Eng", now()),
            "{entry:?}"
        );
        assert_eq!(entry.subject_id, Some(proposed.id));
    }
}

async fn only_owners_raisers_and_managers_move_items(db: Db) {
    let raiser = person(&db, "raiser", Role::Engineer).await;
    let owner = person(&db, "owner", Role::Engineer).await;
    let stranger = person(&db, "stranger", Role::Engineer).await;
    let viewer = person(&db, "viewer", Role::Viewer).await;
    let manager = person(&db, "manager", Role::Manager).await;
    let incident_id = incident(&db, raiser.id).await;
    assert_eq!(
        action_items::create(
            db.write(),
            item(incident_id, None, Cadence::Daily, false),
            viewer,
            now()
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    let it = action_items::create(
        db.write(),
        item(incident_id, Some(owner.id), Cadence::Daily, true),
        raiser,
        now(),
    )
    .await
    .unwrap();
    for who in [stranger, viewer] {
        assert_eq!(
            step(
                &db,
                it.id,
                1,
                ActionMove::Start,
                MoveDetails::default(),
                who
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
    }
    let started = step(
        &db,
        it.id,
        1,
        ActionMove::Start,
        MoveDetails::default(),
        owner,
    )
    .await
    .unwrap();
    let done = step(
        &db,
        it.id,
        started.version,
        ActionMove::Complete,
        MoveDetails::default(),
        raiser,
    )
    .await
    .unwrap();
    assert_eq!(
        done.verify_on,
        NaiveDate::from_ymd_opt(2026, 11, 21),
        "daily: the next day"
    );
    // Two people acting on the same version: the second is told someone got there first.
    assert_eq!(
        step(
            &db,
            it.id,
            started.version,
            ActionMove::Reopen,
            MoveDetails::default(),
            manager
        )
        .await
        .unwrap_err(),
        AppError::Conflict {
            current_version: done.version
        }
    );
    let reopened = step(
        &db,
        it.id,
        done.version,
        ActionMove::Reopen,
        MoveDetails::default(),
        manager,
    )
    .await
    .unwrap();
    assert_eq!(
        (reopened.state.as_str(), reopened.verify_on),
        ("open", None)
    );
    let err = step(
        &db,
        it.id,
        reopened.version,
        ActionMove::Decline,
        MoveDetails::default(),
        manager,
    )
    .await
    .unwrap_err();
    assert!(err.for_field("reason").is_some(), "{err:?}");
}

async fn an_ineffective_fix_gets_a_linked_follow_up(db: Db) {
    let eng = person(&db, "eng", Role::Engineer).await;
    let incident_id = incident(&db, eng.id).await;
    let it = action_items::create(
        db.write(),
        item(incident_id, Some(eng.id), Cadence::Monthly, true),
        eng,
        now(),
    )
    .await
    .unwrap();
    assert!(
        action_items::follow_up(db.write(), it.id, eng, now())
            .await
            .is_err(),
        "not verified yet"
    );
    let done = step(
        &db,
        it.id,
        1,
        ActionMove::Complete,
        MoveDetails::default(),
        eng,
    )
    .await
    .unwrap();
    assert_eq!(
        done.verify_on,
        NaiveDate::from_ymd_opt(2026, 12, 1),
        "monthly: the first of next month"
    );
    step(
        &db,
        it.id,
        2,
        ActionMove::Verify,
        MoveDetails {
            outcome: Some(Outcome::NotEffective),
            evidence_url: Some("https://grafana.example.com/d/queue".into()),
            ..Default::default()
        },
        eng,
    )
    .await
    .unwrap();
    let next = action_items::follow_up(db.write(), it.id, eng, now())
        .await
        .unwrap();
    assert_eq!(next.title, "Follow-up: Alert on queue depth");
    assert_eq!(next.state, "proposed");
    assert_eq!(next.follow_up_of, Some(it.id));
    assert_eq!(
        action_items::get(db.read(), next.id)
            .await
            .unwrap()
            .unwrap()
            .follow_up_of,
        Some(it.id)
    );
}

// ---------------------------------------------------------------------------------------------
// Helpers for the lists, panels, notices, feeds and exports below.

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

/// 15:00 UTC on `day`, as `now()` is on Friday.
fn at(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(15, 0, 0).unwrap())
}

/// Two teams with a service each: ([Payments, Search], [ledger, indexer]).
async fn two_teams(db: &Db) -> ([i64; 2], [i64; 2]) {
    let mut teams = [0; 2];
    let mut services = [0; 2];
    for (i, (team, service)) in [("Payments", "ledger"), ("Search", "indexer")]
        .into_iter()
        .enumerate()
    {
        teams[i] = catalog::create_team(db.write(), CatalogName::parse(team).unwrap(), now())
            .await
            .unwrap()
            .id;
        services[i] = catalog::create_service(
            db.write(),
            catalog::ServiceInput {
                team_id: teams[i],
                name: CatalogName::parse(service).unwrap(),
                slo_target: None,
                runbook_url: None,
            },
            now(),
        )
        .await
        .unwrap()
        .id;
    }
    (teams, services)
}

async fn raise(db: &Db, by: Actor, when: DateTime<Utc>, input: ActionItemInput) -> ActionItem {
    action_items::create(db.write(), input, by, when)
        .await
        .unwrap()
}

/// Makes `moves` on the item in turn, as `actor`, on `today` (which sets the verification date
/// of a completed item, so the item must have been raised by then); verifying and declining
/// come with what they need.
async fn moved(
    db: &Db,
    mut it: ActionItem,
    moves: &[ActionMove],
    actor: Actor,
    today: NaiveDate,
) -> ActionItem {
    for &action in moves {
        let details = match action {
            ActionMove::Verify => MoveDetails {
                outcome: Some(Outcome::Effective),
                evidence: Some("Checked on the dashboard".into()),
                ..Default::default()
            },
            ActionMove::Decline => MoveDetails {
                reason: Some("Covered by another item".into()),
                ..Default::default()
            },
            _ => MoveDetails::default(),
        };
        it = action_items::transition(
            db.write(),
            it.id,
            it.version,
            action,
            details,
            actor,
            at(today),
            today,
        )
        .await
        .unwrap_or_else(|e| panic!("{action:?} on #{}: {e:?}", it.id));
    }
    it
}

/// The input that saves `it` unchanged.
async fn as_input(db: &Db, it: &ActionItem) -> ActionItemInput {
    ActionItemInput {
        title: it.title.clone(),
        description: it.description.clone(),
        incident_id: it.incident_id,
        owner_id: it.owner_id,
        team_id: it.team_id,
        service_id: it.service_id,
        action_type: ActionType::parse(&it.action_type).unwrap(),
        priority: Priority::parse(&it.priority).unwrap(),
        due_on: it.due_on,
        tracker_url: it.tracker_url.clone(),
        cadence: Cadence::parse(&it.cadence).unwrap(),
        related_incident_ids: action_items::related_ids(db.read(), it.id).await.unwrap(),
        committed: ActionState::parse(&it.state).unwrap() != ActionState::Proposed,
    }
}

fn ids(items: &[ActionItem]) -> Vec<i64> {
    items.iter().map(|i| i.id).collect()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

/// Each change of an entry as (field, before, after).
fn changes(entry: &history::RecordedEntry) -> Vec<(&str, &str, &str)> {
    entry
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
        .collect()
}

async fn item_history(db: &Db, id: i64) -> Vec<history::RecordedEntry> {
    history::for_subject(db.read(), Subject::ActionItem, id, 50)
        .await
        .unwrap()
}

/// (kind, item id) of each notice in the person's inbox, newest first.
async fn inbox_of(db: &Db, user_id: i64) -> Vec<(String, i64)> {
    notices::inbox(db.read(), user_id, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.notice.kind, n.item.id))
        .collect()
}

// ---------------------------------------------------------------------------------------------

async fn pages_of_a_list_join_up_in_every_order(db: Db) {
    let eng = person(&db, "eng", Role::Engineer).await;
    let incident_id = incident(&db, eng.id).await;
    // Page boundaries (after the 3rd and 6th) fall inside runs of equal due dates, of undated
    // items and of equal priorities, where only the id tells the next page where to start.
    let plan = [
        (Some(day(11, 25)), Priority::P2),
        (None, Priority::P1),
        (Some(day(11, 22)), Priority::P3),
        (Some(day(11, 25)), Priority::P1),
        (None, Priority::P3),
        (Some(day(12, 1)), Priority::P2),
        (Some(day(11, 22)), Priority::P2),
        (None, Priority::P2),
    ];
    let mut items = Vec::new();
    for (n, (due_on, priority)) in plan.into_iter().enumerate() {
        items.push(
            raise(
                &db,
                eng,
                now(),
                ActionItemInput {
                    title: format!("Item {n}"),
                    due_on,
                    priority,
                    // Undated items can only be proposals.
                    ..item(incident_id, Some(eng.id), Cadence::Weekly, due_on.is_some())
                },
            )
            .await,
        );
    }
    let by_index = |order: [usize; 8]| order.map(|i| items[i].id).to_vec();
    for (sort, expected) in [
        (ItemSort::Due, by_index([2, 6, 0, 3, 5, 1, 4, 7])),
        (ItemSort::Newest, by_index([7, 6, 5, 4, 3, 2, 1, 0])),
        (ItemSort::Priority, by_index([1, 3, 0, 5, 6, 7, 2, 4])),
    ] {
        let all = action_items::list(db.read(), &ItemFilter::default(), friday(), sort, None, 100)
            .await
            .unwrap();
        assert_eq!(ids(&all), expected, "{sort:?} in one go");

        let mut paged = Vec::new();
        let mut after: Option<ItemCursor> = None;
        let mut pages = 0;
        loop {
            let page =
                action_items::list(db.read(), &ItemFilter::default(), friday(), sort, after, 3)
                    .await
                    .unwrap();
            if page.is_empty() {
                break;
            }
            pages += 1;
            assert!(pages <= 3, "{sort:?}: paging does not end: {paged:?}");
            assert!(page.len() <= 3);
            // The cursor travels through a link and comes back as text.
            let cursor = ItemCursor::after(page.last().unwrap(), sort);
            let text = cursor.encode();
            assert_eq!(
                ItemCursor::decode(&text, sort).as_ref(),
                Some(&cursor),
                "{text}"
            );
            for &other in ItemSort::ALL.iter().filter(|&&s| s != sort) {
                assert_eq!(
                    ItemCursor::decode(&text, other),
                    None,
                    "{text} as {other:?}"
                );
            }
            after = ItemCursor::decode(&text, sort);
            paged.extend(ids(&page));
        }
        assert_eq!(pages, 3, "{sort:?}: 8 items in pages of 3");
        assert_eq!(paged, expected, "{sort:?} a page at a time");
        assert_eq!(paged.iter().collect::<HashSet<_>>().len(), items.len());
    }
    for garbage in [
        "",
        "due",
        "due~2026-11-40~3",
        "due~2026-11-20~x",
        "due~2026-11-20~3~4",
        "priority~p9~3",
    ] {
        assert_eq!(
            ItemCursor::decode(garbage, ItemSort::Due),
            None,
            "{garbage}"
        );
        assert_eq!(
            ItemCursor::decode(garbage, ItemSort::Priority),
            None,
            "{garbage}"
        );
    }
}

async fn filters_narrow_a_list_and_its_count(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let (teams, services) = two_teams(&db).await;
    let inc1 = incident_on(&db, alice.id, services[0], "Ledger lag").await;
    let inc2 = incident_on(&db, alice.id, services[1], "Index stale").await;
    let inc3 = incident_on(&db, alice.id, services[1], "Disk full").await;
    let base = |incident_id, owner: &Actor| item(incident_id, Some(owner.id), Cadence::Daily, true);

    let a = raise(
        &db,
        alice,
        now(),
        ActionItemInput {
            title: "Alert on queue depth".into(),
            team_id: Some(teams[0]),
            service_id: Some(services[0]),
            action_type: ActionType::Detect,
            priority: Priority::P1,
            due_on: Some(day(11, 10)),
            ..base(inc1, &alice)
        },
    )
    .await;
    let b = raise(
        &db,
        bob,
        now(),
        ActionItemInput {
            title: "Add 100% disk alarm".into(),
            team_id: Some(teams[1]),
            service_id: Some(services[1]),
            action_type: ActionType::Prevent,
            priority: Priority::P2,
            due_on: Some(day(11, 18)),
            ..base(inc1, &bob)
        },
    )
    .await;
    let b = moved(&db, b, &[ActionMove::Start], bob, friday()).await;
    let c = raise(
        &db,
        alice,
        at(day(11, 1)),
        ActionItemInput {
            title: "Runbook for failover".into(),
            team_id: Some(teams[0]),
            service_id: Some(services[1]),
            action_type: ActionType::Process,
            priority: Priority::P3,
            due_on: Some(day(11, 15)),
            related_incident_ids: vec![inc1],
            ..base(inc2, &alice)
        },
    )
    .await;
    // Done on the 12th: verified the next day, so waiting for it since the 13th.
    let c = moved(&db, c, &[ActionMove::Complete], alice, day(11, 12)).await;
    let d = raise(
        &db,
        bob,
        now(),
        ActionItemInput {
            title: "Rate limit retries".into(),
            action_type: ActionType::Mitigate,
            priority: Priority::P1,
            due_on: Some(day(11, 19)),
            cadence: Cadence::Weekly,
            ..base(inc2, &bob)
        },
    )
    .await;
    // Done today: verified at Monday's review, not yet.
    let d = moved(&db, d, &[ActionMove::Complete], bob, friday()).await;
    let e = raise(
        &db,
        alice,
        now(),
        ActionItemInput {
            title: "Idea: a chaos day?".into(),
            owner_id: None,
            action_type: ActionType::Prevent,
            priority: Priority::P3,
            due_on: Some(day(11, 5)),
            committed: false,
            ..base(inc3, &alice)
        },
    )
    .await;
    let f = raise(
        &db,
        alice,
        now(),
        ActionItemInput {
            title: "Disk 1000 full".into(),
            priority: Priority::P2,
            due_on: Some(day(12, 10)),
            ..base(inc3, &alice)
        },
    )
    .await;
    let g = raise(
        &db,
        alice,
        at(day(11, 1)),
        ActionItemInput {
            title: "Verify backups (Überprüfung)".into(),
            priority: Priority::P3,
            due_on: Some(day(11, 2)),
            ..base(inc3, &alice)
        },
    )
    .await;
    let g = moved(
        &db,
        g,
        &[ActionMove::Complete, ActionMove::Verify],
        alice,
        day(11, 3),
    )
    .await;
    let h = raise(
        &db,
        bob,
        now(),
        ActionItemInput {
            title: "Rewrite the scheduler".into(),
            action_type: ActionType::Process,
            priority: Priority::P2,
            due_on: Some(day(11, 1)),
            ..base(inc3, &bob)
        },
    )
    .await;
    let h = moved(&db, h, &[ActionMove::Decline], bob, friday()).await;
    let i = raise(
        &db,
        bob,
        now(),
        ActionItemInput {
            title: "Due today".into(),
            priority: Priority::P3,
            due_on: Some(friday()),
            ..base(inc3, &bob)
        },
    )
    .await;

    let cases: Vec<(&str, ItemFilter, Vec<i64>)> = vec![
        (
            "everything",
            ItemFilter::default(),
            vec![a.id, b.id, c.id, d.id, e.id, f.id, g.id, h.id, i.id],
        ),
        (
            "open",
            ItemFilter {
                states: vec![ActionState::Open],
                ..Default::default()
            },
            vec![a.id, f.id, i.id],
        ),
        (
            "finished",
            ItemFilter {
                states: vec![ActionState::Done, ActionState::Verified],
                ..Default::default()
            },
            vec![c.id, d.id, g.id],
        ),
        (
            "alice's",
            ItemFilter {
                owner_id: Some(alice.id),
                ..Default::default()
            },
            vec![a.id, c.id, f.id, g.id],
        ),
        (
            "Payments team",
            ItemFilter {
                team_id: Some(teams[0]),
                ..Default::default()
            },
            vec![a.id, c.id],
        ),
        (
            "indexer service",
            ItemFilter {
                service_id: Some(services[1]),
                ..Default::default()
            },
            vec![b.id, c.id],
        ),
        (
            "prevent",
            ItemFilter {
                action_type: Some(ActionType::Prevent),
                ..Default::default()
            },
            vec![b.id, e.id],
        ),
        (
            "P1",
            ItemFilter {
                priority: Some(Priority::P1),
                ..Default::default()
            },
            vec![a.id, d.id],
        ),
        (
            "raised from or related to incident 1",
            ItemFilter {
                incident_id: Some(inc1),
                ..Default::default()
            },
            vec![a.id, b.id, c.id],
        ),
        (
            "incident 2",
            ItemFilter {
                incident_id: Some(inc2),
                ..Default::default()
            },
            vec![c.id, d.id],
        ),
        (
            // Not the proposal, the declined, the done items, nor the one due today.
            "overdue",
            ItemFilter {
                overdue: true,
                ..Default::default()
            },
            vec![a.id, b.id],
        ),
        (
            "awaiting verification",
            ItemFilter {
                awaiting_verification: true,
                ..Default::default()
            },
            vec![c.id],
        ),
        (
            "due from the 15th to today",
            ItemFilter {
                due_from: Some(day(11, 15)),
                due_until: Some(friday()),
                ..Default::default()
            },
            vec![b.id, c.id, d.id, i.id],
        ),
        (
            "due until the 5th",
            ItemFilter {
                due_until: Some(day(11, 5)),
                ..Default::default()
            },
            vec![e.id, g.id, h.id],
        ),
        (
            "text in another case",
            ItemFilter {
                text: Some("ALERT".into()),
                ..Default::default()
            },
            vec![a.id],
        ),
        (
            "text with a percent sign, taken literally",
            ItemFilter {
                text: Some("100%".into()),
                ..Default::default()
            },
            vec![b.id],
        ),
        (
            "text with an underscore, taken literally",
            ItemFilter {
                text: Some("e_d".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            "text in another case, beyond ASCII",
            ItemFilter {
                text: Some("überPRÜFUNG".into()),
                ..Default::default()
            },
            vec![g.id],
        ),
        (
            "text with wildcards of other dialects, taken literally",
            ItemFilter {
                text: Some("?".into()),
                ..Default::default()
            },
            vec![e.id],
        ),
        (
            "a star, taken literally",
            ItemFilter {
                text: Some("*".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            "text with spaces around",
            ItemFilter {
                text: Some("  disk ".into()),
                ..Default::default()
            },
            vec![b.id, f.id],
        ),
        (
            "alice's overdue",
            ItemFilter {
                owner_id: Some(alice.id),
                overdue: true,
                ..Default::default()
            },
            vec![a.id],
        ),
    ];
    for (what, filter, expected) in cases {
        let found = action_items::list(db.read(), &filter, friday(), ItemSort::Due, None, 100)
            .await
            .unwrap();
        assert_eq!(sorted(ids(&found)), sorted(expected.clone()), "{what}");
        assert_eq!(
            action_items::count(db.read(), &filter, friday())
                .await
                .unwrap(),
            expected.len() as u64,
            "{what}: count"
        );
    }

    // An incident's page lists the items raised from it first, then those that name it too.
    assert_eq!(
        ids(&action_items::for_incident(db.read(), inc1).await.unwrap()),
        [a.id, b.id, c.id]
    );
    // The incident list counts the unfinished items raised from each, and the late ones.
    let counts = action_items::counts_for_incidents(db.read(), &[inc1, inc2, inc3], friday())
        .await
        .unwrap();
    assert_eq!(counts.get(&inc1), Some(&(2, 2)));
    assert_eq!(counts.get(&inc2), None, "both of its items are done");
    assert_eq!(
        counts.get(&inc3),
        Some(&(3, 0)),
        "a proposal and two open items, none late"
    );
}

async fn panels_sum_up_a_scope(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let (teams, services) = two_teams(&db).await;
    let inc = incident_on(&db, alice.id, services[0], "Ledger lag").await;
    let days_ago = |n: i64| now() - Duration::days(n);
    let open = |owner: &Actor, team: Option<usize>, due: NaiveDate| ActionItemInput {
        team_id: team.map(|t| teams[t]),
        due_on: Some(due),
        ..item(inc, Some(owner.id), Cadence::Daily, true)
    };

    // Unfinished work, raised 2, 7, 8, 20, 45 and 100 days ago.
    let _u1 = raise(&db, alice, days_ago(2), open(&alice, Some(0), day(11, 25))).await;
    let u2 = raise(&db, alice, days_ago(7), open(&alice, Some(0), day(11, 10))).await;
    moved(&db, u2, &[ActionMove::Start], alice, friday()).await;
    let _u3 = raise(&db, alice, days_ago(8), open(&alice, Some(1), day(11, 1))).await;
    let u4 = raise(&db, bob, days_ago(20), open(&bob, Some(0), day(10, 15))).await;
    let _u5 = raise(&db, bob, days_ago(45), open(&bob, None, day(12, 5))).await;
    let _u6 = raise(&db, alice, days_ago(100), open(&alice, None, day(11, 19))).await;
    // Proposals are not open work and never late.
    raise(
        &db,
        alice,
        days_ago(1),
        ActionItemInput {
            owner_id: None,
            due_on: None,
            committed: false,
            ..item(inc, None, Cadence::Daily, false)
        },
    )
    .await;
    raise(
        &db,
        alice,
        days_ago(30),
        ActionItemInput {
            due_on: Some(day(11, 10)),
            committed: false,
            ..item(inc, Some(alice.id), Cadence::Daily, false)
        },
    )
    .await;
    // Finished work: done on the 12th (verification due the 13th), verified after falling due
    // in September, done today (verification not due yet), verified early in November, and one
    // declined.
    let d1 = raise(&db, alice, days_ago(30), open(&alice, None, day(11, 12))).await;
    moved(&db, d1, &[ActionMove::Complete], alice, day(11, 12)).await;
    let d2 = raise(
        &db,
        alice,
        days_ago(80),
        ActionItemInput {
            cadence: Cadence::Weekly,
            ..open(&alice, None, day(10, 1))
        },
    )
    .await;
    let d2 = moved(&db, d2, &[ActionMove::Complete], alice, day(9, 10)).await;
    assert_eq!(d2.verify_on, Some(day(9, 14)));
    moved(&db, d2, &[ActionMove::Verify], alice, friday()).await;
    let d3 = raise(&db, alice, days_ago(3), open(&alice, None, day(11, 25))).await;
    moved(&db, d3, &[ActionMove::Complete], alice, friday()).await;
    let d4 = raise(&db, alice, days_ago(20), open(&alice, None, day(11, 25))).await;
    moved(
        &db,
        d4,
        &[ActionMove::Complete, ActionMove::Verify],
        alice,
        day(11, 2),
    )
    .await;
    let w1 = raise(&db, alice, days_ago(20), open(&alice, None, day(11, 5))).await;
    moved(&db, w1, &[ActionMove::Decline], alice, friday()).await;

    let panels = action_items::panels(db.read(), &ItemFilter::default(), friday(), now())
        .await
        .unwrap();
    assert_eq!(
        panels.open_by_owner,
        [(Some(alice.id), 4), (Some(bob.id), 2)]
    );
    assert_eq!(
        panels.open_by_team,
        [(Some(teams[0]), 3), (None, 2), (Some(teams[1]), 1)]
    );
    assert_eq!(panels.overdue, 4);
    assert_eq!(
        panels.oldest_overdue.as_ref().map(|i| i.id),
        Some(u4.id),
        "due on 15 October"
    );
    // 7 whole days is still "0–7 days"; 8 is "8–30 days".
    assert_eq!(panels.aging, [2, 2, 1, 1]);
    // Committed and due from 21 October to yesterday: u2, u3, u6, d1, of which d1 is done;
    // from 22 August also u4 and d2 (verified).
    assert_eq!(
        panels.completion,
        [Rate { done: 1, of: 4 }, Rate { done: 2, of: 6 }]
    );
    // Verification due from 21 October to today: d1 (waiting) and d4 (verified); from 22
    // August also d2 (verified).
    assert_eq!(
        panels.verification,
        [Rate { done: 1, of: 2 }, Rate { done: 2, of: 3 }]
    );

    let bobs = action_items::panels(
        db.read(),
        &ItemFilter {
            owner_id: Some(bob.id),
            ..Default::default()
        },
        friday(),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(bobs.open_by_owner, [(Some(bob.id), 2)]);
    assert_eq!(bobs.overdue, 1);
    assert_eq!(bobs.aging, [0, 1, 1, 0]);
    assert_eq!(
        bobs.completion,
        [Rate { done: 0, of: 0 }, Rate { done: 0, of: 1 }]
    );
}

async fn my_items_are_grouped_by_what_needs_doing(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let inc = incident(&db, alice.id).await;
    let mine = |due: Option<NaiveDate>, committed: bool| ActionItemInput {
        due_on: due,
        ..item(inc, Some(alice.id), Cadence::Daily, committed)
    };
    // Today is Friday the 20th; the week ends on Sunday the 22nd.
    let m1 = raise(&db, alice, now(), mine(Some(day(11, 18)), true)).await;
    let m2 = raise(&db, alice, now(), mine(Some(friday()), true)).await;
    let m2 = moved(&db, m2, &[ActionMove::Start], alice, friday()).await;
    let m3 = raise(&db, alice, now(), mine(Some(day(11, 22)), true)).await;
    let m4 = raise(&db, alice, now(), mine(Some(day(11, 23)), true)).await;
    let m5 = raise(&db, alice, now(), mine(None, false)).await;
    let m6 = raise(&db, alice, at(day(11, 1)), mine(Some(day(11, 10)), true)).await;
    let m6 = moved(&db, m6, &[ActionMove::Complete], alice, day(11, 10)).await;
    let m7 = raise(&db, alice, now(), mine(Some(day(11, 10)), true)).await;
    moved(&db, m7, &[ActionMove::Complete], alice, friday()).await;
    let m8 = raise(&db, alice, at(day(11, 1)), mine(Some(day(11, 10)), true)).await;
    moved(
        &db,
        m8,
        &[ActionMove::Complete, ActionMove::Verify],
        alice,
        day(11, 10),
    )
    .await;
    let m9 = raise(&db, alice, now(), mine(Some(day(11, 10)), true)).await;
    moved(&db, m9, &[ActionMove::Decline], alice, friday()).await;
    let b1 = raise(
        &db,
        bob,
        now(),
        ActionItemInput {
            due_on: Some(day(11, 18)),
            ..item(inc, Some(bob.id), Cadence::Daily, true)
        },
    )
    .await;

    let got = action_items::mine(db.read(), alice.id, friday())
        .await
        .unwrap();
    assert_eq!(ids(&got.overdue), [m1.id]);
    assert_eq!(ids(&got.due_this_week), [m2.id, m3.id]);
    assert_eq!(ids(&got.later), [m4.id, m5.id]);
    assert_eq!(ids(&got.awaiting_verification), [m6.id]);

    let bobs = action_items::mine(db.read(), bob.id, friday())
        .await
        .unwrap();
    assert_eq!(ids(&bobs.overdue), [b1.id]);
    assert!(
        bobs.due_this_week.is_empty() && bobs.later.is_empty(),
        "{bobs:?}"
    );
    assert!(bobs.awaiting_verification.is_empty());
}

async fn edits_are_checked_recorded_and_told_to_the_new_owner(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let stranger = person(&db, "stranger", Role::Engineer).await;
    let viewer = person(&db, "viewer", Role::Viewer).await;
    let mgr = person(&db, "mgr", Role::Manager).await;
    let (teams, services) = two_teams(&db).await;
    let inc = incident_on(&db, alice.id, services[0], "Ledger lag").await;
    let other_inc = incident_on(&db, alice.id, services[1], "Index stale").await;
    let it = raise(
        &db,
        alice,
        now(),
        item(inc, Some(alice.id), Cadence::Weekly, true),
    )
    .await;
    assert!(
        inbox_of(&db, alice.id).await.is_empty(),
        "raising an item for yourself tells nobody"
    );

    let edited = ActionItemInput {
        title: "Alert on queue depth and age".into(),
        team_id: Some(teams[0]),
        action_type: ActionType::Prevent,
        priority: Priority::P2,
        due_on: Some(day(12, 15)),
        tracker_url: Some("https://acme.atlassian.net/browse/OPS-7".into()),
        cadence: Cadence::Monthly,
        related_incident_ids: vec![other_inc, inc],
        ..as_input(&db, &it).await
    };
    for who in [stranger, viewer] {
        assert_eq!(
            action_items::update(db.write(), it.id, 1, edited.clone(), who, now())
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
    let saved = action_items::update(db.write(), it.id, 1, edited.clone(), alice, now())
        .await
        .unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(saved.title, "Alert on queue depth and age");
    assert_eq!(
        action_items::related_ids(db.read(), it.id).await.unwrap(),
        [other_inc]
    );
    let entries = item_history(&db, it.id).await;
    assert_eq!(entries.len(), 2, "created, then changed");
    assert_eq!(entries[0].action, HistoryAction::Updated);
    assert_eq!(entries[0].actor, "Alice");
    let other_ref = format!("#{other_inc}");
    assert_eq!(
        changes(&entries[0]),
        [
            (
                "title",
                "Alert on queue depth",
                "Alert on queue depth and age"
            ),
            ("team_id", "", "Payments"),
            ("action_type", "Detect", "Prevent"),
            ("priority", "P1", "P2"),
            ("due_on", "2026-12-01", "2026-12-15"),
            ("tracker_url", "", "https://acme.atlassian.net/browse/OPS-7"),
            ("cadence", "Weekly", "Monthly"),
            ("related_incidents", "", other_ref.as_str()),
        ]
    );

    // Someone else saved first: the stale edit is refused and nothing changes.
    assert_eq!(
        action_items::update(
            db.write(),
            it.id,
            1,
            ActionItemInput {
                title: "Stale".into(),
                ..edited.clone()
            },
            alice,
            now()
        )
        .await
        .unwrap_err(),
        AppError::Conflict { current_version: 2 }
    );
    // Saving without a change bumps the version but adds no empty history entry.
    let same = action_items::update(db.write(), it.id, 2, edited.clone(), alice, now())
        .await
        .unwrap();
    assert_eq!(same.version, 3);
    assert_eq!(item_history(&db, it.id).await.len(), 2);

    // Committed work keeps its due date.
    let err = action_items::update(
        db.write(),
        it.id,
        3,
        ActionItemInput {
            due_on: None,
            ..edited.clone()
        },
        alice,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.for_field("due_on").as_deref(),
        Some("Due date is needed to commit an item")
    );
    // Only a manager gives committed work to someone else.
    let to_bob = ActionItemInput {
        owner_id: Some(bob.id),
        ..edited.clone()
    };
    let err = action_items::update(db.write(), it.id, 3, to_bob.clone(), alice, now())
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("owner_id").as_deref(),
        Some("Owner of a committed item can be changed only by a manager")
    );
    let unchanged = action_items::get(db.read(), it.id).await.unwrap().unwrap();
    assert_eq!((unchanged.owner_id, unchanged.version), (Some(alice.id), 3));
    assert!(inbox_of(&db, bob.id).await.is_empty());

    let reassigned = action_items::update(db.write(), it.id, 3, to_bob.clone(), mgr, now())
        .await
        .unwrap();
    assert_eq!(reassigned.owner_id, Some(bob.id));
    let entries = item_history(&db, it.id).await;
    assert_eq!(entries[0].actor, "Mgr");
    assert_eq!(changes(&entries[0]), [("owner_id", "Alice", "Bob")]);
    assert_eq!(inbox_of(&db, bob.id).await, [("assigned".into(), it.id)]);
    assert!(inbox_of(&db, alice.id).await.is_empty());
    // The new owner may now edit it; the one who raised it still may too.
    let by_bob = action_items::update(
        db.write(),
        it.id,
        4,
        ActionItemInput {
            description: "Bob's plan".into(),
            ..to_bob.clone()
        },
        bob,
        now(),
    )
    .await
    .unwrap();
    action_items::update(db.write(), it.id, by_bob.version, to_bob, alice, now())
        .await
        .unwrap();

    // A proposal has no commitment yet: the engineer who raised it may hand it on.
    let idea = raise(
        &db,
        alice,
        now(),
        ActionItemInput {
            due_on: None,
            ..item(inc, None, Cadence::Weekly, false)
        },
    )
    .await;
    let idea = action_items::update(
        db.write(),
        idea.id,
        1,
        ActionItemInput {
            owner_id: Some(alice.id),
            ..as_input(&db, &idea).await
        },
        alice,
        now(),
    )
    .await
    .unwrap();
    assert!(
        inbox_of(&db, alice.id).await.is_empty(),
        "taking an item yourself tells nobody"
    );
    assert_eq!(
        changes(&item_history(&db, idea.id).await[0]),
        [("owner_id", "", "Alice")]
    );
    action_items::update(
        db.write(),
        idea.id,
        idea.version,
        ActionItemInput {
            owner_id: Some(bob.id),
            ..as_input(&db, &idea).await
        },
        alice,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        inbox_of(&db, bob.id).await,
        [("assigned".into(), idea.id), ("assigned".into(), it.id)]
    );

    // Raising an item for someone else tells them too; nobody is given work who does not exist.
    let for_bob = raise(
        &db,
        alice,
        now(),
        item(inc, Some(bob.id), Cadence::Weekly, true),
    )
    .await;
    assert_eq!(
        inbox_of(&db, bob.id).await.first(),
        Some(&("assigned".to_string(), for_bob.id))
    );
    let err = action_items::create(
        db.write(),
        item(inc, Some(9_999), Cadence::Weekly, true),
        alice,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.for_field("owner_id").as_deref(),
        Some("Owner must be an active user")
    );
    let err = action_items::update(
        db.write(),
        for_bob.id,
        1,
        ActionItemInput {
            owner_id: Some(9_999),
            ..as_input(&db, &for_bob).await
        },
        mgr,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.for_field("owner_id").as_deref(),
        Some("Owner must be an active user")
    );
    assert_eq!(inbox_of(&db, bob.id).await.len(), 3);

    // Nor is work given to someone who may only read: they could never move it.
    let vera = person(&db, "vera", Role::Viewer).await;
    let err = action_items::create(
        db.write(),
        item(inc, Some(vera.id), Cadence::Weekly, true),
        alice,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.for_field("owner_id").as_deref(),
        Some("Owner must be someone who may change items (an engineer or above), not a viewer")
    );
    assert!(
        !accounts::people(db.read())
            .await
            .unwrap()
            .iter()
            .any(|(id, _)| *id == vera.id),
        "viewers are not offered as owners"
    );
}

async fn managers_change_many_items_at_once(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let gone = person(&db, "gone", Role::Engineer).await;
    let mgr = person(&db, "mgr", Role::Manager).await;
    let inc = incident(&db, alice.id).await;
    let alices = |title: &str| ActionItemInput {
        title: title.into(),
        ..item(inc, Some(alice.id), Cadence::Weekly, true)
    };
    let x = raise(&db, alice, now(), alices("One")).await;
    let y = raise(&db, alice, now(), alices("Two")).await;
    let z = raise(&db, alice, now(), alices("Three")).await;
    let already = raise(
        &db,
        bob,
        now(),
        item(inc, Some(bob.id), Cadence::Weekly, true),
    )
    .await;
    let all = [x.id, y.id, z.id, already.id];

    let reassign = BulkChange::Reassign { owner_id: bob.id };
    assert_eq!(
        action_items::bulk_edit(db.write(), &all, reassign, alice, now())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let err = action_items::bulk_edit(db.write(), &[], reassign, mgr, now())
        .await
        .unwrap_err();
    assert!(err.for_field("ids").is_some(), "{err:?}");
    accounts::set_disabled(db.write(), mgr.id, gone.id, true)
        .await
        .unwrap();
    for owner_id in [gone.id, 9_999] {
        let err = action_items::bulk_edit(
            db.write(),
            &all,
            BulkChange::Reassign { owner_id },
            mgr,
            now(),
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.for_field("owner_id").as_deref(),
            Some("New owner must be an active user")
        );
    }

    assert_eq!(
        action_items::bulk_edit(db.write(), &all, reassign, mgr, now())
            .await
            .unwrap(),
        3,
        "the item bob already owns is left alone"
    );
    for it in [&x, &y, &z] {
        let now_item = action_items::get(db.read(), it.id).await.unwrap().unwrap();
        assert_eq!((now_item.owner_id, now_item.version), (Some(bob.id), 2));
        let entries = item_history(&db, it.id).await;
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].actor, "Mgr");
        assert_eq!(changes(&entries[0]), [("owner_id", "Alice", "Bob")]);
        assert_eq!(
            entries[0].note.as_deref(),
            Some("Changed with other items at once")
        );
    }
    assert_eq!(item_history(&db, already.id).await.len(), 1);
    assert_eq!(
        sorted(
            inbox_of(&db, bob.id)
                .await
                .into_iter()
                .map(|(kind, id)| {
                    assert_eq!(kind, "assigned");
                    id
                })
                .collect()
        ),
        [x.id, y.id, z.id]
    );
    assert_eq!(notices::unread_count(db.read(), bob.id).await.unwrap(), 3);

    // A new due date for work in every state: finished and declined work keeps its own.
    let x = action_items::get(db.read(), x.id).await.unwrap().unwrap();
    let started = moved(&db, x, &[ActionMove::Start], bob, friday()).await;
    let y = action_items::get(db.read(), y.id).await.unwrap().unwrap();
    let done = moved(&db, y, &[ActionMove::Complete], bob, friday()).await;
    let z = action_items::get(db.read(), z.id).await.unwrap().unwrap();
    let verified = moved(
        &db,
        z,
        &[ActionMove::Complete, ActionMove::Verify],
        bob,
        friday(),
    )
    .await;
    let declined = raise(&db, alice, now(), alices("Four")).await;
    let declined = moved(&db, declined, &[ActionMove::Decline], alice, friday()).await;
    let proposal = raise(
        &db,
        alice,
        now(),
        ActionItemInput {
            due_on: None,
            ..item(inc, None, Cadence::Weekly, false)
        },
    )
    .await;
    let items = [&started, &done, &verified, &declined, &proposal, &already];
    let before: Vec<usize> = {
        let mut counts = Vec::new();
        for it in items {
            counts.push(item_history(&db, it.id).await.len());
        }
        counts
    };
    let new_due = day(12, 24);
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    assert_eq!(
        action_items::bulk_edit(db.write(), &ids, BulkChange::DueOn(new_due), mgr, now())
            .await
            .unwrap(),
        3
    );
    for (n, it) in items.iter().enumerate() {
        let after = action_items::get(db.read(), it.id).await.unwrap().unwrap();
        let history = item_history(&db, it.id).await;
        let moves = [&started, &proposal, &already]
            .iter()
            .any(|m| m.id == it.id);
        if moves {
            assert_eq!(after.due_on, Some(new_due), "#{}", it.id);
            assert_eq!(history.len(), before[n] + 1);
            let old = it.due_on.map(|d| d.to_string()).unwrap_or_default();
            assert_eq!(
                changes(&history[0]),
                [("due_on", old.as_str(), "2026-12-24")]
            );
        } else {
            assert_eq!(after.due_on, it.due_on, "#{} is {}", it.id, it.state);
            assert_eq!(after.version, it.version);
            assert_eq!(history.len(), before[n]);
        }
    }
}

async fn reminders_are_written_once_and_read_in_the_inbox(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let inc = incident(&db, alice.id).await;
    let alices = |due: NaiveDate| ActionItemInput {
        due_on: Some(due),
        ..item(inc, Some(alice.id), Cadence::Daily, true)
    };
    // Raised earlier in the month, when none of it was late yet.
    let early = at(day(11, 1));
    let o1 = raise(&db, alice, early, alices(day(11, 18))).await;
    let o2 = raise(&db, alice, early, alices(day(11, 19))).await;
    moved(&db, o2.clone(), &[ActionMove::Start], alice, day(11, 12)).await;
    let o3 = raise(&db, alice, early, alices(friday())).await;
    let v1 = raise(&db, alice, early, alices(day(11, 10))).await;
    moved(&db, v1.clone(), &[ActionMove::Complete], alice, day(11, 10)).await;
    let v2 = raise(&db, alice, early, alices(day(11, 25))).await;
    // Done today: verification is due tomorrow.
    moved(&db, v2.clone(), &[ActionMove::Complete], alice, friday()).await;
    let o4 = raise(
        &db,
        bob,
        early,
        ActionItemInput {
            due_on: Some(day(11, 10)),
            ..item(inc, Some(bob.id), Cadence::Daily, true)
        },
    )
    .await;
    // Nobody is told about proposals or declined work.
    raise(
        &db,
        alice,
        now(),
        ActionItemInput {
            due_on: Some(day(11, 1)),
            ..item(inc, Some(alice.id), Cadence::Daily, false)
        },
    )
    .await;
    let declined = raise(&db, alice, early, alices(day(11, 1))).await;
    moved(&db, declined, &[ActionMove::Decline], alice, day(11, 1)).await;
    assert!(inbox_of(&db, alice.id).await.is_empty());

    let run = |today: NaiveDate, when: DateTime<Utc>| {
        let db = db.clone();
        async move { notices::remind(&db, today, when).await.unwrap() }
    };
    // Two servers running the job at the same moment say each thing once between them.
    let (first, second) = tokio::join!(run(friday(), now()), run(friday(), now()));
    assert_eq!(first + second, 4, "{first} + {second}");
    let alices_inbox = inbox_of(&db, alice.id).await;
    assert_eq!(
        alices_inbox.iter().cloned().collect::<HashSet<_>>(),
        HashSet::from([
            ("overdue".to_string(), o1.id),
            ("overdue".to_string(), o2.id),
            ("verify".to_string(), v1.id),
        ])
    );
    assert_eq!(alices_inbox.len(), 3);
    assert_eq!(inbox_of(&db, bob.id).await, [("overdue".into(), o4.id)]);

    // Later the same day, and again as if after a restart: nothing is said twice.
    assert_eq!(run(friday(), now() + Duration::hours(1)).await, 0);
    assert_eq!(run(friday(), now() + Duration::hours(2)).await, 0);
    assert_eq!(inbox_of(&db, alice.id).await.len(), 3);

    // Tomorrow o3 is late and v2's verification has come; the rest were said already.
    let saturday = friday() + Duration::days(1);
    assert_eq!(run(saturday, now() + Duration::days(1)).await, 2);
    assert_eq!(run(saturday, now() + Duration::days(1)).await, 0);

    // A new due date that passes too is a new thing to say.
    let o1 = action_items::get(db.read(), o1.id).await.unwrap().unwrap();
    action_items::update(
        db.write(),
        o1.id,
        o1.version,
        ActionItemInput {
            due_on: Some(day(11, 25)),
            ..as_input(&db, &o1).await
        },
        alice,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(run(day(11, 25), now() + Duration::days(5)).await, 0);
    assert_eq!(run(day(11, 26), now() + Duration::days(6)).await, 1);

    let inbox = notices::inbox(db.read(), alice.id, None, 100)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 6);
    assert_eq!(
        (inbox[0].notice.kind.as_str(), inbox[0].item.id),
        ("overdue", o1.id),
        "newest first"
    );
    assert_eq!(inbox[0].item.due_on, Some(day(11, 25)));
    assert!(
        inbox
            .windows(2)
            .all(|w| w[0].notice.id > w[1].notice.id
                && w[0].notice.created_at >= w[1].notice.created_at),
        "{inbox:?}"
    );
    let older = notices::inbox(db.read(), alice.id, Some(inbox[2].notice.id), 100)
        .await
        .unwrap();
    assert_eq!(
        older.iter().map(|n| n.notice.id).collect::<Vec<_>>(),
        inbox[3..].iter().map(|n| n.notice.id).collect::<Vec<_>>(),
        "the next page starts after the last one shown"
    );
    assert_eq!(
        HashSet::<i64>::from_iter(inbox.iter().map(|n| n.item.id)),
        HashSet::from([o1.id, o2.id, o3.id, v1.id, v2.id])
    );

    assert_eq!(notices::unread_count(db.read(), alice.id).await.unwrap(), 6);
    let bobs = notices::inbox(db.read(), bob.id, None, 10).await.unwrap();
    // One of Alice's notices cannot be marked read by Bob.
    assert_eq!(
        notices::mark_read(db.write(), bob.id, Some(inbox[0].notice.id), now())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        notices::mark_read(db.write(), bob.id, Some(bobs[0].notice.id), now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(notices::unread_count(db.read(), bob.id).await.unwrap(), 0);
    assert_eq!(
        notices::mark_read(db.write(), alice.id, None, now())
            .await
            .unwrap(),
        6
    );
    assert_eq!(notices::unread_count(db.read(), alice.id).await.unwrap(), 0);
    assert!(
        notices::inbox(db.read(), alice.id, None, 100)
            .await
            .unwrap()
            .iter()
            .all(|n| n.notice.read_at == Some(now()))
    );
}

/// The reminder job reads its candidates a batch at a time; a backlog of late items far larger
/// than a batch, with batch boundaries inside runs of equal dates, is reminded of in full, once.
async fn reminders_reach_every_item_of_a_large_backlog(db: Db) {
    use app::entities::{action_item, notice};
    use sea_orm::{
        ActiveModelTrait, ActiveValue::NotSet, EntityTrait, IntoActiveModel, QuerySelect, Set,
    };
    let alice = person(&db, "alice", Role::Engineer).await;
    let inc = incident(&db, alice.id).await;
    let due = |on: NaiveDate| ActionItemInput {
        due_on: Some(on),
        ..item(inc, Some(alice.id), Cadence::Daily, true)
    };
    let late = raise(&db, alice, at(day(10, 1)), due(day(11, 1))).await;
    let started = raise(&db, alice, at(day(10, 1)), due(day(11, 1))).await;
    let started = moved(&db, started, &[ActionMove::Start], alice, day(10, 2)).await;
    let finished = raise(&db, alice, at(day(10, 1)), due(day(11, 1))).await;
    let finished = moved(&db, finished, &[ActionMove::Complete], alice, day(10, 2)).await;
    // Copies: 1,200 open items late since one of three days (400 each), 3 started ones, and 600
    // finished ones awaiting verification since one of two days (300 each).
    let copy = |of: &ActionItem, due_on: Option<NaiveDate>, verify_on: Option<NaiveDate>| {
        let mut copy = of.clone().into_active_model().reset_all();
        copy.id = NotSet;
        if due_on.is_some() {
            copy.due_on = Set(due_on);
        }
        if verify_on.is_some() {
            copy.verify_on = Set(verify_on);
        }
        copy
    };
    let mut copies = Vec::new();
    for n in 0..1200 {
        copies.push(copy(&late, Some(day(11, 1 + n / 400)), None));
    }
    for _ in 0..3 {
        copies.push(copy(&started, None, None));
    }
    for n in 0..600 {
        copies.push(copy(&finished, None, Some(day(11, 5 + n / 300))));
    }
    for chunk in copies.chunks(200) {
        action_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db.write())
            .await
            .unwrap();
    }
    let reminded = 1 + 1200 + 1 + 3 + 1 + 600;

    assert_eq!(
        notices::remind(&db, friday(), now()).await.unwrap(),
        reminded
    );
    assert_eq!(notices::remind(&db, friday(), now()).await.unwrap(), 0);
    assert_eq!(
        notices::unread_count(db.read(), alice.id).await.unwrap(),
        reminded
    );
    let told: HashSet<i64> = notice::Entity::find()
        .select_only()
        .column(notice::Column::ActionItemId)
        .into_tuple::<i64>()
        .all(db.read())
        .await
        .unwrap()
        .into_iter()
        .collect();
    let items: HashSet<i64> = action_item::Entity::find()
        .select_only()
        .column(action_item::Column::Id)
        .into_tuple::<i64>()
        .all(db.read())
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        told, items,
        "every late item and every item awaiting verification"
    );
}

/// (summary, first day, day after the last) of each event in an iCalendar text, as a calendar
/// program reads them.
fn events(feed: &str) -> Vec<(String, NaiveDate, NaiveDate)> {
    use icalendar::{Calendar, Component, DatePerhapsTime};
    let calendar: Calendar = feed.parse().unwrap_or_else(|e| panic!("{e}\n{feed}"));
    let date = |d: Option<DatePerhapsTime>| match d {
        Some(DatePerhapsTime::Date(day)) => day,
        other => panic!("an all-day date, not {other:?}"),
    };
    calendar
        .events()
        .map(|e| {
            (
                e.get_summary().unwrap().to_string(),
                date(e.get_start()),
                date(e.get_end()),
            )
        })
        .collect()
}

async fn calendar_feeds_show_due_and_verification_dates(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let admin = person(&db, "admin", Role::Admin).await;
    let inc = incident(&db, alice.id).await;
    let alices = |title: &str, due: NaiveDate| ActionItemInput {
        title: title.into(),
        due_on: Some(due),
        ..item(inc, Some(alice.id), Cadence::Weekly, true)
    };
    let tricky = "Rotate keys, certs; and \\secrets\\";
    let long = format!("Überprüfe {}", "Größenänderungen ".repeat(6).trim_end());
    raise(&db, alice, now(), alices(tricky, day(12, 1))).await;
    let started = raise(&db, alice, now(), alices(&long, day(11, 25))).await;
    moved(&db, started, &[ActionMove::Start], alice, friday()).await;
    let done = raise(
        &db,
        alice,
        now(),
        alices("Dashboards for checkout", day(11, 19)),
    )
    .await;
    moved(&db, done, &[ActionMove::Complete], alice, friday()).await;
    // Not on the calendar: proposals, verified and declined work, someone else's.
    raise(
        &db,
        alice,
        now(),
        ActionItemInput {
            committed: false,
            ..alices("Just an idea", day(12, 10))
        },
    )
    .await;
    let verified = raise(
        &db,
        alice,
        at(day(11, 1)),
        alices("Already verified", day(11, 10)),
    )
    .await;
    moved(
        &db,
        verified,
        &[ActionMove::Complete, ActionMove::Verify],
        alice,
        day(11, 10),
    )
    .await;
    let declined = raise(&db, alice, now(), alices("Declined", day(11, 10))).await;
    moved(&db, declined, &[ActionMove::Decline], alice, friday()).await;
    raise(
        &db,
        bob,
        now(),
        ActionItemInput {
            title: "Bob's".into(),
            ..item(inc, Some(bob.id), Cadence::Weekly, true)
        },
    )
    .await;

    let token = calendar::rotate(db.write(), alice.id, now()).await.unwrap();
    assert!(token.starts_with(calendar::PREFIX), "{token}");
    let feed = calendar::feed(db.read(), &token, now())
        .await
        .unwrap()
        .expect("the feed answers its secret");
    for line in feed.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    // Strict readers need commas, semicolons and backslashes in text escaped.
    assert!(
        feed.replace("\r\n ", "")
            .contains("\r\nSUMMARY:Due: Rotate keys\\, certs\\; and \\\\secrets\\\\\r\n"),
        "{feed}"
    );
    let mut got = events(&feed);
    got.sort_by_key(|e| e.1);
    assert_eq!(
        got,
        [
            (
                "Verify: Dashboards for checkout".to_string(),
                day(11, 23),
                day(11, 24)
            ),
            (format!("Due: {long}"), day(11, 25), day(11, 26)),
            (format!("Due: {tricky}"), day(12, 1), day(12, 2)),
        ]
    );
    assert_eq!(
        calendar::feed(db.read(), "hsc_not-a-real-secret", now())
            .await
            .unwrap(),
        None
    );

    let newer = calendar::rotate(db.write(), alice.id, now()).await.unwrap();
    assert_ne!(newer, token);
    assert_eq!(
        calendar::feed(db.read(), &token, now()).await.unwrap(),
        None,
        "the old address stops working"
    );
    assert!(
        calendar::feed(db.read(), &newer, now())
            .await
            .unwrap()
            .is_some()
    );
    assert!(calendar::revoke(db.write(), alice.id).await.unwrap());
    assert_eq!(
        calendar::feed(db.read(), &newer, now()).await.unwrap(),
        None
    );
    assert!(!calendar::revoke(db.write(), alice.id).await.unwrap());

    let bobs = calendar::rotate(db.write(), bob.id, now()).await.unwrap();
    assert_eq!(
        events(
            &calendar::feed(db.read(), &bobs, now())
                .await
                .unwrap()
                .unwrap()
        )
        .len(),
        1
    );
    accounts::set_disabled(db.write(), admin.id, bob.id, true)
        .await
        .unwrap();
    assert_eq!(
        calendar::feed(db.read(), &bobs, now()).await.unwrap(),
        None,
        "a disabled account's feed stops"
    );
}

async fn exports_read_back_as_a_spreadsheet_would(db: Db) {
    let alice = person(&db, "alice", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let inc = incident(&db, alice.id).await;
    let quoted = "Say \"no\" to retries, then back off";
    let formula = "=HYPERLINK(\"https://evil.example\",\"click\")";
    let multiline = "First line\nsecond line";
    let mut raised = Vec::new();
    for (title, owner) in [
        ("Plain title", alice),
        (quoted, alice),
        (formula, bob),
        (multiline, bob),
    ] {
        raised.push(
            raise(
                &db,
                owner,
                now(),
                ActionItemInput {
                    title: title.into(),
                    due_on: Some(day(11, 18)),
                    ..item(inc, Some(owner.id), Cadence::Weekly, true)
                },
            )
            .await,
        );
    }

    let exported = action_items::export(db.read(), &ItemFilter::default(), friday(), ItemSort::Due)
        .await
        .unwrap();
    let text = action_items::export_csv(&exported);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "title",
            "state",
            "standing",
            "incident_id",
            "owner",
            "team",
            "service",
            "type",
            "priority",
            "due_on",
            "cadence",
            "verify_on",
            "outcome",
            "tracker_url",
            "created_at",
        ]
    );
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), raised.len(), "one row per item:\n{text}");
    for (row, it) in rows.iter().zip(&raised) {
        assert_eq!(row.len(), header.len());
        assert_eq!(row[column("id")], it.id.to_string());
        assert_eq!(row[column("state")], *"Open");
        assert_eq!(row[column("standing")], *"Overdue");
        assert_eq!(row[column("priority")], *"P1");
        assert_eq!(row[column("due_on")], *"2026-11-18");
    }
    let title = |n: usize| rows[n][column("title")].to_string();
    assert_eq!(title(0), "Plain title");
    assert_eq!(title(1), quoted);
    assert_eq!(
        title(2),
        format!("'{formula}"),
        "a spreadsheet must not run it"
    );
    assert_eq!(title(3), multiline);
    assert_eq!(rows[0][column("owner")], *"Alice");
    assert_eq!(rows[2][column("owner")], *"Bob");

    let bobs = action_items::export(
        db.read(),
        &ItemFilter {
            owner_id: Some(bob.id),
            ..Default::default()
        },
        friday(),
        ItemSort::Due,
    )
    .await
    .unwrap();
    let ids: Vec<i64> = bobs.iter().map(|i| i.id).collect();
    assert_eq!(ids, [raised[2].id, raised[3].id]);
    assert_eq!(bobs[0].owner.as_deref(), Some("Bob"));
    assert_eq!(
        bobs[0].standing.as_deref(),
        Some("overdue"),
        "the stored key"
    );
    assert_eq!(bobs[0].state, "open");
}

async fn publishing_needs_a_committed_item_or_a_reason(db: Db) {
    let eng = person(&db, "eng", Role::Engineer).await;
    let fac = person(&db, "fac", Role::Facilitator).await;
    let (_, services) = two_teams(&db).await;
    let quiet = incident_on(&db, eng.id, services[0], "Config typo").await;
    let busy = incident_on(&db, eng.id, services[0], "Ledger lag").await;
    let linked = incident_on(&db, eng.id, services[1], "Index stale").await;
    for id in [quiet, busy, linked] {
        postmortems::save(
            db.write(),
            id,
            0,
            "## Summary\nWhat happened.\n".into(),
            eng.id,
            now(),
        )
        .await
        .unwrap();
    }
    let publish = |id: i64, reason: Option<&str>| {
        let db = db.clone();
        let reason = reason.map(str::to_string);
        async move {
            postmortems::review(
                db.write(),
                id,
                ReviewMove::Publish,
                Role::Facilitator,
                reason,
                fac.id,
                now(),
            )
            .await
        }
    };

    // Ideas and declined items change nothing.
    let idea = raise(
        &db,
        eng,
        now(),
        ActionItemInput {
            due_on: None,
            ..item(quiet, None, Cadence::Weekly, false)
        },
    )
    .await;
    let declined = raise(
        &db,
        eng,
        now(),
        item(quiet, Some(eng.id), Cadence::Weekly, true),
    )
    .await;
    moved(&db, declined, &[ActionMove::Decline], eng, friday()).await;
    for reason in [None, Some("   ")] {
        let err = publish(quiet, reason).await.unwrap_err();
        assert_eq!(
            err.for_field("reason").as_deref(),
            Some(
                "Reason is needed to publish without a committed action item: say why none is needed"
            ),
            "{reason:?}"
        );
    }
    let draft = postmortems::get(db.read(), quiet).await.unwrap();
    assert_eq!(
        (draft.status, draft.published_at, draft.no_action_reason),
        (PostmortemStatus::Draft, None, None)
    );

    let published = publish(
        quiet,
        Some("  A one-off typo; the existing config check caught it.  "),
    )
    .await
    .unwrap();
    assert_eq!(published.status, PostmortemStatus::Published);
    assert_eq!(published.published_by, Some(fac.id));
    assert_eq!(
        published.no_action_reason.as_deref(),
        Some("A one-off typo; the existing config check caught it.")
    );
    assert_eq!(
        postmortems::get(db.read(), quiet)
            .await
            .unwrap()
            .no_action_reason,
        published.no_action_reason
    );

    // An open item raised from the incident is a commitment: no reason needed.
    raise(
        &db,
        eng,
        now(),
        item(busy, Some(eng.id), Cadence::Weekly, true),
    )
    .await;
    let late = raise(
        &db,
        eng,
        now() - Duration::days(10),
        ActionItemInput {
            due_on: Some(day(11, 16)),
            ..item(busy, Some(eng.id), Cadence::Weekly, true)
        },
    )
    .await;
    let published = publish(busy, None).await.unwrap();
    assert_eq!(published.status, PostmortemStatus::Published);
    assert_eq!(published.no_action_reason, None);

    // Publishing hides no late work: the item past its due date is still overdue in the
    // manager's list and among its owner's items.
    let overdue = action_items::list(
        db.read(),
        &ItemFilter {
            overdue: true,
            ..Default::default()
        },
        friday(),
        ItemSort::Due,
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(ids(&overdue), [late.id]);
    let mine = action_items::mine(db.read(), eng.id, friday())
        .await
        .unwrap();
    assert_eq!(ids(&mine.overdue), [late.id]);

    // So is one raised elsewhere that names this incident too.
    raise(
        &db,
        eng,
        now(),
        ActionItemInput {
            related_incident_ids: vec![linked],
            ..item(busy, Some(eng.id), Cadence::Weekly, true)
        },
    )
    .await;
    assert_eq!(
        publish(linked, None).await.unwrap().status,
        PostmortemStatus::Published
    );

    // Reopened, the idea committed, published again: the old reason no longer stands.
    postmortems::review(
        db.write(),
        quiet,
        ReviewMove::Reopen,
        Role::Facilitator,
        Some("We will add a lint after all".into()),
        fac.id,
        now(),
    )
    .await
    .unwrap();
    let idea = action_items::update(
        db.write(),
        idea.id,
        1,
        ActionItemInput {
            owner_id: Some(eng.id),
            due_on: Some(day(12, 1)),
            ..as_input(&db, &idea).await
        },
        eng,
        now(),
    )
    .await
    .unwrap();
    moved(&db, idea, &[ActionMove::Commit], eng, friday()).await;
    let republished = publish(quiet, None).await.unwrap();
    assert_eq!(republished.status, PostmortemStatus::Published);
    assert_eq!(republished.no_action_reason, None);
}

on_both_databases!(
    an_item_is_raised_committed_done_and_verified,
    only_owners_raisers_and_managers_move_items,
    an_ineffective_fix_gets_a_linked_follow_up,
    pages_of_a_list_join_up_in_every_order,
    filters_narrow_a_list_and_its_count,
    panels_sum_up_a_scope,
    my_items_are_grouped_by_what_needs_doing,
    edits_are_checked_recorded_and_told_to_the_new_owner,
    managers_change_many_items_at_once,
    reminders_are_written_once_and_read_in_the_inbox,
    reminders_reach_every_item_of_a_large_backlog,
    calendar_feeds_show_due_and_verification_dates,
    exports_read_back_as_a_spreadsheet_would,
    publishing_needs_a_committed_item_or_a_reason,
);
