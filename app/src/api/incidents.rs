//! Incidents for the pages: the newest-first list, one incident, the form that records or
//! changes one, and deleting one.

use crate::domain::incident::{CauseCategory, DetectionSource, RunbookOutcome, Severity};
use crate::domain::postmortem::PostmortemStatus;
use crate::domain::time::ShownTime;
use crate::domain::timeline::KeyMoment;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    domain::account::required_line,
    domain::incident::{KeyTimes, parse_tags},
    domain::time::{parse_local, parse_local_optional, show, show_text},
    services::{action_items, catalog, incidents, postmortems, search},
};
#[cfg(feature = "ssr")]
use chrono::{DateTime, Utc};

pub const INCIDENTS_PER_PAGE: u64 = 25;
/// The list counts its matches up to this many; a larger total shows as "more than".
pub const COUNT_UP_TO: u64 = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub services: Vec<String>,
    /// When it started, as shown in the viewer's zone: the list shows nothing else of the
    /// moment, and every byte of a row is written again into the page for hydration.
    pub started: String,
    pub resolved: bool,
    pub time_to_resolve: Option<i64>,
    pub postmortem_status: PostmortemStatus,
    /// Where a text search matched, with the matched words between \u{2} and \u{3}.
    pub snippet: Option<String>,
    /// Unfinished action items raised from it (proposed, open or in progress), and how many of
    /// those are overdue.
    pub open_items: u64,
    pub overdue_items: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    /// How many incidents match, on all pages.
    /// Up to `COUNT_UP_TO + 1`: more than `COUNT_UP_TO` when it is that.
    pub total: u64,
    pub incidents: Vec<IncidentSummary>,
    /// The `after` of the next page; `None` on the last one.
    pub next_after: Option<String>,
}

/// Pages of the list as they were worked out, kept while no incident, postmortem, action item or
/// service has changed: a page that many people open, the first above all, is then one version
/// query instead of a count of up to ten thousand incidents and four more queries. By the list's
/// parameters, the viewer's zone (which its times are shown in) and the organisation's day
/// (which items are overdue by). Searches are not kept.
#[cfg(feature = "ssr")]
pub type KeptLists = crate::services::data_version::Kept<
    (ListParams, chrono_tz::Tz, chrono::NaiveDate),
    IncidentList,
>;

/// A few hundred KiB at most, for the pages of a few dozen filters.
#[cfg(feature = "ssr")]
pub const KEPT_LISTS: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub services: Vec<String>,
    pub customer_impact: bool,
    pub impact_description: String,
    pub started: ShownTime,
    pub detected: Option<ShownTime>,
    pub acknowledged: Option<ShownTime>,
    pub mitigated: Option<ShownTime>,
    pub resolved: Option<ShownTime>,
    /// Time to detect, mitigate and resolve, in seconds.
    pub ttd: Option<i64>,
    pub ttm: Option<i64>,
    pub ttr: Option<i64>,
    /// The key times a timeline event sets.
    pub marked: Vec<KeyMoment>,
    /// The zone the times are shown in.
    pub time_zone: String,
    pub postmortem_status: PostmortemStatus,
    /// Blameless-language warnings in the saved postmortem.
    pub lint_warnings: i32,
    pub can_edit: bool,
    pub can_delete: bool,
    pub detected_by: Option<DetectionSource>,
    pub monitoring_should_have_caught: Option<bool>,
    pub known_problem: Option<bool>,
    pub repeats: Vec<i64>,
    pub runbook_outcome: Option<RunbookOutcome>,
    pub cause_category: Option<CauseCategory>,
    pub tags: Vec<String>,
}

/// A choice as stored; the column only ever holds keys this code wrote.
#[cfg(feature = "ssr")]
fn stored<T>(text: &Option<String>, parse: fn(&str) -> Result<T, String>) -> Option<T> {
    text.as_deref().and_then(|t| parse(t).ok())
}

