//! `/api/v1/action-items`: the same filters as the All items page, raising and changing items,
//! and moving them through their states (verifying included), under the same rules as the pages.

use super::{ApiResult, ApiUser, Denied, Id, Invalid, Missing, Stale, body};
use app::api::action_items::{
    ActionItemFormValues, ItemParams, parse_item_form, parse_item_params, resolve_item_names,
};
use app::auth::CurrentUser;
use app::domain::Role;
use app::domain::action_item::{
    ActionMove, ActionState, ActionType, Cadence, Outcome, Priority, Standing, tracker_key,
};
use app::entities::action_item;
use app::error::AppError;
use app::services::action_items::{self, Actor, ItemCursor, MoveDetails};
use app::services::organisation;
use app::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const MAX_PAGE: u64 = 200;

/// An item as the API reads it.
#[derive(Serialize, ToSchema)]
#[schema(as = ActionItem)]
pub struct ActionItemJson {
    id: i64,
    version: i64,
    title: String,
    description: String,
    incident_id: i64,
    /// Other incidents it also answers.
    related_incidents: Vec<i64>,
    owner_id: Option<i64>,
    team_id: Option<i64>,
    service_id: Option<i64>,
    #[serde(rename = "type")]
    #[schema(value_type = ActionType)]
    action_type: String,
    #[schema(value_type = Priority)]
    priority: String,
    due_on: Option<NaiveDate>,
    tracker_url: Option<String>,
    /// The issue key read from the tracker link, such as `OPS-142`.
    tracker_key: Option<String>,
    /// How soon after it is done its verification falls due.
    #[schema(value_type = Cadence)]
    cadence: String,
    #[schema(value_type = ActionState)]
    state: String,
    /// "overdue" or "awaiting_verification", when either applies today.
    standing: Option<&'static str>,
    #[schema(value_type = Option<Outcome>)]
    outcome: Option<String>,
    evidence: Option<String>,
    evidence_url: Option<String>,
    wont_do_reason: Option<String>,
    done_at: Option<DateTime<Utc>>,
    verify_on: Option<NaiveDate>,
    verified_at: Option<DateTime<Utc>>,
    verified_by: Option<i64>,
    follow_up_of: Option<i64>,
    created_by: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn json(item: action_item::Model, related: Vec<i64>, today: NaiveDate) -> ActionItemJson {
    let standing = ActionState::parse(&item.state)
        .ok()
        .and_then(|s| Standing::of(s, item.due_on, item.verify_on, today))
        .map(Standing::key);
    ActionItemJson {
        tracker_key: item.tracker_url.as_deref().and_then(tracker_key),
        id: item.id,
        version: item.version,
        title: item.title,
        description: item.description,
        incident_id: item.incident_id,
        related_incidents: related,
        owner_id: item.owner_id,
        team_id: item.team_id,
        service_id: item.service_id,
        action_type: item.action_type,
        priority: item.priority,
        due_on: item.due_on,
        tracker_url: item.tracker_url,
        cadence: item.cadence,
        state: item.state,
        standing,
        outcome: item.outcome,
        evidence: item.evidence,
        evidence_url: item.evidence_url,
        wont_do_reason: item.wont_do_reason,
        done_at: item.done_at,
        verify_on: item.verify_on,
        verified_at: item.verified_at,
        verified_by: item.verified_by,
        follow_up_of: item.follow_up_of,
        created_by: item.created_by,
        created_at: item.created_at,
        updated_at: item.updated_at,
    }
}

async fn read_back(state: &AppState, item: action_item::Model) -> ApiResult<ActionItemJson> {
    let related = action_items::related_ids(state.db.read(), item.id).await?;
    Ok(json(
        item,
        related,
        organisation::today(state.db.read(), state.clock.now()).await?,
    ))
}

fn actor(user: &CurrentUser) -> Actor {
    Actor {
        id: user.id,
        role: user.role,
    }
}

/// How many to answer at once.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageSize {
    /// 1 to 200; 50 when absent.
    #[param(value_type = Option<u64>)]
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionItemPage {
    action_items: Vec<ActionItemJson>,
    /// Pass as `after` for the next page; null on the last one.
    next: Option<String>,
}

/// Action items
///
/// The same filters as the All items page, due first unless `sort` says otherwise. Pages through
/// with `after`.
#[utoipa::path(get, path = "/api/v1/action-items", tag = "action items",
    params(ItemParams, PageSize),
    responses((status = 200, description = "A page of items.", body = ActionItemPage),
        Denied, Invalid))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    query: Result<Query<ItemParams>, QueryRejection>,
    size: Result<Query<PageSize>, QueryRejection>,
) -> ApiResult<Json<ActionItemPage>> {
    user.require(Role::Viewer)?;
    let params = super::query(query)?;
    let size = super::query(size)?;
    let (params, _) = resolve_item_names(state.db.read(), params).await?;
    let (filter, sort, after) = parse_item_params(&params)?;
    let limit = match size
        .limit
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        None => 50,
        Some(l) => l
            .parse::<u64>()
            .map_err(|_| AppError::validation("limit", "Limit", "must be a whole number"))?,
    }
    .clamp(1, MAX_PAGE);
    let today = organisation::today(state.db.read(), state.clock.now()).await?;
    let db = state.db.read();
    let mut rows = action_items::list(db, &filter, today, sort, after, limit + 1).await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|i| ItemCursor::after(i, sort).encode())
    } else {
        None
    };
    let mut out = Vec::with_capacity(rows.len());
    for item in rows {
        let related = action_items::related_ids(db, item.id).await?;
        out.push(json(item, related, today));
    }
    Ok(Json(ActionItemPage {
        action_items: out,
        next,
    }))
}

