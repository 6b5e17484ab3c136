//! Accounts: creating them, signing in, passwords, roles and disabling.

use crate::domain::account::{PersonRef, person_label};
use crate::domain::suggest;
use crate::domain::{DisplayName, Email, NewPassword, Role, Username};
use crate::entities::user;
use crate::error::AppError;
use crate::services::{login_throttle, passwords};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{DbBackend, QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait};

#[derive(Clone, Debug)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Email,
    pub password: NewPassword,
    pub role: Role,
}

pub fn role_of(user: &user::Model) -> Role {
    // The column only ever holds names written by this module.
    Role::parse(&user.role).unwrap_or(Role::Viewer)
}

pub async fn count_users(db: &DatabaseConnection) -> Result<u64, AppError> {
    Ok(user::Entity::find().count(db).await?)
}

pub async fn find(db: &DatabaseConnection, id: i64) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// The account with `id` and how many of its notices are unread, in one query: what every page a
/// signed-in person opens reads first.
pub async fn find_with_unread(
    db: &DatabaseConnection,
    id: i64,
) -> Result<Option<(user::Model, u64)>, AppError> {
    use crate::entities::notice;
    use sea_orm::sea_query::{Expr, ExprTrait, SubQueryStatement};
    use sea_orm::{FromQueryResult, QuerySelect, QueryTrait};
    let unread = crate::services::notices::unread_of(id)
        .select_only()
        .expr(Expr::col((notice::Entity, notice::Column::Id)).count())
        .into_query();
    let statement = user::Entity::find_by_id(id)
        .column_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::from(unread))),
            "unread_notices",
        )
        .build(db.get_database_backend());
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let unread: i64 = row.try_get("", "unread_notices")?;
    Ok(Some((
        user::Model::from_query_result(&row, "")?,
        u64::try_from(unread).unwrap_or(0),
    )))
}

pub async fn find_by_username(
    db: &DatabaseConnection,
    username: &Username,
) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .one(db)
        .await?)
}

