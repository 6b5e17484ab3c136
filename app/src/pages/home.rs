//! The signed-in landing page.

use crate::api::accounts::Me;
use crate::domain::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let first_name = me
        .display_name
        .split_whitespace()
        .next()
        .unwrap_or(&me.username)
        .to_string();
    let is_admin = me.role.includes(Role::Admin);
    view! {
        <Title text="Home" />
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
}
