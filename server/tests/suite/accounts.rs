//! Account services on a real database with the real migrations.

use crate::common;

use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::error::AppError;
use app::services::accounts::{self, NewAccount};
use app::services::login_throttle;
use app::state::Db;
use chrono::{Duration, TimeZone, Utc};
use server::sessions::DbSessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

fn account(username: &str, role: Role) -> NewAccount {
    NewAccount {
        username: Username::parse(username).unwrap(),
        display_name: DisplayName::parse(&format!("{username} Example")).unwrap(),
        email: Email::parse(&format!("{username}@example.com")).unwrap(),
        password: NewPassword::parse(common::PASSWORD).unwrap(),
        role,
    }
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

async fn the_first_admin_can_be_created_once(db: Db) {
    let db = db.write();
    assert_eq!(accounts::count_users(db).await.unwrap(), 0);
    let admin = accounts::create_first_admin(db, account("ada", Role::Viewer), t0())
        .await
        .unwrap();
    assert_eq!(admin.role, "admin", "the first account is always an admin");
    let again = accounts::create_first_admin(db, account("eve", Role::Admin), t0()).await;
    assert_eq!(again.unwrap_err(), AppError::Forbidden);
    assert_eq!(accounts::count_users(db).await.unwrap(), 1);
}

async fn usernames_are_unique_whatever_their_case(db: Db) {
    accounts::create(db.write(), account("bob", Role::Engineer), t0())
        .await
        .unwrap();
    let mut twin = account("bob", Role::Viewer);
    twin.username = Username::parse("BOB").unwrap();
    let err = accounts::create(db.write(), twin, t0()).await.unwrap_err();
    assert_eq!(
        err.for_field("username").as_deref(),
        Some("Username is already taken")
    );
}

async fn sign_in_checks_the_password(db: Db) {
    let db = db.write();
    accounts::create(db, account("carol", Role::Engineer), t0())
        .await
        .unwrap();
    let wrong =
        accounts::authenticate(db, "carol", "not the password".into(), "10.0.0.1", t0()).await;
    assert_eq!(wrong.unwrap_err(), AppError::BadCredentials);
    let unknown =
        accounts::authenticate(db, "nobody", common::PASSWORD.into(), "10.0.0.1", t0()).await;
    assert_eq!(
        unknown.unwrap_err(),
        AppError::BadCredentials,
        "unknown users fail like wrong passwords"
    );
    let ok = accounts::authenticate(db, " Carol ", common::PASSWORD.into(), "10.0.0.1", t0())
        .await
        .unwrap();
    assert_eq!(ok.last_login_at, Some(t0()));
}

/// An account whose password was hashed with earlier, costlier settings gets today's at its next
/// sign-in, keeps signing in with the same password, and keeps its sessions.
async fn an_older_password_hash_is_made_again_at_sign_in(db: Db) {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let db = db.write();
    let gus = accounts::create(db, account("gus", Role::Engineer), t0())
        .await
        .unwrap();
    let earlier = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).unwrap(),
    );
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let old_hash = earlier
        .hash_password(common::PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    app::entities::user::Entity::update_many()
        .col_expr(
            app::entities::user::Column::PasswordHash,
            Expr::value(old_hash.clone()),
        )
        .filter(app::entities::user::Column::Id.eq(gus.id))
        .exec(db)
        .await
        .unwrap();
    let stored = || async {
        app::entities::user::Entity::find_by_id(gus.id)
            .one(db)
            .await
            .unwrap()
            .unwrap()
    };

    let wrong = accounts::authenticate(db, "gus", "not it".into(), "10.0.0.4", t0()).await;
    assert_eq!(wrong.unwrap_err(), AppError::BadCredentials);
    assert_eq!(
        stored().await.password_hash,
        old_hash,
        "a wrong password changes nothing"
    );

    accounts::authenticate(db, "gus", common::PASSWORD.into(), "10.0.0.4", t0())
        .await
        .unwrap();
    let after = stored().await;
    assert!(
        after
            .password_hash
            .starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
        "{}",
        after.password_hash
    );
    assert_eq!(after.session_epoch, gus.session_epoch, "sessions stay");
    accounts::authenticate(db, "gus", common::PASSWORD.into(), "10.0.0.4", t0())
        .await
        .expect("the same password still signs in");
    assert_eq!(
        stored().await.password_hash,
        after.password_hash,
        "made once"
    );
}

