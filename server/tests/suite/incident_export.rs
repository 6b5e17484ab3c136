//! An incident exported as markdown and JSON, with its timeline, classification, action items
//! and postmortem, as someone taking it to a wiki or another tool would read it.

use crate::common;

use app::services::api_tokens;
use axum::body::Body;
use chrono::{TimeZone, Utc};
use common::TestApp;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};

async fn api(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> Value {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "hindsight.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let reply = app.send(req).await;
    assert!(reply.status.is_success(), "{method} {path}: {reply:?}");
    serde_json::from_str(&reply.body).unwrap()
}

async fn export_has_everything_a_reader_needs(app: TestApp) {
    let cookie = app.create_first_admin().await;
    let ada = app_user_id(&app, "ada").await;
    let token = api_tokens::create(app.state.db.write(), ada, "test", app.clock.now())
        .await
        .unwrap()
        .1;
    let team = api(
        &app,
        &token,
        "POST",
        "/api/v1/teams",
        json!({"name": "Payments"}),
    )
    .await;
    let service = api(
        &app,
        &token,
        "POST",
        "/api/v1/services",
        json!({"team_id": team["id"], "name": "ledger"}),
    )
    .await;
    let incident = api(
        &app,
        &token,
        "POST",
        "/api/v1/incidents",
        json!({
            "title": "Ledger writes timed out", "severity": "sev2", "services": [service["id"]],
            "summary": "Writes to the ledger timed out for 40 minutes.",
            "started_at": "2026-10-30T14:00:00Z", "detected_at": "2026-10-30T14:12:00Z",
            "resolved_at": "2026-10-30T14:40:00Z", "detected_by": "user_report",
            "monitoring_should_have_caught": true, "known_problem": false,
            "runbook_outcome": "none_existed", "cause_category": "capacity",
            "customer_impact": true, "impact_description": "Card payments failed.",
            "tags": ["database"],
        }),
    )
    .await;
    let id = incident["id"].as_i64().unwrap();
    api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/incidents/{id}/timeline"),
        json!({"occurred_at": "2026-10-30T14:12:00Z", "kind": "detection",
               "body": "Support reports failed card payments.\n\nSee the ticket."}),
    )
    .await;
    api(
        &app,
        &token,
        "POST",
        "/api/v1/action-items",
        json!({"title": "Alert on ledger write latency", "incident_id": id, "owner_id": ada,
               "type": "detect", "priority": "p1", "due_on": "2026-11-20", "cadence": "weekly",
               "commit": true, "tracker_url": "https://tracker.example.com/PAY-1"}),
    )
    .await;
    api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/incidents/{id}/postmortem"),
        json!({"body": "## What happened\n\nThe connection pool was too small.", "version": 0}),
    )
    .await;

    let reply = app.get(&format!("/incidents/{id}/export.json"), None).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "signed-out readers are sent to sign in"
    );

    let reply = app
        .get(&format!("/incidents/{id}/export.json"), Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert!(
        reply
            .header("content-disposition")
            .unwrap()
            .contains(&format!("incident-{id}.json"))
    );
    let doc: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(doc["format"], "hindsight.incident/1");
    assert_eq!(doc["incident"]["title"], "Ledger writes timed out");
    assert_eq!(doc["incident"]["services"][0]["name"], "ledger");
    assert_eq!(doc["incident"]["detected_by"], "user_report");
    assert_eq!(doc["incident"]["runbook_outcome"], "none_existed");
    assert_eq!(doc["incident"]["tags"], json!(["database"]));
    assert_eq!(doc["timeline"][0]["kind"], "detection");
    assert_eq!(doc["timeline"][0]["author"]["name"], "Ada Admin");
    assert_eq!(
        doc["action_items"][0]["title"],
        "Alert on ledger write latency"
    );
    assert_eq!(doc["action_items"][0]["owner"]["name"], "Ada Admin");
    assert_eq!(doc["action_items"][0]["state"], "open");
    assert_eq!(doc["postmortem"]["status"], "draft");
    assert!(
        doc["postmortem"]["body"]
            .as_str()
            .unwrap()
            .contains("pool was too small")
    );

    let reply = app
        .get(&format!("/incidents/{id}/export.md"), Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/markdown")
    );
    let md = reply.body;
    for expected in [
        "# Ledger writes timed out",
        "- **Severity:** SEV2",
        "- **Services:** ledger",
        "- **Detected:** 2026-10-30 14:12:00 UTC (12m 00s after the start)",
        "- **Detected by:** User report",
        "- **Monitoring should have caught it:** yes",
        "- **Runbook:** No runbook existed",
        "- **Customer impact:** yes: Card payments failed.",
        "## Timeline",
        "- **2026-10-30 14:12:00 UTC** · Detection · Ada Admin",
        "  Support reports failed card payments.",
        "- [ ] Alert on ledger write latency (open, owner Ada Admin, due 2026-11-20)",
        "  Tracker: <https://tracker.example.com/PAY-1>",
        "## Postmortem (Draft)",
        "The connection pool was too small.",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }

    let reply = app.get("/incidents/99999/export.md", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // The list exports every incident its filters match, newest first.
    api(
        &app,
        &token,
        "POST",
        "/api/v1/incidents",
        json!({"title": "Search, slow", "severity": "sev3", "services": [service["id"]],
               "started_at": "2026-10-31T08:00:00Z"}),
    )
    .await;
    let reply = app.get("/incidents/export.json", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let rows: Value = serde_json::from_str(&reply.body).unwrap();
    let titles: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Search, slow", "Ledger writes timed out"]);

    let reply = app
        .get("/incidents/export.csv?severity=sev2", Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    let mut csv = csv::Reader::from_reader(reply.body.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(&header[..4], ["id", "title", "severity", "services"]);
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1, "only the SEV2 one");
    let field = |name: &str| records[0][header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(field("id"), id.to_string());
    assert_eq!(field("title"), "Ledger writes timed out");
    assert_eq!(field("services"), "ledger");
    assert_eq!(field("resolved_at"), "2026-10-30T14:40:00+00:00");
    assert_eq!(field("detected_by"), "user_report");
    assert_eq!(field("postmortem_status"), "draft");

    let reply = app
        .get("/incidents/export.csv?severity=sev9", Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Severity"), "{}", reply.body);
}

async fn app_user_id(app: &TestApp, username: &str) -> i64 {
    app::services::accounts::find_by_username(
        app.state.db.read(),
        &app::domain::Username::parse(username).unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .id
}

#[tokio::test]
async fn incident_export_on_sqlite() {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    export_has_everything_a_reader_needs(TestApp::on(common::sqlite().await, now).await).await;
}

#[tokio::test]
async fn incident_export_on_postgres() {
    let Some(db) = common::postgres().await else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    export_has_everything_a_reader_needs(TestApp::on(db, now).await).await;
}
