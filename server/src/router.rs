//! The whole HTTP surface in one `Router`, built the same way by the binary and by the tests.

use crate::admission::{self, Admission};
use crate::metrics::{self as prometheus, Metrics};
use crate::security::{self, HeaderPolicy, ProxyPolicy};
use crate::sessions::DbSessionStore;
use app::app::{App, shell};
use app::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use http::StatusCode;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::OnceLock;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Marks the session cookie `Secure` and names it with the `__Host-` prefix.
    pub secure_cookies: bool,
    pub trust_forwarded_for: bool,
    /// Requests worked on at once; two per core when `None`.
    pub requests_at_once: Option<usize>,
    /// `/metrics`, off unless its access is configured.
    pub metrics: Metrics,
}

impl WebConfig {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-hindsight_session"
        } else {
            "hindsight_session"
        }
    }
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.read().ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::error!(%err, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// The app's routes, worked out once per process. Working them out runs the app with resource
/// loading suppressed process-wide, so a page rendering at that moment (a router built for a
/// second app in one process, as the tests do) would wait forever on its data.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState, web: &WebConfig) -> Router {
    let state = state.with_api_description(
        serde_json::to_value(crate::rest::description()).expect("the API description serializes"),
    );
    let options: LeptosOptions = state.leptos_options.clone();
    let routes = route_list();
    let idle = time::Duration::seconds(state.settings.session_idle.as_secs() as i64);
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(web.cookie_name())
        .with_secure(web.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle));
    let proxy = ProxyPolicy {
        trust_forwarded: web.trust_forwarded_for,
    };
    let built = std::sync::Arc::new(crate::assets::BuiltFiles::read(
        std::path::Path::new(&*options.site_root),
        &options.site_pkg_dir,
        options.hash_files,
    ));
    let header_policy = HeaderPolicy {
        dev_reload: options.env == leptos::config::Env::DEV,
        built: built.clone(),
    };
    // The built wasm, JS and CSS: the build's brotli copies to browsers that take brotli, the
    // others compressed on the way (the build's gzip copies are made at a low level), and 304
    // when a browser's copy is current.
    let pkg = tower::ServiceBuilder::new()
        .layer(from_fn_with_state(built, crate::assets::revalidate))
        .service(
            ServeDir::new(std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir))
                .precompressed_br(),
        );

    // What every page's render needs beside the state: the chunks each group of pages loads,
    // which `app::chunks::announce` names in the page's `<head>`.
    let chunks =
        crate::assets::page_chunks(&options, &crate::assets::exe_dir().unwrap_or_default());
    let page_context = move || provide_context(chunks.clone());

    let work = Router::new()
        .route(
            "/action-items/export.csv",
            get(crate::exports::action_items_csv),
        )
        .route(
            "/action-items/export.json",
            get(crate::exports::action_items_json),
        )
        .route("/digest.md", get(crate::exports::digest_markdown))
        .route("/incidents/export.csv", get(crate::exports::incidents_csv))
        .route(
            "/incidents/export.json",
            get(crate::exports::incidents_json),
        )
        .route(
            "/incidents/{id}/export.md",
            get(crate::exports::incident_markdown),
        )
        .route(
            "/incidents/{id}/export.json",
            get(crate::exports::incident_json),
        )
        .route("/calendar/{file}", get(crate::exports::calendar_feed))
        .route("/admin/archive.json", get(crate::archive::download))
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .merge(crate::rest::routes())
        .leptos_routes_with_context(&state, routes, page_context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || {
                    provide_context(state.clone());
                    page_context();
                }
            },
            shell,
        ))
        .layer(from_fn_with_state(
            web.requests_at_once
                .map_or_else(Admission::for_this_machine, Admission::new),
            admission::admit,
        ));
    // The health check and the metrics skip the queue: they must answer while pages wait.
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(prometheus::scrape).with_state((state.clone(), web.metrics.clone())),
        )
        // An archive's upload streams for as long as it takes to arrive; admins only, and rare.
        .route(
            crate::archive::IMPORT_PATH,
            post(crate::archive::upload).layer(DefaultBodyLimit::max(crate::archive::UPLOAD_LIMIT)),
        )
        .merge(work)
        .layer(from_fn_with_state(state.clone(), security::page_gate))
        .layer(sessions)
        .layer(from_fn_with_state(proxy, security::client_ip))
        .layer(axum::middleware::from_fn(crate::forms::keep_form_input))
        .layer(from_fn_with_state(proxy, security::reject_cross_site))
        .layer(from_fn_with_state(
            header_policy,
            security::security_headers,
        ))
        .layer(axum::middleware::from_fn(security::limit_body))
        .layer(CompressionLayer::new());
    // Outermost, so that a request's time includes every layer; the route it matched is known
    // here because axum wraps each route in these layers.
    let router = if web.metrics.enabled() {
        router.layer(from_fn_with_state(web.metrics.clone(), prometheus::track))
    } else {
        router
    };
    router.with_state(state)
}
