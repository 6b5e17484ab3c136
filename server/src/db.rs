//! Connecting to SQLite (the default, a file) or PostgreSQL, and running the migrations.

use anyhow::Context;
use app::state::Db;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
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
        .map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(!read_only)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(BUSY_TIMEOUT)
                .read_only(read_only)
        });
    Ok(Database::connect(options).await?)
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

pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    Migrator::up(db.write(), None)
        .await
        .context("running migrations")
}
