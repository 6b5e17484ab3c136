//! Reviews for the pages: the list with the form that starts one, one review with its generated
//! agenda, its notes, the items raised in it, and closing it.

use crate::api::action_items::ActionItemRow;
use crate::api::analytics::{AnalyticsDto, IncidentRef};
use crate::domain::action_item::Cadence;
use crate::domain::review::{AgendaSection, ReviewStatus};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::action_items::actor,
    auth,
    domain::Role,
    domain::action_item::{ActionType, Priority},
    domain::analytics::{Period, ReportPeriod},
    domain::review::{self, Snapshot},
    entities::review as review_entity,
    services::action_items::ActionItemInput,
    services::{accounts, analytics, markdown, organisation, reviews},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: i64,
    pub cadence: Cadence,
    pub period_key: String,
    pub period_label: String,
    pub status: ReviewStatus,
    pub facilitator: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewList {
    pub reviews: Vec<ReviewSummary>,
    /// The `before` of the next page.
    pub next_before: Option<i64>,
    pub can_start: bool,
    /// Each cadence with the key of its current period, for the start form.
    pub current: Vec<(Cadence, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewDetail {
    pub id: i64,
    pub version: i64,
    pub cadence: Cadence,
    pub period_key: String,
    pub period_label: String,
    pub next_period_key: String,
    pub status: ReviewStatus,
    pub facilitator: String,
    pub closed_by: Option<String>,
    pub attendees: String,
    pub notes: String,
    /// The notes rendered and sanitised.
    pub notes_html: String,
    pub sections: Vec<AgendaSection>,
    /// The figures of the period it looks back on.
    pub analytics: AnalyticsDto,
    pub due_for_verification: Vec<(ActionItemRow, i64)>,
    pub newly_overdue: Vec<ActionItemRow>,
    pub raised_here: Vec<ActionItemRow>,
    pub open_incidents: Vec<IncidentRef>,
    /// (cause label, incidents), most first.
    pub causes: Vec<(String, u64)>,
    /// For a closed review: what it saw when it closed, and the figures that changed since:
    /// (figure, then, now).
    pub closed_headline: Option<String>,
    pub closed_findings: Vec<String>,
    pub changed_since: Vec<(String, String, String)>,
    /// Whether the viewer runs reviews: notes, closing, raising items and verifying them here.
    pub can_run: bool,
    /// The incidents an item raised here can come from: the period's, then open ones.
    pub incident_choices: Vec<IncidentRef>,
}

#[cfg(feature = "ssr")]
fn period_of(review: &review_entity::Model) -> Result<(Cadence, Period), AppError> {
    let cadence = Cadence::parse(&review.cadence).map_err(AppError::internal)?;
    let period = Period::parse(&review.period_key).map_err(AppError::internal)?;
    Ok((cadence, period))
}

#[server(endpoint = "reviews")]
pub async fn list_reviews(#[server(default)] before: String) -> Result<ReviewList, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            let me = auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let before = match before.trim() {
                "" => None,
                b => Some(b.parse::<i64>().map_err(|_| {
                    AppError::validation("before", "Page", "is not one this list gave out")
                })?),
            };
            let mut rows = reviews::list(db, before, reviews::REVIEWS_PER_PAGE + 1).await?;
            let next_before = if rows.len() as u64 > reviews::REVIEWS_PER_PAGE {
                rows.truncate(reviews::REVIEWS_PER_PAGE as usize);
                rows.last().map(|r| r.id)
            } else {
                None
            };
            let names: std::collections::HashMap<i64, String> =
                accounts::display_names(db, rows.iter().map(|r| r.facilitator_id).collect())
                    .await?;
            let today = organisation::today(db, now).await?;
            let mut summaries = Vec::with_capacity(rows.len());
            for r in rows {
                let (cadence, period) = period_of(&r)?;
                summaries.push(ReviewSummary {
                    id: r.id,
                    cadence,
                    period_key: r.period_key.clone(),
                    period_label: period.label(),
                    status: ReviewStatus::parse(&r.status).map_err(AppError::internal)?,
                    facilitator: names.get(&r.facilitator_id).cloned().unwrap_or_default(),
                });
            }
            Ok(ReviewList {
                reviews: summaries,
                next_before,
                can_start: me.role.includes(Role::Facilitator),
                current: Cadence::ALL
                    .iter()
                    .map(|&c| (c, review::default_period(c, today).key()))
                    .collect(),
            })
        }
        .await,
    )
}

