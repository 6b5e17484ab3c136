//! `hindsight seed`: a large organisation's history, the same for the same seed, that the app
//! reads like any other data.

use crate::common;

use app::domain::action_item::ActionState;
use app::domain::analytics::{Period, PeriodKind, ReportPeriod};
use app::domain::incident::{KeyTimes, Severity};
use app::entities::{action_item, deploy, incident, notice, postmortem, timeline_event, user};
use app::services::analytics::{self, Scope};
use app::services::incidents::{self, IncidentInput};
use app::services::{accounts, notices, search};
use app::state::Db;
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use server::seed::{SeedOptions, seed};
use std::collections::HashSet;

const PASSWORD: &str = "correct-horse-battery-staple";

fn options(incidents: u64, seed: u64) -> SeedOptions {
    SeedOptions {
        incidents,
        seed,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        password: PASSWORD.to_string(),
    }
}

async fn a_seeded_history_reads_like_real_data(db: Db) {
    let seeded = seed(&db, options(400, 7)).await.unwrap();
    assert_eq!(seeded.incidents, 400);
    let read = db.read();

    let incidents = incident::Entity::find()
        .order_by_asc(incident::Column::Id)
        .all(read)
        .await
        .unwrap();
    assert_eq!(incidents.len(), 400);
    let until = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let oldest = incidents.iter().map(|i| i.started_at).min().unwrap();
    let newest = incidents.iter().map(|i| i.started_at).max().unwrap();
    assert!(
        (until - oldest).num_days() >= 3 * 365 - 5,
        "oldest {oldest}"
    );
    assert!((until - newest).num_days() <= 5, "newest {newest}");
    for i in &incidents {
        i.key_times().check_order().expect("key times in order");
        assert!(
            i.resolved_at.is_none_or(|t| t < until),
            "nothing after the end"
        );
    }
    let severities: HashSet<&str> = incidents.iter().map(|i| i.severity.as_str()).collect();
    assert_eq!(
        severities.len(),
        Severity::ALL.len(),
        "every severity occurs"
    );
    assert!(
        incidents
            .iter()
            .any(|i| i.detected_by.as_deref() == Some("user_report"))
    );

    // About ten events each, and the incident's key times are its marked events' times.
    let events = timeline_event::Entity::find().count(read).await.unwrap();
    assert!((3_200..=4_400).contains(&events), "{events} events");
    assert_eq!(seeded.timeline_events, events);
    let detected = timeline_event::Entity::find()
        .filter(timeline_event::Column::Marks.eq("detected"))
        .all(read)
        .await
        .unwrap();
    assert_eq!(detected.len(), 400);
    for e in detected.iter().take(50) {
        let i = &incidents[(e.incident_id - 1) as usize];
        assert_eq!(i.detected_at, Some(e.occurred_at));
    }

    // Postmortems of about 2 KB, older ones published.
    let postmortems = postmortem::Entity::find().all(read).await.unwrap();
    assert!(postmortems.len() >= 390, "{}", postmortems.len());
    let mean = postmortems.iter().map(|p| p.body.len()).sum::<usize>() / postmortems.len();
    assert!(
        (1_500..=3_500).contains(&mean),
        "mean postmortem {mean} bytes"
    );
    assert!(postmortems.iter().any(|p| p.status == "published"));

    // Three items each, in every state, consistent with their state.
    let items = action_item::Entity::find().all(read).await.unwrap();
    assert!(items.len() >= 3 * 395, "{} items", items.len());
    let states: HashSet<&str> = items.iter().map(|i| i.state.as_str()).collect();
    for state in ActionState::ALL {
        assert!(states.contains(state.key()), "no item is {}", state.key());
    }
    for item in &items {
        let state = ActionState::parse(&item.state).unwrap();
        if state != ActionState::Proposed && state != ActionState::WontDo {
            assert!(
                item.owner_id.is_some() && item.due_on.is_some() && item.committed_at.is_some()
            );
        }
        if state == ActionState::Verified {
            let verified = item.verified_at.unwrap();
            assert!(item.verify_on.unwrap() <= verified.date_naive());
            assert!(item.outcome.is_some());
        }
        if matches!(state, ActionState::Done | ActionState::Verified) {
            assert_eq!(item.done_on, item.done_at.map(|t| t.date_naive()));
            assert_eq!(item.closed_at, item.done_at);
        }
    }

    assert_eq!(deploy::Entity::find().count(read).await.unwrap(), 800);

    // Inboxes hold what the reminder job would have said by the end: a server started on the
    // seeded file has nothing left to say that day.
    assert!(seeded.notices > 0);
    assert_eq!(
        notice::Entity::find().count(read).await.unwrap(),
        seeded.notices
    );
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    assert_eq!(notices::remind(&db, end, until).await.unwrap(), 0);

    // The app reads it: sign-in, search and analytics.
    let admin = accounts::authenticate(db.write(), "admin", PASSWORD.into(), "127.0.0.1", until)
        .await
        .unwrap();
    assert_eq!(admin.role, "admin");
    assert!(user::Entity::find().count(read).await.unwrap() >= 12);
    let hits = search::search(read, "checkout", 10).await.unwrap();
    assert!(!hits.is_empty(), "search finds seeded postmortems");
    let october = ReportPeriod::Calendar(Period::containing(
        PeriodKind::Month,
        NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(),
    ));
    let figures =
        analytics::period_figures(read, Scope::default(), october, &chrono_tz::UTC, until)
            .await
            .unwrap();
    let in_october = incidents
        .iter()
        .filter(|i| {
            i.started_at >= Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()
                && i.started_at < until
        })
        .count();
    assert!(in_october > 0);
    assert_eq!(figures.incidents(), in_october as u64);

    // New records after the seed get fresh ids on both databases.
    let created = incidents::create(
        db.write(),
        IncidentInput {
            title: "Recorded after the seed".into(),
            summary: String::new(),
            severity: Severity::Sev3,
            service_ids: vec![1],
            customer_impact: false,
            impact_description: String::new(),
            times: KeyTimes {
                started: until,
                detected: None,
                acknowledged: None,
                mitigated: None,
                resolved: None,
            },
            detected_by: None,
            monitoring_should_have_caught: None,
            known_problem: None,
            repeats: vec![],
            runbook_outcome: None,
            cause_category: None,
            tags: vec![],
        },
        admin.id,
        until,
    )
    .await
    .unwrap();
    assert_eq!(created.incident.id, 401);

    let again = seed(&db, options(10, 7)).await.unwrap_err();
    assert!(again.to_string().contains("empty database"), "{again}");
}

on_both_databases!(a_seeded_history_reads_like_real_data);

async fn rows(db: &Db) -> (Vec<incident::Model>, Vec<action_item::Model>) {
    (
        incident::Entity::find()
            .order_by_asc(incident::Column::Id)
            .all(db.read())
            .await
            .unwrap(),
        action_item::Entity::find()
            .order_by_asc(action_item::Column::Id)
            .all(db.read())
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn the_same_seed_gives_the_same_history() {
    let first = common::sqlite().await;
    let second = common::sqlite().await;
    let other = common::sqlite().await;
    seed(&first.db, options(150, 42)).await.unwrap();
    seed(&second.db, options(150, 42)).await.unwrap();
    seed(&other.db, options(150, 43)).await.unwrap();
    let a = rows(&first.db).await;
    assert_eq!(a, rows(&second.db).await);
    assert_ne!(a.0, rows(&other.db).await.0);
}
