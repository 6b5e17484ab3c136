//! Personal API tokens and the JSON API under /api/v1, as a script meets them.

use crate::common;

use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::error::AppError;
use app::services::accounts::{self, NewAccount};
use app::services::api_tokens;
use app::state::Db;
use axum::body::Body;
use chrono::Utc;
use common::TestApp;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};

fn account(username: &str, role: Role) -> NewAccount {
    NewAccount {
        username: Username::parse(username).unwrap(),
        display_name: DisplayName::parse(username).unwrap(),
        email: Email::parse(&format!("{username}@example.com")).unwrap(),
        password: NewPassword::parse(common::PASSWORD).unwrap(),
        role,
    }
}

async fn tokens_work_until_revoked_and_only_for_their_owner(db: Db) {
    let now = Utc::now();
    let ann = accounts::create(db.write(), account("ann", Role::Engineer), now)
        .await
        .unwrap();
    let ben = accounts::create(db.write(), account("ben", Role::Admin), now)
        .await
        .unwrap();
    let (row, token) = api_tokens::create(db.write(), ann.id, "deploy hook", now)
        .await
        .unwrap();
    assert!(!token.contains(&row.token_hash), "only a hash is stored");
    let who = api_tokens::authenticate(&db, &token, now).await.unwrap();
    assert_eq!(who.map(|u| u.id), Some(ann.id));
    assert!(
        api_tokens::list_for_user(db.read(), ann.id).await.unwrap()[0]
            .last_used_at
            .is_some()
    );

    assert_eq!(
        api_tokens::revoke(db.write(), ben.id, row.id, now)
            .await
            .unwrap_err(),
        AppError::NotFound,
        "not someone else's"
    );
    assert!(
        api_tokens::authenticate(&db, &token, now)
            .await
            .unwrap()
            .is_some()
    );
    api_tokens::revoke(db.write(), ann.id, row.id, now)
        .await
        .unwrap();
    assert!(
        api_tokens::authenticate(&db, &token, now)
            .await
            .unwrap()
            .is_none(),
        "revoked"
    );

    let (_, second) = api_tokens::create(db.write(), ann.id, "second", now)
        .await
        .unwrap();
    accounts::set_disabled(db.write(), ben.id, ann.id, true)
        .await
        .unwrap();
    assert!(
        api_tokens::authenticate(&db, &second, now)
            .await
            .unwrap()
            .is_none(),
        "disabled account"
    );
    assert!(
        api_tokens::authenticate(&db, "hs_not-a-token", now)
            .await
            .unwrap()
            .is_none()
    );
    let blank = api_tokens::create(db.write(), ann.id, "  ", now)
        .await
        .unwrap_err();
    assert!(blank.for_field("name").is_some());
}

on_both_databases!(tokens_work_until_revoked_and_only_for_their_owner);

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.api(method, path, token, body).await
}

