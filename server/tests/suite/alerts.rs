//! Incidents from alerts: recorded Alertmanager and PagerDuty deliveries sent through the whole
//! HTTP stack, each checked by the incident and timeline a person would then read.

use crate::common;

use app::domain::alert::AlertSourceKind;
use app::domain::catalog::CatalogName;
use app::entities::{alert_source, incident, timeline_event, user};
use app::services::alerts::{self, RuleTarget};
use app::services::{catalog, incidents, timeline};
use axum::body::Body;
use chrono::{DateTime, TimeZone, Utc};
use common::TestApp;
use hmac::{Hmac, Mac};
use http::{Request, StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;
use sha2::Sha256;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/suite/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

async fn post(
    app: &TestApp,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = Request::post(path)
        .header(header::HOST, "hindsight.test")
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    let reply = app.send(req.body(Body::from(body)).unwrap()).await;
    (
        reply.status,
        serde_json::from_str(&reply.body).unwrap_or(Value::Null),
    )
}

/// Teams and services the alerts name: checkout and search, and the payments API.
async fn catalogue(app: &TestApp) -> (i64, i64, i64) {
    let db = app.state.db.write();
    let team = catalog::create_team(db, CatalogName::parse("Shop").unwrap(), now())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for name in ["checkout", "search", "payments-api"] {
        let service = catalog::create_service(
            db,
            catalog::ServiceInput {
                team_id: team.id,
                name: CatalogName::parse(name).unwrap(),
                slo_target: None,
                runbook_url: None,
            },
            now(),
        )
        .await
        .unwrap();
        ids.push(service.id);
    }
    (ids[0], ids[1], ids[2])
}

async fn incident_count(app: &TestApp) -> u64 {
    incident::Entity::find()
        .count(app.state.db.read())
        .await
        .unwrap()
}

async fn events(app: &TestApp, incident_id: i64) -> Vec<timeline_event::Model> {
    timeline::list(app.state.db.read(), incident_id)
        .await
        .unwrap()
}

async fn alertmanager_deliveries_open_update_and_resolve_an_incident(app: TestApp) {
    let (checkout, search, _) = catalogue(&app).await;
    let path = "/api/v1/alerts/alertmanager";

    let (status, body) = post(&app, path, &[], fixture("alertmanager/firing.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "off until turned on: {body}");
    assert_eq!(body["error"]["code"], "not_enabled");

    let token = alerts::set_secret(
        app.state.db.write(),
        AlertSourceKind::Alertmanager,
        None,
        now(),
    )
    .await
    .unwrap()
    .expect("a token is shown once");
    let bearer = |t: &str| vec![("authorization", format!("Bearer {t}"))];

    let (status, _) = post(&app, path, &[], fixture("alertmanager/firing.json")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no token");
    let (status, _) = post(
        &app,
        path,
        &bearer("hs_am_wrong"),
        fixture("alertmanager/firing.json"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong token");
    assert_eq!(incident_count(&app).await, 0);

    // Firing: an incident detected by an alert, at the alert's start.
    let (status, body) = post(
        &app,
        path,
        &bearer(&token),
        fixture("alertmanager/firing.json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "opened");
    let id = body["incident_id"].as_i64().unwrap();
    let record = incidents::get(app.state.db.read(), id)
        .await
        .unwrap()
        .unwrap();
    let opened = &record.incident;
    assert_eq!(opened.title, "HighErrorRate: 5xx above 5%");
    assert_eq!(opened.severity, "sev1", "severity=critical");
    assert_eq!(opened.detected_by.as_deref(), Some("alert"));
    assert_eq!(opened.started_at, at("2026-11-02T08:55:12Z"));
    assert_eq!(opened.detected_at, Some(at("2026-11-02T08:55:12Z")));
    assert_eq!(opened.resolved_at, None);
    assert_eq!(record.service_ids, vec![checkout], "job=checkout");
    assert!(opened.summary.contains("7.2% of requests"));
    let author = user::Entity::find_by_id(opened.created_by)
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(author.display_name, "Alertmanager");
    assert!(author.disabled, "the integration's account cannot sign in");
    let timeline = events(&app, id).await;
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].kind, "detection");
    assert_eq!(timeline[0].occurred_at, at("2026-11-02T08:55:12Z"));
    assert!(timeline[0].body.contains("HighErrorRate"));
    assert!(timeline[0].body.contains("`job=checkout`"));

    // The same notification again (Alertmanager repeats them) changes nothing.
    let (status, body) = post(
        &app,
        path,
        &bearer(&token),
        fixture("alertmanager/firing.json"),
    )
    .await;
    assert_eq!(
        (status, body["result"].as_str()),
        (StatusCode::OK, Some("unchanged"))
    );
    assert_eq!(events(&app, id).await.len(), 1);
    assert_eq!(incident_count(&app).await, 1);

    // A second alert joins the group: its service is added and its firing is on the timeline.
    let (status, body) = post(
        &app,
        path,
        &bearer(&token),
        fixture("alertmanager/firing-second.json"),
    )
    .await;
    assert_eq!(
        (status, body["result"].as_str()),
        (StatusCode::OK, Some("updated")),
        "{body}"
    );
    assert_eq!(body["incident_id"].as_i64(), Some(id));
    let record = incidents::get(app.state.db.read(), id)
        .await
        .unwrap()
        .unwrap();
    let mut services = record.service_ids.clone();
    services.sort_unstable();
    assert_eq!(services, vec![checkout, search]);
    assert_eq!(events(&app, id).await.len(), 2);

    // Every alert resolved: the incident is resolved when the last one ended.
    let (status, body) = post(
        &app,
        path,
        &bearer(&token),
        fixture("alertmanager/resolved.json"),
    )
    .await;
    assert_eq!(
        (status, body["result"].as_str()),
        (StatusCode::OK, Some("updated")),
        "{body}"
    );
    let resolved = incidents::get(app.state.db.read(), id)
        .await
        .unwrap()
        .unwrap()
        .incident;
    assert_eq!(resolved.resolved_at, Some(at("2026-11-02T09:31:27Z")));
    let timeline = events(&app, id).await;
    assert_eq!(timeline.len(), 4);
    let marking: Vec<_> = timeline.iter().filter(|e| e.marks.is_some()).collect();
    assert_eq!(marking.len(), 1);
    assert_eq!(marking[0].marks.as_deref(), Some("resolved"));
    assert_eq!(marking[0].occurred_at, at("2026-11-02T09:31:27Z"));

    let (_, body) = post(
        &app,
        path,
        &bearer(&token),
        fixture("alertmanager/resolved.json"),
    )
    .await;
    assert_eq!(body["result"], "unchanged", "a repeated resolution");
    assert_eq!(events(&app, id).await.len(), 4);

    // A still-firing notice of an alert already in the resolved incident does not open another.
    let (_, body) = post(
        &app,
        path,
        &bearer(&token),
        fixture("alertmanager/firing.json"),
    )
    .await;
    assert_eq!(body["result"], "unchanged");
    assert_eq!(incident_count(&app).await, 1);

    // The alert starting again is a new incident.
    let again = String::from_utf8(fixture("alertmanager/firing.json"))
        .unwrap()
        .replace("2026-11-02T08:55:12.345Z", "2026-11-02T09:50:00.000Z");
    let (_, body) = post(&app, path, &bearer(&token), again.into_bytes()).await;
    assert_eq!(body["result"], "opened");
    assert_ne!(body["incident_id"].as_i64(), Some(id));
    assert_eq!(incident_count(&app).await, 2);
}

async fn refused_alertmanager_deliveries_write_nothing_and_say_why(app: TestApp) {
    catalogue(&app).await;
    let token = alerts::set_secret(
        app.state.db.write(),
        AlertSourceKind::Alertmanager,
        None,
        now(),
    )
    .await
    .unwrap()
    .unwrap();
    let auth = vec![("authorization", format!("Bearer {token}"))];
    let path = "/api/v1/alerts/alertmanager";

    let (status, body) = post(
        &app,
        path,
        &auth,
        b"{\"version\": \"4\", \"alerts\": [".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "malformed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the body is not a webhook payload"),
        "{body}"
    );

    let old = String::from_utf8(fixture("alertmanager/firing.json"))
        .unwrap()
        .replace("\"version\": \"4\"", "\"version\": \"3\"");
    let (status, body) = post(&app, path, &auth, old.into_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("version must be \"4\"")
    );

    // No label names a known service, and there is no fallback: refused, nothing half-written.
    let unknown = String::from_utf8(fixture("alertmanager/firing.json"))
        .unwrap()
        .replace("\"job\": \"checkout\"", "\"job\": \"billing\"");
    let (status, body) = post(&app, path, &auth, unknown.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("job=billing") && message.contains("Admin → Alerts"),
        "{message}"
    );
    assert_eq!(incident_count(&app).await, 0);
    let source = alert_source::Entity::find_by_id("alertmanager".to_string())
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    assert!(
        source.last_error.unwrap().contains("job=billing"),
        "kept for the admin page"
    );

    // A rule maps it; the same delivery now opens an incident on that service.
    let checkout = catalog::services(app.state.db.read()).await.unwrap()[0].id;
    alerts::add_mapping(
        app.state.db.write(),
        AlertSourceKind::Alertmanager,
        "job".into(),
        "billing".into(),
        RuleTarget::Service(checkout),
    )
    .await
    .unwrap();
    let (status, body) = post(&app, path, &auth, unknown.into_bytes()).await;
    assert_eq!(
        (status, body["result"].as_str()),
        (StatusCode::OK, Some("opened")),
        "{body}"
    );
}

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v1={hex}")
}

async fn pagerduty_deliveries_are_signed_and_taken_in_once(app: TestApp) {
    let (_, _, payments) = catalogue(&app).await;
    let secret = "pd-signing-secret-9f2c";
    alerts::set_secret(
        app.state.db.write(),
        AlertSourceKind::PagerDuty,
        Some(secret),
        now(),
    )
    .await
    .unwrap();
    // PagerDuty's service is called "Payments API"; a rule says which service that is here.
    alerts::add_mapping(
        app.state.db.write(),
        AlertSourceKind::PagerDuty,
        "service".into(),
        "Payments API".into(),
        RuleTarget::Service(payments),
    )
    .await
    .unwrap();
    let path = "/api/v1/alerts/pagerduty";
    let signed = |name: &str| {
        let body = fixture(name);
        (vec![("x-pagerduty-signature", sign(secret, &body))], body)
    };

    let triggered = fixture("pagerduty/triggered.json");
    let (status, body) = post(&app, path, &[], triggered.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_signature"))
    );
    let forged = vec![("x-pagerduty-signature", sign("not-the-secret", &triggered))];
    let (status, _) = post(&app, path, &forged, triggered.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(incident_count(&app).await, 0);

    let (headers, body) = signed("pagerduty/ping.json");
    let (status, reply) = post(&app, path, &headers, body).await;
    assert_eq!(
        (status, reply["result"].as_str()),
        (StatusCode::OK, Some("ignored"))
    );

    let (headers, body) = signed("pagerduty/triggered.json");
    let (status, reply) = post(&app, path, &headers, body.clone()).await;
    assert_eq!(
        (status, reply["result"].as_str()),
        (StatusCode::OK, Some("opened")),
        "{reply}"
    );
    let id = reply["incident_id"].as_i64().unwrap();
    let record = incidents::get(app.state.db.read(), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        record.incident.title,
        "Payments API: card authorisations failing"
    );
    assert_eq!(record.incident.severity, "sev1", "priority P1");
    assert_eq!(
        record.incident.detected_at,
        Some(at("2026-11-02T08:57:03Z"))
    );
    assert_eq!(record.service_ids, vec![payments]);

    let (status, reply) = post(&app, path, &headers, body).await;
    assert_eq!(
        (status, reply["result"].as_str()),
        (StatusCode::OK, Some("duplicate")),
        "a redelivery"
    );
    assert_eq!(events(&app, id).await.len(), 1);

    let (headers, body) = signed("pagerduty/acknowledged.json");
    let (_, reply) = post(&app, path, &headers, body).await;
    assert_eq!(reply["result"], "updated");
    let acked = incidents::get(app.state.db.read(), id)
        .await
        .unwrap()
        .unwrap()
        .incident;
    assert_eq!(acked.acknowledged_at, Some(at("2026-11-02T09:02:44Z")));
    let timeline = events(&app, id).await;
    assert_eq!(timeline.len(), 2);
    assert!(timeline[1].body.contains("acknowledged") && timeline[1].body.contains("Grace Hopper"));

    let (headers, body) = signed("pagerduty/resolved.json");
    let (_, reply) = post(&app, path, &headers, body).await;
    assert_eq!(reply["result"], "updated");
    let resolved = incidents::get(app.state.db.read(), id)
        .await
        .unwrap()
        .unwrap()
        .incident;
    assert_eq!(resolved.resolved_at, Some(at("2026-11-02T09:48:10Z")));
    assert_eq!(events(&app, id).await.len(), 3);

    let malformed = b"{\"event\": {\"id\": \"x\", \"event_type\": \"incident.triggered\"".to_vec();
    let headers = vec![("x-pagerduty-signature", sign(secret, &malformed))];
    let (status, reply) = post(&app, path, &headers, malformed).await;
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed"))
    );
    assert_eq!(incident_count(&app).await, 1);
}

async fn only_admins_manage_alert_sources(app: TestApp) {
    catalogue(&app).await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "eve", "manager").await;
    let eve = app.login_cookie("eve").await;

    let reply = app
        .call(
            "admin/alerts/secret",
            &[("source", "alertmanager")],
            Some(&eve),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{reply:?}");

    let page = app.get("/admin/alerts", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Alertmanager") && page.body.contains("PagerDuty"));
    assert!(page.body.contains("/api/v1/alerts/alertmanager"));

    let reply = app
        .call(
            "admin/alerts/secret",
            &[("source", "alertmanager")],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let token: Option<String> = serde_json::from_str(&reply.body).unwrap();
    assert!(token.unwrap().starts_with(alerts::TOKEN_PREFIX));

    let reply = app
        .call(
            "admin/alerts/secret",
            &[("source", "pagerduty"), ("secret", "  ")],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    assert!(reply.body.contains("Signing secret"), "{}", reply.body);

    let reply = app
        .call(
            "admin/alerts/settings",
            &[
                ("source", "alertmanager"),
                ("service_labels", "service, 9job"),
                ("version", "1"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("9job"), "{}", reply.body);

    let reply = app
        .call(
            "admin/alerts/rules/add",
            &[
                ("source", "alertmanager"),
                ("label", "severity"),
                ("value", "page"),
                ("severity", "sev2"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let page = app.get("/admin/alerts", Some(&admin)).await;
    assert!(
        page.body.contains("severity=page"),
        "the new rule is listed"
    );
    assert!(page.body.contains("severity=critical"), "with the defaults");
}

/// A rule refused without JavaScript comes back with what was typed, in its own form only.
#[tokio::test]
async fn a_rule_refused_without_javascript_keeps_what_was_typed_in_its_form() {
    let app = TestApp::on(crate::common::sqlite().await, now()).await;
    let (_, _, payments) = catalogue(&app).await;
    let admin = app.create_first_admin().await;
    alerts::set_secret(
        app.state.db.write(),
        AlertSourceKind::Alertmanager,
        None,
        now(),
    )
    .await
    .unwrap();
    alerts::set_secret(
        app.state.db.write(),
        AlertSourceKind::PagerDuty,
        Some("pd-secret"),
        now(),
    )
    .await
    .unwrap();
    let service_id = payments.to_string();
    let refused = app
        .post_form(
            "admin/alerts/rules/add",
            &[
                ("source", "alertmanager"),
                ("label", "9 not a label"),
                ("value", "payments gateway"),
                ("service_id", &service_id),
            ],
            Some(&admin),
            "/admin/alerts",
        )
        .await;
    let back = refused
        .location()
        .and_then(|l| l.strip_prefix("http://hindsight.test"))
        .expect("sent back to the page")
        .to_string();
    let page = app.get(&back, Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let kept_value = "value=\"payments gateway\"";
    assert_eq!(
        page.body.matches(kept_value).count(),
        1,
        "only the refused form has it back: {}",
        page.body
    );
    let form = &page.body[page
        .body
        .find("id=\"alertmanager-service-rule-value\"")
        .unwrap()..];
    assert!(form[..200].contains(kept_value), "{}", &form[..200]);
    assert!(page.body.contains("value=\"9 not a label\""));

    // A refused secret is never carried back in the address.
    let refused = app
        .post_form(
            "admin/alerts/secret",
            &[("source", "pagerduty"), ("secret", "pd secret with spaces")],
            Some(&admin),
            "/admin/alerts",
        )
        .await;
    let back = refused.location().expect("sent back to the page");
    assert!(back.contains("__err="), "{back}");
    assert!(!back.contains("spaces"), "{back}");
}

on_both_apps!(
    alertmanager_deliveries_open_update_and_resolve_an_incident,
    refused_alertmanager_deliveries_write_nothing_and_say_why,
    pagerduty_deliveries_are_signed_and_taken_in_once,
    only_admins_manage_alert_sources,
);
