//! Which districts a situation picture covers.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "situation_picture_district")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub situation_picture_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub district_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
