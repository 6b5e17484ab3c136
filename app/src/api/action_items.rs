//! Action items for the pages: the lists (all items with the manager's panels, my items, an
//! incident's), one item with its moves and history, the form, bulk changes, the inbox and the
//! calendar feed.

use crate::domain::action_item::{
    ActionMove, ActionState, ActionType, Cadence, NoticeKind, Outcome, Priority, Standing,
};
use crate::domain::history::FieldChange;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    auth::CurrentUser,
    domain::Role,
    domain::account::required_line,
    domain::action_item::{ItemSort, tracker_key},
    domain::history::Subject,
    entities::{action_item, incident},
    services::action_items::{
        self, ActionItemInput, Actor, BulkChange, ItemCursor, ItemFilter, MoveDetails, Names,
    },
    services::{accounts, calendar, catalog, history, markdown, notices, organisation},
};
#[cfg(feature = "ssr")]
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub const ITEMS_PER_PAGE: u64 = 50;

/// One item as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemRow {
    pub id: i64,
    pub title: String,
    pub state: ActionState,
    pub standing: Option<Standing>,
    pub incident_id: i64,
    pub incident_title: String,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub service: Option<String>,
    pub action_type: ActionType,
    pub priority: Priority,
    pub due_on: Option<NaiveDate>,
    pub verify_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub tracker_url: Option<String>,
    /// The key shown for the tracker link, such as PAY-123.
    pub tracker_key: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemList {
    pub total: u64,
    pub items: Vec<ActionItemRow>,
    pub next_after: Option<String>,
    /// Whether the viewer may reassign and re-date items in bulk.
    pub can_bulk: bool,
    /// The owner filtered by, as the owner field shows them.
    pub owner: Option<String>,
}

/// Someone items can be given to, as suggestions show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub username: String,
}

impl Person {
    /// What choosing them fills into an owner field.
    pub fn label(&self) -> String {
        crate::domain::account::person_label(&self.name, &self.username)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// How many of some items got done, and of how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateDto {
    pub done: u64,
    pub of: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelsDto {
    pub open_by_owner: Vec<(String, u64)>,
    pub open_by_team: Vec<(String, u64)>,
    pub overdue: u64,
    pub oldest_overdue: Option<(i64, String, i64)>,
    /// (label, count) per age bucket.
    pub aging: Vec<(String, u64)>,
    /// Last 30 and last 90 days.
    pub completion: [RateDto; 2],
    pub verification: [RateDto; 2],
}

/// A list's filters as they arrive in a link or an API query; empty means any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ItemParams {
    /// One or more states, comma-separated: proposed, open, in_progress, done, verified, wont_do.
    pub state: Option<String>,
    /// The owner: a user id, or the username or display name of someone items can be given to.
    pub owner: Option<String>,
    /// A team's name (or the one name that holds it) or id.
    pub team: Option<String>,
    /// A service's name (or the one name that holds it) or id.
    pub service: Option<String>,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "ssr", param(value_type = Option<ActionType>, inline))]
    pub action_type: Option<String>,
    #[cfg_attr(feature = "ssr", param(value_type = Option<Priority>, inline))]
    pub priority: Option<String>,
    /// An incident's id: the items it raised or that answer it.
    pub incident: Option<String>,
    /// "overdue" or "awaiting_verification".
    pub standing: Option<String>,
    /// First due day, YYYY-MM-DD.
    pub due_from: Option<String>,
    /// Last due day, inclusive.
    pub due_to: Option<String>,
    /// Words in the title.
    pub q: Option<String>,
    /// "due" (default), "newest" or "priority".
    pub sort: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

