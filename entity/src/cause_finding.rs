//! Which findings a cause explains.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "cause_finding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cause_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub finding_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
