//! Action items through the whole HTTP stack: the JSON API under the page rules, the server
//! functions behind the pages, the CSV export, the calendar feed and the inbox badge.

use crate::common;

use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::services::accounts::{self, NewAccount};
use app::services::api_tokens;
use chrono::Duration;
use common::TestApp;
use http::StatusCode;
use serde_json::{Value, json};

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.api(method, path, token, body).await
}

/// A person with an API token: (user id, token).
async fn person(app: &TestApp, username: &str, role: Role) -> (i64, String) {
    let id = named(app, username, &format!("{username} Example"), role).await;
    let token = api_tokens::create(app.state.db.write(), id, "test", app.clock.now())
        .await
        .unwrap()
        .1;
    (id, token)
}

/// An incident recorded through the API; returns its id.
async fn incident(app: &TestApp, manager: &str) -> i64 {
    let (_, team) = send(
        app,
        "POST",
        "/api/v1/teams",
        Some(manager),
        Some(json!({"name": "Payments"})),
    )
    .await;
    let (_, service) = send(
        app,
        "POST",
        "/api/v1/services",
        Some(manager),
        Some(json!({"team_id": team["id"], "name": "ledger"})),
    )
    .await;
    let (status, incident) = send(
        app,
        "POST",
        "/api/v1/incidents",
        Some(manager),
        Some(json!({
            "title": "Ledger writes timed out",
            "severity": "sev2",
            "services": [service["id"]],
            "started_at": "2026-10-30T14:00:00Z",
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    incident["id"].as_i64().unwrap()
}

fn item(incident_id: i64, owner: i64, due: &str, commit: bool) -> Value {
    json!({
        "title": "Alert on ledger write latency",
        "description": "Page when p99 stays above 2s for 5 minutes.",
        "incident_id": incident_id,
        "owner_id": owner,
        "type": "detect",
        "priority": "p1",
        "due_on": due,
        "tracker_url": "https://acme.atlassian.net/browse/PAY-123",
        "cadence": "weekly",
        "commit": commit,
    })
}

#[tokio::test]
async fn the_action_item_api_follows_the_rules_of_the_pages() {
    let app = TestApp::new().await;
    let (_, manager) = person(&app, "manu", Role::Manager).await;
    let (eli, engineer) = person(&app, "eli", Role::Engineer).await;
    let (_, other) = person(&app, "oda", Role::Engineer).await;
    let (_, viewer) = person(&app, "vera", Role::Viewer).await;
    let incident_id = incident(&app, &manager).await;

    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/action-items",
        Some(&viewer),
        Some(item(incident_id, eli, "2026-11-10", true)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "viewers only read");

    let mut no_due = item(incident_id, eli, "2026-11-10", true);
    no_due["due_on"] = Value::Null;
    let (status, body) = send(
        &app,
        "POST",
        "/api/v1/action-items",
        Some(&engineer),
        Some(no_due),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "due_on", "{body}");

    let (status, created) = send(
        &app,
        "POST",
        "/api/v1/action-items",
        Some(&engineer),
        Some(item(incident_id, eli, "2026-11-10", true)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["state"], "open");
    assert_eq!(created["tracker_key"], "PAY-123");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/action-items/{id}");

    let (status, list) = send(
        &app,
        "GET",
        &format!("/api/v1/action-items?state=open&owner={eli}&incident={incident_id}&limit=10"),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["action_items"][0]["id"], id);
    let (status, body) = send(
        &app,
        "GET",
        "/api/v1/action-items?standing=late",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("standing"))
    );

    let start = json!({"action": "start", "version": 1});
    let (status, _) = send(
        &app,
        "POST",
        &format!("{path}/transition"),
        Some(&other),
        Some(start.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not theirs to move");
    let (status, started) = send(
        &app,
        "POST",
        &format!("{path}/transition"),
        Some(&engineer),
        Some(start.clone()),
    )
    .await;
    assert_eq!(
        (status, started["state"].as_str()),
        (StatusCode::OK, Some("in_progress"))
    );
    let (status, body) = send(
        &app,
        "POST",
        &format!("{path}/transition"),
        Some(&engineer),
        Some(start),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version: {body}");
    assert_eq!(body["error"]["current_version"], 2);

    // Late: the item shows as overdue once its due date has passed.
    app.clock.advance(Duration::days(10));
    let (_, overdue) = send(
        &app,
        "GET",
        "/api/v1/action-items?standing=overdue",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(
        overdue["action_items"][0]["standing"], "overdue",
        "{overdue}"
    );

    let (_, done) = send(
        &app,
        "POST",
        &format!("{path}/transition"),
        Some(&engineer),
        Some(json!({"action": "complete", "version": 2})),
    )
    .await;
    assert_eq!(done["state"], "done");
    // Done on Thursday 2026-11-12: the weekly review after it is Monday the 16th.
    assert_eq!(done["verify_on"], "2026-11-16");

    let (status, body) = send(
        &app,
        "POST",
        &format!("{path}/verify"),
        Some(&manager),
        Some(json!({"version": 3, "outcome": "not_effective"})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("evidence"))
    );
    let (status, verified) = send(
        &app,
        "POST",
        &format!("{path}/verify"),
        Some(&manager),
        Some(json!({
            "version": 3,
            "outcome": "not_effective",
            "evidence": "The alert did not fire during the replay on the 15th.",
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    assert_eq!(verified["outcome"], "not_effective");

    let mut change = item(incident_id, eli, "2026-12-01", false);
    change["title"] = json!("Alert on ledger write latency and queue depth");
    change["version"] = json!(1);
    let (status, body) = send(&app, "PUT", &path, Some(&manager), Some(change.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    change["version"] = json!(4);
    let (status, changed) = send(&app, "PUT", &path, Some(&manager), Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        changed["title"],
        "Alert on ledger write latency and queue depth"
    );
}

#[tokio::test]
async fn managers_change_many_items_at_once_and_owners_hear_of_it() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "manu", "manager").await;
    app.create_user(&admin, "eli", "engineer").await;
    let (_, token) = person(&app, "script", Role::Manager).await;
    let incident_id = incident(&app, &token).await;
    let people = accounts::people(app.state.db.read()).await.unwrap();
    let eli = people.iter().find(|(_, n)| n == "eli Example").unwrap().0;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (_, created) = send(
            &app,
            "POST",
            "/api/v1/action-items",
            Some(&token),
            Some(item(incident_id, eli, "2026-11-20", false)),
        )
        .await;
        ids.push(created["id"].as_i64().unwrap().to_string());
    }
    let engineer = app.login_cookie("eli").await;
    let manager = app.login_cookie("manu").await;
    let unread = |me: &str| serde_json::from_str::<Value>(me).unwrap()["unread_notices"].clone();
    let me = app.call("me", &[], Some(&engineer)).await;
    assert_eq!(
        unread(&me.body),
        2,
        "two items were given to eli: {}",
        me.body
    );
    let page = app.get("/action-items", Some(&engineer)).await;
    assert!(page.body.contains("Inbox, 2 unread"), "{}", page.body);

    let new_owner = people
        .iter()
        .find(|(_, n)| n == "manu Example")
        .unwrap()
        .0
        .to_string();
    let bulk = [
        ("ids[]", ids[0].as_str()),
        ("ids[]", ids[1].as_str()),
        ("change", "owner"),
        ("owner_id", new_owner.as_str()),
    ];
    let reply = app.call("action_items/bulk", &bulk, Some(&engineer)).await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "engineers do not bulk-edit"
    );
    let reply = app.call("action_items/bulk", &bulk, Some(&manager)).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "2"));

    let history = app
        .call("action_item", &[("id", ids[0].as_str())], Some(&manager))
        .await;
    let detail: Value = serde_json::from_str(&history.body).unwrap();
    assert_eq!(detail["row"]["owner"], "manu Example");
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["changes"][0]["after"] == "manu Example"
                && h["changes"][0]["before"] == "eli Example"),
        "the reassignment is recorded: {detail}"
    );
    // Managers gave the items to themselves: no notice to themselves.
    let me = app.call("me", &[], Some(&manager)).await;
    assert_eq!(unread(&me.body), 0);

    let reply = app.call("inbox/read", &[], Some(&engineer)).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "2"));
    let me = app.call("me", &[], Some(&engineer)).await;
    assert_eq!(unread(&me.body), 0);
    let page = app.get("/action-items", Some(&engineer)).await;
    assert!(page.body.contains("Inbox, 0 unread"), "{}", page.body);

    let viewer_move = app
        .call(
            "action_item/move",
            &[
                ("id", ids[0].as_str()),
                ("version", "2"),
                ("action", "commit"),
            ],
            None,
        )
        .await;
    assert_eq!(viewer_move.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_csv_and_json_exports_list_what_the_filters_match() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    let (eli, token) = person(&app, "eli", Role::Engineer).await;
    let (_, manager) = person(&app, "manu", Role::Manager).await;
    let incident_id = incident(&app, &manager).await;
    let mut tricky = item(incident_id, eli, "2026-11-20", true);
    tricky["title"] = json!("=cmd, \"quoted\" title");
    send(
        &app,
        "POST",
        "/api/v1/action-items",
        Some(&token),
        Some(tricky),
    )
    .await;
    let mut proposed = item(incident_id, eli, "2026-11-21", false);
    proposed["title"] = json!("Only an idea so far");
    send(
        &app,
        "POST",
        "/api/v1/action-items",
        Some(&token),
        Some(proposed),
    )
    .await;

    let reply = app
        .get("/action-items/export.csv?state=open", Some(&admin))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "private data"
    );
    assert!(
        reply
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "the header and the one open item: {}",
        reply.body
    );
    assert!(lines[0].starts_with("id,title,state,standing,incident_id,owner"));
    assert!(
        lines[1].contains("\"'=cmd, \"\"quoted\"\" title\",Open"),
        "quoted, and not a formula: {}",
        lines[1]
    );
    assert!(lines[1].contains("eli Example"));

    let everything = app.get("/action-items/export.csv", Some(&admin)).await;
    assert_eq!(everything.body.lines().count(), 3);

    let json = app
        .get("/action-items/export.json?state=open", Some(&admin))
        .await;
    assert_eq!(json.status, StatusCode::OK, "{json:?}");
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert!(
        json.header("content-disposition")
            .is_some_and(|d| d.contains("action-items.json"))
    );
    let items: Value = serde_json::from_str(&json.body).unwrap();
    let items = items.as_array().expect("an array of items");
    assert_eq!(items.len(), 1, "the same filter as the CSV: {}", json.body);
    assert_eq!(
        items[0]["title"], "=cmd, \"quoted\" title",
        "JSON keeps the text as typed"
    );
    assert_eq!(items[0]["state"], "open");
    assert_eq!(items[0]["owner"], "eli Example");

    let bad = app
        .get("/action-items/export.json?state=someday", Some(&admin))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("State"), "names the filter: {}", bad.body);

    let signed_out = app.get("/action-items/export.csv", None).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(
        signed_out
            .location()
            .is_some_and(|l| l.starts_with("/login"))
    );
}

#[tokio::test]
async fn a_calendar_feed_serves_its_owner_until_it_is_ended() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "eli", "engineer").await;
    let (_, manager) = person(&app, "manu", Role::Manager).await;
    let incident_id = incident(&app, &manager).await;
    let eli = accounts::people(app.state.db.read())
        .await
        .unwrap()
        .into_iter()
        .find(|(_, n)| n == "eli Example")
        .unwrap()
        .0;
    let mut due = item(incident_id, eli, "2026-11-20", true);
    due["title"] = json!("Canary config changes; like code");
    send(
        &app,
        "POST",
        "/api/v1/action-items",
        Some(&manager),
        Some(due),
    )
    .await;

    let cookie = app.login_cookie("eli").await;
    let made = app.call("calendar_feed/new", &[], Some(&cookie)).await;
    assert_eq!(made.status, StatusCode::OK);
    let path: String = serde_json::from_str(&made.body).unwrap();
    assert!(
        path.starts_with("/calendar/hsc_") && path.ends_with(".ics"),
        "{path}"
    );

    let feed = app.get(&path, None).await;
    assert_eq!(
        feed.status,
        StatusCode::OK,
        "no session is needed: {feed:?}"
    );
    assert_eq!(
        feed.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert!(feed.body.contains("BEGIN:VEVENT"));
    assert!(feed.body.contains("DTSTART;VALUE=DATE:20261120"));
    assert!(
        feed.body
            .contains("SUMMARY:Due: Canary config changes\\; like code")
    );

    let remade = app.call("calendar_feed/new", &[], Some(&cookie)).await;
    let new_path: String = serde_json::from_str(&remade.body).unwrap();
    assert_eq!(
        app.get(&path, None).await.status,
        StatusCode::NOT_FOUND,
        "the old address ends"
    );
    assert_eq!(app.get(&new_path, None).await.status, StatusCode::OK);

    app.call("calendar_feed/revoke", &[], Some(&cookie)).await;
    assert_eq!(app.get(&new_path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/calendar/hsc_guess.ics", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn days_are_counted_in_the_organisations_reporting_zone() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "eli", "engineer").await;
    let (_, manager) = person(&app, "manu", Role::Manager).await;
    let incident_id = incident(&app, &manager).await;
    let eli = accounts::people(app.state.db.read())
        .await
        .unwrap()
        .into_iter()
        .find(|(_, n)| n == "eli Example")
        .unwrap()
        .0;
    // 23:30 UTC on the last day of November: already 1 December in Tokyo.
    app.clock
        .advance(Duration::days(28) + Duration::hours(14) + Duration::minutes(30));
    let mut monthly = item(incident_id, eli, "2026-11-30", true);
    monthly["cadence"] = json!("monthly");
    let (_, created) = send(
        &app,
        "POST",
        "/api/v1/action-items",
        Some(&manager),
        Some(monthly),
    )
    .await;
    let path = format!("/api/v1/action-items/{}", created["id"]);
    assert_eq!(created["standing"], Value::Null, "still due today in UTC");

    // Sessions from four weeks ago have ended; sign in afresh.
    let admin = app.login_cookie("ada").await;
    let engineer = app.login_cookie("eli").await;
    let zone = [("reporting_zone", "Asia/Tokyo"), ("version", "1")];
    let refused = app
        .call("admin/organisation/save", &zone, Some(&engineer))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "admins only");
    let saved = app
        .call("admin/organisation/save", &zone, Some(&admin))
        .await;
    assert_eq!(
        (saved.status, saved.body.as_str()),
        (StatusCode::OK, "\"Asia/Tokyo\"")
    );
    let stale = app
        .call("admin/organisation/save", &zone, Some(&admin))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let (_, late) = send(&app, "GET", &path, Some(&manager), None).await;
    assert_eq!(
        late["standing"], "overdue",
        "it is 1 December in Tokyo: {late}"
    );
    let (_, done) = send(
        &app,
        "POST",
        &format!("{path}/transition"),
        Some(&manager),
        Some(json!({"action": "complete", "version": 1})),
    )
    .await;
    assert_eq!(done["verify_on"], "2027-01-01", "done in December: {done}");
}

/// A person with a display name of their own; returns their id.
async fn named(app: &TestApp, username: &str, display_name: &str, role: Role) -> i64 {
    accounts::create(
        app.state.db.write(),
        NewAccount {
            username: Username::parse(username).unwrap(),
            display_name: DisplayName::parse(display_name).unwrap(),
            email: Email::parse(&format!("{username}@example.com")).unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role,
        },
        app.clock.now(),
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn an_owner_is_typed_as_a_name_and_chosen_from_suggestions() {
    let app = TestApp::new().await;
    let (_, manager) = person(&app, "manu", Role::Manager).await;
    let incident_id = incident(&app, &manager).await;
    let bea = named(&app, "bea", "Bea Engineer", Role::Engineer).await;
    named(&app, "abe", "Abe Beasley", Role::Engineer).await;
    named(&app, "abel", "Abel Obeah", Role::Engineer).await;
    named(&app, "beatrice", "Beatrice Viewer", Role::Viewer).await;
    named(&app, "sam.lee", "Sam Lee", Role::Engineer).await;
    named(&app, "sam.lee2", "Sam Lee", Role::Engineer).await;
    named(&app, "eli", "Eli Engineer", Role::Engineer).await;
    named(&app, "yuri", "Yuri Young", Role::Engineer).await;
    named(&app, "zoe", "Zoe Zimmer", Role::Engineer).await;
    let engineer = app.login_cookie("eli").await;
    let viewer = app.login_cookie("beatrice").await;

    // Suggestions: names that start with what was typed, then a later word that does, then the
    // rest; never viewers, who cannot be given items; only for people who are signed in.
    let suggested = |reply: common::Reply| -> Vec<String> {
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        serde_json::from_str::<Vec<Value>>(&reply.body)
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} ({})",
                    p["name"].as_str().unwrap(),
                    p["username"].as_str().unwrap()
                )
            })
            .collect()
    };
    let reply = app
        .call("people/suggest", &[("query", "BEA")], Some(&viewer))
        .await;
    assert_eq!(
        suggested(reply),
        [
            "Bea Engineer (bea)",
            "Abe Beasley (abe)",
            "Abel Obeah (abel)"
        ]
    );
    let reply = app
        .call("people/suggest", &[("query", "sam.lee2")], Some(&viewer))
        .await;
    assert_eq!(suggested(reply), ["Sam Lee (sam.lee2)"]);
    let reply = app
        .call("people/suggest", &[("query", "")], Some(&viewer))
        .await;
    assert_eq!(
        suggested(reply),
        [
            "Abe Beasley (abe)",
            "Abel Obeah (abel)",
            "Bea Engineer (bea)",
            "Eli Engineer (eli)",
            "manu Example (manu)",
            "Sam Lee (sam.lee)",
            "Sam Lee (sam.lee2)",
            "Yuri Young (yuri)",
        ],
        "an empty field suggests the first eight by name"
    );
    let reply = app.call("people/suggest", &[("query", "bea")], None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // What the owner field holds is read as a label, a username or a name.
    let raise = |owner: String| {
        let incident = incident_id.to_string();
        let app = &app;
        let engineer = engineer.clone();
        async move {
            app.call(
                "action_item/save",
                &[
                    ("incident_id", incident.as_str()),
                    ("title", "Alert on ledger write latency"),
                    ("owner_id", owner.as_str()),
                    ("due_on", "2026-12-20"),
                ],
                Some(&engineer),
            )
            .await
        }
    };
    let owner_of = |reply: common::Reply| {
        let app = &app;
        let engineer = engineer.clone();
        async move {
            assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
            let form = app
                .call(
                    "action_item_form",
                    &[("id", reply.body.as_str())],
                    Some(&engineer),
                )
                .await;
            let form: Value = serde_json::from_str(&form.body).unwrap();
            form["values"]["owner_id"].as_str().unwrap().to_string()
        }
    };
    for (typed, owner) in [
        ("Sam Lee (sam.lee)".to_string(), "Sam Lee (sam.lee)"),
        ("sam.lee2".to_string(), "Sam Lee (sam.lee2)"),
        ("  bea engineer ".to_string(), "Bea Engineer (bea)"),
        (bea.to_string(), "Bea Engineer (bea)"),
        (String::new(), ""),
    ] {
        assert_eq!(
            owner_of(raise(typed.clone()).await).await,
            owner,
            "typed {typed:?}"
        );
    }

    for (typed, complaint) in [
        ("Sam Lee", "could be any of 2 people called “Sam Lee”"),
        (
            "Nobody Here",
            "names no one who can be given items (“Nobody Here”)",
        ),
        ("Beatrice Viewer", "names no one who can be given items"),
    ] {
        let reply = raise(typed.to_string()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed}: {reply:?}"
        );
        assert!(
            reply.body.contains(r#""field":"owner_id""#) && reply.body.contains(complaint),
            "{typed}: {}",
            reply.body
        );
    }

    // The filter and the export read a typed owner the same way.
    let reply = app
        .get(
            "/action-items/export.csv?owner=Sam+Lee+%28sam.lee2%29",
            Some(&engineer),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(
        reply.body.lines().count(),
        2,
        "a heading and Sam's one item: {}",
        reply.body
    );
    let reply = app
        .call(
            "action_items",
            &[("params[owner]", "SAM.LEE")],
            Some(&engineer),
        )
        .await;
    let list: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(
        (list["total"].as_u64(), list["owner"].as_str()),
        (Some(1), Some("Sam Lee (sam.lee)")),
        "{list}"
    );
    let reply = app
        .call(
            "action_items",
            &[("params[owner]", "Sam Lee")],
            Some(&engineer),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    assert!(reply.body.contains(r#""field":"owner""#), "{}", reply.body);
}

#[tokio::test]
async fn the_manager_filters_items_by_a_team_or_service_typed_by_name() {
    let app = TestApp::new().await;
    let (manager_id, manager) = person(&app, "manu", Role::Manager).await;
    let incident_id = incident(&app, &manager).await;
    let (_, payouts) = send(
        &app,
        "POST",
        "/api/v1/teams",
        Some(&manager),
        Some(json!({"name": "Payouts"})),
    )
    .await;
    let (_, teams) = send(&app, "GET", "/api/v1/teams", Some(&manager), None).await;
    let payments = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Payments")
        .unwrap()["id"]
        .clone();
    let (_, services) = send(&app, "GET", "/api/v1/services", Some(&manager), None).await;
    let ledger = services[0]["id"].clone();
    for (title, team, service) in [
        ("Alert on ledger write latency", &payments, ledger),
        ("Runbook for stuck payouts", &payouts["id"], Value::Null),
    ] {
        let mut body = item(incident_id, manager_id, "2026-12-20", true);
        body["title"] = json!(title);
        body["team_id"] = team.clone();
        body["service_id"] = service;
        let (status, made) = send(
            &app,
            "POST",
            "/api/v1/action-items",
            Some(&manager),
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
    }
    let cookie = app.login_cookie("manu").await;

    for query in ["team=payments", "team=PAYMENTS", "service=ledg"] {
        let page = app
            .get(&format!("/action-items?{query}"), Some(&cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert!(
            page.body.contains("Alert on ledger write latency"),
            "{query}: {}",
            page.body
        );
        assert!(
            !page.body.contains("Runbook for stuck payouts"),
            "{query}: {}",
            page.body
        );
    }
    let page = app.get("/action-items?team=pay", Some(&cookie)).await;
    assert!(
        page.body.contains(
            "Team could be any of 2 teams (“pay”: Payments, Payouts): pick one from the suggestions"
        ),
        "{}",
        page.body
    );
    let page = app
        .get("/action-items?service=billing", Some(&cookie))
        .await;
    assert!(
        page.body.contains("Service names no service (“billing”)"),
        "{}",
        page.body
    );

    let (status, listed) = send(
        &app,
        "GET",
        "/api/v1/action-items?team=Payouts",
        Some(&manager),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let titles: Vec<&str> = listed["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Runbook for stuck payouts"]);
}
