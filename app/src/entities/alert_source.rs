use sea_orm::entity::prelude::*;

/// An alerting system allowed to open incidents: how its deliveries are authenticated, the
/// account it acts as, and how its labels name services.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_sources")]
pub struct Model {
    /// `AlertSourceKind::key()`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub source: String,
    /// Alertmanager: the SHA-256 of its bearer token. PagerDuty: the signing secret.
    pub secret: String,
    pub actor_id: i64,
    /// Comma-separated label names whose value is a service's name, in the order tried.
    pub service_labels: String,
    /// Where an alert goes when no label names a known service.
    pub fallback_service_id: Option<i64>,
    pub last_delivery_at: Option<DateTimeUtc>,
    /// Why the last refused delivery was refused, for the admin page.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
