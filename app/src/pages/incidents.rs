//! The incident list and one incident's page with its timeline. Times are in the viewer's zone.

use crate::api::action_items::{IncidentItems, SaveActionItem};
use crate::api::incidents::{
    COUNT_UP_TO, DeleteIncident, IncidentDetail, IncidentSummary, ListParams, list_incidents,
    load_incident,
};
use crate::api::timeline::{
    AddTimelineEvent, DeleteTimelineEvent, Timeline, TimelineEventDto, UpdateTimelineEvent,
    load_timeline,
};
use crate::components::form::{Field, FieldError, FormError, field_error, form_error, kept_or};
use crate::components::notice::ErrorNotice;
use crate::components::picker::{Naming, filter_picker};
use crate::domain::incident::{
    DetectionSource, MATCH_END, MATCH_START, RunbookOutcome, Severity, human_duration,
};
use crate::domain::links::urlencode;
use crate::domain::postmortem::PostmortemStatus;
use crate::domain::time::ShownTime;
use crate::domain::timeline::{EventKind, KeyMoment};
use crate::error::AppError;
use crate::pages::action_items::{IncidentItemsSection, incident_items_resource};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// 12345 as "12,345".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn severity_badge(severity: Severity) -> impl IntoView {
    view! { <span class=format!("badge sev {}", severity.key()) title=severity.description()>{severity.label()}</span> }
}

/// The list's parameters from the address bar.
fn list_params(q: &leptos_router::params::ParamsMap) -> ListParams {
    let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
    ListParams {
        severity: get("severity"),
        service: get("service"),
        team: get("team"),
        detected_by: get("detected_by"),
        known: get("known"),
        runbook: get("runbook"),
        status: get("status"),
        open: get("open"),
        from: get("from"),
        to: get("to"),
        q: get("q"),
        sort: get("sort"),
        after: get("after"),
    }
}

