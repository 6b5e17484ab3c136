//! A version of the data that pages are worked out from, read in one cheap query, and answers
//! kept while it is unchanged. Every instance reads the version from the database, so several
//! instances on one PostgreSQL never serve an answer another one's write made stale.

use crate::domain::time::{day_in, parse_zone};
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// What incidents, their postmortems, timelines and action items, the catalog and the
/// organisation's settings look like, read in one query of index lookups: the latest history
/// entry (every change to an incident, its postmortem, its timeline or an action item writes one
/// in the change's own transaction), the latest deploy, the versions of the services, the teams
/// and the organisation, and how many services and teams there are. The number of the latest
/// thousand history entries and deploys also counts, so that a row committed after one with a
/// higher id (PostgreSQL hands out ids before commit) still changes the version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataVersion([Option<i64>; 9]);

const DATA_VERSION_SQL: &str = "SELECT \
    (SELECT MAX(id) FROM history_entries) AS a, \
    (SELECT COUNT(*) FROM history_entries WHERE id > (SELECT COALESCE(MAX(id), 0) - 1000 FROM history_entries)) AS b, \
    (SELECT MAX(id) FROM deploys) AS c, \
    (SELECT COUNT(*) FROM deploys WHERE id > (SELECT COALESCE(MAX(id), 0) - 1000 FROM deploys)) AS d, \
    (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM services) AS e, \
    (SELECT COUNT(*) FROM services) AS f, \
    (SELECT MAX(version) FROM organisation) AS g, \
    (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM teams) AS h, \
    (SELECT COUNT(*) FROM teams) AS i";

pub async fn data_version(db: &impl ConnectionTrait) -> Result<DataVersion, AppError> {
    let row = version_row(db, DATA_VERSION_SQL.to_string()).await?;
    version_of(&row)
}

/// The data version and the day it is now in the organisation's reporting zone, in one query:
/// what an answer that counts overdue items is kept by.
pub async fn data_version_and_today(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<(DataVersion, NaiveDate), AppError> {
    let row = version_row(
        db,
        format!(
            "{DATA_VERSION_SQL}, (SELECT reporting_zone FROM organisation WHERE id = 1) AS zone"
        ),
    )
    .await?;
    let zone = row
        .try_get::<Option<String>>("", "zone")?
        .ok_or_else(|| AppError::internal("the organisation row is missing"))?;
    let zone = parse_zone(&zone).map_err(AppError::internal)?;
    Ok((version_of(&row)?, day_in(now, zone)))
}

async fn version_row(db: &impl ConnectionTrait, sql: String) -> Result<QueryResult, AppError> {
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await?
    .ok_or_else(|| AppError::internal("the data version query returned no row"))
}

fn version_of(row: &QueryResult) -> Result<DataVersion, AppError> {
    let mut version = [None; 9];
    let columns = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for (slot, column) in version.iter_mut().zip(columns) {
        *slot = row.try_get::<Option<i64>>("", column)?;
    }
    Ok(DataVersion(version))
}

/// Answers worked out from the data at one [`DataVersion`], up to `limit` of them, shared by a
/// process's requests. When a request reads a newer version, everything kept for the older one
/// goes.
pub struct Kept<K, V> {
    kept: Arc<Mutex<KeptAt<K, V>>>,
    limit: usize,
}

struct KeptAt<K, V> {
    version: Option<DataVersion>,
    answers: HashMap<K, V>,
}

impl<K, V> Clone for Kept<K, V> {
    fn clone(&self) -> Self {
        Kept {
            kept: self.kept.clone(),
            limit: self.limit,
        }
    }
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    pub fn new(limit: usize) -> Self {
        Kept {
            kept: Arc::new(Mutex::new(KeptAt {
                version: None,
                answers: HashMap::new(),
            })),
            limit,
        }
    }

    /// The answer kept for `key` at `version`, if there is one.
    pub fn get(&self, version: DataVersion, key: &K) -> Option<V> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.version != Some(version) {
            kept.version = Some(version);
            kept.answers.clear();
            return None;
        }
        kept.answers.get(key).cloned()
    }

    /// Keeps `answer`, worked out from data read after `version` was, unless a newer version
    /// has been seen since. Past the limit, everything kept goes first.
    pub fn put(&self, version: DataVersion, key: K, answer: &V) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.version != Some(version) {
            return;
        }
        if kept.answers.len() >= self.limit {
            kept.answers.clear();
        }
        kept.answers.insert(key, answer.clone());
    }
}

impl<K, V> std::fmt::Debug for Kept<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept").field("limit", &self.limit).finish()
    }
}
