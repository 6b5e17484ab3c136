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
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
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
                <HydrationScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
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
        <Title formatter=|page: String| {
            if page.is_empty() { "Hindsight".to_string() } else { format!("{page} · Hindsight") }
        } />
        <Router>
            // Async: a page's status code (403, 404) is known before the first byte is sent.
            <Routes fallback=NotFound>
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("catalog") view={Lazy::<CatalogRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("incidents") view={Lazy::<IncidentsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("incidents/new") view={Lazy::<NewIncidentRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("incidents/import") view={Lazy::<IncidentImportRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id") view={Lazy::<IncidentRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id/edit") view={Lazy::<EditIncidentRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id/postmortem") view={Lazy::<PostmortemRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("incidents/:id/history") view={Lazy::<IncidentHistoryRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("action-items") view={Lazy::<ActionItemsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("action-items/mine") view={Lazy::<MyItemsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("action-items/new") view={Lazy::<NewActionItemRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("action-items/:id") view={Lazy::<ActionItemRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("action-items/:id/edit") view={Lazy::<EditActionItemRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("analytics") view={Lazy::<AnalyticsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("analytics/items") view={Lazy::<AnalyticsItemsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("deploys") view={Lazy::<DeploysRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("digest") view={Lazy::<DigestRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("reviews") view={Lazy::<ReviewsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("reviews/:id") view={Lazy::<ReviewRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("how-we-measure") view={Lazy::<HowWeMeasureRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("api-docs") view={Lazy::<ApiDocsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("inbox") view={Lazy::<InboxRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("admin/users") view={Lazy::<AdminUsersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("admin/organisation") view={Lazy::<AdminOrganisationRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("admin/template") view={Lazy::<AdminTemplateRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("admin/alerts") view={Lazy::<AdminAlertsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("admin/archive") view={Lazy::<AdminArchiveRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Every page is a lazy route. Built with `cargo leptos --split`, each group of pages below is a
/// wasm chunk of its own, fetched when one of its pages is first shown (the server-rendered page
/// announces it), so the browser loads the shell and the pages near the one in front of it, not
/// the whole application. A chunk per page would share code across hundreds of small files.
///
/// In the browser each group is a split point named after the group (the key of the build's
/// manifest, read by [`crate::chunks`]), and `$load` fetches its chunk; the router calls it
/// before it renders (and hydrates) the page, so hydration finds the code there. A chunk that
/// cannot be fetched is an error the page recovers from (`chunks::Failure`, by loading the page
/// anew) rather than a panic, which would stop the whole application. On the server the pages are
/// plain functions.
macro_rules! lazy_pages {
    ($($group:ident($pages:ident, $load:ident) { $($route:ident => $page:ident),+ $(,)? })+) => {$(
        // Each variant is named after the route that shows it.
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $pages {
            $($route,)+
        }

        impl $pages {
            fn view(self) -> AnyView {
                match self {
                    $($pages::$route => view! { <$page /> }.into_any(),)+
                }
            }
        }

        #[cfg(feature = "hydrate")]
        #[::leptos::wasm_split::wasm_split(
            $group,
            wasm_split_path = ::leptos::wasm_split,
            preload($load),
            fallible
        )]
        fn $group(page: $pages) -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
            Ok(page.view())
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_route: Self) -> AnyView {
                    #[cfg(feature = "hydrate")]
                    {
                        let failure = crate::chunks::Failure::here();
                        match $group($pages::$route).await {
                            Ok(view) => view,
                            Err(_) => failure.shown().await,
                        }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    {
                        #[cfg(feature = "ssr")]
                        crate::chunks::announce(stringify!($group));
                        $pages::$route.view()
                    }
                }

                async fn preload() {
                    // While the router moves to the page, a failure shows when the view asks for
                    // the chunk again; a page being hydrated cannot wait for its view.
                    #[cfg(feature = "hydrate")]
                    if $load().await.is_err() {
                        crate::chunks::Failure::here().before_hydration().await;
                    }
                }
            }
        )+
    )+};
}

lazy_pages! {
    entry_pages(EntryPages, __preload_entry_pages) {
        LoginRoute => LoginPage,
        SetupRoute => SetupPage,
        HomeRoute => HomePage,
        AccountRoute => AccountPage,
    }
    incident_pages(IncidentPages, __preload_incident_pages) {
        IncidentsRoute => IncidentsPage,
        IncidentRoute => IncidentPage,
        IncidentHistoryRoute => IncidentHistoryPage,
    }
    incident_form_pages(IncidentFormPages, __preload_incident_form_pages) {
        NewIncidentRoute => NewIncidentPage,
        EditIncidentRoute => EditIncidentPage,
        PostmortemRoute => PostmortemPage,
        IncidentImportRoute => IncidentImportPage,
    }
    action_item_pages(ActionItemPages, __preload_action_item_pages) {
        ActionItemsRoute => ActionItemsPage,
        MyItemsRoute => MyItemsPage,
        ActionItemRoute => ActionItemPage,
        NewActionItemRoute => NewActionItemPage,
        EditActionItemRoute => EditActionItemPage,
        InboxRoute => InboxPage,
    }
    retro_pages(RetroPages, __preload_retro_pages) {
        AnalyticsRoute => AnalyticsPage,
        AnalyticsItemsRoute => AnalyticsItemsPage,
        ReviewsRoute => ReviewsPage,
        ReviewRoute => ReviewPage,
        DigestRoute => DigestPage,
        DeploysRoute => DeploysPage,
        HowWeMeasureRoute => HowWeMeasurePage,
    }
    admin_pages(AdminPages, __preload_admin_pages) {
        CatalogRoute => CatalogPage,
        AdminUsersRoute => AdminUsersPage,
        AdminOrganisationRoute => AdminOrganisationPage,
        AdminTemplateRoute => AdminTemplatePage,
        AdminAlertsRoute => AdminAlertsPage,
        AdminArchiveRoute => AdminArchivePage,
        ApiDocsRoute => ApiDocsPage,
    }
}
