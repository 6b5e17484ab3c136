//! `seed-demo`: a believable six months that every page can show, on an empty database only.

use app::domain::action_item::{
    ActionState, ItemSort, NoticeKind, Outcome, end_of_week, tracker_key,
};
use app::domain::analytics::{FindingKind, Metric, Period, ReportPeriod};
use app::domain::postmortem::PostmortemStatus;
use app::entities::{
    action_item, action_item_incident, incident, notice, postmortem, service, team, timeline_event,
    user,
};
use app::services::action_items::{self, ItemFilter};
use app::services::analytics::{self, Scope};
use app::services::search;
use app::state::Db;
use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

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

    // Action items: every view of them has something real to show.
    let today = now.date_naive();
    let items = action_item::Entity::find().all(db.read()).await.unwrap();
    let mut raised_from: HashMap<i64, usize> = HashMap::new();
    for item in &items {
        *raised_from.entry(item.incident_id).or_default() += 1;
    }
    for i in &incidents {
        let n = raised_from.get(&i.id).copied().unwrap_or_default();
        assert!((2..=4).contains(&n), "incident #{} raised {n} items", i.id);
    }
    let states: HashSet<&str> = items.iter().map(|i| i.state.as_str()).collect();
    for state in ActionState::ALL {
        assert!(states.contains(state.key()), "no item is {}", state.label());
    }
    let outcomes: HashSet<&str> = items.iter().filter_map(|i| i.outcome.as_deref()).collect();
    for outcome in Outcome::ALL {
        assert!(
            outcomes.contains(outcome.key()),
            "no item verified {}",
            outcome.label()
        );
    }
    for item in items
        .iter()
        .filter(|i| i.state == ActionState::Verified.key())
    {
        assert!(
            item.evidence.is_some() && item.verified_by.is_some(),
            "verified with evidence: {}",
            item.title
        );
    }
    for item in items
        .iter()
        .filter(|i| i.state == ActionState::WontDo.key())
    {
        assert!(
            item.wont_do_reason.is_some(),
            "declined with a reason: {}",
            item.title
        );
    }
    for item in &items {
        let times = [
            Some(item.created_at),
            item.done_at,
            item.verified_at,
            Some(item.updated_at),
        ];
        assert!(
            times.into_iter().flatten().all(|t| t <= now),
            "nothing happens after now: {}",
            item.title
        );
        let state = ActionState::parse(&item.state).unwrap();
        if state.is_committed() {
            assert!(
                item.owner_id.is_some() && item.due_on.is_some(),
                "committed work has an owner and a due date: {}",
                item.title
            );
        }
    }
    let follow_ups: Vec<_> = items.iter().filter_map(|i| i.follow_up_of).collect();
    assert!(
        !follow_ups.is_empty(),
        "some ineffective fixes are followed up"
    );
    for original in follow_ups {
        let original = items.iter().find(|i| i.id == original).unwrap();
        assert_eq!(
            original.outcome.as_deref(),
            Some(Outcome::NotEffective.key())
        );
    }
    assert!(
        action_item_incident::Entity::find()
            .count(db.read())
            .await
            .unwrap()
            > 0,
        "some items also answer an earlier incident"
    );
    assert!(
        items
            .iter()
            .filter_map(|i| i.tracker_url.as_deref())
            .any(|url| tracker_key(url).is_some()),
        "tracker links with keys to show"
    );
    let overdue = ItemFilter {
        overdue: true,
        ..Default::default()
    };
    assert!(
        action_items::count(db.read(), &overdue, today)
            .await
            .unwrap()
            > 0
    );
    let awaiting = ItemFilter {
        awaiting_verification: true,
        ..Default::default()
    };
    let to_verify = action_items::list(db.read(), &awaiting, today, ItemSort::Due, None, 500)
        .await
        .unwrap();
    assert!(!to_verify.is_empty(), "some done work awaits verification");
    let this_week = ItemFilter {
        states: vec![ActionState::Open, ActionState::InProgress],
        due_from: Some(today),
        due_until: Some(end_of_week(today)),
        ..Default::default()
    };
    assert!(
        action_items::count(db.read(), &this_week, today)
            .await
            .unwrap()
            > 0,
        "something is due this week"
    );

    let mut without_items = 0;
    for p in postmortems
        .iter()
        .filter(|p| p.status == PostmortemStatus::Published.key())
    {
        let committed = action_items::committed_count(db.read(), p.incident_id)
            .await
            .unwrap();
        if committed == 0 {
            assert!(
                p.no_action_reason.is_some(),
                "incident #{} published with nothing committed and no reason",
                p.incident_id
            );
            without_items += 1;
        }
    }
    assert!(
        without_items <= 2,
        "nearly every published postmortem commits to something: {without_items} do not"
    );

    let notices = notice::Entity::find().all(db.read()).await.unwrap();
    let kinds: HashSet<&str> = notices.iter().map(|n| n.kind.as_str()).collect();
    for kind in NoticeKind::ALL {
        assert!(kinds.contains(kind.key()), "no {} notice", kind.label());
    }

    // The analytics a retro opens first have a story: last month users noticed incidents before
    // the alerts did, and deploys failed far more often than in the months before.
    let last_month = ReportPeriod::Calendar(Period::parse("2026-10").unwrap());
    let report = analytics::report(
        db.read(),
        &Default::default(),
        Scope::default(),
        last_month,
        now,
    )
    .await
    .unwrap();
    assert!(
        report.figures.deploys.all() > 100,
        "{:?}",
        report.figures.deploys
    );
    let kinds: Vec<FindingKind> = report.findings.iter().map(|f| f.kind).collect();
    assert!(
        kinds.contains(&FindingKind::DetectionGap),
        "{:?}",
        report.findings
    );
    let anomalous: Vec<Metric> = report
        .rows
        .iter()
        .filter(|r| r.anomaly.is_some_and(|a| a.anomalous))
        .map(|r| r.metric)
        .collect();
    assert!(
        anomalous.contains(&Metric::ChangeFailureRate),
        "{anomalous:?}"
    );

    // Past reviews, closed with the figures they discussed.
    let held = app::services::reviews::list(db.read(), None, 50)
        .await
        .unwrap();
    assert_eq!(held.len(), 9, "six weekly and three monthly reviews");
    assert!(
        held.iter()
            .all(|r| r.status == "closed" && r.snapshot.is_some())
    );
    assert!(
        held.iter()
            .any(|r| r.cadence == "monthly" && r.period_key == "2026-10")
    );
    assert!(held.iter().all(|r| !r.notes.is_empty()));

    let again = server::demo::seed(&db, now).await.unwrap_err().to_string();
    assert!(again.contains("empty database"), "{again}");
}

on_both_databases!(the_demo_tells_six_months_of_story_once);