async fn disabled_accounts_cannot_sign_in(db: Db) {
    let db = db.write();
    let admin = accounts::create(db, account("ada", Role::Admin), t0())
        .await
        .unwrap();
    let dan = accounts::create(db, account("dan", Role::Viewer), t0())
        .await
        .unwrap();
    let disabled = accounts::set_disabled(db, admin.id, dan.id, true)
        .await
        .unwrap();
    assert!(disabled.disabled);
    assert!(
        disabled.session_epoch > dan.session_epoch,
        "disabling ends sessions"
    );
    let res = accounts::authenticate(db, "dan", common::PASSWORD.into(), "10.0.0.1", t0()).await;
    assert_eq!(res.unwrap_err(), AppError::AccountDisabled);
    accounts::set_disabled(db, admin.id, dan.id, false)
        .await
        .unwrap();
    assert!(
        accounts::authenticate(db, "dan", common::PASSWORD.into(), "10.0.0.1", t0())
            .await
            .is_ok()
    );
}

async fn repeated_failures_lock_the_account_for_a_while(db: Db) {
    let db = db.write();
    accounts::create(db, account("erin", Role::Engineer), t0())
        .await
        .unwrap();
    for i in 0..login_throttle::MAX_PER_ACCOUNT {
        let at = t0() + Duration::seconds(i as i64);
        let res = accounts::authenticate(db, "erin", "guess".into(), "10.0.0.2", at).await;
        assert_eq!(res.unwrap_err(), AppError::BadCredentials);
    }
    let locked = accounts::authenticate(
        db,
        "erin",
        common::PASSWORD.into(),
        "10.0.0.3",
        t0() + Duration::minutes(1),
    )
    .await;
    match locked.unwrap_err() {
        AppError::TooManyRequests { retry_after_secs } => assert_eq!(retry_after_secs, 14 * 60),
        other => panic!("expected a lock-out, got {other:?}"),
    }
    let later = t0() + login_throttle::WINDOW + Duration::seconds(10);
    assert!(
        accounts::authenticate(db, "erin", common::PASSWORD.into(), "10.0.0.3", later)
            .await
            .is_ok()
    );
}

async fn one_address_guessing_many_accounts_is_locked_out(db: Db) {
    let db = db.write();
    accounts::create(db, account("fay", Role::Engineer), t0())
        .await
        .unwrap();
    for i in 0..login_throttle::MAX_PER_ADDRESS {
        let _ =
            accounts::authenticate(db, &format!("user{i}"), "guess".into(), "10.9.9.9", t0()).await;
    }
    let res = accounts::authenticate(db, "fay", common::PASSWORD.into(), "10.9.9.9", t0()).await;
    assert!(
        matches!(res, Err(AppError::TooManyRequests { .. })),
        "{res:?}"
    );
    assert!(
        accounts::authenticate(db, "fay", common::PASSWORD.into(), "10.1.1.1", t0())
            .await
            .is_ok()
    );
    assert!(
        login_throttle::prune(db, t0() + Duration::hours(1))
            .await
            .unwrap()
            >= login_throttle::MAX_PER_ADDRESS
    );
}

async fn changing_a_password_needs_the_current_one(db: Db) {
    let db = db.write();
    let gus = accounts::create(db, account("gus", Role::Engineer), t0())
        .await
        .unwrap();
    let new = NewPassword::parse("a whole new passphrase").unwrap();
    let err = accounts::change_own_password(db, gus.id, "wrong".into(), new.clone(), "h", t0())
        .await
        .unwrap_err();
    assert!(err.for_field("current_password").is_some(), "{err:?}");
    let changed =
        accounts::change_own_password(db, gus.id, common::PASSWORD.into(), new, "h", t0())
            .await
            .unwrap();
    assert_eq!(changed.session_epoch, gus.session_epoch + 1);
    assert!(
        accounts::authenticate(db, "gus", "a whole new passphrase".into(), "h", t0())
            .await
            .is_ok()
    );
    assert!(
        accounts::authenticate(db, "gus", common::PASSWORD.into(), "h", t0())
            .await
            .is_err()
    );
}

