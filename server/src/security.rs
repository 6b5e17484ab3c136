//! Layers every request passes: cross-site request refusal, security headers with a fresh CSP
//! nonce, the client's address, and the sign-in gate in front of pages.

use crate::assets::BuiltFiles;
use app::auth::{self, CurrentUser, SHOWN_ONCE, ShownOnce};
use app::domain::links::urlencode;
use app::error::AppError;
use app::request::{ClientIp, CspNonce};
use app::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

/// Caps what a request may send: small for everything but an archive being imported. A body
/// that says it is larger is refused at once; one that turns out larger fails when read.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let limit = if req.uri().path() == crate::archive::IMPORT_PATH {
        crate::archive::UPLOAD_LIMIT
    } else {
        crate::router::BODY_LIMIT
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request is larger than the {} MB allowed.",
                limit / (1024 * 1024)
            ),
        )
            .into_response();
    }
    let req = req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

/// Refuses state-changing requests that a browser says come from another site.
pub async fn reject_cross_site(
    State(proxy): State<ProxyPolicy>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if let Some(reason) = cross_site_reason(req.headers(), proxy) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), reason, "cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}

fn cross_site_reason(headers: &HeaderMap, proxy: ProxyPolicy) -> Option<&'static str> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return Some("Sec-Fetch-Site is not same-origin");
    }
    if let Some(origin) = text("origin") {
        let forwarded = proxy
            .trust_forwarded
            .then(|| text("x-forwarded-host"))
            .flatten();
        let host = forwarded.or_else(|| text("host"));
        let authority = origin.split_once("://").map(|(_, rest)| rest);
        let same = matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h));
        if !same {
            return Some("Origin does not match the host");
        }
    }
    None
}

/// Settings of the header layer.
#[derive(Clone, Debug)]
pub struct HeaderPolicy {
    /// Allows the development live-reload socket.
    pub dev_reload: bool,
    /// The built files under `/pkg/`, and which of them are named by their content.
    pub built: Arc<BuiltFiles>,
}

/// How long a browser may keep a response. Pages and other answers made for the person asking
/// are never stored. A file whose name carries its content's hash never changes, so it is kept
/// for a year without asking again; a new build's pages name new files. Other files (the
/// favicon, the main JS and wasm, a build without hashed names) are asked after each time; those
/// under `/pkg/` are answered with 304 while their content is unchanged (`assets::revalidate`).
pub fn cache_control(status: StatusCode, file: bool, named_by_content: bool) -> &'static str {
    if !file {
        "no-store"
    } else if named_by_content && matches!(status, StatusCode::OK | StatusCode::NOT_MODIFIED) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

