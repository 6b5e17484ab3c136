//! Incidents opened by alerting systems: each source's secret and the account it acts as, the
//! admins' mapping from alert labels to services and severities, the alert groups each incident
//! was opened for with the state of every alert in them, and the deliveries already taken in.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AlertSource::Table)
                    // `alertmanager` or `pagerduty`.
                    .col(
                        ColumnDef::new(AlertSource::Source)
                            .string_len(32)
                            .not_null()
                            .primary_key(),
                    )
                    // Alertmanager: the SHA-256 of its bearer token. PagerDuty: the signing
                    // secret itself, which checking a signature needs.
                    .col(ColumnDef::new(AlertSource::Secret).text().not_null())
                    .col(
                        ColumnDef::new(AlertSource::ActorId)
                            .big_integer()
                            .not_null(),
                    )
                    // Label names whose value is a service's name, in the order tried.
                    .col(ColumnDef::new(AlertSource::ServiceLabels).text().not_null())
                    .col(
                        ColumnDef::new(AlertSource::FallbackServiceId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AlertSource::LastDeliveryAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(AlertSource::LastError).text().null())
                    .col(
                        ColumnDef::new(AlertSource::LastErrorAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AlertSource::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AlertSource::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_alert_source_actor")
                            .from(AlertSource::Table, AlertSource::ActorId)
                            .to(User::Table, User::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_alert_source_fallback_service")
                            .from(AlertSource::Table, AlertSource::FallbackServiceId)
                            .to(Service::Table, Service::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertMapping::Table)
                    .col(
                        ColumnDef::new(AlertMapping::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AlertMapping::Source)
                            .string_len(32)
                            .not_null(),
                    )
                    // `service` or `severity`.
                    .col(ColumnDef::new(AlertMapping::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(AlertMapping::Label)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AlertMapping::Value)
                            .string_len(256)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AlertMapping::ServiceId).big_integer().null())
                    .col(ColumnDef::new(AlertMapping::Severity).string_len(16).null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_alert_mapping_source")
                            .from(AlertMapping::Table, AlertMapping::Source)
                            .to(AlertSource::Table, AlertSource::Source)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_alert_mapping_service")
                            .from(AlertMapping::Table, AlertMapping::ServiceId)
                            .to(Service::Table, Service::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_alert_mapping_rule")
                    .table(AlertMapping::Table)
                    .col(AlertMapping::Source)
                    .col(AlertMapping::Kind)
                    .col(AlertMapping::Label)
                    .col(AlertMapping::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertGroup::Table)
                    .col(
                        ColumnDef::new(AlertGroup::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AlertGroup::Source).string_len(32).not_null())
                    .col(ColumnDef::new(AlertGroup::GroupKey).text().not_null())
                    .col(
                        ColumnDef::new(AlertGroup::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AlertGroup::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_alert_group_incident")
                            .from(AlertGroup::Table, AlertGroup::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A delivery finds its group's latest incident.
        manager
            .create_index(
                Index::create()
                    .name("idx_alert_group_key")
                    .table(AlertGroup::Table)
                    .col(AlertGroup::Source)
                    .col(AlertGroup::GroupKey)
                    .col(AlertGroup::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_alert_group_incident")
                    .table(AlertGroup::Table)
                    .col(AlertGroup::IncidentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Alert::Table)
                    .col(
                        ColumnDef::new(Alert::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Alert::GroupId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Alert::Fingerprint)
                            .string_len(256)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Alert::StartsAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // `firing`, `acknowledged` or `resolved`.
                    .col(ColumnDef::new(Alert::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Alert::EndsAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Alert::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_alert_group")
                            .from(Alert::Table, Alert::GroupId)
                            .to(AlertGroup::Table, AlertGroup::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_alert_identity")
                    .table(Alert::Table)
                    .col(Alert::GroupId)
                    .col(Alert::Fingerprint)
                    .col(Alert::StartsAt)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertDelivery::Table)
                    .col(
                        ColumnDef::new(AlertDelivery::Source)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AlertDelivery::DeliveryId)
                            .string_len(256)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AlertDelivery::ReceivedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(AlertDelivery::Source)
                            .col(AlertDelivery::DeliveryId),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AlertDelivery::Table.into_iden(),
            Alert::Table.into_iden(),
            AlertGroup::Table.into_iden(),
            AlertMapping::Table.into_iden(),
            AlertSource::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AlertSource {
    #[sea_orm(iden = "alert_sources")]
    Table,
    Source,
    Secret,
    ActorId,
    ServiceLabels,
    FallbackServiceId,
    LastDeliveryAt,
    LastError,
    LastErrorAt,
    CreatedAt,
    Version,
}

#[derive(DeriveIden)]
enum AlertMapping {
    #[sea_orm(iden = "alert_mappings")]
    Table,
    Id,
    Source,
    Kind,
    Label,
    Value,
    ServiceId,
    Severity,
}

#[derive(DeriveIden)]
enum AlertGroup {
    #[sea_orm(iden = "alert_groups")]
    Table,
    Id,
    Source,
    GroupKey,
    IncidentId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Alert {
    #[sea_orm(iden = "alerts")]
    Table,
    Id,
    GroupId,
    Fingerprint,
    StartsAt,
    Status,
    EndsAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AlertDelivery {
    #[sea_orm(iden = "alert_deliveries")]
    Table,
    Source,
    DeliveryId,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum User {
    #[sea_orm(iden = "users")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Service {
    #[sea_orm(iden = "services")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Incident {
    #[sea_orm(iden = "incidents")]
    Table,
    Id,
}
