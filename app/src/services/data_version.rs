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
/// goes. Past the limit, the answers asked for least recently go first, so that a burst of pages
/// nobody asks for again (a crawler walking every date range, say) cannot push out the ones
/// everybody opens.
pub struct Kept<K, V> {
    kept: Arc<Mutex<KeptAt<K, V>>>,
    limit: usize,
}

struct KeptAt<K, V> {
    version: Option<DataVersion>,
    /// Each answer with the tick it was last asked for or kept at.
    answers: HashMap<K, (V, u64)>,
    tick: u64,
}

impl<K, V> KeptAt<K, V> {
    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// Drops the least recently used eighth of `limit` answers (at least one), so that a page
    /// kept past the limit costs a scan of the kept answers only once in every eighth of them.
    fn make_room(&mut self, limit: usize) {
        let mut ticks: Vec<u64> = self.answers.values().map(|(_, tick)| *tick).collect();
        let dropped = (limit / 8).clamp(1, ticks.len());
        let (_, newest_dropped, _) = ticks.select_nth_unstable(dropped - 1);
        let newest_dropped = *newest_dropped;
        self.answers.retain(|_, (_, tick)| *tick > newest_dropped);
    }
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
                tick: 0,
            })),
            limit: limit.max(1),
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
        let tick = kept.next_tick();
        let (answer, used) = kept.answers.get_mut(key)?;
        *used = tick;
        Some(answer.clone())
    }

    /// Keeps `answer`, worked out from data read after `version` was, unless a newer version
    /// has been seen since. Past the limit, the least recently used answers go first.
    pub fn put(&self, version: DataVersion, key: K, answer: &V) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.version != Some(version) {
            return;
        }
        if kept.answers.len() >= self.limit && !kept.answers.contains_key(&key) {
            kept.make_room(self.limit);
        }
        let tick = kept.next_tick();
        kept.answers.insert(key, (answer.clone(), tick));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().unwrap().answers.len()
    }
}

impl<K, V> std::fmt::Debug for Kept<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept").field("limit", &self.limit).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(n: i64) -> DataVersion {
        DataVersion([Some(n), None, None, None, None, None, None, None, None])
    }

    #[test]
    fn an_answer_is_kept_until_the_version_changes() {
        let kept = Kept::new(8);
        assert_eq!(kept.get(version(1), &"first page"), None);
        kept.put(version(1), "first page", &10);
        assert_eq!(kept.get(version(1), &"first page"), Some(10));

        assert_eq!(kept.get(version(2), &"first page"), None);
        kept.put(version(1), "first page", &10);
        assert_eq!(
            kept.get(version(2), &"first page"),
            None,
            "an answer worked out from older data is not kept once a newer version was seen"
        );
    }

    #[test]
    fn pages_asked_for_often_survive_a_flood_of_pages_asked_for_once() {
        let kept = Kept::new(64);
        let v = version(1);
        assert_eq!(kept.get(v, &0), None);
        kept.put(v, 0, &"first page");
        for range in 1..10_000 {
            assert_eq!(
                kept.get(v, &0),
                Some("first page"),
                "after {range} other pages"
            );
            assert_eq!(kept.get(v, &range), None);
            kept.put(v, range, &"a date range asked for once");
            assert!(kept.len() <= 64);
        }
    }

    #[test]
    fn the_least_recently_used_answers_go_first() {
        let kept = Kept::new(16);
        let v = version(1);
        assert_eq!(kept.get(v, &0), None);
        for key in 0..16 {
            kept.put(v, key, &key);
        }
        // Asked for in the order 15, 14, ..., 0: the higher keys are now the older ones.
        for key in (0..16).rev() {
            assert_eq!(kept.get(v, &key), Some(key));
        }
        kept.put(v, 16, &16);
        assert_eq!(
            kept.len(),
            15,
            "an eighth of the limit, two answers, made room"
        );
        assert_eq!(kept.get(v, &15), None);
        assert_eq!(kept.get(v, &14), None);
        for key in 0..14 {
            assert_eq!(kept.get(v, &key), Some(key));
        }
        assert_eq!(kept.get(v, &16), Some(16));
    }

    #[test]
    fn keeping_an_answer_again_replaces_it_without_making_room() {
        let kept = Kept::new(2);
        let v = version(1);
        assert_eq!(kept.get(v, &"a"), None);
        kept.put(v, "a", &1);
        kept.put(v, "b", &2);
        kept.put(v, "a", &3);
        assert_eq!(kept.get(v, &"a"), Some(3));
        assert_eq!(kept.get(v, &"b"), Some(2));
    }
}