/// A list's filters and order as they arrive in a link or an API query; empty means any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListParams {
    #[cfg_attr(feature = "ssr", param(value_type = Option<Severity>, inline))]
    pub severity: Option<String>,
    /// A service's name (or part of it, if only one service's name holds it) or id.
    pub service: Option<String>,
    /// A team's name (or part of it, as for `service`) or id: incidents that hit one of its
    /// services.
    pub team: Option<String>,
    #[cfg_attr(feature = "ssr", param(value_type = Option<DetectionSource>, inline))]
    pub detected_by: Option<String>,
    /// "known" or "new".
    pub known: Option<String>,
    #[cfg_attr(feature = "ssr", param(value_type = Option<RunbookOutcome>, inline))]
    pub runbook: Option<String>,
    /// Postmortem status.
    #[cfg_attr(feature = "ssr", param(value_type = Option<PostmortemStatus>, inline))]
    pub status: Option<String>,
    /// "true" for incidents not yet resolved.
    pub open: Option<String>,
    /// First day, YYYY-MM-DD, in the viewer's zone.
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    /// Full-text search.
    pub q: Option<String>,
    /// "started" (default) or "severity".
    pub sort: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

impl ListParams {
    /// The query string that shows this list again, without `after`.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("severity", &self.severity),
            ("service", &self.service),
            ("team", &self.team),
            ("detected_by", &self.detected_by),
            ("known", &self.known),
            ("runbook", &self.runbook),
            ("status", &self.status),
            ("open", &self.open),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter_map(|(name, value)| {
                value
                    .as_deref()
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{name}={}", crate::domain::links::urlencode(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The filters, order and cursor read from `params`, days in `zone`; each complaint names its
/// parameter.
#[cfg(feature = "ssr")]
pub async fn parse_list_params(
    db: &impl sea_orm::ConnectionTrait,
    params: &ListParams,
    zone: chrono_tz::Tz,
) -> Result<
    (
        incidents::IncidentFilter,
        incidents::Sort,
        Option<incidents::Cursor>,
    ),
    AppError,
> {
    use crate::domain::postmortem::PostmortemStatus;
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let day = |field: &str, label: &str, v: &Option<String>, next: bool| {
        given(v)
            .map(|v| {
                let date = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    AppError::validation(field, label, "must be a date like 2026-11-20")
                })?;
                let date = if next {
                    date.succ_opt().unwrap_or(date)
                } else {
                    date
                };
                AppError::check(field, label, parse_local(&format!("{date}T00:00"), zone))
            })
            .transpose()
    };
    let scope =
        catalog::filter_scope(db, params.team.as_deref(), params.service.as_deref()).await?;
    let filter = incidents::IncidentFilter {
        severity: choice(
            "severity",
            "Severity",
            &given(&params.severity).unwrap_or_default(),
            Severity::parse,
        )?,
        service_id: scope.service.map(|s| s.id),
        team_id: scope.team.map(|t| t.id),
        detected_by: choice(
            "detected_by",
            "Detected by",
            &given(&params.detected_by).unwrap_or_default(),
            DetectionSource::parse,
        )?,
        known_problem: match given(&params.known).as_deref() {
            None => None,
            Some("known") => Some(true),
            Some("new") => Some(false),
            Some(_) => {
                return Err(AppError::validation(
                    "known",
                    "Known problem",
                    "must be known or new",
                ));
            }
        },
        runbook_outcome: choice(
            "runbook",
            "Runbook",
            &given(&params.runbook).unwrap_or_default(),
            RunbookOutcome::parse,
        )?,
        postmortem_status: choice(
            "status",
            "Postmortem status",
            &given(&params.status).unwrap_or_default(),
            PostmortemStatus::parse,
        )?,
        started_from: day("from", "From", &params.from, false)?,
        started_before: day("to", "To", &params.to, true)?,
        open_only: given(&params.open).is_some_and(|v| v == "true" || v == "on"),
        ids: None,
    };
    let sort = match given(&params.sort).as_deref() {
        None | Some("started") => incidents::Sort::Newest,
        Some("severity") => incidents::Sort::Severity,
        Some(_) => {
            return Err(AppError::validation(
                "sort",
                "Sort",
                "must be started or severity",
            ));
        }
    };
    // A search pages by offset through its ranked hits (see `list_incidents`), not by cursor.
    let searching = given(&params.q).is_some();
    let after = given(&params.after)
        .filter(|_| !searching)
        .map(|a| {
            incidents::Cursor::decode(&a)
                .filter(|c| c.severity.is_some() == (sort == incidents::Sort::Severity))
                .ok_or_else(|| {
                    AppError::validation("after", "Page", "is not one this list gave out")
                })
        })
        .transpose()?;
    Ok((filter, sort, after))
}

#[server(endpoint = "incidents")]
pub async fn list_incidents(params: ListParams) -> Result<IncidentList, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let zone = me.zone();
            let state = auth::state()?;
            let db = state.db;
            let now = state.clock.now();
            let query = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
            let (today, kept) = match query {
                Some(_) => (
                    crate::services::organisation::today(db.read(), now).await?,
                    None,
                ),
                None => {
                    let (version, today) =
                        crate::services::data_version::data_version_and_today(db.read(), now)
                            .await?;
                    let key = (params.clone(), zone, today);
                    if let Some(list) = state.incident_lists.get(version, &key) {
                        return Ok(list);
                    }
                    (today, Some((version, key)))
                }
            };
            let (mut filter, sort, after) = parse_list_params(db.read(), &params, zone).await?;
            let hits = match query {
                Some(q) => {
                    let hits = search::search(db.read(), q, search::MAX_HITS).await?;
                    filter.ids = Some(hits.iter().map(|h| h.incident_id).collect());
                    Some(hits)
                }
                None => None,
            };
            let total = incidents::count(db.read(), &filter, COUNT_UP_TO).await?;
            let (rows, next_after) = match &hits {
                // Search results come in order of relevance, a page at a time by offset.
                Some(hits) => {
                    let offset = params
                        .after
                        .as_deref()
                        .and_then(|a| a.strip_prefix("+"))
                        .and_then(|a| a.parse::<usize>().ok())
                        .unwrap_or(0);
                    let mut rows =
                        incidents::list(db.read(), &filter, sort, None, search::MAX_HITS as u64)
                            .await?;
                    let rank: std::collections::HashMap<i64, usize> = hits
                        .iter()
                        .enumerate()
                        .map(|(i, h)| (h.incident_id, i))
                        .collect();
                    rows.sort_by_key(|r| rank.get(&r.id).copied().unwrap_or(usize::MAX));
                    let more = rows.len() > offset + INCIDENTS_PER_PAGE as usize;
                    let page: Vec<_> = rows
                        .into_iter()
                        .skip(offset)
                        .take(INCIDENTS_PER_PAGE as usize)
                        .collect();
                    (
                        page,
                        more.then(|| format!("+{}", offset + INCIDENTS_PER_PAGE as usize)),
                    )
                }
                None => {
                    let mut rows =
                        incidents::list(db.read(), &filter, sort, after, INCIDENTS_PER_PAGE + 1)
                            .await?;
                    let next = (rows.len() as u64 > INCIDENTS_PER_PAGE).then(|| {
                        rows.truncate(INCIDENTS_PER_PAGE as usize);
                        rows.last()
                            .map(|i| incidents::Cursor::after(i, sort).encode())
                    });
                    (rows, next.flatten())
                }
            };
            let snippets: std::collections::HashMap<i64, String> = hits
                .unwrap_or_default()
                .into_iter()
                .map(|h| (h.incident_id, h.snippet))
                .collect();
            let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
            let mut services = incidents::service_names_for(db.read(), &ids).await?;
            let statuses = postmortems::statuses(db.read(), &ids).await?;
            let item_counts = action_items::counts_for_incidents(db.read(), &ids, today).await?;
            let list = IncidentList {
                total,
                incidents: rows
                    .into_iter()
                    .map(|i| IncidentSummary {
                        services: services.remove(&i.id).unwrap_or_default(),
                        time_to_resolve: i.key_times().ttr(),
                        postmortem_status: statuses
                            .get(&i.id)
                            .copied()
                            .unwrap_or(PostmortemStatus::Draft),
                        snippet: snippets.get(&i.id).cloned(),
                        open_items: item_counts.get(&i.id).map_or(0, |c| c.0),
                        overdue_items: item_counts.get(&i.id).map_or(0, |c| c.1),
                        id: i.id,
                        title: i.title,
                        severity: Severity::parse(&i.severity).unwrap_or(Severity::Sev4),
                        started: show_text(i.started_at, zone),
                        resolved: i.resolved_at.is_some(),
                    })
                    .collect(),
                next_after,
            };
            if let Some((version, key)) = kept {
                state.incident_lists.put(version, key, &list);
            }
            Ok(list)
        }
        .await,
    )
}

