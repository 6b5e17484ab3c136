//! Test databases (a fresh SQLite file, or a fresh PostgreSQL schema when `TEST_POSTGRES_URL` is
//! set) with the real migrations, and an in-process app to send requests to.
#![allow(dead_code)]

use app::state::{AppState, Clock, Db, Settings};
use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Duration, TimeZone, Utc};
use http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ConnectOptions, ConnectionTrait, Database};
use server::router::{WebConfig, router};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tower::ServiceExt;

pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("hindsight.db").display());
    let db = server::db::connect(&url).await.expect("open sqlite");
    server::db::migrate(&db).await.expect("migrate sqlite");
    TestDb {
        db,
        _dir: Some(dir),
    }
}

/// An existing SQLite file, as the binary left it.
pub async fn sqlite_at(path: &std::path::Path) -> TestDb {
    let url = format!("sqlite://{}", path.display());
    let db = server::db::connect(&url).await.expect("open sqlite");
    server::db::migrate(&db).await.expect("migrate sqlite");
    TestDb { db, _dir: None }
}

/// A fresh schema in the database at `TEST_POSTGRES_URL`, or `None` (said on stderr) when unset.
pub async fn postgres() -> Option<TestDb> {
    let Ok(url) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: PostgreSQL suite (set TEST_POSTGRES_URL to run it)");
        return None;
    };
    let schema = format!("t_{}_{}", std::process::id(), rand_suffix());
    let admin = Database::connect(&url)
        .await
        .expect("connect to TEST_POSTGRES_URL");
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create schema");
    admin.close().await.ok();
    let mut options = ConnectOptions::new(url);
    let search_path = schema.clone();
    options
        .max_connections(4)
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(move |o| o.options([("search_path", search_path.as_str())]));
    let pool = Database::connect(options)
        .await
        .expect("connect to test schema");
    let db = Db::single(pool);
    server::db::migrate(&db).await.expect("migrate postgres");
    Some(TestDb { db, _dir: None })
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicI64 = AtomicI64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Runs one scenario against SQLite and, when configured, PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test]
                async fn sqlite() {
                    let t = $crate::common::sqlite().await;
                    super::$scenario(t.db.clone()).await;
                }
                #[tokio::test]
                async fn postgres() {
                    if let Some(t) = $crate::common::postgres().await {
                        super::$scenario(t.db.clone()).await;
                    }
                }
            }
        )*
    };
}

/// Runs one scenario on an app over SQLite and, when configured, PostgreSQL, its clock at the
/// calling module's `now()`.
#[macro_export]
macro_rules! on_both_apps {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test]
                async fn sqlite() {
                    let app = $crate::common::TestApp::on($crate::common::sqlite().await, super::now()).await;
                    super::$scenario(app).await;
                }
                #[tokio::test]
                async fn postgres() {
                    if let Some(db) = $crate::common::postgres().await {
                        super::$scenario($crate::common::TestApp::on(db, super::now()).await).await;
                    }
                }
            }
        )*
    };
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn new() -> TestClock {
        TestClock(Arc::new(AtomicI64::new(
            Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
                .unwrap()
                .timestamp(),
        )))
    }
    pub fn at(now: DateTime<Utc>) -> TestClock {
        TestClock(Arc::new(AtomicI64::new(now.timestamp())))
    }
    pub fn clock(&self) -> Clock {
        let t = self.0.clone();
        Clock::from_fn(move || DateTime::from_timestamp(t.load(Ordering::SeqCst), 0).unwrap())
    }
    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.load(Ordering::SeqCst), 0).unwrap()
    }
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: TestClock,
    pub web: WebConfig,
    _db: TestDb,
}

pub fn leptos_options() -> leptos::config::LeptosOptions {
    leptos::config::LeptosOptions::builder()
        .output_name("hindsight")
        .site_root("target/site")
        .build()
}

