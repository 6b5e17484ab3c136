//! Reviews of a cadence (daily, weekly, monthly, quarterly): one per cadence and period, with
//! attendees, notes and, once closed, a snapshot of its figures; and the action items raised in
//! each.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Review::Table)
                    .col(
                        ColumnDef::new(Review::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Review::Cadence).string_len(16).not_null())
                    .col(ColumnDef::new(Review::PeriodKey).string_len(32).not_null())
                    .col(ColumnDef::new(Review::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Review::FacilitatorId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Review::Attendees).text().not_null())
                    .col(ColumnDef::new(Review::Notes).text().not_null())
                    // The figures as they were when it closed, as JSON.
                    .col(ColumnDef::new(Review::Snapshot).text().null())
                    .col(
                        ColumnDef::new(Review::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Review::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Review::ClosedBy).big_integer().null())
                    .col(ColumnDef::new(Review::Version).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_review_facilitator")
                            .from(Review::Table, Review::FacilitatorId)
                            .to(User::Table, User::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_review_closed_by")
                            .from(Review::Table, Review::ClosedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One review per cadence and period; the list reads them newest first by id.
        manager
            .create_index(
                Index::create()
                    .name("idx_review_cadence_period")
                    .table(Review::Table)
                    .col(Review::Cadence)
                    .col(Review::PeriodKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewItem::Table)
                    .col(
                        ColumnDef::new(ReviewItem::ReviewId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ReviewItem::ActionItemId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ReviewItem::ReviewId)
                            .col(ReviewItem::ActionItemId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_review_item_review")
                            .from(ReviewItem::Table, ReviewItem::ReviewId)
                            .to(Review::Table, Review::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_review_item_action_item")
                            .from(ReviewItem::Table, ReviewItem::ActionItemId)
                            .to(ActionItem::Table, ActionItem::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_review_item_by_item")
                    .table(ReviewItem::Table)
                    .col(ReviewItem::ActionItemId)
                    .to_owned(),
            )
            .await?;
        // A cadence's items due for verification: done, of the cadence, by verify day.
        manager
            .create_index(
                Index::create()
                    .name("idx_action_item_cadence_verify")
                    .table(ActionItem::Table)
                    .col(ActionItem::Cadence)
                    .col(ActionItem::State)
                    .col(ActionItem::VerifyOn)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_action_item_cadence_verify")
                    .table(ActionItem::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ReviewItem::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Review::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Review {
    #[sea_orm(iden = "reviews")]
    Table,
    Id,
    Cadence,
    PeriodKey,
    Status,
    FacilitatorId,
    Attendees,
    Notes,
    Snapshot,
    CreatedAt,
    ClosedAt,
    ClosedBy,
    Version,
}

#[derive(DeriveIden)]
enum ReviewItem {
    #[sea_orm(iden = "review_items")]
    Table,
    ReviewId,
    ActionItemId,
}

#[derive(DeriveIden)]
enum ActionItem {
    #[sea_orm(iden = "action_items")]
    Table,
    Id,
    Cadence,
    State,
    VerifyOn,
}

#[derive(DeriveIden)]
enum User {
    #[sea_orm(iden = "users")]
    Table,
    Id,
}
