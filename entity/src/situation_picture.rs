//! A situation picture (lägesbild): a dated assessment of the problems in one or more districts, or city-wide, by one body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "situation_picture")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub organization_id: i32,
    pub strategy_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub as_of: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
    pub city_wide: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
