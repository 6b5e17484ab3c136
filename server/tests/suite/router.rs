//! The real router driven in-process: first run, sign-in, sessions, cross-site refusal,
//! headers and role checks, as a browser would meet them.

use crate::common;

use app::state::Settings;
use axum::body::Body;
use chrono::Duration;
use common::{PASSWORD, TestApp};
use http::{Request, StatusCode, header};
use server::router::WebConfig;

#[tokio::test]
async fn a_new_install_leads_every_page_to_the_first_admin_form() {
    let app = TestApp::new().await;
    for path in ["/", "/login", "/admin/users"] {
        let reply = app.get(path, None).await;
        assert!(reply.status.is_redirection(), "{path}: {reply:?}");
        assert_eq!(reply.location(), Some("/setup"), "{path}");
    }
    let setup = app.get("/setup", None).await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(
        setup.body.contains("Create the first admin"),
        "{}",
        setup.body
    );
}

#[tokio::test]
async fn the_first_admin_is_signed_in_and_setup_closes() {
    let app = TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK, "{home:?}");
    assert_eq!(
        home.header("cache-control"),
        Some("no-store"),
        "signed-in pages are never cached"
    );
    assert!(home.body.contains("Welcome, Ada"), "{}", home.body);

    assert_eq!(app.get("/setup", None).await.location(), Some("/login"));
    let again = app
        .call(
            "setup",
            &[
                ("username", "eve"),
                ("display_name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::FORBIDDEN,
        "a second first admin is refused: {again:?}"
    );
}

#[tokio::test]
async fn setup_names_the_field_that_is_wrong() {
    let app = TestApp::new().await;
    let reply = app
        .call(
            "setup",
            &[
                ("username", "ada"),
                ("display_name", "Ada"),
                ("email", "not-an-email"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("\"field\":\"email\""), "{}", reply.body);
    assert!(
        reply.body.contains("must look like name@example.com"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_and_back() {
    let app = TestApp::new().await;
    app.create_first_admin().await;
    let reply = app.get("/admin/users?after=bob", None).await;
    assert_eq!(
        reply.location(),
        Some("/login?next=/admin/users%3Fafter%3Dbob")
    );

    let login = app
        .post_form(
            "login",
            &[
                ("username", "ada"),
                ("password", PASSWORD),
                ("next", "/admin/users?after=bob"),
            ],
            None,
            "/login",
        )
        .await;
    assert_eq!(login.location(), Some("/admin/users?after=bob"));
    let offsite = app
        .post_form(
            "login",
            &[
                ("username", "ada"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
            None,
            "/login",
        )
        .await;
    assert_eq!(
        offsite.location(),
        Some("/"),
        "sign-in never sends people off-site"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::new().await;
    app.create_first_admin().await;
    let wrong = app
        .call(
            "login",
            &[("username", "ada"), ("password", "wrong password!")],
            None,
        )
        .await;
    let unknown = app
        .call(
            "login",
            &[("username", "nobody"), ("password", "wrong password!")],
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.body.contains("BadCredentials"), "{}", wrong.body);
    assert!(
        wrong.set_cookie(&app.web).is_none(),
        "no session for a failed sign-in"
    );

    // Without JavaScript the form is answered with a redirect back that carries the error.
    let form = app.login("ada", "wrong password!", None).await;
    assert_eq!(form.status, StatusCode::FOUND);
    let back = form.location().unwrap();
    assert!(
        back.starts_with("http://hindsight.test/login?") && back.contains("__err="),
        "{back}"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::new().await;
    app.create_first_admin().await;
    let reply = app.login("ada", PASSWORD, None).await;
    let line = reply.set_cookie(&app.web).expect("a session cookie");
    assert!(line.starts_with("hindsight_session="), "{line}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(attribute), "{attribute} missing from {line}");
    }
    assert!(
        !line.contains("Secure"),
        "plain HTTP on loopback cannot use Secure cookies"
    );
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let web = WebConfig {
        secure_cookies: true,
        trust_forwarded_for: false,
        requests_at_once: None,
        metrics: server::metrics::Metrics::new(Default::default()),
    };
    let app = TestApp::with(web, Settings::default()).await;
    app.create_first_admin().await;
    let line = app
        .login("ada", PASSWORD, None)
        .await
        .set_cookie(&app.web)
        .expect("a session cookie");
    assert!(line.starts_with("__Host-hindsight_session="), "{line}");
    assert!(
        line.contains("Secure") && line.contains("Path=/") && !line.contains("Domain"),
        "{line}"
    );
}

#[tokio::test]
async fn signing_in_again_changes_the_session_id() {
    let app = TestApp::new().await;
    let first = app.create_first_admin().await;
    let second = app
        .login("ada", PASSWORD, Some(&first))
        .await
        .session_cookie(&app.web)
        .unwrap();
    assert_ne!(first, second, "the id is cycled at sign-in");
    assert_eq!(app.get("/", Some(&second)).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/", Some(&first)).await.location(),
        Some("/login?next=/"),
        "the old id is dead"
    );
}

#[tokio::test]
async fn after_sign_out_the_old_cookie_is_rejected() {
    let app = TestApp::new().await;
    let cookie = app.create_first_admin().await;
    let out = app.post_form("logout", &[], Some(&cookie), "/").await;
    let removal = out
        .set_cookie(&app.web)
        .expect("sign-out tells the browser to drop the cookie");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(out.location(), Some("/login"));
    assert_eq!(
        app.get("/", Some(&cookie)).await.location(),
        Some("/login?next=/")
    );
    let me = app.call("me", &[], Some(&cookie)).await;
    assert_eq!(me.body, "null", "the server function sees nobody: {me:?}");
}

#[tokio::test]
async fn cross_site_posts_to_server_functions_are_refused() {
    let app = TestApp::new().await;
    app.create_first_admin().await;
    let body = common::encode(&[("username", "ada"), ("password", PASSWORD)]);
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let req = Request::post("/api/login")
            .header(header::HOST, "hindsight.test")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(body.clone()))
            .unwrap();
        let reply = app.send(req).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(reply.set_cookie(&app.web).is_none());
    }
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_a_script_nonce() {
    let app = TestApp::new().await;
    app.create_first_admin().await;
    let page = app.get("/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header("content-security-policy").expect("a CSP");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive}");
    }
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let other = app.get("/login", None).await;
    assert_ne!(
        other.header("content-security-policy"),
        Some(csp),
        "a fresh nonce per response"
    );
}

#[tokio::test]
async fn a_viewer_cannot_reach_admin() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "vic", "viewer").await;
    let viewer = app.login_cookie("vic").await;

    let page = app.get("/admin/users", Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{page:?}");
    assert!(
        !page.body.contains("vic@example.com"),
        "no account details leak to a viewer"
    );
    let list = app.call("admin/users", &[], Some(&viewer)).await;
    assert_eq!(list.status, StatusCode::FORBIDDEN);
    let create = app
        .call(
            "admin/create_user",
            &[
                ("username", "mallory"),
                ("display_name", "M"),
                ("email", "m@example.com"),
                ("role", "admin"),
                ("password", PASSWORD),
            ],
            Some(&viewer),
        )
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.login("mallory", PASSWORD, None)
            .await
            .session_cookie(&app.web),
        None
    );

    let as_admin = app.get("/admin/users", Some(&admin)).await;
    assert_eq!(as_admin.status, StatusCode::OK);
    assert!(as_admin.body.contains("vic@example.com"));
    let anonymous = app.call("admin/users", &[], None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_once() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "dora", "engineer").await;
    let dora = app.login_cookie("dora").await;
    assert_eq!(app.get("/", Some(&dora)).await.status, StatusCode::OK);

    let id = app.state.db.read();
    let dora_id = app::services::accounts::find_by_username(
        id,
        &app::domain::Username::parse("dora").unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    let reply = app
        .call(
            "admin/set_disabled",
            &[("user_id", &dora_id.to_string()), ("disabled", "true")],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(
        app.get("/", Some(&dora)).await.location(),
        Some("/login?next=/")
    );
    let again = app
        .call(
            "login",
            &[("username", "dora"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert!(again.body.contains("AccountDisabled"));
}

#[tokio::test]
async fn changing_your_password_signs_out_your_other_sessions_only() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    app.create_user(&admin, "pat", "engineer").await;
    let laptop = app.login_cookie("pat").await;
    let phone = app.login_cookie("pat").await;

    let mismatch = app
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "brand new passphrase"),
                ("new_password_confirm", "brand new passphrasf"),
            ],
            Some(&laptop),
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("new_password_confirm"));

    let changed = app
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "brand new passphrase"),
                ("new_password_confirm", "brand new passphrase"),
            ],
            Some(&laptop),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{changed:?}");
    let cycled = changed
        .session_cookie(&app.web)
        .expect("a new session id after the change");
    assert_ne!(cycled, laptop);
    let laptop = cycled;
    assert_eq!(
        app.get("/account", Some(&laptop)).await.status,
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        app.get("/", Some(&phone)).await.location(),
        Some("/login?next=/"),
        "the other one ends"
    );
    assert!(
        app.login("pat", "brand new passphrase", None)
            .await
            .session_cookie(&app.web)
            .is_some()
    );
}

#[tokio::test]
async fn idle_and_absolute_timeouts_are_enforced_by_the_server() {
    let settings = Settings {
        session_idle: std::time::Duration::from_secs(30 * 60),
        session_absolute: std::time::Duration::from_secs(2 * 3600),
    };
    let app = TestApp::with(
        WebConfig {
            secure_cookies: false,
            trust_forwarded_for: false,
            requests_at_once: None,
            metrics: server::metrics::Metrics::new(Default::default()),
        },
        settings,
    )
    .await;
    let cookie = app.create_first_admin().await;

    app.clock.advance(Duration::minutes(31));
    assert_eq!(
        app.get("/", Some(&cookie)).await.location(),
        Some("/login?next=/"),
        "idle for too long"
    );

    let cookie = app.login_cookie("ada").await;
    for _ in 0..4 {
        app.clock.advance(Duration::minutes(25));
        assert_eq!(
            app.get("/", Some(&cookie)).await.status,
            StatusCode::OK,
            "active sessions stay"
        );
    }
    app.clock.advance(Duration::minutes(25));
    assert_eq!(
        app.get("/", Some(&cookie)).await.location(),
        Some("/login?next=/"),
        "past the absolute limit"
    );
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = TestApp::new().await;
    let ok = app.get("/healthz", None).await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "ok"));
    app.state.db.read().clone().close().await.unwrap();
    let down = app.get("/healthz", None).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::new().await;
    let big = "x".repeat(server::router::BODY_LIMIT + 1);
    let req = Request::post("/api/login")
        .header(header::HOST, "hindsight.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, big.len() + "username=".len())
        .body(Body::from(format!("username={big}")))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_pages_answer_not_found() {
    let app = TestApp::new().await;
    let cookie = app.create_first_admin().await;
    for path in ["/no-such-page", "/admin/nothing-here", "/favicon.ico"] {
        let page = app.get(path, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {page:?}");
        assert!(page.body.contains("Not found"), "{path}");
    }
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = TestApp::new().await;
    let req = Request::get("/setup")
        .header(header::HOST, "hindsight.test")
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-encoding"), Some("br"));
}

#[tokio::test]
async fn a_refused_form_without_javascript_keeps_what_was_typed_but_not_passwords() {
    let app = TestApp::new().await;
    let form = [
        ("username", "ada"),
        ("display_name", "Ada Lövelace"),
        ("email", "ada@example"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    let refused = app.post_form("setup", &form, None, "/setup").await;
    let back = refused
        .location()
        .expect("sent back to the form")
        .to_string();
    assert!(back.contains("__input="), "{back}");
    assert!(
        !back.contains("correct"),
        "passwords never travel in the URL: {back}"
    );

    let path = back.trim_start_matches("http://hindsight.test");
    let page = app.get(path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Email must look like name@example.com"),
        "{}",
        page.body
    );
    for kept in [
        "value=\"ada\"",
        "value=\"Ada Lövelace\"",
        "value=\"ada@example\"",
    ] {
        assert!(page.body.contains(kept), "{kept} missing");
    }
    assert!(!page.body.contains(PASSWORD));

    // Once the form goes through, the typed values leave the URL.
    let fixed: Vec<_> = form
        .iter()
        .map(|&(k, v)| (k, if k == "email" { "ada@example.com" } else { v }))
        .collect();
    let accepted = app.post_form("setup", &fixed, None, path).await;
    assert_eq!(accepted.location(), Some("/"));
}

/// A built site as a release build leaves it: a chunk named by its content, with a brotli copy
/// made at build time; a main JS whose name no longer matches what it holds (cargo-leptos names
/// it before it writes the chunk loader's name into it); wasm-bindgen's snippets.
fn built_site() -> (tempfile::TempDir, String) {
    use base64::Engine;
    use md5::{Digest, Md5};
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(pkg.join("snippets")).unwrap();
    let chunk = "export default 1;\n".repeat(64);
    let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Md5::digest(&chunk));
    let chunk_path = format!("/pkg/chunk_1.{hash}.js");
    std::fs::write(site.path().join(&chunk_path[1..]), &chunk).unwrap();
    std::fs::write(
        site.path().join(format!("{}.br", &chunk_path[1..])),
        "compressed when built",
    )
    .unwrap();
    std::fs::write(
        pkg.join("hindsight.Wq3nWq3nWq3nWq3nWq3nWq.js"),
        "import './b.js';",
    )
    .unwrap();
    std::fs::write(pkg.join("snippets").join("inline0.js"), "export {};\n").unwrap();
    (site, chunk_path)
}

fn site_options(site: &std::path::Path, hash_files: bool) -> leptos::config::LeptosOptions {
    leptos::config::LeptosOptions::builder()
        .output_name("hindsight")
        .site_root(site.to_str().unwrap())
        .hash_files(hash_files)
        .build()
}

async fn fetch(app: &TestApp, path: &str, headers: &[(header::HeaderName, &str)]) -> common::Reply {
    let mut req = Request::get(path).header(header::HOST, "hindsight.test");
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

/// Asks after a file as a browser does for the copy it holds: by its tag and its date.
async fn ask_after(app: &TestApp, path: &str, tag: &str, date: &str) -> common::Reply {
    fetch(
        app,
        path,
        &[
            (header::IF_NONE_MATCH, tag),
            (header::IF_MODIFIED_SINCE, date),
        ],
    )
    .await
}

#[tokio::test]
async fn built_files_named_by_content_are_kept_for_a_year_and_sent_as_compressed_at_build() {
    let (site, chunk) = built_site();
    let app = TestApp::serving(site_options(site.path(), true)).await;
    let br = [(header::ACCEPT_ENCODING, "br, gzip")];

    let js = fetch(&app, &chunk, &br).await;
    assert_eq!(js.status, StatusCode::OK, "{js:?}");
    assert_eq!(
        js.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(js.header("content-encoding"), Some("br"));
    assert_eq!(js.header("vary"), Some("accept-encoding"));
    assert_eq!(
        js.body, "compressed when built",
        "the build's brotli copy, not one made per request"
    );

    // A browser without brotli gets the file compressed on the way.
    let gzip = fetch(&app, &chunk, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));

    // Names that do not say what the file holds are asked after each time, and a browser whose
    // copy is current is told so without the file.
    for path in [
        "/pkg/hindsight.Wq3nWq3nWq3nWq3nWq3nWq.js",
        "/pkg/snippets/inline0.js",
    ] {
        let reply = fetch(&app, path, &br).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {reply:?}");
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
        let modified = reply.header("last-modified").expect("dated").to_string();
        let tag = reply.header("etag").expect("tagged").to_string();
        let again = ask_after(&app, path, &tag, &modified).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}: {again:?}");
        assert_eq!(again.header("cache-control"), Some("no-cache"), "{path}");
    }

    // A file of an earlier build is gone, and its absence is not kept.
    let gone = fetch(&app, "/pkg/chunk_1.AAAAAAAAAAAAAAAAAAAAAA.js", &br).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_browser_keeps_its_copy_of_a_built_file_while_the_content_is_the_same_and_not_a_day_longer()
 {
    let (site, _) = built_site();
    let path = "/pkg/hindsight.Wq3nWq3nWq3nWq3nWq3nWq.js";
    let file = site.path().join(&path[1..]);
    let app = TestApp::serving(site_options(site.path(), true)).await;

    let first = fetch(&app, path, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    let tag = first
        .header("etag")
        .expect("a file says what it holds")
        .to_string();
    let date = first.header("last-modified").expect("dated").to_string();
    let again = ask_after(&app, path, &tag, &date).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{again:?}");
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    assert_eq!(again.header("cache-control"), Some("no-cache"));
    assert_eq!(again.body, "");

    // A new build keeps the file's name and, as a reproducible build or a rollback does, its
    // date; only what it holds changed.
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, "import './c.js';").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let app = TestApp::serving(site_options(site.path(), true)).await;
    let upgraded = ask_after(&app, path, &tag, &date).await;
    assert_eq!(upgraded.status, StatusCode::OK, "{upgraded:?}");
    assert_eq!(upgraded.header("last-modified"), Some(date.as_str()));
    assert_eq!(upgraded.body, "import './c.js';");
    assert_ne!(upgraded.header("etag"), Some(tag.as_str()));
    // A copy kept before files had tags is asked after by its date alone: it is sent whole, as a
    // date no longer earns a 304.
    let by_date = fetch(&app, path, &[(header::IF_MODIFIED_SINCE, &date)]).await;
    assert_eq!(by_date.status, StatusCode::OK, "{by_date:?}");
    assert_eq!(by_date.body, "import './c.js';");
}

#[tokio::test]
async fn built_files_without_hashed_names_are_asked_after_each_time() {
    let (site, chunk) = built_site();
    let app = TestApp::serving(site_options(site.path(), false)).await;
    let js = fetch(&app, &chunk, &[]).await;
    assert_eq!(js.status, StatusCode::OK, "{js:?}");
    assert_eq!(js.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn a_page_at_a_path_with_a_dot_is_never_stored() {
    let app = TestApp::new().await;
    let admin = app.create_first_admin().await;
    let page = app.get("/incidents/1.5", Some(&admin)).await;
    assert_eq!(page.header("cache-control"), Some("no-store"), "{page:?}");
}

/// A site built with `--split` and without hashed names: the manifest of the chunks each group
/// of pages needs, under the name such a build gives it.
fn split_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("__wasm_split_manifest.json"),
        r#"{
            "entry_pages": ["chunk_0", "split_entry_pages"],
            "incident_pages": ["chunk_0", "chunk_1", "split_incident_pages"],
            "incident_form_pages": ["split_incident_form_pages"]
        }"#,
    )
    .unwrap();
    site
}

/// The wasm files a page's `<head>` asks the browser to fetch while it reads the page: the shell
/// and the chunks of the page's group, in order of their names, each as often as it is named.
fn preloaded_wasm(page: &str) -> Vec<String> {
    let head = &page[..page.find("</head>").expect("a head")];
    let mut wasm: Vec<String> = head
        .split("<link ")
        .skip(1)
        .filter(|link| link.contains(r#"rel="preload""#) && link.contains(r#"as="fetch""#))
        .filter_map(|link| {
            let href = link.split(r#"href=""#).nth(1)?;
            Some(href[..href.find('"')?].to_string())
        })
        .collect();
    wasm.sort();
    wasm
}

#[tokio::test]
async fn every_rendering_of_a_page_names_the_chunks_of_its_group_and_only_those() {
    let site = split_site();
    let app = TestApp::serving(site_options(site.path(), false)).await;
    let admin = app.create_first_admin().await;

    for round in 0..20 {
        let login = app.get("/login", None).await;
        assert_eq!(login.status, StatusCode::OK, "{login:?}");
        assert_eq!(
            preloaded_wasm(&login.body),
            [
                "/pkg/chunk_0.wasm",
                "/pkg/hindsight_bg.wasm",
                "/pkg/split_entry_pages.wasm"
            ],
            "render {round} of the sign-in page"
        );

        let incidents = app.get("/incidents", Some(&admin)).await;
        assert_eq!(incidents.status, StatusCode::OK, "{incidents:?}");
        assert_eq!(
            preloaded_wasm(&incidents.body),
            [
                "/pkg/chunk_0.wasm",
                "/pkg/chunk_1.wasm",
                "/pkg/hindsight_bg.wasm",
                "/pkg/split_incident_pages.wasm"
            ],
            "render {round} of the incident list"
        );
        let head = &incidents.body[..incidents.body.find("</head>").unwrap()];
        let loader: Vec<&str> = head
            .split("<link ")
            .filter(|link| link.contains(r#"href="/pkg/__wasm_split.______________________.js""#))
            .collect();
        assert_eq!(loader.len(), 1, "the chunk loader, once: {head}");
        assert!(
            loader[0].contains(r#"rel="modulepreload""#) && loader[0].contains(" nonce=\""),
            "fetched as a script the page's policy allows: {}",
            loader[0]
        );
    }
}