#[server(endpoint = "incident")]
pub async fn load_incident(id: i64) -> Result<IncidentDetail, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            let record = incidents::get(db.read(), id)
                .await?
                .ok_or(AppError::NotFound)?;
            let names =
                catalog::service_names_of(db.read(), record.service_ids.iter().copied()).await?;
            let postmortem = postmortems::get(db.read(), id).await?;
            let marked = incidents::marking_events(db.read(), id)
                .await?
                .into_iter()
                .filter_map(|e| e.marks.as_deref().and_then(|m| KeyMoment::parse(m).ok()))
                .collect();
            let i = &record.incident;
            let zone = me.zone();
            let times = i.key_times();
            let shown = |t: Option<DateTime<Utc>>| t.map(|t| show(t, zone));
            Ok(IncidentDetail {
                started: show(times.started, zone),
                detected: shown(times.detected),
                acknowledged: shown(times.acknowledged),
                mitigated: shown(times.mitigated),
                resolved: shown(times.resolved),
                ttd: times.ttd(),
                ttm: times.ttm(),
                ttr: times.ttr(),
                marked,
                time_zone: zone.name().to_string(),
                postmortem_status: postmortem.status,
                lint_warnings: postmortem.lint_warnings,
                can_edit: me.role.includes(Role::Engineer),
                can_delete: me.role.includes(Role::Admin),
                id: i.id,
                version: i.version,
                title: i.title.clone(),
                summary: i.summary.clone(),
                severity: Severity::parse(&i.severity).unwrap_or(Severity::Sev4),
                services: record
                    .service_ids
                    .iter()
                    .filter_map(|s| names.get(s).cloned())
                    .collect(),
                customer_impact: i.customer_impact,
                impact_description: i.impact_description.clone(),
                detected_by: stored(&i.detected_by, DetectionSource::parse),
                monitoring_should_have_caught: i.monitoring_should_have_caught,
                known_problem: i.known_problem,
                repeats: record.repeats.clone(),
                runbook_outcome: stored(&i.runbook_outcome, RunbookOutcome::parse),
                cause_category: stored(&i.cause_category, CauseCategory::parse),
                tags: record.tags.clone(),
            })
        }
        .await,
    )
}

