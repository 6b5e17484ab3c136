use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// `Severity::key()`.
    pub severity: String,
    pub customer_impact: bool,
    pub impact_description: String,
    pub started_at: DateTimeUtc,
    pub detected_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub mitigated_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    /// `DetectionSource::key()`, unset until classified.
    pub detected_by: Option<String>,
    /// Asked when not detected by an alert.
    pub monitoring_should_have_caught: Option<bool>,
    pub known_problem: Option<bool>,
    /// `RunbookOutcome::key()`.
    pub runbook_outcome: Option<String>,
    /// `CauseCategory::key()`.
    pub cause_category: Option<String>,
    /// Bumped by every change; an edit based on an older version is refused.
    pub version: i64,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored key times as the domain reads them.
    pub fn key_times(&self) -> crate::domain::incident::KeyTimes {
        crate::domain::incident::KeyTimes {
            started: self.started_at,
            detected: self.detected_at,
            acknowledged: self.acknowledged_at,
            mitigated: self.mitigated_at,
            resolved: self.resolved_at,
        }
    }
}
