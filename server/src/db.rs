//! Connecting to SQLite (the default, a file) or PostgreSQL, and running the migrations.

use anyhow::Context;
use app::state::Db;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{
    LockedSqliteHandle, SqliteConnection, SqliteJournalMode, SqliteSynchronous,
};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, TransactionTrait};
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hindsight.db";

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The file behind a `sqlite:` URL, or `None` for PostgreSQL and in-memory databases.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

async fn sqlite_pool(
    url: &str,
    max_connections: u32,
    read_only: bool,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .sqlx_logging(false)
        // sqlx asks a pooled connection whether it is still alive before each statement, which
        // for SQLite is a round trip to the connection's thread and back: a third of the trips
        // a statement costs (sqlx also asks when the connection goes back to the pool). A SQLite
        // connection is an open file in this process; nothing on the way can drop it.
        .test_before_acquire(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(!read_only)
                .journal_mode(SqliteJournalMode::Wal)
                // In WAL mode NORMAL keeps the database consistent through any crash and every
                // commit through a crash of the process; only a crash of the machine may take
                // back the last moments' commits. FULL waits for the disk on every commit.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(BUSY_TIMEOUT)
                .read_only(read_only)
        })
        .map_sqlx_sqlite_pool_opts(|pool| {
            pool.after_connect(|conn, _| Box::pin(plan_once_per_statement(conn)))
        });
    Ok(Database::connect(options).await?)
}

/// Turns on SQLite's query planner stability guarantee for one connection: a statement is
/// planned when it is first prepared and keeps that plan whatever values are bound to it.
///
/// Without it, the SQLite that sqlx builds in (with `SQLITE_ENABLE_STAT4`) plans again every
/// statement whose plan might depend on a bound value, each time the value changes: the session
/// and account lookups, the incident list's filters, the `IN` lists of a page's incidents. On the
/// incident list at 100,000 incidents that was 7% of the server's time, spent parsing and
/// planning statements sqlx keeps prepared.
async fn plan_once_per_statement(conn: &mut SqliteConnection) -> Result<(), sea_orm::sqlx::Error> {
    let (rc, now_on) = planner_stability(&mut conn.lock_handle().await?, 1);
    if rc != libsqlite3_sys::SQLITE_OK || now_on != 1 {
        return Err(sea_orm::sqlx::Error::Configuration(
            format!("SQLite refused the query planner stability guarantee (code {rc})").into(),
        ));
    }
    Ok(())
}

/// Sets the query planner stability guarantee of a locked connection (1: on, 0: off, -1: as it
/// is) and returns SQLite's result code and the setting afterwards.
fn planner_stability(
    handle: &mut LockedSqliteHandle<'_>,
    set: std::ffi::c_int,
) -> (std::ffi::c_int, std::ffi::c_int) {
    use libsqlite3_sys::{SQLITE_DBCONFIG_ENABLE_QPSG, sqlite3_db_config};
    let mut now: std::ffi::c_int = -1;
    // SAFETY: the handle is an open connection, held locked for the call. This option takes an
    // int and a pointer to an int that receives the setting afterwards.
    let rc = unsafe {
        sqlite3_db_config(
            handle.as_raw_handle().as_ptr(),
            SQLITE_DBCONFIG_ENABLE_QPSG,
            set,
            &mut now as *mut std::ffi::c_int,
        )
    };
    (rc, now)
}

/// Opens the database named by `url`. SQLite gets one writer connection, so writes queue in
/// the application instead of failing with SQLITE_BUSY, and a pool of readers beside it.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut options = ConnectOptions::new(url.to_string());
        options.max_connections(16).sqlx_logging(false);
        let pool = Database::connect(options)
            .await
            .context("connecting to PostgreSQL")?;
        return Ok(Db::single(pool));
    }
    if !url.starts_with("sqlite:") {
        anyhow::bail!("DATABASE_URL must start with sqlite: or postgres:// (got {url:?})");
    }
    if let Some(path) = sqlite_path(url)
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // The writer first: it creates the file and switches it to WAL before readers open it.
    let writer = sqlite_pool(url, 1, false)
        .await
        .context("opening the SQLite database")?;
    // Readers load the planner's statistics when they open, so gather them first.
    analyze(&writer, true)
        .await
        .context("gathering the query planner's statistics")?;
    let reader = if sqlite_path(url).is_some() {
        sqlite_pool(url, 4, true)
            .await
            .context("opening SQLite readers")?
    } else {
        // An in-memory database exists only on its one connection.
        writer.clone()
    };
    Ok(Db::new(reader, writer))
}

/// Keeps SQLite's query planner statistics (`ANALYZE`) current as tables grow, so that it picks
/// the index that narrows a query most; without them it can pick one that reads every open
/// item to find a page's fifty. Reads at most a sample of each index, so it is quick at any
/// size. PostgreSQL does this itself (autovacuum).
async fn analyze(db: &DatabaseConnection, every_table: bool) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return Ok(());
    }
    db.execute_unprepared("PRAGMA analysis_limit = 1000")
        .await?;
    // 0x10002: analyse every table whose size changed enough, not only those this connection
    // has queried.
    let pragma = if every_table {
        "PRAGMA optimize = 0x10002"
    } else {
        "PRAGMA optimize"
    };
    db.execute_unprepared(pragma).await?;
    Ok(())
}

