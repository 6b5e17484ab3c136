//! Timelines, postmortems, their review and the history of every change, on a real database.

use crate::common;

use app::domain::catalog::CatalogName;
use app::domain::history::{HistoryAction, Subject};
use app::domain::incident::{KeyTimes, Severity};
use app::domain::postmortem::{PostmortemStatus, ReviewMove, default_template};
use app::domain::timeline::{EventKind, KeyMoment};
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::entities::timeline_event;
use app::error::AppError;
use app::services::incidents::{self, IncidentInput};
use app::services::timeline::{self, EventInput};
use app::services::{accounts, catalog, history, postmortems, search};
use app::state::Db;
use chrono::{DateTime, Duration, TimeZone, Utc};
use http::StatusCode;

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 5, 14, 0, 0).unwrap() + Duration::minutes(minutes)
}

async fn user(db: &Db, name: &str, role: Role) -> i64 {
    accounts::create(
        db.write(),
        accounts::NewAccount {
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(&format!("{name} person")).unwrap(),
            email: Email::parse(&format!("{name}@example.com")).unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role,
        },
        at(0),
    )
    .await
    .unwrap()
    .id
}

/// An open incident that started at minute 0, with nothing detected yet.
async fn open_incident(db: &Db, author: i64) -> incidents::IncidentRecord {
    let team = catalog::create_team(db.write(), CatalogName::parse("Core").unwrap(), at(0))
        .await
        .unwrap();
    let service = catalog::create_service(
        db.write(),
        catalog::ServiceInput {
            team_id: team.id,
            name: CatalogName::parse("checkout").unwrap(),
            slo_target: None,
            runbook_url: None,
        },
        at(0),
    )
    .await
    .unwrap();
    incidents::create(
        db.write(),
        IncidentInput {
            title: "Checkout errors".into(),
            summary: String::new(),
            severity: Severity::Sev2,
            service_ids: vec![service.id],
            customer_impact: true,
            impact_description: "Card payments failed.".into(),
            times: KeyTimes {
                started: at(0),
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
        at(1),
    )
    .await
    .unwrap()
}

fn event(minute: i64, kind: EventKind, body: &str, marks: Option<KeyMoment>) -> EventInput {
    EventInput {
        occurred_at: at(minute),
        kind,
        body: body.into(),
        marks,
    }
}

fn input_of(record: &incidents::IncidentRecord) -> IncidentInput {
    let i = &record.incident;
    IncidentInput {
        title: i.title.clone(),
        summary: i.summary.clone(),
        severity: Severity::parse(&i.severity).unwrap(),
        service_ids: record.service_ids.clone(),
        customer_impact: i.customer_impact,
        impact_description: i.impact_description.clone(),
        times: i.key_times(),
        detected_by: None,
        monitoring_should_have_caught: None,
        known_problem: None,
        repeats: vec![],
        runbook_outcome: None,
        cause_category: None,
        tags: vec![],
    }
}

async fn marking_an_event_sets_the_incidents_key_time(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;

    let page = timeline::create(
        db.write(),
        id,
        event(
            12,
            EventKind::Detection,
            "Pager fired for 5xx rate",
            Some(KeyMoment::Detected),
        ),
        eng,
        at(20),
    )
    .await
    .unwrap();
    let after = incidents::get(db.read(), id).await.unwrap().unwrap();
    assert_eq!(after.incident.detected_at, Some(at(12)));
    assert_eq!(after.incident.key_times().ttd(), Some(12 * 60));
    assert_eq!(
        after.incident.version, 2,
        "the incident changed, so its version moved"
    );

    // Moving the event moves the incident's time with it.
    let moved = timeline::update(
        db.write(),
        page.id,
        1,
        event(
            9,
            EventKind::Detection,
            "Pager fired for 5xx rate",
            Some(KeyMoment::Detected),
        ),
        eng,
        at(21),
    )
    .await
    .unwrap();
    assert_eq!(moved.version, 2);
    let after = incidents::get(db.read(), id).await.unwrap().unwrap();
    assert_eq!(after.incident.detected_at, Some(at(9)));

    // A second detection event takes the mark over; only one event stands for a moment.
    let second = timeline::create(
        db.write(),
        id,
        event(
            8,
            EventKind::Detection,
            "Customer email",
            Some(KeyMoment::Detected),
        ),
        eng,
        at(22),
    )
    .await
    .unwrap();
    let events = timeline::list(db.read(), id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| (e.id, e.marks.clone()))
            .collect::<Vec<_>>(),
        vec![(second.id, Some("detected".to_string())), (page.id, None)],
        "kept in time order, and the mark moved"
    );
    assert_eq!(
        incidents::get(db.read(), id)
            .await
            .unwrap()
            .unwrap()
            .incident
            .detected_at,
        Some(at(8))
    );

    // The incident form cannot give the marked time another value.
    let current = incidents::get(db.read(), id).await.unwrap().unwrap();
    let mut edit = input_of(&current);
    edit.times.detected = Some(at(30));
    let err = incidents::update(db.write(), id, current.incident.version, edit, eng, at(23))
        .await
        .unwrap_err();
    let message = err
        .for_field("detected_at")
        .expect("names the detected field");
    assert!(message.contains("Customer email"), "{message}");
}

async fn times_are_kept_to_the_second_so_a_form_round_trip_matches(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;
    let mut precise = event(12, EventKind::Detection, "Pager", Some(KeyMoment::Detected));
    precise.occurred_at += Duration::milliseconds(640);
    let created = timeline::create(db.write(), id, precise, eng, at(20))
        .await
        .unwrap();
    assert_eq!(created.occurred_at, at(12), "milliseconds dropped");
    let current = incidents::get(db.read(), id).await.unwrap().unwrap();
    assert_eq!(current.incident.detected_at, Some(at(12)));
    // What the form shows (whole seconds) is what the incident holds, so saving it is accepted.
    let mut edit = input_of(&current);
    edit.title = "Checkout errors (EU)".into();
    incidents::update(db.write(), id, current.incident.version, edit, eng, at(21))
        .await
        .unwrap();
}

async fn a_mark_that_breaks_the_order_is_refused(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;
    timeline::create(
        db.write(),
        id,
        event(
            30,
            EventKind::Mitigation,
            "Rolled back",
            Some(KeyMoment::Mitigated),
        ),
        eng,
        at(40),
    )
    .await
    .unwrap();
    let err = timeline::create(
        db.write(),
        id,
        event(
            -5,
            EventKind::Resolution,
            "All clear",
            Some(KeyMoment::Resolved),
        ),
        eng,
        at(41),
    )
    .await
    .unwrap_err();
    let message = err
        .for_field("occurred_at")
        .expect("about the event's time");
    assert!(message.contains("resolved"), "{message}");
    assert_eq!(
        timeline::list(db.read(), id).await.unwrap().len(),
        1,
        "nothing was added"
    );
    assert_eq!(
        incidents::get(db.read(), id)
            .await
            .unwrap()
            .unwrap()
            .incident
            .resolved_at,
        None
    );
}

/// Posts `events` while a write holds the writer, so that behind SQLite's one writer they queue
/// and go into one transaction; returns each one's outcome, in order.
async fn post_at_once(
    db: &Db,
    incident_id: i64,
    author: i64,
    events: Vec<EventInput>,
) -> Vec<Result<timeline_event::Model, AppError>> {
    use std::sync::Arc;
    use tokio::sync::Notify;
    let (started, released) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let holder = tokio::spawn({
        let (db, started, released) = (db.clone(), started.clone(), released.clone());
        async move {
            db.write_grouped(move |_txn| {
                let (started, released) = (started.clone(), released.clone());
                Box::pin(async move {
                    started.notify_one();
                    released.notified().await;
                    Ok(())
                })
            })
            .await
        }
    });
    started.notified().await;
    let posts: Vec<_> = events
        .into_iter()
        .map(|input| {
            let db = db.clone();
            tokio::spawn(
                async move { timeline::post(&db, incident_id, input, author, at(50)).await },
            )
        })
        .collect();
    tokio::task::yield_now().await;
    released.notify_one();
    holder.await.unwrap().unwrap();
    let mut outcomes = Vec::new();
    for post in posts {
        outcomes.push(post.await.unwrap());
    }
    outcomes
}

/// Events posted at the same moment (a bot and three people during an incident) are all kept
/// and found by search, and one that is refused takes back only itself.
async fn events_posted_at_once_are_all_kept_and_a_refused_one_takes_back_only_itself(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;
    let mitigated = event(
        30,
        EventKind::Mitigation,
        "Rolled back",
        Some(KeyMoment::Mitigated),
    );
    timeline::create(db.write(), id, mitigated, eng, at(40))
        .await
        .unwrap();
    let note = |n: i64| {
        let body = format!("Observation number{n} from the bridge");
        event(31 + n, EventKind::Note, &body, None)
    };

    let first = post_at_once(&db, id, eng, (0..8).map(note).collect()).await;
    for (n, outcome) in first.into_iter().enumerate() {
        let created = outcome.unwrap_or_else(|e| panic!("event {n}: {e:?}"));
        assert_eq!(
            created.body,
            format!("Observation number{n} from the bridge")
        );
    }

    // Resolved before it started: refused after its row was written.
    let early = event(
        -5,
        EventKind::Resolution,
        "All clear",
        Some(KeyMoment::Resolved),
    );
    let mut second: Vec<EventInput> = (8..12).map(note).collect();
    second.insert(2, early);
    let outcomes = post_at_once(&db, id, eng, second).await;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        if i == 2 {
            let err = outcome.expect_err("a resolution before the start is refused");
            let message = err
                .for_field("occurred_at")
                .expect("about the event's time");
            assert!(message.contains("resolved"), "{message}");
        } else {
            outcome.unwrap_or_else(|e| panic!("event {i} of the second batch: {e:?}"));
        }
    }

    let bodies: Vec<String> = timeline::list(db.read(), id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.body)
        .collect();
    assert_eq!(bodies.len(), 13, "{bodies:?}");
    assert!(!bodies.iter().any(|b| b == "All clear"), "{bodies:?}");
    let current = incidents::get(db.read(), id).await.unwrap().unwrap();
    assert_eq!(
        current.incident.resolved_at, None,
        "the refused mark left no trace"
    );
    for n in [0, 7, 8, 11] {
        let hits = search::search(db.read(), &format!("number{n}"), 10)
            .await
            .unwrap();
        let found: Vec<i64> = hits.iter().map(|h| h.incident_id).collect();
        assert_eq!(found, vec![id], "number{n}");
    }
}