fn nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn content_security_policy(nonce: &str, dev_reload: bool) -> String {
    let connect = if dev_reload {
        "'self' ws://127.0.0.1:* ws://localhost:*"
    } else {
        "'self'"
    };
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Sets the security headers and the caching policy (`cache_control`) on every response.
pub async fn security_headers(
    State(policy): State<HeaderPolicy>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = nonce();
    let named_by_content = policy.built.named_by_content(req.uri().path());
    let static_asset = is_static_asset(req.uri().path());
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    // A file from the site: the file service dates every one it sends.
    let file = res.status() == StatusCode::NOT_MODIFIED
        || res.headers().contains_key(header::LAST_MODIFIED);
    let cache = cache_control(res.status(), file, named_by_content);
    // A download at a file-like path (an export, a calendar) says for itself how it is cached.
    let own_cache = !file && static_asset && res.headers().contains_key(header::CACHE_CONTROL);
    let headers = res.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        &content_security_policy(&nonce, policy.dev_reload),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if !own_cache {
        set(header::CACHE_CONTROL, cache);
    }
    // Files are sent as brotli made at build time or compressed on the way; a shared cache must
    // keep the two apart.
    if file && !res.headers().contains_key(header::VARY) {
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// Whether a reverse proxy of our own stands in front, whose `X-Forwarded-For` (the client's
/// address, appended last) and `X-Forwarded-Host` can be believed.
#[derive(Clone, Copy, Debug)]
pub struct ProxyPolicy {
    pub trust_forwarded: bool,
}

pub async fn client_ip(
    State(policy): State<ProxyPolicy>,
    mut req: Request,
    next: Next,
) -> Response {
    // The proxy appends the address it saw; whatever stands before it came from the client.
    let forwarded = policy
        .trust_forwarded
        .then(|| {
            let last_line = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?;
            let last = last_line.to_str().ok()?.rsplit(',').next()?.trim();
            (!last.is_empty()).then(|| last.to_string())
        })
        .flatten();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let ip = forwarded.or(peer).unwrap_or_else(|| "unknown".into());
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

/// What the sign-in gate decided for a page request.
enum Gate {
    /// Show the page; a signed-in visitor is handed on so the page need not look them up again.
    Pass(Option<CurrentUser>),
    RedirectTo(String),
}

async fn gate(
    state: &AppState,
    session: &Session,
    path: &str,
    wanted: &str,
) -> Result<Gate, AppError> {
    if !state.users_exist().await? {
        return Ok(if path == "/setup" {
            Gate::Pass(None)
        } else {
            Gate::RedirectTo("/setup".into())
        });
    }
    if path == "/setup" {
        return Ok(Gate::RedirectTo("/login".into()));
    }
    let user = auth::user_for_session(state, session).await?;
    Ok(match (path == "/login", user) {
        (true, Some(_)) => Gate::RedirectTo("/".into()),
        (true, None) => Gate::Pass(None),
        (false, Some(user)) => Gate::Pass(Some(user)),
        (false, None) => Gate::RedirectTo(format!("/login?next={}", urlencode(wanted))),
    })
}

/// Pages are for signed-in people: until the first admin exists every page leads to the set-up
/// form; after that, visitors without a session are sent to sign in and back afterwards.
pub async fn page_gate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/api/")
        && path != "/healthz"
        && path != "/metrics"
        && !path.starts_with("/calendar/")
        && !is_static_asset(&path);
    if !is_page {
        return next.run(req).await;
    }
    let wanted = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_else(|| "/".into());
    match gate(&state, &session, &path, &wanted).await {
        Ok(Gate::Pass(user)) => {
            if let Some(user) = user {
                req.extensions_mut().insert(user);
                // A secret made by a form posted without JavaScript goes to this page only.
                // Looked for first: removing marks the session changed, and most pages have none.
                if req.method() == Method::GET
                    && let Ok(Some(waiting)) = session.get::<ShownOnce>(SHOWN_ONCE).await
                {
                    let _ = session.remove::<ShownOnce>(SHOWN_ONCE).await;
                    req.extensions_mut().insert(waiting);
                }
            }
            next.run(req).await
        }
        Ok(Gate::RedirectTo(to)) => Redirect::to(&to).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Hindsight cannot reach its database.",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    fn cross_site_reason_untrusted(headers: &HeaderMap) -> Option<&'static str> {
        cross_site_reason(
            headers,
            ProxyPolicy {
                trust_forwarded: false,
            },
        )
    }

    #[test]
    fn only_a_file_found_under_its_content_name_is_kept_for_good() {
        const FOR_GOOD: &str = "public, max-age=31536000, immutable";
        assert_eq!(cache_control(StatusCode::OK, true, true), FOR_GOOD);
        assert_eq!(
            cache_control(StatusCode::NOT_MODIFIED, true, true),
            FOR_GOOD,
            "a revalidation keeps the file's lifetime"
        );
        assert_eq!(
            cache_control(StatusCode::NOT_FOUND, true, true),
            "no-cache",
            "a file of an earlier build may be asked for again"
        );
        assert_eq!(cache_control(StatusCode::OK, true, false), "no-cache");
        assert_eq!(cache_control(StatusCode::OK, false, true), "no-store");
        assert_eq!(cache_control(StatusCode::OK, false, false), "no-store");
    }

    #[test]
    fn forwarded_host_counts_only_behind_a_trusted_proxy() {
        let h = headers(&[
            ("host", "10.0.0.5:3000"),
            ("x-forwarded-host", "Hindsight.Example"),
            ("origin", "https://hindsight.example"),
        ]);
        assert!(
            cross_site_reason(
                &h,
                ProxyPolicy {
                    trust_forwarded: false
                }
            )
            .is_some()
        );
        assert_eq!(
            cross_site_reason(
                &h,
                ProxyPolicy {
                    trust_forwarded: true
                }
            ),
            None
        );
    }

    #[test]
    fn same_origin_requests_pass() {
        assert_eq!(
            cross_site_reason_untrusted(&headers(&[
                ("host", "h.example"),
                ("origin", "https://h.example"),
                ("sec-fetch-site", "same-origin")
            ])),
            None
        );
        // Scripts and command-line clients send neither header.
        assert_eq!(
            cross_site_reason_untrusted(&headers(&[("host", "h.example")])),
            None
        );
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(
            cross_site_reason_untrusted(&headers(&[
                ("host", "h.example"),
                ("sec-fetch-site", "cross-site")
            ]))
            .is_some()
        );
        assert!(
            cross_site_reason_untrusted(&headers(&[
                ("host", "h.example"),
                ("sec-fetch-site", "same-site")
            ]))
            .is_some()
        );
        assert!(
            cross_site_reason_untrusted(&headers(&[
                ("host", "h.example"),
                ("origin", "https://evil.example")
            ]))
            .is_some()
        );
        assert!(
            cross_site_reason_untrusted(&headers(&[("host", "h.example"), ("origin", "null")]))
                .is_some()
        );
    }

    #[test]
    fn the_policy_locks_scripts_to_the_nonce() {
        let csp = content_security_policy("abc", false);
        assert!(csp.contains("script-src 'nonce-abc' 'strict-dynamic'"));
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{directive}");
        }
        assert!(!csp.contains("ws://"));
    }
}
