//! What keeps action items moving: the further incidents an item answers, each person's inbox of
//! notices, personal calendar feeds, and the reason a postmortem was published without items.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActionItemIncident::Table)
                    .col(
                        ColumnDef::new(ActionItemIncident::ActionItemId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ActionItemIncident::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ActionItemIncident::ActionItemId)
                            .col(ActionItemIncident::IncidentId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_action_item_incident_item")
                            .from(ActionItemIncident::Table, ActionItemIncident::ActionItemId)
                            .to(ActionItem::Table, ActionItem::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_action_item_incident_incident")
                            .from(ActionItemIncident::Table, ActionItemIncident::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The incident page lists the items that name it as a further incident.
        manager
            .create_index(
                Index::create()
                    .name("idx_action_item_incident_by_incident")
                    .table(ActionItemIncident::Table)
                    .col(ActionItemIncident::IncidentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notice::Table)
                    .col(
                        ColumnDef::new(Notice::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Notice::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Notice::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Notice::ActionItemId)
                            .big_integer()
                            .not_null(),
                    )
                    // What makes the notice unique for its person: the kind, the item and the
                    // date it concerns, so a job run twice cannot say the same thing twice.
                    .col(ColumnDef::new(Notice::DedupKey).string_len(96).not_null())
                    .col(
                        ColumnDef::new(Notice::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Notice::ReadAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notice_user")
                            .from(Notice::Table, Notice::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notice_action_item")
                            .from(Notice::Table, Notice::ActionItemId)
                            .to(ActionItem::Table, ActionItem::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notice_user_key")
                    .table(Notice::Table)
                    .col(Notice::UserId)
                    .col(Notice::DedupKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The inbox lists a person's notices newest first and counts the unread ones.
        manager
            .create_index(
                Index::create()
                    .name("idx_notice_user_read")
                    .table(Notice::Table)
                    .col(Notice::UserId)
                    .col(Notice::ReadAt)
                    .col(Notice::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notice_action_item")
                    .table(Notice::Table)
                    .col(Notice::ActionItemId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CalendarFeed::Table)
                    .col(
                        ColumnDef::new(CalendarFeed::UserId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    // SHA-256 of the secret in the feed's address, hex.
                    .col(
                        ColumnDef::new(CalendarFeed::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(CalendarFeed::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_feed_user")
                            .from(CalendarFeed::Table, CalendarFeed::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // An action item's page shows its own history.
        manager
            .create_index(
                Index::create()
                    .name("idx_history_entry_subject")
                    .table(HistoryEntry::Table)
                    .col(HistoryEntry::Subject)
                    .col(HistoryEntry::SubjectId)
                    .col(HistoryEntry::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Postmortem::Table)
                    .add_column(ColumnDef::new(Postmortem::NoActionReason).text().null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Postmortem::Table)
                    .drop_column(Postmortem::NoActionReason)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_history_entry_subject")
                    .table(HistoryEntry::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            CalendarFeed::Table.into_table_ref(),
            Notice::Table.into_table_ref(),
            ActionItemIncident::Table.into_table_ref(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ActionItemIncident {
    #[sea_orm(iden = "action_item_incidents")]
    Table,
    ActionItemId,
    IncidentId,
}

#[derive(DeriveIden)]
enum Notice {
    #[sea_orm(iden = "notices")]
    Table,
    Id,
    UserId,
    Kind,
    ActionItemId,
    DedupKey,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum CalendarFeed {
    #[sea_orm(iden = "calendar_feeds")]
    Table,
    UserId,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum HistoryEntry {
    #[sea_orm(iden = "history_entries")]
    Table,
    Id,
    Subject,
    SubjectId,
}

#[derive(DeriveIden)]
enum Postmortem {
    #[sea_orm(iden = "postmortems")]
    Table,
    NoActionReason,
}

#[derive(DeriveIden)]
enum ActionItem {
    #[sea_orm(iden = "action_items")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Incident {
    #[sea_orm(iden = "incidents")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    #[sea_orm(iden = "users")]
    Table,
    Id,
}
