//! The signed-in landing page.

use crate::domain::Role;
use crate::pages::layout::signed_in;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = signed_in();
    view! {
        <Title text="Home" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = me.await else {
                    return ().into_any();
                };
                let first_name = me
                    .display_name
                    .split_whitespace()
                    .next()
                    .unwrap_or(&me.username)
                    .to_string();
                let is_admin = me.role.includes(Role::Admin);
                view! {
                    <header class="page-header">
                        <h1>{format!("Welcome, {first_name}")}</h1>
                        <p class="lede">
                            "Hindsight turns every incident into improvements that are owned, done and verified."
                        </p>
                    </header>
                    <section class="cards">
                        <article class="card">
                            <h2>"Write it down"</h2>
                            <p>"Record the incident, its timeline and a blameless postmortem, classified so the numbers mean something."</p>
                        </article>
                        <article class="card">
                            <h2>"Follow through"</h2>
                            <p>"Action items with owners and deadlines, checked in the next review: did the fix work?"</p>
                        </article>
                        <article class="card">
                            <h2>"Learn from the numbers"</h2>
                            <p>"Time to detect and resolve, detection gaps and runbook coverage, period over period."</p>
                        </article>
                    </section>
                    {is_admin.then(|| view! {
                        <section class="panel">
                            <h2>"Bring your team in"</h2>
                            <p>"Create accounts for the people who write postmortems, run reviews and follow up on actions."</p>
                            <a class="button primary" href="/admin/users">"Manage users"</a>
                        </section>
                    })}
                }
                .into_any()
            })}
        </Suspense>
    }
}
