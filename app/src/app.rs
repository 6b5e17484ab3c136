//! The document shell and the routes.

use crate::pages::{
    account::AccountPage,
    action_items::{
        ActionItemPage, ActionItemsPage, EditActionItemPage, MyItemsPage, NewActionItemPage,
    },
    admin_alerts::AdminAlertsPage,
    admin_archive::AdminArchivePage,
    admin_organisation::AdminOrganisationPage,
    admin_template::AdminTemplatePage,
    admin_users::AdminUsersPage,
    analytics::{AnalyticsItemsPage, AnalyticsPage},
    api_docs::ApiDocsPage,
    catalog::CatalogPage,
    deploys::DeploysPage,
    digest::DigestPage,
    home::HomePage,
    how_we_measure::HowWeMeasurePage,
    inbox::InboxPage,
    incident_form::{EditIncidentPage, NewIncidentPage},
    incident_history::IncidentHistoryPage,
    incident_import::IncidentImportPage,
    incidents::{IncidentPage, IncidentsPage},
    layout::SignedInLayout,
    login::LoginPage,
    not_found::NotFound,
    postmortem::PostmortemPage,
    reviews::{ReviewPage, ReviewsPage},
    setup::SetupPage,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crate::request::CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/hindsight.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Hindsight".to_string() } else { format!("{page} · Hindsight") }
        } />
        <Router>
            // Async: a page's status code (403, 404) is known before the first byte is sent.
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("catalog") view=CatalogPage ssr=SsrMode::Async />
                    <Route path=path!("incidents") view=IncidentsPage ssr=SsrMode::Async />
                    <Route path=path!("incidents/new") view=NewIncidentPage ssr=SsrMode::Async />
                    <Route path=path!("incidents/import") view=IncidentImportPage ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id") view=IncidentPage ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id/edit") view=EditIncidentPage ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id/postmortem") view=PostmortemPage ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id/history") view=IncidentHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("action-items") view=ActionItemsPage ssr=SsrMode::Async />
                    <Route path=path!("action-items/mine") view=MyItemsPage ssr=SsrMode::Async />
                    <Route path=path!("action-items/new") view=NewActionItemPage ssr=SsrMode::Async />
                    <Route path=path!("action-items/:id") view=ActionItemPage ssr=SsrMode::Async />
                    <Route path=path!("action-items/:id/edit") view=EditActionItemPage ssr=SsrMode::Async />
                    <Route path=path!("analytics") view=AnalyticsPage ssr=SsrMode::Async />
                    <Route path=path!("analytics/items") view=AnalyticsItemsPage ssr=SsrMode::Async />
                    <Route path=path!("deploys") view=DeploysPage ssr=SsrMode::Async />
                    <Route path=path!("digest") view=DigestPage ssr=SsrMode::Async />
                    <Route path=path!("reviews") view=ReviewsPage ssr=SsrMode::Async />
                    <Route path=path!("reviews/:id") view=ReviewPage ssr=SsrMode::Async />
                    <Route path=path!("how-we-measure") view=HowWeMeasurePage ssr=SsrMode::Async />
                    <Route path=path!("api-docs") view=ApiDocsPage ssr=SsrMode::Async />
                    <Route path=path!("inbox") view=InboxPage ssr=SsrMode::Async />
                    <Route path=path!("admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("admin/organisation") view=AdminOrganisationPage ssr=SsrMode::Async />
                    <Route path=path!("admin/template") view=AdminTemplatePage ssr=SsrMode::Async />
                    <Route path=path!("admin/alerts") view=AdminAlertsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/archive") view=AdminArchivePage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
