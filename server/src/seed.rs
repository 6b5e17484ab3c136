//! `hindsight seed --incidents N --seed S`: years of an organisation's history at any size, for
//! measuring Hindsight the way a large customer would use it. The same seed and end day give
//! the same data. Rows are written in batches inside transactions, bypassing the services
//! (which check and record one change at a time), so a million incidents take minutes.

use crate::demo::{Dice, SCENARIOS, Scenario, WONT_DO, evidence, passphrase};
use anyhow::{Context, bail};
use app::domain::Role;
use app::domain::action_item::{ActionState, ActionType, Cadence, Outcome, Priority};
use app::domain::deploy::DeployOutcome;
use app::domain::incident::{CauseCategory, DetectionSource, RunbookOutcome, Severity};
use app::domain::postmortem::PostmortemStatus;
use app::domain::timeline::{EventKind, KeyMoment};
use app::entities::{
    action_item, deploy, incident, incident_service, incident_tag, postmortem, service, team,
    timeline_event, user,
};
use app::services::search::{self, SearchRow};
use app::state::Db;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    TransactionTrait,
};
use std::io::{IsTerminal, Write};
use std::time::Instant;

/// The history covers this many days before the end day.
const HISTORY_DAYS: i64 = 3 * 365;
/// Incidents written per transaction.
const BATCH: usize = 500;
/// Rows per INSERT statement: the widest table has 33 columns, and SQLite allows 32,766
/// bound values in one statement.
const ROWS_PER_STATEMENT: usize = 900;

#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub incidents: u64,
    pub seed: u64,
    /// The last day of the history; incidents end shortly before its end.
    pub until: NaiveDate,
    /// Every account's password.
    pub password: String,
}

/// What was written, for the closing line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub teams: u64,
    pub services: u64,
    pub users: u64,
    pub incidents: u64,
    pub timeline_events: u64,
    pub action_items: u64,
    pub deploys: u64,
    /// Overdue and awaiting-verification notices, as the reminder job would have left them.
    pub notices: u64,
}

/// The catalogue and people the incidents are spread over, sized to the organisation.
struct Organisation {
    /// (service id, team id).
    services: Vec<(i64, i64)>,
    /// Engineers and managers, who write incidents and own items.
    responders: Vec<i64>,
    facilitators: Vec<i64>,
}

const FIRST: &[&str] = &[
    "Ada", "Bo", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kira", "Luis",
    "Mei", "Nils", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wim", "Yara",
];
const LAST: &[&str] = &[
    "Abara", "Berg", "Costa", "Dahl", "Eze", "Fischer", "Garcia", "Haas", "Ito", "Jensen",
    "Kowalski", "Lund", "Moreau", "Novak", "Okafor", "Park", "Quispe", "Rossi", "Sato", "Tanaka",
];
const TEAM_WORDS: &[&str] = &[
    "Payments",
    "Platform",
    "Growth",
    "Data",
    "Identity",
    "Search",
    "Messaging",
    "Storage",
    "Mobile",
    "Billing",
    "Edge",
    "Risk",
];
const SERVICE_WORDS: &[&str] = &[
    "api",
    "worker",
    "gateway",
    "db",
    "cache",
    "queue",
    "web",
    "scheduler",
];