impl ItemParams {
    /// The query string that shows this list again, without `after`.
    pub fn query_string(&self) -> String {
        [
            ("state", &self.state),
            ("owner", &self.owner),
            ("team", &self.team),
            ("service", &self.service),
            ("type", &self.action_type),
            ("priority", &self.priority),
            ("incident", &self.incident),
            ("standing", &self.standing),
            ("due_from", &self.due_from),
            ("due_to", &self.due_to),
            ("q", &self.q),
            ("sort", &self.sort),
        ]
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

#[cfg(feature = "ssr")]
fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

#[cfg(feature = "ssr")]
fn optional_id(field: &str, label: &str, v: &Option<String>) -> Result<Option<i64>, AppError> {
    given(v)
        .map(|v| {
            v.trim_start_matches('#')
                .parse::<i64>()
                .map_err(|_| AppError::validation(field, label, "must be an id"))
        })
        .transpose()
}

#[cfg(feature = "ssr")]
fn optional_day(
    field: &str,
    label: &str,
    v: &Option<String>,
) -> Result<Option<NaiveDate>, AppError> {
    given(v)
        .map(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| AppError::validation(field, label, "must be a date like 2026-11-20"))
        })
        .transpose()
}

#[cfg(feature = "ssr")]
fn optional_choice<T>(
    field: &str,
    label: &str,
    v: &Option<String>,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, AppError> {
    given(v)
        .map(|v| AppError::check(field, label, parse(&v)))
        .transpose()
}

/// The filter, order and cursor in `params`; each complaint names its parameter.
#[cfg(feature = "ssr")]
pub fn parse_item_params(
    params: &ItemParams,
) -> Result<(ItemFilter, ItemSort, Option<ItemCursor>), AppError> {
    let states = match given(&params.state) {
        None => vec![],
        Some(text) => text
            .split(',')
            .map(|s| AppError::check("state", "State", ActionState::parse(s)))
            .collect::<Result<_, _>>()?,
    };
    let (overdue, awaiting_verification) = match given(&params.standing).as_deref() {
        None => (false, false),
        Some("overdue") => (true, false),
        Some("awaiting_verification") => (false, true),
        Some(_) => {
            return Err(AppError::validation(
                "standing",
                "Standing",
                "must be overdue or awaiting_verification",
            ));
        }
    };
    let filter = ItemFilter {
        states,
        owner_id: optional_id("owner", "Owner", &params.owner)?,
        team_id: optional_id("team", "Team", &params.team)?,
        service_id: optional_id("service", "Service", &params.service)?,
        action_type: optional_choice("type", "Type", &params.action_type, ActionType::parse)?,
        priority: optional_choice("priority", "Priority", &params.priority, Priority::parse)?,
        incident_id: optional_id("incident", "Incident", &params.incident)?,
        overdue,
        awaiting_verification,
        due_from: optional_day("due_from", "Due from", &params.due_from)?,
        due_until: optional_day("due_to", "Due until", &params.due_to)?,
        text: given(&params.q),
    };
    let sort =
        optional_choice("sort", "Sort", &params.sort, ItemSort::parse)?.unwrap_or(ItemSort::Due);
    let after = given(&params.after)
        .map(|a| {
            ItemCursor::decode(&a, sort).ok_or_else(|| {
                AppError::validation("after", "Page", "is not one this list gave out")
            })
        })
        .transpose()?;
    Ok((filter, sort, after))
}

/// Rows for `items`, with names and incident titles looked up in a few queries.
#[cfg(feature = "ssr")]
pub async fn rows(
    db: &impl sea_orm::ConnectionTrait,
    items: &[action_item::Model],
    today: NaiveDate,
) -> Result<Vec<ActionItemRow>, AppError> {
    let refs: Vec<&action_item::Model> = items.iter().collect();
    let names = Names::load(db, &refs).await?;
    let incident_ids: Vec<i64> = items.iter().map(|i| i.incident_id).collect();
    let titles: std::collections::HashMap<i64, String> = incident::Entity::find()
        .filter(incident::Column::Id.is_in(incident_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.title))
        .collect();
    Ok(items
        .iter()
        .map(|i| row(i, &names, &titles, today))
        .collect())
}

#[cfg(feature = "ssr")]
fn row(
    item: &action_item::Model,
    names: &Names,
    titles: &std::collections::HashMap<i64, String>,
    today: NaiveDate,
) -> ActionItemRow {
    let state = ActionState::parse(&item.state).unwrap_or(ActionState::Open);
    let named = |s: String| (!s.is_empty()).then_some(s);
    ActionItemRow {
        id: item.id,
        title: item.title.clone(),
        state,
        standing: Standing::of(state, item.due_on, item.verify_on, today),
        incident_id: item.incident_id,
        incident_title: titles.get(&item.incident_id).cloned().unwrap_or_default(),
        owner: named(names.user(item.owner_id)),
        team: named(names.team(item.team_id)),
        service: named(names.service(item.service_id)),
        action_type: ActionType::parse(&item.action_type).unwrap_or(ActionType::Process),
        priority: Priority::parse(&item.priority).unwrap_or(Priority::P3),
        due_on: item.due_on,
        verify_on: item.verify_on,
        outcome: item.outcome.as_deref().and_then(|o| Outcome::parse(o).ok()),
        tracker_key: item.tracker_url.as_deref().and_then(tracker_key),
        tracker_url: item.tracker_url.clone(),
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn actor(me: &CurrentUser) -> Actor {
    Actor {
        id: me.id,
        role: me.role,
    }
}

/// How many people an owner field suggests at once.
pub const SUGGESTED_PEOPLE: usize = 8;

/// The people an owner field suggests for what has been typed into it.
#[server(endpoint = "people/suggest")]
pub async fn suggest_people(#[server(default)] query: String) -> Result<Vec<Person>, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Viewer).await?;
            Ok(
                accounts::find_people(state.db.read(), &query, SUGGESTED_PEOPLE)
                    .await?
                    .into_iter()
                    .map(|p| Person {
                        id: p.id,
                        name: p.name,
                        username: p.username,
                    })
                    .collect(),
            )
        }
        .await,
    )
}

/// `params` with its owner (typed as a name or a label), team and service (typed as names)
/// turned into ids; the owner's label beside it, for the owner field.
#[cfg(feature = "ssr")]
pub async fn resolve_item_names(
    db: &impl sea_orm::ConnectionTrait,
    mut params: ItemParams,
) -> Result<(ItemParams, Option<String>), AppError> {
    let scope = crate::services::catalog::filter_scope(
        db,
        params.team.as_deref(),
        params.service.as_deref(),
    )
    .await?;
    params.team = scope.team.map(|t| t.id.to_string());
    params.service = scope.service.map(|s| s.id.to_string());
    let Some(typed) = given(&params.owner) else {
        return Ok((params, None));
    };
    let Some(id) = accounts::assignee(db, "owner", "Owner", &typed).await? else {
        return Ok((params, None));
    };
    params.owner = Some(id.to_string());
    Ok((params, accounts::label_of(db, id).await?))
}

#[server(endpoint = "action_items")]
pub async fn list_action_items(params: ItemParams) -> Result<ActionItemList, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let (params, owner) = resolve_item_names(db, params).await?;
            let (filter, sort, after) = parse_item_params(&params)?;
            let today = organisation::today(state.db.read(), state.clock.now()).await?;
            let total = action_items::count(db, &filter, today).await?;
            let mut items =
                action_items::list(db, &filter, today, sort, after, ITEMS_PER_PAGE + 1).await?;
            let next_after = (items.len() as u64 > ITEMS_PER_PAGE).then(|| {
                items.truncate(ITEMS_PER_PAGE as usize);
                items.last().map(|i| ItemCursor::after(i, sort).encode())
            });
            let can_bulk = me.role.includes(Role::Manager);
            Ok(ActionItemList {
                total,
                items: rows(db, &items, today).await?,
                next_after: next_after.flatten(),
                can_bulk,
                owner,
            })
        }
        .await,
    )
}

