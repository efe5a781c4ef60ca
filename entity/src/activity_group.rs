//! Which groups carry an activity.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "activity_group")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub activity_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub collaboration_group_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::activity::Entity",
        from = "Column::ActivityId",
        to = "super::activity::Column::Id"
    )]
    Activity,
    #[sea_orm(
        belongs_to = "super::collaboration_group::Entity",
        from = "Column::CollaborationGroupId",
        to = "super::collaboration_group::Column::Id"
    )]
    CollaborationGroup,
}

impl Related<super::activity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Activity.def()
    }
}

impl Related<super::collaboration_group::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CollaborationGroup.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
