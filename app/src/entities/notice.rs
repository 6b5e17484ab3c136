use sea_orm::entity::prelude::*;

/// One line in a person's inbox about an action item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// `NoticeKind::key()`.
    pub kind: String,
    pub action_item_id: i64,
    /// Unique per person: the kind, the item and the date it concerns.
    pub dedup_key: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
