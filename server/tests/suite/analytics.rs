//! A period's figures on a real database, against answers worked out by hand: which incidents
//! belong to October (in UTC and in New York), MTTx with missing times, shares, availability
//! clipped to the period, action items counted at the period's end, deploys, scopes by team and
//! service, and the JSON API giving the same answer on SQLite and PostgreSQL.

use crate::common;

use app::domain::Role;
use app::domain::action_item::{ActionMove, ActionType, Cadence, Outcome, Priority};
use app::domain::analytics::{Metric, Period, ReportPeriod, Verdict};
use app::domain::catalog::{CatalogName, SloTarget};
use app::domain::deploy::DeployOutcome;
use app::domain::incident::{DetectionSource, KeyTimes, RunbookOutcome, Severity};
use app::domain::{DisplayName, Email, NewPassword, Username};
use app::services::action_items::{self, ActionItemInput, Actor, MoveDetails};
use app::services::analytics::{self, Scope};
use app::services::deploys::{self, DeployInput};
use app::services::incidents::{self, IncidentInput};
use app::services::{accounts, api_tokens, catalog, organisation};
use app::state::Db;
use axum::body::Body;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::TestApp;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 15, 12, 0, 0).unwrap()
}

fn t(month: u32, day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, h, m, s).unwrap()
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

fn october() -> ReportPeriod {
    ReportPeriod::Calendar(Period::parse("2026-10").unwrap())
}

struct Seeded {
    manager: Actor,
    payments_team: i64,
    payments: i64,
    search: i64,
    /// [Oct 5 payments, Oct 20 payments, Oct 31 search, Sep 30 search, Nov 1 03:30 UTC search]
    incidents: [i64; 5],
}

struct Spec {
    title: &'static str,
    service: i64,
    severity: Severity,
    started: DateTime<Utc>,
    /// Minutes after the start.
    detected: Option<i64>,
    mitigated: Option<i64>,
    resolved: Option<i64>,
    customer_impact: bool,
    detected_by: Option<DetectionSource>,
    should_have_caught: Option<bool>,
    known: Option<bool>,
    runbook: Option<RunbookOutcome>,
}

async fn record(db: &Db, author: i64, s: Spec) -> i64 {
    let after = |m: Option<i64>| m.map(|m| s.started + Duration::minutes(m));
    incidents::create(
        db.write(),
        IncidentInput {
            title: s.title.into(),
            summary: String::new(),
            severity: s.severity,
            service_ids: vec![s.service],
            customer_impact: s.customer_impact,
            impact_description: String::new(),
            times: KeyTimes {
                started: s.started,
                detected: after(s.detected),
                acknowledged: None,
                mitigated: after(s.mitigated),
                resolved: after(s.resolved),
            },
            detected_by: s.detected_by,
            monitoring_should_have_caught: s.should_have_caught,
            known_problem: s.known,
            repeats: vec![],
            runbook_outcome: s.runbook,
            cause_category: None,
            tags: vec![],
        },
        author,
        s.started,
    )
    .await
    .unwrap()
    .incident
    .id
}

