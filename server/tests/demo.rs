//! `seed-demo`: a believable six months that every page can show, on an empty database only.

mod common;

use app::domain::postmortem::PostmortemStatus;
use app::entities::{incident, postmortem, service, team, timeline_event, user};
use app::services::search;
use app::state::Db;
use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn the_demo_tells_six_months_of_story_once(db: Db) {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
    server::demo::seed(&db, now).await.unwrap();

    let count = |n: u64| n;
    assert_eq!(
        count(user::Entity::find().count(db.read()).await.unwrap()),
        6
    );
    assert_eq!(team::Entity::find().count(db.read()).await.unwrap(), 4);
    assert_eq!(service::Entity::find().count(db.read()).await.unwrap(), 10);
    let incidents = incident::Entity::find().all(db.read()).await.unwrap();
    assert_eq!(incidents.len(), 60);
    let oldest = incidents.iter().map(|i| i.started_at).min().unwrap();
    assert!(
        (now - oldest).num_days() >= 170,
        "spread over six months: {oldest}"
    );
    assert!(
        incidents.iter().any(|i| i.resolved_at.is_none()),
        "some are still open"
    );
    assert!(
        incidents.iter().all(|i| i.started_at < now),
        "nothing starts in the future"
    );
    assert!(
        incidents.iter().any(|i| i.known_problem == Some(true)),
        "some repeat earlier ones"
    );
    assert!(
        incidents
            .iter()
            .any(|i| i.detected_by.as_deref() == Some("user_report")),
        "a detection gap to find"
    );
    for i in &incidents {
        i.key_times().check_order().expect("key times in order");
    }
    let marked = timeline_event::Entity::find()
        .filter(timeline_event::Column::Marks.eq("detected"))
        .count(db.read())
        .await
        .unwrap();
    assert_eq!(
        marked, 60,
        "every incident's detection comes from its timeline"
    );

    let postmortems = postmortem::Entity::find().all(db.read()).await.unwrap();
    assert!(postmortems.len() >= 55, "{}", postmortems.len());
    let published = postmortems
        .iter()
        .filter(|p| p.status == PostmortemStatus::Published.key())
        .count();
    assert!(published >= 40, "older ones are published: {published}");
    assert!(
        postmortems
            .iter()
            .any(|p| p.status == PostmortemStatus::InReview.key())
    );
    assert!(
        postmortems.iter().any(|p| p.lint_warnings > 0),
        "some blame phrases for the lint"
    );
    assert!(
        !search::search(db.read(), "certificate", 10)
            .await
            .unwrap()
            .is_empty()
    );

    let again = server::demo::seed(&db, now).await.unwrap_err().to_string();
    assert!(again.contains("empty database"), "{again}");
}

on_both_databases!(the_demo_tells_six_months_of_story_once);
