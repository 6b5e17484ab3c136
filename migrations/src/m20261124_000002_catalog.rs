//! The catalogue incidents refer to: teams, and the services each team owns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Team::Table)
                    .col(
                        ColumnDef::new(Team::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Team::Name)
                            .string_len(80)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Team::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Team::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Service::Table)
                    .col(
                        ColumnDef::new(Service::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Service::TeamId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Service::Name)
                            .string_len(80)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Service::SloTargetPercent).double().null())
                    .col(ColumnDef::new(Service::RunbookUrl).string_len(2048).null())
                    .col(
                        ColumnDef::new(Service::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Service::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_service_team")
                            .from(Service::Table, Service::TeamId)
                            .to(Team::Table, Team::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_service_team")
                    .table(Service::Table)
                    .col(Service::TeamId)
                    .col(Service::Name)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Service::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Team::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Team {
    #[sea_orm(iden = "teams")]
    Table,
    Id,
    Name,
    Version,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Service {
    #[sea_orm(iden = "services")]
    Table,
    Id,
    TeamId,
    Name,
    SloTargetPercent,
    RunbookUrl,
    Version,
    CreatedAt,
}
