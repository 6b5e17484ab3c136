//! `hindsight seed-demo`: six months of a small company's incidents and the action items they
//! raised, so every page has something real to show the first time someone opens it.
//! Deterministic apart from the passwords and the dates, which are counted back from "now".

use anyhow::bail;
use app::domain::action_item::{
    ActionMove, ActionState, ActionType, Cadence, Outcome, Priority, end_of_week,
};
use app::domain::analytics::start_of_day;
use app::domain::catalog::{CatalogName, RunbookUrl, SloTarget};
use app::domain::deploy::DeployOutcome;
use app::domain::incident::{CauseCategory, DetectionSource, KeyTimes, RunbookOutcome, Severity};
use app::domain::postmortem::ReviewMove;
use app::domain::review;
use app::domain::timeline::{EventKind, KeyMoment};
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::entities::{action_item, incident, user};
use app::services::action_items::{ActionItemInput, Actor, ItemFilter, MoveDetails};
use app::services::deploys::{self, DeployInput};
use app::services::incidents::IncidentInput;
use app::services::timeline::EventInput;
use app::services::{accounts, action_items, catalog, incidents, notices, postmortems, timeline};
use app::services::{analytics, reviews};
use app::state::Db;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::HashMap;

/// A small deterministic generator, so the same story is told every time.
pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `low..=high`.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % ((high - low + 1) as u64)) as i64
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

pub(crate) struct Scenario {
    pub(crate) title: &'static str,
    pub(crate) services: &'static [&'static str],
    pub(crate) severity: &'static [Severity],
    pub(crate) cause: CauseCategory,
    pub(crate) detected_by: &'static [DetectionSource],
    pub(crate) summary: &'static str,
    pub(crate) impact: &'static str,
    pub(crate) root_cause: &'static str,
    pub(crate) trigger: &'static str,
    pub(crate) factors: &'static str,
    pub(crate) went_well: &'static str,
    pub(crate) went_poorly: &'static str,
    pub(crate) lucky: &'static str,
    pub(crate) lessons: &'static str,
    /// Detection, escalation, action, mitigation, resolution.
    pub(crate) steps: [&'static str; 5],
    /// What its review would ask for: the action items raised are drawn from these.
    pub(crate) improvements: &'static [Improvement],
    /// Why nothing further was needed, for the first time it happens: the fix shipped with it.
    pub(crate) settled: Option<&'static str>,
}

/// One improvement a postmortem raises, on one of the scenario's services.
pub(crate) struct Improvement {
    pub(crate) kind: ActionType,
    pub(crate) service: &'static str,
    pub(crate) title: &'static str,
}

const fn improvement(kind: ActionType, service: &'static str, title: &'static str) -> Improvement {
    Improvement {
        kind,
        service,
        title,
    }
}

