//! Indexes for the incident list's remaining filters (known or new, runbook outcome), each
//! leading to the newest-first order the list pages in.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, Incident); 2] = [
    ("idx_incident_known_started", Incident::KnownProblem),
    ("idx_incident_runbook_started", Incident::RunbookOutcome),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Incident::Table)
                        .col(column)
                        .col(Incident::StartedAt)
                        .col(Incident::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Incident::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Incident {
    #[sea_orm(iden = "incidents")]
    Table,
    Id,
    StartedAt,
    KnownProblem,
    RunbookOutcome,
}
