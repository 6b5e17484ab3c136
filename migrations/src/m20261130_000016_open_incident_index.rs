//! Unresolved incidents by severity, as `/metrics` counts them on every scrape, read from an
//! index instead of the whole incident table.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incident {
    #[sea_orm(iden = "incidents")]
    Table,
    ResolvedAt,
    Severity,
}

const NAME: &str = "idx_incident_resolved_severity";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Incident::Table)
                    .col(Incident::ResolvedAt)
                    .col(Incident::Severity)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Incident::Table).to_owned())
            .await
    }
}