/// Starts the review of `cadence` for `period` (or opens the one already started) and goes to it.
#[server(endpoint = "reviews/start")]
pub async fn start_review(
    #[server(default)] cadence: String,
    #[server(default)] period: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            let me = auth::require(Role::Facilitator).await?;
            let cadence = AppError::check("cadence", "Cadence", Cadence::parse(&cadence))?;
            let period = match period.trim() {
                "" => review::default_period(
                    cadence,
                    organisation::today(state.db.read(), now).await?,
                ),
                text => AppError::check("period", "Period", review::parse_period(cadence, text))?,
            };
            let started =
                reviews::start(state.db.write(), cadence, period, actor(&me), now).await?;
            leptos_axum::redirect(&format!("/reviews/{}", started.id));
            Ok(started.id)
        }
        .await,
    )
}

#[server(endpoint = "review")]
pub async fn load_review(id: i64) -> Result<ReviewDetail, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            let me = auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let r = reviews::get(db, id).await?;
            let (cadence, period) = period_of(&r)?;
            let zone = organisation::reporting_zone(db).await?;
            let today = organisation::today(db, now).await?;
            let looks_back = review::looks_back_on(cadence, period);
            // A closed review compares its snapshot with the same figures as of the moment it
            // closed, so only later changes to the data show, not the time that has passed.
            let as_of = r.closed_at.unwrap_or(now);
            let report = analytics::report(
                db,
                &state.figures,
                analytics::Scope::default(),
                looks_back,
                as_of,
            )
            .await?;
            let incidents: Vec<IncidentRef> = analytics::incident_titles(
                db,
                &crate::api::analytics::referenced_incidents(&report),
            )
            .await?
            .into_iter()
            .map(|(id, title, severity)| IncidentRef {
                id,
                title,
                severity: crate::domain::incident::Severity::parse(&severity).ok(),
            })
            .collect();
            let open_incidents: Vec<IncidentRef> = reviews::open_incidents(db)
                .await?
                .into_iter()
                .map(|(id, title, severity)| IncidentRef {
                    id,
                    title,
                    severity: crate::domain::incident::Severity::parse(&severity).ok(),
                })
                .collect();
            let due = reviews::due_for_verification(db, cadence, period, &zone).await?;
            let due_rows = crate::api::action_items::rows(db, &due, today).await?;
            let due_for_verification = due_rows
                .into_iter()
                .zip(due.iter().map(|i| i.version))
                .collect();
            let newly_overdue = crate::api::action_items::rows(
                db,
                &reviews::newly_overdue(db, looks_back).await?,
                today,
            )
            .await?;
            let raised_here =
                crate::api::action_items::rows(db, &reviews::items_of(db, r.id).await?, today)
                    .await?;
            let causes = reviews::cause_counts(db, looks_back, &zone)
                .await?
                .into_iter()
                .map(|(key, n)| {
                    let label = crate::domain::incident::CauseCategory::parse(&key)
                        .map(|c| c.label().to_string())
                        .unwrap_or(key);
                    (label, n)
                })
                .collect();
            let snapshot = reviews::snapshot_of(&r)?;
            let changed_since = snapshot
                .as_ref()
                .map(|s| {
                    s.changes(&report.rows)
                        .into_iter()
                        .map(|(metric, then, now)| {
                            use crate::domain::analytics::figures::format_value;
                            (
                                metric.label().to_string(),
                                format_value(metric, then),
                                format_value(metric, now),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut ids = vec![r.facilitator_id];
            ids.extend(r.closed_by);
            let names = accounts::display_names(db, ids).await?;
            let mut incident_choices: Vec<IncidentRef> = report
                .figures
                .incident_ids
                .iter()
                .rev()
                .filter_map(|id| incidents.iter().find(|i| i.id == *id).cloned())
                .collect();
            for open in &open_incidents {
                if !incident_choices.iter().any(|i| i.id == open.id) {
                    incident_choices.push(open.clone());
                }
            }
            let can_run = me.role.includes(Role::Facilitator);
            Ok(ReviewDetail {
                id: r.id,
                version: r.version,
                cadence,
                period_key: period.key(),
                period_label: period.label(),
                next_period_key: period.next().key(),
                status: ReviewStatus::parse(&r.status).map_err(AppError::internal)?,
                facilitator: names.get(&r.facilitator_id).cloned().unwrap_or_default(),
                closed_by: r.closed_by.and_then(|id| names.get(&id).cloned()),
                notes_html: markdown::render(&r.notes),
                attendees: r.attendees,
                notes: r.notes,
                sections: review::agenda(cadence).to_vec(),
                analytics: AnalyticsDto {
                    kind: match looks_back {
                        ReportPeriod::Calendar(p) => Some(p.kind()),
                        ReportPeriod::Custom(_) => None,
                    },
                    period_key: looks_back.key(),
                    period_label: looks_back.label(),
                    previous_key: looks_back.previous().key(),
                    next_key: looks_back.next().key(),
                    scope_label: None,
                    report: report.clone(),
                    incidents,
                },
                due_for_verification,
                newly_overdue,
                raised_here,
                open_incidents,
                causes,
                closed_headline: snapshot.as_ref().map(|s| s.headline.clone()),
                closed_findings: snapshot.map(|s| s.findings).unwrap_or_default(),
                changed_since,
                can_run,
                incident_choices,
            })
        }
        .await,
    )
}

/// Saves the attendees and notes; returns the new version.
#[server(endpoint = "review/notes")]
pub async fn save_review_notes(
    id: i64,
    version: i64,
    #[server(default)] attendees: String,
    #[server(default)] notes: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Facilitator).await?;
            let attendees = AppError::check(
                "attendees",
                "Attendees",
                review::parse_attendees(&attendees),
            )?;
            let notes = AppError::check("notes", "Notes", review::parse_notes(&notes))?;
            let saved =
                reviews::save_notes(state.db.write(), id, version, attendees, notes, actor(&me))
                    .await?;
            Ok(saved.version)
        }
        .await,
    )
}

