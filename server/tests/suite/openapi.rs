//! The API description at /api/v1/openapi.json against the API itself: every documented
//! operation is called for real, and each answer's status must be documented for it and its body
//! must match the documented schema. A route added without a call here, or a response that
//! drifts from its schema, fails.

use crate::common;

use app::domain::alert::AlertSourceKind;
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::services::accounts::{self, NewAccount};
use app::services::{alerts, api_tokens};
use common::TestApp;
use http::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The published description, and which of its operations the test has called.
struct Described {
    spec: Value,
    called: BTreeSet<(String, String)>,
}

impl Described {
    async fn fetch(app: &TestApp) -> Described {
        let reply = app.get("/api/v1/openapi.json", None).await;
        assert_eq!(reply.status, StatusCode::OK, "public: {reply:?}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        Described {
            spec: serde_json::from_str(&reply.body).expect("the description is JSON"),
            called: BTreeSet::new(),
        }
    }

    fn operations(&self) -> BTreeSet<(String, String)> {
        let mut all = BTreeSet::new();
        for (path, item) in self.spec["paths"].as_object().expect("paths") {
            for method in item.as_object().unwrap().keys() {
                if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    all.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
        all
    }

    /// Sends `method path` as the documented operation `template`, checks the answer against the
    /// description and returns its body.
    async fn call(
        &mut self,
        app: &TestApp,
        token: Option<&str>,
        (method, template, path): (&str, &str, &str),
        body: Option<Value>,
        extra_headers: &[(&str, String)],
    ) -> (StatusCode, Value) {
        let reply = app
            .send(common::api_request(
                method,
                path,
                token,
                body,
                extra_headers,
            ))
            .await;
        let operation = &self.spec["paths"][template][method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {template} answered {} but is not in the description",
            reply.status
        );
        let status = reply.status.as_str().to_string();
        let documented = &operation["responses"][&status];
        assert!(
            documented.is_object(),
            "{method} {path} answered {status}, which its description does not list: {}",
            reply.body
        );
        let schema = &documented["content"]["application/json"]["schema"];
        let body = if schema.is_null() {
            assert!(
                reply.body.is_empty(),
                "{method} {path} {status} is documented without a body: {}",
                reply.body
            );
            Value::Null
        } else {
            assert_eq!(
                reply.header("content-type"),
                Some("application/json"),
                "{method} {path} {status}"
            );
            let body: Value = serde_json::from_str(&reply.body).expect("a JSON body");
            let mut root = schema.clone();
            root.as_object_mut()
                .unwrap()
                .insert("components".into(), self.spec["components"].clone());
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("{method} {template} {status}: bad schema: {e}"));
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{e} at {}", e.instance_path().as_str()))
                .collect();
            assert!(
                errors.is_empty(),
                "{method} {path} {status} does not match its description:\n{}\n{body:#}",
                errors.join("\n")
            );
            body
        };
        self.called
            .insert((method.to_string(), template.to_string()));
        (reply.status, body)
    }
}

/// Every `$ref` in `value`, as found.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

async fn token_for(app: &TestApp, username: &str, role: Role) -> (i64, String) {
    let db = &app.state.db;
    let user = accounts::create(
        db.write(),
        NewAccount {
            username: Username::parse(username).unwrap(),
            display_name: DisplayName::parse(username).unwrap(),
            email: Email::parse(&format!("{username}@example.com")).unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role,
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    let (_, token) = api_tokens::create(db.write(), user.id, "openapi", app.clock.now())
        .await
        .unwrap();
    (user.id, token)
}

#[tokio::test]
async fn the_description_is_openapi_3_1_with_every_reference_defined() {
    let app = TestApp::new().await;
    let api = Described::fetch(&app).await;
    assert_eq!(api.spec["openapi"], "3.1.0");
    assert_eq!(api.spec["info"]["title"], "Hindsight API");
    let mut found = Vec::new();
    refs(&api.spec, &mut found);
    assert!(found.len() > 20, "schemas are shared by reference");
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r} points outside the components"));
        assert!(
            api.spec["components"]["schemas"][name].is_object(),
            "{r} is not defined"
        );
    }
    let incident = &api.spec["components"]["schemas"]["Incident"];
    assert!(
        incident["properties"]["time_to_detect_seconds"].is_object(),
        "{incident:#}"
    );
    assert_eq!(
        api.spec["components"]["schemas"]["Severity"]["enum"],
        json!(["sev1", "sev2", "sev3", "sev4"]),
        "choices list the names the API takes"
    );
    assert_eq!(
        api.spec["security"],
        json!([{ "bearer": [] }]),
        "token auth is documented for every operation"
    );
    assert_eq!(
        api.spec["paths"]["/api/v1/alerts/pagerduty"]["post"]["security"],
        json!([{ "pagerduty_signature": [] }]),
        "and the webhooks' own"
    );
}

#[tokio::test]
async fn every_documented_operation_answers_as_described() {
    let app = TestApp::new().await;
    let mut api = Described::fetch(&app).await;
    let (admin_id, admin) = token_for(&app, "ada", Role::Admin).await;
    let (_, viewer) = token_for(&app, "vic", Role::Viewer).await;
    let admin = Some(admin.as_str());

    // Who is asking, and refusals.
    let (status, _) = api
        .call(&app, None, ("GET", "/api/v1/me", "/api/v1/me"), None, &[])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, me) = api
        .call(&app, admin, ("GET", "/api/v1/me", "/api/v1/me"), None, &[])
        .await;
    assert_eq!(me["role"], "admin");

