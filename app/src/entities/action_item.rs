use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub incident_id: i64,
    pub owner_id: Option<i64>,
    pub team_id: Option<i64>,
    pub service_id: Option<i64>,
    /// `ActionType::key()`.
    pub action_type: String,
    /// `Priority::key()`.
    pub priority: String,
    pub due_on: Option<Date>,
    pub tracker_url: Option<String>,
    /// `Cadence::key()`.
    pub cadence: String,
    /// `ActionState::key()`.
    pub state: String,
    /// `Outcome::key()`, once verified.
    pub outcome: Option<String>,
    pub evidence: Option<String>,
    pub evidence_url: Option<String>,
    pub wont_do_reason: Option<String>,
    /// When it was marked done.
    pub done_at: Option<DateTimeUtc>,
    /// The day the work was finished, in the reporting zone (it may be before `done_at`).
    pub done_on: Option<Date>,
    /// The review day on which it is due to be verified, once done.
    pub verify_on: Option<Date>,
    pub verified_at: Option<DateTimeUtc>,
    pub verified_by: Option<i64>,
    /// The item whose ineffective verification this one follows up.
    pub follow_up_of: Option<i64>,
    /// When someone committed to it (raised committed, or moved from proposed to open).
    pub committed_at: Option<DateTimeUtc>,
    /// When it was last finished or declined; cleared when reopened.
    pub closed_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