async fn seed(db: &Db) -> Seeded {
    let manager = accounts::create(
        db.write(),
        accounts::NewAccount {
            username: Username::parse("mia").unwrap(),
            display_name: DisplayName::parse("Mia").unwrap(),
            email: Email::parse("mia@example.com").unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role: Role::Manager,
        },
        t(9, 1, 0, 0, 0),
    )
    .await
    .unwrap();
    let manager = Actor {
        id: manager.id,
        role: Role::Manager,
    };
    let mut teams = [0; 2];
    let mut services = [0; 2];
    for (i, (team, service, slo)) in [
        ("Payments", "payments", Some(99.9)),
        ("Search", "search", None),
    ]
    .into_iter()
    .enumerate()
    {
        teams[i] = catalog::create_team(db.write(), CatalogName::parse(team).unwrap(), now())
            .await
            .unwrap()
            .id;
        services[i] = catalog::create_service(
            db.write(),
            catalog::ServiceInput {
                team_id: teams[i],
                name: CatalogName::parse(service).unwrap(),
                slo_target: slo.map(|p| SloTarget::from_percent(p).unwrap()),
                runbook_url: None,
            },
            now(),
        )
        .await
        .unwrap()
        .id;
    }
    let [payments, search] = services;
    let plain = |title, service, started| Spec {
        title,
        service,
        severity: Severity::Sev3,
        started,
        detected: None,
        mitigated: None,
        resolved: None,
        customer_impact: false,
        detected_by: None,
        should_have_caught: None,
        known: None,
        runbook: None,
    };
    let first = record(
        db,
        manager.id,
        Spec {
            severity: Severity::Sev1,
            detected: Some(10),
            mitigated: Some(30),
            resolved: Some(60),
            customer_impact: true,
            detected_by: Some(DetectionSource::Alert),
            known: Some(false),
            runbook: Some(RunbookOutcome::ExistedWorked),
            ..plain("Card payments failing", payments, t(10, 5, 10, 0, 0))
        },
    )
    .await;
    let second = record(
        db,
        manager.id,
        Spec {
            severity: Severity::Sev2,
            detected: Some(30),
            resolved: Some(120),
            customer_impact: true,
            detected_by: Some(DetectionSource::UserReport),
            should_have_caught: Some(true),
            known: Some(true),
            runbook: Some(RunbookOutcome::NoneExisted),
            ..plain("Refunds stuck", payments, t(10, 20, 23, 30, 0))
        },
    )
    .await;
    let third = record(
        db,
        manager.id,
        plain("Slow search suggestions", search, t(10, 31, 23, 59, 59)),
    )
    .await;
    let september = record(
        db,
        manager.id,
        Spec {
            resolved: Some(120),
            customer_impact: true,
            detected_by: Some(DetectionSource::Alert),
            ..plain("Index rebuild", search, t(9, 30, 23, 0, 0))
        },
    )
    .await;
    let new_york_october = record(
        db,
        manager.id,
        Spec {
            severity: Severity::Sev4,
            ..plain("Stale autocomplete", search, t(11, 1, 3, 30, 0))
        },
    )
    .await;
    Seeded {
        manager,
        payments_team: teams[0],
        payments,
        search,
        incidents: [first, second, third, september, new_york_october],
    }
}

async fn seed_items_and_deploys(db: &Db, s: &Seeded) {
    let item = |title: &str, due: NaiveDate, committed: bool| ActionItemInput {
        title: title.into(),
        description: String::new(),
        incident_id: s.incidents[0],
        owner_id: Some(s.manager.id),
        team_id: Some(s.payments_team),
        service_id: Some(s.payments),
        action_type: ActionType::Detect,
        priority: Priority::P2,
        due_on: Some(due),
        tracker_url: None,
        cadence: Cadence::Weekly,
        related_incident_ids: vec![],
        committed,
    };
    let go =
        |id: i64, version: i64, action: ActionMove, details: MoveDetails, when: DateTime<Utc>| {
            let db = db.clone();
            let actor = s.manager;
            async move {
                action_items::transition(
                    db.write(),
                    id,
                    version,
                    action,
                    details,
                    actor,
                    when,
                    when.date_naive(),
                )
                .await
                .unwrap()
            }
        };
    // Raised committed on 6 October, done on the 10th, verified effective at Monday's review.
    let alert = action_items::create(
        db.write(),
        item("Alert on card declines", day(10, 16), true),
        s.manager,
        t(10, 6, 9, 0, 0),
    )
    .await
    .unwrap();
    go(
        alert.id,
        1,
        ActionMove::Complete,
        MoveDetails::default(),
        t(10, 10, 16, 0, 0),
    )
    .await;
    go(
        alert.id,
        2,
        ActionMove::Verify,
        MoveDetails {
            outcome: Some(Outcome::Effective),
            evidence: Some("It fired on the 12th within a minute".into()),
            ..Default::default()
        },
        t(10, 12, 10, 0, 0),
    )
    .await;
    // Proposed on the 7th, committed on the 8th, due the 15th, still open: overdue at the end.
    let runbook = action_items::create(
        db.write(),
        item("Runbook for refunds", day(10, 15), false),
        s.manager,
        t(10, 7, 9, 0, 0),
    )
    .await
    .unwrap();
    go(
        runbook.id,
        1,
        ActionMove::Commit,
        MoveDetails::default(),
        t(10, 8, 9, 0, 0),
    )
    .await;
    // Committed in September, late at its end, declined on 3 October.
    let retry = action_items::create(
        db.write(),
        item("Retry budget", day(9, 30), true),
        s.manager,
        t(9, 25, 9, 0, 0),
    )
    .await
    .unwrap();
    go(
        retry.id,
        1,
        ActionMove::Decline,
        MoveDetails {
            reason: Some("Superseded by the queue redesign".into()),
            ..Default::default()
        },
        t(10, 3, 9, 0, 0),
    )
    .await;

    let deploy = |service_id, deployed_at, outcome| DeployInput {
        service_id,
        deployed_at,
        outcome,
        reference: None,
    };
    deploys::record(
        db.write(),
        &[
            deploy(s.payments, t(10, 2, 9, 0, 0), DeployOutcome::Succeeded),
            deploy(s.payments, t(10, 3, 9, 0, 0), DeployOutcome::Failed),
            deploy(s.payments, t(10, 4, 9, 0, 0), DeployOutcome::RolledBack),
            deploy(s.payments, t(10, 5, 9, 0, 0), DeployOutcome::Succeeded),
            deploy(s.search, t(11, 1, 0, 0, 0), DeployOutcome::Succeeded),
        ],
        s.manager.id,
        now(),
    )
    .await
    .unwrap();
}

