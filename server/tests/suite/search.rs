//! Finding incidents: every list filter, both orders with keyset pages, counts, and full-text
//! search over titles, summaries, postmortems and timelines.

use crate::common;

use app::domain::catalog::CatalogName;
use app::domain::incident::{KeyTimes, MATCH_END, MATCH_START, RunbookOutcome, Severity};
use app::domain::postmortem::{PostmortemStatus, ReviewMove};
use app::domain::timeline::EventKind;
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::services::incidents::{self, Cursor, IncidentFilter, IncidentInput, Sort};
use app::services::timeline::{self, EventInput};
use app::services::{accounts, catalog, postmortems, search};
use app::state::Db;
use chrono::{DateTime, Duration, TimeZone, Utc};
use http::StatusCode;

fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap() + Duration::hours(hours)
}

struct World {
    author: i64,
    payments_team: i64,
    checkout: i64,
    search_service: i64,
    /// Incident ids in the order they were made.
    ids: Vec<i64>,
}

fn input(title: &str, severity: Severity, service: i64, hour: i64) -> IncidentInput {
    IncidentInput {
        title: title.into(),
        summary: format!("Summary of {title}"),
        severity,
        service_ids: vec![service],
        customer_impact: false,
        impact_description: String::new(),
        times: KeyTimes {
            started: at(hour),
            detected: None,
            acknowledged: None,
            mitigated: None,
            resolved: Some(at(hour + 1)),
        },
        detected_by: None,
        monitoring_should_have_caught: None,
        known_problem: None,
        repeats: vec![],
        runbook_outcome: None,
        cause_category: None,
        tags: vec![],
    }
}

async fn world(db: &Db) -> World {
    let author = accounts::create(
        db.write(),
        accounts::NewAccount {
            username: Username::parse("eng").unwrap(),
            display_name: DisplayName::parse("Eng").unwrap(),
            email: Email::parse("eng@example.com").unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role: Role::Facilitator,
        },
        at(0),
    )
    .await
    .unwrap()
    .id;
    let team = |name: &str| {
        let db = db.clone();
        let name = name.to_string();
        async move {
            catalog::create_team(db.write(), CatalogName::parse(&name).unwrap(), at(0))
                .await
                .unwrap()
                .id
        }
    };
    let payments_team = team("Payments").await;
    let discovery_team = team("Discovery").await;
    let service = |team_id: i64, name: &str| {
        let db = db.clone();
        let name = name.to_string();
        async move {
            catalog::create_service(
                db.write(),
                catalog::ServiceInput {
                    team_id,
                    name: CatalogName::parse(&name).unwrap(),
                    slo_target: None,
                    runbook_url: None,
                },
                at(0),
            )
            .await
            .unwrap()
            .id
        }
    };
    let checkout = service(payments_team, "checkout").await;
    let search_service = service(discovery_team, "search").await;

    let mut ids = Vec::new();
    let specs = [
        (
            "Card declines spike",
            Severity::Sev2,
            checkout,
            10,
            Some(true),
            Some(RunbookOutcome::ExistedWorked),
        ),
        (
            "Search index stale",
            Severity::Sev3,
            search_service,
            20,
            Some(false),
            None,
        ),
        (
            "Checkout down in EU",
            Severity::Sev1,
            checkout,
            30,
            Some(false),
            Some(RunbookOutcome::NoneExisted),
        ),
        (
            "Autocomplete slow",
            Severity::Sev3,
            search_service,
            40,
            None,
            None,
        ),
        (
            "Refunds delayed",
            Severity::Sev2,
            checkout,
            50,
            Some(true),
            Some(RunbookOutcome::ExistedWorked),
        ),
    ];
    for (title, severity, service, hour, known, runbook) in specs {
        let mut i = input(title, severity, service, hour);
        i.known_problem = known;
        i.runbook_outcome = runbook;
        ids.push(
            incidents::create(db.write(), i, author, at(hour + 2))
                .await
                .unwrap()
                .incident
                .id,
        );
    }
    World {
        author,
        payments_team,
        checkout,
        search_service,
        ids,
    }
}

