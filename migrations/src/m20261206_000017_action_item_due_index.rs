//! Action items by due date, as the All items page lists them by default, read in order from an
//! index instead of sorting every item.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActionItem {
    #[sea_orm(iden = "action_items")]
    Table,
    DueOn,
    Id,
}

const NAME: &str = "idx_action_item_due";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(ActionItem::Table)
                    .col(ActionItem::DueOn)
                    .col(ActionItem::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(ActionItem::Table).to_owned())
            .await
    }
}