/// Closes the review, keeping a snapshot of the figures it discussed.
#[server(endpoint = "review/close")]
pub async fn close_review(id: i64, version: i64) -> Result<i64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            let me = auth::require(Role::Facilitator).await?;
            let r = reviews::get(state.db.read(), id).await?;
            let (cadence, period) = period_of(&r)?;
            let report = analytics::report(
                state.db.read(),
                &state.figures,
                analytics::Scope::default(),
                review::looks_back_on(cadence, period),
                now,
            )
            .await?;
            let findings: Vec<String> = report.findings.iter().map(|f| f.text.clone()).collect();
            let snapshot = Snapshot::of(&report.headline, &report.rows, &findings);
            let closed =
                reviews::close(state.db.write(), id, version, &snapshot, actor(&me), now).await?;
            Ok(closed.version)
        }
        .await,
    )
}

/// Raises an action item in the review, from one of the incidents it discussed.
#[server(endpoint = "review/item")]
#[allow(clippy::too_many_arguments)]
pub async fn add_review_item(
    review_id: i64,
    #[server(default)] incident_id: String,
    #[server(default)] title: String,
    #[server(default)] owner_id: String,
    #[server(default)] due_on: String,
    #[server(default)] action_type: String,
    #[server(default)] priority: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let now = state.clock.now();
            let me = auth::require(Role::Facilitator).await?;
            let incident_id = incident_id.trim().parse::<i64>().map_err(|_| {
                AppError::validation(
                    "incident_id",
                    "Incident",
                    "must be chosen: which incident does this answer?",
                )
            })?;
            let title = AppError::check(
                "title",
                "Title",
                crate::domain::account::required_line(&title, 200),
            )?;
            let owner_id =
                accounts::assignee(state.db.read(), "owner_id", "Owner", &owner_id).await?;
            let due_on = match due_on.trim() {
                "" => None,
                day => Some(day.parse::<chrono::NaiveDate>().map_err(|_| {
                    AppError::validation("due_on", "Due", "must be a date such as 2026-12-15")
                })?),
            };
            let action_type =
                AppError::check("action_type", "Type", ActionType::parse(&action_type))?;
            let priority = AppError::check("priority", "Priority", Priority::parse(&priority))?;
            let review = reviews::get(state.db.read(), review_id).await?;
            let created = reviews::add_item(
                state.db.write(),
                review_id,
                ActionItemInput {
                    title,
                    description: format!(
                        "Raised in the {} review of {}.",
                        review.cadence, review.period_key
                    ),
                    incident_id,
                    owner_id,
                    team_id: None,
                    service_id: None,
                    action_type,
                    priority,
                    due_on,
                    tracker_url: None,
                    cadence: Cadence::Weekly,
                    related_incident_ids: vec![],
                    committed: owner_id.is_some() && due_on.is_some(),
                },
                actor(&me),
                now,
            )
            .await?;
            Ok(created.id)
        }
        .await,
    )
}
