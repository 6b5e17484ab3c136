//! Action items on a real database: raising and committing them, who may move them, the
//! verification date each cadence gives, verifying with evidence, and follow-ups.

mod common;

use app::domain::action_item::{ActionMove, ActionState, ActionType, Cadence, Outcome, Priority};
use app::domain::catalog::CatalogName;
use app::domain::history::Subject;
use app::domain::incident::{KeyTimes, Severity};
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::error::AppError;
use app::services::action_items::{self, ActionItemInput, Actor, MoveDetails};
use app::services::incidents::{self, IncidentInput};
use app::services::{accounts, catalog, history};
use app::state::Db;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap()
}

fn friday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

async fn person(db: &Db, name: &str, role: Role) -> Actor {
    let id = accounts::create(
        db.write(),
        accounts::NewAccount {
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
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
    incidents::create(
        db.write(),
        IncidentInput {
            title: "Queue backlog".into(),
            summary: String::new(),
            severity: Severity::Sev3,
            service_ids: vec![service.id],
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

on_both_databases!(
    an_item_is_raised_committed_done_and_verified,
    only_owners_raisers_and_managers_move_items,
    an_ineffective_fix_gets_a_linked_follow_up,
);
