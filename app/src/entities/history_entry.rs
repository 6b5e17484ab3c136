use sea_orm::entity::prelude::*;

/// One recorded change. It outlives what it describes, so `incident_id` is not a foreign key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "history_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: Option<i64>,
    /// `Subject::key()`: what was changed.
    pub subject: String,
    pub subject_id: Option<i64>,
    /// `Action::key()`.
    pub action: String,
    pub actor_id: i64,
    pub at: DateTimeUtc,
    /// JSON list of `FieldChange`.
    pub changes: String,
    /// A reason given with the change (reopening, deleting).
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
