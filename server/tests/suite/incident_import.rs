//! Historical incidents from a CSV: the dry run names every wrong cell by row and column and
//! writes nothing; the import writes every row or none.

use crate::common::TestApp;
use app::domain::catalog::CatalogName;
use app::entities::{history_entry, incident};
use app::services::{catalog, incidents};
use chrono::{DateTime, TimeZone, Utc};
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

/// The columns of the team's old spreadsheet, and which field each fills.
const MAPPING: &[(&str, &str)] = &[
    ("title", "Incident"),
    ("severity", "Sev"),
    ("services", "Service"),
    ("started_at", "Start (UTC)"),
    ("detected_at", "Detected"),
    ("resolved_at", "Resolved"),
    ("detected_by", "How detected"),
    ("runbook_outcome", "Runbook"),
    ("known_problem", "Seen before"),
    ("tags", "Tags"),
];

const WITH_MISTAKES: &str = "\
Incident,Sev,Service,Start (UTC),Detected,Resolved,How detected,Runbook,Seen before,Tags
Checkout timeouts,SEV2,checkout,2025-03-04 10:00,2025-03-04 10:05,2025-03-04 11:00,alert,existed_worked,no,pool
Search stale,sev7,search,2025-04-01 08:00,,,User report,,,
Ghost service,3,billing,2025-05-01 08:00,,,,,maybe,
,2,checkout,not a time,,,,,,
Backwards,sev3,search;checkout,2025-06-01 08:00,2025-06-01 07:00,,,,,
";

const CORRECTED: &str = "\
Incident,Sev,Service,Start (UTC),Detected,Resolved,How detected,Runbook,Seen before,Tags
Checkout timeouts,SEV2,checkout,2025-03-04 10:00,2025-03-04 10:05,2025-03-04 11:00,alert,existed_worked,no,pool
Search stale,sev4,search,2025-04-01 08:00,,,User report,,,
\"Checkout, again\",3,search|checkout,2025-06-01T08:00:00+02:00,2025-06-01T06:30:00Z,,,None existed,yes,pool; repeat
";

async fn set_up(app: &TestApp) -> (String, String) {
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "mona", "manager").await;
    app.create_user(&admin, "eric", "engineer").await;
    let db = app.state.db.write();
    let team = catalog::create_team(db, CatalogName::parse("Shop").unwrap(), now())
        .await
        .unwrap();
    for name in ["checkout", "search"] {
        catalog::create_service(
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
    }
    (
        app.login_cookie("mona").await,
        app.login_cookie("eric").await,
    )
}

async fn send(app: &TestApp, cookie: &str, csv: &str, commit: bool) -> (StatusCode, Value) {
    let mut form: Vec<(&str, &str)> = vec![("csv", csv)];
    form.extend_from_slice(MAPPING);
    if commit {
        form.push(("commit", "yes"));
    }
    let reply = app.call("incidents/import", &form, Some(cookie)).await;
    (
        reply.status,
        serde_json::from_str(&reply.body).unwrap_or(Value::Null),
    )
}

async fn count(app: &TestApp) -> u64 {
    incident::Entity::find()
        .count(app.state.db.read())
        .await
        .unwrap()
}

