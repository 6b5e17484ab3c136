//! The organisation's archive: exported from one instance and imported into an empty one, it
//! rebuilds the same pages and figures; imports that would mislead are refused before anything
//! is written.

use crate::common::{self, PASSWORD, Reply, TestApp};
use app::domain::account::NewPassword;
use app::domain::alert::AlertSourceKind;
use app::entities::{alert_group, incident, review, user};
use app::services::{accounts, alerts, archive};
use axum::body::Body;
use chrono::{DateTime, TimeZone, Utc};
use http::{Request, StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::Value;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

/// The demo's six months, plus an alert source with a group of alerts behind an incident.
async fn filled(app: &TestApp) {
    server::demo::seed(&app.state.db, now()).await.unwrap();
    let token = alerts::set_secret(
        app.state.db.write(),
        AlertSourceKind::Alertmanager,
        None,
        now(),
    )
    .await
    .unwrap()
    .expect("a token");
    let body = std::fs::read(format!(
        "{}/tests/suite/fixtures/alertmanager/firing.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let reply = app
        .send(
            Request::post("/api/v1/alerts/alertmanager")
                .header(header::HOST, "hindsight.test")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
}

async fn export(app: &TestApp) -> String {
    archive::export_to_string(app.state.db.read(), app.clock.now())
        .await
        .unwrap()
}

async fn set_password(app: &TestApp, username: &str) {
    let db = app.state.db.write();
    let account = user::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == username)
        .unwrap_or_else(|| panic!("no account {username}"));
    accounts::set_password(db, account, NewPassword::parse(PASSWORD).unwrap())
        .await
        .unwrap();
}

/// A page as a person sees it: the document without the per-response nonce, and without the
/// data for hydration that follows it (the same data, in the order its loaders finished).
fn page(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let policy = reply.header("content-security-policy").unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    let body = reply.body.replace(nonce, "NONCE");
    let end = body.find("</html>").expect("a whole document");
    body[..end].to_string()
}

async fn an_archive_rebuilds_the_same_organisation(a: TestApp, b: TestApp) {
    rebuilds(a, b, true).await;
}

/// `same_database`: whether both instances run on the same kind of database; search snippets
/// are each database's own, so they are compared only then.
async fn rebuilds(a: TestApp, b: TestApp, same_database: bool) {
    filled(&a).await;
    assert!(
        alert_group::Entity::find()
            .count(a.state.db.read())
            .await
            .unwrap()
            > 0
    );
    let written = export(&a).await;
    let read = archive::parse(written.as_bytes()).unwrap();
    assert_eq!(read.format, "hindsight-archive");
    assert_eq!(read.version, 1);
    assert_eq!(read.incidents.len() as u64, read.counts.incidents);
    assert_eq!(
        read.counts.incidents, 61,
        "the demo's sixty and the alert's"
    );
    assert!(
        read.incidents
            .iter()
            .any(|i| !i.timeline.is_empty() && i.postmortem.is_some())
    );
    assert!(!read.action_items.is_empty() && !read.reviews.is_empty() && !read.history.is_empty());
    assert!(
        !written.contains("$argon2"),
        "no password hash leaves the instance"
    );

    let mut steps = Vec::new();
    let imported = archive::import(b.state.db.write(), read.clone(), &mut |p| steps.push(p))
        .await
        .unwrap();
    assert_eq!(imported.counts.incidents, 61);
    assert_eq!(imported.accounts_created.len(), read.users.len());
    let last = steps.last().expect("progress was reported");
    assert_eq!(last.done, last.total);
    assert!(steps.len() > 2, "progress came in steps: {steps:?}");

    // The same document comes back out, apart from when it was written.
    let mut again = archive::parse(export(&b).await.as_bytes()).unwrap();
    again.exported_at = read.exported_at;
    assert_eq!(again, read);

    // The same pages, for the same person.
    set_password(&a, "admin").await;
    set_password(&b, "admin").await;
    let cookie_a = a.login_cookie("admin").await;
    let cookie_b = b.login_cookie("admin").await;
    let first_review = review::Entity::find()
        .order_by_asc(review::Column::Id)
        .one(b.state.db.read())
        .await
        .unwrap()
        .expect("the demo holds reviews");
    let some_incident = incident::Entity::find()
        .order_by_asc(incident::Column::Id)
        .one(b.state.db.read())
        .await
        .unwrap()
        .unwrap();
    for path in [
        "/incidents".to_string(),
        "/incidents?severity=sev1".to_string(),
        format!("/incidents/{}", some_incident.id),
        format!("/incidents/{}/history", some_incident.id),
        "/action-items".to_string(),
        "/action-items/1".to_string(),
        "/analytics".to_string(),
        "/analytics?kind=quarter&period=2026-Q3".to_string(),
        "/analytics/items?kind=month&period=2026-11&metric=items_overdue".to_string(),
        "/deploys".to_string(),
        format!("/reviews/{}", first_review.id),
        "/catalog".to_string(),
        "/incidents?q=checkout".to_string(),
    ] {
        if !same_database && path.contains("q=") {
            continue;
        }
        let there = page(&a.get(&path, Some(&cookie_a)).await);
        let here = page(&b.get(&path, Some(&cookie_b)).await);
        if there != here {
            let at = there
                .chars()
                .zip(here.chars())
                .take_while(|(x, y)| x == y)
                .count();
            let around = |t: &str| {
                t.chars()
                    .skip(at.saturating_sub(150))
                    .take(300)
                    .collect::<String>()
            };
            panic!(
                "{path} differs after the round trip:\nbefore: {}\nafter:  {}",
                around(&there),
                around(&here)
            );
        }
    }
    let admin_a = accounts::find_by_username(
        a.state.db.read(),
        &app::domain::account::Username::parse("admin").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let (_, token_a) =
        app::services::api_tokens::create(a.state.db.write(), admin_a.id, "test", now())
            .await
            .unwrap();
    let admin_b = accounts::find_by_username(
        b.state.db.read(),
        &app::domain::account::Username::parse("admin").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let (_, token_b) =
        app::services::api_tokens::create(b.state.db.write(), admin_b.id, "test", now())
            .await
            .unwrap();
    for path in [
        "/api/v1/analytics?kind=month&period=2026-10",
        "/api/v1/analytics?kind=quarter",
        "/api/v1/incidents?limit=100",
    ] {
        let (status_a, there) = a.api("GET", path, Some(&token_a), None).await;
        let (status_b, here) = b.api("GET", path, Some(&token_b), None).await;
        assert_eq!(status_a, StatusCode::OK, "{path}: {there}");
        assert_eq!((status_b, here), (status_a, there), "{path}");
    }

    // New incidents do not collide with imported numbers.
    let (status, created) = b
        .api(
            "POST",
            "/api/v1/incidents",
            Some(&token_b),
            Some(serde_json::json!({
                "title": "After the move",
                "severity": "sev3",
                "services": [read.services[0].id],
                "started_at": "2026-11-24T08:00:00Z",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["id"].as_i64().unwrap() > some_incident.id + 60);
}

async fn an_import_is_refused_whole_with_the_reason(a: TestApp, b: TestApp) {
    filled(&a).await;
    let written = export(&a).await;

    // A reference to a record the archive does not hold names the record.
    let mut broken = archive::parse(written.as_bytes()).unwrap();
    broken.action_items[3].incident_id = 9_999;
    broken.incidents[0].severity = "sev9".to_string();
    let err = archive::import(b.state.db.write(), broken, &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("refers to incident 9999"), "{err}");
    assert!(err.contains("severity \"sev9\""), "{err}");
    assert_eq!(
        incident::Entity::find()
            .count(b.state.db.read())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        user::Entity::find().count(b.state.db.read()).await.unwrap(),
        0
    );

    // Not JSON, another document, a newer format.
    let err = archive::parse(b"{\"format\": \"hindsight-archive\", \"version\": 1,")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 1"), "{err}");
    let err = archive::parse(b"{\"incidents\": []}")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a Hindsight archive"), "{err}");
    let err = archive::parse(b"{\"format\": \"hindsight-archive\", \"version\": 2}")
        .unwrap_err()
        .to_string();
    assert!(err.contains("newer than this Hindsight reads"), "{err}");

    // An instance that already holds incidents takes none, and keeps its own.
    let read = archive::parse(written.as_bytes()).unwrap();
    let err = archive::import(a.state.db.write(), read, &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("only be imported into an empty instance"),
        "{err}"
    );
    assert!(err.contains("61 incidents"), "{err}");
}

fn upload(
    path: &str,
    cookie: &str,
    content_type: &str,
    accept: &str,
    body: Vec<u8>,
) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "hindsight.test")
        .header(header::ORIGIN, "http://hindsight.test")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, accept)
        .body(Body::from(body))
        .unwrap()
}

fn multipart(name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----hindsightboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"archive.json\"\r\nContent-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn admins_move_the_archive_over_http(a: TestApp, b: TestApp) {
    filled(&a).await;
    set_password(&a, "admin").await;
    set_password(&a, "erin").await;
    let admin = a.login_cookie("admin").await;
    let engineer = a.login_cookie("erin").await;

    let reply = a.get("/admin/archive.json", Some(&engineer)).await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "admins only: {reply:?}"
    );
    let reply = a.get("/admin/archive.json", None).await;
    assert!(
        reply.location().unwrap_or("").starts_with("/login"),
        "{reply:?}"
    );
    let reply = a.get("/admin/archive.json", Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"hindsight-archive-2026-11-24.json\"")
    );
    let downloaded = archive::parse(reply.body.as_bytes()).unwrap();
    assert_eq!(downloaded.counts.incidents, 61);
    // One record per line, so that the page can count them as they arrive.
    assert_eq!(
        reply
            .body
            .lines()
            .filter(|l| l.starts_with("{\"id\":") && l.contains("\"timeline\":"))
            .count(),
        61
    );

    // Into B: an empty instance whose first admin is someone else.
    let b_admin = b.create_first_admin().await;
    let reply = b
        .send(upload(
            "/admin/archive/import",
            &b_admin,
            "application/json",
            "application/x-ndjson",
            b"{\"format\": \"something-else\"}".to_vec(),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let last: Value = serde_json::from_str(reply.body.lines().last().unwrap()).unwrap();
    assert!(
        last["refused"]["message"]
            .as_str()
            .unwrap()
            .contains("not a Hindsight archive"),
        "{last}"
    );

    let reply = b
        .send(upload(
            "/admin/archive/import",
            &b_admin,
            "application/json",
            "application/x-ndjson",
            reply_bytes(&a, &admin).await,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = reply
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() > 3, "progress as it went: {}", reply.body);
    let total = lines[0]["progress"]["total"].as_u64().unwrap();
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|l| l["progress"]["total"].as_u64() == Some(total))
    );
    let done = lines[lines.len() - 2]["progress"]["done"].as_u64().unwrap();
    assert_eq!(done, total);
    let imported = &lines[lines.len() - 1]["imported"];
    assert_eq!(imported["incidents"], 61, "{imported}");
    let created: Vec<&str> = imported["accounts_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        created.contains(&"admin") && !created.contains(&"ada"),
        "{created:?}"
    );
    let first = &downloaded.incidents[0];
    let reply = b
        .get(&format!("/incidents/{}", first.id), Some(&b_admin))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains(&first.title.replace('\'', "&#x27;"))
            || reply.body.contains(&first.title),
        "the importing admin sees the history"
    );

    // Again, without JavaScript: refused, and the page says why.
    let (content_type, body) = multipart("archive", &reply_bytes(&a, &admin).await);
    let reply = b
        .send(upload(
            "/admin/archive/import",
            &b_admin,
            &content_type,
            "text/html",
            body,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{reply:?}");
    let back = reply.location().unwrap();
    assert!(back.starts_with("/admin/archive?refused="), "{back}");
    let shown = b.get(back, Some(&b_admin)).await;
    assert!(
        shown
            .body
            .contains("only be imported into an empty instance"),
        "{}",
        shown.body
    );

    // Engineers may not import.
    set_password(&b, "erin").await;
    let b_engineer = b.login_cookie("erin").await;
    let (content_type, body) = multipart("archive", b"{}");
    let reply = b
        .send(upload(
            "/admin/archive/import",
            &b_engineer,
            &content_type,
            "text/html",
            body,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

async fn reply_bytes(app: &TestApp, cookie: &str) -> Vec<u8> {
    app.get("/admin/archive.json", Some(cookie))
        .await
        .body
        .into_bytes()
}

async fn without_javascript_an_import_lands_on_a_page_that_says_what_came_in(
    a: TestApp,
    b: TestApp,
) {
    filled(&a).await;
    let written = export(&a).await;
    let b_admin = b.create_first_admin().await;
    let (content_type, body) = multipart("archive", written.as_bytes());
    let reply = b
        .send(upload(
            "/admin/archive/import",
            &b_admin,
            &content_type,
            "text/html",
            body,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{reply:?}");
    let back = reply.location().unwrap();
    assert!(
        back.starts_with("/admin/archive?imported=61&items="),
        "{back}"
    );
    let shown = b.get(back, Some(&b_admin)).await;
    assert!(
        shown.body.contains("Imported 61 incidents"),
        "{}",
        shown.body
    );
}

macro_rules! on_two_instances {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test]
                async fn sqlite() {
                    let a = super::TestApp::on(super::common::sqlite().await, super::now()).await;
                    let b = super::TestApp::on(super::common::sqlite().await, super::now()).await;
                    super::$scenario(a, b).await;
                }
                #[tokio::test]
                async fn postgres() {
                    let (Some(a), Some(b)) = (super::common::postgres().await, super::common::postgres().await) else {
                        return;
                    };
                    let a = super::TestApp::on(a, super::now()).await;
                    let b = super::TestApp::on(b, super::now()).await;
                    super::$scenario(a, b).await;
                }
            }
        )*
    };
}

on_two_instances!(
    an_archive_rebuilds_the_same_organisation,
    an_import_is_refused_whole_with_the_reason,
    admins_move_the_archive_over_http,
    without_javascript_an_import_lands_on_a_page_that_says_what_came_in,
);

/// From a SQLite file to PostgreSQL, the way an instance grows into several.
#[tokio::test]
async fn an_archive_moves_from_sqlite_to_postgresql() {
    let Some(pg) = common::postgres().await else {
        return;
    };
    let a = TestApp::on(common::sqlite().await, now()).await;
    let b = TestApp::on(pg, now()).await;
    rebuilds(a, b, false).await;
}
