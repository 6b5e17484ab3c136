use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timeline_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub occurred_at: DateTimeUtc,
    /// `EventKind::key()`.
    pub kind: String,
    /// Markdown.
    pub body: String,
    /// `KeyMoment::key()` when this event is the incident's moment of detection, mitigation or
    /// resolution; the incident's key time then follows this event's time.
    pub marks: Option<String>,
    pub author_id: i64,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
