//! Recording, reading, changing and listing incidents on a real database.

use crate::common;

use app::domain::catalog::CatalogName;
use app::domain::incident::{DetectionSource, KeyTimes, RunbookOutcome, Severity};
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::error::AppError;
use app::services::incidents::{self, Cursor, IncidentFilter, IncidentInput, Sort};
use app::services::{accounts, catalog};
use app::state::Db;
use chrono::{DateTime, Duration, TimeZone, Utc};

fn now() -> DateTime<Utc> {
    at(300)
}

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 5, 14, 0, 0).unwrap() + Duration::minutes(minutes)
}

struct World {
    author: i64,
    api: i64,
    db_service: i64,
}

async fn world(db: &Db) -> World {
    let author = accounts::create(
        db.write(),
        accounts::NewAccount {
            username: Username::parse("eng").unwrap(),
            display_name: DisplayName::parse("Eng").unwrap(),
            email: Email::parse("eng@example.com").unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role: Role::Engineer,
        },
        at(0),
    )
    .await
    .unwrap();
    let team = catalog::create_team(db.write(), CatalogName::parse("Core").unwrap(), at(0))
        .await
        .unwrap();
    let service = |name: &str| catalog::ServiceInput {
        team_id: team.id,
        name: CatalogName::parse(name).unwrap(),
        slo_target: None,
        runbook_url: None,
    };
    let api = catalog::create_service(db.write(), service("api"), at(0))
        .await
        .unwrap()
        .id;
    let db_service = catalog::create_service(db.write(), service("database"), at(0))
        .await
        .unwrap()
        .id;
    World {
        author: author.id,
        api,
        db_service,
    }
}

fn input(services: Vec<i64>, start: i64, severity: Severity) -> IncidentInput {
    IncidentInput {
        title: format!("Checkout errors at +{start}m"),
        summary: "Payments failed for some customers.".into(),
        severity,
        service_ids: services,
        customer_impact: true,
        impact_description: "Card payments failed.".into(),
        times: KeyTimes {
            started: at(start),
            detected: Some(at(start + 7)),
            acknowledged: Some(at(start + 9)),
            mitigated: Some(at(start + 40)),
            resolved: None,
        },
        detected_by: Some(DetectionSource::UserReport),
        monitoring_should_have_caught: Some(true),
        known_problem: Some(false),
        repeats: vec![],
        runbook_outcome: Some(RunbookOutcome::ExistedFailed),
        cause_category: None,
        tags: vec!["payments".into()],
    }
}

async fn an_incident_reads_back_as_recorded(db: Db) {
    let w = world(&db).await;
    let created = incidents::create(
        db.write(),
        input(vec![w.db_service, w.api, w.api], 0, Severity::Sev2),
        w.author,
        at(60),
    )
    .await
    .unwrap();
    let read = incidents::get(db.read(), created.incident.id)
        .await
        .unwrap()
        .expect("it exists");
    assert_eq!(read, created);
    assert_eq!(read.service_ids, {
        let mut ids = vec![w.api, w.db_service];
        ids.sort();
        ids
    });
    assert_eq!(read.incident.severity, "sev2");
    assert_eq!(read.incident.detected_at, Some(at(7)));
    assert_eq!(read.incident.resolved_at, None);
    assert_eq!(read.incident.monitoring_should_have_caught, Some(true));
    assert_eq!(read.tags, ["payments"]);
    assert_eq!(read.incident.version, 1);
}

