//! Reviews on a real database and through the HTTP stack: starting one per cadence and period,
//! notes guarded by version, the items due for verification verified in place, items raised in
//! the review coming due at the next one, closing with a snapshot that shows later changes.

use crate::common;

use app::domain::Role;
use app::domain::action_item::{ActionMove, ActionType, Cadence, Outcome, Priority};
use app::domain::analytics::{Metric, Period, ReportPeriod};
use app::domain::catalog::CatalogName;
use app::domain::incident::{KeyTimes, Severity};
use app::domain::review::{self, ReviewStatus, Snapshot};
use app::domain::{DisplayName, Email, NewPassword, Username};
use app::error::AppError;
use app::services::action_items::{self, ActionItemInput, Actor, MoveDetails};
use app::services::analytics::{self, Scope};
use app::services::incidents::{self, IncidentInput};
use app::services::{accounts, catalog, reviews};
use app::state::Db;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::TestApp;
use http::StatusCode;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 15, 0, 0).unwrap()
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

fn november() -> Period {
    Period::parse("2026-11").unwrap()
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

async fn incident(db: &Db, author: i64, title: &str, started: DateTime<Utc>) -> i64 {
    let team = catalog::create_team(db.write(), CatalogName::parse(title).unwrap(), now())
        .await
        .unwrap();
    let service = catalog::create_service(
        db.write(),
        catalog::ServiceInput {
            team_id: team.id,
            name: CatalogName::parse(&title.to_lowercase().replace(' ', "-")).unwrap(),
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
            title: title.into(),
            summary: String::new(),
            severity: Severity::Sev2,
            service_ids: vec![service.id],
            customer_impact: false,
            impact_description: String::new(),
            times: KeyTimes {
                started,
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
        started,
    )
    .await
    .unwrap()
    .incident
    .id
}

fn item(incident_id: i64, owner: i64, title: &str) -> ActionItemInput {
    ActionItemInput {
        title: title.into(),
        description: String::new(),
        incident_id,
        owner_id: Some(owner),
        team_id: None,
        service_id: None,
        action_type: ActionType::Detect,
        priority: Priority::P2,
        due_on: Some(day(12, 15)),
        tracker_url: None,
        cadence: Cadence::Monthly,
        related_incident_ids: vec![],
        committed: true,
    }
}

async fn done_on(db: &Db, id: i64, version: i64, by: Actor, on: NaiveDate) {
    action_items::transition(
        db.write(),
        id,
        version,
        ActionMove::Complete,
        MoveDetails {
            done_on: Some(on),
            ..Default::default()
        },
        by,
        now(),
        now().date_naive(),
    )
    .await
    .unwrap();
}

fn ids(items: &[app::entities::action_item::Model]) -> Vec<i64> {
    items.iter().map(|i| i.id).collect()
}

async fn a_monthly_review_from_start_to_close(db: Db) {
    let fay = person(&db, "fay", Role::Facilitator).await;
    let eli = person(&db, "eli", Role::Engineer).await;
    let bob = person(&db, "bob", Role::Engineer).await;
    let queue = incident(
        &db,
        eli.id,
        "Queue backlog",
        Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap(),
    )
    .await;

    // Only facilitators and above run reviews; starting one twice opens the same one.
    let err = reviews::start(db.write(), Cadence::Monthly, november(), eli, now())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Forbidden);
    let started = reviews::start(db.write(), Cadence::Monthly, november(), fay, now())
        .await
        .unwrap();
    assert_eq!(
        (started.cadence.as_str(), started.period_key.as_str()),
        ("monthly", "2026-11")
    );
    let again = reviews::start(db.write(), Cadence::Monthly, november(), fay, now())
        .await
        .unwrap();
    assert_eq!(again.id, started.id);
    let weekly = reviews::start(
        db.write(),
        Cadence::Weekly,
        Period::parse("2026-W48").unwrap(),
        fay,
        now(),
    )
    .await
    .unwrap();
    assert_ne!(weekly.id, started.id);
    assert_eq!(
        ids_of(&reviews::list(db.read(), None, 1).await.unwrap()),
        [weekly.id]
    );
    assert_eq!(
        ids_of(&reviews::list(db.read(), Some(weekly.id), 10).await.unwrap()),
        [started.id]
    );

    // Notes are guarded by version.
    let saved = reviews::save_notes(
        db.write(),
        started.id,
        1,
        "Fay, Eli".into(),
        "We talked.".into(),
        fay,
    )
    .await
    .unwrap();
    assert_eq!((saved.version, saved.attendees.as_str()), (2, "Fay, Eli"));
    let stale = reviews::save_notes(db.write(), started.id, 1, "Fay".into(), "Mine.".into(), fay)
        .await
        .unwrap_err();
    assert_eq!(stale, AppError::Conflict { current_version: 2 });

    // Done in October, so due on 1 November: November's review verifies it, even though its
    // owner is someone else.
    let october_fix = action_items::create(
        db.write(),
        item(queue, bob.id, "Alert on queue depth"),
        bob,
        now(),
    )
    .await
    .unwrap();
    done_on(&db, october_fix.id, 1, bob, day(10, 20)).await;
    let zone = chrono_tz::UTC;
    let due = reviews::due_for_verification(db.read(), Cadence::Monthly, november(), &zone)
        .await
        .unwrap();
    assert_eq!(ids(&due), [october_fix.id]);
    assert!(
        reviews::due_for_verification(
            db.read(),
            Cadence::Weekly,
            Period::parse("2026-W48").unwrap(),
            &zone
        )
        .await
        .unwrap()
        .is_empty(),
        "a monthly item is not the weekly review's"
    );
    let verify = |by: Actor| {
        let db = db.clone();
        async move {
            action_items::transition(
                db.write(),
                october_fix.id,
                2,
                ActionMove::Verify,
                MoveDetails {
                    outcome: Some(Outcome::Effective),
                    evidence: Some("Paged twice, both real".into()),
                    ..Default::default()
                },
                by,
                now(),
                now().date_naive(),
            )
            .await
        }
    };
    assert_eq!(
        verify(eli).await.unwrap_err(),
        AppError::Forbidden,
        "not theirs to verify"
    );
    assert_eq!(verify(fay).await.unwrap().verified_by, Some(fay.id));
    // Verified in the period, it stays on the agenda with its outcome.
    let due = reviews::due_for_verification(db.read(), Cadence::Monthly, november(), &zone)
        .await
        .unwrap();
    assert_eq!(due[0].outcome.as_deref(), Some("effective"));

    // November's review held on 3 December: an item verified there stays on its agenda too.
    let late_check = action_items::create(
        db.write(),
        item(queue, bob.id, "Dashboard for queue age"),
        bob,
        now(),
    )
    .await
    .unwrap();
    done_on(&db, late_check.id, 1, bob, day(10, 22)).await;
    let on_the_3rd = day(12, 3).and_hms_opt(10, 0, 0).unwrap().and_utc();
    action_items::transition(
        db.write(),
        late_check.id,
        2,
        ActionMove::Verify,
        MoveDetails {
            outcome: Some(Outcome::Effective),
            evidence: Some("Caught the backlog on the 2nd".into()),
            ..Default::default()
        },
        fay,
        on_the_3rd,
        on_the_3rd.date_naive(),
    )
    .await
    .unwrap();
    let due = reviews::due_for_verification(db.read(), Cadence::Monthly, november(), &zone)
        .await
        .unwrap();
    assert_eq!(ids(&due), [october_fix.id, late_check.id]);

    // Raised in the review: of its cadence, listed with it; done in November, it comes due in
    // December's review, not this one.
    let raised = reviews::add_item(
        db.write(),
        started.id,
        ActionItemInput {
            cadence: Cadence::Weekly,
            ..item(queue, eli.id, "Runbook for backlog")
        },
        fay,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(raised.cadence, "monthly");
    assert_eq!(
        ids(&reviews::items_of(db.read(), started.id).await.unwrap()),
        [raised.id]
    );
    done_on(&db, raised.id, 1, eli, day(11, 20)).await;
    let due_now = reviews::due_for_verification(db.read(), Cadence::Monthly, november(), &zone)
        .await
        .unwrap();
    assert!(!ids(&due_now).contains(&raised.id));
    let december = november().next();
    assert!(review::due_in(december, day(12, 1)));
    let due_next = reviews::due_for_verification(db.read(), Cadence::Monthly, december, &zone)
        .await
        .unwrap();
    // Waiting first; the item verified on 3 December is December's news as well.
    assert_eq!(ids(&due_next), [raised.id, late_check.id]);

    // Closing keeps the figures; the record no longer changes, and later data shows as changed.
    let report = analytics::report(
        db.read(),
        &Default::default(),
        Scope::default(),
        ReportPeriod::Calendar(november()),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(report.figures.incident_ids, [queue]);
    let snapshot = Snapshot::of(&report.headline, &report.rows, &[]);
    let closed = reviews::close(db.write(), started.id, 2, &snapshot, fay, now())
        .await
        .unwrap();
    assert_eq!(closed.status, ReviewStatus::Closed.key());
    assert_eq!(closed.closed_by, Some(fay.id));
    let refused = reviews::save_notes(db.write(), started.id, 3, String::new(), String::new(), fay)
        .await
        .unwrap_err();
    assert_eq!(
        refused.for_field("review").as_deref(),
        Some("This review is closed; its record no longer changes")
    );
    let late = reviews::add_item(
        db.write(),
        started.id,
        item(queue, eli.id, "Late idea"),
        fay,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(late, refused, "nothing is raised in a closed review");
    let kept = reviews::snapshot_of(&closed).unwrap().unwrap();
    assert_eq!(kept, snapshot);
    incident(
        &db,
        eli.id,
        "Cache stampede",
        Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap(),
    )
    .await;
    let later = analytics::report(
        db.read(),
        &Default::default(),
        Scope::default(),
        ReportPeriod::Calendar(november()),
        now(),
    )
    .await
    .unwrap();
    let changes = kept.changes(&later.rows);
    assert!(
        changes.contains(&(Metric::Incidents, Some(1.0), Some(2.0))),
        "{changes:?}"
    );
}

fn ids_of(reviews: &[app::entities::review::Model]) -> Vec<i64> {
    reviews.iter().map(|r| r.id).collect()
}

on_both_databases!(a_monthly_review_from_start_to_close);

#[tokio::test]
async fn reviews_through_the_pages_check_who_is_asking() {
    let app = TestApp::on(common::sqlite().await, now()).await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "fay", "facilitator").await;
    app.create_user(&admin, "vic", "viewer").await;
    let fay = app.login_cookie("fay").await;
    let vic = app.login_cookie("vic").await;

    let refused = app
        .call(
            "reviews/start",
            &[("cadence", "monthly"), ("period", "")],
            Some(&vic),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = app
        .call(
            "reviews/start",
            &[("cadence", "monthly"), ("period", "2026-W48")],
            Some(&fay),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains(r#""field":"period""#)
            && wrong.body.contains("must be a month like 2026-11"),
        "{}",
        wrong.body
    );

    // Without JavaScript the form leads to the new review's page.
    let started = app
        .post_form(
            "reviews/start",
            &[("cadence", "monthly"), ("period", "")],
            Some(&fay),
            "/reviews",
        )
        .await;
    let location = started.location().expect("a redirect").to_string();
    assert!(location.starts_with("/reviews/"), "{started:?}");
    let page = app.get(&location, Some(&vic)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Monthly review: November 2026"),
        "viewers read reviews"
    );
    assert!(!page.body.contains("Close review"), "but do not run them");
    let page = app.get(&location, Some(&fay)).await;
    assert!(page.body.contains("Close review"));
    assert!(page.body.contains("Actions due for verification"));
    assert!(
        page.body.contains(
            "href=\"/analytics/items?kind=month&amp;period=2026-11&amp;metric=items_overdue\""
        ),
        "the review's item figures lead to the items they count"
    );

    let id = location.trim_start_matches("/reviews/").to_string();
    let refused = app
        .call("review/close", &[("id", &id), ("version", "1")], Some(&vic))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let closed = app
        .call("review/close", &[("id", &id), ("version", "1")], Some(&fay))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    let page = app.get(&location, Some(&fay)).await;
    assert!(
        page.body
            .contains("The figures are as they were when it closed.")
    );
    let list = app.get("/reviews", Some(&vic)).await;
    assert!(list.body.contains("November 2026"));
    assert!(
        !list.body.contains("Start review"),
        "viewers cannot start one"
    );
}