pub(crate) const SCENARIOS: &[Scenario] = &[
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
        improvements: &[
            improvement(
                ActionType::Detect,
                "checkout",
                "Alert on connection-pool saturation above 80% for 5 minutes",
            ),
            improvement(
                ActionType::Prevent,
                "checkout",
                "Canary config changes like code",
            ),
            improvement(
                ActionType::Prevent,
                "checkout",
                "Diff production config against the previous release before deploying",
            ),
            improvement(
                ActionType::Detect,
                "api-gateway",
                "Show deploy markers on the gateway dashboard",
            ),
            improvement(
                ActionType::Process,
                "checkout",
                "Keep checkout deploys out of the 17:00–20:00 peak",
            ),
        ],
        settled: None,
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
        improvements: &[
            improvement(
                ActionType::Prevent,
                "auth",
                "Renew the token signing certificate from a scheduled job, not a calendar reminder",
            ),
            improvement(
                ActionType::Detect,
                "auth",
                "Alert 30 days before any internal signing key expires",
            ),
            improvement(
                ActionType::Mitigate,
                "auth",
                "Runbook: rotating the token signing key",
            ),
            improvement(
                ActionType::Process,
                "auth",
                "Inventory everything that expires, each with an owning team",
            ),
        ],
        settled: None,
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
        improvements: &[
            improvement(
                ActionType::Mitigate,
                "search",
                "Park poison messages on a dead-letter topic after 5 retries",
            ),
            improvement(
                ActionType::Detect,
                "search",
                "Alert on indexing consumer lag above 10 minutes",
            ),
            improvement(
                ActionType::Prevent,
                "search",
                "Validate categories in the product import tool",
            ),
            improvement(
                ActionType::Mitigate,
                "search",
                "Runbook: draining a stuck consumer group",
            ),
        ],
        settled: None,
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
        improvements: &[
            improvement(
                ActionType::Prevent,
                "notifications",
                "Separate transactional and marketing sending pools",
            ),
            improvement(
                ActionType::Detect,
                "notifications",
                "Alert when the email queue holds more than 15 minutes of backlog",
            ),
            improvement(
                ActionType::Process,
                "notifications",
                "Agree campaign send volumes with the on-call team before scheduling",
            ),
            improvement(
                ActionType::Mitigate,
                "notifications",
                "Runbook: pausing a campaign to protect transactional mail",
            ),
        ],
        settled: None,
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
        improvements: &[
            improvement(
                ActionType::Prevent,
                "kubernetes",
                "Set batch worker memory requests from observed p95 usage",
            ),
            improvement(
                ActionType::Process,
                "kubernetes",
                "Review resource requests every quarter",
            ),
            improvement(
                ActionType::Detect,
                "kubernetes",
                "Alert on the pod eviction rate per node pool",
            ),
            improvement(
                ActionType::Mitigate,
                "kubernetes",
                "Alert when the cluster autoscaler reaches its node limit",
            ),
            improvement(
                ActionType::Detect,
                "api-gateway",
                "Break gateway p99 latency down by upstream",
            ),
        ],
        settled: None,
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
        improvements: &[
            improvement(
                ActionType::Prevent,
                "billing",
                "End-to-end test of payment retries against the provider sandbox",
            ),
            improvement(
                ActionType::Detect,
                "ledger",
                "Run ledger reconciliation hourly instead of nightly",
            ),
            improvement(
                ActionType::Prevent,
                "billing",
                "Carry the idempotency key in the retry request type so it cannot be dropped",
            ),
            improvement(
                ActionType::Mitigate,
                "billing",
                "Runbook: refunding duplicate charges in bulk",
            ),
        ],
        settled: None,
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
        improvements: &[
            improvement(
                ActionType::Detect,
                "warehouse",
                "Warn on dashboards whose data is more than 26 hours old",
            ),
            improvement(
                ActionType::Prevent,
                "warehouse",
                "Clean up loader temp files after every run",
            ),
            improvement(
                ActionType::Detect,
                "warehouse",
                "Fail the scheduler wrapper on a non-zero exit code",
            ),
            improvement(
                ActionType::Detect,
                "warehouse",
                "Disk usage alert on the loader host",
            ),
        ],
        settled: None,
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
        improvements: &[
            improvement(
                ActionType::Prevent,
                "web-frontend",
                "Run synthetic checks on the oldest supported Safari",
            ),
            improvement(
                ActionType::Detect,
                "web-frontend",
                "Report every client error during rollouts, not 1%",
            ),
            improvement(
                ActionType::Prevent,
                "web-frontend",
                "Fail the build when the browser support list changes",
            ),
            improvement(
                ActionType::Process,
                "web-frontend",
                "Support macro: ask for browser and version on blank-page reports",
            ),
        ],
        settled: Some(
            "The fix shipped with the incident: the browser support list is pinned. Nothing further to commit to.",
        ),
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
        improvements: &[
            improvement(
                ActionType::Prevent,
                "ledger",
                "Give reporting its own ledger replica",
            ),
            improvement(
                ActionType::Prevent,
                "ledger",
                "Statement timeout of 60 seconds for the reporting role",
            ),
            improvement(
                ActionType::Detect,
                "ledger",
                "Lower the replica lag alert to 2 minutes",
            ),
            improvement(
                ActionType::Process,
                "ledger",
                "Require a date bound on scheduled report queries",
            ),
        ],
        settled: Some(
            "The fix shipped with the incident: the reporting role has a statement timeout. Nothing further to commit to.",
        ),
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
        improvements: &[
            improvement(
                ActionType::Prevent,
                "api-gateway",
                "Key rate limits on API credentials, not IP addresses",
            ),
            improvement(
                ActionType::Detect,
                "api-gateway",
                "Break 429 responses down by client on the gateway dashboard",
            ),
            improvement(
                ActionType::Process,
                "api-gateway",
                "Document each partner integration's traffic profile",
            ),
            improvement(
                ActionType::Process,
                "api-gateway",
                "Add partner managers to rate-limit change reviews",
            ),
        ],
        settled: None,
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

pub(crate) fn passphrase() -> String {
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

/// Why an item was declined, as its owner would put it.
pub(crate) const WONT_DO: &[&str] = &[
    "Superseded by a broader fix raised on a later incident.",
    "The service is being retired next quarter; not worth changing now.",
    "Covered by another item on this incident.",
    "Cost outweighs the risk: this has happened once in three years.",
];

/// Where a service sits in the catalogue, for the items raised on it.
#[derive(Clone, Copy)]
struct Place {
    service_id: i64,
    team_id: i64,
    /// The team's project in the tracker, as in PAY-123.
    project: &'static str,
}

/// Where an item will have got to by the demo's "now", if there was time for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Proposed,
    Open,
    Started,
    Done,
    Verified(Outcome),
    Declined,
}

impl Fate {
    /// Items of older incidents have had longer to be finished and checked.
    fn roll(dice: &mut Dice, age_days: i64) -> Fate {
        // Cumulative percentages; the rest are declined.
        let (proposed, open, started, done, verified) = match age_days {
            ..=14 => (30, 60, 90, 95, 95),
            15..=45 => (10, 30, 50, 80, 95),
            _ => (5, 13, 20, 35, 90),
        };
        match dice.between(0, 99) {
            r if r < proposed => Fate::Proposed,
            r if r < open => Fate::Open,
            r if r < started => Fate::Started,
            r if r < done => Fate::Done,
            r if r < verified => Fate::Verified(match dice.between(0, 99) {
                0..60 => Outcome::Effective,
                60..85 => Outcome::PartlyEffective,
                _ => Outcome::NotEffective,
            }),
            _ => Fate::Declined,
        }
    }

    fn committed(self) -> bool {
        !matches!(self, Fate::Proposed | Fate::Declined)
    }
}

/// What the person verifying an item saw, in the words of its kind and outcome.
pub(crate) fn evidence(kind: ActionType, outcome: Outcome, on: NaiveDate) -> String {
    let on = on.format("%-d %B");
    match (kind, outcome) {
        (ActionType::Detect, Outcome::Effective) => {
            format!(
                "The alert fired on {on} and paged within 2 minutes, before any customer noticed."
            )
        }
        (ActionType::Detect, Outcome::PartlyEffective) => format!(
            "The alert fired on {on}, but 20 minutes after the problem started; the threshold needs tuning."
        ),
        (ActionType::Detect, Outcome::NotEffective) => format!(
            "On {on} customers told us first again: the metric was not exported from the new pods, so the alert never fired."
        ),
        (ActionType::Prevent, Outcome::Effective) => {
            format!("No repeat since it shipped; checked again on {on} and it held.")
        }
        (ActionType::Prevent, Outcome::PartlyEffective) => format!(
            "It stopped the change it was written for, but a similar one on {on} went through another path."
        ),
        (ActionType::Prevent, Outcome::NotEffective) => format!(
            "It happened again on {on}: the fix covered the main deploy path but not the hotfix pipeline."
        ),
        (ActionType::Mitigate, Outcome::Effective) => format!(
            "Game day on {on}: the on-call went from page to mitigation in 12 minutes following it."
        ),
        (ActionType::Mitigate, Outcome::PartlyEffective) => format!(
            "Used for real on {on}: it worked, but one step still needed someone with database access."
        ),
        (ActionType::Mitigate, Outcome::NotEffective) => format!(
            "On {on} the on-call could not follow it: the commands were out of date after the migration."
        ),
        (ActionType::Process, Outcome::Effective) => {
            format!("Checked on {on}: in use every time it applied since it was agreed.")
        }
        (ActionType::Process, Outcome::PartlyEffective) => format!(
            "Followed most of the time, but skipped twice last month, most recently on {on}."
        ),
        (ActionType::Process, Outcome::NotEffective) => {
            format!("Checked on {on}: nobody had used it since it was written.")
        }
    }
}

fn tracker_link(dice: &mut Dice, place: Place, service: &str) -> String {
    if dice.chance(70) {
        format!(
            "https://acme.atlassian.net/browse/{}-{}",
            place.project,
            dice.between(100, 999)
        )
    } else {
        format!(
            "https://github.com/acme/{service}/issues/{}",
            dice.between(10, 900)
        )
    }
}

/// One incident, as its action items need it.
struct Raising<'a> {
    incident_id: i64,
    scenario: &'a Scenario,
    severity: Severity,
    /// Days between the incident and the demo's "now".
    age_days: i64,
    /// Items are raised shortly after this: the postmortem's writing, or the response.
    from: DateTime<Utc>,
    author: Actor,
    /// Its postmortem will be published without a reason, so its first item is committed.
    must_commit: bool,
    /// Its postmortem will be published with the scenario's reason: nothing is committed.
    settled: bool,
    /// The first incident of the same scenario, which some items also answer.
    earlier: Option<i64>,
}