/// Refreshes the planner's statistics and merges the search index; run at start and every ten
/// minutes by the server.
pub async fn optimize(db: &Db) -> Result<(), sea_orm::DbErr> {
    analyze(db.write(), true).await?;
    merge_search_index(db.write()).await?;
    Ok(())
}

/// Pages of the search index one merge step writes at most: a step holds the writer for a few
/// milliseconds, and the writes waiting for it go between two steps.
const MERGE_STEP_PAGES: u32 = 500;

/// The most merge steps one call takes. An index written faster than this merges is merged over
/// several calls, and FTS5 itself merges any level that reaches 16 segments meanwhile.
const MERGE_STEPS: usize = 64;

/// Merges the segments of SQLite's full-text index, which the writes leave for later (the
/// migration `search_merged_later`): a step at a time, each in a transaction of its own, until a
/// step finds no level with four segments or more. Returns how many steps did work.
async fn merge_search_index(db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return Ok(0);
    }
    for step in 0..MERGE_STEPS {
        let txn = db.begin().await?;
        let before = total_changes(&txn).await?;
        txn.execute_unprepared(&format!(
            "INSERT INTO incident_search (incident_search, rank) VALUES ('merge', {MERGE_STEP_PAGES})"
        ))
        .await?;
        // FTS5 counts two changes or more for a step that merged anything.
        let merged = total_changes(&txn).await? - before >= 2;
        txn.commit().await?;
        if !merged {
            return Ok(step);
        }
    }
    Ok(MERGE_STEPS)
}

async fn total_changes(db: &impl ConnectionTrait) -> Result<i64, sea_orm::DbErr> {
    sqlite_number(db, "SELECT total_changes() AS n").await
}

/// The number a query on SQLite reads into its column `n`.
async fn sqlite_number(
    db: &impl ConnectionTrait,
    sql: impl Into<String>,
) -> Result<i64, sea_orm::DbErr> {
    let sql = sql.into();
    db.query_one_raw(sea_orm::Statement::from_string(
        sea_orm::DbBackend::Sqlite,
        sql.clone(),
    ))
    .await?
    .ok_or_else(|| sea_orm::DbErr::Custom(format!("{sql} returned no row")))?
    .try_get("", "n")
}

pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    Migrator::up(db.write(), None)
        .await
        .context("running migrations")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `db`'s next connection has the query planner stability guarantee on.
    async fn plans_once(db: &DatabaseConnection) -> bool {
        let mut conn = db.get_sqlite_connection_pool().acquire().await.unwrap();
        planner_stability(&mut conn.lock_handle().await.unwrap(), -1).1 == 1
    }

    #[tokio::test]
    async fn every_sqlite_connection_plans_a_statement_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("h.db").display());
        let db = connect(&url).await.unwrap();
        assert!(plans_once(db.write()).await, "the writer");
        assert!(plans_once(db.read()).await, "a reader");

        let memory = connect("sqlite::memory:").await.unwrap();
        assert!(plans_once(memory.write()).await, "an in-memory database");
    }

    async fn search_segments(db: &DatabaseConnection) -> i64 {
        sqlite_number(
            db,
            "SELECT count(DISTINCT segid) AS n FROM incident_search_idx",
        )
        .await
        .unwrap()
    }

    async fn search_hits(db: &DatabaseConnection, word: &str) -> i64 {
        sqlite_number(
            db,
            format!(
                "SELECT count(*) AS n FROM incident_search WHERE incident_search MATCH '{word}'"
            ),
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn the_search_index_is_merged_by_the_server_not_by_each_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("h.db").display());
        let db = connect(&url).await.unwrap();
        migrate(&db).await.unwrap();
        // Long enough write-ups that FTS5, left to itself, would have merged along the way: it
        // does some merging each time 64 pages of the index have been written.
        for id in 1..=12 {
            let postmortem: Vec<String> = (0..3_000).map(|n| format!("w{id}x{n}")).collect();
            db.write()
                .execute_unprepared(&format!(
                    "INSERT INTO incident_search (rowid, title, summary, postmortem, timeline) \
                     VALUES ({id}, 'Disk full on db-{id}', '', '{}', '')",
                    postmortem.join(" ")
                ))
                .await
                .unwrap();
        }
        assert_eq!(
            search_segments(db.read()).await,
            12,
            "each write left its segment for later"
        );

        optimize(&db).await.unwrap();
        let left = search_segments(db.read()).await;
        assert!(left < 4, "{left} segments are left after merging");
        assert_eq!(search_hits(db.read(), "disk").await, 12);
        assert_eq!(search_hits(db.read(), "w7x2999").await, 1);
        assert_eq!(
            merge_search_index(db.write()).await.unwrap(),
            0,
            "nothing is left to merge"
        );
    }

    #[tokio::test]
    async fn sqlite_connections_are_not_pinged_before_each_statement() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("h.db").display());
        let db = connect(&url).await.unwrap();
        for (pool, name) in [(db.write(), "the writer"), (db.read(), "the readers")] {
            let options = pool.get_sqlite_connection_pool().options();
            assert!(!options.get_test_before_acquire(), "{name}");
        }
    }
}