#[server(endpoint = "action_items/panels")]
pub async fn action_item_panels(params: ItemParams) -> Result<PanelsDto, AppError> {
    use crate::domain::action_item::AgeBucket;
    auth::respond(
        async {
            let state = auth::state()?;
            auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let (params, _) = resolve_item_names(db, params).await?;
            let (filter, _, _) = parse_item_params(&params)?;
            let now = state.clock.now();
            let today = organisation::today(db, now).await?;
            let panels = action_items::panels(db, &filter, today, now).await?;
            let mut refs: Vec<&action_item::Model> = panels.oldest_overdue.iter().collect();
            refs.truncate(1);
            let mut names = Names::load(db, &refs).await?;
            names.users = accounts::people(db).await?.into_iter().collect();
            names.teams = catalog::teams(db)
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            let label = |name: String| {
                if name.is_empty() {
                    "Nobody".to_string()
                } else {
                    name
                }
            };
            let rate = |r: action_items::Rate| RateDto {
                done: r.done,
                of: r.of,
            };
            Ok(PanelsDto {
                open_by_owner: panels
                    .open_by_owner
                    .into_iter()
                    .map(|(id, n)| (label(names.user(id)), n))
                    .collect(),
                open_by_team: panels
                    .open_by_team
                    .into_iter()
                    .map(|(id, n)| {
                        let name = names.team(id);
                        (
                            if name.is_empty() {
                                "No team".into()
                            } else {
                                name
                            },
                            n,
                        )
                    })
                    .collect(),
                overdue: panels.overdue,
                oldest_overdue: panels.oldest_overdue.map(|i| {
                    let late = i.due_on.map(|d| (today - d).num_days()).unwrap_or_default();
                    (i.id, i.title, late)
                }),
                aging: AgeBucket::ALL
                    .iter()
                    .zip(panels.aging)
                    .map(|(b, n)| (b.label().to_string(), n))
                    .collect(),
                completion: panels.completion.map(rate),
                verification: panels.verification.map(rate),
            })
        }
        .await,
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyItemsDto {
    pub overdue: Vec<ActionItemRow>,
    pub due_this_week: Vec<ActionItemRow>,
    pub later: Vec<ActionItemRow>,
    pub awaiting_verification: Vec<ActionItemRow>,
}

#[server(endpoint = "action_items/mine")]
pub async fn my_action_items() -> Result<MyItemsDto, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let today = organisation::today(state.db.read(), state.clock.now()).await?;
            let mine = action_items::mine(db, me.id, today).await?;
            Ok(MyItemsDto {
                overdue: rows(db, &mine.overdue, today).await?,
                due_this_week: rows(db, &mine.due_this_week, today).await?,
                later: rows(db, &mine.later, today).await?,
                awaiting_verification: rows(db, &mine.awaiting_verification, today).await?,
            })
        }
        .await,
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentItems {
    pub items: Vec<ActionItemRow>,
    pub can_add: bool,
}

#[server(endpoint = "action_items/incident")]
pub async fn incident_action_items(incident_id: i64) -> Result<IncidentItems, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let db = state.db.read();
            if !crate::services::incidents::exists(db, incident_id).await? {
                return Err(AppError::NotFound);
            }
            let today = organisation::today(state.db.read(), state.clock.now()).await?;
            let items = action_items::for_incident(db, incident_id).await?;
            let can_add = me.role.includes(Role::Engineer);
            Ok(IncidentItems {
                items: rows(db, &items, today).await?,
                can_add,
            })
        }
        .await,
    )
}

