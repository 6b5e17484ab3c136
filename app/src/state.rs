//! What every server function and handler reaches through context: the database, the settings
//! and the clock. Built once by the server binary (or a test) and cloned per request.

use crate::error::AppError;
use crate::group_commit::{GroupCommit, Work};
use chrono::{DateTime, Utc};
use leptos::config::LeptosOptions;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The cores this process may run on (two when the system cannot say): how many CPU-bound
/// jobs (password hashes, reports) are worth running at once.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Connections to the database. On SQLite all writes go through one connection so that no
/// write can fail with SQLITE_BUSY; reads use a separate pool. On PostgreSQL both are one pool.
#[derive(Clone, Debug)]
pub struct Db {
    reader: DatabaseConnection,
    writer: DatabaseConnection,
    /// Only in front of a single writer connection; a pool takes concurrent writes as they come.
    group_commit: Option<Arc<GroupCommit>>,
}

impl Db {
    /// A pool of readers and a single writer connection (SQLite).
    pub fn new(reader: DatabaseConnection, writer: DatabaseConnection) -> Db {
        Db {
            reader,
            group_commit: Some(Arc::new(GroupCommit::new(writer.clone()))),
            writer,
        }
    }

    /// One pool for both (PostgreSQL).
    pub fn single(pool: DatabaseConnection) -> Db {
        Db {
            reader: pool.clone(),
            writer: pool,
            group_commit: None,
        }
    }

    pub fn read(&self) -> &DatabaseConnection {
        &self.reader
    }

    pub fn write(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// Runs `work` in a transaction and returns its result once that has committed. Behind a
    /// single writer the transaction is shared with the writes that arrived while the writer was
    /// busy (see [`group_commit`](crate::group_commit)), and `work` may run a second time, in a
    /// transaction of its own, when another write of its batch fails: it must only write
    /// through the transaction it is given (never through [`Db::write`], which that
    /// transaction holds). For small, frequent writes.
    pub async fn write_grouped<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> Fn(&'t DatabaseTransaction) -> Work<'t, T> + Send + Sync + 'static,
    {
        match &self.group_commit {
            Some(group) => group.run(work).await,
            None => crate::group_commit::alone(&self.writer, &work).await,
        }
    }
}

/// Where "now" comes from: the system clock in production, a fixed instant in tests and demos.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    pub fn from_fn(f: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// The settings that server functions need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_idle: Duration::from_secs(60 * 60 * 8),
            session_absolute: Duration::from_secs(60 * 60 * 24 * 7),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub settings: Settings,
    pub clock: Clock,
    pub leptos_options: LeptosOptions,
    /// Finished periods' analytics, kept while the data behind them is unchanged.
    pub figures: crate::services::analytics::FiguresCache,
    /// Pages of the incident list, kept while the data behind them is unchanged.
    pub incident_lists: crate::api::incidents::KeptLists,
    /// The API's OpenAPI description, for the API page; set by whoever builds the API routes.
    pub api_description: Arc<serde_json::Value>,
    /// Set once the first account exists; accounts are never deleted, so it never goes back.
    users_exist: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(
        db: Db,
        settings: Settings,
        clock: Clock,
        leptos_options: LeptosOptions,
    ) -> AppState {
        AppState {
            db,
            settings,
            clock,
            leptos_options,
            figures: Default::default(),
            incident_lists: crate::services::data_version::Kept::new(
                crate::api::incidents::KEPT_LISTS,
            ),
            api_description: Arc::new(serde_json::Value::Null),
            users_exist: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn with_api_description(self, description: serde_json::Value) -> AppState {
        AppState {
            api_description: Arc::new(description),
            ..self
        }
    }

    /// Whether anyone can sign in yet; until then every page leads to the first-admin form.
    pub async fn users_exist(&self) -> Result<bool, crate::error::AppError> {
        if self.users_exist.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let exist = crate::services::accounts::count_users(self.db.read()).await? > 0;
        if exist {
            self.users_exist.store(true, Ordering::Relaxed);
        }
        Ok(exist)
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
