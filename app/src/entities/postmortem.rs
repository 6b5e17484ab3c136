use sea_orm::entity::prelude::*;

/// An incident's write-up; an incident without a row has not started one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "postmortems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub incident_id: i64,
    /// Markdown.
    pub body: String,
    /// `PostmortemStatus::key()`.
    pub status: String,
    /// Blameless-language warnings in the saved text, for lists that show the count.
    pub lint_warnings: i32,
    pub version: i64,
    pub updated_by: i64,
    pub updated_at: DateTimeUtc,
    pub published_by: Option<i64>,
    pub published_at: Option<DateTimeUtc>,
    /// Why it was last reopened after being published.
    pub reopen_reason: Option<String>,
    /// Why it was published without a committed action item.
    pub no_action_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