/// One action item
#[utoipa::path(get, path = "/api/v1/action-items/{id}", tag = "action items",
    params(("id" = i64, Path, description = "The item.")),
    responses((status = 200, description = "The item.", body = ActionItemJson), Denied, Missing))]
pub async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
) -> ApiResult<Json<ActionItemJson>> {
    user.require(Role::Viewer)?;
    let item = action_items::get(state.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(read_back(&state, item).await?))
}

/// An item as the API writes it.
#[derive(Deserialize, ToSchema)]
pub struct ActionItemBody {
    title: String,
    #[serde(default)]
    description: String,
    /// The incident it comes from; ignored when changing an item.
    incident_id: Option<i64>,
    #[serde(default)]
    related_incidents: Vec<i64>,
    owner_id: Option<i64>,
    team_id: Option<i64>,
    service_id: Option<i64>,
    #[serde(rename = "type")]
    #[schema(value_type = ActionType)]
    action_type: String,
    #[schema(value_type = Priority)]
    priority: String,
    due_on: Option<NaiveDate>,
    tracker_url: Option<String>,
    #[schema(value_type = Cadence)]
    cadence: String,
    /// Raise it committed (open) rather than proposed.
    #[serde(default)]
    commit: bool,
    /// Required when changing an item.
    version: Option<i64>,
}

impl ActionItemBody {
    fn values(&self) -> ActionItemFormValues {
        let text = |id: Option<i64>| id.map(|i| i.to_string()).unwrap_or_default();
        ActionItemFormValues {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_id: text(self.owner_id),
            team_id: text(self.team_id),
            service_id: text(self.service_id),
            action_type: self.action_type.clone(),
            priority: self.priority.clone(),
            due_on: self.due_on.map(|d| d.to_string()).unwrap_or_default(),
            tracker_url: self.tracker_url.clone().unwrap_or_default(),
            cadence: self.cadence.clone(),
            related_incidents: self
                .related_incidents
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// Raise an item from an incident (engineers)
///
/// A committed item needs an owner and a due date.
#[utoipa::path(post, path = "/api/v1/action-items", tag = "action items",
    request_body = ActionItemBody,
    responses((status = 201, description = "The new item.", body = ActionItemJson),
        Denied, Missing, Invalid))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    payload: Result<Json<ActionItemBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ActionItemJson>)> {
    let user = user.require(Role::Engineer)?;
    let payload = body(payload)?;
    let incident_id = payload.incident_id.ok_or_else(|| {
        AppError::validation("incident_id", "Incident", "is required to raise an item")
    })?;
    let input = parse_item_form(&payload.values(), incident_id, payload.commit)?;
    let item =
        action_items::create(state.db.write(), input, actor(&user), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(read_back(&state, item).await?)))
}