async fn titles(db: &Db, filter: &IncidentFilter, sort: Sort) -> Vec<String> {
    incidents::list(db.read(), filter, sort, None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect()
}

async fn every_filter_narrows_the_list_and_counts_agree(db: Db) {
    let w = world(&db).await;
    let payments = IncidentFilter {
        team_id: Some(w.payments_team),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &payments, Sort::Newest).await,
        [
            "Refunds delayed",
            "Checkout down in EU",
            "Card declines spike"
        ]
    );
    assert_eq!(
        incidents::count(db.read(), &payments, 100).await.unwrap(),
        3
    );
    let on_search = IncidentFilter {
        service_id: Some(w.search_service),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &on_search, Sort::Newest).await,
        ["Autocomplete slow", "Search index stale"]
    );

    let known = IncidentFilter {
        known_problem: Some(true),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &known, Sort::Newest).await,
        ["Refunds delayed", "Card declines spike"]
    );
    let new = IncidentFilter {
        known_problem: Some(false),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &new, Sort::Newest).await,
        ["Checkout down in EU", "Search index stale"]
    );

    let no_runbook = IncidentFilter {
        runbook_outcome: Some(RunbookOutcome::NoneExisted),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &no_runbook, Sort::Newest).await,
        ["Checkout down in EU"]
    );

    let period = IncidentFilter {
        started_from: Some(at(20)),
        started_before: Some(at(40)),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &period, Sort::Newest).await,
        ["Checkout down in EU", "Search index stale"]
    );

    // Postmortem status: nothing started counts as a draft.
    postmortems::save(
        db.write(),
        w.ids[0],
        0,
        "## Summary\n".into(),
        w.author,
        at(60),
    )
    .await
    .unwrap();
    postmortems::review(
        db.write(),
        w.ids[0],
        ReviewMove::Publish,
        Role::Facilitator,
        Some("Nothing further to change".into()),
        w.author,
        at(61),
    )
    .await
    .unwrap();
    let published = IncidentFilter {
        postmortem_status: Some(PostmortemStatus::Published),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &published, Sort::Newest).await,
        ["Card declines spike"]
    );
    let drafts = IncidentFilter {
        postmortem_status: Some(PostmortemStatus::Draft),
        ..Default::default()
    };
    assert_eq!(incidents::count(db.read(), &drafts, 100).await.unwrap(), 4);

    let combined = IncidentFilter {
        team_id: Some(w.payments_team),
        severity: Some(Severity::Sev2),
        postmortem_status: Some(PostmortemStatus::Draft),
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &combined, Sort::Newest).await,
        ["Refunds delayed"]
    );
    let _ = w.checkout;
}

async fn sorting_by_severity_pages_through_every_incident_once(db: Db) {
    let w = world(&db).await;
    assert_eq!(
        titles(&db, &IncidentFilter::default(), Sort::Severity).await,
        [
            "Checkout down in EU",
            "Refunds delayed",
            "Card declines spike",
            "Autocomplete slow",
            "Search index stale"
        ]
    );
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = incidents::list(
            db.read(),
            &IncidentFilter::default(),
            Sort::Severity,
            after,
            2,
        )
        .await
        .unwrap();
        if page.is_empty() {
            break;
        }
        let cursor = Cursor::after(page.last().unwrap(), Sort::Severity);
        assert_eq!(
            Cursor::decode(&cursor.encode()),
            Some(cursor),
            "the cursor survives a link"
        );
        after = Some(cursor);
        seen.extend(page.into_iter().map(|i| i.id));
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    let mut all = w.ids.clone();
    all.sort_unstable();
    assert_eq!(sorted, all, "every incident exactly once: {seen:?}");
}