/// One history entry of an item, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemHistoryLine {
    pub actor: String,
    pub at: String,
    pub action: String,
    pub changes: Vec<FieldChange>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemDetail {
    pub row: ActionItemRow,
    pub version: i64,
    pub description_html: String,
    pub cadence: Cadence,
    pub related_incidents: Vec<(i64, String)>,
    pub evidence: Option<String>,
    pub evidence_url: Option<String>,
    pub wont_do_reason: Option<String>,
    pub follow_up_of: Option<(i64, String)>,
    pub follow_ups: Vec<(i64, String)>,
    pub created_by: String,
    pub verified_by: Option<String>,
    /// The moves the viewer may make now.
    pub moves: Vec<ActionMove>,
    pub can_edit: bool,
    pub can_follow_up: bool,
    pub history: Vec<ItemHistoryLine>,
}

#[cfg(feature = "ssr")]
fn may_change(item: &action_item::Model, me: &CurrentUser) -> bool {
    me.role.includes(Role::Manager)
        || (me.role.includes(Role::Engineer)
            && (item.owner_id == Some(me.id) || item.created_by == me.id))
}

#[server(endpoint = "action_item")]
pub async fn load_action_item(id: i64) -> Result<ActionItemDetail, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let today = organisation::today(state.db.read(), state.clock.now()).await?;
            let item = action_items::get(db, id).await?.ok_or(AppError::NotFound)?;
            let related = action_items::related_ids(db, id).await?;
            let mut titled: Vec<i64> = related.clone();
            titled.extend(item.follow_up_of);
            let follow_ups = action_item::Entity::find()
                .filter(action_item::Column::FollowUpOf.eq(id))
                .all(db)
                .await?;
            let parent = match item.follow_up_of {
                Some(parent) => action_items::get(db, parent).await?,
                None => None,
            };
            let titles: std::collections::HashMap<i64, String> = incident::Entity::find()
                .filter(incident::Column::Id.is_in(related.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|i| (i.id, i.title))
                .collect();
            let row = rows(db, std::slice::from_ref(&item), today)
                .await?
                .pop()
                .ok_or(AppError::NotFound)?;
            let names = Names::load(db, &[&item]).await?;
            let zone = me.zone();
            let history = history::for_subject(db, Subject::ActionItem, id, 100)
                .await?
                .into_iter()
                .map(|e| ItemHistoryLine {
                    actor: e.actor,
                    at: crate::domain::time::show(e.at, zone).text,
                    action: e.action.label().to_string(),
                    changes: e.changes,
                    note: e.note,
                })
                .collect();
            let can_change = may_change(&item, &me);
            Ok(ActionItemDetail {
                version: item.version,
                description_html: markdown::render(&item.description),
                cadence: Cadence::parse(&item.cadence).unwrap_or(Cadence::Weekly),
                related_incidents: related
                    .iter()
                    .map(|i| (*i, titles.get(i).cloned().unwrap_or_default()))
                    .collect(),
                evidence: item.evidence.clone(),
                evidence_url: item.evidence_url.clone(),
                wont_do_reason: item.wont_do_reason.clone(),
                follow_up_of: parent.map(|p| (p.id, p.title)),
                follow_ups: follow_ups.into_iter().map(|f| (f.id, f.title)).collect(),
                created_by: names.user(Some(item.created_by)),
                verified_by: item.verified_by.map(|v| names.user(Some(v))),
                moves: if can_change {
                    row.state.moves()
                } else {
                    vec![]
                },
                can_edit: can_change,
                can_follow_up: can_change
                    && item.outcome.as_deref() == Some(Outcome::NotEffective.key()),
                history,
                row,
            })
        }
        .await,
    )
}

