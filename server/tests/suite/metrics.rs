//! `/metrics` as Prometheus scrapes it: off by default, behind its token or allow-list, and
//! parsed by a Prometheus text-format parser into the figures a Grafana board would show.

use crate::common;

use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::services::accounts::{self, NewAccount};
use app::services::api_tokens;
use axum::body::Body;
use chrono::{DateTime, TimeZone, Utc};
use common::TestApp;
use http::{Request, StatusCode, header};
use prometheus_parse::{Sample, Scrape, Value as Sampled};
use serde_json::{Value, json};
use server::metrics::{Metrics, MetricsAccess};
use server::router::WebConfig;

const TOKEN: &str = "scrape-token-7d1f";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::get("/metrics").header(header::HOST, "hindsight.test");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let reply = app.send(req.body(Body::empty()).unwrap()).await;
    (reply.status, reply.body)
}

async fn api(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let req = Request::post(path)
        .header(header::HOST, "hindsight.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let reply = app.send(req).await;
    assert!(reply.status.is_success(), "{path}: {reply:?}");
    serde_json::from_str(&reply.body).unwrap()
}

fn value(samples: &[Sample], metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .filter(|s| s.metric == metric)
        .find(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            Sampled::Counter(v) | Sampled::Gauge(v) | Sampled::Untyped(v) => v,
            _ => panic!("{metric} is not a single value"),
        })
}

#[tokio::test]
async fn metrics_are_off_unless_configured() {
    let app = TestApp::new().await;
    let (status, _) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn metrics_show_requests_and_the_products_figures(app: TestApp) {
    let (status, _) = scrape(&app, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no token, no allowed address"
    );
    let (status, _) = scrape(&app, Some("wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let manager = accounts::create(
        app.state.db.write(),
        NewAccount {
            username: Username::parse("mia").unwrap(),
            display_name: DisplayName::parse("Mia Manager").unwrap(),
            email: Email::parse("mia@example.com").unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role: Role::Manager,
        },
        now(),
    )
    .await
    .unwrap();
    let token = api_tokens::create(app.state.db.write(), manager.id, "test", now())
        .await
        .unwrap()
        .1;
    let team = api(&app, &token, "/api/v1/teams", json!({"name": "Payments"})).await;
    let service = api(
        &app,
        &token,
        "/api/v1/services",
        json!({"team_id": team["id"], "name": "ledger"}),
    )
    .await;
    // This month: one incident still open (detected after 10 minutes), one resolved (detected
    // after 20 minutes, resolved after 2 hours), reported by a user.
    let open = api(
        &app,
        &token,
        "/api/v1/incidents",
        json!({
            "title": "Ledger writes timed out", "severity": "sev1", "services": [service["id"]],
            "started_at": "2026-11-10T14:00:00Z", "detected_at": "2026-11-10T14:10:00Z",
            "detected_by": "alert",
        }),
    )
    .await;
    api(
        &app,
        &token,
        "/api/v1/incidents",
        json!({
            "title": "Refunds stuck", "severity": "sev2", "services": [service["id"]],
            "started_at": "2026-11-12T09:00:00Z", "detected_at": "2026-11-12T09:20:00Z",
            "mitigated_at": "2026-11-12T10:30:00Z", "resolved_at": "2026-11-12T11:00:00Z",
            "detected_by": "user_report",
        }),
    )
    .await;
    api(
        &app,
        &token,
        "/api/v1/action-items",
        json!({
            "title": "Alert on ledger write latency", "incident_id": open["id"],
            "owner_id": manager.id, "team_id": team["id"], "type": "detect", "priority": "p1",
            "due_on": "2026-11-15", "cadence": "weekly", "commit": true,
        }),
    )
    .await;

    for _ in 0..3 {
        let reply = app.get("/healthz", None).await;
        assert_eq!(reply.status, StatusCode::OK);
    }

    let (status, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let parsed =
        Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format");
    let s = &parsed.samples;

    assert_eq!(
        value(
            s,
            "http_requests_total",
            &[("route", "/healthz"), ("method", "GET"), ("status", "200")]
        ),
        Some(3.0)
    );
    assert_eq!(
        value(
            s,
            "http_requests_total",
            &[("route", "/metrics"), ("status", "401")]
        ),
        Some(2.0),
        "refused scrapes are counted under the route, not the raw path"
    );
    assert!(
        s.iter()
            .any(|x| x.metric.starts_with("http_request_duration_seconds")
                && x.labels.get("route") == Some("/healthz")),
        "latency histogram"
    );
    assert!(
        !s.iter().any(|x| x.labels.get("route").is_some_and(|r| r
            .contains(&open["id"].to_string())
            && r.starts_with("/api/v1/incidents/"))),
        "ids never become labels"
    );
    assert!(
        value(
            s,
            "db_pool_connections",
            &[("pool", "reader"), ("state", "idle")]
        )
        .is_some()
    );

    assert_eq!(
        value(s, "hindsight_open_incidents", &[("severity", "sev1")]),
        Some(1.0)
    );
    assert_eq!(
        value(s, "hindsight_open_incidents", &[("severity", "sev2")]),
        Some(0.0)
    );
    assert_eq!(
        value(
            s,
            "hindsight_action_items",
            &[("team", "Payments"), ("state", "open")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            s,
            "hindsight_action_items",
            &[("team", "Payments"), ("state", "overdue")]
        ),
        Some(1.0),
        "due on the 15th, today is the 20th"
    );
    assert_eq!(
        value(
            s,
            "hindsight_action_items",
            &[("team", "Payments"), ("state", "awaiting_verification")]
        ),
        Some(0.0)
    );
    assert_eq!(
        value(s, "hindsight_mttd_seconds", &[]),
        Some(15.0 * 60.0),
        "mean of 10 and 20 minutes"
    );
    assert_eq!(
        value(s, "hindsight_mttr_seconds", &[]),
        Some(2.0 * 3600.0),
        "the one resolved"
    );
    assert_eq!(value(s, "hindsight_detection_gap_ratio", &[]), Some(0.5));
}

#[tokio::test]
async fn metrics_on_sqlite() {
    let web = WebConfig {
        secure_cookies: false,
        trust_forwarded_for: false,
        requests_at_once: None,
        metrics: Metrics::new(MetricsAccess {
            token: Some(TOKEN.into()),
            allow: Vec::new(),
        }),
    };
    let app = TestApp::on_with(common::sqlite().await, now(), web).await;
    metrics_show_requests_and_the_products_figures(app).await;
}

#[tokio::test]
async fn metrics_on_postgres() {
    let Some(db) = common::postgres().await else {
        return;
    };
    let web = WebConfig {
        secure_cookies: false,
        trust_forwarded_for: false,
        requests_at_once: None,
        metrics: Metrics::new(MetricsAccess {
            token: Some(TOKEN.into()),
            allow: Vec::new(),
        }),
    };
    let app = TestApp::on_with(db, now(), web).await;
    metrics_show_requests_and_the_products_figures(app).await;
}
