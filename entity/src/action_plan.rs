//! A district's action plan (lokal handlingsplan / åtgärdsplan).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "action_plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub district_id: Option<i32>,
    pub strategy_id: Option<i32>,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub organization_id: Option<i32>,
    pub situation_picture_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
