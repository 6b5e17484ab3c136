//! Indexes for the manager's panels over unfinished items: how long they have been open, and
//! who and which team have them. Each panel then reads the index of the unfinished states alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActionItem {
    #[sea_orm(iden = "action_items")]
    Table,
    State,
    CreatedAt,
    OwnerId,
    TeamId,
}

const INDEXES: [(&str, ActionItem); 3] = [
    ("idx_action_item_state_created", ActionItem::CreatedAt),
    ("idx_action_item_state_owner", ActionItem::OwnerId),
    ("idx_action_item_state_team", ActionItem::TeamId),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ActionItem::Table)
                        .col(ActionItem::State)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(ActionItem::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
