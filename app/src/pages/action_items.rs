//! Action items: everyone's (with the manager's panels and bulk changes), one's own, one item
//! with the moves the viewer may make, and the form that raises or changes one.

use crate::api::action_items::{
    ActionItemDetail, ActionItemForm, ActionItemFormValues, BulkEditActionItems,
    FollowUpActionItem, ItemParams, MoveActionItem, PanelsDto, RateDto, SaveActionItem,
    action_item_panels, list_action_items, load_action_item, load_action_item_form,
    my_action_items,
};
use crate::components::action_items::{ItemsTable, standing_badge, state_badge};
use crate::components::form::{
    Field, FieldError, FormError, field_error, form_error, kept_input, kept_or, succeeded,
};
use crate::components::notice::ErrorNotice;
use crate::components::picker::{Naming, Picker, filter_picker};
use crate::domain::action_item::{
    ActionMove, ActionState, ActionType, Cadence, EXPORT_LIMIT, ItemSort, Outcome, Priority,
};
use crate::domain::links::urlencode;
use crate::error::AppError;
use crate::pages::incidents::thousands;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn item_params(q: &leptos_router::params::ParamsMap) -> ItemParams {
    let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
    ItemParams {
        state: get("state"),
        owner: get("owner"),
        team: get("team"),
        service: get("service"),
        action_type: get("type"),
        priority: get("priority"),
        incident: get("incident"),
        standing: get("standing"),
        due_from: get("due_from"),
        due_to: get("due_to"),
        q: get("q"),
        sort: get("sort"),
        after: get("after"),
    }
}