async fn october_figures_are_worked_out_by_hand(db: Db) {
    let s = seed(&db).await;
    seed_items_and_deploys(&db, &s).await;
    let [first, second, third, september, _] = s.incidents;
    let r = analytics::report(
        db.read(),
        &Default::default(),
        Scope::default(),
        october(),
        now(),
    )
    .await
    .unwrap();
    let f = &r.figures;

    // In UTC, October has the three that started in it; the one that ran over from September
    // belongs to September.
    assert_eq!(f.incident_ids, [first, second, third]);
    assert_eq!(r.previous.incident_ids, [september]);
    let severities: Vec<(Severity, Vec<i64>)> = f
        .by_severity
        .iter()
        .map(|c| (c.category, c.incident_ids.clone()))
        .collect();
    assert_eq!(
        severities,
        [
            (Severity::Sev1, vec![first]),
            (Severity::Sev2, vec![second]),
            (Severity::Sev3, vec![third]),
            (Severity::Sev4, vec![]),
        ]
    );
    // TTD 10 and 30 minutes; the third was never detected and is left out, not read as zero.
    assert_eq!(
        (f.ttd.summary.mean, f.ttd.summary.median, f.ttd.summary.p90),
        (Some(1200), Some(1200), Some(1800))
    );
    assert_eq!(f.ttd.missing_incident_ids, [third]);
    assert_eq!(f.ttm.summary.mean, Some(1800));
    assert_eq!(f.ttm.missing_incident_ids, [second, third]);
    assert_eq!(f.ttr.summary.mean, Some(5400));
    assert_eq!(f.ttr.summary.p90, Some(7200));
    // One of the two with a source recorded came from a user: a gap of 50%, over 30%.
    assert_eq!(
        (f.detection_gap.numerator, f.detection_gap.denominator),
        (1, 2)
    );
    assert_eq!(f.detected_by_unrecorded, [third]);
    assert_eq!(f.monitoring_should_have_caught, [second]);
    assert_eq!(
        (f.runbook_coverage.numerator, f.runbook_coverage.denominator),
        (1, 2)
    );
    assert_eq!(f.runbook_effectiveness.value(), Some(1.0));
    assert_eq!(f.known_problems, [second]);
    assert_eq!(
        r.rows
            .iter()
            .find(|x| x.metric == Metric::RecurrenceRate)
            .unwrap()
            .value,
        Some(1.0 / 3.0)
    );

    // Payments: 30 minutes of the first, two hours of the second (no mitigation time, so to
    // resolved). Search: the hour of September's incident that ran into October; the third
    // did not affect customers.
    let october_seconds = 31 * 86_400;
    let payments = f
        .availability
        .iter()
        .find(|a| a.service == "payments")
        .unwrap();
    assert_eq!(payments.availability.impact_seconds, 9_000);
    assert_eq!(payments.availability.period_seconds, october_seconds);
    assert_eq!(payments.incident_ids, [first, second]);
    let budget = payments.error_budget.unwrap();
    assert!((budget.budget_seconds - 2_678.4).abs() < 1e-9);
    assert!((budget.consumed.unwrap() - 9_000.0 / 2_678.4).abs() < 1e-9);
    let search = f
        .availability
        .iter()
        .find(|a| a.service == "search")
        .unwrap();
    assert_eq!(search.availability.impact_seconds, 3_600);
    assert_eq!(search.incident_ids, [september]);
    assert_eq!(search.error_budget, None);

    // Items: two raised and two committed in October, one done and verified effective at the
    // review it fell due in, one still open and late when October ended. The declined one was
    // open and late at the end of September.
    let items = f.items;
    assert_eq!(
        (
            items.created,
            items.committed,
            items.completed,
            items.open_at_end,
            items.overdue_at_end
        ),
        (2, 2, 1, 1, 1)
    );
    assert_eq!(
        (
            items.verification.due,
            items.verification.verified,
            items.verification.effective
        ),
        (1, 1, 1)
    );
    let before = r.previous.items;
    assert_eq!(
        (
            before.created,
            before.committed,
            before.open_at_end,
            before.overdue_at_end
        ),
        (1, 1, 1, 1)
    );

    // Deploys in October only: two of four failed or rolled back.
    assert_eq!(f.deploys.all(), 4);
    assert_eq!(f.change_failure_rate.value(), Some(0.5));

    // Against September: more incidents is worse.
    let incidents = r
        .rows
        .iter()
        .find(|x| x.metric == Metric::Incidents)
        .unwrap();
    assert_eq!(
        (
            incidents.value,
            incidents.previous,
            incidents.trend.unwrap().verdict
        ),
        (Some(3.0), Some(1.0), Verdict::Worse)
    );
    assert_eq!(incidents.history.len(), 12);
    assert!(
        r.headline.starts_with("Worse than the previous month."),
        "{}",
        r.headline
    );
    let kinds: Vec<&str> = r.findings.iter().map(|x| x.kind.key()).collect();
    assert!(kinds.contains(&"detection_gap"), "{kinds:?}");
    assert!(kinds.contains(&"error_budget"), "{kinds:?}");
    let gap = r
        .findings
        .iter()
        .find(|x| x.kind.key() == "detection_gap")
        .unwrap();
    assert_eq!(gap.incident_ids, [second]);
    assert!(gap.text.contains("(previous period: 0%)"), "{}", gap.text);

    // November is under way on the 15th: late means due before today, not before its end.
    action_items::create(
        db.write(),
        ActionItemInput {
            title: "Dashboards for refunds".into(),
            description: String::new(),
            incident_id: second,
            owner_id: Some(s.manager.id),
            team_id: None,
            service_id: None,
            action_type: ActionType::Detect,
            priority: Priority::P2,
            due_on: Some(day(11, 20)),
            tracker_url: None,
            cadence: Cadence::Monthly,
            related_incident_ids: vec![],
            committed: true,
        },
        s.manager,
        t(11, 2, 9, 0, 0),
    )
    .await
    .unwrap();
    let november = analytics::period_figures(
        db.read(),
        Scope::default(),
        october().next(),
        &chrono_tz::UTC,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        (november.items.open_at_end, november.items.overdue_at_end),
        (2, 1),
        "the refunds runbook is late; the dashboards are not due yet"
    );
}

