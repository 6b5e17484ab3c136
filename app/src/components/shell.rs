//! The frame around every signed-in page: the top bar with the user menu and the navigation.

use crate::api::accounts::{Logout, Me};
use crate::domain::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// How many inbox notices are unread, for the header badge; the inbox updates it.
#[derive(Clone, Copy)]
pub struct UnreadNotices(pub RwSignal<u64>);

#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    let location = use_location();
    let current = move || {
        let path = location.pathname.get();
        (path == href || (href != "/" && path.starts_with(href))).then_some("page")
    };
    view! { <a class="nav-item" href=href aria-current=current>{label}</a> }
}

/// The top bar and the navigation; the layout puts the page beside them.
#[component]
pub fn Frame(me: Me) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let unread = expect_context::<UnreadNotices>();
    let is_admin = me.role.includes(Role::Admin);
    let initials: String = me
        .display_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    view! {
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"◐"</span>
                    "Hindsight"
                </a>
                <a class="inbox-link" href="/inbox" aria-label=move || format!("Inbox, {} unread", unread.0.get())>
                    "Inbox"
                    {move || (unread.0.get() > 0).then(|| view! { <span class="badge count" data-unread=unread.0.get().to_string()>{unread.0.get()}</span> })}
                </a>
                <details class="user-menu">
                    <summary aria-label="Your account">
                        <span class="avatar" aria-hidden="true">{initials}</span>
                        <span class="user-name">{me.display_name.clone()}</span>
                        <span class="badge">{me.role.label()}</span>
                    </summary>
                    <div class="menu" role="menu">
                        <p class="menu-heading">"Signed in as " <strong>{me.username.clone()}</strong></p>
                        <a role="menuitem" href="/account">"Account and password"</a>
                        <ActionForm action=logout>
                            <button role="menuitem" type="submit" class="link-button">"Sign out"</button>
                        </ActionForm>
                    </div>
                </details>
            </header>
            <nav class="sidebar" aria-label="Main">
                <NavLink href="/" label="Home" />
                <NavLink href="/incidents" label="Incidents" />
                <NavLink href="/action-items" label="Action items" />
                <NavLink href="/analytics" label="Analytics" />
                <NavLink href="/reviews" label="Reviews" />
                <NavLink href="/digest" label="Learning digest" />
                <NavLink href="/catalog" label="Teams and services" />
                <NavLink href="/deploys" label="Deploys" />
                <NavLink href="/how-we-measure" label="How we measure" />
                <NavLink href="/api-docs" label="API reference" />
                {is_admin.then(|| view! {
                    <p class="nav-heading">"Admin"</p>
                    <NavLink href="/admin/users" label="Users" />
                    <NavLink href="/admin/template" label="Postmortem template" />
                    <NavLink href="/admin/organisation" label="Organisation" />
                    <NavLink href="/admin/alerts" label="Alerts" />
                    <NavLink href="/admin/archive" label="Export and import" />
                })}
            </nav>
    }
}
