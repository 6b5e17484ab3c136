//! The learning digest: a period told for everyone who was not in the room, to read here or to
//! download as markdown.

use crate::api::analytics::{AnalyticsParams, DigestDto, load_digest};
use crate::components::action_items::state_badge;
use crate::components::notice::ErrorNotice;
use crate::domain::analytics::digest::DigestItem;
use crate::domain::incident::human_duration;
use crate::pages::incidents::severity_badge;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn item_list(items: Vec<DigestItem>, empty: &'static str) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <ul>
            {items.into_iter().map(|i| view! {
                <li>
                    <a href=format!("/action-items/{}", i.id)>{i.title}</a> " " {state_badge(i.state)}
                    {i.outcome.map(|o| view! { " " <span class=format!("badge outcome {}", o.key())>{o.label()}</span> })}
                    <span class="muted">{i.owner.map(|o| format!(" · {o}")).unwrap_or_default()}
                        {i.due_on.map(|d| format!(" · due {d}")).unwrap_or_default()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

fn digest_view(dto: DigestDto, params: AnalyticsParams) -> impl IntoView {
    let d = dto.digest;
    let download = format!("/digest.md?{}", params.with_period(&d.period_key));
    let prev = format!("/digest?{}", params.with_period(&dto.previous_key));
    let next = format!("/digest?{}", params.with_period(&dto.next_key));
    view! {
        <section class="panel">
            <p class="pager">
                <a href=prev rel="prev">"← Previous"</a> " · " <strong>{d.period_label.clone()}</strong>
                " · " <a href=next rel="next">"Next →"</a>
                " · " <a class="button small" href=download download="">"Download as markdown"</a>
            </p>
            <p class="headline">{d.headline.clone()}</p>
        </section>
        <section class="panel" aria-labelledby="digest-figures">
            <h2 id="digest-figures">"Figures"</h2>
            <table class="table">
                <thead><tr><th scope="col">"Figure"</th><th scope="col">"Value"</th><th scope="col">"Against the previous period"</th></tr></thead>
                <tbody>
                    {d.figures.into_iter().map(|(figure, value, change)| view! {
                        <tr><th scope="row">{figure}</th><td>{value}</td><td>{change.unwrap_or_else(|| "–".into())}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="panel" aria-labelledby="digest-incidents">
            <h2 id="digest-incidents">{format!("Incidents ({})", d.incidents.len())}</h2>
            {if d.incidents.is_empty() { Some(view! { <p class="empty">"None."</p> }) } else { None }}
            <ul class="digest-incidents">
                {d.incidents.into_iter().map(|i| view! {
                    <li>
                        {severity_badge(i.severity)} " "
                        <a href=format!("/incidents/{}", i.id)>{format!("#{} {}", i.id, i.title)}</a>
                        <span class="muted">{format!(" · {}{}", i.services.join(", "),
                            i.ttr.map(|s| format!(" · resolved in {}", human_duration(s))).unwrap_or_else(|| " · unresolved".into()))}</span>
                        {(!i.summary.trim().is_empty()).then(|| view! { <p>{i.summary.clone()}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="panel" aria-labelledby="digest-completed">
            <h2 id="digest-completed">"Improvements completed"</h2>
            {item_list(d.completed, "None finished this period.")}
            <h2>"Improvements verified"</h2>
            {item_list(d.verified, "None verified this period.")}
            <h2>"Coming up"</h2>
            {item_list(d.coming_up, "Nothing committed is due next period.")}
        </section>
        <section class="panel" aria-labelledby="digest-recommendations">
            <h2 id="digest-recommendations">"Recommendations"</h2>
            {if d.recommendations.is_empty() {
                view! { <p class="empty">"Nothing stands out; keep going."</p> }.into_any()
            } else {
                view! { <ul class="recommendations">{d.recommendations.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn DigestPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        query.with(|q| AnalyticsParams {
            kind: q.get("kind").filter(|v| !v.is_empty()),
            period: q.get("period").filter(|v| !v.is_empty()),
            team: None,
            service: None,
        })
    });
    let digest = Resource::new(move || params.get(), load_digest);
    view! {
        <Title text="Learning digest" />
        <header class="page-header">
            <h1>"Learning digest"</h1>
            <p class="lede">"What happened, what got better, and what to do next: for everyone who was not in the room."</p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match digest.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(dto) => digest_view(dto, params.get_untracked()).into_any(),
                }
            })}
        </Suspense>
    }
}
