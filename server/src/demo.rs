//! `hindsight seed-demo`: six months of a small company's incidents, so every page has something
//! real to show the first time someone opens it. Deterministic apart from the passwords.

use anyhow::bail;
use app::domain::catalog::{CatalogName, RunbookUrl, SloTarget};
use app::domain::incident::{CauseCategory, DetectionSource, KeyTimes, RunbookOutcome, Severity};
use app::domain::postmortem::ReviewMove;
use app::domain::timeline::{EventKind, KeyMoment};
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::entities::{incident, user};
use app::services::incidents::IncidentInput;
use app::services::timeline::EventInput;
use app::services::{accounts, catalog, incidents, postmortems, timeline};
use app::state::Db;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{EntityTrait, PaginatorTrait};

/// A small deterministic generator, so the same story is told every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `low..=high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % ((high - low + 1) as u64)) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

struct Scenario {
    title: &'static str,
    services: &'static [&'static str],
    severity: &'static [Severity],
    cause: CauseCategory,
    detected_by: &'static [DetectionSource],
    summary: &'static str,
    impact: &'static str,
    root_cause: &'static str,
    trigger: &'static str,
    factors: &'static str,
    went_well: &'static str,
    went_poorly: &'static str,
    lucky: &'static str,
    lessons: &'static str,
    /// Detection, escalation, action, mitigation, resolution.
    steps: [&'static str; 5],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        title: "Checkout returns 502s after deploy",
        services: &["checkout", "api-gateway"],
        severity: &[Severity::Sev1, Severity::Sev2],
        cause: CauseCategory::Change,
        detected_by: &[DetectionSource::Alert, DetectionSource::UserReport],
        summary: "A checkout release shipped a connection pool of 4 instead of 40; under evening load most payment requests timed out at the gateway.",
        impact: "About a third of checkout attempts failed for the duration; customers saw a generic error page.",
        root_cause: "The pool size moved from an environment variable into the config file, and the file carried the development value. Nothing compared production config against the previous release.",
        trigger: "The 18:00 deploy of checkout, followed by the usual evening traffic ramp.",
        factors: "- The canary stage ran at 1% of traffic, too little to exhaust a small pool.\n- Dashboards showed gateway 502s but not pool saturation.\n- The deploy happened during the daily peak.",
        went_well: "Rollback was one command and finished in four minutes.",
        went_poorly: "It took a while to connect the 502s to the deploy, because the deploy marker was missing from the gateway dashboard. Someone said it was human error to ship the wrong file, which stalled the discussion for a bit.",
        lucky: "It happened before the marketing email went out, not after.",
        lessons: "Config changes deserve the same canary and diff review as code. We want pool saturation as a first-class metric.",
        steps: [
            "Gateway 5xx alert fired: checkout upstream above 5% errors",
            "Paged the payments on-call; incident channel opened",
            "Correlated the spike with the 18:00 checkout deploy",
            "Rolled checkout back to the previous release; error rate falling",
            "Error rate back at baseline for 30 minutes; closing",
        ],
    },
    Scenario {
        title: "Login failures: expired signing certificate",
        services: &["auth"],
        severity: &[Severity::Sev1],
        cause: CauseCategory::Configuration,
        detected_by: &[
            DetectionSource::UserReport,
            DetectionSource::InternalDiscovery,
        ],
        summary: "The token signing certificate expired at midnight UTC and every new login failed until a new certificate was issued and rolled out.",
        impact: "No one could sign in for the duration; existing sessions kept working.",
        root_cause: "Certificate renewal was a manual calendar reminder owned by a person who had moved teams. The renewal job we assumed existed only covered the public TLS certificates.",
        trigger: "The certificate's expiry date passing.",
        factors: "- No alert on certificate expiry for internal signing keys.\n- The runbook described renewal for TLS, not for signing keys.\n- The on-call engineer had never rotated this key before.",
        went_well: "Support spotted the pattern in tickets quickly and escalated with good examples.",
        went_poorly: "We learned about it from customers. The team forgot to renew it is the easy story, but the system relied on someone remembering.",
        lucky: "It expired on a Sunday night, when traffic is lowest.",
        lessons: "Anything that expires needs an owner that is a job, not a person, plus an alert 30 days out.",
        steps: [
            "Support reports a wave of 'cannot sign in' tickets",
            "Escalated to the platform on-call",
            "Found 'certificate expired' in the auth service logs",
            "Issued a new signing certificate and rolled auth; logins recovering",
            "Login success rate normal; old certificate removed from trust store",
        ],
    },
    Scenario {
        title: "Search results stale for hours",
        services: &["search"],
        severity: &[Severity::Sev3],
        cause: CauseCategory::Data,
        detected_by: &[DetectionSource::UserReport, DetectionSource::Other],
        summary: "The indexing consumer stalled on a malformed product record and stopped applying updates; search showed prices and stock from the morning.",
        impact: "Customers saw out-of-stock items as available and some outdated prices; a handful of orders had to be cancelled.",
        root_cause: "The consumer retried a poison message forever instead of parking it, so the partition made no progress.",
        trigger: "A bulk product import containing a record with a null category.",
        factors: "- Consumer lag was graphed but not alerted on.\n- The import tool did not validate categories.",
        went_well: "Skipping the record and reindexing the partition was quick once we found it.",
        went_poorly: "Lag had been growing for five hours before anyone looked.",
        lucky: "The stale prices were mostly higher, not lower.",
        lessons: "Every consumer needs a dead-letter path and a lag alert.",
        steps: [
            "Customer reports price mismatch between search and product page",
            "Growth on-call pulled in",
            "Found indexing consumer lag at 5h on partition 7",
            "Moved the poison record to a dead-letter topic; consumer catching up",
            "Lag at zero; spot-checked prices",
        ],
    },
    Scenario {
        title: "Notification emails delayed",
        services: &["notifications"],
        severity: &[Severity::Sev3, Severity::Sev4],
        cause: CauseCategory::Dependency,
        detected_by: &[DetectionSource::Alert, DetectionSource::InternalDiscovery],
        summary: "Our email provider throttled us after a sending spike, and order confirmations queued for up to two hours.",
        impact: "Order confirmation and password reset emails arrived late.",
        root_cause: "A re-engagement campaign shared the transactional sending pool and consumed its rate limit.",
        trigger: "The Tuesday campaign send.",
        factors: "- One provider account for marketing and transactional mail.\n- Queue depth alert threshold set too high to catch it early.",
        went_well: "The queue drained on its own once the campaign finished; nothing was lost.",
        went_poorly: "Password resets being late caused a spike of support tickets.",
        lucky: "No security-sensitive emails were involved.",
        lessons: "Separate transactional from marketing sending.",
        steps: [
            "Queue depth alert on notifications-email",
            "Growth on-call acknowledged",
            "Provider dashboard shows 429s; campaign send in progress",
            "Paused the campaign; transactional queue draining",
            "Queue empty; campaign rescheduled to a separate pool",
        ],
    },
    Scenario {
        title: "API latency spike from node pressure",
        services: &["kubernetes", "api-gateway"],
        severity: &[Severity::Sev2, Severity::Sev3],
        cause: CauseCategory::Capacity,
        detected_by: &[DetectionSource::Alert],
        summary: "A node pool ran out of memory headroom; pods were evicted and rescheduled in a loop, and p99 latency at the gateway went above 4 seconds.",
        impact: "Slow pages across the product for about 40 minutes.",
        root_cause: "Memory requests on the batch workers were far below actual use, so the scheduler packed nodes beyond what they could hold.",
        trigger: "The nightly batch starting while daytime traffic in another region was still high.",
        factors: "- Requests not reviewed since the workers doubled in size.\n- Cluster autoscaler limited to 12 nodes.",
        went_well: "The latency alert fired within two minutes and the runbook for node pressure worked.",
        went_poorly: "It took time to see that the evictions, not the gateway, were the problem.",
        lucky: "The batch was idempotent, so restarts caused no bad data.",
        lessons: "Requests should be derived from observed usage, reviewed quarterly.",
        steps: [
            "p99 latency alert on api-gateway",
            "Platform on-call acknowledged; pulled in Kubernetes owner",
            "Saw eviction loop on pool batch-b",
            "Raised autoscaler max and cordoned the hot nodes; latency dropping",
            "Latency normal; batch completed",
        ],
    },
    Scenario {
        title: "Duplicate charges on retried payments",
        services: &["billing", "ledger"],
        severity: &[Severity::Sev2],
        cause: CauseCategory::Change,
        detected_by: &[DetectionSource::UserReport],
        summary: "A change to the payment retry path dropped the idempotency key, so some retried payments were charged twice.",
        impact: "Around 200 customers were charged twice; all were refunded within a day.",
        root_cause: "The retry path built a new request object and the idempotency key was not copied across. Tests covered the first attempt only.",
        trigger: "A deploy of billing that refactored the retry helper.",
        factors: "- No test for the retry path with the provider's sandbox.\n- The ledger reconciliation runs nightly, not hourly.",
        went_well: "Reconciliation identified every affected customer exactly.",
        went_poorly: "The engineer should have caught it in review is not a useful conclusion; the review had no way to see the key was dropped.",
        lucky: "The provider's own duplicate detection blocked most of them.",
        lessons: "Money paths need end-to-end tests of retries, and reconciliation should run hourly.",
        steps: [
            "Customer reports being charged twice",
            "Escalated to payments on-call and finance",
            "Traced duplicates to retries without idempotency keys",
            "Disabled automatic retries with a flag",
            "Fix deployed, retries re-enabled, refunds issued",
        ],
    },
    Scenario {
        title: "Warehouse load job failed silently",
        services: &["warehouse"],
        severity: &[Severity::Sev4, Severity::Sev3],
        cause: CauseCategory::Infrastructure,
        detected_by: &[DetectionSource::InternalDiscovery],
        summary: "The nightly warehouse load failed on a full disk and the dashboards showed yesterday's numbers for two days.",
        impact: "Internal reporting only; the finance team worked from stale revenue numbers.",
        root_cause: "Temporary files from failed runs were never cleaned up, and the job's exit code was ignored by the scheduler wrapper.",
        trigger: "The disk crossing 100% during the load.",
        factors: "- No freshness check on the dashboards.\n- Disk usage alert only on production hosts.",
        went_well: "Re-running the loads was straightforward.",
        went_poorly: "Two days passed before anyone noticed.",
        lucky: "Month-end close was the following week.",
        lessons: "Data needs freshness checks, not just job success checks.",
        steps: [
            "Analyst notices revenue dashboard unchanged since Monday",
            "Data on-call asked to look",
            "Found disk full on the loader host",
            "Cleaned temp files and re-ran both loads",
            "Dashboards current; freshness check added to backlog",
        ],
    },
    Scenario {
        title: "Web frontend blank page for Safari users",
        services: &["web-frontend"],
        severity: &[Severity::Sev2, Severity::Sev3],
        cause: CauseCategory::Change,
        detected_by: &[DetectionSource::UserReport],
        summary: "A bundle built with a newer syntax target broke older Safari versions, which showed a blank page.",
        impact: "Roughly 8% of visitors saw an empty page on the storefront.",
        root_cause: "The browser support list was changed in a dependency upgrade, and nothing tested the oldest supported browsers.",
        trigger: "The frontend release that upgraded the build tooling.",
        factors: "- Synthetic checks ran only in Chromium.\n- Client-side error reporting sampled at 1%.",
        went_well: "Rollback was fast once the cause was known.",
        went_poorly: "Support needed an hour to gather the browser detail that pointed to the cause.",
        lucky: "Mobile Safari users were mostly on newer versions.",
        lessons: "Test on the oldest browser we support, and raise client error sampling during rollouts.",
        steps: [
            "Support: several customers report a blank storefront on Mac",
            "Growth on-call joined; asked for browser versions",
            "Reproduced on Safari 15; syntax error in main bundle",
            "Rolled back the frontend release",
            "Confirmed fix in Safari 15 and 16; browserslist pinned",
        ],
    },
    Scenario {
        title: "Ledger replica lag delays balances",
        services: &["ledger"],
        severity: &[Severity::Sev3],
        cause: CauseCategory::Capacity,
        detected_by: &[DetectionSource::Alert, DetectionSource::UserReport],
        summary: "A long-running report query on the ledger replica held back replication; account balances shown to customers lagged by up to 20 minutes.",
        impact: "Customers saw outdated balances; no money moved incorrectly.",
        root_cause: "Reporting queries ran against the same replica that serves customer reads.",
        trigger: "A quarterly report query without a date bound.",
        factors: "- No statement timeout on the reporting role.\n- Replica lag alert at 30 minutes.",
        went_well: "Cancelling the query resolved it immediately.",
        went_poorly: "The lag alert threshold meant we heard from customers first.",
        lucky: "It was not during payroll day.",
        lessons: "Give reporting its own replica and a statement timeout.",
        steps: [
            "Replica lag alert on ledger-replica-1",
            "Payments on-call acknowledged",
            "Found an unbounded report query holding replication",
            "Cancelled the query; lag recovering",
            "Lag under one second; reporting role given a timeout",
        ],
    },
    Scenario {
        title: "Gateway rate limiter blocks partner traffic",
        services: &["api-gateway"],
        severity: &[Severity::Sev2, Severity::Sev3],
        cause: CauseCategory::Configuration,
        detected_by: &[DetectionSource::UserReport, DetectionSource::Alert],
        summary: "A new global rate limit applied per IP address blocked a partner who sends all traffic from two NAT addresses.",
        impact: "Our largest partner's order sync failed for two hours.",
        root_cause: "The rate limit design assumed one client per address; partner traffic patterns were not part of the review.",
        trigger: "Enabling the new rate limit rule.",
        factors: "- No allow-list for known partners.\n- 429 responses were not broken down by client.",
        went_well: "The partner's engineers gave us precise timestamps.",
        went_poorly: "Nobody on the change review knew about the partner's NAT setup; it was not written down anywhere.",
        lucky: "The partner's sync retries on its own, so no orders were lost.",
        lessons: "Rate limits should key on credentials, and partner integrations need a documented profile.",
        steps: [
            "Partner reports order sync failing with 429",
            "Platform on-call and partner manager joined",
            "Found the new per-IP limit hitting partner NAT addresses",
            "Added the partner's addresses to the allow-list",
            "Sync caught up; limit redesigned to key on API credentials",
        ],
    },
];