/// Change an item (engineers)
///
/// Only managers give a committed item to someone else.
#[utoipa::path(put, path = "/api/v1/action-items/{id}", tag = "action items",
    request_body = ActionItemBody,
    params(("id" = i64, Path, description = "The item.")),
    responses((status = 200, description = "The item as saved.", body = ActionItemJson),
        Denied, Missing, Invalid, Stale))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
    payload: Result<Json<ActionItemBody>, JsonRejection>,
) -> ApiResult<Json<ActionItemJson>> {
    let user = user.require(Role::Engineer)?;
    let payload = body(payload)?;
    let version = payload.version.ok_or_else(|| {
        AppError::validation("version", "Version", "is required to change an item")
    })?;
    let current = action_items::get(state.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = parse_item_form(&payload.values(), current.incident_id, false)?;
    let item = action_items::update(
        state.db.write(),
        id,
        version,
        input,
        actor(&user),
        state.clock.now(),
    )
    .await?;
    Ok(Json(read_back(&state, item).await?))
}

/// A move of an item from one state to the next.
#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// Implied by the `verify` route.
    #[schema(value_type = Option<ActionMove>)]
    action: Option<String>,
    version: i64,
    /// For `verify`: whether it worked.
    #[schema(value_type = Option<Outcome>)]
    outcome: Option<String>,
    evidence: Option<String>,
    evidence_url: Option<String>,
    reason: Option<String>,
    /// For `complete`: the day the work was finished, if not today.
    done_on: Option<NaiveDate>,
}

async fn make_move(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: ActionMove,
    payload: MoveBody,
) -> ApiResult<Json<ActionItemJson>> {
    let outcome = payload
        .outcome
        .as_deref()
        .filter(|o| !o.trim().is_empty())
        .map(|o| AppError::check("outcome", "Outcome", Outcome::parse(o)))
        .transpose()?;
    let now = state.clock.now();
    let item = action_items::transition(
        state.db.write(),
        id,
        payload.version,
        action,
        MoveDetails {
            outcome,
            evidence: payload.evidence,
            evidence_url: payload.evidence_url,
            reason: payload.reason,
            done_on: payload.done_on,
        },
        actor(user),
        now,
        organisation::today(state.db.read(), now).await?,
    )
    .await?;
    Ok(Json(read_back(state, item).await?))
}

/// Move an item (engineers)
///
/// Commit, start, complete, verify, decline or reopen, under the same rules as the pages.
#[utoipa::path(post, path = "/api/v1/action-items/{id}/transition", tag = "action items",
    request_body = MoveBody,
    params(("id" = i64, Path, description = "The item.")),
    responses((status = 200, description = "The item after the move.", body = ActionItemJson),
        Denied, Missing, Invalid, Stale))]
pub async fn transition(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
    payload: Result<Json<MoveBody>, JsonRejection>,
) -> ApiResult<Json<ActionItemJson>> {
    let user = user.require(Role::Engineer)?;
    let payload = body(payload)?;
    let action = AppError::check(
        "action",
        "Action",
        ActionMove::parse(payload.action.as_deref().unwrap_or_default()),
    )?;
    make_move(&state, &user, id, action, payload).await
}

/// Verify a done item (engineers)
///
/// Record whether it worked (`outcome`) and the evidence.
#[utoipa::path(post, path = "/api/v1/action-items/{id}/verify", tag = "action items",
    request_body = MoveBody,
    params(("id" = i64, Path, description = "The item.")),
    responses((status = 200, description = "The verified item.", body = ActionItemJson),
        Denied, Missing, Invalid, Stale))]
pub async fn verify(
    State(state): State<AppState>,
    user: ApiUser,
    Id(id): Id,
    payload: Result<Json<MoveBody>, JsonRejection>,
) -> ApiResult<Json<ActionItemJson>> {
    let user = user.require(Role::Engineer)?;
    let payload = body(payload)?;
    make_move(&state, &user, id, ActionMove::Verify, payload).await
}
