//! What the analytics need beyond the incidents themselves: deploy events, the moments an action
//! item was committed to and finished (so a past period's open and completed items can be
//! counted), and the organisation's detection-gap threshold.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Deploy::Table)
                    .col(
                        ColumnDef::new(Deploy::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Deploy::ServiceId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Deploy::DeployedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Deploy::Outcome).string_len(16).not_null())
                    .col(ColumnDef::new(Deploy::Reference).string_len(200).null())
                    .col(ColumnDef::new(Deploy::RecordedBy).big_integer().not_null())
                    .col(
                        ColumnDef::new(Deploy::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deploy_service")
                            .from(Deploy::Table, Deploy::ServiceId)
                            .to(Service::Table, Service::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deploy_recorded_by")
                            .from(Deploy::Table, Deploy::RecordedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A period's deploys, for everyone and per service.
        for (name, columns) in [
            ("idx_deploy_time", vec![Deploy::DeployedAt]),
            (
                "idx_deploy_service_time",
                vec![Deploy::ServiceId, Deploy::DeployedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Deploy::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }

        // SQLite takes one new column per statement.
        for column in [
            ColumnDef::new(ActionItem::CommittedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(ActionItem::DoneOn).date().null().to_owned(),
            ColumnDef::new(ActionItem::ClosedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ActionItem::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Items from before these columns: committed when raised unless still proposed or
        // declined (a declined proposal was never committed), done on the day they were marked
        // done (in UTC), closed when marked done or, for won't do, when last changed. The
        // closest the stored data comes to the truth.
        let done_day = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "(done_at AT TIME ZONE 'UTC')::date",
            _ => "substr(done_at, 1, 10)",
        };
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE action_items SET committed_at = created_at \
             WHERE state NOT IN ('proposed', 'wont_do')",
        )
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE action_items SET done_on = {done_day}, closed_at = done_at \
             WHERE done_at IS NOT NULL"
        ))
        .await?;
        db.execute_unprepared(
            "UPDATE action_items SET closed_at = updated_at WHERE state = 'wont_do'",
        )
        .await?;
        // Created, committed and completed in a period; open at its end.
        for (name, column) in [
            ("idx_action_item_created", ActionItem::CreatedAt),
            ("idx_action_item_committed", ActionItem::CommittedAt),
            ("idx_action_item_done_on", ActionItem::DoneOn),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ActionItem::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .alter_table(
                Table::alter()
                    .table(Organisation::Table)
                    .add_column(
                        ColumnDef::new(Organisation::DetectionGapThreshold)
                            .small_integer()
                            .not_null()
                            .default(30),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organisation::Table)
                    .drop_column(Organisation::DetectionGapThreshold)
                    .to_owned(),
            )
            .await?;
        for name in [
            "idx_action_item_created",
            "idx_action_item_committed",
            "idx_action_item_done_on",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(ActionItem::Table).to_owned())
                .await?;
        }
        for column in [
            ActionItem::CommittedAt,
            ActionItem::DoneOn,
            ActionItem::ClosedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ActionItem::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Deploy::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Deploy {
    #[sea_orm(iden = "deploys")]
    Table,
    Id,
    ServiceId,
    DeployedAt,
    Outcome,
    Reference,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActionItem {
    #[sea_orm(iden = "action_items")]
    Table,
    CreatedAt,
    CommittedAt,
    DoneOn,
    ClosedAt,
}

#[derive(DeriveIden)]
enum Organisation {
    #[sea_orm(iden = "organisation")]
    Table,
    DetectionGapThreshold,
}

#[derive(DeriveIden)]
enum Service {
    #[sea_orm(iden = "services")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    #[sea_orm(iden = "users")]
    Table,
    Id,
}
