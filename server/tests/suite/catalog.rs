//! The catalogue of teams and services, on a real database, and its permissions over HTTP.

use crate::common;

use app::domain::catalog::{CatalogName, RunbookUrl, SloTarget};
use app::error::AppError;
use app::services::catalog::{self, ServiceInput};
use app::state::Db;
use chrono::Utc;
use common::TestApp;
use http::StatusCode;

fn name(text: &str) -> CatalogName {
    CatalogName::parse(text).unwrap()
}

fn input(team_id: i64, service: &str, slo: &str) -> ServiceInput {
    ServiceInput {
        team_id,
        name: name(service),
        slo_target: SloTarget::parse_optional(slo).unwrap(),
        runbook_url: RunbookUrl::parse_optional("https://wiki.example/rb").unwrap(),
    }
}

async fn teams_and_services_are_listed_by_name(db: Db) {
    let now = Utc::now();
    let payments = catalog::create_team(db.write(), name("Payments"), now)
        .await
        .unwrap();
    let edge = catalog::create_team(db.write(), name("Edge"), now)
        .await
        .unwrap();
    catalog::create_service(db.write(), input(payments.id, "ledger", "99.95"), now)
        .await
        .unwrap();
    catalog::create_service(db.write(), input(edge.id, "cdn", ""), now)
        .await
        .unwrap();
    let teams: Vec<_> = catalog::teams(db.read())
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(teams, ["Edge", "Payments"]);
    let services = catalog::services(db.read()).await.unwrap();
    assert_eq!(
        services.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["cdn", "ledger"]
    );
    assert_eq!(services[0].slo_target_percent, None);
    assert_eq!(services[1].slo_target_percent, Some(99.95));
}

async fn names_are_unique(db: Db) {
    let now = Utc::now();
    let team = catalog::create_team(db.write(), name("Core"), now)
        .await
        .unwrap();
    let err = catalog::create_team(db.write(), name("Core"), now)
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("name").as_deref(),
        Some("Name is already used by another team")
    );
    catalog::create_service(db.write(), input(team.id, "api", ""), now)
        .await
        .unwrap();
    let err = catalog::create_service(db.write(), input(team.id, "api", ""), now)
        .await
        .unwrap_err();
    assert!(err.for_field("name").is_some(), "{err:?}");
    let err = catalog::create_service(db.write(), input(9999, "orphan", ""), now)
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("team_id").as_deref(),
        Some("Team does not exist")
    );
}

async fn stale_edits_are_refused_with_the_current_version(db: Db) {
    let now = Utc::now();
    let team = catalog::create_team(db.write(), name("Search"), now)
        .await
        .unwrap();
    let svc = catalog::create_service(db.write(), input(team.id, "indexer", "99"), now)
        .await
        .unwrap();
    let first = catalog::update_service(
        db.write(),
        svc.id,
        svc.version,
        input(team.id, "indexer", "99.9"),
    )
    .await
    .unwrap();
    assert_eq!(first.version, svc.version + 1);
    assert_eq!(first.slo_target_percent, Some(99.9));
    // A second person still holding the old version cannot overwrite the first one's change.
    let stale = catalog::update_service(
        db.write(),
        svc.id,
        svc.version,
        input(team.id, "indexer", "95"),
    )
    .await;
    assert_eq!(
        stale.unwrap_err(),
        AppError::Conflict {
            current_version: first.version
        }
    );
    assert_eq!(
        catalog::services(db.read()).await.unwrap()[0].slo_target_percent,
        Some(99.9)
    );

    let renamed = catalog::rename_team(db.write(), team.id, team.version, name("Discovery"))
        .await
        .unwrap();
    assert_eq!(renamed.name, "Discovery");
    let stale = catalog::rename_team(db.write(), team.id, team.version, name("Other")).await;
    assert_eq!(
        stale.unwrap_err(),
        AppError::Conflict {
            current_version: renamed.version
        }
    );
    assert_eq!(
        catalog::rename_team(db.write(), 424242, 1, name("Ghost"))
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

on_both_databases!(
    teams_and_services_are_listed_by_name,
    names_are_unique,
    stale_edits_are_refused_with_the_current_version,
);

#[tokio::test]
async fn managers_edit_the_catalogue_and_everyone_reads_it() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "mia", "manager").await;
    app.create_user(&admin, "vic", "viewer").await;
    let manager = app.login_cookie("mia").await;
    let viewer = app.login_cookie("vic").await;

    let denied = app
        .call(
            "catalog/create_team",
            &[("name", "Platform")],
            Some(&viewer),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let team = app
        .call(
            "catalog/create_team",
            &[("name", "Platform")],
            Some(&manager),
        )
        .await;
    assert_eq!(team.status, StatusCode::OK, "{team:?}");
    let team_id = serde_json::from_str::<serde_json::Value>(&team.body).unwrap()["id"].to_string();

    let bad = app
        .call(
            "catalog/create_service",
            &[
                ("team_id", &team_id),
                ("name", "gateway"),
                ("slo_target", "101"),
                ("runbook_url", ""),
            ],
            Some(&manager),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("\"field\":\"slo_target\"")
            && bad.body.contains("must be above 0 and below 100"),
        "{}",
        bad.body
    );

    let ok = app
        .call(
            "catalog/create_service",
            &[
                ("team_id", &team_id),
                ("name", "gateway"),
                ("slo_target", "99.9"),
                ("runbook_url", "https://wiki.example/gw"),
            ],
            Some(&manager),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");

    let page = app.get("/catalog", Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("gateway")
            && page.body.contains("99.9%")
            && page.body.contains("Platform"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Add a service"),
        "viewers see no editing forms"
    );
    let as_manager = app.get("/catalog", Some(&manager)).await;
    assert!(as_manager.body.contains("Add a service"));
}