/// A filter `<select>` with "Any" first.
fn filter_select(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    chosen: Option<String>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    let chosen = chosen.unwrap_or_default();
    view! {
        <div class="filter">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>
                <option value="" selected=chosen.is_empty()>"Any"</option>
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

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| query.with(list_params));
    let incidents = Resource::new(move || params.get(), list_incidents);
    view! {
        <Title text="Incidents" />
        <header class="page-header">
            <h1>"Incidents"</h1>
            <p class="lede">"Newest first. Scripts record them through the JSON API."</p>
            <p>
                <a class="button primary" href="/incidents/new">"Record an incident"</a>" "
                <a class="button" href="/incidents/import">"Import from CSV"</a>
            </p>
        </header>
        {move || {
            let p = params.get_untracked();
            view! {
                <form method="get" action="/incidents" class="filters panel" aria-label="Filters">
                    <div class="filter wide">
                        <label for="filter-q">"Search"</label>
                        <input id="filter-q" type="search" name="q" value=p.q.clone().unwrap_or_default()
                            placeholder="Titles, summaries, postmortems, timelines" />
                    </div>
                    {filter_select("severity", "Severity", keyed(Severity::ALL, Severity::key, Severity::label), p.severity.clone())}
                    {filter_picker(Naming::Team, "team", "Team", p.team.clone(), "Any")}
                    {filter_picker(Naming::Service, "service", "Service", p.service.clone(), "Any")}
                    {filter_select("detected_by", "Detected by", keyed(DetectionSource::ALL, DetectionSource::key, DetectionSource::label), p.detected_by.clone())}
                    {filter_select("known", "Known or new", vec![("known".into(), "Known problem".into()), ("new".into(), "New".into())], p.known.clone())}
                    {filter_select("runbook", "Runbook", keyed(RunbookOutcome::ALL, RunbookOutcome::key, RunbookOutcome::label), p.runbook.clone())}
                    {filter_select("status", "Postmortem", keyed(PostmortemStatus::ALL, PostmortemStatus::key, PostmortemStatus::label), p.status.clone())}
                    <div class="filter">
                        <label for="filter-from">"Started from"</label>
                        <input id="filter-from" type="date" name="from" value=p.from.clone().unwrap_or_default() />
                    </div>
                    <div class="filter">
                        <label for="filter-to">"Until"</label>
                        <input id="filter-to" type="date" name="to" value=p.to.clone().unwrap_or_default() />
                    </div>
                    {filter_select("sort", "Sort by", vec![("severity".into(), "Severity".into())], p.sort.clone())}
                    <label class="choice filter" for="filter-open">
                        <input id="filter-open" type="checkbox" name="open" value="true" checked=p.open.is_some() />
                        "Open only"
                    </label>
                    <div class="filter">
                        <button type="submit" class="button primary small">"Apply"</button>
                        " "
                        <a class="button small" href="/incidents">"Clear"</a>
                    </div>
                </form>
            }
        }}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match incidents.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) if page.incidents.is_empty() => view! {
                        <section class="panel"><p class="empty">"No incidents match."</p></section>
                    }.into_any(),
                    Ok(page) => {
                        let again = params.get_untracked().query_string();
                        view! {
                            <section class="panel">
                                <p class="count" role="status">{match page.total {
                                    1 => "1 incident matches".to_string(),
                                    n if n > COUNT_UP_TO => format!("More than {} incidents match", thousands(COUNT_UP_TO)),
                                    n => format!("{} incidents match", thousands(n)),
                                }}
                                    " · Download as "
                                    <a href=format!("/incidents/export.csv?{again}") download="incidents.csv" rel="external">"CSV"</a>
                                    " or "
                                    <a href=format!("/incidents/export.json?{again}") download="incidents.json" rel="external">"JSON"</a>
                                </p>
                                <div class="table-wrap">
                                    <table class="table">
                                        <thead><tr>
                                            <th scope="col">"Severity"</th>
                                            <th scope="col">"Incident"</th>
                                            <th scope="col">"Services"</th>
                                            <th scope="col">"Started"</th>
                                            <th scope="col">"Resolved in"</th>
                                            <th scope="col">"Postmortem"</th>
                                            <th scope="col">"Action items"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.incidents.into_iter().map(|i| view! { <IncidentRow incident=i /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {page.next_after.map(|after| view! {
                                    <p class="pager">
                                        <a class="button" href=format!("/incidents?{again}&after={}", urlencode(&after))>
                                            "More incidents"
                                        </a>
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

/// A search snippet with its matched words highlighted, built as text nodes and `<mark>`s.
fn snippet_view(snippet: &str) -> impl IntoView + use<> {
    let mut parts = Vec::new();
    for (i, chunk) in snippet.split(MATCH_START).enumerate() {
        match chunk.split_once(MATCH_END) {
            Some((matched, rest)) if i > 0 => {
                parts.push(view! { <mark>{matched.to_string()}</mark> }.into_any());
                parts.push(rest.to_string().into_any());
            }
            _ => parts.push(chunk.replace(MATCH_END, "").into_any()),
        }
    }
    view! { <p class="snippet">{parts}</p> }
}

#[component]
fn IncidentRow(incident: IncidentSummary) -> impl IntoView {
    let resolved_in = match (incident.resolved, incident.time_to_resolve) {
        (true, Some(seconds)) => human_duration(seconds),
        _ => "open".to_string(),
    };
    view! {
        <tr data-incident=incident.id.to_string()>
            <td>{severity_badge(incident.severity)}</td>
            <td>
                <a href=format!("/incidents/{}", incident.id)>{incident.title}</a>
                {incident.snippet.as_deref().map(snippet_view)}
            </td>
            <td>{incident.services.join(", ")}</td>
            <td>{incident.started}</td>
            <td class:muted=!incident.resolved>{resolved_in}</td>
            <td><span class=format!("badge status {}", incident.postmortem_status.key())>{incident.postmortem_status.label()}</span></td>
            <td class="item-counts">
                {match (incident.open_items, incident.overdue_items) {
                    (0, _) => view! { <span class="muted">"—"</span> }.into_any(),
                    (open, 0) => view! { <a href=format!("/action-items?incident={}", incident.id)>{format!("{open} open")}</a> }.into_any(),
                    (open, late) => view! {
                        <a href=format!("/action-items?incident={}", incident.id)>{format!("{open} open")}</a>
                        " " <span class="badge standing overdue">{format!("{late} overdue")}</span>
                    }.into_any(),
                }}
            </td>
        </tr>
    }
}

/// The incident id from the route.
pub fn incident_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())))
}

/// The incident of the route, read again whenever `refresh` changes.
pub fn incident_resource(
    id: Memo<Option<i64>>,
    refresh: impl Fn() -> u32 + Send + Sync + 'static,
) -> Resource<Result<IncidentDetail, AppError>> {
    Resource::new(
        move || (id.get(), refresh()),
        |(id, _)| async move {
            match id {
                Some(id) => load_incident(id).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

/// The tabs of an incident's pages.
#[component]
pub fn IncidentTabs(id: i64, current: &'static str) -> impl IntoView {
    let tab = move |href: String, name: &'static str, label: &'static str| {
        view! {
            <a href=href class="tab" class:current=current == name
                aria-current=(current == name).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Incident">
            {tab(format!("/incidents/{id}"), "overview", "Overview and timeline")}
            {tab(format!("/incidents/{id}/postmortem"), "postmortem", "Postmortem")}
            {tab(format!("/incidents/{id}/history"), "history", "History")}
        </nav>
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let id = incident_id();
    let actions = TimelineActions {
        add: ServerAction::new(),
        update: ServerAction::new(),
        delete: ServerAction::new(),
        changed: RwSignal::new(0),
    };
    // A timeline event can set a key time, so both are read again after each successful change;
    // a refused one leaves the page, and what was typed, as it is.
    Effect::new(move |_| {
        let added = matches!(actions.add.value().get(), Some(Ok(_)));
        let updated = matches!(actions.update.value().get(), Some(Ok(_)));
        let deleted = matches!(actions.delete.value().get(), Some(Ok(_)));
        if added || updated || deleted {
            actions.changed.update(|n| *n += 1);
        }
    });
    let incident = incident_resource(id, move || actions.changed.get());
    let add_item = ServerAction::<SaveActionItem>::new();
    let items_changed = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(add_item.value().get(), Some(Ok(_))) {
            items_changed.update(|n| *n += 1);
        }
    });
    let items = incident_items_resource(id, move || items_changed.get());
    // Made here rather than under the incident's Suspense, so hydration finds its data.
    let timeline = Resource::new(
        move || (id.get(), actions.changed.get()),
        |(id, ..)| async move {
            match id {
                Some(id) => load_timeline(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match incident.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(incident) => view! { <IncidentView incident actions timeline items add_item /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The timeline's add, change and delete actions.
#[derive(Clone, Copy)]
struct TimelineActions {
    add: ServerAction<AddTimelineEvent>,
    update: ServerAction<UpdateTimelineEvent>,
    delete: ServerAction<DeleteTimelineEvent>,
    /// Counts successful changes.
    changed: RwSignal<u32>,
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not set",
    }
}

fn shown(time: &Option<ShownTime>) -> String {
    time.as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_else(|| "—".into())
}

#[component]
fn IncidentView(
    incident: IncidentDetail,
    actions: TimelineActions,
    timeline: Resource<Result<Timeline, AppError>>,
    items: Resource<Result<IncidentItems, AppError>>,
    add_item: ServerAction<SaveActionItem>,
) -> impl IntoView {
    let duration = |label: &'static str, seconds: Option<i64>| {
        view! {
            <div class="figure">
                <span class="figure-label">{label}</span>
                <span class="figure-value">{seconds.map(human_duration).unwrap_or_else(|| "—".into())}</span>
            </div>
        }
    };
    let marked = incident.marked.clone();
    let time_row = move |label: &'static str, moment: Option<KeyMoment>, time: String| {
        let from_timeline = moment.is_some_and(|m| marked.contains(&m));
        view! {
            <dt>{label}</dt>
            <dd>{time}{from_timeline.then(|| view! { <span class="badge subtle" title="Set by a timeline event">"timeline"</span> })}</dd>
        }
    };
    let id = incident.id;
    let lint = incident.lint_warnings;
    view! {
        <Title text=incident.title.clone() />
        <header class="page-header">
            <p>{severity_badge(incident.severity)} " " <span class="muted">{format!("#{}", incident.id)}</span>
                " " <span class="badge status">{format!("Postmortem: {}", incident.postmortem_status.label())}</span>
                {(lint > 0).then(|| view! {
                    " " <a class="badge warning" href=format!("/incidents/{id}/postmortem")>
                        {format!("{lint} blameless-language warning{}", if lint == 1 { "" } else { "s" })}
                    </a>
                })}
            </p>
            <h1>{incident.title.clone()}</h1>
            <p class="lede">{incident.summary.clone()}</p>
            {incident.can_edit.then(|| view! {
                <p><a class="button" href=format!("/incidents/{id}/edit")>"Change incident"</a></p>
            })}
            <p class="hint export-links">"Export with its timeline, action items and postmortem: "
                <a href=format!("/incidents/{id}/export.md") download=format!("incident-{id}.md") rel="external">"Markdown"</a>
                " · "
                <a href=format!("/incidents/{id}/export.json") download=format!("incident-{id}.json") rel="external">"JSON"</a>
            </p>
        </header>
        <IncidentTabs id current="overview" />
        <section class="figures" aria-label="Durations">
            {duration("Time to detect", incident.ttd)}
            {duration("Time to mitigate", incident.ttm)}
            {duration("Time to resolve", incident.ttr)}
        </section>
        <p class="hint"><a href="/how-we-measure">"How these durations are measured"</a></p>
        <div class="columns">
            <section class="panel">
                <h2>"Key times"</h2>
                <p class="hint">{format!("In {}.", incident.time_zone)}</p>
                <dl class="facts">
                    {time_row("Impact started", None, incident.started.text.clone())}
                    {time_row("Detected", Some(KeyMoment::Detected), shown(&incident.detected))}
                    {time_row("Acknowledged", None, shown(&incident.acknowledged))}
                    {time_row("Mitigated", Some(KeyMoment::Mitigated), shown(&incident.mitigated))}
                    {time_row("Resolved", Some(KeyMoment::Resolved), shown(&incident.resolved))}
                </dl>
            </section>
            <section class="panel">
                <h2>"Classification"</h2>
                <dl class="facts">
                    <dt>"Services"</dt><dd>{incident.services.join(", ")}</dd>
                    <dt>"Customer impact"</dt>
                    <dd>{if incident.customer_impact { format!("Yes. {}", incident.impact_description) } else { "None".to_string() }}</dd>
                    <dt>"Detected by"</dt><dd>{incident.detected_by.map_or("Not set", |d| d.label())}</dd>
                    {incident.detected_by.filter(|d| *d != DetectionSource::Alert).map(|_| view! {
                        <dt>"Should monitoring have caught it?"</dt><dd>{yes_no(incident.monitoring_should_have_caught)}</dd>
                    })}
                    <dt>"Known problem"</dt><dd>{match incident.known_problem { Some(true) => "Known problem", Some(false) => "New", None => "Not set" }}</dd>
                    {(!incident.repeats.is_empty()).then(|| view! {
                        <dt>"Repeats"</dt>
                        <dd>{incident.repeats.iter().map(|id| view! { <a href=format!("/incidents/{id}")>{format!("#{id}")}</a> " " }).collect_view()}</dd>
                    })}
                    <dt>"Runbook"</dt><dd>{incident.runbook_outcome.map_or("Not set", |r| r.label())}</dd>
                    <dt>"Cause"</dt><dd>{incident.cause_category.map_or("Not set", |c| c.label())}</dd>
                    <dt>"Tags"</dt><dd>{if incident.tags.is_empty() { "—".to_string() } else { incident.tags.join(", ") }}</dd>
                </dl>
            </section>
        </div>
        <IncidentItemsSection incident_id=id items add=add_item />
        <TimelineSection incident_id=id actions timeline />
        {incident.can_delete.then(|| view! { <DeleteIncidentForm id /> })}
    }
}

#[component]
fn DeleteIncidentForm(id: i64) -> impl IntoView {
    let action = ServerAction::<DeleteIncident>::new();
    view! {
        <details class="panel danger">
            <summary>"Delete this incident"</summary>
            <p>"This removes the incident, its timeline and its postmortem for good. The history keeps a record of who deleted it and why."</p>
            <ActionForm action>
                <input type="hidden" name="id" value=id.to_string() />
                <FormError error=form_error(action, &["confirm", "reason"]) />
                <Field form="delete" label=format!("Type {id} to confirm") name="confirm" required=true
                    error=field_error(action, "confirm") />
                <Field form="delete" label="Reason" name="reason" required=true value=Some(kept_or::<DeleteIncident>("reason", ""))
                    error=field_error(action, "reason") />
                <button type="submit" class="button danger">"Delete incident"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn TimelineSection(
    incident_id: i64,
    actions: TimelineActions,
    timeline: Resource<Result<Timeline, AppError>>,
) -> impl IntoView {
    let TimelineActions {
        add,
        update,
        delete,
        ..
    } = actions;
    view! {
        <section class="panel timeline" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <FormError error=form_error(delete, &[]) />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match timeline.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(timeline) => view! { <TimelineView incident_id timeline add update delete /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TimelineView(
    incident_id: i64,
    timeline: Timeline,
    add: ServerAction<AddTimelineEvent>,
    update: ServerAction<UpdateTimelineEvent>,
    delete: ServerAction<DeleteTimelineEvent>,
) -> impl IntoView {
    let can_edit = timeline.can_edit;
    let empty = timeline.events.is_empty();
    let now_input = timeline.now_input.clone();
    view! {
        {empty.then(|| view! { <p class="empty">"Nothing on the timeline yet."</p> })}
        <ol class="events">
            {timeline.events.into_iter().map(|event| view! {
                <TimelineEventItem incident_id event can_edit update delete />
            }).collect_view()}
        </ol>
        {can_edit.then(|| view! {
            <h3>"Add an event"</h3>
            <p class="hint">{format!("Times in {}. Enter adds the event; Shift+Enter starts a new line.", timeline.time_zone)}</p>
            <AddEventForm incident_id action=add now_input />
        })}
    }
}

/// The marks choice: which key time, if any, this event sets.
fn marks_select(form: String, chosen: Option<KeyMoment>) -> impl IntoView {
    let id = format!("{form}-marks");
    view! {
        <div class="field">
            <label for=id.clone()>"Marks the moment of"</label>
            <select id=id name="marks">
                <option value="" selected=chosen.is_none()>"Nothing"</option>
                {KeyMoment::ALL.iter().map(|&m| view! {
                    <option value=m.key() selected=chosen == Some(m)>{format!("{} (sets the incident's time)", m.label())}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Submits the form on Enter in the text box (Shift+Enter keeps a new line).
fn submit_on_enter(ev: leptos::ev::KeyboardEvent) {
    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
        ev.prevent_default();
        use leptos::wasm_bindgen::JsCast;
        if let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlTextAreaElement>().ok())
            .and_then(|t| t.form())
        {
            let _ = form.request_submit();
        }
    }
}

/// The fields of the event form, filled from `event` when changing one.
fn event_fields(
    form: String,
    event: Option<TimelineEventDto>,
    now_input: String,
    time_error: Signal<Option<String>>,
    body_error: Signal<Option<String>>,
) -> impl IntoView {
    let kind = event.as_ref().map_or(EventKind::Action, |e| e.kind);
    let marks = event.as_ref().and_then(|e| e.marks);
    let body = event.as_ref().map(|e| e.body.clone()).unwrap_or_default();
    let time = event.map_or(now_input, |e| e.occurred.input);
    let kind_id = format!("{form}-kind");
    let body_id = format!("{form}-body");
    view! {
        <div class="event-form-row">
            <Field form=form.clone() label="Time" name="occurred_at" kind="datetime-local" value=Some(time) required=true
                error=time_error />
            <div class="field">
                <label for=kind_id.clone()>"Kind"</label>
                <select id=kind_id name="kind">
                    {EventKind::ALL.iter().map(|&k| view! {
                        <option value=k.key() selected=k == kind>{k.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            {marks_select(form.clone(), marks)}
        </div>
        <div class="field" class:invalid=move || body_error.with(Option::is_some)>
            <label for=body_id.clone()>"What happened"</label>
            <textarea id=body_id name="body" rows="2" required on:keydown=submit_on_enter>{body}</textarea>
            <FieldError error=body_error id=format!("{form}-body-error") />
        </div>
    }
}

const EVENT_FIELDS: &[&str] = &["occurred_at", "body"];

#[component]
fn AddEventForm(
    incident_id: i64,
    action: ServerAction<AddTimelineEvent>,
    now_input: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="event-form" attr:id="add-event">
            <input type="hidden" name="incident_id" value=incident_id.to_string() />
            <FormError error=form_error(action, EVENT_FIELDS) />
            {event_fields("add".into(), None, now_input, field_error(action, "occurred_at"), field_error(action, "body"))}
            <button type="submit" class="button primary small">"Add event"</button>
        </ActionForm>
    }
}

#[component]
fn EditEventForm(
    incident_id: i64,
    event: TimelineEventDto,
    action: ServerAction<UpdateTimelineEvent>,
) -> impl IntoView {
    let form = format!("event-{}", event.id);
    let event_id = event.id;
    let version = RwSignal::new(event.version);
    let theirs = RwSignal::new(None::<TimelineEventDto>);
    // Someone changed the event first: show what it says now; what was typed stays in the form.
    Effect::new(move |_| {
        if let Some(Err(AppError::Conflict { .. })) = action.value().get() {
            leptos::task::spawn_local(async move {
                if let Ok(timeline) = load_timeline(incident_id).await {
                    theirs.set(timeline.events.into_iter().find(|e| e.id == event_id));
                }
            });
        }
    });
    let fields = event_fields(
        form,
        Some(event.clone()),
        String::new(),
        field_error(action, "occurred_at"),
        field_error(action, "body"),
    );
    view! {
        <ActionForm action attr:class="event-form">
            <input type="hidden" name="id" value=event.id.to_string() />
            <input type="hidden" name="version" value=event.version.to_string() prop:value=move || version.get().to_string() />
            <FormError error=form_error(action, EVENT_FIELDS) />
            {move || theirs.get().map(|current| {
                let their_version = current.version;
                view! {
                    <div class="alert warning conflict-event" role="alert">
                        <p>{format!("It now reads ({} by {}): ", current.occurred.text, current.author)}<strong>{current.body.clone()}</strong></p>
                        <button type="button" class="button small" on:click=move |_| {
                            version.set(their_version);
                            theirs.set(None);
                        }>{format!("Keep mine (then Save over version {their_version})")}</button>
                    </div>
                }
            })}
            {fields}
            <button type="submit" class="button primary small">"Save event"</button>
        </ActionForm>
    }
}

#[component]
fn TimelineEventItem(
    incident_id: i64,
    event: TimelineEventDto,
    can_edit: bool,
    update: ServerAction<UpdateTimelineEvent>,
    delete: ServerAction<DeleteTimelineEvent>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let shown = event.clone();
    view! {
        <li class="event" data-event=event.id.to_string()>
            <div class="event-head">
                <time datetime=event.occurred.utc.to_rfc3339()>{event.occurred.text.clone()}</time>
                " " <span class=format!("badge kind {}", event.kind.key())>{event.kind.label()}</span>
                {event.marks.map(|m| view! { " " <span class="badge marks">{format!("{} moment", m.label())}</span> })}
                " " <span class="muted">{format!("by {}", event.author)}</span>
            </div>
            <Show when=move || !editing.get() fallback=move || view! {
                <EditEventForm incident_id event=shown.clone() action=update />
                <button type="button" class="button small" on:click=move |_| editing.set(false)>"Cancel"</button>
            }>
                <div class="event-body markdown" inner_html=event.body_html.clone()></div>
                {can_edit.then(|| view! {
                    <div class="event-actions">
                        <button type="button" class="button small" on:click=move |_| editing.set(true)>"Edit"</button>
                        <ActionForm action=delete attr:class="inline-form">
                            <input type="hidden" name="id" value=event.id.to_string() />
                            <input type="hidden" name="version" value=event.version.to_string() />
                            <button type="submit" class="button small danger">"Delete"</button>
                        </ActionForm>
                    </div>
                })}
            </Show>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_001), "10,001");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