async fn bad_input_names_the_field(db: Db) {
    let w = world(&db).await;
    let mut backwards = input(vec![w.api], 0, Severity::Sev3);
    backwards.times.mitigated = Some(at(5));
    let err = incidents::create(db.write(), backwards, w.author, at(60))
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("mitigated_at").as_deref(),
        Some("Mitigated cannot be before acknowledged")
    );

    let err = incidents::create(
        db.write(),
        input(vec![], 0, Severity::Sev3),
        w.author,
        at(60),
    )
    .await
    .unwrap_err();
    assert!(err.for_field("services").is_some(), "{err:?}");
    let err = incidents::create(
        db.write(),
        input(vec![w.api, 9999], 0, Severity::Sev3),
        w.author,
        at(60),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.for_field("services").as_deref(),
        Some("Affected services include one that does not exist")
    );

    let mut repeats_new = input(vec![w.api], 0, Severity::Sev3);
    repeats_new.repeats = vec![1];
    let err = incidents::create(db.write(), repeats_new, w.author, at(60))
        .await
        .unwrap_err();
    assert!(err.for_field("repeats").is_some(), "{err:?}");
    assert!(
        incidents::list(
            db.read(),
            &IncidentFilter::default(),
            Sort::Newest,
            None,
            10
        )
        .await
        .unwrap()
        .is_empty(),
        "nothing half-written"
    );
}

async fn edits_need_the_current_version(db: Db) {
    let w = world(&db).await;
    let first = incidents::create(
        db.write(),
        input(vec![w.api], 0, Severity::Sev2),
        w.author,
        at(60),
    )
    .await
    .unwrap();
    let id = first.incident.id;

    let mut resolved = input(vec![w.db_service], 0, Severity::Sev1);
    resolved.times.resolved = Some(at(90));
    resolved.detected_by = Some(DetectionSource::Alert);
    resolved.tags = vec!["database".into(), "failover".into()];
    let second = incidents::update(db.write(), id, 1, resolved, w.author, at(100))
        .await
        .unwrap();
    assert_eq!(second.incident.version, 2);
    assert_eq!(second.incident.resolved_at, Some(at(90)));
    assert_eq!(
        second.incident.monitoring_should_have_caught, None,
        "an alert caught it"
    );
    assert_eq!(second.service_ids, [w.db_service]);
    assert_eq!(second.tags, ["database", "failover"]);
    assert_eq!(
        second.incident.created_at,
        at(60),
        "creation is not rewritten"
    );

    let stale = incidents::update(
        db.write(),
        id,
        1,
        input(vec![w.api], 0, Severity::Sev4),
        w.author,
        at(110),
    )
    .await;
    assert_eq!(
        stale.unwrap_err(),
        AppError::Conflict { current_version: 2 }
    );
    assert_eq!(
        incidents::get(db.read(), id)
            .await
            .unwrap()
            .unwrap()
            .incident
            .severity,
        "sev1"
    );
    assert_eq!(
        incidents::update(
            db.write(),
            424242,
            1,
            input(vec![w.api], 0, Severity::Sev4),
            w.author,
            at(110)
        )
        .await
        .unwrap_err(),
        AppError::NotFound
    );

    let mut repeat = input(vec![w.api], 200, Severity::Sev3);
    repeat.known_problem = Some(true);
    repeat.repeats = vec![id];
    let later = incidents::create(db.write(), repeat, w.author, at(300))
        .await
        .unwrap();
    assert_eq!(later.repeats, [id]);
    let mut itself = input(vec![w.api], 200, Severity::Sev3);
    itself.known_problem = Some(true);
    itself.repeats = vec![later.incident.id];
    let err = incidents::update(db.write(), later.incident.id, 1, itself, w.author, at(310))
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("repeats").as_deref(),
        Some("Repeated incidents cannot include this incident")
    );
}