/// An item's form as typed: every value text, so a refused form can be shown again as it was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemFormValues {
    pub title: String,
    pub description: String,
    pub owner_id: String,
    pub team_id: String,
    pub service_id: String,
    pub action_type: String,
    pub priority: String,
    pub due_on: String,
    pub tracker_url: String,
    pub cadence: String,
    pub related_incidents: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemForm {
    pub id: Option<i64>,
    pub version: i64,
    pub incident_id: i64,
    pub incident_title: String,
    pub state: ActionState,
    pub values: ActionItemFormValues,
    pub teams: Vec<Choice>,
    pub services: Vec<Choice>,
}

#[server(endpoint = "action_item_form")]
pub async fn load_action_item_form(
    id: Option<i64>,
    incident_id: Option<i64>,
) -> Result<ActionItemForm, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Engineer).await?;
            let db = state.db.read();
            let (item, related) = match id {
                Some(id) => {
                    let item = action_items::get(db, id).await?.ok_or(AppError::NotFound)?;
                    if !may_change(&item, &me) {
                        return Err(AppError::Forbidden);
                    }
                    let related = action_items::related_ids(db, id).await?;
                    (Some(item), related)
                }
                None => (None, vec![]),
            };
            let incident_id = match (&item, incident_id) {
                (Some(item), _) => item.incident_id,
                (None, Some(id)) => id,
                (None, None) => {
                    return Err(AppError::validation(
                        "incident_id",
                        "Incident",
                        "is needed: add items from an incident's page",
                    ));
                }
            };
            let incident = incident::Entity::find_by_id(incident_id)
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            let text = |id: Option<i64>| id.map(|i| i.to_string()).unwrap_or_default();
            let owner = match item.as_ref().map_or(Some(me.id), |i| i.owner_id) {
                Some(id) => accounts::label_of(db, id).await?.unwrap_or_default(),
                None => String::new(),
            };
            let values = match &item {
                Some(i) => ActionItemFormValues {
                    title: i.title.clone(),
                    description: i.description.clone(),
                    owner_id: owner,
                    team_id: text(i.team_id),
                    service_id: text(i.service_id),
                    action_type: i.action_type.clone(),
                    priority: i.priority.clone(),
                    due_on: i.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    tracker_url: i.tracker_url.clone().unwrap_or_default(),
                    cadence: i.cadence.clone(),
                    related_incidents: related
                        .iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                },
                None => ActionItemFormValues {
                    owner_id: owner,
                    action_type: ActionType::Prevent.key().into(),
                    priority: Priority::P2.key().into(),
                    cadence: Cadence::Weekly.key().into(),
                    ..Default::default()
                },
            };
            Ok(ActionItemForm {
                id: item.as_ref().map(|i| i.id),
                version: item.as_ref().map(|i| i.version).unwrap_or(0),
                incident_id,
                incident_title: incident.title,
                state: item
                    .as_ref()
                    .and_then(|i| ActionState::parse(&i.state).ok())
                    .unwrap_or(ActionState::Proposed),
                values,
                teams: catalog::teams(db)
                    .await?
                    .into_iter()
                    .map(|t| Choice {
                        id: t.id,
                        name: t.name,
                    })
                    .collect(),
                services: catalog::services(db)
                    .await?
                    .into_iter()
                    .map(|s| Choice {
                        id: s.id,
                        name: s.name,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// The form's values parsed, each complaint naming its field.
#[cfg(feature = "ssr")]
pub fn parse_item_form(
    v: &ActionItemFormValues,
    incident_id: i64,
    committed: bool,
) -> Result<ActionItemInput, AppError> {
    let title = AppError::check("title", "Title", required_line(&v.title, 200))?;
    crate::domain::markdown::check_size(&v.description)
        .map_err(|m| AppError::validation("description", "Description", m))?;
    let tracker_url = match v.tracker_url.trim() {
        "" => None,
        url if url.starts_with("https://") || url.starts_with("http://") => {
            if url.len() > 500 {
                return Err(AppError::validation(
                    "tracker_url",
                    "Tracker link",
                    "must be at most 500 characters",
                ));
            }
            Some(url.to_string())
        }
        _ => {
            return Err(AppError::validation(
                "tracker_url",
                "Tracker link",
                "must be a web address starting with https://",
            ));
        }
    };
    let related_incident_ids = v
        .related_incidents
        .split([',', ' '])
        .map(|s| s.trim().trim_start_matches('#'))
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>().map_err(|_| {
                AppError::validation(
                    "related_incidents",
                    "Related incidents",
                    format!("must be incident numbers such as 12, 15; “{s}” is not one"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let required_choice =
        |field: &str, label: &str, text: &str, parse: fn(&str) -> Result<_, String>| {
            AppError::check(field, label, parse(text))
        };
    Ok(ActionItemInput {
        title,
        description: v.description.clone(),
        incident_id,
        owner_id: optional_id("owner_id", "Owner", &Some(v.owner_id.clone()))?,
        team_id: optional_id("team_id", "Team", &Some(v.team_id.clone()))?,
        service_id: optional_id("service_id", "Service", &Some(v.service_id.clone()))?,
        action_type: required_choice("action_type", "Type", &v.action_type, ActionType::parse)?,
        priority: AppError::check("priority", "Priority", Priority::parse(&v.priority))?,
        due_on: optional_day("due_on", "Due date", &Some(v.due_on.clone()))?,
        tracker_url,
        cadence: AppError::check("cadence", "Verified in", Cadence::parse(&v.cadence))?,
        related_incident_ids,
        committed,
    })
}

/// Raises an item (`id` empty) or changes one. `commit` raises it as open rather than proposed;
/// `back` is where to go afterwards (the incident page for a quick add).
#[server(endpoint = "action_item/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_action_item(
    #[server(default)] id: String,
    #[server(default)] version: String,
    incident_id: i64,
    #[server(default)] title: String,
    #[server(default)] description: String,
    #[server(default)] owner_id: String,
    #[server(default)] team_id: String,
    #[server(default)] service_id: String,
    #[server(default)] action_type: String,
    #[server(default)] priority: String,
    #[server(default)] due_on: String,
    #[server(default)] tracker_url: String,
    #[server(default)] cadence: String,
    #[server(default)] related_incidents: String,
    #[server(default)] commit: Option<String>,
    #[server(default)] back: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Engineer).await?;
            let values = ActionItemFormValues {
                title,
                description,
                owner_id,
                team_id,
                service_id,
                action_type: if action_type.is_empty() {
                    ActionType::Prevent.key().into()
                } else {
                    action_type
                },
                priority: if priority.is_empty() {
                    Priority::P2.key().into()
                } else {
                    priority
                },
                due_on,
                tracker_url,
                cadence: if cadence.is_empty() {
                    Cadence::Weekly.key().into()
                } else {
                    cadence
                },
                related_incidents,
            };
            let committed = commit.is_some_and(|c| !c.is_empty());
            let owner =
                accounts::assignee(state.db.read(), "owner_id", "Owner", &values.owner_id).await?;
            let values = ActionItemFormValues {
                owner_id: owner.map(|id| id.to_string()).unwrap_or_default(),
                ..values
            };
            let input = parse_item_form(&values, incident_id, committed)?;
            let now = state.clock.now();
            let saved = match id.trim() {
                "" => action_items::create(state.db.write(), input, actor(&me), now).await?,
                id => {
                    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
                    let version = version.trim().parse::<i64>().map_err(|_| {
                        AppError::validation("version", "Version", "is missing; reload the page")
                    })?;
                    action_items::update(state.db.write(), id, version, input, actor(&me), now)
                        .await?
                }
            };
            let to = if back == "incident" {
                format!("/incidents/{}#action-items", saved.incident_id)
            } else {
                format!("/action-items/{}", saved.id)
            };
            leptos_axum::redirect(&to);
            Ok(saved.id)
        }
        .await,
    )
}

/// Moves an item on: commit, start, mark done, verify (with an outcome and evidence), decline
/// (with a reason) or reopen. Returns the item's new version.
#[server(endpoint = "action_item/move")]
#[allow(clippy::too_many_arguments)]
pub async fn move_action_item(
    id: i64,
    version: i64,
    action: String,
    #[server(default)] outcome: String,
    #[server(default)] evidence: String,
    #[server(default)] evidence_url: String,
    #[server(default)] reason: String,
    #[server(default)] done_on: String,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Engineer).await?;
            let action = AppError::check("action", "Move", ActionMove::parse(&action))?;
            let outcome = optional_choice("outcome", "Outcome", &Some(outcome), Outcome::parse)?;
            let evidence_url = match evidence_url.trim() {
                "" => None,
                url if url.starts_with("https://") || url.starts_with("http://") => {
                    Some(url.to_string())
                }
                _ => {
                    return Err(AppError::validation(
                        "evidence_url",
                        "Evidence link",
                        "must be a web address starting with https://",
                    ));
                }
            };
            let now = state.clock.now();
            let moved = action_items::transition(
                state.db.write(),
                id,
                version,
                action,
                MoveDetails {
                    outcome,
                    evidence: Some(evidence),
                    evidence_url,
                    reason: Some(reason),
                    done_on: optional_day("done_on", "Done on", &Some(done_on))?,
                },
                actor(&me),
                now,
                organisation::today(state.db.read(), now).await?,
            )
            .await?;
            Ok(moved.version)
        }
        .await,
    )
}

/// Raises a proposed follow-up to an item verified as not effective, and opens its form.
#[server(endpoint = "action_item/follow_up")]
pub async fn follow_up_action_item(id: i64) -> Result<i64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Engineer).await?;
            let item = action_items::get(state.db.read(), id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !may_change(&item, &me) {
                return Err(AppError::Forbidden);
            }
            let created =
                action_items::follow_up(state.db.write(), id, actor(&me), state.clock.now())
                    .await?;
            leptos_axum::redirect(&format!("/action-items/{}/edit", created.id));
            Ok(created.id)
        }
        .await,
    )
}

