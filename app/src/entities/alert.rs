use sea_orm::entity::prelude::*;

/// One alert of a group as last delivered, so that a repeated delivery changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub group_id: i64,
    pub fingerprint: String,
    pub starts_at: DateTimeUtc,
    /// `AlertStatus::key()`.
    pub status: String,
    pub ends_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