async fn token_for(app: &TestApp, username: &str, role: Role) -> String {
    let db = &app.state.db;
    let user = accounts::create(db.write(), account(username, role), Utc::now())
        .await
        .unwrap();
    api_tokens::create(db.write(), user.id, "test", Utc::now())
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn the_json_api_applies_the_same_rules_as_the_pages() {
    let app = TestApp::new().await;
    let viewer = token_for(&app, "vera", Role::Viewer).await;
    let manager = token_for(&app, "manu", Role::Manager).await;

    let (status, body) = send(&app, "GET", "/api/v1/teams", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");

    let (status, body) = send(&app, "GET", "/api/v1/me", Some(&viewer), None).await;
    assert_eq!(
        (status, body["username"].as_str()),
        (StatusCode::OK, Some("vera"))
    );

    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/teams",
        Some(&viewer),
        Some(json!({"name": "Core"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer cannot edit");

    let (status, team) = send(
        &app,
        "POST",
        "/api/v1/teams",
        Some(&manager),
        Some(json!({"name": "Core"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");

    let bad = json!({"team_id": team["id"], "name": "api", "slo_target_percent": 120.0});
    let (status, body) = send(&app, "POST", "/api/v1/services", Some(&manager), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "slo_target_percent");
    assert_eq!(
        body["error"]["message"],
        "SLO target must be above 0 and below 100"
    );

    let good = json!({"team_id": team["id"], "name": "api", "slo_target_percent": 99.9, "runbook_url": "https://wiki.example/api"});
    let (status, service) =
        send(&app, "POST", "/api/v1/services", Some(&manager), Some(good)).await;
    assert_eq!(status, StatusCode::CREATED, "{service}");

    let (status, list) = send(&app, "GET", "/api/v1/services", Some(&viewer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["name"], "api");
    assert_eq!(list[0]["slo_target_percent"], 99.9);

    let path = format!("/api/v1/services/{}", service["id"]);
    let change = |slo: f64, version: &Value| json!({"team_id": team["id"], "name": "api", "slo_target_percent": slo, "version": version});
    let (status, updated) = send(
        &app,
        "PUT",
        &path,
        Some(&manager),
        Some(change(99.95, &service["version"])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (status, body) = send(
        &app,
        "PUT",
        &path,
        Some(&manager),
        Some(change(90.0, &service["version"])),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a stale version never overwrites"
    );
    assert_eq!(body["error"]["current_version"], updated["version"]);

    let (status, body) = send(&app, "POST", "/api/v1/teams", Some(&manager), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "body");

    let (status, body) = send(&app, "GET", "/api/v1/incidents-nope", Some(&viewer), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn the_json_api_ignores_session_cookies() {
    let app = TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let req = Request::get("/api/v1/me")
        .header(header::HOST, "hindsight.test")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "a browser session cannot drive the API"
    );
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let app = TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let created = app
        .call("tokens/create", &[("name", "laptop script")], Some(&cookie))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{created:?}");
    let token = serde_json::from_str::<Value>(&created.body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        send(&app, "GET", "/api/v1/me", Some(&token), None).await.0,
        StatusCode::OK
    );

    let listed: Value =
        serde_json::from_str(&app.call("tokens", &[], Some(&cookie)).await.body).unwrap();
    assert!(
        !listed.to_string().contains(&token),
        "the secret is never listed again"
    );
    let id = listed[0]["id"].to_string();
    assert_eq!(
        app.call("tokens/revoke", &[("id", &id)], Some(&cookie))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, "GET", "/api/v1/me", Some(&token), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_script_can_import_incidents_with_every_field() {
    let app = TestApp::new().await;
    let manager = token_for(&app, "moe", Role::Manager).await;
    let engineer = token_for(&app, "eli", Role::Engineer).await;
    let viewer = token_for(&app, "val", Role::Viewer).await;
    let (_, team) = send(
        &app,
        "POST",
        "/api/v1/teams",
        Some(&manager),
        Some(json!({"name": "Payments"})),
    )
    .await;
    let (_, svc) = send(
        &app,
        "POST",
        "/api/v1/services",
        Some(&manager),
        Some(json!({"team_id": team["id"], "name": "ledger"})),
    )
    .await;

    let incident = |start: &str, version: Option<i64>| {
        json!({
            "title": "Ledger writes timed out",
            "severity": "sev2",
            "services": [svc["id"]],
            "customer_impact": true,
            "impact_description": "Payouts were delayed.",
            "started_at": start,
            "detected_at": "2026-10-05T14:07:00Z",
            "mitigated_at": "2026-10-05T14:40:00Z",
            "resolved_at": "2026-10-05T16:05:00Z",
            "detected_by": "user_report",
            "monitoring_should_have_caught": true,
            "known_problem": false,
            "runbook_outcome": "existed_failed",
            "cause_category": "capacity",
            "tags": ["Database", "database", "payouts"],
            "version": version,
        })
    };
    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/incidents",
        Some(&viewer),
        Some(incident("2026-10-05T14:00:00Z", None)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, created) = send(
        &app,
        "POST",
        "/api/v1/incidents",
        Some(&engineer),
        Some(incident("2026-10-05T14:00:00Z", None)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["time_to_detect_seconds"], 420);
    assert_eq!(created["time_to_mitigate_seconds"], 2400);
    assert_eq!(created["time_to_resolve_seconds"], 7500);
    assert_eq!(created["tags"], json!(["database", "payouts"]));

    let (status, body) = send(
        &app,
        "POST",
        "/api/v1/incidents",
        Some(&engineer),
        Some(incident("2026-10-05T15:00:00Z", None)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "detected_at");
    assert_eq!(
        body["error"]["message"],
        "Detected cannot be before impact started"
    );

    let path = format!("/api/v1/incidents/{}", created["id"]);
    let (status, read) = send(&app, "GET", &path, Some(&viewer), None).await;
    assert_eq!(
        (status, &read["services"]),
        (StatusCode::OK, &json!([svc["id"]]))
    );

    let mut change = incident("2026-10-05T14:00:00Z", Some(1));
    change["severity"] = json!("sev1");
    let (status, updated) = send(&app, "PUT", &path, Some(&engineer), Some(change.clone())).await;
    assert_eq!(
        (status, updated["version"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{updated}"
    );
    let (status, body) = send(&app, "PUT", &path, Some(&engineer), Some(change)).await;
    assert_eq!(
        (status, body["error"]["current_version"].as_i64()),
        (StatusCode::CONFLICT, Some(2))
    );

    for day in 1..=3 {
        let start = format!("2026-09-0{day}T10:00:00Z");
        let mut older = incident(&start, None);
        older["detected_at"] = json!(start);
        older["mitigated_at"] = json!(null);
        older["resolved_at"] = json!(null);
        assert_eq!(
            send(
                &app,
                "POST",
                "/api/v1/incidents",
                Some(&engineer),
                Some(older)
            )
            .await
            .0,
            StatusCode::CREATED
        );
    }
    let (status, page) = send(
        &app,
        "GET",
        "/api/v1/incidents?limit=3",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let titles: Vec<&str> = page["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["started_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "2026-10-05T14:00:00Z",
            "2026-09-03T10:00:00Z",
            "2026-09-02T10:00:00Z"
        ]
    );
    let next = page["next"].as_str().expect("a next page");
    let (_, rest) = send(
        &app,
        "GET",
        &format!("/api/v1/incidents?limit=3&after={}", urlencode(next)),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(rest["incidents"].as_array().unwrap().len(), 1);
    assert!(rest["next"].is_null());
    let (_, open) = send(
        &app,
        "GET",
        "/api/v1/incidents?open=true&severity=sev2",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(open["incidents"].as_array().unwrap().len(), 3);
    let (status, body) = send(
        &app,
        "GET",
        "/api/v1/incidents?severity=huge",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("severity"))
    );
}

fn urlencode(text: &str) -> String {
    app::domain::links::urlencode(text)
}

/// The secret shown in the element marked `data-token="<which>"`, if the page shows one.
fn shown_token(page: &str, which: &str) -> Option<String> {
    let rest = &page[page.find(&format!("data-token=\"{which}\""))?..];
    let rest = &rest[rest.find("hs_")?..];
    Some(rest[..rest.find('<')?].to_string())
}

#[tokio::test]
async fn without_javascript_a_new_token_is_shown_once_on_the_page_it_returns_to() {
    let app = TestApp::new().await;
    let cookie = app.create_first_admin().await;

    let made = app
        .post_form(
            "tokens/create",
            &[("name", "nightly export")],
            Some(&cookie),
            "/account",
        )
        .await;
    assert!(made.status.is_redirection(), "{made:?}");
    let back = made
        .location()
        .and_then(|l| l.strip_prefix("http://hindsight.test"))
        .expect("sent back to the page")
        .to_string();
    assert!(back.starts_with("/account"), "{back}");
    let page = app.get(&back, Some(&cookie)).await;
    let token = shown_token(&page.body, "new").expect("the new token is on the page");
    assert!(token.starts_with("hs_"), "{token}");
    let (status, me) = app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("ada"))
    );

    let again = app.get("/account", Some(&cookie)).await;
    assert_eq!(shown_token(&again.body, "new"), None, "shown once only");
    assert!(!again.body.contains(&token));

    // With JavaScript the page has the answer itself, and the server keeps nothing.
    let called = app
        .call("tokens/create", &[("name", "from a script")], Some(&cookie))
        .await;
    assert_eq!(called.status, StatusCode::OK, "{called:?}");
    let page = app.get("/account", Some(&cookie)).await;
    assert_eq!(shown_token(&page.body, "new"), None);
}

#[tokio::test]
async fn without_javascript_a_new_alertmanager_token_is_shown_once() {
    let app = TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let made = app
        .post_form(
            "admin/alerts/secret",
            &[("source", "alertmanager")],
            Some(&cookie),
            "/admin/alerts",
        )
        .await;
    assert!(made.status.is_redirection(), "{made:?}");
    let page = app.get("/admin/alerts", Some(&cookie)).await;
    let token = shown_token(&page.body, "alertmanager")
        .unwrap_or_else(|| panic!("the token is on the page: {}", page.body));
    assert!(token.starts_with("hs_am_"), "{token}");
    let again = app.get("/admin/alerts", Some(&cookie)).await;
    assert!(!again.body.contains(&token), "shown once only");
}
