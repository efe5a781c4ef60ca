//! One finding of a situation picture: an aggregate fact, never about a person.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "finding")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub situation_picture_id: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub priority_area_id: Option<i32>,
    pub focus_area_id: Option<i32>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
