//! One cause in a cause analysis.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "cause")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cause_analysis_id: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