async fn scopes_and_the_reporting_zone_change_what_counts(db: Db) {
    let s = seed(&db).await;
    seed_items_and_deploys(&db, &s).await;
    let [first, second, third, _, new_york_october] = s.incidents;
    let team = analytics::report(
        db.read(),
        &Default::default(),
        Scope {
            team_id: Some(s.payments_team),
            service_id: None,
        },
        october(),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(team.figures.incident_ids, [first, second]);
    assert_eq!(team.figures.deploys.all(), 4);
    assert_eq!(team.figures.items.created, 2);
    assert_eq!(
        team.figures
            .availability
            .iter()
            .map(|a| a.service.as_str())
            .collect::<Vec<_>>(),
        ["payments"]
    );

    let search = Scope {
        team_id: None,
        service_id: Some(s.search),
    };
    let service = analytics::report(db.read(), &Default::default(), search, october(), now())
        .await
        .unwrap();
    assert_eq!(service.figures.incident_ids, [third]);
    assert_eq!(service.figures.deploys.all(), 0);
    assert_eq!(
        service.figures.items.created, 0,
        "items count by their own service"
    );

    // In New York, 03:30 UTC on 1 November is still 31 October.
    let settings = organisation::get(db.read()).await.unwrap();
    organisation::set_reporting_zone(
        db.write(),
        app::domain::time::parse_zone("America/New_York").unwrap(),
        None,
        settings.version,
    )
    .await
    .unwrap();
    let new_york = analytics::report(db.read(), &Default::default(), search, october(), now())
        .await
        .unwrap();
    assert_eq!(new_york.figures.incident_ids, [third, new_york_october]);
    // October in New York runs from 04:00 UTC on the 1st to 04:00 UTC on 1 November, and has
    // an extra hour where the clocks go back (on 1 November, so not in it).
    let search_availability = &new_york.figures.availability[0];
    assert_eq!(search_availability.availability.period_seconds, 31 * 86_400);
    // September's incident ended at 01:00 UTC on 1 October, still September in New York.
    assert_eq!(search_availability.availability.impact_seconds, 0);
}

async fn deploys_are_recorded_all_or_nothing(db: Db) {
    let s = seed(&db).await;
    let err = deploys::record(
        db.write(),
        &[
            DeployInput {
                service_id: s.payments,
                deployed_at: t(10, 2, 9, 0, 0),
                outcome: DeployOutcome::Succeeded,
                reference: Some("v1.2.0".into()),
            },
            DeployInput {
                service_id: 9_999,
                deployed_at: t(10, 2, 10, 0, 0),
                outcome: DeployOutcome::Failed,
                reference: None,
            },
        ],
        s.manager.id,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.for_field("deploys[1].service_id").as_deref(),
        Some("Service does not exist")
    );
    let r = analytics::period_figures(
        db.read(),
        Scope::default(),
        october(),
        &chrono_tz::UTC,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(r.deploys.all(), 0, "nothing of the refused batch was kept");
}

async fn the_digest_tells_october_and_says_what_to_do(db: Db) {
    let s = seed(&db).await;
    seed_items_and_deploys(&db, &s).await;
    let d = app::services::digest::digest(db.read(), &Default::default(), october(), now())
        .await
        .unwrap();
    assert_eq!(d.period_label, "October 2026");
    let told: Vec<(&str, Vec<String>)> = d
        .incidents
        .iter()
        .map(|i| (i.title.as_str(), i.services.clone()))
        .collect();
    assert_eq!(
        told,
        [
            ("Card payments failing", vec!["payments".to_string()]),
            ("Refunds stuck", vec!["payments".to_string()]),
            ("Slow search suggestions", vec!["search".to_string()]),
        ]
    );
    let titles = |items: &[app::domain::analytics::digest::DigestItem]| {
        items.iter().map(|i| i.title.clone()).collect::<Vec<_>>()
    };
    assert_eq!(titles(&d.completed), ["Alert on card declines"]);
    assert_eq!(titles(&d.verified), ["Alert on card declines"]);
    assert!(d.coming_up.is_empty(), "nothing open is due in November");
    assert!(
        d.recommendations.iter().any(|r| r
            == "Add alerting for payments: users reported their incidents before any alert fired."),
        "{:?}",
        d.recommendations
    );
    let md = d.to_markdown();
    assert!(
        md.starts_with("# Learning digest: October 2026\n\nWorse than the previous month."),
        "{md}"
    );
}

/// A report reuses the figures of finished periods, and any change to the data behind them,
/// made through the app, shows in the next report.
async fn finished_periods_are_reused_until_the_data_changes(db: Db) {
    let s = seed(&db).await;
    seed_items_and_deploys(&db, &s).await;
    let cache = analytics::FiguresCache::default();
    let november = ReportPeriod::Calendar(Period::parse("2026-11").unwrap());
    let report = |db: Db, cache: analytics::FiguresCache| async move {
        analytics::report(db.read(), &cache, Scope::default(), november, now())
            .await
            .unwrap()
    };
    let first = report(db.clone(), cache.clone()).await;
    assert_eq!(first.previous.incident_ids.len(), 3);
    let again = report(db.clone(), cache.clone()).await;
    assert_eq!(again.previous, first.previous);
    assert_eq!(again.rows, first.rows);

    // A late write-up of an October incident.
    let late = record(
        &db,
        s.manager.id,
        Spec {
            title: "Written up late",
            service: s.search,
            severity: Severity::Sev2,
            started: t(10, 12, 9, 0, 0),
            detected: Some(10),
            mitigated: Some(20),
            resolved: Some(30),
            customer_impact: true,
            detected_by: Some(DetectionSource::UserReport),
            should_have_caught: Some(true),
            known: Some(false),
            runbook: None,
        },
    )
    .await;
    let after_incident = report(db.clone(), cache.clone()).await;
    assert!(after_incident.previous.incident_ids.contains(&late));
    assert_eq!(after_incident.previous.incident_ids.len(), 4);

    // An October deploy recorded afterwards.
    let before = after_incident.previous.deploys.failed;
    deploys::record(
        db.write(),
        &[DeployInput {
            service_id: s.payments,
            deployed_at: t(10, 13, 9, 0, 0),
            outcome: DeployOutcome::Failed,
            reference: None,
        }],
        s.manager.id,
        now(),
    )
    .await
    .unwrap();
    let after_deploy = report(db.clone(), cache.clone()).await;
    assert_eq!(after_deploy.previous.deploys.failed, before + 1);

    // A service's SLO changed: the availability of past periods is measured against it.
    let search = catalog::services(db.read())
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id == s.search)
        .unwrap();
    catalog::update_service(
        db.write(),
        search.id,
        search.version,
        catalog::ServiceInput {
            team_id: search.team_id,
            name: CatalogName::parse(&search.name).unwrap(),
            slo_target: Some(SloTarget::from_percent(95.5).unwrap()),
            runbook_url: None,
        },
    )
    .await
    .unwrap();
    let after_slo = report(db.clone(), cache.clone()).await;
    let slo = after_slo
        .previous
        .availability
        .iter()
        .find(|a| a.service_id == s.search)
        .unwrap()
        .slo_target_percent;
    assert_eq!(slo, Some(95.5));
}

/// Every action-item figure lists exactly the items it counts.
async fn each_item_figure_lists_the_items_it_counts(db: Db) {
    let s = seed(&db).await;
    seed_items_and_deploys(&db, &s).await;
    for period in [
        october(),
        ReportPeriod::Calendar(Period::parse("2026-11").unwrap()),
    ] {
        let f =
            analytics::period_figures(db.read(), Scope::default(), period, &chrono_tz::UTC, now())
                .await
                .unwrap();
        let v = f.items.verification;
        let expected = [
            (Metric::ItemsCreated, f.items.created),
            (Metric::ItemsCommitted, f.items.committed),
            (Metric::ItemsCompleted, f.items.completed),
            (Metric::ItemsOpen, f.items.open_at_end),
            (Metric::ItemsOverdue, f.items.overdue_at_end),
            (Metric::PriorActionsVerified, v.due),
            (Metric::PriorActionsEffective, v.verified),
        ];
        for (metric, count) in expected {
            let (total, items) =
                analytics::items_behind(db.read(), Scope::default(), period, metric, 100, now())
                    .await
                    .unwrap()
                    .unwrap();
            assert_eq!(
                (total, items.len() as u64),
                (count, count),
                "{metric:?} in {period:?}"
            );
        }
        assert!(f.items.open_at_end > 0, "{:?}", f.items);
        if period == october() {
            assert!(
                f.items.created > 0 && f.items.completed > 0,
                "{:?}",
                f.items
            );
        }
    }
    let none = analytics::items_behind(
        db.read(),
        Scope::default(),
        october(),
        Metric::Mttr,
        10,
        now(),
    )
    .await
    .unwrap();
    assert!(none.is_none());
}

on_both_databases!(
    each_item_figure_lists_the_items_it_counts,
    finished_periods_are_reused_until_the_data_changes,
    the_digest_tells_october_and_says_what_to_do,
    october_figures_are_worked_out_by_hand,
    scopes_and_the_reporting_zone_change_what_counts,
    deploys_are_recorded_all_or_nothing,
);

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let reply = app
        .send(
            Request::get(path)
                .header(header::HOST, "hindsight.test")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    (
        reply.status,
        serde_json::from_str(&reply.body).unwrap_or(Value::Null),
    )
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let reply = app
        .send(
            Request::post(path)
                .header(header::HOST, "hindsight.test")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    (
        reply.status,
        serde_json::from_str(&reply.body).unwrap_or(Value::Null),
    )
}

/// The same data through the API: the manager's token, and the October answer.
async fn october_through_the_api(app: &TestApp) -> Value {
    let s = seed(&app.state.db).await;
    seed_items_and_deploys(&app.state.db, &s).await;
    let token = api_tokens::create(app.state.db.write(), s.manager.id, "test", now())
        .await
        .unwrap()
        .1;
    let (status, body) = get(app, "/api/v1/analytics?kind=month&period=2026-10", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn the_analytics_api_answers_alike_on_sqlite_and_postgresql() {
    let sqlite = TestApp::on(common::sqlite().await, now()).await;
    let from_sqlite = october_through_the_api(&sqlite).await;
    assert_eq!(from_sqlite["period"], "2026-10");
    assert_eq!(from_sqlite["previous_period"], "2026-09");
    assert_eq!(
        from_sqlite["figures"]["incident_ids"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(from_sqlite["figures"]["ttr"]["summary"]["mean"], 5400);
    assert_eq!(from_sqlite["figures"]["detection_gap"]["value"], 0.5);
    assert_eq!(from_sqlite["figures"]["change_failure_rate"]["value"], 0.5);
    let mttr = from_sqlite["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "mttr")
        .unwrap();
    assert_eq!(mttr["value"], 5400.0);
    assert_eq!(mttr["previous"], 7200.0);
    assert_eq!(mttr["verdict"], "better");

    match common::postgres().await {
        None => eprintln!("SKIPPED: the PostgreSQL half of the analytics API comparison"),
        Some(db) => {
            let postgres = TestApp::on(db, now()).await;
            let from_postgres = october_through_the_api(&postgres).await;
            assert_eq!(from_sqlite, from_postgres);
        }
    }
}

#[tokio::test]
async fn the_analytics_api_names_what_is_wrong_and_deploys_need_an_engineer() {
    let app = TestApp::on(common::sqlite().await, now()).await;
    let s = seed(&app.state.db).await;
    let token = api_tokens::create(app.state.db.write(), s.manager.id, "test", now())
        .await
        .unwrap()
        .1;
    let (status, body) = get(&app, "/api/v1/analytics?kind=fortnight", &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "kind");
    let (status, body) = get(&app, "/api/v1/analytics?kind=month&period=2026-W44", &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "period");
    let (status, body) = get(&app, "/api/v1/analytics?team=999", &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"]["message"],
        "Team names no team (“999”): type part of a name and pick from the suggestions"
    );
    // A team or service by name, as the page's filters send it, or by id.
    let (status, body) = get(&app, "/api/v1/analytics?team=PAYMENTS", &token).await;
    assert_eq!(
        (status, &body["team"]),
        (StatusCode::OK, &json!(s.payments_team)),
        "{body}"
    );
    let (status, body) = get(&app, "/api/v1/analytics?service=sea", &token).await;
    assert_eq!(
        (status, &body["service"]),
        (StatusCode::OK, &json!(s.search)),
        "{body}"
    );
    let (status, body) = get(
        &app,
        &format!("/api/v1/analytics?service={}", s.payments),
        &token,
    )
    .await;
    assert_eq!(
        (status, &body["service"]),
        (StatusCode::OK, &json!(s.payments)),
        "{body}"
    );
    // Without a period: the current month in the reporting zone.
    let (status, body) = get(&app, "/api/v1/analytics", &token).await;
    assert_eq!(
        (status, body["period"].as_str()),
        (StatusCode::OK, Some("2026-11"))
    );
    let (status, body) = get(
        &app,
        "/api/v1/analytics?period=2026-10-01..2026-10-07",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["previous_period"], "2026-09-24..2026-09-30");

    let (status, one) = post(
        &app,
        "/api/v1/deploys",
        &token,
        serde_json::json!({"service_id": s.payments, "deployed_at": "2026-10-02T09:00:00Z", "outcome": "failed", "reference": "v2"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{one}");
    assert_eq!(one["outcome"], "failed");
    let (status, batch) = post(
        &app,
        "/api/v1/deploys",
        &token,
        serde_json::json!({"deploys": [
            {"service_id": s.payments, "deployed_at": "2026-10-03T09:00:00Z", "outcome": "succeeded"},
            {"service_id": s.search, "deployed_at": "2026-10-04", "outcome": "succeeded"}
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(batch["error"]["field"], "deploys[1].deployed_at");
    let (_, october) = get(&app, "/api/v1/analytics?period=2026-10", &token).await;
    assert_eq!(october["figures"]["deploys"]["failed"], 1);
    assert_eq!(
        october["figures"]["deploys"]["succeeded"], 0,
        "the refused batch left nothing"
    );

    let viewer = accounts::create(
        app.state.db.write(),
        accounts::NewAccount {
            username: Username::parse("vic").unwrap(),
            display_name: DisplayName::parse("Vic").unwrap(),
            email: Email::parse("vic@example.com").unwrap(),
            password: NewPassword::parse(common::PASSWORD).unwrap(),
            role: Role::Viewer,
        },
        now(),
    )
    .await
    .unwrap();
    let viewer_token = api_tokens::create(app.state.db.write(), viewer.id, "test", now())
        .await
        .unwrap()
        .1;
    let (status, _) = get(&app, "/api/v1/analytics?period=2026-10", &viewer_token).await;
    assert_eq!(status, StatusCode::OK, "viewers read the figures");
    let (status, _) = post(
        &app,
        "/api/v1/deploys",
        &viewer_token,
        serde_json::json!({"service_id": s.payments, "deployed_at": "2026-10-02T09:00:00Z", "outcome": "failed"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_digest_downloads_as_markdown_for_people_signed_in() {
    let app = TestApp::on(common::sqlite().await, now()).await;
    let admin = app.create_first_admin().await;
    let s = seed(&app.state.db).await;
    seed_items_and_deploys(&app.state.db, &s).await;
    let reply = app.get("/digest.md?period=2026-10", Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(
        reply.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"hindsight-digest-2026-10.md\"")
    );
    assert!(reply.body.starts_with("# Learning digest: October 2026"));
    assert!(
        reply
            .body
            .contains("- **#1 Card payments failing** (SEV1, payments, resolved in 1h 00m)")
    );
    let page = app.get("/digest?period=2026-10", Some(&admin)).await;
    assert!(page.body.contains("Add alerting for payments"));
    let anonymous = app.get("/digest.md?period=2026-10", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().unwrap().starts_with("/login?next="));
    let wrong = app.get("/digest.md?period=October", Some(&admin)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn deploys_upload_as_csv_all_or_nothing_naming_each_bad_line() {
    let app = TestApp::on(common::sqlite().await, now()).await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "vic", "viewer").await;
    let vic = app.login_cookie("vic").await;
    seed(&app.state.db).await;
    let count = || async {
        analytics::period_figures(
            app.state.db.read(),
            Scope::default(),
            october(),
            &chrono_tz::UTC,
            now(),
        )
        .await
        .unwrap()
        .deploys
    };

    let bad = "service,deployed_at,outcome\n\
               payments,2026-10-02T09:00:00Z,succeeded\n\
               payments,2026-10-03T09:00:00Z,crashed\n\
               nope,2026-10-04T09:00:00Z,failed\n";
    let refused = app
        .call("deploys/upload", &[("csv", bad)], Some(&admin))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(r#""field":"csv""#),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("line 3, outcome: must be one of succeeded, failed, rolled_back"),
        "{}",
        refused.body
    );
    assert_eq!(
        count().await.all(),
        0,
        "nothing of a refused upload is kept"
    );
    let unknown = "service,deployed_at,outcome\n\
                   payments,2026-10-02T09:00:00Z,succeeded\n\
                   nope,2026-10-04T09:00:00Z,failed\n";
    let refused = app
        .call("deploys/upload", &[("csv", unknown)], Some(&admin))
        .await;
    assert!(
        refused
            .body
            .contains("line 3, service: “nope” is not a service in the catalogue"),
        "{}",
        refused.body
    );
    assert_eq!(count().await.all(), 0);

    let good = "service,deployed_at,outcome,reference\n\
                Payments,2026-10-02T09:00:00Z,succeeded,v1\n\
                search,2026-10-03T09:00:00Z,rolled_back,\n";
    let denied = app
        .call("deploys/upload", &[("csv", good)], Some(&vic))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "viewers only read");
    let recorded = app
        .call("deploys/upload", &[("csv", good)], Some(&admin))
        .await;
    assert_eq!(
        (recorded.status, recorded.body.as_str()),
        (StatusCode::OK, "2")
    );
    let tally = count().await;
    assert_eq!((tally.succeeded, tally.rolled_back), (1, 1));
    let page = app.get("/deploys", Some(&admin)).await;
    assert!(page.body.contains("Upload deploys as CSV"));
}

#[tokio::test]
async fn the_items_behind_a_figure_are_a_page_of_their_own() {
    let app = TestApp::on(common::sqlite().await, now()).await;
    let s = seed(&app.state.db).await;
    seed_items_and_deploys(&app.state.db, &s).await;
    let cookie = app.login_cookie("mia").await;
    let page = app
        .get("/analytics?kind=month&period=2026-10", Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(
            "href=\"/analytics/items?kind=month&amp;period=2026-10&amp;metric=items_open\""
        ),
        "the open-items figure links to its items"
    );
    assert!(page.body.contains("data-chart=\"availability\""));
    let items = app
        .get(
            "/analytics/items?kind=month&period=2026-10&metric=items_open",
            Some(&cookie),
        )
        .await;
    assert_eq!(items.status, StatusCode::OK);
    let open = analytics::items_behind(
        app.state.db.read(),
        Scope::default(),
        october(),
        Metric::ItemsOpen,
        100,
        now(),
    )
    .await
    .unwrap()
    .unwrap()
    .1;
    assert!(!open.is_empty());
    for item in &open {
        assert!(
            items.body.contains(&format!("data-item=\"{}\"", item.id)),
            "{}",
            item.title
        );
    }
    let wrong = app
        .get(
            "/analytics/items?kind=month&period=2026-10&metric=mttr",
            Some(&cookie),
        )
        .await;
    assert!(wrong.body.contains("does not count action items"));
}