/// Reassigns (`change` "owner") or re-dates (`change` "due") the ticked items; managers only.
#[server(endpoint = "action_items/bulk")]
pub async fn bulk_edit_action_items(
    #[server(default)] ids: Vec<String>,
    change: String,
    #[server(default)] owner_id: String,
    #[server(default)] due_on: String,
) -> Result<u64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Manager).await?;
            let ids: Vec<i64> = ids
                .iter()
                .map(|i| i.parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|_| AppError::validation("ids", "Items", "must be item ids"))?;
            let change = match change.as_str() {
                "owner" => BulkChange::Reassign {
                    owner_id: accounts::assignee(
                        state.db.read(),
                        "owner_id",
                        "New owner",
                        &owner_id,
                    )
                    .await?
                    .ok_or_else(|| {
                        AppError::validation("owner_id", "New owner", "must be chosen")
                    })?,
                },
                "due" => BulkChange::DueOn(
                    optional_day("due_on", "New due date", &Some(due_on))?.ok_or_else(|| {
                        AppError::validation("due_on", "New due date", "must be given")
                    })?,
                ),
                _ => {
                    return Err(AppError::validation(
                        "change",
                        "Change",
                        "must be owner or due",
                    ));
                }
            };
            action_items::bulk_edit(
                state.db.write(),
                &ids,
                change,
                actor(&me),
                state.clock.now(),
            )
            .await
        }
        .await,
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRow {
    pub id: i64,
    pub kind: NoticeKind,
    pub unread: bool,
    pub at: String,
    pub item: ActionItemRow,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub notices: Vec<NoticeRow>,
    pub unread: u64,
}

