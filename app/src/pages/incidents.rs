//! The incident list and one incident's page. Times are shown in UTC for now.

use crate::api::incidents::{IncidentDetail, IncidentSummary, list_incidents, load_incident};
use crate::components::notice::ErrorNotice;
use crate::domain::incident::{Severity, human_duration};
use crate::domain::links::urlencode;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn severity_badge(severity: Severity) -> impl IntoView {
    view! { <span class=format!("badge sev {}", severity.key()) title=severity.description()>{severity.label()}</span> }
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let incidents = Resource::new(
        move || query.with(|q| (q.get("severity"), q.get("after"))),
        |(severity, after)| list_incidents(severity, after),
    );
    let chosen = move || query.with(|q| q.get("severity").unwrap_or_default());
    view! {
        <Title text="Incidents" />
        <header class="page-header">
            <h1>"Incidents"</h1>
            <p class="lede">"Newest first. Scripts record them through the JSON API."</p>
        </header>
        <form method="get" action="/incidents" class="filters">
            <label for="filter-severity">"Severity"</label>
            <select id="filter-severity" name="severity">
                <option value="" selected=move || chosen().is_empty()>"Any"</option>
                {Severity::ALL.iter().map(|s| {
                    let key = s.key();
                    view! { <option value=key selected=move || chosen() == key>{s.label()}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="button small">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match incidents.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) if page.incidents.is_empty() => view! {
                        <section class="panel"><p class="empty">"No incidents match."</p></section>
                    }.into_any(),
                    Ok(page) => {
                        let severity = chosen();
                        view! {
                            <section class="panel">
                                <div class="table-wrap">
                                    <table class="table">
                                        <thead><tr>
                                            <th scope="col">"Severity"</th>
                                            <th scope="col">"Incident"</th>
                                            <th scope="col">"Services"</th>
                                            <th scope="col">"Started"</th>
                                            <th scope="col">"Resolved in"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.incidents.into_iter().map(|i| view! { <IncidentRow incident=i /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {page.next_after.map(|after| view! {
                                    <p class="pager">
                                        <a class="button" href=format!("/incidents?severity={}&after={}", urlencode(&severity), urlencode(&after))>
                                            "Older incidents"
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

#[component]
fn IncidentRow(incident: IncidentSummary) -> impl IntoView {
    let resolved_in = match (incident.resolved, incident.time_to_resolve) {
        (true, Some(seconds)) => human_duration(seconds),
        _ => "open".to_string(),
    };
    view! {
        <tr data-incident=incident.id.to_string()>
            <td>{severity_badge(incident.severity)}</td>
            <td><a href=format!("/incidents/{}", incident.id)>{incident.title}</a></td>
            <td>{incident.services.join(", ")}</td>
            <td>{utc(incident.started_at)}</td>
            <td class:muted=!incident.resolved>{resolved_in}</td>
        </tr>
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let incident = Resource::new(
        move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => load_incident(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match incident.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(incident) => view! { <IncidentView incident /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not set",
    }
}

#[component]
fn IncidentView(incident: IncidentDetail) -> impl IntoView {
    let t = incident.times;
    let time_row = |label: &'static str, time: Option<DateTime<Utc>>| {
        view! { <dt>{label}</dt><dd>{time.map(utc).unwrap_or_else(|| "—".into())}</dd> }
    };
    let duration = |label: &'static str, seconds: Option<i64>| {
        view! {
            <div class="figure">
                <span class="figure-label">{label}</span>
                <span class="figure-value">{seconds.map(human_duration).unwrap_or_else(|| "—".into())}</span>
            </div>
        }
    };
    view! {
        <Title text=incident.title.clone() />
        <header class="page-header">
            <p>{severity_badge(incident.severity)} " " <span class="muted">{format!("#{}", incident.id)}</span></p>
            <h1>{incident.title.clone()}</h1>
            <p class="lede">{incident.summary.clone()}</p>
        </header>
        <section class="figures" aria-label="Durations">
            {duration("Time to detect", t.ttd())}
            {duration("Time to mitigate", t.ttm())}
            {duration("Time to resolve", t.ttr())}
        </section>
        <div class="columns">
            <section class="panel">
                <h2>"Key times"</h2>
                <dl class="facts">
                    {time_row("Impact started", Some(t.started))}
                    {time_row("Detected", t.detected)}
                    {time_row("Acknowledged", t.acknowledged)}
                    {time_row("Mitigated", t.mitigated)}
                    {time_row("Resolved", t.resolved)}
                </dl>
            </section>
            <section class="panel">
                <h2>"Classification"</h2>
                <dl class="facts">
                    <dt>"Services"</dt><dd>{incident.services.join(", ")}</dd>
                    <dt>"Customer impact"</dt>
                    <dd>{if incident.customer_impact { incident.impact_description.clone() } else { "None".to_string() }}</dd>
                    <dt>"Detected by"</dt><dd>{incident.detected_by.map_or("Not set", |d| d.label())}</dd>
                    {incident.detected_by.filter(|d| *d != crate::domain::incident::DetectionSource::Alert).map(|_| view! {
                        <dt>"Should monitoring have caught it?"</dt><dd>{yes_no(incident.monitoring_should_have_caught)}</dd>
                    })}
                    <dt>"Known problem"</dt><dd>{yes_no(incident.known_problem)}</dd>
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
    }
}
