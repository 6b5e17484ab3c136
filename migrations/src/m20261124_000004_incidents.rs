//! Incidents: what happened, when, to which services, and how it was classified.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incident::Table)
                    .col(
                        ColumnDef::new(Incident::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Incident::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Incident::Summary).text().not_null())
                    .col(ColumnDef::new(Incident::Severity).string_len(8).not_null())
                    .col(
                        ColumnDef::new(Incident::CustomerImpact)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Incident::ImpactDescription)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Incident::StartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Incident::DetectedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incident::AcknowledgedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incident::MitigatedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incident::ResolvedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Incident::DetectedBy).string_len(32).null())
                    .col(
                        ColumnDef::new(Incident::MonitoringShouldHaveCaught)
                            .boolean()
                            .null(),
                    )
                    .col(ColumnDef::new(Incident::KnownProblem).boolean().null())
                    .col(
                        ColumnDef::new(Incident::RunbookOutcome)
                            .string_len(32)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incident::CauseCategory)
                            .string_len(32)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incident::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(ColumnDef::new(Incident::CreatedBy).big_integer().not_null())
                    .col(
                        ColumnDef::new(Incident::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Incident::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_created_by")
                            .from(Incident::Table, Incident::CreatedBy)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // The list pages newest first and filters by period, severity and detection source.
        for (name, cols) in [
            (
                "idx_incident_started",
                vec![Incident::StartedAt, Incident::Id],
            ),
            (
                "idx_incident_severity_started",
                vec![Incident::Severity, Incident::StartedAt, Incident::Id],
            ),
            (
                "idx_incident_detected_by_started",
                vec![Incident::DetectedBy, Incident::StartedAt, Incident::Id],
            ),
            ("idx_incident_resolved", vec![Incident::ResolvedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Incident::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(IncidentService::Table)
                    .col(
                        ColumnDef::new(IncidentService::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IncidentService::ServiceId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IncidentService::IncidentId)
                            .col(IncidentService::ServiceId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_service_incident")
                            .from(IncidentService::Table, IncidentService::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_service_service")
                            .from(IncidentService::Table, IncidentService::ServiceId)
                            .to(Service::Table, Service::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incident_service_by_service")
                    .table(IncidentService::Table)
                    .col(IncidentService::ServiceId)
                    .col(IncidentService::IncidentId)
                    .to_owned(),
            )
            .await?;

        // A known problem links to the earlier incidents it repeats.
        manager
            .create_table(
                Table::create()
                    .table(IncidentRepeat::Table)
                    .col(
                        ColumnDef::new(IncidentRepeat::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IncidentRepeat::RepeatsIncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IncidentRepeat::IncidentId)
                            .col(IncidentRepeat::RepeatsIncidentId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_repeat_incident")
                            .from(IncidentRepeat::Table, IncidentRepeat::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_repeat_earlier")
                            .from(IncidentRepeat::Table, IncidentRepeat::RepeatsIncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IncidentTag::Table)
                    .col(
                        ColumnDef::new(IncidentTag::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(IncidentTag::Tag).string_len(40).not_null())
                    .primary_key(
                        Index::create()
                            .col(IncidentTag::IncidentId)
                            .col(IncidentTag::Tag),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_tag_incident")
                            .from(IncidentTag::Table, IncidentTag::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incident_tag_by_tag")
                    .table(IncidentTag::Table)
                    .col(IncidentTag::Tag)
                    .col(IncidentTag::IncidentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IncidentTag::Table.into_iden(),
            IncidentRepeat::Table.into_iden(),
            IncidentService::Table.into_iden(),
            Incident::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Incident {
    #[sea_orm(iden = "incidents")]
    Table,
    Id,
    Title,
    Summary,
    Severity,
    CustomerImpact,
    ImpactDescription,
    StartedAt,
    DetectedAt,
    AcknowledgedAt,
    MitigatedAt,
    ResolvedAt,
    DetectedBy,
    MonitoringShouldHaveCaught,
    KnownProblem,
    RunbookOutcome,
    CauseCategory,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IncidentService {
    #[sea_orm(iden = "incident_services")]
    Table,
    IncidentId,
    ServiceId,
}

#[derive(DeriveIden)]
enum IncidentRepeat {
    #[sea_orm(iden = "incident_repeats")]
    Table,
    IncidentId,
    RepeatsIncidentId,
}

#[derive(DeriveIden)]
enum IncidentTag {
    #[sea_orm(iden = "incident_tags")]
    Table,
    IncidentId,
    Tag,
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
