//! SQLite's full-text index stops merging its segments in the transaction of each write: the
//! server merges them in the background instead (`db::optimize`), so a burst of timeline events
//! does not pay for it. FTS5 still merges a level once it holds 16 segments. PostgreSQL's GIN
//! index is not affected.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn automerge(manager: &SchemaManager<'_>, segments: u32) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "INSERT INTO incident_search (incident_search, rank) VALUES ('automerge', {segments})"
        ))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        automerge(manager, 0).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // FTS5's default.
        automerge(manager, 4).await
    }
}
