//! Every kind a group is of, as written (position 0 is the group's `kind`).

use crate::enums::GroupKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "collaboration_group_kind")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub collaboration_group_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: GroupKind,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
