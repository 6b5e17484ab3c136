use sea_orm::entity::prelude::*;

/// One deploy of a service, as a pipeline reported it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deploys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    pub deployed_at: DateTimeUtc,
    /// `DeployOutcome::key()`.
    pub outcome: String,
    /// What was deployed: a version or a commit.
    pub reference: Option<String>,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
