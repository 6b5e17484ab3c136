//! The `hindsight` binary's administrative commands, run as an operator would.

use std::path::Path;
use std::process::{Command, Output};

fn hindsight(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("HINDSIGHT_PASSWORD", "operator chosen passphrase")
        .env("RUST_LOG", "info")
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn create_user_then_backup_gives_a_checked_copy_with_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/dir/hindsight.db");

    let migrate = hindsight(&db, &["migrate"]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    assert!(db.exists(), "the SQLite file and its directory are created");

    let created = hindsight(
        &db,
        &[
            "create-user",
            "--username",
            "Root",
            "--display-name",
            "Root Admin",
            "--email",
            "root@example.com",
            "--role",
            "admin",
        ],
    );
    assert!(created.status.success(), "{}", text(&created));
    assert!(
        text(&created).contains("Created root (Root Admin) as admin"),
        "{}",
        text(&created)
    );

    let twice = hindsight(
        &db,
        &[
            "create-user",
            "--username",
            "root",
            "--display-name",
            "R",
            "--email",
            "r@example.com",
        ],
    );
    assert!(!twice.status.success());
    assert!(
        text(&twice).contains("Username is already taken"),
        "{}",
        text(&twice)
    );

    let backup_file = dir.path().join("backup.db");
    let backup = hindsight(&db, &["backup", "--to", backup_file.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(text(&backup).contains("checked"), "{}", text(&backup));

    // The copy is a working database: the account is there and can sign in.
    let copy = server::db::connect(&format!("sqlite://{}", backup_file.display()))
        .await
        .unwrap();
    let user = app::services::accounts::authenticate(
        copy.write(),
        "root",
        "operator chosen passphrase".into(),
        "cli",
        chrono::Utc::now(),
    )
    .await
    .expect("the account in the backup signs in");
    assert_eq!(user.role, "admin");

    let again = hindsight(&db, &["backup", "--to", backup_file.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing backup is never overwritten"
    );
}

#[test]
fn bad_flags_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let out = hindsight(
        &db,
        &[
            "create-user",
            "--username",
            "ok_name",
            "--display-name",
            "Name",
            "--email",
            "nope",
            "--role",
            "admin",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("--email must look like name@example.com"),
        "{}",
        text(&out)
    );
    let out = hindsight(
        &db,
        &[
            "create-user",
            "--username",
            "ok_name",
            "--display-name",
            "Name",
            "--email",
            "a@b.co",
            "--role",
            "owner",
        ],
    );
    assert!(
        text(&out).contains("--role must be one of viewer"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn create_token_prints_a_token_that_the_api_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let created = hindsight(
        &db,
        &[
            "create-user",
            "--username",
            "bot",
            "--display-name",
            "Import bot",
            "--email",
            "bot@example.com",
            "--role",
            "engineer",
        ],
    );
    assert!(created.status.success(), "{}", text(&created));
    let out = hindsight(
        &db,
        &["create-token", "--user", "bot", "--name", "importer"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("hs_") && token.len() > 40, "{token:?}");

    let conn = server::db::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let user = app::services::api_tokens::authenticate(&conn, &token, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(user.map(|u| u.username).as_deref(), Some("bot"));

    let missing = hindsight(&db, &["create-token", "--user", "nobody"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("there is no account named nobody"),
        "{}",
        text(&missing)
    );
}

#[tokio::test]
async fn export_import_and_set_password_move_an_organisation_to_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    let new = dir.path().join("new.db");
    let file = dir.path().join("archive.json");

    let seeded = hindsight(&old, &["seed-demo"]);
    assert!(seeded.status.success(), "{}", text(&seeded));
    let exported = hindsight(&old, &["export", "--to", file.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", text(&exported));
    assert!(
        text(&exported).contains("60 incidents"),
        "{}",
        text(&exported)
    );
    let again = hindsight(&old, &["export", "--to", file.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );

    let imported = hindsight(&new, &["import", "--from", file.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported));
    let said = text(&imported);
    assert!(said.contains("Imported 60 incidents"), "{said}");
    assert!(
        said.contains("created without a password") && said.contains("admin"),
        "{said}"
    );
    let twice = hindsight(&new, &["import", "--from", file.to_str().unwrap()]);
    assert!(!twice.status.success());
    assert!(
        text(&twice).contains("only be imported into an empty instance"),
        "{}",
        text(&twice)
    );

    let set = hindsight(&new, &["set-password", "--username", "admin"]);
    assert!(set.status.success(), "{}", text(&set));
    let token = hindsight(&new, &["create-token", "--user", "admin"]);
    assert!(token.status.success(), "{}", text(&token));
    // The account can now sign in with the operator's password.
    let t = crate::common::sqlite_at(&new).await;
    let app = crate::common::TestApp::on(t, chrono::Utc::now()).await;
    let reply = app.login("admin", "operator chosen passphrase", None).await;
    assert!(reply.session_cookie(&app.web).is_some(), "{reply:?}");
}
