//! Full-text search over incidents: titles, summaries, postmortems and timeline text, ranked, with
//! a snippet around the match. SQLite uses an FTS5 table, PostgreSQL a weighted `tsvector` with a
//! GIN index; both are kept current by the writes that change what they index.

use crate::entities::{incident, postmortem, timeline_event};
use crate::error::AppError;
use sea_orm::prelude::*;
use sea_orm::sea_query::LockType;
use sea_orm::{DbBackend, QueryOrder, QuerySelect, Statement};

/// The most hits a search considers; the list then filters and pages through them.
pub const MAX_HITS: usize = 500;

// Snippets mark matched words with `domain::incident::MATCH_START` and `MATCH_END`, which are
// chr(2) and chr(3) in the SQL below.

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub incident_id: i64,
    pub snippet: String,
}

/// Rewrites what the incident's search row holds from the incident, its postmortem and its
/// timeline; called in the transaction of every write that changes one of them.
///
/// On PostgreSQL the incident's row stays locked until the transaction ends, and what goes into
/// the search row is read after the lock is taken: two writes to one incident at the same
/// moment (two events posted, or a postmortem saved while an event is posted) then rewrite its
/// search row one after the other, the second seeing what the first committed, and neither's
/// text is lost. The lock is the one an update of the incident takes (`FOR NO KEY UPDATE`), so
/// rows that refer to the incident can still be added meanwhile and no two writers deadlock.
/// SQLite's one writer already takes writes one at a time.
pub async fn reindex(db: &impl ConnectionTrait, incident_id: i64) -> Result<(), AppError> {
    let found = incident::Entity::find_by_id(incident_id)
        .lock(LockType::NoKeyUpdate)
        .one(db)
        .await?;
    let Some(found) = found else {
        return remove(db, incident_id).await;
    };
    let postmortem = postmortem::Entity::find_by_id(incident_id)
        .one(db)
        .await?
        .map(|p| p.body)
        .unwrap_or_default();
    let timeline = timeline_event::Entity::find()
        .filter(timeline_event::Column::IncidentId.eq(incident_id))
        .order_by_asc(timeline_event::Column::OccurredAt)
        .order_by_asc(timeline_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.body)
        .collect::<Vec<_>>()
        .join("\n");
    remove(db, incident_id).await?;
    insert(
        db,
        vec![SearchRow {
            incident_id,
            title: found.title,
            summary: found.summary,
            postmortem,
            timeline,
        }],
    )
    .await
}

/// What an incident's search row holds: the timeline is its events' text in time order, one
/// event per line.
pub struct SearchRow {
    pub incident_id: i64,
    pub title: String,
    pub summary: String,
    pub postmortem: String,
    pub timeline: String,
}

/// Rows per INSERT: five values each, well within either database's limit on bound values.
const ROWS_PER_INSERT: usize = 180;

/// Writes search rows for incidents that have none, many to a statement.
pub async fn insert(db: &impl ConnectionTrait, rows: Vec<SearchRow>) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    let id_column = match backend {
        DbBackend::Postgres => "incident_id",
        _ => "rowid",
    };
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = format!(
            "INSERT INTO incident_search ({id_column}, title, summary, postmortem, timeline) VALUES "
        );
        let mut values: Vec<sea_orm::Value> = Vec::new();
        for (i, row) in rows.by_ref().take(ROWS_PER_INSERT).enumerate() {
            let b = i * 5;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            ));
            values.extend([
                row.incident_id.into(),
                row.title.into(),
                row.summary.into(),
                row.postmortem.into(),
                row.timeline.into(),
            ]);
        }
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// Rewrites only the timeline text of the incident's search row, for a change to its timeline:
/// the title, summary and write-up stay as they were. Writes the whole row when there is none.
/// One statement, so a timeline write holds the single SQLite writer for one round trip less.
/// Takes the incident's lock first on PostgreSQL, as [`reindex`] does.
pub async fn reindex_timeline(db: &impl ConnectionTrait, incident_id: i64) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT id FROM incidents WHERE id = $1 FOR NO KEY UPDATE",
                [incident_id.into()],
            ))
            .await?;
            "UPDATE incident_search SET timeline = coalesce((\
                SELECT string_agg(body, E'\\n' ORDER BY occurred_at, id) \
                FROM timeline_events WHERE incident_id = $1), '') \
             WHERE incident_id = $1"
        }
        _ => {
            "UPDATE incident_search SET timeline = coalesce((\
                SELECT group_concat(body, char(10) ORDER BY occurred_at, id) \
                FROM timeline_events WHERE incident_id = $1), '') \
             WHERE rowid = $1"
        }
    };
    let updated = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [incident_id.into()],
        ))
        .await?;
    if updated.rows_affected() == 0 {
        return reindex(db, incident_id).await;
    }
    Ok(())
}

pub async fn remove(db: &impl ConnectionTrait, incident_id: i64) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "DELETE FROM incident_search WHERE incident_id = $1",
        _ => "DELETE FROM incident_search WHERE rowid = $1",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [incident_id.into()],
    ))
    .await?;
    Ok(())
}

/// Words of the query as an FTS5 expression: each one quoted (so nothing typed is read as
/// syntax), all required, the last one also matching as a prefix.
fn fts5_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    let last = words.last()?.clone();
    let mut expr = words[..words.len() - 1].join(" ");
    if !expr.is_empty() {
        expr.push(' ');
    }
    expr.push_str(&format!("{last}*"));
    Some(expr)
}

/// The incidents matching `query`, best first.
pub async fn search(
    db: &DatabaseConnection,
    query: &str,
    limit: usize,
) -> Result<Vec<Hit>, AppError> {
    let backend = db.get_database_backend();
    let statement = match backend {
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "SELECT incident_id, ts_headline('english', \
                 title || ' — ' || summary || ' — ' || postmortem || ' — ' || timeline, q, \
                 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || \
                 ', MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=\" … \"') AS snippet \
             FROM incident_search, websearch_to_tsquery('english', $1) AS q \
             WHERE document @@ q \
             ORDER BY ts_rank(document, q) DESC, incident_id DESC \
             LIMIT $2",
            [query.into(), (limit as i64).into()],
        ),
        _ => {
            let Some(expr) = fts5_query(query) else {
                return Ok(Vec::new());
            };
            Statement::from_sql_and_values(
                backend,
                "SELECT rowid AS incident_id, \
                     snippet(incident_search, -1, char(2), char(3), '…', 16) AS snippet \
                 FROM incident_search WHERE incident_search MATCH $1 \
                 ORDER BY bm25(incident_search, 10.0, 5.0, 1.0, 1.0), rowid DESC \
                 LIMIT $2",
                [expr.into(), (limit as i64).into()],
            )
        }
    };
    let rows = db.query_all_raw(statement).await?;
    rows.into_iter()
        .map(|row| {
            Ok(Hit {
                incident_id: row.try_get("", "incident_id")?,
                snippet: row.try_get("", "snippet")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fts5_query;

    #[test]
    fn typed_words_are_quoted_and_the_last_is_a_prefix() {
        assert_eq!(
            fts5_query("disk full").as_deref(),
            Some("\"disk\" \"full\"*")
        );
        assert_eq!(
            fts5_query("say \"NEAR(a b)\" OR").as_deref(),
            Some("\"say\" \"\"\"NEAR(a\" \"b)\"\"\" \"OR\"*")
        );
        assert_eq!(fts5_query("   "), None);
    }
}