    // The catalogue.
    let teams = "/api/v1/teams";
    let (status, _) = api
        .call(
            &app,
            Some(&viewer),
            ("POST", teams, teams),
            Some(json!({"name": "Payments"})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, team) = api
        .call(
            &app,
            admin,
            ("POST", teams, teams),
            Some(json!({"name": "Payments"})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    api.call(&app, admin, ("GET", teams, teams), None, &[])
        .await;
    let services = "/api/v1/services";
    let (_, checkout) = api
        .call(
            &app,
            admin,
            ("POST", services, services),
            Some(json!({
                "team_id": team["id"],
                "name": "checkout",
                "slo_target_percent": 99.9,
                "runbook_url": "https://runbooks.example.com/checkout",
            })),
            &[],
        )
        .await;
    let (status, _) = api
        .call(
            &app,
            admin,
            ("POST", services, services),
            Some(json!({"team_id": team["id"], "name": ""})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    api.call(&app, admin, ("GET", services, services), None, &[])
        .await;
    let service_path = format!("/api/v1/services/{}", checkout["id"]);
    let service_op = ("PUT", "/api/v1/services/{id}", service_path.as_str());
    let change = json!({
        "team_id": team["id"],
        "name": "checkout",
        "slo_target_percent": 99.95,
        "version": checkout["version"],
    });
    let (status, _) = api
        .call(&app, admin, service_op, Some(change.clone()), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, stale) = api.call(&app, admin, service_op, Some(change), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(stale["error"]["current_version"].is_i64());

    // Incidents.
    let incidents = "/api/v1/incidents";
    let incident = |title: &str, severity: &str| {
        json!({
            "title": title,
            "summary": "Card payments failed for some customers.",
            "severity": severity,
            "services": [checkout["id"]],
            "customer_impact": true,
            "started_at": "2026-10-30T14:00:00Z",
            "detected_at": "2026-10-30T14:06:00Z",
            "detected_by": "user_report",
            "known_problem": false,
            "runbook_outcome": "none_existed",
            "cause_category": "change",
            "tags": ["payments"],
        })
    };
    let (status, first) = api
        .call(
            &app,
            admin,
            ("POST", incidents, incidents),
            Some(incident("Checkout errors", "sev2")),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, second) = api
        .call(
            &app,
            admin,
            ("POST", incidents, incidents),
            Some(incident("Checkout errors again", "sev2")),
            &[],
        )
        .await;
    let (status, refused) = api
        .call(
            &app,
            admin,
            ("POST", incidents, incidents),
            Some(incident("Bad", "sev9")),
            &[],
        )
        .await;
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("severity"))
    );
    let (_, page) = api
        .call(
            &app,
            Some(&viewer),
            ("GET", incidents, "/api/v1/incidents?severity=sev2&limit=1"),
            None,
            &[],
        )
        .await;
    assert!(page["next"].is_string(), "a second page: {page}");
    let (status, _) = api
        .call(
            &app,
            Some(&viewer),
            ("GET", incidents, "/api/v1/incidents?limit=lots"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let one = "/api/v1/incidents/{id}";
    let first_path = format!("/api/v1/incidents/{}", first["id"]);
    api.call(&app, Some(&viewer), ("GET", one, &first_path), None, &[])
        .await;
    let (status, _) = api
        .call(
            &app,
            Some(&viewer),
            ("GET", one, "/api/v1/incidents/999999"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .call(
            &app,
            Some(&viewer),
            ("GET", one, "/api/v1/incidents/latest"),
            None,
            &[],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an id that is not a number names nothing"
    );
    let mut resolved = incident("Checkout errors", "sev2");
    resolved["resolved_at"] = json!("2026-10-30T15:10:00Z");
    resolved["version"] = first["version"].clone();
    let (status, _) = api
        .call(&app, admin, ("PUT", one, &first_path), Some(resolved), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let second_path = format!("/api/v1/incidents/{}?reason=Recorded%20twice", second["id"]);
    let (status, _) = api
        .call(&app, admin, ("DELETE", one, &second_path), None, &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Its timeline.
    let timeline = "/api/v1/incidents/{id}/timeline";
    let timeline_path = format!("{first_path}/timeline");
    let (status, event) = api
        .call(
            &app,
            admin,
            ("POST", timeline, &timeline_path),
            Some(json!({
                "occurred_at": "2026-10-30T14:20:00Z",
                "kind": "action",
                "body": "Rolled back the **4.2** deploy.",
                "marks": "mitigated",
            })),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, events) = api
        .call(
            &app,
            Some(&viewer),
            ("GET", timeline, &timeline_path),
            None,
            &[],
        )
        .await;
    assert_eq!(events.as_array().map(Vec::len), Some(1));
    let event_op = "/api/v1/timeline/{id}";
    let event_path = format!("/api/v1/timeline/{}", event["id"]);
    let (_, event) = api
        .call(
            &app,
            admin,
            ("PUT", event_op, &event_path),
            Some(json!({
                "occurred_at": "2026-10-30T14:21:00Z",
                "kind": "action",
                "body": "Rolled back the 4.2 deploy.",
                "marks": "mitigated",
                "version": event["version"],
            })),
            &[],
        )
        .await;
    let (status, _) = api
        .call(
            &app,
            admin,
            ("DELETE", event_op, &format!("{event_path}?version=1")),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version");
    let (status, refused) = api
        .call(
            &app,
            admin,
            ("DELETE", event_op, &format!("{event_path}?version=latest")),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("query"))
    );
    let (status, _) = api
        .call(
            &app,
            admin,
            (
                "DELETE",
                event_op,
                &format!("{event_path}?version={}", event["version"]),
            ),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Its postmortem.
    let postmortem = "/api/v1/incidents/{id}/postmortem";
    let postmortem_path = format!("{first_path}/postmortem");
    let (_, draft) = api
        .call(
            &app,
            admin,
            ("GET", postmortem, &postmortem_path),
            None,
            &[],
        )
        .await;
    assert_eq!(draft["version"], 0);
    let (_, saved) = api
        .call(
            &app,
            admin,
            ("PUT", postmortem, &postmortem_path),
            Some(json!({
                "body": "## Summary\n\nBob should have checked the deploy.",
                "version": 0,
            })),
            &[],
        )
        .await;
    assert!(
        !saved["lint_warnings"].as_array().unwrap().is_empty(),
        "blame is flagged: {saved}"
    );

    // Action items.
    let items = "/api/v1/action-items";
    let (status, item) = api
        .call(
            &app,
            admin,
            ("POST", items, items),
            Some(json!({
                "title": "Alert on checkout error rate",
                "incident_id": first["id"],
                "owner_id": admin_id,
                "type": "detect",
                "priority": "p1",
                "due_on": "2026-11-20",
                "tracker_url": "https://acme.atlassian.net/browse/PAY-123",
                "cadence": "weekly",
                "commit": true,
            })),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    api.call(
        &app,
        Some(&viewer),
        ("GET", items, "/api/v1/action-items?state=open"),
        None,
        &[],
    )
    .await;
    let item_op = "/api/v1/action-items/{id}";
    let item_path = format!("/api/v1/action-items/{}", item["id"]);
    api.call(&app, Some(&viewer), ("GET", item_op, &item_path), None, &[])
        .await;
    let (_, item) = api
        .call(
            &app,
            admin,
            ("PUT", item_op, &item_path),
            Some(json!({
                "title": "Alert on checkout error rate above 2%",
                "owner_id": admin_id,
                "type": "detect",
                "priority": "p1",
                "due_on": "2026-11-20",
                "cadence": "weekly",
                "version": item["version"],
            })),
            &[],
        )
        .await;
    let transition = "/api/v1/action-items/{id}/transition";
    let (_, item) = api
        .call(
            &app,
            admin,
            ("POST", transition, &format!("{item_path}/transition")),
            Some(json!({"action": "complete", "version": item["version"]})),
            &[],
        )
        .await;
    assert_eq!(item["state"], "done");
    let verify = "/api/v1/action-items/{id}/verify";
    let (status, item) = api
        .call(
            &app,
            admin,
            ("POST", verify, &format!("{item_path}/verify")),
            Some(json!({
                "version": item["version"],
                "outcome": "effective",
                "evidence": "It fired during the replay on the 15th.",
            })),
            &[],
        )
        .await;
    assert_eq!(
        (status, item["outcome"].as_str()),
        (StatusCode::OK, Some("effective"))
    );

    // Deploys and analytics.
    let deploys = "/api/v1/deploys";
    let deploy = |at: &str, outcome: &str| json!({"service_id": checkout["id"], "deployed_at": at, "outcome": outcome, "reference": "v4.2"});
    let (status, _) = api
        .call(
            &app,
            admin,
            ("POST", deploys, deploys),
            Some(deploy("2026-10-30T13:55:00Z", "failed")),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, batch) = api
        .call(
            &app,
            admin,
            ("POST", deploys, deploys),
            Some(json!({"deploys": [
                deploy("2026-10-29T10:00:00Z", "succeeded"),
                deploy("2026-10-31T10:00:00Z", "rolled_back"),
            ]})),
            &[],
        )
        .await;
    assert_eq!(batch["deploys"].as_array().map(Vec::len), Some(2));
    let analytics = "/api/v1/analytics";
    let (_, report) = api
        .call(
            &app,
            Some(&viewer),
            (
                "GET",
                analytics,
                "/api/v1/analytics?kind=month&period=2026-10",
            ),
            None,
            &[],
        )
        .await;
    assert_eq!(report["figures"]["incident_ids"], json!([first["id"]]));
    let (status, _) = api
        .call(
            &app,
            Some(&viewer),
            ("GET", analytics, "/api/v1/analytics?kind=fortnight"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Alert webhooks: off, then on.
    let alertmanager = "/api/v1/alerts/alertmanager";
    let firing = std::fs::read_to_string(format!(
        "{}/tests/suite/fixtures/alertmanager/firing.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let firing: Value = serde_json::from_str(&firing).unwrap();
    let (status, _) = api
        .call(
            &app,
            None,
            ("POST", alertmanager, alertmanager),
            Some(firing.clone()),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let token = alerts::set_secret(
        app.state.db.write(),
        AlertSourceKind::Alertmanager,
        None,
        app.clock.now(),
    )
    .await
    .unwrap()
    .unwrap();
    let (status, _) = api
        .call(
            &app,
            Some("wrong"),
            ("POST", alertmanager, alertmanager),
            Some(firing.clone()),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, taken) = api
        .call(
            &app,
            Some(&token),
            ("POST", alertmanager, alertmanager),
            Some(firing),
            &[],
        )
        .await;
    assert_eq!(taken["result"], "opened");
    let (status, _) = api
        .call(
            &app,
            Some(&token),
            ("POST", alertmanager, alertmanager),
            Some(json!({"version": "4"})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let pagerduty = "/api/v1/alerts/pagerduty";
    let (status, _) = api
        .call(
            &app,
            None,
            ("POST", pagerduty, pagerduty),
            Some(json!({"event": {}})),
            &[("x-pagerduty-signature", "v1=00".to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let missing: Vec<_> = api.operations().difference(&api.called).cloned().collect();
    assert!(
        missing.is_empty(),
        "documented but never called here, so never checked: {missing:?}"
    );
}
