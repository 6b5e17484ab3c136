use sea_orm::entity::prelude::*;

/// A review of one cadence for one period.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `Cadence::key()`.
    pub cadence: String,
    /// The key of the period it covers, of the cadence's kind: `2026-11`, `2026-W48`.
    pub period_key: String,
    /// `ReviewStatus::key()`.
    pub status: String,
    pub facilitator_id: i64,
    /// Names, comma-separated.
    pub attendees: String,
    /// Markdown.
    pub notes: String,
    /// `review::Snapshot` as JSON, once closed.
    pub snapshot: Option<String>,
    pub created_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<i64>,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
