//! A source a situation picture rests on (a survey, a report, the police's lägesbild).

use crate::enums::SourceKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "situation_source")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub situation_picture_id: i32,
    pub kind: SourceKind,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub year: Option<i32>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