/// An event for an incident that does not exist (deleted, or a mistyped number in a script) is
/// refused as not found, whether or not it marks a moment, alone or among others.
async fn an_event_for_a_missing_incident_is_not_found(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;
    let missing = id + 1000;
    let note = event(5, EventKind::Note, "Paged the database team", None);
    let marked = event(
        6,
        EventKind::Detection,
        "Alert fired",
        Some(KeyMoment::Detected),
    );
    for input in [note.clone(), marked] {
        let err = timeline::post(&db, missing, input.clone(), eng, at(10))
            .await
            .unwrap_err();
        assert_eq!(err, AppError::NotFound, "{input:?}");
        let err = timeline::create(db.write(), missing, input, eng, at(10))
            .await
            .unwrap_err();
        assert_eq!(err, AppError::NotFound);
    }
    let outcomes = post_at_once(&db, missing, eng, vec![note.clone(), note.clone()]).await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.as_ref().unwrap_err() == &AppError::NotFound),
        "{outcomes:?}"
    );
    let kept = post_at_once(&db, id, eng, vec![note.clone()]).await;
    assert_eq!(kept[0].as_ref().unwrap().body, "Paged the database team");
}

async fn timeline_edits_need_the_current_version(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let incident = open_incident(&db, eng).await;
    let e = timeline::create(
        db.write(),
        incident.incident.id,
        event(3, EventKind::Note, "first", None),
        eng,
        at(5),
    )
    .await
    .unwrap();
    timeline::update(
        db.write(),
        e.id,
        1,
        event(3, EventKind::Note, "second", None),
        eng,
        at(6),
    )
    .await
    .unwrap();
    assert_eq!(
        timeline::update(
            db.write(),
            e.id,
            1,
            event(3, EventKind::Note, "third", None),
            eng,
            at(7)
        )
        .await
        .unwrap_err(),
        AppError::Conflict { current_version: 2 }
    );
    assert_eq!(
        timeline::delete(db.write(), e.id, 1, eng, at(8))
            .await
            .unwrap_err(),
        AppError::Conflict { current_version: 2 }
    );
    timeline::delete(db.write(), e.id, 2, eng, at(8))
        .await
        .unwrap();
    assert!(
        timeline::list(db.read(), incident.incident.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_postmortem_starts_from_the_template_and_saves_from_its_version(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let other = user(&db, "other", Role::Engineer).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;

    let fresh = postmortems::get(db.read(), id).await.unwrap();
    assert_eq!(fresh.version, 0);
    assert_eq!(
        fresh.body,
        default_template(),
        "the migration wrote the default template"
    );
    assert_eq!(fresh.status, PostmortemStatus::Draft);

    let mine = format!(
        "{}\nThe deploy lacked a canary. It was human error.\n",
        fresh.body
    );
    let saved = postmortems::save(db.write(), id, 0, mine.clone(), eng, at(60))
        .await
        .unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(saved.lint_warnings, 1, "\"human error\" is counted");

    // Two people started from version 1; the second save is refused, and the text stays as saved.
    postmortems::save(
        db.write(),
        id,
        1,
        format!("{mine}More detail.\n"),
        other,
        at(61),
    )
    .await
    .unwrap();
    assert_eq!(
        postmortems::save(db.write(), id, 1, "my rewrite".into(), eng, at(62))
            .await
            .unwrap_err(),
        AppError::Conflict { current_version: 2 }
    );
    assert!(
        postmortems::get(db.read(), id)
            .await
            .unwrap()
            .body
            .ends_with("More detail.\n")
    );

    // Starting a postmortem twice at once: the second first save is a conflict, not a crash.
    let err = postmortems::save(db.write(), id, 0, "late start".into(), eng, at(63))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");

    let huge = "x".repeat(app::domain::markdown::MAX_BYTES + 1);
    let err = postmortems::save(db.write(), id, 2, huge, eng, at(64))
        .await
        .unwrap_err();
    assert!(err.for_field("body").is_some(), "{err:?}");
}

async fn review_moves_are_checked_and_recorded(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let facilitator = user(&db, "fac", Role::Facilitator).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;
    let review = |action, role, reason: Option<&str>, actor, minute| {
        let db = db.clone();
        let reason = reason.map(str::to_string);
        async move { postmortems::review(db.write(), id, action, role, reason, actor, at(minute)).await }
    };
    let err = review(ReviewMove::Submit, Role::Engineer, None, eng, 10)
        .await
        .unwrap_err();
    assert!(
        err.for_field("body").is_some(),
        "nothing saved yet: {err:?}"
    );

    postmortems::save(
        db.write(),
        id,
        0,
        "## Summary\nDisk filled.\n".into(),
        eng,
        at(11),
    )
    .await
    .unwrap();
    let submitted = review(ReviewMove::Submit, Role::Engineer, None, eng, 12)
        .await
        .unwrap();
    assert_eq!(submitted.status, PostmortemStatus::InReview);
    assert_eq!(
        review(ReviewMove::Publish, Role::Engineer, None, eng, 13)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let published = review(
        ReviewMove::Publish,
        Role::Facilitator,
        Some("The fix shipped during the incident; nothing further to commit to."),
        facilitator,
        14,
    )
    .await
    .unwrap();
    assert_eq!(published.status, PostmortemStatus::Published);
    assert_eq!(
        published.no_action_reason.as_deref(),
        Some("The fix shipped during the incident; nothing further to commit to.")
    );
    assert_eq!(published.published_by, Some(facilitator));
    assert_eq!(published.published_at, Some(at(14)));

    let err = postmortems::save(db.write(), id, 1, "sneaky edit".into(), eng, at(15))
        .await
        .unwrap_err();
    assert!(err.for_field("body").unwrap().contains("reopen"), "{err:?}");

    let err = review(
        ReviewMove::Reopen,
        Role::Facilitator,
        Some(" "),
        facilitator,
        16,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.for_field("reason").as_deref(),
        Some("Reason needs a reason")
    );
    let reopened = review(
        ReviewMove::Reopen,
        Role::Facilitator,
        Some("Timeline was missing the failover"),
        facilitator,
        17,
    )
    .await
    .unwrap();
    assert_eq!(reopened.status, PostmortemStatus::Draft);
    assert_eq!(
        reopened.reopen_reason.as_deref(),
        Some("Timeline was missing the failover")
    );

    let entries = history::for_incident(db.read(), id, None, 50)
        .await
        .unwrap();
    let moves: Vec<(HistoryAction, String)> = entries
        .iter()
        .filter(|e| e.subject == Subject::Postmortem)
        .map(|e| (e.action, e.actor.clone()))
        .collect();
    assert_eq!(
        moves,
        vec![
            (HistoryAction::Reopened, "fac person".to_string()),
            (HistoryAction::Published, "fac person".to_string()),
            (HistoryAction::Submitted, "eng person".to_string()),
            (HistoryAction::Created, "eng person".to_string()),
        ]
    );
    assert_eq!(
        entries[0].note.as_deref(),
        Some("Timeline was missing the failover")
    );
}

async fn history_records_fields_before_and_after_and_outlives_a_deletion(db: Db) {
    let eng = user(&db, "eng", Role::Engineer).await;
    let admin = user(&db, "boss", Role::Admin).await;
    let incident = open_incident(&db, eng).await;
    let id = incident.incident.id;
    let mut edit = input_of(&incident);
    edit.title = "Checkout errors in EU".into();
    edit.severity = Severity::Sev1;
    incidents::update(db.write(), id, 1, edit, eng, at(5))
        .await
        .unwrap();
    postmortems::save(db.write(), id, 0, "v1\nsame\n".into(), eng, at(6))
        .await
        .unwrap();
    postmortems::save(db.write(), id, 1, "v2\nsame\n".into(), eng, at(7))
        .await
        .unwrap();

    let entries = history::for_incident(db.read(), id, None, 50)
        .await
        .unwrap();
    let update = entries
        .iter()
        .find(|e| e.subject == Subject::Incident && e.action == HistoryAction::Updated)
        .expect("the edit was recorded");
    let changed: Vec<(&str, &str, &str)> = update
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        changed,
        vec![
            ("title", "Checkout errors", "Checkout errors in EU"),
            ("severity", "SEV2", "SEV1")
        ]
    );
    assert_eq!(update.actor, "eng person");
    let text = &entries[0];
    assert_eq!(
        (text.subject, text.action),
        (Subject::Postmortem, HistoryAction::Updated)
    );
    assert_eq!(
        history::diff(&text.changes[0].before, &text.changes[0].after),
        vec![
            app::domain::history::DiffLine::Removed("v1".into()),
            app::domain::history::DiffLine::Added("v2".into()),
            app::domain::history::DiffLine::Same("same".into()),
        ]
    );

    incidents::delete(db.write(), id, "Duplicate of #1", admin, at(9))
        .await
        .unwrap();
    assert!(incidents::get(db.read(), id).await.unwrap().is_none());
    let entries = history::for_incident(db.read(), id, None, 50)
        .await
        .unwrap();
    assert_eq!(entries[0].action, HistoryAction::Deleted);
    assert_eq!(entries[0].actor, "boss person");
    assert_eq!(entries[0].note.as_deref(), Some("Duplicate of #1"));
    assert!(
        entries[0]
            .changes
            .iter()
            .any(|c| c.field == "title" && c.before == "Checkout errors in EU"),
        "the record says what was deleted"
    );
}

async fn admins_change_the_template_new_postmortems_start_from(db: Db) {
    let admin = user(&db, "boss", Role::Admin).await;
    let incident = open_incident(&db, admin).await;
    let saved = postmortems::save_template(db.write(), 1, "## What broke\n".into(), admin, at(2))
        .await
        .unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(
        postmortems::get(db.read(), incident.incident.id)
            .await
            .unwrap()
            .body,
        "## What broke\n"
    );
    assert_eq!(
        postmortems::save_template(db.write(), 1, "stale".into(), admin, at(3))
            .await
            .unwrap_err(),
        AppError::Conflict { current_version: 2 }
    );
}

on_both_databases!(
    marking_an_event_sets_the_incidents_key_time,
    times_are_kept_to_the_second_so_a_form_round_trip_matches,
    a_mark_that_breaks_the_order_is_refused,
    events_posted_at_once_are_all_kept_and_a_refused_one_takes_back_only_itself,
    an_event_for_a_missing_incident_is_not_found,
    timeline_edits_need_the_current_version,
    a_postmortem_starts_from_the_template_and_saves_from_its_version,
    review_moves_are_checked_and_recorded,
    history_records_fields_before_and_after_and_outlives_a_deletion,
    admins_change_the_template_new_postmortems_start_from,
);

/// Every role against every write: viewers read, engineers write, facilitators publish,
/// admins delete; the server refuses the rest whatever the page shows.
#[tokio::test]
async fn each_role_may_do_what_it_should_and_no_more() {
    let app = common::TestApp::new().await;
    let admin = app.create_first_admin().await;
    for (name, role) in [
        ("vic", "viewer"),
        ("eve", "engineer"),
        ("fay", "facilitator"),
    ] {
        app.create_user(&admin, name, role).await;
    }
    let viewer = app.login_cookie("vic").await;
    let engineer = app.login_cookie("eve").await;
    let facilitator = app.login_cookie("fay").await;
    let eve = accounts::find_by_username(app.state.db.read(), &Username::parse("eve").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let incident = open_incident(&app.state.db, eve).await;
    let id = incident.incident.id.to_string();
    let service = incident.service_ids[0].to_string();

    let new_incident = [
        ("id", ""),
        ("version", ""),
        ("title", "Search is slow"),
        ("severity", "sev3"),
        ("services[]", service.as_str()),
        ("started_at", "2026-11-01T10:00"),
    ];
    assert_eq!(
        app.call("save_incident", &new_incident, Some(&viewer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let created = app
        .call("save_incident", &new_incident, Some(&engineer))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);

    let add = [
        ("incident_id", id.as_str()),
        ("occurred_at", "2026-10-05T14:07"),
        ("kind", "detection"),
        ("body", "Alert fired"),
        ("marks", "detected"),
    ];
    assert_eq!(
        app.call("timeline/add", &add, Some(&viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    let added = app.call("timeline/add", &add, Some(&engineer)).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);

    let save = [
        ("incident_id", id.as_str()),
        ("version", "0"),
        ("body", "## Summary\nIt broke.\n"),
    ];
    assert_eq!(
        app.call("postmortem/save", &save, Some(&viewer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call("postmortem/save", &save, Some(&engineer))
            .await
            .status,
        StatusCode::OK
    );

    let publish = [
        ("incident_id", id.as_str()),
        ("action", "publish"),
        ("reason", "Nothing further to change"),
    ];
    assert_eq!(
        app.call("postmortem/review", &publish, Some(&engineer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call("postmortem/review", &publish, Some(&facilitator))
            .await
            .status,
        StatusCode::OK
    );

    let delete = [
        ("id", id.as_str()),
        ("confirm", id.as_str()),
        ("reason", "test data"),
    ];
    assert_eq!(
        app.call("delete_incident", &delete, Some(&facilitator))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let wrong = [
        ("id", id.as_str()),
        ("confirm", "nope"),
        ("reason", "test data"),
    ];
    let refused = app.call("delete_incident", &wrong, Some(&admin)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("incident number"), "{}", refused.body);
    assert_eq!(
        app.call("delete_incident", &delete, Some(&admin))
            .await
            .status,
        StatusCode::OK
    );

    let template = [("version", "1"), ("body", "## Only this\n")];
    assert_eq!(
        app.call("admin/template/save", &template, Some(&facilitator))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call("admin/template/save", &template, Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
}

/// The form reads times in the person's own zone and the pages show them back in it.
#[tokio::test]
async fn times_are_entered_and_shown_in_the_viewers_zone() {
    let app = common::TestApp::new().await;
    let admin = app.create_first_admin().await;
    let set = app
        .call(
            "set_time_zone",
            &[("time_zone", "Europe/Berlin")],
            Some(&admin),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let bad = app
        .call(
            "set_time_zone",
            &[("time_zone", "Mars/Olympus")],
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let admin_id =
        accounts::find_by_username(app.state.db.read(), &Username::parse("ada").unwrap())
            .await
            .unwrap()
            .unwrap()
            .id;
    let incident = open_incident(&app.state.db, admin_id).await;
    let service = incident.service_ids[0].to_string();
    let saved = app
        .call(
            "save_incident",
            &[
                ("id", ""),
                ("version", ""),
                ("title", "Winter outage"),
                ("severity", "sev2"),
                ("services[]", service.as_str()),
                ("started_at", "2026-11-20T14:03:05"),
                ("detected_at", "2026-11-20T14:01"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(
        saved.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "detected before started"
    );
    assert!(saved.body.contains("detected_at"), "{}", saved.body);

    let saved = app
        .call(
            "save_incident",
            &[
                ("id", ""),
                ("version", ""),
                ("title", "Winter outage"),
                ("severity", "sev2"),
                ("services[]", service.as_str()),
                ("started_at", "2026-11-20T14:03:05"),
                ("detected_at", "2026-11-20T14:10"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let id: i64 = saved.body.trim().parse().unwrap();
    let stored = incidents::get(app.state.db.read(), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.incident.started_at.to_rfc3339(),
        "2026-11-20T13:03:05+00:00"
    );

    let page = app.get(&format!("/incidents/{id}"), Some(&admin)).await;
    assert!(
        page.body.contains("2026-11-20 14:03:05 CET"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("6m 55s"),
        "time to detect, 14:03:05 to 14:10:00"
    );
}
