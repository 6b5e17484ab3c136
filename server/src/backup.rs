//! A consistent copy of a live SQLite database, checked before it is called a backup.

use anyhow::{Context, bail};
use app::state::Db;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use std::path::Path;

pub async fn backup(db: &Db, to: &Path) -> anyhow::Result<()> {
    if db.write().get_database_backend() != DbBackend::Sqlite {
        bail!("backup copies SQLite databases; for PostgreSQL use pg_dump");
    }
    if to.exists() {
        bail!("{} already exists; choose a new file", to.display());
    }
    let target = to.to_str().context("the backup path must be valid UTF-8")?;
    // VACUUM INTO writes a transactionally consistent copy while others keep writing.
    db.write()
        .execute_unprepared(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .await
        .context("writing the copy")?;
    let copy = Database::connect(format!("sqlite://{target}?mode=ro"))
        .await
        .context("opening the copy")?;
    let row = copy
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?
        .context("integrity_check returned nothing")?;
    let verdict: String = row.try_get_by_index(0)?;
    copy.close().await?;
    if verdict != "ok" {
        bail!(
            "the copy at {} failed its integrity check: {verdict}",
            to.display()
        );
    }
    Ok(())
}