fn problems(report: &Value) -> Vec<(u64, String, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["column"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(found: &[(u64, String, String)], row: u64, column: &str, words: &str) {
    assert!(
        found
            .iter()
            .any(|(r, c, m)| *r == row && c == column && m.contains(words)),
        "expected row {row}, column {column:?}: \"{words}\" among {found:#?}"
    );
}

async fn a_dry_run_names_every_wrong_cell_and_writes_nothing(app: TestApp) {
    let (manager, _) = set_up(&app).await;
    let (status, report) = send(&app, &manager, WITH_MISTAKES, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"], 5);
    assert_eq!(report["imported"], Value::Null);
    let found = problems(&report);
    has(
        &found,
        3,
        "Sev",
        "\"sev7\" is not one of sev1, sev2, sev3, sev4",
    );
    has(&found, 4, "Service", "\"billing\" is not a service here");
    has(&found, 4, "Seen before", "must be yes or no");
    has(&found, 5, "Incident", "required");
    has(&found, 5, "Start (UTC)", "\"not a time\" is not a time");
    // Found by the same checks the incident form makes, in the transaction the dry run undoes.
    has(&found, 6, "Detected", "cannot be before impact started");
    assert!(
        !found.iter().any(|(r, _, _)| *r == 2),
        "the good row has no problem: {found:?}"
    );
    assert_eq!(count(&app).await, 0, "a dry run writes nothing");

    // Asking to import the same CSV writes nothing either, and says why.
    let (status, report) = send(&app, &manager, WITH_MISTAKES, true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(problems(&report).len(), found.len());
    assert_eq!(report["imported"], Value::Null);
    assert_eq!(count(&app).await, 0, "all or nothing");
}

async fn a_clean_csv_imports_every_row(app: TestApp) {
    let (manager, engineer) = set_up(&app).await;
    let (status, report) = send(&app, &manager, CORRECTED, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(problems(&report), vec![]);
    assert_eq!(
        (report["rows"].clone(), report["imported"].clone()),
        (3.into(), Value::Null)
    );
    assert_eq!(count(&app).await, 0);

    let (status, report) = send(&app, &engineer, CORRECTED, true).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "managers import: {report}");

    let (status, report) = send(&app, &manager, CORRECTED, true).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 3);
    let rows = incident::Entity::find()
        .order_by_asc(incident::Column::Id)
        .all(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].title, "Checkout timeouts");
    assert_eq!(rows[0].severity, "sev2");
    assert_eq!(
        rows[0].resolved_at,
        Some(Utc.with_ymd_and_hms(2025, 3, 4, 11, 0, 0).unwrap())
    );
    assert_eq!(rows[0].detected_by.as_deref(), Some("alert"));
    assert_eq!(rows[0].runbook_outcome.as_deref(), Some("existed_worked"));
    assert_eq!(rows[0].known_problem, Some(false));
    assert_eq!(rows[1].detected_by.as_deref(), Some("user_report"));
    assert_eq!(rows[2].title, "Checkout, again");
    assert_eq!(
        rows[2].started_at,
        Utc.with_ymd_and_hms(2025, 6, 1, 6, 0, 0).unwrap(),
        "an offset is honoured"
    );
    assert_eq!(rows[2].runbook_outcome.as_deref(), Some("none_existed"));
    let record = incidents::get(app.state.db.read(), rows[2].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.service_ids.len(), 2);
    assert_eq!(record.tags, vec!["pool", "repeat"]);
    assert_eq!(
        history_entry::Entity::find()
            .filter(history_entry::Column::IncidentId.is_not_null())
            .count(app.state.db.read())
            .await
            .unwrap(),
        3,
        "each arrives in the history as created by the importer"
    );
    let list = app.get("/incidents?q=checkout", Some(&manager)).await;
    assert!(list.body.contains("Checkout, again"), "searchable at once");
}

async fn with_no_column_chosen_the_columns_are_guessed(app: TestApp) {
    let (manager, _) = set_up(&app).await;
    let csv = "Title,Severity,Services,Started at,Root cause\nQueue backlog,sev3,search,2025-01-02 03:04,Capacity\n";
    let reply = app
        .call("incidents/import", &[("csv", csv)], Some(&manager))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let report: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(problems(&report), vec![]);
    assert_eq!(report["rows"], 1);
    let columns = report["columns"].to_string();
    for pair in [
        r#"["title","Title"]"#,
        r#"["started_at","Started at"]"#,
        r#"["cause_category","Root cause"]"#,
    ] {
        assert!(columns.contains(pair), "{pair} in {columns}");
    }
}

async fn a_column_that_is_not_there_is_named(app: TestApp) {
    let (manager, _) = set_up(&app).await;
    let csv = CORRECTED.replacen("Sev,", "Severity level,", 1);
    let (status, body) = send(&app, &manager, &csv, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let text = body.to_string();
    assert!(text.contains("severity"), "{text}");
    assert!(
        text.contains("comes from \\\"Sev\\\", which is not a column of this CSV"),
        "{text}"
    );
    assert!(
        text.contains("Severity level"),
        "its columns are listed: {text}"
    );
}

async fn without_javascript_the_report_and_the_csv_come_back(app: TestApp) {
    let (manager, _) = set_up(&app).await;
    let mut form: Vec<(&str, &str)> = vec![("csv", WITH_MISTAKES)];
    form.extend_from_slice(MAPPING);
    let reply = app
        .post_form(
            "incidents/import",
            &form,
            Some(&manager),
            "/incidents/import",
        )
        .await;
    assert!(reply.status.is_redirection(), "{reply:?}");
    let page = app.get("/incidents/import", Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("problems in 4 of 5 rows; nothing was written"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("\"sev7\" is not one of"),
        "the table lists each problem"
    );
    assert!(
        page.body.contains("Ghost service,3,billing"),
        "the CSV is back in its box"
    );
    assert!(
        page.body.contains("value=\"Seen before\""),
        "and so is the mapping"
    );
    // Shown once: the next visit starts afresh.
    let again = app.get("/incidents/import", Some(&manager)).await;
    assert!(!again.body.contains("Ghost service"));
    assert_eq!(count(&app).await, 0);
}

on_both_apps!(
    a_dry_run_names_every_wrong_cell_and_writes_nothing,
    a_clean_csv_imports_every_row,
    a_column_that_is_not_there_is_named,
    with_no_column_chosen_the_columns_are_guessed,
    without_javascript_the_report_and_the_csv_come_back,
);
