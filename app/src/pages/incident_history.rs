//! An incident's History tab: who changed what and when, with diffs of long texts.

use crate::api::history::{ChangeShown, HistoryEntryDto, incident_history};
use crate::components::notice::ErrorNotice;
use crate::domain::history::Subject;
use crate::error::AppError;
use crate::pages::incidents::{IncidentTabs, incident_id, incident_resource, severity_badge};
use crate::pages::postmortem::DiffView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn IncidentHistoryPage() -> impl IntoView {
    let id = incident_id();
    let query = use_query_map();
    let incident = incident_resource(id, || 0);
    let history = Resource::new(
        move || {
            (
                id.get(),
                query.with(|q| q.get("before").and_then(|b| b.parse::<i64>().ok())),
            )
        },
        |(id, before)| async move {
            match id {
                Some(id) => incident_history(id, before).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (incident.await, history.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    (Ok(incident), Ok(page)) => {
                        let id = incident.id;
                        view! {
                            <Title text=format!("History: {}", incident.title) />
                            <header class="page-header">
                                <p>{severity_badge(incident.severity)} " " <span class="muted">{format!("#{id}")}</span></p>
                                <h1>{incident.title.clone()}</h1>
                            </header>
                            <IncidentTabs id current="history" />
                            <section class="panel">
                                {page.entries.is_empty().then(|| view! { <p class="empty">"No changes recorded."</p> })}
                                <ol class="history">
                                    {page.entries.into_iter().map(|entry| view! { <HistoryItem entry /> }).collect_view()}
                                </ol>
                                {page.next_before.map(|before| view! {
                                    <p class="pager"><a class="button" href=format!("/incidents/{id}/history?before={before}")>"Older changes"</a></p>
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
fn HistoryItem(entry: HistoryEntryDto) -> impl IntoView {
    let what = match entry.subject {
        Subject::TimelineEvent => format!("{} a timeline event", entry.action.label()),
        subject => format!(
            "{} the {}",
            entry.action.label(),
            subject.label().to_lowercase()
        ),
    };
    view! {
        <li class="history-entry">
            <p class="history-head">
                <strong>{entry.actor.clone()}</strong>
                {format!(" {what} ")}
                <time datetime=entry.at.utc.to_rfc3339() class="muted">{entry.at.text.clone()}</time>
            </p>
            {entry.note.clone().map(|note| view! { <p class="hint">{format!("Reason: {note}")}</p> })}
            {(!entry.changes.is_empty()).then(|| view! {
                <dl class="changes">
                    {entry.changes.into_iter().map(|change| match change {
                        ChangeShown::Value { label, before, after } => view! {
                            <dt>{label}</dt>
                            <dd>
                                {(!before.is_empty()).then(|| view! { <del>{before}</del> " → " })}
                                {if after.is_empty() { view! { <em>"(cleared)"</em> }.into_any() } else { view! { <ins>{after}</ins> }.into_any() }}
                            </dd>
                        }.into_any(),
                        ChangeShown::Text { label, diff } => view! {
                            <dt>{label}</dt>
                            <dd><DiffView lines=diff /></dd>
                        }.into_any(),
                    }).collect_view()}
                </dl>
            })}
        </li>
    }
}