/// Web settings as a plain HTTP install has them.
fn web() -> WebConfig {
    WebConfig {
        secure_cookies: false,
        trust_forwarded_for: false,
        requests_at_once: None,
        metrics: server::metrics::Metrics::new(Default::default()),
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with(web(), Settings::default()).await
    }

    pub async fn with(web: WebConfig, settings: Settings) -> TestApp {
        TestApp::build(
            sqlite().await,
            TestClock::new(),
            web,
            settings,
            leptos_options(),
        )
    }

    /// An app serving the built site under `options.site_root`, as `hindsight serve` does.
    pub async fn serving(options: leptos::config::LeptosOptions) -> TestApp {
        TestApp::build(
            sqlite().await,
            TestClock::new(),
            web(),
            Settings::default(),
            options,
        )
    }

    /// An app on a database of the caller's choosing (SQLite or PostgreSQL), its clock at `now`.
    pub async fn on(t: TestDb, now: DateTime<Utc>) -> TestApp {
        TestApp::on_with(t, now, web()).await
    }

    /// Like `on`, with the caller's web settings.
    pub async fn on_with(t: TestDb, now: DateTime<Utc>, web: WebConfig) -> TestApp {
        TestApp::build(
            t,
            TestClock::at(now),
            web,
            Settings::default(),
            leptos_options(),
        )
    }

    /// A second server on this one's database, as several instances share one PostgreSQL: its
    /// own process state, the same data and sessions. `self` keeps the database, so it must
    /// outlive the other.
    pub fn another_instance(&self) -> TestApp {
        TestApp::build(
            TestDb {
                db: self.state.db.clone(),
                _dir: None,
            },
            self.clock.clone(),
            self.web.clone(),
            self.state.settings.clone(),
            self.state.leptos_options.clone(),
        )
    }

    fn build(
        t: TestDb,
        clock: TestClock,
        web: WebConfig,
        settings: Settings,
        options: leptos::config::LeptosOptions,
    ) -> TestApp {
        let state = AppState::new(t.db.clone(), settings, clock.clock(), options);
        TestApp {
            router: router(state.clone(), &web),
            state,
            clock,
            web,
            _db: t,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        Reply::read(res).await
    }

    /// A JSON API call as a script makes it: a bearer token when given, a JSON body when given.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let reply = self.send(api_request(method, path, token, body, &[])).await;
        (
            reply.status,
            serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// A new API token of the signed-in `cookie`'s account, made as the account page makes it.
    pub async fn api_token(&self, cookie: &str) -> String {
        let made = self
            .call("tokens/create", &[("name", "script")], Some(cookie))
            .await;
        assert_eq!(made.status, StatusCode::OK, "{made:?}");
        serde_json::from_str::<serde_json::Value>(&made.body).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header(header::HOST, "hindsight.test");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A server function called as the hydrated app calls it (the answer is data, not a redirect).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::HOST, "hindsight.test")
            .header(header::ORIGIN, "http://hindsight.test")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(encode(form))).unwrap()).await
    }

    /// A server function called by a plain HTML form post, as without JavaScript.
    pub async fn post_form(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        referer: &str,
    ) -> Reply {
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::HOST, "hindsight.test")
            .header(header::ORIGIN, "http://hindsight.test")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("http://hindsight.test{referer}"));
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(encode(form))).unwrap()).await
    }

    pub async fn create_first_admin(&self) -> String {
        let reply = self
            .post_form(
                "setup",
                &[
                    ("username", "ada"),
                    ("display_name", "Ada Admin"),
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
                None,
                "/setup",
            )
            .await;
        assert_eq!(
            reply.location(),
            Some("/"),
            "setup should lead home: {reply:?}"
        );
        reply
            .session_cookie(&self.web)
            .expect("setup signs the admin in")
    }

    pub async fn create_user(&self, admin_cookie: &str, username: &str, role: &str) {
        let reply = self
            .call(
                "admin/create_user",
                &[
                    ("username", username),
                    ("display_name", &format!("{username} Example")),
                    ("email", &format!("{username}@example.com")),
                    ("role", role),
                    ("password", PASSWORD),
                ],
                Some(admin_cookie),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    }

    pub async fn login(&self, username: &str, password: &str, cookie: Option<&str>) -> Reply {
        self.post_form(
            "login",
            &[("username", username), ("password", password), ("next", "")],
            cookie,
            "/login",
        )
        .await
    }

    pub async fn login_cookie(&self, username: &str) -> String {
        let reply = self.login(username, PASSWORD, None).await;
        reply
            .session_cookie(&self.web)
            .unwrap_or_else(|| panic!("{username} could not sign in: {reply:?}"))
    }
}

/// A request to the JSON API, with a bearer token and a JSON body when given.
pub fn api_request(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
    headers: &[(&str, String)],
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "hindsight.test");
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    match body {
        Some(body) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap()
}

pub fn encode(form: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish()
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    async fn read(res: Response<Body>) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The full `Set-Cookie` line for the session cookie, if one was set.
    pub fn set_cookie(&self, web: &WebConfig) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{}=", web.cookie_name())))
            .map(str::to_string)
    }

    /// `name=value` of the session cookie, ready for a `Cookie` header.
    pub fn session_cookie(&self, web: &WebConfig) -> Option<String> {
        let line = self.set_cookie(web)?;
        let pair = line.split(';').next()?.to_string();
        (!pair.ends_with('=')).then_some(pair)
    }
}
