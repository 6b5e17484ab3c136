use sea_orm::entity::prelude::*;

/// A further incident an action item answers, besides the one it came from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_item_incidents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub action_item_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub incident_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