/// What the incident form's fields hold, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFormValues {
    pub title: String,
    pub summary: String,
    pub severity: String,
    pub services: Vec<String>,
    pub customer_impact: bool,
    pub impact_description: String,
    pub started_at: String,
    pub detected_at: String,
    pub acknowledged_at: String,
    pub mitigated_at: String,
    pub resolved_at: String,
    pub detected_by: String,
    /// "yes", "no" or "".
    pub monitoring_should_have_caught: String,
    /// "known", "new" or "".
    pub known_problem: String,
    /// Incident numbers, comma-separated.
    pub repeats: String,
    pub runbook_outcome: String,
    pub cause_category: String,
    pub tags: String,
}

/// A service as the form offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceChoice {
    pub id: i64,
    pub name: String,
    pub team: String,
}

/// Everything the incident form needs: the values to start from and the choices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentForm {
    /// `None` when recording a new incident.
    pub id: Option<i64>,
    pub version: i64,
    pub values: IncidentFormValues,
    pub services: Vec<ServiceChoice>,
    /// Key times a timeline event sets, with that event's text: shown, not editable here.
    pub marked: Vec<(KeyMoment, String)>,
    pub time_zone: String,
}

#[cfg(feature = "ssr")]
fn form_values(record: &incidents::IncidentRecord, zone: chrono_tz::Tz) -> IncidentFormValues {
    let i = &record.incident;
    let input = |t: Option<DateTime<Utc>>| t.map(|t| show(t, zone).input).unwrap_or_default();
    let yes_no = |v: Option<bool>, yes: &str, no: &str| match v {
        Some(true) => yes.to_string(),
        Some(false) => no.to_string(),
        None => String::new(),
    };
    IncidentFormValues {
        title: i.title.clone(),
        summary: i.summary.clone(),
        severity: i.severity.clone(),
        services: record.service_ids.iter().map(i64::to_string).collect(),
        customer_impact: i.customer_impact,
        impact_description: i.impact_description.clone(),
        started_at: input(Some(i.started_at)),
        detected_at: input(i.detected_at),
        acknowledged_at: input(i.acknowledged_at),
        mitigated_at: input(i.mitigated_at),
        resolved_at: input(i.resolved_at),
        detected_by: i.detected_by.clone().unwrap_or_default(),
        monitoring_should_have_caught: yes_no(i.monitoring_should_have_caught, "yes", "no"),
        known_problem: yes_no(i.known_problem, "known", "new"),
        repeats: record
            .repeats
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        runbook_outcome: i.runbook_outcome.clone().unwrap_or_default(),
        cause_category: i.cause_category.clone().unwrap_or_default(),
        tags: record.tags.join(", "),
    }
}