async fn search_finds_words_in_every_part_and_marks_them(db: Db) {
    let w = world(&db).await;
    postmortems::save(
        db.write(),
        w.ids[1],
        0,
        "## Root cause\n\nThe reindex job ran out of memory on the replica.\n".into(),
        w.author,
        at(70),
    )
    .await
    .unwrap();
    timeline::create(
        db.write(),
        w.ids[3],
        EventInput {
            occurred_at: at(40),
            kind: EventKind::Action,
            body: "Scaled the memcached fleet".into(),
            marks: None,
        },
        w.author,
        at(71),
    )
    .await
    .unwrap();

    let found = |q: &'static str| {
        let db = db.clone();
        async move { search::search(db.read(), q, 50).await.unwrap() }
    };
    let hits = found("memory").await;
    assert_eq!(
        hits.iter().map(|h| h.incident_id).collect::<Vec<_>>(),
        [w.ids[1]]
    );
    assert!(
        hits[0]
            .snippet
            .contains(&format!("{MATCH_START}memory{MATCH_END}")),
        "{:?}",
        hits[0].snippet
    );
    assert_eq!(
        found("memcached")
            .await
            .iter()
            .map(|h| h.incident_id)
            .collect::<Vec<_>>(),
        [w.ids[3]]
    );
    assert_eq!(
        found("checkout EU")
            .await
            .iter()
            .map(|h| h.incident_id)
            .collect::<Vec<_>>(),
        [w.ids[2]]
    );
    // Search syntax typed by a person is read as words, never as an error.
    for odd in [
        "\"unbalanced",
        "NEAR(",
        "a OR",
        "*",
        "-",
        "'; DROP TABLE incidents; --",
    ] {
        search::search(db.read(), odd, 50).await.unwrap();
    }

    // A changed title is found by its new words only; a deleted incident is gone.
    let mut renamed = input("Payment gateway timeouts", Severity::Sev2, w.checkout, 10);
    renamed.known_problem = Some(true);
    renamed.runbook_outcome = Some(RunbookOutcome::ExistedWorked);
    incidents::update(db.write(), w.ids[0], 1, renamed, w.author, at(80))
        .await
        .unwrap();
    assert!(found("declines").await.is_empty());
    assert_eq!(
        found("gateway")
            .await
            .iter()
            .map(|h| h.incident_id)
            .collect::<Vec<_>>(),
        [w.ids[0]]
    );
    incidents::delete(db.write(), w.ids[0], "duplicate", w.author, at(81))
        .await
        .unwrap();
    assert!(found("gateway").await.is_empty());
}

on_both_databases!(
    every_filter_narrows_the_list_and_counts_agree,
    sorting_by_severity_pages_through_every_incident_once,
    search_finds_words_in_every_part_and_marks_them,
);

#[tokio::test]
async fn teams_and_services_are_named_in_the_filters_and_suggested_as_one_types() {
    let app = common::TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let w = world(&app.state.db).await;
    let db = &app.state.db;
    let payouts = catalog::create_team(db.write(), CatalogName::parse("Payouts").unwrap(), at(0))
        .await
        .unwrap()
        .id;
    catalog::create_service(
        db.write(),
        catalog::ServiceInput {
            team_id: payouts,
            name: CatalogName::parse("zebra-ledger").unwrap(),
            slo_target: None,
            runbook_url: None,
        },
        at(0),
    )
    .await
    .unwrap();

    // The list names the services of its incidents, and no others: the filters do not list the
    // whole catalogue.
    let all = app.get("/incidents", Some(&cookie)).await;
    assert!(all.body.contains("5 incidents match"), "{}", all.body);
    assert!(all.body.contains("<td>checkout</td>"), "{}", all.body);
    assert!(!all.body.contains("zebra-ledger"), "{}", all.body);

    // A name, in any case, or the one name that holds what was typed; or an id, from a link.
    for query in [
        "team=payments&known=known".to_string(),
        "team=PAYMENTS&known=known".to_string(),
        format!("team={}&known=known", w.payments_team),
    ] {
        let page = app.get(&format!("/incidents?{query}"), Some(&cookie)).await;
        assert!(
            page.body.contains("2 incidents match"),
            "{query}: {}",
            page.body
        );
        assert!(
            page.body.contains("Refunds delayed"),
            "{query}: {}",
            page.body
        );
    }
    let page = app.get("/incidents?service=chec", Some(&cookie)).await;
    assert!(page.body.contains("3 incidents match"), "{}", page.body);
    assert!(!page.body.contains("Search index stale"), "{}", page.body);

    let page = app.get("/incidents?team=pay", Some(&cookie)).await;
    assert!(
        page.body.contains(
            "Team could be any of 2 teams (“pay”: Payments, Payouts): pick one from the \
             suggestions"
        ),
        "{}",
        page.body
    );
    let page = app.get("/incidents?service=billing", Some(&cookie)).await;
    assert!(
        page.body.contains("Service names no service (“billing”)"),
        "{}",
        page.body
    );

    let suggested = |endpoint: &'static str, query: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let reply = app.call(endpoint, &[("query", query)], Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            json.as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    format!(
                        "{} {}",
                        s["value"].as_str().unwrap(),
                        s["detail"].as_str().unwrap()
                    )
                })
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        suggested("catalog/suggest_teams", "PAY").await,
        ["Payments", "Payouts"]
    );
    assert_eq!(
        suggested("catalog/suggest_services", "led").await,
        ["zebra-ledger Payouts"]
    );
    assert_eq!(
        suggested("catalog/suggest_services", "").await,
        [
            "checkout Payments",
            "search Discovery",
            "zebra-ledger Payouts"
        ]
    );
    let stranger = app
        .call("catalog/suggest_services", &[("query", "")], None)
        .await;
    assert_eq!(
        stranger.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        stranger.body
    );

    let token = app.api_token(&cookie).await;
    let (status, json) = app
        .api(
            "GET",
            "/api/v1/incidents?service=Search",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["incidents"].as_array().unwrap().len(), 2, "{json}");
}

