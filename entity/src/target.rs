//! A target on an indicator, set by a plan or an activity.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "target")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub indicator_id: i32,
    pub action_plan_id: Option<i32>,
    pub activity_id: Option<i32>,
    pub district_id: Option<i32>,
    pub baseline: Option<f64>,
    pub baseline_year: Option<i32>,
    pub value: Option<f64>,
    pub year: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub text: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
