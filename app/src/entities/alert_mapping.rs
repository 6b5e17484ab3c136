use sea_orm::entity::prelude::*;

/// "When label `label` is `value`": this service is affected, or the incident has this severity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_mappings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source: String,
    /// `service` or `severity`.
    pub kind: String,
    pub label: String,
    pub value: String,
    pub service_id: Option<i64>,
    /// `Severity::key()`.
    pub severity: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
