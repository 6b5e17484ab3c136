use sea_orm::entity::prelude::*;

/// The organisation's settings: one row, id 1.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The IANA zone in which days, weeks and review dates are counted.
    pub reporting_zone: String,
    /// The share of incidents reported by users, in whole percent, from which the detection gap
    /// is raised as a finding.
    pub detection_gap_threshold: i16,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