/// One page of accounts in username order, starting after `after`.
pub async fn list(
    db: &DatabaseConnection,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<user::Model>, AppError> {
    let mut query = user::Entity::find().order_by_asc(user::Column::Username);
    if let Some(after) = after {
        query = query.filter(user::Column::Username.gt(after));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Display names of the accounts `ids`, disabled ones too (a history still names them).
pub async fn display_names(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let rows: Vec<(i64, String)> = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::DisplayName])
        .filter(user::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Everyone who can be given work: active accounts that may change items (not viewers), as
/// (id, display name), by name.
pub async fn people(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, AppError> {
    Ok(assignable(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

/// Someone who can be given work, as a picker shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignable {
    pub id: i64,
    pub name: String,
    pub username: String,
}

/// Everyone who can be given work, by name. An organisation has thousands of people at most, so
/// they are matched here rather than in SQL, where SQLite's `lower` knows only ASCII.
async fn assignable(db: &impl ConnectionTrait) -> Result<Vec<Assignable>, AppError> {
    let rows: Vec<(i64, String, String)> = user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::DisplayName,
            user::Column::Username,
        ])
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Role.ne(crate::domain::Role::Viewer.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let mut people: Vec<(String, Assignable)> = rows
        .into_iter()
        .map(|(id, name, username)| (name.to_lowercase(), Assignable { id, name, username }))
        .collect();
    people.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    Ok(people.into_iter().map(|(_, p)| p).collect())
}

/// Up to `limit` people who can be given work whose name or username holds `query`, ignoring
/// case: names that start with it first, then names with a word that does, then the rest; by
/// name within each. An empty query gives the first by name.
pub async fn find_people(
    db: &impl ConnectionTrait,
    query: &str,
    limit: usize,
) -> Result<Vec<Assignable>, AppError> {
    Ok(suggest::best(
        assignable(db).await?,
        |p| vec![p.name.as_str(), p.username.as_str()],
        query,
        limit,
    ))
}

/// The person a typed owner field names (see [`PersonRef`]), for the complaint about `field`.
/// A name must be the username or the display name, ignoring case, of exactly one person who can
/// be given work. An id is passed on as it is: whoever takes it checks that person.
pub async fn assignee(
    db: &impl ConnectionTrait,
    field: &str,
    label: &str,
    typed: &str,
) -> Result<Option<i64>, AppError> {
    let (username, name) = match PersonRef::parse(typed) {
        PersonRef::Nobody => return Ok(None),
        PersonRef::Id(id) => return Ok(Some(id)),
        PersonRef::Label { username, whole } => (username.to_string(), whole),
        PersonRef::Name(name) => (name.to_lowercase(), name),
    };
    let people = assignable(db).await?;
    if let Some(p) = people.iter().find(|p| p.username == username) {
        return Ok(Some(p.id));
    }
    let lowered = name.to_lowercase();
    let named: Vec<&Assignable> = people
        .iter()
        .filter(|p| p.name.to_lowercase() == lowered)
        .collect();
    match named.as_slice() {
        [one] => Ok(Some(one.id)),
        [] => Err(AppError::validation(
            field,
            label,
            format!(
                "names no one who can be given items (“{name}”): type part of a name and pick \
                 from the suggestions"
            ),
        )),
        _ => Err(AppError::validation(
            field,
            label,
            format!(
                "could be any of {} people called “{name}”: pick one from the suggestions, or \
                 type a username",
                named.len()
            ),
        )),
    }
}

/// A person as a picker shows them ([`person_label`]), if the account exists.
pub async fn label_of(db: &impl ConnectionTrait, id: i64) -> Result<Option<String>, AppError> {
    let row: Option<(String, String)> = user::Entity::find_by_id(id)
        .select_only()
        .columns([user::Column::DisplayName, user::Column::Username])
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map(|(name, username)| person_label(&name, &username)))
}

fn taken() -> AppError {
    AppError::validation("username", "Username", "is already taken")
}

async fn insert(
    db: &impl ConnectionTrait,
    account: NewAccount,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let exists = user::Entity::find()
        .filter(user::Column::Username.eq(account.username.as_str()))
        .count(db)
        .await?;
    if exists > 0 {
        return Err(taken());
    }
    user::ActiveModel {
        username: Set(account.username.as_str().to_string()),
        display_name: Set(account.display_name.as_str().to_string()),
        email: Set(account.email.as_str().to_string()),
        password_hash: Set(password_hash),
        role: Set(account.role.as_str().to_string()),
        disabled: Set(false),
        session_epoch: Set(0),
        created_at: Set(now),
        last_login_at: Set(None),
        time_zone: Set("UTC".to_string()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => taken(),
        _ => AppError::internal(err),
    })
}

#[tracing::instrument(skip_all, fields(username = %account.username, role = %account.role))]
pub async fn create(
    db: &DatabaseConnection,
    account: NewAccount,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let hash = passwords::hash(account.password.expose().to_string()).await?;
    let created = insert(db, account, hash, now).await?;
    tracing::info!(user_id = created.id, "account created");
    Ok(created)
}

/// Creates the first account, an admin, only while there is none.
#[tracing::instrument(skip_all, fields(username = %account.username))]
pub async fn create_first_admin(
    db: &DatabaseConnection,
    mut account: NewAccount,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    account.role = Role::Admin;
    let hash = passwords::hash(account.password.expose().to_string()).await?;
    let txn = db.begin().await?;
    // Two set-up forms sent at once must not both find no users. SQLite's single writer
    // already serialises this; PostgreSQL needs the table locked for the check.
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    if user::Entity::find().count(&txn).await? > 0 {
        return Err(AppError::Forbidden);
    }
    let created = insert(&txn, account, hash, now).await?;
    txn.commit().await?;
    tracing::info!(user_id = created.id, "first admin created");
    Ok(created)
}

/// Checks a sign-in. Unknown usernames and wrong passwords fail alike and take alike long.
#[tracing::instrument(skip(db, password))]
pub async fn authenticate(
    db: &DatabaseConnection,
    username: &str,
    password: String,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let name = username.trim().to_lowercase();
    login_throttle::attempt(db, &name, client_ip, now).await?;
    let found = match Username::parse(&name) {
        Ok(parsed) => find_by_username(db, &parsed).await?,
        Err(_) => None,
    };
    let stored = found.as_ref().map(|u| u.password_hash.clone());
    let ok = passwords::verify(password.clone(), stored).await?;
    let user = match (ok, found) {
        (true, Some(user)) => user,
        _ => {
            tracing::info!("sign-in refused");
            return Err(AppError::BadCredentials);
        }
    };
    login_throttle::succeeded(db, &name).await?;
    if user.disabled {
        return Err(AppError::AccountDisabled);
    }
    let outdated = passwords::outdated(&user.password_hash);
    let mut active: user::ActiveModel = user.into();
    active.last_login_at = Set(Some(now));
    if outdated {
        // The password is at hand only now: hash it again with today's settings. Not a change
        // of password, so the account's sessions stay.
        active.password_hash = Set(passwords::hash(password).await?);
    }
    Ok(active.update(db).await?)
}

/// Changes one's own password; every other session of the account ends. Returns the account
/// with its new session epoch, which the current session takes on.
/// Changes the zone `user_id` reads and enters times in; `zone` is a valid IANA name.
pub async fn set_time_zone(
    db: &DatabaseConnection,
    user_id: i64,
    zone: &str,
) -> Result<(), AppError> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::TimeZone, Expr::value(zone))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[tracing::instrument(skip(db, current, new))]
pub async fn change_own_password(
    db: &DatabaseConnection,
    user_id: i64,
    current: String,
    new: NewPassword,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let user = find(db, user_id).await?.ok_or(AppError::Unauthenticated)?;
    // Someone holding a stolen session must not get unlimited guesses at the password.
    login_throttle::attempt(db, &user.username, client_ip, now).await?;
    if !passwords::verify(current, Some(user.password_hash.clone())).await? {
        return Err(AppError::validation(
            "current_password",
            "Current password",
            "is not right",
        ));
    }
    login_throttle::succeeded(db, &user.username).await?;
    let hash = passwords::hash(new.expose().to_string()).await?;
    let epoch = user.session_epoch + 1;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.session_epoch = Set(epoch);
    Ok(active.update(db).await?)
}

async fn someone_else(
    db: &DatabaseConnection,
    actor_id: i64,
    user_id: i64,
    what: &str,
) -> Result<user::Model, AppError> {
    if actor_id == user_id {
        return Err(AppError::validation(
            "user_id",
            "Your own account",
            format!("cannot be {what} by yourself; ask another admin"),
        ));
    }
    find(db, user_id).await?.ok_or(AppError::NotFound)
}

#[tracing::instrument(skip(db))]
pub async fn set_role(
    db: &DatabaseConnection,
    actor_id: i64,
    user_id: i64,
    role: Role,
) -> Result<user::Model, AppError> {
    let user = someone_else(db, actor_id, user_id, "given another role").await?;
    let mut active: user::ActiveModel = user.into();
    active.role = Set(role.as_str().to_string());
    Ok(active.update(db).await?)
}

/// Disables or enables an account; disabling ends its sessions at once.
#[tracing::instrument(skip(db))]
pub async fn set_disabled(
    db: &DatabaseConnection,
    actor_id: i64,
    user_id: i64,
    disabled: bool,
) -> Result<user::Model, AppError> {
    let user = someone_else(db, actor_id, user_id, "disabled").await?;
    let epoch = user.session_epoch + i64::from(disabled);
    let mut active: user::ActiveModel = user.into();
    active.disabled = Set(disabled);
    active.session_epoch = Set(epoch);
    Ok(active.update(db).await?)
}

/// Sets a new password on an account, ending its sessions: for the command line, where whoever
/// runs it holds the database anyway.
#[tracing::instrument(skip(db, password), fields(user = %user.username))]
pub async fn set_password(
    db: &DatabaseConnection,
    user: user::Model,
    password: NewPassword,
) -> Result<user::Model, AppError> {
    let hash = passwords::hash(password.expose().to_string()).await?;
    let epoch = user.session_epoch + 1;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.session_epoch = Set(epoch);
    Ok(active.update(db).await?)
}

/// Sets a new password on someone else's account, ending its sessions.
#[tracing::instrument(skip(db, password))]
pub async fn reset_password(
    db: &DatabaseConnection,
    actor_id: i64,
    user_id: i64,
    password: NewPassword,
) -> Result<user::Model, AppError> {
    let user = someone_else(db, actor_id, user_id, "reset").await?;
    let hash = passwords::hash(password.expose().to_string()).await?;
    let epoch = user.session_epoch + 1;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.session_epoch = Set(epoch);
    Ok(active.update(db).await?)
}