pub const NOTICES_PER_PAGE: u64 = 100;

#[server(endpoint = "inbox")]
pub async fn load_inbox() -> Result<Inbox, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let db = state.db.read();
            let today = organisation::today(state.db.read(), state.clock.now()).await?;
            let found = notices::inbox(db, me.id, None, NOTICES_PER_PAGE).await?;
            let items: Vec<action_item::Model> = found.iter().map(|n| n.item.clone()).collect();
            let rows = rows(db, &items, today).await?;
            let zone = me.zone();
            Ok(Inbox {
                unread: notices::unread_count(db, me.id).await?,
                notices: found
                    .into_iter()
                    .zip(rows)
                    .map(|(n, item)| NoticeRow {
                        id: n.notice.id,
                        kind: NoticeKind::parse(&n.notice.kind).unwrap_or(NoticeKind::Assigned),
                        unread: n.notice.read_at.is_none(),
                        at: crate::domain::time::show(n.notice.created_at, zone).text,
                        item,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// Marks one notice read, or all of them when `id` is empty.
#[server(endpoint = "inbox/read")]
pub async fn mark_notices_read(#[server(default)] id: String) -> Result<u64, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let id = optional_id("id", "Notice", &Some(id))?;
            notices::mark_read(state.db.write(), me.id, id, state.clock.now()).await
        }
        .await,
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeed {
    /// When the current address was made, in the viewer's zone; `None` without a feed.
    pub since: Option<String>,
}

#[server(endpoint = "calendar_feed")]
pub async fn load_calendar_feed() -> Result<CalendarFeed, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let zone = me.zone();
            Ok(CalendarFeed {
                since: calendar::created_at(state.db.read(), me.id)
                    .await?
                    .map(|at| crate::domain::time::show(at, zone).text),
            })
        }
        .await,
    )
}

/// Makes a new secret feed address (ending the old one) and returns its path, shown once.
#[server(endpoint = "calendar_feed/new")]
pub async fn new_calendar_feed() -> Result<String, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            let token = calendar::rotate(state.db.write(), me.id, state.clock.now()).await?;
            Ok(format!("/calendar/{token}.ics"))
        }
        .await,
    )
}

#[server(endpoint = "calendar_feed/revoke")]
pub async fn revoke_calendar_feed() -> Result<bool, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let me = auth::require(Role::Viewer).await?;
            calendar::revoke(state.db.write(), me.id).await
        }
        .await,
    )
}