/// Postmortems with names in them and blame-shaped phrasing, for the lint to find.
const BLAME_LINES: &[&str] = &[
    "Honestly this was careless and should have been caught.",
    "The on-call failed to read the runbook before acting.",
    "It was the fault of the release manager for approving it.",
];

const WORDS: &[&str] = &[
    "amber", "basalt", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "juniper",
    "kelp", "lumen", "meadow", "nimbus", "orchid", "pylon", "quartz", "river", "sable", "tundra",
];

fn passphrase() -> String {
    let mut bytes = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let word = |b: u8| WORDS[b as usize % WORDS.len()];
    format!(
        "{}-{}-{}-{}",
        word(bytes[0]),
        word(bytes[1]),
        word(bytes[2]),
        10 + bytes[3] % 90
    )
}

fn err(e: app::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Fills an empty database; refuses one that already has accounts or incidents.
pub async fn seed(db: &Db, now: DateTime<Utc>) -> anyhow::Result<()> {
    let users = user::Entity::find().count(db.read()).await?;
    let existing = incident::Entity::find().count(db.read()).await?;
    if users > 0 || existing > 0 {
        bail!(
            "seed-demo fills an empty database; this one already has {users} accounts and {existing} incidents"
        );
    }

    let people = [
        ("admin", "Alex Admin", Role::Admin),
        ("maya", "Maya Manager", Role::Manager),
        ("felix", "Felix Facilitator", Role::Facilitator),
        ("erin", "Erin Engineer", Role::Engineer),
        ("sam", "Sam Engineer", Role::Engineer),
        ("vic", "Vic Viewer", Role::Viewer),
    ];
    let mut ids = std::collections::HashMap::new();
    println!("Demo accounts (passwords are shown only now):");
    for (username, name, role) in people {
        let password = passphrase();
        let created = accounts::create(
            db.write(),
            accounts::NewAccount {
                username: Username::parse(username).map_err(anyhow::Error::msg)?,
                display_name: DisplayName::parse(name).map_err(anyhow::Error::msg)?,
                email: Email::parse(&format!("{username}@demo.example"))
                    .map_err(anyhow::Error::msg)?,
                password: NewPassword::parse(&password).map_err(anyhow::Error::msg)?,
                role,
            },
            now - Duration::days(200),
        )
        .await
        .map_err(err)?;
        ids.insert(username, created.id);
        println!("  {username:<6} {:<12} {password}", role.as_str());
    }

    let teams = [
        (
            "Payments",
            vec![
                ("checkout", Some(99.95)),
                ("billing", Some(99.9)),
                ("ledger", Some(99.99)),
            ],
        ),
        (
            "Platform",
            vec![
                ("api-gateway", Some(99.95)),
                ("auth", Some(99.99)),
                ("kubernetes", None),
            ],
        ),
        (
            "Growth",
            vec![
                ("search", Some(99.5)),
                ("notifications", Some(99.0)),
                ("web-frontend", Some(99.9)),
            ],
        ),
        ("Data", vec![("warehouse", None)]),
    ];
    let mut services = std::collections::HashMap::new();
    for (team, members) in teams {
        let team = catalog::create_team(
            db.write(),
            CatalogName::parse(team).map_err(anyhow::Error::msg)?,
            now - Duration::days(200),
        )
        .await
        .map_err(err)?;
        for (name, slo) in members {
            let service = catalog::create_service(
                db.write(),
                catalog::ServiceInput {
                    team_id: team.id,
                    name: CatalogName::parse(name).map_err(anyhow::Error::msg)?,
                    slo_target: slo
                        .map(SloTarget::from_percent)
                        .transpose()
                        .map_err(anyhow::Error::msg)?,
                    runbook_url: RunbookUrl::parse_optional(&format!(
                        "https://runbooks.demo.example/{name}"
                    ))
                    .map_err(anyhow::Error::msg)?,
                },
                now - Duration::days(200),
            )
            .await
            .map_err(err)?;
            services.insert(name, service.id);
        }
    }

    let engineers = [ids["erin"], ids["sam"]];
    let facilitator = ids["felix"];
    let mut dice = Dice(0x5eed_cafe_f00d_b00f);
    let mut earlier: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let count = 60;
    for n in 0..count {
        let scenario = &SCENARIOS[(dice.next() % SCENARIOS.len() as u64) as usize];
        // Spread over six months, oldest first, at working and not-so-working hours.
        // The last three are this week's, still being worked on.
        let still_open = n >= count - 3;
        let day = if still_open {
            count - 1 - n
        } else {
            182 - (n * 182 / count) - dice.between(0, 2)
        };
        let started = now - Duration::days(day) - Duration::minutes(dice.between(60, 900));
        let detected_by = *dice.pick(scenario.detected_by);
        let ttd = match detected_by {
            DetectionSource::Alert => dice.between(1, 12),
            _ => dice.between(15, 180),
        };
        let detected = started + Duration::minutes(ttd);
        let acknowledged = detected + Duration::minutes(dice.between(1, 10));
        let mitigated = acknowledged + Duration::minutes(dice.between(5, 120));
        let resolved = mitigated + Duration::minutes(dice.between(10, 600));
        let known = earlier.get(scenario.title).copied();
        let runbook = if dice.chance(25) {
            RunbookOutcome::NoneExisted
        } else if dice.chance(30) {
            RunbookOutcome::ExistedFailed
        } else if dice.chance(20) {
            RunbookOutcome::ExistedNotUsed
        } else {
            RunbookOutcome::ExistedWorked
        };
        let author = *dice.pick(&engineers);
        let mut service_ids: Vec<i64> = scenario.services.iter().map(|s| services[s]).collect();
        service_ids.dedup();
        let record = incidents::create(
            db.write(),
            IncidentInput {
                title: scenario.title.to_string(),
                summary: scenario.summary.to_string(),
                severity: *dice.pick(scenario.severity),
                service_ids,
                customer_impact: scenario.cause != CauseCategory::Infrastructure,
                impact_description: scenario.impact.to_string(),
                times: KeyTimes {
                    started,
                    detected: Some(detected),
                    acknowledged: Some(acknowledged),
                    mitigated: (!still_open || dice.chance(50)).then_some(mitigated),
                    resolved: (!still_open).then_some(resolved),
                },
                detected_by: Some(detected_by),
                monitoring_should_have_caught: (detected_by != DetectionSource::Alert)
                    .then(|| dice.chance(70)),
                known_problem: Some(known.is_some()),
                repeats: known.into_iter().collect(),
                runbook_outcome: Some(runbook),
                cause_category: Some(scenario.cause),
                tags: vec![scenario.cause.key().to_string()],
            },
            author,
            started + Duration::minutes(ttd + 5),
        )
        .await
        .map_err(err)?;
        let id = record.incident.id;
        earlier.entry(scenario.title).or_insert(id);

        let times = record.incident.key_times();
        let steps: [(EventKind, Option<DateTime<Utc>>, Option<KeyMoment>); 5] = [
            (
                EventKind::Detection,
                Some(detected),
                Some(KeyMoment::Detected),
            ),
            (EventKind::Escalation, Some(acknowledged), None),
            (
                EventKind::Action,
                Some(acknowledged + (mitigated - acknowledged) / 2),
                None,
            ),
            (
                EventKind::Mitigation,
                times.mitigated,
                Some(KeyMoment::Mitigated),
            ),
            (
                EventKind::Resolution,
                times.resolved,
                Some(KeyMoment::Resolved),
            ),
        ];
        for ((kind, at, marks), text) in steps.into_iter().zip(scenario.steps) {
            let Some(at) = at else { continue };
            timeline::create(
                db.write(),
                id,
                EventInput {
                    occurred_at: at,
                    kind,
                    body: text.to_string(),
                    marks,
                },
                author,
                at + Duration::minutes(1),
            )
            .await
            .map_err(err)?;
        }

        if still_open && dice.chance(50) {
            continue;
        }
        let blame = if dice.chance(20) {
            format!("\n\n{}", dice.pick(BLAME_LINES))
        } else {
            String::new()
        };
        let body = format!(
            "## Summary\n\n{}\n\n## Impact\n\n{}\n\n## Root cause\n\n{}\n\n## Trigger\n\n{}\n\n\
             ## Contributing factors\n\n{}\n\n## What went well\n\n{}\n\n## What went poorly\n\n{}{}\n\n\
             ## Where we got lucky\n\n{}\n\n## Lessons learned\n\n{}\n",
            scenario.summary,
            scenario.impact,
            scenario.root_cause,
            scenario.trigger,
            scenario.factors,
            scenario.went_well,
            scenario.went_poorly,
            blame,
            scenario.lucky,
            scenario.lessons,
        );
        let written = resolved.max(started) + Duration::hours(dice.between(4, 48));
        postmortems::save(db.write(), id, 0, body, author, written)
            .await
            .map_err(err)?;
        // Older write-ups are reviewed and published; recent ones are still moving.
        let submit = day > 14 || dice.chance(50);
        let moves = [
            (
                submit,
                ReviewMove::Submit,
                Role::Engineer,
                author,
                Duration::hours(2),
            ),
            (
                day > 14,
                ReviewMove::Publish,
                Role::Facilitator,
                facilitator,
                Duration::days(2),
            ),
        ];
        for (wanted, action, role, actor, after) in moves {
            if wanted {
                postmortems::review(db.write(), id, action, role, None, actor, written + after)
                    .await
                    .map_err(err)?;
            }
        }
    }
    println!("Recorded {count} incidents over six months across 4 teams and 10 services.");
    Ok(())
}
