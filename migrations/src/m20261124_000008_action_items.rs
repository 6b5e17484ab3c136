//! Action items: the improvements a postmortem produces, who owns them, when they are due, and
//! whether the review that checked them found they worked.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let nullable_ref = |name: &'static str, column: ActionItem, table: TableRef, to: Alias| {
            ForeignKey::create()
                .name(name)
                .from(ActionItem::Table, column)
                .to(table, to)
                .on_delete(ForeignKeyAction::SetNull)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(ActionItem::Table)
                    .col(
                        ColumnDef::new(ActionItem::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ActionItem::Title).string_len(200).not_null())
                    .col(ColumnDef::new(ActionItem::Description).text().not_null())
                    .col(
                        ColumnDef::new(ActionItem::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ActionItem::OwnerId).big_integer().null())
                    .col(ColumnDef::new(ActionItem::TeamId).big_integer().null())
                    .col(ColumnDef::new(ActionItem::ServiceId).big_integer().null())
                    .col(
                        ColumnDef::new(ActionItem::ActionType)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ActionItem::Priority)
                            .string_len(4)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ActionItem::DueOn).date().null())
                    .col(
                        ColumnDef::new(ActionItem::TrackerUrl)
                            .string_len(2048)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ActionItem::Cadence)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ActionItem::State).string_len(16).not_null())
                    .col(ColumnDef::new(ActionItem::Outcome).string_len(32).null())
                    .col(ColumnDef::new(ActionItem::Evidence).text().null())
                    .col(
                        ColumnDef::new(ActionItem::EvidenceUrl)
                            .string_len(2048)
                            .null(),
                    )
                    .col(ColumnDef::new(ActionItem::WontDoReason).text().null())
                    .col(
                        ColumnDef::new(ActionItem::DoneAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(ActionItem::VerifyOn).date().null())
                    .col(
                        ColumnDef::new(ActionItem::VerifiedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(ActionItem::VerifiedBy).big_integer().null())
                    .col(ColumnDef::new(ActionItem::FollowUpOf).big_integer().null())
                    .col(
                        ColumnDef::new(ActionItem::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(ActionItem::CreatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ActionItem::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ActionItem::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_action_item_incident")
                            .from(ActionItem::Table, ActionItem::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut nullable_ref(
                        "fk_action_item_owner",
                        ActionItem::OwnerId,
                        User::Table.into_table_ref(),
                        Alias::new("id"),
                    ))
                    .foreign_key(&mut nullable_ref(
                        "fk_action_item_team",
                        ActionItem::TeamId,
                        Team::Table.into_table_ref(),
                        Alias::new("id"),
                    ))
                    .foreign_key(&mut nullable_ref(
                        "fk_action_item_service",
                        ActionItem::ServiceId,
                        Service::Table.into_table_ref(),
                        Alias::new("id"),
                    ))
                    .foreign_key(&mut nullable_ref(
                        "fk_action_item_verified_by",
                        ActionItem::VerifiedBy,
                        User::Table.into_table_ref(),
                        Alias::new("id"),
                    ))
                    .foreign_key(&mut nullable_ref(
                        "fk_action_item_follow_up_of",
                        ActionItem::FollowUpOf,
                        ActionItem::Table.into_table_ref(),
                        Alias::new("id"),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_action_item_created_by")
                            .from(ActionItem::Table, ActionItem::CreatedBy)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // The views filter by state with due dates, by owner, team, service and incident, and
        // find items whose verification has fallen due.
        for (name, cols) in [
            (
                "idx_action_item_state_due",
                vec![ActionItem::State, ActionItem::DueOn, ActionItem::Id],
            ),
            (
                "idx_action_item_owner_state",
                vec![ActionItem::OwnerId, ActionItem::State],
            ),
            (
                "idx_action_item_team_state",
                vec![ActionItem::TeamId, ActionItem::State],
            ),
            (
                "idx_action_item_service_state",
                vec![ActionItem::ServiceId, ActionItem::State],
            ),
            (
                "idx_action_item_incident",
                vec![ActionItem::IncidentId, ActionItem::Id],
            ),
            (
                "idx_action_item_verify_on",
                vec![ActionItem::State, ActionItem::VerifyOn],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(ActionItem::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActionItem::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ActionItem {
    #[sea_orm(iden = "action_items")]
    Table,
    Id,
    Title,
    Description,
    IncidentId,
    OwnerId,
    TeamId,
    ServiceId,
    ActionType,
    Priority,
    DueOn,
    TrackerUrl,
    Cadence,
    State,
    Outcome,
    Evidence,
    EvidenceUrl,
    WontDoReason,
    DoneAt,
    VerifyOn,
    VerifiedAt,
    VerifiedBy,
    FollowUpOf,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
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

#[derive(DeriveIden)]
enum Team {
    #[sea_orm(iden = "teams")]
    Table,
}

#[derive(DeriveIden)]
enum Service {
    #[sea_orm(iden = "services")]
    Table,
}