async fn admins_cannot_demote_or_disable_themselves(db: Db) {
    let db = db.write();
    let admin = accounts::create(db, account("hal", Role::Admin), t0())
        .await
        .unwrap();
    let err = accounts::set_role(db, admin.id, admin.id, Role::Viewer)
        .await
        .unwrap_err();
    assert!(err.for_field("user_id").is_some(), "{err:?}");
    assert!(
        accounts::set_disabled(db, admin.id, admin.id, true)
            .await
            .is_err()
    );
    assert_eq!(
        accounts::set_role(db, admin.id, 999_999, Role::Viewer)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

async fn accounts_list_in_pages(db: Db) {
    for name in ["uma", "ivy", "kim", "jon"] {
        accounts::create(db.write(), account(name, Role::Viewer), t0())
            .await
            .unwrap();
    }
    let first: Vec<_> = accounts::list(db.read(), None, 2)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(first, ["ivy", "jon"]);
    let next: Vec<_> = accounts::list(db.read(), Some("jon"), 2)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(next, ["kim", "uma"]);
}

async fn sessions_are_stored_and_expire(db: Db) {
    let store = DbSessionStore::new(db.clone());
    let future = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let mut record = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: future,
    };
    record.data.insert("user_id".into(), serde_json::json!(7));
    store.create(&mut record).await.unwrap();
    let loaded = store
        .load(&record.id)
        .await
        .unwrap()
        .expect("stored session loads");
    assert_eq!(loaded.data["user_id"], serde_json::json!(7));
    assert_eq!(loaded.expiry_date.unix_timestamp(), future.unix_timestamp());

    record.data.insert("user_id".into(), serde_json::json!(8));
    store.save(&record).await.unwrap();
    assert_eq!(
        store.load(&record.id).await.unwrap().unwrap().data["user_id"],
        serde_json::json!(8)
    );

    let mut stale = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() - time::Duration::seconds(1),
    };
    store.create(&mut stale).await.unwrap();
    assert!(
        store.load(&stale.id).await.unwrap().is_none(),
        "expired sessions do not load"
    );
    assert_eq!(store.delete_expired().await.unwrap(), 1);

    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
    // A request still in flight at sign-out saves its copy: the session must stay gone.
    store.save(&record).await.unwrap();
    assert!(
        store.load(&record.id).await.unwrap().is_none(),
        "a deleted session came back"
    );
}

async fn migrations_can_run_again(db: Db) {
    server::db::migrate(&db)
        .await
        .expect("a second run is a no-op");
}

on_both_databases!(
    the_first_admin_can_be_created_once,
    usernames_are_unique_whatever_their_case,
    sign_in_checks_the_password,
    an_older_password_hash_is_made_again_at_sign_in,
    disabled_accounts_cannot_sign_in,
    repeated_failures_lock_the_account_for_a_while,
    one_address_guessing_many_accounts_is_locked_out,
    changing_a_password_needs_the_current_one,
    admins_cannot_demote_or_disable_themselves,
    accounts_list_in_pages,
    sessions_are_stored_and_expire,
    migrations_can_run_again,
);

/// Transactions that read and then write, many at once, all commit: on SQLite a second writer
/// connection would make some fail with SQLITE_BUSY (a stale read snapshot is not retried).
#[tokio::test]
async fn concurrent_read_then_write_transactions_never_fail_busy() {
    use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, TransactionTrait};
    let t = common::sqlite().await;
    let db = t.db.clone();
    let tasks: Vec<_> = (0..48)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let txn = db.write().begin().await?;
                let users = app::entities::user::Entity::find().count(&txn).await?;
                tokio::task::yield_now().await;
                txn.execute_unprepared(&format!(
                    "INSERT INTO login_failures (username, client_ip, occurred_at) VALUES ('u{users}_{i}', 'ip', '2026-11-02T09:00:00Z')"
                ))
                .await?;
                txn.commit().await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .expect("task ran")
            .expect("transaction committed");
    }
}

/// Guesses sent all at once count against each other: no more than the limit get a verdict.
async fn simultaneous_guesses_do_not_pass_the_limit(db: Db) {
    accounts::create(db.write(), account("kit", Role::Engineer), t0())
        .await
        .unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                accounts::authenticate(
                    db.write(),
                    "kit",
                    format!("guess {i}"),
                    &format!("10.7.0.{i}"),
                    t0(),
                )
                .await
            })
        })
        .collect();
    let mut wrong = 0;
    for task in tasks {
        match task.await.unwrap() {
            Err(AppError::BadCredentials) => wrong += 1,
            Err(AppError::TooManyRequests { .. }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        wrong <= login_throttle::MAX_PER_ACCOUNT,
        "{wrong} guesses were checked"
    );
}

async fn guessing_the_current_password_is_throttled_too(db: Db) {
    let db = db.write();
    let lee = accounts::create(db, account("lee", Role::Engineer), t0())
        .await
        .unwrap();
    let new = NewPassword::parse("a whole new passphrase").unwrap();
    for _ in 0..login_throttle::MAX_PER_ACCOUNT {
        let res = accounts::change_own_password(
            db,
            lee.id,
            "guess".into(),
            new.clone(),
            "10.3.3.3",
            t0(),
        )
        .await;
        assert!(res.unwrap_err().for_field("current_password").is_some());
    }
    let res =
        accounts::change_own_password(db, lee.id, common::PASSWORD.into(), new, "10.3.3.3", t0())
            .await;
    assert!(
        matches!(res, Err(AppError::TooManyRequests { .. })),
        "{res:?}"
    );
}

on_both_databases!(
    simultaneous_guesses_do_not_pass_the_limit,
    guessing_the_current_password_is_throttled_too
);
