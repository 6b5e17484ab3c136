//! What hangs off an incident once it is recorded: its timeline, its postmortem write-up (and the
//! template new ones start from), the history of every change, and each person's time zone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The sections teams expect in a postmortem; admins can change it afterwards.
const DEFAULT_TEMPLATE: &str = "## Summary\n\n\n## Impact\n\n\n## Root cause\n\n\n## Trigger\n\n\n\
## Contributing factors\n\n\n## What went well\n\n\n## What went poorly\n\n\n\
## Where we got lucky\n\n\n## Lessons learned\n\n";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .add_column(
                        ColumnDef::new(User::TimeZone)
                            .string_len(64)
                            .not_null()
                            .default("UTC"),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TimelineEvent::Table)
                    .col(
                        ColumnDef::new(TimelineEvent::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvent::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvent::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvent::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(TimelineEvent::Body).text().not_null())
                    .col(ColumnDef::new(TimelineEvent::Marks).string_len(16).null())
                    .col(
                        ColumnDef::new(TimelineEvent::AuthorId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvent::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(TimelineEvent::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvent::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_timeline_event_incident")
                            .from(TimelineEvent::Table, TimelineEvent::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_timeline_event_author")
                            .from(TimelineEvent::Table, TimelineEvent::AuthorId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // An incident's timeline is read whole, in time order.
        manager
            .create_index(
                Index::create()
                    .name("idx_timeline_event_incident_time")
                    .table(TimelineEvent::Table)
                    .col(TimelineEvent::IncidentId)
                    .col(TimelineEvent::OccurredAt)
                    .col(TimelineEvent::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Postmortem::Table)
                    .col(
                        ColumnDef::new(Postmortem::IncidentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Postmortem::Body).text().not_null())
                    .col(ColumnDef::new(Postmortem::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Postmortem::LintWarnings)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Postmortem::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Postmortem::UpdatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Postmortem::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Postmortem::PublishedBy).big_integer().null())
                    .col(
                        ColumnDef::new(Postmortem::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Postmortem::ReopenReason).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_postmortem_incident")
                            .from(Postmortem::Table, Postmortem::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_postmortem_updated_by")
                            .from(Postmortem::Table, Postmortem::UpdatedBy)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_postmortem_published_by")
                            .from(Postmortem::Table, Postmortem::PublishedBy)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // The list filters by postmortem status.
        manager
            .create_index(
                Index::create()
                    .name("idx_postmortem_status")
                    .table(Postmortem::Table)
                    .col(Postmortem::Status)
                    .col(Postmortem::IncidentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostmortemTemplate::Table)
                    .col(
                        ColumnDef::new(PostmortemTemplate::Id)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PostmortemTemplate::Body).text().not_null())
                    .col(
                        ColumnDef::new(PostmortemTemplate::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(PostmortemTemplate::UpdatedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PostmortemTemplate::UpdatedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(PostmortemTemplate::Table)
                    .columns([
                        PostmortemTemplate::Id,
                        PostmortemTemplate::Body,
                        PostmortemTemplate::Version,
                    ])
                    .values_panic([1.into(), DEFAULT_TEMPLATE.into(), 1.into()])
                    .to_owned(),
            )
            .await?;

        // History outlives what it describes: a deleted incident keeps its audit record, so
        // there is deliberately no foreign key to incidents.
        manager
            .create_table(
                Table::create()
                    .table(HistoryEntry::Table)
                    .col(
                        ColumnDef::new(HistoryEntry::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(HistoryEntry::IncidentId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(HistoryEntry::Subject)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(HistoryEntry::SubjectId).big_integer().null())
                    .col(
                        ColumnDef::new(HistoryEntry::Action)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(HistoryEntry::ActorId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(HistoryEntry::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(HistoryEntry::Changes).text().not_null())
                    .col(ColumnDef::new(HistoryEntry::Note).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_history_entry_actor")
                            .from(HistoryEntry::Table, HistoryEntry::ActorId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // An incident's History tab reads its entries newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_history_entry_incident")
                    .table(HistoryEntry::Table)
                    .col(HistoryEntry::IncidentId)
                    .col(HistoryEntry::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            HistoryEntry::Table.into_iden(),
            PostmortemTemplate::Table.into_iden(),
            Postmortem::Table.into_iden(),
            TimelineEvent::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .drop_column(User::TimeZone)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum User {
    #[sea_orm(iden = "users")]
    Table,
    Id,
    TimeZone,
}

#[derive(DeriveIden)]
enum Incident {
    #[sea_orm(iden = "incidents")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TimelineEvent {
    #[sea_orm(iden = "timeline_events")]
    Table,
    Id,
    IncidentId,
    OccurredAt,
    Kind,
    Body,
    Marks,
    AuthorId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Postmortem {
    #[sea_orm(iden = "postmortems")]
    Table,
    IncidentId,
    Body,
    Status,
    LintWarnings,
    Version,
    UpdatedBy,
    UpdatedAt,
    PublishedBy,
    PublishedAt,
    ReopenReason,
}

#[derive(DeriveIden)]
enum PostmortemTemplate {
    #[sea_orm(iden = "postmortem_templates")]
    Table,
    Id,
    Body,
    Version,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum HistoryEntry {
    #[sea_orm(iden = "history_entries")]
    Table,
    Id,
    IncidentId,
    Subject,
    SubjectId,
    Action,
    ActorId,
    At,
    Changes,
    Note,
}
