//! Signing in and out, the first admin, one's own password, and the admin's account management.

use crate::domain::Role;
#[cfg(feature = "ssr")]
use crate::domain::links::safe_next;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::{DisplayName, Email, NewPassword, Username},
    entities::user,
    services::accounts::{self, NewAccount},
};

/// The signed-in person, as the browser needs to know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub time_zone: String,
    /// Inbox notices not read yet, for the badge in the header.
    pub unread_notices: u64,
}

/// One account as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserRow>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next_after: Option<String>,
}

pub const USERS_PER_PAGE: u64 = 50;

#[cfg(feature = "ssr")]
impl From<&user::Model> for UserRow {
    fn from(u: &user::Model) -> Self {
        UserRow {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            role: accounts::role_of(u),
            disabled: u.disabled,
            created_at: u.created_at,
            last_login_at: u.last_login_at,
        }
    }
}

#[cfg(feature = "ssr")]
fn parse_new_password(password: &str, confirm: Option<&str>) -> Result<NewPassword, AppError> {
    let parsed = AppError::check("password", "Password", NewPassword::parse(password))?;
    if confirm.is_some_and(|c| c != password) {
        return Err(AppError::validation(
            "password_confirm",
            "Password confirmation",
            "does not match the password",
        ));
    }
    Ok(parsed)
}

#[cfg(feature = "ssr")]
fn parse_new_account(
    username: &str,
    display_name: &str,
    email: &str,
    role: &str,
    password: &str,
    password_confirm: Option<&str>,
) -> Result<NewAccount, AppError> {
    Ok(NewAccount {
        username: AppError::check("username", "Username", Username::parse(username))?,
        display_name: AppError::check(
            "display_name",
            "Display name",
            DisplayName::parse(display_name),
        )?,
        email: AppError::check("email", "Email", Email::parse(email))?,
        role: AppError::check("role", "Role", Role::parse(role))?,
        password: parse_new_password(password, password_confirm)?,
    })
}

#[server(endpoint = "me")]
pub async fn who_am_i() -> Result<Option<Me>, AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            let Some(u) = auth::current_user().await? else {
                return Ok(None);
            };
            let unread_notices = match u.unread_notices {
                Some(n) => n,
                None => crate::services::notices::unread_count(state.db.read(), u.id).await?,
            };
            Ok(Some(Me {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                role: u.role,
                time_zone: u.time_zone,
                unread_notices,
            }))
        }
        .await,
    )
}

/// Whether the first admin still has to be created.
#[server(endpoint = "needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    auth::respond(async { Ok(!auth::state()?.users_exist().await?) }.await)
}

#[server(endpoint = "setup")]
pub async fn setup_first_admin(
    username: String,
    display_name: String,
    email: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            if state.users_exist().await? {
                return Err(AppError::Forbidden);
            }
            let account = parse_new_account(
                &username,
                &display_name,
                &email,
                "admin",
                &password,
                Some(&password_confirm),
            )?;
            let now = state.clock.now();
            let admin = accounts::create_first_admin(state.db.write(), account, now).await?;
            auth::start_session(&auth::session().await?, &admin, now).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    auth::respond(
        async {
            let state = auth::state()?;
            if username.trim().is_empty() {
                return Err(AppError::validation("username", "Username", "is required"));
            }
            if password.is_empty() {
                return Err(AppError::validation("password", "Password", "is required"));
            }
            let now = state.clock.now();
            let user = accounts::authenticate(
                state.db.write(),
                &username,
                password,
                &auth::client_ip(),
                now,
            )
            .await?;
            auth::start_session(&auth::session().await?, &user, now).await?;
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    auth::respond(
        async {
            auth::end_session(&auth::session().await?).await?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirm: String,
) -> Result<(), AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let new = AppError::check(
                "new_password",
                "New password",
                NewPassword::parse(&new_password),
            )?;
            if new_password != new_password_confirm {
                return Err(AppError::validation(
                    "new_password_confirm",
                    "Password confirmation",
                    "does not match the new password",
                ));
            }
            let state = auth::state()?;
            let user = accounts::change_own_password(
                state.db.write(),
                me.id,
                current_password,
                new,
                &auth::client_ip(),
                state.clock.now(),
            )
            .await?;
            auth::adopt_epoch(&auth::session().await?, &user).await?;
            Ok(())
        }
        .await,
    )
}

/// The zone names a person can pick from.
#[server(endpoint = "time_zones")]
pub async fn time_zones() -> Result<Vec<String>, AppError> {
    auth::respond(
        async {
            auth::require(Role::Viewer).await?;
            Ok(crate::domain::time::zone_names()
                .map(str::to_string)
                .collect())
        }
        .await,
    )
}

#[server(endpoint = "set_time_zone")]
pub async fn set_time_zone(time_zone: String) -> Result<String, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let zone = AppError::check(
                "time_zone",
                "Time zone",
                crate::domain::time::parse_zone(&time_zone),
            )?;
            let state = auth::state()?;
            accounts::set_time_zone(state.db.write(), me.id, zone.name()).await?;
            Ok(zone.name().to_string())
        }
        .await,
    )
}

#[server(endpoint = "admin/users")]
pub async fn list_users(after: Option<String>) -> Result<UserPage, AppError> {
    auth::respond(
        async {
            auth::require(Role::Admin).await?;
            let state = auth::state()?;
            let mut rows =
                accounts::list(state.db.read(), after.as_deref(), USERS_PER_PAGE + 1).await?;
            let next_after = if rows.len() as u64 > USERS_PER_PAGE {
                rows.truncate(USERS_PER_PAGE as usize);
                rows.last().map(|u| u.username.clone())
            } else {
                None
            };
            Ok(UserPage {
                users: rows.iter().map(UserRow::from).collect(),
                next_after,
            })
        }
        .await,
    )
}

#[server(endpoint = "admin/create_user")]
pub async fn create_user(
    username: String,
    display_name: String,
    email: String,
    role: String,
    password: String,
) -> Result<UserRow, AppError> {
    auth::respond(
        async {
            auth::require(Role::Admin).await?;
            let account =
                parse_new_account(&username, &display_name, &email, &role, &password, None)?;
            let state = auth::state()?;
            let created = accounts::create(state.db.write(), account, state.clock.now()).await?;
            Ok(UserRow::from(&created))
        }
        .await,
    )
}

#[server(endpoint = "admin/set_role")]
pub async fn set_role(user_id: i64, role: String) -> Result<UserRow, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Admin).await?;
            let role = AppError::check("role", "Role", Role::parse(&role))?;
            let updated =
                accounts::set_role(auth::state()?.db.write(), me.id, user_id, role).await?;
            Ok(UserRow::from(&updated))
        }
        .await,
    )
}

#[server(endpoint = "admin/set_disabled")]
pub async fn set_disabled(user_id: i64, disabled: bool) -> Result<UserRow, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Admin).await?;
            let updated =
                accounts::set_disabled(auth::state()?.db.write(), me.id, user_id, disabled).await?;
            Ok(UserRow::from(&updated))
        }
        .await,
    )
}

#[server(endpoint = "admin/reset_password")]
pub async fn reset_password(user_id: i64, password: String) -> Result<UserRow, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Admin).await?;
            let password =
                AppError::check("password", "New password", NewPassword::parse(&password))?;
            let updated =
                accounts::reset_password(auth::state()?.db.write(), me.id, user_id, password)
                    .await?;
            Ok(UserRow::from(&updated))
        }
        .await,
    )
}