async fn make(
    db: &Db,
    item: &action_item::Model,
    action: ActionMove,
    details: MoveDetails,
    actor: Actor,
    at: DateTime<Utc>,
) -> anyhow::Result<action_item::Model> {
    action_items::transition(
        db.write(),
        item.id,
        item.version,
        action,
        details,
        actor,
        at,
        at.date_naive(),
    )
    .await
    .map_err(err)
}

/// Raises two to four items from the incident (follow-ups included) and moves each as far
/// towards its fate as the time between the incident and `now` allows.
async fn raise_items(
    db: &Db,
    dice: &mut Dice,
    incident: &Raising<'_>,
    places: &HashMap<&str, Place>,
    owners: &[Actor],
    manager: Actor,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let today = now.date_naive();
    let latest = now - Duration::minutes(5);
    let ideas = incident.scenario.improvements;
    let planned = dice.between(2, 4.min(ideas.len() as i64)) as usize;
    let mut order: Vec<usize> = (0..ideas.len()).collect();
    for i in 0..planned {
        let j = dice.between(i as i64, ideas.len() as i64 - 1) as usize;
        order.swap(i, j);
    }
    // Follow-ups are raised from the same incident, so they count towards the four.
    let mut room = 4 - planned;
    for (k, &index) in order[..planned].iter().enumerate() {
        let idea = &ideas[index];
        let place = places[idea.service];
        let fate = if incident.settled {
            if dice.chance(50) {
                Fate::Proposed
            } else {
                Fate::Declined
            }
        } else {
            loop {
                let fate = Fate::roll(dice, incident.age_days);
                if k > 0 || !incident.must_commit || fate.committed() {
                    break fate;
                }
            }
        };
        let owner = (fate != Fate::Proposed || dice.chance(70)).then(|| *dice.pick(owners));
        let priority = if k == 0 && incident.severity == Severity::Sev1 {
            Priority::P1
        } else {
            *dice.pick(&[
                Priority::P1,
                Priority::P2,
                Priority::P2,
                Priority::P2,
                Priority::P3,
                Priority::P3,
            ])
        };
        let cadence = *dice.pick(&[
            Cadence::Daily,
            Cadence::Weekly,
            Cadence::Weekly,
            Cadence::Weekly,
            Cadence::Monthly,
            Cadence::Monthly,
            Cadence::Monthly,
            Cadence::Quarterly,
        ]);
        let raised = (incident.from + Duration::minutes(dice.between(10, 240))).min(latest);
        let window = match priority {
            Priority::P1 => dice.between(7, 14),
            Priority::P2 => dice.between(14, 35),
            Priority::P3 => dice.between(30, 75),
        };
        let mut due_on = raised.date_naive() + Duration::days(window);
        if incident.age_days <= 7 && matches!(fate, Fate::Open | Fate::Started) {
            // This week's incidents: the first fixes are promised for this week.
            let left = (end_of_week(today) - today).num_days();
            due_on = today + Duration::days(dice.between(0, left));
        }
        let due_on = (fate != Fate::Proposed || dice.chance(50)).then_some(due_on);
        let tracker_url =
            (fate.committed() && dice.chance(60)).then(|| tracker_link(dice, place, idea.service));
        let related_incident_ids = match incident.earlier {
            Some(first) if k == 0 && dice.chance(40) => vec![first],
            _ => Vec::new(),
        };
        // A settled incident's items are never committed, or its reason would not be kept.
        let committed_now = (fate.committed() && (k == 0 || dice.chance(70)))
            || (fate == Fate::Declined && !incident.settled && dice.chance(30));
        let mut item = action_items::create(
            db.write(),
            ActionItemInput {
                title: idea.title.to_string(),
                description: incident.scenario.lessons.to_string(),
                incident_id: incident.incident_id,
                owner_id: owner.map(|o| o.id),
                team_id: Some(place.team_id),
                service_id: Some(place.service_id),
                action_type: idea.kind,
                priority,
                due_on,
                tracker_url,
                cadence,
                related_incident_ids,
                committed: committed_now,
            },
            incident.author,
            raised,
        )
        .await
        .map_err(err)?;
        let mover = owner.unwrap_or(incident.author);

        if fate == Fate::Declined {
            let reason = if incident.settled {
                "Covered by the fix that shipped with the incident."
            } else {
                dice.pick(WONT_DO)
            };
            let at = (raised + Duration::days(dice.between(1, 10))).min(latest);
            let details = MoveDetails {
                reason: Some(reason.to_string()),
                ..Default::default()
            };
            make(db, &item, ActionMove::Decline, details, mover, at).await?;
            continue;
        }
        if !fate.committed() {
            continue;
        }
        let mut at = raised;
        if !committed_now {
            at = (raised + Duration::hours(dice.between(2, 72))).min(latest);
            item = make(
                db,
                &item,
                ActionMove::Commit,
                MoveDetails::default(),
                mover,
                at,
            )
            .await?;
        }
        if fate == Fate::Open {
            continue;
        }
        // Moves that would fall after "now" have not happened yet: the item stays where it is.
        let started = at + Duration::days(dice.between(1, 7));
        if started > latest {
            continue;
        }
        item = make(
            db,
            &item,
            ActionMove::Start,
            MoveDetails::default(),
            mover,
            started,
        )
        .await?;
        if fate == Fate::Started {
            continue;
        }
        let done = started + Duration::days(dice.between(2, window + 10));
        if done > latest {
            continue;
        }
        item = make(
            db,
            &item,
            ActionMove::Complete,
            MoveDetails::default(),
            mover,
            done,
        )
        .await?;
        let Fate::Verified(outcome) = fate else {
            continue;
        };
        let verify_on = item.verify_on.unwrap_or(today);
        let checked = verify_on
            .and_hms_opt(10, 0, 0)
            .unwrap_or_default()
            .and_utc()
            + Duration::days(dice.between(0, 4));
        if checked > latest {
            continue;
        }
        // The day the evidence speaks of: after the work was done, before it was checked.
        let seen =
            (checked.date_naive() - Duration::days(dice.between(1, 20))).max(done.date_naive());
        let details = MoveDetails {
            outcome: Some(outcome),
            evidence: Some(evidence(idea.kind, outcome, seen)),
            evidence_url: dice
                .chance(40)
                .then(|| format!("https://grafana.demo.example/d/{}", idea.service)),
            reason: None,
            done_on: None,
        };
        let verifier = if dice.chance(50) { manager } else { mover };
        item = make(db, &item, ActionMove::Verify, details, verifier, checked).await?;
        if outcome == Outcome::NotEffective && room > 0 && dice.chance(75) {
            room -= 1;
            let at = (checked + Duration::hours(2)).min(latest);
            action_items::follow_up(db.write(), item.id, verifier, at)
                .await
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Fills an empty database; refuses one that already has accounts or incidents.
/// The last six weeks' and three months' reviews, held at the end of their period and closed
/// with their figures, so the Reviews page has a history. Returns how many.
async fn hold_reviews(db: &Db, facilitator: Actor, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let today = now.date_naive();
    let mut held = 0;
    for (cadence, count) in [(Cadence::Weekly, 6), (Cadence::Monthly, 3)] {
        let current = review::default_period(cadence, today);
        for back in (1..=count).rev() {
            let period = current.shifted(-back);
            let at = start_of_day(period.end(), &chrono_tz::UTC) - Duration::hours(3);
            let started = reviews::start(db.write(), cadence, period, facilitator, at)
                .await
                .map_err(err)?;
            let report = analytics::report(
                db.read(),
                &Default::default(),
                analytics::Scope::default(),
                review::looks_back_on(cadence, period),
                at,
            )
            .await
            .map_err(err)?;
            let findings: Vec<String> = report.findings.iter().map(|f| f.text.clone()).collect();
            let notes = format!(
                "{}\n\n{}",
                report.headline,
                findings
                    .iter()
                    .map(|f| format!("- {f}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            let saved = reviews::save_notes(
                db.write(),
                started.id,
                started.version,
                "Felix Facilitator, Maya Manager, Erin Engineer, Sam Engineer".into(),
                notes,
                facilitator,
            )
            .await
            .map_err(err)?;
            let snapshot = review::Snapshot::of(&report.headline, &report.rows, &findings);
            reviews::close(
                db.write(),
                started.id,
                saved.version,
                &snapshot,
                facilitator,
                at,
            )
            .await
            .map_err(err)?;
            held += 1;
        }
    }
    Ok(held)
}

/// How far back "lately" goes: the weeks in which deploys fail more often and users notice
/// incidents before the alerts do, so this month's and last month's figures have a story.
const RECENT_DAYS: i64 = 45;

/// A year of deploys, most days a few per service; in the last weeks a pipeline change makes
/// more of them fail or roll back. Returns how many were recorded.
async fn record_deploys(
    db: &Db,
    services: &HashMap<&str, i64>,
    recorded_by: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut dice = Dice(0xde91_0a75_0000_0001);
    let mut names: Vec<&&str> = services.keys().collect();
    names.sort();
    let mut batch = Vec::new();
    for day in (1..=365).rev() {
        let recent = day <= RECENT_DAYS;
        for name in &names {
            for _ in 0..dice.between(0, 2) {
                let roll = dice.between(0, 99);
                let outcome = match (recent, roll) {
                    (false, 0..=5) | (true, 0..=24) => DeployOutcome::Failed,
                    (false, 6..=8) | (true, 25..=34) => DeployOutcome::RolledBack,
                    _ => DeployOutcome::Succeeded,
                };
                batch.push(DeployInput {
                    service_id: services[**name],
                    deployed_at: now - Duration::days(day)
                        + Duration::minutes(dice.between(540, 1080)),
                    outcome,
                    reference: Some(format!("{name}@{}", 1000 + batch.len())),
                });
            }
        }
    }
    for chunk in batch.chunks(500) {
        deploys::record(db.write(), chunk, recorded_by, now)
            .await
            .map_err(err)?;
    }
    Ok(batch.len())
}

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
            "PAY",
            vec![
                ("checkout", Some(99.95)),
                ("billing", Some(99.9)),
                ("ledger", Some(99.99)),
            ],
        ),
        (
            "Platform",
            "PLAT",
            vec![
                ("api-gateway", Some(99.95)),
                ("auth", Some(99.99)),
                ("kubernetes", None),
            ],
        ),
        (
            "Growth",
            "GROW",
            vec![
                ("search", Some(99.5)),
                ("notifications", Some(99.0)),
                ("web-frontend", Some(99.9)),
            ],
        ),
        ("Data", "DATA", vec![("warehouse", None)]),
    ];
    let mut services = HashMap::new();
    let mut places = HashMap::new();
    for (team, project, members) in teams {
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
            places.insert(
                name,
                Place {
                    service_id: service.id,
                    team_id: team.id,
                    project,
                },
            );
        }
    }

    let engineers = [ids["erin"], ids["sam"]];
    let facilitator = ids["felix"];
    let engineer = |id: i64| Actor {
        id,
        role: Role::Engineer,
    };
    let manager = Actor {
        id: ids["maya"],
        role: Role::Manager,
    };
    // Engineers own most items, their manager some.
    let owners = [
        engineer(ids["erin"]),
        engineer(ids["sam"]),
        engineer(ids["erin"]),
        engineer(ids["sam"]),
        manager,
    ];
    let deploys = record_deploys(db, &services, ids["erin"], now).await?;

    let mut dice = Dice(0x5eed_cafe_f00d_b00f);
    // Action items draw from their own dice, so they leave the incidents' story as it was.
    let mut item_dice = Dice(0xac71_0417_e6a5_0001);
    // Lately customers have been noticing first: a detection gap for the last weeks' reviews.
    let mut gap_dice = Dice(0x9a9d_e7ec_7100_0001);
    let mut earlier: HashMap<&str, i64> = HashMap::new();
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
        // This week's start early enough that detection and mitigation are behind "now" too.
        let earliest = if still_open { 360 } else { 60 };
        let started = now - Duration::days(day) - Duration::minutes(dice.between(earliest, 900));
        let drawn = *dice.pick(scenario.detected_by);
        let mut ttd = match drawn {
            DetectionSource::Alert => dice.between(1, 12),
            _ => dice.between(15, 180),
        };
        // Drawn from their own dice, so the rest of the story stays as it was.
        let users_noticed_first =
            day <= RECENT_DAYS && drawn == DetectionSource::Alert && gap_dice.chance(60);
        let detected_by = if users_noticed_first {
            ttd = gap_dice.between(15, 180);
            DetectionSource::UserReport
        } else {
            drawn
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
        let severity = *dice.pick(scenario.severity);
        let record = incidents::create(
            db.write(),
            IncidentInput {
                title: scenario.title.to_string(),
                summary: scenario.summary.to_string(),
                severity,
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
                monitoring_should_have_caught: if users_noticed_first {
                    Some(gap_dice.chance(70))
                } else {
                    (drawn != DetectionSource::Alert).then(|| dice.chance(70))
                },
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

        let written_up = !(still_open && dice.chance(50));
        let mut written = None;
        if written_up {
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
            // This week's write-ups are not dated after "now".
            let at = (resolved.max(started) + Duration::hours(dice.between(4, 48)))
                .min(now - Duration::minutes(30));
            postmortems::save(db.write(), id, 0, body, author, at)
                .await
                .map_err(err)?;
            written = Some(at);
        }

        // Older write-ups are reviewed and published; recent ones are still moving. Publishing
        // needs a committed item, so the items are raised first; the first time a settled
        // scenario happens, it is published with its reason instead.
        let publish = written.is_some() && day > 14;
        let settled = publish && known.is_none() && scenario.settled.is_some();
        raise_items(
            db,
            &mut item_dice,
            &Raising {
                incident_id: id,
                scenario,
                severity,
                age_days: day,
                from: written.unwrap_or(acknowledged),
                author: engineer(author),
                must_commit: publish && !settled,
                settled,
                earlier: known,
            },
            &places,
            &owners,
            manager,
            now,
        )
        .await?;

        let Some(written) = written else { continue };
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
                publish,
                ReviewMove::Publish,
                Role::Facilitator,
                facilitator,
                Duration::days(2),
            ),
        ];
        for (wanted, action, role, actor, after) in moves {
            if wanted {
                let reason = match action {
                    ReviewMove::Publish if settled => scenario.settled.map(str::to_string),
                    _ => None,
                };
                let at = (written + after).min(now);
                postmortems::review(db.write(), id, action, role, reason, actor, at)
                    .await
                    .map_err(err)?;
            }
        }
    }
    println!(
        "Recorded {count} incidents over six months across 4 teams and 10 services, and \
         {deploys} deploys over the past year."
    );

    let held = hold_reviews(
        db,
        Actor {
            id: facilitator,
            role: Role::Facilitator,
        },
        now,
    )
    .await?;
    println!("Held and closed {held} weekly and monthly reviews.");

    // The same day the pages count overdue work from: UTC until there is a reporting zone.
    let today = now.date_naive();
    let reminders = notices::remind(db, today, now).await.map_err(err)?;
    let count_of = |filter: ItemFilter| async move {
        action_items::count(db.read(), &filter, today)
            .await
            .map_err(err)
    };
    let raised = count_of(ItemFilter::default()).await?;
    let overdue = count_of(ItemFilter {
        overdue: true,
        ..Default::default()
    })
    .await?;
    let awaiting = count_of(ItemFilter {
        awaiting_verification: true,
        ..Default::default()
    })
    .await?;
    let verified = count_of(ItemFilter {
        states: vec![ActionState::Verified],
        ..Default::default()
    })
    .await?;
    println!(
        "Raised {raised} action items: {overdue} overdue, {awaiting} awaiting verification, \
         {verified} verified; {reminders} reminders in inboxes."
    );
    Ok(())
}
