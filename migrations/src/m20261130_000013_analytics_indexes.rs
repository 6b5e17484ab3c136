//! Indexes that let a period's figures be counted from the rows that matter rather than the
//! whole history: items still open at a period's end, items whose verification fell due in it,
//! and incidents whose customer impact had not ended when it began.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActionItem {
    #[sea_orm(iden = "action_items")]
    Table,
    ClosedAt,
    CommittedAt,
    DueOn,
    VerifyOn,
    State,
    Outcome,
}

#[derive(DeriveIden)]
enum Incident {
    #[sea_orm(iden = "incidents")]
    Table,
    MitigatedAt,
    ResolvedAt,
}

const ITEM_INDEXES: [&str; 2] = ["idx_action_item_closed", "idx_action_item_verify_due"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Open at a period's end: not closed (NULL) or closed after it, committed before it;
        // overdue adds the due day. All three columns, so the count reads the index alone.
        manager
            .create_index(
                Index::create()
                    .name(ITEM_INDEXES[0])
                    .table(ActionItem::Table)
                    .col(ActionItem::ClosedAt)
                    .col(ActionItem::CommittedAt)
                    .col(ActionItem::DueOn)
                    .to_owned(),
            )
            .await?;
        // Verification due in a period, and how it came out.
        manager
            .create_index(
                Index::create()
                    .name(ITEM_INDEXES[1])
                    .table(ActionItem::Table)
                    .col(ActionItem::VerifyOn)
                    .col(ActionItem::State)
                    .col(ActionItem::Outcome)
                    .to_owned(),
            )
            .await?;
        // Impact still going when a period began: mitigated after it, or not mitigated and
        // resolved after it or not at all.
        manager
            .create_index(
                Index::create()
                    .name("idx_incident_mitigated_resolved")
                    .table(Incident::Table)
                    .col(Incident::MitigatedAt)
                    .col(Incident::ResolvedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ITEM_INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(ActionItem::Table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_incident_mitigated_resolved")
                    .table(Incident::Table)
                    .to_owned(),
            )
            .await
    }
}