/// A `<select>` with a first option for "any" or "none".
fn select(
    id_prefix: &'static str,
    name: &'static str,
    label: &'static str,
    first: &'static str,
    options: Vec<(String, String)>,
    chosen: Option<String>,
) -> impl IntoView {
    let id = format!("{id_prefix}-{name}");
    let chosen = chosen.unwrap_or_default();
    view! {
        <div class="filter">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>
                <option value="" selected=chosen.is_empty()>{first}</option>
                {options.into_iter().map(|(value, text)| {
                    let selected = value == chosen;
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

fn keyed<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&c| (key(c).to_string(), label(c).to_string()))
        .collect()
}

fn rate(r: RateDto) -> String {
    match (r.done * 100).checked_div(r.of) {
        Some(percent) => format!("{percent}% ({} of {})", r.done, r.of),
        None => "—".to_string(),
    }
}

#[component]
fn Panels(panels: PanelsDto) -> impl IntoView {
    let max_age = panels
        .aging
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let count_list = |rows: Vec<(String, u64)>| {
        if rows.is_empty() {
            view! { <p class="empty">"Nothing open."</p> }.into_any()
        } else {
            view! {
                <ul class="counts">
                    {rows.into_iter().take(8).map(|(name, n)| view! { <li><span>{name}</span> <strong>{n}</strong></li> }).collect_view()}
                </ul>
            }.into_any()
        }
    };
    view! {
        <section class="figures" aria-label="Summary">
            <div class="figure" data-figure="overdue">
                <span class="figure-label">"Overdue"</span>
                <span class="figure-value">{panels.overdue}</span>
                {panels.oldest_overdue.map(|(id, title, days)| view! {
                    <span class="muted">"Oldest: " <a href=format!("/action-items/{id}")>{title}</a>
                        {format!(", {days} day{} late", if days == 1 { "" } else { "s" })}</span>
                })}
            </div>
            <div class="figure" data-figure="completion">
                <span class="figure-label">"Done by their due date passing, 30 / 90 days"</span>
                <span class="figure-value small">{rate(panels.completion[0])}</span>
                <span class="muted">{rate(panels.completion[1])}</span>
            </div>
            <div class="figure" data-figure="verification">
                <span class="figure-label">"Verified once due, 30 / 90 days"</span>
                <span class="figure-value small">{rate(panels.verification[0])}</span>
                <span class="muted">{rate(panels.verification[1])}</span>
            </div>
        </section>
        <div class="columns">
            <section class="panel" aria-labelledby="by-owner">
                <h2 id="by-owner">"Open by owner"</h2>
                {count_list(panels.open_by_owner)}
            </section>
            <section class="panel" aria-labelledby="by-team">
                <h2 id="by-team">"Open by team"</h2>
                {count_list(panels.open_by_team)}
            </section>
            <section class="panel" aria-labelledby="aging">
                <h2 id="aging">"How long open items have been open"</h2>
                <ul class="bars">
                    {panels.aging.into_iter().map(|(label, n)| view! {
                        <li>
                            <span class="bar-label">{label}</span>
                            // Drawn, not styled: the page's policy refuses inline styles.
                            <svg class="bar" aria-hidden="true">
                                <rect width=format!("{}%", n * 100 / max_age) height="100%" rx="4" />
                            </svg>
                            <strong>{n}</strong>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </div>
    }
}

#[component]
pub fn ActionItemsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| query.with(item_params));
    let bulk = ServerAction::<BulkEditActionItems>::new();
    let changed = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(bulk.value().get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
    let items = Resource::new(
        move || (params.get(), changed.get()),
        |(p, _)| list_action_items(p),
    );
    let panels = Resource::new(
        move || (params.get(), changed.get()),
        |(mut p, _)| {
            p.after = None;
            action_item_panels(p)
        },
    );
    view! {
        <Title text="Action items" />
        <header class="page-header">
            <h1>"Action items"</h1>
            <p class="lede">"Everything postmortems committed to, and whether it worked."</p>
            <p>
                <a class="button primary" href="/action-items/new">"Raise an item"</a>
                " "
                <a class="button" href="/action-items/mine">"My items"</a>
            </p>
        </header>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match panels.await {
                    Ok(panels) => view! { <Panels panels /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let p = params.get_untracked();
                let owner = items.await.ok().and_then(|l| l.owner).or_else(|| p.owner.clone());
                view! {
                    <form method="get" action="/action-items" class="filters panel" aria-label="Filters">
                        <div class="filter wide">
                            <label for="filter-q">"Title contains"</label>
                            <input id="filter-q" type="search" name="q" value=p.q.clone().unwrap_or_default() />
                        </div>
                        {select("filter", "state", "State", "Any", keyed(ActionState::ALL, ActionState::key, ActionState::label), p.state.clone())}
                        {select("filter", "standing", "Needs attention", "Any", vec![
                            ("overdue".into(), "Overdue".into()),
                            ("awaiting_verification".into(), "Awaiting verification".into()),
                        ], p.standing.clone())}
                        {filter_picker(Naming::Person, "owner", "Owner", owner, "Anyone")}
                        {filter_picker(Naming::Team, "team", "Team", p.team.clone(), "Any")}
                        {filter_picker(Naming::Service, "service", "Service", p.service.clone(), "Any")}
                        {select("filter", "type", "Type", "Any", keyed(ActionType::ALL, ActionType::key, ActionType::label), p.action_type.clone())}
                        {select("filter", "priority", "Priority", "Any", keyed(Priority::ALL, Priority::key, Priority::label), p.priority.clone())}
                        <div class="filter">
                            <label for="filter-incident">"Incident"</label>
                            <input id="filter-incident" name="incident" inputmode="numeric" value=p.incident.clone().unwrap_or_default() placeholder="Number" />
                        </div>
                        <div class="filter">
                            <label for="filter-due_from">"Due from"</label>
                            <input id="filter-due_from" type="date" name="due_from" value=p.due_from.clone().unwrap_or_default() />
                        </div>
                        <div class="filter">
                            <label for="filter-due_to">"Due until"</label>
                            <input id="filter-due_to" type="date" name="due_to" value=p.due_to.clone().unwrap_or_default() />
                        </div>
                        {select("filter", "sort", "Sort by", "Due soonest", ItemSort::ALL[1..].iter().map(|s| (s.key().to_string(), s.label().to_string())).collect(), p.sort.clone())}
                        <div class="filter">
                            <button type="submit" class="button primary small">"Apply"</button>
                            " "
                            <a class="button small" href="/action-items">"Clear"</a>
                        </div>
                    </form>
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match items.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) => {
                        let again = params.get_untracked().query_string();
                        let can_bulk = list.can_bulk;
                        view! {
                            <section class="panel">
                                <p class="count" role="status">
                                    {if list.total == 1 { "1 item matches".to_string() } else { format!("{} items match", list.total) }}
                                    {if list.total > EXPORT_LIMIT {
                                        view! { " · Narrow the filters to download: an export holds at most " {thousands(EXPORT_LIMIT)} " items." }.into_any()
                                    } else {
                                        view! {
                                            " · Download as "
                                            <a href=format!("/action-items/export.csv?{again}") download="action-items.csv" rel="external">"CSV"</a>
                                            " or "
                                            <a href=format!("/action-items/export.json?{again}") download="action-items.json" rel="external">"JSON"</a>
                                        }.into_any()
                                    }}
                                </p>
                                {can_bulk.then(|| view! { <BulkForm action=bulk /> })}
                                {if list.items.is_empty() {
                                    view! { <p class="empty">"No items match."</p> }.into_any()
                                } else {
                                    view! { <ItemsTable items=list.items selectable=if can_bulk { "bulk" } else { "" } show_incident=true /> }.into_any()
                                }}
                                {list.next_after.map(|after| view! {
                                    <p class="pager">
                                        <a class="button" href=format!("/action-items?{again}&after={}", urlencode(&after))>"More items"</a>
                                    </p>
                                })}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn BulkForm(action: ServerAction<BulkEditActionItems>) -> impl IntoView {
    let done = succeeded(action);
    view! {
        <ActionForm action attr:id="bulk" attr:class="bulk-form inline-form">
            <FormError error=form_error(action, &["owner_id", "due_on"]) />
            {move || done.get().map(|n| view! {
                <p class="alert success" role="status">{format!("Changed {n} item{}.", if n == 1 { "" } else { "s" })}</p>
            })}
            <span class="muted">"With the ticked items: "</span>
            <div class="filter">
                <label for="bulk-owner_id">"Give to"</label>
                <Picker naming=Naming::Person id="bulk-owner_id".to_string() name="owner_id" value="" placeholder="Type a name"
                    described_by="bulk-owner_id-error" />
                <FieldError error=field_error(action, "owner_id") id="bulk-owner_id-error".to_string() />
            </div>
            <button type="submit" class="button small" name="change" value="owner">"Reassign"</button>
            <div class="filter">
                <label for="bulk-due_on">"New due date"</label>
                <input id="bulk-due_on" type="date" name="due_on" />
                <FieldError error=field_error(action, "due_on") id="bulk-due_on-error".to_string() />
            </div>
            <button type="submit" class="button small" name="change" value="due">"Change due date"</button>
        </ActionForm>
    }
}

#[component]
pub fn MyItemsPage() -> impl IntoView {
    let mine = Resource::new(|| (), |_| my_action_items());
    let group = |id: &'static str, heading: &'static str, empty: &'static str, items: Vec<_>| {
        view! {
            <section class="panel" aria-labelledby=id>
                <h2 id=id>{heading} " " <span class="badge subtle">{items.len()}</span></h2>
                {if items.is_empty() {
                    view! { <p class="empty">{empty}</p> }.into_any()
                } else {
                    view! { <ItemsTable items show_incident=true /> }.into_any()
                }}
            </section>
        }
    };
    view! {
        <Title text="My items" />
        <header class="page-header">
            <h1>"My items"</h1>
            <p class="lede">"What you own: late work first, then this week's, then the rest, and what is yours to verify."</p>
            <p><a class="button" href="/action-items">"All items"</a></p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match mine.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(mine) => view! {
                        {group("mine-overdue", "Overdue", "Nothing overdue.", mine.overdue)}
                        {group("mine-week", "Due this week", "Nothing due this week.", mine.due_this_week)}
                        {group("mine-verify", "Awaiting your verification", "Nothing to verify.", mine.awaiting_verification)}
                        {group("mine-later", "Later", "Nothing else.", mine.later)}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn item_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())))
}

#[component]
pub fn ActionItemPage() -> impl IntoView {
    let id = item_id();
    let moves = ServerAction::<MoveActionItem>::new();
    let changed = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(
            moves.value().get(),
            Some(Ok(_)) | Some(Err(AppError::Conflict { .. }))
        ) {
            changed.update(|n| *n += 1);
        }
    });
    let item = Resource::new(
        move || (id.get(), changed.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_action_item(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match item.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(item) => view! { <ItemView item moves /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ItemView(item: ActionItemDetail, moves: ServerAction<MoveActionItem>) -> impl IntoView {
    let row = item.row.clone();
    let id = row.id;
    let follow_up = ServerAction::<FollowUpActionItem>::new();
    view! {
        <Title text=row.title.clone() />
        <header class="page-header">
            <p>
                {state_badge(row.state)}{standing_badge(row.standing)}
                {row.outcome.map(|o| view! { " " <span class=format!("badge outcome {}", o.key())>{o.label()}</span> })}
                " " <span class="muted">{format!("#{id}")}</span>
            </p>
            <h1>{row.title.clone()}</h1>
            <p class="lede">"From incident " <a href=format!("/incidents/{}", row.incident_id)>{format!("#{} {}", row.incident_id, row.incident_title)}</a></p>
            {item.can_edit.then(|| view! {
                <p><a class="button" href=format!("/action-items/{id}/edit")>"Change item"</a></p>
            })}
        </header>
        <div class="columns">
            <section class="panel">
                <h2>"What and who"</h2>
                <dl class="facts">
                    <dt>"Owner"</dt><dd>{row.owner.clone().unwrap_or_else(|| "Nobody yet".into())}</dd>
                    <dt>"Team"</dt><dd>{row.team.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Service"</dt><dd>{row.service.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Type"</dt><dd>{row.action_type.label()}</dd>
                    <dt>"Priority"</dt><dd>{row.priority.label()}</dd>
                    <dt>"Due"</dt><dd>{row.due_on.map(|d| d.to_string()).unwrap_or_else(|| "Not set".into())}</dd>
                    <dt>"Verified in"</dt><dd>{format!("the {} review", item.cadence.label().to_lowercase())}</dd>
                    {row.verify_on.map(|on| view! { <dt>"Verification due"</dt><dd>{on.to_string()}</dd> })}
                    {row.tracker_url.clone().map(|url| view! {
                        <dt>"Tracker"</dt>
                        <dd><a href=url.clone() rel="noopener noreferrer" target="_blank">{row.tracker_key.clone().unwrap_or(url.clone())}</a></dd>
                    })}
                    {(!item.related_incidents.is_empty()).then(|| view! {
                        <dt>"Also answers"</dt>
                        <dd>{item.related_incidents.iter().map(|(i, title)| view! {
                            <a href=format!("/incidents/{i}")>{format!("#{i} {title}")}</a> " "
                        }).collect_view()}</dd>
                    })}
                    <dt>"Raised by"</dt><dd>{item.created_by.clone()}</dd>
                    {item.follow_up_of.clone().map(|(i, title)| view! {
                        <dt>"Follows up"</dt><dd><a href=format!("/action-items/{i}")>{format!("#{i} {title}")}</a></dd>
                    })}
                    {(!item.follow_ups.is_empty()).then(|| view! {
                        <dt>"Followed up by"</dt>
                        <dd>{item.follow_ups.iter().map(|(i, title)| view! {
                            <a href=format!("/action-items/{i}")>{format!("#{i} {title}")}</a> " "
                        }).collect_view()}</dd>
                    })}
                </dl>
                <div class="markdown" inner_html=item.description_html.clone()></div>
            </section>
            <section class="panel" aria-labelledby="verification">
                <h2 id="verification">"Did it work?"</h2>
                {match (row.outcome, item.wont_do_reason.clone()) {
                    (Some(outcome), _) => view! {
                        <p>{format!("Verified {} by {}.", outcome.label().to_lowercase(), item.verified_by.clone().unwrap_or_default())}</p>
                        {item.evidence.clone().map(|e| view! { <blockquote class="evidence">{e}</blockquote> })}
                        {item.evidence_url.clone().map(|url| view! { <p><a href=url.clone() rel="noopener noreferrer" target="_blank">{url.clone()}</a></p> })}
                    }.into_any(),
                    (None, Some(reason)) => view! { <p>"Won't be done: " {reason}</p> }.into_any(),
                    _ if row.state == ActionState::Done => view! {
                        <p>{format!("Done. Due for verification on {}.", row.verify_on.map(|d| d.to_string()).unwrap_or_default())}</p>
                    }.into_any(),
                    _ => view! { <p class="muted">"Verified once it is done, at the next review of its cadence."</p> }.into_any(),
                }}
                {item.can_follow_up.then(|| view! {
                    <ActionForm action=follow_up>
                        <input type="hidden" name="id" value=id.to_string() />
                        <FormError error=form_error(follow_up, &[]) />
                        <button type="submit" class="button primary">"Raise a follow-up item"</button>
                    </ActionForm>
                })}
            </section>
        </div>
        {(!item.moves.is_empty()).then(|| view! { <MovesPanel id version=item.version allowed=item.moves.clone() moves /> })}
        <section class="panel" aria-labelledby="item-history">
            <h2 id="item-history">"History"</h2>
            <ol class="history">
                {item.history.into_iter().map(|line| view! {
                    <li>
                        <p><strong>{line.actor}</strong> {format!(" {} this item · {}", line.action, line.at)}</p>
                        {(!line.changes.is_empty()).then(|| view! {
                            <dl class="changes">
                                {line.changes.into_iter().map(|c| view! {
                                    <dt>{c.label}</dt>
                                    <dd>
                                        {(!c.before.is_empty()).then(|| view! { <del>{c.before}</del> " → " })}
                                        <ins>{c.after}</ins>
                                    </dd>
                                }).collect_view()}
                            </dl>
                        })}
                        {line.note.map(|n| view! { <p class="muted">{n}</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

const MOVE_FIELDS: &[&str] = &["outcome", "evidence", "evidence_url", "reason", "done_on"];

/// The moves the viewer may make, each its own small form; verify asks for an outcome and
/// evidence, won't do for a reason.
#[component]
fn MovesPanel(
    id: i64,
    version: i64,
    allowed: Vec<ActionMove>,
    moves: ServerAction<MoveActionItem>,
) -> impl IntoView {
    let hidden = move |action: ActionMove| {
        view! {
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="version" value=version.to_string() />
            <input type="hidden" name="action" value=action.key() />
        }
    };
    let kept = |field: &str| kept_input::<MoveActionItem>(field).unwrap_or_default();
    let simple: Vec<ActionMove> = allowed
        .iter()
        .copied()
        .filter(|m| {
            !matches!(
                m,
                ActionMove::Verify | ActionMove::Decline | ActionMove::Complete
            )
        })
        .collect();
    view! {
        <section class="panel" aria-labelledby="moves">
            <h2 id="moves">"Move it on"</h2>
            <FormError error=form_error(moves, MOVE_FIELDS) />
            <div class="button-row">
                {simple.into_iter().map(|action| view! {
                    <ActionForm action=moves attr:class="inline-form">
                        {hidden(action)}
                        <button type="submit" class="button" class:primary=action == ActionMove::Commit>
                            {action.label()}
                        </button>
                    </ActionForm>
                }).collect_view()}
            </div>
            {allowed.contains(&ActionMove::Complete).then(|| view! {
                <ActionForm action=moves attr:class="done-form inline-form">
                    {hidden(ActionMove::Complete)}
                    <Field form="move" label="Done on" name="done_on" kind="date" value=Some(kept("done_on"))
                        hint="Leave empty for today." error=field_error(moves, "done_on") />
                    <button type="submit" class="button primary">"Mark done"</button>
                </ActionForm>
            })}
            {allowed.contains(&ActionMove::Verify).then(|| view! {
                <ActionForm action=moves attr:class="verify-form">
                    {hidden(ActionMove::Verify)}
                    <h3>"Verify"</h3>
                    <fieldset class="field choices" class:invalid=move || field_error(moves, "outcome").with(Option::is_some)>
                        <legend>"Outcome"</legend>
                        {Outcome::ALL.iter().map(|&o| {
                            let input_id = format!("outcome-{}", o.key());
                            let for_id = input_id.clone();
                            let chosen = kept("outcome") == o.key();
                            view! {
                                <label class="choice" for=for_id>
                                    <input type="radio" id=input_id name="outcome" value=o.key() checked=chosen />
                                    {o.label()}
                                </label>
                            }
                        }).collect_view()}
                        <FieldError error=field_error(moves, "outcome") id="outcome-error".to_string() />
                    </fieldset>
                    <div class="field" class:invalid=move || field_error(moves, "evidence").with(Option::is_some)>
                        <label for="move-evidence">"Evidence"</label>
                        <p class="hint">"What showed it worked or not, such as “the alert fired on the 15th and paged within 2 minutes”."</p>
                        <textarea id="move-evidence" name="evidence" rows="3">{kept("evidence")}</textarea>
                        <FieldError error=field_error(moves, "evidence") id="move-evidence-error".to_string() />
                    </div>
                    <Field form="move" label="Evidence link" name="evidence_url" kind="url" value=Some(kept("evidence_url"))
                        error=field_error(moves, "evidence_url") />
                    <button type="submit" class="button primary">"Record verification"</button>
                </ActionForm>
            })}
            {allowed.contains(&ActionMove::Decline).then(|| view! {
                <details class="decline">
                    <summary>"Won't do"</summary>
                    <ActionForm action=moves>
                        {hidden(ActionMove::Decline)}
                        <Field form="move" label="Why not" name="reason" value=Some(kept("reason")) required=true
                            error=field_error(moves, "reason") />
                        <button type="submit" class="button">"Mark won't do"</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

#[component]
pub fn NewActionItemPage() -> impl IntoView {
    let query = use_query_map();
    let incident =
        Memo::new(move |_| query.with(|q| q.get("incident").and_then(|i| i.parse::<i64>().ok())));
    let form = Resource::new(
        move || incident.get(),
        |incident| async move {
            match incident {
                Some(_) => load_action_item_form(None, incident).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Raise an action item" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    // Every item comes from an incident: ask which one first.
                    Ok(None) => view! {
                        <header class="page-header">
                            <h1>"Raise an action item"</h1>
                            <p class="lede">"Every item answers an incident. Which one?"</p>
                        </header>
                        <form method="get" action="/action-items/new" class="panel inline-form">
                            <label for="pick-incident">"Incident number"</label>
                            <input id="pick-incident" name="incident" inputmode="numeric" required />
                            <button type="submit" class="button primary">"Continue"</button>
                        </form>
                    }.into_any(),
                    Ok(Some(form)) => view! {
                        <header class="page-header">
                            <h1>"Raise an action item"</h1>
                            <p class="lede">"From incident " <a href=format!("/incidents/{}", form.incident_id)>{format!("#{} {}", form.incident_id, form.incident_title)}</a></p>
                        </header>
                        <ItemFormView form />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn EditActionItemPage() -> impl IntoView {
    let id = item_id();
    let form = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => load_action_item_form(Some(id), None).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Change action item" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(form) => view! {
                        <header class="page-header">
                            <p class="muted">{format!("#{}", form.id.unwrap_or_default())}</p>
                            <h1>{format!("Change “{}”", form.values.title)}</h1>
                        </header>
                        <ItemFormView form />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

const ITEM_FIELDS: &[&str] = &[
    "title",
    "description",
    "owner_id",
    "team_id",
    "service_id",
    "action_type",
    "priority",
    "due_on",
    "tracker_url",
    "cadence",
    "related_incidents",
];

fn labelled(v: &ActionItemFormValues, form: &ActionItemForm) -> Vec<(&'static str, String)> {
    let name = |list: &[(i64, String)], id: &str| {
        list.iter()
            .find(|(i, _)| i.to_string() == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let teams: Vec<(i64, String)> = form.teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let services: Vec<(i64, String)> = form
        .services
        .iter()
        .map(|s| (s.id, s.name.clone()))
        .collect();
    vec![
        ("Title", v.title.clone()),
        ("Description", v.description.clone()),
        ("Owner", v.owner_id.clone()),
        ("Team", name(&teams, &v.team_id)),
        ("Service", name(&services, &v.service_id)),
        ("Type", v.action_type.clone()),
        ("Priority", v.priority.to_uppercase()),
        ("Due date", v.due_on.clone()),
        ("Tracker link", v.tracker_url.clone()),
        ("Verified in", v.cadence.clone()),
        ("Related incidents", v.related_incidents.clone()),
    ]
}

#[component]
fn ItemFormView(form: ActionItemForm) -> impl IntoView {
    let action = ServerAction::<SaveActionItem>::new();
    let version = RwSignal::new(form.version);
    let current = RwSignal::new(None::<ActionItemForm>);
    let item_id = form.id;
    Effect::new(move |_| {
        if let (Some(Err(AppError::Conflict { .. })), Some(id)) = (action.value().get(), item_id) {
            leptos::task::spawn_local(async move {
                if let Ok(found) = load_action_item_form(Some(id), None).await {
                    current.set(Some(found));
                }
            });
        }
    });
    let base = labelled(&form.values, &form);
    let v = form.values.clone();
    let kept = |field: &str, value: &str| kept_or::<SaveActionItem>(field, value);
    let choice = move |name: &'static str,
                       label: &'static str,
                       first: &'static str,
                       options: Vec<(String, String)>,
                       value: &str| {
        let id = format!("field-{name}");
        let chosen = kept(name, value);
        view! {
            <div class="field" class:invalid=move || field_error(action, name).with(Option::is_some)>
                <label for=id.clone()>{label}</label>
                <select id=id.clone() name=name>
                    {(!first.is_empty()).then(|| view! { <option value="" selected=chosen.is_empty()>{first}</option> })}
                    {options.into_iter().map(|(value, text)| {
                        let selected = value == chosen;
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
                <FieldError error=field_error(action, name) id=format!("{id}-error") />
            </div>
        }
    };
    let teams: Vec<(String, String)> = form
        .teams
        .iter()
        .map(|t| (t.id.to_string(), t.name.clone()))
        .collect();
    let services: Vec<(String, String)> = form
        .services
        .iter()
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    let committed = form.state != ActionState::Proposed;
    let cancel = match form.id {
        Some(id) => format!("/action-items/{id}"),
        None => format!("/incidents/{}", form.incident_id),
    };
    let commit_kept = kept_input::<SaveActionItem>("commit").is_some();
    view! {
        <ActionForm action attr:class="item-form">
            <input type="hidden" name="id" value=form.id.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="version" value=form.version.to_string() prop:value=move || version.get().to_string() />
            <input type="hidden" name="incident_id" value=form.incident_id.to_string() />
            <FormError error=form_error(action, ITEM_FIELDS) />
            {move || current.get().map(|found| {
                let theirs = labelled(&found.values, &found);
                let changed: Vec<(&'static str, String, String)> = base.iter().cloned().zip(theirs)
                    .filter(|(b, c)| b.1 != c.1).map(|(b, c)| (b.0, b.1, c.1)).collect();
                let their_version = found.version;
                view! {
                    <section class="panel conflict" role="alert">
                        <h2>"Someone else changed this item while you were editing"</h2>
                        <p>"Your changes are still in the form below. Since you opened it, they changed:"</p>
                        <dl class="changes">
                            {changed.into_iter().map(|(label, before, after)| view! {
                                <dt>{label}</dt><dd><del>{before}</del>" → "<ins>{after}</ins></dd>
                            }).collect_view()}
                        </dl>
                        <button type="button" class="button" on:click=move |_| version.set(their_version)>
                            {format!("Keep mine (then Save over version {their_version})")}
                        </button>
                    </section>
                }
            })}
            <section class="panel">
                <Field label="Title" name="title" value=Some(kept("title", &v.title)) required=true
                    hint="Concrete and checkable: “Alert when queue depth stays above 10k for 5 minutes”."
                    error=field_error(action, "title") />
                <div class="field" class:invalid=move || field_error(action, "description").with(Option::is_some)>
                    <label for="field-description">"Description"</label>
                    <p class="hint">"Markdown. What done looks like, and how to tell whether it worked."</p>
                    <textarea id="field-description" name="description" rows="5">{kept("description", &v.description)}</textarea>
                    <FieldError error=field_error(action, "description") id="field-description-error".to_string() />
                </div>
                <div class="columns">
                    <div class="field" class:invalid=move || field_error(action, "owner_id").with(Option::is_some)>
                        <label for="field-owner_id">"Owner"</label>
                        <Picker naming=Naming::Person id="field-owner_id".to_string() name="owner_id" value=kept("owner_id", &v.owner_id)
                            placeholder="Nobody yet" described_by="field-owner_id-error" />
                        <FieldError error=field_error(action, "owner_id") id="field-owner_id-error".to_string() />
                    </div>
                    <Field label="Due date" name="due_on" kind="date" value=Some(kept("due_on", &v.due_on))
                        error=field_error(action, "due_on") />
                </div>
                <div class="columns">
                    {choice("team_id", "Team", "No team", teams, &v.team_id)}
                    {choice("service_id", "Service", "No service", services, &v.service_id)}
                </div>
                <div class="columns">
                    {choice("action_type", "Type", "", keyed(ActionType::ALL, ActionType::key, ActionType::label), &v.action_type)}
                    {choice("priority", "Priority", "", keyed(Priority::ALL, Priority::key, Priority::label), &v.priority)}
                    {choice("cadence", "Verified in", "", Cadence::ALL.iter().map(|c| (c.key().to_string(), format!("The {} review", c.label().to_lowercase()))).collect(), &v.cadence)}
                </div>
                <Field label="Tracker link" name="tracker_url" kind="url" value=Some(kept("tracker_url", &v.tracker_url))
                    hint="The ticket in Jira, Linear or GitHub, if there is one."
                    error=field_error(action, "tracker_url") />
                <Field label="Also answers incidents" name="related_incidents" value=Some(kept("related_incidents", &v.related_incidents))
                    hint="Further incident numbers, such as 12, 15."
                    error=field_error(action, "related_incidents") />
                {form.id.is_none().then(|| view! {
                    <div class="field">
                        <label class="choice" for="field-commit">
                            <input type="checkbox" id="field-commit" name="commit" value="yes" checked=commit_kept />
                            "Commit to it now (it needs an owner and a due date); otherwise it is proposed"
                        </label>
                    </div>
                })}
                {(form.id.is_some() && committed).then(|| view! {
                    <p class="hint">"Committed items keep an owner and a due date; only a manager gives one to someone else."</p>
                })}
            </section>
            <p class="form-actions">
                <button type="submit" class="button primary">{if form.id.is_some() { "Save changes" } else { "Raise item" }}</button>
                " "
                <a class="button" href=cancel>"Cancel"</a>
            </p>
        </ActionForm>
    }
}

/// The items of an incident's page, read again after each quick add.
pub fn incident_items_resource(
    id: Memo<Option<i64>>,
    refresh: impl Fn() -> u32 + Send + Sync + 'static,
) -> Resource<Result<crate::api::action_items::IncidentItems, AppError>> {
    Resource::new(
        move || (id.get(), refresh()),
        |(id, _)| async move {
            match id {
                Some(id) => crate::api::action_items::incident_action_items(id).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

const QUICK_FIELDS: &[&str] = &["title", "owner_id", "due_on", "action_type"];

/// An incident's items with their states, and a quick way to add one.
#[component]
pub fn IncidentItemsSection(
    incident_id: i64,
    items: Resource<Result<crate::api::action_items::IncidentItems, AppError>>,
    add: ServerAction<SaveActionItem>,
) -> impl IntoView {
    let kept = |field: &str| kept_input::<SaveActionItem>(field).unwrap_or_default();
    view! {
        <section class="panel" id="action-items" aria-labelledby="action-items-heading">
            <h2 id="action-items-heading">"Action items"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(found) => {
                            let owner_kept = kept("owner_id");
                            view! {
                                {if found.items.is_empty() {
                                    view! { <p class="empty">"No action items yet. What would stop this happening again, or catch it sooner?"</p> }.into_any()
                                } else {
                                    view! { <ItemsTable items=found.items /> }.into_any()
                                }}
                                {found.can_add.then(|| view! {
                                    <ActionForm action=add attr:class="quick-add">
                                        <input type="hidden" name="incident_id" value=incident_id.to_string() />
                                        <input type="hidden" name="back" value="incident" />
                                        <FormError error=form_error(add, QUICK_FIELDS) />
                                        <Field form="quick" label="New item" name="title" value=Some(kept("title")) required=true
                                            error=field_error(add, "title") />
                                        <div class="field" class:invalid=move || field_error(add, "owner_id").with(Option::is_some)>
                                            <label for="quick-owner_id">"Owner"</label>
                                            <Picker naming=Naming::Person id="quick-owner_id".to_string() name="owner_id" value=owner_kept
                                                placeholder="Nobody yet" described_by="quick-owner_id-error" />
                                            <FieldError error=field_error(add, "owner_id") id="quick-owner_id-error".to_string() />
                                        </div>
                                        <Field form="quick" label="Due" name="due_on" kind="date" value=Some(kept("due_on"))
                                            error=field_error(add, "due_on") />
                                        <div class="field">
                                            <label for="quick-action_type">"Type"</label>
                                            <select id="quick-action_type" name="action_type">
                                                {ActionType::ALL.iter().map(|t| view! {
                                                    <option value=t.key() selected=*t == ActionType::Prevent>{t.label()}</option>
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <label class="choice" for="quick-commit">
                                            <input type="checkbox" id="quick-commit" name="commit" value="yes" />
                                            "Commit now"
                                        </label>
                                        <button type="submit" class="button primary">"Add item"</button>
                                        " "
                                        <a href=format!("/action-items/new?incident={incident_id}")>"More fields"</a>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