#[tokio::test]
async fn the_list_page_and_the_api_take_the_same_filters() {
    let app = common::TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let w = world(&app.state.db).await;

    let page = app
        .get(
            &format!("/incidents?team={}&known=known", w.payments_team),
            Some(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2 incidents match"), "{}", page.body);
    assert!(page.body.contains("Refunds delayed") && !page.body.contains("Checkout down in EU"));

    let page = app.get("/incidents?q=autocomplete", Some(&cookie)).await;
    assert!(page.body.contains("1 incident matches"), "{}", page.body);
    assert!(
        page.body.contains("<mark>Autocomplete</mark>"),
        "{}",
        page.body
    );

    // Search results page on past the first page.
    for n in 0..27 {
        incidents::create(
            app.state.db.write(),
            input(
                &format!("Disk full on worker {n}"),
                Severity::Sev4,
                w.search_service,
                100 + n,
            ),
            w.author,
            at(200),
        )
        .await
        .unwrap();
    }
    let first = app.get("/incidents?q=disk", Some(&cookie)).await;
    assert!(first.body.contains("27 incidents match"), "{}", first.body);
    assert!(
        first.body.contains("after=%2B25"),
        "a link to the next page: {}",
        first.body
    );
    let second = app
        .get("/incidents?q=disk&after=%2B25", Some(&cookie))
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(
        second.body.matches("<mark>Disk</mark>").count(),
        2,
        "{}",
        second.body
    );

    let bad = app.get("/incidents?from=last+week", Some(&cookie)).await;
    assert!(
        bad.body.contains("From must be a date like 2026-11-20"),
        "{}",
        bad.body
    );

    let token = app.api_token(&cookie).await;
    assert!(token.starts_with("hs_"), "{token}");
    let api = |path: String| {
        let token = token.clone();
        let app = &app;
        async move {
            app.send(
                http::Request::get(path)
                    .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let listed = api(format!(
        "/api/v1/incidents?team={}&sort=severity",
        w.payments_team
    ))
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let json: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    let titles: Vec<&str> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Checkout down in EU",
            "Refunds delayed",
            "Card declines spike"
        ]
    );
    let searched = api("/api/v1/incidents?q=stale".to_string()).await;
    let json: serde_json::Value = serde_json::from_str(&searched.body).unwrap();
    assert_eq!(json["incidents"].as_array().unwrap().len(), 1);
    let refused = api("/api/v1/incidents?known=maybe".to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("known"), "{}", refused.body);
}