async fn the_list_pages_newest_first_with_filters(db: Db) {
    let w = world(&db).await;
    // Two incidents share a start time, so the id decides their order.
    for (start, severity, services) in [
        (0, Severity::Sev2, vec![w.api]),
        (60, Severity::Sev1, vec![w.db_service]),
        (60, Severity::Sev2, vec![w.api, w.db_service]),
        (120, Severity::Sev3, vec![w.api]),
        (180, Severity::Sev2, vec![w.db_service]),
    ] {
        incidents::create(
            db.write(),
            input(services, start, severity),
            w.author,
            at(400),
        )
        .await
        .unwrap();
    }
    let all = IncidentFilter::default();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = incidents::list(db.read(), &all, Sort::Newest, after, 2)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|i| Cursor::after(i, Sort::Newest));
        seen.extend(page.into_iter().map(|i| (i.started_at, i.id)));
    }
    assert_eq!(seen.len(), 5, "every incident once: {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, ties by id: {seen:?}"
    );

    let sev2 = IncidentFilter {
        severity: Some(Severity::Sev2),
        ..Default::default()
    };
    assert_eq!(
        incidents::list(db.read(), &sev2, Sort::Newest, None, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    let on_api = IncidentFilter {
        service_id: Some(w.api),
        ..Default::default()
    };
    let starts: Vec<_> = incidents::list(db.read(), &on_api, Sort::Newest, None, 10)
        .await
        .unwrap()
        .iter()
        .map(|i| i.started_at)
        .collect();
    assert_eq!(starts, [at(120), at(60), at(0)]);
    let open = IncidentFilter {
        open_only: true,
        detected_by: Some(DetectionSource::UserReport),
        ..Default::default()
    };
    assert_eq!(
        incidents::list(db.read(), &open, Sort::Newest, None, 10)
            .await
            .unwrap()
            .len(),
        5
    );
}

on_both_databases!(
    an_incident_reads_back_as_recorded,
    bad_input_names_the_field,
    edits_need_the_current_version,
    the_list_pages_newest_first_with_filters,
);

/// The list keeps pages it has worked out (see `KeptLists`); whatever changes after a page was
/// shown, on this server or another on the same database, shows the next time it is opened.
async fn a_list_once_shown_shows_every_later_change(app: common::TestApp) {
    use app::domain::action_item::{ActionType, Cadence, Priority};
    use app::domain::postmortem::ReviewMove;
    use app::services::action_items::{self, ActionItemInput, Actor};
    use app::services::postmortems;
    use sea_orm::EntityTrait;

    let cookie = app.create_first_admin().await;
    let other = app.another_instance();
    let db = &app.state.db;
    let w = world(db).await;
    let first = incidents::create(
        db.write(),
        input(vec![w.api], 0, Severity::Sev2),
        w.author,
        now(),
    )
    .await
    .unwrap()
    .incident;
    // What both servers show at each of `paths`.
    let servers = [&app, &other];
    let pages = |paths: Vec<String>, cookie: String| async move {
        let mut pages = Vec::new();
        for server in servers {
            for path in &paths {
                pages.push(server.get(path, Some(&cookie)).await);
            }
        }
        pages
    };
    // The list and a filtered one, on both servers.
    let shown = |cookie: String| async move {
        let lists = ["/incidents", "/incidents?severity=sev2"].map(String::from);
        let mut shown = Vec::new();
        for page in pages(lists.to_vec(), cookie).await {
            assert_eq!(page.status, http::StatusCode::OK, "{}", page.body);
            shown.push(page.body);
        }
        shown
    };
    // Both servers have shown both lists before anything below changes.
    for page in shown(cookie.clone()).await {
        assert!(page.contains("1 incident matches"), "{page}");
        assert!(!page.contains("gateway"), "{page}");
        assert!(!page.contains("badge status in_review"), "{page}");
        assert!(!page.contains("badge standing overdue"), "{page}");
    }

    // A new incident.
    incidents::create(
        db.write(),
        input(vec![w.db_service], 60, Severity::Sev2),
        w.author,
        now(),
    )
    .await
    .unwrap();
    for page in shown(cookie.clone()).await {
        assert!(page.contains("2 incidents match"), "{page}");
        assert!(page.contains("Checkout errors at +60m"), "{page}");
    }

    // A service renamed.
    let api = app::entities::service::Entity::find_by_id(w.api)
        .one(db.read())
        .await
        .unwrap()
        .unwrap();
    catalog::update_service(
        db.write(),
        api.id,
        api.version,
        catalog::ServiceInput {
            team_id: api.team_id,
            name: CatalogName::parse("gateway").unwrap(),
            slo_target: None,
            runbook_url: None,
        },
    )
    .await
    .unwrap();
    for page in shown(cookie.clone()).await {
        assert!(page.contains("gateway"), "{page}");
    }

    // The team renamed: its old name no longer filters the list, its new one does.
    let by_team = |name: &str| pages(vec![format!("/incidents?team={name}")], cookie.clone());
    for page in by_team("Core").await {
        assert!(page.body.contains("2 incidents match"), "{}", page.body);
    }
    let core = app::entities::team::Entity::find_by_id(api.team_id)
        .one(db.read())
        .await
        .unwrap()
        .unwrap();
    catalog::rename_team(
        db.write(),
        core.id,
        core.version,
        CatalogName::parse("Platform").unwrap(),
    )
    .await
    .unwrap();
    for page in by_team("Core").await {
        assert!(!page.body.contains("incidents match"), "{}", page.body);
    }
    for page in by_team("Platform").await {
        assert!(page.body.contains("2 incidents match"), "{}", page.body);
    }

    // The postmortem sent for review.
    postmortems::save(
        db.write(),
        first.id,
        0,
        "What happened, without blame.".into(),
        w.author,
        now(),
    )
    .await
    .unwrap();
    postmortems::review(
        db.write(),
        first.id,
        ReviewMove::Submit,
        Role::Engineer,
        None,
        w.author,
        now(),
    )
    .await
    .unwrap();
    for page in shown(cookie.clone()).await {
        assert!(page.contains("badge status in_review"), "{page}");
    }

    // An action item due tomorrow: open, not yet overdue.
    action_items::create(
        db.write(),
        ActionItemInput {
            title: "Alert on card failures".into(),
            description: String::new(),
            incident_id: first.id,
            owner_id: Some(w.author),
            team_id: None,
            service_id: None,
            action_type: ActionType::Detect,
            priority: Priority::P1,
            due_on: Some(now().date_naive() + Duration::days(1)),
            tracker_url: None,
            cadence: Cadence::Weekly,
            related_incident_ids: vec![],
            committed: true,
        },
        Actor {
            id: w.author,
            role: Role::Engineer,
        },
        now(),
    )
    .await
    .unwrap();
    for page in shown(cookie.clone()).await {
        assert!(page.contains("1 open"), "{page}");
        assert!(!page.contains("badge standing overdue"), "{page}");
    }

    // Two days on, nothing changed but the day: the item is overdue.
    app.clock.advance(Duration::days(2));
    let cookie = app.login_cookie("ada").await;
    for page in shown(cookie.clone()).await {
        assert!(page.contains("1 overdue"), "{page}");
    }

    // The first incident deleted.
    incidents::delete(db.write(), first.id, "Recorded twice", w.author, now())
        .await
        .unwrap();
    for page in shown(cookie.clone()).await {
        assert!(page.contains("1 incident matches"), "{page}");
        assert!(!page.contains("Checkout errors at +0m"), "{page}");
    }
}

on_both_apps!(a_list_once_shown_shows_every_later_change);

#[tokio::test]
async fn the_pages_list_incidents_and_show_one_with_its_durations() {
    use http::StatusCode;
    let app = common::TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let w = world(&app.state.db).await;
    let mut resolved = input(vec![w.api, w.db_service], 0, Severity::Sev1);
    resolved.times.resolved = Some(at(125));
    let first = incidents::create(app.state.db.write(), resolved, w.author, at(200))
        .await
        .unwrap();
    incidents::create(
        app.state.db.write(),
        input(vec![w.api], 60, Severity::Sev3),
        w.author,
        at(200),
    )
    .await
    .unwrap();

    let list = app.get("/incidents", Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Checkout errors at +0m")
            && list.body.contains("Checkout errors at +60m"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("2h 05m"),
        "time to resolve of the resolved one"
    );
    assert!(list.body.contains("api, database"), "{}", list.body);

    let sev1 = app.get("/incidents?severity=sev1", Some(&cookie)).await;
    assert!(
        sev1.body.contains("Checkout errors at +0m")
            && !sev1.body.contains("Checkout errors at +60m")
    );

    let page = app
        .get(&format!("/incidents/{}", first.incident.id), Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "7m 00s",
        "40m 00s",
        "2h 05m",
        "User report",
        "Existed but failed or was incomplete",
        "payments",
    ] {
        assert!(page.body.contains(shown), "{shown} missing");
    }
    assert_eq!(
        app.get("/incidents/99999", Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
}