/// A seed generator from the user's seed: xorshift needs a state that is not zero.
fn dice_for(seed: u64, stream: u64) -> Dice {
    let mut z = seed
        .wrapping_add(stream.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    Dice((z ^ (z >> 31)) | 1)
}

fn sized(n: u64, per: u64, low: u64, high: u64) -> u64 {
    (n / per).clamp(low, high)
}

pub async fn seed(db: &Db, options: SeedOptions) -> anyhow::Result<Seeded> {
    let conn = db.write();
    let users = user::Entity::find().count(conn).await?;
    let existing = incident::Entity::find().count(conn).await?;
    if users > 0 || existing > 0 {
        bail!(
            "seed fills an empty database; this one already has {users} accounts and {existing} incidents"
        );
    }
    if options.incidents == 0 {
        bail!("--incidents must be at least 1");
    }
    let end = options
        .until
        .and_time(NaiveTime::from_hms_opt(23, 0, 0).expect("a valid time"))
        .and_utc();
    let begin = end - Duration::days(HISTORY_DAYS);
    let hash = app::services::passwords::hash(options.password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let txn = conn.begin().await?;
    let mut seeded = Seeded::default();
    let org = organisation(&txn, &options, &hash, begin, &mut seeded).await?;
    txn.commit().await?;

    let mut progress = Progress::new(options.incidents);
    let mut dice = dice_for(options.seed, 1);
    let mut next = Ids::default();
    // Incidents arrive in time order, evenly spread with some jitter.
    let spacing = (HISTORY_DAYS * 86_400) as f64 / options.incidents as f64;
    let mut written = 0u64;
    while written < options.incidents {
        let count = (options.incidents - written).min(BATCH as u64);
        let mut batch = Batch::default();
        for k in 0..count {
            let n = written + k;
            let jitter = dice.between(0, spacing.max(1.0) as i64 - 1).max(0);
            let started = begin + Duration::seconds((n as f64 * spacing) as i64 + jitter);
            one_incident(&mut batch, &mut dice, &org, &mut next, started, end);
        }
        seeded.incidents += count;
        seeded.timeline_events += batch.events.len() as u64;
        seeded.action_items += batch.items.len() as u64;
        let txn = conn.begin().await?;
        batch.write(&txn).await?;
        txn.commit().await?;
        written += count;
        progress.show(written);
    }
    progress.finish();

    seeded.deploys = deploys(conn, &options, &org, begin, end).await?;
    // Inboxes as a server that ran all along would have left them, so a server started on the
    // seeded file has no backlog of reminders to write first.
    seeded.notices = app::services::notices::remind(db, options.until, end)
        .await
        .map_err(|e| anyhow::anyhow!("writing the reminders: {e}"))?;
    match conn.get_database_backend() {
        DbBackend::Postgres => advance_sequences(conn).await?,
        // Everything into the database file itself, so that the file alone can be copied.
        _ => {
            conn.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
    }
    Ok(seeded)
}

/// Teams, services, the admin and everyone else, all with the one password.
async fn organisation(
    txn: &DatabaseTransaction,
    options: &SeedOptions,
    hash: &str,
    at: DateTime<Utc>,
    seeded: &mut Seeded,
) -> anyhow::Result<Organisation> {
    let mut dice = dice_for(options.seed, 0);
    let teams = sized(options.incidents, 5_000, 4, 100);
    let per_team = 4u64;
    let people = sized(options.incidents, 250, 12, 4_000);

    let team_rows: Vec<team::ActiveModel> = (1..=teams as i64)
        .map(|id| {
            let word = TEAM_WORDS[(id as usize - 1) % TEAM_WORDS.len()];
            let round = (id as usize - 1) / TEAM_WORDS.len();
            team::ActiveModel {
                id: Set(id),
                name: Set(if round == 0 {
                    word.to_string()
                } else {
                    format!("{word} {}", round + 1)
                }),
                version: Set(1),
                created_at: Set(at),
            }
        })
        .collect();
    insert_all(txn, team_rows).await?;

    let mut services = Vec::new();
    let mut service_rows = Vec::new();
    for team in 1..=teams as i64 {
        for k in 0..per_team as i64 {
            let id = (team - 1) * per_team as i64 + k + 1;
            let name = format!(
                "{}-{}",
                TEAM_WORDS[(team as usize - 1) % TEAM_WORDS.len()].to_lowercase(),
                SERVICE_WORDS[(k as usize + team as usize) % SERVICE_WORDS.len()]
            );
            let name = if team as usize > TEAM_WORDS.len() {
                format!("{name}-{team}")
            } else {
                name
            };
            services.push((id, team));
            service_rows.push(service::ActiveModel {
                id: Set(id),
                team_id: Set(team),
                slo_target_percent: Set(
                    Some(*dice.pick(&[99.0, 99.5, 99.9, 99.95, 99.99])).filter(|_| k != 3)
                ),
                runbook_url: Set((k != 2).then(|| format!("https://runbooks.example.com/{name}"))),
                name: Set(name),
                version: Set(1),
                created_at: Set(at),
            });
        }
    }
    insert_all(txn, service_rows).await?;

    let mut responders = Vec::new();
    let mut facilitators = Vec::new();
    let mut user_rows = Vec::new();
    for id in 1..=people as i64 {
        let (username, display, role) = if id == 1 {
            ("admin".to_string(), "Alex Admin".to_string(), Role::Admin)
        } else {
            let role = match id % 20 {
                0 => Role::Viewer,
                1 | 11 => Role::Manager,
                2 => Role::Facilitator,
                _ => Role::Engineer,
            };
            let first = FIRST[(id as usize) % FIRST.len()];
            let last = LAST[(id as usize / FIRST.len()) % LAST.len()];
            (
                format!("{}{id}", first.to_lowercase()),
                format!("{first} {last}"),
                role,
            )
        };
        match role {
            Role::Engineer | Role::Manager => responders.push(id),
            Role::Facilitator => facilitators.push(id),
            _ => {}
        }
        user_rows.push(user::ActiveModel {
            id: Set(id),
            email: Set(format!("{username}@example.com")),
            username: Set(username),
            display_name: Set(display),
            password_hash: Set(hash.to_string()),
            role: Set(role.as_str().to_string()),
            disabled: Set(false),
            session_epoch: Set(0),
            created_at: Set(at),
            last_login_at: Set(None),
            time_zone: Set("UTC".to_string()),
        });
    }
    insert_all(txn, user_rows).await?;
    facilitators.push(1);
    seeded.teams = teams;
    seeded.services = services.len() as u64;
    seeded.users = people;
    Ok(Organisation {
        services,
        responders,
        facilitators,
    })
}

/// The next id of each table: the database is empty, so ids are handed out here.
#[derive(Default)]
struct Ids {
    incident: i64,
    event: i64,
    item: i64,
}

impl Ids {
    fn take(counter: &mut i64) -> i64 {
        *counter += 1;
        *counter
    }
}

#[derive(Default)]
struct Batch {
    incidents: Vec<incident::ActiveModel>,
    services: Vec<incident_service::ActiveModel>,
    tags: Vec<incident_tag::ActiveModel>,
    events: Vec<timeline_event::ActiveModel>,
    postmortems: Vec<postmortem::ActiveModel>,
    items: Vec<action_item::ActiveModel>,
    search: Vec<SearchRow>,
}

impl Batch {
    async fn write(self, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        insert_all(txn, self.incidents).await?;
        insert_all(txn, self.services).await?;
        insert_all(txn, self.tags).await?;
        insert_all(txn, self.events).await?;
        insert_all(txn, self.postmortems).await?;
        insert_all(txn, self.items).await?;
        search::insert(txn, self.search)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

async fn insert_all<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> anyhow::Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

/// One incident with its services, timeline, postmortem and action items, as far along as the
/// time between its start and `end` allows.
fn one_incident(
    batch: &mut Batch,
    dice: &mut Dice,
    org: &Organisation,
    next: &mut Ids,
    started: DateTime<Utc>,
    end: DateTime<Utc>,
) {
    let id = Ids::take(&mut next.incident);
    let scenario: &Scenario = dice.pick(SCENARIOS);
    let severity = match dice.between(0, 99) {
        0..5 => Severity::Sev1,
        5..25 => Severity::Sev2,
        25..70 => Severity::Sev3,
        _ => Severity::Sev4,
    };
    let detected_by = match dice.between(0, 99) {
        0..62 => DetectionSource::Alert,
        62..85 => DetectionSource::UserReport,
        85..95 => DetectionSource::InternalDiscovery,
        _ => DetectionSource::Other,
    };
    let ttd = match detected_by {
        DetectionSource::Alert => dice.between(1, 15),
        _ => dice.between(10, 240),
    };
    let detected = started + minutes(ttd);
    let acknowledged = detected + minutes(dice.between(1, 15));
    let mitigated = acknowledged + minutes(dice.between(5, 180));
    let resolved = mitigated + minutes(dice.between(10, 900));
    let age_days = (end - started).num_days();
    // The last days' incidents are still being worked on.
    let (mitigated, resolved) = match age_days {
        0 => (dice.chance(40).then_some(mitigated), None),
        1..=2 => (Some(mitigated), dice.chance(50).then_some(resolved)),
        _ => (Some(mitigated), Some(resolved)),
    };
    let mitigated = mitigated.filter(|t| *t < end);
    let resolved = resolved.filter(|t| *t < end && mitigated.is_some());
    let runbook = match dice.between(0, 99) {
        0..25 => RunbookOutcome::NoneExisted,
        25..40 => RunbookOutcome::ExistedNotUsed,
        40..80 => RunbookOutcome::ExistedWorked,
        _ => RunbookOutcome::ExistedFailed,
    };
    let author = *dice.pick(&org.responders);
    let created_at = detected + minutes(5);
    let primary = *dice.pick(&org.services);
    let mut affected = vec![primary];
    if dice.chance(35) {
        // A second service of the same team, as a dependency often is.
        let sibling = org
            .services
            .iter()
            .find(|(s, t)| *t == primary.1 && *s != primary.0)
            .copied();
        affected.extend(sibling);
    }
    let cause = *dice.pick(CauseCategory::ALL);
    let title = format!("{} ({})", scenario.title, severity.label());
    batch.incidents.push(incident::ActiveModel {
        id: Set(id),
        title: Set(title.clone()),
        summary: Set(scenario.summary.to_string()),
        severity: Set(severity.key().to_string()),
        customer_impact: Set(severity != Severity::Sev4),
        impact_description: Set(scenario.impact.to_string()),
        started_at: Set(started),
        detected_at: Set(Some(detected)),
        acknowledged_at: Set(Some(acknowledged)),
        mitigated_at: Set(mitigated),
        resolved_at: Set(resolved),
        detected_by: Set(Some(detected_by.key().to_string())),
        monitoring_should_have_caught: Set(
            (detected_by != DetectionSource::Alert).then(|| dice.chance(60))
        ),
        known_problem: Set(Some(dice.chance(20))),
        runbook_outcome: Set(Some(runbook.key().to_string())),
        cause_category: Set(Some(cause.key().to_string())),
        version: Set(1),
        created_by: Set(author),
        created_at: Set(created_at),
        updated_at: Set(resolved.unwrap_or(created_at)),
    });
    for (service_id, _) in &affected {
        batch.services.push(incident_service::ActiveModel {
            incident_id: Set(id),
            service_id: Set(*service_id),
        });
    }
    batch.tags.push(incident_tag::ActiveModel {
        incident_id: Set(id),
        tag: Set(cause.key().to_string()),
    });

    // About ten events: the five moments of the response and the work in between.
    let mut events: Vec<(DateTime<Utc>, EventKind, String, Option<KeyMoment>)> = vec![
        (
            detected,
            EventKind::Detection,
            scenario.steps[0].to_string(),
            Some(KeyMoment::Detected),
        ),
        (
            acknowledged,
            EventKind::Escalation,
            scenario.steps[1].to_string(),
            None,
        ),
    ];
    let work_until = mitigated.unwrap_or(acknowledged + minutes(30)).min(end);
    let span = (work_until - acknowledged).num_seconds().max(6);
    for k in 1..=5i64 {
        let (kind, body) = match k {
            2 => (
                EventKind::Communication,
                "Status page updated; support has the customer-facing wording.".to_string(),
            ),
            4 => (
                EventKind::Note,
                format!("Dashboards for {} attached to the channel.", title),
            ),
            _ => (
                EventKind::Action,
                format!("{} (step {k})", scenario.steps[2]),
            ),
        };
        events.push((
            acknowledged + Duration::seconds(span * k / 6),
            kind,
            body,
            None,
        ));
    }
    if let Some(at) = mitigated {
        events.push((
            at,
            EventKind::Mitigation,
            scenario.steps[3].to_string(),
            Some(KeyMoment::Mitigated),
        ));
        events.push((
            at + minutes(5),
            EventKind::Communication,
            "Customers told the impact is over; monitoring continues.".to_string(),
            None,
        ));
    }
    if let Some(at) = resolved {
        events.push((
            at,
            EventKind::Resolution,
            scenario.steps[4].to_string(),
            Some(KeyMoment::Resolved),
        ));
    }
    let mut timeline_text = String::new();
    for (at, kind, body, marks) in events {
        if at > end {
            continue;
        }
        if !timeline_text.is_empty() {
            timeline_text.push('\n');
        }
        timeline_text.push_str(&body);
        batch.events.push(timeline_event::ActiveModel {
            id: Set(Ids::take(&mut next.event)),
            incident_id: Set(id),
            occurred_at: Set(at),
            kind: Set(kind.key().to_string()),
            body: Set(body),
            marks: Set(marks.map(|m| m.key().to_string())),
            author_id: Set(author),
            version: Set(1),
            created_at: Set(at + minutes(1)),
            updated_at: Set(at + minutes(1)),
        });
    }

    let written_at = resolved.unwrap_or(acknowledged) + Duration::hours(dice.between(2, 48));
    let mut body = String::new();
    if written_at < end {
        body = postmortem_body(scenario, &title, &timeline_text);
        let status = match age_days {
            ..=7 => PostmortemStatus::Draft,
            8..=14 => PostmortemStatus::InReview,
            _ => PostmortemStatus::Published,
        };
        let published = status == PostmortemStatus::Published;
        let published_at = written_at + Duration::days(dice.between(2, 7));
        let facilitator = *dice.pick(&org.facilitators);
        batch.postmortems.push(postmortem::ActiveModel {
            incident_id: Set(id),
            body: Set(body.clone()),
            status: Set(status.key().to_string()),
            lint_warnings: Set(0),
            version: Set(1),
            updated_by: Set(author),
            updated_at: Set(if published { published_at } else { written_at }),
            published_by: Set(published.then_some(facilitator)),
            published_at: Set(published.then_some(published_at)),
            reopen_reason: Set(None),
            no_action_reason: Set(None),
        });
    }
    batch.search.push(SearchRow {
        incident_id: id,
        title,
        summary: scenario.summary.to_string(),
        postmortem: body,
        timeline: timeline_text,
    });

    let raised = resolved.unwrap_or(acknowledged) + Duration::hours(dice.between(1, 48));
    if raised < end {
        for k in 0..3 {
            let item_id = Ids::take(&mut next.item);
            let improvement = &scenario.improvements[k % scenario.improvements.len()];
            let (service_id, team_id) = affected[k % affected.len()];
            batch.items.push(one_item(
                dice,
                org,
                ItemSeed {
                    id: item_id,
                    incident_id: id,
                    kind: improvement.kind,
                    title: improvement.title,
                    service_id,
                    team_id,
                    author,
                    raised,
                    end,
                },
            ));
        }
    }
}

fn postmortem_body(scenario: &Scenario, title: &str, timeline: &str) -> String {
    format!(
        "# {title}\n\n## Summary\n\n{}\n\n## Impact\n\n{}\n\n## Root cause\n\n{}\n\n## Trigger\n\n{}\n\n\
         ## Contributing factors\n\n{}\n\n## What went well\n\n{}\n\n## What went poorly\n\n{}\n\n\
         ## Where we got lucky\n\n{}\n\n## Lessons learned\n\n{}\n\n## Timeline\n\n{}\n",
        scenario.summary,
        scenario.impact,
        scenario.root_cause,
        scenario.trigger,
        scenario.factors,
        scenario.went_well,
        scenario.went_poorly,
        scenario.lucky,
        scenario.lessons,
        timeline
            .lines()
            .map(|l| format!("- {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

struct ItemSeed {
    id: i64,
    incident_id: i64,
    kind: ActionType,
    title: &'static str,
    service_id: i64,
    team_id: i64,
    author: i64,
    raised: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// One action item, moved through its states as far as its age allows: older items are mostly
/// done and verified, recent ones still proposed, open or in progress.
fn one_item(dice: &mut Dice, org: &Organisation, seed: ItemSeed) -> action_item::ActiveModel {
    let ItemSeed {
        id,
        incident_id,
        kind,
        title,
        service_id,
        team_id,
        author,
        raised,
        end,
    } = seed;
    let age_days = (end - raised).num_days();
    let cadence = match dice.between(0, 99) {
        0..5 => Cadence::Daily,
        5..65 => Cadence::Weekly,
        65..95 => Cadence::Monthly,
        _ => Cadence::Quarterly,
    };
    let priority = *dice.pick(Priority::ALL);
    let (proposed, open, started, done) = match age_days {
        ..=14 => (30, 60, 90, 97),
        15..=60 => (8, 25, 45, 90),
        // Years later a few are still unfinished: forgotten proposals and stalled work.
        _ => (2, 4, 6, 92),
    };
    let roll = dice.between(0, 99);
    let mut state = match roll {
        r if r < proposed => ActionState::Proposed,
        r if r < open => ActionState::Open,
        r if r < started => ActionState::InProgress,
        r if r < done => ActionState::Done,
        _ => ActionState::WontDo,
    };
    let owner = *dice.pick(&org.responders);
    let committed_at =
        (state != ActionState::Proposed).then(|| raised + Duration::hours(dice.between(1, 72)));
    let committed_at = committed_at.filter(|t| *t < end);
    if committed_at.is_none() && state != ActionState::WontDo {
        state = ActionState::Proposed;
    }
    let due_on = committed_at.map(|t| t.date_naive() + Duration::days(dice.between(7, 60)));
    let mut done_at = None;
    let mut closed_at = None;
    if matches!(state, ActionState::Done | ActionState::WontDo) {
        let from = committed_at.unwrap_or(raised);
        // Most work lands around its due date; some of it late.
        let took = dice.between(2, 75);
        let at = from + Duration::days(took) + Duration::hours(dice.between(0, 8));
        if at < end {
            closed_at = Some(at);
            if state == ActionState::Done {
                done_at = Some(at);
            }
        } else {
            state = if committed_at.is_some() {
                ActionState::InProgress
            } else {
                ActionState::Proposed
            };
        }
    }
    let done_on = done_at.map(|t| t.date_naive());
    let verify_on = done_on.map(|d| cadence.verify_on(d));
    let mut outcome = None;
    let mut verified_at = None;
    let mut verified_by = None;
    let mut evidence_text = None;
    if let Some(on) = verify_on {
        let at = on.and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("a valid time"));
        let at = at.and_utc() + Duration::hours(dice.between(0, 48));
        if at < end && dice.chance(85) {
            let o = match dice.between(0, 99) {
                0..65 => Outcome::Effective,
                65..88 => Outcome::PartlyEffective,
                _ => Outcome::NotEffective,
            };
            state = ActionState::Verified;
            outcome = Some(o.key().to_string());
            verified_at = Some(at);
            verified_by = Some(*dice.pick(&org.facilitators));
            evidence_text = Some(evidence(kind, o, on));
        }
    }
    let wont_do_reason = (state == ActionState::WontDo).then(|| dice.pick(WONT_DO).to_string());
    let updated_at = [Some(raised), committed_at, closed_at, verified_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(raised);
    action_item::ActiveModel {
        id: Set(id),
        title: Set(title.to_string()),
        description: Set(String::new()),
        incident_id: Set(incident_id),
        owner_id: Set(committed_at.map(|_| owner)),
        team_id: Set(Some(team_id)),
        service_id: Set(Some(service_id)),
        action_type: Set(kind.key().to_string()),
        priority: Set(priority.key().to_string()),
        due_on: Set(due_on),
        tracker_url: Set(None),
        cadence: Set(cadence.key().to_string()),
        state: Set(state.key().to_string()),
        outcome: Set(outcome),
        evidence: Set(evidence_text),
        evidence_url: Set(None),
        wont_do_reason: Set(wont_do_reason),
        done_at: Set(done_at),
        done_on: Set(done_on),
        verify_on: Set(verify_on),
        verified_at: Set(verified_at),
        verified_by: Set(verified_by),
        follow_up_of: Set(None),
        committed_at: Set(committed_at),
        closed_at: Set(closed_at),
        version: Set(1),
        created_by: Set(author),
        created_at: Set(raised),
        updated_at: Set(updated_at),
    }
}

/// About two deploys per incident, spread over the services and the years.
async fn deploys(
    conn: &sea_orm::DatabaseConnection,
    options: &SeedOptions,
    org: &Organisation,
    begin: DateTime<Utc>,
    end: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let mut dice = dice_for(options.seed, 2);
    let total = options.incidents * 2;
    let spacing = (end - begin).num_seconds() as f64 / total as f64;
    let mut id = 0i64;
    let mut written = 0u64;
    while written < total {
        let count = (total - written).min(5_000);
        let rows: Vec<deploy::ActiveModel> = (0..count)
            .map(|k| {
                id += 1;
                let at = begin + Duration::seconds(((written + k) as f64 * spacing) as i64);
                let outcome = match dice.between(0, 99) {
                    0..90 => DeployOutcome::Succeeded,
                    90..96 => DeployOutcome::Failed,
                    _ => DeployOutcome::RolledBack,
                };
                let (service_id, _) = *dice.pick(&org.services);
                deploy::ActiveModel {
                    id: Set(id),
                    service_id: Set(service_id),
                    deployed_at: Set(at),
                    outcome: Set(outcome.key().to_string()),
                    reference: Set(Some(format!("v{}.{}", id / 100, id % 100))),
                    recorded_by: Set(1),
                    created_at: Set(at),
                }
            })
            .collect();
        let txn = conn.begin().await?;
        insert_all(&txn, rows).await?;
        txn.commit().await?;
        written += count;
    }
    Ok(total)
}

/// PostgreSQL's id sequences do not see ids given explicitly; move them past the seeded rows.
async fn advance_sequences(conn: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    for table in [
        "teams",
        "services",
        "users",
        "incidents",
        "timeline_events",
        "action_items",
        "deploys",
    ] {
        conn.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))
        .await
        .with_context(|| format!("advancing the id sequence of {table}"))?;
    }
    Ok(())
}

/// A progress bar on a terminal; nothing when the output is a file or a pipe.
struct Progress {
    total: u64,
    started: Instant,
    terminal: bool,
}

impl Progress {
    fn new(total: u64) -> Progress {
        Progress {
            total,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&mut self, done: u64) {
        if !self.terminal {
            return;
        }
        const WIDTH: u64 = 30;
        let filled = done * WIDTH / self.total;
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        eprint!(
            "\r[{}{}] {done}/{} incidents, {rate:.0}/s ",
            "#".repeat(filled as usize),
            " ".repeat((WIDTH - filled) as usize),
            self.total,
        );
        let _ = std::io::stderr().flush();
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

/// The rate of a run, for the closing line.
pub fn per_second(count: u64, elapsed: std::time::Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(0.001)
}

/// The password every seeded account gets: `HINDSIGHT_PASSWORD`, or a new passphrase.
pub fn password_from_env() -> String {
    std::env::var("HINDSIGHT_PASSWORD").unwrap_or_else(|_| passphrase())
}