/// An optional choice: empty means not set.
#[cfg(feature = "ssr")]
fn choice<T>(
    field: &str,
    label: &str,
    text: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        AppError::check(field, label, parse(text)).map(Some)
    }
}

/// The form's values read in `zone`, each complaint naming its field.
#[cfg(feature = "ssr")]
fn parse_form(
    v: &IncidentFormValues,
    zone: chrono_tz::Tz,
) -> Result<incidents::IncidentInput, AppError> {
    let time = |field: &str, label: &str, text: &str| {
        AppError::check(field, label, parse_local_optional(text, zone))
    };
    let tri = |field: &str, label: &str, text: &str, yes: &str, no: &str| match text.trim() {
        "" => Ok(None),
        t if t == yes => Ok(Some(true)),
        t if t == no => Ok(Some(false)),
        _ => Err(AppError::validation(
            field,
            label,
            format!("must be {yes} or {no}"),
        )),
    };
    let services = v
        .services
        .iter()
        .map(|s| s.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            AppError::validation(
                "services",
                "Affected services",
                "include one that does not exist",
            )
        })?;
    let repeats = v
        .repeats
        .split(',')
        .map(|r| r.trim().trim_start_matches('#'))
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse::<i64>().map_err(|_| {
                AppError::validation(
                    "repeats",
                    "Repeated incidents",
                    format!("\"{r}\" is not an incident number; write numbers like 12, 15"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let detected_by: Option<DetectionSource> = choice(
        "detected_by",
        "Detected by",
        &v.detected_by,
        DetectionSource::parse,
    )?;
    Ok(incidents::IncidentInput {
        title: AppError::check("title", "Title", required_line(&v.title, 200))?,
        summary: v.summary.trim().to_string(),
        severity: if v.severity.trim().is_empty() {
            return Err(AppError::validation(
                "severity",
                "Severity",
                "must be chosen",
            ));
        } else {
            AppError::check("severity", "Severity", Severity::parse(&v.severity))?
        },
        service_ids: services,
        customer_impact: v.customer_impact,
        impact_description: v.impact_description.trim().to_string(),
        times: KeyTimes {
            started: if v.started_at.trim().is_empty() {
                return Err(AppError::validation(
                    "started_at",
                    "Impact started",
                    "must be given",
                ));
            } else {
                AppError::check(
                    "started_at",
                    "Impact started",
                    parse_local(&v.started_at, zone),
                )?
            },
            detected: time("detected_at", "Detected", &v.detected_at)?,
            acknowledged: time("acknowledged_at", "Acknowledged", &v.acknowledged_at)?,
            mitigated: time("mitigated_at", "Mitigated", &v.mitigated_at)?,
            resolved: time("resolved_at", "Resolved", &v.resolved_at)?,
        },
        detected_by,
        monitoring_should_have_caught: if detected_by == Some(DetectionSource::Alert) {
            None
        } else {
            tri(
                "monitoring_should_have_caught",
                "Should monitoring have caught it",
                &v.monitoring_should_have_caught,
                "yes",
                "no",
            )?
        },
        known_problem: tri(
            "known_problem",
            "Known problem",
            &v.known_problem,
            "known",
            "new",
        )?,
        repeats,
        runbook_outcome: choice(
            "runbook_outcome",
            "Runbook",
            &v.runbook_outcome,
            RunbookOutcome::parse,
        )?,
        cause_category: choice(
            "cause_category",
            "Cause",
            &v.cause_category,
            CauseCategory::parse,
        )?,
        tags: AppError::check("tags", "Tags", parse_tags(&v.tags))?,
    })
}

/// The form for a new incident (`id` empty) or for changing one.
#[server(endpoint = "incident_form")]
pub async fn load_incident_form(id: Option<i64>) -> Result<IncidentForm, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let db = auth::state()?.db;
            let zone = me.zone();
            let teams: std::collections::HashMap<i64, String> = catalog::teams(db.read())
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            let services = catalog::services(db.read())
                .await?
                .into_iter()
                .map(|s| ServiceChoice {
                    team: teams.get(&s.team_id).cloned().unwrap_or_default(),
                    id: s.id,
                    name: s.name,
                })
                .collect();
            let (values, version, marked) = match id {
                None => (IncidentFormValues::default(), 0, Vec::new()),
                Some(id) => {
                    let record = incidents::get(db.read(), id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    let marked = incidents::marking_events(db.read(), id)
                        .await?
                        .into_iter()
                        .filter_map(|e| {
                            let moment = KeyMoment::parse(e.marks.as_deref()?).ok()?;
                            Some((moment, incidents::excerpt(&e.body, 60)))
                        })
                        .collect();
                    (form_values(&record, zone), record.incident.version, marked)
                }
            };
            Ok(IncidentForm {
                id,
                version,
                values,
                services,
                marked,
                time_zone: zone.name().to_string(),
            })
        }
        .await,
    )
}

/// Records a new incident (`id` empty) or changes one from `version`; goes to its page.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "save_incident")]
pub async fn save_incident(
    id: String,
    version: String,
    title: String,
    #[server(default)] summary: String,
    #[server(default)] severity: String,
    #[server(default)] services: Vec<String>,
    #[server(default)] customer_impact: Option<String>,
    #[server(default)] impact_description: String,
    #[server(default)] started_at: String,
    #[server(default)] detected_at: String,
    #[server(default)] acknowledged_at: String,
    #[server(default)] mitigated_at: String,
    #[server(default)] resolved_at: String,
    #[server(default)] detected_by: String,
    #[server(default)] monitoring_should_have_caught: String,
    #[server(default)] known_problem: String,
    #[server(default)] repeats: String,
    #[server(default)] runbook_outcome: String,
    #[server(default)] cause_category: String,
    #[server(default)] tags: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let values = IncidentFormValues {
                title,
                summary,
                severity,
                services,
                customer_impact: customer_impact.is_some_and(|v| !v.is_empty()),
                impact_description,
                started_at,
                detected_at,
                acknowledged_at,
                mitigated_at,
                resolved_at,
                detected_by,
                monitoring_should_have_caught,
                known_problem,
                repeats,
                runbook_outcome,
                cause_category,
                tags,
            };
            let input = parse_form(&values, me.zone())?;
            let state = auth::state()?;
            let now = state.clock.now();
            let saved = match id.trim() {
                "" => incidents::create(state.db.write(), input, me.id, now).await?,
                id => {
                    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
                    let version = version.trim().parse::<i64>().map_err(|_| {
                        AppError::validation("version", "Version", "is missing; reload the page")
                    })?;
                    incidents::update(state.db.write(), id, version, input, me.id, now).await?
                }
            };
            let id = saved.incident.id;
            leptos_axum::redirect(&format!("/incidents/{id}"));
            Ok(id)
        }
        .await,
    )
}

/// Deletes an incident for good; admins only, with a reason for the audit record.
#[server(endpoint = "delete_incident")]
pub async fn delete_incident(id: i64, confirm: String, reason: String) -> Result<(), AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Admin).await?;
            if confirm.trim() != id.to_string() {
                return Err(AppError::validation(
                    "confirm",
                    "Confirmation",
                    format!("must be the incident number, {id}"),
                ));
            }
            let reason = AppError::check("reason", "Reason", required_line(&reason, 500))?;
            let state = auth::state()?;
            incidents::delete(state.db.write(), id, &reason, me.id, state.clock.now()).await?;
            leptos_axum::redirect("/incidents");
            Ok(())
        }
        .await,
    )
}
