//! Full-text search over incidents: an FTS5 table on SQLite, a weighted `tsvector` with a GIN
//! index on PostgreSQL, filled from what is already recorded.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE incident_search USING fts5(title, summary, postmortem, timeline, tokenize = 'porter unicode61')",
    "INSERT INTO incident_search (rowid, title, summary, postmortem, timeline) \
     SELECT i.id, i.title, i.summary, \
            COALESCE((SELECT p.body FROM postmortems p WHERE p.incident_id = i.id), ''), \
            COALESCE((SELECT group_concat(e.body, char(10)) FROM timeline_events e WHERE e.incident_id = i.id), '') \
     FROM incidents i",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE incident_search ( \
        incident_id BIGINT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE, \
        title TEXT NOT NULL, summary TEXT NOT NULL, postmortem TEXT NOT NULL, timeline TEXT NOT NULL, \
        document tsvector GENERATED ALWAYS AS ( \
            setweight(to_tsvector('english', title), 'A') || \
            setweight(to_tsvector('english', summary), 'B') || \
            setweight(to_tsvector('english', postmortem), 'C') || \
            setweight(to_tsvector('english', timeline), 'C')) STORED)",
    "CREATE INDEX idx_incident_search_document ON incident_search USING GIN (document)",
    "INSERT INTO incident_search (incident_id, title, summary, postmortem, timeline) \
     SELECT i.id, i.title, i.summary, \
            COALESCE((SELECT p.body FROM postmortems p WHERE p.incident_id = i.id), ''), \
            COALESCE((SELECT string_agg(e.body, E'\\n') FROM timeline_events e WHERE e.incident_id = i.id), '') \
     FROM incidents i",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for sql in statements {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE incident_search")
            .await?;
        Ok(())
    }
}
