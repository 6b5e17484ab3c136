//! Who is asking: the account behind a request's session, with the idle and absolute timeouts
//! enforced here on the server, and the one-line role check every server function starts with.

use crate::domain::Role;
use crate::entities::user;
use crate::error::AppError;
use crate::request::ClientIp;
use crate::services::accounts;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use leptos::prelude::use_context;
use tower_sessions::Session;

const USER_ID: &str = "user_id";
const EPOCH: &str = "session_epoch";
const STARTED: &str = "started_at";
const SEEN: &str = "seen_at";

/// Refreshing the last-seen time costs a write, so it is done at most this often (seconds).
const SEEN_RESOLUTION: i64 = 60;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// IANA zone name; times are shown and read in it.
    pub time_zone: String,
    /// How many of this person's notices were unread when the request began, when the account
    /// was read with them (a request signed in by a session).
    pub unread_notices: Option<u64>,
}

impl CurrentUser {
    /// The zone this person reads and enters times in; UTC if the stored name is unknown.
    pub fn zone(&self) -> chrono_tz::Tz {
        crate::domain::time::parse_zone(&self.time_zone).unwrap_or(chrono_tz::UTC)
    }

    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role.includes(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl From<&user::Model> for CurrentUser {
    fn from(u: &user::Model) -> Self {
        CurrentUser {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: accounts::role_of(u),
            time_zone: u.time_zone.clone(),
            unread_notices: None,
        }
    }
}

fn session_err(err: tower_sessions::session::Error) -> AppError {
    AppError::internal(err)
}

/// The signed-in account of this session, or `None` when nobody is signed in or the session has
/// run out, its account was disabled, or its password changed since.
pub async fn user_for_session(
    state: &AppState,
    session: &Session,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(user_id) = session.get::<i64>(USER_ID).await.map_err(session_err)? else {
        return Ok(None);
    };
    let epoch = session
        .get::<i64>(EPOCH)
        .await
        .map_err(session_err)?
        .unwrap_or(-1);
    let started = session
        .get::<i64>(STARTED)
        .await
        .map_err(session_err)?
        .unwrap_or(0);
    let seen = session
        .get::<i64>(SEEN)
        .await
        .map_err(session_err)?
        .unwrap_or(0);
    let now = state.clock.now().timestamp();
    let idle = state.settings.session_idle.as_secs() as i64;
    let absolute = state.settings.session_absolute.as_secs() as i64;
    if now - seen > idle || now - started > absolute {
        session.flush().await.map_err(session_err)?;
        return Ok(None);
    }
    let (user, unread) = match accounts::find_with_unread(state.db.read(), user_id).await? {
        Some((u, unread)) if !u.disabled && u.session_epoch == epoch => (u, unread),
        _ => {
            session.flush().await.map_err(session_err)?;
            return Ok(None);
        }
    };
    if now - seen >= SEEN_RESOLUTION {
        session.insert(SEEN, now).await.map_err(session_err)?;
    }
    Ok(Some(CurrentUser {
        unread_notices: Some(unread),
        ..CurrentUser::from(&user)
    }))
}

/// Signs an account in on this session, under a new session id.
pub async fn start_session(
    session: &Session,
    user: &user::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    session
        .insert(USER_ID, user.id)
        .await
        .map_err(session_err)?;
    session
        .insert(EPOCH, user.session_epoch)
        .await
        .map_err(session_err)?;
    session
        .insert(STARTED, now.timestamp())
        .await
        .map_err(session_err)?;
    session
        .insert(SEEN, now.timestamp())
        .await
        .map_err(session_err)?;
    Ok(())
}

/// Keeps this session valid after its account's epoch moved on (own password change).
pub async fn adopt_epoch(session: &Session, user: &user::Model) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    session
        .insert(EPOCH, user.session_epoch)
        .await
        .map_err(session_err)
}

pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_err)
}

// What follows runs inside a server function, where the request is in the reactive context.

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState is missing from the context"))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(AppError::internal)
}

pub fn client_ip() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientIp>().cloned())
        .map(|ip| ip.0)
        .unwrap_or_else(|| "unknown".into())
}

pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    // A page request was already checked by the server's sign-in gate, which left the answer.
    if let Some(user) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
    {
        return Ok(Some(user));
    }
    user_for_session(&state()?, &session().await?).await
}

/// The signed-in account, if its role includes `role`.
pub async fn require(role: Role) -> Result<CurrentUser, AppError> {
    let user = current_user().await?.ok_or(AppError::Unauthenticated)?;
    user.require(role)?;
    Ok(user)
}

/// Whether this server function was called by a form posted without JavaScript: its answer is
/// then a redirect back to the page, so the page never sees what it returned.
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// The session key under which secrets made by forms posted without JavaScript wait for the
/// page the browser is sent back to.
pub const SHOWN_ONCE: &str = "shown_once";

/// Secrets waiting to be shown, by kind. The server moves them out of the session into the
/// request of the next page the browser loads, so that page shows them and no later one does.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ShownOnce(pub std::collections::HashMap<String, serde_json::Value>);

/// Keeps a secret just made by a form posted without JavaScript for the page the browser is sent
/// back to ([`shown_once`]). With JavaScript the page has the server function's answer, and
/// nothing is kept.
pub async fn keep_shown_once<T: serde::Serialize>(kind: &str, value: &T) -> Result<(), AppError> {
    if !is_plain_form_post() {
        return Ok(());
    }
    let session = session().await?;
    let mut waiting: ShownOnce = session
        .get(SHOWN_ONCE)
        .await
        .map_err(session_err)?
        .unwrap_or_default();
    waiting.0.insert(
        kind.to_string(),
        serde_json::to_value(value).map_err(AppError::internal)?,
    );
    session
        .insert(SHOWN_ONCE, waiting)
        .await
        .map_err(session_err)
}

/// The secret of `kind` this page request brought with it, if any.
pub fn shown_once<T: serde::de::DeserializeOwned>(kind: &str) -> Option<T> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ShownOnce>().cloned())
        .and_then(|waiting| waiting.0.get(kind).cloned())
        .and_then(|value| serde_json::from_value(value).ok())
}

/// Gives a server function's failure its HTTP status, except for plain form posts, which
/// are answered with a redirect back to the form carrying the error.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        let form_post = is_plain_form_post();
        if !form_post && let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(
                http::StatusCode::from_u16(err.status_code())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}
