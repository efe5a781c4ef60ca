//! A reported follow-up of a collaboration group for one reporting period.

use crate::enums::{FollowUpStatus, Term};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "group_follow_up")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub collaboration_group_id: i32,
    pub year: i32,
    pub term: Term,
    pub status: FollowUpStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub as_of: Option<Date>,
    pub reported_by_organization_id: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reported_by_sub: Option<String>,
    pub locked: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
